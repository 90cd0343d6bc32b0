"""read/split: where a large transcript is cut for `check -j`; and decode.open_part, which reads one part."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phraselint.errors import InputError
from phraselint.read.decode import open_part, read_lines
from phraselint.read.split import SPLIT_CODECS, Part, Sizes, parts, splittable

LINES = [
    "工作人员:您好，请问您办理什么业务？",
    "来访人员:不知道要带什么材料",
    "",
    "  ",
    "Agent: ok",
    "櫃檯人員:沒看見我正忙著嗎",
    "😀表情",
]


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def _parts(path: str, fmt: str, target: int, minimum: int) -> list[Part]:
    """Parts of ``target`` bytes (at least ``minimum``)."""
    return list(parts(path, fmt, Path(path).stat().st_size, Sizes(minimum, max(target, minimum), 1)))


def _read_parts(path: str, codec: str, found: list[Part]) -> list[list[str]]:
    out = []
    for part in found:
        with open_part(path, codec, part.start, part.end, part.line) as lines:
            out.append(list(lines))
    return out


@given(
    lines=st.lists(st.sampled_from(LINES), min_size=1, max_size=60),
    breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=60),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    target=st.integers(1, 300),
    minimum=st.integers(1, 100),
    fmt=st.sampled_from(["labelled", "srt"]),
)
def test_parts_cover_the_file_and_read_as_its_lines(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str],
    breaks: list[str],
    codec: str,
    target: int,
    minimum: int,
    fmt: str,
) -> None:
    """Parts run on from one another over the whole file, each begins after a line break (never inside a
    character), each but the last is at least ``minimum`` long, and the parts' lines, read on their own, are
    the file's lines with the file's line numbers."""
    text = "".join(line + breaks[k % len(breaks)] for k, line in enumerate(lines))
    data = text.encode(codec) if codec != "utf-8-sig" else codecs.BOM_UTF8 + text.encode()
    path = _write(tmp_path_factory.mktemp("split") / "t.txt", data)
    found = _parts(path, fmt, target, minimum)
    assert found[0].start == 0 and found[-1].end == len(data) and found[0].line == 1
    for before, after in zip(found, found[1:]):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
        assert before.end - before.start >= minimum
        if fmt == "srt":  # between cues: the line before the cut is blank
            previous = data[: after.start - 1].rsplit(b"\n", 1)[-1]
            assert not previous.strip(b" \t\r")
    whole = read_lines(path)
    read = _read_parts(path, "utf-8-sig" if codec == "utf-8-sig" else codec, found)
    assert [line for part in read for line in part] == whole
    assert [part.line for part in found] == [1 + sum(len(r) for r in read[:k]) for k in range(len(read))]


def test_a_cut_never_falls_inside_a_character_and_counts_crlf_once(tmp_path: Path) -> None:
    line = "工作人员:请问您办理什么业务？\r\n".encode("gb18030")  # 31 bytes
    data = line * 100
    path = _write(tmp_path / "gbk.txt", data)
    with pytest.raises(UnicodeDecodeError):
        data[:100].decode("gb18030")  # a part of 100 bytes would end inside 员
    found = _parts(path, "labelled", 101, 50)
    assert found[1].start == 4 * len(line)  # just after the line break that follows
    assert all(p.start % len(line) == 0 and p.line == p.start // len(line) + 1 for p in found)
    for part in found:
        with open_part(path, "gb18030", part.start, part.end, part.line) as lines:
            assert set(lines) == {"工作人员:请问您办理什么业务？"}


def test_no_cut_after_a_suppression_comment(tmp_path: Path) -> None:
    lines = ["工作人员:您好"] * 10
    lines[4] = "# phraselint: disable-next-line dont-know"
    path = _write(tmp_path / "t.txt", ("\n".join(lines) + "\n").encode())
    found = _parts(path, "labelled", 1, 1)
    assert [p.line for p in found] == [1, 2, 3, 4, 5, 7, 8, 9, 10]  # lines 5 and 6 stay together


def test_subtitles_are_cut_between_cues_only(tmp_path: Path) -> None:
    cue = "1\n00:00:01,000 --> 00:00:02,000\n工作人员:不知道\n第二行\n\n"
    path = _write(tmp_path / "t.srt", cue.encode() * 4)
    found = _parts(path, "srt", 1, 1)
    assert [p.line for p in found] == [1, 6, 11, 16]
    no_blank = _write(tmp_path / "dense.srt", cue.replace("\n\n", "\n").encode() * 4)
    assert len(_parts(no_blank, "srt", 1, 1)) == 1  # no blank line: no place to cut


def test_the_last_part_is_never_smaller_than_the_minimum(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.txt", b"0123456789\n" * 10)  # 110 bytes
    found = _parts(path, "plain", 44, 30)
    assert [(p.start, p.end) for p in found] == [(0, 44), (44, 110)]  # not a third part of 22 bytes
    assert len(_parts(path, "plain", 44, 60)) == 1


def test_parts_shrink_towards_the_end(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.txt", b"0123456789\n" * 1000)  # 11,000 bytes
    found = list(parts(path, "plain", 11_000, Sizes(1000, 3000, 4)))
    lengths = [p.end - p.start for p in found]
    # a quarter of what is left, so shrinking
    assert lengths[0] == 2750 and lengths[:-1] == sorted(lengths[:-1], reverse=True)
    assert 1000 <= lengths[-2] < 1100 and 1000 <= lengths[-1] < 2000 + 11  # the last takes in the rest
    assert sum(lengths) == 11_000


def test_what_can_be_cut() -> None:
    assert (
        splittable("labelled", "gb18030") and splittable("jsonl", "utf-8") and splittable("vtt", "big5hkscs")
    )
    assert not splittable("csv", "utf-8")  # a header, and quoted fields that hold line breaks
    assert not splittable("labelled", "utf-16")  # line breaks of two bytes
    for codec in SPLIT_CODECS:  # no byte of a multi-byte character is a line break
        assert b"\n" not in "工作人員😀".encode(codec, "ignore").replace(b"\n", b"")


def test_a_part_names_the_whole_file_line_of_a_bad_byte(tmp_path: Path) -> None:
    data = "好\n".encode() * 10 + b"ab\xffcd\n" + "好\n".encode() * 10
    path = _write(tmp_path / "t.txt", data)
    start = data.index(b"ab")
    with pytest.raises(InputError, match=r"t\.txt:11: cannot decode as utf-8 at column 3"):
        with open_part(path, "utf-8", start - 8, len(data), 9) as lines:
            assert [next(lines), next(lines)] == ["好", "好"]  # the lines before it come first
            list(lines)


def test_a_mark_is_one_only_at_the_start_of_the_file(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + "好\n".encode() + codecs.BOM_UTF8 + "好\n".encode()
    path = _write(tmp_path / "t.txt", data)
    with open_part(path, "utf-8-sig", 0, 7, 1) as lines:
        assert list(lines) == ["好"]
    with open_part(path, "utf-8-sig", 7, len(data), 2) as lines:
        assert list(lines) == ["\ufeff好"]  # as the whole file reads it
    assert read_lines(path) == ["好", "\ufeff好"]
