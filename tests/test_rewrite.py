"""`Linter.rewrite`, the library half of the pre-send check: the whole message rewritten, ready to send, in the
message's own script, or None when a violation has no safe rewrite."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phraselint.data.catalogue import load_catalogue
from phraselint.engine.linter import Linter
from phraselint.engine.rewrite import load_default_rewriting
from phraselint.engine.script import evidence
from phraselint.errors import ConfigError

CATALOGUE = load_catalogue()
LINTER = Linter(CATALOGUE)
TO_SCRIPT = {s: opencc.OpenCC(c).convert for s, c in (("traditional", "s2t"), ("tw", "s2tw"), ("hk", "s2hk"))}
_t2s = opencc.OpenCC("t2s").convert


def test_a_clean_message_is_its_own_rewrite() -> None:
    assert LINTER.rewrite("您好，请问您办理什么业务？") == "您好，请问您办理什么业务？"
    assert LINTER.rewrite("") == ""


def test_the_offending_clause_is_replaced_the_rest_kept_and_nothing_said_twice() -> None:
    text = "您好。不知道。请您稍等。"
    # 不知道 → 需要帮您查一下，请您稍等; the innocent 请您稍等 that follows would say it twice.
    assert LINTER.rewrite(text) == "您好。需要帮您查一下，请您稍等。"


def test_every_flag_example_gets_a_rewrite_that_checks_clean() -> None:
    for rule in CATALOGUE.rules:
        for example in rule.flag_examples:
            rewrite = LINTER.rewrite(example)
            assert rewrite is not None and LINTER.check(rewrite) == [], (rule.id, example, rewrite)


def test_the_script_is_the_messages_or_the_one_asked_or_the_contexts() -> None:
    traditional = LINTER.rewrite("沒看見我正忙著嗎？")
    assert traditional and evidence(traditional)[1] == 0 and evidence(traditional)[0] > 0
    assert LINTER.rewrite("不知道。", script="tw") == LINTER.check("不知道。", script="tw")[0].rewrite
    # 不知道。 shows no script of its own: the conversation's decides.
    assert LINTER.rewrite("不知道。", context="hk") == LINTER.rewrite("不知道。", script="hk")
    assert LINTER.rewrite("不知道。", script="auto") == LINTER.rewrite("不知道。")


def test_an_unknown_script_is_an_error_even_for_a_clean_message() -> None:
    for text in ("您好", "不知道。"):
        with pytest.raises(ConfigError, match="unknown script 'latin'"):
            LINTER.rewrite(text, script="latin")


_PIECES = [e for r in CATALOGUE.rules for e in (*r.flag_examples, *r.pass_examples)] + [
    p.text.replace("{", "").replace("}", "") for p in CATALOGUE.standard
]
messages = st.tuples(
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3).map("".join),
    st.sampled_from(["simplified", "traditional", "tw", "hk"]),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_a_rewrite_lints_clean_is_stable_and_stays_in_the_messages_script(message: tuple[str, str]) -> None:
    simplified, script = message
    text = _t2s(simplified) if script == "simplified" else TO_SCRIPT[script](_t2s(simplified))
    rewrite = LINTER.rewrite(text)
    assert rewrite is not None, text
    assert LINTER.check(rewrite) == []
    assert LINTER.rewrite(rewrite) == rewrite
    # What the rewrite brings in is in the message's script: it adds no character of the other one.
    (traditional_before, simplified_before), (traditional_after, simplified_after) = (
        evidence(text),
        evidence(rewrite),
    )
    if script == "simplified":
        assert traditional_after <= traditional_before, (text, rewrite)
    elif traditional_before:  # a traditional message that shows it
        assert simplified_after <= simplified_before, (text, rewrite)


_SLOT_WORDS = sorted(
    {w for kind in load_default_rewriting().kinds.values() for w in (*kind.words, *kind.suffixes)}
    | set(load_default_rewriting().leading)
)


@given(
    st.lists(
        st.one_of(st.sampled_from(_SLOT_WORDS), st.text(alphabet="去找问三号市你的，。0123", max_size=4))
    )
)
@settings(max_examples=300, deadline=None)
def test_slot_values_screened_by_one_pass_are_those_of_every_word_looked_for(pieces: list[str]) -> None:
    """The slot values an utterance names, its kinds passed over where one automaton pass finds none of their
    words or suffixes in it (rewrite._Screen), are those found looking for each word and suffix in turn."""
    from phraselint.engine import rewrite

    rewriting = load_default_rewriting()
    text = "".join(pieces)
    screened = rewrite._found_values(
        text, rewriting.kinds, rewriting.leading, rewrite._screen_of(rewriting), rewriting.breaks
    )
    assert screened == rewrite._found_values(
        text, rewriting.kinds, rewriting.leading, breaks=rewriting.breaks
    )


@given(st.text(alphabet="不知道啊那个你问找去前台吧嗯我三号窗口税务局，", max_size=24))
@settings(max_examples=300, deadline=None)
def test_a_name_the_utterance_gives_holds_no_pronoun_particle_or_filler(text: str) -> None:
    """A slot value found in the utterance is a name: none of rules/rewrite.yml's ``breaks`` (你, 啊, 吧 …)
    stands inside it, so a rewrite never reads 请您到知道啊那个您问前台咨询."""
    from phraselint.engine import rewrite

    rewriting = load_default_rewriting()
    for value in dict(rewrite._found_in(text, rewriting)).values():
        assert not set(value) & set(rewriting.breaks), value


def test_an_unpunctuated_brush_off_names_the_place_it_sends_to() -> None:
    """ASR output runs a brush-off into the words before it (不知道啊那个你问前台吧): the message and the
    rewrites name 前台, the place the visitor is sent to, not the run of words before it."""
    found = Linter().check("不知道啊那个你问前台吧")
    sent = next(v for v in found if v.rule == "go-ask-elsewhere")
    assert "请您到前台" in sent.message and "知道啊" not in sent.message
    assert all("知道啊" not in s for s in sent.suggestions) and "知道啊" not in (sent.rewrite or "")


def test_a_message_in_traditional_script_gives_the_slot_s_general_word_in_that_script() -> None:
    """Where the utterance names no place, a message quotes the slot's general word (相关部门) in the script of
    the input, as the rest of it: 相關部門 for Hong Kong or Taiwan speech, not a simplified word among
    traditional ones."""
    found = Linter().check("唔知呀你問第個啦")
    sent = next(v for v in found if v.rule == "go-ask-elsewhere")
    assert "相關部門" in sent.message and "相关部门" not in sent.message
    simplified = next(v for v in Linter().check("你去问别的吧") if v.rule == "go-ask-elsewhere")
    assert "相关部门" in simplified.message


def test_breaks_that_are_not_a_list_of_words_are_a_clear_error(tmp_path: Path) -> None:
    """rules/rewrite.yml's ``breaks`` must be a list of words: anything else names the file and the line."""
    from phraselint.engine.rewrite import load_rewriting
    from phraselint.errors import CatalogueError

    path = tmp_path / "rewrite.yml"
    path.write_text("leading: [去]\nbreaks: 你啊吧\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_rewriting(str(path))
    assert "'breaks' must be a list of words" in str(raised.value) and "rewrite.yml:2" in str(raised.value)
    path.write_text("breaks: [你, 吧呢]\n", encoding="utf-8")
    assert load_rewriting(str(path)).breaks == ("吧呢", "你")
