"""The engine as the library API sees it: what is flagged, what is not, and the invariants."""

from __future__ import annotations

import threading

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import example as hypothesis_example
from hypothesis import strategies as st

import phraselint
from phraselint.data.catalogue import load_catalogue
from phraselint.engine.linter import Linter
from phraselint.errors import ConfigError

CATALOGUE = load_catalogue()
LINTER = Linter(CATALOGUE)


def rules_in(text: str) -> list[str]:
    return [v.rule for v in LINTER.check(text)]


@pytest.mark.parametrize(
    "text",
    [
        "不知道。",
        "这个我也不知道，你问别人吧。",
        "不 知 道",  # noise inside the phrase
        "不知道啊！",  # particle
        "沒看見我正忙著嗎？急什麼！",  # traditional, 著 that plain t2s leaves alone
        "没看我正忙着吗",
        "下班了，明天再来吧",
        "下班了明天再来",  # ASR: no punctuation
        "烦死了烦死了",  # doubled
        "喊什么喊",
        "神经病",
        "有牌子，自己看",
        "你有完没完",
        "ｂｕ不知道。".replace("ｂｕ", ""),  # full-width noise removed
    ],
)
def test_forbidden_phrases_are_found(text: str) -> None:
    assert LINTER.check(text), f"nothing found in {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "不知道您还需要什么？",  # the polite hedge
        "你知不知道这个规定？",
        "喂养宠物需要登记",  # the longer word
        "不办理",
        "不办公",
        "神经内科在三楼",
        "麻烦您稍等一下",
        "请稍等，我马上给您办理。",
        "对不起，让您久等了。",
        "",
        "……",  # a transcript's pause (。。。 typed as the whole reply is cold-marks)
        "，。",
    ],
)
def test_innocent_text_is_not_flagged(text: str) -> None:
    assert LINTER.check(text) == [], f"{text!r} flagged: {rules_in(text)}"


def test_violation_carries_place_text_and_rewrites() -> None:
    text = "您好，这个我不知道。"
    (v,) = LINTER.check(text)
    assert v.rule == "dont-know"
    assert text[v.start : v.end] == v.text
    assert v.severity == "error" and v.message and v.situation == "answering"
    assert v.suggestions and all(isinstance(s, str) for s in v.suggestions)
    assert v.sources


def test_rewrites_come_in_the_script_of_the_input() -> None:
    (simp,) = LINTER.check("没看我正忙着吗")
    (trad,) = LINTER.check("沒看我正忙著嗎")
    to_simp = opencc.OpenCC("t2s").convert
    assert trad.script != "simplified" and simp.script == "simplified"
    assert [to_simp(s) for s in trad.suggestions] == [to_simp(s) for s in simp.suggestions]
    assert trad.suggestions != simp.suggestions
    assert LINTER.check("不知道。", context="traditional")[0].script == "traditional"
    assert LINTER.check("不知道。", script="hk")[0].script == "hk"


def test_trailing_slot_takes_the_rest_of_the_clause_and_fills_the_rewrite() -> None:
    hits = [v for v in LINTER.check("你去问社保科吧。") if v.rule == "go-ask-elsewhere"]
    assert hits and any("社保科" in s for s in hits[0].suggestions)


def test_longer_rule_shadows_the_shorter_on_the_same_words() -> None:
    found = LINTER.check("没见我正忙着吗，急什么？")
    assert len(found) == 1, [v.rule for v in found]


def test_select_ignore_severity_allow() -> None:
    assert Linter(CATALOGUE, ignore=["dont-know"]).check("不知道。") == []
    assert Linter(CATALOGUE, ignore=["answering"]).check("不知道。") == []
    assert Linter(CATALOGUE, select=["closing-time"]).check("不知道。") == []
    assert Linter(CATALOGUE, severity={"dont-know": "info"}).check("不知道。")[0].severity == "info"
    assert Linter(CATALOGUE, allow=["不知道"]).check("不知道。") == []
    with pytest.raises(ConfigError, match="unknown rule or situation 'no-such-rule'"):
        Linter(CATALOGUE, select=["no-such-rule"])
    with pytest.raises(ConfigError, match="severity"):
        Linter(CATALOGUE, severity={"dont-know": "fatal"})


