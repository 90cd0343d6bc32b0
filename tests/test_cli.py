"""The command line as a quality manager uses it: findings, formats, exit codes, bad input, settings, fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phraselint.cli.commands import main

ROOT = Path(__file__).resolve().parent.parent
WINDOW = """\
[09:00:01] 工作人员:您好，请问您办理什么业务？
[09:00:05] 来访人员:我想问一下公积金提取，不知道要带什么材料。
[09:00:09] 工作人员:不知道。
[09:00:15] 来访人员:那我问谁？没看你正忙着吗，我就问一下。
[09:00:20] 工作人员:没看我正忙着吗？等一会。
[09:00:31] 工作人员:好的，请您稍等，我帮您看一下。
"""
TRADITIONAL = "[09:00:01] 櫃檯人員:您好。\n[09:00:09] 櫃檯人員:沒看見我正忙著嗎？急什麼！\n"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no settings file of the repository is found
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_text_output_names_place_rule_and_rewrite(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "window.txt", WINDOW)
    result = runner.invoke(main, ["check", path])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert f"{path}:3:17: error dont-know" in lines[0]
    assert any(line.startswith(f"{path}:5:17: error busy-cant-you-see") for line in lines)
    assert "建议:" in result.stdout
    assert "来访人员" not in result.stdout  # the visitor's own 没看你正忙着吗 is not checked
    assert "发现 2 处问题" in result.stdout


def test_json_output(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "window.txt", WINDOW)
    result = runner.invoke(main, ["check", "--output-format", "json", path])
    data = json.loads(result.stdout)
    first = data["violations"][0]
    for key in (
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "text",
        "rule",
        "severity",
        "situation",
        "message",
        "speaker",
        "suggestions",
    ):
        assert key in first
    assert (first["line"], first["column"], first["end_column"], first["text"]) == (3, 17, 20, "不知道")
    assert first["speaker"] == "工作人员" and first["time"] == 9 * 3600 + 9
    assert first["utterance"][first["start"] : first["end"]] == first["text"]
    assert data["summary"]["violations"] == 2 and data["summary"]["by_severity"]["error"] == 2


def test_jsonl_github_sarif(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "window.txt", WINDOW)
    jsonl = runner.invoke(main, ["check", "--format", "jsonl", path]).stdout.splitlines()
    assert [json.loads(line)["rule"] for line in jsonl] == ["dont-know", "busy-cant-you-see"]
    github = runner.invoke(main, ["check", "--format", "github", path]).stdout.splitlines()
    assert github[0].startswith(f"::error file={path},line=3,col=17,endLine=3,endColumn=20,title=dont-know::")
    sarif = json.loads(runner.invoke(main, ["check", "--format", "sarif", path]).stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "dont-know"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_statistics(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "window.txt", WINDOW + WINDOW)
    text = runner.invoke(main, ["check", "-q", "--statistics", path]).stdout
    assert any(line.split()[:2] == ["2", "dont-know"] for line in text.splitlines())
    # Beside a machine format the table goes to standard error: every line of standard output still parses.
    for fmt in ("jsonl", "json", "sarif", "github"):
        result = runner.invoke(main, ["check", "-q", "--format", fmt, "--statistics", path])
        assert any(line.split()[:2] == ["2", "dont-know"] for line in result.stderr.splitlines())
        if fmt == "jsonl":
            assert all(json.loads(line) for line in result.stdout.splitlines())
        elif fmt != "github":
            json.loads(result.stdout)
        else:
            assert all(line.startswith("::") for line in result.stdout.splitlines())


def test_stdin_and_exit_codes(runner: CliRunner) -> None:
    assert runner.invoke(main, ["check", "-"], input="不知道。\n").exit_code == 1
    assert runner.invoke(main, ["check", "-"], input="您好，请稍等。\n").exit_code == 0
    assert runner.invoke(main, ["check", "--exit-zero", "-"], input="不知道。\n").exit_code == 0
    # a warning-only utterance fails at --fail-on warning, not at --fail-on error
    warning = next(r for r in __import__("phraselint").Linter().rules if r.severity == "warning")
    example = warning.flag_examples[0]
    assert runner.invoke(main, ["check", "--select", warning.id, "-"], input=example).exit_code == 1
    assert (
        runner.invoke(
            main, ["check", "--select", warning.id, "--fail-on", "error", "-"], input=example
        ).exit_code
        == 0
    )


def test_traditional_input_gets_traditional_rewrites(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "trad.txt", TRADITIONAL, "big5")
    result = runner.invoke(main, ["check", "--format", "json", path])
    (v,) = json.loads(result.stdout)["violations"]
    assert v["text"] == "沒看見我正忙著嗎？急什麼"
    assert (v["line"], v["column"]) == (2, 17)
    assert "請" in "".join(v["suggestions"]) and "请" not in "".join(v["suggestions"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_encodings(runner: CliRunner, tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "window.txt", WINDOW, encoding)
    data = json.loads(runner.invoke(main, ["check", "--format", "json", path]).stdout)
    assert [(v["line"], v["column"]) for v in data["violations"]] == [(3, 17), (5, 17)]


def test_a_broken_file_is_named_skipped_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    good = write(tmp_path / "a-good.txt", WINDOW)
    (tmp_path / "b-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "c-truncated.txt").write_bytes("工作人员:不知道。\n".encode("gb18030") + b"\xb2")
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("phraselint: error: ") for line in errors)
    assert "b-binary.txt" in errors[0] and "c-truncated.txt" in errors[1]
    assert f"{good}:3:17" in result.stdout
    assert "Traceback" not in result.output


def test_missing_path_and_bad_option(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "nope.txt"])
    assert result.exit_code == 2 and "nope.txt" in result.stderr
    assert runner.invoke(main, ["check", "--select", "no-such-rule", "-"], input="x").exit_code == 2
    assert runner.invoke(main, ["check", "--format", "xml", "-"], input="x").exit_code == 2


def test_settings_are_found_upward(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.phraselint]\nignore = ["dont-know"]\n', encoding="utf-8")
    sub = tmp_path / "calls" / "2024"
    sub.mkdir(parents=True)
    path = write(sub / "window.txt", WINDOW)
    os.chdir(sub)
    rules = [
        json.loads(x)["rule"]
        for x in runner.invoke(main, ["check", "--format", "jsonl", path]).stdout.splitlines()
    ]
    assert rules == ["busy-cant-you-see"]
    rules = [
        json.loads(x)["rule"]
        for x in runner.invoke(main, ["check", "--isolated", "--format", "jsonl", path]).stdout.splitlines()
    ]
    assert rules == ["dont-know", "busy-cant-you-see"]


def test_bad_settings_and_bad_rule_files_are_one_line_errors(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "phraselint.toml").write_text("ignore = [\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "-"], input="不知道")
    assert result.exit_code == 2 and "phraselint.toml: malformed TOML" in result.stderr
    (tmp_path / "phraselint.toml").write_text('colour = "red"\n', encoding="utf-8")
    assert "unknown setting 'colour'" in runner.invoke(main, ["check", "-"], input="x").stderr
    (tmp_path / "phraselint.toml").unlink()
    bad = write(tmp_path / "org.yml", "rules:\n  - id: x\n    phrase: [\n")
    result = runner.invoke(main, ["check", "--rules", bad, "-"], input="不知道")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "org.yml:" in result.stderr


def test_staff_names(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "named.txt", "小王:不知道。\n张先生:不知道。\n")
    both = runner.invoke(main, ["check", "--format", "jsonl", path]).stdout.splitlines()
    assert len(both) == 2  # unknown speakers are checked
    only = runner.invoke(main, ["check", "--format", "jsonl", "--staff", "小王", path]).stdout.splitlines()
    assert [json.loads(x)["speaker"] for x in only] == ["小王"]


def test_parallel_jobs_give_the_same_findings(runner: CliRunner, tmp_path: Path) -> None:
    for k in range(6):
        write(tmp_path / f"call-{k}.txt", WINDOW * (k + 1))
    one = runner.invoke(main, ["check", "-q", "--format", "jsonl", str(tmp_path)]).stdout
    two = runner.invoke(main, ["check", "-q", "--format", "jsonl", "-j", "2", str(tmp_path)]).stdout
    assert one == two and one.count("\n") == 2 * sum(range(1, 7))


# --- fix --------------------------------------------------------------------------------------------


def test_fix_prints_writes_atomically_and_is_idempotent(runner: CliRunner, tmp_path: Path) -> None:
    text = "[09:00:01] 工作人员:下班了，明天再来吧\n[09:00:05] 来访人员:下班了，明天再来吧\n"
    path = write(tmp_path / "close.txt", text, "gb18030")
    printed = runner.invoke(main, ["fix", path])
    assert printed.exit_code == 0
    assert printed.stdout.splitlines()[1] == "[09:00:05] 来访人员:下班了，明天再来吧"  # visitor untouched
    assert "下班了" not in printed.stdout.splitlines()[0]
    assert Path(path).read_bytes() == text.encode("gb18030")  # printing changes nothing

    assert runner.invoke(main, ["fix", "--write", path]).exit_code == 0
    fixed = Path(path).read_bytes()
    assert fixed.decode("gb18030") == printed.stdout
    assert Path(path + ".bak").read_bytes() == text.encode("gb18030")
    files = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert files == ["close.txt", "close.txt.bak"]  # no temporary left
    assert runner.invoke(main, ["check", "-q", path]).exit_code == 0

    os.remove(path + ".bak")
    assert runner.invoke(main, ["fix", "--write", "--no-backup", path]).exit_code == 0
    assert Path(path).read_bytes() == fixed and not Path(path + ".bak").exists()


def test_fix_leaves_violations_without_a_safe_rewrite(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "x.txt", "工作人员:不办。\n")
    assert runner.invoke(main, ["fix", path]).stdout == "工作人员:不办。\n"


def test_fix_on_unreadable_file_changes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(main, ["fix", "--write", str(path)])
    assert result.exit_code == 2 and path.read_bytes() == b"\x00\x01\x02binary"


# --- rules ------------------------------------------------------------------------------------------


def test_rules_list_show_test(runner: CliRunner, tmp_path: Path) -> None:
    listed = runner.invoke(main, ["rules", "list"]).stdout
    assert "dont-know" in listed and "001 三(五)" in listed
    data = json.loads(runner.invoke(main, ["rules", "list", "--format", "json"]).stdout)
    assert {"id", "severity", "situation", "phrase", "sources"} <= set(data[0])
    shown = runner.invoke(main, ["rules", "show", "dont-know"]).stdout
    assert "忌语: 不知道" in shown and "应报:" in shown and "出处:" in shown
    assert runner.invoke(main, ["rules", "show", "no-such"]).exit_code == 2
    passed = runner.invoke(main, ["rules", "test"])
    assert passed.exit_code == 0 and "All passed" in passed.stdout
    bad = write(
        tmp_path / "org.yml",
        """\
