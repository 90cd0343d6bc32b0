"""Exports of many calls (质检导出): one table, one row per utterance, a call id and an agent id (工号) per row.

```
file ─rows (CSV/TSV with the delimiter sniffed, xlsx, a JSON array of objects)→ header + rows
rows ─columns by name (rules/fields.yml, or the caller's own)→ calls: id, agent, agent name, team, date, turns
```

A call-centre or service-hall system exports every call of a month in one file; :func:`read_calls` gives one
:class:`Call` per call id, in the order each first appears, with its turns as the other readers make them.
A table without a call column is one call (named after the file); without an agent column, the agent is left
to the caller (the staff speaker's name). Times are seconds from the call's first time; the call's date is
that first date-time, else the date column's.

Rows are grouped in memory (a call's rows need not be adjacent). Each turn has one anchor: the line of its
row in a CSV file, the row number of a worksheet, the item number of a JSON array.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import InputError
from .decode import display_name, open_text
from .formats import FieldNames, field_names
from .transcript import Turn

TABLE_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".json": "json"}
DELIMITERS = (",", "\t", ";", "|")
FIELDS = ("call", "agent", "agent_name", "team", "text", "speaker", "start", "end", "date")


@dataclass(frozen=True)
class Call:
    """One call of an export: who took it, when, and what was said."""

    path: str
    id: str
    turns: tuple[Turn, ...]
    agent: str | None = None
    agent_name: str | None = None
    team: str | None = None
    date: datetime | None = None
    line: int = 1


class Row(NamedTuple):
    line: int
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: Iterator[Row]
    header_line: int = 1
    kind: str = "csv"
    extra: dict[str, Any] = field(default_factory=dict)


def table_kind(path: str) -> str | None:
    """``csv``, ``xlsx`` or ``json`` when ``path`` may be a table of calls, by its extension."""
    return TABLE_EXTENSIONS.get(Path(path).suffix.lower())


def is_export(path: str, encoding: str | None = None, fields: FieldNames | None = None) -> bool:
    """Whether ``path`` is read as a table of calls: an xlsx workbook or a JSON array always; a CSV/TSV file
    when its header names a call or an agent column, or its delimiter is one the transcript reader does not
    take (``;``, ``|``)."""
    kind = table_kind(path)
    if kind in ("xlsx", "json"):
        return kind == "xlsx" or _json_array(path, encoding)
    if kind != "csv":
        return False
    header, delimiter = _csv_header(path, encoding)
    if header is None:
        return False
    names = fields or field_names()
    folded = [h.strip().lstrip("\ufeff").lower() for h in header]
    return delimiter in (";", "|") or any(a in folded for a in (*names.call, *names.agent))


def _json_array(path: str, encoding: str | None) -> bool:
    with open_text(path, encoding=encoding) as (_, lines):
        for line in lines:
            if line.strip():
                return line.lstrip("\ufeff").lstrip().startswith("[")
    return False


def _csv_header(path: str, encoding: str | None) -> tuple[list[str] | None, str]:
    with open_text(path, encoding=encoding) as (_, lines):
        first = next((line for line in lines if line.strip()), None)
    if first is None:
        return None, ","
    delimiter = sniff_delimiter(first)
    return next(csv.reader([first], delimiter=delimiter)), delimiter


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: the candidate that occurs most outside quotes (a comma on a tie)."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- rows ---------------------------------------------------------------------------------------------


def read_table(path: str, encoding: str | None = None) -> Table:
    kind = table_kind(path) or "csv"
    if kind == "xlsx":
        return _xlsx_table(path)
    if kind == "json":
        return _json_table(path, encoding)
    return _csv_table(path, encoding)


def _csv_table(path: str, encoding: str | None) -> Table:
    def rows() -> Iterator[Row]:
        with open_text(path, encoding=encoding) as (_, lines):
            numbered = ((n, line) for n, line in enumerate(lines, 1))
            first = next(((n, line) for n, line in numbered if line.strip()), None)
            if first is None:
                return
            delimiter = sniff_delimiter(first[1])
            offset = first[0] - 1
            feed = (line + "\n" for _, line in _chain(first, numbered))
            reader = csv.reader(feed, delimiter=delimiter, strict=True)
            last = 0
            try:
                for record in reader:
                    start = offset + last + 1
                    last = reader.line_num
                    if any(v.strip() for v in record):
                        yield Row(start, tuple(record))
            except csv.Error as exc:
                raise InputError(
                    f"not a readable CSV record: {exc}", path, offset + reader.line_num
                ) from None

    it = rows()
    first = next(it, None)
    if first is None:
        raise InputError("empty table: no header row", path, 1)
    return Table(tuple(str(v) for v in first.values), it, first.line, "csv")


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _xlsx_table(path: str) -> Table:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"not a readable xlsx workbook ({exc})", path, None) from None
    sheet = book.worksheets[0]
    raw = sheet.iter_rows(values_only=True)

    def rows() -> Iterator[Row]:
        try:
            for n, values in enumerate(raw, 1):
                if any(v is not None and str(v).strip() for v in values):
                    yield Row(n, tuple(values))
        finally:
            book.close()

    it = rows()
    first = next(it, None)
    if first is None:
        book.close()
        raise InputError("empty worksheet: no header row", path, 1)
    return Table(tuple("" if v is None else str(v) for v in first.values), it, first.line, "xlsx")


def _json_table(path: str, encoding: str | None) -> Table:
    with open_text(path, encoding=encoding) as (_, lines):
        text = "\n".join(lines)
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path, exc.lineno) from None
    if not isinstance(data, list):
        raise InputError("a JSON table must be an array of objects, one per utterance", path, 1)
    header: dict[str, None] = {}
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise InputError(f"item {n} of the array is not an object", path, n)
        header.update(dict.fromkeys(item))
    names = tuple(header)
    rows = (Row(n, tuple(item.get(k) for k in names)) for n, item in enumerate(data, 1))
    return Table(names, rows, 0, "json")


# --- columns ------------------------------------------------------------------------------------------


def columns_of(
    header: Sequence[str], fields: FieldNames, overrides: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Which column holds each field (absent: none), by the first alias present; each column serves one
    field. ``overrides`` names a column for a field outright (``--column agent=员工号``)."""
    folded = [h.strip().lstrip("\ufeff").lower() for h in header]
    taken: set[int] = set()
    out: dict[str, int] = {}
    for name, column in (overrides or {}).items():
        if column.lower() not in folded:
            raise KeyError(f"no column '{column}' for {name} in the header ({', '.join(header)})")
        out[name] = folded.index(column.lower())
        taken.add(out[name])
    for name in FIELDS:
        if name in out:
            continue
        for alias in getattr(fields, name):
            i = next((i for i, h in enumerate(folded) if h == alias.lower() and i not in taken), -1)
            if i >= 0:
                out[name] = i
                taken.add(i)
                break
    return out


