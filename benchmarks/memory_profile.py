"""Where the memory of `phraselint check` goes (issue 13: peak RSS at most 200 MB). Never part of the test suite.

    python benchmarks/memory_profile.py                          # the load steps, in this interpreter
    python benchmarks/memory_profile.py --check FILE [-- ARGS]   # and a whole check of FILE, in process
    python benchmarks/memory_profile.py --check FILE --first-run # …with an empty cache folder (a first run)

Two parts, each in a fresh interpreter of its own (a child process), with the cache folder of the environment
(run once first so that it is filled: a first run builds every cached value and says nothing of a normal run):

- ``steps``: resident memory (RSS), memory held through malloc (C, C++ and Rust libraries, and Python objects
  over 512 bytes; glibc's mallinfo2) and memory of Python objects (tracemalloc, with ``--python``: it slows the
  steps and adds its own) after each step of what a check loads: the imports, the catalogue, the Linter (the
  finder's automata, the tone model, the context, the antipatterns), the tone model's arrays, OpenCC's
  converters (t2s, which every traditional line needs, then s2t, s2tw and s2hk, which script detection and
  rewrites into traditional script need), the tokenizer (for word edges).
- ``check``: ``phraselint check`` of FILE in process, with every RE2 expression the engine compiles counted:
  how many, what compiling them held (their programs) and what running them held (the reverse programs and
  the DFA states RE2 keeps for each expression; see below), next to the peak RSS of the whole check.

With ``--first-run`` the check runs with a new, empty cache folder, as after an install or a change of the rules:
the check then starts a child process that builds every cached value and runs the catalogue's examples
(command_line._first_run_in_child); the peak RSS of the check's own process and that of the child are reported
apart (issue 13: each at most 200 MB), with the check's RSS when the child started (both are alive then).

RE2 keeps, for each compiled expression, its program, the reverse program (compiled at the first search that
has to find where a longest match starts) and each DFA's work queues and the states met so far, and frees them
only with the expression. The catalogue compiles some 2,100 expressions (each with the lexicon's filler words
between its tokens), lazily, as lines need them: on a transcript dense in candidates they all end up compiled
and run. With RE2's default budget (8 MB an expression) they held 70-90 MB, the largest single item of a
check's memory; engine/pattern.py gives each a small budget first (the NFA where a DFA does not fit in it) and
the default one only to an expression run often or on a long text: some 20 MB (13 of them the programs).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    ]


def _libc_mallinfo() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        libc.mallinfo2()
    except (OSError, AttributeError):  # not glibc, or a glibc older than 2.33
        return None
    return libc.mallinfo2


_MALLINFO = _libc_mallinfo()


def malloc_mb() -> float:
    """Memory held through malloc now (in use, in the heap and in mmapped chunks), MB; -1 where unknown."""
    if _MALLINFO is None:
        return -1.0
    info = _MALLINFO()
    return (info.uordblks + info.hblkhd) / 2**20


def status_mb(field: str) -> float:
    """A field of /proc/self/status (VmRSS: resident now, VmHWM: the peak), MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return -1.0


def steps(python: bool) -> list[dict[str, Any]]:
    import tracemalloc

    if python:
        tracemalloc.start()
    rows: list[dict[str, Any]] = []
    start = time.perf_counter()

    def step(name: str) -> None:
        rows.append(
            {
                "step": name,
                "rss_mb": round(status_mb("VmRSS"), 1),
                "malloc_mb": round(malloc_mb(), 1),
                "python_mb": round(tracemalloc.get_traced_memory()[0] / 2**20, 1) if python else None,
                "seconds": round(time.perf_counter() - start, 3),
            }
        )

    step("interpreter")
    import phraselint.cli.commands  # noqa: F401 - what `phraselint check` imports first
    import phraselint.command_line  # noqa: F401

    step("imports")
    from phraselint.data.catalogue import load_catalogue

    catalogue = load_catalogue(())
    step("catalogue")
    from phraselint.engine.linter import Linter

    linter = Linter(catalogue)
    step("Linter (finder, automata, tone model, context, antipatterns)")
    tone = linter._tone
    if tone is not None:
        tone._lookup  # noqa: B018 - built (or read from the cache) on first use
    step("tone model's arrays")
    from phraselint.engine.script import converter

    converter("t2s")
    step("OpenCC t2s")
    for config in ("s2t", "s2tw", "s2hk"):
        converter(config)
    step("OpenCC s2t, s2tw, s2hk")
    from phraselint.engine.words import tokenizer

    tokenizer().cut("我们中出了一个叛徒", HMM=False)
    step("tokenizer")
    return rows


