"""decode: encodings detected and streamed line by line, bad input reported with the path and the line."""

from __future__ import annotations

import codecs
import io
import os
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.errors import ConfigError, InputError
from phraselint.read import decode
from phraselint.read.decode import (
    BLOCK_BYTES,
    SAMPLE_BYTES,
    TRANSCRIPT_EXTENSIONS,
    detect_encoding,
    iter_paths,
    open_text,
    plausibility,
    read_lines,
)
from phraselint.read.formats import parse

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
# The transcripts themselves, not the annotations (.expected, .fixed) other tests keep beside them.
TRANSCRIPTS = sorted(p for p in FIXTURES.iterdir() if p.suffix in TRANSCRIPT_EXTENSIONS)

# Short things staff say, the hard case for telling GBK from Big5.
PHRASES = [
    "您好，请问您要办理什么业务？",
    "不知道。",
    "没看我正忙着吗",
    "下班了,明天再来吧",
    "请稍等，我马上给您办理。",
    "您的材料不齐全，还需要补交身份证复印件。",
    "这个不归我们管，你去找别的部门。",
    "坐席：您好，这里是市民服务热线，请问有什么可以帮您？",
    "工作人员:请您先取号,在等候区稍坐。",
    "你问我,我问谁?",
    "急什么,没看见我在忙吗!",
    "墙上贴着呢,自己看。",
    "早干什么去了?",
    "这是规定,我也没办法。",
    "感谢您的来电，再见。",
    "已经受理了",
    "医保卡补办需要带户口本吗",
]
TO_TRADITIONAL = opencc.OpenCC("s2tw")


def traditional(text: str) -> str:
    return TO_TRADITIONAL.convert(text)


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def family(codec: str) -> str:
    """The encoding a codec name stands for, whatever the spelling: gb18030, big5, utf-8, utf-16."""
    codec = codec.lower().replace("_", "-")
    for name in ("gb18030", "big5", "utf-8", "utf-16", "utf-32"):
        if codec.startswith(name):
            return name
    return codec


# --- detection --------------------------------------------------------------------------------------------


TRANSCRIPT = "坐席：您好，请问有什么可以帮您？\r\n市民：我想问公积金提取。\r\n坐席：不知道。\r\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16"),
        ("utf-16-be", "utf-16"),
        ("utf-32", "utf-32"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
    ],
)
def test_simplified_transcript_in_every_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    path = write(tmp_path / "call.txt", TRANSCRIPT, encoding)
    with open_text(str(path)) as (codec, lines):
        assert family(codec) == expected
        assert list(lines) == [
            "坐席：您好，请问有什么可以帮您？",
            "市民：我想问公积金提取。",
            "坐席：不知道。",
        ]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "gb18030", "big5", "cp950"]
)
def test_traditional_transcript_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    text = traditional(TRANSCRIPT)
    path = write(tmp_path / "call.txt", text, encoding)
    assert read_lines(str(path)) == text.splitlines()


@pytest.mark.parametrize("phrase", PHRASES)
def test_short_gbk_is_not_taken_for_big5(phrase: str) -> None:
    # charset-normalizer alone calls GBK "不知道。" Big5; the decision must not.
    for size in range(3, len(phrase) + 1):
        sample = phrase[:size].encode("gbk")
        if sample.isascii():
            continue
        assert sample.decode(detect_encoding(sample) or "?") == phrase[:size]


@pytest.mark.parametrize("phrase", PHRASES)
def test_short_big5_is_not_taken_for_gbk(phrase: str) -> None:
    text = traditional(phrase)
    for size in range(3, len(text) + 1):
        sample = text[:size].encode("big5")
        if sample.isascii():
            continue
        assert sample.decode(detect_encoding(sample) or "?") == text[:size]


def test_whole_fixture_files_in_gbk_and_big5() -> None:
    for path in TRANSCRIPTS:
        text = path.read_text("utf-8")
        assert detect_encoding(text.encode("gb18030")) == "gb18030", path.name
        assert family(detect_encoding(traditional(text).encode("big5")) or "") == "big5", path.name


def test_big5_with_a_euro_sign_is_read_as_cp950() -> None:
    sample = traditional("工作人員：手續費是５€，請到三號窗口繳費。\n").encode("cp950")
    assert detect_encoding(sample) == "cp950"
    assert detect_encoding(traditional("工作人員：請到三號窗口繳費。\n").encode("cp950")) == "big5hkscs"


def test_two_gbk_hanzi_that_are_valid_utf8() -> None:
    # 谢谢 in GBK is D0 BB D0 BB, which is also UTF-8 for Cyrillic "лл".
    assert detect_encoding("谢谢".encode("gbk")) == "gb18030"
    assert detect_encoding("好的😀\n".encode()) == "utf-8"
    assert detect_encoding("😀\n".encode()) == "utf-8"
    assert detect_encoding("Café au lait\n".encode()) == "utf-8"


