"""formats: every format parsed into turns whose anchors point at the very characters of the file."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phraselint.errors import CatalogueError, ConfigError, InputError
from phraselint.read import formats
from phraselint.read.decode import TRANSCRIPT_EXTENSIONS, read_lines
from phraselint.read.formats import _csv_records, detect_format, parse
from phraselint.read.transcript import Turn

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
# The transcripts themselves, not the annotations (.expected, .fixed) other tests keep beside them.
TRANSCRIPTS = sorted(p for p in FIXTURES.iterdir() if p.suffix in TRANSCRIPT_EXTENSIONS)
TO_TRADITIONAL = opencc.OpenCC("s2tw")
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}(?:\\u[0-9a-fA-F]{4})?|.)")
_ENTITY = re.compile(r"&#?\w+;")


def written_as(line: str, column: int, char: str) -> bool:
    """Whether ``char`` of a turn is what stands at ``column`` of ``line``: itself, an escape that reads as
    it (JSON, WebVTT entity), or, just past the end of the line, the line break it stands for."""
    if column == len(line) + 1:
        return char == "\n"
    if not 1 <= column <= len(line):
        return False
    raw = line[column - 1]
    if raw == char:
        return True
    if raw == "\\":
        escape = _ESCAPE.match(line, column - 1)
        assert escape is not None
        spellings = [escape.group(), escape.group()[:6]]
        return any(json.loads(f'"{spelling}"') == char for spelling in spellings)
    if raw == "&":
        entity = _ENTITY.match(line, column - 1)
        return entity is not None and html.unescape(entity.group()) == char
    return False


def assert_anchored(turns: Iterable[Turn], lines: Sequence[str]) -> None:
    """The invariant: every character of every turn is where its anchors say."""
    for turn in turns:
        assert turn.anchors, turn
        for offset, char in enumerate(turn.text):
            line, column = turn.locate(offset)
            assert 1 <= line <= len(lines), (turn, offset)
            assert written_as(lines[line - 1], column, char), (
                turn.text,
                offset,
                char,
                lines[line - 1],
                column,
            )


def parsed(lines: Sequence[str], fmt: str = "auto", name: str = "") -> list[Turn]:
    turns = list(parse(lines, fmt, name))
    assert_anchored(turns, lines)
    assert [turn.index for turn in turns] == list(range(len(turns)))
    return turns


def fixture(name: str) -> tuple[str, list[str]]:
    path = FIXTURES / name
    return str(path), read_lines(str(path))


def summary(turns: Iterable[Turn]) -> list[tuple[str | None, str]]:
    return [(turn.speaker, turn.text) for turn in turns]


# --- the fixtures -------------------------------------------------------------------------------------------


def test_window_session_labelled() -> None:
    path, lines = fixture("window_session.txt")
    turns = parsed(lines, "auto", path)
    assert len(turns) == 15
    assert summary(turns)[6] == ("工作人员", "不知道。")
    assert summary(turns)[8] == ("工作人员", "没看我正忙着吗，等着。")
    assert summary(turns)[12] == ("工作人员", "下班了,明天再来吧。")
    assert {turn.speaker for turn in turns} == {"工作人员", "群众"}
    assert turns[6].locate(0) == (7, 6)


def test_hotline_call_with_times() -> None:
    path, lines = fixture("hotline_call.txt")
    turns = parsed(lines, "auto", path)
    assert [turn.start for turn in turns[:3]] == [2.3, 7.9, 12.1]
    assert turns[8].speaker == "坐席" and turns[8].text == "不知道。" and turns[8].start == 50.3
    assert all(turn.end is None for turn in turns)


def test_chat_log_jsonl() -> None:
    path, lines = fixture("chat_log.jsonl")
    turns = parsed(lines, "auto", path)
    assert len(turns) == 7  # the blank line is skipped
    assert summary(turns)[3] == ("客服", "不知道。")
    assert turns[0].start == 0.0 and turns[1].start == 38.0  # seconds since the first date-time of the file
    assert turns[5].text == "下班了,明天再来吧" and turns[5].start == 8 * 3600 + 14 * 60 + 53
    assert ("session", "WX20240301-0007") in turns[0].extra
    assert "办理网点：\n1. 工商银行各网点\n2." in turns[6].text
    assert turns[6].line == 8


def test_asr_srt_without_punctuation() -> None:
    path, lines = fixture("asr_no_punct.srt")
    turns = parsed(lines, "auto", path)
    assert len(turns) == 7
    assert turns[2].text == "不知道 你自己去网上查"
    assert (turns[2].start, turns[2].end) == (7.6, 10.3)
    assert turns[5].text == "请您带上双方身份证户口本结婚证\n和原来的不动产权证书到三号窗口办理"
    assert turns[5].locate(16) == (24, 1)
    assert all(turn.speaker is None for turn in turns)


def test_traditional_vtt() -> None:
    path, lines = fixture("window_traditional.vtt")
    turns = parsed(lines, "auto", path)
    assert len(turns) == 8  # header, NOTE and STYLE blocks are not speech
    assert summary(turns)[4] == ("櫃檯人員", "不知道。")
    assert summary(turns)[6] == ("櫃檯人員", "沒看我正忙著嗎")  # <v.loud 櫃檯人員>
    assert turns[2].text == "請您準備兩吋照片一張，\n還有舊的身分證。"
    assert (turns[0].start, turns[0].end) == (1.2, 3.8)


def test_service_review_csv() -> None:
    path, lines = fixture("service_review.csv")
    turns = parsed(lines, "auto", path)
    assert len(turns) == 6
    assert summary(turns)[2] == ("坐席", "不知道。")
    assert turns[2].extra == (("会话ID", "C0301-118"), ("质检备注", "忌语"))
    assert turns[3].text == "你们系统上写着“已缴费”，怎么又欠费了".replace("“", '"').replace("”", '"')
    assert turns[4].text == "抱歉给您带来不便。\n我已经帮您提交核查，三个工作日内给您回电。"
    assert turns[5].text == "下班了,明天再来吧"
    assert (turns[0].start, turns[0].end) == (1.5, 4.2)


def test_counter_plain() -> None:
    path, lines = fixture("counter_plain.txt")
    turns = parsed(lines, "auto", path)
    assert [turn.text for turn in turns][2:5] == [
        "墙上贴着呢，自己看。",
        "请您稍等，我马上给您办理。",
        "没看我正忙着吗",
    ]
    assert turns[2].locate(0) == (4, 3)
    assert all(turn.speaker is None for turn in turns)


@pytest.mark.parametrize("name", [p.name for p in TRANSCRIPTS])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_fixtures_in_every_encoding_and_script(tmp_path: Path, name: str, encoding: str) -> None:
    text = (FIXTURES / name).read_text("utf-8")
    scripts = [TO_TRADITIONAL.convert(text)] if encoding == "big5" else [text, TO_TRADITIONAL.convert(text)]
    for script in scripts:
        path = tmp_path / name
        path.write_bytes(script.replace("\n", "\r\n").encode(encoding))
        lines = read_lines(str(path))
        assert lines == script.splitlines()
        expected = list(parse(script.splitlines(), "auto", name))
        assert parsed(lines, "auto", str(path)) == expected
        assert expected


# --- detection ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        ("a.srt", [], "srt"),
        ("a.VTT", ["您好"], "vtt"),
        ("a.ndjson", [], "jsonl"),
        ("a.json", [], "jsonl"),
        ("a.tsv", [], "csv"),
        ("a.txt", ["", "WEBVTT", "", "00:01.000 --> 00:02.000", "您好"], "vtt"),
        ("", ["1", "00:00:01,000 --> 00:00:02,000", "您好"], "srt"),
        ("a.log", ['{"text": "您好"}', '{"text": "不知道"}'], "jsonl"),
        ("", ["坐席：您好", "市民：你好", "坐席：请坐", "我想问一下"], "labelled"),
        ("", ["[00:00:01] 坐席: 您好"], "labelled"),
        ("", ["您好，请问办理什么业务？", "不知道。", "注意：请排队"], "plain"),
        # Nobody speaks twice: headings, not speakers.
        ("", ["甲：一", "乙：二", "丙：三", "丁：四"], "plain"),
        ("", [], "plain"),
    ],
)
def test_detect_format(name: str, lines: list[str], expected: str) -> None:
    assert detect_format(name, lines) == expected


def test_unknown_format() -> None:
    with pytest.raises(ConfigError, match="unknown input format 'docx'"):
        list(parse(["您好"], "docx"))


# --- plain and labelled ----------------------------------------------------------------------------------------


def test_plain_trims_and_skips_blank_lines() -> None:
    turns = parsed(["", "  \t您好 ", "\u3000不知道。\u3000", "   "], "plain")
    assert [(turn.text, turn.locate(0)) for turn in turns] == [("您好", (2, 4)), ("不知道。", (3, 2))]
    assert [turn.index for turn in turns] == [0, 1]


@pytest.mark.parametrize(
    ("line", "speaker", "start", "text"),
    [
        ("工作人员:您好", "工作人员", None, "您好"),
        ("坐席：您好", "坐席", None, "您好"),
        ("客服: 您好", "客服", None, "您好"),
        ("A: 您好", "A", None, "您好"),
        ("Agent Smith : 您好", "Agent Smith", None, "您好"),
        ("坐席_01-2：您好", "坐席_01-2", None, "您好"),
        ("[00:01:02] 坐席：您好", "坐席", 62.0, "您好"),
        ("[00:01:02.500]坐席：您好", "坐席", 62.5, "您好"),
        ("00:01:02.500 坐席：您好", "坐席", 62.5, "您好"),
        ("(00:01:02) 坐席：您好", "坐席", 62.0, "您好"),
        ("【01:02】坐席：您好", "坐席", 62.0, "您好"),
        ("2024-03-01 09:15:02 坐席：您好", "坐席", 0.0, "您好"),
        ("[2024-03-01 09:15:02] 坐席：您好", "坐席", 0.0, "您好"),
        ("坐席 00:01:02: 您好", "坐席", 62.0, "您好"),
        ("坐席(00:01:02)：您好", "坐席", 62.0, "您好"),
        ("[00:01:02] 您好", None, 62.0, "您好"),
        ("您好，请问办理什么业务？", None, None, "您好，请问办理什么业务？"),
        ("10:30 我们开始办理", None, 630.0, "我们开始办理"),
        ("123: 您好", None, None, "123: 您好"),
        ("这个不归我们管，你去找别的部门：三楼", None, None, "这个不归我们管，你去找别的部门：三楼"),
    ],
)
def test_labelled_line(line: str, speaker: str | None, start: float | None, text: str) -> None:
    (turn,) = parsed([line], "labelled")
    assert (turn.speaker, turn.start, turn.text) == (speaker, start, text)


_LINES_OF_EVERY_KIND = [
    "工作人员:您好",
    "[00:01:02] 坐席：您好",
    "[00:01:02.500]坐席：您好",
    "(00:01:02) 坐席：您好",
    "【01:02】坐席：您好",
    "2024-03-01 09:15:02 坐席：您好",
    "[2024-03-01 09:15:02] 坐席：您好",
    "2024-13-45 09:00:00 坐席：您好",
    "[99:99:99] 坐席：您好",
    "坐席 00:01:02: 您好",
    "坐席(00:01:02)：您好",
    "[00:01:02] 您好",
    "[00:01:02]   ",
    "10:30 我们开始办理",
    "123: 您好",
    "12 34：您好",
    "这个不归我们管，你去找别的部门：三楼",
    "  坐席：  ",
    "",
]


def _line_alone(line: str, fmt: str) -> tuple[list[tuple[str, str | None]], list[InputError]]:
    problems: list[InputError] = []
    turns = list(parse([line], fmt, "t.txt", problems=problems))
    return [(turn.text, turn.speaker) for turn in turns], problems


@pytest.mark.parametrize("fmt", ["labelled", "plain"])
@pytest.mark.parametrize("line", _LINES_OF_EVERY_KIND)
def test_line_utterances_as_parsed(line: str, fmt: str) -> None:
    """line_utterances (the fast test of a file's lines, check/files.py) knows what the parser makes of a
    line: its turn's text, and, where it says so, that parsing it reads no time but a plain one."""
    ((text, speaker, plain),) = formats.line_utterances([line], fmt)
    turns, problems = _line_alone(line, fmt)
    if not problems:
        assert turns == ([(text, speaker)] if text else [])
    if plain:
        assert not problems
        if fmt == "labelled" and turns:
            (turn,) = parse([line], fmt)
            assert turn.start is None or turn.start == int(turn.start)


_PLAIN_LABELS = [
    "[13:55:33] 工作人员:请问您找哪位？",
    "[13:55:33]工作人员：您好",
    "[13:55:33]   \u3000坐席:  您好  ",
    "[13:55:33] 工作人员 :您好",
    "[13:55:33] 工作-人员:您好",
    "[13:55:33] Agent2:hello",
    "[13:55:33] ²:您好",
    "[13:55:33] ²³:您好",
    "[13:55:33] 一二三四五六七八九十一二:您好",
    "[13:55:33] 一二三四五六七八九十一二三:您好",
    "[13:55:33] 坐席 00:01:02: 您好",
    "[13:55:33]1:您好",
    "[13:55:33.5] 坐席:您好",
    "[１３:５５:３３] 坐席:您好",
    "[٠١:٠٢:٠٣] 坐席:您好",
    "[99:99:99] 坐席:",
    "[13:55:33] 坐席:",
    " [13:55:33] 坐席:您好",
    "[13:55:333] 坐席:您好",
    "[2024-03-01 09:15:02] 坐席:您好",
]


@pytest.mark.parametrize("line", [*_PLAIN_LABELS, *_LINES_OF_EVERY_KIND])
def test_plain_label_as_label(line: str) -> None:
    """Where the fast expression of the commonest label matches a line, the general one matches it the same
    way (line_utterances tries the fast one first): the same speaker, time, label and end, no late time."""
    fast = formats._PLAIN_LABEL.match(line)
    if fast is None:
        return
    label = formats._LABEL.match(line)
    assert label is not None
    assert label.group("late_time") is None
    assert fast.group("speaker", "time", "label") == label.group("speaker", "time", "label")
    assert (fast.start("label"), fast.end()) == (label.start("label"), label.end())
    ((text, speaker, _plain),) = formats.line_utterances([line], "labelled")
    turns, problems = _line_alone(line, "labelled")
    if not problems:
        assert turns == ([(text, speaker)] if text else [])


@pytest.mark.parametrize("line", [*_PLAIN_LABELS, *_LINES_OF_EVERY_KIND])
def test_plain_speaker_as_speaker(line: str) -> None:
    """Where the fast expression of a cue's commonest name matches (its text stripped), _SPEAKER matches the
    same way (srt_cue_utterance tries the fast one first)."""
    for text in (line.strip(), line.strip().split("]", 1)[-1].strip()):
        fast = formats._PLAIN_SPEAKER.match(text)
        if fast is not None:
            named = formats._SPEAKER.match(text)
            assert named is not None
            assert (fast.group("speaker"), fast.end()) == (named.group("speaker"), named.end())


_RECORDS_OF_EVERY_KIND = [
    '{"role": "客服", "time": "13:55:33", "content": "请问您找哪位？"}',
    '{"speaker": "坐席", "start": 1.5, "end": 2, "text": "  您好  "}',
    '{"speaker": 7, "text": "您好"}',
    '{"speaker": true, "text": "您好"}',
    '{"speaker": ["a"], "text": "您好"}',
    '{"text": "您好", "start": "2024-03-01 09:15:02"}',
    '{"text": "您好", "start": "soon"}',
    '{"text": "您好", "start": true}',
    '{"text": "您好", "start": ""}',
    '{"text": "您好", "start": null, "end": "00:00:02.5"}',
    '{"text": "您好", "start": 1e999}',
    '{"text": "\\u4f60\\u597d"}',
    '{"text": "您好", "note": "a \\"quote\\""}',
    '{"text": 3}',
    '{"text": null, "content": "您好"}',
    '{"content": "您好", "text": "您好"}',
    '{"speaker": "坐席"}',
    '["您好"]',
    '{"text": "您好"',
    '{"text": "   "}',
    "   ",
    "",
]


def _record_alone(line: str) -> tuple[list[tuple[str, str | None]], list[InputError]]:
    problems: list[InputError] = []
    turns = list(parse([line], "jsonl", "t.jsonl", problems=problems))
    assert all(turn.start is None or turn.start < 1e9 for turn in turns)
    return [(turn.text, turn.speaker) for turn in turns], problems


@pytest.mark.parametrize("line", _RECORDS_OF_EVERY_KIND)
def test_jsonl_utterances_as_parsed(line: str) -> None:
    """jsonl_utterances (the fast test of a file's records, check/files.py) answers only for a record whose
    parsing makes a turn (or none) and nothing else, and then says what the parser makes of it."""
    (utterance,) = formats.jsonl_utterances([line])
    if utterance is None:
        return
    turns, problems = _record_alone(line)
    assert not problems
    assert turns == ([(utterance.text, utterance.speaker)] if utterance.text else [])
    assert "2024" not in line  # a date-time sets the clock: never answered for


def test_jsonl_utterances_answer_for_plain_records() -> None:
    answered = [u is not None for u in formats.jsonl_utterances(_RECORDS_OF_EVERY_KIND)]
    assert answered[:3] == [True, True, True]
    assert not any(answered[3:8])  # a speaker or a time that is none, a date-time
    assert answered[8:10] == [True, True]  # an empty time, a null one


_CUES_OF_EVERY_KIND = [
    ["1", "00:00:01,000 --> 00:00:03,500", "坐席：您好"],
    ["2", "00:00:01,000 --> 00:00:03,500", "  您好  "],
    ["3", "00:00:04,000 --> 00:00:03,500", "坐席：您好"],
    ["4", "00:00:01,000 --> 00:00:01,000", "坐席："],
    ["5", "00:61:01,000 --> 00:62:03,500", "您好"],
    ["6", "00:00:01.000 --> 00:00:03.500", "您好"],
    ["7", "0:00:01,000 --> 0:00:03,500 align:start", "您好"],
    ["8", "00:00:0X,000 --> 00:00:03,500", "您好"],
    ["9", "00:00:01,000 --> 00:00:03,500", "<i>您好</i>"],
    ["10", "00:00:01,000 --> 00:00:03,500", "12: 您好"],
    ["11", "00:00:01,000 --> 00:00:03,500", "00:00:05,000 --> 00:00:06,000"],
    ["第一", "00:00:01,000 --> 00:00:03,500", "您好"],
    ["12", "00:00:01,000 --> 00:00:03,500"],
    ["13", "00:00:01,000 --> 00:00:03,500", "您好", "再见"],
    ["14", "\u0661\u0662:00:01,000 --> 00:00:03,500", "您好"],
]


@pytest.mark.parametrize("block", _CUES_OF_EVERY_KIND)
def test_srt_cue_utterance_as_parsed(block: list[str]) -> None:
    """srt_cue_utterance (the fast test of a file's cues, check/files.py) answers only for a block whose
    parsing makes a turn (or none) and nothing else, and then says what the parser makes of it."""
    utterance = formats.srt_cue_utterance(block)
    if utterance is None:
        return
    problems: list[InputError] = []
    turns = list(parse(block, "srt", "t.srt", problems=problems))
    assert not problems
    assert [(t.text, t.speaker) for t in turns] == (
        [(utterance.text, utterance.speaker)] if utterance.text else []
    )


def test_srt_cue_utterance_answers_for_plain_cues() -> None:
    answered = [formats.srt_cue_utterance(block) is not None for block in _CUES_OF_EVERY_KIND]
    assert answered[:2] == [True, True] and answered[3] and answered[6] and answered[9]
    assert not any(answered[k] for k in (2, 4, 7, 8, 10, 11, 12, 13))


def test_labelled_date_times_count_from_the_first() -> None:
    lines = [
        "2024-03-01 23:59:58 坐席：您好",
        "2024-03-02 00:00:03 市民：你好",
        "坐席：请讲",
        "2024/3/2 0:01:00 坐席：好的",
    ]
    turns = parsed(lines, "labelled")
    assert [turn.start for turn in turns] == [0.0, 5.0, None, 62.0]
    assert turns[2].speaker == "坐席"


def test_labelled_bad_date() -> None:
    with pytest.raises(InputError, match="cannot read the time '2024-13-45 09:00:00'") as error:
        list(parse(["坐席：您好", "2024-13-45 09:00:00 坐席：您好"], "labelled", "call.txt"))
    assert (error.value.path, error.value.line) == ("call.txt", 2)


# --- SRT and WebVTT -----------------------------------------------------------------------------------------


def test_srt_tags_speakers_and_anchors() -> None:
    lines = [
        "1",
        "00:00:01,000 --> 00:00:03,500",
        '<font color="#ffffff">坐席：</font><i>您好</i>，请问<b>办理</b>什么业务？',
        "{\\an8}第二行",
        "",
        "2",
        "00:00:04,000 --> 00:00:06,000",
        "<v 市民>我想问一下</v>",
        "",
        "3",
        "00:00:07,000 --> 00:00:08,000",
        "<i></i>",
        "",
    ]
    turns = parsed(lines, "srt")
    assert summary(turns) == [("坐席", "您好，请问办理什么业务？\n第二行"), ("市民", "我想问一下")]
    assert turns[0].start == 1.0 and turns[0].end == 3.5
    assert turns[0].locate(0) == (3, lines[2].index("您") + 1)


def test_srt_without_blank_lines_and_with_stray_text() -> None:
    lines = [
        "1",
        "00:00:01,000 --> 00:00:02,000",
        "您好",
        "2",
        "00:00:02,500 --> 00:00:03,000",
        "不知道",
        "00:00:03,500 --> 00:00:04,000",
        "下班了",
        "",
        "没看我正忙着吗",
        "",
    ]
    turns = parsed(lines, "srt")
    assert [(turn.text, turn.start) for turn in turns] == [
        ("您好", 1.0),
        ("不知道", 2.5),
        ("下班了", 3.5),
        ("没看我正忙着吗", None),  # text outside a cue is still checked
    ]


def test_vtt_blocks_voices_and_entities() -> None:
    lines = [
        "WEBVTT - 窗口录音",
        "Kind: captions",
        "",
        "NOTE",
        "这是备注，不是发言",
        "",
        "STYLE",
        "::cue { color: white }",
        "",
        "REGION",
        "id:fred width:40%",
        "",
        "cue-1",
        "00:01.000 --> 00:04.000 align:start position:10%",
        "<v.loud.staff 坐席>您好 &amp; 欢迎&nbsp;光临 &lt;请取号&gt;</v>",
        "",
        "01:00:05.000 --> 01:00:06.500",
        "<c.yellow>市民：</c>我想<00:00:05.500>问一下",
        "",
    ]
    turns = parsed(lines, "vtt")
    assert summary(turns) == [("坐席", "您好 & 欢迎\xa0光临 <请取号>"), ("市民", "我想问一下")]
    assert (turns[1].start, turns[1].end) == (3605.0, 3606.5)


# --- JSON Lines -------------------------------------------------------------------------------------------------


def test_jsonl_fields_and_times() -> None:
    lines = [
        '{"role": "staff", "content": "您好", "start": 1.5, "end": 3}',
        '{"from": "坐席", "text": "不知道", "time": "00:01:02.5"}',
        '{"name": "市民", "text": "你好", "timestamp": "2024-03-01T09:15:02Z"}',
        '{"speaker": 7, "text": "好的", "timestamp": "2024-03-01T17:15:02+08:00"}',
        '{"speaker": null, "text": "  ", "start": 9}',
        '{"speaker": "坐席", "text": "请坐", "start": "", "channel": "window", "score": 0.5, "ok": true}',
    ]
    turns = parsed(lines, "jsonl")
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("staff", "您好", 1.5, 3.0),
        ("坐席", "不知道", 62.5, None),
        ("市民", "你好", 0.0, None),
        ("7", "好的", 0.0, None),
        ("坐席", "请坐", None, None),
    ]
    assert turns[4].extra == (("channel", "window"), ("score", "0.5"), ("ok", "true"))


