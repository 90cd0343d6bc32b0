""".pre-commit-hooks.yaml, as a team uses it: the real pre-commit installs phraselint from this repository (a
git repository of the working tree as it is now) into its own environment and runs the hook on a commit of a
canned-reply library (话术库) in Markdown. Clean text passes; a forbidden phrase fails the commit, named."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def new_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "staff@example.org")
    git(path, "config", "user.name", "Staff")
    git(path, "config", "commit.gpgsign", "false")
    return path


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as a git repository of one commit (what pre-commit clones): its files tracked or
    new, not those git ignores."""
    repo = new_repo(tmp_path_factory.mktemp("hook") / "phraselint")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home / "cache"),  # the hook's environment, built once for the module
        "XDG_CACHE_HOME": str(home / "xdg-cache"),
        "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "PRE_COMMIT_COLOR": "never",
    }


def test_the_hook_passes_clean_text_and_fails_a_forbidden_phrase(
    hook_repo: tuple[Path, str], env: dict[str, str], tmp_path: Path
) -> None:
    repo_path, rev = hook_repo
    project = new_repo(tmp_path / "replies")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo_path}\n    rev: {rev}\n    hooks:\n      - id: phraselint\n",
        encoding="utf-8",
    )
    faq = project / "话术" / "咨询.md"
    faq.parent.mkdir()
    faq.write_text("# 咨询\n\n您好，请问您办理什么业务？\n\n请您稍等，我帮您查一下。\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "replies")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PRE_COMMIT, "run", "--all-files"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    clean = run()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "phraselint" in clean.stdout and "Passed" in clean.stdout

    faq.write_text(faq.read_text(encoding="utf-8") + "\n不知道，你去问别人吧。\n", encoding="utf-8")
    git(project, "add", "-A")
    dirty = run()
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "Failed" in dirty.stdout
    assert "话术/咨询.md:7:1: error dont-know" in dirty.stdout

    # A line the authors keep on purpose, silenced where it is written, passes again.
    text = faq.read_text(encoding="utf-8").replace(
        "\n不知道，", "\n<!-- phraselint: disable-next-line dont-know, go-ask-elsewhere -->\n不知道，"
    )
    faq.write_text(text, encoding="utf-8")
    git(project, "add", "-A")
    assert run().returncode == 0
