"""Checking transcripts: read (decode) → parse (formats) → staff turns → check (linter) → findings."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..engine.linter import Linter
from ..engine.normalize import prefold
from ..engine.script import detect_script
from ..errors import InputError, InputErrors
from ..model import Violation
from ..read.decode import open_text
from ..read.formats import (
    LINE_FORMATS,
    Clock,
    LineUtterance,
    detect_format,
    jsonl_utterances,
    line_utterances,
    parse,
    parse_numbered,
    srt_cue_utterance,
)
from ..read.transcript import Turn


@dataclass(frozen=True)
class Roles:
    """Who is staff (工作人员) and who is a visitor (来访人员), by speaker name."""

    staff: tuple[str, ...]
    visitors: tuple[str, ...]
    staff_named: bool = False  # the user named the staff: every other speaker is a visitor

    @classmethod
    def build(cls, linter: Linter, staff: Sequence[str] = (), visitors: Sequence[str] = ()) -> Roles:
        vocab = linter.catalogue.vocabulary
        named = tuple(staff) if staff else vocab.staff_speakers
        return cls(
            tuple(_name(s) for s in named),
            tuple(_name(v) for v in (*vocab.visitor_speakers, *visitors)),
            bool(staff),
        )

    def role(self, speaker: str | None) -> str:
        """'staff', 'visitor' or 'unknown' (checked as staff)."""
        if speaker is None:
            return "staff" if not self.staff_named else "unknown"
        return _role(self, speaker)

    def checked(self, speaker: str | None) -> bool:
        return self.role(speaker) != "visitor"


def _name(speaker: str) -> str:
    """A speaker name as compared: script, width and case folded (櫃檯人員 → 柜台人员)."""
    return prefold(speaker.strip())


@functools.lru_cache(maxsize=1024)
def _role(roles: Roles, speaker: str) -> str:
    name = _name(speaker)
    if any(name.startswith(s) for s in roles.staff if s):
        return "staff"
    if roles.staff_named or any(name.startswith(v) for v in roles.visitors if v):
        return "visitor"
    return "unknown"


@dataclass(frozen=True)
class Reading:
    """How to read a transcript: its format (``auto``: detected), its encoding (None: detected), and the script
    its rewrites are given in (None: that of each utterance)."""

    input_format: str = "auto"
    encoding: str | None = None
    script: str | None = None


DETECTED = Reading()  # format, encoding and the script of each utterance all as detected


@dataclass(frozen=True)
class Finding:
    """A violation in a file: where it is (1-based line and column of the original, end exclusive)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    violation: Violation
    turn: Turn

    @property
    def speaker(self) -> str | None:
        return self.turn.speaker


class FileScript:
    """The script of a file, judged from its first turns (about 2,000 characters), for utterances that show
    none of their own. Judged only when first asked: most turns never need it.

    ``before``, for a part of a file read on its own (check/parts.py): asked once, when the script is first
    needed, for the file's ``FileScript`` as it stands where the part begins (judged already, or still
    sampling); the part's own turns then go on from there, as they would in the whole file.
    """

    SAMPLE = 2000

    def __init__(self, before: Callable[[], FileScript] | None = None) -> None:
        self._sample: list[str] = []
        self._size = 0
        self._script: str | None = None
        self._before = before

    @property
    def sampling(self) -> bool:
        return self._script is None and self._size < self.SAMPLE

    def feed(self, text: str) -> None:
        if self.sampling:
            self._sample.append(text)
            self._size += len(text)

    def get(self) -> str:
        if self._script is None:
            if self._before is not None:
                start = self._before()
                for text in self._sample:
                    start.feed(text)
                self._script = start.get()
            else:
                self._script = detect_script("\n".join(self._sample))
            self._sample = []
        return self._script

    @classmethod
    def judged(cls, script: str) -> FileScript:
        """A file's script already judged."""
        file_script = cls()
        file_script._script = script
        return file_script


def check_turn(
    turn: Turn, path: str, linter: Linter, script: str | None, context: str | None = None
) -> list[Finding]:
    out = []
    for v in linter.check(turn.text, script=script, context=context):
        line, column = turn.locate(v.start)
        end_line, end_column = turn.locate_end(v.end)
        out.append(Finding(path, line, column, end_line, end_column, v, turn))
    return out


