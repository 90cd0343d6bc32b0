"""Text helpers of the quiz: slots filled, simplified script, politeness markers met, similarity to the
codes' wording."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from ..engine.normalize import fold
from ..engine.script import converter
from ..engine.words import tokenizer
from ..model import SLOT_RE, Source
from .settings import Marker


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


def unique(texts: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for text in texts:
        key = fold(text)
        if key and key not in seen:
            seen.add(key)
            out.append(text)
    return out
