"""Where a large transcript can be cut, so that its parts are checked side by side (``check -j``).

A part is a byte range that begins where a record begins and ends just after a line break, with the number of
its first line, so that each part can be decoded (``decode.open_part``) and parsed on its own and every line
number and error it reports is the whole file's. Cut points are found in the bytes, never in decoded text:

- in the encodings of ``SPLIT_CODECS`` the bytes ``\\n`` and ``\\r`` stand for line breaks and nothing else
  (no byte of a multi-byte character of UTF-8, GB18030 or Big5 is below 0x40), so a cut just after ``\\n`` is
  never inside a character, and the line breaks before a cut (``\\n``, ``\\r\\n`` and ``\\r``, as the decoder
  counts them) give its line number. UTF-16 and UTF-32 are read whole: their line breaks are two or four bytes;
- in the formats of ``_CUTS``: plain, labelled and JSON Lines at any line break (a turn, a record a line);
  SRT and WebVTT only after a blank line (between cues). CSV is read whole: its header names the columns of
  every record, and a quoted field may hold line breaks, so that no line break is known to end a record
  without reading the file from its start;
- never just after a line that holds ``phraselint`` (a suppression comment silences the line under it, which
  must be in the same part).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

from ..errors import InputError

# Codecs (as decode.py names them) in which every 0x0A and 0x0D byte is a line break.
SPLIT_CODECS = frozenset({"utf-8", "utf-8-sig", "gb18030", "big5hkscs", "cp950"})
# The formats read in parts, and where: after any line break, or only after a blank line.
_CUTS = {"plain": "line", "labelled": "line", "jsonl": "line", "srt": "blank", "vtt": "blank"}
SPLIT_FORMATS = frozenset(_CUTS)
_DIRECTIVE = b"phraselint"
_READ = 1 << 20


class Part(NamedTuple):
    """Bytes ``start`` to ``end`` of a file, beginning with line ``line``."""

    start: int
    end: int
    line: int


def splittable(fmt: str, codec: str) -> bool:
    """Whether a file in this format and encoding can be read in parts."""
    return fmt in SPLIT_FORMATS and codec in SPLIT_CODECS


class Sizes(NamedTuple):
    """How large parts are: about ``1 / share`` of what is left of the file, so that they shrink towards its end
    and the workers finish together, within ``minimum`` and ``maximum`` (the last part runs to the end of the
    file rather than be smaller than ``minimum``)."""

    minimum: int
    maximum: int
    share: int

    def of(self, left: int) -> int:
        return max(self.minimum, min(self.maximum, left // self.share))


def parts(path: str, fmt: str, total: int, sizes: Sizes) -> Iterator[Part]:
    """The parts of the first ``total`` bytes of a file in ``fmt`` (one of ``SPLIT_FORMATS``), in order, of
    ``sizes``; one part for a file too small to cut. The file is read once, a part at a time, to find the cuts
    and count the lines before each. InputError if it cannot be read."""
    blank = _CUTS[fmt] == "blank"
    try:
        with open(path, "rb") as stream:
            yield from _parts(stream, blank, total, sizes)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None


def _parts(stream: BinaryIO, blank: bool, total: int, sizes: Sizes) -> Iterator[Part]:
    start, line = 0, 1
    carried = b""  # bytes read past the last cut
    while total - start >= (size := sizes.of(total - start)) + sizes.minimum:
        data = bytearray(carried)
        if len(data) < size:
            data += stream.read(size - len(data))
        cut = _cut(data, size - 1, blank)
        while cut is None and len(data) < total - start:
            more = stream.read(min(_READ, total - start - len(data)))
            if not more:
                break
            searched = len(data)
            data += more
            cut = _cut(data, max(size - 1, searched - 1), blank)
        if cut is None or total - start - cut < sizes.minimum:
            break
        yield Part(start, start + cut, line)
        line += _line_breaks(data, cut)
        start += cut
        carried = bytes(data[cut:])
    yield Part(start, total, line)


def _cut(data: bytearray, at: int, blank: bool) -> int | None:
    """The first place at or after ``data[at]`` just after a line break where a part may end: after a line
    that holds no suppression comment (and, for ``blank``, that is blank); None if ``data`` has none."""
    position = at
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            return None
        begin = data.rfind(b"\n", 0, newline) + 1
        line = bytes(data[begin:newline])
        if _DIRECTIVE not in line and (not blank or not line.strip(b" \t\r")):
            return newline + 1
        position = newline + 1


def _line_breaks(data: bytearray, end: int) -> int:
    """The line breaks in ``data[:end]`` as the decoder counts them: ``\\r\\n``, ``\\r`` and ``\\n``."""
    newlines = data.count(b"\n", 0, end)
    returns = data.count(b"\r", 0, end)
    return newlines + returns - data.count(b"\r\n", 0, end) if returns else newlines
