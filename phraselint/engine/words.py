"""Chinese words and characters: the jieba tokenizer and the ranges of Han characters, for the whole package."""

from __future__ import annotations

import functools
import logging
import threading

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


@functools.lru_cache(maxsize=1)
def tokenizer():  # type: ignore[no-untyped-def]
    """The jieba tokenizer, built once on first need (loading its dictionary takes most of a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        tk = jieba.Tokenizer()
        tk.initialize()
    return tk
