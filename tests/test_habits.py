"""The habits of the tools around phraselint (issue 16): machine outputs that pass their real validators,
colour, settings shown and scoped per file, standard input named, fix --diff, suppression comments where a
话术库 (canned-reply library) is authored, and a baseline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from phraselint.cli.commands import main
from phraselint.output.render import github_data, github_property

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# A canned-reply library as an organisation keeps it in git: Markdown, one reply a line.
FAQ = "# 常见问题\n\n## 材料\n\n不知道。\n\n您好，请您稍等，我帮您查一下。\n"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


# --- SARIF against the OASIS schema ---------------------------------------------------------------------


def sarif_of(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(main, ["check", "--format", "sarif", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_sarif_passes_the_oasis_schema_with_fixes_columns_and_uris(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "话术 库" / "a,b#c.md", FAQ + "没看我正忙着吗？等一会。\n")
    write(tmp_path / "window.jsonl", '{"speaker": "工作人员", "text": "不知道。"}\n')
    log = sarif_of(runner, "话术 库/a,b#c.md", "window.jsonl", str(tmp_path / "话术 库" / "a,b#c.md"))
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, "\n".join(errors[:10])
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert "%E8%AF%9D%E6%9C%AF%20%E5%BA%93/a%2Cb%23c.md" in uris
    assert any(u.startswith("file:///") and "%20" in u for u in uris)
    fixed = [r for r in run["results"] if r.get("fixes")]
    assert fixed and all(f["artifactChanges"][0]["replacements"] for r in fixed for f in r["fixes"])
    # Applied to the file, the fix of the Markdown's 不知道 gives the whole utterance's rewrite, clean.
    first = next(
        r for r in fixed if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uris[0]
    )
    change = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    region, text = change["deletedRegion"], change["insertedContent"]["text"]
    line = FAQ.splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "不知道。"
    assert runner.invoke(main, ["check", "-"], input=text + "\n").exit_code == 0


def test_sarif_of_a_clean_run_is_valid(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "ok.md", "您好，请稍等。\n")
    log = sarif_of(runner, "ok.md")
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_written_result_by_result_is_the_log_written_at_once(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results wait in a spool (here on disk from the first byte) while the rules are known: the log is
    byte for byte the one built whole in memory, for a run with findings of several rules in several files,
    and with -j 2 (the workers render the results)."""
    from phraselint.check.files import Roles, lint_file
    from phraselint.cli import commands
    from phraselint.engine.linter import Linter
    from phraselint.output.render import sarif

    monkeypatch.setattr(commands, "_SARIF_SPOOL", 1)
    paths = [
        write(tmp_path / "a.md", FAQ + "没看我正忙着吗？等一会。\n"),
        write(tmp_path / "b.jsonl", '{"speaker": "工作人员", "text": "不知道。你自己去网上查"}\n'),
    ]
    linter = Linter()
    roles = Roles.build(linter)
    found = [f for path in paths for f in lint_file(path, linter, roles)]
    assert len({f.violation.rule for f in found}) >= 2
    whole = json.dumps(sarif(found, linter.rules), ensure_ascii=False, indent=2) + "\n"
    for jobs in ("1", "2"):
        result = runner.invoke(main, ["check", "--format", "sarif", "-j", jobs, *paths])
        assert result.exit_code == 1, result.output
        assert result.stdout == whole


# --- GitHub workflow commands ---------------------------------------------------------------------------


def test_github_escapes_data_and_properties_as_the_toolkit_does() -> None:
    assert github_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert github_property("d:/x,y%.md") == "d%3A/x%2Cy%25.md"


def test_github_annotation_of_a_path_with_comma_and_colon(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "a,b:c.md", "不知道。\n")
    line = runner.invoke(main, ["check", "--format", "github", "a,b:c.md"]).stdout.splitlines()[0]
    command, _, message = line.partition("::")[2].partition("::")
    level, _, properties = command.partition(" ")
    assert level == "error" and message
    fields = dict(p.split("=", 1) for p in properties.split(","))
    assert fields["file"] == "a%2Cb%3Ac.md" and fields["line"] == "1" and fields["title"] == "dont-know"


