"""Benchmark of the pre-send check for chat tools (issue: library, hook and service). Never part of the test
suite; nothing here is timed in a test.

    python benchmarks/bench_serve.py [--messages 20000] [--duration 20] [--connections 8,32] [--burst 20000]
    python benchmarks/bench_serve.py --skip-http --devsets       # the in-process figures only

Messages are realistic staff chat messages of about 50 characters, built from the catalogue's own data and
the neutral business talk of bench_check.py: about 60% clean (standard phrases, ordinary answers), 25% with a
forbidden phrase (a flag example), 15% near misses (pass examples); a fifth in traditional script (plain,
Taiwan and Hong Kong forms). Measured:

- in process: p50 / p99 of one ``Linter.check`` per message (each message once; the engine's own caches as
  they are in a running service), of the same with jieba's per-clause cache emptied before every message
  (the worst case: nothing seen before), and of the service's whole ``PreSend.check`` (check, rewrite, JSON),
  over all messages and over those with a violation only (issue 13's target: p99 <= 0.3 ms on those);
  with ``--devsets``, the same two on the forbidden utterances of 35-65 characters of tests/devsets/rude-*.yml;
- over HTTP on the loopback: ``phraselint serve`` as a subprocess (one uvicorn process), Debian's ``wrk``
  POSTing the messages round robin from a Lua script (one wrk thread, so the server keeps a core of its own):
  requests/s and p50 / p99 latency at a steady load of N connections, and the first request after start-up;
- a burst of bad requests mixed with good ones (malformed JSON, wrong types, invalid UTF-8, oversized bodies,
  wrong routes and methods) through wrk, then raw-socket abuse (a lying Content-Length, a 10 MB chunked body,
  broken request lines, oversized headers, clients that vanish mid-body): the service must stay up, answer
  every bad request with its 4xx, keep its memory bounded, and then answer a good request correctly.

Only 127.0.0.1 is ever contacted. Results go to stdout and benchmarks/out/serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

OUT = ROOT / "benchmarks" / "out"
HOST = "127.0.0.1"  # loopback only, always
TARGET_LENGTH = (42, 58)

# wrk script: POST every line of $BODIES in turn; count the answers by status; print a JSON summary.
WRK_LUA = r"""
local threads = {}
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then
  function delay() return pace end  -- an open-ish loop: each connection waits this long between requests
