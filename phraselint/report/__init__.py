"""Reports for quality managers (质检报告): many transcripts read, checked and scored, then summed up.

```
file ─read, parse→ turns ─phrase checks + conversation rules→ findings ─scoring sheet→ a score per conversation
transcripts ─figures→ totals, compliance rates, by rule, by situation, by staff member, worst utterances
figures ─render→ html (one self-contained file: Chart.js and the data inline) | csv | json
```

``analyse_file`` (phraselint.check.whole) is the only step that reads a file; scoring, figures and rendering
take values and return values. ``write_report`` writes atomically. The ``report`` click command is registered
by phraselint.cli by name; it is built on first use (module ``__getattr__``) from the options shared in
phraselint.command_line.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ..check.conversation import ConversationResult, ConversationRules
from ..check.files import Finding
from ..check.whole import Transcript, analyse_file
from ..command_line import (
    conversation_rules_option,
    expand_paths,
    fail,
    guard,
    lint_options,
    reading_of,
    settings_from,
    worker,
)
from ..data.catalogue import builtin_rules_dir, key_line, read_texts, read_yaml
from ..data.files import write_atomic
from ..errors import ConfigError, PhraselintError
from ..model import SEVERITIES, Violation, Vocabulary, severity_rank
from ..output.render import as_dict, format_time
from ..read.decode import display_name
from ..read.transcript import Turn

REPORT_FORMATS: tuple[str, ...] = ("html", "csv", "json")
ASSETS = Path(__file__).resolve().parent.parent / "assets"
CHART_JS = "chart.umd.js"
TEMPLATE = "report.html.j2"
UNLABELLED = "（未标注）"  # the staff of a transcript without speaker names
WORST = 20  # utterances in the "worst" list
CHART_RULES = 15  # rules in the by-rule chart
COMPLIANCE = ("greeting", "farewell", "no_forbidden")


# --- the scoring sheet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringSheet:
    """How a conversation is scored (rules/scoring.yml)."""

    start: float
    floor: float
    pass_mark: float
    deductions: Mapping[str, float]  # by severity
    rules: Mapping[str, float]  # by rule id, instead of the severity's
    cap: float | None
    critical_rules: tuple[str, ...]
    critical_categories: tuple[str, ...]
    critical_score: float
    files: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "floor": self.floor,
            "pass": self.pass_mark,
            "deductions": dict(self.deductions),
            "rules": dict(self.rules),
            "cap": self.cap,
            "critical": {
                "rules": list(self.critical_rules),
                "categories": list(self.critical_categories),
                "score": self.critical_score,
            },
            "files": list(self.files),
        }


@dataclass(frozen=True)
class Score:
    value: float
    passed: bool
    critical: tuple[str, ...]  # rule ids of the critical findings
    deductions: tuple[tuple[str, float], ...]  # (rule, points off), most first


_SHEET_KEYS = {"__line__", "version", "start", "floor", "pass", "deductions", "rules", "cap", "critical"}
_CRITICAL_KEYS = {"__line__", "rules", "categories", "score"}


def load_scoring(
    path: str | None = None, *, rule_ids: Iterable[str] = (), categories: Iterable[str] = ()
) -> ScoringSheet:
    """The built-in sheet, with the keys of ``path`` over it. ``rule_ids`` and ``categories`` are the known
    ones: a sheet naming another is an error (a typo would silently score nothing). Every error names the
    file and the line of the value at fault."""
    base = str(builtin_rules_dir() / "scoring.yml")
    given = [(base, read_yaml(base))]
    if path is not None:
        if not Path(path).is_file():
            raise ConfigError("scoring sheet not found", path)
        extra = read_yaml(path)
        _check_sheet_keys(extra, _SHEET_KEYS, _Sheets(((path, extra),)))
        given.append((path, extra))
    sheets = _Sheets(tuple(given))
    return _sheet(sheets.merged(), sheets, set(rule_ids), set(categories))


@dataclass(frozen=True)
class _Sheets:
    """The sheet files read, each over the ones before it: what they give together, and where each value
    was given."""

    files: tuple[tuple[str, dict[str, Any]], ...]

    def merged(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for _, data in self.files:
            over = {**merged, **data}
            for key in ("deductions", "rules", "critical"):
                if isinstance(merged.get(key), dict) and isinstance(data.get(key), dict):
                    over[key] = {**merged[key], **data[key]}
            merged = over
        return merged

    def where(self, key: str, sub: Any = None) -> tuple[str, int | None]:
        """The file and line that give ``key`` (``key.sub`` when ``sub`` is given); the last file that gives
        ``key`` at all, else the last file."""
        for path, data in reversed(self.files):
            node = data.get(key)
            if sub is not None and isinstance(node, dict) and sub in node:
                return path, key_line(node, sub)
            if key in data and (sub is None or not isinstance(node, dict)):
                return path, key_line(data, key)
        for path, data in reversed(self.files):
            if key in data:
                return path, key_line(data, key)
        path, data = self.files[-1]
        return path, key_line(data, "__line__", 1)

    def fail(self, message: str, key: str, sub: Any = None) -> ConfigError:
        return ConfigError(message, *self.where(key, sub))


def _check_sheet_keys(
    data: Mapping[str, Any], allowed: set[str], sheets: _Sheets, parent: str | None = None
) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        known = ", ".join(sorted(k for k in allowed if k != "__line__"))
        where = f" '{parent}'" if parent else " the scoring sheet"
        message = f"unknown key '{unknown[0]}' in{where} (known: {known})"
        raise sheets.fail(message, parent, unknown[0]) if parent else sheets.fail(message, unknown[0])


def _points(value: Any, sheets: _Sheets, key: str, sub: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        what = f"{key}.{sub}" if sub is not None else key
        raise sheets.fail(f"'{what}' must be a number", key, sub)
    return value


def _table(data: Mapping[str, Any], key: str, sheets: _Sheets) -> dict[str, float]:
    table = data.get(key) or {}
    if not isinstance(table, dict):
        raise sheets.fail(f"'{key}' must be a mapping", key)
    return {k: _points(v, sheets, key, k) for k, v in table.items() if k != "__line__"}


def _names(value: Any, sheets: _Sheets, sub: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise sheets.fail(f"'critical.{sub}' must be a list of texts", "critical", sub)
    return tuple(value)


def _sheet(
    data: Mapping[str, Any], sheets: _Sheets, rule_ids: set[str], categories: set[str]
) -> ScoringSheet:
    _check_sheet_keys(data, _SHEET_KEYS, sheets)
    critical = data.get("critical") or {}
    if not isinstance(critical, dict):
        raise sheets.fail("'critical' must be a mapping", "critical")
    _check_sheet_keys(critical, _CRITICAL_KEYS, sheets, "critical")
    deductions = _table(data, "deductions", sheets)
    for severity in SEVERITIES:
        if severity not in deductions:
            raise sheets.fail(f"'deductions' must give points for '{severity}'", "deductions")
    unknown_severity = sorted(set(deductions) - set(SEVERITIES))
    if unknown_severity:
        severity = unknown_severity[0]
        raise sheets.fail(f"unknown severity '{severity}' in 'deductions'", "deductions", severity)
    rules = _table(data, "rules", sheets)
    critical_rules = _names(critical.get("rules"), sheets, "rules")
    critical_categories = _names(critical.get("categories"), sheets, "categories")
    unknown_rule = "unknown rule '{}' in the scoring sheet (see 'phraselint rules list')"
    for rule in rules:
        if rule_ids and rule not in rule_ids:
            raise sheets.fail(unknown_rule.format(rule), "rules", rule)
    for rule in critical_rules:
        if rule_ids and rule not in rule_ids:
            raise sheets.fail(unknown_rule.format(rule), "critical", "rules")
    for category in critical_categories:
        if categories and category not in categories:
            raise sheets.fail(
                f"unknown category '{category}' in 'critical.categories'", "critical", "categories"
            )
    cap = data.get("cap")
    sheet = ScoringSheet(
        start=_points(data.get("start"), sheets, "start"),
        floor=_points(data.get("floor", 0), sheets, "floor"),
        pass_mark=_points(data.get("pass"), sheets, "pass"),
        deductions=deductions,
        rules=rules,
        cap=None if cap is None else _points(cap, sheets, "cap"),
        critical_rules=critical_rules,
        critical_categories=critical_categories,
        critical_score=_points(critical.get("score", 0), sheets, "critical", "score"),
        files=tuple(path for path, _ in sheets.files),
    )
    if sheet.floor > sheet.start:
        raise sheets.fail("'floor' must not be above 'start'", "floor")
    return sheet


def score(findings: Sequence[Finding], sheet: ScoringSheet) -> Score:
    """The score of one conversation from all its findings."""
    off: dict[str, float] = {}  # rule → points off
    for f in findings:
        v = f.violation
        off[v.rule] = off.get(v.rule, 0) + sheet.rules.get(v.rule, sheet.deductions[v.severity])
    capped = {
        rule: min(points, sheet.cap) if sheet.cap is not None else points for rule, points in off.items()
    }
    value = sheet.start - sum(capped.values())
    critical = tuple(
        dict.fromkeys(
            f.violation.rule
            for f in findings
            if f.violation.rule in sheet.critical_rules or f.violation.category in sheet.critical_categories
        )
    )
    if critical:
        value = min(value, sheet.critical_score)
    value = max(sheet.floor, value)
    deductions = tuple(sorted(capped.items(), key=lambda kv: (-kv[1], kv[0])))
    return Score(_round(value), value >= sheet.pass_mark and not critical, critical, deductions)


def _round(value: float) -> float:
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


# --- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unreadable:
    path: str
    error: str


def build_figures(
    transcripts: Sequence[Transcript],
    unreadable: Sequence[Unreadable],
    sheet: ScoringSheet,
    rules: ConversationRules,
    vocabulary: Vocabulary,
    title: str = "服务规范质检报告",
) -> dict[str, Any]:
    """Every figure of the report, as plain data (what ``--format json`` writes and the others draw on)."""
    scored = [(t, score(t.findings, sheet)) for t in transcripts]
    per_transcript = [_transcript_figures(t, s, rules) for t, s in scored]
    findings = [f for t in transcripts for f in t.findings]
    return {
        "title": title,
        "generated": datetime.now().astimezone().isoformat(timespec="seconds"),
        "totals": _totals(per_transcript, findings, unreadable, sheet),
        "compliance": _compliance(per_transcript),
        "by_rule": _by_rule(findings),
        "by_situation": _by_situation(findings, vocabulary),
        "skipped": _skipped(transcripts),
        "staff": _staff_figures(transcripts, per_transcript, rules),
        "worst": _worst(transcripts),
        "transcripts": per_transcript,
        "unreadable": [{"path": u.path, "error": u.error} for u in unreadable],
        "scoring": sheet.as_dict(),
    }


def _kind(f: Finding, t: Transcript) -> str:
    """``conversation`` for a finding of a conversation rule (their ids are not the catalogue's), else
    ``phrase``."""
    return "conversation" if f.violation.rule in t.conversation.checked else "phrase"


def _outcome(result: ConversationResult, rules: ConversationRules, check: str) -> bool | None:
    """Whether the rules of one check passed (None: none ran)."""
    outcomes = [result.outcome(r.id) for r in rules.rules if r.check == check]
    ran = [o for o in outcomes if o is not None]
    return all(ran) if ran else None


def _transcript_figures(t: Transcript, s: Score, rules: ConversationRules) -> dict[str, Any]:
    findings = t.findings
    by_severity = Counter(f.violation.severity for f in findings)
    return {
        "path": display_name(t.path),
        "channel": "phone" if t.conversation.phone else "window",
        "turns": len(t.turns),
        "staff": _staff_of(t),
        "score": s.value,
        "passed": s.passed,
        "critical": list(s.critical),
        "deductions": [{"rule": rule, "points": _round(points)} for rule, points in s.deductions],
        "violations": len(findings),
        "by_severity": {k: by_severity.get(k, 0) for k in reversed(SEVERITIES)},
        "forbidden": len(t.phrases),
        "conversation": len(t.conversation.findings),
        "compliance": {
            "greeting": _outcome(t.conversation, rules, "greeting"),
            "farewell": _outcome(t.conversation, rules, "farewell"),
            "no_forbidden": not t.phrases,
        },
        "skipped": [{"rule": k.rule, "reason": k.reason} for k in t.conversation.skipped],
        "findings": [{**as_dict(f), "path": display_name(f.path), "kind": _kind(f, t)} for f in findings],
        "utterances": [_utterance(t, turn, findings) for turn in t.turns],
    }


def _staff_turn(t: Transcript, turn: Turn) -> bool:
    cast = t.conversation.cast
    if any(role is not None for role in cast):
        return cast[turn.index] == "staff"
    return True  # nobody's role is known: every speaker is checked as staff, as the phrase checks do


def _name(speaker: str | None) -> str:
    return speaker.strip() if speaker else UNLABELLED


def _staff_of(t: Transcript) -> list[str]:
    return list(dict.fromkeys(_name(turn.speaker) for turn in t.turns if _staff_turn(t, turn)))


def _role(t: Transcript, turn: Turn) -> str:
    cast = t.conversation.cast
    role = cast[turn.index] if turn.index < len(cast) else None
    return role or ("staff" if _staff_turn(t, turn) else "other")


def _segments(text: str, marks: Sequence[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """``text`` cut where marks begin and end; each piece with the gravest severity marking it (or None)."""
    cuts = sorted({0, len(text), *(s for s, _, _ in marks), *(e for _, e, _ in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [sev for s, e, sev in marks if s <= a and b <= e and s < e]
        severity = max(covering, key=severity_rank) if covering else None
        out.append({"text": text[a:b], "severity": severity})
    return [seg for seg in out if seg["text"]]


def _marks(t: Transcript, turn: Turn, findings: Sequence[Finding]) -> list[tuple[int, int, str]]:
    """The spans to mark in a turn: every finding's, except a conversation finding about the whole turn."""
    out = []
    for f in findings:
        v = f.violation
        whole = v.start == 0 and v.end == len(turn.text) and _kind(f, t) == "conversation"
        if f.turn.index == turn.index and not whole:
            out.append((v.start, v.end, v.severity))
    return out


def _utterance(t: Transcript, turn: Turn, findings: Sequence[Finding]) -> dict[str, Any]:
    own = [i for i, f in enumerate(findings) if f.turn.index == turn.index]
    return {
        "line": turn.line,
        "speaker": turn.speaker,
        "role": _role(t, turn),
        "time": format_time(turn.start),
        "text": turn.text,
        "segments": _segments(turn.text, _marks(t, turn, findings)),
        "findings": own,
    }


def _rate(values: Iterable[bool | None]) -> dict[str, Any]:
    judged = [v for v in values if v is not None]
    yes = sum(1 for v in judged if v)
    return {"yes": yes, "of": len(judged), "rate": round(yes / len(judged), 4) if judged else None}


def _compliance(per_transcript: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {key: _rate(t["compliance"][key] for t in per_transcript) for key in COMPLIANCE}


def _totals(
    per_transcript: Sequence[Mapping[str, Any]],
    findings: Sequence[Finding],
    unreadable: Sequence[Unreadable],
    sheet: ScoringSheet,
) -> dict[str, Any]:
    scores = [t["score"] for t in per_transcript]
    by_severity = Counter(f.violation.severity for f in findings)
    return {
        "transcripts": len(per_transcript),
        "unreadable": len(unreadable),
        "turns": sum(t["turns"] for t in per_transcript),
        "violations": len(findings),
        "by_severity": {k: by_severity.get(k, 0) for k in reversed(SEVERITIES)},
        "passed": sum(1 for t in per_transcript if t["passed"]),
        "pass_mark": sheet.pass_mark,
        "mean_score": _round(sum(scores) / len(scores)) if scores else None,
        "min_score": min(scores) if scores else None,
        "max_score": max(scores) if scores else None,
    }


def _by_rule(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    counts = Counter(f.violation.rule for f in findings)
    first: dict[str, Violation] = {}
    for f in findings:
        first.setdefault(f.violation.rule, f.violation)
    return [
        {"rule": rule, "count": n, "severity": first[rule].severity, "situation": first[rule].situation}
        for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _by_situation(findings: Sequence[Finding], vocabulary: Vocabulary) -> list[dict[str, Any]]:
    counts = Counter(f.violation.situation for f in findings)
    return [
        {"situation": s, "label": vocabulary.situations.get(s, s), "count": n}
        for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _skipped(transcripts: Sequence[Transcript]) -> list[dict[str, Any]]:
    counts = Counter((k.rule, k.reason) for t in transcripts for k in t.conversation.skipped)
    return [
        {"rule": rule, "reason": reason, "transcripts": n} for (rule, reason), n in sorted(counts.items())
    ]


def _answerable(t: Transcript, f: Finding) -> str:
    """The staff member a finding counts against: the speaker of a staff turn, else the staff member who
    spoke last before it (an unanswered question), else the first one."""
    if _staff_turn(t, f.turn):
        return _name(f.turn.speaker)
    staff = [turn for turn in t.turns if _staff_turn(t, turn)]
    before = [turn for turn in staff if turn.index < f.turn.index]
    chosen = before[-1] if before else staff[0] if staff else None
    return _name(chosen.speaker) if chosen else UNLABELLED


def _staff_figures(
    transcripts: Sequence[Transcript], per_transcript: Sequence[Mapping[str, Any]], rules: ConversationRules
) -> list[dict[str, Any]]:
    """Per staff member: the transcripts they speak in, their findings, the mean score and compliance."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "transcripts": 0,
            "turns": 0,
            "scores": [],
            "severity": Counter(),
            **{k: [] for k in COMPLIANCE},
        }
    )
    for t, figures in zip(transcripts, per_transcript):
        said_forbidden = {_answerable(t, f) for f in t.phrases}
        for name in figures["staff"]:
            row = rows[name]
            row["transcripts"] += 1
            row["turns"] += sum(1 for turn in t.turns if _staff_turn(t, turn) and _name(turn.speaker) == name)
            row["scores"].append(figures["score"])
            row["greeting"].append(figures["compliance"]["greeting"])
            row["farewell"].append(figures["compliance"]["farewell"])
            row["no_forbidden"].append(name not in said_forbidden)
        for f in t.findings:
            rows[_answerable(t, f)]["severity"][f.violation.severity] += 1
    out = []
    for name, row in rows.items():
        scores = row["scores"]
        out.append(
            {
                "name": name,
                "transcripts": row["transcripts"],
                "turns": row["turns"],
                "violations": sum(row["severity"].values()),
                "by_severity": {k: row["severity"].get(k, 0) for k in reversed(SEVERITIES)},
                "mean_score": _round(sum(scores) / len(scores)) if scores else None,
                "compliance": {k: _rate(row[k]) for k in COMPLIANCE},
            }
        )
    return sorted(out, key=lambda r: (-(r["mean_score"] or 0), r["name"]))


def _rewrites_of(v: Violation) -> tuple[str, ...]:
    """The whole utterance rewritten where there is one, else the suggestions."""
    return (v.rewrite,) if v.rewrite else v.suggestions


def _worst(transcripts: Sequence[Transcript], limit: int = WORST) -> list[dict[str, Any]]:
    """The utterances with the gravest findings (then the most), each with its findings and rewrites."""
    grouped: dict[tuple[int, int], list[Finding]] = defaultdict(list)
    for n, t in enumerate(transcripts):
        for f in t.findings:
            grouped[(n, f.turn.index)].append(f)
    ranked = sorted(
        grouped.items(),
        key=lambda kv: (-max(severity_rank(f.violation.severity) for f in kv[1]), -len(kv[1]), kv[0]),
    )
    out = []
    for (n, _), found in ranked[:limit]:
        t, turn = transcripts[n], found[0].turn
        rewrites = [r for f in found for r in _rewrites_of(f.violation)]
        out.append(
            {
                "path": display_name(t.path),
                "transcript": n,
                "line": turn.line,
                "speaker": turn.speaker,
                "time": format_time(turn.start),
                "text": turn.text,
                "segments": _segments(turn.text, _marks(t, turn, found)),
                "severity": max((f.violation.severity for f in found), key=severity_rank),
                "findings": [
                    {
                        "rule": f.violation.rule,
                        "severity": f.violation.severity,
                        "message": f.violation.message,
                    }
                    for f in found
                ],
                "rewrites": list(dict.fromkeys(rewrites)),
            }
        )
    return out


# --- rendering --------------------------------------------------------------------------------------


def render_json(figures: Mapping[str, Any]) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "path", "channel", "staff", "turns", "score", "passed", "critical", "violations", "error", "warning",
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
            "labels": [r["rule"] for r in figures["by_rule"][:CHART_RULES]],
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
    env.filters["percent"] = lambda rate: "—" if rate is None else f"{rate * 100:.1f}%"
    template = env.get_template(TEMPLATE)
    return template.render(figures=figures, charts=_charts(figures), chart_js=chart_library())


def render(figures: Mapping[str, Any], fmt: str) -> str:
    return {"html": render_html, "csv": render_csv, "json": render_json}[fmt](figures)


# --- writing ----------------------------------------------------------------------------------------


def check_output(output: str) -> None:
    """Fail before any work if the report could not be written where asked."""
    if output == "-":
        return
    target = Path(output)
    if target.is_dir():
        raise ConfigError("is a directory; name the report file", output)
    if not target.parent.resolve().is_dir():
        raise ConfigError("the directory of the report does not exist", output)


def write_report(output: str, text: str, fmt: str) -> None:
    """Write the report to ``output`` (``-``: standard output) atomically: a temporary file in the same
    directory, renamed over the target only once complete. CSV gets a byte-order mark, for spreadsheets."""
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text.encode(encoding))
    except OSError as exc:
        raise ConfigError(f"cannot write the report: {exc.strerror}", output) from None


# --- the command ------------------------------------------------------------------------------------


def _format_of(output: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output != "-" else ""
    return suffix if suffix in REPORT_FORMATS else "html"


@functools.lru_cache(maxsize=1)
def _report_command() -> click.Command:

    @click.command("report")
    @click.argument("paths", nargs=-1)
    @lint_options
    @click.option(
        "-o",
        "--output",
        default="-",
        show_default=True,
        help="The report file ('-': standard output); written atomically.",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(REPORT_FORMATS),
        default=None,
        help="html (one self-contained page), csv (one row per transcript) or json (everything); "
        "default: from the extension of --output, else html.",
    )
    @click.option(
        "--scoring",
        default=None,
        type=click.Path(dir_okay=False),
        help="A scoring sheet over the built-in rules/scoring.yml.",
    )
    @conversation_rules_option()
    @click.option("--title", default="服务规范质检报告", show_default=True, help="The title of the report.")
    @guard
    def report(
        paths: tuple[str, ...],
        output: str,
        fmt: str | None,
        scoring: str | None,
        conversation_rules: str | None,
        title: str,
        **opts: Any,
    ) -> None:
        """Check transcripts whole and write one report for quality managers: scores, compliance rates,
        findings by rule, situation and staff member, the worst utterances with rewrites."""
        from ..check.conversation import load_conversation_rules

        fmt = _format_of(output, fmt)
        check_output(output)
        settings = settings_from(opts)
        linter, roles = worker(settings)
        rules = load_conversation_rules(linter.catalogue, conversation_rules or settings.conversation_rules)
        vocabulary = linter.catalogue.vocabulary
        known = {r.id for r in linter.catalogue.rules} | set(rules.ids)
        sheet = load_scoring(scoring or settings.scoring, rule_ids=known, categories=vocabulary.categories)
        reading = reading_of(settings, opts)
        transcripts: list[Transcript] = []
        unreadable: list[Unreadable] = []
        for path in expand_paths(paths):
            try:
                transcripts.append(
                    analyse_file(path, linter, roles, rules, reading, slots=dict(settings.slots))
                )
            except PhraselintError as exc:
                fail(str(exc))
                unreadable.append(Unreadable(display_name(path), str(exc)))
        figures = build_figures(transcripts, unreadable, sheet, rules, vocabulary, title)
        write_report(output, render(figures, fmt), fmt)
        if unreadable:
            sys.exit(2)

    return report


def __getattr__(name: str) -> Any:
    """``report``: the click command, built on first use (see the module's docstring)."""
    if name == "report":
        return _report_command()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
