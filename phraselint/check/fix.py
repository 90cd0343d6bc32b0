"""``phraselint fix``: put the whole-utterance rewrite in place of each staff utterance it can safely fix.

Only safe fixes are applied (codespell's split of suggestion and fix): an utterance is rewritten when every
violation in it has a safe rewrite, and then as a whole (``Linter.fix``: clause by clause, checked clean), never
by splicing each violation's words into the line. The rewrite replaces the utterance where it stands in the
file, written as that format writes text: a JSON string escaped as JSON, a CSV field quoted as CSV, a WebVTT
cue with its entities, a one-line turn on one line. The result is parsed again before anything is written: an
utterance whose rewrite would not read back exactly as the rewrite (or would change any other turn) is left as
it was. An utterance under a suppression comment (check/suppress.py) that silences any of its violations is
left as it is. Writing is atomic (``data.files.write_atomic``); a ``.bak`` copy of the original is kept unless
asked not to. Nothing is written when anything fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..data.files import write_atomic
from ..engine.linter import _MAX_FIX_ROUNDS as MAX_FIX_ROUNDS  # one limit for Linter.fix and fix_file
from ..engine.linter import Linter
from ..errors import InputError, InputErrors, PhraselintError
from ..read.decode import read_whole
from ..read.formats import detect_format, json_fields, parse
from ..read.transcript import Turn
from .files import DETECTED, Reading, Roles, checked_turns
from .suppress import Suppressions

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,6}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_VTT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class FixResult:
    text: str  # the whole fixed transcript
    applied: int  # violations fixed (in the utterances rewritten)
    left: int  # violations without a safe fix (or whose rewrite could not be written back)


@dataclass(frozen=True)
class _Edit:
    start: int  # offsets into the whole text of the file
    end: int
    replacement: str  # as the file writes it
    turn: int  # the index of the turn it rewrites
    reads_as: str  # the utterance the parser must read back
    violations: int


class _Text:
    """A transcript's text with its lines, and the offset in the text of any (line, column)."""

    def __init__(self, text: str) -> None:
        parts = _LINE_BREAK.split(text)
        self.text = text
        self.lines: list[str] = parts[0::2]
        self.starts: list[int] = []
        offset = 0
        for i, line in enumerate(self.lines):
            self.starts.append(offset)
            offset += len(line) + (len(parts[2 * i + 1]) if 2 * i + 1 < len(parts) else 0)

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    @property
    def line_break(self) -> str:
        found = _LINE_BREAK.search(self.text)
        return found.group(0) if found else "\n"


def fix_text(
    text: str, path: str, linter: Linter, roles: Roles, input_format: str, script: str | None
) -> FixResult:
    """One round of fixes over a transcript's text (``fix_file`` repeats it until nothing changes)."""
    source = _Text(text)
    fmt = input_format if input_format != "auto" else detect_format(path, source.lines[:50])
    problems: list[InputError] = []
    turns = list(parse(iter(source.lines), fmt, name=path, problems=problems))
    if problems:  # a file that cannot be read whole is not written back
        raise InputErrors(problems)
    edits: list[_Edit] = []
    left = 0
    csv_fields = _csv_field_extents(source) if fmt == "csv" else []
    silenced = Suppressions(path)  # a line under a disable-next-line comment is left as its authors keep it
    for _ in silenced.watch(enumerate(source.lines, 1)):
        pass
    for turn, context in checked_turns(turns, linter, roles):
        violations = linter.check(turn.text, script=script, context=context)
        if not violations:
            continue
        heard = [v for v in violations if not silenced.silences(turn.locate(v.start)[0], v)]
        if len(heard) < len(violations):  # the rewrite is of the whole utterance: it would change those too
            left += len(heard)
            continue
        fixed = linter.fix(turn.text, script=script, context=context)
        edit = None
        if fixed != turn.text and fixed.strip():
            edit = _edit(source, fmt, turn, fixed, len(violations), csv_fields)
        if edit is None:
            left += len(violations)
        else:
            edits.append(edit)
    if not edits:
        return FixResult(text, 0, left)
    out = _apply(text, edits)
    if _reads_back(out, path, fmt, turns, edits):
        return FixResult(out, sum(e.violations for e in edits), left)
    # Some rewrite does not read back as itself: keep, one by one, those that do.
    kept: list[_Edit] = []
    for edit in edits:
        trial = _apply(text, [*kept, edit])
        if _reads_back(trial, path, fmt, turns, [*kept, edit]):
            kept.append(edit)
        else:
            left += edit.violations
    return FixResult(_apply(text, kept), sum(e.violations for e in kept), left)


def _apply(text: str, edits: Sequence[_Edit]) -> str:
    out = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[: edit.start] + edit.replacement + out[edit.end :]
    return out


def _reads_back(text: str, path: str, fmt: str, turns: Sequence[Turn], edits: Sequence[_Edit]) -> bool:
    """Whether ``text`` parses into the same turns as before, but for the rewritten utterances, which read as
    their rewrites."""
    try:
        again = list(parse(iter(_LINE_BREAK.split(text)[0::2]), fmt, name=path))
    except PhraselintError:
        return False
    if len(again) != len(turns):
        return False
    expected = {e.turn: e.reads_as for e in edits}
    return all(
        after.text == expected.get(before.index, before.text) and after.speaker == before.speaker
        for before, after in zip(turns, again)
    )


