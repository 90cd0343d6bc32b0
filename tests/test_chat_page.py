"""The chat page end to end, in real headless Chromium against the real service (uvicorn on the loopback):
a forbidden phrase is held back and marked, the polite version is one click away, and it goes out."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phraselint.engine.linter import Linter
from phraselint.engine.script import evidence
from phraselint.service.server import create_app

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LINTER = Linter()


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    """The service on 127.0.0.1, on a free port the system picks, in a background thread."""
    uvicorn = pytest.importorskip("uvicorn")
    config = uvicorn.Config(
        create_app(LINTER), host="127.0.0.1", port=0, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="phraselint-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the service did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


def send(page: Any, text: str) -> None:
    page.fill("#message", text)
    page.click("#send")


def conversation(page: Any) -> list[str]:
    return page.locator("#conversation li p").all_text_contents()


def test_a_forbidden_phrase_is_held_marked_and_its_rewrite_goes_out(page: Any, service_url: str) -> None:
    text = "您好。不知道。"
    (violation,) = LINTER.check(text)
    rewrite = LINTER.rewrite(text)
    assert rewrite
    page.goto(service_url)
    send(page, text)
    page.locator("#held").wait_for(state="visible")
    assert conversation(page) == []
    assert page.locator("#held-text").text_content() == text
    assert page.locator("#held-text mark").all_text_contents() == [violation.text]
    assert violation.message in page.locator("#held-reasons").text_content()
    assert page.locator("#held-title").text_content() == "消息未发送：含有服务忌语"
    page.click("#use-rewrite")
    assert page.locator("#held").is_hidden()
    assert page.input_value("#message") == rewrite
    page.press("#message", "Enter")  # Enter sends
    page.locator("#conversation li").wait_for()
    assert conversation(page) == [rewrite]
    assert page.input_value("#message") == ""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-sent.png"), full_page=True)
    assert page.console_errors == []


def test_a_traditional_message_is_held_with_traditional_labels(page: Any, service_url: str) -> None:
    text = "沒看見我正忙著嗎？"
    (violation,) = LINTER.check(text)
    rewrite = LINTER.rewrite(text)
    assert rewrite
    page.goto(service_url)
    send(page, text)
    page.locator("#held").wait_for(state="visible")
    assert page.locator("#held-text mark").all_text_contents() == [violation.text]
    assert violation.message in page.locator("#held-reasons").text_content()
    for selector in ("#held-title", "#use-rewrite", "#send"):
        label = page.locator(selector).text_content()
        traditional_only, simplified_only = evidence(label)
        assert traditional_only > 0 and simplified_only == 0, (selector, label)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-held-traditional.png"), full_page=True)
    page.click("#use-rewrite")
    assert page.input_value("#message") == rewrite
    page.click("#send")
    page.locator("#conversation li").wait_for()
    assert conversation(page) == [rewrite]
    assert page.console_errors == []


def test_the_page_shows_exactly_what_its_button_inserts_and_another_can_be_picked(
    page: Any, service_url: str
) -> None:
    """The held message lists every whole-message rewrite (each checked clean); the first is chosen, the
    staff member may pick another, and the button puts in exactly the text shown. The emoji (two UTF-16
    units) before the offending words stays where it was."""
    text = "😀你去投诉好了！"
    (violation,) = LINTER.check(text)
    alternatives = LINTER.alternatives(text)
    assert len(alternatives) >= 2 and all(LINTER.check(a) == [] for a in alternatives)
    page.goto(service_url)
    send(page, text)
    page.locator("#held").wait_for(state="visible")
    assert page.locator("#held-text mark").all_text_contents() == [violation.text]
    assert page.locator("#proposals .proposal-text").all_text_contents() == alternatives
    assert alternatives[0].startswith("😀")
    page.locator("#proposals input[type=radio]").nth(1).check()
    page.click("#use-rewrite")
    assert page.input_value("#message") == alternatives[1]
    assert page.console_errors == []


def test_a_clean_message_goes_out_at_once_and_shift_enter_breaks_the_line(
    page: Any, service_url: str
) -> None:
    page.goto(service_url)
    page.fill("#message", "您好，材料已经收下了。")
    page.press("#message", "Shift+Enter")
    page.type("#message", "请您留意短信通知。")
    assert conversation(page) == []
    page.press("#message", "Enter")
    page.locator("#conversation li").wait_for()
    assert conversation(page) == ["您好，材料已经收下了。\n请您留意短信通知。"]
    assert page.locator("#held").is_hidden()
    assert page.console_errors == []


def test_when_the_check_cannot_be_reached_nothing_goes_out(page: Any, service_url: str) -> None:
    page.goto(service_url)
    page.route("**/v1/check", lambda route: route.abort())
    send(page, "您好")
    page.wait_for_function("document.getElementById('status').textContent.length > 0")
    assert "未发送" in page.locator("#status").text_content()
    assert conversation(page) == []
    assert page.input_value("#message") == "您好"


def test_the_page_is_a_conversation_with_the_visitor_s_side(page: Any, service_url: str) -> None:
    """The visitor asks (not checked: the check is for staff), the staff reply is held and its rewrite goes
    out: both sides stand in the conversation in order, the visitor's on the left."""
    question = "你好，补办社保卡要多久？"
    reply = "不知道。"
    rewrite = LINTER.rewrite(reply)
    assert rewrite
    page.goto(service_url)
    page.fill("#visitor-message", question)
    page.press("#visitor-message", "Enter")
    page.locator("#conversation li.theirs").wait_for()
    assert page.locator("#empty").is_hidden()
    send(page, reply)
    page.locator("#held").wait_for(state="visible")
    page.click("#use-rewrite")
    page.click("#send")
    page.locator("#conversation li.mine").wait_for()
    sides = page.eval_on_selector_all("#conversation li", "items => items.map(i => i.className)")
    assert sides == ["message theirs", "message mine"]
    assert conversation(page) == [question, rewrite]
    theirs = page.locator("#conversation li.theirs").bounding_box()
    mine = page.locator("#conversation li.mine").bounding_box()
    assert theirs["x"] < mine["x"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-conversation.png"), full_page=True)
    assert page.console_errors == []
