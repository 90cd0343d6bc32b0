"""Shared fixtures."""

from browser import page  # noqa: F401  (the headless Chromium fixture)
