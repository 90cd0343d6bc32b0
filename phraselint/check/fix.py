"""``phraselint fix``: put the one unambiguous rewrite in place of each violation that has one.

Only safe fixes are applied (codespell's split of suggestion and fix): a rule's single ``fix: true`` rewrite with
every slot filled, on a span that lies on one line and reads in the file exactly as in the utterance. Writing
is atomic: a temporary file in the same directory, renamed over the original; a ``.bak`` copy of the original
is kept unless asked not to. Nothing is written when anything fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..data.files import write_atomic
from ..engine.explain import splice
from ..engine.linter import _MAX_FIX_ROUNDS as MAX_FIX_ROUNDS  # one limit for Linter.fix and fix_file
from ..engine.linter import Linter
from ..errors import InputError
from ..read.decode import read_whole
from ..read.formats import detect_format, parse
from .files import DETECTED, Finding, Reading, Roles, check_turns
from .suppress import Suppressions

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
# Characters a replacement may not bring into a field of a structured format without escaping.
_UNSAFE = {"csv": set(',"\n\r\t'), "jsonl": set('"\\\n\r\t')}


@dataclass(frozen=True)
class FixResult:
    text: str  # the whole fixed transcript
    applied: int
    left: int  # violations without a safe fix


def fix_text(
    text: str, path: str, linter: Linter, roles: Roles, input_format: str, script: str | None
) -> FixResult:
    parts = _LINE_BREAK.split(text)
    lines, breaks = parts[0::2], parts[1::2]
    fmt = input_format if input_format != "auto" else detect_format(path, lines[:50])
    unsafe = _UNSAFE.get(fmt, set())
    by_line: dict[int, list[Finding]] = {}
    left = 0
    silenced = Suppressions(path)  # a line under a disable-next-line comment is left as its authors keep it
    numbered = silenced.watch(enumerate(lines, 1))
    turns = parse((line for _, line in numbered), fmt, name=path)
    for f in silenced.apply(check_turns(turns, path, linter, roles, script), report_unused=False):
        v = f.violation
        line = lines[f.line - 1] if f.line <= len(lines) else ""
        if (
            v.fix is None
            or f.line != f.end_line
            or line[f.column - 1 : f.end_column - 1] != v.text
            or any(ch in unsafe for ch in v.fix)
        ):
            left += 1
            continue
        by_line.setdefault(f.line, []).append(f)
    applied = 0
    for number, found in by_line.items():
        line = lines[number - 1]
        last_start = len(line) + 1
        for f in sorted(found, key=lambda f: f.column, reverse=True):
            if f.end_column > last_start:  # overlaps a fix already made on this line
                left += 1
                continue
            line = splice(line, f.column - 1, f.end_column - 1, f.violation.fix or "")
            last_start = f.column
            applied += 1
        lines[number - 1] = line
    out = [x for pair in zip(lines, [*breaks, ""]) for x in pair]
    return FixResult("".join(out), applied, left)


def fix_file(
    path: str,
    linter: Linter,
    roles: Roles,
    reading: Reading = DETECTED,
    *,
    write: bool = False,
    backup: bool = True,
) -> FixResult:
    codec, text, bom = read_whole(path, reading.encoding)
    result = FixResult(text, 0, 0)
    applied = 0
    # A replacement can change its neighbour's context: repeat until nothing changes, as Linter.fix does.
    for _ in range(MAX_FIX_ROUNDS):
        result = fix_text(result.text, path, linter, roles, reading.input_format, reading.script)
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
