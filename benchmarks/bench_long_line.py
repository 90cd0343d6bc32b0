"""Findings on one long line: time and memory of `phraselint check` as the line grows (issue 12, item 2).

    python benchmarks/bench_long_line.py --chars 250000,500000,1000000 --every 50000

Generates one labelled line of clean sentences with a forbidden phrase every ``--every`` characters, runs
`phraselint check --format json` on it in a fresh process per size, and reports the wall time, the peak RSS,
the size of the JSON written, and how much of the time the engine (``Linter.check``) took, measured in-process
with the same line. Linear cost: time, memory and output grow in proportion to the line and the findings.
Results are printed and written to benchmarks/out/long_line.json.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CLEAN = ("今天天气很好。", "请您出示证件。", "谢谢配合，", "我们来办理业务。", "材料已经收到了，")
FORBIDDEN = "不知道。"


def long_line(chars: int, every: int, seed: int = 1) -> tuple[str, int]:
    rng = random.Random(seed)
    parts: list[str] = []
    size = findings = 0
    while size < chars:
        run = 0
        while run < every:
            sentence = rng.choice(CLEAN)
            parts.append(sentence)
            run += len(sentence)
        parts.append(FORBIDDEN)
        size += run + len(FORBIDDEN)
        findings += 1
    return "工作人员：" + "".join(parts) + "\n", findings


def run_cli(path: Path) -> dict[str, float]:
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "out = subprocess.run([sys.executable, sys.argv[1], 'check', '--format', 'json', '--isolated', sys.argv[2]],"
        " capture_output=True)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, len(out.stdout))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "cli.py"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, rss_kb, written = done.stdout.split()
    return {"cli_s": float(seconds), "peak_rss_mb": int(rss_kb) / 1024, "json_mb": int(written) / 1e6}


def engine_seconds(text: str) -> float:
    from phraselint.engine.linter import Linter

    linter = Linter()
    start = time.perf_counter()
    linter.check(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", default="250000,500000,1000000")
    parser.add_argument("--every", type=int, default=50000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for chars in (int(x) for x in args.chars.split(",")):
        text, findings = long_line(chars, args.every)
        path = OUT / f"long_line_{chars}.txt"
        path.write_text(text, encoding="utf-8")
        row = {"chars": chars, "findings": findings, **run_cli(path), "engine_s": engine_seconds(text[5:])}
        results.append(row)
        print(json.dumps(row), flush=True)
        path.unlink()
    (OUT / "long_line.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("peak RSS of this process (MB):", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":
    main()