def test_plausibility_prefers_the_right_reading() -> None:
    gbk = "不知道。".encode("gbk")
    assert plausibility(gbk.decode("gb18030"), "gb18030") > plausibility(gbk.decode("big5hkscs"), "big5hkscs")
    big5 = "請問要辦理什麼業務？".encode("big5")
    assert plausibility(big5.decode("big5hkscs"), "big5hkscs") > plausibility(
        big5.decode("gb18030"), "gb18030"
    )


def test_utf16_without_bom_is_found_by_its_nul_bytes() -> None:
    text = "坐席：您好\n市民：你好\n"
    assert detect_encoding(text.encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding(text.encode("utf-16-be")) == "utf-16-be"
    # 需 is U+9700: a NUL byte that is no ASCII high byte.
    assert detect_encoding("需要".encode("utf-16-le") + "\n".encode("utf-16-le")) == "utf-16-le"
    # Without any ASCII there is no NUL byte at all; a long enough Chinese text is still recognised.
    phrase = "您的材料不齐全，还需要补交身份证复印件。"
    assert detect_encoding(phrase.encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding(phrase.encode("utf-16-be")) == "utf-16-be"


def test_encoding_override(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "坐席：您好\n", "gbk")
    with open_text(str(path), encoding="gbk") as (codec, lines):
        assert codec == "gb18030"
        assert list(lines) == ["坐席：您好"]
    with open_text(str(path), encoding="big5") as (codec, _lines):
        assert codec == "big5hkscs"
    with (
        pytest.raises(ConfigError, match="unknown encoding 'klingon'"),
        open_text(str(path), encoding="klingon"),
    ):
        pass


def test_override_still_drops_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ufeff您好\n", "utf-16-le")
    assert read_lines(str(path), encoding="utf-16-le") == ["您好"]


# --- lines --------------------------------------------------------------------------------------------------


def test_line_breaks_bom_and_last_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ufeff一\r\n二\r三\n\n四\u2028五\x0c六", "utf-8")
    # Only CR, LF and CRLF end a line: the columns every other module counts in.
    assert read_lines(str(path)) == ["一", "二", "三", "", "四\u2028五\x0c六"]


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", "", "utf-8")
    with open_text(str(path)) as (codec, lines):
        assert codec == "utf-8"
        assert list(lines) == []
    assert list(parse(read_lines(str(path)), "auto", str(path))) == []


def test_crlf_and_characters_split_across_blocks(tmp_path: Path) -> None:
    # A CRLF and a two-byte GBK character straddle block boundaries; neither may break or double a line.
    first = "甲" * ((SAMPLE_BYTES - 1) // 2) + "\r\n"  # the CR is the last byte of the first block
    second = "x" + "乙" * (BLOCK_BYTES // 2) + "\n"  # ends a byte later: its last character straddles
    text = first + second + "丙\r"
    path = write(tmp_path / "big.txt", text, "gb18030")
    with open_text(str(path)) as (codec, lines):
        assert codec == "gb18030"
        assert list(lines) == [first[:-2], second[:-1], "丙"]


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("坐席：不知道。\n".encode("gbk")))
    monkeypatch.setattr(sys, "stdin", stdin)
    with open_text("-") as (codec, lines):
        assert codec == "gb18030"
        assert list(lines) == ["坐席：不知道。"]
    assert not stdin.closed


# --- bad input ------------------------------------------------------------------------------------------------


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as missing, open_text(str(tmp_path / "nope.txt")):
        pass
    assert missing.value.path == str(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"), open_text(str(tmp_path)):
        pass


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.txt", "您好\n", "utf-8")
    if os.name != "posix" or os.geteuid() == 0:  # root reads every file: make open() refuse instead

        def refuse(*_args: object, **_kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(decode, "open", refuse, raising=False)
    else:
        path.chmod(0)
    with pytest.raises(InputError, match="permission denied"), open_text(str(path)):
        pass


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
    )
    with pytest.raises(InputError, match="binary file") as error, open_text(str(path)):
        pass
    assert str(error.value).startswith(f"{path}: ")


def test_nul_bytes_after_the_sample(tmp_path: Path) -> None:
    lines = ["坐席：您好，请问有什么可以帮您？"] * 5000
    lines[4321] = "坐席：\x00\x00\x00"
    path = write(tmp_path / "a.txt", "\n".join(lines), "utf-8")
    with pytest.raises(InputError, match="NUL") as error, open_text(str(path)) as (_codec, decoded):
        list(decoded)
    assert error.value.line == 4322


def test_truncated_gbk_names_the_last_line(tmp_path: Path) -> None:
    data = "坐席：您好\n市民：我想问一下公积金\n坐席：不知道".encode("gbk")[:-1]
    path = tmp_path / "cut.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as error, open_text(str(path)) as (codec, lines):
        assert codec == "gb18030"
        list(lines)
    assert error.value.line == 3
    assert "cannot decode as gb18030" in error.value.message
    assert str(error.value).startswith(f"{path}:3: ")


def test_garbled_gbk_far_into_the_file(tmp_path: Path) -> None:
    line = "坐席：您好，12345市民服务热线，请问有什么可以帮您？".encode("gbk")
    lines = [line] * 3000
    lines[1233] = line[:10] + b"\xff\xfe" + line[10:]
    path = tmp_path / "garbled.txt"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(InputError, match="cannot decode as gb18030 at column 6") as error:
        read_lines(str(path))
    assert error.value.line == 1234


def test_bad_utf16_names_its_line_in_either_byte_order(tmp_path: Path) -> None:
    for encoding, bom in (("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", codecs.BOM_UTF16_LE)):
        body = "坐席：您好\r\n市民：你好\r\n坐席：".encode(encoding)
        lone_surrogate = "\ud800".encode(encoding, "surrogatepass")
        path = tmp_path / "bad.txt"
        path.write_bytes(bom + body + lone_surrogate + "不知道".encode(encoding))
        with pytest.raises(InputError, match="cannot decode as utf-16 at column 4") as error:
            read_lines(str(path))
        assert error.value.line == 3


def test_utf8_damaged_after_a_good_start(tmp_path: Path) -> None:
    good = "坐席：您好，请问有什么可以帮您？\n" * 50
    path = tmp_path / "a.txt"
    path.write_bytes(good.encode() + b"\xe4\xb8\n")
    with pytest.raises(InputError, match="cannot decode as utf-8") as error:
        read_lines(str(path))
    assert error.value.line == 51


# --- paths --------------------------------------------------------------------------------------------------


def test_iter_paths(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.srt",
        "notes.md",
        "notes.docx",
        ".hidden.txt",
        "sub/c.jsonl",
        "sub/d.CSV",
        ".git/e.txt",
        "sub/x.png",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("您好\n", "utf-8")
    explicit = str(tmp_path / "notes.docx")
    found = list(iter_paths([str(tmp_path), explicit, "-", str(tmp_path / "missing.txt")]))
    assert found == [
        str(tmp_path / "a.srt"),
        str(tmp_path / "b.txt"),
        str(tmp_path / "notes.md"),  # the Markdown of a canned-reply library
        str(tmp_path / "sub" / "c.jsonl"),
        str(tmp_path / "sub" / "d.CSV"),
        explicit,
        "-",
        str(tmp_path / "missing.txt"),
    ]


# --- streaming ------------------------------------------------------------------------------------------------


def labelled_lines(count: int) -> Iterator[str]:
    """A long hotline call as ASR writes it: long staff turns of several sentences, and the caller's."""
    staff = (
        "坐席："
        + (
            "您好，12345市民服务热线，工号1023为您服务。租房提取公积金需要本人身份证、银行卡和租房合同，"
            "您可以在手机公积金APP上办理，也可以到中心任一窗口办理。不知道。"
        )
        * 3
    )
    caller = "市民：我想问一下公积金提取要带什么材料，网上能不能办，大概多久能到账？" * 3
    for i in range(count):
        seconds = i * 7
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        yield f"[{clock}] {staff if i % 2 else caller}\n"


def test_memory_stays_flat_on_a_20_mb_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("w", encoding="gb18030", newline="") as out:
        out.writelines(labelled_lines(60_000))
    size = path.stat().st_size
    assert size > 19_000_000
    tracemalloc.start()
    try:
        with open_text(str(path)) as (codec, lines):
            turns = sum(1 for _turn in parse(lines, "auto", str(path)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert codec == "gb18030"
    assert turns == 60_000
    assert peak < 1_000_000, f"peak {peak} bytes for a {size}-byte file"


# --- property ---------------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=12),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030", "big5"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_any_realistic_transcript_round_trips(phrases: list[str], encoding: str, newline: str) -> None:
    lines = [traditional(p) for p in phrases] if encoding == "big5" else phrases
    data = (newline.join(lines) + newline).encode(encoding)  # a file ends with a line break
    codec = detect_encoding(data)
    assert codec is not None
    assert data.decode(codec).lstrip("\ufeff") == newline.join(lines) + newline


# --- read_whole: the whole file at once, for fix ------------------------------------------------------------


def test_read_whole_keeps_line_breaks_and_says_whether_there_was_a_mark(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(codecs.BOM_UTF8 + "工作人员:不知道\r\n来访人员:好\r".encode())
    assert decode.read_whole(str(path)) == ("utf-8-sig", "工作人员:不知道\r\n来访人员:好\r", True)
    path.write_bytes("工作人员:不知道\n".encode("gb18030"))
    assert decode.read_whole(str(path), "gbk") == ("gb18030", "工作人员:不知道\n", False)


def test_read_whole_fails_as_open_text_does(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("好\n好\n".encode() + b"\xff\xfd")
    with pytest.raises(InputError, match=r"t\.txt:3: cannot decode as utf-8"):
        decode.read_whole(str(path), "utf-8")
    with pytest.raises(InputError, match="no such file"):
        decode.read_whole(str(tmp_path / "missing.txt"))