def test_jsonl_escapes_keep_exact_anchors() -> None:
    line = '{"text": "\\u4e0d\\u77e5\\u9053\\u3002 \\"\\u6ca1\\u770b\\"\\n\\t\\ud83d\\ude00 ok\\\\"}'
    (turn,) = parsed([line], "jsonl")
    assert turn.text == json.loads(line)["text"].strip()
    assert turn.locate(0) == (1, line.index("\\u4e0d") + 1)


def test_jsonl_duplicate_keys_take_the_last_like_json() -> None:
    line = '{"text": "甲", "text": "乙"}'
    (turn,) = parsed([line], "jsonl")
    assert turn.text == "乙" and turn.locate(0) == (1, line.index("乙") + 1)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"text": "不知道"', "invalid JSON at column"),
        ('{"text": "不知道"} x', "invalid JSON at column"),
        ("{'text': '不知道'}", "invalid JSON at column 2"),
        ('["不知道"]', "the line is a JSON array, not an object"),
        ('"不知道"', "the line is a JSON string, not an object"),
        ("null", "the line is a JSON null, not an object"),
        ('{"speaker": "坐席"}', "no text field: name the utterance one of text, content"),
        ('{"text": ["不知道"]}', "the field 'text' is not a string"),
        ('{"text": "不知道", "speaker": {"id": 1}}', "the field 'speaker' is not a speaker's name"),
        ('{"text": "不知道", "start": "昨天"}', "cannot read the time '昨天' in the field 'start'"),
        ('{"text": "不知道", "start": true}', "cannot read the time True"),
    ],
)
def test_malformed_jsonl_line_names_line_3(bad: str, message: str) -> None:
    lines = ['{"text": "您好"}', "", bad, '{"text": "再见"}']
    with pytest.raises(InputError, match=re.escape(message)) as error:
        list(parse(lines, "auto", "chat.jsonl"))
    assert (error.value.path, error.value.line) == ("chat.jsonl", 3)
    assert str(error.value).startswith("chat.jsonl:3: ")


