"""Whole-conversation rules (会话规则): what a transcript as a whole must show, beyond avoiding forbidden phrases.

```
turns ─cast (staff 工作人员 / visitor 来访人员)→ ─checks (greeting, farewell, answer, reply delay, interruption,
      您, 我-form)→ findings, and the rules skipped for want of data (no speakers, no times)
```

:func:`check_conversation` is pure: it takes the turns of one transcript, the roles and the loaded rules and
returns a :class:`ConversationResult`. :func:`load_conversation_rules` reads ``rules/conversation.yml`` (and an
organisation's own file) and compiles the standard phrases the rules look for. The data format and every rule
are described in docs/conversation.md; no phrase and no word list lives here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..data.catalogue import (
    Catalogue,
    Where,
    builtin_rules_dir,
    check_keys,
    read_yaml,
    yaml_choice,
    yaml_line,
    yaml_list,
    yaml_sources,
    yaml_text,
)
from ..engine.normalize import fold, fold_with_map, prefold
from ..engine.script import detect_script, render
from ..errors import CatalogueError
from ..model import SEVERITIES, SLOT_RE, Source, Violation
from ..read.transcript import Turn
from .files import Finding, Roles

CHECKS: tuple[str, ...] = (
    "greeting",
    "farewell",
    "answer",
    "reply-delay",
    "interruption",
    "address",
    "demand",
)
CHANNELS: tuple[str, ...] = ("auto", "phone", "window")

_TOP_KEYS = {"__line__", "version", "channel", "phone", "questions", "rules"}
_PHONE_SECTION_KEYS = {"speakers", "kinds"}
_QUESTION_KEYS = {"marks", "words", "except"}
_RULE_KEYS = {
    "id",
    "check",
    "severity",
    "situation",
    "category",
    "message",
    "rewrites",
    "sources",
    "enabled",
    "note",
    "phone",
}
_CHECK_KEYS: Mapping[str, frozenset[str]] = {
    "greeting": frozenset({"turns", "seconds", "kinds"}),
    "farewell": frozenset({"turns", "kinds"}),
    "answer": frozenset(),
    "reply-delay": frozenset({"seconds"}),
    "interruption": frozenset({"seconds"}),
    "address": frozenset({"plain", "polite", "customary"}),
    "demand": frozenset({"demands"}),
}
_PHONE_RULE_KEYS = {"message", "kinds", "names-office", "rewrites", "sources"}
# The values a rule's message may name, by check: ``{delay}`` becomes the measured delay.
_MESSAGE_VALUES: Mapping[str, frozenset[str]] = {
    "reply-delay": frozenset({"delay", "limit"}),
    "interruption": frozenset({"overlap", "limit"}),
}
_SCRIPT_SAMPLE = 2000

# Why a rule could not run on a transcript (said once per rule in a summary).
NO_SPEAKERS = "没有说话人标注（或角色不明），分不出工作人员和来访人员；可用 --staff 指明工作人员"
NO_STAFF = "没有工作人员的话轮"
NO_TIMES = "没有时间信息"
NO_START_END = "没有每句话的开始和结束时间"


# --- the rules, as loaded ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationRule:
    """One whole-conversation rule of ``rules/conversation.yml``: which ``check`` it runs, with what data.

    ``turns``/``seconds`` are the window of the greeting and farewell checks, the longest reply delay of
    ``reply-delay`` and the tolerated overlap of ``interruption``; ``phone`` is the rule as it reads on a call.
    """

    id: str
    check: str
    severity: str
    situation: str
    category: str
    message: str
    sources: tuple[Source, ...]
    rewrites: tuple[str, ...] = ()  # ids of standard phrases
    turns: int = 2
    seconds: float | None = None
    kinds: tuple[str, ...] = ()
    names_office: tuple[str, ...] = ()  # folded
    plain: tuple[str, ...] = ()
    polite: str = ""
    customary: tuple[str, ...] = ()  # folded
    demands: tuple[str, ...] = ()  # folded
    phone: ConversationRule | None = None
    enabled: bool = True
    origin: str = ""
    line: int = 0


@dataclass(frozen=True)
class ConversationRules:
    """Everything the checks need: the rules, how to tell a call and a question, and the standard phrases."""

    channel: str
    phone_speakers: tuple[str, ...]  # prefolded, compared as prefixes
    phone_kinds: tuple[str, ...]
    question_marks: tuple[str, ...]
    question_words: tuple[str, ...]  # folded
    question_except: tuple[str, ...]  # folded
    rules: tuple[ConversationRule, ...]
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]  # by kind: each standard phrase, on folded text
    standard: Mapping[str, str]  # id → text of every standard phrase
    files: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


def load_conversation_rules(catalogue: Catalogue, extra: str | Path | None = None) -> ConversationRules:
    """The built-in ``rules/conversation.yml``, changed by ``extra`` (an organisation's own file) where given.

    Raises CatalogueError naming the file and line of the first problem."""
    base = builtin_rules_dir() / "conversation.yml"
    data = _top(read_yaml(base), str(base))
    files = [str(base)]
    if extra is not None:
        data = _merge(data, _top(read_yaml(extra), str(extra)), str(extra))
        files.append(str(extra))
    return _build(data, catalogue, tuple(files))


def _top(data: dict[str, Any], path: str) -> dict[str, Any]:
    unknown = sorted(k for k in data if k not in _TOP_KEYS)
    if unknown:
        raise CatalogueError(
            f"unknown top-level key '{unknown[0]}' (known: channel, phone, questions, rules)", path, 1
        )
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        raise CatalogueError("'rules' must be a list", path, data.get("__line__"))
    for node in rules:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            raise CatalogueError("each rule must be a mapping with an 'id'", path, yaml_line(node, 1))
        node["__origin__"] = path
    return data


def _merge(base: dict[str, Any], extra: dict[str, Any], path: str) -> dict[str, Any]:
    """``extra`` over ``base``: sections key by key, rules by id (the keys given replace), new rules appended."""
    merged = dict(base)
    if "channel" in extra:
        merged["channel"] = extra["channel"]
    for section in ("phone", "questions"):
        if section in extra:
            if not isinstance(extra[section], dict):
                raise CatalogueError(f"'{section}' must be a mapping", path, extra.get("__line__"))
            merged[section] = {**(base.get(section) or {}), **extra[section]}
    rules = {node["id"]: node for node in base.get("rules") or []}
    for node in extra.get("rules") or []:
        rules[node["id"]] = {**rules[node["id"]], **node} if node["id"] in rules else node
    merged["rules"] = list(rules.values())
    return merged


def _strings(node: dict[str, Any], key: str, where: Where, required: bool = False) -> tuple[str, ...]:
    items = yaml_list(node, key, where)
    if required and not items:
        raise where.fail(f"'{key}' must list at least one entry")
    if not all(isinstance(x, str) and x.strip() for x in items):
        raise where.fail(f"'{key}' must be a list of non-empty texts")
    if len(set(items)) != len(items):
        raise where.fail(f"'{key}' lists an entry twice")
    return tuple(x.strip() for x in items)


def _number(node: dict[str, Any], key: str, where: Where, *, whole: bool = False) -> float | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise where.fail(f"'{key}' must be a number of at least 0")
    if whole and (not isinstance(value, int) or value < 1):
        raise where.fail(f"'{key}' must be a whole number of at least 1")
    return value


def _build(data: dict[str, Any], catalogue: Catalogue, files: tuple[str, ...]) -> ConversationRules:
    path = files[-1] if len(files) > 1 else files[0]
    where = Where(path, 1, "conversation rules")
    channel = data.get("channel", "auto")
    yaml_choice(channel, CHANNELS, "channel", where)
    phone = _section(data, "phone", _PHONE_SECTION_KEYS, where)
    questions = _section(data, "questions", _QUESTION_KEYS, where)
    kinds = catalogue.vocabulary.kinds
    phone_kinds = _strings(phone, "kinds", where)
    for kind in phone_kinds:
        yaml_choice(kind, kinds, "kind", where)
    standard = {p.id: p.text for p in catalogue.standard}
    rules = tuple(_rule(node, catalogue, standard) for node in data.get("rules") or [])
    _check_ids(rules, catalogue, path)
    return ConversationRules(
        channel=channel,
        phone_speakers=tuple(prefold(s) for s in _strings(phone, "speakers", where)),
        phone_kinds=phone_kinds,
        question_marks=_strings(questions, "marks", where, required=True),
        question_words=tuple(fold(w) for w in _strings(questions, "words", where, required=True)),
        question_except=tuple(fold(w) for w in _strings(questions, "except", where)),
        rules=rules,
        patterns=_phrase_patterns(catalogue),
        standard=standard,
        files=files,
    )


def _section(data: dict[str, Any], key: str, allowed: set[str], where: Where) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise where.fail(f"'{key}' must be a mapping")
    check_keys(value, allowed, Where(where.path, yaml_line(value, where.line), f"section '{key}'"))
    return value


def _check_ids(rules: Sequence[ConversationRule], catalogue: Catalogue, path: str) -> None:
    taken = {r.id for r in catalogue.rules} | {p.id for p in catalogue.standard}
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise CatalogueError(f"rule '{rule.id}': duplicate id", rule.origin or path, rule.line)
        if rule.id in taken:
            raise CatalogueError(
                f"rule '{rule.id}': id already used in the catalogue", rule.origin or path, rule.line
            )
        seen.add(rule.id)


def _rule(node: dict[str, Any], catalogue: Catalogue, standard: Mapping[str, str]) -> ConversationRule:
    where = Where(node["__origin__"], yaml_line(node, 0), f"rule '{node['id']}'")
    check = yaml_choice(node.get("check"), CHECKS, "check", where)
    node = {k: v for k, v in node.items() if k != "__origin__"}
    check_keys(node, _RULE_KEYS | _CHECK_KEYS[check], where)
    vocab = catalogue.vocabulary
    rule = ConversationRule(
        id=yaml_text(node, "id", where) or "",
        check=check,
        severity=yaml_choice(node.get("severity"), SEVERITIES, "severity", where),
        situation=yaml_choice(node.get("situation"), vocab.situations, "situation", where),
        category=yaml_choice(node.get("category"), vocab.categories, "category", where),
        message=_message(node, check, where),
        sources=yaml_sources(node, where, required=True),
        rewrites=_rewrites(node, standard, where),
        origin=where.path,
        line=where.line,
        enabled=_flag(node, "enabled", where),
        **_check_fields(node, check, catalogue, where),
    )
    _check_complete(rule, where)
    if node.get("phone") is not None:
        rule = replace(rule, phone=_phone_rule(rule, node["phone"], catalogue, standard, where))
    return rule


def _flag(node: dict[str, Any], key: str, where: Where) -> bool:
    value = node.get(key, True)
    if not isinstance(value, bool):
        raise where.fail(f"'{key}' must be true or false")
    return value


def _message(node: dict[str, Any], check: str, where: Where) -> str:
    message = yaml_text(node, "message", where) or ""
    allowed = _MESSAGE_VALUES.get(check, frozenset())
    for name in SLOT_RE.findall(message):
        if name not in allowed:
            known = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
            raise where.fail(f"unknown value '{{{name}}}' in 'message' (known for check '{check}': {known})")
    return message


def _rewrites(node: dict[str, Any], standard: Mapping[str, str], where: Where) -> tuple[str, ...]:
    refs = _strings(node, "rewrites", where)
    for ref in refs:
        if ref not in standard:
            raise where.fail(f"rewrite '{ref}' is not the id of a standard phrase (see rules/standard.yml)")
    return refs


def _kinds(node: dict[str, Any], catalogue: Catalogue, where: Where) -> tuple[str, ...]:
    kinds = _strings(node, "kinds", where)
    for kind in kinds:
        yaml_choice(kind, catalogue.vocabulary.kinds, "kind", where)
    return kinds


def _check_fields(node: dict[str, Any], check: str, catalogue: Catalogue, where: Where) -> dict[str, Any]:
    """The fields only some checks take, validated."""
    values: dict[str, Any] = {}
    if "turns" in _CHECK_KEYS[check]:
        values["turns"] = int(_number(node, "turns", where, whole=True) or 2)
    if "seconds" in _CHECK_KEYS[check]:
        values["seconds"] = _number(node, "seconds", where)
    if "kinds" in _CHECK_KEYS[check]:
        values["kinds"] = _kinds(node, catalogue, where)
    if check == "address":
        values["plain"] = _strings(node, "plain", where)
        values["polite"] = yaml_text(node, "polite", where, required=False) or ""
        values["customary"] = tuple(fold(w) for w in _strings(node, "customary", where))
    if check == "demand":
        values["demands"] = tuple(fold(w) for w in _strings(node, "demands", where))
    return values


def _check_complete(rule: ConversationRule, where: Where) -> None:
    """What each check cannot do without."""
    if rule.check in ("greeting", "farewell") and not rule.kinds:
        raise where.fail("'kinds' must name at least one kind of standard phrase")
    if rule.check in ("reply-delay", "interruption") and rule.seconds is None:
        raise where.fail(f"check '{rule.check}' needs 'seconds'")
    if rule.check == "address" and (not rule.plain or not rule.polite):
        raise where.fail("check 'address' needs 'plain' and 'polite'")
    if rule.check == "address" and any(len(p) != 1 for p in (*rule.plain, rule.polite)):
        raise where.fail("'plain' and 'polite' must be single characters")
    if rule.check == "demand" and not rule.demands:
        raise where.fail("check 'demand' needs 'demands'")


def _phone_rule(
    rule: ConversationRule, node: Any, catalogue: Catalogue, standard: Mapping[str, str], where: Where
) -> ConversationRule:
    pw = Where(where.path, yaml_line(node, where.line), f"{where.what} (phone)")
    if not isinstance(node, dict):
        raise pw.fail("'phone' must be a mapping")
    check_keys(node, _PHONE_RULE_KEYS, pw)
    changes: dict[str, Any] = {"phone": None}
    if "message" in node:
        changes["message"] = _message(node, rule.check, pw)
    if "kinds" in node:
        changes["kinds"] = _kinds(node, catalogue, pw)
    if "names-office" in node:
        changes["names_office"] = tuple(fold(w) for w in _strings(node, "names-office", pw))
    if "rewrites" in node:
        changes["rewrites"] = _rewrites(node, standard, pw)
    if "sources" in node:
        changes["sources"] = yaml_sources(node, pw, required=True)
    return replace(rule, **changes)


def _phrase_patterns(catalogue: Catalogue) -> dict[str, tuple[re.Pattern[str], ...]]:
    """Every standard phrase (and variant) as a pattern on folded text, by kind: the fixed words folded, each
    slot (or run of slots) standing for at least one character."""
    out: dict[str, list[re.Pattern[str]]] = {}
    for phrase in catalogue.standard:
        for text in (phrase.text, *(v.text for v in phrase.variants)):
            pattern = phrase_pattern(text)
            if pattern is not None:
                out.setdefault(phrase.kind, []).append(pattern)
    return {kind: tuple(patterns) for kind, patterns in out.items()}


def phrase_pattern(text: str) -> re.Pattern[str] | None:
    """``您好！这里是{单位}{部门}。`` → a pattern matching ``你好这里是…`` with something in place of the slots."""
    parts = [re.escape(fold(part)) for part in SLOT_RE.split(text)[::2]]
    body = ".+?".join(parts)
    if not fold(SLOT_RE.sub("", text)):
        return None
    body = re.sub(r"(?:\.\+\?)+", ".+?", body)  # adjacent slots stand for one run
    if body.endswith(".+?"):
        body = body[: -len(".+?")] + ".+"
    return re.compile(body, re.DOTALL)


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


def _greets(ctx: _Context, rule: ConversationRule, turn: Turn) -> bool:
    folded = fold(turn.text)
    if not _matches(folded, ctx.rules, rule.kinds):
        return False
    return not rule.names_office or any(word in folded for word in rule.names_office)


def _check_greeting(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    window = _opening(ctx, rule)
    if any(_greets(ctx, rule, t) for t in window):
        return []
    return [_finding(ctx, rule, window[0])]


def _check_farewell(ctx: _Context, rule: ConversationRule) -> list[Finding]:
    closing = ctx.staff()[-rule.turns :]
    if any(_matches(fold(t.text), ctx.rules, rule.kinds) for t in closing):
        return []
    return [_finding(ctx, rule, closing[-1])]


def is_question(text: str, rules: ConversationRules) -> bool:
    """A question mark, or a question word outside the words that only contain one."""
    if any(mark in text for mark in rules.question_marks):
        return True
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
        if not ctx.speaks(turn):
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
