"""The command line: ``phraselint check|fix|rules|serve`` (and, loaded when named, ``quiz`` and ``report``)."""

from .commands import main, run

__all__ = ["main", "run"]