# --- CSV ------------------------------------------------------------------------------------------------------


def test_csv_chinese_headers_quotes_and_multiline() -> None:
    lines = [
        "\ufeff角色,开始时间,结束时间,话术,备注",
        '坐席,1,2,"您好,""请""坐",',
        '市民,3,4,"第一行',
        '第二行""引号""",备注一',
        "",
        '坐席,5,6,"不知道"。,',
        "坐席,7,8,下班了 明天再来吧",
    ]
    turns = parsed(lines, "csv")
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("坐席", '您好,"请"坐', 1.0, 2.0),
        ("市民", '第一行\n第二行"引号"', 3.0, 4.0),
        ("坐席", "不知道。", 5.0, 6.0),  # text after the closing quote belongs to the field, as in csv
        ("坐席", "下班了 明天再来吧", 7.0, 8.0),
    ]
    assert turns[1].extra == (("备注", "备注一"),)
    assert turns[1].line == 3


def test_tsv() -> None:
    lines = ["speaker\ttext\tstart", "坐席\t您好,请坐\t00:00:01", '市民\t"a\tb"\t00:00:02']
    assert [(t.speaker, t.text, t.start) for t in parsed(lines, "auto", "a.tsv")] == [
        ("坐席", "您好,请坐", 1.0),
        ("市民", "a\tb", 2.0),
    ]


