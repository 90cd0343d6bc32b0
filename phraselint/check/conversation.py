"""Whole-conversation rules (会话规则): what a transcript as a whole must show, beyond avoiding forbidden phrases.

```
turns ─cast (staff 工作人员 / visitor 来访人员)→ ─checks (greeting, farewell, answer, reply delay, interruption,
      您, 我-form)→ findings, and the rules skipped for want of data (no speakers, no times)
```

:func:`check_conversation` is pure: it takes the turns of one transcript, the roles and the loaded rules and
returns a :class:`ConversationResult`. :func:`load_conversation_rules` (conversation_rules.py) reads
``rules/conversation.yml`` (and an organisation's own file) and compiles the standard phrases the rules look
for. The data format and every rule are described in docs/conversation.md; no phrase and no word list lives
here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..engine.normalize import fold, fold_with_map, prefold
from ..engine.script import detect_script, render
from ..model import Violation
from ..read.transcript import Turn
from .conversation_rules import (
    CHANNELS,
    CHECKS,
    ConversationRule,
    ConversationRules,
    load_conversation_rules,
    phrase_pattern,
)
from .files import Finding, Roles

__all__ = [
    "CHANNELS",
    "CHECKS",
    "ConversationResult",
    "ConversationRule",
    "ConversationRules",
    "Skip",
    "cast_roles",
    "check_conversation",
    "is_phone",
    "is_question",
    "load_conversation_rules",
    "phrase_pattern",
    "plain_you",
]

_SCRIPT_SAMPLE = 2000

# Why a rule could not run on a transcript (said once per rule in a summary).
NO_SPEAKERS = "没有说话人标注（或角色不明），分不出工作人员和来访人员；可用 --staff 指明工作人员"
NO_STAFF = "没有工作人员的话轮"
NO_TIMES = "没有时间信息"
NO_START_END = "没有每句话的开始和结束时间"


# --- the result ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skip:
    """A rule not run on a transcript, and why (its data is missing)."""

    rule: str
    reason: str


@dataclass(frozen=True)
class ConversationResult:
    """The conversation findings of one transcript (in file order), the rules skipped, whether it is a call,
    and the role each turn was given (``staff``, ``visitor`` or None)."""

    findings: tuple[Finding, ...]
    skipped: tuple[Skip, ...]
    checked: tuple[str, ...]  # ids of the rules that ran
    phone: bool
    cast: tuple[str | None, ...] = ()

    def outcome(self, rule_id: str) -> bool | None:
        """True when the rule ran and found nothing, False when it found something, None when it did not run."""
        if rule_id not in self.checked:
            return None
        return not any(f.violation.rule == rule_id for f in self.findings)


# --- checking -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    turns: tuple[Turn, ...]
    roles: Roles
    cast: tuple[str | None, ...]
    known: bool  # some speaker's role is known
    starts: bool  # every turn has a start time
    ends: bool  # every turn has a start and an end time
    rules: ConversationRules
    path: str
    script: str | None  # forced script of the rewrites, else each turn's own
    file_script: str
    slots: Mapping[str, str]

    def staff(self) -> list[Turn]:
        return [t for t, role in zip(self.turns, self.cast) if role == "staff"]

    def speaks(self, turn: Turn) -> bool:
        """Whether ``turn`` is staff speech for the per-utterance checks (as the phrase checks decide where
        nobody's role is known)."""
        if self.known:
            return self.cast[turn.index] == "staff"
        return self.roles.checked(turn.speaker)

    def script_of(self, turn: Turn) -> str:
        return self.script or detect_script(turn.text, self.file_script)


def check_conversation(
    turns: Sequence[Turn],
    roles: Roles,
    rules: ConversationRules,
    *,
    path: str = "",
    script: str | None = None,
    slots: Mapping[str, str] | None = None,
) -> ConversationResult:
    """The conversation findings of one transcript. ``script`` forces the script of messages and rewrites
    (default: that of each turn, else of the transcript); ``slots`` fill the slots of the rewrites."""
    turns = tuple(t._replace(index=i) for i, t in enumerate(turns))
    cast, known = cast_roles(turns, roles)
    ctx = _Context(
        turns=turns,
        roles=roles,
        cast=cast,
        known=known,
        starts=bool(turns) and all(t.start is not None for t in turns),
        ends=bool(turns) and all(t.start is not None and t.end is not None for t in turns),
        rules=rules,
        path=path,
        script=None if script in (None, "auto") else script,
        file_script=detect_script("\n".join(t.text for t in turns)[:_SCRIPT_SAMPLE]),
        slots=dict(slots or {}),
    )
    phone = is_phone(ctx)
    findings: list[Finding] = []
    skipped: list[Skip] = []
    checked: list[str] = []
    for rule in rules.rules:
        if not rule.enabled:
            continue
        if phone and rule.phone is not None:
            rule = rule.phone
        reason = _missing(ctx, rule)
        if reason:
            skipped.append(Skip(rule.id, reason))
            continue
        checked.append(rule.id)
        findings.extend(_CHECKERS[rule.check](ctx, rule))
    findings.sort(key=lambda f: (f.line, f.column))
    return ConversationResult(tuple(findings), tuple(skipped), tuple(checked), phone, cast)


def cast_roles(turns: Sequence[Turn], roles: Roles) -> tuple[tuple[str | None, ...], bool]:
    """The role of every turn in the conversation, and whether any speaker's role is known.

    A speaker is staff or a visitor by name (``roles``). A conversation has two sides: where only one side is
    named, every other speaker is on the other; where both are, an unnamed speaker is on neither (None).
    Turns without a speaker have no role: a transcript without speakers is not guessed at."""
    named = [roles.role(t.speaker) if t.speaker is not None else "unknown" for t in turns]
    has_staff, has_visitor = "staff" in named, "visitor" in named
    other = "visitor" if has_staff and not has_visitor else "staff" if has_visitor and not has_staff else None
    cast = tuple(
        role if role != "unknown" else (other if t.speaker is not None else None)
        for t, role in zip(turns, named)
    )
    return cast, has_staff or has_visitor


def is_phone(ctx: _Context) -> bool:
    """A call when the rules say so, or (``auto``) a speaker's label is a phone role, or a staff turn in the
    greeting window is a phone opening."""
    rules = ctx.rules
    if rules.channel != "auto":
        return rules.channel == "phone"
    speakers = {prefold(t.speaker.strip()) for t in ctx.turns if t.speaker}
    if any(s.startswith(p) for s in speakers for p in rules.phone_speakers):
        return True
    window = _opening(ctx, _greeting_rule(rules))
    return any(_matches(fold(t.text), rules, rules.phone_kinds) for t in window)


def _greeting_rule(rules: ConversationRules) -> ConversationRule | None:
    return next((r for r in rules.rules if r.check == "greeting" and r.enabled), None)


def _missing(ctx: _Context, rule: ConversationRule) -> str | None:
    """Why ``rule`` cannot run on this conversation, or None."""
    if rule.check in ("address", "demand"):
        return None
    if not ctx.known:
        return NO_SPEAKERS
    if rule.check in ("greeting", "farewell") and not ctx.staff():
        return NO_STAFF
    if rule.check == "reply-delay" and not ctx.starts:
        return NO_TIMES
    if rule.check == "interruption" and not ctx.ends:
        return NO_START_END
    return None


def _matches(folded: str, rules: ConversationRules, kinds: Sequence[str]) -> bool:
    return any(p.search(folded) for kind in kinds for p in rules.patterns.get(kind, ()))


def _opening(ctx: _Context, rule: ConversationRule | None) -> list[Turn]:
    """The staff turns a greeting must stand in: where every turn has a time, those that start within
    ``seconds`` of the staff's first turn (a late first answer is the reply delay's business), else the
    staff's first ``turns``."""
    staff = ctx.staff()
    if rule is None or not staff:
        return staff[:1]
    if ctx.starts and rule.seconds is not None:
        first = staff[0].start or 0.0
        return [t for t in staff if (t.start or 0.0) - first <= rule.seconds]
    return staff[: rule.turns]


def _said(folded: str, ctx: _Context, rule: ConversationRule) -> bool:
    """A standard phrase of the rule's kinds, or one of its ordinary polite ``words``, outside the rule's
    ``except`` words (不想再见到你 says no 再见)."""
    for word in rule.except_words:
        folded = folded.replace(word, "|")
    return _matches(folded, ctx.rules, rule.kinds) or any(word in folded for word in rule.words)


def _greets(ctx: _Context, rule: ConversationRule, turn: Turn) -> bool:
    folded = fold(turn.text)
    if not _said(folded, ctx, rule):
        return False
    return not rule.names_office or any(word in folded for word in rule.names_office)


def _check_greeting(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    window = _opening(ctx, rule)
    if any(_greets(ctx, rule, t) for t in window):
        return []
    return [_finding(ctx, rule, window[0])]


def _check_farewell(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    closing = ctx.staff()[-rule.turns :]
    if any(_said(fold(t.text), ctx, rule) for t in closing):
        return []
    return [_finding(ctx, rule, closing[-1])]


def might_say(prefolded: str, words: Sequence[str]) -> bool:
    """The fast test before the full fold: whether every character of one of the (folded) ``words`` is in the
    text as ``prefold`` gives it (ten times cheaper than ``fold``). Never loses a word: ``prefold`` is ``fold``
    with stutters kept, so it drops no character that ``fold`` keeps."""
    present = set(prefolded)
    return any(all(ch in present for ch in word) for word in words)


def is_question(text: str, rules: ConversationRules) -> bool:
    """A question mark, or a question word outside the words that only contain one."""
    if any(mark in text for mark in rules.question_marks):
        return True
    if not might_say(prefold(text), rules.question_words):
        return False
    folded = fold(text)
    for word in rules.question_except:
        folded = folded.replace(word, "|")
    return any(word in folded for word in rules.question_words)


def _check_answer(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    pending: list[Turn] = []
    for turn, role in zip(ctx.turns, ctx.cast):
        if role == "staff":
            pending.clear()
        elif role == "visitor" and is_question(turn.text, ctx.rules):
            pending.append(turn)
    return [_finding(ctx, rule, t) for t in pending]


def _check_reply_delay(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    """A staff turn that answers a pending question later than ``seconds`` after the visitor stopped."""
    out: list[Finding] = []
    asked = False
    last_visitor: Turn | None = None
    limit = rule.seconds or 0.0
    for turn, role in zip(ctx.turns, ctx.cast):
        if role == "visitor":
            last_visitor = turn
            asked = asked or is_question(turn.text, ctx.rules)
        elif role == "staff" and asked and last_visitor is not None:
            delay = (turn.start or 0.0) - _end(last_visitor)
            if delay > limit:
                out.append(
                    _finding(ctx, rule, turn, values={"delay": _seconds(delay), "limit": _seconds(limit)})
                )
            asked = False
    return out


def _end(turn: Turn) -> float:
    return turn.end if turn.end is not None else turn.start or 0.0


def _seconds(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _check_interruption(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    """A staff turn that starts while a visitor's turn, started before it, still has more than ``seconds``
    to run."""
    out: list[Finding] = []
    talking: Turn | None = None  # the visitor turn that ends last among those started so far
    tolerance = rule.seconds or 0.0
    for turn in sorted(ctx.turns, key=lambda t: (t.start or 0.0, t.index)):
        role = ctx.cast[turn.index]
        if role == "visitor" and (talking is None or _end(turn) > _end(talking)):
            talking = turn
        elif role == "staff" and talking is not None:
            overlap = _end(talking) - (turn.start or 0.0)
            if overlap > tolerance:
                out.append(
                    _finding(
                        ctx, rule, turn, values={"overlap": _seconds(overlap), "limit": _seconds(tolerance)}
                    )
                )
    return out


def _check_address(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    out: list[Finding] = []
    for turn in ctx.turns:
        if not ctx.speaks(turn):
            continue
        places = plain_you(turn.text, rule)
        if not places:
            continue
        rewrite = "".join(rule.polite if i in places else ch for i, ch in enumerate(turn.text))
        for i in places:
            out.append(_finding(ctx, rule, turn, span=(i, i + 1), fix=rule.polite, rewrite=rewrite))
    return out


def plain_you(text: str, rule: ConversationRule) -> list[int]:
    """The offsets of ``text`` where the plain second person stands outside the customary words."""
    candidates = [i for i, ch in enumerate(text) if ch in rule.plain]
    if not candidates or not rule.customary:
        return candidates
    folded = fold_with_map(text)
    covered: set[int] = set()
    for word in rule.customary:
        at = folded.text.find(word)
        while at != -1:
            start, end = folded.span(at, at + len(word))
            covered.update(range(start, end))
            at = folded.text.find(word, at + 1)
    return [i for i in candidates if i not in covered]


def _check_demand(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    out: list[Finding] = []
    for turn in ctx.turns:
        if not ctx.speaks(turn) or not might_say(prefold(turn.text), rule.demands):
            continue
        folded = fold_with_map(turn.text)
        for word in rule.demands:
            at = folded.text.find(word)
            while at != -1:
                out.append(_finding(ctx, rule, turn, span=folded.span(at, at + len(word))))
                at = folded.text.find(word, at + len(word))
    return out


_CHECKERS: Mapping[str, Callable[[_Context, ConversationRule], list[Finding]]] = {
    "greeting": _check_greeting,
    "farewell": _check_farewell,
    "answer": _check_answer,
    "reply-delay": _check_reply_delay,
    "interruption": _check_interruption,
    "address": _check_address,
    "demand": _check_demand,
}


def _finding(
    ctx: _Context,
    rule: ConversationRule,
    turn: Turn,
    *,
    span: tuple[int, int] | None = None,
    values: Mapping[str, str] | None = None,
    fix: str | None = None,
    rewrite: str | None = None,
) -> Finding:
    """A finding on ``turn`` (on ``span`` of its text, else the whole turn), in the script of the turn."""
    start, end = span if span is not None else (0, len(turn.text))
    script = ctx.script_of(turn)
    suggestions = tuple(render(ctx.rules.standard[ref], script, dict(ctx.slots)) for ref in rule.rewrites)
    if fix is not None:
        suggestions = (fix, *suggestions)
    violation = Violation(
        rule=rule.id,
        severity=rule.severity,
        situation=rule.situation,
        category=rule.category,
        message=render(rule.message, script, dict(values or {})),
        start=start,
        end=end,
        text=turn.text[start:end],
        suggestions=suggestions,
        fix=fix,
        rewrite=rewrite,
        sources=rule.sources,
        script=script,
    )
    line, column = turn.locate(start)
    end_line, end_column = turn.locate_end(end)
    return Finding(ctx.path, line, column, end_line, end_column, violation, turn)
