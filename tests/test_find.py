"""The finder's plan (phraselint/engine/find.py): what it derives from the catalogue is what the plain
definition gives."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.engine.find import Finder, _Costs, _DialectWords
from phraselint.engine.linter import Linter
from phraselint.engine.pattern import BOUNDARY
from phraselint.engine.sound import sounds


def said_in_dialect(anchor: str, sources: dict[str, list[str]]) -> set[str]:
    """The definition: every dialect word is tried against the anchor (what the index must give)."""
    said: set[str] = set()
    for target, keys in sources.items():
        for key in keys:
            if target in anchor:
                said.add(anchor.replace(target, key))
                said.add(anchor.replace(target, key, 1))
            elif anchor in target:
                said.add(key)
            else:
                for n in range(1, min(len(anchor), len(target))):
                    if target.endswith(anchor[:n]):
                        said.add(key + anchor[n:])
                    if target.startswith(anchor[-n:]):
                        said.add(anchor[:-n] + key)
    return said


# few characters, so that words overlap, repeat and contain each other as the fold's do (唔 知 知道 不知道)
words = st.text(alphabet="不知道吃饭唔食緊", min_size=1, max_size=5)


@given(
    st.dictionaries(words, st.lists(words, min_size=1, max_size=3), max_size=8),
    st.lists(st.text(alphabet="不知道吃饭唔食緊", max_size=7), max_size=6),
)
def test_the_dialect_index_says_each_anchor_as_every_word_tried_in_turn(
    sources: dict[str, list[str]], anchors: list[str]
) -> None:
    index = _DialectWords(sources)
    for anchor in anchors:
        said: set[str] = set()
        index.said(anchor, said)
        assert said == said_in_dialect(anchor, sources)


@functools.lru_cache(maxsize=1)
def _finder() -> Finder:
    return Linter()._finder


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_sound_expression_is_skipped_only_where_it_finds_what_the_pattern_finds(
    data: st.DataObject,
) -> None:
    """Finder._heard_as_said: where it says the sound of a text tells apart what the text does, the pattern's
    sound expression finds exactly the pattern's own matches (so not running it changes no candidate)."""
    finder = _finder()
    heard_patterns = [k for k, p in enumerate(finder.patterns) if p.sound_expression is not None]
    k = data.draw(st.sampled_from(heard_patterns))
    pattern = finder.patterns[k]
    own = sorted({c for t in pattern.compiled.tokens for w in t.words for c in w})
    by_sound: dict[str, list[str]] = {}
    for code, sound in finder._sounds.table.items():
        by_sound.setdefault(sound, []).append(chr(code))
    alike = sorted({h for c in own for h in by_sound.get(finder._sounds.of(c), [])[:3]})
    words = [w for t in pattern.compiled.tokens for w in t.words]
    pieces = st.one_of(st.sampled_from(words), st.sampled_from(own + alike + ["的", "啊", BOUNDARY, "x"]))
    text = "".join(data.draw(st.lists(pieces, max_size=12)))
    sound = finder._sounds.of(text)
    if finder._heard_as_said(k, set(zip(text, sound))):
        assert sorted(finder._sound_run(k)(sound)) == sorted(pattern.compiled.run(text))


def test_an_anchor_is_priced_by_what_the_fast_test_meets() -> None:
    """A word counts every dictionary word it stands in (作人 in 工作人员), and a word heard every word said
    alike (试再 is rare as written, but heard in every 是在): the arguing rule's `<你> 试试 再 说` is not
    anchored on 试再, which the fast test met in one utterance in fourteen."""
    costs = _Costs(sounds(), {"试再", "是在", "作人"})
    assert costs.seen("试再") < costs.seen("是在") <= costs.heard("试再")
    assert costs.seen("作人") > costs.seen("试再")
    heard = [p for p in _finder().patterns if p.rule.id == "arguing" and p.wording.startswith("<你> 试试 再")]
    assert heard and heard[0].sound_expression is not None
    assert all("试再" not in a for p in heard for a in p.compiled.anchors)