def check(argv: list[str]) -> dict[str, Any]:
    import phraselint.engine.pattern as pattern

    counts = {"expressions": 0, "compile_mb": 0.0, "run_mb": 0.0, "runs": 0, "scanned_mb": 0.0}
    compile_ = pattern._compile

    def counted(expr: str) -> Any:
        before = malloc_mb()
        run = compile_(expr)
        counts["expressions"] += 1
        counts["compile_mb"] += malloc_mb() - before

        def measured(text: str) -> list[tuple[int, int]]:
            before = malloc_mb()
            out = run(text)
            counts["run_mb"] += malloc_mb() - before
            counts["runs"] += 1
            counts["scanned_mb"] += len(text.encode("utf-8")) / 2**20
            return out

        return measured

    pattern._compile = counted  # type: ignore[assignment]
    at_child: list[float] = []  # this process's RSS when a first run's child started
    import subprocess

    run_child = subprocess.run

    def noted(*args: Any, **kwargs: Any) -> Any:
        at_child.append(status_mb("VmRSS"))
        return run_child(*args, **kwargs)

    subprocess.run = noted  # type: ignore[assignment]
    from phraselint.cli.commands import main

    sys.argv = ["phraselint", "check", *argv]
    start = time.perf_counter()
    try:
        main(prog_name="phraselint")
    except SystemExit:
        pass
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child's peak (KiB)
    return {
        "seconds": round(time.perf_counter() - start, 2),
        "peak_rss_mb": round(status_mb("VmHWM"), 1),
        "child_peak_rss_mb": round(children, 1) if at_child else None,
        "rss_at_child_mb": round(at_child[0], 1) if at_child else None,
        "rss_mb": round(status_mb("VmRSS"), 1),
        "malloc_mb": round(malloc_mb(), 1),
        "re2": {k: round(v, 1) if isinstance(v, float) else v for k, v in counts.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", metavar="FILE", help="also profile `phraselint check FILE` in process")
    parser.add_argument("--python", action="store_true", help="trace Python's own allocations in the steps")
    parser.add_argument("--first-run", action="store_true", help="the check with an empty cache folder")
    parser.add_argument("--part", choices=("steps", "check"), help=argparse.SUPPRESS)  # a child's part
    parser.add_argument("rest", nargs="*", help="further arguments of `phraselint check` (after --)")
    args = parser.parse_args()
    if args.part == "steps":
        print(json.dumps(steps(args.python)))
        return
    if args.part == "check":
        # the findings go nowhere: only the figures are printed, on standard error
        with open(os.devnull, "w", encoding="utf-8") as sink:
            saved, sys.stdout = sys.stdout, sink
            try:
                result = check(args.rest)
            finally:
                sys.stdout = saved
        print(json.dumps(result))
        return

    def child(*extra: str, env: dict[str, str] | None = None) -> Any:
        argv = [sys.executable, __file__, *extra]
        out = subprocess.run(argv, check=True, capture_output=True, text=True, env=env).stdout
        return json.loads(out.strip().splitlines()[-1])

    previous: dict[str, Any] = {}
    print(
        f"{'step':62} {'RSS':>7} {'+':>5} {'malloc':>7} {'+':>5}" + ("  python     +" if args.python else "")
    )
    for row in child("--part", "steps", *(["--python"] if args.python else [])):
        line = (
            f"{row['step']:62} {row['rss_mb']:7.1f} {row['rss_mb'] - previous.get('rss_mb', 0):5.1f} "
            f"{row['malloc_mb']:7.1f} {row['malloc_mb'] - previous.get('malloc_mb', 0):5.1f}"
        )
        if args.python:
            line += f" {row['python_mb']:7.1f} {row['python_mb'] - previous.get('python_mb', 0):5.1f}"
        print(line)
        previous = row
    if args.check:
        check_argv = ["--part", "check", "--", "-j", "1", "--exit-zero", *args.rest, args.check]
        if args.first_run:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="phraselint-first-run-") as empty:
                result = child(*check_argv, env=dict(os.environ, XDG_CACHE_HOME=empty))
        else:
            result = child(*check_argv)
        re2 = result["re2"]
        first = (
            f"; its child, building the cache: peak RSS {result['child_peak_rss_mb']} MB (started when the "
            f"check held {result['rss_at_child_mb']} MB)"
            if result["child_peak_rss_mb"] is not None
            else ""
        )
        print(
            f"\ncheck {args.check}{' (first run)' if args.first_run else ''}: {result['seconds']} s, peak RSS "
            f"{result['peak_rss_mb']} MB{first} "
            f"(at the end {result['rss_mb']} MB, {result['malloc_mb']} MB of it through malloc)\n"
            f"RE2: {re2['expressions']} expressions compiled, holding {re2['compile_mb']} MB; "
            f"{re2['runs']} runs over {re2['scanned_mb']} MB of text, holding {re2['run_mb']} MB more "
            f"(reverse programs, DFA work queues and states)"
        )


if __name__ == "__main__":
    main()
