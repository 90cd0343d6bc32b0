"""Where the pre-send check's time goes (issue 13: p99 <= 0.3 ms on 50-character messages with a violation).
Never part of the test suite; nothing here is timed in a test.

    python benchmarks/presend_cold.py [--messages 3000] [--freeze]

bench_serve.py's messages, each checked once by the service's ``PreSend.check`` as a running service checks a
new message (the linter built and warmed as ``phraselint serve`` warms it); for those with a violation:

- wall and CPU time of the thread (p50 / p95 / p99 / mean): on the shared machine the wall clock's tail is the
  time the process waited for a core, which no change of the code moves;
- CPU per flagged message of each stage (all messages' checks, over the flagged ones) (the tone model's ``worst``, the turn model's ``score``, the bag test, the
  antipatterns, the rewrites with their checks, the alternatives…), nested stages counted in each;
- the garbage collector's pauses over the run (``--freeze``: with ``gc.freeze()`` after the warm-up).
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def figures(samples: list[int]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6, 3)  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": pick(0.5),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ordered) / 1e6, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the warm-up")
    args = parser.parse_args()

    from bench_serve import make_messages

    from phraselint.check.files import Roles
    from phraselint.data.rule_tests import load_verified
    from phraselint.engine import find, tone
    from phraselint.engine import linter as linter_module
    from phraselint.service.server import Message, PreSend, warm

    messages = make_messages(args.messages, seed=args.seed)
    linter = linter_module.Linter(load_verified())
    warm(linter)
    presend = PreSend(linter, Roles.build(linter))

    spent: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()

    def stage(owner: Any, name: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(inner)
        def timed(*a: Any, **k: Any) -> Any:
            start = time.thread_time_ns()
            try:
                return inner(*a, **k)
            finally:
                spent[label] += time.thread_time_ns() - start
                calls[label] += 1

        setattr(owner, name, timed)

    for owner, name, label in (
        (linter_module.Linter, "_pattern_hits", "patterns (all of it)"),
        (find.Finder, "viable", "patterns: bag test"),
        (find.Finder, "anchored", "patterns: anchors"),
        (linter_module, "fold_with_map", "patterns: mapped fold"),
        (linter_module.Linter, "_excused", "patterns: antipatterns and context"),
        (linter_module.Linter, "_tone_hit", "tone (all of it)"),
        (tone.ToneModel, "worst", "tone: ToneModel.worst"),
        (tone.TurnModel, "score", "tone: TurnModel.score"),
        (linter_module, "explain", "explain"),
        (linter_module.Linter, "_rewrite", "rewrites with their checks"),
        (linter_module.Linter, "alternatives", "alternatives (all of it)"),
    ):
        stage(owner, name, label)

    if args.freeze:
        gc.collect()
        gc.freeze()
    pauses: list[tuple[int, int]] = []
    began = [0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter_ns()
        else:
            pauses.append((info["generation"], time.perf_counter_ns() - began[0]))

    gc.callbacks.append(watch)
    wall: list[int] = []
    cpu: list[int] = []
    for text in messages:
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        answer = presend.check(Message(text))
        cpu_ns, wall_ns = time.thread_time_ns() - start_cpu, time.perf_counter_ns() - start
        if not answer["violations"]:
            continue
        wall.append(wall_ns)
        cpu.append(cpu_ns)
    gc.callbacks.remove(watch)
    flagged = len(cpu)
    by_generation: dict[int, list[int]] = collections.defaultdict(list)
    for generation, ns in pauses:
        by_generation[generation].append(ns)
    result = {
        "messages": len(messages),
        "flagged": flagged,
        "freeze": args.freeze,
        "wall": figures(wall),
        "cpu": figures(cpu),
        # (of all messages, the clean ones too, over the flagged ones; nested stages in each)
        "stages_cpu_ms_per_flagged_message": {
            label: {"ms": round(ns / flagged / 1e6, 3), "calls": calls[label]}
            for label, ns in spent.most_common()
        },
        "gc_pauses": {
            str(g): {"count": len(v), "total_ms": round(sum(v) / 1e6, 2), "max_ms": round(max(v) / 1e6, 2)}
            for g, v in sorted(by_generation.items())
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "presend_cold.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