def lint_file(
    path: str, linter: Linter, roles: Roles, reading: Reading = DETECTED, name: str | None = None
) -> Iterator[Finding]:
    """Every finding in one transcript, streamed turn by turn. Raises InputError for an unreadable file, and
    InputErrors at the end for records that could not be read (a bad JSON line, a cue with a bad timing), once
    every other record has been checked. ``name`` is what the findings call the file, and what its format is
    detected from (``--stdin-filename``: standard input named as the file it holds); by default, ``path``.

    In a format of one turn per line the fast candidate test runs on the raw line first, and only lines that
    pass it (and the first few, which set the file's clock and script) are parsed at all: the fold of a line
    contains the fold of its utterance, so no violation is missed, and most lines cost one C pass.
    """
    with open_text(path, encoding=reading.encoding) as (_, lines):
        yield from lint_lines(lines, name or path, linter, roles, reading)


def lint_lines(
    lines: Iterable[str], name: str, linter: Linter, roles: Roles, reading: Reading = DETECTED
) -> Iterator[Finding]:
    """``lint_file`` of a file's decoded lines (without line breaks): a file, or an editor's buffer. The
    file's suppression comments (check/suppress.py) silence the line under them."""
    from .suppress import Suppressions

    problems: list[InputError] = []
    suppressions = Suppressions(name)
    head, rest = _head(iter(lines))
    fmt = reading.input_format if reading.input_format != "auto" else detect_format(name, head)
    numbered = suppressions.watch(enumerate(itertools.chain(head, rest), 1))
    turns = turns_to_check(numbered, fmt, name, linter, problems, roles=roles)
    yield from suppressions.apply(check_turns(turns, name, linter, roles, reading.script))
    if problems:  # records that could not be read: every other one was checked
        raise InputErrors(problems)


HEAD_LINES = 20  # the first lines of a file, always parsed: they set its clock and script
_BLOCK_LINES = 2048


def _head(lines: Iterator[str]) -> tuple[list[str], Iterator[str]]:
    """The first lines (``HEAD_LINES``), which the format is detected from, and the rest. A line that cannot
    be read among them ends the head: the lines before it are still checked, and its error comes after."""
    head: list[str] = []
    try:
        head.extend(itertools.islice(lines, HEAD_LINES))  # keeps what it took if reading fails
    except InputError as error:
        return head, _raising(error)
    return head, lines


def _raising(error: InputError) -> Iterator[str]:
    raise error
    yield  # a generator: the error comes when the lines after the head are read


def turns_to_check(
    numbered: Iterator[tuple[int, str]],
    fmt: str,
    name: str,
    linter: Linter,
    problems: list[InputError],
    clock: Clock | None = None,
    roles: Roles | None = None,
) -> Iterator[Turn]:
    """The turns of a file's numbered lines (all of them, or a part from a record boundary on: then with the
    file's ``clock``). In a format of one turn per line only the first lines and the lines that pass the fast
    test are parsed; in JSON Lines, the records that are surely not a turn to check are not (``_candidates``).
    ``roles``, where given: a visitor's line is not a candidate."""
    if fmt in LINE_FORMATS or fmt == "jsonl":
        return parse_numbered(_candidate_lines(numbered, linter, fmt, roles), fmt, name, problems, clock)
    if fmt == "srt":
        return parse_numbered(_candidate_cues(numbered, linter, roles), fmt, name, problems, clock)
    if clock is not None:
        return parse_numbered(numbered, fmt, name, problems, clock)
    return parse((line for _, line in numbered), fmt, name=name, problems=problems)


def _candidate_lines(
    numbered: Iterator[tuple[int, str]], linter: Linter, fmt: str, roles: Roles | None
) -> Iterator[tuple[int, str]]:
    """The first lines, then the lines that pass the fast test, taken a block of lines at a time. The lines
    read before an unreadable one are all tested before its error goes on, wherever the blocks begin."""
    sampled = _Sampled()
    while True:
        block: list[tuple[int, str]] = []
        try:
            block.extend(itertools.islice(numbered, _BLOCK_LINES))  # keeps what it took if reading fails
        except InputError:
            yield from _candidates(block, linter, fmt, roles, sampled)
            raise
        if not block:
            return
        yield from _candidates(block, linter, fmt, roles, sampled)


class _Sampled:
    """How much turn text the lines passed so far made (at least): while it is under the file's script sample
    (``FileScript.SAMPLE``), each passed line's turn is part of that sample."""

    def __init__(self) -> None:
        self.size = 0

    @property
    def open(self) -> bool:
        return self.size < FileScript.SAMPLE


