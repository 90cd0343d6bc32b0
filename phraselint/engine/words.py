"""Chinese words and characters: the jieba tokenizer and the ranges of Han characters, for the whole package."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
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


class RustJieba:
    """jieba's cuts without the HMM (the only ones phraselint asks for) from jieba-rs (the rjieba package): the
    same dictionary and the same algorithm, so the same cuts (tests/test_words.py holds them cut for cut
    against jieba's own), from a dictionary that loads in a tenth of the time jieba takes (0.15 s against 1 to
    2 s, which the first text that needed word edges waited for). With the HMM the two differ (1-3, 2024-03-01,
    a rare Han character after +), so those cuts come from jieba itself."""

    def __init__(self) -> None:
        # the module's own tokenizer, which importing it builds (a Jieba() of our own would load the
        # dictionary a second time: twice the time and the memory)
        import rjieba

        self._cut = rjieba.cut

    def cut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803 - jieba's own keyword
        if HMM:
            return list(_jieba_itself().cut(text, HMM=True))
        return self._cut(text, hmm=False)

    def lcut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803
        return self.cut(text, HMM=HMM)


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
    """The tokenizer, built once on first need: jieba-rs where rjieba is installed, else jieba itself (the
    same cuts either way)."""
    try:
        return RustJieba()
    except ImportError:
        tk: Tokenizer = _jieba_itself()
        return tk
