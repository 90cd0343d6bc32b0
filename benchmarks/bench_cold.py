"""Fixed costs and memory of `phraselint check` for one or more checkouts side by side (issue 13): the cold
start of `echo 不知道 | phraselint check -`, the first use of the tokenizer, and the peak RSS of a check of a
generated corpus in every output format. Never part of the test suite.

    python benchmarks/bench_cold.py --checkout /tmp/ref --checkout . --runs 11
    python benchmarks/bench_cold.py --checkout /tmp/ref --checkout . --runs 3 --mb 2,20 [--formats json,sarif]

Each figure is the median of ``--runs`` fresh processes, the checkouts alternating (on a shared machine the load
changes from minute to minute: the load average before and after is printed with the figures). Each checkout
has its own cache folder, filled by two first runs that are not counted; bytecode is written and used as an
installed package would (PYTHONDONTWRITEBYTECODE is unset for the children).

- cold start: wall and CPU (user + system) seconds and peak RSS of the whole process;
- first run (``--first-runs``, default 3): the same command with a new, empty cache folder each time, as after
  an install or a change of the rules: every cached value built and the catalogue's examples run (issue 13: at
  most 200 MB). Its peak RSS is that of the largest process: the check's own or the child that builds the cache
  (wait4 reports the larger of a process and the children it waited for), CPU seconds are both's;
- ``first_tokenizer_use``: the first cut of ``engine.words.tokenizer()`` in a fresh interpreter (its dictionary
  loaded then);
- with ``--mb``: ``phraselint check -j 1 --exit-zero`` of a corpus of that many MB (bench_check.py's, with
  ``--rude`` of the staff lines forbidden: many findings) in each output format, as labelled text; wall
  seconds and peak RSS (flat in input size and in findings when the output is streamed). ``--jobs 2`` also
  runs ``-j 2`` (the peak of the largest process).

Results also go to benchmarks/out/cold.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_check import OUT, make_corpus  # noqa: E402

FORMATS = ("text", "json", "jsonl", "github", "sarif")
TOKENIZER_FIRST_USE = (
    "import time;from phraselint.engine.words import tokenizer;t=time.perf_counter();"
    "list(tokenizer().cut('我们中出了一个叛徒',HMM=False));print(time.perf_counter()-t)"
)


def run(
    argv: list[str], env: dict[str, str], stdin: bytes = b"", cwd: str | None = None
) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds (user + system), peak RSS (KiB) and standard output of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=cwd
        )
        assert child.stdin is not None
        child.stdin.write(stdin)
        child.stdin.close()
        _pid, _status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = 0  # reaped above
        out.seek(0)
        data = out.read()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, data


def median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, action="append", help="a phraselint checkout (repeatable)")
    parser.add_argument("--runs", type=int, default=11, help="runs of each figure (medians)")
    parser.add_argument("--text", default="不知道")
    parser.add_argument("--mb", default="", help="corpus sizes in MB for the peak RSS per format, e.g. 2,20")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--rude", type=float, default=0.2, help="share of staff lines that are forbidden")
    parser.add_argument("--jobs", default="1", help="-j values of the corpus runs, e.g. 1,2")
    parser.add_argument("--first-runs", type=int, default=3, help="first runs (empty cache) of each checkout")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in (args.checkout or [Path(".")])]
    sizes = [float(x) for x in args.mb.split(",") if x]
    formats = [f for f in args.formats.split(",") if f]
    jobs = [j for j in args.jobs.split(",") if j]
    corpora = []
    for mb in sizes:
        path = OUT / f"cold-corpus-{mb:g}mb-{args.rude:g}.txt"
        if not path.exists():
            print(f"generating {path} …", flush=True)
            make_corpus(path, mb, rude=args.rude)
        corpora.append(path)

    results: dict[str, object] = {"load_before": os.getloadavg(), "runs": args.runs, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="phraselint-cold-") as root:
        envs = []
        for k, _checkout in enumerate(checkouts):
            env = dict(os.environ, XDG_CACHE_HOME=os.path.join(root, str(k)), NO_COLOR="1")
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            envs.append(env)

        def cli(k: int) -> list[str]:
            return [sys.executable, str(checkouts[k] / "cli.py")]

        cold: list[list[tuple[float, float, int]]] = [[] for _ in checkouts]
        for attempt in range(args.runs + 2):
            for k in range(len(checkouts)):
                wall, cpu, rss, _ = run([*cli(k), "check", "-"], envs[k], (args.text + "\n").encode())
                if attempt > 1:  # the first runs of each fill its cache (and its bytecode)
                    cold[k].append((wall, cpu, rss))
        first: list[list[tuple[float, float, int]]] = [[] for _ in checkouts]
        for attempt in range(args.first_runs):
            for k in range(len(checkouts)):
                env = dict(envs[k], XDG_CACHE_HOME=os.path.join(root, f"first-{k}-{attempt}"))
                wall, cpu, rss, _ = run([*cli(k), "check", "-"], env, (args.text + "\n").encode())
                first[k].append((wall, cpu, rss))
                shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
        tokenizer: list[list[float]] = [[] for _ in checkouts]
        for _attempt in range(args.runs):
            for k, checkout in enumerate(checkouts):
                env = dict(envs[k], PYTHONPATH=str(checkout))
                # in the checkout's folder: `python -c` puts the working folder first on the path, before
                # PYTHONPATH (from another folder both checkouts would measure that folder's phraselint)
                _, _, _, out = run([sys.executable, "-c", TOKENIZER_FIRST_USE], env, cwd=str(checkout))
                tokenizer[k].append(float(out))
        corpus_runs: list[dict[str, list[tuple[float, int]]]] = [{} for _ in checkouts]
        for path in corpora:
            for fmt in formats:
                for j in jobs:
                    name = f"{path.stat().st_size / 1e6:.0f}MB --format {fmt} -j {j}"
                    for _attempt in range(args.runs):
                        for k in range(len(checkouts)):
                            argv = [*cli(k), "check", "-j", j, "--exit-zero", "--format", fmt, str(path)]
                            wall, _cpu, rss, _ = run(argv, envs[k])
                            corpus_runs[k].setdefault(name, []).append((wall, rss))
                    for k, checkout in enumerate(checkouts):
                        walls = [w for w, _ in corpus_runs[k][name]]
                        peaks = [r / 1024 for _, r in corpus_runs[k][name]]
                        print(
                            f"{checkout}: {name}: {median(walls):.1f} s, peak RSS {median(peaks):.0f} MB "
                            f"(max {max(peaks):.0f})",
                            flush=True,
                        )

    results["load_after"] = os.getloadavg()
    for k, checkout in enumerate(checkouts):
        walls = [w for w, _, _ in cold[k]]
        cpus = [c for _, c, _ in cold[k]]
        peaks = [r / 1024 for _, _, r in cold[k]]
        first_peaks = [r / 1024 for _, _, r in first[k]]
        figures = {
            "first_run_wall_median_s": median([w for w, _, _ in first[k]]) if first[k] else None,
            "first_run_cpu_median_s": median([c for _, c, _ in first[k]]) if first[k] else None,
            "first_run_peak_rss_mb": round(statistics.median(first_peaks), 1) if first_peaks else None,
            "first_run_peak_rss_max_mb": round(max(first_peaks), 1) if first_peaks else None,
            "cold_start_wall_median_s": median(walls),
            "cold_start_wall_best_s": round(min(walls), 4),
            "cold_start_cpu_median_s": median(cpus),
            "cold_start_peak_rss_mb": round(statistics.median(peaks), 1),
            "first_tokenizer_use_median_s": median(tokenizer[k]),
            "corpus": {
                name: {
                    "wall_median_s": median([w for w, _ in runs]),
                    "peak_rss_median_mb": round(statistics.median([r / 1024 for _, r in runs]), 1),
                    "peak_rss_max_mb": round(max(r / 1024 for _, r in runs), 1),
                }
                for name, runs in corpus_runs[k].items()
            },
        }
        results[str(checkout)] = figures
        if first_peaks:
            print(
                f"{checkout}: first run (empty cache) median {figures['first_run_wall_median_s']:.2f} s wall, "
                f"{figures['first_run_cpu_median_s']:.2f} s CPU, peak RSS of the largest process "
                f"{figures['first_run_peak_rss_mb']:.0f} MB (max {figures['first_run_peak_rss_max_mb']:.0f}; "
                f"{len(first[k])} runs)"
            )
        print(
            f"{checkout}: cold start median {figures['cold_start_wall_median_s']:.3f} s wall "
            f"(best {figures['cold_start_wall_best_s']:.3f}), {figures['cold_start_cpu_median_s']:.3f} s CPU, "
            f"peak RSS {figures['cold_start_peak_rss_mb']:.0f} MB; first tokenizer use "
            f"{figures['first_tokenizer_use_median_s']:.3f} s ({args.runs} runs each)"
        )
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cold.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
