"""Reading transcripts in any encoding (编码), line by line, without ever holding the whole file.

``open_text(path)`` finds the encoding from the first 64 KiB and then decodes the file block by block with an
incremental decoder, so memory stays flat whatever the file size. The lines it yields carry no line break
(``\\n``, ``\\r\\n`` and ``\\r`` all end a line) and the first line carries no byte-order mark; a line number
and a column are then positions in these lines, the ones every other module reports.

Detection, in order:

1. a byte-order mark: UTF-8, UTF-16 (LE/BE), UTF-32;
2. NUL bytes: UTF-16 without a mark if one byte order reads as text (the NUL bytes say which to try first),
   else a binary file;
3. strict UTF-8 (unless the text has no hanzi and reads much better as GBK or Big5: 谢谢 in GBK is “лл”);
4. GB18030 (the superset of GBK and GB2312) against Big5 (read as Big5-HKSCS, a superset, or as cp950 when
   only that reads it): the one that decodes the sample strictly wins; if both do, or neither, the one whose
   reading is more plausible Chinese (``plausibility``), GB18030 unless Big5 is clearly better.
   charset-normalizer, restricted to these encodings, only decides when no reading shows any Chinese: on
   short texts it is often wrong (it calls GBK “不知道。” Big5, as it does for about one in six of the 2–20
   character service phrases in either encoding). UTF-8 that breaks after a good start (a damaged file) and
   UTF-16 without a mark and without any ASCII (so without NUL bytes) compete on plausibility too.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from types import MappingProxyType
from typing import BinaryIO, NamedTuple

from charset_normalizer import from_bytes

from ..engine.words import BASIC_HAN
from ..errors import ConfigError, InputError

STDIN = "-"
SAMPLE_BYTES = 64 * 1024
BLOCK_BYTES = 64 * 1024
# Transcripts, and the text staff will say as organisations keep it in git (canned replies, phone scripts, FAQ
# answers in Markdown or YAML, one reply a line).
TRANSCRIPT_EXTENSIONS = frozenset(
    {".txt", ".log", ".srt", ".vtt", ".jsonl", ".ndjson", ".json", ".csv", ".tsv"}
    | {".md", ".markdown", ".yml", ".yaml"}
)

# Codecs that decode a byte-order mark themselves and drop it; UTF-32 first: its LE mark starts like UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = ("gb18030", "big5hkscs")
# What a user may name, read as the superset that decodes the same bytes to the same text and more.
_SUPERSETS = MappingProxyType({"gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs"})
_CHARSET_NORMALIZER_NAMES = MappingProxyType({"gb18030": "gb18030", "big5": "big5hkscs", "utf_16": "utf-16"})
# How much more plausible Big5 must be than GB18030, and a legacy reading than valid UTF-8, to win.
_BIG5_MARGIN = 1
_UTF8_MARGIN = 6
# The plausibility per non-ASCII character of a reading that is mostly common hanzi (real text scores 3–4).
_CHINESE_DENSITY = 2
_UTF16_MIN_CHARS = 8
_ASCII_TEXT = re.compile(r"[\t\n\r\x20-\x7e]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HANZI = re.compile(f"[{chr(BASIC_HAN[0])}-{chr(BASIC_HAN[1])}]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Decoded(NamedTuple):
    """What ``open_text`` yields: the codec it reads with and the file's lines, without line breaks."""

    encoding: str
    lines: Iterator[str]


def display_name(path: str) -> str:
    """The name of ``path`` in messages: ``<stdin>`` for ``-``."""
    return "<stdin>" if path == STDIN else path


