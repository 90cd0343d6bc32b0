"""Precision of the greeting and farewell rules (no-greeting, no-farewell) on the conversation fixtures, with and
without the ordinary polite forms (`words`/`except` in rules/conversation.yml). Never part of the test suite.

    python benchmarks/conversation_precision.py

The truth: in tests/fixtures/conversations/, a transcript named polite_* greets and sees the visitor off (any
no-greeting or no-farewell there is a false alarm); in every other fixture the findings its .expected annotates
were read by a person and are real (window_rude: 下一个，拿号了没有？ greets nobody; hotline_traditional: a call
answered with 您好 alone names no office; rude_never_see_again: 行了，就这样。 sees nobody off).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from phraselint.check.conversation import load_conversation_rules  # noqa: E402
from phraselint.check.files import Roles  # noqa: E402
from phraselint.check.whole import analyse_file  # noqa: E402
from phraselint.engine.linter import Linter  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "conversations"
RULES = ("no-greeting", "no-farewell")
MARK = "# conversation:"


def annotated(path: Path) -> set[str]:
    lines = path.with_name(path.name + ".expected").read_text(encoding="utf-8").splitlines()
    return {line.removeprefix(MARK).strip() for line in lines if line.startswith(MARK)}


def main() -> None:
    linter = Linter()
    roles = Roles.build(linter)
    rules = load_conversation_rules(linter.catalogue)
    plain = dataclasses.replace(
        rules,
        rules=tuple(
            dataclasses.replace(
                r,
                words=(),
                except_words=(),
                phone=dataclasses.replace(r.phone, words=(), except_words=()) if r.phone else None,
            )
            for r in rules.rules
        ),
    )
    files = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".expected")
    for name, used in (
        ("standard phrases only (before)", plain),
        ("with ordinary polite forms (after)", rules),
    ):
        true = false = missed = 0
        for path in files:
            found = {
                f"{f.violation.rule} {f.line}:{f.column}"
                for f in analyse_file(str(path), linter, roles, used).conversation.findings
                if f.violation.rule in RULES
            }
            real = (
                set()
                if path.name.startswith("polite_")
                else {a for a in annotated(path) if a.split()[0] in RULES}
            )
            true += len(found & real)
            false += len(found - real)
            missed += len(real - found)
        flagged = true + false
        precision = true / flagged if flagged else 1.0
        recall = true / (true + missed) if true + missed else 1.0
        print(
            f"{name}: {len(files)} transcripts, {flagged} flagged, {true} right, {false} false alarms, "
            f"{missed} missed; precision {precision:.0%}, recall {recall:.0%}"
        )


if __name__ == "__main__":
    main()
