"""The quiz settings (rules/quiz.yml): markers of politeness, weights of the grades, the choose questions,
the spaced-repetition schedule, slot samples; every problem names the file and the line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.catalogue import builtin_rules_dir, read_yaml
from ..errors import CatalogueError
from ..model import SLOT_RE


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