@contextlib.contextmanager
def open_text(path: str, encoding: str | None = None) -> Iterator[Decoded]:
    """Open a transcript (``-`` is standard input) and yield its encoding and a lazy iterator of its lines.

    ``encoding`` overrides detection (GBK and GB2312 are read as GB18030, Big5 as Big5-HKSCS). Raises
    ``InputError`` for a missing or unreadable path, a binary file, or bytes that do not decode (then at the
    line where they stand, while iterating).
    """
    codec = _normalize_encoding(encoding) if encoding else None
    with _open_binary(path) as stream:
        sample = _read(stream, SAMPLE_BYTES, path)
        complete = len(sample) < SAMPLE_BYTES
        if codec is None:
            codec = detect_encoding(sample, complete)
            if codec is None:
                raise InputError("binary file (it contains NUL bytes), not a transcript", display_name(path))
        yield Decoded(codec, _lines(stream, sample, codec, path))


class Whole(NamedTuple):
    """What ``read_whole`` gives: the codec, the text with its line breaks (without a byte-order mark), and
    whether the file began with a byte-order mark."""

    encoding: str
    text: str
    bom: bool


def read_whole(path: str, encoding: str | None = None) -> Whole:
    """A whole transcript at once, its line breaks kept: for ``fix``, which writes it back. Detection,
    encodings and errors are those of ``open_text``."""
    codec = _normalize_encoding(encoding) if encoding else None
    with _open_binary(path) as stream:
        data = _read(stream, -1, path)
    if codec is None:
        codec = detect_encoding(data[:SAMPLE_BYTES], len(data) <= SAMPLE_BYTES)
        if codec is None:
            raise InputError("binary file (it contains NUL bytes), not a transcript", display_name(path))
    decode_as, body = _without_mark(codec, data, True)
    try:
        text = body.decode(decode_as)
    except UnicodeDecodeError as error:
        raise _decode_error(error, body, (b"", 0), "", 0, codec, path, decode_as)[1] from None
    if "\x00" in text:
        line = _count_lines(text[: text.index("\x00")])
        raise InputError("NUL character: binary data, not a transcript", display_name(path), line)
    bom = any(data.startswith(mark) for mark, _ in _BOMS)
    return Whole(codec, text.removeprefix("\ufeff"), bom)


def read_lines(path: str, encoding: str | None = None) -> list[str]:
    """All lines of a small file at once: for tests and tools, never for transcripts of unknown size."""
    with open_text(path, encoding) as decoded:
        return list(decoded.lines)


@contextlib.contextmanager
def open_part(path: str, codec: str, start: int, end: int, line: int) -> Iterator[Iterator[str]]:
    """The lines of the bytes ``start`` to ``end`` of a file, decoded with ``codec`` as ``open_text`` decodes
    the whole: a part of it that begins where line ``line`` begins and ends after a line break (read/split.py
    finds such parts). Errors name the line in the whole file. A byte-order mark is one only at the file's
    start."""
    with _open_binary(path) as stream:
        try:
            stream.seek(start)
        except OSError as error:
            raise InputError(f"cannot read: {error.strerror or error}", display_name(path)) from None
        first = _read(stream, min(BLOCK_BYTES, end - start), path)
        yield _lines(stream, first, codec, path, done=line - 1, left=end - start - len(first))


def iter_paths(paths: Iterable[str]) -> Iterator[str]:
    """The transcript files named by ``paths``, in order; each directory expands to its files, recursively.

    In a directory, names are visited sorted; hidden files and directories (a leading dot) and files without a
    transcript extension (``TRANSCRIPT_EXTENSIONS``) are skipped. A file named explicitly is always taken, and
    ``-`` (standard input) and paths that do not exist pass through, so that reading them reports the problem.
    """
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            yield from _walk(path)
        else:
            yield path