# --- colour, python -m, py.typed ------------------------------------------------------------------------


def test_color_follows_the_option_and_no_color_force_color(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.md", "不知道。\n")
    assert "\x1b[" not in runner.invoke(main, ["check", "a.md"]).stdout  # not a terminal
    assert "\x1b[" in runner.invoke(main, ["check", "--color", "always", "a.md"]).stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in runner.invoke(main, ["check", "a.md"]).stdout
    assert "\x1b[" not in runner.invoke(main, ["check", "--color", "never", "a.md"]).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in runner.invoke(main, ["check", "a.md"]).stdout
    assert "\x1b[" in runner.invoke(main, ["check", "--color", "always", "a.md"]).stdout


def test_python_m_phraselint(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c")}
    done = subprocess.run(
        [sys.executable, "-m", "phraselint", "check", "-"],
        input="不知道。\n",
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1 and "dont-know" in done.stdout
    assert (
        "Usage: phraselint"
        in subprocess.run(
            [sys.executable, "-m", "phraselint", "--help"], capture_output=True, text=True, env=env
        ).stdout
    )


# --- settings: shown, per file, from the platform's directory -------------------------------------------


def test_show_settings_names_where_each_value_came_from(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.phraselint]\nfail-on = "error"\nextend-exclude = ["drafts"]\n')
    out = runner.invoke(main, ["check", "--show-settings", "--select", "dont-know"]).stdout
    lines = {line.split()[0]: line for line in out.splitlines() if " = " in line}
    assert lines["fail-on"].endswith(f"# {tmp_path / 'pyproject.toml'}") and '"error"' in lines["fail-on"]
    assert lines["select"].endswith("# command line") and "dont-know" in lines["select"]
    assert lines["ignore"].endswith("# default")
    assert lines["extend-exclude"].endswith("pyproject.toml")


def test_exclude_extend_exclude_and_per_file_ignores(runner: CliRunner, tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.phraselint]\nextend-exclude = ["drafts"]\n[tool.phraselint.per-file-ignores]\n'
        '"quotes/*.md" = ["dont-know"]\n',
    )
    write(tmp_path / "lib" / "drafts" / "a.txt", "不知道。\n")
    write(tmp_path / "lib" / "b.txt", "您好。\n")
    write(tmp_path / ".venv" / "c.txt", "不知道。\n")
    assert runner.invoke(main, ["check", "lib", "."]).exit_code == 0
    # A file named is checked, unless --force-exclude (what pre-commit passes) says otherwise.
    assert runner.invoke(main, ["check", "lib/drafts/a.txt"]).exit_code == 1
    assert runner.invoke(main, ["check", "--force-exclude", "lib/drafts/a.txt"]).exit_code == 0
    write(tmp_path / "quotes" / "q.md", "不知道。\n没看我正忙着吗？\n")
    out = runner.invoke(main, ["check", "--format", "jsonl", "quotes/q.md"]).stdout
    assert [json.loads(x)["rule"] for x in out.splitlines()] == ["busy-cant-you-see"]


def test_user_settings_come_from_the_platform_directory(runner: CliRunner, tmp_path: Path) -> None:
    import platformdirs

    home = platformdirs.user_config_path("phraselint", appauthor=False)
    assert str(home).startswith(str(tmp_path / "config"))  # XDG_CONFIG_HOME, honoured by platformdirs
    write(home / "phraselint.toml", 'ignore = ["dont-know"]\n')
    assert runner.invoke(main, ["check", "-"], input="不知道。\n").exit_code == 0


def test_a_bad_per_file_ignores_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "phraselint.toml", '[per-file-ignores]\n"*.md" = "dont-know"\n')
    result = runner.invoke(main, ["check", "-"], input="您好。\n")
    assert (
        result.exit_code == 2 and "per-file-ignores" in result.stderr and "phraselint.toml" in result.stderr
    )


# --- standard input named; fix --diff -------------------------------------------------------------------


def test_stdin_filename_names_the_findings_and_picks_the_format(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "phraselint.toml", '[per-file-ignores]\n"faq/*" = ["busy-cant-you-see"]\n')
    data = '{"text": "不知道。"}\n{"text": "没看我正忙着吗？"}\n'
    result = runner.invoke(
        main, ["check", "--format", "json", "--stdin-filename", "faq/x.jsonl", "-"], input=data
    )
    found = json.loads(result.stdout)["violations"]
    assert [(v["path"], v["rule"], v["column"]) for v in found] == [("faq/x.jsonl", "dont-know", 11)]


def test_fix_diff_prints_a_unified_diff_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    path = write(
        tmp_path / "window.txt", "[09:00:01] 工作人员:您好。\n[09:00:09] 工作人员:没看我正忙着吗？等一会。\n"
    )
    before = Path(path).read_bytes()
    result = runner.invoke(main, ["fix", "--diff", path])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [f"--- a/{path}", f"+++ b/{path}", "@@ -1,2 +1,2 @@"]
    assert lines[3] == " [09:00:01] 工作人员:您好。"
    assert lines[4].startswith("-[09:00:09]") and lines[5].startswith("+[09:00:09]") and len(lines) == 6
    assert Path(path).read_bytes() == before
    clean = write(tmp_path / "ok.txt", "您好。\n")
    assert runner.invoke(main, ["fix", "--diff", clean]).exit_code == 0
    assert runner.invoke(main, ["fix", "--diff", "--write", clean]).exit_code == 2


# --- suppression comments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "comment"),
    [
        ("faq.md", "<!-- phraselint: disable-next-line dont-know -->"),
        ("faq.yml", "  # phraselint: disable-next-line dont-know"),
        ("faq.txt", "# phraselint: disable-next-line dont-know"),
        ("faq.txt", "// phraselint: disable-next-line dont-know"),
        ("faq.md", "<!-- phraselint: disable-next-line -->"),
        ("faq.txt", "# phraselint: disable-next-line 推诿, dont-know"),  # a situation, as --ignore takes it
    ],
)
def test_a_comment_silences_the_next_line_only(
    runner: CliRunner, tmp_path: Path, name: str, comment: str
) -> None:
    write(tmp_path / name, f"{comment}\n不知道。\n不知道。\n")
    out = runner.invoke(main, ["check", "--format", "jsonl", name]).stdout
    assert [(json.loads(x)["rule"], json.loads(x)["line"]) for x in out.splitlines()] == [("dont-know", 3)]


