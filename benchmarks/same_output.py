"""What `phraselint check` prints, recorded over many inputs and every output format, and compared byte for byte
with a recording of another checkout (issue 13: speed work must not change one byte of output). Never part of
the test suite.

    git archive <commit> | tar -x -C /tmp/ref
    python benchmarks/same_output.py --checkout /tmp/ref --name ref        # record the reference
    python benchmarks/same_output.py --name new --against ref              # record this checkout, compare

The inputs: every transcript of tests/fixtures/ (alone, and with --conversation), standard input, and a
generated corpus (bench_check.py's, with ``--rude`` of the staff lines forbidden) written as labelled text,
JSON Lines and SRT. Each is checked with every output format (text, json, jsonl, github, sarif) and with
-j 1 and -j 2 (a large file is cut into parts). The first run starts with an empty cache folder, the rest
share one, so a cold and a warm cache are both seen. Recorded per case: standard output, standard error and
the exit code, in benchmarks/out/same-<name>/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_check import OUT, jsonl_and_srt, make_corpus  # noqa: E402

FORMATS = ("text", "json", "jsonl", "github", "sarif")
FIXTURES = ROOT / "tests" / "fixtures"


def corpus_files(megabytes: float, rude: float) -> list[Path]:
    """The generated corpus as labelled text, JSON Lines and SRT (same utterances)."""
    labelled = OUT / f"same-corpus-{megabytes:g}mb-{rude:g}.txt"
    if not labelled.exists():
        make_corpus(labelled, megabytes, rude=rude)
    return [labelled, *jsonl_and_srt(labelled)]


def cases(megabytes: float, rude: float) -> list[tuple[str, list[str], bytes | None]]:
    """(name, arguments of `phraselint`, standard input) for every case."""
    out: list[tuple[str, list[str], bytes | None]] = []
    fixtures = sorted(
        p
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix not in (".expected", ".fixed") and "exports" not in p.parts
    )
    for fmt in FORMATS:
        for path in fixtures:
            rel = path.relative_to(FIXTURES).as_posix().replace("/", "__")
            out.append((f"fixture-{rel}-{fmt}", ["check", "--format", fmt, "-j", "1", str(path)], None))
            out.append(
                (
                    f"fixture-{rel}-conversation-{fmt}",
                    ["check", "--conversation", "--format", fmt, "-j", "1", str(path)],
                    None,
                )
            )
        out.append((f"fixtures-dir-{fmt}", ["check", "--format", fmt, "-j", "2", str(FIXTURES)], None))
        for text in ("不知道", "不曉得啦", "您好，请稍等。", "这个我也不清楚你自己去问"):
            out.append((f"stdin-{text}-{fmt}", ["check", "--format", fmt, "-"], (text + "\n").encode()))
    for path in corpus_files(megabytes, rude):
        for fmt in FORMATS:
            for jobs in ("1", "2"):
                out.append(
                    (
                        f"corpus{path.suffix}-{fmt}-j{jobs}",
                        ["check", "--format", fmt, "-j", jobs, str(path)],
                        None,
                    )
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the phraselint to run (a directory)")
    parser.add_argument("--name", required=True, help="name of this recording")
    parser.add_argument("--against", help="compare with this earlier recording")
    parser.add_argument("--mb", type=float, default=4.0, help="size of the generated corpus (MB)")
    parser.add_argument("--rude", type=float, default=0.2, help="share of staff lines that are forbidden")
    args = parser.parse_args()

    record = OUT / f"same-{args.name}"
    record.mkdir(parents=True, exist_ok=True)
    cli = args.checkout.resolve() / "cli.py"
    with tempfile.TemporaryDirectory(prefix="phraselint-same-") as cache:
        env = dict(os.environ, XDG_CACHE_HOME=cache, NO_COLOR="1")
        env.pop("FORCE_COLOR", None)
        all_cases = cases(args.mb, args.rude)
        for i, (name, argv, stdin) in enumerate(all_cases, 1):
            done = subprocess.run(
                [sys.executable, str(cli), *argv], input=stdin or b"", capture_output=True, env=env, cwd=ROOT
            )
            (record / f"{name}.out").write_bytes(done.stdout)
            (record / f"{name}.err").write_bytes(done.stderr)
            (record / f"{name}.rc").write_text(str(done.returncode))
            print(
                f"[{i}/{len(all_cases)}] {name}: exit {done.returncode}, {len(done.stdout)} bytes", flush=True
            )
    if args.against:
        reference = OUT / f"same-{args.against}"
        mine = sorted(p.name for p in record.iterdir())
        theirs = sorted(p.name for p in reference.iterdir())
        differ = [
            n for n in mine if n in theirs and (record / n).read_bytes() != (reference / n).read_bytes()
        ]
        missing = sorted(set(mine) ^ set(theirs))
        for name in differ:
            print(f"DIFFERS: {name}")
        for name in missing:
            print(f"ONLY IN ONE: {name}")
        print(
            f"{len(mine)} files compared with {args.against}: {len(differ)} differ, {len(missing)} unmatched"
        )
        sys.exit(1 if differ or missing else 0)


if __name__ == "__main__":
    main()
