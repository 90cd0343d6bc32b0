"""The training quiz (培训测验): questions built from the catalogues, answers graded by the engine.

Three kinds of question (题型):

- ``judge`` (判断): an utterance from a rule's examples or wordings or a standard phrase; may staff say it?
  If not, in which situation, and why (the category). The engine's verdict (:meth:`Linter.check`) is the
  answer; the feedback names the rule, its message, and the code and clause that forbid it.
- ``rewrite`` (改写): a forbidden phrase and its situation; the trainee writes a polite version, graded by
  the engine (no violation), the politeness the situation calls for and the closeness to the codes' wording.
- ``choose`` (选择): a situation and four sentences; one is the codes' standard phrase for it.

Everything here is a pure function of the catalogue, the linter, the quiz settings (``rules/quiz.yml``), a
random generator and the time; reading answers and keeping progress belong to the CLI and the store. The
spaced repetition (FSRS, through the ``fsrs`` package) is here too: a score becomes a rating, a rating moves
a card, and the cards' due times order the next session.
"""

from __future__ import annotations

import functools
import json
import random
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import fsrs

from ..data.catalogue import Catalogue, builtin_rules_dir, read_yaml
from ..engine.linter import Linter
from ..engine.normalize import fold
from ..engine.script import converter
from ..engine.words import tokenizer
from ..errors import CatalogueError
from ..model import SLOT_RE, Rule, Source, StandardPhrase, Violation

KINDS: tuple[str, ...] = ("judge", "rewrite", "choose")
KIND_NAMES: dict[str, str] = {"judge": "判断", "rewrite": "改写", "choose": "选择"}
VERDICTS: tuple[str, str] = ("可以说", "不能说")

Answer = int | str  # an option's index (0-based) or a free text; a step left unanswered has none


# --- settings (rules/quiz.yml) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """A politeness marker (礼貌标记): met when one of ``words`` occurs outside every ``exempt`` word."""

    id: str
    label: str
    words: tuple[str, ...]
    exempt: tuple[str, ...] = ()


@dataclass(frozen=True)
class RewriteWeights:
    politeness: int
    closeness: int
    full_at: float
    references: int


@dataclass(frozen=True)
class JudgeWeights:
    verdict: int
    situation: int
    reason: int
    options: int


@dataclass(frozen=True)
class ChooseSettings:
    options: int
    forbidden: int
    max_similarity: float
    any_situation: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    desired_retention: float
    learning_steps: tuple[int, ...]  # minutes
    relearning_steps: tuple[int, ...]
    hard: int  # the lowest score rated Hard; below it, Again
    good: int
    easy: int


@dataclass(frozen=True)
class QuizConfig:
    """The quiz settings: politeness markers and requirements, weights, scheduling, slot samples."""

    markers: Mapping[str, Marker]
    politeness: Mapping[str, tuple[tuple[str, ...], ...]]  # situation → requirements → markers (any one)
    rewrite: RewriteWeights
    judge: JudgeWeights
    choose: ChooseSettings
    schedule: Schedule
    slot_samples: Mapping[str, str]
    path: str = ""

    def requirements(self, situation: str) -> tuple[tuple[Marker, ...], ...]:
        reqs = self.politeness.get(situation, self.politeness.get("default", ()))
        return tuple(tuple(self.markers[m] for m in req) for req in reqs)


