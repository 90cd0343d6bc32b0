"""The rewrites of every flagged utterance of the development sets, measured as issue 11 asks.

    python benchmarks/rewrites.py [--split all] [--sample 50] [--seed 7]

For every utterance the engine flags: does its whole-utterance rewrite check clean against every rule; does it
keep every clause that had nothing wrong (verbatim, but for 你 → 您); does it carry no raw {slot}; and is it
stable (rewriting it changes nothing). Prints the shares and a random sample to review by hand.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsets import load  # noqa: E402

from phraselint import Linter  # noqa: E402
from phraselint.engine.rewrite import clauses  # noqa: E402

SLOT = re.compile(r"\{[^{}]+\}")


def innocent_clauses(text: str, violations: list) -> list[str]:  # type: ignore[type-arg]
    out = []
    for c in clauses(text):
        if not any(v.start < c.end and c.start < v.end for v in violations):
            out.append(text[c.start : c.end])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="all")
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    linter = Linter()
    flagged = clean = kept = slotless = stable = none = 0
    rows = []
    for _expect, cls, _part, text in load(args.split):
        found = linter.check(text)
        if not found:
            continue
        flagged += 1
        rewrite = found[0].rewrite
        if rewrite is None:
            none += 1
            continue
        clean += not linter.check(rewrite)
        polite = rewrite.replace("你", "您")
        kept += all(c.replace("你", "您") in polite for c in innocent_clauses(text, found))
        slotless += not SLOT.search(rewrite)
        stable += linter.rewrite(rewrite) == rewrite
        rows.append((cls, text, rewrite))
    print(f"flagged utterances: {flagged}; without a rewrite: {none}")
    for name, n in (
        ("checks clean", clean),
        ("innocent clauses kept", kept),
        ("no raw slot", slotless),
        ("stable", stable),
    ):
        print(f"{name:24} {n}/{flagged} = {n / flagged:.1%}")
    random.Random(args.seed).shuffle(rows)
    print(f"\n{args.sample} random rewrites to review:")
    for cls, text, rewrite in rows[: args.sample]:
        print(f"[{cls}] {text}\n    → {rewrite}")


if __name__ == "__main__":
    main()