def test_csv_without_a_text_column() -> None:
    with pytest.raises(InputError, match=r"no text column in the header \(speaker, start, note\)") as error:
        list(parse(["", "speaker,start,note", "坐席,1,您好"], "csv", "review.csv"))
    assert (error.value.path, error.value.line) == ("review.csv", 2)


def test_csv_unterminated_quote() -> None:
    with pytest.raises(InputError, match="unterminated quoted field") as error:
        list(parse(["text", "您好", '"不知道', "再见"], "csv", "review.csv"))
    assert error.value.line == 3


def test_csv_short_rows_and_empty_file() -> None:
    assert summary(parsed(["speaker,text", "坐席"], "csv")) == []
    assert list(parse([], "csv")) == []
    assert list(parse(["", ""], "csv")) == []


# --- properties -----------------------------------------------------------------------------------------------

_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from(list("，。？！、：；“”‘’（）《》…—\t \u3000\xa0\u2028\x85😀🙏👍☎")),
)
UTTERANCE = st.text(_CHARS, max_size=30)
LINE_TEXT = st.text(_CHARS, max_size=30).filter(lambda text: "\r" not in text and "\n" not in text)
SPEAKERS = st.sampled_from(["坐席", "市民", "工作人员", "Agent", "A"])


def stripped(texts: Iterable[str]) -> list[str]:
    return [text.strip() for text in texts if text.strip()]