def test_module_level_check_and_rewrite() -> None:
    assert [v.rule for v in phraselint.check("不知道。")] == ["dont-know"]
    assert LINTER.rewrite("请稍等。") == "请稍等。"
    fixed = LINTER.rewrite("下班了，明天再来吧")
    assert fixed is not None and LINTER.check(fixed) == []


def test_linter_is_safe_to_share_across_threads() -> None:
    texts = ["不知道。", "沒看見我正忙著嗎", "请稍等", "这个不归我们管，你去问公积金中心。"] * 50
    expected = [[(v.rule, v.start, v.end) for v in LINTER.check(t)] for t in texts]
    linter = Linter(CATALOGUE)
    results: dict[int, list[list[tuple[str, int, int]]]] = {}

    def work(k: int) -> None:
        results[k] = [[(v.rule, v.start, v.end) for v in linter.check(t)] for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


# --- invariants -------------------------------------------------------------------------------------

_PIECES = [w for r in CATALOGUE.rules for w in r.wordings if "{" not in w] + [
    "您好",
    "请稍等",
    "，",
    "。",
    "？",
    "！",
    " ",
    "\r\n",
    "\t",
    "\x00",
    "😀",
    "\u0301",
    "ＡＢＣ",
    "吧",
    "啊",
    "不",
    "办",
    "公",
    "喂",
    "养",
    "知道",
    "您还需要什么",
    "社保科",
    "沒",
    "著",
    "嗎",
    "閒",
]
utterances = st.lists(st.sampled_from(_PIECES) | st.text(max_size=5), max_size=8).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(utterances)
def test_check_never_raises_and_spans_slice_the_original(text: str) -> None:
    for v in LINTER.check(text):
        assert 0 <= v.start < v.end <= len(text)
        assert text[v.start : v.end] == v.text


_s2t = opencc.OpenCC("s2t").convert
_t2s = opencc.OpenCC("t2s").convert


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([w for r in CATALOGUE.rules for w in (*r.flag_examples, *r.pass_examples)]),
        min_size=1,
        max_size=3,
    ).map("".join)
)
# 網點辦 (a branch, then 办) once read as Cantonese 點辦 ("how to do"), which set 喂 aside as an interjection
@hypothesis_example("喂，你过来一下。这个去别的网点办，我们这办不了")
# t2s writes Cantonese 嗰 as 𠮶, which must mark Cantonese as well
@hypothesis_example("喂，你过来一下。喂，嗰個，行過去排隊。")
def test_simplified_and_traditional_give_the_same_hits(text: str) -> None:
    for other in (_s2t(text), _t2s(_s2t(text))):
        if len(other) != len(text):
            continue  # a phrase conversion changed the length: places are not comparable
        assert [(v.rule, v.start, v.end) for v in LINTER.check(other)] == [
            (v.rule, v.start, v.end) for v in LINTER.check(text)
        ]


def test_characters_opencc_writes_only_in_phrases_fold_back() -> None:
    """s2t writes some characters only inside phrases, and t2s leaves them (不背你 → 不揹你, 答复 → 答覆): the
    fold makes them what they were (a case the property test above once drew)."""
    text = "这个锅我们不背你係咪專登嚟玩我"
    hits = [(v.rule, v.start, v.end) for v in LINTER.check(text)]
    assert ("not-my-business", 0, 7) in hits
    for other in (_s2t(text), _t2s(_s2t(text))):
        assert "揹" in other
        assert [(v.rule, v.start, v.end) for v in LINTER.check(other)] == hits


