"""``phraselint report`` (phraselint/report/): the scoring sheet, the figures, the csv/json/html renderings,
bad input, atomic writing, and the HTML page drawn in real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from phraselint import report as report_module
from phraselint.check.conversation import load_conversation_rules
from phraselint.check.files import Finding, Roles
from phraselint.check.whole import Transcript, analyse_file
from phraselint.cli.commands import main
from phraselint.data import files as files_module
from phraselint.engine.linter import Linter
from phraselint.errors import ConfigError, PhraselintError
from phraselint.model import Violation
from phraselint.read.transcript import Turn
from phraselint.report import (
    ASSETS,
    CSV_COLUMNS,
    build_figures,
    chart_library,
    load_scoring,
    render_csv,
    render_html,
    score,
)
from phraselint.report import rendering as report_rendering

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CONVERSATIONS = FIXTURES / "conversations"
ARTIFACTS = ROOT / "tests" / "artifacts"
LINTER = Linter()
ROLES = Roles.build(LINTER)
RULES = load_conversation_rules(LINTER.catalogue)
SHEET = load_scoring()
KNOWN = {r.id for r in LINTER.catalogue.rules} | set(RULES.ids)
HOSTILE = "<script>alert('x')</script>"
HOSTILE_FILE = (
    "[10:00:00] 工作人员<img src=x onerror=alert(1)>：不知道。</td><script>alert('x')</script>\n"
    "[10:00:05] 来访人员：那我问谁？\n"
)


def finding(rule: str, severity: str, category: str = "冷漠") -> Finding:
    turn = Turn("不知道。", ((0, 1, 1),), "工作人员")
    violation = Violation(rule, severity, "answering", category, "m", 0, 3, "不知道", ())
    return Finding("x.txt", 1, 1, 1, 4, violation, turn)


def transcripts(*names: str) -> list[Transcript]:
    return [analyse_file(str(CONVERSATIONS / n), LINTER, ROLES, RULES) for n in names]


def figures_of(*names: str) -> dict[str, Any]:
    return build_figures(transcripts(*names), [], SHEET, RULES, LINTER.catalogue.vocabulary)


# --- the scoring sheet ------------------------------------------------------------------------------


def test_the_built_in_sheet() -> None:
    assert (SHEET.start, SHEET.floor, SHEET.pass_mark, SHEET.cap) == (100, 0, 80, 30)
    assert dict(SHEET.deductions) == {"error": 10, "warning": 5, "info": 1}
    assert SHEET.critical_categories == ("辱骂",) and SHEET.critical_score == 0


def test_score_deducts_by_rule_else_by_severity() -> None:
    found = [finding("dont-know", "error"), finding("plain-you", "info"), finding("no-greeting", "warning")]
    result = score(found, SHEET)
    assert result.value == 100 - 10 - 1 - 10  # no-greeting costs 10 by rule, not 5 by its severity
    assert not result.passed and result.critical == ()  # 79: under the pass mark of 80
    assert score(found[:2], SHEET).passed
    assert result.deductions == (("dont-know", 10), ("no-greeting", 10), ("plain-you", 1))


def test_score_caps_one_rule_and_keeps_the_floor() -> None:
    assert score([finding("plain-you", "info")] * 50, SHEET).value == 100 - 30
    many = [finding(f"rule-{i}", "error") for i in range(12)]
    result = score(many, SHEET)
    assert result.value == 0 and not result.passed


def test_a_critical_item_fails_the_conversation() -> None:
    result = score([finding("psycho", "error", category="辱骂")], SHEET)
    assert (result.value, result.passed, result.critical) == (0, False, ("psycho",))


def test_a_sheet_overrides_key_by_key(tmp_path: Path) -> None:
    own = tmp_path / "sheet.yml"
    own.write_text(
        "pass: 90\ndeductions: {info: 0}\ncritical: {rules: [dont-know], score: 40}\n", encoding="utf-8"
    )
    sheet = load_scoring(str(own), rule_ids=KNOWN, categories={"辱骂"})
    assert sheet.pass_mark == 90 and dict(sheet.deductions) == {"error": 10, "warning": 5, "info": 0}
    assert sheet.critical_rules == ("dont-know",) and sheet.critical_categories == ("辱骂",)
    result = score([finding("dont-know", "error")], sheet)
    assert (result.value, result.passed) == (40, False)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("bonus: 5\n", "unknown key 'bonus' in the scoring sheet"),
        ("start: lots\n", "'start' must be a number"),
        ("rules: {dont-knw: 3}\n", "unknown rule 'dont-knw'"),
        ("critical: {categories: [粗鲁]}\n", "unknown category '粗鲁'"),
        ("deductions: {fatal: 50}\n", "unknown severity 'fatal'"),
        ("floor: 120\n", "'floor' must not be above 'start'"),
        ("pass: 80\ndeductions:\n  error: 10\n  fatal: 50\n", "unknown severity 'fatal'"),
        ("pass: 80\ndeductions:\n  warning: many\n", "'deductions.warning' must be a number"),
        ("pass: 80\n\ncritical:\n  score: 0\n  rules: [dont-knw]\n", "unknown rule 'dont-knw'"),
        ("critical:\n  rules: []\n  colour: red\n", "unknown key 'colour' in 'critical'"),
    ],
)
def test_a_broken_sheet_is_named_with_its_line(tmp_path: Path, text: str, error: str) -> None:
    own = tmp_path / "sheet.yml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(error)) as caught:
        load_scoring(str(own), rule_ids=KNOWN, categories={"辱骂"})
    line = text.count("\n", 0, text.rindex(error.split("'")[1].split(".")[-1])) + 1
    assert str(caught.value).startswith(f"{own}:{line}: ")


def test_a_sheet_that_is_no_mapping_is_named(tmp_path: Path) -> None:
    own = tmp_path / "sheet.yml"
    own.write_text("- start: 100\n", encoding="utf-8")
    with pytest.raises(PhraselintError, match=r"sheet\.yml:1: a scoring sheet must be a mapping"):
        load_scoring(str(own))


def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scoring sheet not found"):
        load_scoring(str(tmp_path / "nope.yml"))


# --- figures ----------------------------------------------------------------------------------------


def test_figures_per_transcript() -> None:
    figures = figures_of("window_polite.txt", "window_rude.txt", "counter_notes.txt")
    polite, rude, notes = figures["transcripts"]
    assert polite["score"] == 100 and polite["passed"] and polite["violations"] == 0
    assert polite["compliance"] == {"greeting": True, "farewell": True, "no_forbidden": True}
    # rude: dont-know, see-for-yourself, busy-cant-you-see (errors, 10 each), no-greeting, no-farewell (10 each by
    # rule), slow-reply, the tone model's 拿号了没有 and the turn model's 通过了再来 (warnings, 5 each),
    # unanswered-question (15 by rule), plain-you twice and demand-on-visitor (info, 1 each)
    assert rude["score"] == 100 - 10 - 10 - 10 - 10 - 10 - 5 - 5 - 5 - 15 - 2 - 1
    assert rude["compliance"] == {"greeting": False, "farewell": False, "no_forbidden": False}
    assert rude["by_severity"] == {"error": 4, "warning": 5, "info": 3} and rude["forbidden"] == 5
    # notes: the tone model hears 这么简单还要问 (the codes forbid 讥讽 and 不耐烦)
    assert notes["compliance"] == {"greeting": None, "farewell": None, "no_forbidden": False}
    assert notes["staff"] == ["（未标注）"] and rude["staff"] == ["工作人员"]


def test_the_compliance_chart_is_labelled_from_labels_yml() -> None:
    figures = figures_of("window_polite.txt")
    labels = report_rendering._charts(figures)["compliance"]["labels"]
    assert labels == ["问候（来有迎声）", "送别（走有送声）", "无服务忌语"]


def test_overall_compliance_counts_only_what_could_be_judged() -> None:
    figures = figures_of("window_polite.txt", "window_rude.txt", "counter_notes.txt")
    assert figures["compliance"]["greeting"] == {"yes": 1, "of": 2, "rate": 0.5}
    assert figures["compliance"]["no_forbidden"] == {"yes": 1, "of": 3, "rate": 0.3333}
    assert figures["totals"]["transcripts"] == 3 and figures["totals"]["passed"] == 2
    skipped = {(s["rule"], s["transcripts"]) for s in figures["skipped"]}
    assert ("no-greeting", 1) in skipped and ("interruption", 2) in skipped


def test_figures_per_staff_member() -> None:
    figures = figures_of("window_polite.txt", "window_rude.txt", "hotline_traditional.srt")
    staff = {s["name"]: s for s in figures["staff"]}
    assert set(staff) == {"工作人员", "話務員"}
    assert staff["工作人员"]["transcripts"] == 2
    assert staff["工作人员"]["compliance"]["greeting"] == {"yes": 1, "of": 2, "rate": 0.5}
    # the unanswered question sits on the visitor's turn; it counts against the staff member
    assert staff["工作人员"]["violations"] == 12
    assert staff["話務員"]["compliance"]["no_forbidden"]["rate"] == 1.0


def test_worst_utterances_come_first_with_their_rewrites() -> None:
    worst = figures_of("window_polite.txt", "window_rude.txt")["worst"]
    assert [w["severity"] for w in worst][:3] == ["error", "error", "error"]
    first = worst[0]
    assert first["text"] == "不知道，你自己看墙上的说明。"  # the error with the most findings on one turn
    assert {x["rule"] for x in first["findings"]} == {
        "dont-know",
        "see-for-yourself",
        "slow-reply",
        "plain-you",
    }
    assert "不知道，您自己看墙上的说明。" in first["rewrites"]
    marked = [s for s in first["segments"] if s["severity"]]
    assert [s["text"] for s in marked] == ["不知道", "你", "自己看"]


# --- csv and json -----------------------------------------------------------------------------------


def test_csv_has_one_row_per_transcript() -> None:
    figures = figures_of("window_polite.txt", "window_rude.txt", "counter_notes.txt")
    rows = list(csv.DictReader(io.StringIO(render_csv(figures))))
    assert list(rows[0]) == list(CSV_COLUMNS) and len(rows) == 3
    rude = rows[1]
    assert rude["path"].endswith("window_rude.txt") and rude["score"] == "17" and rude["passed"] == "false"
    assert (rude["greeting"], rude["farewell"], rude["no_forbidden"]) == ("false", "false", "false")
    assert (rows[2]["greeting"], rows[2]["skipped"].split("|")[0]) == ("", "no-greeting")


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def test_report_formats_follow_the_extension(runner: CliRunner, tmp_path: Path) -> None:
    source = str(CONVERSATIONS)
    for name in ("r.csv", "r.json", "r.html"):
        result = runner.invoke(main, ["report", source, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: spreadsheets then read the Chinese right
    assert len(raw.decode("utf-8-sig").splitlines()) == 1 + len(list(CONVERSATIONS.glob("*.expected")))
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(data) >= {
        "totals",
        "compliance",
        "by_rule",
        "by_situation",
        "staff",
        "worst",
        "transcripts",
        "scoring",
        "skipped",
        "unreadable",
    }
    assert data["transcripts"][0]["utterances"][0]["text"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    stdout = runner.invoke(main, ["report", "--format", "json", source])
    assert json.loads(stdout.stdout)["totals"] == {**data["totals"]}


def test_report_scoring_option(runner: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yml"
    sheet.write_text("start: 10\nfloor: 0\npass: 5\n", encoding="utf-8")
    result = runner.invoke(
        main,
        ["report", "--format", "json", "--scoring", str(sheet), str(CONVERSATIONS / "window_polite.txt")],
    )
    data = json.loads(result.stdout)
    assert data["transcripts"][0]["score"] == 10 and data["scoring"]["files"][-1] == str(sheet)
    sheet.write_text("critical: {rules: [no-such-rule]}\n", encoding="utf-8")
    bad = runner.invoke(main, ["report", "--scoring", str(sheet), str(CONVERSATIONS / "window_polite.txt")])
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "no-such-rule" in bad.stderr


# --- bad input and atomic writing -------------------------------------------------------------------


def test_unreadable_transcripts_are_named_and_the_rest_reported(runner: CliRunner, tmp_path: Path) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    missing = tmp_path / "missing.txt"
    out = tmp_path / "report.html"
    result = runner.invoke(
        main, ["report", str(binary), str(CONVERSATIONS / "window_rude.txt"), str(missing), "-o", str(out)]
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and str(binary) in lines[0] and str(missing) in lines[1]
    page = out.read_text(encoding="utf-8")
    assert "window_rude.txt" in page and "binary.txt" in page and "无法读取的文件" in page


def test_a_failure_never_leaves_a_half_written_report(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.html"
    out.write_text("the report of yesterday", encoding="utf-8")

    def disk_full(fd: int) -> None:  # the report is half written when the disk fills up
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", disk_full)
    result = runner.invoke(main, ["report", str(CONVERSATIONS / "window_rude.txt"), "-o", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert out.read_text(encoding="utf-8") == "the report of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary file left behind


def test_a_report_where_none_can_be_written_fails_before_any_work(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["report", str(CONVERSATIONS), "-o", str(tmp_path / "no" / "r.html")])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "does not exist" in result.stderr
    result = runner.invoke(main, ["report", str(CONVERSATIONS), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_a_new_report_gets_the_usual_file_mode(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    runner.invoke(main, ["report", str(CONVERSATIONS / "window_polite.txt"), "-o", str(out)])
    assert out.stat().st_mode & 0o777 != 0o600


# --- the html page ----------------------------------------------------------------------------------


def hostile_report(tmp_path: Path) -> Path:
    bad = tmp_path / "<b>bad.txt"
    bad.write_text(HOSTILE_FILE, encoding="utf-8")
    found = [
        *transcripts(*sorted(p.with_suffix("").name for p in CONVERSATIONS.glob("*.expected"))),
        analyse_file(str(bad), LINTER, ROLES, RULES),
    ]
    figures = build_figures(found, [], SHEET, RULES, LINTER.catalogue.vocabulary, title="质检 <i>报告</i>")
    page = tmp_path / "report.html"
    page.write_text(render_html(figures), encoding="utf-8")
    return page


def test_everything_from_transcripts_is_escaped(tmp_path: Path) -> None:
    html = hostile_report(tmp_path).read_text(encoding="utf-8")
    assert HOSTILE not in html and "<img src=x" not in html and "<b>bad" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<i>报告</i>" not in html


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    html = hostile_report(tmp_path).read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)=", html, re.IGNORECASE)
    assert "Chart.js v4.6.1" in html and "sourceMappingURL" not in html


def test_the_vendored_chart_library_is_the_recorded_one() -> None:
    code = (ASSETS / "chart.umd.js").read_text(encoding="utf-8")
    assert code.startswith("/*!\n * Chart.js v4.6.1\n") and "Released under the MIT License" in code[:200]
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    import hashlib

    assert hashlib.sha256((ASSETS / "chart.umd.js").read_bytes()).hexdigest() in readme
    assert "4.6.1" in readme and "MIT" in readme
    assert "</script" not in chart_library().lower()


@pytest.mark.parametrize(
    "first",
    [
        "import phraselint.report as r; import phraselint.cli.commands as c",
        "import phraselint.cli.commands as c; import phraselint.report as r",
    ],
)
def test_the_report_command_is_registered_whichever_module_comes_first(first: str) -> None:
    code = (
        f"{first}; import click; cmd = c.main.get_command(click.Context(c.main), 'report'); "
        "assert cmd is r.report; print(cmd.name)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "report", done.stderr
    with pytest.raises(AttributeError):
        report_module.no_such_thing  # noqa: B018


def test_html_report_in_headless_chromium(page: Any, tmp_path: Path) -> None:
    report_path = hostile_report(tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_viewport_size({"width": 1400, "height": 1700})  # the screenshot shows the totals and the charts
    page.goto(report_path.as_uri())
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    charts = page.evaluate(
        """() => [...document.querySelectorAll('canvas')].map(c => {
            const chart = Chart.getChart(c);
            const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let drawn = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
            return {id: c.id, chart: !!chart, points: chart ? chart.data.datasets[0].data.length : 0, drawn};
        })"""
    )
    assert [c["id"] for c in charts] == ["chart-situation", "chart-rule", "chart-compliance", "chart-staff"]
    for c in charts:
        assert c["chart"] and c["points"] > 0 and c["drawn"] > 1000, c
    assert page.console_errors == [] and dialogs == []
    assert (
        page.locator("#transcript-table tbody tr").count() == len(list(CONVERSATIONS.glob("*.expected"))) + 1
    )
    assert page.locator("mark.error").count() > 0
    hostile = len(list(CONVERSATIONS.glob("*.expected")))  # the last call: the hostile file
    page.click(f'#transcript-table a[href="#call-{hostile}"]')  # a call's page is drawn when opened
    # (on the hash change, after the click returns: waited for, a busy machine draws it later)
    page.wait_for_selector("#transcripts", state="visible", timeout=15_000)
    page.wait_for_selector("#view-overview", state="hidden", timeout=15_000)
    assert HOSTILE in page.locator("#transcripts").inner_text()  # shown as text, never run
    assert page.console_errors == [] and dialogs == []
    page.go_back()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
