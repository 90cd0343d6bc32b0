"""The pre-send check of two checkouts timed side by side in one process, message by message (issue 13).
Never part of the test suite.

    git archive main | tar -x -C /tmp/main && python benchmarks/presend_paired.py --checkout /tmp/main
    python benchmarks/presend_paired.py --checkout /tmp/main --messages 4000 --sets flagged,devsets,all

On the shared machine two runs of one checkout a minute apart differ by a third, far more than most changes of
the per-candidate path; timed in turn in one process, each message by both (the order alternating), the two
meet the same load. Each checkout's ``phraselint`` package is copied under another name (its imports are
relative) beside the rules of this checkout, a linter of each is built and warmed as the service warms it,
and every message is fresh to both: its violations, rewrites and alternatives are worked out, not remembered.

Messages: ``flagged``, bench_serve.py's messages that have a violation (the issue's target, p99 <= 0.3 ms);
``devsets``, the forbidden utterances of 35-65 characters of tests/devsets/rude-*.yml that are flagged; ``all``,
bench_serve.py's messages (60% clean). Printed per set: p50 / p90 / p99 / mean of each checkout, the ratio of
the means, and whether the answers (PreSend.check as JSON) were identical for every message; then the same
figures in CPU time of the thread (``cpu``): on a shared machine the wall clock's tail is mostly the time the
process waited for a core, which no change of the code moves.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def messages(kind: str, count: int) -> list[str]:
    from bench_serve import devset_messages, make_messages

    from phraselint.engine.linter import Linter

    found = (
        make_messages(count * 3 if kind == "flagged" else count) if kind != "devsets" else devset_messages()
    )
    found = list(dict.fromkeys(found))
    if kind != "all":
        linter = Linter()  # (this checkout's, in this process: the timed ones have their own caches)
        found = [m for m in found if linter.check(m)]
    return found[:count]


def percentile(ordered: list[int], q: float) -> float:
    """The ``q`` quantile of sorted nanoseconds, in milliseconds (as bench_serve.py picks it)."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6


def presend(package: str) -> tuple[Any, Any]:
    files = importlib.import_module(f"{package}.check.files")
    rule_tests = importlib.import_module(f"{package}.data.rule_tests")
    linter_module = importlib.import_module(f"{package}.engine.linter")
    server = importlib.import_module(f"{package}.service.server")
    linter = linter_module.Linter(rule_tests.load_verified())
    server.warm(linter)
    return server.PreSend(linter, files.Roles.build(linter)), server.Message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkout", type=Path, required=True, help="the phraselint to compare with")
    parser.add_argument("--messages", type=int, default=4000, help="messages of each set, at most")
    parser.add_argument("--sets", default="flagged,devsets", help="of flagged, devsets, all")
    args = parser.parse_args()
    sets = {kind: messages(kind, args.messages) for kind in args.sets.split(",")}
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(args.checkout / "phraselint", Path(folder) / "phraselint_other")
        shutil.copytree(ROOT / "phraselint", Path(folder) / "phraselint_this")
        (Path(folder) / "rules").symlink_to(ROOT / "rules")
        sys.path.insert(0, folder)
        sides = {"other": presend("phraselint_other"), "this": presend("phraselint_this")}
        for kind, texts in sets.items():
            times: dict[str, list[int]] = {name: [] for name in sides}
            cpu: dict[str, list[int]] = {name: [] for name in sides}
            identical = True
            for k, text in enumerate(texts):
                answers = []
                for name in list(sides) if k % 2 == 0 else list(sides)[::-1]:
                    check, message = sides[name]
                    start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
                    answer = check.check(message(text))
                    cpu[name].append(time.thread_time_ns() - start_cpu)
                    times[name].append(time.perf_counter_ns() - start)
                    answers.append(json.dumps(answer, ensure_ascii=False, sort_keys=True, default=str))
                identical = identical and answers[0] == answers[1]
            for clock, measured in (("", times), (" cpu", cpu)):
                for name, samples in measured.items():
                    ordered = sorted(samples)
                    p50, p90, p99 = (percentile(ordered, q) for q in (0.5, 0.9, 0.99))
                    print(
                        f"{kind:8s} {name:5s}{clock} n={len(ordered)} p50 {p50:.3f} p90 {p90:.3f} p99 {p99:.3f} "
                        f"mean {statistics.fmean(ordered) / 1e6:.3f} ms"
                    )
                ratio = statistics.fmean(measured["this"]) / statistics.fmean(measured["other"])
                print(f"{kind:8s} this/other{clock} mean {ratio:.3f}")
            print(f"{kind:8s} answers identical: {identical}")


if __name__ == "__main__":
    main()
