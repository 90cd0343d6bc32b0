"""Overlapping matches: one finding per stretch of words, chosen by the same order whatever their number (a
long line may hold thousands: the choice searches for a hit's neighbours instead of walking every kept one)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.engine.confirm import resolve_overlaps


def _priority(h: Any) -> tuple[Any, ...]:
    p = h.candidate.pattern
    return (
        p.rule.scope != "quoted",
        -(h.end - h.start),
        not p.literal,
        h.candidate.by_sound,
        h.start,
        -p.compiled.min_length,
        p.order,
    )


_HIT = st.builds(
    lambda start, length, literal, by_sound, min_length, order, quoted: SimpleNamespace(
        start=start,
        end=start + length,
        candidate=SimpleNamespace(
            by_sound=by_sound,
            pattern=SimpleNamespace(
                literal=literal,
                compiled=SimpleNamespace(min_length=min_length),
                order=order,
                rule=SimpleNamespace(scope="quoted" if quoted else "word"),
            ),
        ),
    ),
    st.integers(0, 80),
    st.integers(1, 10),
    st.booleans(),
    st.booleans(),
    st.integers(1, 6),
    st.integers(0, 9),
    st.booleans(),
)


@settings(max_examples=400)
@given(st.lists(_HIT, max_size=40))
def test_kept_hits_never_overlap_and_each_dropped_one_lost_to_a_kept_one_first_in_order(
    hits: list[Any],
) -> None:
    kept = resolve_overlaps(hits)
    assert [h.start for h in kept] == sorted(h.start for h in kept)
    for a, b in zip(kept, kept[1:]):
        assert a.end <= b.start
    kept_ids = {id(h) for h in kept}
    for h in hits:
        if id(h) not in kept_ids:
            assert any(k.start < h.end and h.start < k.end and _priority(k) <= _priority(h) for k in kept)
        else:  # a kept hit was not beaten: nothing first in order overlaps it and was kept
            assert not any(k is not h and k.start < h.end and h.start < k.end for k in kept)


def test_a_line_with_thousands_of_findings_keeps_them_all_in_order() -> None:
    from phraselint import Linter

    text = "你快点啦，烦死了，不知道，" * 1000
    linter = Linter()
    # (whom a thousand sentences of 你快点啦 are said to is not what this asks: the addressee model, a judgement
    # of each utterance, is tested on its own)
    linter._addressee = None
    found = linter.check(text)
    assert len(found) == 3000
    assert [v.start for v in found] == sorted(v.start for v in found)
