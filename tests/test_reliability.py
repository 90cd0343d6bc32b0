"""Issue 12, "nothing lost, nothing crashes": one regression test per defect, through the real command line
(real processes where the exit code is the contract)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phraselint.cli import main
from phraselint.errors import InputError
from phraselint.read.formats import parse

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no settings file of the repository is found
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def run(args: list[str], cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(cwd / "config")}
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


# --- 3. a lone surrogate --------------------------------------------------------------------------------


def test_a_lone_surrogate_in_jsonl_is_no_crash_and_later_files_are_checked(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"role":"agent","text":"\\ud800不知道"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"role":"agent","text":"不知道"}\n', encoding="utf-8")
    done = run(["check", "--format", "jsonl", "a.jsonl", "b.jsonl"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    found = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [f["path"] for f in found] == ["a.jsonl", "b.jsonl"]
    assert found[0]["utterance"] == "\ufffd不知道"  # one character for one: the spans still slice it


def test_the_hook_never_reads_exit_1_for_a_lone_surrogate(tmp_path: Path) -> None:
    message = '{"role":"agent","text":"\\udc00您好"}\n'.encode()
    done = run(["check", "-", "--format", "json", "--input-format", "jsonl"], tmp_path, message)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["violations"] == []


def test_fix_writes_a_lone_surrogate_back_as_a_valid_escape(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"role":"agent","name":"\\ud800","text":"不知道"}\n', encoding="utf-8")
    assert runner.invoke(main, ["fix", "--write", str(path)]).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["text"] != "不知道"


# --- 6. bad cues and bad lines are reported, and the rest is read ---------------------------------------

SRT = (
    "1\n00:00:0X,000 --> 00:00:02,000\n工作人员：不知道\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\n工作人员：不知道\n\n"
    "3\n99:99:99,000 --> 99:99:99,500\n工作人员：您好\n\n"
    "4\n00:00:09,000 --> 00:00:08,000\n工作人员：您好\n\n"
    "5\n00:00:10,000 --> 00:00:11,000\n群众：谢谢\n"
)


def test_bad_srt_cues_are_reported_by_line_and_skipped() -> None:
    problems: list[InputError] = []
    turns = list(parse(iter(SRT.splitlines()), "srt", name="t.srt", problems=problems))
    assert [(t.speaker, t.text, t.line) for t in turns] == [("工作人员", "不知道", 7), ("群众", "谢谢", 19)]
    assert [p.line for p in problems] == [2, 10, 14]
    assert "00:00:0X" in str(problems[0]) and "99:99:99" in str(problems[1]) and "before" in str(problems[2])
    with pytest.raises(InputError, match="t.srt:2:"):
        list(parse(iter(SRT.splitlines()), "srt", name="t.srt"))


def test_check_reports_bad_cues_and_lines_and_goes_on(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "t.srt").write_text(SRT, encoding="utf-8")
    lines = ['{"role":"agent","text":"不知道"', "[1, 2]", '{"role":"agent","text":"不知道"}']
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = runner.invoke(main, ["check", "-q", "--format", "jsonl", "t.srt", "t.jsonl"])
    assert done.exit_code == 2
    found = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(f["path"], f["line"]) for f in found] == [("t.srt", 7), ("t.jsonl", 3)]
    errors = done.stderr.splitlines()
    assert [e.split(": ")[2] for e in errors] == [
        "t.srt:2",
        "t.srt:10",
        "t.srt:14",
        "t.jsonl:1",
        "t.jsonl:2",
    ]


def test_fix_refuses_a_file_it_cannot_read_whole(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    done = runner.invoke(main, ["fix", "--write", str(path)])
    assert done.exit_code == 2 and "t.srt:2:" in done.stderr
    assert path.read_text(encoding="utf-8") == SRT


# --- 10. tests that vanish ------------------------------------------------------------------------------


def test_the_service_codes_are_in_the_repository() -> None:
    codes = ROOT / "rules" / "codes"
    assert len(sorted(codes.glob("00[0-4]_*.txt"))) == 5
    assert "where the phrases are" in (codes / "README.md").read_text(encoding="utf-8")


def test_a_skip_fails_in_ci(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    (tmp_path / "browser.py").write_text("import pytest\n\n\n@pytest.fixture\ndef page():\n    return None\n")
    (tmp_path / "test_x.py").write_text("import pytest\n\n\ndef test_s():\n    pytest.skip('no thing')\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_x.py"]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    local = subprocess.run(command, cwd=tmp_path, env={**env, "PYTHONPATH": "."}, capture_output=True)
    ci = subprocess.run(
        command, cwd=tmp_path, env={**env, "PYTHONPATH": ".", "CI": "true"}, capture_output=True
    )
    assert local.returncode == 0 and b"1 skipped" in local.stdout
    assert ci.returncode == 1 and b"1 failed" in ci.stdout and b"no thing" in ci.stdout


# --- 4. settings that cannot be read ----------------------------------------------------------------------


def test_settings_not_utf8_name_the_file_and_exit_2(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "project" / "sub"
    work.mkdir(parents=True)
    (work / "t.txt").write_text("工作人员：不知道\n", encoding="utf-8")
    monkeypatch.chdir(work)
    # Another project's pyproject.toml above, not UTF-8 and without a [tool.phraselint] table: not ours.
    (tmp_path / "pyproject.toml").write_bytes('[tool.black]\nname = "工作"\n'.encode("gb18030"))
    assert runner.invoke(main, ["check", "-q", "t.txt"]).exit_code == 1
    # Ours, not UTF-8: one line naming it, for every command.
    (tmp_path / "pyproject.toml").write_bytes('[tool.phraselint]\nstaff = ["工作"]\n'.encode("gb18030"))
    for command in (["check", "t.txt"], ["fix", "t.txt"], ["rules", "list"]):
        done = runner.invoke(main, command)
        assert done.exit_code == 2, command
        assert done.stderr.splitlines() == [done.stderr.strip()] and "pyproject.toml" in done.stderr
        assert "not UTF-8" in done.stderr and isinstance(done.exception, SystemExit)
    (work / "phraselint.toml").write_bytes('staff = ["工作"]\n'.encode("gb18030"))
    done = runner.invoke(main, ["check", "t.txt"])
    assert done.exit_code == 2 and "phraselint.toml: not UTF-8" in done.stderr


def test_a_malformed_phraselint_table_in_pyproject_is_reported(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.txt").write_text("工作人员：不知道\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.phraselint\nignore = ["dont-know"]\n', encoding="utf-8")
    done = runner.invoke(main, ["check", "-q", "t.txt"])
    assert done.exit_code == 2 and "pyproject.toml:" in done.stderr and "malformed TOML" in done.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.black\nx = 1\n", encoding="utf-8")  # not ours: ignored
    assert runner.invoke(main, ["check", "-q", "t.txt"]).exit_code == 1


# --- 5. fix --write: links, permissions ---------------------------------------------------------------------


def test_fix_write_follows_a_link_and_respects_a_read_only_file(runner: CliRunner, tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("工作人员：不知道\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert runner.invoke(main, ["fix", "--write", str(link)]).exit_code == 0
    assert link.is_symlink() and "不知道" not in real.read_text(encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text("工作人员：不知道\n", encoding="utf-8")
    locked.chmod(0o444)
    done = runner.invoke(main, ["fix", "--write", str(locked)])
    assert done.exit_code == 2 and "read-only" in done.stderr
    assert locked.read_text(encoding="utf-8") == "工作人员：不知道\n"


# --- 2. a finding on a long line carries a bounded window, not the line -----------------------------------


def test_a_finding_on_a_long_line_carries_a_bounded_window(runner: CliRunner, tmp_path: Path) -> None:
    from phraselint.output.render import CONTEXT, WHOLE_UTTERANCE

    clean = "请您出示证件。" * 3000  # 21,000 characters
    (tmp_path / "long.txt").write_text(f"工作人员：{clean}不知道。{clean}\n", encoding="utf-8")
    done = runner.invoke(main, ["check", "--format", "json", "long.txt"])
    (found,) = json.loads(done.stdout)["violations"]
    assert len(found["utterance"]) <= 2 * CONTEXT + len(found["text"]) < WHOLE_UTTERANCE
    offset = found["utterance_start"]
    assert found["utterance"][found["start"] - offset : found["end"] - offset] == found["text"] == "不知道"
    assert found["rewrite"] is None and found["column"] == 6 + len(clean)
    text = runner.invoke(main, ["check", "long.txt"]).stdout
    assert len(text) < 2000 and "不知道" in text


# --- 8. the quiz database ------------------------------------------------------------------------------


def _quiz_db(path: Path, trainee: str = "ann", answers: int = 400) -> None:
    from datetime import datetime, timezone

    from phraselint.quiz.store import AnswerRecord, QuizStore

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with QuizStore(path) as store:
        for i in range(answers):
            record = AnswerRecord(
                trainee, f"judge:{i}", "judge", "answering", "问" * 50, "1", 100, True, now, 1.0
            )
            store.record(record, "{}", now)
    import sqlite3

    with sqlite3.connect(path) as db:  # everything in the main file, nothing left in the write-ahead log
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode = DELETE")


def test_a_damaged_quiz_database_is_refused_before_anything_is_saved(
    runner: CliRunner, tmp_path: Path
) -> None:
    from phraselint.quiz.store import QuizStore, StoreError

    db = tmp_path / "q.sqlite3"
    _quiz_db(db)
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for number in (3, 4, 5):  # the headers of three pages of answers overwritten
        data[number * page : number * page + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        QuizStore(db)
    before = db.read_bytes()
    done = runner.invoke(main, ["quiz", "--db", str(db), "-n", "1"], input="y\n")
    assert done.exit_code == 2 and "damaged" in done.stderr and "进度已保存" not in done.stdout
    for command in (["quiz", "stats", "--db", str(db)], ["quiz", "export", "--db", str(db)]):
        done = runner.invoke(main, command)
        assert done.exit_code == 2 and "q.sqlite3" in done.stderr and "damaged" in done.stderr
    assert db.read_bytes() == before


def test_quiz_options_before_a_subcommand_apply_to_it(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    _quiz_db(db, "ann", 3)
    stats = runner.invoke(main, ["quiz", "--db", str(db), "stats"])
    assert stats.exit_code == 0, stats.output
    assert "3 题" in stats.stdout
    only = runner.invoke(main, ["quiz", "--db", str(db), "--user", "ben", "stats"])
    assert only.exit_code == 0 and "学员 ben: 还没有答题记录" in only.stdout
    exported = runner.invoke(main, ["quiz", "--db", str(db), "--user", "ann", "export"])
    assert exported.exit_code == 0 and exported.stdout.count("\n") == 4
    refused = runner.invoke(main, ["quiz", "--db", str(db), "-n", "3", "stats"])
    assert refused.exit_code == 2 and "--count is an option of the quiz itself" in refused.stderr


# --- 9. rule files ----------------------------------------------------------------------------------------


def test_a_rule_file_of_an_unknown_version_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "org.yml"
    rules.write_text("version: 2\nrules: []\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("工作人员：您好\n", encoding="utf-8")
    done = runner.invoke(main, ["check", "--rules", str(rules), "t.txt"])
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"phraselint: error: {rules}:1: unknown rule file version 2: this phraselint reads version 1 "
        "(write 'version: 1', or upgrade phraselint)"
    )
    rules.write_text("version: 1\nrules: []\n", encoding="utf-8")
    assert runner.invoke(main, ["check", "--rules", str(rules), "t.txt"]).exit_code == 0


def test_one_linter_runs_the_examples_and_checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Loading a rule file builds the (costly) Linter once, not once for its examples and once to check."""
    from phraselint import command_line
    from phraselint.data import rule_tests
    from phraselint.data.settings import Settings

    built: list[object] = []
    real = command_line.Linter

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(command_line, "Linter", Counting)
    monkeypatch.setattr(rule_tests, "Linter", Counting)
    # in this process, as the first run's child does it (test_a_first_run_builds_and_verifies_in_a_child)
    monkeypatch.setattr(command_line, "_first_run_in_child", lambda settings: None)
    ran = _count_example_runs(monkeypatch)
    # the session's cache without its record of verified catalogues: the examples are run (the compiled
    # values are copied, not built again: they are not what this test is about)
    monkeypatch.setenv("XDG_CACHE_HOME", str(_unverified_cache(tmp_path)))
    linter = command_line.build_linter(Settings())
    assert built == [linter] and ran == [linter]


