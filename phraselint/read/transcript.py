"""Turns: what one speaker said, and where it sits in the file (the value the parsers produce)."""

from __future__ import annotations

import bisect
import sys
from typing import NamedTuple

_AFTER = sys.maxsize  # sorts after every line and column


class Turn(NamedTuple):
    """One utterance (话轮) of a transcript or one chat message.

    A named tuple rather than a frozen dataclass: one is made per line of every transcript, and a tuple is
    three times cheaper to make.

    ``anchors`` maps offsets of ``text`` back to the file: each ``(offset, line, column)`` says that
    ``text[offset]`` stands at that 1-based line and column (in characters) of the decoded file, and the
    characters after it follow on the same line until the next anchor. A plain line has one anchor; a
    subtitle cue of two lines has two; a JSON string with escapes has one per unescaped run.
    """

    text: str
    anchors: tuple[tuple[int, int, int], ...]
    speaker: str | None = None
    start: float | None = None
    end: float | None = None
    index: int = 0  # type: ignore[assignment]  # the turn's place in its transcript; shadows tuple.index
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def line(self) -> int:
        return self.anchors[0][1] if self.anchors else 1

    def locate(self, offset: int) -> tuple[int, int]:
        """The (line, column) of ``text[offset]`` in the file; ``offset == len(text)`` is just past the end."""
        if not self.anchors:
            return (1, offset + 1)
        # Anchors are ordered by offset: a binary search over them as they are (no list built per call, so a
        # long JSON string with many escapes and many findings stays linear).
        i = max(0, bisect.bisect_right(self.anchors, (offset, _AFTER, _AFTER)) - 1)
        base, line, column = self.anchors[i]
        return (line, column + offset - base)

    def locate_end(self, end: int) -> tuple[int, int]:
        """The (line, column) just past ``text[end - 1]``: the exclusive end of a span, as editors count."""
        if end <= 0:
            return self.locate(0)
        line, column = self.locate(end - 1)
        return (line, column + 1)
