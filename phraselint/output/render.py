"""Formatting findings: text, json, jsonl, github, sarif; and the --statistics table."""

from __future__ import annotations

import json
import os
import unicodedata
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import click

from .. import __version__
from ..check.files import Finding
from ..engine.script import to_script
from ..model import Rule, Source, severity_rank

STREAMED: frozenset[str] = frozenset({"text", "jsonl", "github", "json"})
_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def auto_format() -> str:
    """GitHub annotations inside GitHub Actions, else text (yamllint's `auto`)."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def format_time(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(seconds)
    ms = int(round((seconds - whole) * 1000))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" + (f".{ms:03d}" if ms else "")


# A finding shows its utterance whole up to this length; past it, a window of CONTEXT characters either side
# of the span (and no whole-utterance rewrite): the cost of a finding is bounded, however long its line.
WHOLE_UTTERANCE = 1000
CONTEXT = 200


def context(f: Finding) -> tuple[int, str]:
    """The part of the finding's utterance to show: (its offset in the utterance, its text)."""
    text, v = f.turn.text, f.violation
    if len(text) <= WHOLE_UTTERANCE:
        return 0, text
    start = max(0, v.start - CONTEXT)
    return start, text[start : min(len(text), v.end + CONTEXT)]


def bounded_rewrite(f: Finding) -> str | None:
    """The whole-utterance rewrite, for an utterance short enough to be shown whole."""
    return f.violation.rewrite if len(f.turn.text) <= WHOLE_UTTERANCE else None


def as_dict(f: Finding) -> dict[str, Any]:
    v = f.violation
    offset, utterance = context(f)
    return {
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "text": v.text,
        "rule": v.rule,
        "severity": v.severity,
        "situation": v.situation,
        "category": v.category,
        "message": v.message,
        "speaker": f.turn.speaker,
        "start": v.start,  # character offsets of the span in the utterance, as in the library's Violation
        "end": v.end,
        "time": f.turn.start,  # the utterance's start and end time in seconds, where the transcript has them
        "time_end": f.turn.end,
        # The utterance, or for a long one a window around the span: utterance[start - utterance_start :
        # end - utterance_start] is the text.
        "utterance": utterance,
        "utterance_start": offset,
        "suggestions": list(v.suggestions),
        "fix": v.fix,
        "rewrite": bounded_rewrite(f),
        "sources": source_dicts(v.sources),
        "script": v.script,
    }


def rule_dict(rule: Rule, *, matching: bool = False) -> dict[str, Any]:
    """A rule as JSON (``rules list --format json``, the service's ``GET /v1/rules``); ``matching`` adds
    what it matches: its variants and its scope."""
    data: dict[str, Any] = {
        "id": rule.id,
        "severity": rule.severity,
        "situation": rule.situation,
        "category": rule.category,
        "phrase": rule.phrase,
    }
    if matching:
        data["variants"] = [v.text for v in rule.variants]
        data["scope"] = rule.scope
    data["message"] = rule.message
    data["sources"] = source_dicts(rule.sources)
    return data


def source_dicts(sources: Iterable[Source]) -> list[dict[str, str]]:
    return [{"code": s.code, "clause": s.clause} for s in sources]