def detect_encoding(sample: bytes, complete: bool = True) -> str | None:
    """The codec that reads ``sample`` (the first bytes of a file), or None for binary data.

    ``complete`` says the sample is the whole file, so that a character cut at its end is an error.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec
    if b"\x00" in sample:
        return _utf16_without_bom(sample, complete)
    text, ok = _decode_prefix(sample, "utf-8", complete)
    if ok and (text.isascii() or _has_hanzi(text)):
        return "utf-8"
    if ok:
        return _utf8_or_legacy(sample, text, complete)
    return _best_legacy(sample, complete)


def plausibility(text: str, codec: str = "gb18030") -> int:
    """How much ``text``, read with ``codec``, looks like Chinese: common hanzi and CJK punctuation up, kana
    and symbols down. ASCII counts zero, as every candidate decoding shares it.

    A hanzi among the common ones (一级/常用字) of the standard the codec belongs to (Big5 for Big5 codecs,
    GB2312 for the others) counts 3, one common in the other standard 1 more: a misread of GB bytes as Big5
    yields common Big5 hanzi too, but far fewer, and seldom ones common in both scripts.
    """
    big5 = codec.startswith("big5") or codec == "cp950"
    return sum(count * _char_weight(char, big5) for char, count in Counter(text).items())


def _char_weight(char: str, big5: bool) -> int:
    code = ord(char)
    if code < 0x80:
        return 0 if char.isprintable() or char in "\t\n\r" else -4
    if BASIC_HAN[0] <= code <= BASIC_HAN[1]:
        gb, b5 = _in_gb2312_level1(char), _in_big5_level1(char)
        return 3 * b5 + gb if big5 else 3 * gb + b5
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2013 <= code <= 0x2026:
        return 2
    if 0xC0 <= code <= 0x24F:  # accented Latin letters: not Chinese, but not a sign of a misreading either
        return 0
    return -2


def _has_hanzi(text: str) -> bool:
    return _HANZI.search(text) is not None


def _in_gb2312_level1(char: str) -> bool:
    """One of the 3,755 common hanzi of GB2312 (一级汉字, rows 16–55)."""
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= encoded[0] <= 0xD7


def _in_big5_level1(char: str) -> bool:
    """One of the 5,401 common hanzi of Big5 (常用字, A440–C67E)."""
    try:
        encoded = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xA440 <= int.from_bytes(encoded, "big") <= 0xC67E


def _utf16_without_bom(sample: bytes, complete: bool) -> str | None:
    """UTF-16 LE or BE, whichever reads better, if either reads as text at all.

    NUL bytes are the high bytes of ASCII (at odd offsets in LE, even in BE) or the low bytes of characters
    like 需 U+9700; so both byte orders are tried, the one the NUL bytes point to first.
    """
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    order = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    scores: dict[str, int] = {}
    for codec in order:
        text, ok = _decode_prefix(sample, codec, complete)
        if ok and "\x00" not in text:
            scores[codec] = plausibility(text, codec) + len(_ASCII_TEXT.findall(text))
    best = max(scores, key=scores.__getitem__, default=None)
    return best if best is not None and scores[best] > 0 else None


def _utf8_or_legacy(sample: bytes, text: str, complete: bool) -> str:
    """Valid UTF-8 without a hanzi: a few GBK or Big5 hanzi can pass for Cyrillic or Greek (谢谢 → лл)."""
    floor = plausibility(text, "utf-8") + _UTF8_MARGIN
    for codec in _LEGACY:
        legacy, ok = _decode_prefix(sample, codec, complete)
        score = plausibility(legacy, codec)
        if ok and score >= floor and _reads_as_chinese(legacy, score):
            return codec
    return "utf-8"


def _best_legacy(sample: bytes, complete: bool) -> str:
    """GB18030 or Big5-HKSCS, unless the sample reads better as UTF-8 that breaks after a good start (a damaged
    UTF-8 file) or as UTF-16 without a mark and without ASCII (so without NUL bytes): that reading must be
    Chinese, and more plausible than GB18030's or Big5's reading of the same bytes."""
    legacy = _gb18030_or_big5(sample, complete)
    for other in ("utf-8", "utf-16-le", "utf-16-be"):
        text, end = _decode_until_error(sample, other, complete)
        if other != "utf-8" and not _could_be_utf16_without_ascii(text):
            continue
        score = plausibility(text, other)
        if _reads_as_chinese(text, score) and score > plausibility(
            _decode_prefix(sample[:end], legacy, False)[0], legacy
        ):
            return other
    return legacy


def _could_be_utf16_without_ascii(text: str) -> bool:
    """A UTF-16 reading of bytes without NUL: believable only for a long enough text of hanzi and CJK
    punctuation, as GBK text with ASCII letters can read as a few common hanzi (A：幫N → ꍁ躺仍)."""
    return len(text) >= _UTF16_MIN_CHARS and all(_char_weight(char, False) >= 0 for char in set(text))


def _reads_as_chinese(text: str, score: int) -> bool:
    """``text`` (with plausibility ``score``) is mostly common hanzi: real text scores 3–4 a character."""
    return score >= _CHINESE_DENSITY * len(_NON_ASCII.findall(text)) > 0


def _gb18030_or_big5(sample: bytes, complete: bool) -> str:
    """The one that decodes ``sample`` strictly; if both do, or neither, the more plausible reading, GB18030
    unless Big5 is clearly better (GBK is the usual case). Big5 is read as Big5-HKSCS, or as Microsoft's
    cp950 when only that reads it (cp950 has the euro sign, HKSCS has not)."""
    decodings = {codec: _decode_until_error(sample, codec, complete) for codec in _LEGACY}
    big5 = "big5hkscs"
    if decodings[big5][1] is not None:
        cp950 = _decode_until_error(sample, "cp950", complete)
        if cp950[1] is None:
            del decodings[big5]
            big5, decodings["cp950"] = "cp950", cp950
    strict = [codec for codec, (_text, end) in decodings.items() if end is None]
    if len(strict) == 1:
        return strict[0]
    if strict:
        gb_text, big5_text = (text for text, _end in decodings.values())
    else:  # compare the two on the bytes they both decode
        common = sample[: min(end or 0 for _text, end in decodings.values())]
        gb_text, big5_text = (_decode_prefix(common, codec, False)[0] for codec in decodings)
    gb_score, big5_score = plausibility(gb_text, "gb18030"), plausibility(big5_text, big5)
    if max(gb_score, big5_score) <= 0:
        return _charset_normalizer_guess(sample) or "gb18030"
    return big5 if big5_score > gb_score + _BIG5_MARGIN else "gb18030"


def _charset_normalizer_guess(sample: bytes) -> str | None:
    """charset-normalizer's choice among the candidates, when the text gives no sign of Chinese at all."""
    match = from_bytes(sample, cp_isolation=list(_CHARSET_NORMALIZER_NAMES)).best()
    return _CHARSET_NORMALIZER_NAMES.get(match.encoding) if match else None