rules:
  - id: org-lazy
    phrase: 懒得管
    situation: answering
    category: 冷漠
    severity: error
    message: 冷漠。
    scope: word
    rewrites: [{ref: let-me-check}]
    examples: {flag: [我不想管。], pass: [好的]}
""",
    )
    failed = runner.invoke(main, ["rules", "test", bad])
    assert failed.exit_code == 1 and "org-lazy" in failed.stdout and "我不想管" in failed.stdout


def test_checkout_entry_point_is_the_same_command() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "check", "-"],
        input="不知道。".encode(),
        capture_output=True,
        check=False,
    )
    assert out.returncode == 1 and b"dont-know" in out.stdout


def test_the_program_ends_with_its_output_whole_and_its_exit_code(tmp_path: Path) -> None:
    """``check`` ends without the interpreter's teardown: what it printed is all there, and the exit code is
    the command's; another command ends as before."""
    path = write(tmp_path / "window.txt", "工作人员：不知道。\n工作人员：你自己去问别人吧。\n" * 200)
    done = subprocess.run(
        [sys.executable, "-m", "phraselint", "check", "--format", "json", path],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["violations"] == 400
    clean = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "check", "-"], input="您好。".encode(), capture_output=True
    )
    assert clean.returncode == 0 and "未发现" in clean.stdout.decode()
    listed = subprocess.run([sys.executable, str(ROOT / "cli.py"), "rules", "list"], capture_output=True)
    assert listed.returncode == 0 and b"dont-know" in listed.stdout


