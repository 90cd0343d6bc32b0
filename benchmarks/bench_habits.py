"""Benchmark of the tool habits (issue 16). Never part of the test suite.

    python benchmarks/bench_habits.py [--lines 2000] [--changes 30] [--mb 20]

- `phraselint lsp`: time from didOpen to the first diagnostics of a Markdown canned-reply library of
  ``--lines`` lines (the server's start and the catalogue's load included: the cache is warmed first), then the
  median and 90th percentile of ``--changes`` edit → publishDiagnostics round trips on it (full-text sync);
- `phraselint check` on ``--mb`` MB of such Markdown: plain, and against a baseline that holds every finding
  (the cost of suppression comments being watched is in both; the baseline's matching in the second).

Results go to stdout and benchmarks/out/habits.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CLEAN = [
    "您好，请问您需要办理什么业务？",
    "请您稍等，我帮您查一下。",
    "这个业务需要带身份证原件和复印件。",
    "您的材料已经受理，预计五个工作日办结。",
    "请您到三号窗口取号，谢谢配合。",
]
FORBIDDEN = ["不知道，你去问别人吧。", "没看我正忙着吗？等一会。", "不知道。"]


def library(lines: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    out = ["# 常见问题话术", ""]
    while len(out) < lines:
        out.append(f"## 问题 {len(out)}")
        out.append(rng.choice(FORBIDDEN) if rng.random() < 0.02 else rng.choice(CLEAN))
        out.append("")
    return "\n".join(out[:lines]) + "\n"


def send(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def receive(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return dict(json.loads(stream.read(length)))


def wait_for(stream: IO[bytes], method: str | None = None, ident: int | None = None) -> dict[str, Any]:
    while True:
        message = receive(stream)
        if (method and message.get("method") == method) or (ident is not None and message.get("id") == ident):
            return message


def bench_lsp(lines: int, changes: int, env: dict[str, str], work: Path) -> dict[str, Any]:
    text = library(lines)
    path = work / "话术.md"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    process = subprocess.Popen(
        [sys.executable, "-m", "phraselint", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert process.stdin and process.stdout
    began = time.perf_counter()
    send(process.stdin, {"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
    wait_for(process.stdout, ident=1)
    send(process.stdin, {"method": "initialized", "params": {}})
    open_params = {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}
    send(process.stdin, {"method": "textDocument/didOpen", "params": open_params})
    first = wait_for(process.stdout, method="textDocument/publishDiagnostics")
    first_s = time.perf_counter() - began
    rounds = []
    body = text.split("\n")
    for version in range(2, changes + 2):
        body[len(body) // 2] = random.Random(version).choice(CLEAN + FORBIDDEN)
        change = {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": "\n".join(body)}],
        }
        t = time.perf_counter()
        send(process.stdin, {"method": "textDocument/didChange", "params": change})
        wait_for(process.stdout, method="textDocument/publishDiagnostics")
        rounds.append(time.perf_counter() - t)
    send(process.stdin, {"id": 2, "method": "shutdown", "params": None})
    wait_for(process.stdout, ident=2)
    send(process.stdin, {"method": "exit", "params": {}})
    process.wait(timeout=30)
    rounds.sort()
    return {
        "lines": lines,
        "diagnostics": len(first["params"]["diagnostics"]),
        "start_to_first_diagnostics_s": round(first_s, 3),
        "change_round_trip_median_ms": round(1000 * statistics.median(rounds), 1),
        "change_round_trip_p90_ms": round(1000 * rounds[int(0.9 * (len(rounds) - 1))], 1),
    }


def bench_check(mb: int, env: dict[str, str], work: Path) -> dict[str, Any]:
    one = library(2000)
    corpus = work / "corpus.md"
    corpus.write_text(one * max(1, int(mb * 1e6 / len(one.encode("utf-8")))), encoding="utf-8")
    size_mb = corpus.stat().st_size / 1e6
    cli = [sys.executable, "-m", "phraselint", "check", "-q", "--format", "jsonl"]

    def timed(*args: str) -> float:
        t = time.perf_counter()
        subprocess.run([*cli, *args, str(corpus)], env=env, cwd=work, stdout=subprocess.DEVNULL, check=False)
        return time.perf_counter() - t

    plain = min(timed() for _ in range(3))
    subprocess.run(
        [*cli, "--write-baseline", "--baseline", "b.json", str(corpus)], env=env, cwd=work, check=True
    )
    with_baseline = min(timed("--baseline", "b.json") for _ in range(3))
    return {
        "mb": round(size_mb, 1),
        "check_s": round(plain, 2),
        "check_mb_per_s": round(size_mb / plain, 2),
        "check_with_baseline_s": round(with_baseline, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--mb", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "XDG_CONFIG_HOME": str(work / "config")}
        subprocess.run(
            [sys.executable, "-m", "phraselint", "check", "-"], input=b"x\n", env=env, capture_output=True
        )  # warm the catalogue's cache, as a user's second run finds it
        results = {
            "lsp": bench_lsp(options.lines, options.changes, env, work),
            "check": bench_check(options.mb, env, work),
        }
    OUT.mkdir(exist_ok=True)
    (OUT / "habits.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
