"""Shared fixtures, and CI's rule that a skipped test is a failed one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browser import page  # noqa: F401  (the headless Chromium fixture)
from hypothesis import settings

# No property test is timed: hypothesis's default 200 ms deadline fails a first example that pays a one-off
# cost (a script converter loaded on first use) on a busy machine, so the suite would be flaky, not stricter.
settings.register_profile("phraselint", deadline=None)
settings.load_profile("phraselint")


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