end
function setup(thread) table.insert(threads, thread) end
function init(args)
  bodies, statuses, i = {}, {}, 0
  for line in io.lines(os.getenv("BODIES")) do
    local path, body = line:match("^(%S+) (.*)$")
    bodies[#bodies + 1] = {path, body}
  end
end
function request()
  i = i % #bodies + 1
  local method = "POST"
  local path, body = bodies[i][1], bodies[i][2]
  if path:sub(1, 4) == "GET:" then method, path, body = "GET", path:sub(5), nil end
  return wrk.format(method, path, {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do counts[k] = (counts[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(counts) do parts[#parts + 1] = string.format('"%d": %d', k, v) end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, table.concat(parts, ", ")))
end
"""


# --- messages ---------------------------------------------------------------------------------------


def make_messages(n: int, seed: int = 11) -> list[str]:
    """``n`` chat messages of about 50 characters (see the module docstring for the mix)."""
    import opencc
    from bench_check import STAFF

    from phraselint.data.catalogue import load_catalogue

    catalogue = load_catalogue()
    clean = [p.text.replace("{", "").replace("}", "") for p in catalogue.standard] + STAFF
    rude = [e for r in catalogue.rules for e in r.flag_examples]
    near = [e for r in catalogue.rules for e in r.pass_examples]
    to_traditional = [opencc.OpenCC(c).convert for c in ("s2t", "s2tw", "s2hk")]
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        roll = rng.random()
        first = rng.choice(rude if roll < 0.25 else near if roll < 0.4 else clean)
        pieces = [first]
        while sum(map(len, pieces)) < TARGET_LENGTH[0]:
            pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(clean))
        message = "".join(pieces)
        if len(message) > TARGET_LENGTH[1]:
            continue
        if rng.random() < 0.2:
            message = rng.choice(to_traditional)(message)
        out.append(message)
    return out


def devset_messages(lo: int = 35, hi: int = 65) -> list[str]:
    """The utterances of tests/devsets/rude-*.yml of ``lo``..``hi`` characters (the forbidden speech of the
    development sets: each is flagged unless the linter misses it)."""
    import yaml

    out: list[str] = []
    for path in sorted((ROOT / "tests" / "devsets").glob("rude-*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out.extend(
            item["text"]
            for item in data.get("items") or []
            if isinstance(item, dict) and lo <= len(str(item.get("text", ""))) <= hi
        )
    return out


# --- in process -------------------------------------------------------------------------------------


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": pick(0.50),
        "p90_ms": pick(0.90),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "max_ms": ordered[-1] / 1e6,
        "mean_ms": statistics.fmean(ordered) / 1e6,
    }


def timed(
    call: Callable[[str], object], messages: list[str], before: Callable[[], None] | None = None
) -> list[int]:
    samples = []
    for message in messages:
        if before is not None:
            before()
        t0 = time.perf_counter_ns()
        call(message)
        samples.append(time.perf_counter_ns() - t0)
    return samples


def bench_in_process(messages: list[str], devsets: bool = False) -> dict[str, Any]:
    from phraselint.check.files import Roles
    from phraselint.data.rule_tests import load_verified
    from phraselint.engine import confirm
    from phraselint.engine.linter import Linter
    from phraselint.service.server import Message, PreSend, warm

    linter = Linter(load_verified())
    warm(linter)
    presend = PreSend(linter, Roles.build(linter))
    half = len(messages) // 2
    flagged = [m for m in messages if linter.check(m)]
    confirm.word_boundaries.cache_clear()
    extra: dict[str, Any] = {}
    if devsets:  # the development sets' forbidden utterances of 35-65 characters that are flagged
        rude = [m for m in devset_messages() if linter.check(m)]
        extra = {
            "devsets_flagged": len(rude),
            "devsets_mean_length": statistics.fmean(map(len, rude)),
            "devsets_linter_check": percentiles(timed(linter.check, rude)),
            "devsets_presend_check": percentiles(timed(lambda m: presend.check(Message(m)), rude)),
        }
    return {
        **extra,
        "messages": len(messages),
        "mean_length": statistics.fmean(map(len, messages)),
        "with_violations": len(flagged),
        "linter_check": percentiles(timed(linter.check, messages[:half])),
        "linter_check_flagged_only": percentiles(timed(linter.check, flagged)),
        "linter_check_no_jieba_cache": percentiles(
            timed(linter.check, messages[half:], confirm.word_boundaries.cache_clear)
        ),
        "presend_check": percentiles(timed(lambda m: presend.check(Message(m)), messages)),
        # the target (issue 13: p99 of the pre-send check on 50-character messages with a violation)
        "presend_check_flagged_only": percentiles(timed(lambda m: presend.check(Message(m)), flagged)),
    }


# --- the service as a subprocess --------------------------------------------------------------------


class Service:
    """``phraselint serve`` on 127.0.0.1, on a port the system picks."""

    def __init__(self, extra: list[str] = ()) -> None:  # type: ignore[assignment]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "serve", "--host", HOST, "--port", "0", *extra],
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        ready = threading.Event()
        self.url = ""

        def drain() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.log.append(line)
                found = re.search(r"Listening on (http://127\.0\.0\.1:\d+)/", line)
                if found:
                    self.url = found.group(1)
                if self.url and "Application startup complete" in line:  # warmed up
                    ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(120):
            self.stop()
            raise SystemExit("the service did not start:\n" + "".join(self.log))
        self.ready_s = time.perf_counter() - self.started
        self.port = int(self.url.rsplit(":", 1)[1])

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def post(url: str, body: bytes, path: str = "/v1/check") -> tuple[int, Any]:
    request = urllib.request.Request(url + path, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def first_request(messages: list[str]) -> dict[str, float]:
    """Start-up to ready, then the first request against the median of the next 200 (each a new message)."""
    service = Service()
    try:
        bodies = [json.dumps({"text": m}, ensure_ascii=False).encode() for m in messages[:201]]
        times = []
        for body in bodies:
            t0 = time.perf_counter()
            post(service.url, body)
            times.append(time.perf_counter() - t0)
        return {
            "ready_s": service.ready_s,
            "first_ms": times[0] * 1e3,
            "next_200_median_ms": statistics.median(times[1:]) * 1e3,
        }
    finally:
        service.stop()


def wrk(
    url: str, bodies: list[str], seconds: int, connections: int, pace_ms: float | None = None
) -> dict[str, Any]:
    """One wrk run; with ``pace_ms`` each connection waits that long before each request (a steady rate)."""
    env = {**os.environ, "BODIES": ""}
    if pace_ms is not None:
        env["PACE_MS"] = str(int(pace_ms))
    with tempfile.TemporaryDirectory() as tmp:
        lua, lines = Path(tmp) / "post.lua", Path(tmp) / "bodies.txt"
        lua.write_text(WRK_LUA, encoding="utf-8")
        lines.write_bytes("\n".join(bodies).encode("utf-8", "surrogateescape") + b"\n")
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(lua), url],
            env={**env, "BODIES": str(lines)},
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["requests_per_s"] = result["requests"] / result["seconds"]
    return result


def check_bodies(messages: list[str]) -> list[str]:
    return ["/v1/check " + json.dumps({"text": m}, ensure_ascii=False) for m in messages]


def bench_http(messages: list[str], seconds: int, connections: list[int], rate: int) -> dict[str, Any]:
    """As fast as wrk can (closed loop, N connections), then paced at about ``rate`` requests/s."""
    service = Service()
    try:
        bodies = check_bodies(messages)
        wrk(service.url, bodies, 3, connections[0])  # warm-up, not reported
        runs = {}
        for c in connections:
            runs[f"saturated_c{c}"] = wrk(service.url, bodies, seconds, c)
        paced_connections = 24
        # Each connection waits pace_ms, then its request takes 1-2 ms: about `rate` requests/s in all.
        pace_ms = max(1, paced_connections * 1000 // rate - 2)
        runs[f"paced_{rate}_per_s"] = wrk(service.url, bodies, seconds, paced_connections, pace_ms)
        return {"server_rss_kib": service.rss_kib(), **runs}
    finally:
        service.stop()


# --- the burst of bad requests ----------------------------------------------------------------------


def bad_bodies() -> list[str]:
    """One request per line for the wrk script: PATH BODY (GET:PATH for a GET)."""
    too_big = json.dumps({"text": "您好" * 12_000}, ensure_ascii=False)  # 72 KB of UTF-8: over 64 KiB
    return [
        "/v1/check {",
        "/v1/check []",
        '/v1/check {"text": 5}',
        '/v1/check {"txt": "x"}',
        '/v1/check {"text": "x", "script": "latin"}',
        '/v1/check {"text": "\\ud800"}',
        '/v1/check {"text": "x\udcff"}',  # an invalid UTF-8 byte on the wire (surrogateescape)
        "/v1/check " + "[" * 20_000 + "]" * 20_000,
        "/v1/check " + too_big,
        '/v1/check/batch {"messages": 3}',
        "/v1/nowhere {}",
        "GET:/v1/check -",
    ]


def raw_abuse(port: int, rounds: int) -> dict[str, int]:
    """Abuse no HTTP client library would send, each on its own connection; bounded in count and time."""

    def exchange(payload: bytes, then_close: bool = False) -> bytes:
        with socket.create_connection((HOST, port), timeout=5) as s:
            try:
                s.sendall(payload)
                if then_close:
                    return b""
                s.shutdown(socket.SHUT_WR)
            except OSError:  # the server answered and closed before the client was done: fine
                pass
            chunks = []
            try:
                while chunk := s.recv(65536):
                    chunks.append(chunk)
            except OSError:
                pass
            return b"".join(chunks)

    def chunked_flood() -> bytes:
        """A 10 MB chunked body: the 413 must come long before the end."""
        with socket.create_connection((HOST, port), timeout=5) as s:
            s.sendall(
                b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            block = b"a" * 16384
            sent = 0
            try:
                while sent < 10_000_000:
                    s.sendall(b"%x\r\n%s\r\n" % (len(block), block))
                    sent += len(block)
            except (BrokenPipeError, ConnectionResetError):
                pass
            s.settimeout(5)
            try:
                return s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                return b""

    head = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    cases: dict[str, Callable[[], bytes]] = {
        "declared_huge": lambda: exchange(head + b"Content-Length: 999999999\r\n\r\n{"),
        "short_body_then_close": lambda: exchange(
            head + b'Content-Length: 5000\r\n\r\n{"text":', then_close=True
        ),
        "garbage_request_line": lambda: exchange(b"\x00\xff\xfe NOT HTTP\r\n\r\n"),
        "oversized_headers": lambda: exchange(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 200_000 + b"\r\n\r\n"
        ),
        "bad_content_length": lambda: exchange(head + b"Content-Length: -1\r\n\r\n{}"),
        "chunked_flood": chunked_flood,
    }
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for name, case in cases.items():
            answer = case()
            status = (
                answer.split(b" ", 2)[1].decode("ascii", "replace")
                if answer.startswith(b"HTTP/")
                else "closed"
            )
            key = f"{name}:{status}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def bench_burst(messages: list[str], seconds: int, rounds: int) -> dict[str, Any]:
    service = Service()
    try:
        rss_before = service.rss_kib()
        good = check_bodies(messages[:200])
        mixed = [line for pair in zip(good, bad_bodies() * 20) for line in pair]  # one bad after every good
        through_wrk = wrk(service.url, mixed, seconds, 16)
        raw = raw_abuse(service.port, rounds)
        sample = messages[0]
        from phraselint.engine.linter import Linter

        expected = Linter().check(sample)
        status, answer = post(service.url, json.dumps({"text": sample}, ensure_ascii=False).encode())
        correct = status == 200 and [v["rule"] for v in answer["violations"]] == [v.rule for v in expected]
        health = urllib.request.urlopen(service.url + "/healthz", timeout=5).status
        return {
            "wrk_mixed": through_wrk,
            "raw_abuse": raw,
            "alive_after": service.alive(),
            "good_request_after_correct": correct,
            "healthz_after": health,
            "server_rss_kib_before": rss_before,
            "server_rss_kib_after": service.rss_kib(),
        }
    finally:
        service.stop()


# --- main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20_000, help="distinct messages to generate")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--connections", default="8,32", help="wrk connections of the steady runs")
    parser.add_argument("--rate", type=int, default=1000, help="requests/s of the paced run")
    parser.add_argument("--burst", type=int, default=10, help="seconds of the mixed good/bad wrk run")
    parser.add_argument("--abuse-rounds", type=int, default=20, help="rounds of raw-socket abuse")
    parser.add_argument("--skip-http", action="store_true", help="only the in-process figures")
    parser.add_argument(
        "--devsets", action="store_true", help="also the in-process figures on tests/devsets/rude-*.yml"
    )
    args = parser.parse_args()

    messages = make_messages(args.messages)
    results: dict[str, Any] = {"cpus": os.cpu_count(), "in_process": bench_in_process(messages, args.devsets)}
    report(results)
    if not args.skip_http:
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
        connections = [int(c) for c in args.connections.split(",")]
        results["first_request"] = first_request(messages[::-1])
        results["http"] = bench_http(messages, args.duration, connections, args.rate)
        results["burst"] = bench_burst(messages, args.burst, args.abuse_rounds)
        report(results)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "serve.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def report(results: dict[str, Any]) -> None:
    print(json.dumps(results, ensure_ascii=False, indent=2), flush=True)


if __name__ == "__main__":
    main()
