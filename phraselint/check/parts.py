"""A part of a large transcript checked on its own (``check -j``), finding what the whole file's check finds on
those lines: the same findings, at the same lines and columns, with the same rewrites.

read/split.py cuts a file where a record begins (and never between a suppression comment and the line under
it). Read from there, a part needs what the lines before it leave behind, each settled early in a file and the
same for every later part once settled:

- the file's clock (read/formats.py ``Clock``): date-times count from the first one parsed in the file;
- the file's script (check/files.py ``FileScript``): judged from its first turns when the first turn to check
  needs it, the context of every utterance that shows no script of its own.

A part asks for them only when it needs them (its first date-time; its first turn to check), and they are then
worked out by reading the lines before it exactly as the whole file's check reads them (the fast test, then
parsing what passes it) until they are settled, which in a transcript is within its first lines. Each worker
process keeps what it found for the next parts of the same file. Everything else a parser carries from line
to line (a subtitle cue still open; a speaker name cleaned once) is empty or the same at a cut.

The comments that silenced nothing are reported after all of a file's findings: a part gives them apart, and
so the records it could not read; an error that stops the reading (a byte that does not decode) ends the
file there, as it does read whole.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from ..engine.linter import Linter
from ..errors import InputError, PhraselintError
from ..read.decode import open_part, open_text
from ..read.formats import Clock, detect_format
from ..read.split import Part, Sizes, parts, splittable
from ..read.transcript import Turn
from .files import HEAD_LINES, FileScript, Finding, Reading, Roles, check_turns, checked_turns, turns_to_check
from .suppress import Suppressions

T = TypeVar("T")


@dataclass(frozen=True)
class PartFindings(Generic[T]):
    """What one part of a file (named ``name``) gives: its findings in order; the suppression comments in it that silenced
    nothing (reported after every finding of the file); the records it could not read, as messages; and the
    error that stopped its reading, if one did (the findings before it stand; the parts after it are not
    reported, as the whole file's check stops there)."""

    name: str
    findings: list[T]  # Finding, or what stands for it (the command line's findings as printed)
    unused: list[T] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str | None = None


def plan(path: str, reading: Reading, name: str, sizes: Sizes) -> tuple[Reading, int, Iterator[Part]] | None:
    """How to read a file in parts of ``sizes``: its format and encoding settled, its size, and its parts,
    found as they are asked for; None for a file to read whole (smaller than two parts, in a format or an
    encoding that cannot be cut, or one whose first lines cannot be read: reading it whole reports why)."""
    try:
        size = os.path.getsize(path)
        if size < 2 * sizes.minimum:
            return None
        with open_text(path, encoding=reading.encoding) as (codec, lines):
            head = list(itertools.islice(lines, HEAD_LINES))
    except (OSError, InputError):
        return None
    fmt = reading.input_format if reading.input_format != "auto" else detect_format(name, head)
    if not splittable(fmt, codec):
        return None
    return Reading(fmt, codec, reading.script), size, parts(path, fmt, size, sizes)


def lint_part(
    path: str, linter: Linter, roles: Roles, reading: Reading, name: str, part: Part
) -> PartFindings[Finding]:
    """The findings of one part of a file (``reading``: its format and encoding as ``plan`` settled them)."""
    before = _Before(path, linter, roles, reading, name, part)
    first = part.start == 0
    clock = None if first else Clock(before.epoch)
    file_script = None if first else FileScript(before.file_script)
    problems: list[InputError] = []
    suppressions = Suppressions(name)
    findings: list[Finding] = []
    try:
        with open_part(path, _codec(reading), part.start, part.end, part.line) as lines:
            numbered = suppressions.watch(enumerate(lines, part.line))
            turns = turns_to_check(numbered, _format(reading), name, linter, problems, clock, roles)
            checked = check_turns(turns, name, linter, roles, reading.script, file_script)
            findings.extend(suppressions.apply(checked, report_unused=False))
    except PhraselintError as error:
        return PartFindings(name, findings, error=str(error))
    return PartFindings(name, findings, suppressions.unused_findings(), [str(p) for p in problems])


def findings_of_parts(results: Iterable[PartFindings[T]]) -> Iterator[T]:
    """A file's findings from the results of its parts, taken in order: what the file read whole gives. Each
    part's findings; then the suppression comments that silenced nothing, and InputError naming each record
    that could not be read. An error that stopped a part's reading is raised after its findings, and the
    parts after it are not taken."""
    unused: list[T] = []
    problems: list[str] = []
    for part in results:
        yield from part.findings
        if part.error is not None:
            raise InputError(part.error)
        unused += part.unused
        problems += part.problems
    yield from unused
    if problems:
        raise InputError("\n".join(problems))


def _codec(reading: Reading) -> str:
    assert reading.encoding is not None  # settled by ``plan``
    return reading.encoding


def _format(reading: Reading) -> str:
    assert reading.input_format != "auto"  # settled by ``plan``
    return reading.input_format


class _Before:
    """What the lines of a file before a part leave behind, worked out when the part first asks."""

    def __init__(
        self, path: str, linter: Linter, roles: Roles, reading: Reading, name: str, part: Part
    ) -> None:
        self.path, self.linter, self.roles, self.reading, self.name, self.part = (
            path,
            linter,
            roles,
            reading,
            name,
            part,
        )
        self.known = _known(path, _identity(path), reading, name, id(linter), id(roles))

    def file_script(self) -> FileScript:
        """The file's script as it stands where the part begins: judged, or still being sampled."""
        if self.known.script is not None and self.known.script[0] < self.part.line:
            return FileScript.judged(self.known.script[1])
        file_script = FileScript()
        with open_part(self.path, _codec(self.reading), 0, self.part.start, 1) as lines:
            turns = turns_to_check(
                enumerate(lines, 1), _format(self.reading), self.name, self.linter, [], roles=self.roles
            )
            for _turn, script in checked_turns(_sampled(turns), self.linter, self.roles, file_script):
                self.known.script = (self.part.line - 1, script)
                return file_script
        if not file_script.sampling:  # the sample is complete: the script is what it says
            self.known.script = (self.part.line - 1, file_script.get())
        return file_script

    def epoch(self) -> datetime | None:
        """The first date-time of the lines before the part, as the whole file's clock reads them."""
        if self.known.epoch is not None and self.known.epoch[0] < self.part.line:
            return self.known.epoch[1]
        clock = Clock()
        with open_part(self.path, _codec(self.reading), 0, self.part.start, 1) as lines:
            turns = turns_to_check(
                enumerate(lines, 1), _format(self.reading), self.name, self.linter, [], clock, self.roles
            )
            for _turn in turns:
                if clock.epoch is not None:
                    break
        if clock.epoch is not None:
            self.known.epoch = (self.part.line - 1, clock.epoch)
        return clock.epoch


def _sampled(turns: Iterable[Turn]) -> Iterator[Turn]:
    """The first of ``turns``, up to the one that completes the script's sample (FileScript.SAMPLE characters
    of turns, as ``checked_turns`` feeds it): by then the script is settled, judged at the first turn to check
    or from the whole sample, and the rest of the lines before a part need not be read (they were, a block of
    2,048 lines at least, each through the fast test: a fifth of a second for each worker's first part)."""
    size = 0
    for turn in turns:
        yield turn
        size += len(turn.text)
        if size >= FileScript.SAMPLE:
            return


@dataclass
class _Known:
    """What the parts of one file checked in this process found of the lines before them: each value with the
    last line of the lines it was settled in, so that it holds for every part that begins after."""

    script: tuple[int, str] | None = None
    epoch: tuple[int, datetime] | None = None


@functools.lru_cache(maxsize=8)
def _known(
    path: str, identity: tuple[int, ...], reading: Reading, name: str, linter: int, roles: int
) -> _Known:
    return _Known()


def _identity(path: str) -> tuple[int, ...]:
    """The file as it is now: which file, its size, and when it last changed (reading it reports a file gone)."""
    try:
        stat = os.stat(path)
    except OSError:
        return ()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns
