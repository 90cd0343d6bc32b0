"""The questions (judge, rewrite, choose): their steps and how an answer is graded by the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..engine.linter import Linter
from ..engine.normalize import fold
from ..model import Rule, StandardPhrase, Violation
from .items import Item
from .settings import JudgeWeights, Marker, RewriteWeights
from .text import marker_met, similarity, simplified, sources_line

VERDICTS: tuple[str, str] = ("可以说", "不能说")

Answer = int | str  # an option's index (0-based) or a free text; a step left unanswered has none


@dataclass(frozen=True)
class Step:
    """One prompt of a question: pick one of ``options``, or, where there are none, write a text."""

    prompt: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grade:
    """The outcome of one question: a score from 0 to 100 and what to tell the trainee."""

    score: int
    feedback: tuple[str, ...]


class Question(Protocol):
    """What the CLI asks: the question's lines, then its steps one by one, then the grade."""

    @property
    def item(self) -> Item: ...

    @property
    def lines(self) -> tuple[str, ...]: ...  # the question, shown before the first step

    @property
    def prompt(self) -> str: ...  # what the question asks about, as kept in the database

    def next_step(self, answers: Sequence[Answer]) -> Step | None: ...

    def grade(self, answers: Sequence[Answer]) -> Grade: ...


def parse_option(step: Step, raw: str) -> int | None:
    """The option index an answer names: its number (1-based) or its text; None for anything else."""
    text = raw.strip()
    digits = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if digits.isdigit() and 1 <= int(digits) <= len(step.options):
        return int(digits) - 1
    key = fold(text)
    for i, option in enumerate(step.options):
        if key and key == fold(option):
            return i
    return None


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


@dataclass(frozen=True)
class JudgeQuestion:
    """May staff say ``utterance``? If not: in which situation, and why (the rule's category)?"""

    item: Item
    utterance: str
    violations: tuple[Violation, ...]
    situation_options: tuple[str, ...]  # situation ids
    reason_options: tuple[str, ...]  # categories
    situation_names: Mapping[str, str]
    weights: JudgeWeights
    notes: tuple[str, ...]  # what to say about the utterance after the answer: rule, message, code, rewrite

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"工作人员说: 「{self.utterance}」",)

    @property
    def prompt(self) -> str:
        return self.utterance

    @property
    def flagged(self) -> bool:
        return bool(self.violations)

    def next_step(self, answers: Sequence[Answer]) -> Step | None:
        if not answers:
            return Step("这句话能说吗?", VERDICTS)
        if answers[0] != 1 or not self.flagged:
            return None
        if len(answers) == 1:
            return Step("在什么场合?", tuple(self.situation_names[s] for s in self.situation_options))
        if len(answers) == 2:
            return Step("错在哪里?", self.reason_options)
        return None

    def grade(self, answers: Sequence[Answer]) -> Grade:
        verdict = answers[0] if answers else None
        right = verdict == (1 if self.flagged else 0)
        lines = [f"{_mark(right)} 这句话{VERDICTS[1] if self.flagged else VERDICTS[0]}。"]
        score = 0
        if right and not self.flagged:
            score = 100
        elif right:
            situations = {v.situation for v in self.violations}
            reasons = {v.category for v in self.violations}
            got_situation = len(answers) > 1 and self.situation_options[int(answers[1])] in situations
            got_reason = len(answers) > 2 and self.reason_options[int(answers[2])] in reasons
            names = "、".join(self.situation_names[s] for s in sorted(situations))
            lines.append(f"{_mark(got_situation)} 场合: {names}")
            lines.append(f"{_mark(got_reason)} 错在: {'、'.join(sorted(reasons))}")
            score = (
                self.weights.verdict
                + self.weights.situation * got_situation
                + self.weights.reason * got_reason
            )
        return Grade(score, (*lines, *self.notes))


@dataclass(frozen=True)
class RewriteQuestion:
    """Rewrite the forbidden ``utterance`` politely for its situation."""

    item: Item
    rule: Rule
    utterance: str
    situation_name: str
    requirements: tuple[tuple[Marker, ...], ...]
    references: tuple[str, ...]  # every wording of the codes it is compared with (templates)
    shown: tuple[str, ...]  # the wordings shown after the answer
    weights: RewriteWeights
    linter: Linter = field(compare=False, repr=False)

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"场合: {self.situation_name}", f"工作人员说: 「{self.utterance}」")

    @property
    def prompt(self) -> str:
        return self.utterance

    def next_step(self, answers: Sequence[Answer]) -> Step | None:
        return None if answers else Step("请改写成规范用语:")

    def grade(self, answers: Sequence[Answer]) -> Grade:
        text = str(answers[0]) if answers else ""
        score, lines = self._score(text) if text.strip() else (0, ["✗ 未作答。"])
        lines.append(f"忌语说明: {self.rule.message}")
        lines.append("规范说法:")
        lines.extend(f"  · {t}" for t in self.shown)
        source = sources_line(self.rule.sources)
        return Grade(score, (*lines, *([source] if source else [])))

    def _score(self, text: str) -> tuple[int, list[str]]:
        violations = self.linter.check(simplified(text), script="simplified")
        if violations:
            return 0, [f"✗ 仍有服务忌语「{v.text}」({v.rule}): {v.message}" for v in violations]
        met = [req for req in self.requirements if any(marker_met(m, text) for m in req)]
        missing = [req for req in self.requirements if req not in met]
        polite = len(met) / len(self.requirements) if self.requirements else 1.0
        best, closest = max((similarity(text, ref), ref) for ref in self.references)
        close = min(1.0, best / self.weights.full_at)
        score = round(self.weights.politeness * polite + self.weights.closeness * close)
        lines = ["✓ 没有服务忌语。"]
        if met:
            lines.append("✓ 礼貌: " + "; ".join(" 或 ".join(m.label for m in req) for req in met))
        if missing:
            lines.append("✗ 缺少: " + "; ".join(" 或 ".join(m.label for m in req) for req in missing))
        nearest = f", 最接近: {closest}" if best > 0 else ""
        lines.append(f"{_mark(close >= 1)} 与规范说法的相近度 {round(best * 100)}%{nearest}")
        return score, lines


@dataclass(frozen=True)
class Option:
    """One sentence of a choose question, and what it is."""

    text: str
    standard: bool
    situation: str
    origin: str


@dataclass(frozen=True)
class ChooseQuestion:
    """Which of ``options`` is the codes' standard phrase for ``situation``?"""

    item: Item
    situation_name: str
    options: tuple[Option, ...]
    answer: int
    situation_names: Mapping[str, str]
    phrase: StandardPhrase
    kind_name: str

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"场合: {self.situation_name}",)

    @property
    def prompt(self) -> str:
        return f"{self.situation_name}: {self.options[self.answer].text}"

    def next_step(self, answers: Sequence[Answer]) -> Step | None:
        if answers:
            return None
        return Step("服务规范规定这个场合说哪一句?", tuple(o.text for o in self.options))

    def grade(self, answers: Sequence[Answer]) -> Grade:
        right = bool(answers) and answers[0] == self.answer
        lines = [
            f"{_mark(right)} 规范用语是 {self.answer + 1}「{self.options[self.answer].text}」({self.kind_name})。"
        ]
        for i, option in enumerate(self.options):
            if i != self.answer:
                name = self.situation_names[option.situation]
                what = f"规范用语, 但用于{name}" if option.standard else f"服务忌语({name})"
                lines.append(f"  {i + 1}「{option.text}」: {what}")
        source = sources_line(self.phrase.sources)
        return Grade(100 if right else 0, (*lines, *([source] if source else [])))