def _count_example_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The linters the catalogue's examples are run with, from now on (rule_tests.run_examples counted)."""
    from phraselint.data import rule_tests

    ran: list[object] = []
    run_examples = rule_tests.run_examples

    def counting_run(*args: object, **kwargs: object) -> object:
        ran.append(kwargs.get("linter"))
        return run_examples(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rule_tests, "run_examples", counting_run)
    return ran


def _unverified_cache(tmp_path: Path) -> Path:
    """A cache folder with the session's compiled values but no record of verified catalogues (so that a test
    of the first run's examples builds nothing else again)."""
    shared = Path(os.environ["XDG_CACHE_HOME"], "phraselint")
    unverified = tmp_path / "unverified-cache" / "phraselint"
    unverified.mkdir(parents=True)
    for value in shared.glob("*.pickle"):
        shutil.copyfile(value, unverified / value.name)
    return unverified.parent


def test_a_first_run_builds_and_verifies_in_a_child(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 13: on the first run of a catalogue (its examples never run), a child process builds the linter and
    runs the examples, and this process loads what it kept, as any later run does: it runs no example itself,
    and holds none of what building and verifying left behind."""
    from phraselint import command_line
    from phraselint.data import rule_tests
    from phraselint.data.catalogue import load_catalogue
    from phraselint.data.settings import Settings

    ran = _count_example_runs(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(_unverified_cache(tmp_path)))
    marker = rule_tests.verified_marker(load_catalogue(()))
    assert marker is not None and not marker.exists()
    linter = command_line.build_linter(Settings())
    assert marker.exists() and ran == []
    assert [v.rule for v in linter.check("这事我不知道。")]


def test_a_first_run_whose_child_fails_is_done_here_as_before(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever fails in the first run's child (here an example of the organisation's rule file) is left to the
    check's own process, which reports it as it always did (and the catalogue is not marked verified)."""
    from phraselint.data import rule_tests
    from phraselint.data.catalogue import load_catalogue

    monkeypatch.setenv("XDG_CACHE_HOME", str(_unverified_cache(tmp_path)))
    rules = tmp_path / "org.yml"
    rules.write_text(
        "version: 1\nrules:\n  - id: org-lazy\n    phrase: 懒得管\n    situation: answering\n"
        "    category: 冷漠\n    severity: error\n    message: 冷漠推诿。\n    scope: word\n"
        "    rewrites:\n      - text: 这件事我来帮您处理。\n    examples:\n      flag: [这事我不想管。]\n"
        "      pass: [他一点也不懒,得管的都管了]\n",
        encoding="utf-8",
    )
    (tmp_path / "t.txt").write_text("您好。\n", encoding="utf-8")
    done = runner.invoke(main, ["check", "--rules", str(rules), "t.txt"])
    assert done.exit_code == 2
    assert "rule 'org-lazy': flag example '这事我不想管。' is not flagged" in done.stderr
    marker = rule_tests.verified_marker(load_catalogue((str(rules),)))
    assert marker is not None and not marker.exists()
