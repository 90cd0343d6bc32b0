"""Shared fixtures."""

from browser import page  # noqa: F401  (the headless Chromium fixture)
from hypothesis import settings as _hypothesis_settings

# No property test is a timing test: on a loaded machine (CI has two cores) an example may take longer than
# Hypothesis's default 200 ms deadline without anything being wrong. Speed is measured in benchmarks/.
_hypothesis_settings.register_profile("phraselint", deadline=None)
_hypothesis_settings.load_profile("phraselint")
