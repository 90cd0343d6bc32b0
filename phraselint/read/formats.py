"""Parsing the lines of a transcript into turns (话轮): plain, labelled, SRT, WebVTT, JSON Lines and CSV.

``parse(lines, fmt, name)`` is a generator: it reads one line (one record) at a time and yields each turn as
soon as it is complete, so a transcript of any size streams through. ``lines`` are decoded lines without line
breaks, as ``decode.open_text`` yields them; ``name`` is the file's path, for detecting the format from its
extension and for error messages.

Every turn's ``anchors`` are exact: ``lines[line - 1][column - 1] == turn.text[i]`` for ``(line, column) =
turn.locate(i)``, with three kinds of characters that stand for something longer in the file: a character
written as an escape (a JSON ``\\n``, ``\\"``, ``\\u4e0d`` or a WebVTT ``&amp;``) points at the escape's first
character; a doubled quote in a CSV field points at its first quote; a line break inside a subtitle cue or a
quoted CSV field points just past the end of its line. Leading and trailing whitespace of
every utterance is dropped, markup tags of subtitles are dropped, and a turn with no text is not a turn.

Times are seconds: a clock time ``01:02:03.5`` counts from zero, a number is taken as seconds, and a date with
a time (``2024-03-01 09:15:02``, ISO 8601) counts from the first date-time of the same file, so that times stay
ordered across midnight.
"""

from __future__ import annotations

import enum
import functools
import itertools
import json
import json.scanner
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Final, NamedTuple

from ..data.catalogue import builtin_rules_dir, key_line, read_yaml
from ..errors import CatalogueError, ConfigError, InputError
from .decode import display_name
from .transcript import Turn

FORMATS = ("auto", "plain", "labelled", "srt", "vtt", "jsonl", "csv")
SNIFF_LINES = 20


class FieldNames(NamedTuple):
    """The names of each field of a turn in JSON Lines and CSV, in order of preference (rules/fields.yml)."""

    text: tuple[str, ...]
    speaker: tuple[str, ...]
    start: tuple[str, ...]
    end: tuple[str, ...]
    # The columns of an export of many calls (read/calls.py); optional in the file.
    call: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()
    agent_name: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    date: tuple[str, ...] = ()


_OPTIONAL_FIELDS = frozenset({"call", "agent", "agent_name", "team", "date"})


@functools.lru_cache(maxsize=1)
def field_names() -> FieldNames:
    """The field names of rules/fields.yml. Raises CatalogueError, naming the file and line, for a bad file."""
    path = builtin_rules_dir() / "fields.yml"
    data = read_yaml(path)
    unknown = sorted(k for k in data if k not in {"__line__", "version", *FieldNames._fields})
    if unknown:
        known = ", ".join(FieldNames._fields)
        raise CatalogueError(
            f"unknown key '{unknown[0]}' (known: {known})", str(path), key_line(data, unknown[0])
        )
    names = []
    for key in FieldNames._fields:
        value = data.get(key)
        if value is None and key in _OPTIONAL_FIELDS:
            names.append(())
            continue
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(x, str) and x.strip() for x in value)
        ):
            raise CatalogueError(f"'{key}' must be a list of field names", str(path), key_line(data, key, 1))
        names.append(tuple(x.strip() for x in value))
    return FieldNames(*names)


_EXTENSIONS = MappingProxyType(
    {
        ".srt": "srt",
        ".vtt": "vtt",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".csv": "csv",
        ".tsv": "csv",
    }
)

_CLOCK = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_DATETIME = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,6})?"


def _bracketed_time(group: str) -> str:
    return rf"[\[(（【]?(?P<{group}>{_DATETIME}|{_CLOCK})(?!\d)[\])）】]?"