def test_an_unused_comment_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "faq.md", "<!-- phraselint: disable-next-line dont-know -->\n您好，请稍等。\n")
    result = runner.invoke(main, ["check", "--format", "jsonl", "faq.md"])
    found = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(f["rule"], f["severity"], f["line"], f["column"]) for f in found] == [
        ("unused-suppression", "info", 1, 1)
    ]
    assert result.exit_code == 0  # info does not fail a run by default
    assert runner.invoke(main, ["check", "--fail-on", "info", "faq.md"]).exit_code == 1


# --- baseline -------------------------------------------------------------------------------------------


def test_baseline_reports_only_new_findings(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "lib" / "faq.txt", "不知道。\n您好。\n不知道！\n")
    result = runner.invoke(main, ["check", "--write-baseline", "--baseline", "base/baseline.json", "lib"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "base" / "baseline.json").read_text(encoding="utf-8"))
    # The appeals format of `report --appeals`: each finding judged 'justified' (known, left for later), its
    # file named relative to the baseline's directory.
    assert data == {
        "version": 1,
        "entries": [
            {"call": "../lib/faq.txt", "rule": "dont-know", "text": text, "status": "justified"}
            for text in ("不知道！", "不知道。")  # sorted, so that the file diffs well
        ],
    }
    assert runner.invoke(main, ["check", "--baseline", "base/baseline.json", "lib"]).exit_code == 0
    # The same utterances moved to other lines, said again, re-typed in full width: still known.
    write(tmp_path / "lib" / "faq.txt", "您好。\n不知道！\n不知道。\n不知道 。\n")
    assert runner.invoke(main, ["check", "--baseline", "base/baseline.json", "lib"]).exit_code == 0
    # A new utterance is reported, alone.
    write(tmp_path / "lib" / "faq.txt", "不知道。\n不知道，你自己去网上查。\n")
    out = runner.invoke(
        main, ["check", "--format", "jsonl", "--baseline", "base/baseline.json", "lib"]
    ).stdout
    assert {(json.loads(x)["line"], json.loads(x)["utterance"]) for x in out.splitlines()} == {
        (2, "不知道，你自己去网上查。")
    }
    # From another working directory, the same baseline finds the same file.
    os.chdir(tmp_path / "lib")
    out = runner.invoke(
        main, ["check", "--format", "jsonl", "--baseline", "../base/baseline.json", "faq.txt"]
    ).stdout
    assert {json.loads(x)["line"] for x in out.splitlines()} == {2}


