"""Benchmark of phraselint.spark (issue 17) beside the single-process CLI, on the same calls. Never a test.

    python benchmarks/bench_spark.py [--utterances 1000000] [--cores 1,2]

Generates a warehouse of hotline calls (tests/callcorpus.py: the catalogue's own phrases, about 5% of staff
lines forbidden, a fifth in traditional script, times with slow replies and interruptions) of at least
``--utterances`` utterances, as one Parquet table (what Spark reads) and as one JSON Lines transcript per call
(what the CLI reads), then measures:

| figure | what |
|---|---|
| `cli` | `phraselint check --conversation --output-format jsonl` over the transcripts, one process |
| `spark_local[N]` | `spark-submit --master local[N] phraselint/spark/__main__.py` on the table, writing Parquet |
| `startup_s` | the same on a one-call table: the JVM, the session and the catalogue, paid once per job |
| `utterances_per_s` | utterances over the job's seconds less the startup |
| `peak_python_worker_mb` | the largest resident set of one Python worker (one per core of an executor) |
| `peak_jvm_mb` | the largest resident set of the JVM (in local mode: driver and executor in one) |

Results go to stdout and benchmarks/out/spark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

OUT = ROOT / "benchmarks" / "out"
MAIN = ROOT / "phraselint" / "spark" / "__main__.py"


def make_warehouse(utterances: int, directory: Path) -> dict[str, Any]:
    """The calls as one JSON Lines file each (directory/calls) and as a Parquet table (directory/table)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from callcorpus import generate

    calls_dir = directory / "calls"
    table_dir = directory / "table"
    shutil.rmtree(directory, ignore_errors=True)
    calls_dir.mkdir(parents=True)
    table_dir.mkdir()
    columns: dict[str, list[Any]] = {
        k: [] for k in ("call_id", "agent_id", "speaker", "start", "end", "text", "seq")
    }
    count = calls = 0
    part = 0
    for call_id, records in generate(utterances // 15 + 1, seed=11):
        if count >= utterances:
            break
        calls += 1
        with (calls_dir / f"{call_id}.jsonl").open("w", encoding="utf-8") as out:
            for i, r in enumerate(records):
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
                columns["call_id"].append(call_id)
                columns["agent_id"].append(f"A{calls % 500:03d}")
                columns["speaker"].append(r["speaker"])
                columns["start"].append(r["start"])
                columns["end"].append(r["end"])
                columns["text"].append(r["text"])
                columns["seq"].append(i)
        count += len(records)
        if len(columns["text"]) >= 200_000:
            pq.write_table(pa.table(columns), table_dir / f"part-{part:03d}.parquet")
            part += 1
            columns = {k: [] for k in columns}
    if columns["text"]:
        pq.write_table(pa.table(columns), table_dir / f"part-{part:03d}.parquet")
    one = directory / "one"
    one.mkdir()
    first = pq.read_table(table_dir / "part-000.parquet").slice(0, 20)
    pq.write_table(first, one / "part-000.parquet")
    size = sum(p.stat().st_size for p in calls_dir.iterdir())
    return {"utterances": count, "calls": calls, "transcripts_mb": size / 1e6}


class PeakRss:
    """The largest resident set seen, by sampling /proc twice a second: of the JVM, and of each Python worker."""

    def __init__(self) -> None:
        self.jvm = 0
        self.worker = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = (
                    next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
                    // 1024
                )
                if b"java" in cmd and b"org.apache.spark.deploy.SparkSubmit" in cmd:
                    self.jvm = max(self.jvm, rss)
                elif b"pyspark.daemon" in cmd or b"pyspark.worker" in cmd:
                    self.worker = max(self.worker, rss)


def run_spark(table: Path, output: Path, cores: int) -> dict[str, float]:
    shutil.rmtree(output, ignore_errors=True)
    submit = Path(sys.executable).parent / "spark-submit"
    args = [str(submit), "--master", f"local[{cores}]", "--driver-memory", "2g"]
    args += ["--conf", f"spark.sql.shuffle.partitions={4 * cores}", "--conf", "spark.ui.enabled=false"]
    args += [str(MAIN), "--order", "seq", str(table), str(output)]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    with PeakRss() as peak:
        t0 = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_jvm_mb": peak.jvm, "peak_python_worker_mb": peak.worker}


def run_cli(calls: Path) -> dict[str, float]:
    code = (
        "import resource,subprocess,sys,time;t=time.perf_counter();"
        "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
        "print(time.perf_counter()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cmd = [sys.executable, str(ROOT / "cli.py"), "check", "--conversation", "-q", "--exit-zero", "-j", "1"]
    cmd += ["--output-format", "jsonl", str(calls)]
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, check=True, text=True)
    seconds, rss = out.stdout.split()
    return {"seconds": float(seconds), "peak_rss_mb": int(rss) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--utterances", type=int, default=1_000_000)
    parser.add_argument("--cores", default="1,2", help="local[N] for each N listed")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()

    warehouse = OUT / f"warehouse-{args.utterances}"
    marker = warehouse / "made.json"
    if marker.exists():
        made = json.loads(marker.read_text())
    else:
        print(f"generating {warehouse} …", flush=True)
        made = make_warehouse(args.utterances, warehouse)
        marker.write_text(json.dumps(made))
    results: dict[str, Any] = {**made, "cpus": os.cpu_count()}
    n = made["utterances"]
    if not args.skip_cli:
        cli = run_cli(warehouse / "calls")
        results["cli"] = {**cli, "utterances_per_s": n / cli["seconds"]}
        print(json.dumps(results["cli"]), flush=True)
    for cores in (int(c) for c in args.cores.split(",")):
        startup = run_spark(warehouse / "one", OUT / "spark-one", cores)["seconds"]
        run = run_spark(warehouse / "table", OUT / f"spark-out-{cores}", cores)
        work = run["seconds"] - startup
        results[f"spark_local[{cores}]"] = {
            **run,
            "startup_s": startup,
            "utterances_per_s": n / work,
            "utterances_per_s_per_core": n / work / cores,
        }
        print(json.dumps(results[f"spark_local[{cores}]"]), flush=True)
    one, two = results.get("spark_local[1]"), results.get("spark_local[2]")
    if one and two:
        results["speedup_2_over_1"] = two["utterances_per_s"] / one["utterances_per_s"]
    if one and "cli" in results:
        results["cli_over_spark_per_core"] = results["cli"]["utterances_per_s"] / one["utterances_per_s"]
    OUT.mkdir(exist_ok=True)
    (OUT / "spark.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