def summary(findings: Sequence[Finding], files: int, errors: int) -> dict[str, Any]:
    by_severity = Counter(f.violation.severity for f in findings)
    return {
        "files": files,
        "unreadable": errors,
        "violations": len(findings),
        "by_severity": {k: by_severity.get(k, 0) for k in ("error", "warning", "info")},
        "by_rule": dict(Counter(f.violation.rule for f in findings).most_common()),
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_block(f: Finding) -> str:
    """``path:line:col: severity rule message``, the utterance with the span marked, and the rewrites."""
    v = f.violation
    head = (
        f"{click.style(f'{f.path}:{f.line}:{f.column}:', bold=True)} "
        f"{click.style(v.severity, fg=_COLOURS[v.severity], bold=True)} "
        f"{click.style(v.rule, fg='cyan')} {v.message}"
    )
    who = " ".join(x for x in (f.turn.speaker, format_time(f.turn.start)) if x)
    lines = [head]
    offset, shown = context(f)
    span_start, span_end = v.start - offset, v.end - offset
    utterance_lines = shown.split("\n")
    offset = 0
    for ul in utterance_lines:
        lo, hi = offset, offset + len(ul)
        if hi >= span_start and lo < span_end or (lo <= span_start < hi + 1 and span_start == span_end):
            prefix = f"  {who}: " if who else "  "
            lines.append(prefix + ul)
            a, b = max(span_start, lo) - lo, min(span_end, hi) - lo
            pad = " " * (_width(prefix) + _width(ul[:a]))
            lines.append(pad + click.style("^" * max(1, _width(ul[a:b])), fg=_COLOURS[v.severity]))
        offset = hi + 1
    suggestion, whole = to_script("建议", v.script), to_script("整句", v.script)
    for s in v.suggestions:
        lines.append(f"  {click.style(suggestion, fg='green')}: {s}")
    rewrite = bounded_rewrite(f)
    if rewrite and rewrite not in v.suggestions:
        lines.append(f"  {click.style(whole, fg='green')}: {rewrite}")
    return "\n".join(lines)


def github_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions toolkit does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped as the toolkit does
    (``escapeProperty``): a ``,`` or ``:`` in a path would otherwise end the value."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}[f.violation.severity]
    msg = f"{f.violation.message} 建议: {' / '.join(f.violation.suggestions)}"
    return (
        f"::{level} file={github_property(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
        f"endColumn={f.end_column},title={github_property(f.violation.rule)}::{github_data(msg)}"
    )


SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# What a replacement may not contain to be put into the file as it is: in JSON Lines and CSV these would need
# escaping, which neither a SARIF consumer nor an editor knows to do.
_UNSAFE_IN_PLACE = frozenset('"\\,\t\r\n')


def fits_in_place(text: str) -> bool:
    """Whether ``text`` can replace characters of any transcript format as it is."""
    return not _UNSAFE_IN_PLACE & set(text)


def utterance_span(f: Finding) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where the finding's whole utterance stands in the file (1-based line and column, end exclusive), if it
    stands there as one run of characters (one anchor: no escapes, no line breaks of a cue)."""
    turn = f.turn
    if len(turn.anchors) > 1:
        return None
    return turn.locate(0), turn.locate_end(len(turn.text))


def artifact_uri(path: str) -> str:
    """``path`` as a SARIF artifact URI: a relative reference with ``/`` separators, percent-encoded (UTF-8),
    or a ``file://`` URI for an absolute path."""
    if os.path.isabs(path):
        return Path(path).as_uri()
    return urllib.parse.quote(path.replace(os.sep, "/"), safe="/")


def _sarif_region(start: tuple[int, int], end: tuple[int, int]) -> dict[str, int]:
    return {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}


def sarif_fixes(f: Finding) -> list[dict[str, Any]]:
    """The fixes of a finding that can be written as replacements of the file's characters: the whole
    utterance rewritten (its span in the file, when the utterance stands there as one run of characters),
    else the matched span's fix. Suggestions that are no such replacement stay in the result's properties."""
    v = f.violation
    uri = artifact_uri(f.path)
    fixes = []
    span = utterance_span(f)
    rewrite = bounded_rewrite(f)
    if rewrite and span and fits_in_place(rewrite):
        fixes.append((rewrite, _sarif_region(*span)))
    elif v.fix is not None and f.line == f.end_line and fits_in_place(v.fix):
        fixes.append((v.fix, _sarif_region((f.line, f.column), (f.end_line, f.end_column))))
    return [
        {
            "description": {"text": text},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": uri},
                    "replacements": [{"deletedRegion": region, "insertedContent": {"text": text}}],
                }
            ],
        }
        for text, region in fixes
    ]


def sarif(findings: Sequence[Finding], rules: Iterable[Any]) -> dict[str, Any]:
    """A SARIF 2.1.0 log (valid against the OASIS schema; columns count code points, as ``columnKind``
    says)."""
    level = {"error": "error", "warning": "warning", "info": "note"}
    used = {f.violation.rule for f in findings}
    described = [
        {
            "id": r.id,
            "shortDescription": {"text": r.phrase},
            "fullDescription": {"text": r.message},
            "defaultConfiguration": {"level": level[r.severity]},
        }
        for r in rules
        if r.id in used
    ]
    # Rules outside the catalogue (the conversation rules, an unused suppression) are described by id.
    for rule, severity in sorted({(f.violation.rule, f.violation.severity) for f in findings}):
        if rule not in {r["id"] for r in described}:
            described.append({"id": rule, "defaultConfiguration": {"level": level[severity]}})
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.violation.rule,
            "level": level[f.violation.severity],
            "message": {"text": f.violation.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(f.path)},
                        "region": {
                            **_sarif_region((f.line, f.column), (f.end_line, f.end_column)),
                            "snippet": {"text": f.violation.text},
                        },
                    }
                }
            ],
        }
        fixes = sarif_fixes(f)
        if fixes:
            result["fixes"] = fixes
        if f.violation.suggestions:
            result["properties"] = {"suggestions": list(f.violation.suggestions)}
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "phraselint", "version": __version__, "rules": described},
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