def test_every_example_gives_the_same_hits_in_either_script() -> None:
    """Each catalogue example on its own, put into traditional script and back (試吓 comes back as 試嚇 from
    s2t: the lexical fold knows that spelling too), not only the few a property test happens to draw."""
    differ = []
    for text in (w for r in CATALOGUE.rules for w in (*r.flag_examples, *r.pass_examples)):
        hits = [(v.rule, v.start, v.end) for v in LINTER.check(text)]
        for other in (_s2t(text), _t2s(_s2t(text))):
            if len(other) == len(text) and [(v.rule, v.start, v.end) for v in LINTER.check(other)] != hits:
                differ.append((text, other))
    assert differ == []


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(utterances)
def test_fixing_twice_changes_nothing_more(text: str) -> None:
    once = LINTER.fix(text)
    assert LINTER.fix(once) == once
    if once != text:  # fixed: the whole utterance was rewritten, and the rewrite checks clean
        assert LINTER.check(once) == []


def test_every_suggestion_of_every_example_checks_clean() -> None:
    for rule in CATALOGUE.rules:
        for example in rule.flag_examples:
            for v in LINTER.check(example):
                for suggestion in (*v.suggestions, *([v.rewrite] if v.rewrite else [])):
                    assert [
                        x
                        for x in LINTER.check(suggestion.replace("{", "").replace("}", ""))
                        if x.rule == v.rule
                    ] == [], (rule.id, example, suggestion)


def test_an_alternative_that_takes_the_rewrite_chosen_anyway_is_the_rewrite_itself() -> None:
    """alternatives() takes the message as rewritten without a choice where the choice is the rewrite the
    violation takes anyway: the same list as each alternative worked out on its own, before the rewrite."""
    catalogue = load_catalogue()
    texts = [r.flag_examples[0] for r in catalogue.rules if r.flag_examples][:80]
    texts += [a + "，" + b for a, b in zip(texts[::2], texts[1::2])]  # two violations in one message
    shortcut, plain = Linter(catalogue), Linter(catalogue)
    several = 0
    for text in texts:
        violations = plain._violations(text, None, None)  # (no rewrite worked out yet)
        if not violations:
            continue
        script = violations[0].script
        own = [
            plain._rewritten(text, violations, script, None, (k, rw))
            for k, v in enumerate(violations)
            for rw in plain._rule_by_id[v.rule].rewrites
        ]  # each worked out before the rewrite without a choice is known: no shortcut
        expected: list[str] = []
        first = plain._rewritten(text, violations, script, None)
        if first is not None:
            expected.append(first)
        for other in own:
            if len(expected) >= 5:
                break
            if other is not None and other not in expected:
                expected.append(other)
        assert shortcut.alternatives(text) == expected, text
        several += len(expected) > 1
    assert several > 20


_EXAMPLES = [ex for rule in CATALOGUE.rules for ex in (*rule.flag_examples[:1], *rule.pass_examples[:1])]


