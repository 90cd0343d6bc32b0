"""The normalizer: the fast and the mapped fold agree, and every folded character maps into the original."""

from __future__ import annotations

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.engine.normalize import _STUTTER, Folded, fold, fold_with_map, folding, prefold, stutters

# Text as transcripts have it: CJK in both scripts, full-width forms, punctuation, particles, emoji, combining
# marks, CRLF and control characters.
_ALPHABET = st.sampled_from(
    list("不知道你您妳好请稍等忙著着閒闲沒没看見见嗎吗急什麼么喂养办理公烦死了啊呀吧呢嘛哦啦咩係㗎發")
    + list("，。！？、；：,.!? \t\r\n\u3000")
    + list("ＡＢｃ１２")
    + ["😀", "\u0301", "\x00", "\x1b", "_", "〜"]
)
texts = st.lists(_ALPHABET, max_size=40).map("".join) | st.text(max_size=40)


@given(texts)
def test_fast_and_mapped_fold_agree(text: str) -> None:
    assert fold_with_map(text).text == fold(text)


@given(texts)
def test_prefold_collapses_to_fold(text: str) -> None:
    """The prefold is the fold without the lexical fold (the fast test looks for dialect words as written) and
    with stutters kept: after the lexical fold, collapsing its stutters gives the fold."""
    assert _STUTTER.sub(r"\1", prefold(folding().undialect(text))) == fold(text)


def test_prefold_keeps_dialect_words_as_written() -> None:
    """A hypothesis run drew 親 (chat's 亲, "you"), which the fold makes 你 and the prefold leaves as it is."""
    for text, folded in (("親", "你"), ("唔", "不"), ("係咪", "是不是"), ("親戚", "亲戚")):
        assert fold(text) == folded
        assert _STUTTER.sub(r"\1", prefold(folding().undialect(text))) == folded


def test_cantonese_what_is_folded_inside_a_clause_only() -> None:
    """咩 is "what" inside a clause and a question particle at its end (rules/dialect.yml, before_a_word)."""
    assert fold("你發咩神經呀？") == "你发什么神经"
    assert fold("咩態度") == "什么态度"
    assert fold("係咩？") == "是"  # the particle: dropped as before
    assert fold("你唔記得咗咩，再睇") == "你不记得了再看"
    assert fold("真係㗎咩佢話") == "真是他话"  # after a particle: it closes the clause, unpunctuated
    assert fold("你鬧金庸𡃉咩你唔通") == "你闹金庸𡃉你不通"


@given(texts)
def test_every_folded_character_maps_into_the_original(text: str) -> None:
    folded = fold_with_map(text)
    assert len(folded.starts) == len(folded.ends) == len(folded.text)
    assert len(folded.boundary) == len(folded.text) + 1
    assert folded.boundary[0] and folded.boundary[-1]
    previous = (0, 0)
    for start, end in zip(folded.starts, folded.ends):
        # each character maps after the one before, or, where a word folds onto several (file → 文件, 有咩 →
        # 有什么), every character of them onto that whole word
        assert (start, end) == previous or previous[1] <= start
        assert start < end <= len(text)
        previous = (start, end)


def test_a_stutter_after_a_word_folded_onto_several_characters_stretches_the_whole_word() -> None:
    """Hypothesis drew 咩麼: 咩 says 什么, its 么 and the 么 of 麼 collapse as a stutter, and both characters of
    什么 map onto 咩麼 (not 什 onto 咩 and 么 onto 咩麼, which broke the order of the map)."""
    for text in ("咩麼", "乜麼", "乜嘢麼"):
        folded = fold_with_map(text)
        assert folded.text == "什么"
        assert folded.starts == (0, 0) and folded.ends == (len(text), len(text))


def test_a_word_folded_onto_several_characters_maps_each_onto_the_whole_word() -> None:
    for text, word in (("File", "File"), ("份form填錯晒", "form"), ("有咩事", "有咩")):
        folded = fold_with_map(text)
        start = text.index(word)
        spans = [(s, e) for s, e in zip(folded.starts, folded.ends) if s < start + len(word) and start < e]
        assert len(spans) >= 2 and set(spans) == {(start, start + len(word))}, (text, spans)


_t2s = opencc.OpenCC("t2s")
_s2t = opencc.OpenCC("s2t")


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(list("不知道您请稍等我正忙着吗急什么没看见烦死了下班明天再来办理,。")), max_size=30
    )
)
def test_script_does_not_change_the_fold(chars: list[str]) -> None:
    text = "".join(chars)
    assert fold(_s2t.convert(text)) == fold(text) == fold(_t2s.convert(_s2t.convert(text)))


def test_folds_width_script_person_particles_and_noise() -> None:
    assert fold("沒看見我正忙著嗎？") == fold("没看见我正忙着吗") == "没看见我正忙着吗"
    assert fold("閒著") == fold("闲着")
    assert fold("您好") == fold("你好")
    assert fold("不 知 道") == "不知道"
    assert fold("不知道啊！") == "不知道"
    assert fold("ＡＢＣ") == "abc"
    assert fold("烦死了烦死了") == "烦死了"


