"""The JavaScript client (phraselint/static/client.js) as a chat tool's developers use it: dropped into their
own page on another origin from the service (which names that origin with --cors-origin), in real headless
Chromium: check(), rewrite(), errors with their field, and guard() holding a message until it is clean."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phraselint.engine.linter import Linter
from phraselint.service.server import create_app

CONSOLES = Path(__file__).resolve().parent / "consoles"
LINTER = Linter()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def tool() -> Iterator[str]:
    """The chat tool's page on its own origin, and the service allowing that origin: the page's URL."""
    uvicorn = pytest.importorskip("uvicorn")
    pages = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(CONSOLES))
    )
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{pages.server_address[1]}"
    app = create_app(LINTER, cors_origins=[origin])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    service = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
    yield f"{origin}/client.html?service={service}"
    server.should_exit = True
    thread.join(timeout=10)
    pages.shutdown()


def open_tool(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === 'yes'")


def test_check_and_rewrite_answer_as_the_service_does(page: Any, tool: str) -> None:
    open_tool(page, tool)
    text = "😀你去投诉好了！"
    result = page.evaluate("t => window.phraselint.check(t)", text)
    (violation,) = LINTER.check(text)
    assert result["ok"] is False and result["alternatives"] == LINTER.alternatives(text)
    assert [(v["rule"], v["text"]) for v in result["violations"]] == [(violation.rule, violation.text)]
    assert page.evaluate("t => window.phraselint.rewrite(t)", text) == LINTER.alternatives(text)[0]
    assert page.evaluate("t => window.phraselint.rewrite(t)", "您好") == "您好"
    # Offsets in code points: the segments cut the words out exactly, after the emoji.
    parts = page.evaluate(
        "([t, r]) => window.phraselint.segments(t, r.violations).map(p => [p.text, !!p.violation])",
        [text, result],
    )
    assert parts == [["😀", False], [violation.text, True], [text[1 + len(violation.text) :], False]]
    assert page.console_errors == []


def test_errors_carry_the_status_and_the_field(page: Any, tool: str) -> None:
    open_tool(page, tool)
    error = page.evaluate(
        "() => window.phraselint.check(5).then(() => null, e => [e.name, e.status, e.field, e.message])"
    )
    assert error == ["ServiceError", 400, "text", "text: must be a string, not a number"]
    dead = page.evaluate(
        """() => window.phraselint.createClient({base: 'http://127.0.0.1:9/', timeoutMs: 2000})
               .check('您好').then(() => null, e => e.name)"""
    )
    assert dead == "Unreachable"


def test_guard_holds_a_forbidden_message_until_it_is_clean(page: Any, tool: str) -> None:
    open_tool(page, tool)
    text = "不知道。"
    page.click("#box")
    page.keyboard.insert_text(text)
    page.keyboard.press("Enter")
    page.wait_for_function("window.holds.length === 1")
    assert page.locator("#sent li").count() == 0
    hold = page.evaluate("() => ({text: window.holds[0].text, proposals: window.holds[0].proposals})")
    assert hold == {"text": text, "proposals": LINTER.alternatives(text)}
    page.evaluate("() => window.holds[0].use(window.holds[0].proposals[0])")
    assert page.input_value("#box") == LINTER.alternatives(text)[0]
    page.click("#send")  # the button too goes through the check; clean, it is let through to the page
    page.locator("#sent li").wait_for()
    assert page.locator("#sent li").all_text_contents() == [LINTER.alternatives(text)[0]]
    assert page.evaluate("window.holds.length") == 1
    page.fill("#box", text)
    page.click("#send")
    page.wait_for_function("window.holds.length === 2")
    page.evaluate("() => window.holds[1].sendAsIs()")  # the caller's explicit override
    assert page.locator("#sent li").all_text_contents() == [LINTER.alternatives(text)[0], text]
    assert page.console_errors == []


def test_where_enter_is_not_the_send_key_a_checked_enter_still_breaks_the_line(page: Any, tool: str) -> None:
    """A box whose page does not send on Enter: once the check lets the key through, the line break it would
    have made is made (a re-sent key has no default action of its own)."""
    open_tool(page, tool)
    page.evaluate(
        """() => {
            const notes = document.createElement('textarea');
            notes.id = 'notes';
            document.body.append(notes);
            window.phraselint.guard(notes, {onHold: () => {}});
        }"""
    )
    page.click("#notes")
    page.keyboard.insert_text("您好")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('notes').value === '您好\\n'")
    page.keyboard.insert_text("请稍等")
    assert page.input_value("#notes") == "您好\n请稍等"
