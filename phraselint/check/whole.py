"""A transcript checked whole: read once, its phrase findings and its conversation rules (check --conversation,
report)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..engine.linter import Linter
from ..read.decode import open_text
from ..read.formats import parse
from ..read.transcript import Turn
from .conversation import ConversationResult, ConversationRules, check_conversation
from .files import DETECTED, Finding, Reading, Roles, check_turns


@dataclass(frozen=True)
class Transcript:
    """One transcript read and checked: its turns, its forbidden-phrase findings and its conversation result."""

    path: str
    turns: tuple[Turn, ...]
    phrases: tuple[Finding, ...]
    conversation: ConversationResult

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
    Raises InputError for an unreadable file."""
    with open_text(path, encoding=reading.encoding) as (_, lines):
        turns = tuple(parse(lines, reading.input_format, name=path))
    return analyse_turns(turns, path, linter, roles, rules, reading.script, slots=slots)


def analyse_turns(
    turns: Sequence[Turn],
    path: str,
    linter: Linter,
    roles: Roles,
    rules: ConversationRules,
    script: str | None = None,
    *,
    slots: Mapping[str, str] | None = None,
) -> Transcript:
    """The turns of one conversation, in order, checked whole (pure: what ``analyse_file`` does once the
    transcript is read, and what phraselint.spark does with the utterances of one call)."""
    turns = tuple(turns)
    phrases = tuple(check_turns(turns, path, linter, roles, script))
    result = check_conversation(turns, roles, rules, path=path, script=script, slots=slots)
    return Transcript(path, turns, phrases, result)
