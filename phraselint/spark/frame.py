"""The driver's side: a DataFrame of utterances → findings, scores and errors, checked call by call.

The rows are partitioned by call and sorted by it within each partition, so that a call's rows come one
after the other, and each partition's Arrow batches go to :func:`calls.check_batches` on an executor
(``mapInArrow``: no pandas, and batches of many calls between the JVM and the Python worker, not one Arrow
stream per call as ``groupBy(call).applyInArrow`` would send). Each call's result is one row carrying its
figures, its findings and its bad rows; the three tables are cut from it, so the calls are checked once however
many of the tables are written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.types import from_arrow_schema

from ..errors import ConfigError
from .calls import (
    AGENT,
    CALL,
    CALL_SCHEMA,
    END,
    END_CLOCK,
    ORDER,
    PROBLEM,
    ROW,
    SCORE_COLUMNS,
    SPEAKER,
    START,
    START_CLOCK,
    TEXT,
    Job,
    check_batches,
)


@dataclass(frozen=True)
class Columns:
    """The names of the input's columns. ``agent``, ``speaker``, ``start`` and ``end`` may be None (not in
    the table); ``order`` orders the utterances of a call (default: ``start``; ties and missing values in
    the order the rows were read)."""

    call: str = "call_id"
    text: str = "text"
    agent: str | None = "agent_id"
    speaker: str | None = "speaker"
    start: str | None = "start"
    end: str | None = "end"
    order: str | None = None


@dataclass(frozen=True)
class Results:
    """What :func:`check_calls` gives: one row per call (``calls``, persisted), and the three tables cut
    from it. Call :meth:`unpersist` when done."""

    calls: DataFrame

    @property
    def findings(self) -> DataFrame:
        """One row per finding: the fields of ``check --conversation --format json`` (the utterance's place
        in its call, ``turn``, for the file's line and column), with the call, the agent and the kind."""
        return self.calls.select(F.explode("findings").alias("f")).select("f.*")

    @property
    def scores(self) -> DataFrame:
        """One row per call: the per-transcript figures of ``phraselint report`` (score, passed, critical,
        deductions, counts, compliance, rules skipped) and the number of bad rows set aside."""
        return self.calls.where(F.col("call_id").isNotNull() & F.col("score").isNotNull()).select(
            *SCORE_COLUMNS
        )

    @property
    def errors(self) -> DataFrame:
        """One row per bad input row (null, non-string, undecodable or oversized text, no call id)."""
        return self.calls.select(F.explode("errors").alias("e")).select("e.*")

    def unpersist(self) -> None:
        self.calls.unpersist()


def check_calls(
    utterances: DataFrame,
    job: Job,
    columns: Columns = Columns(),  # noqa: B008 - a frozen value
    *,
    storage: StorageLevel = StorageLevel.MEMORY_AND_DISK,
) -> Results:
    """Check every call of ``utterances`` (one row per utterance) whole, as ``phraselint report`` checks a
    transcript. Raises ConfigError for a column that is not in the table."""
    prepared = prepare(utterances, columns)
    spark_schema = from_arrow_schema(CALL_SCHEMA)

    def partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return check_batches(batches, job)

    clustered = prepared.repartition(CALL).sortWithinPartitions(CALL)
    calls = clustered.mapInArrow(partition, spark_schema)
    return Results(calls.persist(storage))


def prepare(utterances: DataFrame, columns: Columns) -> DataFrame:
    """The input's columns renamed to the executor's names and typed: the call and agent as text, the times
    as seconds, the text as bytes (decoded in Python, where a bad one is a bad row and not a failed job), a
    row id, and ``_problem`` for a text column of a type that cannot be text."""
    fields = {f.name: f.dataType for f in utterances.schema.fields}
    for role, name in (
        ("call", columns.call),
        ("text", columns.text),
        ("agent", columns.agent),
        ("speaker", columns.speaker),
        ("start", columns.start),
        ("end", columns.end),
        ("order", columns.order),
    ):
        if name is not None and name not in fields:
            known = ", ".join(fields)
            raise ConfigError(f"no column '{name}' for the {role} (the table has: {known})")
    text_type = fields[columns.text]
    if isinstance(text_type, T.StringType):
        text, problem = F.col(columns.text).cast("binary"), F.lit(None).cast("string")
    elif isinstance(text_type, T.BinaryType):
        text, problem = F.col(columns.text), F.lit(None).cast("string")
    elif isinstance(text_type, T.VariantType):  # JSON read as it was written (see command.py): typed per row
        text, problem = _variant_text(F.col(columns.text))
    else:
        text = F.lit(None).cast("binary")
        problem = F.when(
            F.col(columns.text).isNotNull(),
            F.lit(f"the text is not a string but {text_type.simpleString()}; not checked"),
        )
    start, start_clock = _seconds(columns.start, fields)
    end, end_clock = _seconds(columns.end, fields)
    order = _seconds(columns.order, fields)[0] if columns.order else start
    return utterances.select(
        F.col(columns.call).cast("string").alias(CALL),
        _optional(columns.agent, "string").alias(AGENT),
        _optional(columns.speaker, "string").alias(SPEAKER),
        start.alias(START),
        end.alias(END),
        text.alias(TEXT),
        order.alias(ORDER),
        F.monotonically_increasing_id().alias(ROW),
        problem.alias(PROBLEM),
        start_clock.alias(START_CLOCK),
        end_clock.alias(END_CLOCK),
    )


def _variant_text(value: Column) -> tuple[Column, Column]:
    """The text of a variant column, and the problem of a row whose value is not a string: a number, an
    object, a list (JSON null is a null text). A SQL null is a text missing from its record, or one the JSON
    reader could not hold (a lone surrogate, ``\\ud800``, fails the variant and not the record)."""
    kind = F.schema_of_variant(value)
    text = F.when(kind == F.lit("STRING"), F.variant_get(value, "$", "string").cast("binary"))
    problem = F.when(
        kind.isNull(),
        F.lit("no text, or one the JSON reader cannot read (a lone surrogate such as \\ud800); not checked"),
    ).when(
        (kind != F.lit("STRING")) & (kind != F.lit("VOID")),
        F.concat(F.lit("the text is not a string but "), F.lower(kind), F.lit("; not checked")),
    )
    return text, problem


def _optional(name: str | None, kind: str) -> Column:
    return F.col(name).try_cast(kind) if name else F.lit(None).cast(kind)


def _seconds(name: str | None, fields: dict[str, T.DataType]) -> tuple[Column, Column]:
    """A time column as seconds, and whether they are a date-time's (seconds since the epoch, made relative to
    the call's first date-time on the executor, as ``phraselint report`` reads an export): numbers as they
    are, timestamps and dates as date-times, text as a number where it is one, else as a date-time where it
    is one (else null: the utterance is checked without a time)."""
    if name is None:
        return F.lit(None).cast("double"), F.lit(False)
    kind = fields[name]
    if isinstance(kind, (T.TimestampType, T.TimestampNTZType, T.DateType)):
        return _epoch(F.col(name).cast("timestamp")), F.col(name).isNotNull()
    number = F.col(name).try_cast("double")
    if not isinstance(kind, T.StringType):
        return number, F.lit(False)
    moment = F.col(name).try_cast("timestamp")
    return F.coalesce(number, _epoch(moment)), number.isNull() & moment.isNotNull()


def _epoch(moment: Column) -> Column:
    return F.unix_micros(moment) / F.lit(1_000_000.0)
