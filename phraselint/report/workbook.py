"""The report as an Excel workbook (xlsx): summary, teams, agents, calls, one row per finding (with its rewrite
and the clause it breaks), trends and appeals; Chinese headers and sheet names (rules/workbook.yml), rule
titles (rules/titles.yml). Written with openpyxl in write-only mode, so that 10,000 calls stream out."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..data.catalogue import builtin_rules_dir, read_texts, read_yaml
from ..errors import CatalogueError

_SHEETS = ("summary", "teams", "agents", "calls", "findings", "trends", "rules", "appealed")


@functools.lru_cache(maxsize=1)
def workbook_labels() -> dict[str, dict[str, str]]:
    """The sections of rules/workbook.yml: sheets, columns, values (each a mapping of key to text)."""
    path = builtin_rules_dir() / "workbook.yml"
    data = read_yaml(path)
    out: dict[str, dict[str, str]] = {}
    for section in ("sheets", "columns", "values"):
        node = data.get(section)
        if not isinstance(node, dict):
            raise CatalogueError(f"'{section}' must be a mapping of names to texts", str(path), 1)
        out[section] = {str(k): str(v) for k, v in node.items() if k != "__line__"}
    missing = [s for s in _SHEETS if s not in out["sheets"]]
    if missing:
        raise CatalogueError(f"'sheets' misses '{missing[0]}'", str(path), 1)
    return out


@functools.lru_cache(maxsize=1)
def code_titles() -> dict[str, str]:
    """The title of each service code (rules/codes.yml)."""
    return read_texts("codes.yml", "codes")


def clause_text(sources: Iterable[Mapping[str, str]]) -> str:
    """``纪委监委机关亲切服务规范 五(三)；…``: each source by its code's title and its clause."""
    titles = code_titles()
    return "；".join(f"{titles.get(s['code'], s['code'])} {s['clause']}".strip() for s in sources)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else rate


class _Sheet:
    """A write-only worksheet with a header row, filters, frozen header and column widths."""

    def __init__(self, book: Any, title: str, headers: Sequence[str], widths: Sequence[int]) -> None:
        from openpyxl.utils import get_column_letter

        self.ws = book.create_sheet(title)
        self.ws.freeze_panes = "A2"
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.columns = len(headers)
        self.rows = 0
        self.percent_columns: set[int] = set()
        self._header = list(headers)

    def start(self, percent: Iterable[int] = ()) -> _Sheet:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        self.percent_columns = set(percent)
        cells = []
        for text in self._header:
            cell = WriteOnlyCell(self.ws, value=text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DCE6F1")
            cells.append(cell)
        self.ws.append(cells)
        return self

    def add(self, values: Sequence[Any]) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for i, value in enumerate(values):
            cell = WriteOnlyCell(self.ws, value=value)
            if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
                cell.data_type = "s"  # text from a transcript is never a formula
            if i in self.percent_columns and isinstance(value, float):
                cell.number_format = "0.0%"
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows + 1}"


