"""The shorter measurement of phraselint.spark for a busy shared machine, where a full round of
benchmarks/bench_spark.py (CLI on the whole warehouse, one-call, first-tenth and whole-table jobs on each
local[N], and the ceiling jobs) takes 25 minutes: rounds of only the runs the issue's two ratios need. Never a
test.

    python benchmarks/spark_rounds.py [--rounds 3] > rounds.jsonl     # one JSON line per run
    python benchmarks/spark_rounds.py --summary rounds.jsonl           # medians and ratios

Each round, in this order (so that local[1] and local[2] alternate under the same neighbours):

| key | what |
|---|---|
| `cli-small` | `phraselint check --conversation -j 1` over the transcripts of the warehouse's first tenth (whole calls) |
| `one[N]`, `table[N]` | `spark-submit --master local[N]` on a one-call table (the startup) and on the whole table |
| `ceiling50-one[N]`, `ceiling50-table[N]` | benchmarks/spark_ceiling.py, the same plan checking nothing and burning 50 µs of CPU per row in Python |

The rate of a job is its utterances over its seconds less the median one-call job's of the same kind; the
CLI's is its utterances over its seconds (its startup, about a second, left in). Needs the warehouse that
bench_spark.py generates (``--utterances 1000000``); uses its measuring (CPU of the JVM, of the Python workers,
of everything else on the machine, and what that was).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_spark as b  # noqa: E402

CEILING_US = "50"


def plan(warehouse: Path) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    c = (str(b.CEILING), "--python-us", CEILING_US)
    runs: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("cli-small", partial(b.run_cli, small_calls(warehouse)))
    ]
    for cores in (1, 2):
        out = b.OUT / f"spark-out-{cores}"
        runs += [(f"{n}[{cores}]", partial(b.run_spark, warehouse / n, out, cores)) for n in ("one", "table")]
    for cores in (1, 2):
        out = b.OUT / f"spark-ceiling-{cores}"
        runs += [
            (f"ceiling{CEILING_US}-{n}[{cores}]", partial(b.run_spark, warehouse / n, out, cores, c))
            for n in ("one", "table")
        ]
    return runs


def small_calls(warehouse: Path) -> Path:
    """warehouse/smallcalls: links to the transcripts of the calls of warehouse/small (the first tenth)."""
    import pyarrow.parquet as pq

    b.small_table(warehouse)
    directory = warehouse / "smallcalls"
    directory.mkdir(exist_ok=True)
    ids = set(pq.read_table(warehouse / "small", columns=["call_id"])["call_id"].to_pylist())
    for call_id in ids:
        link = directory / f"{call_id}.jsonl"
        if not link.exists():
            os.symlink((warehouse / "calls" / f"{call_id}.jsonl").resolve(), link)
    return directory


def summary(lines: list[dict[str, Any]], warehouse: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    n = sum(int(pq.read_metadata(p).num_rows) for p in sorted((warehouse / "table").glob("*.parquet")))
    n_small = int(pq.read_metadata(warehouse / "small" / "part-000.parquet").num_rows)
    by: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by.setdefault(line["key"], []).append(line)
    med = {k: statistics.median(r["seconds"] for r in runs) for k, runs in by.items()}
    out: dict[str, Any] = {
        k: {"runs": len(runs), "median_s": round(med[k], 1), "all_s": [round(r["seconds"], 1) for r in runs]}
        for k, runs in by.items()
    }
    rate: dict[str, float] = {}
    if "cli-small" in med:
        rate["cli"] = n_small / med["cli-small"]
    for kind in ("", f"ceiling{CEILING_US}-"):
        for cores in (1, 2):
            one, table = f"{kind}one[{cores}]", f"{kind}table[{cores}]"
            if one in med and table in med:
                rate[f"{kind}local[{cores}]"] = n / (med[table] - med[one])
    out["utterances_per_s_less_startup"] = {k: round(v) for k, v in rate.items()}
    for kind in ("", f"ceiling{CEILING_US}-"):
        if f"{kind}local[1]" in rate and f"{kind}local[2]" in rate:
            out[f"{kind}speedup_2_over_1"] = round(rate[f"{kind}local[2]"] / rate[f"{kind}local[1]"], 2)
    if "cli" in rate and "local[1]" in rate:
        out["cli_over_spark_per_core"] = round(rate["cli"] / rate["local[1]"], 2)
    tables = [f"{kind}table[{cores}]" for kind in ("", f"ceiling{CEILING_US}-") for cores in (1, 2)]
    for key in [k for k in (*tables, "cli-small") if k in by]:
        runs = by[key]
        out[key]["others_cpu_s"] = [round(r["others_cpu_s"]) for r in runs]
        out[key]["others_share_of_2_cores"] = [round(r["others_cpu_s"] / r["seconds"] / 2, 2) for r in runs]
        if key == "cli-small":
            continue
        out[key]["jvm_cpu_s"] = [r["jvm_cpu_s"] for r in runs]
        out[key]["python_workers_cpu_s"] = [round(r["python_workers_cpu_s"], 2) for r in runs]
        out[key]["peak_jvm_mb"] = max(r["peak_jvm_mb"] for r in runs)
        out[key]["peak_python_worker_mb"] = max(r["peak_python_worker_mb"] for r in runs)
        out[key]["python_processes"] = [r.get("python_processes") for r in runs]
        # the cores the job had: its CPU seconds (JVM and Python workers) over its seconds; on a machine whose
        # other users take the rest, local[2] can have no more than local[1]
        out[key]["cores_used"] = [
            round((r["jvm_cpu_s"] + r["python_workers_cpu_s"]) / r["seconds"], 2) for r in runs
        ]
        out[key]["cpu_us_per_utterance"] = [
            round((r["jvm_cpu_s"] + r["python_workers_cpu_s"]) / n * 1e6) for r in runs
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--utterances", type=int, default=1_000_000)
    parser.add_argument("--summary", metavar="JSONL", help="summarise the runs of an earlier output")
    args = parser.parse_args()
    warehouse = b.OUT / f"warehouse-{args.utterances}"
    if not (warehouse / "made.json").exists():
        sys.exit(f"no {warehouse}: run benchmarks/bench_spark.py --utterances {args.utterances} first")
    if args.summary:
        lines = [json.loads(x) for x in Path(args.summary).read_text().splitlines() if x.strip()]
        for key, value in summary(lines, warehouse).items():
            print(json.dumps({key: value}, ensure_ascii=False))
        return
    runs = plan(warehouse)
    for r in range(args.rounds):
        for key, run in runs:
            at = time.strftime("%H:%M:%S")
            print(json.dumps({"round": r, "key": key, "at": at, **run()}), flush=True)


if __name__ == "__main__":
    main()
