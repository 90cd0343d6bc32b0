"""``python -m phraselint.spark INPUT OUTPUT``: read a table of utterances (Parquet, JSON Lines or CSV, from
any path Spark reads), check it call by call, and write ``OUTPUT/findings``, ``OUTPUT/scores`` and
``OUTPUT/errors`` as Parquet. Everything a user can get wrong (settings, rule files, scoring sheet, columns,
input, an existing output) is found on the driver before any table is written: one line, exit code 2."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..command_line import (
    config_option,
    conversation_rules_option,
    guard,
    isolated_option,
    rules_option,
    settings_from,
)
from ..engine.script import SCRIPTS
from ..errors import ConfigError, InputError
from ..read.calls import columns_of
from ..read.formats import field_names
from .calls import Job, tools
from .frame import Columns, check_calls

TABLES = ("findings", "scores", "errors")


@click.command("phraselint.spark", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_path", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("parquet", "json", "csv")),
    default="parquet",
    show_default=True,
    help="The input's format (JSON: one object a line; CSV: with a header).",
)
@click.option(
    "--call", "call", default=None, help="Column: the call's id (default: as rules/fields.yml names it)."
)
@click.option("--text", "text", default=None, help="Column: what was said (default: by rules/fields.yml).")
@click.option("--agent", default=None, help="Column: the agent's id (default: by rules/fields.yml, if any).")
@click.option(
    "--speaker", default=None, help="Column: speaker or role (default: by rules/fields.yml, if any)."
)
@click.option("--start", default=None, help="Column: start time (default: by rules/fields.yml, if any).")
@click.option("--end", default=None, help="Column: end time (default: by rules/fields.yml, if any).")
@click.option("--order", default=None, help="Column ordering a call's utterances (default: --start).")
@click.option("--select", multiple=True, help="Only these rule ids or situations (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or situations (comma-separated).")
@click.option("--staff", multiple=True, help="Speaker names that are staff (comma-separated).")
@click.option("--script", type=click.Choice(("auto", *SCRIPTS)), default=None, help="Script of the rewrites.")
@rules_option
@config_option
@isolated_option
@conversation_rules_option()
@click.option(
    "--scoring", default=None, type=click.Path(dir_okay=False), help="A scoring sheet over rules/scoring.yml."
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="A longer utterance is a bad row: reported in errors, not checked.",
)
@click.option("--overwrite", is_flag=True, help="Replace the tables of OUTPUT if they exist.")
@guard
def main(
    input_path: str,
    output: str,
    fmt: str,
    call: str | None,
    text: str | None,
    agent: str | None,
    speaker: str | None,
    start: str | None,
    end: str | None,
    order: str | None,
    conversation_rules: str | None,
    scoring: str | None,
    max_chars: int,
    overwrite: bool,
    **opts: Any,
) -> None:
    """Check a warehouse of call transcripts (one row per utterance) on Spark: findings, per-call scores
    and bad rows, as Parquet under OUTPUT."""
    settings = settings_from(opts)
    job = Job(settings, conversation_rules, scoring, max_chars)
    tools(job)  # every rule file, the conversation rules and the scoring sheet checked here, before Spark
    if (
        "PYSPARK_GATEWAY_PORT" not in os.environ
    ):  # plain `python -m`, not spark-submit: workers run this Python
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    ours = SparkSession.getActiveSession() is None  # stopped at the end only if this command started it
    spark = SparkSession.builder.appName("phraselint").getOrCreate()
    try:
        reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
        try:
            utterances = reader.format(fmt).load(input_path)
        except AnalysisException as exc:
            raise InputError(f"cannot read the {fmt} input: {_first_line(exc)}", input_path) from None
        named = {"call": call, "text": text, "agent": agent, "speaker": speaker, "start": start, "end": end}
        columns = columns_by_name(utterances.columns, named, order)
        if fmt == "json":
            utterances = _text_as_written(spark, utterances, columns.text, input_path)
        results = check_calls(utterances, job, columns)
        mode = "overwrite" if overwrite else "errorifexists"
        if not overwrite:
            _check_free(spark, output)
        try:
            for name in TABLES:
                getattr(results, name).write.mode(mode).parquet(f"{output.rstrip('/')}/{name}")
        finally:
            results.unpersist()
    finally:
        if ours:
            spark.stop()


def columns_by_name(header: list[str], named: dict[str, str | None], order: str | None) -> Columns:
    """The input's columns: those named by an option, the others found by their names in rules/fields.yml
    (``call_id``, ``text``, ``通话编号``, ``内容`` …), as ``phraselint report`` finds an export's. The call and the
    text are required."""
    given = {k: v for k, v in named.items() if v is not None}
    for field, name in given.items():
        if name not in header:
            raise ConfigError(f"no column '{name}' for the {field} (the table has: {', '.join(header)})")
    found = columns_of(header, field_names(), given)
    for field in ("call", "text"):
        if field not in found:
            aliases = ", ".join(getattr(field_names(), field)[:4])
            raise ConfigError(
                f"no column for the {field} (looked for {aliases} … as rules/fields.yml names them; "
                f"the table has: {', '.join(header)}): name it with --{field}"
            )
    picked: dict[str, str | None] = {
        field: header[found[field]] if field in found else None
        for field in ("call", "text", "agent", "speaker", "start", "end")
    }
    if order is not None and order not in header:
        raise ConfigError(f"no column '{order}' for the order (the table has: {', '.join(header)})")
    return Columns(
        picked["call"] or "",
        picked["text"] or "",
        picked["agent"],
        picked["speaker"],
        picked["start"],
        picked["end"],
        order,
    )


def _text_as_written(spark: Any, utterances: Any, text: str, input_path: str) -> Any:
    """The JSON input read again with its text column as a variant: Spark's JSON reader makes a string of
    whatever a string column holds (a number, an object) and a ``?`` of a lone surrogate, where the CLI
    reports the first as a bad record and checks the second as U+FFFD; as a variant, each row keeps the type it
    was written with, and frame.prepare sets aside all but a string (see ``_variant_text``)."""
    from pyspark.sql import types as T

    fields = [
        T.StructField(f.name, T.VariantType(), True) if f.name == text else f
        for f in utterances.schema.fields
    ]
    return spark.read.schema(T.StructType(fields)).json(input_path)


def _check_free(spark: Any, output: str) -> None:
    """Fail before any work if a table would be written over one that exists."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    for name in TABLES:
        path = jvm.org.apache.hadoop.fs.Path(f"{output.rstrip('/')}/{name}")
        if path.getFileSystem(conf).exists(path):
            raise ConfigError(f"'{name}' exists already (use --overwrite to replace it)", output)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