# ``坐席：``, ``Agent: ``, ``坐席 00:01:02: ``: a name of 1–12 word characters, spaces or ``-``, then a colon.
_NAME = rf"(?P<speaker>[\w\- ]{{1,12}}?)\s*(?:{_bracketed_time('late_time')}\s*)?[:：]\s*"
_SPEAKER = re.compile(rf"\s*{_NAME}")
# A labelled line: a time maybe (``[00:01:02]``, ``(00:01:02)``, ``2024-03-01 09:15:02`` …), a name maybe.
_LABEL = re.compile(rf"\s*(?:{_bracketed_time('time')}\s*)?(?P<label>{_NAME})?")
# The commonest label, ``[13:55:33] 工作人员:``: a bracketed HH:MM:SS, then a name of letters alone (no digit,
# space, ``_`` or ``-``) right before its colon. Where it matches, ``_LABEL`` matches the same way, with the same
# speaker, time, label and end, and no late time: its time group takes the bracket and the clock, and its lazy
# name grows to the colon (a letter neither begins a time nor is a colon). The fast test of a file's lines
# (``line_utterances``) tries it first: it costs half as much as ``_LABEL`` a line (tests/test_formats.py).
_PLAIN_LABEL = re.compile(r"\[(?P<time>\d\d:\d\d:\d\d)\]\s*(?P<label>(?P<speaker>[^\W\d_]{1,12})[:：]\s*)")
# …and the commonest name of a cue's line, as _SPEAKER matches it where this does (工作人员:): letters alone right
# before the colon, which _SPEAKER's lazy name grows to (the text of a cue is stripped: no space before it)
_PLAIN_SPEAKER = re.compile(r"(?P<speaker>[^\W\d_]{1,12})[:：]\s*")
_TIMING = re.compile(rf"\s*(?P<start>{_CLOCK})\s*-->\s*(?P<end>{_CLOCK})(?:\s.*)?$")
# What is meant as a timing line, readable or not: a first word with a digit in it, then an arrow.
_TIMING_LIKE = re.compile(r"\s*[^\s<>]*\d[^\s<>]*\s*-->")
_CLOCK_VALUE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)")
_DATETIME_VALUE = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
# Subtitle markup: tags (<i>, </b>, <font …>, <v 名字>, <c.x>, <00:01.000>, ASS {\an8}) and WebVTT entities.
_MARKUP = re.compile(
    r"(?P<tag></?(?:[ibuc]|v|font|lang|ruby|rt|span)\b[^<>]*>|<\d+:\d{2}(?::\d{2})?[.,]\d+>|\{\\[^{}]*\})"
    r"|(?P<entity>&(?:amp|lt|gt|nbsp|lrm|rlm|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)",
    re.IGNORECASE,
)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+(?P<speaker>[^>]+)>", re.IGNORECASE)
_VTT_META = re.compile(r"(?:WEBVTT|NOTE|STYLE|REGION)(?:\s|$)")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_STRING_END = re.compile(r'["\\]')
_JSON_ESCAPES = MappingProxyType(
    {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
)

# A piece of an utterance: (text, line, column). A piece longer than one character stands at consecutive
# columns; a one-character piece may stand for an escape that begins at its column.
Piece = tuple[str, int, int]
Numbered = Iterator[tuple[int, str]]
# Where a parser puts the records it cannot read, to go on with the rest; None: raise the first.
Problems = list[InputError] | None


def _report(problems: Problems, error: InputError) -> None:
    """Note a record that cannot be read (the parser then skips it), or raise it when nobody collects them."""
    if problems is None:
        raise error
    problems.append(error)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _sound(text: str) -> str:
    """``text`` with each lone surrogate (a JSON ``\\ud800`` without its pair: no character) as U+FFFD, one
    character for one, so that every offset stays valid and the text can be written in any encoding."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


class _Utterance(NamedTuple):
    """A turn before ``parse`` numbers it."""

    text: str
    anchors: tuple[tuple[int, int, int], ...]
    speaker: str | None
    start: float | None
    end: float | None
    extra: tuple[tuple[str, str], ...]


LINE_FORMATS = frozenset({"plain", "labelled"})  # formats whose every turn is one line
# Formats whose records can be read from any record boundary on, given the clock of the lines before (a part of
# a large file, read on its own: check/parts.py). Not CSV: its header names the columns of every later record,
# and a quoted field may hold line breaks, so that no line boundary is known to be a record's without reading
# from the start.
PART_FORMATS = frozenset({*LINE_FORMATS, "jsonl", "srt", "vtt"})


def parse_numbered(
    numbered: Iterable[tuple[int, str]],
    fmt: str,
    name: str = "",
    problems: Problems = None,
    clock: Clock | None = None,
) -> Iterator[Turn]:
    """The turns of some lines of a transcript, each given with its line number. In a line format
    (``LINE_FORMATS``) a caller that knows a line cannot matter skips it without parsing it; in the other
    formats of ``PART_FORMATS`` the lines run on from a record boundary (the file's start, or a blank line
    between subtitle cues). Date-times count from the first date-time among the lines given, or from that of
    ``clock`` (which then reads the date-times of a part of a file as the whole file's clock would).
    ``Turn.index`` counts the turns made here."""
    if fmt not in PART_FORMATS:
        raise ConfigError(f"parse_numbered reads {', '.join(sorted(PART_FORMATS))}, not {fmt!r}")
    yield from _turns(iter(numbered), fmt, name, problems, clock)


def parse(
    lines: Iterable[str], fmt: str = "auto", name: str = "", problems: Problems = None
) -> Iterator[Turn]:
    """The turns of a transcript, one by one; ``fmt`` is one of ``FORMATS``.

    A record the format cannot read (a line of invalid JSON, a cue whose timing cannot be read, a time that is
    no time) raises ``InputError`` (with ``name`` and the line); given a ``problems`` list, it is added there
    instead, skipped, and the rest is read. ``ConfigError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown input format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "auto":
        head, rest = _peek(lines, SNIFF_LINES)
        fmt = detect_format(name, head)
        lines = itertools.chain(head, rest)
    yield from _turns(enumerate(lines, 1), fmt, name, problems)


def _turns(
    numbered: Numbered, fmt: str, name: str, problems: Problems = None, clock: Clock | None = None
) -> Iterator[Turn]:
    """The numbered turns of the parser of ``fmt`` (a known format, not ``auto``)."""
    path = display_name(name) if name else None
    clock = clock or Clock()
    if fmt == "labelled":  # the hot path makes numbered Turns itself
        yield from _parse_labelled(numbered, path, problems, clock)
        return
    parsed = _PARSERS[fmt](numbered, path, problems, clock)
    for index, (text, anchors, speaker, start, end, extra) in enumerate(parsed):
        yield Turn(text, anchors, speaker, start, end, index, extra)


def detect_format(name: str, first_lines: Sequence[str]) -> str:
    """The format of a transcript from its file name, else from its first lines (about ``SNIFF_LINES``)."""
    by_extension = _EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if by_extension:
        return by_extension
    lines = [line for line in first_lines if line.strip()][:SNIFF_LINES]
    if not lines:
        return "plain"
    if lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    if _looks_like_srt(lines):
        return "srt"
    if 2 * sum(_is_json_object(line) for line in lines) > len(lines):
        return "jsonl"
    if _looks_labelled(lines):
        return "labelled"
    return "plain"


def _peek(lines: Iterable[str], count: int) -> tuple[list[str], Iterator[str]]:
    """The first lines up to the ``count``-th non-blank one, and an iterator over the rest."""
    rest = iter(lines)
    head: list[str] = []
    seen = 0
    for line in rest:
        head.append(line)
        seen += bool(line.strip())
        if seen >= count:
            break
    return head, rest


def _looks_like_srt(lines: Sequence[str]) -> bool:
    if _TIMING.match(lines[0]):
        return True
    return any(a.strip().isdigit() and _TIMING.match(b) for a, b in itertools.pairwise(lines))


def _is_json_object(line: str) -> bool:
    if not line.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _looks_labelled(lines: Sequence[str]) -> bool:
    """Most lines start with a speaker, and some speaker speaks twice (or there are only one or two lines)."""
    speakers = [_label(line)[0] for line in lines]
    named = [speaker for speaker in speakers if speaker]
    if 5 * len(named) < 3 * len(lines):
        return False
    return len(named) <= 2 or len(set(named)) < len(named)


# --- building utterances from pieces ------------------------------------------------------------------


def _utterance(
    pieces: list[Piece],
    speaker: str | None = None,
    start: float | None = None,
    end: float | None = None,
    extra: tuple[tuple[str, str], ...] = (),
) -> _Utterance | None:
    """The utterance made of ``pieces`` without surrounding whitespace, or None if nothing is left."""
    pieces = _strip(pieces)
    if not pieces:
        return None
    text, anchors = _assemble(pieces)
    return _Utterance(text, anchors, speaker or None, start, end, extra)


def _strip(pieces: list[Piece]) -> list[Piece]:
    """``pieces`` without leading and trailing whitespace, columns moved to match."""
    first, last = 0, len(pieces)
    while first < last and not pieces[first][0].strip():
        first += 1
    while last > first and not pieces[last - 1][0].strip():
        last -= 1
    kept = pieces[first:last]
    if kept:
        text, line, column = kept[0]
        lead = len(text) - len(text.lstrip())
        kept[0] = (text[lead:], line, column + lead)
        text, line, column = kept[-1]
        kept[-1] = (text.rstrip(), line, column)
    return kept


def _assemble(pieces: Iterable[Piece]) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """The text of ``pieces`` and its anchors: a new anchor wherever a piece does not follow on from the last."""
    parts: list[str] = []
    anchors: list[tuple[int, int, int]] = []
    offset = 0
    follows = (0, 0)
    for text, line, column in pieces:
        if not text:
            continue
        if (line, column) != follows:
            anchors.append((offset, line, column))
        parts.append(text)
        offset += len(text)
        follows = (line, column + len(text))
    return "".join(parts), tuple(anchors)


def _drop_prefix(pieces: list[Piece], count: int) -> list[Piece]:
    """``pieces`` without their first ``count`` characters."""
    kept = list(pieces)
    while kept and count:
        text, line, column = kept[0]
        if len(text) > count:
            kept[0] = (text[count:], line, column + count)
            break
        count -= len(text)
        kept.pop(0)
    return kept


def _speaker_name(match: re.Match[str] | None) -> str | None:
    """The speaker of a ``_SPEAKER`` match, unless it is no name at all (digits, as in ``10:30``)."""
    if match is None or match.group("speaker") is None:
        return None
    speaker = match.group("speaker").strip()
    return speaker if speaker and not speaker.replace(" ", "").isdigit() else None


# --- times --------------------------------------------------------------------------------------------


class Clock:
    """Reads times as seconds; date-times count from the first one the clock has read (one clock per file).

    ``before``, for a clock that reads a part of a file: asked once, when the part's first date-time is read,
    for the first date-time of the lines before the part (None if they have none), so that the part's times
    count from the whole file's first date-time.
    """

    def __init__(self, before: Callable[[], datetime | None] | None = None) -> None:
        self._epoch: datetime | None = None
        self._before = before

    @property
    def epoch(self) -> datetime | None:
        """The date-time the clock counts from, once it has read one."""
        return self._epoch

    def seconds(self, value: str | float) -> float:
        """Seconds for a number, ``HH:MM:SS.mmm``/``MM:SS`` or a date-time; ValueError for anything else."""
        if not isinstance(value, str):
            if isinstance(value, bool):
                raise ValueError(value)
            return self._finite(float(value))
        text = value.strip()
        clock = _CLOCK_VALUE.fullmatch(text)
        if clock:
            hours, minutes, seconds = clock.groups()
            return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", "."))
        moment = _DATETIME_VALUE.fullmatch(text)
        if moment:
            return self._since_epoch(_datetime(moment))
        return self._finite(float(text))

    def _since_epoch(self, moment: datetime) -> float:
        if self._epoch is None:
            before, self._before = self._before, None
            self._epoch = (before() if before else None) or moment
        return (moment - self._epoch).total_seconds()

    @staticmethod
    def _finite(seconds: float) -> float:
        if not math.isfinite(seconds):
            raise ValueError(seconds)
        return seconds


def _datetime(match: re.Match[str]) -> datetime:
    """A naive date-time from a ``_DATETIME_VALUE`` match; one with a zone is converted to UTC."""
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    if not zone:
        return moment
    if zone == "Z":
        offset = timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.replace(tzinfo=timezone(offset)).astimezone(timezone.utc).replace(tzinfo=None)


def _time(clock: Clock, value: str | float, what: str, path: str | None, line: int) -> float:
    try:
        return clock.seconds(value)
    except (ValueError, OverflowError):
        raise InputError(
            f"cannot read the time {value!r} in {what}: use seconds, HH:MM:SS.mmm or a date and time "
            "like 2024-03-01 09:15:02",
            path,
            line,
        ) from None


# --- plain and labelled -------------------------------------------------------------------------------


def _parse_plain(
    numbered: Numbered, path: str | None, problems: Problems = None, clock: Clock | None = None
) -> Iterator[_Utterance]:
    """One utterance per non-blank line; nobody is named."""
    for lineno, line in numbered:
        utterance = _line_utterance(line, 0, lineno)
        if utterance:
            yield utterance


def _line_utterance(
    line: str, position: int, lineno: int, speaker: str | None = None, start: float | None = None
) -> _Utterance | None:
    """The utterance of ``line[position:]``: ``_utterance`` of one piece, without its generality (hot path)."""
    text = line[position:].strip()
    if not text:
        return None
    column = len(line) - len(line[position:].lstrip()) + 1
    return _Utterance(text, ((0, lineno, column),), speaker, start, None, ())


def _label(line: str) -> tuple[str | None, str | None, int]:
    """The speaker, the time and the index where the utterance begins, of one labelled line."""
    label = _LABEL.match(line)
    assert label is not None  # everything in the pattern is optional
    speaker = _speaker_name(label)
    if speaker is None:
        return None, label.group("time"), label.start("label") if label.group("label") else label.end()
    return speaker, label.group("time") or label.group("late_time"), label.end()


def _parse_labelled(
    numbered: Numbered, path: str | None, problems: Problems = None, clock: Clock | None = None
) -> Iterator[Turn]:
    """``[time] speaker: text`` per line; a line without a speaker is an utterance of nobody.

    The hot path of the commonest format, so ``_label``, ``_speaker_name``, ``_time`` and ``_line_utterance``
    are inlined here, and it yields numbered Turns itself: speaker names are cleaned once per distinct label,
    and a plain ``HH:MM:SS`` time is converted without a second regular expression.
    """
    clock = clock or Clock()
    match = _LABEL.match
    names: dict[str, str | None] = {}
    index = 0
    for lineno, line in numbered:
        label = match(line)
        assert label is not None  # everything in the pattern is optional
        raw, time, late_time, has_label = label.group("speaker", "time", "late_time", "label")
        if raw is None:
            speaker = None
        else:
            known = names.get(raw, _UNSEEN)
            if known is _UNSEEN:
                speaker = _speaker_name(label)
                if len(names) < 4096:
                    names[raw] = speaker
            else:
                speaker = known
        if speaker is None:
            position = label.start("label") if has_label else label.end()
        else:
            time = time or late_time
            position = label.end()
        if time is None:
            start = None
        elif len(time) == 8 and time[2] == ":" == time[5] and (time[:2] + time[3:5] + time[6:]).isdigit():
            start = float(int(time[:2]) * 3600 + int(time[3:5]) * 60 + int(time[6:]))
        else:
            try:
                start = _time(clock, time, "the line", path, lineno)
            except InputError as error:
                _report(problems, error)
                continue
        rest = line[position:]
        text = rest.strip()
        if text:
            column = position + len(rest) - len(rest.lstrip()) + 1
            yield Turn(text, ((0, lineno, column),), speaker, start, None, index)
            index += 1


class LineUtterance(NamedTuple):
    """What the parser of a line format makes of one line (``line_utterances``)."""

    text: str  # the text of its turn (empty: it makes none)
    speaker: str | None  # the turn's speaker
    plain: bool  # parsing it reads no time, or a plain HH:MM:SS one: it does nothing but make the turn


def line_utterances(lines: Sequence[str], fmt: str) -> list[LineUtterance]:
    """For each line of a line format (``LINE_FORMATS``): the text and speaker of the turn its parser makes of
    it, and whether parsing it does nothing but make that turn — no time, or a plain ``HH:MM:SS`` one —
    where a date-time sets the file's clock and a time that cannot be read is reported. What
    ``_parse_labelled`` (and ``_parse_plain``) do with a line, without the turn; kept in step by a test."""
    if fmt == "plain":
        return [LineUtterance(line.strip(), None, True) for line in lines]
    if fmt != "labelled":
        raise ConfigError(f"line_utterances reads {', '.join(sorted(LINE_FORMATS))}, not {fmt!r}")
    match = _LABEL.match
    plain_match = _PLAIN_LABEL.match
    # each made as NamedTuple's own constructor makes it, without the Python frame of its __new__ for each line
    new, kind = tuple.__new__, LineUtterance
    names: dict[str, str | None] = {}
    out: list[LineUtterance] = []
    for line in lines:
        label = plain_match(line)
        if label is not None:  # (as _LABEL would match it: see _PLAIN_LABEL)
            # (its time is HH:MM:SS in decimal digits, a plain one; it has a label and a name, which may clean
            # to none: ² is a letter to the expression and a digit to _speaker_name)
            raw = label.group("speaker")
            known = names.get(raw, _UNSEEN)
            speaker = names[raw] = _speaker_name(label) if known is _UNSEEN else known
            position = label.end() if speaker is not None else label.start("label")
            out.append(new(kind, (line[position:].strip(), speaker, True)))
            continue
        label = match(line)
        assert label is not None  # everything in the pattern is optional
        raw, time, late_time, has_label = label.group("speaker", "time", "late_time", "label")
        if raw is None:
            speaker = None
        else:
            known = names.get(raw, _UNSEEN)
            speaker = names[raw] = _speaker_name(label) if known is _UNSEEN else known
        if speaker is None:
            position = label.start("label") if has_label else label.end()
        else:
            time = time or late_time
            position = label.end()
        plain = time is None or (
            len(time) == 8 and time[2] == ":" == time[5] and (time[:2] + time[3:5] + time[6:]).isdigit()
        )
        out.append(new(kind, (line[position:].strip(), speaker, plain)))
    return out


class _Unseen(enum.Enum):
    """The speaker label not cleaned yet (None is a cleaned label that names nobody)."""

    UNSEEN = enum.auto()


_UNSEEN: Final = _Unseen.UNSEEN


# --- SRT and WebVTT -----------------------------------------------------------------------------------


def _parse_srt(
    numbered: Numbered, path: str | None, problems: Problems = None, clock: Clock | None = None
) -> Iterator[_Utterance]:
    return _parse_cues(numbered, path, problems, clock or Clock(), vtt=False)


def _parse_vtt(
    numbered: Numbered, path: str | None, problems: Problems = None, clock: Clock | None = None
) -> Iterator[_Utterance]:
    return _parse_cues(numbered, path, problems, clock or Clock(), vtt=True)


def _parse_cues(
    numbered: Numbered, path: str | None, problems: Problems, clock: Clock, vtt: bool
) -> Iterator[_Utterance]:
    """Subtitle cues: blocks of lines between blank lines, each a timing line and the text under it."""
    block: list[tuple[int, str]] = []
    for lineno, line in itertools.chain(numbered, [(0, "")]):
        if line.strip():
            block.append((lineno, line))
        elif block:
            yield from _block_cues(block, clock, path, problems, vtt)
            block = []


def _block_cues(
    block: list[tuple[int, str]], clock: Clock, path: str | None, problems: Problems, vtt: bool
) -> Iterator[_Utterance]:
    """The cues of one block. A well-formed block holds one; a block without blank lines between its cues
    holds several; a block without a timing line is text of its own (lost for nobody), or WebVTT metadata.
    A cue whose timing line cannot be read (``00:00:0X``, ``99:99:99``, an end before its start) is reported
    and skipped, never read as text.
    """
    timings = [i for i, (_lineno, line) in enumerate(block) if _TIMING_LIKE.match(line)]
    meta = vtt and _VTT_META.match(block[0][1].lstrip("\ufeff")) is not None
    head = len(block) if not timings else timings[0]
    if not meta:
        head_lines = block[:head]
        if head_lines and (_is_cue_number(head_lines[-1][1]) or (vtt and head == 1 and timings)):
            head_lines = head_lines[:-1]
        utterance = _cue(head_lines, None, None, vtt)
        if utterance:
            yield utterance
    for k, at in enumerate(timings):
        stop = timings[k + 1] if k + 1 < len(timings) else len(block)
        if stop < len(block) and stop - 1 > at and _is_cue_number(block[stop - 1][1]):
            stop -= 1
        lineno, line = block[at]
        try:
            start, end = _cue_times(clock, line, path, lineno)
        except InputError as error:
            _report(problems, error)
            continue
        utterance = _cue(block[at + 1 : stop], start, end, vtt)
        if utterance:
            yield utterance


# The usual SRT timing line, which _TIMING reads with minutes and seconds under 60 (HH:MM:SS,mmm --> …).
_USUAL_TIMING = re.compile(r"\d\d:[0-5]\d:[0-5]\d,\d{3} --> \d\d:[0-5]\d:[0-5]\d,\d{3}", re.ASCII)


def srt_cue_utterance(
    block: Sequence[str], names: dict[str, str | None] | None = None
) -> LineUtterance | None:
    """For a block of lines of SRT between blank lines that is one plain cue — its number, a timing that
    ``_cue_times`` reads, one line of text without markup —, the text and speaker of the turn ``_block_cues``
    makes of it (kept in step by a test); None for any other block, which only the parser can tell about.
    ``names``, where given, remembers the speaker each name before a colon cleans to (a file has a few)."""
    if len(block) != 3:
        return None
    number, timing, line = block
    if "<" in line or "{" in line or "&" in line or not number.strip().isdigit():
        return None
    if "-->" in line and _TIMING_LIKE.match(line):  # (a cue number holds no arrow)
        return None
    usual = _USUAL_TIMING.fullmatch(timing)
    if usual is not None:  # what _cue_times reads, in order: all the same width
        if timing[17:] < timing[:12]:
            return None
    elif not _TIMING_LIKE.match(timing):
        return None
    else:
        try:
            _cue_times(_PlainClock(), timing, None, 0)
        except (InputError, _DateTimeRead):
            return None
    text = line.strip()
    named = _PLAIN_SPEAKER.match(text) or _SPEAKER.match(text)  # (the same match where the first matches)
    if named is None:
        return tuple.__new__(
            LineUtterance, (text, None, True)
        )  # (without the frame of LineUtterance.__new__)
    raw = named.group("speaker")  # (what _speaker_name reads of the match)
    speaker = names.get(raw, _UNSEEN) if names is not None else _UNSEEN
    if speaker is _UNSEEN:
        speaker = _speaker_name(named)
        if names is not None and len(names) < 4096:
            names[raw] = speaker
    if speaker is not None:
        text = text[named.end() :].strip()
    return tuple.__new__(LineUtterance, (text, speaker, True))


def _cue_times(clock: Clock, line: str, path: str | None, lineno: int) -> tuple[float, float]:
    """The start and end of a cue's timing line; InputError unless both are clock times, in order."""
    timing = _TIMING.match(line)
    if timing is None:
        raise InputError(
            f"cannot read the cue timing {line.strip()!r}: write HH:MM:SS,mmm --> HH:MM:SS,mmm; the cue is skipped",
            path,
            lineno,
        )
    times = []
    for group in ("start", "end"):
        value = timing.group(group)
        clock_value = _CLOCK_VALUE.fullmatch(value)
        if (
            clock_value is None
            or int(clock_value.group(2)) >= 60
            or float(clock_value.group(3).replace(",", ".")) >= 60
        ):
            raise InputError(
                f"the cue time {value!r} is no time of day (minutes and seconds run to 59); the cue is skipped",
                path,
                lineno,
            )
        times.append(_time(clock, value, "the cue timing", path, lineno))
    if times[1] < times[0]:
        raise InputError(
            f"the cue ends ({timing.group('end')}) before it starts ({timing.group('start')}); the cue is skipped",
            path,
            lineno,
        )
    return times[0], times[1]


def _is_cue_number(line: str) -> bool:
    return line.strip().isdigit()


def _cue(
    lines: list[tuple[int, str]], start: float | None, end: float | None, vtt: bool = False
) -> _Utterance | None:
    """The utterance of a cue's text lines: markup dropped, lines joined with ``\\n``, the speaker taken from a
    voice tag ``<v 名字>`` or a ``名字：`` before the text."""
    speaker = None
    pieces: list[Piece] = []
    for lineno, line in lines:
        if speaker is None:
            voice = _VOICE.search(line)
            speaker = voice.group("speaker").strip() if voice else None
        line_pieces = _strip(_markup_pieces(line, lineno, vtt))
        if not pieces and speaker is None:
            speaker, line_pieces = _named_speaker(line_pieces)
        if not line_pieces:
            continue
        if pieces:
            previous_line = pieces[-1][1]
            pieces.append(("\n", previous_line, _line_end(lines, previous_line)))
        pieces.extend(line_pieces)
    return _utterance(pieces, speaker, start, end)


def _line_end(lines: list[tuple[int, str]], lineno: int) -> int:
    """The column just past the end of line ``lineno`` of ``lines``: where its line break stands."""
    return next(len(line) + 1 for number, line in lines if number == lineno)


def _named_speaker(pieces: list[Piece]) -> tuple[str | None, list[Piece]]:
    """A ``名字：`` at the start of a cue's first line: the speaker, and the pieces after it."""
    text = "".join(piece[0] for piece in pieces)
    named = _SPEAKER.match(text)
    speaker = _speaker_name(named)
    if named is None or speaker is None:
        return None, pieces
    return speaker, _drop_prefix(pieces, named.end())


def _markup_pieces(line: str, lineno: int, entities: bool) -> list[Piece]:
    """The text of a subtitle line without its tags; with ``entities``, ``&amp;`` and kin read as characters."""
    if "<" not in line and "{" not in line and "&" not in line:
        return [(line, lineno, 1)]
    pieces: list[Piece] = []
    position = 0
    for markup in _MARKUP.finditer(line):
        entity = markup.group("entity")
        if entity and not entities:
            continue
        pieces.append((line[position : markup.start()], lineno, position + 1))
        if entity:
            import html  # only for a cue with a character reference

            pieces.append((html.unescape(entity), lineno, markup.start() + 1))
        position = markup.end()
    pieces.append((line[position:], lineno, position + 1))
    return [piece for piece in pieces if piece[0]]


# --- JSON Lines ---------------------------------------------------------------------------------------


def _parse_jsonl(
    numbered: Numbered, path: str | None, problems: Problems = None, clock: Clock | None = None
) -> Iterator[_Utterance]:
    """One JSON object per line: the text, a speaker and times under the names of ``field_names()``. A line
    that cannot be read is reported (``problems``) and the next one read."""
    fields_named = field_names()
    decoder = json.JSONDecoder()
    clock = clock or Clock()
    for lineno, line in numbered:
        if not line.strip():
            continue
        try:
            utterance = _jsonl_utterance(line, lineno, fields_named, decoder, clock, path)
        except InputError as error:
            _report(problems, error)
            continue
        if utterance:
            yield utterance


def _jsonl_utterance(
    line: str,
    lineno: int,
    fields_named: FieldNames,
    decoder: json.JSONDecoder,
    clock: Clock,
    path: str | None,
) -> _Utterance | None:
    """The utterance of one JSON line (None for one without text); InputError for a line that is no turn."""
    fields = _json_fields_quickly(line, fields_named.text) or _json_fields(line, decoder, path, lineno)
    text_key = _first_present(fields, fields_named.text)
    if text_key is None:
        raise InputError(
            f"no text field: name the utterance one of {', '.join(fields_named.text)}", path, lineno
        )
    value, at = fields[text_key]
    if not isinstance(value, str):
        raise InputError(
            f"the field {text_key!r} is not a string: write the utterance as a string", path, lineno
        )
    used = {text_key}
    speaker = _json_speaker(fields, fields_named.speaker, used, path, lineno)
    start = _json_time(fields, fields_named.start, used, clock, path, lineno)
    end = _json_time(fields, fields_named.end, used, clock, path, lineno)
    extra = _json_extra(fields, used)
    return _utterance(_json_string_pieces(line, at, lineno), speaker, start, end, extra)


class _DateTimeRead(Exception):
    """A date-time read by :class:`_PlainClock`."""


class _PlainClock(Clock):
    """A clock that reads times as any clock does, but raises _DateTimeRead for a date-time (which would set
    a file's clock) instead of reading it."""

    def _since_epoch(self, moment: datetime) -> float:
        raise _DateTimeRead


def jsonl_utterances(lines: Sequence[str]) -> list[LineUtterance | None]:
    """For each line of JSON Lines, where it surely does nothing but make a turn (or none, a blank line) —
    a JSON object without a backslash, a string text, a speaker that is a name, times that are seconds or
    ``HH:MM:SS``, none a date-time —, the text and speaker of that turn, as ``_jsonl_utterance`` makes
    them (kept in step by a test); None for any other line, which only the parser can tell about."""
    names = field_names()
    clock = _PlainClock()
    # a file's records have a few layouts of keys (often one) and a few speakers: what depends on those only
    # is worked out once for each (tests/test_formats.py holds this against the record-by-record reading)
    layouts: dict[tuple[str, ...], _Layout] = {}
    speakers: dict[str, str | None] = {}
    out: list[LineUtterance | None] = []
    for line in lines:
        if not line.strip():
            out.append(_BLANK)
            continue
        utterance = None
        if "\\" not in line:  # (what _json_fields_quickly reads as the parser would, with its fields)
            try:
                fields = _loads(line)
            except (ValueError, RecursionError):
                fields = None
            if isinstance(fields, dict):
                keys = tuple(fields)
                layout = layouts.get(keys)
                if layout is None:
                    layout = _layout(keys, names)
                    if len(layouts) < 256:
                        layouts[keys] = layout
                utterance = _plain_record(line, fields, layout, clock, speakers)
        out.append(utterance)
    return out


_BLANK: Final = LineUtterance("", None, True)
# for the keys of a record, in order: the names of the text, the speaker, the start and the end among them,
# each in the order of preference of ``field_names()``
_Layout = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _layout(keys: tuple[str, ...], names: FieldNames) -> _Layout:
    """The names of ``names``' text, speaker, start and end that are among ``keys`` (a field that is absent
    reads as null: the others are never the first one present)."""
    present = set(keys)
    text, speaker, start, end = (
        tuple(n for n in wanted if n in present)
        for wanted in (names.text, names.speaker, names.start, names.end)
    )
    return text, speaker, start, end


_DECODER = json.JSONDecoder()
# the C scanner of that decoder: json.loads of a line that is one object and nothing else, without the three
# Python frames of loads, decode and raw_decode around it (typeshed types its argument as a scanner)
_SCAN_ONCE = json.scanner.make_scanner(_DECODER)  # type: ignore[arg-type]


def _loads(line: str) -> object:
    """``json.loads(line)``: a line that opens an object and ends where it closes is scanned at once, as
    loads scans it (from index 0, and nothing after the object); any other line, or one that fails, is given
    to loads itself (which raises as it always has)."""
    if line[:1] == "{":
        try:
            value, end = _SCAN_ONCE(line, 0)
        except (StopIteration, ValueError, RecursionError):
            pass
        else:
            if end == len(line):
                return value
    return json.loads(line)


def _plain_time(value: object) -> bool:
    """Whether ``value`` is a ``HH:MM:SS`` string, which ``Clock.seconds`` reads as a time of day (never a
    date-time, never an error): ``_CLOCK_VALUE`` matches it whole, and ``int`` and ``float`` read its
    digits (decimal digits, as ``\\d`` matches them)."""
    return (
        type(value) is str
        and len(value) == 8
        and value[2] == ":" == value[5]
        and (value[:2] + value[3:5] + value[6:]).isdecimal()
    )


def _plain_record(
    line: str,
    fields: dict[str, object],
    layout: _Layout,
    clock: Clock,
    speakers: dict[str, str | None],
) -> LineUtterance | None:
    """``_jsonl_utterance`` of a line whose JSON object (``fields``, whose keys are laid out as ``layout``
    says) _json_fields_quickly reads, where it does nothing but make a turn; None otherwise. ``speakers``
    remembers the speaker each name read as."""
    text_names, speaker_names, start_names, end_names = layout
    text_key = None
    for name in text_names:
        if fields[name] is not None:
            text_key = name
            break
    if text_key is None:
        return None
    text = fields[text_key]
    if not isinstance(text, str):
        return None
    literal = f'"{text}"'
    at = line.find(literal)
    if line.find(literal, at + 1) != -1:  # the parser would scan the line
        return None
    speaker_key = None
    speaker = None
    for name in speaker_names:
        value = fields[name]
        if value is not None:
            if type(value) is str:
                known = speakers.get(value, _UNSEEN)
                if known is _UNSEEN:
                    known = _sound(value).strip() or None
                    if len(speakers) < 4096:
                        speakers[value] = known
                speaker = known
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
                return None
            else:
                speaker = _sound(str(value)).strip() or None
            speaker_key = name
            break
    time_key = None
    for wanted in (start_names, end_names):
        for name in wanted:
            if name == text_key or name == speaker_key or name == time_key:
                continue  # (a field taken already: the text's, the speaker's, the start's for the end)
            value = fields[name]
            if value is None:
                continue
            time_key = name
            if value != "" and not _plain_time(value):
                if not isinstance(value, (str, int, float)):
                    return None
                try:
                    clock.seconds(value)
                except (ValueError, OverflowError, _DateTimeRead):
                    return None
            break
    # (no escape: the literal is the text; made as LineUtterance makes it, without the frame of its __new__)
    return tuple.__new__(LineUtterance, (text.strip(), speaker, True))


def _json_extra(fields: dict[str, tuple[object, int]], used: set[str]) -> tuple[tuple[str, str], ...]:
    """The other fields with a string, number or boolean value, as text: a session id, a channel …"""
    return tuple(
        (_sound(key), _sound(value) if isinstance(value, str) else json.dumps(value))
        for key, (value, _at) in fields.items()
        if key not in used and isinstance(value, (str, int, float, bool))
    )


def _first_present(fields: dict[str, tuple[object, int]], names: Sequence[str]) -> str | None:
    """The first of ``names`` among ``fields`` with a value other than null."""
    return next((name for name in names if fields.get(name, (None, 0))[0] is not None), None)


def _json_speaker(
    fields: dict[str, tuple[object, int]], names: Sequence[str], used: set[str], path: str | None, lineno: int
) -> str | None:
    key = _first_present(fields, names)
    if key is None:
        return None
    used.add(key)
    value = fields[key][0]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"the field {key!r} is not a speaker's name: write it as a string", path, lineno)
    return _sound(str(value)).strip() or None


def _json_time(
    fields: dict[str, tuple[object, int]],
    names: Sequence[str],
    used: set[str],
    clock: Clock,
    path: str | None,
    lineno: int,
) -> float | None:
    key = next(
        (name for name in names if name not in used and fields.get(name, (None, 0))[0] is not None), None
    )
    if key is None:
        return None
    used.add(key)
    value = fields[key][0]
    if value == "":
        return None
    if not isinstance(value, (str, int, float)):
        raise InputError(f"the field {key!r} is not a time: use seconds or a time string", path, lineno)
    return _time(clock, value, f"the field {key!r}", path, lineno)


def _json_fields(
    line: str, decoder: json.JSONDecoder, path: str | None, lineno: int
) -> dict[str, tuple[object, int]]:
    """The top-level fields of the JSON object on ``line``: each value and the index where it begins."""
    try:
        return _scan_object(line, decoder)
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON at column {error.colno}: {error.msg}", path, lineno) from None
    except _NotAnObject as error:
        raise InputError(f"{error}: write one JSON object per line", path, lineno) from None


def _json_fields_quickly(line: str, text_names: Sequence[str]) -> dict[str, tuple[object, int]] | None:
    """:func:`_json_fields` by the C decoder, where that surely gives the same: a line without a backslash (no
    escape: every string stands in it as it reads) whose utterance's literal occurs in it once (so that is
    where its value begins). None otherwise (and for any line that is not a JSON object with a text): the
    scanner then reads it, and words what is wrong with it. The other fields' places are never asked for."""
    if "\\" in line:
        return None
    try:
        value = _loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    key = next((name for name in text_names if value.get(name) is not None), None)
    if key is None or not isinstance(value[key], str):
        return None
    literal = f'"{value[key]}"'
    at = line.find(literal)
    if line.find(literal, at + 1) != -1:
        return None
    return {name: (field, at if name == key else 0) for name, field in value.items()}


def json_fields(line: str) -> dict[str, tuple[object, int]]:
    """The top-level fields of the JSON object on ``line``: each value and the index where it begins (where a
    string's opening quote stands). Raises InputError for a line that is no JSON object."""
    return _json_fields(line, json.JSONDecoder(), None, 0)


class _NotAnObject(ValueError):
    pass


def _scan_object(line: str, decoder: json.JSONDecoder) -> dict[str, tuple[object, int]]:
    position = _skip_space(line, 0)
    if not line.startswith("{", position):
        value = decoder.decode(line)  # a JSONDecodeError for invalid JSON; else valid, but not an object
        raise _NotAnObject(f"the line is a JSON {_json_kind(value)}, not an object")
    fields: dict[str, tuple[object, int]] = {}
    position = _skip_space(line, position + 1)
    if line.startswith("}", position):
        position += 1
    else:
        position = _scan_members(line, position, decoder, fields)
    if _skip_space(line, position) != len(line):
        raise json.JSONDecodeError("Extra data", line, position)
    return fields


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "number"


def _scan_members(
    line: str, position: int, decoder: json.JSONDecoder, fields: dict[str, tuple[object, int]]
) -> int:
    """Read ``"key": value`` pairs up to the closing brace into ``fields``; the index after the brace."""
    while True:
        if not line.startswith('"', position):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", line, position)
        key, position = json.decoder.scanstring(line, position + 1)  # type: ignore[attr-defined]
        position = _skip_space(line, position)
        if not line.startswith(":", position):
            raise json.JSONDecodeError("Expecting ':' delimiter", line, position)
        at = _skip_space(line, position + 1)
        try:
            value, position = decoder.scan_once(line, at)  # type: ignore[attr-defined]
        except StopIteration:
            raise json.JSONDecodeError("Expecting value", line, at) from None
        fields[key] = (value, at)
        position = _skip_space(line, position)
        if line.startswith("}", position):
            return position + 1
        if not line.startswith(",", position):
            raise json.JSONDecodeError("Expecting ',' delimiter", line, position)
        position = _skip_space(line, position + 1)


def _skip_space(line: str, position: int) -> int:
    """The index of the first character at or after ``position`` that is not JSON whitespace."""
    space = _JSON_SPACE.match(line, position)
    return space.end() if space else position


def _json_string_pieces(line: str, at: int, lineno: int) -> list[Piece]:
    """The pieces of the JSON string literal that opens at ``line[at]``: runs, and one piece per escape."""
    pieces: list[Piece] = []
    position = at + 1
    while True:
        special = _JSON_STRING_END.search(line, position)
        assert special is not None  # the literal was scanned already
        stop = special.start()
        if stop > position:
            pieces.append((line[position:stop], lineno, position + 1))
        if line[stop] == '"':
            return pieces
        char, position = _json_escape(line, stop)
        pieces.append((char, lineno, stop + 1))


def _json_escape(line: str, at: int) -> tuple[str, int]:
    """The character of the escape at ``line[at]`` (a backslash) and the index after it."""
    kind = line[at + 1]
    if kind != "u":
        return _JSON_ESCAPES[kind], at + 2
    code = int(line[at + 2 : at + 6], 16)
    if 0xD800 <= code < 0xDC00 and line.startswith("\\u", at + 6):
        low = int(line[at + 8 : at + 12], 16)
        if 0xDC00 <= low < 0xE000:
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), at + 12
    return _sound(chr(code)), at + 6