def _decode_prefix(data: bytes, codec: str, final: bool) -> tuple[str, bool]:
    """The text of ``data`` up to the first byte that ``codec`` cannot decode, and whether there was none."""
    text, end = _decode_until_error(data, codec, final)
    return text, end is None


def _decode_until_error(data: bytes, codec: str, final: bool) -> tuple[str, int | None]:
    """The text of ``data`` up to the first byte that ``codec`` cannot decode, and that byte's offset."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(data, final), None
    except UnicodeDecodeError as error:
        return codecs.getincrementaldecoder(codec)().decode(data[: error.start], False), error.start


def _normalize_encoding(name: str) -> str:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ConfigError(f"unknown encoding {name!r}: use utf-8, gb18030, big5 or utf-16") from None
    return _SUPERSETS.get(codec, codec)


@contextlib.contextmanager
def _open_binary(path: str) -> Iterator[BinaryIO]:
    if path == STDIN:
        yield sys.stdin.buffer
        return
    try:
        stream = open(path, "rb")
    except FileNotFoundError:
        raise InputError("no such file or directory: check the path", path) from None
    except IsADirectoryError:
        raise InputError(
            "is a directory: name the transcript files, or pass the directory to the linter", path
        ) from None
    except PermissionError:
        raise InputError("permission denied: make the file readable", path) from None
    except OSError as error:
        raise InputError(f"cannot open: {error.strerror or error}", path) from None
    with stream:
        yield stream


def _read(stream: BinaryIO, size: int, path: str) -> bytes:
    try:
        return stream.read(size)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", display_name(path)) from None


def _lines(
    stream: BinaryIO, sample: bytes, codec: str, path: str, done: int = 0, left: int | None = None
) -> Iterator[str]:
    """Decode ``sample`` and the rest of ``stream`` (``left`` more bytes of it, or all) block by block and split
    the text into lines; ``done`` lines of the file come before ``sample``. The lines before a byte that does
    not decode, or before a NUL character, are all yielded before the error is raised: what comes before it is
    checked, wherever the blocks begin."""
    decode_as, block = _without_mark(codec, sample, done == 0)
    decoder = codecs.getincrementaldecoder(decode_as)()
    pending = ""  # the start of a line whose end is still unread
    while True:
        final = not block
        state = decoder.getstate()
        try:
            text = decoder.decode(block, final)
        except UnicodeDecodeError as error:
            before, problem = _decode_error(error, block, state, pending, done, codec, path, decode_as)
            yield from _complete_lines(before, done)
            raise problem from None
        if "\x00" in text:
            before = pending + text[: text.index("\x00")]
            yield from _complete_lines(before, done)
            line = done + _count_lines(before)
            raise InputError("NUL character: binary data, not a transcript", display_name(path), line)
        lines, pending = _split(pending + text, final)
        if done == 0 and lines and lines[0].startswith("\ufeff"):
            lines[0] = lines[0][1:]
        yield from lines
        done += len(lines)
        if final:
            return
        size = BLOCK_BYTES if left is None else min(BLOCK_BYTES, left)
        block = _read(stream, size, path) if size else b""
        if left is not None:
            left -= len(block)


def _without_mark(codec: str, data: bytes, start: bool) -> tuple[str, bytes]:
    """The codec to decode with, and the bytes: UTF-8 with a byte-order mark is read as UTF-8 without it, so
    that the offsets of an error count the file's bytes (Python's utf-8-sig counts them after the mark)."""
    if codec != "utf-8-sig":
        return codec, data
    return "utf-8", data.removeprefix(codecs.BOM_UTF8) if start else data


def _complete_lines(text: str, done: int) -> list[str]:
    """The lines of ``text`` that end in it (where ``done`` lines came before): those before a bad byte."""
    lines = _split(text, False)[0]
    if done == 0 and lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return lines


def _split(text: str, final: bool) -> tuple[list[str], str]:
    """The complete lines of ``text`` and what is left of an unfinished last line (all of it at the end)."""
    if not final and text.endswith("\r"):
        lines, pending = _split(text[:-1], False)
        return lines, pending + "\r"
    lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    pending = lines.pop()
    if final and pending:
        lines.append(pending)
    return lines, "" if final else pending


def _count_lines(text: str) -> int:
    """The 1-based number of the line where the end of ``text`` stands."""
    return len(_LINE_BREAK.findall(text)) + 1


def _decode_error(
    error: UnicodeDecodeError,
    block: bytes,
    state: tuple[bytes, int],
    pending: str,
    done: int,
    codec: str,
    path: str,
    decode_as: str | None = None,
) -> tuple[str, InputError]:
    """The text before the byte of ``block`` that failed to decode (from the start of its line on), and the
    error for it: the decoder (of ``decode_as``, by default ``codec``), back in ``state``, reads up to the bad
    byte to find its line and column (the error's offsets count the bytes the decoder held back, too)."""
    decoder = codecs.getincrementaldecoder(decode_as or codec)()
    decoder.setstate(state)
    text = pending + decoder.decode(block[: max(0, error.start - len(state[0]))], False)
    line = done + _count_lines(text)
    column = len(text) - max(text.rfind("\n"), text.rfind("\r"))
    bad = error.object[error.start : error.end].hex(" ")
    return text, InputError(
        f"cannot decode as {codec} at column {column} (bytes {bad}): the file is truncated, damaged "
        "or in another encoding; name its encoding explicitly",
        display_name(path),
        line,
    )


def _walk(directory: str) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as error:
        raise InputError(f"cannot list directory: {error.strerror or error}", directory) from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif os.path.splitext(entry.name)[1].lower() in TRANSCRIPT_EXTENSIONS:
            yield entry.path
