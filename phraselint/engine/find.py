"""Finding candidates: one Aho-Corasick pass over the folded text for every wording of every rule."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import ahocorasick

from ..model import SLOT_RE, Rule, Source
from .normalize import fold_with_map, stutters


@dataclass(frozen=True)
class Pattern:
    """One folded wording of a rule; ``slot`` names the trailing slot the wording ends in, if any;
    ``breaks`` are the offsets in ``key`` where the wording has punctuation: the only places where a match
    may cross a clause boundary of the text."""

    rule: Rule
    key: str
    wording: str
    slot: str | None
    breaks: frozenset[int] = frozenset()
    sources: tuple[Source, ...] = ()  # the sources of the wording itself, where a variant has its own


@dataclass(frozen=True)
class Candidate:
    """A place in the folded text where a pattern occurs: ``start``..``end`` (exclusive)."""

    pattern: Pattern
    start: int
    end: int


def literal_and_slot(wording: str) -> tuple[str, str | None]:
    """Split a wording into the words to match and the name of its trailing slot."""
    m = SLOT_RE.search(wording)
    if not m:
        return wording, None
    return wording[: m.start()], m.group(1)


def _sources_of(rule: Rule, wording: str) -> tuple[Source, ...]:
    return tuple(s for v in rule.variants if v.text == wording for s in v.sources)


class Finder:
    """An automaton over every folded wording of ``rules``. Read-only once built: safe to share across threads."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Pattern]] = {}
        for rule in rules:
            for wording in rule.wordings:
                literal, slot = literal_and_slot(wording)
                folded = fold_with_map(literal)
                key = folded.text
                if key:
                    breaks = frozenset(i for i in range(1, len(key)) if folded.boundary[i])
                    patterns = by_key.setdefault(key, [])
                    same = [k for k, p in enumerate(patterns) if p.rule.id == rule.id]
                    if same:  # wordings that differ only in punctuation: it may stand at any of their places
                        old = patterns[same[0]]
                        patterns[same[0]] = Pattern(
                            rule,
                            key,
                            old.wording,
                            old.slot,
                            old.breaks | breaks,
                            old.sources + _sources_of(rule, wording),
                        )
                    else:
                        patterns.append(Pattern(rule, key, wording, slot, breaks, _sources_of(rule, wording)))
        for key, patterns in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(patterns)))
        # The fast test runs on text whose stutters are not collapsed yet: it also knows each key said with
        # one stutter. Those keys never occur in collapsed text, so candidates() skips them.
        for key in by_key:
            for variant in stutters(key):
                if variant not in by_key:
                    self._automaton.add_word(variant, (len(variant), ()))
        self.empty = not by_key
        if not self.empty:
            self._automaton.make_automaton()

    def has_candidate(self, prefolded: str) -> bool:
        """The fast test run on every utterance, on its :func:`~phraselint.engine.normalize.prefold`."""
        if self.empty or not prefolded:
            return False
        for _ in self._automaton.iter(prefolded):
            return True
        return False

    def candidates(self, folded: str) -> Iterator[Candidate]:
        if self.empty or not folded:
            return
        for end_index, (length, patterns) in self._automaton.iter(folded):
            for pattern in patterns:
                yield Candidate(pattern, end_index + 1 - length, end_index + 1)