@given(
    st.sampled_from(_EXAMPLES),
    st.text(alphabet="工作人员客服小不知道看忙 0123456789:：[]-", max_size=16),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_line_whose_utterance_passed_by_its_words_passes_as_tested(text: str, label: str) -> None:
    """candidates_in told the utterance a line holds (has_candidates' by_words) gives what the test of the
    line itself gives: the shortcut holds only where the line's folds hold the utterance's."""
    line = label + text
    by_words: set[int] = set()
    LINTER.has_candidates([text], by_words)
    told = [text] if by_words else [None]
    assert LINTER.candidates_in([line], told) == LINTER.candidates_in([line])


@given(
    st.lists(
        st.one_of(
            st.sampled_from(_EXAMPLES),
            st.sampled_from(["您好", "请稍等。", "不知道", "？？？", "你烦不烦啊", "谢谢您"]),
            st.text(alphabet="不知道你烦我您好，。？！ 呵", max_size=12),
        ),
        max_size=12,
    ),
    st.lists(st.integers(min_value=0, max_value=11), max_size=12),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_fast_test_of_texts_met_before_is_the_fast_test_of_new_ones(
    texts: list[str], again: list[int]
) -> None:
    """has_candidates remembers the texts that passed and the short ones that failed (a block of a file says
    what the blocks before it said): a block of texts met before, in part or whole, and in another order, gets
    what the test of each text alone gives (has_candidate), and the by_words of a linter that remembers
    nothing."""
    from phraselint.engine.linter import _Memo

    def fresh(block: list[str]) -> set[int]:
        LINTER._passed, LINTER._failed = _Memo(4096), _Memo(8192)
        by_words: set[int] = set()
        assert LINTER.has_candidates(block, by_words) == [LINTER.has_candidate(t) for t in block]
        return by_words

    block = [texts[k] for k in again if k < len(texts)] + ["你烦不烦", *texts[:2]]
    for first, then in ((texts, texts), (texts, block), (block, texts)):
        expected = fresh(then)
        LINTER.has_candidates(first)
        by_words: set[int] = set()
        assert LINTER.has_candidates(then, by_words) == [LINTER.has_candidate(t) for t in then]
        assert by_words == expected


def test_a_line_is_taken_to_hold_an_utterance_only_where_its_folds_do() -> None:
    """The shortcut is checked, not assumed: an utterance that is not in the line, or none, proves nothing."""
    assert LINTER._holds_passed("客服 09:02:34：不知道。", "不知道。")
    assert not LINTER._holds_passed("客服：您好", "不知道。")
    assert not LINTER._holds_passed("客服：不知道。", None)


def test_every_match_of_an_antipattern_holds_one_of_its_anchors() -> None:
    """The linter runs an antipattern only where one of its anchors stands in the text (Linter._excused): every
    match holds one (pattern.Compiled.anchors), over the catalogue's examples and the antipatterns' own words."""
    from phraselint.engine.normalize import fold_with_map, marked
    from phraselint.engine.pattern import BOUNDARY

    texts = {t for rule in LINTER.rules for t in (*rule.flag_examples, *rule.pass_examples)}
    texts |= {" ".join(p.split()) for rule in LINTER.rules for p in rule.antipatterns}
    matches = 0
    for text in sorted(texts):
        mtext = marked(fold_with_map(text), BOUNDARY)[0]
        for antipatterns in LINTER._antipatterns.values():
            for compiled in antipatterns:
                for s, e in compiled.run(mtext):
                    matches += 1
                    assert any(a in mtext[s:e] for a in compiled.anchors), (text, compiled.source)
    assert matches > 100  # (not vacuous)


def test_sent_to_ask_another_one_only_where_the_clause_ends_there() -> None:
    """你問第個啦 (Cantonese 第個, folded to 别的) sends the visitor away; 别的 with more after it in the clause
    does not (您问别的也行), nor does the visitor asked about more (您还有别的要问的吗)."""
    linter = Linter()
    for text in ("唔知呀你問第個啦", "你问别的吧。", "唔知呀，你搵第個啦。"):
        assert "go-ask-elsewhere" in {v.rule for v in linter.check(text)}, text
    for text in ("您问别的也行，我都能答。", "您还有别的要问的吗？", "您先问，我再找别的表格给您。"):
        assert "go-ask-elsewhere" not in {v.rule for v in linter.check(text)}, text


def test_cantonese_in_simplified_script_is_cantonese_still() -> None:
    """A case the property test above drew: t2s writes 係咪 as 系咪, and the text was then no longer heard as
    Cantonese (喂 answers the phone there: the rule hey does not apply)."""
    text = "喂，你过来一下。係咪要我講到第三次你先記得？"
    hits = [(v.rule, v.start, v.end) for v in LINTER.check(text)]
    assert ("told-you-already", 12, 17) in hits
    for other in (_s2t(text), _t2s(_s2t(text))):
        assert [(v.rule, v.start, v.end) for v in LINTER.check(other)] == hits
