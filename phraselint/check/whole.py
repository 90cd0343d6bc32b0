"""A transcript checked whole: read once, its phrase findings and its conversation rules (check --conversation,
report)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass

from ..engine.linter import Linter
from ..errors import InputError, InputErrors
from ..read.calls import Call
from ..read.decode import display_name, open_text
from ..read.formats import parse
from ..read.transcript import Turn
from .baseline import Baseline, Entry
from .conversation import ConversationResult, ConversationRules, check_conversation
from .files import DETECTED, Finding, Reading, Roles, check_turns
from .suppress import Suppressions


@dataclass(frozen=True)
class Transcript:
    """One transcript read and checked: its turns, its forbidden-phrase findings and its conversation result."""

    path: str
    turns: tuple[Turn, ...]
    phrases: tuple[Finding, ...]
    conversation: ConversationResult
    call: Call | None = None  # where the transcript is one call of an export of many
    # Findings judged by a person (check/baseline.py), left out of ``phrases`` and ``conversation``: each with
    # its status (``disputed``: does not count; ``justified``: still counts where a score is kept).
    judged: tuple[tuple[Finding, Entry], ...] = ()

    @property
    def key(self) -> str:
        """The conversation as a baseline names it: the call id of an export, else the path."""
        return self.call.id if self.call is not None else display_name(self.path)

    def without(self, baseline: Baseline) -> Transcript:
        """The transcript with the findings ``baseline`` judges moved to ``judged`` (a transcript file named
        in the baseline either way it names files: see check/baseline.py)."""
        calls = (self.key,) if self.call is not None else baseline.calls_of_file(self.path)
        phrases, said = list(self.phrases), list(self.conversation.findings)
        judged_phrases: list[tuple[Finding, Entry]] = []
        judged_said: list[tuple[Finding, Entry]] = []
        for call in calls:
            phrases, found = baseline.split(call, phrases)
            judged_phrases += found
            said, found = baseline.split(call, said)
            judged_said += found
        judged = (*judged_phrases, *judged_said)
        if not judged:
            return self
        conversation = dataclasses.replace(self.conversation, findings=tuple(said))
        return dataclasses.replace(self, phrases=tuple(phrases), conversation=conversation, judged=judged)

    @property
    def counted(self) -> tuple[Finding, ...]:
        """What a score counts: the findings, and those judged justified."""
        return (*self.findings, *(f for f, e in self.judged if e.status == "justified"))

    @functools.cached_property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, in file order (phrase findings first where two stand at one place)."""
        return tuple(sorted((*self.phrases, *self.conversation.findings), key=lambda f: (f.line, f.column)))


def analyse_file(
    path: str,
    linter: Linter,
    roles: Roles,
    rules: ConversationRules,
    reading: Reading = DETECTED,
    *,
    slots: Mapping[str, str] | None = None,
) -> Transcript:
    """Read one transcript once and check it whole: what ``lint_file`` finds, and the conversation rules.
    Raises InputError for an unreadable file. A finding its suppression comments (check/suppress.py) silence
    is left out (an unused comment is reported by ``check`` alone)."""
    silenced = Suppressions(path)
    with open_text(path, encoding=reading.encoding) as (_, lines):
        problems: list[InputError] = []
        numbered = silenced.watch(enumerate(lines, 1))
        turns = tuple(parse((x for _, x in numbered), reading.input_format, name=path, problems=problems))
    if problems:
        raise InputErrors(problems)
    whole = analyse_turns(turns, path, linter, roles, rules, reading, slots=slots)
    if not silenced:
        return whole
    said = tuple(silenced.apply(whole.conversation.findings, report_unused=False))
    return dataclasses.replace(
        whole,
        phrases=tuple(silenced.apply(whole.phrases, report_unused=False)),
        conversation=dataclasses.replace(whole.conversation, findings=said),
    )


def analyse_turns(
    turns: tuple[Turn, ...],
    path: str,
    linter: Linter,
    roles: Roles,
    rules: ConversationRules,
    reading: Reading = DETECTED,
    *,
    slots: Mapping[str, str] | None = None,
    call: Call | None = None,
) -> Transcript:
    """The turns of one conversation checked whole (``call``: the call of an export they come from)."""
    phrases = tuple(check_turns(turns, path, linter, roles, reading.script))
    result = check_conversation(turns, roles, rules, path=path, script=reading.script, slots=slots)
    return Transcript(path, turns, phrases, result, call)


def analyse_call(
    call: Call,
    linter: Linter,
    roles: Roles,
    rules: ConversationRules,
    reading: Reading = DETECTED,
    *,
    slots: Mapping[str, str] | None = None,
) -> Transcript:
    """One call of an export checked whole."""
    return analyse_turns(call.turns, call.path, linter, roles, rules, reading, slots=slots, call=call)
