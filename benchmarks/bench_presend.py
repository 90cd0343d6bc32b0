"""Benchmark of the browser extension's pre-send guard as a staff member feels it. Never part of the test
suite; nothing here is timed in a test.

    python benchmarks/bench_presend.py [--rounds 40]

Headless system Chromium with extension/ loaded, the service (one uvicorn, in process) and the textarea console
page of tests/consoles, both on 127.0.0.1. Measured in the page, from the Enter key to what the staff member
sees: a clean message delivered by the page's own code (the check is the whole delay), a forbidden message held
with its panel drawn and its words marked; p50 / p90 / max over --rounds each. Only 127.0.0.1 is contacted.
Results go to stdout and benchmarks/out/presend.json.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import uvicorn  # noqa: E402
from browser import chromium_with_extension  # noqa: E402

from phraselint.engine.linter import Linter  # noqa: E402
from phraselint.service.server import create_app  # noqa: E402

CLEAN = "您好，材料已经收到，请您留意短信通知。"
FORBIDDEN = "不知道，你去投诉好了！"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def start_service() -> str:
    server = uvicorn.Server(
        uvicorn.Config(create_app(Linter()), host="127.0.0.1", port=0, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"


def start_pages() -> str:
    handler = functools.partial(_Quiet, directory=str(ROOT / "tests" / "consoles"))
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{pages.server_address[1]}"


def figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "max_ms": round(ordered[-1], 1),
    }


# Playwright's keyboard sends real key events (through the DevTools protocol, as a person's keys arrive): the
# time covers the extension's capture listener, its message to the background worker, the HTTP call, and the
# page's own send or the panel and marks drawn.
def measure(page: Any, text: str, done: str) -> float:
    page.fill("#reply", text)
    page.focus("#reply")
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(done, polling="raf")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    service, consoles = start_service(), start_pages()
    with chromium_with_extension(ROOT / "extension") as (context, extension_id):
        options = context.new_page()
        options.goto(f"chrome-extension://{extension_id}/options.html")
        options.fill("#service", service)
        options.click("#save-service")
        options.fill("#site", consoles)
        options.click("#add-site")
        options.locator("#sites code").wait_for()
        page = context.new_page()
        page.goto(f"{consoles}/textarea.html")
        clean: list[float] = []
        held: list[float] = []
        for _ in range(3):  # warm: the worker, the module imports, the engine's caches
            measure(page, CLEAN, "document.querySelectorAll('#log li.agent').length > 0")
        for round_ in range(args.rounds):
            sent = page.locator("#log li.agent").count()
            clean.append(measure(page, CLEAN, f"document.querySelectorAll('#log li.agent').length > {sent}"))
            held.append(
                measure(
                    page,
                    FORBIDDEN + "。" * (round_ % 3),  # not the same text every time
                    "(r => !!r && !!r.querySelector('.panel') && !!r.querySelector('.mark'))"
                    "(document.getElementById('phraselint-presend')?.shadowRoot)",
                )
            )
            page.locator("#phraselint-presend .panel button.edit").click()
            page.fill("#reply", "")
    result = {
        "rounds": args.rounds,
        "clean_enter_to_sent": figures(clean),
        "forbidden_enter_to_held": figures(held),
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "presend.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
