"""The people of a report: per agent (坐席, by 工号 where the export gives one, else the staff speaker's name),
per team (班组), and over time (per day, week and month). Plain data, drawn on by every format.

```
transcripts + their figures ─agent of each call→ per agent: calls, score, pass rate, compliance, the rules they
break most, their worst utterances with rewrites ─team of each agent→ per team ─date of each call→ trends
```
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..check.files import Finding
from ..check.scoring import round_points
from ..check.whole import Transcript
from ..model import SLOT_RE, severity_rank
from ..output.render import format_time

NO_TEAM = "（未分组）"
TOP_RULES = 5  # rules listed per agent and team
AGENT_WORST = 5  # worst utterances per agent
PERIODS = ("day", "week", "month")


def clean_rewrites(found: Iterable[Finding]) -> list[str]:
    """The whole utterance rewritten (each finding's ``rewrite``), else its suggestions; never one with an
    unfilled ``{slot}``: a manager reads these, a staff member says them."""
    out: list[str] = []
    for f in found:
        v = f.violation
        for text in (v.rewrite,) if v.rewrite else v.suggestions:
            if text and not SLOT_RE.search(text) and text not in out:
                out.append(text)
    return out


def agent_key(name: str, agent_id: str | None, agent_name: str | None) -> str:
    """The key of a person: their 工号 where known, else their name."""
    return agent_id or agent_name or name


def agents_of(t: Transcript, staff_names: Sequence[str]) -> list[dict[str, Any]]:
    """The agents answerable for a call: the export's agent, else each staff speaker."""
    call = t.call
    if call is not None and (call.agent or call.agent_name):
        label = (
            f"{call.agent_name}（{call.agent}）"
            if call.agent and call.agent_name
            else call.agent_name or call.agent or ""
        )
        return [
            {
                "key": agent_key(label, call.agent, call.agent_name),
                "id": call.agent,
                "name": label,
                "team": call.team or NO_TEAM,
            }
        ]
    team = (call.team if call is not None else None) or NO_TEAM
    return [{"key": name, "id": None, "name": name, "team": team} for name in staff_names]


def _rate(values: Iterable[bool | None]) -> dict[str, Any]:
    judged = [v for v in values if v is not None]
    yes = sum(1 for v in judged if v)
    return {"yes": yes, "of": len(judged), "rate": round(yes / len(judged), 4) if judged else None}


def _summary(calls: Sequence[Mapping[str, Any]], checks: Sequence[str]) -> dict[str, Any]:
    scores = [c["score"] for c in calls]
    return {
        "calls": len(calls),
        "passed": sum(1 for c in calls if c["passed"]),
        "pass_rate": round(sum(1 for c in calls if c["passed"]) / len(calls), 4) if calls else None,
        "mean_score": round_points(sum(scores) / len(scores)) if scores else None,
        "min_score": min(scores) if scores else None,
        "compliance": {k: _rate(c["compliance"][k] for c in calls) for k in checks},
    }


def _top_rules(findings: Iterable[Finding], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    counts = Counter(f.violation.rule for f in findings)
    return [
        {"rule": rule, "title": titles.get(rule, rule), "count": n}
        for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]
    ]


def _worst_of(
    items: Sequence[tuple[int, Transcript, Sequence[Finding]]], limit: int = AGENT_WORST
) -> list[dict[str, Any]]:
    """The worst utterances among ``items`` (transcript number, transcript, its findings for this person)."""
    grouped: dict[tuple[int, int], list[Finding]] = defaultdict(list)
    paths: dict[int, Transcript] = {}
    for n, t, found in items:
        paths[n] = t
        for f in found:
            grouped[(n, f.turn.index)].append(f)
    ranked = sorted(
        grouped.items(),
        key=lambda kv: (-max(severity_rank(f.violation.severity) for f in kv[1]), -len(kv[1]), kv[0]),
    )
    out = []
    for (n, _), found in ranked[:limit]:
        turn = found[0].turn
        out.append(
            {
                "transcript": n,
                "line": turn.line,
                "time": format_time(turn.start),
                "text": turn.text,
                "severity": max((f.violation.severity for f in found), key=severity_rank),
                "rules": list(dict.fromkeys(f.violation.rule for f in found)),
                "rewrites": clean_rewrites(found),
            }
        )
    return out


def period_of(day: datetime, period: str) -> str:
    """``2026-11-02`` (day), ``2026-W45`` (ISO week) or ``2026-11`` (month)."""
    if period == "day":
        return day.strftime("%Y-%m-%d")
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-%m")


def _trends(calls: Sequence[Mapping[str, Any]], checks: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Per period: calls, mean score, pass rate and compliance, over the calls with a date."""
    out: dict[str, list[dict[str, Any]]] = {}
    for period in PERIODS:
        buckets: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for c in calls:
            if c.get("date"):
                buckets[period_of(datetime.fromisoformat(c["date"]), period)].append(c)
        out[period] = [{"period": p, **_summary(buckets[p], checks)} for p in sorted(buckets)]
    return out


def people_figures(
    transcripts: Sequence[Transcript],
    per_transcript: Sequence[Mapping[str, Any]],
    answerable: Any,
    checks: Sequence[str],
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """Agents, teams and trends. ``answerable(t, f)`` names the staff speaker a finding counts against where
    the call has no agent of its own."""
    agents: dict[str, dict[str, Any]] = {}
    calls_of: dict[str, list[int]] = defaultdict(list)
    findings_of: dict[str, list[tuple[int, Transcript, list[Finding]]]] = defaultdict(list)
    for n, (t, figures) in enumerate(zip(transcripts, per_transcript)):
        people = figures["agents"]
        for person in people:
            agents.setdefault(person["key"], {k: person[k] for k in ("key", "id", "name", "team")})
            calls_of[person["key"]].append(n)
        if len(people) == 1:
            own = {people[0]["key"]: list(t.findings)}
        else:
            own = defaultdict(list)
            for f in t.findings:
                own[answerable(t, f)].append(f)
        for key, found in own.items():
            if key in agents:
                findings_of[key].append((n, t, found))
    agent_rows = []
    for key, person in agents.items():
        calls = [per_transcript[n] for n in calls_of[key]]
        found = [f for _, _, fs in findings_of[key] for f in fs]
        agent_rows.append(
            {
                **person,
                **_summary(calls, checks),
                "violations": len(found),
                "calls_list": calls_of[key],
                "top_rules": _top_rules(found, titles),
                "worst": _worst_of(findings_of[key]),
                "trends": _trends(calls, checks),
            }
        )
    agent_rows.sort(key=lambda r: (r["mean_score"] if r["mean_score"] is not None else 0, r["name"]))
    teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in agent_rows:
        teams[row["team"]].append(row)
    team_rows = []
    for team, members in teams.items():
        numbers = sorted({n for m in members for n in m["calls_list"]})
        calls = [per_transcript[n] for n in numbers]
        found = [f for m in members for _, _, fs in findings_of[m["key"]] for f in fs]
        team_rows.append(
            {
                "team": team,
                "agents": [m["key"] for m in members],
                **_summary(calls, checks),
                "violations": len(found),
                "top_rules": _top_rules(found, titles),
                "trends": _trends(calls, checks),
            }
        )
    team_rows.sort(key=lambda r: (r["mean_score"] if r["mean_score"] is not None else 0, r["team"]))
    return {"agents": agent_rows, "teams": team_rows, "trends": _trends(per_transcript, checks)}
