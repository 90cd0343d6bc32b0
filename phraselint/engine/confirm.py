"""Confirming candidates: does the match sit in the text the way its rule's scope asks?

The decision uses only the rule's data (scope, exempting contexts) and the structure of the text (clause
boundaries, jieba word boundaries): it knows no phrase.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

from .context import Context
from .find import Candidate
from .normalize import Folded, folding
from .words import tokenizer


@functools.lru_cache(maxsize=4096)
def word_boundaries(text: str) -> frozenset[int]:
    """Offsets in ``text`` where a jieba word starts or ends."""
    cuts = {0, len(text)}
    pos = 0
    for word in tokenizer().cut(text, HMM=False):
        pos += len(word)
        cuts.add(pos)
    return frozenset(cuts)


@dataclass(frozen=True)
class Hit:
    """A confirmed match: folded span ``start``..``end``; ``slot_value`` is the folded span the slot took."""

    candidate: Candidate
    start: int
    end: int
    slot_span: tuple[int, int] | None = None


def _is_word_edge(folded: Folded, pos: int, lo: int, hi: int) -> bool:
    if folded.boundary[pos]:
        return True
    region = folded.text[lo:hi]
    return (pos - lo) in word_boundaries(region)


def _exempt(candidate: Candidate, folded: Folded, start: int, end: int) -> bool:
    rule = candidate.pattern.rule
    text = folded.text
    if rule.exempt_before and not folded.boundary[start]:
        before = text[folded.clause_start(start) : start]
        if any(before.endswith(x) for x in _folded(rule.exempt_before)):
            return True
    if rule.exempt_after and not folded.boundary[end]:
        after = text[end : folded.clause_end(end)]
        if any(after.startswith(x) for x in _folded(rule.exempt_after)):
            return True
    return False


@functools.lru_cache(maxsize=1024)
def _folded(contexts: tuple[str, ...]) -> tuple[str, ...]:
    from .normalize import fold

    return tuple(f for f in (fold(c) for c in contexts) if f)


def _inside_a_not_a(folded: Folded, start: int) -> bool:
    """Whether the match starts at the negation of an A-not-A question: 不清楚 in 清不清楚 and in
    清楚不清楚."""
    text = folded.text
    if not (0 < start < len(text) - 1 and text[start] in folding().a_not_a and not folded.boundary[start]):
        return False
    return any(
        n <= start
        and text[start - n : start] == text[start + 1 : start + 1 + n]
        and not any(folded.boundary[start - n + 1 : start])
        for n in (1, 2)
    )


def confirm(
    candidate: Candidate,
    folded: Folded,
    context: Context,
    text: str | None = None,
    continued: list[tuple[int, int]] | None = None,
) -> Hit | None:
    """The hit this candidate makes in ``folded``, or None when its scope or an exempting context says no.
    (The pattern itself keeps its words in one clause, but where it marks a boundary: 不懒,得管 is not 懒得管.)
    ``text``, the original of ``folded`` where given, tells a pause (white space: ASR output) from a mark;
    ``continued``, where given, receives the folded span of a phrase a polite sentence continues (不知道 呃 您还
    需要办别的吗), which the tone model then does not hear alone either."""
    start, end = candidate.start, candidate.end
    if end <= start:
        return None
    scope = candidate.pattern.rule.scope
    if _exempt(candidate, folded, start, end) or _inside_a_not_a(folded, start):
        return None
    lo, hi = folded.clause_start(start), folded.clause_end(end)
    if candidate.pattern.slot is not None:
        # The slot takes the rest of the clause; the words before it must start at a word edge.
        if hi <= end or (scope != "anywhere" and not _is_word_edge(folded, start, lo, hi)):
            return None
        if scope == "reply" and not folded.boundary[start]:
            return None
        if scope == "alone" and (start != 0 or hi != len(folded.text)):
            return None
        return Hit(candidate, start, hi, (end, hi))
    if scope == "anywhere":
        return Hit(candidate, start, end)
    if scope == "reply":
        return Hit(candidate, start, end) if folded.boundary[start] and folded.boundary[end] else None
    if scope == "alone":  # the whole utterance, besides punctuation and particles: 随便。 but not 随便坐
        return Hit(candidate, start, end) if start == 0 and end == len(folded.text) else None
    if scope == "clause":
        # 不知道您还需要什么: the phrase opens a polite sentence; anything else does not save it. Past a pause
        # (ASR output: 不知道 呃 您还需要…; 不知道您 嗯 带身份证了没有) only a polite opening does, and then the
        # tone model does not hear the phrase alone either (``continued``)
        if not folded.boundary[end]:
            exempt = context.polite_continuation(folded, end, text=text)
            past_pause = exempt and folded.text[end : folded.clause_end(end)] in context.address
        else:
            exempt = past_pause = text is not None and context.polite_after_pause(folded, end, text)
        if exempt:
            if past_pause and continued is not None:
                continued.append((start, end))
            return None
    # A token pattern says itself where its words end (忙 in 忙着, 说不 in 说不清楚); a wording must end at a word edge.
    literal = candidate.pattern.literal
    whole = literal or candidate.by_sound
    if not (_is_word_edge(folded, start, lo, hi) and (not whole or _is_word_edge(folded, end, lo, hi))):
        return None
    return Hit(candidate, start, end)


def resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep one hit where hits overlap: irony by quotation marks (a rule of scope ``quoted``: 您这么“懂行”，还来
    问我们干什么 is said with the marks, whatever else matched round them), then the longest (the shadowing rule
    wins), a wording of the codes before a token pattern, the earlier one, the one whose pattern asks for more
    words, the first in the catalogue. Two findings never claim the same characters, so their rewrites never
    collide."""
    ordered = sorted(
        hits,
        key=lambda h: (
            h.candidate.pattern.rule.scope != "quoted",
            -(h.end - h.start),
            not h.candidate.pattern.literal,
            h.candidate.by_sound,
            h.start,
            -h.candidate.pattern.compiled.min_length,  # the more specific pattern
            h.candidate.pattern.order,
        ),
    )
    # the kept hits never overlap, so in order of start their ends rise too: a new hit can overlap only the
    # kept hit that starts before it (the last one) or the first that starts at or after it (a search per hit,
    # not a walk over every kept one: a long line may hold thousands)
    starts: list[int] = []
    kept: list[Hit] = []
    for hit in ordered:
        # (after kept hits that start where it does: in order of priority among them, as sorted() put them)
        at = bisect.bisect_right(starts, hit.start)
        if any(k.start < hit.end and hit.start < k.end for k in kept[max(0, at - 1) : at + 1]):
            continue
        starts.insert(at, hit.start)
        kept.insert(at, hit)
    return kept
