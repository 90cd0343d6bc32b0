"""Recall and false flags per class of speech, on the development sets in tests/devsets/.

    python benchmarks/devsets.py [--split tune|held|dev|holdout|v2dev|v2hold|all] [--show-misses CLASS]
                                 [--show-flags CLASS]

`rude-*` files must be flagged (recall), `pass-*` files must not (false flags). Each file names its class.
Four authors wrote the sets from the codes alone: `dev`, `v2dev`, `v3dev` and `v4dev` are tuned on, and the
tone model is trained on them (`tune`); `holdout`, `v2hold`, `v3hold` and `v4hold` are only measured (`held`).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from phraselint import Linter  # noqa: E402

DEVSETS = Path(__file__).resolve().parent.parent / "tests" / "devsets"


def load(split: str) -> list[tuple[str, str, str, str]]:
    """(expect, class, split, text) for every item."""
    items = []
    for path in sorted(DEVSETS.glob("*.yml")):
        kind, cls, part = path.stem.split("-")
        groups = {
            "tune": ("dev", "v2dev", "v3dev", "v4dev"),
            "held": ("holdout", "v2hold", "v3hold", "v4hold"),
        }
        if split != "all" and part not in groups.get(split, (split,)):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["items"]:
            items.append((data["expect"], cls, part, item["text"]))
    return items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--split",
        default="dev",
        choices=[
            "dev",
            "holdout",
            "v2dev",
            "v2hold",
            "v3dev",
            "v3hold",
            "v4dev",
            "v4hold",
            "tune",
            "held",
            "all",
        ],
    )
    parser.add_argument("--show-misses", default=None)
    parser.add_argument("--show-flags", default=None)
    args = parser.parse_args()
    linter = Linter()
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    shown = []
    for expect, cls, _part, text in load(args.split):
        got = linter.check(text)
        key = (expect, cls)
        totals[key][1] += 1
        if got:
            totals[key][0] += 1
        if expect == "flag" and not got and args.show_misses in (cls, "all"):
            shown.append(f"MISS {cls}: {text}")
        if expect == "pass" and got and args.show_flags in (cls, "all"):
            shown.append(f"FLAG {cls}: {text}  → {[(v.rule, v.text) for v in got]}")
    print(f"split: {args.split}")
    print(f"{'kind':6} {'class':12} {'n':>5} {'flagged':>8} {'rate':>7}")
    for (expect, cls), (hit, n) in sorted(totals.items()):
        label = "recall" if expect == "flag" else "false flags"
        print(f"{expect:6} {cls:12} {n:5} {hit:8} {hit / n:7.1%}  {label}")
    for line in shown:
        print(line)


if __name__ == "__main__":
    main()
