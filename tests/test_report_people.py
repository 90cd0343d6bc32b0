"""`phraselint report` over an export of many calls: one conversation per call, one person per agent id, teams,
trends, the Excel workbook read back with openpyxl, rule titles, and the output format by extension."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from phraselint.check.conversation import load_conversation_rules
from phraselint.cli import main
from phraselint.data.catalogue import read_texts
from phraselint.engine.linter import Linter
from phraselint.model import SLOT_RE

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
MONTH = str(EXPORTS / "month.csv")


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def report_json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(main, ["report", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_one_conversation_per_call_and_one_person_per_agent(runner: CliRunner) -> None:
    data = report_json(runner, MONTH)
    assert [t["call"] for t in data["transcripts"]] == ["H1101-001", "H1101-002", "H1101-003"]
    assert data["totals"]["transcripts"] == 3
    agents = {a["id"]: a for a in data["agents"]}
    assert set(agents) == {"1001", "1002"}
    zhang = agents["1001"]
    assert (zhang["name"], zhang["team"], zhang["calls"], zhang["calls_list"]) == (
        "张敏（1001）",
        "一组",
        2,
        [0, 2],
    )
    assert zhang["top_rules"][0]["title"] != zhang["top_rules"][0]["rule"]  # a Chinese title, not the id
    worst = zhang["worst"][0]
    assert worst["text"] == "不知道，你自己去网上查。" and worst["rewrites"]
    assert not any(SLOT_RE.search(r) for a in data["agents"] for w in a["worst"] for r in w["rewrites"])
    teams = {t["team"]: t for t in data["teams"]}
    assert teams["一组"]["agents"] == ["1001"] and teams["二组"]["calls"] == 1
    assert teams["二组"]["compliance"]["farewell"]["rate"] == 1.0  # 不客气，您慢走。 is a farewell


def test_trends_per_day_week_and_month(runner: CliRunner) -> None:
    trends = report_json(runner, MONTH)["trends"]
    assert [d["period"] for d in trends["day"]] == ["2026-11-02", "2026-11-03", "2026-11-10"]
    assert [(w["period"], w["calls"]) for w in trends["week"]] == [("2026-W45", 2), ("2026-W46", 1)]
    assert [(m["period"], m["calls"]) for m in trends["month"]] == [("2026-11", 3)]


def test_the_workbook_reads_back(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "month.xlsx"
    result = runner.invoke(main, ["report", MONTH, "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "班组", "坐席", "通话", "问题明细", "趋势", "规则", "申诉"]
    agents = list(book["坐席"].iter_rows(values_only=True))
    assert agents[0][:3] == ("坐席", "工号", "班组")
    assert {row[1] for row in agents[1:]} == {"1001", "1002"}
    calls = list(book["通话"].iter_rows(values_only=True))
    assert [row[0] for row in calls[1:]] == ["H1101-001", "H1101-002", "H1101-003"]
    findings = list(book["问题明细"].iter_rows(values_only=True))
    header = findings[0]
    rows = [dict(zip(header, row)) for row in findings[1:]]
    dont_know = next(r for r in rows if r["规则编号"] == "dont-know")
    assert dont_know["问题"] == read_texts("titles.yml", "titles")["dont-know"]
    assert dont_know["原话"] == "不知道，你自己去网上查。" and dont_know["建议说法"]
    assert "纪委监委机关亲切服务规范" in dont_know["规范条款"] or dont_know["规范条款"]
    assert not any(SLOT_RE.search(r["建议说法"] or "") for r in rows)
    assert book["问题明细"].auto_filter.ref == f"A1:O{len(findings)}"


def test_a_transcript_text_that_looks_like_a_formula_stays_text(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "calls.csv"
    export.write_text('call_id,agent_id,role,text\nc1,9,坐席,=HYPERLINK("x")你自己看\n', encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert runner.invoke(main, ["report", str(export), "-o", str(out)]).exit_code == 0
    sheet = openpyxl.load_workbook(out)["问题明细"]
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


@pytest.mark.parametrize("name", ["r.pdf", "r.docx", "r.xls"])
def test_an_extension_phraselint_cannot_write_is_an_error(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    result = runner.invoke(main, ["report", MONTH, "-o", str(tmp_path / name)])
    assert result.exit_code == 2
    assert f"cannot write a '{Path(name).suffix}' report" in result.stderr
    assert not (tmp_path / name).exists()


def test_the_format_option_wins_over_the_extension(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r.dat"
    assert runner.invoke(main, ["report", MONTH, "--format", "xlsx", "-o", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"PK")


def test_csv_stays_utf8_with_a_byte_order_mark_one_row_per_call(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert runner.invoke(main, ["report", MONTH, "-o", str(out)]).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["call"], r["agent"], r["team"]) for r in rows] == [
        ("H1101-001", "张敏（1001）", "一组"),
        ("H1101-002", "李华（1002）", "二组"),
        ("H1101-003", "张敏（1001）", "一组"),
    ]


def test_a_column_named_on_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "calls.csv"
    export.write_text("call_id,emp,role,text\nc1,42,坐席,您好，请问办什么？\n", encoding="utf-8")
    data = report_json(runner, "--column", "agent=emp", str(export))
    assert [a["id"] for a in data["agents"]] == ["42"]
    bad = runner.invoke(main, ["report", "--column", "agent", str(export)])
    assert bad.exit_code == 2 and "FIELD=HEADER" in bad.stderr


@pytest.mark.parametrize(
    ("option", "kept", "gone"),
    [
        (["--select", "no-farewell"], {"no-farewell"}, {"dont-know", "plain-you", "no-greeting"}),
        (["--ignore", "plain-you"], {"dont-know"}, {"plain-you"}),
        (["--ignore", "leaving"], {"dont-know"}, {"no-farewell"}),
        (["--select", "answering"], {"dont-know"}, {"plain-you", "no-farewell", "hurry-up"}),
    ],
)
def test_conversation_rules_are_selected_by_id_and_situation(
    runner: CliRunner, option: list[str], kept: set[str], gone: set[str]
) -> None:
    data = report_json(runner, *option, MONTH)
    found = {f["rule"] for t in data["transcripts"] for f in t["findings"]}
    assert kept <= found and not (gone & found), found


def test_an_unknown_rule_is_still_an_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["report", "--select", "no-such-rule", MONTH])
    assert result.exit_code == 2 and "unknown rule or situation 'no-such-rule'" in result.stderr


def test_every_rule_has_a_chinese_title() -> None:
    linter = Linter()
    ids = {r.id for r in linter.catalogue.rules} | set(load_conversation_rules(linter.catalogue).ids)
    titles = read_texts("titles.yml", "titles")
    assert ids - set(titles) == set(), "rules without a title in rules/titles.yml"
    assert set(titles) - ids == set(), "titles of no rule"
    assert all(t.strip() and not SLOT_RE.search(t) for t in titles.values())
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles.values())


def test_the_page_draws_the_same_calls_from_compact_rows_as_from_utterances() -> None:
    from phraselint.check.files import Roles
    from phraselint.check.scoring import load_scoring
    from phraselint.check.whole import analyse_call, analyse_file
    from phraselint.read.calls import read_calls
    from phraselint.report.figures import build_figures
    from phraselint.report.rendering import _page_data, rule_titles

    linter = Linter()
    roles = Roles.build(linter)
    rules = load_conversation_rules(linter.catalogue)
    found = [analyse_call(c, linter, roles, rules) for c in read_calls(MONTH)]
    found += [
        analyse_file(str(p), linter, roles, rules)
        for p in sorted((Path(__file__).parent / "fixtures" / "conversations").glob("*.expected"))
        for p in [p.with_suffix("")]
    ]
    pages = [
        _page_data(
            build_figures(
                found,
                [],
                load_scoring(),
                rules,
                linter.catalogue.vocabulary,
                titles=rule_titles(),
                detail=detail,
            )
        )  # fmt: skip
        for detail in ("full", "compact")
    ]
    assert pages[0]["calls"] == pages[1]["calls"]
    assert any(isinstance(u[4], list) for c in pages[1]["calls"] for u in c["u"])  # some turns are marked


def test_a_folder_of_transcripts_with_an_agents_file(runner: CliRunner, tmp_path: Path) -> None:
    conversations = Path(__file__).parent / "fixtures" / "conversations"
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "file,speaker,工号,姓名,班组\nwindow_rude.txt,,2001,王芳,窗口一组\n,話務員,2002,陈明,热线组\n",
        encoding="utf-8",
    )
    data = report_json(
        runner,
        "--agents",
        str(agents),
        str(conversations / "window_rude.txt"),
        str(conversations / "hotline_traditional.srt"),
        str(conversations / "window_polite.txt"),
    )
    people = {a["name"]: a for a in data["agents"]}
    assert people["王芳（2001）"]["team"] == "窗口一组" and people["王芳（2001）"]["calls"] == 1
    assert people["陈明（2002）"]["team"] == "热线组"  # by the staff speaker's name
    assert "工作人员" in people  # not in the agents file: the speaker's name, as before
    broken = tmp_path / "broken.csv"
    broken.write_text("工号,姓名\n1,甲\n", encoding="utf-8")
    result = runner.invoke(main, ["report", "--agents", str(broken), str(conversations / "window_rude.txt")])
    assert result.exit_code == 2 and "needs a 'file' or a 'speaker' column" in result.stderr