def test_boundaries_come_from_punctuation_line_ends_and_clause_spaces() -> None:
    folded = fold_with_map("不知道，你去问别人")
    assert folded.text == "不知道你去问别人"
    assert folded.boundary[3]
    assert fold_with_map("不知道\n你去问").boundary[3]
    assert fold_with_map("不知道 你去问别人").boundary[3]  # ASR: a space between runs of words
    assert not any(fold_with_map("不 知 道").boundary[1:3])  # letters spaced out inside one word


def test_collapsed_stutter_spans_the_whole_repetition() -> None:
    text = "烦死了烦死了！"
    folded = fold_with_map(text)
    assert folded.text == "烦死了"
    start, end = folded.span(0, 3)
    assert text[start:end] == "烦死了烦死了"


@given(st.lists(st.sampled_from(list("烦死了不知道你，")), max_size=40).map("".join))
def test_the_collapse_keeps_the_map_of_each_character_kept(text: str) -> None:
    """_collapse, which keeps slices of the map, keeps what a walk over the characters keeps: the first unit
    of each stutter, its last character's span reaching to the end of the stutter."""
    folded = fold_with_map(text)
    plain = folding().fold(text)
    assert folded.text == plain
    raw = _fold_uncollapsed(text)
    chars, starts, ends, boundary = [], [], [], []
    pos = 0
    for m in _STUTTER.finditer(raw.text):
        for k in range(pos, m.start() + len(m.group(1))):
            chars.append(raw.text[k])
            starts.append(raw.starts[k])
            ends.append(raw.ends[k])
            boundary.append(raw.boundary[k])
        ends[-1] = raw.ends[m.end() - 1]
        pos = m.end()
    for k in range(pos, len(raw.text)):
        chars.append(raw.text[k])
        starts.append(raw.starts[k])
        ends.append(raw.ends[k])
        boundary.append(raw.boundary[k])
    assert (folded.text, folded.starts, folded.ends, folded.boundary) == (
        "".join(chars),
        tuple(starts),
        tuple(ends),
        (*boundary, True),
    )


def _fold_uncollapsed(text: str) -> Folded:
    """fold_with_map with no stutter collapsed (worked out, not the remembered fold of a short text)."""
    from phraselint.engine import normalize

    real = normalize._collapse
    normalize._collapse = lambda f, s, e, b: Folded(f, tuple(s), tuple(e), tuple(b))  # type: ignore[assignment]
    try:
        return normalize._fold_with_map_of(text)
    finally:
        normalize._collapse = real


def test_stutters_of_a_key() -> None:
    assert {"不不知道", "不知知道", "不知道道", "不知不知道", "不知道知道"} == stutters("不知道")


_MARKED_ALPHABET = st.sampled_from(list("不知道你我问谁好好吧13553:：，。！？唔知喺") + ["😀", "_"])


@settings(max_examples=400)
@given(st.lists(_MARKED_ALPHABET, max_size=30).map("".join), texts)
def test_the_cheap_marked_fold_is_the_mapped_one_without_white_space_boundaries(
    plain: str, text: str
) -> None:
    """Stutters collapsed across punctuation (你问我，我去问谁) and time stamps (13:55:51) included: where no
    white space stands, the cheap marked fold is the mapped fold's marked text; elsewhere it has the same
    characters and never a mark the mapped one lacks (a pattern matching the mapped one matches it)."""
    from phraselint.engine.normalize import folding, marked

    assert folding().marked_fold(plain) == marked(fold_with_map(plain))[0]
    cheap, mapped = folding().marked_fold(text), marked(fold_with_map(text))[0]
    assert cheap.replace("\x1f", "") == mapped.replace("\x1f", "")

    def marks(s: str) -> set[int]:
        return {k - s[:k].count("\x1f") for k, c in enumerate(s) if c == "\x1f"}  # before which character

    assert marks(cheap) <= marks(mapped)


def test_the_marked_table_marks_every_dropped_character_that_ends_a_clause() -> None:
    """Built from the clause marks alone (not by testing every code point, a tenth of a second of every cold
    start), it is the table that test gives."""
    from phraselint.engine import normalize

    folding_ = normalize.folding()
    expected = list(folding_.table)
    for code, out in enumerate(folding_.table):
        ch = chr(code)
        if out is None and normalize._clause_end(ch) and not ch.isspace():
            expected[code] = "\x1f"
    assert folding_._marked_table == tuple(expected)


@given(texts)
def test_the_plain_mapped_fold_is_the_character_by_character_one(text: str) -> None:
    """fold_with_map's fast path (no dialect word, nothing beyond the BMP) gives exactly what the walk character
    by character gives: the folded text, every span and every clause boundary."""
    from phraselint.engine.normalize import _ASTRAL, _fold_plain_with_map, _fold_with_map

    f = folding()
    if _ASTRAL.search(text) or f.dialect_spans(text) or not f.drops_spaces:
        return
    assert _fold_plain_with_map(text, f.table) == _fold_with_map(text, f)


def test_a_bit_then_will_is_not_cantonese_how_could() -> None:
    """點會 is Cantonese "how could"; after a word of degree, 点会 is "a bit" and 会 (rules/dialect.yml, as_written)."""
    assert fold("声音小一点会死啊？") == "声音小一点会死"
    assert fold("快一點會好啲") == "快一点会好些"
    assert fold("你早点会好一些") == "你早点会好一些"
    assert fold("佢點會知") == "他怎么会知道"
