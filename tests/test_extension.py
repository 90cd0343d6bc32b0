"""The browser extension as a staff member meets it, in real headless Chromium with the unpacked extension
loaded, against the real service (uvicorn on the loopback) and two local pages shaped like web chat consoles
(a textarea with a send button; a contenteditable box sent with Enter): enabled from its options page, a
forbidden phrase typed and sent is held, marked in the box, explained, and its rewrite goes out; sending as is
takes an explicit, logged override; with the service stopped, the configured fail mode holds."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium_with_extension

from phraselint.engine.linter import Linter
from phraselint.engine.script import evidence
from phraselint.service.server import create_app

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
CONSOLES = Path(__file__).resolve().parent / "consoles"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LINTER = Linter()
PANEL = "#phraselint-presend .panel"


class Service:
    """The service in a background thread on a free port, stoppable mid-test."""

    def __init__(self) -> None:
        uvicorn = pytest.importorskip("uvicorn")
        config = uvicorn.Config(
            create_app(LINTER), host="127.0.0.1", port=0, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="phraselint-serve", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the service did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}/"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


@pytest.fixture
def service() -> Iterator[Service]:
    running = Service()
    yield running
    if running.thread.is_alive():
        running.stop()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def consoles() -> Iterator[str]:
    """The two console pages, served from their own origin (not the service's)."""
    handler = functools.partial(_Quiet, directory=str(CONSOLES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[tuple[Any, str]]:
    with chromium_with_extension(EXTENSION) as (context, extension_id):
        yield context, extension_id


def configure(browser: tuple[Any, str], service: str, site: str | None, fail_mode: str = "closed") -> Any:
    """Set the extension up as a staff member would, on its options page; the page is returned."""
    context, extension_id = browser
    options = context.new_page()
    options.goto(f"chrome-extension://{extension_id}/options.html")
    options.fill("#service", service)
    options.click("#save-service")
    # A locator, not wait_for_function: the extension's pages forbid eval (script-src 'self').
    options.locator("#service-status", has_text="已保存").wait_for()
    options.check(f"input[name=failMode][value={fail_mode}]")
    if site is not None:
        options.fill("#site", site)
        options.click("#add-site")
        options.locator("#sites code", has_text=site).wait_for()
    return options


def open_console(browser: tuple[Any, str], url: str) -> Any:
    page = browser[0].new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def sent_on_textarea_desk(page: Any) -> list[str]:
    return page.locator("#log li.agent").all_text_contents()


def sent_on_editable_desk(page: Any) -> list[str]:
    return page.locator("#thread .bubble.out").all_text_contents()


def type_into(page: Any, selector: str, text: str) -> None:
    page.click(selector)
    page.keyboard.insert_text(text)  # as an input method commits a phrase


def test_on_a_textarea_desk_a_forbidden_phrase_is_held_marked_and_the_chosen_rewrite_goes_out(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    text = "😀你去投诉好了！"
    (violation,) = LINTER.check(text)
    alternatives = LINTER.alternatives(text)
    assert len(alternatives) >= 2
    configure(browser, service.url, consoles)
    page = open_console(browser, f"{consoles}/textarea.html")
    type_into(page, "#reply", text)
    page.keyboard.press("Enter")
    page.locator(PANEL).wait_for(state="visible")
    # Held: nothing went out, the words are marked over the box, the rule's message and the rewrites shown.
    assert sent_on_textarea_desk(page) == []
    assert page.input_value("#reply") == text
    marks = page.locator("#phraselint-presend .mark")
    assert [m.get_attribute("data-words") for m in marks.all()] == [violation.text]
    box, mark = page.locator("#reply").bounding_box(), marks.first.bounding_box()
    assert box["x"] <= mark["x"] and mark["x"] + mark["width"] <= box["x"] + box["width"]
    assert box["y"] <= mark["y"] and mark["y"] + mark["height"] <= box["y"] + box["height"]
    assert violation.message in page.locator(f"{PANEL} .reasons").text_content()
    assert page.locator(f"{PANEL} .proposal-text").all_text_contents() == alternatives
    shot(page, "extension-textarea-held.png")
    # The staff member picks the second rewrite: exactly that text is put in the box, then sent.
    page.locator(f"{PANEL} input[type=radio]").nth(1).check()
    page.click(f"{PANEL} button.use")
    assert page.locator(PANEL).count() == 0 and page.locator("#phraselint-presend .mark").count() == 0
    assert page.input_value("#reply") == alternatives[1]
    page.click("#send-button")
    page.locator("#log li.agent").wait_for()
    assert sent_on_textarea_desk(page) == [alternatives[1]]
    assert page.input_value("#reply") == ""
    shot(page, "extension-textarea-sent.png")
    assert page.console_errors == []


def test_on_a_contenteditable_desk_a_traditional_message_is_held_in_traditional_and_its_rewrite_sent(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    text = "沒看見我正忙著嗎？"
    (violation,) = LINTER.check(text)
    rewrite = LINTER.rewrite(text)
    assert rewrite
    configure(browser, service.url, consoles)
    page = open_console(browser, f"{consoles}/editable.html")
    type_into(page, "#composer", text)
    page.keyboard.press("Enter")
    page.locator(PANEL).wait_for(state="visible")
    assert sent_on_editable_desk(page) == []
    marks = page.locator("#phraselint-presend .box-mark")
    assert {m.get_attribute("data-words") for m in marks.all()} == {violation.text}
    composer, mark = page.locator("#composer").bounding_box(), marks.first.bounding_box()
    assert composer["y"] <= mark["y"] <= composer["y"] + composer["height"]
    for selector in ("h2", "button.use", "button.override"):
        label = page.locator(f"{PANEL} {selector}").text_content()
        traditional_only, simplified_only = evidence(label)
        assert traditional_only > 0 and simplified_only == 0, (selector, label)
    assert violation.message in page.locator(f"{PANEL} .reasons").text_content()
    shot(page, "extension-editable-held-traditional.png")
    page.click(f"{PANEL} button.use")
    assert page.locator("#composer").inner_text() == rewrite
    page.locator("#composer").press("Enter")
    page.locator("#thread .bubble.out").wait_for()
    assert sent_on_editable_desk(page) == [rewrite]
    shot(page, "extension-editable-sent.png")
    assert page.console_errors == []


def test_a_clean_message_goes_out_at_once_and_sending_as_is_is_an_explicit_logged_override(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    options = configure(browser, service.url, consoles)
    page = open_console(browser, f"{consoles}/editable.html")
    type_into(page, "#composer", "您好，请带上身份证。")
    page.keyboard.press("Enter")
    page.locator("#thread .bubble.out").wait_for()
    assert sent_on_editable_desk(page) == ["您好，请带上身份证。"]
    assert page.locator(PANEL).count() == 0
    text = "不知道。"
    (violation,) = LINTER.check(text)
    type_into(page, "#composer", text)
    page.keyboard.press("Enter")
    page.locator(PANEL).wait_for(state="visible")
    assert sent_on_editable_desk(page) == ["您好，请带上身份证。"]
    page.click(f"{PANEL} button.override")
    page.wait_for_function("document.querySelectorAll('#thread .bubble.out').length === 2")
    assert sent_on_editable_desk(page)[-1] == text
    options.reload()
    row = options.locator("#log tr").first
    row.wait_for()
    cells = row.locator("td").all_text_contents()
    assert cells[1:] == [consoles, "含忌语，强制发送", violation.rule, violation.text]
    assert page.console_errors == []


def test_with_the_service_stopped_fail_closed_holds_the_message(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    configure(browser, service.url, consoles, fail_mode="closed")
    page = open_console(browser, f"{consoles}/textarea.html")
    service.stop()
    type_into(page, "#reply", "您好，请稍等。")
    page.click("#send-button")
    page.locator(f"{PANEL}.unavailable").wait_for(state="visible")
    assert sent_on_textarea_desk(page) == []
    assert page.input_value("#reply") == "您好，请稍等。"
    assert "未发送" in page.locator(f"{PANEL} h2").text_content()
    shot(page, "extension-fail-closed.png")
    page.keyboard.press("Escape")  # the panel closes; the message stays in the box
    assert page.locator(PANEL).count() == 0 and page.input_value("#reply") == "您好，请稍等。"
    page.click("#reply")
    page.keyboard.press("Enter")  # still held, however it is sent
    page.locator(f"{PANEL}.unavailable").wait_for(state="visible")
    assert sent_on_textarea_desk(page) == []


def test_with_the_service_stopped_fail_open_sends_and_logs_it(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    options = configure(browser, service.url, consoles, fail_mode="open")
    page = open_console(browser, f"{consoles}/textarea.html")
    service.stop()
    type_into(page, "#reply", "您好，请稍等。")
    page.keyboard.press("Enter")
    page.locator("#log li.agent").wait_for()
    assert sent_on_textarea_desk(page) == ["您好，请稍等。"]
    page.locator("#phraselint-presend .toast").wait_for(state="visible")
    shot(page, "extension-fail-open.png")
    options.reload()
    options.locator("#log tr").first.wait_for()
    assert options.locator("#log tr td").nth(2).text_content() == "服务无法连接，照常发送（失败放行）"


def test_a_site_not_enabled_is_left_alone_and_the_service_must_be_on_this_machine(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    options = configure(browser, service.url, site=None)
    page = open_console(browser, f"{consoles}/textarea.html")
    type_into(page, "#reply", "不知道。")
    page.keyboard.press("Enter")
    page.locator("#log li.agent").wait_for()
    assert sent_on_textarea_desk(page) == ["不知道。"] and page.locator(PANEL).count() == 0
    options.fill("#service", "https://phraselint.example.org/")
    options.click("#save-service")
    options.locator("#service-status", has_text="未保存").wait_for()
    assert "not this machine" in options.locator("#service-status").text_content()
    options.reload()
    assert options.input_value("#service") == service.url


def test_the_extension_carries_the_repository_s_client() -> None:
    """extension/client.js is a copy of phraselint/static/client.js (an extension can load only its own
    files): after changing the client, copy it."""
    assert (EXTENSION / "client.js").read_bytes() == (
        ROOT / "phraselint" / "static" / "client.js"
    ).read_bytes()


def test_the_background_worker_refuses_an_address_off_this_machine_even_when_stored(
    browser: tuple[Any, str], service: Service, consoles: str
) -> None:
    """Whatever got into storage (an old version, a sync, a hand edit), the worker that makes the calls checks
    the address again: a message is then held as if the service were down, and no text leaves the machine."""
    configure(browser, service.url, consoles, fail_mode="open")
    context, _ = browser
    worker = context.service_workers[0]
    worker.evaluate(
        "chrome.storage.local.set({service: 'http://phraselint.example.org:8765/', failMode: 'closed'})"
    )
    page = open_console(browser, f"{consoles}/textarea.html")
    type_into(page, "#reply", "您好，请稍等。")
    page.keyboard.press("Enter")
    page.locator(f"{PANEL}.unavailable").wait_for(state="visible")
    assert sent_on_textarea_desk(page) == []
