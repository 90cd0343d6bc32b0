"""The fuzz stage (issue 12): random text, random bytes in every input format, random settings and rule files,
random HTTP bodies. Never a traceback, exit codes 0, 1 and 2 only, spans always slice the original, fix output
always parses again. A fixed example budget per property (FUZZ_EXAMPLES), derandomized so CI runs the same
examples every time; raise it locally with PHRASELINT_FUZZ_EXAMPLES to look harder."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from phraselint.cli import main
from phraselint.engine.linter import Linter, sound_text
from phraselint.read.formats import parse
from phraselint.service.server import create_app

FUZZ_EXAMPLES = int(os.environ.get("PHRASELINT_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
LINTER = Linter()
FORMATS = ("plain", "labelled", "srt", "vtt", "jsonl", "csv")
SUFFIX = {"plain": ".txt", "labelled": ".txt", "srt": ".srt", "vtt": ".vtt", "jsonl": ".jsonl", "csv": ".csv"}

# Text near what phraselint reads: forbidden phrases, speakers, times, the syntax of every format, and noise.
PIECES = [
    "不知道",
    "下班了，明天再来吧",
    "没看我正忙着吗",
    "您好",
    "工作人员：",
    "群众：",
    "坐席:",
    "[00:00:01] ",
    "00:00:01,000 --> 00:00:02,000",
    "00:00:0X --> 99:99:99",
    "WEBVTT",
    "<v 工作人员>",
    "&amp;",
    "1",
    '{"role":"agent","text":"',
    '"}',
    "\\ud800",
    "\\u4e0d",
    '"',
    ",",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "speaker,text",
    "\ufeff",
    "\x00",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=12).map("".join)
raw_bytes = st.one_of(
    st.binary(max_size=300),
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    texts.map(lambda t: t.encode("gb18030", "replace")),
    texts.map(lambda t: t.encode("utf-16")),
)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def no_crash(result: Result, codes: tuple[int, ...] = (0, 1, 2)) -> None:
    """Exit 0, 1 or 2, by the program's own word: never a traceback."""
    assert result.exit_code in codes, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@FUZZ
@given(
    text=st.one_of(
        texts, st.text(max_size=200), st.text(st.characters(categories=["Cs", "Lo", "Po"]), max_size=40)
    )
)
def test_random_text_never_crashes_the_engine_and_spans_slice_it(text: str) -> None:
    sound = sound_text(text)  # a lone surrogate reads as U+FFFD, one character for one
    assert len(sound) == len(text)
    for v in LINTER.check(text):
        assert sound[v.start : v.end] == v.text
    fixed = LINTER.fix(text)
    fixed.encode("utf-8")  # always writable


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=raw_bytes)
def test_random_bytes_in_every_format_check_and_fix(
    runner: CliRunner, tmp_path: Path, fmt: str, data: bytes
) -> None:
    path = tmp_path / f"t{SUFFIX[fmt]}"
    path.write_bytes(data)
    checked = runner.invoke(main, ["check", "-q", "--format", "jsonl", "--input-format", fmt, str(path)])
    no_crash(checked)
    for line in checked.stdout.splitlines():
        found = json.loads(line)
        offset = found["utterance_start"]
        assert found["utterance"][found["start"] - offset : found["end"] - offset] == found["text"]
    fixed = runner.invoke(main, ["fix", "--input-format", fmt, str(path)])
    no_crash(fixed, (0, 2))
    if fixed.exit_code == 0:  # what fix prints parses again, into as many turns
        before = list(parse(_lines(path.read_bytes(), fixed), fmt, name=str(path)))
        after = list(parse(re.split(r"\r\n|\r|\n", fixed.stdout), fmt, name=str(path)))
        assert len(after) == len(before)


def _lines(data: bytes, fixed: Result) -> list[str]:
    """The lines of the original as fix read them (fix printed the text it decoded, fixed)."""
    from phraselint.read.decode import detect_encoding

    codec = detect_encoding(data[:65536], True) or "utf-8"
    text = data.decode(codec).removeprefix("\ufeff")
    return re.split(r"\r\n|\r|\n", text)


SETTING_KEYS = ["select", "ignore", "staff", "fail-on", "script", "severity", "slots", "rules", "allow", "x"]
toml_values = st.one_of(
    st.sampled_from(
        ['"error"', '"auto"', '["dont-know"]', '["nope"]', "1", "true", '{"dont-know" = "info"}', "[1]"]
    ),
    st.text(max_size=6).map(json.dumps),
)
settings_files = st.one_of(
    st.binary(max_size=120),
    st.lists(st.tuples(st.sampled_from(SETTING_KEYS), toml_values), max_size=4).map(
        lambda items: "".join(f"{k} = {v}\n" for k, v in items).encode("utf-8", "surrogatepass")
    ),
)


@FUZZ
@given(content=settings_files, as_pyproject=st.booleans())
def test_random_settings_never_crash(
    runner: CliRunner, tmp_path: Path, content: bytes, as_pyproject: bool
) -> None:
    (tmp_path / "t.txt").write_text("工作人员：不知道\n", encoding="utf-8")
    name = "pyproject.toml" if as_pyproject else "phraselint.toml"
    for stale in ("pyproject.toml", "phraselint.toml"):
        (tmp_path / stale).unlink(missing_ok=True)
    (tmp_path / name).write_bytes(b"[tool.phraselint]\n" + content if as_pyproject else content)
    no_crash(runner.invoke(main, ["check", "-q", "t.txt"]))


rule_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=6), st.sampled_from(["不知道", "{单位}"])
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["id", "phrase", "rules", "version", "variants", "severity", "examples", "flag"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(FUZZ, max_examples=max(5, FUZZ_EXAMPLES // 4))
@given(document=st.one_of(rule_values.map(json.dumps), texts))
def test_random_rule_files_never_crash(runner: CliRunner, tmp_path: Path, document: str) -> None:
    rules = tmp_path / "org.yml"
    rules.write_text(document, encoding="utf-8", errors="surrogatepass")
    (tmp_path / "t.txt").write_text("工作人员：不知道\n", encoding="utf-8")
    no_crash(runner.invoke(main, ["check", "-q", "--rules", str(rules), "t.txt"]))


CLIENT = TestClient(create_app(LINTER), raise_server_exceptions=False)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(), texts),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["text", "speaker", "script", "messages", "x"]), inner, max_size=4),
    ),
    max_leaves=10,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(body=bodies, path=st.sampled_from(["/v1/check", "/v1/check/batch"]))
def test_random_http_bodies_are_never_a_500(body: bytes, path: str) -> None:
    response = CLIENT.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    answer: Any = response.json()
    assert isinstance(answer, dict)
    if response.status_code == 200 and path == "/v1/check":
        text = json.loads(body)["text"]
        for v in answer["violations"]:
            offset = v["utterance_start"]
            assert v["utterance"][v["start"] - offset : v["end"] - offset] == v["text"]
            assert text[v["start"] : v["end"]] == v["text"]