def file_lines(tmp_path_factory: pytest.TempPathFactory, content: str, encoding: str = "utf-8") -> list[str]:
    """``content`` written to a file in ``encoding`` and read back by decode, as the linter reads it."""
    path = tmp_path_factory.getbasetemp() / "property.txt"
    path.write_bytes(content.encode(encoding))
    return read_lines(str(path))


_PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_PROPERTY
@given(st.lists(LINE_TEXT, max_size=8))
def test_plain_property(texts: list[str]) -> None:
    assert [turn.text for turn in parsed(texts, "plain")] == stripped(texts)


@_PROPERTY
@given(st.lists(st.tuples(SPEAKERS, LINE_TEXT, st.booleans()), max_size=8))
def test_labelled_property(rows: list[tuple[str, str, bool]]) -> None:
    lines = [f"[00:00:{i:02d}] {s}：{t}" if timed else f"{s}: {t}" for i, (s, t, timed) in enumerate(rows)]
    expected = [(s, t.strip()) for s, t, _timed in rows if t.strip()]
    assert summary(parsed(lines, "labelled")) == expected


_FIELD_VALUES = st.sampled_from(
    [
        None,
        "",
        "  ",
        "坐席",
        "您好 ",
        "00:01",
        "00:00:02.5",
        "2024-03-01 09:15:02",
        "soon",
        1.5,
        7,
        True,
        [1],
        {},
    ]
)


