"""Explaining a hit: the violation as the user sees it, with rewrites in the script of the input."""

from __future__ import annotations

from ..model import SLOT_RE, Rule, Violation
from .confirm import Hit
from .normalize import Folded, folding
from .script import render

_END_PUNCT = ",.!?;:，。！？；：、…"
_SENTENCE_END = ".!?。！？"
_TRIM = " \t,.!?;:，。！？；：、…\"'“”‘’「」『』()（）"


def splice(text: str, start: int, end: int, replacement: str) -> str:
    """``text`` with ``text[start:end]`` replaced, taking along the particles that trail the match (吧, 啊)
    and without doubling the punctuation that follows."""
    fold_char = folding().fold_char
    while (
        end < len(text)
        and fold_char(text[end]) is None
        and not text[end].isspace()
        and text[end] not in _END_PUNCT
    ):
        end += 1
    if end < len(text) and text[end] in _END_PUNCT:
        if text[end] in _SENTENCE_END and replacement.endswith(tuple(_END_PUNCT)):
            end += 1  # the rewrite's own sentence end (？ after 吗) stands for the original's
        else:
            replacement = replacement.rstrip(_END_PUNCT)
    return text[:start] + replacement + text[end:]


def slot_values(hit: Hit, folded: Folded, text: str, fixed: dict[str, str]) -> dict[str, str]:
    """Slot values from context: the words a trailing slot took in the utterance, then configured values."""
    values = dict(fixed)
    if hit.slot_span and hit.candidate.pattern.slot:
        s, e = folded.span(*hit.slot_span)
        taken = text[s:e].strip(_TRIM)
        if taken:
            values[hit.candidate.pattern.slot] = taken
    return values


def explain(
    rule: Rule, hit: Hit, folded: Folded, text: str, script: str, fixed_slots: dict[str, str]
) -> Violation:
    start, end = folded.span(hit.start, hit.end)
    values = slot_values(hit, folded, text, fixed_slots)
    suggestions: list[str] = []
    fixes: list[str] = []
    utterance: str | None = None
    for rewrite in rule.rewrites:
        rendered = render(rewrite.text, script, values)
        if rewrite.utterance:
            utterance = utterance or rendered
        if rendered not in suggestions:
            suggestions.append(rendered)
        if rewrite.fix:
            fixes.append(rendered)
    fix = fixes[0] if len(fixes) == 1 and not SLOT_RE.search(fixes[0]) else None
    whole = utterance if utterance is not None else (splice(text, start, end, fix) if fix else None)
    return Violation(
        rule=rule.id,
        severity=rule.severity,
        situation=rule.situation,
        category=rule.category,
        message=render(rule.message, script, {}),
        start=start,
        end=end,
        text=text[start:end],
        suggestions=tuple(suggestions),
        fix=fix,
        rewrite=whole,
        sources=tuple(dict.fromkeys((*rule.sources, *hit.candidate.pattern.sources))),
        script=script,
    )
