"""The scoring sheet (质检评分表, rules/scoring.yml, ``--scoring``), the score of one conversation and its
figures (what ``phraselint report`` shows per transcript and ``phraselint.spark`` per call): pure functions
of a transcript checked whole, below the applications that share them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.catalogue import builtin_rules_dir, key_line, read_yaml
from ..errors import ConfigError
from ..model import SEVERITIES
from ..read.transcript import Turn
from .conversation import ConversationRules
from .files import Finding
from .whole import Transcript


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
        extra = read_yaml(path, "scoring sheet")
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
    return Score(round_points(value), value >= sheet.pass_mark and not critical, critical, deductions)


def round_points(value: float) -> float:
    """Points to one decimal, a whole number without one (80, not 80.0)."""
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


# --- the figures of one conversation ------------------------------------------------------------------

UNLABELLED = "（未标注）"  # the staff of a transcript without speaker names


def kind(f: Finding, t: Transcript) -> str:
    """``conversation`` for a finding of a conversation rule (their ids are not the catalogue's), else
    ``phrase``."""
    return "conversation" if f.violation.rule in t.conversation.checked else "phrase"


def justified(t: Transcript, rule: str | None) -> bool:
    """Whether a finding of ``rule`` (None: of a phrase rule) was judged justified on appeal: it still counts."""
    return any(
        entry.status == "justified" and (f.violation.rule == rule if rule else kind(f, t) == "phrase")
        for f, entry in t.judged
    )


def outcome(t: Transcript, rules: ConversationRules, check: str) -> bool | None:
    """Whether the rules of one check passed (None: none ran); a finding judged justified still fails it."""
    result = t.conversation
    outcomes = [
        False if justified(t, r.id) else result.outcome(r.id) for r in rules.rules if r.check == check
    ]
    ran = [o for o in outcomes if o is not None]
    return all(ran) if ran else None


def staff_turn(t: Transcript, turn: Turn) -> bool:
    cast = t.conversation.cast
    if any(role is not None for role in cast):
        return cast[turn.index] == "staff"
    return True  # nobody's role is known: every speaker is checked as staff, as the phrase checks do


def staff_name(speaker: str | None) -> str:
    return speaker.strip() if speaker else UNLABELLED


def staff_of(t: Transcript) -> list[str]:
    return list(dict.fromkeys(staff_name(turn.speaker) for turn in t.turns if staff_turn(t, turn)))


def conversation_figures(t: Transcript, s: Score, rules: ConversationRules) -> dict[str, Any]:
    """The figures of one conversation and its score, as plain data: channel, turns, staff, score, passed,
    critical rules, deductions, counts by severity and kind, compliance, the rules skipped."""
    findings = t.findings
    by_severity = Counter(f.violation.severity for f in findings)
    return {
        "channel": "phone" if t.conversation.phone else "window",
        "turns": len(t.turns),
        "staff": staff_of(t),
        "score": s.value,
        "passed": s.passed,
        "critical": list(s.critical),
        "deductions": [{"rule": rule, "points": round_points(points)} for rule, points in s.deductions],
        "violations": len(findings),
        "by_severity": {k: by_severity.get(k, 0) for k in reversed(SEVERITIES)},
        "forbidden": len(t.phrases),
        "conversation": len(t.conversation.findings),
        "compliance": {
            "greeting": outcome(t, rules, "greeting"),
            "farewell": outcome(t, rules, "farewell"),
            "no_forbidden": not t.phrases and not justified(t, None),
        },
        "skipped": [{"rule": k.rule, "reason": k.reason} for k in t.conversation.skipped],
    }
