"""Recall and false flags per class of speech, on the development sets in tests/devsets/.

    python benchmarks/devsets.py [--split tune|held|all|PART] [--show-misses CLASS] [--show-flags CLASS]

`rude-*` files must be flagged (recall), `pass-*` files must not (false flags). Each file names its class.
Each author wrote the sets from the codes alone. A file's part says what it is for: a part ending in `dev`
(`dev`, `v2dev` … `v11dev`, and the training-only sets `t1dev` … `t6dev`, and `t7dev` for the turn model alone)
is tuned on and the tone model is trained on it (`tune`); a part ending in `hold` or `holdout` is only measured (`held`;
`v12hold`, `v13hold` and `v14hold` are three authors' sets held whole). PART is one part (`v5hold`). A held
item marked `seen` was shown to the one tuning (printed by mistake: 9 false flags and 1 rude text of v60hold, 2 rude
texts of v50hold; the first items of five v63hold files, 24 rude and 10 innocent, printed as format samples; one
proper reply of v70hold, printed as a trial change's false flag) and is left out.
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


def group(part: str) -> str:
    """`tune` or `held`: what a part of the development sets is for."""
    return "tune" if part.endswith("dev") else "held"


def parts() -> list[str]:
    return sorted({p.stem.split("-")[2] for p in DEVSETS.glob("*.yml")})


def load(split: str) -> list[tuple[str, str, str, str]]:
    """(expect, class, split, text) for every item."""
    return [(expect, cls, part, text) for expect, cls, part, text, _core in load_cores(split)]


def load_cores(split: str) -> list[tuple[str, str, str, str, str | None]]:
    """(expect, class, split, text, core) for every item: ``core`` is the words of a rude item that carry its
    rudeness, where an annotator who did not see the linter marked them (the replies of v44dev and v46dev), else
    None."""
    items = []
    for path in sorted(DEVSETS.glob("*.yml")):
        kind, cls, part = path.stem.split("-")
        if split != "all" and split != group(part) and split != part:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["items"]:
            if item.get("seen") and group(part) == "held":
                continue  # a held item the tuner was shown: no longer held, and not counted
            items.append((data["expect"], cls, part, item["text"], item.get("core")))
    return items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--split",
        default="held",
        choices=["tune", "held", "all", *parts()],
    )
    parser.add_argument("--show-misses", default=None)
    parser.add_argument("--show-flags", default=None)
    args = parser.parse_args()
    linter = Linter()
    # a held item that is also one of the catalogue's examples (a common phrase two authors both wrote: 你有完没完？)
    # was seen in tuning and training: it is not counted
    seen = {e.strip() for r in linter.catalogue.rules for e in (*r.flag_examples, *r.pass_examples)}
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    # of the flagged items with a core: how many have a violation on their core (the place a user is shown)
    placed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    shown = []
    skipped = 0
    for expect, cls, part, text, core in load_cores(args.split):
        if group(part) == "held" and text.strip() in seen:
            skipped += 1
            continue
        got = linter.check(text)
        key = (expect, cls)
        totals[key][1] += 1
        if got:
            totals[key][0] += 1
            if core is not None:
                start = text.index(core)
                end = start + len(core)
                placed[cls][1] += 1
                placed[cls][0] += any(v.start < end and start < v.end for v in got)
        if expect == "flag" and not got and args.show_misses in (cls, "all"):
            shown.append(f"MISS {cls}: {text}")
        if expect == "pass" and got and args.show_flags in (cls, "all"):
            shown.append(f"FLAG {cls}: {text}  → {[(v.rule, v.text) for v in got]}")
    print(
        f"split: {args.split}"
        + (f" ({skipped} held items left out: they are catalogue examples)" if skipped else "")
    )
    print(f"{'kind':6} {'class':12} {'n':>5} {'flagged':>8} {'rate':>7}")
    for (expect, cls), (hit, n) in sorted(totals.items()):
        label = "recall" if expect == "flag" else "false flags"
        print(f"{expect:6} {cls:12} {n:5} {hit:8} {hit / n:7.1%}  {label}")
    for cls, (on, n) in sorted(placed.items()):
        print(f"{cls}: {on} of the {n} flagged items with a marked core are flagged on it ({on / n:.1%})")
    for line in shown:
        print(line)


if __name__ == "__main__":
    main()
