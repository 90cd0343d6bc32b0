"""A transcript checked whole: read once, its phrase findings and its conversation rules (check --conversation,
report)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from ..engine.linter import Linter
from ..errors import InputError, InputErrors
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
        problems: list[InputError] = []
        turns = tuple(parse(lines, reading.input_format, name=path, problems=problems))
    if problems:
        raise InputErrors(problems)
    phrases = tuple(check_turns(turns, path, linter, roles, reading.script))
    result = check_conversation(turns, roles, rules, path=path, script=reading.script, slots=slots)
    return Transcript(path, turns, phrases, result)