def test_writing_a_baseline_again_keeps_what_people_judged(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "faq.txt", "不知道。\n没看我正忙着吗？\n")
    assert runner.invoke(main, ["check", "--write-baseline", "faq.txt"]).exit_code == 0
    path = tmp_path / "phraselint-baseline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {e["rule"] for e in data["entries"]} == {"dont-know", "busy-cant-you-see"}
    for entry in data["entries"]:
        if entry["rule"] == "dont-know":
            entry.update(status="disputed", reason="引用来电人原话", by="王质检")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write(tmp_path / "faq.txt", "不知道。\n您好。\n")  # one finding fixed, one kept
    assert runner.invoke(main, ["check", "--write-baseline", "faq.txt"]).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["entries"] == [
        {
            "call": "faq.txt",
            "rule": "dont-know",
            "text": "不知道。",
            "status": "disputed",
            "reason": "引用来电人原话",
            "by": "王质检",
        }
    ]


def test_one_baseline_for_check_and_the_reports_appeals(runner: CliRunner, tmp_path: Path) -> None:
    write(
        tmp_path / "calls" / "a.txt", "[09:00:01] 工作人员:不知道。\n[09:00:05] 工作人员:没看我正忙着吗？\n"
    )
    assert (
        runner.invoke(main, ["check", "--write-baseline", "--baseline", "qa/b.json", "calls"]).exit_code == 0
    )
    path = tmp_path / "qa" / "b.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"] = [
        {**e, "status": "disputed", "reason": "转写有误"} if e["rule"] == "dont-know" else e
        for e in data["entries"]
    ]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    # The report reads check's baseline as its appeals: one finding disputed, one justified, none left open.
    result = runner.invoke(main, ["report", "--format", "json", "--appeals", "qa/b.json", "calls"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["appeals"] == {"disputed": 1, "justified": 1}
    assert [
        f["rule"]
        for t in report["transcripts"]
        for f in t["findings"]
        if f["rule"] in ("dont-know", "busy-cant-you-see")
    ] == []
    # And check reads the report's appeals file, which names files as they were given.
    assert (
        runner.invoke(main, ["report", "--write-appeals", "appeals.json", "calls", "-o", "r.json"]).exit_code
        == 0
    )
    assert json.loads((tmp_path / "appeals.json").read_text(encoding="utf-8"))["entries"][0]["call"] == (
        os.path.join("calls", "a.txt")
    )
    assert runner.invoke(main, ["check", "--baseline", "appeals.json", "calls"]).exit_code == 0


def test_a_broken_baseline_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "b.json", '{"version": 1, "entries": [{"call": "x"}]}')
    result = runner.invoke(main, ["check", "--baseline", "b.json", "-"], input="您好。\n")
    assert result.exit_code == 2 and "b.json" in result.stderr and "entry 1" in result.stderr
    assert result.stdout == ""
    result = runner.invoke(main, ["check", "--baseline", "missing.json", "-"], input="您好。\n")
    assert result.exit_code == 2 and "missing.json" in result.stderr
    # --write-baseline over a broken file: said, and the file left as it was.
    result = runner.invoke(
        main, ["check", "--write-baseline", "--baseline", "b.json", "-"], input="不知道。\n"
    )
    assert result.exit_code == 2 and "b.json" in result.stderr
    assert (tmp_path / "b.json").read_text(encoding="utf-8") == '{"version": 1, "entries": [{"call": "x"}]}'


def test_fix_leaves_a_silenced_line_as_its_authors_keep_it(runner: CliRunner, tmp_path: Path) -> None:
    text = "# phraselint: disable-next-line busy-cant-you-see\n没看我正忙着吗？等一会。\n没看我正忙着吗？等一会。\n"
    path = write(tmp_path / "faq.txt", text)
    fixed = runner.invoke(main, ["fix", path]).stdout.splitlines()
    assert fixed[:2] == text.splitlines()[:2] and fixed[2] != text.splitlines()[2]


def test_stdin_filename_names_the_findings_of_a_conversation_check(runner: CliRunner) -> None:
    data = "[09:00:01] 工作人员:不知道。\n"
    result = runner.invoke(
        main,
        ["check", "--conversation", "--format", "jsonl", "--stdin-filename", "calls/a.txt", "-"],
        input=data,
    )
    assert {json.loads(x)["path"] for x in result.stdout.splitlines()} == {"calls/a.txt"}


def test_a_directory_of_markdown_and_yaml_replies_is_walked(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "话术" / "咨询.md", FAQ)
    write(tmp_path / "话术" / "电话.yaml", "greeting:\n  - 您好。\n  - 没看我正忙着吗？\n")
    out = runner.invoke(main, ["check", "--format", "jsonl", "话术"]).stdout
    assert sorted((json.loads(x)["path"], json.loads(x)["line"]) for x in out.splitlines()) == [
        (os.path.join("话术", "咨询.md"), 5),
        (os.path.join("话术", "电话.yaml"), 3),
    ]


def test_fix_honours_per_file_ignores_and_stdin_filename(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "phraselint.toml", '[per-file-ignores]\n"quotes/*" = ["busy-cant-you-see"]\n')
    line = "没看我正忙着吗？\n"
    path = write(tmp_path / "quotes" / "q.txt", line)
    assert runner.invoke(main, ["fix", path]).stdout == line  # what the file may say is not rewritten
    assert runner.invoke(main, ["fix", "--diff", path]).exit_code == 0
    assert runner.invoke(main, ["fix", "-"], input=line).stdout != line
    # Standard input named as a file of that folder is judged as that file.
    assert runner.invoke(main, ["fix", "--stdin-filename", "quotes/x.txt", "-"], input=line).stdout == line


def test_a_comment_silences_a_line_of_a_conversation_check(runner: CliRunner, tmp_path: Path) -> None:
    text = "# phraselint: disable-next-line dont-know\n[09:00:01] 工作人员:不知道。\n[09:00:05] 工作人员:不知道。\n"
    write(tmp_path / "a.txt", text)
    out = runner.invoke(main, ["check", "--conversation", "--format", "jsonl", "a.txt"]).stdout
    found = [json.loads(x) for x in out.splitlines()]
    assert [f["line"] for f in found if f["rule"] == "dont-know"] == [3]
