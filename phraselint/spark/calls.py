"""The executor's side: the utterances of one call, as an Arrow table, checked whole and scored.

```
Arrow rows of one call ─decode, order, bad rows aside→ turns ─check/whole.analyse_turns→ transcript
transcript ─check/scoring (score, conversation_figures)→ the call's figures ; findings ─output.as_dict→ rows
```

No pyspark here: :func:`check_batches` takes the Arrow record batches of a partition whose rows are clustered
by call (what ``mapInArrow`` hands a task once the driver has sorted it) and yields one row per call;
:func:`check_call` does the same for the rows of one call as a ``pyarrow.Table``. The linter, the conversation
rules and the scoring sheet are built once per process by :func:`tools`, the one module-level cache.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..check.conversation import ConversationRules
from ..check.files import Reading, Roles
from ..check.scoring import ScoringSheet, conversation_figures, kind, load_scoring, score
from ..check.whole import Transcript, analyse_turns
from ..command_line import conversation_rules_of, script_of, worker
from ..data.settings import Settings, override
from ..engine.linter import Linter
from ..output.render import as_dict
from ..read.transcript import Turn

# The columns the driver hands each group (renamed from the user's; see frame.py).
CALL, AGENT, SPEAKER, START, END, TEXT, ORDER, ROW, PROBLEM = (
    "call_id",
    "agent_id",
    "speaker",
    "start",
    "end",
    "text",
    "_order",
    "_row",
    "_problem",
)
# Whether START and END are seconds since the epoch of a date-time (else seconds as given).
START_CLOCK, END_CLOCK = "_start_clock", "_end_clock"
INPUT_COLUMNS = (CALL, AGENT, SPEAKER, START, END, TEXT, ORDER, ROW, PROBLEM, START_CLOCK, END_CLOCK)
PREVIEW = 40  # characters of a bad row's text shown in the errors table


@dataclass(frozen=True)
class Job:
    """What every executor needs to check calls, shipped from the driver: the settings (rules, select, ignore,
    staff, script, slots), the conversation rules and scoring sheet files over the built-in ones, and the
    longest utterance checked."""

    settings: Settings
    conversation_rules: str | None = None
    scoring: str | None = None
    max_chars: int = 20_000


@dataclass(frozen=True)
class Tools:
    linter: Linter
    roles: Roles
    rules: ConversationRules
    sheet: ScoringSheet
    reading: Reading  # the script of the rewrites
    slots: dict[str, str]


@functools.lru_cache(maxsize=1)
def tools(job: Job) -> Tools:
    """The linter (the catalogue compiled), roles, conversation rules and scoring sheet, as ``phraselint
    report`` builds them: once per process, on the first call of the first task, and reused by every later
    batch and task of the process."""
    settings = job.settings
    if job.conversation_rules:  # its rule ids are known to --select/--ignore
        settings = override(settings, conversation_rules=job.conversation_rules)
    linter, roles = worker(settings)
    rules = conversation_rules_of(settings)
    known = {r.id for r in linter.catalogue.rules} | set(rules.ids)
    sheet = load_scoring(
        job.scoring or settings.scoring, rule_ids=known, categories=linter.catalogue.vocabulary.categories
    )
    return Tools(linter, roles, rules, sheet, Reading(script=script_of(settings)), dict(settings.slots))


# --- the output's shape -------------------------------------------------------------------------------

_SOURCE = pa.struct([("code", pa.string()), ("clause", pa.string())])
_RULE_REASON = pa.struct([("rule", pa.string()), ("reason", pa.string())])

FINDING = pa.struct(
    [
        ("call_id", pa.string()),
        ("agent_id", pa.string()),
        ("turn", pa.int32()),  # 1-based place of the utterance in its call
        ("kind", pa.string()),  # phrase | conversation
        ("rule", pa.string()),
        ("severity", pa.string()),
        ("situation", pa.string()),
        ("category", pa.string()),
        ("message", pa.string()),
        ("speaker", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
        ("time", pa.float64()),
        ("time_end", pa.float64()),
        ("utterance", pa.string()),  # the utterance, or for a long one a window around the span
        ("utterance_start", pa.int32()),  # where that window starts in the utterance
        ("suggestions", pa.list_(pa.string())),
        ("fix", pa.string()),
        ("rewrite", pa.string()),
        ("sources", pa.list_(_SOURCE)),
        ("script", pa.string()),
    ]
)
ERROR = pa.struct(
    [
        ("call_id", pa.string()),
        ("agent_id", pa.string()),
        ("row", pa.int64()),  # the row's id in the input (Spark's monotonically increasing id)
        ("time", pa.float64()),
        ("error", pa.string()),
        ("preview", pa.string()),  # the start of the text, where there is one
    ]
)
SCORE_FIELDS = [
    ("call_id", pa.string()),
    ("agent_ids", pa.list_(pa.string())),
    ("channel", pa.string()),
    ("turns", pa.int64()),
    ("staff", pa.list_(pa.string())),
    ("score", pa.float64()),
    ("passed", pa.bool_()),
    ("critical", pa.list_(pa.string())),
    ("deductions", pa.list_(pa.struct([("rule", pa.string()), ("points", pa.float64())]))),
    ("violations", pa.int64()),
    ("by_severity", pa.struct([("error", pa.int64()), ("warning", pa.int64()), ("info", pa.int64())])),
    ("forbidden", pa.int64()),
    ("conversation", pa.int64()),
    (
        "compliance",
        pa.struct([("greeting", pa.bool_()), ("farewell", pa.bool_()), ("no_forbidden", pa.bool_())]),
    ),
    ("skipped", pa.list_(_RULE_REASON)),
    ("bad_rows", pa.int64()),
]
# One row per call: its figures (null where no utterance of it could be checked), its findings, its bad rows.
CALL_SCHEMA = pa.schema([*SCORE_FIELDS, ("findings", pa.list_(FINDING)), ("errors", pa.list_(ERROR))])
SCORE_COLUMNS = [name for name, _ in SCORE_FIELDS]


# --- one call -------------------------------------------------------------------------------------------


def check_call(table: pa.Table, job: Job) -> pa.Table:
    """All the rows of one call (any order) → one row of CALL_SCHEMA. Never raises for a bad row: a null,
    non-string, undecodable or oversized text is set aside in ``errors`` with the reason."""
    return pa.Table.from_pylist([call_row(table.to_pydict(), job)], schema=CALL_SCHEMA)


def check_batches(batches: Iterable[pa.RecordBatch], job: Job) -> Iterator[pa.RecordBatch]:
    """The record batches of a partition whose rows are clustered by call (all the rows of a call one after
    the other, in any order among themselves; a call may run over from one batch into the next) → one row of
    CALL_SCHEMA per call, a batch out for each batch in that completes a call. The rows of a batch are turned
    into Python values once, column by column, and the calls it completes into one Arrow batch: nothing is
    paid per call but the checking. Raises ValueError if a call's rows are not together (the driver's sort
    guarantees they are)."""
    pending: dict[str, list[Any]] | None = None  # the rows of the call seen last, perhaps not all of them
    done: set[Any] = set()  # the calls checked in this partition
    for batch in batches:
        columns = {name: batch.column(name).to_pylist() for name in INPUT_COLUMNS}
        calls = columns[CALL]
        rows: list[dict[str, Any]] = []
        start = 0
        for end in [*(i for i in range(1, len(calls)) if calls[i] != calls[i - 1]), len(calls)]:
            if start == end:
                continue
            run = {name: values[start:end] for name, values in columns.items()}
            start = end
            if pending is not None and pending[CALL][0] == run[CALL][0]:
                for name, values in run.items():
                    pending[name].extend(values)
                continue
            if pending is not None:
                rows.append(_checked(pending, done, job))
            pending = run
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=CALL_SCHEMA)
    if pending is not None:
        yield pa.RecordBatch.from_pylist([_checked(pending, done, job)], schema=CALL_SCHEMA)


def _checked(columns: dict[str, list[Any]], done: set[Any], job: Job) -> dict[str, Any]:
    call_id = columns[CALL][0]
    if call_id in done:
        raise ValueError(f"the rows of call {call_id!r} are not together in their partition")
    done.add(call_id)
    return call_row(columns, job)


def call_row(columns: Mapping[str, Sequence[Any]], job: Job) -> dict[str, Any]:
    t = tools(job)
    rows = sorted(range(len(columns[ROW])), key=lambda i: _order_key(columns[ORDER][i], columns[ROW][i]))
    call_id = columns[CALL][rows[0]] if rows else None
    agents = list(dict.fromkeys(a for a in columns[AGENT] if a is not None))
    starts = [_seconds(columns[START][i]) for i in rows]
    first = next((s for i, s in zip(rows, starts) if columns[START_CLOCK][i] and s is not None), None)

    def seconds(i: int, column: str, clock: str) -> float | None:
        """A time as ``phraselint report`` reads an export's: a date-time as seconds from the call's first."""
        value = _seconds(columns[column][i])
        if value is None or not columns[clock][i]:
            return value
        return value - first if first is not None else 0.0

    errors: list[dict[str, Any]] = []
    turns: list[Turn] = []
    turn_agents: list[str | None] = []
    for i in rows:
        text, error = _text(columns[TEXT][i], columns[PROBLEM][i], job.max_chars)
        if call_id is None:
            error = "no call id: the utterance belongs to no call and is not checked"
        if error:
            errors.append(
                {
                    "call_id": call_id,
                    "agent_id": columns[AGENT][i],
                    "row": columns[ROW][i],
                    "time": seconds(i, START, START_CLOCK),
                    "error": error,
                    "preview": text[:PREVIEW] if text is not None else None,
                }
            )
        if text is None or call_id is None:
            continue
        text = text.strip()  # as the CLI reads a transcript's or an export's utterance
        if not text:
            continue  # an empty utterance is no turn
        n = len(turns)
        speaker = (columns[SPEAKER][i] or "").strip() or None
        turns.append(
            Turn(
                text,
                ((0, n + 1, 1),),  # "line" n + 1: the utterance's place in the call
                speaker,
                seconds(i, START, START_CLOCK),
                seconds(i, END, END_CLOCK),
                n,
            )
        )
        turn_agents.append(columns[AGENT][i])
    out: dict[str, Any] = dict.fromkeys(SCORE_COLUMNS)
    out.update(call_id=call_id, agent_ids=agents, bad_rows=len(errors), findings=[], errors=errors)
    if call_id is None or not turns:
        return out
    whole = analyse_turns(tuple(turns), call_id, t.linter, t.roles, t.rules, t.reading, slots=t.slots)
    out.update(conversation_figures(whole, score(whole.counted, t.sheet), t.rules))
    out["findings"] = [_finding_row(f, whole, call_id, turn_agents) for f in whole.findings]
    return out


def _finding_row(
    f: Any, whole: Transcript, call_id: str, turn_agents: Sequence[str | None]
) -> dict[str, Any]:
    data = as_dict(f)
    for key in ("path", "line", "column", "end_line", "end_column"):
        del data[key]
    return {
        **data,
        "call_id": call_id,
        "agent_id": turn_agents[f.turn.index],
        "turn": f.turn.index + 1,
        "kind": kind(f, whole),
    }


def _order_key(order: Any, row: int) -> tuple[bool, Any, int]:
    missing = order is None or (isinstance(order, float) and math.isnan(order))
    return (missing, 0 if missing else order, row)


def _seconds(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def _text(raw: bytes | None, problem: str | None, max_chars: int) -> tuple[str | None, str | None]:
    """The text of a row (None: not checked) and what was wrong with it (None: nothing). Texts come as
    bytes: a string column may hold bytes that are not UTF-8 (a lone surrogate written by a JVM, a broken
    ASR export), which must not fail the batch."""
    if problem:
        return None, problem
    if raw is None:
        return None, "the text is null"
    if len(raw) > 4 * max_chars:  # more than max_chars characters, whatever they are: not even decoded
        return None, f"the utterance is longer than {max_chars} characters ({len(raw)} bytes); not checked"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        what = "a lone surrogate" if raw[exc.start : exc.start + 1] == b"\xed" else "bytes that are not UTF-8"
        return text, f"the text has {what} at byte {exc.start}; replaced by U+FFFD and checked"
    if len(text) > max_chars:
        return None, f"the utterance is longer than {max_chars} characters ({len(text)}); not checked"
    return text, None