def _edit(
    source: _Text, fmt: str, turn: Turn, fixed: str, violations: int, csv_fields: list[tuple[int, int]]
) -> _Edit | None:
    """The change that writes ``fixed`` in place of ``turn``'s utterance, or None if it cannot be written."""
    line, column = turn.locate(0)
    start = source.offset(line, column)
    last_line, last_column = turn.locate(len(turn.text) - 1)
    end = source.offset(last_line, last_column) + _raw_length(
        source.lines[last_line - 1], last_column - 1, fmt
    )

    def edit(start: int, end: int, replacement: str, reads_as: str) -> _Edit:
        return _Edit(start, end, replacement, turn.index, reads_as, violations)

    if fmt == "jsonl":
        literal = _json_literal(source.lines[line - 1], column - 1)
        if literal is None:
            return None
        value = fixed.strip()
        base = source.starts[line - 1]
        return edit(base + literal[0], base + literal[1], _json_string(value), value)
    if fmt == "csv":
        field = next(((a, b) for a, b in csv_fields if a <= start < b), None)
        if field is None:
            return None
        value = fixed.strip()
        return edit(field[0], field[1], '"' + value.replace('"', '""') + '"', value)
    if fmt in ("srt", "vtt"):
        # only CR, LF and CRLF end a cue's line, as the reader has it (not U+2028, which splitlines takes)
        kept = [x.strip() for x in _LINE_BREAK.split(fixed)[::2] if x.strip()]
        if not kept:
            return None
        written = [x.translate(_VTT_ESCAPES) for x in kept] if fmt == "vtt" else kept
        return edit(start, end, source.line_break.join(written), "\n".join(kept))
    value = _LINE_BREAK.sub(" ", fixed).strip()  # a one-line turn stays on its line
    if last_line != line:
        return None
    return edit(start, end, value, value)


def _raw_length(line: str, at: int, fmt: str) -> int:
    """How many characters of ``line`` stand for the one utterance character at ``line[at]``: more than one
    for a JSON escape, a doubled quote in a CSV field and a WebVTT entity."""
    if at >= len(line):
        return 1
    char = line[at]
    if fmt == "jsonl" and char == "\\" and at + 1 < len(line):
        if line[at + 1] != "u":
            return 2
        try:
            code = int(line[at + 2 : at + 6], 16)
            if 0xD800 <= code < 0xDC00 and line.startswith("\\u", at + 6):
                if 0xDC00 <= int(line[at + 8 : at + 12], 16) < 0xE000:
                    return 12
        except ValueError:
            return 6
        return 6
    if fmt == "csv" and char == '"' and line.startswith('"', at + 1):
        return 2
    if fmt == "vtt" and char == "&":
        entity = _ENTITY.match(line, at)
        return len(entity.group(0)) if entity else 1
    return 1


def _json_literal(line: str, at: int) -> tuple[int, int] | None:
    """The (start, end) on ``line`` of the JSON string literal that holds the character at ``at``."""
    try:
        fields = json_fields(line)
    except PhraselintError:
        return None
    for _key, (value, start) in fields.items():
        if isinstance(value, str) and start < at:
            _, end = json.decoder.scanstring(line, start + 1)  # type: ignore[attr-defined]
            if at < end:
                return start, end
    return None


def _json_string(value: str) -> str:
    """``value`` as a JSON string literal, its characters as they are, but for what JSON must escape (and
    any lone surrogate, which no encoding can write)."""
    literal = json.dumps(value, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", literal)


def _csv_field_extents(source: _Text) -> list[tuple[int, int]]:
    """Every field of a CSV text as (start, end) offsets, quotes included, as the parser splits records (the
    excel dialect: a field that starts with a quote holds delimiters, doubled quotes and line breaks)."""
    text = source.text
    first = next((x for x in source.lines if x.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    extents: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i <= n:
        start = i
        if text.startswith('"', i):
            i += 1
            while True:
                close = text.find('"', i)
                if close < 0:
                    i = n
                    break
                if text.startswith('"', close + 1):
                    i = close + 2
                    continue
                i = close + 1
                break
        stop = n
        for mark in (delimiter, "\r", "\n"):
            found = text.find(mark, i)
            if 0 <= found < stop:
                stop = found
        extents.append((start, stop))
        if stop >= n:
            break
        i = stop + (2 if text.startswith("\r\n", stop) else 1)
    return extents


def fix_file(
    path: str,
    linter: Linter,
    roles: Roles,
    reading: Reading = DETECTED,
    *,
    write: bool = False,
    backup: bool = True,
    name: str | None = None,
) -> FixResult:
    """Fix the transcript at ``path`` (``name``, by default ``path``, is what its format is detected from and
    its errors name: ``--stdin-filename``)."""
    codec, text, bom = read_whole(path, reading.encoding)
    result = FixResult(text, 0, 0)
    applied = 0
    # A rewrite can change its neighbour's context: repeat until nothing changes, as Linter.fix does.
    for _ in range(MAX_FIX_ROUNDS):
        result = fix_text(result.text, name or path, linter, roles, reading.input_format, reading.script)
        applied += result.applied
        if not result.applied:
            break
    result = FixResult(result.text, applied, result.left)
    if write and result.applied:
        try:
            encoded = result.text.encode(codec if bom or codec not in ("utf-8-sig",) else "utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"a rewrite cannot be written in {codec}: {exc.reason}; nothing was changed", path
            ) from None
        try:
            write_atomic(path, encoded, backup=backup)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}; the original is unchanged", path) from None
    return result
