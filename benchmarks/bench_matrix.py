"""Issue 13's table: `phraselint check` on real, dense and traditional text, each as labelled text, JSON Lines
and SRT, as MB/s and as a ratio to the floor measured on the same file. Never part of the test suite.

    python benchmarks/bench_matrix.py [--mb 5] [--runs 3] [--checkout DIR ...]
    git archive main | tar -x -C /tmp/main && python benchmarks/bench_matrix.py --checkout /tmp/main --checkout .

The corpora are bench_check.py's: ``real`` (about 2% of staff lines forbidden, 4% near misses, a fifth of the
sessions in traditional script), ``dense`` (a fifth of staff lines forbidden) and ``traditional`` (``real``
wholly in Taiwan script, OpenCC s2tw), each written as labelled text, JSON Lines and SRT (the same
utterances). The floor is bench_check.py's: one bare pyahocorasick pass of the catalogue's wordings over the
file in 1 MiB blocks, in this process. Each checkout's `phraselint check -j 1 --format json` runs in a fresh
process, the checkouts alternating, ``--runs`` times; the median is reported, with the peak RSS. Each
checkout has its own cache folder (phraselint keeps only the newest few values of each kind, and two
checkouts taking turns in one folder would build some again at every run); a first run of each, not
counted, fills it; that run also writes each checkout's bytecode, which the runs then use as an installed
package would (PYTHONDONTWRITEBYTECODE is unset for the children, as in bench_cold.py: with it set, every run
compiled phraselint's sources again, about half a second of each). On a shared machine the figures move with
what else runs: compare checkouts measured in the same run.

Results go to stdout and benchmarks/out/matrix.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_check import OUT, bench_floor, jsonl_and_srt, make_corpus, run_cli  # noqa: E402


def corpora(megabytes: float) -> dict[str, list[Path]]:
    """Every corpus in every input format: name → [labelled, JSON Lines, SRT]."""
    out: dict[str, list[Path]] = {}
    for name, rude in (("real", 0.02), ("dense", 0.2)):
        labelled = OUT / f"matrix-{name}-{megabytes:g}mb.txt"
        if not labelled.exists():
            make_corpus(labelled, megabytes, rude=rude)
        out[name] = [labelled, *jsonl_and_srt(labelled)]
    import opencc

    s2tw = opencc.OpenCC("s2tw")
    traditional = []
    for path in out["real"]:
        target = OUT / path.name.replace("matrix-real", "matrix-traditional")
        if not target.exists():
            target.write_text(s2tw.convert(path.read_text(encoding="utf-8")), encoding="utf-8")
        traditional.append(target)
    out["traditional"] = traditional
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=5.0, help="size of each corpus (MB)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each checkout on each file")
    parser.add_argument(
        "--checkout",
        type=Path,
        action="append",
        help="a phraselint to run (repeat to compare; default: this)",
    )
    args = parser.parse_args()
    checkouts = [c.resolve() for c in (args.checkout or [ROOT])]
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # (the children inherit this process's environment)
    files = corpora(args.mb)
    results: dict[str, object] = {"mb": args.mb, "runs": args.runs, "load_before": os.getloadavg()}
    smallest = files["real"][0]

    def cache_of(checkout: Path) -> None:
        os.environ["XDG_CACHE_HOME"] = str(OUT / f"matrix-cache-{checkouts.index(checkout)}")

    for checkout in checkouts:  # fill each checkout's cache first (a first run compiles the catalogue)
        cache_of(checkout)
        run_cli(["check", "-j", "1", "--format", "json", "--exit-zero", str(smallest)], None, checkout)
    table: dict[str, dict[str, object]] = {}
    for corpus, paths in files.items():
        for path in paths:
            size = path.stat().st_size / 1e6
            floor = bench_floor(path)["mb_per_s"]
            times: dict[Path, list[float]] = {c: [] for c in checkouts}
            rss: dict[Path, int] = {c: 0 for c in checkouts}
            for _ in range(args.runs):
                for checkout in checkouts:
                    argv = ["check", "-j", "1", "--format", "json", "--exit-zero", str(path)]
                    cache_of(checkout)
                    seconds, _code, peak = run_cli(argv, None, checkout)
                    times[checkout].append(seconds)
                    rss[checkout] = max(rss[checkout], peak)
            row: dict[str, object] = {"mb": round(size, 2), "floor_mb_per_s": round(floor, 1)}
            for checkout in checkouts:
                median = statistics.median(times[checkout])
                row[str(checkout)] = {
                    "median_s": round(median, 3),
                    "mb_per_s": round(size / median, 2),
                    "ratio_to_floor": round(floor / (size / median), 1),
                    "peak_rss_mb": round(rss[checkout] / 1024, 1),
                }
            key = f"{corpus} {path.suffix[1:]}"
            table[key] = row
            cells = "  ".join(
                f"{c.name}: {row[str(c)]['mb_per_s']} MB/s ({row[str(c)]['ratio_to_floor']}x, "  # type: ignore[index]
                f"{row[str(c)]['peak_rss_mb']} MB)"  # type: ignore[index]
                for c in checkouts
            )
            print(f"{key:18} floor {row['floor_mb_per_s']} MB/s  {cells}", flush=True)
    results["table"] = table
    results["load_after"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    (OUT / "matrix.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