class _Node:
    """A mapping of quiz.yml with the path and line for error messages."""

    def __init__(self, data: Any, path: str, what: str, line: int = 1) -> None:
        if not isinstance(data, dict):
            raise CatalogueError(f"{what} must be a mapping", path, line)
        self.data, self.path, self.what = data, path, what
        self.line = data.get("__line__", line)

    def fail(self, message: str) -> CatalogueError:
        return CatalogueError(f"{self.what}: {message}", self.path, self.line)

    def keys(self) -> list[str]:
        return [k for k in self.data if k != "__line__"]

    def child(self, key: str) -> _Node:
        if key not in self.data:
            raise self.fail(f"missing '{key}'")
        return _Node(
            self.data[key], self.path, f"{self.what}.{key}" if self.what != "quiz" else key, self.line
        )

    def only(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        unknown = sorted(k for k in self.keys() if k not in allowed)
        if unknown:
            raise self.fail(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")

    def number(self, key: str, lo: float, hi: float, integer: bool = True) -> Any:
        value = self.data.get(key)
        allowed = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed) or not lo <= value <= hi:
            kind = "a whole number" if integer else "a number"
            raise self.fail(f"'{key}' must be {kind} from {lo} to {hi}, not {value!r}")
        return value

    def words(self, key: str, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key, [] if not required else None)
        if not isinstance(value, list) or (required and not value):
            raise self.fail(f"'{key}' must be a non-empty list")
        out = tuple(str(x).strip() for x in value)
        if any(not x for x in out):
            raise self.fail(f"'{key}' has an empty entry")
        return out

    def minutes(self, key: str) -> tuple[int, ...]:
        value = self.data.get(key)
        if not isinstance(value, list) or any(
            isinstance(x, bool) or not isinstance(x, int) or x < 1 for x in value
        ):
            raise self.fail(f"'{key}' must be a list of whole minutes (1 or more)")
        return tuple(value)


def quiz_config_path() -> Path:
    return builtin_rules_dir() / "quiz.yml"


def load_quiz_config(
    situations: Iterable[str], slots: Iterable[str], path: Path | str | None = None
) -> QuizConfig:
    """Read and validate quiz.yml against the vocabulary's ``situations`` and ``slots``; every problem is a
    CatalogueError naming the file, the line and the key."""
    name = str(path or quiz_config_path())
    root = _Node(read_yaml(name), name, "quiz")
    root.only({"version", "markers", "politeness", "rewrite", "judge", "choose", "schedule", "slot_samples"})
    situations = tuple(situations)
    markers = _markers(root.child("markers"))
    return QuizConfig(
        markers,
        _politeness(root.child("politeness"), markers, situations),
        _rewrite(root.child("rewrite")),
        _judge(root.child("judge")),
        _choose(root.child("choose"), situations),
        _schedule(root.child("schedule")),
        _slot_samples(root.child("slot_samples"), tuple(slots)),
        name,
    )


def _markers(node: _Node) -> dict[str, Marker]:
    out: dict[str, Marker] = {}
    for key in node.keys():
        item = node.child(key)
        item.only({"label", "words", "exempt"})
        label = str(item.data.get("label") or "").strip()
        if not label:
            raise item.fail("missing 'label'")
        out[str(key)] = Marker(str(key), label, item.words("words"), item.words("exempt", required=False))
    if not out:
        raise node.fail("no markers")
    return out


def _politeness(
    node: _Node, markers: Mapping[str, Marker], situations: Sequence[str]
) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for key in node.keys():
        if key != "default" and key not in situations:
            raise node.fail(f"unknown situation '{key}' (known: default, {', '.join(situations)})")
        value = node.data[key]
        if not isinstance(value, list):
            raise node.fail(f"'{key}' must be a list of markers")
        reqs = []
        for req in value:
            names = tuple(str(x) for x in (req if isinstance(req, list) else [req]))
            unknown = [n for n in names if n not in markers]
            if not names or unknown:
                raise node.fail(
                    f"'{key}': unknown marker '{unknown[0] if unknown else ''}' (known: {', '.join(markers)})"
                )
            reqs.append(names)
        out[str(key)] = tuple(reqs)
    missing = [s for s in situations if s not in out]
    if missing and "default" not in out:
        raise node.fail(f"no requirements for '{missing[0]}' and no 'default'")
    return out


def _rewrite(node: _Node) -> RewriteWeights:
    node.only({"politeness", "closeness", "full_at", "references"})
    weights = RewriteWeights(
        node.number("politeness", 0, 100),
        node.number("closeness", 0, 100),
        float(node.number("full_at", 0.01, 1.0, integer=False)),
        node.number("references", 1, 50),
    )
    if weights.politeness + weights.closeness != 100:
        raise node.fail("'politeness' and 'closeness' must add up to 100")
    return weights


def _judge(node: _Node) -> JudgeWeights:
    node.only({"verdict", "situation", "reason", "options"})
    weights = JudgeWeights(
        node.number("verdict", 0, 100),
        node.number("situation", 0, 100),
        node.number("reason", 0, 100),
        node.number("options", 2, 10),
    )
    if weights.verdict + weights.situation + weights.reason != 100:
        raise node.fail("'verdict', 'situation' and 'reason' must add up to 100")
    return weights


def _choose(node: _Node, situations: Sequence[str]) -> ChooseSettings:
    node.only({"options", "forbidden", "max_similarity", "any_situation"})
    options = node.number("options", 2, 10)
    settings = ChooseSettings(
        options,
        node.number("forbidden", 0, options - 1),
        float(node.number("max_similarity", 0.0, 1.0, integer=False)),
        node.words("any_situation", required=False),
    )
    for name in settings.any_situation:
        if name not in situations:
            raise node.fail(f"unknown situation '{name}' in 'any_situation'")
    return settings


def _schedule(node: _Node) -> Schedule:
    node.only({"desired_retention", "learning_steps", "relearning_steps", "ratings"})
    ratings = node.child("ratings")
    ratings.only({"hard", "good", "easy"})
    hard, good, easy = (ratings.number(k, 1, 100) for k in ("hard", "good", "easy"))
    if not hard <= good <= easy:
        raise ratings.fail("the scores must rise: hard <= good <= easy")
    return Schedule(
        float(node.number("desired_retention", 0.5, 0.99, integer=False)),
        node.minutes("learning_steps"),
        node.minutes("relearning_steps"),
        hard,
        good,
        easy,
    )


def _slot_samples(node: _Node, slots: Sequence[str]) -> dict[str, str]:
    out = {}
    for key in node.keys():
        if key not in slots:
            raise node.fail(f"unknown slot '{key}' (known: {', '.join(slots)})")
        value = str(node.data[key]).strip()
        if not value or SLOT_RE.search(value):
            raise node.fail(f"'{key}' needs a sample text without braces")
        out[str(key)] = value
    return out


# --- text helpers -----------------------------------------------------------------------------------


def fill(template: str, samples: Mapping[str, str]) -> str:
    """``template`` with every slot replaced by its sample (or its name, where there is none)."""
    return SLOT_RE.sub(lambda m: samples.get(m.group(1), m.group(1)), template)


def simplified(text: str) -> str:
    out: str = converter("t2s").convert(text)
    return out


def marker_met(marker: Marker, text: str) -> bool:
    """Whether ``text`` (either script) shows ``marker``: one of its words outside every exempt word."""
    plain = simplified(text)
    covered = [False] * len(plain)
    for word in marker.exempt:
        start = plain.find(word)
        while start != -1:
            covered[start : start + len(word)] = [True] * len(word)
            start = plain.find(word, start + 1)
    for word in marker.words:
        start = plain.find(word)
        while start != -1:
            if not all(covered[start : start + len(word)]):
                return True
            start = plain.find(word, start + 1)
    return False


def _dice(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


@functools.lru_cache(maxsize=4096)
def _features(text: str) -> tuple[Counter[str], Counter[str]]:
    folded = fold(SLOT_RE.sub("", text))
    words = Counter(tokenizer().lcut(folded, HMM=False)) if folded else Counter()
    grams = Counter(folded[i : i + 2] for i in range(len(folded) - 1)) if len(folded) > 1 else Counter(folded)
    return words, grams


def similarity(a: str, b: str) -> float:
    """How close two utterances are, 0 to 1: the mean of the Dice coefficients of their jieba words and of
    their character bigrams, on the folded texts without slots."""
    wa, ga = _features(a)
    wb, gb = _features(b)
    return (_dice(wa, wb) + _dice(ga, gb)) / 2


def sources_line(sources: Sequence[Source]) -> str | None:
    if not sources:
        return None
    return "出处: " + "; ".join(f"{s.code} {s.clause}" for s in sources)


def _unique(texts: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for text in texts:
        key = fold(text)
        if key and key not in seen:
            seen.add(key)
            out.append(text)
    return out


# --- items ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One thing to learn; ``key`` names it in the progress database and stays stable across sessions."""

    key: str  # judge:<catalogue text> | rewrite:<rule id> | choose:<standard phrase id>
    kind: str
    situation: str
    text: str  # the catalogue text the question is about (slots in braces)
    origin: str  # the id of the rule or standard phrase it comes from


def judge_items(catalogue: Catalogue, rules: Sequence[Rule], config: QuizConfig) -> list[Item]:
    """An item for every distinct utterance: each rule's wordings and examples, each standard phrase."""
    seen: set[str] = set()
    out: list[Item] = []

    def add(text: str, situation: str, origin: str) -> None:
        key = fold(fill(text, config.slot_samples))
        if key and key not in seen:
            seen.add(key)
            out.append(Item(f"judge:{text}", "judge", situation, text, origin))

    for rule in rules:
        for text in (*rule.wordings, *rule.flag_examples, *rule.pass_examples):
            add(text, rule.situation, rule.id)
    for phrase in catalogue.standard:
        for text in (phrase.text, *(v.text for v in phrase.variants if not v.typo)):
            add(text, phrase.situation, phrase.id)
    return out


def rewrite_items(rules: Sequence[Rule]) -> list[Item]:
    return [Item(f"rewrite:{r.id}", "rewrite", r.situation, r.phrase, r.id) for r in rules]


def select_items(
    items: Iterable[Item], kinds: Sequence[str] = (), situations: Sequence[str] = ()
) -> list[Item]:
    return [
        i for i in items if (not kinds or i.kind in kinds) and (not situations or i.situation in situations)
    ]


def order_items(
    items: Sequence[Item], due: Mapping[str, datetime], now: datetime, rng: random.Random, count: int
) -> list[Item]:
    """The next ``count`` items for a trainee whose cards fall due at ``due`` (item key → time): items due
    now first, the longest overdue first; then items never seen, shuffled and taking the kinds in turn; then
    the rest, the soonest due first."""
    seen = [i for i in items if i.key in due]
    overdue = sorted((i for i in seen if due[i.key] <= now), key=lambda i: (due[i.key], i.key))
    later = sorted((i for i in seen if due[i.key] > now), key=lambda i: (due[i.key], i.key))
    fresh = _interleave([i for i in items if i.key not in due], rng)
    return (overdue + fresh + later)[: max(count, 0)]


def _interleave(items: Sequence[Item], rng: random.Random) -> list[Item]:
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    queues = [by_kind[k] for k in KINDS if k in by_kind]
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    out: list[Item] = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop())
    return out


# --- questions and grades ---------------------------------------------------------------------------


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


# --- building questions -----------------------------------------------------------------------------


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
        shown = _unique([*own, *(p.text for p in phrases)])[: self.config.rewrite.references]
        return RewriteQuestion(
            item,
            rule,
            fill(rule.phrase, self.config.slot_samples),
            self._names[rule.situation],
            self.config.requirements(rule.situation),
            tuple(_unique([*own, *every])),
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


# --- spaced repetition (FSRS) -----------------------------------------------------------------------


def rating_for(score: int, schedule: Schedule) -> fsrs.Rating:
    """The FSRS rating of an answer: Again below ``hard``, then Hard, Good, Easy by the score."""
    if score >= schedule.easy:
        return fsrs.Rating.Easy
    if score >= schedule.good:
        return fsrs.Rating.Good
    if score >= schedule.hard:
        return fsrs.Rating.Hard
    return fsrs.Rating.Again


def is_correct(score: int, schedule: Schedule) -> bool:
    return rating_for(score, schedule) != fsrs.Rating.Again


def _scheduler(schedule: Schedule) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=schedule.desired_retention,
        learning_steps=tuple(timedelta(minutes=m) for m in schedule.learning_steps),
        relearning_steps=tuple(timedelta(minutes=m) for m in schedule.relearning_steps),
        enable_fuzzing=False,  # the same answers give the same schedule
    )


def review(
    card_json: str | None, key: str, score: int, now: datetime, schedule: Schedule
) -> tuple[str, datetime]:
    """The card of item ``key`` after an answer scoring ``score`` at ``now`` (UTC): its JSON and due time.
    A missed item (Again) falls due after the first learning step; a known one later."""
    now = now.astimezone(timezone.utc)
    if card_json:
        card = fsrs.Card.from_dict(json.loads(card_json))
    else:
        card = fsrs.Card(card_id=zlib.crc32(key.encode()), due=now)
    card, _log = _scheduler(schedule).review_card(card, rating_for(score, schedule), review_datetime=now)
    return json.dumps(card.to_dict()), card.due
