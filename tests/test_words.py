"""engine/words.py: the tokenizer. TrieJieba (jieba's algorithm over jieba's dictionary in a marisa trie) stands
in for jieba only because it cuts every text the same way: checked here cut for cut, without the HMM (the cuts
phraselint uses), on every utterance phraselint has (the development sets, the catalogue's examples, the fixture
transcripts), on their folds, and on random text of every kind of character a transcript holds."""

from __future__ import annotations

import builtins
import functools
import sys
from pathlib import Path
from typing import Any

import pytest
from devtexts import development_texts
from hypothesis import given
from hypothesis import strategies as st

from phraselint.data.catalogue import load_catalogue
from phraselint.engine import words
from phraselint.engine.normalize import fold

ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def jieba_itself() -> Any:
    return words.jieba_tokenizer()


@functools.lru_cache(maxsize=1)
def trie() -> words.TrieJieba:
    return words.TrieJieba()


def utterances() -> list[str]:
    texts = development_texts()
    for rule in load_catalogue().rules:
        texts += [*rule.flag_examples, *rule.pass_examples]
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*")):
        if path.is_file() and path.suffix not in (".expected", ".fixed"):
            texts += path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return texts


def test_the_trie_cuts_every_utterance_as_jieba_does() -> None:
    texts = utterances()
    assert len(texts) > 7000
    differ = []
    for text in (*texts, *(fold(t) for t in texts)):
        mine, theirs = trie().cut(text, HMM=False), list(jieba_itself().cut(text, HMM=False))
        if mine != theirs:
            differ.append((text, mine, theirs))
    assert not differ, differ[:5]


# Han characters jieba's own pattern leaves out (Extension A, U+9FD6 on, the compatibility block, beyond the
# BMP), letters and digits it keeps together, its joiners (+#&._%-), spaces and line ends, punctuation of both
# widths, emoji, bopomofo, the replacement character.
PIECES = st.sampled_from(
    [
        "不知道",
        "你自己去问",
        "我们中出了一个叛徒",
        "办",
        "理",
        *"abcXYZ019",
        *"+#&._%-",
        *" \t\r\n\u3000",
        *"，。？！、：；“”（）,.?!",
        *"\u3400\u4db5\u9fd6\u9fef\u9fff\uf900\ufa2d",
        *"😊🙏",
        *"ａｂ１２ㄅㄆ\ufffd",
        "\U00020000",
        "\U0002a6a5",
        *"'\"/\\@$^*()[]{}<>=~`|",
    ]
)


@given(st.lists(PIECES, max_size=16).map("".join))
def test_the_trie_cuts_any_text_as_jieba_does(text: str) -> None:
    assert trie().cut(text, HMM=False) == list(jieba_itself().cut(text, HMM=False))
    assert trie().lcut(text, HMM=False) == jieba_itself().lcut(text, HMM=False)


@pytest.mark.parametrize("text", ["1-3个工作日到账", "2024-03-01 09:15", "+\u3400"])
def test_with_the_hmm_the_cuts_are_jiebas_own(text: str) -> None:
    theirs = list(jieba_itself().cut(text, HMM=True))
    assert trie().cut(text, HMM=True) == theirs
    assert trie().lcut(text) == jieba_itself().lcut(text)


def test_the_dictionary_is_jiebas_with_its_counts() -> None:
    """Every word of jieba's dictionary with its weight as jieba computes it, and the weight of a character
    that starts no word."""
    import math

    d = trie()._dictionary
    tk = jieba_itself()
    logtotal = math.log(tk.total)
    kept = {w: f for w, f in tk.FREQ.items() if f}
    assert len(d.trie) == len(kept)
    assert d.longest == max(map(len, kept))
    assert d.alone == math.log(1) - logtotal
    for word, count in kept.items():
        assert d.weights[d.trie.key_id(word)] == math.log(count) - logtotal


def test_the_dictionary_is_kept_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built once, then read from the cache: the same trie and weights."""
    import pickle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = words._jieba_dictionary()
    stored = list((tmp_path / "phraselint").glob("jieba-dictionary-*.pickle"))
    assert len(stored) == 1
    loaded = words._jieba_dictionary()
    assert loaded is not built
    assert loaded.trie.tobytes() == built.trie.tobytes()
    assert loaded.weights == built.weights
    assert (loaded.alone, loaded.longest) == (built.alone, built.longest)
    again = pickle.loads(pickle.dumps(loaded))
    assert again.trie.key_id("知道") == built.trie.key_id("知道")


def test_the_tokenizer_is_the_trie_where_installed() -> None:
    assert isinstance(words.tokenizer(), words.TrieJieba)


def test_without_marisa_trie_the_tokenizer_is_jieba_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_marisa(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "marisa_trie":
            raise ImportError("No module named 'marisa_trie'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "marisa_trie", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_marisa)
    words.tokenizer.cache_clear()
    try:
        tk = words.tokenizer()
        assert not isinstance(tk, words.TrieJieba)
        assert type(tk).__module__.startswith("jieba")
        assert tk.lcut("不知道你自己去问", HMM=False) == trie().cut("不知道你自己去问", HMM=False)
    finally:
        words.tokenizer.cache_clear()
