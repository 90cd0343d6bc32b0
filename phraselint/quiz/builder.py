"""Building a session's questions from the catalogue, the linter and the settings (``Quiz``)."""

from __future__ import annotations

import dataclasses
import functools
import random
from collections.abc import Mapping, Sequence

from ..data.catalogue import Catalogue
from ..engine.linter import Linter
from ..model import Rule, StandardPhrase, Violation
from .items import Item, judge_items, rewrite_items
from .questions import ChooseQuestion, JudgeQuestion, Option, Question, RewriteQuestion
from .settings import QuizConfig
from .text import fill, similarity, sources_line, unique


class Quiz:
    """The catalogue, the engine and the quiz settings: everything an item and a question are built from."""

    def __init__(self, catalogue: Catalogue, linter: Linter, config: QuizConfig) -> None:
        self.catalogue = catalogue
        self.linter = linter
        self.config = config
        self._names: Mapping[str, str] = catalogue.vocabulary.situations

    @functools.cached_property
    def items(self) -> tuple[Item, ...]:
        """Every item, in catalogue order: judge, then rewrite, then choose items."""
        rules = self.linter.rules
        return (
            *judge_items(self.catalogue, rules, self.config),
            *rewrite_items(rules),
            *self._choose_items(),
        )

    def question(self, item: Item, rng: random.Random) -> Question:
        if item.kind == "judge":
            return self._judge(item, rng)
        if item.kind == "rewrite":
            return self._rewrite(item)
        return self._choose(item, rng)

    # judge

    def _judge(self, item: Item, rng: random.Random) -> JudgeQuestion:
        utterance = fill(item.text, self.config.slot_samples)
        violations = tuple(self.linter.check(utterance, script="simplified"))
        options = self.config.judge.options
        vocab = self.catalogue.vocabulary
        situations = _options_with(
            sorted({v.situation for v in violations}), list(vocab.situations), options, rng
        )
        reasons = _options_with(
            sorted({v.category for v in violations}), list(vocab.categories), options, rng
        )
        rewrite = self.linter.rewrite(utterance, script="simplified") if violations else None
        return JudgeQuestion(
            item,
            utterance,
            violations,
            situations,
            reasons,
            self._names,
            self.config.judge,
            tuple(self._judge_notes(item, violations, rewrite)),
        )

    def _judge_notes(self, item: Item, violations: Sequence[Violation], rewrite: str | None) -> list[str]:
        if violations:
            return self._violation_notes(violations, rewrite)
        phrase = self._phrases.get(item.origin)
        if phrase is not None:
            kind = self.catalogue.vocabulary.kinds.get(phrase.kind, phrase.kind)
            source = sources_line(phrase.sources)
            return [
                f"这是规范用语({kind}, {self._names[phrase.situation]})。",
                *([f"  {source}"] if source else []),
            ]
        rule = self._rules.get(item.origin)
        if rule is not None and item.text in rule.pass_examples:
            return [f"它与忌语「{fill(rule.phrase, self.config.slot_samples)}」相似, 但不算忌语。"]
        return []

    def _violation_notes(self, violations: Sequence[Violation], rewrite: str | None) -> list[str]:
        notes: list[str] = []
        for v in {v.rule: v for v in violations}.values():
            notes.append(f"忌语「{v.text}」({self._names[v.situation]} · {v.category}): {v.message}")
            source = sources_line(v.sources)
            if source:
                notes.append(f"  {source}")
        better = rewrite or next((s for v in violations for s in v.suggestions), None)
        if better:
            notes.append(f"可以这样说: {better}")
        return notes

    # rewrite

    def _rewrite(self, item: Item) -> RewriteQuestion:
        rule = self._rules[item.origin]
        own = [rw.text for rw in rule.rewrites]
        phrases = [p for p in self.catalogue.standard if p.situation == rule.situation]
        every = [t for p in phrases for t in (p.text, *(v.text for v in p.variants if not v.typo))]
        # What a trainee is shown never holds a raw {slot}: each is filled with the quiz's sample value.
        samples = self.config.slot_samples
        shown = unique([fill(t, samples) for t in (*own, *(p.text for p in phrases))])[
            : self.config.rewrite.references
        ]
        return RewriteQuestion(
            item,
            dataclasses.replace(rule, message=fill(rule.message, samples)),
            fill(rule.phrase, self.config.slot_samples),
            self._names[rule.situation],
            self.config.requirements(rule.situation),
            tuple(unique([fill(t, samples) for t in (*own, *every)])),
            tuple(shown),
            self.config.rewrite,
            self.linter,
        )

    # choose

    def _choose(self, item: Item, rng: random.Random) -> ChooseQuestion:
        phrase = self._phrases[item.origin]
        right = Option(fill(phrase.text, self.config.slot_samples), True, phrase.situation, phrase.id)
        options = [right, *self._distractors(item.situation, rng)]
        rng.shuffle(options)
        kind = self.catalogue.vocabulary.kinds.get(phrase.kind, phrase.kind)
        return ChooseQuestion(
            item,
            self._names[phrase.situation],
            tuple(options),
            options.index(right),
            self._names,
            phrase,
            kind,
        )

    def _choose_items(self) -> list[Item]:
        """A choose item for every standard phrase of a situation with enough wrong options."""
        wanted = self.config.choose.options - 1
        return [
            Item(f"choose:{p.id}", "choose", p.situation, p.text, p.id)
            for p in self.catalogue.standard
            if p.situation not in self.config.choose.any_situation
            and len(self._forbidden_pool(p.situation)) + len(self._standard_pool[p.situation]) >= wanted
            and len(self._standard_pool[p.situation]) >= wanted - self.config.choose.forbidden
        ]

    def _distractors(self, situation: str, rng: random.Random) -> list[Option]:
        """The wrong options: ``forbidden`` forbidden phrases, the rest standard phrases of other situations."""
        forbidden = self._forbidden_pool(situation)
        picked = rng.sample(forbidden, min(self.config.choose.forbidden, len(forbidden)))
        standard = self._standard_pool[situation]
        return picked + rng.sample(standard, self.config.choose.options - 1 - len(picked))

    def _forbidden_pool(self, situation: str) -> list[Option]:
        """The forbidden phrases of ``situation``, or of every situation where it has too few."""
        samples = self.config.slot_samples
        same = [r for r in self.linter.rules if r.situation == situation]
        rules = same if len(same) >= self.config.choose.forbidden else self.linter.rules
        return [Option(fill(r.phrase, samples), False, r.situation, r.id) for r in rules]

    @functools.cached_property
    def _standard_pool(self) -> dict[str, list[Option]]:
        """For each situation, the standard phrases of the others that are not like any of its own (a phrase
        that suits every situation is never a wrong option)."""
        settings = self.config.choose
        usable = [p for p in self.catalogue.standard if p.situation not in settings.any_situation]
        pools: dict[str, list[Option]] = {}
        for situation in self._names:
            own = [
                t
                for p in self.catalogue.standard
                if p.situation == situation
                for t in (p.text, *(v.text for v in p.variants))
            ]
            pools[situation] = [
                Option(fill(p.text, self.config.slot_samples), True, p.situation, p.id)
                for p in usable
                if p.situation != situation
                and all(similarity(p.text, t) <= settings.max_similarity for t in own)
            ]
        return pools

    @functools.cached_property
    def _phrases(self) -> dict[str, StandardPhrase]:
        return {p.id: p for p in self.catalogue.standard}

    @functools.cached_property
    def _rules(self) -> dict[str, Rule]:
        return {r.id: r for r in self.linter.rules}


def _options_with(
    correct: Sequence[str], pool: Sequence[str], size: int, rng: random.Random
) -> tuple[str, ...]:
    """``correct`` and enough others of ``pool`` to make ``size`` options, shuffled."""
    others = [x for x in pool if x not in correct]
    picked = [*correct[:size], *rng.sample(others, max(0, min(len(others), size - len(correct))))]
    rng.shuffle(picked)
    return tuple(picked)
