"""Headless Chromium for end-to-end tests: Debian's system browser driven by Playwright, never a download.

Use the ``page`` fixture (re-exported by tests/conftest.py). Without a Chromium on the machine the tests that
use it are skipped with a clear reason; CI installs Debian's ``chromium`` package, so there they run.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# As the machine's notes advise: no background networking (this network is closed), no sandbox as root.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if shutil.which(candidate):
            return candidate
    return None


@pytest.fixture
def page() -> Iterator[Any]:
    """A fresh page in headless system Chromium; ``page.console_errors`` collects console errors."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine (install Debian's 'chromium' package to run browser tests)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with tempfile.TemporaryDirectory() as profile, sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            pg = context.new_page()
            errors: list[str] = []
            pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
            pg.console_errors = errors  # type: ignore[attr-defined]
            yield pg
        finally:
            context.close()


@contextlib.contextmanager
def chromium_with_extension(extension: Path) -> Iterator[tuple[Any, str]]:
    """Headless system Chromium with the unpacked extension at ``extension`` loaded (``--headless=new`` loads
    unpacked extensions; Playwright's own ``--disable-extensions`` is dropped): the browser context and the
    extension's id."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine (install Debian's 'chromium' package to run browser tests)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    args = [*CHROMIUM_ARGS, f"--disable-extensions-except={extension}", f"--load-extension={extension}"]
    with tempfile.TemporaryDirectory() as profile, sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=args,
            ignore_default_args=["--disable-extensions"],
        )
        try:
            workers = context.service_workers or [context.wait_for_event("serviceworker", timeout=15_000)]
            yield context, workers[0].url.split("/")[2]
        finally:
            context.close()