# `phraselint check -` in a fresh interpreter, then which of the modules it may leave out it imported
_LOADED = """
import sys
sys.path.insert(0, sys.argv[1])
sys.argv = ["phraselint", "check", "-"]
from phraselint.cli import main
try:
    main(prog_name="phraselint")
except SystemExit:
    pass
loaded = [m for m in ("opencc", "importlib.metadata", "phraselint.check.baseline") if m in sys.modules]
print("loaded:", *loaded)
"""


def _check_in_fresh_process(text: str) -> tuple[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _LOADED, str(ROOT)], input=text.encode(), capture_output=True, check=True
    )
    findings, _, loaded = out.stdout.decode().rpartition("loaded:")
    return findings, loaded.split()


def test_opencc_is_loaded_only_for_a_text_that_needs_it() -> None:
    """Cold start: a text in simplified script is checked without OpenCC (its dictionaries cost 30-45 MB and
    a tenth of a second), importlib.metadata or the baseline module; a text in traditional script still
    gets OpenCC, and its rewrite in its own script."""
    _check_in_fresh_process("不知道")  # the cache filled, if it was not
    findings, loaded = _check_in_fresh_process("不知道")
    assert "dont-know" in findings and loaded == []
    findings, loaded = _check_in_fresh_process("這個我不清楚，你自己去問別人吧")
    assert "opencc" in loaded and "自己" in findings and "請" in findings


def test_scoring_and_conversation_rules_come_from_settings(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "sheet.yml").write_text("start: 100\nno-such-key: 1\n", encoding="utf-8")
    (tmp_path / "phraselint.toml").write_text('scoring = "sheet.yml"\n', encoding="utf-8")
    path = write(tmp_path / "window.txt", WINDOW)
    result = runner.invoke(main, ["report", path, "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "sheet.yml" in result.stderr and "no-such-key" in result.stderr
