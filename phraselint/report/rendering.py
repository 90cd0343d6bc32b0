"""Rendering the figures: html (one self-contained page: Chart.js, styles and data inline), csv (one row per
transcript) or json (everything)."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..data.catalogue import read_texts
from .figures import COMPLIANCE

REPORT_FORMATS: tuple[str, ...] = ("html", "xlsx", "csv", "json")
BINARY_FORMATS: tuple[str, ...] = ("xlsx",)
ASSETS = Path(__file__).resolve().parent.parent / "assets"
CHART_JS = "chart.umd.js"
TEMPLATE = "report.html.j2"
CHART_RULES = 15  # rules in the by-rule chart


def render_json(figures: Mapping[str, Any]) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "call", "date", "agent", "team", "path", "channel", "staff", "turns", "score", "passed", "critical", "violations", "error", "warning",
    "info", "forbidden", "conversation", "greeting", "farewell", "no_forbidden", "skipped",
)  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_csv(figures: Mapping[str, Any]) -> str:
    """One row per transcript: score, counts, compliance flags (empty where a rule could not run)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in figures["transcripts"]:
        row = {
            **{k: t[k] for k in ("path", "channel", "turns", "score", "passed", "violations", "forbidden")},
            **t["by_severity"],
            **t["compliance"],
            "conversation": t["conversation"],
            "staff": "|".join(t["staff"]),
            "call": t["call"],
            "date": t["date"],
            "agent": "|".join(a["name"] for a in t["agents"]),
            "team": "|".join(dict.fromkeys(a["team"] for a in t["agents"])),
            "critical": "|".join(t["critical"]),
            "skipped": "|".join(s["rule"] for s in t["skipped"]),
        }
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def chart_library() -> str:
    """The vendored Chart.js, ready to inline in a ``<script>`` element (its source-map comment dropped: the
    map is not shipped)."""
    code = (ASSETS / CHART_JS).read_text(encoding="utf-8")
    code = "\n".join(line for line in code.splitlines() if not line.startswith("//# sourceMappingURL="))
    if "</script" in code.lower():  # pragma: no cover - checked by the tests for the vendored version
        raise RuntimeError(f"{CHART_JS} contains '</script' and cannot be inlined")
    return code


def _charts(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The data of the charts, as Chart.js draws it."""
    compliance = figures["compliance"]
    return {
        "situation": {
            "labels": [s["label"] for s in figures["by_situation"]],
            "counts": [s["count"] for s in figures["by_situation"]],
        },
        "rule": {
            "labels": [
                figures.get("titles", {}).get(r["rule"], r["rule"]) for r in figures["by_rule"][:CHART_RULES]
            ],
            "counts": [r["count"] for r in figures["by_rule"][:CHART_RULES]],
            "severities": [r["severity"] for r in figures["by_rule"][:CHART_RULES]],
        },
        "compliance": {
            "labels": [compliance_labels()[k] for k in COMPLIANCE],
            "rates": [_percent(compliance[k]["rate"]) for k in COMPLIANCE],
        },
        "staff": {
            "labels": [s["name"] for s in figures["staff"]],
            "scores": [s["mean_score"] for s in figures["staff"]],
            "pass": figures["scoring"]["pass"],
        },
    }


@functools.lru_cache(maxsize=1)
def compliance_labels() -> dict[str, str]:
    """The label of each compliance check in the charts (rules/labels.yml)."""
    return read_texts("labels.yml", "compliance", COMPLIANCE)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _page_data(figures: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's views draw on the client side, compactly: every call (its turns, its findings with
    their titles, rewrites and clauses), rendered only when a manager opens it, so that a report of 10,000
    calls stays one file that opens; and the trends for the charts."""
    from .workbook import clause_text

    titles: Mapping[str, str] = figures.get("titles", {})
    calls = []
    for n, t in enumerate(figures["transcripts"]):
        calls.append(
            {
                "n": n,
                "call": t["call"],
                "path": t["path"],
                "date": t.get("date") or "",
                "agents": [a["name"] for a in t.get("agents", ())],
                "agentIndex": [a["key"] for a in t.get("agents", ())],
                "teams": list(dict.fromkeys(a["team"] for a in t.get("agents", ()))),
                "channel": t["channel"],
                "score": t["score"],
                "passed": t["passed"],
                "critical": [titles.get(r, r) for r in t["critical"]],
                "violations": t["violations"],
                "sev": [t["by_severity"][k] for k in ("error", "warning", "info")],
                "compliance": [t["compliance"][k] for k in COMPLIANCE],
                "deductions": [[titles.get(d["rule"], d["rule"]), d["points"]] for d in t["deductions"]],
                "skipped": [[titles.get(k["rule"], k["rule"]), k["reason"]] for k in t["skipped"]],
                "u": t["rows"]
                if "rows" in t
                else [
                    [
                        u["line"],
                        u["time"] or "",
                        u["speaker"] or "",
                        u["role"],
                        # a turn without marks as its text alone: most turns, half the bytes
                        [[seg["text"], seg["severity"]] for seg in u["segments"]]
                        if u["findings"]
                        else u["text"],
                        u["findings"],
                    ]
                    for u in t["utterances"]
                ],
                "f": [
                    [
                        titles.get(x["rule"], x["rule"]),
                        x["rule"],
                        x["severity"],
                        x["message"],
                        x["line"],
                        x["column"],
                        x.get("rewrites") or [],
                        clause_text(x["sources"]),
                    ]
                    for x in t["findings"]
                ],
            }
        )
    agent_index = {a["key"]: i for i, a in enumerate(figures.get("agents", ()))}
    for c in calls:
        c["agentIndex"] = [agent_index.get(k, -1) for k in c["agentIndex"]]
    return {
        "calls": calls,
        "trends": figures.get("trends", {}),
        "teams": [{"team": t["team"], "trends": t["trends"]} for t in figures.get("teams", ())],
        "agents": [{"name": a["name"], "trends": a["trends"]} for a in figures.get("agents", ())],
        "pass": figures["scoring"]["pass"],
        "labels": {k: compliance_labels()[k] for k in COMPLIANCE},
    }


def render_html(figures: Mapping[str, Any]) -> str:
    """One self-contained HTML page: no request leaves it (Chart.js, styles and data are inline); everything
    that comes from a transcript is escaped by the template engine."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {
        "ensure_ascii": False,
        "sort_keys": False,
    }  # 3 bytes a character, not 6
    env.filters["percent"] = lambda rate: "—" if rate is None else f"{rate * 100:.1f}%"
    template = env.get_template(TEMPLATE)
    titles = figures.get("titles", {})
    return template.render(
        figures=figures,
        charts=_charts(figures),
        page=_page_data(figures),
        title_of=lambda rule: titles.get(rule, rule),
        chart_js=chart_library(),
    )


@functools.lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    """The Chinese title of each rule id (rules/titles.yml), for every page a manager reads."""
    return read_texts("titles.yml", "titles")


def render(figures: Mapping[str, Any], fmt: str) -> str | bytes:
    """The report in ``fmt``: text, but bytes for a workbook."""
    if fmt == "xlsx":
        from .workbook import render_xlsx

        return render_xlsx(figures)
    return {"html": render_html, "csv": render_csv, "json": render_json}[fmt](figures)
