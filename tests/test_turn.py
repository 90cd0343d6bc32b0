"""The turn model (phraselint/engine/tone.py, TurnModel): a whole utterance heard as rude where no clause of it is
rude enough alone (a reply that thanks, then sneers), reported by the tone model's rule on its worst clause and
kept quiet by the same context; shipped as data the trainer reproduces (tests/test_tone.py runs its check)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint import Linter
from phraselint.engine.tone import TURN_LEAST, TurnModel, light_fold, load_tone, load_turn, parse_turn
from phraselint.errors import CatalogueError


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


@pytest.fixture(scope="module")
def turn() -> TurnModel:
    model = load_turn()
    assert model is not None
    return model


# Replies written for these tests (none from the development sets or the catalogue): each is rude as a whole, a
# stance (blame, sarcasm, contempt) more than any one rude word, and no clause of it is rude enough to the tone
# model alone.
SNEERING_REPLIES = [
    "您好，看到您的差评了。空调遥控器就放在床头柜上，您进门找都没找就打电话投诉，我们也挺无奈的。",
    "您好，收到您的反馈。我们的营业执照和卫生许可证都挂在墙上，您说我们是黑店，麻烦拿出证据来。",
    "您好，看到您的留言了。您的快递我们是按时送到的，签收人是您本人，现在说没收到，我们也不知道该说什么好。",
]


@pytest.mark.parametrize("text", SNEERING_REPLIES)
def test_a_reply_rude_only_as_a_whole_is_found_on_its_worst_clause(
    linter: Linter, turn: TurnModel, text: str
) -> None:
    """Heard clause by clause the reply says nothing (no clause is rude enough, or its greeting and thanks take
    the clause back); heard whole, it is rude, and the finding stands on the clause the tone model scores worst."""
    assert linter._clause_verdict(text) is None
    assert turn.rude(text)
    found = [v for v in linter.check(text) if v.rule == "rude-tone"]
    tone = load_tone()
    assert tone is not None and len(found) == 1 and found[0].severity == "warning"
    _score, start, end = tone.worst(text)
    assert (found[0].start, found[0].end) == (start, end)


def test_a_turn_whose_worst_clause_sounds_innocent_is_not_found(linter: Linter, turn: TurnModel) -> None:
    """The turn model may hear a polite turn's words as a rude reply's (many open 好的，请您…); where the clause it
    would be reported on scores far under the tone model's threshold, there is no barb to show: nothing found."""
    text = "好的，请您出示身份证和营业执照原件。"
    tone = load_tone()
    assert tone is not None and tone.margin(text) < -2
    assert linter.check(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # quoted, reported, talked about: the context silences the turn model as it does the tone model
        "顾客投诉说，店员回复他“您进门找都没找就打电话投诉，我们也挺无奈的”，我们已经批评了这名店员。",
        "培训案例：有的客服会说您订之前怎么就不看一眼呢，这种说法属于讥讽顾客，是服务忌语。",
    ],
)
def test_the_context_keeps_the_turn_model_quiet(linter: Linter, text: str) -> None:
    assert not [v for v in linter.check(text) if v.rule == "rude-tone"]


@pytest.mark.parametrize(
    "text",
    [
        "您好，感谢您的点评。特价套餐的分量确实有限，下次您可以试试我们的双人餐，味道和分量都会更好一些。",
        "您好，您反映的噪音问题我们已经核实，工程部今天下午就去更换风机，给您添麻烦了，非常抱歉。",
        "不好意思让您久等了，您的材料我都看过了，还差一份身份证复印件，我帮您在这边复印一下就可以。",
    ],
)
def test_a_proper_reply_in_the_same_setting_passes(linter: Linter, text: str) -> None:
    assert linter.check(text) == []


def test_a_short_utterance_is_left_to_the_tone_model(turn: TurnModel) -> None:
    """Under TURN_LEAST characters heard (punctuation aside) the turn model does not judge: 您好。 alone, which
    many rude replies open with, would score high."""
    assert turn.score("您好。") == -math.inf
    assert turn.score("你，" * (TURN_LEAST - 1)) == -math.inf  # punctuation is not counted
    text = "您好，感谢您的点评，我们会改进"
    assert len(text) - light_fold(text).count("|") >= TURN_LEAST and turn.score(text) > -math.inf


def test_ignoring_the_tone_rule_turns_the_turn_model_off() -> None:
    text = SNEERING_REPLIES[0]
    assert not Linter(ignore=("rude-tone",)).check(text)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("threshold\t2.5\n你\t1.0\n", "no 'bias' line"),
        ("threshold\t2.5\nbias\tx\n", "'x' is not a number"),
        ("bias\t0.5\n你\t1.0\n", "no 'threshold' line"),
    ],
)
def test_a_broken_turn_model_file_is_one_error_naming_file_and_line(content: str, error: str) -> None:
    with pytest.raises(CatalogueError) as info:
        parse_turn(content, "rules/turn.tsv")
    assert error in str(info.value) and str(info.value).startswith("rules/turn.tsv:")


def test_a_rules_directory_without_a_turn_model_has_none(tmp_path: object) -> None:
    assert load_turn(str(tmp_path)) is None


def test_a_turn_model_scores_by_the_weights_it_is_given() -> None:
    model = TurnModel({"凶": 2.0, "您": -1.0}, 0.5, 1.0)
    text = "凶凶凶凶凶凶凶凶凶凶凶凶"
    assert model.score(text) == pytest.approx(0.5 + 24.0 / math.sqrt(13))
    assert model.rude(text) and not model.rude("您" * 12)


_PIECES = st.sampled_from(
    "黑店 麻烦拿出 证据来 感谢您的点评 挂在墙上 你自己 谢谢 您好 ， 。 | ？ 嘅 係咪 冇 abc 😀 囉".split()
    + [" ", "\n"]
)
_TEXTS = st.lists(st.lists(_PIECES, max_size=30).map("".join), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_may_pass_never_turns_away_a_text_the_turn_model_finds_rude(texts: list[str]) -> None:
    """The block scorer (numpy, weights in exact thousandths) never turns away what score() finds rude, and
    gives each text score()'s sum to rounding."""
    from phraselint.engine.tone import _undialect_all, _whole_scores_of

    model = load_turn()
    assert model is not None and model._lookup is not None
    padded = [*texts, "等一下" * 2000]  # past the size below which texts are scored one by one
    whole = _whole_scores_of(_undialect_all(padded), model._lookup).tolist()
    for text, may, summed in zip(padded, model.may_pass(padded), whole):
        score = model.score(text)
        if model.rude(text):
            assert may, text
        if score > -math.inf:
            assert abs(summed + model.bias - score) < 1e-9, text