def test_a_key_met_in_a_speaker_label_costs_more_than_any_word() -> None:
    """A labelled transcript's fast test sees the speaker on every line (工作人员:我…): a key inside a name, or
    its sound inside the name's (作人 heard as 做人), or running from the name's end into the words (员我)
    is not chosen where the pattern has another."""
    costs = _Costs(sounds(), {"做人", "教我", "员我"}, ["工作人员"])
    assert costs.heard("做人") > costs.heard("教我")
    assert costs.seen("员我") >= costs.seen("我")
    mockery = [p for p in _finder().patterns if p.wording == "教 <我> 做 客服|事|人"]
    assert mockery and all("做人" not in a for p in mockery for a in p.compiled.anchors)


def test_an_expression_compiles_to_character_spans_and_a_bad_one_raises() -> None:
    """compile_expression gives the leftmost-longest matches in characters; an expression RE2 cannot read
    raises as the wrapper's compile does."""
    from phraselint.engine.pattern import ENGINE, compile_expression

    run = compile_expression("不知道?|知道")
    assert run("我不知道，知道了") == [(1, 4), (5, 7)]
    if ENGINE == "re2":
        import re2

        with pytest.raises(re2.error):
            compile_expression("(不知道")


def test_an_expression_finds_the_same_matches_in_its_small_memory_budget_and_in_the_hot_one() -> None:
    """An expression first runs with a small memory budget (RE2 falls back from the DFA to the NFA where its
    states do not fit: this one's do not), and with a larger one (2 MB) once run often or on a long text: the
    same matches all along, those of the expression compiled as the wrapper compiles it (RE2's default 8 MB)."""
    from phraselint.engine import pattern

    words = sorted(
        {a + b + c + d for a in "不没别甭未" for b in "知晓懂会要能" for c in "道得了过" for d in "呢吧啦"}
    )
    expr = "(?:" + "|".join(words) + ")[^。]{0,6}(?:你们|你|您)?"
    text = "我不知道呢你，没懂了吧您。别会过啦，甭能得呢你们啊未要道吧"
    long_text = text * (4096 // len(text.encode()) + 2)
    run = pattern.compile_expression(expr)
    expected, expected_long = run(text), run(long_text)
    if pattern.ENGINE == "re2":
        import re2

        options = re2.Options()
        options.longest_match = True
        regex = re2.compile(expr, options)
        expected, expected_long = ([m.span() for m in regex.finditer(t)] for t in (text, long_text))
        assert len(expected) > 2 and len(long_text.encode()) > pattern._LONG
    run = pattern.compile_expression(expr)
    assert [run(text) for _ in range(305)] == [expected] * 305  # (the hot budget from the 301st run)
    fresh = pattern.compile_expression(expr)
    assert fresh(long_text) == expected_long  # (the hot budget for a long text)
    assert fresh(text) == expected


def test_homophones_grammar_that_is_not_a_string_is_named_at_its_line(tmp_path: Path) -> None:
    """rules/normalize.yml's ``grammar`` (the characters by which alone a slip is not known) is one string."""
    from phraselint.data.catalogue import builtin_rules_dir
    from phraselint.engine.sound import _build
    from phraselint.errors import CatalogueError

    text = (builtin_rules_dir() / "normalize.yml").read_text(encoding="utf-8")
    assert "  grammar: 了的着地得\n" in text
    (tmp_path / "normalize.yml").write_text(
        text.replace("  grammar: 了的着地得\n", "  grammar: [了, 的]\n"), "utf-8"
    )
    line = text[: text.index("  grammar:")].count("\n") + 1
    with pytest.raises(CatalogueError) as caught:
        _build(tmp_path)
    assert "'grammar' must be a string of characters" in str(caught.value)
    assert f"normalize.yml:{line}" in str(caught.value)
    assert _build(builtin_rules_dir()).grammar == frozenset("了的着地得")
