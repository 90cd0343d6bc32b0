"""The report's pages in headless Chromium: from the team view to one agent to one call, sortable and
filterable tables, the trend charts, and the print stylesheet on A4. Full-page screenshots of the team view,
an agent page and a call page are kept in tests/artifacts/ (report-team.png, report-agent.png,
report-call.png, and report-print.pdf)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from phraselint.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
MONTH = ROOT / "tests" / "fixtures" / "exports" / "month.csv"


@pytest.fixture
def report_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    out = tmp_path / "month.html"
    result = CliRunner().invoke(main, ["report", str(MONTH), "-o", str(out), "--title", "十一月质检报告"])
    assert result.exit_code == 0, result.output
    return out


def drawn(page: Any, selector: str) -> int:
    """How many pixels of the canvas at ``selector`` are painted."""
    return int(
        page.evaluate(
            """(sel) => { const c = document.querySelector(sel);
                const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n; }""",
            selector,
        )
    )


def test_team_to_agent_to_call(page: Any, report_page: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(report_page.as_uri())
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert drawn(page, "#chart-trend") > 1000  # score and pass rate per day

    # the team view: every team, by Chinese rule titles, not ids
    teams = page.locator("#team-table tbody tr")
    assert teams.count() == 2
    assert "不知道" in page.locator("#team-table").inner_text()
    assert "dont-know" not in page.locator("#team-table").inner_text()
    page.click('#team-table a:text("一组")')
    page.locator(".team-page:visible").first.wait_for()  # the view follows the address's #hash
    team = page.locator(".team-page:visible")
    assert team.count() == 1 and "班组：一组" in team.inner_text()
    assert page.locator(".team-page:visible canvas.trend").count() == 1
    assert drawn(page, ".team-page:not([hidden]) canvas.trend") > 1000
    page.screenshot(path=str(ARTIFACTS / "report-team.png"), full_page=True)

    # one agent: score, the rules broken most, the worst utterances with their rewrites, the calls
    page.click('.team-page:visible a:text("张敏（1001）")')
    page.locator(".agent-page:visible").first.wait_for()
    agent = page.locator(".agent-page:visible")
    text = agent.inner_text()
    assert "坐席：张敏（1001）" in text and "不知道，你自己去网上查。" in text
    rewrites = agent.locator(".agent-worst li.rewrite")
    assert rewrites.count() >= 1 and not re.search(r"\{[^}]+\}", text)
    assert agent.locator(".agent-calls tbody tr").count() == 2
    page.screenshot(path=str(ARTIFACTS / "report-agent.png"), full_page=True)

    # one call, drawn when opened: the turns, the marks, the title, the rewrite and the clause
    page.click('.agent-page:visible .agent-calls a:text("H1101-001")')
    call = page.locator("#transcripts")
    call.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#transcripts').innerText.includes('通话 H1101-001')"
    )
    text = call.inner_text()
    assert "通话 H1101-001" in text and "建议说法：" in text and "规范条款：" in text
    assert call.locator("mark.error").count() >= 1
    assert call.locator("tbody tr").count() == 4
    page.screenshot(path=str(ARTIFACTS / "report-call.png"), full_page=True)

    # back to the agent, as a browser's back button does
    page.go_back()
    page.locator(".agent-page:visible").first.wait_for()
    assert page.locator(".agent-page:visible").count() == 1
    assert page.console_errors == []


def test_tables_sort_and_filter(page: Any, report_page: Path) -> None:
    page.goto(report_page.as_uri())
    page.wait_for_function("() => document.querySelectorAll('#transcript-table tbody tr').length > 0")
    calls = page.locator("#transcript-table tbody tr td:first-child")
    assert calls.all_inner_texts() == ["H1101-001", "H1101-002", "H1101-003"]
    page.click('#transcript-table th[data-key="score"]')
    scores = [float(x) for x in page.locator("#transcript-table tbody tr td:nth-child(6)").all_inner_texts()]
    assert scores == sorted(scores)
    page.click('#transcript-table th[data-key="score"]')
    scores = [float(x) for x in page.locator("#transcript-table tbody tr td:nth-child(6)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    page.fill("#call-filter", "李华")
    assert calls.all_inner_texts() == ["H1101-002"]
    page.fill("#call-filter", "")
    page.check("#call-failed")
    assert "H1101-002" not in calls.all_inner_texts()
    page.fill('input[data-filter="agent-table"]', "1002")
    assert page.locator("#agent-table tbody tr:visible").count() == 1
    page.click("#agent-table th:nth-child(4)")  # 平均分
    assert page.locator("#agent-table th:nth-child(4)").get_attribute("class") is not None
    assert page.console_errors == []


def test_the_page_prints_on_a4_without_squeezed_columns(page: Any, report_page: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(report_page.as_uri())
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 720, "height": 1000})  # A4 less its margins, at 96 dpi
    assert page.locator("nav").is_hidden() and page.locator("#call-filter").is_hidden()
    narrowest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('#view-overview td.text, #view-overview th')]
              .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().width))"""
    )
    assert narrowest >= 24  # no column squeezed to one character per line
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "report-print.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6, pages
