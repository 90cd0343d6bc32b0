"""Checking files: the line pre-filter of one-turn-per-line formats finds exactly what parsing every line finds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from phraselint.check.files import Roles, check_turns, lint_file
from phraselint.data.catalogue import load_catalogue
from phraselint.engine.linter import Linter
from phraselint.errors import InputError, InputErrors
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


Found = list[tuple[int, int, str, str, float | None]]


def _findings_and_problems(path: str, whole: bool) -> tuple[Found, list[str]]:
    """The findings of ``path`` and the records that could not be read: by check (lint_file, which parses
    only the candidates), or with every turn parsed and tested (``whole``)."""
    problems: list[str] = []
    found: Found = []
    if whole:
        errors: list[InputError] = []
        with open_text(path) as (_, lines):
            turns = list(parse(lines, "auto", name=path, problems=errors))
        found = [
            (f.line, f.column, f.violation.rule, f.violation.text, f.turn.start)
            for f in check_turns(turns, path, LINTER, ROLES, None)
        ]
        return found, [str(e) for e in errors]
    try:
        for f in lint_file(path, LINTER, ROLES):
            found.append((f.line, f.column, f.violation.rule, f.violation.text, f.turn.start))
    except InputErrors as errors:
        problems = [str(e) for e in errors.errors]
    return found, problems


def test_a_bad_time_deep_in_a_file_is_reported_whatever_the_words_of_its_line(tmp_path: Path) -> None:
    """A line whose time cannot be read is parsed and reported even where its words hold no key of any rule
    and its speaker is not checked (the fast test of the line would pass it over)."""
    lines = [
        f"[{k // 3600:02d}:{k // 60 % 60:02d}:{k % 60:02d}] 来访人员:好的，谢谢，我明白了。"
        for k in range(3000)
    ]
    lines[2500] = "[2024-13-45 09:00:00] 来访人员:好的，谢谢，我明白了。"
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found, problems = _findings_and_problems(str(path), whole=False)
    assert (found, problems) == _findings_and_problems(str(path), whole=True)
    assert len(problems) == 1 and ":2501: cannot read the time '2024-13-45 09:00:00'" in problems[0]


@pytest.mark.parametrize("fmt", ["txt", "jsonl", "srt"])
def test_prefilter_of_every_format_misses_nothing_and_reads_every_time(tmp_path: Path, fmt: str) -> None:
    """Deep in a file (the script sample long taken) the lines, records and cues that are parsed are only
    the candidates of checked speakers: the same findings, and every time and record that cannot be read
    still reported, every date-time still read."""
    rng = random.Random(7)
    catalogue = load_catalogue()
    pieces = [e for r in catalogue.rules for e in (*r.flag_examples, *r.pass_examples)]
    pieces += [p.text for p in catalogue.standard]
    speakers = ["工作人员", "来访人员", "坐席", "市民"]
    rows = [(rng.choice(speakers), rng.choice(pieces)) for _ in range(1500)]
    lines: list[str] = []
    for k, (speaker, text) in enumerate(rows):
        stamp = f"{k // 3600:02d}:{k // 60 % 60:02d}:{k % 60:02d}"
        odd = k in (700, 1100)  # a time that cannot be read, and a date-time, deep in the file
        if fmt == "txt":
            time = ("2024-13-45 09:00:00" if k == 700 else "2024-03-01 09:15:02") if odd else stamp
            lines.append(f"[{time}] {speaker}:{text}")
        elif fmt == "jsonl":
            time = ("soon" if k == 700 else "2024-03-01 09:15:02") if odd else stamp
            lines.append(json.dumps({"role": speaker, "time": time, "content": text}, ensure_ascii=False))
        else:
            timing = f"{stamp},000 --> {stamp},900" if not odd else "00:00:0X,000 --> 00:00:01,000"
            lines += [str(k + 1), timing, f"{speaker}:{text}", ""]
    path = tmp_path / f"long.{fmt}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found, problems = _findings_and_problems(str(path), whole=False)
    assert found and (found, problems) == _findings_and_problems(str(path), whole=True)
    assert problems