@_PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(["text", "content", "speaker", "role", "start", "time", "end", "session"]),
        st.one_of(_FIELD_VALUES, LINE_TEXT),
        max_size=6,
    )
)
def test_jsonl_utterances_property(record: dict[str, object]) -> None:
    line = json.dumps(record, ensure_ascii=False)
    (utterance,) = formats.jsonl_utterances([line])
    if utterance is not None:
        turns, problems = _record_alone(line)
        assert not problems
        assert turns == ([(utterance.text, utterance.speaker)] if utterance.text else [])


def _plain_record_as_before(line: str) -> formats.LineUtterance | None:
    """jsonl_utterances of one line as it was written before it learned each layout of keys and each speaker
    once (issue 13): every name looked up in the record, every time read by a clock."""
    if not line.strip():
        return formats.LineUtterance("", None, True)
    if "\\" in line:
        return None
    try:
        fields = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(fields, dict):
        return None
    names = formats.field_names()
    text_key = next((name for name in names.text if fields.get(name) is not None), None)
    text = fields.get(text_key) if text_key is not None else None
    if not isinstance(text, str):
        return None
    literal = f'"{text}"'
    if line.find(literal, line.find(literal) + 1) != -1:
        return None
    used = {text_key}
    speaker = None
    for name in names.speaker:
        value = fields.get(name)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                return None
            speaker = formats._sound(str(value)).strip() or None
            used.add(name)
            break
    for wanted in (names.start, names.end):
        for name in wanted:
            if name in used:
                continue
            value = fields.get(name)
            if value is None:
                continue
            used.add(name)
            if value != "":
                if not isinstance(value, (str, int, float)):
                    return None
                try:
                    formats._PlainClock().seconds(value)
                except (ValueError, OverflowError, formats._DateTimeRead):
                    return None
            break
    return formats.LineUtterance(text.strip(), speaker, True)


_TIMES = st.one_of(
    _FIELD_VALUES,
    st.sampled_from(
        ["13:55:33", "99:99:99", "\u0661\u0662:00:01", "12:34:5x", "12-34-56", " 12:34:56", "²1:00:00"]
    ),
    st.text("0123456789:²\u0661 .", max_size=9),
)
_KEYS = ["text", "content", "speaker", "role", "start", "time", "end", "session", "结束"]


@_PROPERTY
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_KEYS), unique=True, max_size=6),
            st.lists(st.one_of(_TIMES, LINE_TEXT, st.sampled_from(["坐席", " 坐席", "\ud800"])), min_size=6),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_jsonl_utterances_as_record_by_record(records: list[tuple[list[str], list[object], bool]]) -> None:
    """jsonl_utterances of many records at once (each layout of keys and each speaker worked out once, a
    ``HH:MM:SS`` time known by its shape, an object scanned without json.loads' frames) says of each what
    reading it alone, as before, said; of a record written in a few ways too (spaces, something after it)."""
    lines = []
    for keys, values, spaced in records:
        line = json.dumps(dict(zip(keys, values)), ensure_ascii=False)
        lines.append(" " + line if spaced else line)
        lines.append(line + (" " if spaced else "x"))
        lines.append(line)
    assert formats.jsonl_utterances(lines) == [_plain_record_as_before(line) for line in lines]


@_PROPERTY
@given(
    st.sampled_from(["1", " 2 ", "x"]),
    st.sampled_from(
        [
            "00:00:01,000 --> 00:00:03,500",
            "00:00:03,500 --> 00:00:01,000",
            "00:00:01,000 --> 00:00:01,000",
            "01:59:59,999 --> 02:00:00,000",
            "00:00:01,000 --> 00:00:03,500 X:1",
            "1:02,5 --> 1:03,5",
        ]
    ),
    st.tuples(st.sampled_from(["", "坐席：", "A: ", "12: ", " 客服 :"]), LINE_TEXT).map("".join),
)
def test_srt_cue_utterance_property(number: str, timing: str, line: str) -> None:
    if not line.strip():
        return  # (a blank line ends a block: no block holds one)
    block = [number, timing, line]
    utterance = formats.srt_cue_utterance(block)
    if utterance is not None:
        problems: list[InputError] = []
        turns = list(parse(block, "srt", "t.srt", problems=problems))
        assert not problems
        expected = [(utterance.text, utterance.speaker)] if utterance.text else []
        assert [(t.text, t.speaker) for t in turns] == expected


