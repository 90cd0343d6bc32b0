"""Reports for quality managers (质检报告): many transcripts read, checked and scored, then summed up.

```
file ─read, parse→ turns ─phrase checks + conversation rules→ findings ─scoring.py→ a score per conversation
transcripts ─figures.py→ totals, compliance rates, by rule, by situation, by staff member, worst utterances
figures ─rendering.py→ html (one self-contained file: Chart.js and the data inline) | csv | json
```

``analyse_file`` (phraselint.check.whole) is the only step that reads a transcript; scoring, figures and
rendering take values and return values. The ``report`` click command (command.py) writes the report
atomically; phraselint.cli registers it by name, and it is loaded only when asked for (here too: the package
``__getattr__``), so that the figures can be used without the command line.
"""

from __future__ import annotations

from typing import Any

from ..check.scoring import Score, ScoringSheet, load_scoring, score
from .figures import COMPLIANCE, Unreadable, build_figures
from .rendering import (
    ASSETS,
    CSV_COLUMNS,
    REPORT_FORMATS,
    chart_library,
    render,
    render_csv,
    render_html,
    render_json,
)

__all__ = [
    "ASSETS",
    "COMPLIANCE",
    "CSV_COLUMNS",
    "REPORT_FORMATS",
    "Score",
    "ScoringSheet",
    "Unreadable",
    "build_figures",
    "chart_library",
    "load_scoring",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "score",
]


def __getattr__(name: str) -> Any:
    """``report``: the click command, imported on first use (see the module's docstring)."""
    if name == "report":
        from .command import report

        return report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