JSON_HEAD = '{"violations": ['


class Shown(NamedTuple):
    """A finding as a streamed format prints it, made where it was found (a worker of ``check -j``): its rule
    and severity, which the run's counts need, and its text."""

    rule: str
    severity: str
    text: str


def shown(f: Finding, fmt: str) -> Shown:
    """``f`` as ``fmt`` (one of ``STREAMED``) prints it."""
    if fmt == "text":
        text = text_block(f)
    elif fmt == "github":
        text = github_line(f)
    else:
        text = json.dumps(as_dict(f), ensure_ascii=False)
    return Shown(f.violation.rule, f.violation.severity, text)


def emit_one(f: Finding, fmt: str, out: TextIO, first: bool = False) -> None:
    """Write one finding as it is found (the streamed formats). ``json`` is written finding by finding too,
    one finding a line by the C encoder, between :data:`JSON_HEAD` and :func:`json_tail`: memory stays flat
    however many findings a run has."""
    if fmt in STREAMED:
        emit_shown(shown(f, fmt), fmt, out, first)


def emit_shown(s: Shown, fmt: str, out: TextIO, first: bool = False) -> None:
    """Write one finding shown already (``shown``)."""
    if fmt == "json":
        out.write(("\n" if first else ",\n") + s.text)
    elif fmt == "text":
        click.echo(s.text, file=out)
    else:
        out.write(s.text + "\n")


def json_tail(tally: Tally, files: int, errors: int) -> str:
    """What closes a streamed ``json`` document: the summary, as :func:`summary` has it."""
    by_severity = tally.by_severity()
    by_rule: Counter[str] = Counter()
    for (rule, _severity), n in tally.counts.items():
        by_rule[rule] += n
    summary_ = {
        "files": files,
        "unreadable": errors,
        "violations": len(tally),
        "by_severity": {k: by_severity.get(k, 0) for k in ("error", "warning", "info")},
        "by_rule": dict(by_rule.most_common()),
    }
    return "\n], " + '"summary": ' + json.dumps(summary_, ensure_ascii=False) + "}\n"


def emit_all(
    findings: Sequence[Finding], fmt: str, out: TextIO, files: int, errors: int, rules: Iterable[Any]
) -> None:
    """Write the formats that need every finding at once."""
    if fmt == "json":
        data = {"violations": [as_dict(f) for f in findings], "summary": summary(findings, files, errors)}
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "sarif":
        out.write(json.dumps(sarif(findings, rules), ensure_ascii=False, indent=2) + "\n")


class Tally:
    """What a run found: counts by rule and severity always, the findings themselves only when ``keep``
    (json and sarif print them all at the end; the streamed formats must not hold a 1 GB file's findings)."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.findings: list[Finding] = []
        self.counts: Counter[tuple[str, str]] = Counter()  # (rule, severity) → findings

    def add(self, finding: Finding) -> None:
        self.counts[(finding.violation.rule, finding.violation.severity)] += 1
        if self.keep:
            self.findings.append(finding)

    def count(self, rule: str, severity: str) -> None:
        """Count a finding that is not kept (one shown by a worker: the formats that keep none)."""
        self.counts[(rule, severity)] += 1

    def __len__(self) -> int:
        return sum(self.counts.values())

    def by_severity(self) -> dict[str, int]:
        out = dict.fromkeys(("error", "warning", "info"), 0)
        for (_, severity), n in self.counts.items():
            out[severity] += n
        return out

    def worst(self) -> int:
        """The rank of the most severe finding, -1 when there is none."""
        return max((severity_rank(severity) for _, severity in self.counts), default=-1)


def statistics(tally: Tally, out: TextIO) -> None:
    """Counts by rule, most frequent first (ruff's --statistics)."""
    counts = tally.counts
    for (rule, severity), n in sorted(
        counts.items(), key=lambda kv: (-kv[1], -severity_rank(kv[0][1]), kv[0][0])
    ):
        click.echo(f"{n:6d}  {rule:32s} {severity}", file=out)