# --- CSV and TSV --------------------------------------------------------------------------------------


class _Columns(NamedTuple):
    """Which column of a CSV file holds what (-1: none)."""

    names: tuple[str, ...]
    text: int
    speaker: int
    start: int
    end: int


def _parse_csv(
    numbered: Numbered, path: str | None, problems: Problems = None, clock: Clock | None = None
) -> Iterator[_Utterance]:
    """A header row naming the columns, then one utterance per record; tab-separated if the header says so."""
    first = next(((lineno, line) for lineno, line in numbered if line.strip()), None)
    if first is None:
        return
    delimiter = "\t" if first[1].count("\t") > first[1].count(",") else ","
    records = _csv_records(itertools.chain([first], numbered), delimiter, path)
    header_line, header = next(records)
    columns = _csv_columns(header, path, header_line)
    clock = clock or Clock()
    for lineno, record in records:
        try:
            utterance = _csv_utterance(record, columns, clock, path, lineno)
        except InputError as error:
            _report(problems, error)
            continue
        if utterance:
            yield utterance


def _csv_columns(header: list[list[Piece]], path: str | None, lineno: int) -> _Columns:
    names = tuple(_field_value(field).strip().lstrip("\ufeff").strip() for field in header)
    folded = [name.lower() for name in names]

    def find(aliases: Sequence[str]) -> int:
        return next((folded.index(alias) for alias in aliases if alias in folded), -1)

    fields = field_names()
    text = find(fields.text)
    if text < 0:
        raise InputError(
            f"no text column in the header ({', '.join(names)}): name it one of {', '.join(fields.text)}",
            path,
            lineno,
        )
    return _Columns(names, text, find(fields.speaker), find(fields.start), find(fields.end))


