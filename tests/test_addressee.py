"""The addressee model (phraselint/engine/addressee.py): talk that is not addressed to a visitor at all — a
pet, a device, the weather, the family — has its pattern matches set aside, where the tone model does not hear
rudeness either and the visitor is not spoken to; the same words said to a visitor are still found."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phraselint import Linter
from phraselint.engine.addressee import (
    MASK,
    AddresseeModel,
    heard_part,
    load_addressee,
    masked,
    parse_addressee,
)
from phraselint.errors import CatalogueError


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


@pytest.fixture(scope="module")
def without() -> Linter:
    """The linter as it would be without the addressee model."""
    lin = Linter()
    lin._addressee = None
    return lin


@pytest.mark.parametrize(
    "text",
    [
        "这鬼天气真麻烦，出门又得带伞。",
        "小区的快递柜又坏了，真麻烦。",
        "楼下的狗叫了一晚上，烦死了。",
        "周末带孩子去公园，人多得要命，真烦。",
    ],
)
def test_talk_not_addressed_to_a_visitor_is_not_flagged(linter: Linter, without: Linter, text: str) -> None:
    """A pattern's words in talk of the weather, a parcel locker, a dog or a day out: the addressee model sets
    the match aside (without it, the match is a finding)."""
    assert without.check(text), text
    assert linter.check(text) == [], text


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("您这材料又不全，真麻烦，回去补齐了再来。", "so-troublesome"),
        ("烦死了，一上午都是来问这个的。", "annoyed-to-death"),
        ("真麻烦，你们这些老人家就是搞不懂。", "so-troublesome"),
        ("有完没完？都说了今天办不了。", "are-you-done"),
        # talk of someone else, but said to the visitor (您)
        ("您的医生是李主任，他今天上午门诊。我怎么知道他几点到", "how-would-i-know"),
    ],
)
def test_the_same_words_said_to_a_visitor_are_found(linter: Linter, text: str, rule: str) -> None:
    assert rule in {v.rule for v in linter.check(text)}, text


def test_only_where_the_tone_model_hears_no_rudeness_and_no_visitor_is_addressed() -> None:
    """With a model that hears every utterance as said elsewhere, what is left is the linter's other
    conditions: a text the tone model hears as rude keeps its findings, as does one that says 您."""
    lin = Linter()
    lin._addressee = AddresseeModel({}, -1.0)  # every score (0) is 1 above -1: everything is "elsewhere"
    assert lin._tone is not None
    loud = "急什么急，排队去。"
    assert lin._tone.margin(loud) > 1
    assert {v.rule for v in lin.check(loud)} >= {"whats-the-hurry"}
    quiet = "小区的快递柜又坏了，真麻烦。"
    assert lin._tone.margin(quiet) < 0 and lin.check(quiet) == []
    said_to_you = "您看，小区的快递柜又坏了，真麻烦。"
    assert lin._tone.margin(said_to_you) < 0
    assert "so-troublesome" in {v.rule for v in lin.check(said_to_you)}


@pytest.mark.parametrize(("beyond", "kept"), [(-0.2, True), (0.2, False), (99.0, False)])
def test_the_ruder_it_sounds_the_surer_the_model_must_be(beyond: float, kept: bool) -> None:
    """喊什么喊，你弟弟在睡觉呢 sounds rude (the tone model's margin between 0.5 and 1.8, under the reach of 2): its
    match is set aside only by a model surer than that margin that no visitor is spoken to."""
    lin = Linter()
    assert lin._tone is not None
    text = "喊什么喊，你弟弟在睡觉呢。"
    margin = lin._tone.margin(text)
    assert 0.5 < margin < 1.8
    lin._addressee = AddresseeModel({}, -(margin + beyond))  # every score (0) is that far above the threshold
    assert bool(lin.check(text)) is kept
    rude = "你们这些人一天到晚没事找事，烦不烦"  # margin 3.5: beyond reach, however sure
    assert lin._tone.margin(rude) > 2
    lin._addressee = AddresseeModel({}, -99.0)
    assert lin.check(rude)


@pytest.mark.parametrize(
    "text",
    [
        "这个导航有病吧，又让我掉头。",  # a satnav
        "电脑风扇呼呼响，吵死了，跟拖拉机似的。",  # a computer fan
    ],
)
def test_the_tone_models_findings_in_talk_to_no_visitor_are_set_aside(without: Linter, text: str) -> None:
    """The tone model hears rudeness in grumbling at a machine; the addressee model is sure no visitor is
    spoken to (surer the ruder the turn sounds), and the finding goes."""
    assert {v.rule for v in without.check(text)} == {"rude-tone"}
    assert Linter().check(text) == []


def test_the_tone_models_findings_need_a_surer_model() -> None:
    """A finding of the tone model is set aside only where the model is above its threshold by 0.75 and by as
    much again as the tone model hears the turn above its own threshold, there is enough to hear, and no 您."""
    text = "这个导航有病吧，又让我掉头。"
    loud = Linter()._tone.margin(text)
    assert loud > 0
    lin = Linter()
    lin._addressee = AddresseeModel({}, -(0.75 + loud) + 0.05)  # (an empty model scores 0)
    assert {v.rule for v in lin.check(text)} == {"rude-tone"}
    lin = Linter()
    lin._addressee = AddresseeModel({}, -(0.75 + loud) - 0.05)
    assert lin.check(text) == []
    assert {v.rule for v in lin.check("您这导航是不是有病啊，又让我掉头。")} == {"rude-tone"}
    assert {v.rule for v in lin.check("就你事儿精")} == {"rude-tone"}  # too little to hear


def test_the_matched_words_are_masked_before_the_model_hears_the_text() -> None:
    """The model judges the talk around the words: a weight on the matched words themselves counts for nothing."""
    model = AddresseeModel({"麻": 50.0, "烦": 50.0, "天": 1.0}, 3.0)
    text = "天天天天天天真麻烦"
    assert model.elsewhere(text)  # unmasked, 麻 and 烦 decide: 106 / sqrt(9)
    assert not model.elsewhere(text, [(6, 9)])  # masked: six 天, 6 / sqrt(7) = 2.27 < 3
    assert model.score(masked(text, [(6, 9)])) == pytest.approx(6 / 7**0.5)
    assert model.score("") == 0.0


def test_too_little_left_to_hear_is_never_heard_as_said_elsewhere() -> None:
    """快点说，我很忙: the words around the match (说, 我很忙) cannot tell whom it is said to."""
    everything = AddresseeModel({}, -1.0)
    assert not everything.elsewhere("快点说，我很忙。", [(0, 2)])
    assert not everything.elsewhere("天真麻烦啊啊啊！！", [(1, 4)])  # particles and marks are not heard
    assert everything.elsewhere("小区的快递柜又坏了，真麻烦。", [(10, 13)])


@given(
    st.text(min_size=0, max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=4),
)
def test_masking_keeps_every_position(text: str, raw: list[tuple[int, int]]) -> None:
    spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in raw]
    out = masked(text, spans)
    assert len(out) == len(text)
    inside = {i for s, e in spans for i in range(s, e)}
    for i, c in enumerate(out):
        assert c == (MASK if i in inside else text[i])


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("threshold\t2.5\n家\tmany\n", "'many' is not a number"),
        ("家\t1.0\n", "no 'threshold' line"),
        ("threshold\t1\nthreshold.cantonese\t2\n", "one threshold"),
    ],
)
def test_a_broken_model_file_is_one_error_naming_file_and_line(content: str, error: str) -> None:
    with pytest.raises(CatalogueError) as info:
        parse_addressee(content, "rules/addressee.tsv")
    assert error in str(info.value) and str(info.value).startswith("rules/addressee.tsv:")


def test_a_rules_directory_without_a_model_has_none(tmp_path: Path) -> None:
    assert load_addressee(str(tmp_path)) is None


def test_the_shipped_model_loads() -> None:
    model = load_addressee()
    assert model is not None and len(model.weights) > 10_000


def test_the_model_hears_the_sentences_that_hold_the_findings() -> None:
    """下班了，明天再来吧。妈，我马上回家: the family is called in another sentence than the one said to the visitor."""
    text = "下班了，明天再来吧。妈，我马上回家"
    part, spans = heard_part(text, [(0, 8)], [(0, 8)])
    assert part == "下班了，明天再来吧。" and spans == [(0, 8)]
    assert heard_part(text, [(0, 8)]) == (text, [(0, 8)])  # no findings given: all of it
    part, spans = heard_part("你好。" + text, [(3, 11), (14, 15)], [(3, 11)])
    assert part == "下班了，明天再来吧。" and spans == [(0, 8)]  # a match in another sentence is not in it
