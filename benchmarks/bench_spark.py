"""Benchmark of phraselint.spark (issue 17) beside the single-process CLI, on the same calls. Never a test.

    python benchmarks/bench_spark.py [--utterances 1000000] [--cores 1,2] [--repeat 3]

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
| `small_s` | the same on the table's first tenth (`small_utterances`, whole calls) |
| `utterances_per_s_marginal` | the nine tenths over the seconds they add: (utterances − small) / (seconds − small_s), the rate once the job is warm (no startup, no JIT compiling, no Python worker starting) |
| `fixed_s` | what a job pays whatever its size: small_s less its utterances at the marginal rate |
| `peak_python_worker_mb` | the largest resident set of one Python worker (one per core of an executor) |
| `peak_jvm_mb` | the largest resident set of the JVM (in local mode: driver and executor in one) |
| `jvm_cpu_s`, `python_workers_cpu_s` | CPU seconds of the JVM and of all the Python workers: where the time goes |
| `others_cpu_s` | CPU seconds the rest of the machine used during the run: not near 0, the figure is not clean |
| `others_top` | the other processes that used most of that, by command: what else was running |
| `python_processes` | the Python processes of the job's workers (the daemon and the workers it forked): with `spark.python.worker.reuse` on, the daemon and one worker per core, however many tasks |
| `*_cpu_us_per_utterance*` | CPU µs per utterance: the CLI's, and the JVM's and the Python workers' for the nine tenths (less disturbed by other users than the clock) |
| `ceiling_python_{0,US}us_*` | with `--ceiling US`: the same plan checking nothing (benchmarks/spark_ceiling.py) |

With ``--repeat R`` every run is made R times, in rounds, and the median of each is reported (all the seconds
are kept beside it). Results go to stdout and benchmarks/out/spark.json.
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
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

OUT = ROOT / "benchmarks" / "out"
MAIN = ROOT / "phraselint" / "spark" / "__main__.py"
CEILING = ROOT / "benchmarks" / "spark_ceiling.py"


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


def small_table(directory: Path, share: float = 0.1) -> int:
    """directory/small: the first whole calls of the table, ``share`` of its utterances (made once), and how
    many utterances it holds. The job on it pays what the job on the whole table pays whatever its size — the
    JVM, the session, the Python workers, the catalogue, and the JIT compiling the code the rows go through —
    so the difference between the two is the cost of the other utterances alone."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    small = directory / "small"
    if not (small / "part-000.parquet").exists():
        table = pq.read_table(directory / "table")
        want = int(table.num_rows * share)
        calls = table["call_id"]
        cut = want + pc.sum(pc.equal(calls.slice(want), calls[want - 1])).as_py()  # the call run to its end
        small.mkdir(exist_ok=True)
        pq.write_table(table.slice(0, cut), small / "part-000.parquet")
    return int(pq.read_metadata(small / "part-000.parquet").num_rows)