def read_calls(
    path: str,
    encoding: str | None = None,
    fields: FieldNames | None = None,
    overrides: Mapping[str, str] | None = None,
) -> list[Call]:
    """Every call of an export, in the order each first appears. Raises InputError naming the file and the
    line (row, item) of the first problem."""
    fields = fields or field_names()
    table = read_table(path, encoding)
    try:
        columns = columns_of(table.header, fields, overrides)
    except KeyError as exc:
        raise InputError(str(exc.args[0]), path, table.header_line or 1) from None
    if "text" not in columns:
        raise InputError(
            f"no text column in the header ({', '.join(table.header)}): name it one of {', '.join(fields.text)}",
            path,
            table.header_line or 1,
        )
    name = display_name(path)
    grouped: dict[str, list[Row]] = {}  # rows as read: no per-row mapping, an export may hold millions
    call_column = columns.get("call")
    for row in table.rows:
        key = _text(_cell(row, call_column)) if call_column is not None else name
        if not key:
            raise InputError("a row without a call id", path, row.line)
        grouped.setdefault(key, []).append(row)
    return [_call(path, key, rows, table, columns) for key, rows in grouped.items()]


def _cell(row: Row, index: int | None) -> Any:
    return row.values[index] if index is not None and index < len(row.values) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_PART = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(.*))?$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}(?:[.,]\d+)?))?(?:Z|[+-]\d{2}:?\d{2})?$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:[.,]\d+)?)$")


