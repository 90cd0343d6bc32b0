"""The pre-send hook contract, as a chat tool runs it: one message on standard input of
`phraselint check - --format json`; exit 0 send, 1 don't send, 2 the check itself failed. Real processes,
real bytes on standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOK = ["check", "-", "--format", "json"]
# What the README recommends: the whole input is one staff message, and it must be UTF-8.
STRICT_HOOK = [*HOOK, "--input-format", "plain", "--encoding", "utf-8"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("hook")
    return {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "HOME": str(home),
    }


def hook(message: bytes, env: dict[str, str], args: list[str] = HOOK) -> tuple[int, Any, str]:
    """Exit code, parsed standard output (None when empty) and standard error of one hook run."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        input=message,
        capture_output=True,
        cwd=env["HOME"],  # no settings file of the repository applies
        env=env,
        timeout=120,
    )
    out = done.stdout.decode("utf-8")
    return done.returncode, json.loads(out) if out.strip() else None, done.stderr.decode("utf-8")


def test_a_forbidden_message_exits_1_with_the_violation_in_json(env: dict[str, str]) -> None:
    code, data, err = hook("不知道。".encode(), env)
    assert code == 1, err
    (item,) = data["violations"]
    assert (item["rule"], item["text"], item["line"], item["column"]) == ("dont-know", "不知道", 1, 1)
    assert item["suggestions"] and item["fix"]
    assert data["summary"]["violations"] == 1


def test_a_plain_message_without_a_visitor_in_it_is_checked_as_staff(env: dict[str, str]) -> None:
    """The usual chat message: plain text, no speaker label, so nothing marks it as a visitor's."""
    clean = "您好，材料我已经收下了，五个工作日内会有短信通知。"
    code, data, err = hook(clean.encode(), env)
    assert (code, data["violations"], err) == (0, [], "")
    code, data, _ = hook(f"{clean}\n你自己看。".encode(), env)
    assert code == 1 and [(v["rule"], v["line"]) for v in data["violations"]] == [("see-for-yourself", 2)]


def test_a_traditional_message_gets_traditional_rewrites(env: dict[str, str]) -> None:
    code, data, _ = hook("沒看見我正忙著嗎？".encode(), env)
    assert code == 1 and data["violations"][0]["script"] == "traditional"


def test_an_empty_message_may_go(env: dict[str, str]) -> None:
    for message in (b"", b"\n", "　".encode()):
        code, data, err = hook(message, env)
        assert (code, data["violations"], err) == (0, [], ""), message


def test_invalid_utf8_is_a_failed_check_exit_2(env: dict[str, str]) -> None:
    # Valid UTF-8 that breaks off: no encoding reads it.
    code, data, err = hook("不知道".encode() + b"\xff\xfe\x80", env)
    assert code == 2 and data["summary"]["unreadable"] == 1
    (line,) = err.splitlines()
    assert line.startswith("phraselint: error: <stdin>") and "decode" in line


def test_the_strict_hook_refuses_any_byte_that_is_not_utf8(env: dict[str, str]) -> None:
    """GBK bytes are valid text to the detector; a chat tool sends UTF-8, so the strict hook says no."""
    gbk = "不知道。".encode("gbk")
    assert hook(gbk, env)[0] == 1  # detected as GBK and checked
    code, _, err = hook(gbk, env, STRICT_HOOK)
    assert code == 2 and len(err.splitlines()) == 1 and "utf-8" in err


def test_the_strict_hook_checks_a_message_that_looks_like_a_labelled_line(env: dict[str, str]) -> None:
    """With --input-format plain a message that starts with a name and a colon is still one staff message."""
    code, data, _ = hook("客户：不知道。".encode(), env, STRICT_HOOK)
    assert code == 1 and data["violations"][0]["rule"] == "dont-know"
    assert hook("您好".encode(), env, STRICT_HOOK)[0] == 0


def test_a_broken_setting_is_a_failed_check_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    code, data, err = hook("您好".encode(), env, [*HOOK, "--config", str(tmp_path / "missing.toml")])
    assert code == 2 and data is None
    assert len(err.splitlines()) == 1 and err.startswith("phraselint: error:")


def test_the_readme_example_sends_holds_and_fails_closed(env: dict[str, str], tmp_path: Path) -> None:
    """The shell example of the README section, run as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Pre-send check for chat tools", 1)[1].split("\n## ", 1)[0]
    script = section.split("```sh\n", 1)[1].split("```", 1)[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "phraselint"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "cli.py"}" "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    send = bin_dir / "send-to-visitor"
    send.write_text('#!/bin/sh\ncat >> "$SENT"\necho >> "$SENT"\n', encoding="utf-8")
    send.chmod(0o755)
    sent = tmp_path / "sent.txt"
    run_env = {**env, "PATH": f"{bin_dir}:{env['PATH']}", "SENT": str(sent)}

    def presend(message: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        program = f'{script}\npresend "$1"'
        return subprocess.run(
            ["bash", "-c", program, "presend", message],
            capture_output=True,
            text=True,
            cwd=env["HOME"],
            env={**run_env, **(extra_env or {})},
            timeout=120,
        )

    assert presend("您好，请稍等。").returncode == 0
    held = presend("不知道。")
    assert held.returncode == 1 and "不知道" in held.stdout + held.stderr
    # A broken user settings file: the check itself fails (exit 2).
    broken = tmp_path / "broken"
    (broken / "phraselint").mkdir(parents=True)
    (broken / "phraselint" / "phraselint.toml").write_text("fail-on = 3\n", encoding="utf-8")
    closed = presend("您好", {"XDG_CONFIG_HOME": str(broken)})
    assert closed.returncode == 2 and "phraselint: error:" in closed.stderr
    opened = presend("您好", {"XDG_CONFIG_HOME": str(broken), "PHRASELINT_FAIL_OPEN": "1"})
    assert opened.returncode == 0
    assert sent.read_text(encoding="utf-8").splitlines() == ["您好，请稍等。", "您好"]
