"""Cold start of `echo 不知道 | phraselint check -` for one or more checkouts, alternating, each with its own
warm cache folder (a first run of each, not counted, fills it): median, best and worst of ``--runs``
wall times. Never part of the test suite.

    python benchmarks/bench_cold.py --checkout /tmp/ref --checkout . --runs 11
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, action="append", help="a phraselint checkout (repeatable)")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--text", default="不知道")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in (args.checkout or [Path(".")])]
    with tempfile.TemporaryDirectory(prefix="phraselint-cold-") as root:
        envs = []
        for k, _checkout in enumerate(checkouts):
            env = dict(os.environ, XDG_CACHE_HOME=os.path.join(root, str(k)))
            envs.append(env)
        times: list[list[float]] = [[] for _ in checkouts]
        for run in range(args.runs + 1):
            for k, checkout in enumerate(checkouts):
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, str(checkout / "cli.py"), "check", "-"],
                    input=(args.text + "\n").encode(),
                    capture_output=True,
                    env=envs[k],
                    check=False,
                )
                if run:  # the first run of each fills its cache
                    times[k].append(time.perf_counter() - start)
    for checkout, ts in zip(checkouts, times):
        print(
            f"{checkout}: median {statistics.median(ts):.3f} s, best {min(ts):.3f}, worst {max(ts):.3f} "
            f"({len(ts)} runs)"
        )


if __name__ == "__main__":
    main()
