"""Benchmark of `phraselint check -j` (issue 13): one large file, and many files, -j 1 against -j N. Never part
of the test suite.

    python benchmarks/bench_jobs.py [--mb 20] [--files 24] [--jobs 1,2] [--runs 3] [--rude 0.02] [--turns devsets]

On the corpus of bench_check.py (realistic labelled transcripts; ``--rude``: the share of staff lines that are
forbidden, 0.02 real, 0.2 dense), about ``--mb`` MB; or with ``--turns devsets`` a labelled transcript of the
development sets' utterances (tests/devsets/), each turn said once and then once more with a number after it, so
that no two turns are alike (bench_check.py's corpus repeats its turns: 2,476 distinct in 150,000 lines, and
workers that each check their own share of them redo one another's work):

- one file of the whole corpus, checked with each ``--jobs`` (a large file is cut into parts);
- the same lines in ``--files`` files, checked with each ``--jobs`` (files spread over the workers);

each ``--runs`` times, the job counts alternating so that a busy machine weighs on all of them alike. Reported:
the best and the median wall time of each, the CPU time of all its processes, the speed-up of -j N over -j 1 (best against best, median against
median), the efficiency (speed-up / N), the peak RSS of the largest process, the load average before and after
(the machine may be shared), and whether every -j printed exactly what -j 1 printed.

Results go to stdout and benchmarks/out/jobs.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_check import OUT, make_corpus  # noqa: E402


def run(checkout: Path, args: list[str]) -> tuple[float, int, int, str, float]:
    """`phraselint` of ``checkout`` run with ``args``: seconds, exit code, peak RSS (MB) of the largest
    process, a digest of what it printed, and the CPU seconds of all its processes (on a shared machine, what
    it cost apart from what it waited for)."""
    cmd = [sys.executable, str(checkout / "cli.py"), *args]
    code = (
        "import hashlib,resource,subprocess,sys,time;t=time.perf_counter();"
        "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.PIPE);"
        "d=hashlib.sha256(p.stdout+b'\\0'+p.stderr).hexdigest();"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(time.perf_counter()-t,p.returncode,u.ru_maxrss,d,u.ru_utime+u.ru_stime)"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, check=True, text=True)
    seconds, rc, rss, digest, cpu = out.stdout.split()
    return float(seconds), int(rc), int(rss) // 1024, digest, float(cpu)


def split_corpus(corpus: Path, files: int) -> Path:
    parts = corpus.with_name(f"{corpus.stem}-{files}-files")
    if not parts.exists():
        parts.mkdir()
        lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
        step = len(lines) // files + 1
        for i in range(0, len(lines), step):
            (parts / f"part-{i // step:03d}.txt").write_text("".join(lines[i : i + step]), encoding="utf-8")
    return parts


def distinct_corpus(path: Path) -> None:
    """A labelled transcript of the development sets' utterances, every turn distinct (see the module's doc)."""
    import random

    import devsets

    texts = [" ".join(t.split()) for _e, _c, _p, t in devsets.load("all")]
    random.Random(1).shuffle(texts)
    turns = texts + [f"{t}（{i}）" for i, t in enumerate(texts)]
    lines = [("客服：" if i % 2 == 0 else "客户：") + t for i, t in enumerate(turns)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(checkout: Path, target: Path, jobs: list[int], runs: int, fmt: str) -> dict[str, object]:
    times: dict[int, list[float]] = {j: [] for j in jobs}
    cpu: dict[int, list[float]] = {j: [] for j in jobs}
    rss: dict[int, int] = dict.fromkeys(jobs, 0)
    digests: dict[int, set[str]] = {j: set() for j in jobs}
    for _ in range(runs):
        for j in jobs:
            seconds, _rc, peak, digest, used = run(
                checkout, ["check", "-q", "--format", fmt, "-j", str(j), str(target)]
            )
            times[j].append(seconds)
            cpu[j].append(used)
            rss[j] = max(rss[j], peak)
            digests[j].add(digest)
            print(f"  {target.name} -j {j}: {seconds:.2f} s, {used:.2f} s CPU, {peak} MB", flush=True)
    base = jobs[0]
    out: dict[str, object] = {"identical_output": len(set().union(*digests.values())) == 1}
    for j in jobs:
        best, median = min(times[j]), statistics.median(times[j])
        out[f"j{j}"] = {
            "best_s": round(best, 3),
            "median_s": round(median, 3),
            "all_s": [round(t, 3) for t in times[j]],
            "cpu_s_median": round(statistics.median(cpu[j]), 3),
            "peak_rss_mb": rss[j],
            "speedup_best": round(min(times[base]) / best, 3),
            "speedup_median": round(statistics.median(times[base]) / median, 3),
            "efficiency_best": round(min(times[base]) / best / (j / base), 3),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=20.0, help="size of the corpus (MB)")
    parser.add_argument("--files", type=int, default=24, help="how many files the corpus is split into")
    parser.add_argument("--jobs", default="1,2", help="job counts to compare, the first the reference")
    parser.add_argument("--runs", type=int, default=3, help="runs of each")
    parser.add_argument("--rude", type=float, default=0.02, help="share of staff lines that are forbidden")
    parser.add_argument("--format", default="jsonl", help="output format")
    parser.add_argument(
        "--turns",
        choices=["corpus", "devsets"],
        default="corpus",
        help="bench_check.py's corpus (--mb, --rude), or the development sets' utterances, every turn distinct",
    )
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="measure the phraselint of this directory (git archive of a commit)",
    )
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    jobs = [int(j) for j in args.jobs.split(",")]

    if args.turns == "devsets":
        corpus = OUT / "corpus-devsets-distinct.txt"
        OUT.mkdir(exist_ok=True)
        distinct_corpus(corpus)  # (written again each time, and so are its parts: the sets grow)
        shutil.rmtree(corpus.with_name(f"{corpus.stem}-{args.files}-files"), ignore_errors=True)
    else:
        corpus = OUT / f"corpus-{int(args.mb)}mb-{args.rude:g}.txt"
        if not corpus.exists():
            print(f"generating {corpus} …", flush=True)
            make_corpus(corpus, args.mb, rude=args.rude)
    results: dict[str, object] = {
        "corpus_mb": round(corpus.stat().st_size / 1e6, 2),
        "turns": args.turns,
        "rude": args.rude if args.turns == "corpus" else None,
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest()[:16],
        "checkout": str(checkout),
    }
    print("one file:", flush=True)
    results["one_file"] = measure(checkout, corpus, jobs, args.runs, args.format)
    print(f"{args.files} files:", flush=True)
    results["many_files"] = measure(checkout, split_corpus(corpus, args.files), jobs, args.runs, args.format)
    results["load_after"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    (OUT / ("jobs.json" if checkout == ROOT else f"jobs-{checkout.name}.json")).write_text(
        json.dumps(results, indent=2), encoding="utf-8"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
