"""Whole transcripts, annotated semgrep-style: ``X.expected`` lists every ``line:column rule`` phraselint must
report in ``X`` (and the words, after ``#``), and nothing else may be reported; ``X.fixed`` is what
``phraselint fix`` must make of ``X``."""

from __future__ import annotations

from pathlib import Path

import pytest

from phraselint.check.files import Roles, lint_file
from phraselint.check.fix import fix_file
from phraselint.engine.linter import Linter

FIXTURES = Path(__file__).parent / "fixtures"
ANNOTATED = sorted(p for p in FIXTURES.rglob("*.expected"))
FIXED = sorted(p for p in FIXTURES.rglob("*.fixed"))
LINTER = Linter()
ROLES = Roles.build(LINTER)


def expectations(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where_rule, _, words = line.partition("#")
        where, rule = where_rule.split()
        out.append((f"{where} {rule}", words.strip()))
    return out


@pytest.mark.parametrize("expected", ANNOTATED, ids=[p.stem for p in ANNOTATED])
def test_transcript_reports_exactly_what_is_annotated(expected: Path) -> None:
    transcript = expected.with_suffix("")
    found = [
        (f"{f.line}:{f.column} {f.violation.rule}", f.violation.text)
        for f in lint_file(str(transcript), LINTER, ROLES)
    ]
    assert found == expectations(expected)


@pytest.mark.parametrize("fixed", FIXED, ids=[p.stem for p in FIXED])
def test_fix_gives_the_fixed_file(fixed: Path) -> None:
    transcript = fixed.with_suffix("")
    result = fix_file(str(transcript), LINTER, ROLES)
    assert result.text == fixed.read_text(encoding="utf-8")
    again = fix_file(str(fixed), LINTER, ROLES)  # fixing twice changes nothing more
    assert again.applied == 0 and again.text == result.text


def test_every_fixture_transcript_is_annotated() -> None:
    transcripts = [p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix not in {".expected", ".fixed"}]
    assert transcripts and all(p.with_name(p.name + ".expected").exists() for p in transcripts)
