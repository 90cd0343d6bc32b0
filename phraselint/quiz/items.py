"""What the quiz asks about (items): utterances to judge, rules to rewrite, standard phrases to choose; chosen
and ordered for a session."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..data.catalogue import Catalogue
from ..engine.normalize import fold
from ..model import Rule
from .settings import QuizConfig
from .text import fill

KINDS: tuple[str, ...] = ("judge", "rewrite", "choose")
KIND_NAMES: dict[str, str] = {"judge": "判断", "rewrite": "改写", "choose": "选择"}


@dataclass(frozen=True)
class Item:
    """One thing to learn; ``key`` names it in the progress database and stays stable across sessions."""

    key: str  # judge:<catalogue text> | rewrite:<rule id> | choose:<standard phrase id>
    kind: str
    situation: str
    text: str  # the catalogue text the question is about (slots in braces)
    origin: str  # the id of the rule or standard phrase it comes from
    forbidden: bool = False  # a judge item from a rule's wordings or flag examples: staff may not say it


def judge_items(catalogue: Catalogue, rules: Sequence[Rule], config: QuizConfig) -> list[Item]:
    """An item for every distinct utterance: each rule's wordings, examples and rewrites, each standard
    phrase."""
    seen: set[str] = set()
    out: list[Item] = []

    def add(text: str, situation: str, origin: str, forbidden: bool = False) -> None:
        key = fold(fill(text, config.slot_samples))
        if key and key not in seen:
            seen.add(key)
            out.append(Item(f"judge:{text}", "judge", situation, text, origin, forbidden))

    for rule in rules:
        for text in (*rule.wordings, *rule.flag_examples):
            add(text, rule.situation, rule.id, forbidden=True)
    for rule in rules:
        for text in rule.pass_examples:
            add(text, rule.situation, rule.id)
    for phrase in catalogue.standard:
        for text in (phrase.text, *(v.text for v in phrase.variants if not v.typo)):
            add(text, phrase.situation, phrase.id)
    for rule in rules:  # the polite way to say it: acceptable, in the same situation (after the codes' own)
        for rewrite in rule.rewrites:
            if rewrite.text:
                add(rewrite.text, rule.situation, rule.id)
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
    now first, the longest overdue first; then items never seen, shuffled and taking the kinds in turn (and
    the judge items forbidden and acceptable in turn); then the rest, the soonest due first."""
    seen = [i for i in items if i.key in due]
    overdue = sorted((i for i in seen if due[i.key] <= now), key=lambda i: (due[i.key], i.key))
    later = sorted((i for i in seen if due[i.key] > now), key=lambda i: (due[i.key], i.key))
    fresh = _interleave([i for i in items if i.key not in due], rng)
    return (overdue + fresh + later)[: max(count, 0)]


def _interleave(items: Sequence[Item], rng: random.Random) -> list[Item]:
    """``items`` shuffled, the kinds taken in turn. The judge items take their verdicts in turn as well, so a
    session asks about as many acceptable utterances as forbidden ones, whatever the catalogue's mix (its
    rules have far more flag examples than pass examples)."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    queues = [by_kind[k] for k in KINDS if k in by_kind]
    for queue in queues:
        rng.shuffle(queue)
    if "judge" in by_kind:
        judge = by_kind["judge"]
        queues[queues.index(judge)] = _alternate(
            [i for i in judge if i.forbidden], [i for i in judge if not i.forbidden], rng
        )
    rng.shuffle(queues)
    out: list[Item] = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop())
    return out


def _alternate(one: list[Item], other: list[Item], rng: random.Random) -> list[Item]:
    """A queue (taken from its end) that draws from ``one`` and ``other`` in turn, the first turn to either at
    random, and empties the longer one once the shorter is spent."""
    first, second = (one, other) if rng.random() < 0.5 else (other, one)
    queue: list[Item] = []
    while first or second:
        for side in (first, second):
            if side:
                queue.append(side.pop())
    queue.reverse()
    return queue
