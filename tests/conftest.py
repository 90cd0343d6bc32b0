"""Shared fixtures, and CI's rule that a skipped test is a failed one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import page  # noqa: F401  (the headless Chromium fixture)
from hypothesis import settings

# No property test is timed: hypothesis's default 200 ms deadline fails a first example that pays a one-off
# cost (a script converter loaded on first use) on a busy machine, so the suite would be flaky, not stricter.
settings.register_profile("phraselint", deadline=None)
settings.load_profile("phraselint")


def pytest_configure(config: pytest.Config) -> None:
    """Every test and every process a test starts (the CLI, the service, the language server, Spark's
    workers) shares one phraselint cache folder, set before any test module is imported (several build a
    Linter as they load). Building the compiled catalogue takes seconds and finding it again a fraction of
    one; each test that made its own empty cache folder built it again, and half of the suite's time went
    there. The cache is keyed by the content of everything a value is built from (rule files, code), so a
    value found there is the value a build would give. The folder is this checkout's own (in pytest's cache,
    kept between runs, emptied by ``--cache-clear``): not the user's, which other checkouts of other versions
    share and prune. The tests of the cache itself, and of what happens with an empty one, make their own."""
    # pip looks under XDG_CACHE_HOME too (test_packaging builds a wheel, pre-commit installs the hook): it
    # keeps the cache it had, the user's
    home_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    os.environ.setdefault("PIP_CACHE_DIR", str(Path(home_cache) / "pip"))
    cache = getattr(config, "cache", None)  # None under -p no:cacheprovider: a folder for this run then
    if cache is not None:
        folder = cache.mkdir("phraselint-xdg")
    else:
        folder = Path(tempfile.mkdtemp(prefix="phraselint-cache-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.environ["XDG_CACHE_HOME"] = str(folder)


def skips_fail() -> bool:
    """In CI (``CI=true``, as .ci/run and every CI service set it) a test that skips has not run: it fails."""
    return os.environ.get("CI", "").lower() in ("true", "1")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and skips_fail() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may skip: {reason}"