def _checked_speakers(roles: Roles | None) -> Callable[[str | None], bool]:
    """Whether a speaker's turns are checked (``roles``, where given; every speaker's otherwise), worked out
    once for each distinct speaker of a block."""
    known: dict[str | None, bool] = {}

    def checked(speaker: str | None) -> bool:
        found = known.get(speaker)
        if found is None:
            found = known[speaker] = roles is None or roles.checked(speaker)
        return found

    return checked


_WINDOW_LINES = 256  # lines tested at a time while the script sample is being taken


def _utterances(lines: Sequence[str], fmt: str) -> Sequence[LineUtterance | None]:
    return jsonl_utterances(lines) if fmt == "jsonl" else line_utterances(lines, fmt)


def _parsed_anyway(u: LineUtterance | None) -> bool:
    """Whether parsing the line may do more than make its turn (read a date-time, report a time that is no
    time; or no turn is known): such a line is parsed whatever its words."""
    return u is None or not u.plain


def _candidates(
    block: list[tuple[int, str]], linter: Linter, fmt: str, roles: Roles | None, sampled: _Sampled
) -> Iterator[tuple[int, str]]:
    """The lines of ``block`` to parse: in a line format, the first lines of the file and those that pass
    the fast test of the line (``Linter.candidates_in``, the speaker and time with the words); in JSON Lines,
    every record.

    Which lines are parsed shows in more than the findings: every turn made until the file's script sample
    is full (``FileScript``) is in that sample, a date-time sets the file's clock, and a time or a record that
    cannot be read is reported. So while the sample is open, and for a line that may do any of that
    (``LineUtterance.plain`` false, or not known: None), those are the lines parsed. Elsewhere a line's
    parsing shows only in its findings, and a turn is checked only if its speaker is checked (``roles``,
    where given) and its text passes the fast test of a turn (``Linter.has_candidates``): there only such a
    line is a candidate (and in a line format, only if it passes the test of the line too). The same turns
    are checked, at a fraction of the cost: the test of a line, whose speaker and time often hold a key (工作
    人员 sounds like 做人), lets through most lines of a file; a turn's test, a few."""
    tested = fmt in LINE_FORMATS  # (JSON Lines has no test of the line: every record was parsed)
    start = 0
    while start < len(block) and sampled.open:  # the sample being taken: as ever, a few lines at a time
        part = block[start : start + _WINDOW_LINES]
        made = _utterances([line for _, line in part], fmt)
        keep = set(linter.candidates_in([line for _, line in part])) if tested else None
        passed = [
            k
            for k, (n, _) in enumerate(part)
            if keep is None or n <= HEAD_LINES or k in keep or _parsed_anyway(made[k])
        ]
        for k in passed:
            u = made[k]
            if u is not None and u.plain:  # (a line that may make no turn is not counted)
                sampled.size += len(u.text)
            yield part[k]
        start += len(part)
    if start >= len(block):
        return
    rest = block[start:]
    lines = [line for _, line in rest]
    utterances = _utterances(lines, fmt)
    checked = _checked_speakers(roles)
    turns: list[int] = []
    texts: list[str] = []
    for k, u in enumerate(utterances):
        if u is None or not u.text:
            continue
        if checked(u.speaker):
            turns.append(k)
            texts.append(u.text)
    by_words: set[int] = set()
    must = {k for k, u in enumerate(utterances) if _parsed_anyway(u)}
    texts_of = dict(zip(turns, texts))
    # a turn that passes the fast test is parsed only if it holds a violation (Linter.finds_any, whose hits
    # its check then finds remembered): elsewhere parsing its line would show nothing, and testing the line
    # (below) cost more than that
    passing = {
        k
        for k, passes in zip(turns, linter.has_candidates(texts, by_words))
        if passes and (k in must or linter.finds_any(texts_of[k]))
    }
    if tested:
        # a line whose utterance passed by its words passes the same test of the line, where its fold holds
        # the utterance's (Linter.candidates_in checks that, and tests the line itself otherwise); a line
        # parsed anyway is not tested (a bad time on a line of words that hold no key went unreported)
        utterance = {turns[i]: texts[i] for i in by_words}
        test = sorted(passing - must)
        keep = must | {
            test[i] for i in linter.candidates_in([lines[k] for k in test], [utterance.get(k) for k in test])
        }
        ask = [k for k, (n, _) in enumerate(rest) if n <= HEAD_LINES or k in keep]
    else:
        ask = sorted(must | passing)
    for k in ask:
        yield rest[k]


