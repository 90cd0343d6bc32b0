"""The baseline file of judged findings (check/baseline.py): appeals in `phraselint report --appeals`, shared
with `check --baseline` (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from phraselint.check.baseline import Entry, dump_baseline, load_baseline, text_key
from phraselint.cli import main
from phraselint.errors import ConfigError

MONTH = str(Path(__file__).parent / "fixtures" / "exports" / "month.csv")


def test_an_entry_matches_by_call_rule_and_text_whitespace_and_width_aside(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    entry = Entry("c1", "dont-know", "不知道， 你自己看。", "disputed", reason="同事说的")
    path.write_text(dump_baseline([entry]), encoding="utf-8")
    baseline = load_baseline(path)
    assert baseline.entries == (entry,)
    assert baseline.match("c1", "dont-know", "不知道,你自己看。") == entry
    assert baseline.match("c2", "dont-know", "不知道，你自己看。") is None
    assert baseline.match("c1", "see-for-yourself", "不知道，你自己看。") is None
    assert text_key("ＡＢ c") == "ABc"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[]", 'a JSON object with a list "entries"'),
        ('{"version": 2, "entries": []}', "unknown baseline version 2"),
        (
            '{"entries": [{"call": "c", "rule": "r", "text": "t", "status": "maybe"}]}',
            "entry 1: 'status' must be",
        ),
        ('{"entries": [{"call": "c", "rule": "r", "status": "disputed"}]}', "entry 1: 'text' must be"),
        (
            '{"entries": [{"call": "c", "rule": "r", "text": "t", "status": "disputed", "x": 1}]}',
            "unknown key 'x'",
        ),
        ("{", "not valid JSON"),
    ],
)
def test_a_broken_baseline_is_named(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_baseline(path)
    assert str(path) in str(caught.value) and error in str(caught.value)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def report(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(main, ["report", "--format", "json", *args, MONTH])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_appeals_leave_findings_out_and_count_them_apart(runner: CliRunner, tmp_path: Path) -> None:
    written = tmp_path / "appeals.json"
    before = report(runner, "--write-appeals", str(written))
    entries = json.loads(written.read_text(encoding="utf-8"))["entries"]
    assert len(entries) == len(
        {(t["call"], f["rule"], f["utterance"]) for t in before["transcripts"] for f in t["findings"]}
    )
    judged = []
    for e in entries:
        if e["rule"] == "dont-know":
            judged.append({**e, "status": "disputed", "reason": "来电人先挂断，录音转写有误"})
        elif e["rule"] == "hurry-up":
            judged.append(e)  # justified: still counts
    written.write_text(json.dumps({"version": 1, "entries": judged}, ensure_ascii=False), encoding="utf-8")
    after = report(runner, "--appeals", str(written))
    rules_after = {f["rule"] for t in after["transcripts"] for f in t["findings"]}
    assert "dont-know" not in rules_after and "hurry-up" not in rules_after
    assert after["appeals"] == {"disputed": 1, "justified": 1}
    assert {(a["call"], a["rule"], a["status"]) for a in after["appealed"]} == {
        ("H1101-001", "dont-know", "disputed"),
        ("H1101-003", "hurry-up", "justified"),
    }
    scores = {t["call"]: t["score"] for t in before["transcripts"]}
    scores_after = {t["call"]: t["score"] for t in after["transcripts"]}
    assert scores_after["H1101-001"] > scores["H1101-001"]  # a disputed finding no longer counts
    assert scores_after["H1101-003"] == scores["H1101-003"]  # a justified one still does
    assert after["transcripts"][2]["compliance"]["no_forbidden"] is False


def test_a_broken_appeals_file_fails_before_any_report(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    result = runner.invoke(main, ["report", "--appeals", "bad.json", MONTH, "-o", "r.html"])
    assert result.exit_code == 2 and "bad.json" in result.stderr and not (tmp_path / "r.html").exists()
