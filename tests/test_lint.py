"""Checking files: the line pre-filter of one-turn-per-line formats finds exactly what parsing every line finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from phraselint.check.files import Roles, check_turns, lint_file
from phraselint.data.catalogue import load_catalogue
from phraselint.engine.linter import Linter
from phraselint.read.decode import open_text
from phraselint.read.formats import parse

LINTER = Linter()
ROLES = Roles.build(LINTER)
FIXTURES = Path(__file__).parent / "fixtures"


def full_parse(path: str) -> list[tuple[int, int, str, str]]:
    with open_text(path) as (_, lines):
        found = check_turns(parse(lines, "auto", name=path), path, LINTER, ROLES, None)
        return [(f.line, f.column, f.violation.rule, f.violation.text) for f in found]


def filtered(path: str) -> list[tuple[int, int, str, str]]:
    return [(f.line, f.column, f.violation.rule, f.violation.text) for f in lint_file(path, LINTER, ROLES)]


@pytest.mark.parametrize("seed", range(5))
def test_prefilter_misses_nothing_on_a_long_generated_transcript(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    catalogue = load_catalogue()
    pieces = [e for r in catalogue.rules for e in (*r.flag_examples, *r.pass_examples)]
    pieces += [p.text for p in catalogue.standard]
    speakers = ["工作人员", "来访人员", "坐席", "市民", "小王", ""]
    lines = []
    for k in range(3000):
        speaker = rng.choice(speakers)
        text = rng.choice(pieces)
        stamp = f"[{k // 3600:02d}:{k // 60 % 60:02d}:{k % 60:02d}] " if rng.random() < 0.8 else ""
        lines.append(f"{stamp}{speaker}:{text}" if speaker else text)
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    expected = full_parse(str(path))
    assert expected and filtered(str(path)) == expected


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.rglob("*.txt")), ids=lambda p: p.name)
def test_prefilter_agrees_on_fixtures(path: Path) -> None:
    assert filtered(str(path)) == full_parse(str(path))