def _candidate_cues(
    numbered: Iterator[tuple[int, str]], linter: Linter, roles: Roles | None
) -> Iterator[tuple[int, str]]:
    """The lines of the SRT cues to parse, as ``_candidates`` chooses lines: every blank line (cues stay
    apart), and the lines of every block between them, but where the script sample is taken no more, those of
    a plain cue (``srt_cue_utterance``) only if it is a turn to check. Taken a few thousand lines at a time,
    up to a blank line; the lines read before an unreadable one are all parsed, as ever, before its error
    goes on."""
    sampled = _Sampled()
    while True:
        chunk: list[tuple[int, str]] = []
        try:
            chunk.extend(itertools.islice(numbered, _BLOCK_LINES))
            while chunk and chunk[-1][1].strip():  # on to the end of the block
                line = next(numbered, None)
                if line is None:
                    break
                chunk.append(line)
        except InputError:
            yield from chunk
            raise
        if not chunk:
            return
        yield from _cues(chunk, linter, roles, sampled)


def _cues(
    chunk: list[tuple[int, str]], linter: Linter, roles: Roles | None, sampled: _Sampled
) -> Iterator[tuple[int, str]]:
    blocks: list[list[tuple[int, str]]] = []  # runs of lines that are not blank, and each blank line alone
    cues: list[bool] = []  # for each block, whether it is a run (each line's blankness asked once)
    after_blank = True  # (the first line follows no line: it starts a block)
    for numbered_line in chunk:
        blank = not numbered_line[1].strip()
        if blank or after_blank:
            blocks.append([numbered_line])
            cues.append(not blank)
        else:
            blocks[-1].append(numbered_line)
        after_blank = blank
    names: dict[str, str | None] = {}
    utterances = [
        srt_cue_utterance([line for _, line in block], names) if cue else None
        for block, cue in zip(blocks, cues)
    ]
    ask: list[int] = []  # the blocks of plain cues of checked speakers, once the sample is taken
    texts: list[str] = []
    checked = _checked_speakers(roles)
    keep = [True] * len(blocks)
    for k, u in enumerate(utterances):
        if u is None:
            continue
        if sampled.open:  # every cue parsed, as ever
            sampled.size += len(u.text)
            continue
        keep[k] = False
        if not u.text:
            continue
        if checked(u.speaker):
            ask.append(k)
            texts.append(u.text)
    for k, passes, text in zip(ask, linter.has_candidates(texts), texts):
        keep[k] = passes and linter.finds_any(text)  # (as _candidates asks of a line's turn)
    for block, kept in zip(blocks, keep):
        if kept:
            yield from block


def check_turns(
    turns: Iterable[Turn],
    path: str,
    linter: Linter,
    roles: Roles,
    script: str | None,
    file_script: FileScript | None = None,
) -> Iterator[Finding]:
    """The findings of a file's turns, in order: the turns of staff (and of unknown speakers) that pass the
    fast candidate test are checked, with the file's script as the context of each. The one loop over a
    file's turns, for check and a transcript checked whole."""
    for turn, context in checked_turns(turns, linter, roles, file_script):
        yield from check_turn(turn, path, linter, script, context)


def checked_turns(
    turns: Iterable[Turn], linter: Linter, roles: Roles, file_script: FileScript | None = None
) -> Iterator[tuple[Turn, str]]:
    """The turns to check (staff and unknown speakers whose text passes the fast candidate test), each with
    the script of its file (judged from the first turns) as the context for utterances that show none."""
    file_script = file_script or FileScript()
    checked: dict[str | None, bool] = {}  # speaker → checked: a transcript has few speakers, many turns
    remaining = iter(turns)
    while True:
        # a block of turns at a time, so that the fast test scores them together (the tone model's arrays);
        # the turns read before one that cannot be read are all handled before its error goes on
        block: list[Turn] = []
        failure: Exception | None = None
        try:
            block.extend(itertools.islice(remaining, _BLOCK_LINES))  # keeps what it took if reading fails
        except Exception as error:  # raised again below, after the turns read before it
            failure = error
        staff = []
        for turn in block:
            is_checked = checked.get(turn.speaker)
            if is_checked is None:
                is_checked = checked[turn.speaker] = roles.checked(turn.speaker)
            staff.append(is_checked)
        candidate = iter(linter.has_candidates([t.text for t, s in zip(block, staff) if s]))
        for turn, is_checked in zip(block, staff):
            if file_script.sampling:
                file_script.feed(turn.text)
            if is_checked and next(candidate):
                yield turn, file_script.get()
        if failure is not None:
            raise failure
        if len(block) < _BLOCK_LINES:
            return