def render_xlsx(figures: Mapping[str, Any]) -> bytes:
    """The workbook's bytes."""
    import openpyxl

    labels = workbook_labels()
    sheets, col, val = labels["sheets"], labels["columns"], labels["values"]
    titles: Mapping[str, str] = figures.get("titles", {})

    def title(rule: str) -> str:
        return titles.get(rule, rule)

    def top(rules: Sequence[Mapping[str, Any]]) -> str:
        return "、".join(f"{r['title']}×{r['count']}" for r in rules)

    book = openpyxl.Workbook(write_only=True)
    t = figures["totals"]

    summary = _Sheet(book, sheets["summary"], [col["item"], col["value"]], [28, 60]).start()
    summary.add([figures["title"], ""])
    summary.add([val["generated"], figures["generated"]])
    summary.add([val["transcripts"], t["transcripts"]])
    summary.add([col["passed"], t["passed"]])
    summary.add([val["pass_mark"], t["pass_mark"]])
    summary.add([col["mean_score"], t["mean_score"]])
    summary.add([col["min_score"], t["min_score"]])
    summary.add([col["violations"], t["violations"]])
    for key in ("greeting", "farewell", "no_forbidden"):
        summary.add([col[key], _percent(figures["compliance"][key]["rate"])])
    summary.add([val["unreadable"], t["unreadable"]])
    summary.add([sheets["appealed"], len(figures.get("appealed", ()))])
    summary.finish()

    rate_headers = [col["greeting"], col["farewell"], col["no_forbidden"]]

    def rates(row: Mapping[str, Any]) -> list[Any]:
        return [_percent(row["compliance"][k]["rate"]) for k in ("greeting", "farewell", "no_forbidden")]

    teams = _Sheet(
        book,
        sheets["teams"],
        [
            col["team"],
            col["agents"],
            col["calls"],
            col["passed"],
            col["pass_rate"],
            col["mean_score"],
            col["violations"],
            *rate_headers,
            col["top_rules"],
        ],  # fmt: skip
        [18, 10, 10, 12, 10, 10, 10, 12, 12, 12, 60],
    ).start(percent=(4, 7, 8, 9))
    for row in figures.get("teams", ()):
        teams.add(
            [
                row["team"],
                len(row["agents"]),
                row["calls"],
                row["passed"],
                row["pass_rate"],
                row["mean_score"],
                row["violations"],
                *rates(row),
                top(row["top_rules"]),
            ]  # fmt: skip
        )
    teams.finish()

    agents = _Sheet(
        book,
        sheets["agents"],
        [
            col["agent"],
            col["agent_id"],
            col["team"],
            col["calls"],
            col["passed"],
            col["pass_rate"],
            col["mean_score"],
            col["min_score"],
            col["violations"],
            *rate_headers,
            col["top_rules"],
        ],  # fmt: skip
        [22, 12, 16, 10, 12, 10, 10, 10, 10, 12, 12, 12, 60],
    ).start(percent=(5, 9, 10, 11))
    for row in figures.get("agents", ()):
        agents.add(
            [
                row["name"],
                row["id"] or "",
                row["team"],
                row["calls"],
                row["passed"],
                row["pass_rate"],
                row["mean_score"],
                row["min_score"],
                row["violations"],
                *rates(row),
                top(row["top_rules"]),
            ]  # fmt: skip
        )
    agents.finish()

    calls = _Sheet(
        book,
        sheets["calls"],
        [
            col["call"],
            col["date"],
            col["agent"],
            col["team"],
            col["file"],
            col["channel"],
            col["turns"],
            col["score"],
            col["result"],
            col["critical"],
            col["violations"],
            col["greeting"],
            col["farewell"],
            col["no_forbidden"],
        ],  # fmt: skip
        [20, 20, 22, 16, 30, 8, 8, 8, 10, 24, 8, 12, 12, 12],
    ).start()

    def flag(value: bool | None) -> str:
        return "" if value is None else ("✓" if value else "✗")

    for tr in figures["transcripts"]:
        people = tr.get("agents") or []
        calls.add(
            [
                tr["call"],
                tr.get("date") or "",
                "、".join(p["name"] for p in people),
                "、".join(dict.fromkeys(p["team"] for p in people)),
                tr["path"],
                val[tr["channel"]],
                tr["turns"],
                tr["score"],
                val["passed"] if tr["passed"] else val["failed"],
                "、".join(title(r) for r in tr["critical"]),
                tr["violations"],
                *(flag(tr["compliance"][k]) for k in ("greeting", "farewell", "no_forbidden")),
            ]  # fmt: skip
        )
    calls.finish()

    findings = _Sheet(
        book,
        sheets["findings"],
        [
            col["call"],
            col["date"],
            col["agent"],
            col["team"],
            col["line"],
            col["time"],
            col["speaker"],
            col["utterance"],
            col["title"],
            col["rule"],
            col["severity"],
            col["category"],
            col["message"],
            col["rewrite"],
            col["clause"],
        ],  # fmt: skip
        [20, 20, 22, 16, 8, 10, 10, 50, 30, 22, 8, 10, 50, 50, 50],
    ).start()
    for tr in figures["transcripts"]:
        people = tr.get("agents") or []
        who = "、".join(p["name"] for p in people)
        team = "、".join(dict.fromkeys(p["team"] for p in people))
        for f in tr["findings"]:
            findings.add(
                [
                    tr["call"],
                    tr.get("date") or "",
                    who,
                    team,
                    f["line"],
                    _clock(f.get("time")),
                    f["speaker"] or "",
                    f["utterance"],
                    title(f["rule"]),
                    f["rule"],
                    val.get(f["severity"], f["severity"]),
                    f["category"],
                    f["message"],
                    "\n".join(f.get("rewrites") or ()),
                    clause_text(f["sources"]),
                ]  # fmt: skip
            )
    findings.finish()

    trends = _Sheet(
        book,
        sheets["trends"],
        [
            col["period"],
            col["team"],
            col["agent"],
            col["calls"],
            col["passed"],
            col["pass_rate"],
            col["mean_score"],
            *rate_headers,
        ],  # fmt: skip
        [14, 16, 22, 10, 12, 10, 10, 12, 12, 12],
    ).start(percent=(5, 7, 8, 9))
    everyone = val.get("all", "")
    for period in ("day", "week", "month"):
        for row in figures.get("trends", {}).get(period, ()):
            trends.add([row["period"], everyone, everyone, row["calls"], row["passed"], row["pass_rate"],
                        row["mean_score"], *rates(row)])  # fmt: skip
        for team in figures.get("teams", ()):
            for row in team["trends"][period]:
                trends.add([row["period"], team["team"], "", row["calls"], row["passed"], row["pass_rate"],
                            row["mean_score"], *rates(row)])  # fmt: skip
        for agent in figures.get("agents", ()):
            for row in agent["trends"][period]:
                trends.add([row["period"], agent["team"], agent["name"], row["calls"], row["passed"],
                            row["pass_rate"], row["mean_score"], *rates(row)])  # fmt: skip
    trends.finish()

    rules = _Sheet(
        book,
        sheets["rules"],
        [col["title"], col["rule"], col["severity"], col["situation"], col["count"]],
        [36, 24, 10, 16, 10],
    ).start()
    situations = {s["situation"]: s["label"] for s in figures.get("by_situation", ())}
    for r in figures["by_rule"]:
        rules.add([title(r["rule"]), r["rule"], val.get(r["severity"], r["severity"]),
                   situations.get(r["situation"], r["situation"]), r["count"]])  # fmt: skip
    rules.finish()

    appealed = _Sheet(
        book,
        sheets["appealed"],
        [col["call"], col["title"], col["rule"], col["utterance"], col["status"], col["reason"]],
        [20, 30, 22, 50, 16, 40],
    ).start()
    for a in figures.get("appealed", ()):
        appealed.add([a["call"], title(a["rule"]), a["rule"], a["text"], val.get(a["status"], a["status"]),
                      a.get("reason") or ""])  # fmt: skip
    appealed.finish()

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
