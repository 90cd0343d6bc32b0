"""The whole-conversation rules as loaded (rules/conversation.yml, and an organisation's own file over it):
validated, every problem named with its file and line, and the standard phrases they look for compiled. The
data format is described in docs/conversation.md."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
from ..engine.normalize import fold, prefold
from ..errors import CatalogueError
from ..model import SEVERITIES, SLOT_RE, Source

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
    "greeting": frozenset({"turns", "seconds", "kinds", "words", "except"}),
    "farewell": frozenset({"turns", "kinds", "words", "except"}),
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
    words: tuple[str, ...] = ()  # folded: ordinary polite forms that count too (您慢走, 拜拜, 上午好)
    except_words: tuple[str, ...] = ()  # folded: words that contain one of ``words`` without saying it
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


def select_rules(
    rules: ConversationRules, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> ConversationRules:
    """The rules with ``--select``/``--ignore`` applied as the phrase rules have them: by id or situation.
    A rule left out is disabled (it neither runs nor is reported as skipped)."""
    if not select and not ignore:
        return rules

    def chosen(rule: ConversationRule) -> bool:
        if select and rule.id not in select and rule.situation not in select:
            return False
        return rule.id not in ignore and rule.situation not in ignore

    return replace(rules, rules=tuple(r if chosen(r) else replace(r, enabled=False) for r in rules.rules))


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
    if "words" in _CHECK_KEYS[check]:
        values["words"] = tuple(fold(w) for w in _strings(node, "words", where))
        values["except_words"] = tuple(fold(w) for w in _strings(node, "except", where))
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