def _csv_utterance(
    record: list[list[Piece]], columns: _Columns, clock: Clock, path: str | None, lineno: int
) -> _Utterance | None:
    def value(index: int) -> str:
        return _field_value(record[index]).strip() if 0 <= index < len(record) else ""

    def seconds(index: int) -> float | None:
        text = value(index)
        return _time(clock, text, f"the column {columns.names[index]!r}", path, lineno) if text else None

    used = {columns.text, columns.speaker, columns.start, columns.end}
    extra = tuple(
        (name, value(i)) for i, name in enumerate(columns.names) if i not in used and value(i) and name
    )
    pieces = record[columns.text] if columns.text < len(record) else []
    return _utterance(
        pieces, value(columns.speaker) or None, seconds(columns.start), seconds(columns.end), extra
    )


def _field_value(field: list[Piece]) -> str:
    return "".join(piece[0] for piece in field)


def _csv_records(
    numbered: Numbered, delimiter: str, path: str | None
) -> Iterator[tuple[int, list[list[Piece]]]]:
    """The records of a CSV file as the csv module reads them (the excel dialect), each field as pieces.

    A field that starts with a quote may hold delimiters, doubled quotes and line breaks; text after its
    closing quote belongs to it. Blank lines between records are skipped. The csv module itself is not used
    as it does not tell where a field stands.
    """
    record: list[list[Piece]] = []
    field: list[Piece] = []
    quoted_since = 0  # the line where the quoted field still open began; 0 outside quotes
    for lineno, line in numbered:
        if not quoted_since:
            if not line.strip():
                continue
            record_line, position, field_start = lineno, 0, True
        else:
            after = _read_quoted(line, 0, lineno, field)
            if after is None:
                continue
            quoted_since, position, field_start = 0, after, False
        while True:
            if field_start and line.startswith('"', position):
                after = _read_quoted(line, position + 1, lineno, field)
                if after is None:
                    quoted_since = lineno
                    break
                position, field_start = after, False
            cut = line.find(delimiter, position)
            field.append((line[position : cut if cut >= 0 else len(line)], lineno, position + 1))
            record.append(field)
            field = []
            if cut < 0:
                yield record_line, record
                record = []
                break
            position, field_start = cut + 1, True
    if quoted_since:
        raise InputError("unterminated quoted field: close its quote", path, quoted_since)


def _read_quoted(line: str, position: int, lineno: int, field: list[Piece]) -> int | None:
    """Add the quoted text from ``line[position]`` to ``field``, up to the closing quote: the index after that
    quote, or None if the field goes on to the next line. A doubled quote is one quote, at the first of the
    two; a line break is ``\n``, just past the end of its line."""
    while True:
        close = line.find('"', position)
        if close < 0:
            field += [(line[position:], lineno, position + 1), ("\n", lineno, len(line) + 1)]
            return None
        field.append((line[position:close], lineno, position + 1))
        if not line.startswith('"', close + 1):
            return close + 1
        field.append(('"', lineno, close + 1))
        position = close + 2


_PARSERS: MappingProxyType[
    str, Callable[[Numbered, str | None, Problems, Clock | None], Iterator[_Utterance]]
] = MappingProxyType(
    {
        "plain": _parse_plain,
        "srt": _parse_srt,
        "vtt": _parse_vtt,
        "jsonl": _parse_jsonl,
        "csv": _parse_csv,
    }
)