@_PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "坐席：", "A: ", "12: ", " 客服 :", "²:", "³ : ", "坐席 ：", "A B:"]),
            LINE_TEXT,
        ).map("".join),
        max_size=10,
    )
)
def test_srt_cue_utterances_with_names_remembered(lines: list[str]) -> None:
    """srt_cue_utterance of a file's cues, the speaker each name cleans to remembered across them (check/files.py's
    _cues), says of each what it says of the cue alone."""
    blocks = [["1", "00:00:01,000 --> 00:00:03,500", line] for line in lines if line.strip()]
    names: dict[str, str | None] = {}
    remembered = [formats.srt_cue_utterance(block, names) for block in blocks]
    assert remembered == [formats.srt_cue_utterance(block) for block in blocks]
    assert remembered == [formats.srt_cue_utterance(block, names) for block in blocks]  # (all known now)


@_PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "[00:00:07] ", "10:30 ", "2024-03-01 09:15:02 "]),
            SPEAKERS,
            st.sampled_from(["：", ":", " "]),
            LINE_TEXT,
        ),
        max_size=6,
    )
)
def test_line_utterances_property(rows: list[tuple[str, str, str, str]]) -> None:
    lines = [f"{time}{speaker}{colon}{text}" for time, speaker, colon, text in rows]
    for line, (text, speaker, plain) in zip(lines, formats.line_utterances(lines, "labelled")):
        turns, problems = _line_alone(line, "labelled")
        assert turns == ([(text, speaker)] if text else [])
        assert not (plain and problems)


@_PROPERTY
@given(
    st.sampled_from(["[13:55:33]", "[00:00:07] ", "[１３:５５:３３]  ", "[99:99:99]\t"]),
    st.text(st.one_of(_CHARS, st.sampled_from(list("²³_-０9"))), min_size=1, max_size=14),
    st.sampled_from(["：", ":", " :", ""]),
    LINE_TEXT,
)
def test_plain_label_property(time: str, name: str, colon: str, text: str) -> None:
    line = f"{time}{name}{colon}{text}"
    fast = formats._PLAIN_LABEL.match(line)
    if fast is not None:
        label = formats._LABEL.match(line)
        assert label is not None and label.group("late_time") is None
        assert fast.group("speaker", "time", "label") == label.group("speaker", "time", "label")
        assert (fast.start("label"), fast.end()) == (label.start("label"), label.end())
    text = f"{name}{colon}{text}".strip()
    fast_name = formats._PLAIN_SPEAKER.match(text)
    if fast_name is not None:
        named = formats._SPEAKER.match(text)
        assert named is not None
        assert (fast_name.group("speaker"), fast_name.end()) == (named.group("speaker"), named.end())


@_PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["[13:55:33]", "[00:00:07] ", "[１３:５５:３３]  ", "[99:99:99]\t", "", "13:55:33 "]
            ),
            st.one_of(
                st.sampled_from(
                    ["²", "³²", "坐席", "工作人员", "Ａ"]
                ),  # (² and ³: letters that clean to no name)
                st.text(st.one_of(_CHARS, st.sampled_from(list("²³_-０9"))), min_size=1, max_size=14),
            ),
            st.sampled_from(["：", ":", " :", ""]),
            LINE_TEXT,
        ).map("".join),
        max_size=8,
    )
)
def test_line_utterances_of_the_commonest_label_as_of_any(lines: list[str]) -> None:
    """line_utterances' own way with a line the fast expression of the commonest label matches (its time
    plain, its speaker's name cleaned once) gives what the general expression's way gives."""
    fast = formats.line_utterances(lines, "labelled")
    real = formats._PLAIN_LABEL
    formats._PLAIN_LABEL = re.compile("(?!)")  # matches nothing: every line the general way
    try:
        general = formats.line_utterances(lines, "labelled")
    finally:
        formats._PLAIN_LABEL = real
    assert fast == general


@_PROPERTY
@given(
    st.lists(st.tuples(SPEAKERS, UTTERANCE), max_size=6),
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":")]),
)
def test_jsonl_property(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str]],
    ascii_only: bool,
    separators: tuple[str, str],
) -> None:
    content = "\n".join(
        json.dumps({"speaker": s, "text": t, "start": i}, ensure_ascii=ascii_only, separators=separators)
        for i, (s, t) in enumerate(rows)
    )
    turns = parsed(file_lines(tmp_path_factory, content), "jsonl")
    assert summary(turns) == [(s, t.strip()) for s, t in rows if t.strip()]


@_PROPERTY
@given(
    st.lists(st.tuples(SPEAKERS, UTTERANCE), max_size=6),
    st.sampled_from([",", "\t"]),
    st.sampled_from(["\r\n", "\n"]),
)
def test_csv_property(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]], delimiter: str, terminator: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(["speaker", "text"])
    writer.writerows(rows)
    turns = parsed(file_lines(tmp_path_factory, out.getvalue()), "csv")
    # Line breaks inside a field read as "\n", whichever the file had.
    expected = [(s, t.replace("\r\n", "\n").replace("\r", "\n").strip()) for s, t in rows]
    assert summary(turns) == [(s, t) for s, t in expected if t]


def _cue_lines(text: str) -> list[str]:
    """The text of a cue as the lines it is written on: no blank line inside a cue."""
    return [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


@_PROPERTY
@given(st.lists(st.tuples(SPEAKERS, UTTERANCE.filter(lambda t: not set(t) & set("<>{&"))), max_size=5))
def test_srt_property(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]) -> None:
    cues = [(s, _cue_lines(t)) for s, t in rows]
    content = "".join(
        f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{s}：" + "\n".join(lines) + "\n\n"
        for i, (s, lines) in enumerate(cues)
    )
    turns = parsed(file_lines(tmp_path_factory, content), "srt")
    assert summary(turns) == [(s, "\n".join(line.strip() for line in lines)) for s, lines in cues if lines]


