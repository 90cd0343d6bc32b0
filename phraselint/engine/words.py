"""Chinese words and characters: the jieba tokenizer and the ranges of Han characters, for the whole package."""

from __future__ import annotations

import array
import functools
import math
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

# The CJK Unified Ideographs (汉字) block; the code points of the commonest characters.
BASIC_HAN = (0x4E00, 0x9FFF)
# Every Han character phraselint knows: Extension A, the basic block, the compatibility ideographs.
HAN_RANGES = ((0x3400, 0x4DBF), BASIC_HAN, (0xF900, 0xFAFF))

_jieba_lock = threading.Lock()


def is_han(char: str) -> bool:
    """Whether ``char`` is a Han character (汉字) of ``HAN_RANGES``."""
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in HAN_RANGES)


def has_han(text: str) -> bool:
    """Whether ``text`` holds a Han character."""
    return any(is_han(ch) for ch in text)


class Tokenizer(Protocol):
    """What phraselint asks of a tokenizer: jieba's ``cut`` and ``lcut``."""

    def cut(self, text: str, HMM: bool = ...) -> Iterable[str]: ...  # noqa: N803 - jieba's own keyword

    def lcut(self, text: str, HMM: bool = ...) -> list[str]: ...  # noqa: N803


class TrieJieba:
    """jieba's cuts without the HMM (the only ones phraselint asks for), by jieba's own algorithm over jieba's
    own dictionary, held in a marisa trie (``marisa-trie``): the words that start at each character are the
    trie's prefixes of the text from there, and each word's weight, log(count) - log(total), is computed once
    when the dictionary is built (the same float jieba computes each time: its sum ``log(count) - log(total) +
    route`` is evaluated left to right). The dictionary takes some 4 MB against 33 MB for jieba-rs (rjieba,
    the tokenizer before it) and 74 MB for jieba, and loads from the cache in milliseconds; it is built once
    per jieba release (a second). With the HMM the cuts come from jieba itself.

    tests/test_words.py holds its cuts against jieba's on every utterance phraselint has and on random text;
    benchmarks/tokenizer_identity.py on a generated corpus and every text the engine asks for."""

    # jieba's own patterns (jieba/__init__.py): the runs it cuts with the dictionary, the white space it keeps
    # whole, and the letters and digits it joins into one word
    _HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
    _SKIP = re.compile("(\\r\\n|\\s)", re.U)
    _ENG = re.compile("[a-zA-Z0-9]", re.U)

    def __init__(self) -> None:
        self._dictionary = _jieba_dictionary()

    def cut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803 - jieba's own keyword
        if HMM:
            return list(_jieba_itself().cut(text, HMM=True))
        out: list[str] = []
        for block in self._HAN.split(text):
            if not block:
                continue
            if self._HAN.match(block):
                self._cut_block(block, out)
            else:
                for piece in self._SKIP.split(block):
                    if self._SKIP.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return out

    def lcut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803
        return self.cut(text, HMM=HMM)

    def _cut_block(self, block: str, out: list[str]) -> None:
        """jieba's ``__cut_DAG_NO_HMM``: the route of the largest sum of weights, single letters and digits
        joined."""
        d = self._dictionary
        n = len(block)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        weights, longest, alone = d.weights, d.longest, d.alone
        prefixes = d.trie.iter_prefixes_with_ids
        for k in range(n - 1, -1, -1):
            best: tuple[float, int] | None = None
            for word, key in prefixes(block[k : k + longest]):
                x = k + len(word) - 1
                candidate = (weights[key] + route[x + 1][0], x)
                if best is None or candidate > best:
                    best = candidate
            if best is None:  # no word starts here: the character alone, counted once
                best = (alone + route[k + 1][0], k)
            route[k] = best
        x = 0
        buf = ""
        while x < n:
            y = route[x][1] + 1
            word = block[x:y]
            if len(word) == 1 and self._ENG.match(word):
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)


class JiebaDictionary:
    """jieba's dictionary as :class:`TrieJieba` reads it: the words of a positive count in a marisa trie,
    the weight of each (by its id in the trie) in an array of doubles, the weight of a character that starts
    no word, and the length of the longest word. Pickled as bytes (the trie's own serialisation)."""

    def __init__(self, trie: Any, weights: array.array[float], alone: float, longest: int) -> None:
        self.trie = trie
        self.weights = weights
        self.alone = alone
        self.longest = longest

    @classmethod
    def read(cls, path: Path) -> JiebaDictionary:
        """jieba's ``gen_pfdict`` and ``calc``: a word's count is that of its last line, the total counts
        every line."""
        import marisa_trie

        # Read twice, a line at a time: every word into a trie, then each one's last count by its id. A dict of
        # the 349,000 words and a list of them took 45 MB more for a moment, on the first run (issue 13).
        total = 0

        def words() -> Iterator[str]:
            nonlocal total
            for word, count in _lines(path):
                total += count
                yield word

        every = marisa_trie.Trie(words())
        counts = array.array("q", bytes(8 * len(every)))
        for word, count in _lines(path):
            counts[every.key_id(word)] = count
        logtotal = math.log(total)
        # the words of a positive count: all of them in jieba's own file, the trie read then (a word on two lines
        # weighs more in how marisa lays it out: other ids than a trie of each word once, the same words and
        # weights, which are all that a cut looks at)
        trie = every if all(counts) else marisa_trie.Trie(w for w, k in every.iteritems() if counts[k])
        weights = array.array("d", bytes(8 * len(trie)))
        longest: int | None = None
        for word, k in every.iteritems():
            if counts[k]:
                weights[k if trie is every else trie.key_id(word)] = math.log(counts[k]) - logtotal
                longest = len(word) if longest is None else max(longest, len(word))
        return cls(trie, weights, math.log(1) - logtotal, 1 if longest is None else longest)

    def __getstate__(self) -> dict[str, object]:
        return {
            "trie": self.trie.tobytes(),
            "weights": self.weights,
            "alone": self.alone,
            "longest": self.longest,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        import marisa_trie

        self.trie = marisa_trie.Trie().frombytes(state["trie"])
        self.weights = state["weights"]
        self.alone = state["alone"]
        self.longest = state["longest"]


def _lines(path: Path) -> Iterator[tuple[str, int]]:
    """Each line of jieba's dictionary file as its word and count."""
    with path.open("rb") as fh:
        for line in fh:
            word, count = line.strip().decode("utf-8").split(" ")[:2]
            yield word, int(count)


def _jieba_dictionary() -> JiebaDictionary:
    """jieba's dictionary (its dict.txt, found without importing jieba: the import costs a tenth of a second),
    built once and kept on disk, keyed by the file and the code."""
    import importlib.util

    from ..data.cache import cached, code_fingerprint, key_of

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise ImportError("No module named 'jieba'")
    path = Path(spec.origin).parent / "dict.txt"
    stat = path.stat()
    key = key_of([str(path), str(stat.st_size), str(stat.st_mtime_ns), code_fingerprint()])
    return cached("jieba-dictionary", key, lambda: JiebaDictionary.read(path))


def jieba_tokenizer() -> Any:
    """jieba's own tokenizer (pure Python), its dictionary loaded now."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        tk = jieba.Tokenizer()
        tk.initialize()
    return tk


@functools.lru_cache(maxsize=1)
def _jieba_itself() -> Any:
    return jieba_tokenizer()


@functools.lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    """The tokenizer, built once on first need: :class:`TrieJieba` where marisa-trie is installed, else jieba
    itself (the same cuts either way)."""
    try:
        return TrieJieba()
    except ImportError:
        tk: Tokenizer = _jieba_itself()
        return tk