class Usage:
    """What the job's processes (spark-submit and its descendants) use, by sampling /proc twice a second: the
    largest resident set of the JVM and of one Python worker, the CPU seconds of the JVM and of the Python
    workers together, and the CPU seconds the rest of the machine used meanwhile (other users of a shared
    machine: a run beside them is not a clean figure)."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self) -> None:
        self.jvm = 0
        self.worker = 0
        self.root: int | None = None
        self._cpu: dict[str, tuple[str, float]] = {}  # pid → (jvm | python | driver, CPU seconds last seen)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._machine = self._own = 0.0
        self._boot_ticks = 0
        self._others: dict[str, tuple[str, float, float]] = {}  # pid → (command, CPU at first sight, last)

    def __enter__(self) -> Usage:
        self._machine, self._own = -self._busy(), -time.process_time()
        self._boot_ticks = int(float(Path("/proc/uptime").read_text().split()[0]) * self.TICK)
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._machine += self._busy()
        self._own += time.process_time()  # this sampling

    def cpu(self, kind: str) -> float:
        return sum(seconds for k, seconds in self._cpu.values() if k == kind)

    @property
    def others_cpu(self) -> float:
        """CPU seconds used on the machine by processes other than the job's (and this benchmark's)."""
        ours = self.cpu("jvm") + self.cpu("python") + self.cpu("driver") + self._own
        return max(0.0, self._machine - ours)

    @property
    def python_processes(self) -> int:
        return sum(1 for k, _ in self._cpu.values() if k == "python")

    def others_top(self, count: int = 4) -> list[tuple[str, float]]:
        """The commands of other processes that used the most CPU during the run (seconds, summed by command)."""
        by: dict[str, float] = {}
        for command, first, last in self._others.values():
            by[command] = by.get(command, 0.0) + last - first
        ranked = sorted(by.items(), key=lambda kv: -kv[1])[:count]
        return [(command, round(seconds, 1)) for command, seconds in ranked if seconds >= 0.5]

    def _other(self, pid: str) -> None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(stat[11]) + int(stat[12])) / self.TICK
            if pid not in self._others:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                words = [w.rsplit("/", 1)[-1] for w in cmd.split()[:4]]
                born_after = int(stat[19]) >= self._boot_ticks  # started during the run: all its CPU counts
                self._others[pid] = (" ".join(words)[:70], 0.0 if born_after else cpu, cpu)
            else:
                command, first, _ = self._others[pid]
                self._others[pid] = (command, first, cpu)
        except (OSError, IndexError, ValueError):
            pass

    @classmethod
    def _busy(cls) -> float:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(ticks) - ticks[3] - ticks[4]) / cls.TICK  # less idle and iowait

    def _ours(self, pid: str) -> bool:
        for _ in range(30):
            if self.root is None or pid in ("0", "1"):
                return False
            if int(pid) == self.root:
                return True
            try:
                pid = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            except OSError:
                return False
        return False

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                if not self._ours(pid):
                    if self.root is not None and pid != str(os.getpid()):
                        self._other(pid)
                    continue
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    status = Path(f"/proc/{pid}/status").read_text()
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                rss = (
                    next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
                    // 1024
                )
                cpu = (int(stat[11]) + int(stat[12])) / self.TICK
                launcher = b"org.apache.spark.launcher.Main" in cmd  # builds the command, then exits
                if b"java" in cmd and b"org.apache.spark.deploy.SparkSubmit" in cmd and not launcher:
                    self.jvm = max(self.jvm, rss)
                    kind = "jvm"
                elif b"pyspark.daemon" in cmd or b"pyspark.worker" in cmd:
                    self.worker = max(self.worker, rss)
                    kind = "python"
                else:  # the driver's Python (the command), spark-submit's shell scripts, the launcher
                    kind = "driver"
                # spark-class execs the JVM in its own process (a pid first seen as bash is the JVM later): the
                # kind is what the process is now, but one on its way out has no command line left and keeps
                # the kind it was seen with
                before, seen = self._cpu.get(pid, (kind, 0.0))
                kind = kind if cmd.strip() else before
                self._cpu[pid] = (kind, max(seen, cpu))


def run_spark(
    table: Path, output: Path, cores: int, job: tuple[str, ...] = (str(MAIN), "--order", "seq")
) -> dict[str, float]:
    shutil.rmtree(output, ignore_errors=True)
    submit = Path(sys.executable).parent / "spark-submit"
    args = [str(submit), "--master", f"local[{cores}]", "--driver-memory", "2g"]
    args += ["--conf", f"spark.sql.shuffle.partitions={4 * cores}", "--conf", "spark.ui.enabled=false"]
    args += [*job, str(table), str(output)]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    with Usage() as usage:
        t0 = time.perf_counter()
        job = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        usage.root = job.pid
        if job.wait():
            raise subprocess.CalledProcessError(job.returncode, args)
        seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "peak_jvm_mb": usage.jvm,
        "peak_python_worker_mb": usage.worker,
        "jvm_cpu_s": usage.cpu("jvm"),
        "python_workers_cpu_s": usage.cpu("python"),
        "others_cpu_s": usage.others_cpu,
        "others_top": usage.others_top(),
        "python_processes": usage.python_processes,
    }


def run_cli(calls: Path) -> dict[str, float]:
    code = (
        "import resource,subprocess,sys,time;t=time.perf_counter();"
        "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(time.perf_counter()-t,u.ru_maxrss,u.ru_utime+u.ru_stime)"
    )
    cmd = [sys.executable, str(ROOT / "cli.py"), "check", "--conversation", "-q", "--exit-zero", "-j", "1"]
    cmd += ["--output-format", "jsonl", str(calls)]
    with Usage() as usage:
        job = subprocess.Popen([sys.executable, "-c", code, *cmd], stdout=subprocess.PIPE, text=True)
        usage.root = job.pid
        out, _ = job.communicate()
    if job.returncode:
        raise subprocess.CalledProcessError(job.returncode, cmd)
    seconds, rss, cpu = out.split()
    return {
        "seconds": float(seconds),
        "peak_rss_mb": int(rss) / 1024,
        "cpu_s": float(cpu),
        "others_cpu_s": usage.others_cpu,
        "others_top": usage.others_top(),
    }


def wait_quiet(limit: float, busy: float = 0.25, window: float = 5.0) -> float:
    """Wait, at most ``limit`` seconds, until the machine has been idle but for ``busy`` of a core over the
    last ``window`` seconds (another user's tests between two of theirs), and say how long it waited. Only the
    start is chosen: what others use during the run is still measured (``others_cpu_s``)."""
    t0 = time.perf_counter()
    while True:
        before = Usage._busy()
        time.sleep(window)
        if (Usage._busy() - before) / window < busy or time.perf_counter() - t0 > limit:
            return time.perf_counter() - t0


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median seconds (the lower middle one of an even number), with every run's seconds."""
    ranked = sorted(runs, key=lambda r: r["seconds"])
    return {**ranked[(len(ranked) - 1) // 2], "all_seconds": [r["seconds"] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--utterances", type=int, default=1_000_000)
    parser.add_argument("--cores", default="1,2", help="local[N] for each N listed")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of every run (CLI, and startup and job on each local[N], one after the other); the "
        "median run of each is reported: on a machine shared with others, take 3 or more",
    )
    parser.add_argument(
        "--ceiling",
        type=int,
        default=None,
        metavar="US",
        help="also run, in every round, benchmarks/spark_ceiling.py (the same plan, no checking) on the small "
        "and the whole table, with Python idle and with US µs of CPU per row: the speed-up any job of this "
        "shape gets here",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="before each run, wait up to S seconds for a moment when the rest of the machine is idle (a "
        "shared machine): only the start is chosen, what others use meanwhile is still reported",
    )
    parser.add_argument("--no-phraselint", action="store_true", help="only the CLI and the ceiling jobs")
    args = parser.parse_args()

    warehouse = OUT / f"warehouse-{args.utterances}"
    marker = warehouse / "made.json"
    if marker.exists():
        made = json.loads(marker.read_text())
    else:
        print(f"generating {warehouse} …", flush=True)
        made = make_warehouse(args.utterances, warehouse)
        marker.write_text(json.dumps(made))
    n_small = small_table(warehouse)
    results: dict[str, Any] = {**made, "small_utterances": n_small, "cpus": os.cpu_count()}
    n = made["utterances"]
    cores_listed = [int(c) for c in args.cores.split(",")]
    runs: dict[str, list[dict[str, Any]]] = {}

    def measure(key: str, run: Callable[[], dict[str, Any]]) -> None:
        waited = wait_quiet(args.wait_quiet) if args.wait_quiet else 0.0
        runs.setdefault(key, []).append({**run(), "waited_s": waited})
        print(json.dumps({key: runs[key][-1]}), flush=True)

    for _ in range(args.repeat):
        if not args.skip_cli:
            measure("cli", partial(run_cli, warehouse / "calls"))
        for cores in cores_listed:
            for name in () if args.no_phraselint else ("one", "small", "table"):
                out = OUT / f"spark-out-{cores}"
                measure(f"{name}[{cores}]", partial(run_spark, warehouse / name, out, cores))
            for us in () if args.ceiling is None else (0, args.ceiling):
                for name in ("small", "table"):
                    job = (str(CEILING), "--python-us", str(us))
                    out = OUT / f"spark-ceiling-{cores}"
                    measure(
                        f"ceiling{us}-{name}[{cores}]", partial(run_spark, warehouse / name, out, cores, job)
                    )
    if "cli" in runs:
        cli = _median(runs["cli"])
        results["cli"] = {
            **cli,
            "utterances_per_s": n / cli["seconds"],
            "cpu_us_per_utterance": cli["cpu_s"] / n * 1e6,
        }
    for cores in cores_listed if not args.no_phraselint else ():
        one, small, run = (_median(runs[f"{name}[{cores}]"]) for name in ("one", "small", "table"))
        less_startup = n / (run["seconds"] - one["seconds"])
        marginal = (n - n_small) / (run["seconds"] - small["seconds"])
        results[f"spark_local[{cores}]"] = {
            **run,
            "startup_s": one["seconds"],
            "startup_all_seconds": one["all_seconds"],
            "startup_jvm_cpu_s": one["jvm_cpu_s"],
            "small_s": small["seconds"],
            "small_all_seconds": small["all_seconds"],
            "small_jvm_cpu_s": small["jvm_cpu_s"],
            "small_python_workers_cpu_s": small["python_workers_cpu_s"],
            "utterances_per_s": less_startup,
            "utterances_per_s_per_core": less_startup / cores,
            "utterances_per_s_marginal": marginal,
            "fixed_s": small["seconds"] - n_small / marginal,
            # CPU, which another user of the machine slows less than it slows the clock: what the nine tenths
            # cost the JVM and the Python workers, per utterance
            "jvm_cpu_us_per_utterance_marginal": (run["jvm_cpu_s"] - small["jvm_cpu_s"])
            / (n - n_small)
            * 1e6,
            "python_cpu_us_per_utterance_marginal": (
                (run["python_workers_cpu_s"] - small["python_workers_cpu_s"]) / (n - n_small) * 1e6
            ),
        }
    one, two = results.get("spark_local[1]"), results.get("spark_local[2]")
    for suffix in ("", "_marginal"):
        if one and two:
            results[f"speedup_2_over_1{suffix}"] = (
                two[f"utterances_per_s{suffix}"] / one[f"utterances_per_s{suffix}"]
            )
        if one and "cli" in results:
            results[f"cli_over_spark_per_core{suffix}"] = (
                results["cli"]["utterances_per_s"] / one[f"utterances_per_s{suffix}"]
            )
    for us in () if args.ceiling is None else (0, args.ceiling):
        for cores in cores_listed:
            small, run = (_median(runs[f"ceiling{us}-{name}[{cores}]"]) for name in ("small", "table"))
            results[f"ceiling_python_{us}us_local[{cores}]"] = {
                **run,
                "small_s": small["seconds"],
                "small_all_seconds": small["all_seconds"],
                "utterances_per_s_marginal": (n - n_small) / (run["seconds"] - small["seconds"]),
            }
        one, two = (results.get(f"ceiling_python_{us}us_local[{c}]") for c in (1, 2))
        if one and two:
            results[f"ceiling_python_{us}us_speedup_2_over_1_marginal"] = (
                two["utterances_per_s_marginal"] / one["utterances_per_s_marginal"]
            )
    OUT.mkdir(exist_ok=True)
    (OUT / "spark.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
