"""fix writes back every format check reads: the whole-utterance rewrite, escaped for the format, and the file
parses again into the same turns but for the rewritten ones (parse → fix → parse)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phraselint.check.files import Roles
from phraselint.check.fix import fix_file, fix_text
from phraselint.cli import main
from phraselint.engine.linter import Linter
from phraselint.read.formats import parse

LINTER = Linter()
ROLES = Roles.build(LINTER)
STAFF, VISITOR = "工作人员", "群众"

# Utterances: forbidden phrases with safe fixes, one without, clean ones, and text that a format must escape.
FORBIDDEN = ["不知道", "下班了，明天再来吧", "没看我正忙着吗", "不办。", "这不归我管"]
CLEAN = ["您好", "请稍等", "好的", "谢谢"]
AWKWARD = ['"', ",", "\\", "&", "<", ">", "&amp;", "\t", "'", "；", "/", "\\n", "\u2028", "😀", "a,b"]


def utterances() -> st.SearchStrategy[str]:
    part = st.one_of(st.sampled_from(FORBIDDEN), st.sampled_from(CLEAN), st.sampled_from(AWKWARD))
    return st.lists(part, min_size=1, max_size=4).map(lambda xs: "，".join(xs)).filter(lambda x: x.strip())


turns_strategy = st.lists(st.tuples(st.sampled_from([STAFF, VISITOR]), utterances()), min_size=1, max_size=5)

Turns = Sequence[tuple[str, str]]


def as_labelled(turns: Turns) -> str:
    return "".join(f"{who}：{text}\n" for who, text in turns)


def as_jsonl(turns: Turns) -> str:
    return "".join(json.dumps({"role": who, "text": text}, ensure_ascii=False) + "\n" for who, text in turns)


def as_csv(turns: Turns) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["speaker", "text"])
    writer.writerows(turns)
    return out.getvalue()


def _cue_time(i: int) -> str:
    return f"00:00:{i:02d},000 --> 00:00:{i:02d},500"


def as_srt(turns: Turns) -> str:
    return "".join(
        f"{i}\n{_cue_time(i)}\n{who}：{text}\n\n" for i, (who, text) in enumerate(turns, 1) if "<" not in text
    )


def as_vtt(turns: Turns) -> str:
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    cues = (
        f"{_cue_time(i).replace(',', '.')}\n<v {who}>{escape(text)}\n\n"
        for i, (who, text) in enumerate(turns, 1)
    )
    return "WEBVTT\n\n" + "".join(cues)


WRITERS: dict[str, tuple[str, Callable[[Turns], str]]] = {
    "labelled": ("t.txt", as_labelled),
    "jsonl": ("t.jsonl", as_jsonl),
    "csv": ("t.csv", as_csv),
    "srt": ("t.srt", as_srt),
    "vtt": ("t.vtt", as_vtt),
}


def lines_of(text: str) -> list[str]:
    """The lines as phraselint reads them: only CR, LF and CRLF end a line (not U+2028)."""
    return re.split(r"\r\n|\r|\n", text)


def roundtrip(fmt: str, text: str) -> None:
    name, _ = WRITERS[fmt]
    before = list(parse(lines_of(text), fmt, name=name))
    result = fix_text(text, name, LINTER, ROLES, fmt, None)
    after = list(parse(lines_of(result.text), fmt, name=name))
    assert len(after) == len(before)
    changed = 0
    for old, new in zip(before, after):
        assert new.speaker == old.speaker
        if new.text != old.text:
            changed += 1
            assert ROLES.checked(old.speaker)
            assert new.text == LINTER.fix(old.text).strip()
    assert (changed == 0) == (result.applied == 0)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=turns_strategy)
def test_parse_fix_parse_in_every_format(fmt: str, turns: Turns) -> None:
    text = WRITERS[fmt][1](turns)
    if text.strip():
        roundtrip(fmt, text)


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_a_line_separator_inside_a_cue_stays_inside_it(fmt: str) -> None:
    """U+2028 ends no line for the reader, so the writer keeps it in its line (hypothesis found it split)."""
    roundtrip(fmt, WRITERS[fmt][1]([("工作人员", "您好，\u2028，不知道")]))


def test_the_whole_utterance_rewrite_replaces_the_text_not_spliced_words() -> None:
    result = fix_text(f"{STAFF}：这个小妹不知道\n", "t.txt", LINTER, ROLES, "labelled", None)
    expected = LINTER.fix("这个小妹不知道")
    assert result.text == f"{STAFF}：{expected}\n"


# --- regressions of issue 12, item 1 ------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def test_fix_write_keeps_quoted_csv_fields_closed(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('speaker,text\n工作人员,"不知道"\n群众,"好的"\n', encoding="utf-8")
    assert runner.invoke(main, ["fix", "--write", str(path)]).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows == [["speaker", "text"], ["工作人员", LINTER.fix("不知道")], ["群众", "好的"]]
    assert runner.invoke(main, ["check", "-q", str(path)]).exit_code == 0


def test_fix_jsonl_writes_valid_json(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"role":"agent","text":"不知道"}\n', encoding="utf-8")
    done = runner.invoke(main, ["fix", str(path)])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"role": "agent", "text": LINTER.fix("不知道")}


def test_fix_file_twice_changes_nothing_more(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(as_jsonl([(STAFF, "不知道"), (VISITOR, "不知道")]), encoding="utf-8")
    once = fix_file(str(path), LINTER, ROLES, write=True, backup=False)
    assert once.applied == 1
    assert fix_file(str(path), LINTER, ROLES).applied == 0