@_PROPERTY
@given(st.lists(st.tuples(SPEAKERS, UTTERANCE.filter(lambda t: "{" not in t)), max_size=5))
def test_vtt_property(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]) -> None:
    cues = [(s, _cue_lines(t)) for s, t in rows]
    content = "WEBVTT\n\n" + "".join(
        f"00:{i:02d}.000 --> 00:{i:02d}.900\n<v {s}>"
        + "\n".join(html.escape(line, False) for line in lines)
        + "\n\n"
        for i, (s, lines) in enumerate(cues)
    )
    turns = parsed(file_lines(tmp_path_factory, content), "vtt")
    assert summary(turns) == [(s, "\n".join(line.strip() for line in lines)) for s, lines in cues if lines]


@_PROPERTY
@given(
    st.lists(st.lists(st.text(_CHARS | st.sampled_from(list('",\n\r')), max_size=8), min_size=1, max_size=4))
)
def test_csv_records_read_as_the_csv_module_reads_them(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    lines = file_lines(tmp_path_factory, out.getvalue())
    ours = [
        [_value(field) for field in record] for _line, record in _csv_records(enumerate(lines, 1), ",", None)
    ]
    theirs = [
        [field.replace("\r\n", "\n").replace("\r", "\n") for field in row]
        for row in csv.reader(io.StringIO(out.getvalue(), newline=""))
    ]
    # A line of spaces is a record to the csv module and a blank line to us: neither holds an utterance.
    assert _with_text(ours) == _with_text(theirs)


def _with_text(rows: list[list[str]]) -> list[list[str]]:
    return [row for row in rows if any(field.strip() for field in row)]


def _value(field: list[tuple[str, int, int]]) -> str:
    return "".join(piece[0] for piece in field)


# The characters of real transcripts: encoding detection is a judgement on text, which random hanzi are not.
_REAL_CHARS = sorted({char for path in TRANSCRIPTS for char in path.read_text("utf-8") if char not in "\r\n"})
REAL_TEXT = st.text(st.sampled_from(_REAL_CHARS), max_size=30)


@_PROPERTY
@given(
    st.lists(st.tuples(SPEAKERS, REAL_TEXT), min_size=1, max_size=6),
    st.sampled_from(["gb18030", "utf-16", "utf-8-sig"]),
)
def test_labelled_in_other_encodings_property(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]], encoding: str
) -> None:
    content = "\r\n".join(f"{s}：{t}" for s, t in rows)
    lines = file_lines(tmp_path_factory, content, encoding)
    assert summary(parsed(lines, "labelled")) == [(s, t.strip()) for s, t in rows if t.strip()]


# --- the field names of JSON Lines and CSV: rules/fields.yml ---------------------------------------------------


def test_field_names_come_from_fields_yml_in_both_scripts() -> None:
    names = formats.field_names()
    assert names.text[0] == "text" and names.speaker[0] == "speaker" and "时间" in names.start
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    for field in names:
        for name in field:
            assert s2t.convert(name) in field and t2s.convert(name) in field, name


def test_a_bad_fields_yml_is_named_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fields.yml").write_text("version: 1\ntext: [text]\nspeaker: speaker\n", encoding="utf-8")
    monkeypatch.setattr(formats, "builtin_rules_dir", lambda: tmp_path)
    formats.field_names.cache_clear()
    try:
        with pytest.raises(CatalogueError, match=r"fields\.yml:3: 'speaker' must be a list of field names"):
            formats.field_names()
    finally:
        formats.field_names.cache_clear()


_JSON_WORDS = st.sampled_from(
    ["content", "text", "role", "time", "a", ":", '","', " ", "不知道", "客服", "", "x"]
)
_JSON_VALUES = st.one_of(
    st.lists(_JSON_WORDS, max_size=4).map("".join),
    st.text(max_size=6),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=400)
@given(
    st.lists(
        st.tuples(st.sampled_from(["content", "text", "role", "time", "a", ":"]), _JSON_VALUES), max_size=5
    ),
    st.booleans(),
    st.booleans(),
)
def test_jsonl_read_by_the_c_decoder_reads_as_the_scanner_does(
    members: list[tuple[str, object]], ascii_only: bool, spaced: bool
) -> None:
    """The quick path of a JSON line (json.loads, then the utterance's literal found by str.find) gives the
    scanner's fields, and the same place for the utterance, wherever it takes a line at all."""
    separators = (", ", ": ") if spaced else (",", ":")
    body = ", ".join if spaced else ",".join
    line = (
        "{"
        + body(
            f"{json.dumps(k, ensure_ascii=ascii_only)}{separators[1]}{json.dumps(v, ensure_ascii=ascii_only)}"
            for k, v in members
        )
        + "}"
    )
    names = formats.field_names().text
    quick = formats._json_fields_quickly(line, names)
    if quick is None:
        return
    slow = formats.json_fields(line)
    assert {k: v for k, (v, _at) in quick.items()} == {k: v for k, (v, _at) in slow.items()}
    assert list(quick) == list(slow)
    key = next(name for name in names if slow.get(name, (None, 0))[0] is not None)
    assert quick[key][1] == slow[key][1]


def test_jsonl_lines_the_quick_path_takes_and_leaves() -> None:
    names = formats.field_names().text
    assert formats._json_fields_quickly('{"role": "客服", "content": "你好"}', names) == {
        "role": ("客服", 0),
        "content": ("你好", 26),
    }
    for line in ['{"content": "\\u4f60"}', '{"a": ":", "content": ":"}', '{"content": 5}', "[1]", "{"]:
        assert formats._json_fields_quickly(line, names) is None  # the scanner reads (or rejects) them
