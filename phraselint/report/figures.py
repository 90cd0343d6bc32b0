"""The figures of a report: totals, compliance rates, findings by rule, situation and staff member, the worst
utterances; plain data, what ``--format json`` writes and the other formats draw on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..check.conversation import ConversationRules
from ..check.files import Finding
from ..check.scoring import (
    UNLABELLED,
    Score,
    ScoringSheet,
    conversation_figures,
    round_points,
    score,
    staff_turn,
)
from ..check.scoring import kind as _kind
from ..check.scoring import staff_name as _name
from ..check.whole import Transcript
from ..model import SEVERITIES, Violation, Vocabulary, severity_rank
from ..output.render import as_dict, format_time
from ..read.decode import display_name
from ..read.transcript import Turn
from .people import agents_of, clean_rewrites, people_figures

WORST = 20  # utterances in the "worst" list
COMPLIANCE = ("greeting", "farewell", "no_forbidden")


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
    titles: Mapping[str, str] | None = None,
    detail: str = "full",
) -> dict[str, Any]:
    """Every figure of the report, as plain data (what ``--format json`` writes and the others draw on).
    ``titles``: the Chinese title of each rule id. ``detail``: each transcript's turns as ``utterances``
    (``full``, for json), as compact ``rows`` (``compact``: line, time, speaker, role, the text or its
    marked segments, the findings; for the html page, a fifth of the memory), or not at all (``none``). Findings judged on appeal (Transcript.judged) are left
    out of the findings and listed apart, under ``appealed``."""
    titles = dict(titles or {})
    scored = [(t, score(t.counted, sheet)) for t in transcripts]
    per_transcript = [_transcript_figures(t, s, rules, detail) for t, s in scored]
    findings = [f for t in transcripts for f in t.findings]
    people = people_figures(transcripts, per_transcript, _answerable, COMPLIANCE, titles)
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
        "titles": {
            rule: titles.get(rule, rule)
            for rule in sorted(
                {f.violation.rule for f in findings}
                | {k.rule for t in transcripts for k in t.conversation.skipped}
                | {f.violation.rule for t in transcripts for f, _ in t.judged}
            )
        },
        "agents": people["agents"],
        "teams": people["teams"],
        "trends": people["trends"],
        "appealed": [
            {
                "call": t.key,
                "transcript": n,
                "line": f.line,
                "rule": f.violation.rule,
                "title": titles.get(f.violation.rule, f.violation.rule),
                "text": f.turn.text,
                "status": entry.status,
                "reason": entry.reason,
                "by": entry.by,
                "date": entry.date,
            }
            for n, t in enumerate(transcripts)
            for f, entry in t.judged
        ],
        "appeals": dict(Counter(entry.status for t in transcripts for _, entry in t.judged)),
    }


def _transcript_figures(
    t: Transcript, s: Score, rules: ConversationRules, detail: str = "full"
) -> dict[str, Any]:
    findings = t.findings
    call = t.call
    figures = conversation_figures(t, s, rules)
    return {
        "path": display_name(t.path),
        "call": call.id if call is not None else display_name(t.path),
        "date": call.date.isoformat(sep=" ") if call is not None and call.date else None,
        "agents": agents_of(t, figures["staff"]),
        **figures,
        "findings": [
            {**as_dict(f), "path": display_name(f.path), "kind": _kind(f, t), "rewrites": clean_rewrites([f])}
            for f in findings
        ],
        **_turns_of(t, findings, detail),
    }


def _turns_of(t: Transcript, findings: Sequence[Finding], detail: str) -> dict[str, Any]:
    if detail == "full":
        return {"utterances": _utterances(t, findings)}
    if detail == "none":
        return {}
    by_turn: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        by_turn[f.turn.index].append(i)
    turns = []
    for turn in t.turns:
        own = by_turn.get(turn.index, [])
        shown: Any = turn.text
        if own:
            marks = _marks(t, turn, [findings[i] for i in own])
            shown = [[seg["text"], seg["severity"]] for seg in _segments(turn.text, marks)]
        turns.append(
            [turn.line, format_time(turn.start) or "", turn.speaker or "", _role(t, turn), shown, own]
        )
    return {"rows": turns}


def _role(t: Transcript, turn: Turn) -> str:
    cast = t.conversation.cast
    role = cast[turn.index] if turn.index < len(cast) else None
    return role or ("staff" if staff_turn(t, turn) else "other")


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


def _utterances(t: Transcript, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Every turn with its marks; the findings grouped by turn once (a call has many turns, few findings)."""
    by_turn: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        by_turn[f.turn.index].append(i)
    return [_utterance(t, turn, findings, by_turn.get(turn.index, [])) for turn in t.turns]


def _utterance(t: Transcript, turn: Turn, findings: Sequence[Finding], own: list[int]) -> dict[str, Any]:
    if not own:
        return {
            "line": turn.line,
            "speaker": turn.speaker,
            "role": _role(t, turn),
            "time": format_time(turn.start),
            "text": turn.text,
            "segments": [{"text": turn.text, "severity": None}] if turn.text else [],
            "findings": own,
        }
    return {
        "line": turn.line,
        "speaker": turn.speaker,
        "role": _role(t, turn),
        "time": format_time(turn.start),
        "text": turn.text,
        "segments": _segments(turn.text, _marks(t, turn, [findings[i] for i in own])),
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
        "mean_score": round_points(sum(scores) / len(scores)) if scores else None,
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
    if staff_turn(t, f.turn):
        return _name(f.turn.speaker)
    staff = [turn for turn in t.turns if staff_turn(t, turn)]
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
            row["turns"] += sum(1 for turn in t.turns if staff_turn(t, turn) and _name(turn.speaker) == name)
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
                "mean_score": round_points(sum(scores) / len(scores)) if scores else None,
                "compliance": {k: _rate(row[k]) for k in COMPLIANCE},
            }
        )
    return sorted(out, key=lambda r: (-(r["mean_score"] or 0), r["name"]))


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
        rewrites = clean_rewrites(found)
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