def moment(value: Any) -> datetime | float | None:
    """A cell's time: a date-time (a date alone at midnight), or seconds (a clock time ``01:02:03`` or a
    number); None for an empty cell. Raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 19 and text[4] == "-" and text[10] in " T":  # the common case, at C speed
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    found = _DATE_PART.match(text)
    if found:
        y, m, d, rest = found.groups()
        base = datetime(int(y), int(m), int(d))
        if not rest:
            return base
        day_time = _TIME_OF_DAY.match(rest.strip())
        if not day_time:
            raise ValueError(text)
        h, m, s = day_time.groups()
        return base + timedelta(hours=int(h), minutes=int(m), seconds=float((s or "0").replace(",", ".")))
    clock_match = _CLOCK.match(text)
    if clock_match:
        h, m, s = clock_match.groups()
        return int(h or 0) * 3600 + int(m) * 60 + float(s.replace(",", "."))
    return float(text)


def _call(path: str, key: str, rows: list[Row], table: Table, columns: Mapping[str, int]) -> Call:
    header = table.header

    def get(row: Row, what: str) -> Any:
        return _cell(row, columns.get(what))

    def when(row: Row, what: str) -> datetime | float | None:
        try:
            return moment(get(row, what))
        except ValueError:
            column = header[columns[what]]
            raise InputError(
                f"not a time in the column '{column}': {get(row, what)!r}", path, row.line
            ) from None

    starts = [when(r, "start") for r in rows]
    ends = [when(r, "end") for r in rows]
    first = next((s for s in starts if isinstance(s, datetime)), None)

    def seconds(value: datetime | float | None) -> float | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return (value - first).total_seconds() if first else 0.0
        return value

    turns: list[Turn] = []
    used = set(columns.values())
    for row, start, end in zip(rows, starts, ends):
        text = _text(get(row, "text"))
        if not text:
            continue
        extra = tuple(
            (header[i], _text(v))
            for i, v in enumerate(row.values)
            if i < len(header) and i not in used and _text(v) and header[i]
        )
        column = columns["text"] + 1
        turns.append(
            Turn(
                text,
                ((0, row.line, column if table.kind != "json" else 1),),
                _text(get(row, "speaker")) or None,
                seconds(start),
                seconds(end),
                len(turns),
                extra,
            )
        )
    day = first
    if day is None and "date" in columns:
        found = next((get(r, "date") for r in rows if get(r, "date") not in (None, "")), None)
        try:
            parsed = moment(found)
        except ValueError:
            raise InputError(
                f"not a date in the column '{header[columns['date']]}': {found!r}", path, rows[0].line
            ) from None
        day = parsed if isinstance(parsed, datetime) else None
    return Call(
        path=display_name(path),
        id=key,
        turns=tuple(turns),
        agent=_first(rows, columns.get("agent")),
        agent_name=_first(rows, columns.get("agent_name")),
        team=_first(rows, columns.get("team")),
        date=day,
        line=rows[0].line,
    )


def _first(rows: Sequence[Row], index: int | None) -> str | None:
    if index is None:
        return None
    return next((_text(_cell(r, index)) for r in rows if _text(_cell(r, index))), None)


@dataclass(frozen=True)
class AgentMap:
    """Who took a transcript of a folder (``--agents FILE``): by the transcript's file name, else by its staff
    speaker's name. Each value is (agent id, agent name, team)."""

    by_file: Mapping[str, tuple[str | None, str | None, str | None]]
    by_speaker: Mapping[str, tuple[str | None, str | None, str | None]]

    def lookup(self, path: str, speakers: Sequence[str]) -> tuple[str | None, str | None, str | None] | None:
        name = Path(path).name
        if name in self.by_file or path in self.by_file:
            return self.by_file.get(name) or self.by_file[path]
        return next((self.by_speaker[s] for s in speakers if s in self.by_speaker), None)


def load_agent_map(path: str, encoding: str | None = None, fields: FieldNames | None = None) -> AgentMap:
    """A table (CSV/TSV, xlsx or JSON array) with a ``file`` or ``speaker`` column and the agent's columns
    (工号, 姓名, 班组 … as in rules/fields.yml). Raises InputError naming the file and the line."""
    fields = fields or field_names()
    table = read_table(path, encoding)
    folded = [h.strip().lstrip("\ufeff").lower() for h in table.header]
    columns = columns_of(table.header, fields)
    keys = {
        "file": next((i for i, h in enumerate(folded) if h in ("file", "path", "文件", "文件名")), -1),
        "speaker": columns.get("speaker", -1),
    }
    if keys["file"] < 0 and keys["speaker"] < 0:
        raise InputError("an agents file needs a 'file' or a 'speaker' column", path, table.header_line or 1)
    if not any(k in columns for k in ("agent", "agent_name")):
        raise InputError(
            "an agents file needs an agent id or name column (工号, 姓名)", path, table.header_line or 1
        )
    by_file: dict[str, tuple[str | None, str | None, str | None]] = {}
    by_speaker: dict[str, tuple[str | None, str | None, str | None]] = {}
    for row in table.rows:

        def cell(i: int, values: tuple[Any, ...] = row.values) -> str:
            return _text(values[i]) if 0 <= i < len(values) else ""

        agent = tuple(cell(columns.get(k, -1)) or None for k in ("agent", "agent_name", "team"))
        if cell(keys["file"]):
            by_file[cell(keys["file"])] = agent  # type: ignore[assignment]
        elif cell(keys["speaker"]):
            by_speaker[cell(keys["speaker"])] = agent  # type: ignore[assignment]
        else:
            raise InputError("a row names neither a file nor a speaker", path, row.line)
    return AgentMap(by_file, by_speaker)
