"""``phraselint fix``: put the one unambiguous rewrite in place of each violation that has one.

Only safe fixes are applied (codespell's split of suggestion and fix): a rule's single ``fix: true`` rewrite with
every slot filled, on a span that lies on one line and reads in the file exactly as in the utterance. Writing
is atomic: a temporary file in the same directory, renamed over the original; a ``.bak`` copy of the original
is kept unless asked not to. Nothing is written when anything fails.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..engine.explain import splice
from ..engine.linter import Linter
from ..errors import InputError
from ..read.decode import STDIN, detect_encoding, display_name
from ..read.formats import detect_format, parse
from .files import FileScript, Finding, Roles, check_turn

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
# Characters a replacement may not bring into a field of a structured format without escaping.
_UNSAFE = {"csv": set(',"\n\r\t'), "jsonl": set('"\\\n\r\t')}


@dataclass(frozen=True)
class FixResult:
    text: str  # the whole fixed transcript
    applied: int
    left: int  # violations without a safe fix


def _read_bytes(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory; name the files to fix", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None


def _decode(data: bytes, path: str, encoding: str | None) -> tuple[str, str]:
    codec = encoding or detect_encoding(data[: 64 * 1024], len(data) <= 64 * 1024)
    if codec is None:
        raise InputError("binary file (it contains NUL bytes), not a transcript", display_name(path))
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"cannot decode as {codec}: {exc}", display_name(path)) from None
    return codec, text.removeprefix("\ufeff")


def fix_text(
    text: str, path: str, linter: Linter, roles: Roles, input_format: str, script: str | None
) -> FixResult:
    parts = _LINE_BREAK.split(text)
    lines, breaks = parts[0::2], parts[1::2]
    fmt = input_format if input_format != "auto" else detect_format(path, lines[:50])
    unsafe = _UNSAFE.get(fmt, set())
    by_line: dict[int, list[Finding]] = {}
    left = 0
    file_script = FileScript()
    for turn in parse(iter(lines), fmt, name=path):
        file_script.feed(turn.text)
        if not roles.checked(turn.speaker) or not linter.has_candidate(turn.text):
            continue
        for f in check_turn(turn, path, linter, script, file_script.get()):
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


def _write_atomic(path: str, data: bytes, backup: bool) -> None:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        shutil.copymode(target, tmp)
        if backup:
            shutil.copy2(target, str(target) + ".bak")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fix_file(
    path: str,
    linter: Linter,
    roles: Roles,
    *,
    input_format: str = "auto",
    encoding: str | None = None,
    script: str | None = None,
    write: bool = False,
    backup: bool = True,
) -> FixResult:
    data = _read_bytes(path)
    codec, text = _decode(data, path, encoding)
    result = fix_text(text, path, linter, roles, input_format, script)
    applied = result.applied
    for _ in range(4):  # a replacement can change its neighbour's context: repeat until nothing changes
        if not result.applied:
            break
        result = fix_text(result.text, path, linter, roles, input_format, script)
        applied += result.applied
    result = FixResult(result.text, applied, result.left)
    if write and result.applied:
        bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        try:
            encoded = result.text.encode(codec if bom or codec not in ("utf-8-sig",) else "utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"a rewrite cannot be written in {codec}: {exc.reason}; nothing was changed", path
            ) from None
        try:
            _write_atomic(path, encoded, backup)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}; the original is unchanged", path) from None
    return result
