"""Loading and validating the rule files (rules/*.yml) into immutable catalogue entries.

Every error names the file, the line and the entry: ``rules/forbidden.yml:42: rule 'dont-know': unknown
situation '受里'``. Examples are run by :func:`phraselint.selftest.run_examples`, not here, because running
them needs the engine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import CatalogueError
from .model import (
    SCOPES,
    SEVERITIES,
    SLOT_RE,
    Rewrite,
    Rule,
    Source,
    StandardPhrase,
    Vocabulary,
    Wording,
)

CODES: tuple[str, ...] = ("000", "001", "002", "003", "004")

_END_MARKS = "。！？!?，,.…"  # punctuation that may follow a wording's trailing slot

_RULE_KEYS = {
    "id",
    "phrase",
    "variants",
    "situation",
    "category",
    "severity",
    "message",
    "scope",
    "exempt",
    "rewrites",
    "examples",
    "sources",
    "shadows",
    "note",
    "patterns",
    "antipatterns",
    "skip_in",
}
_PHRASE_KEYS = {"id", "text", "kind", "situation", "variants", "sources", "note"}
_WORDING_KEYS = {"text", "sources", "note", "typo"}
_SOURCE_KEYS = {"code", "clause", "capture", "general"}
_REWRITE_KEYS = {"ref", "text", "fix", "utterance", "replaces"}


def builtin_rules_dir() -> Path:
    """The directory of the shipped rule files: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "vocabulary.yml").is_file():
            return candidate
    raise CatalogueError("the built-in rule files are missing; reinstall phraselint", str(here / "rules"))


# --- YAML with line numbers -------------------------------------------------------------------------


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser where built: 5x faster


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that records the line of every mapping under the key ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise CatalogueError(f"duplicate key '{key}'", None, key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# YAML 1.1 reads yes/no/on/off as booleans; in a catalogue they are words (an id 'yes'), so only
# true/false are booleans here.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path | str) -> dict[str, Any]:
    """Parse one rule file; any syntax or read error becomes a CatalogueError naming the file and line."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError("rule file not found", name) from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"rule file is not UTF-8 ({exc.reason} at byte {exc.start})", name) from None
    except OSError as exc:
        raise CatalogueError(f"cannot read rule file: {exc.strerror}", name) from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except CatalogueError as exc:
        raise CatalogueError(exc.message, name, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CatalogueError(f"malformed YAML: {exc.problem or exc.context}", name, line) from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"malformed YAML: {exc}", name) from None
    if not isinstance(data, dict):
        raise CatalogueError("a rule file must be a mapping with 'rules:' or 'phrases:'", name, 1)
    return data


# --- validation helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    path: str
    line: int
    what: str

    def fail(self, message: str, line: int | None = None) -> CatalogueError:
        return CatalogueError(f"{self.what}: {message}", self.path, line or self.line)


def _line(node: Any, default: int) -> int:
    return node.get("__line__", default) if isinstance(node, dict) else default


def _check_keys(node: dict[str, Any], allowed: set[str], where: _Where) -> None:
    unknown = sorted(k for k in node if k != "__line__" and k not in allowed)
    if unknown:
        raise where.fail(f"unknown field '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")


def _text(node: dict[str, Any], key: str, where: _Where, required: bool = True) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            raise where.fail(f"missing field '{key}'")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise where.fail(f"field '{key}' must be text")
    value = value.strip()
    if required and not value:
        raise where.fail(f"empty '{key}'")
    return value


def _list(node: dict[str, Any], key: str, where: _Where) -> list[Any]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.fail(f"field '{key}' must be a list")
    return value


def _check_slots(text: str, vocab: Vocabulary, where: _Where) -> None:
    for name in SLOT_RE.findall(text):
        if name not in vocab.slots:
            raise where.fail(f"unknown slot '{{{name}}}' (known: {', '.join(vocab.slots)})")
    stripped = SLOT_RE.sub("", text)
    if "{" in stripped or "}" in stripped:
        raise where.fail(f"unbalanced slot braces in '{text}'")


def _sources(node: dict[str, Any], where: _Where, required: bool) -> tuple[Source, ...]:
    items = _list(node, "sources", where)
    if required and not items:
        raise where.fail("no 'sources': every entry must cite the code and clause it comes from")
    out = []
    for item in items:
        sw = _Where(where.path, _line(item, where.line), where.what)
        if not isinstance(item, dict):
            raise sw.fail("a source must be a mapping {code: '001', clause: '三(五)'}")
        _check_keys(item, _SOURCE_KEYS, sw)
        code = _text(item, "code", sw)
        if code not in CODES:
            raise sw.fail(f"unknown code '{code}' (known: {', '.join(CODES)})")
        out.append(
            Source(
                code,
                _text(item, "clause", sw) or "",
                _text(item, "capture", sw, required=False),
                _text(item, "general", sw, required=False),
            )
        )
    return tuple(out)


def _wordings(node: dict[str, Any], vocab: Vocabulary, where: _Where) -> tuple[Wording, ...]:
    out = []
    for item in _list(node, "variants", where):
        vw = _Where(where.path, _line(item, where.line), where.what)
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise vw.fail("a variant must be text or a mapping with 'text'")
        _check_keys(item, _WORDING_KEYS, vw)
        text = _text(item, "text", vw) or ""
        _check_slots(text, vocab, vw)
        out.append(
            Wording(
                text,
                _sources(item, vw, required=False),
                _text(item, "note", vw, False),
                bool(item.get("typo")),
            )
        )
    return tuple(out)


def _choice(value: str | None, allowed: Iterable[str], field: str, where: _Where) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise where.fail(f"unknown {field} '{value}' (known: {', '.join(allowed)})")
    return value


# --- entries ----------------------------------------------------------------------------------------


def _vocabulary(path: Path) -> Vocabulary:
    data = read_yaml(path)

    def section(key: str) -> dict[str, str]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise CatalogueError(f"missing section '{key}'", str(path), data.get("__line__"))
        return {
            k: (v.get("zh", "") if isinstance(v, dict) else str(v))
            for k, v in value.items()
            if k != "__line__"
        }

    speakers = data.get("speakers") or {}
    staff = tuple(str(x) for x in speakers.get("staff") or ())
    visitor = tuple(str(x) for x in speakers.get("visitor") or ())
    return Vocabulary(
        section("situations"), section("kinds"), section("categories"), section("slots"), staff, visitor
    )


def _standard_phrase(node: Any, vocab: Vocabulary, path: str) -> StandardPhrase:
    line = _line(node, 0)
    if not isinstance(node, dict):
        raise CatalogueError("each standard phrase must be a mapping", path, line)
    where = _Where(path, line, f"phrase '{node.get('id', '?')}'")
    _check_keys(node, _PHRASE_KEYS, where)
    pid = _text(node, "id", where) or ""
    text = _text(node, "text", where) or ""
    _check_slots(text, vocab, where)
    kind = _choice(_text(node, "kind", where), vocab.kinds, "kind", where)
    situation = _choice(_text(node, "situation", where), vocab.situations, "situation", where)
    return StandardPhrase(
        pid,
        text,
        kind,
        situation,
        _wordings(node, vocab, where),
        _sources(node, where, required=True),
        _text(node, "note", where, False),
        path,
        line,
    )


def _rule(node: Any, vocab: Vocabulary, path: str, standard: dict[str, StandardPhrase]) -> Rule:
    line = _line(node, 0)
    if not isinstance(node, dict):
        raise CatalogueError("each rule must be a mapping", path, line)
    where = _Where(path, line, f"rule '{node.get('id', '?')}'")
    _check_keys(node, _RULE_KEYS, where)
    rid = _text(node, "id", where) or ""
    phrase = _text(node, "phrase", where) or ""
    _check_slots(phrase, vocab, where)
    variants = _wordings(node, vocab, where)
    for wording in (phrase, *(v.text for v in variants)):
        slots = list(SLOT_RE.finditer(wording))
        if len(slots) > 1 or (slots and slots[0].end() != len(wording.rstrip(_END_MARKS))):
            raise where.fail(f"a forbidden wording may only end in one slot: '{wording}'")
        if slots and not wording[: slots[0].start()].strip():
            raise where.fail(f"a forbidden wording needs words before its slot: '{wording}'")
    situation = _choice(_text(node, "situation", where), vocab.situations, "situation", where)
    category = _choice(_text(node, "category", where), vocab.categories, "category", where)
    severity = _choice(_text(node, "severity", where), SEVERITIES, "severity", where)
    scope = _choice(_text(node, "scope", where), SCOPES, "scope", where)
    exempt = node.get("exempt") or {}
    if not isinstance(exempt, dict):
        raise where.fail("'exempt' must be a mapping with 'before' and/or 'after'")
    _check_keys(exempt, {"before", "after"}, where)
    before = tuple(str(x) for x in _list(exempt, "before", where))
    after = tuple(str(x) for x in _list(exempt, "after", where))
    if any(not x.strip() for x in before + after):
        raise where.fail("empty exempt context")

    rewrites = []
    for item in _list(node, "rewrites", where):
        rw = _Where(path, _line(item, line), where.what)
        if not isinstance(item, dict):
            raise rw.fail("a rewrite must be a mapping with 'ref' or 'text'")
        _check_keys(item, _REWRITE_KEYS, rw)
        ref = _text(item, "ref", rw, required=False)
        text = _text(item, "text", rw, required=False)
        if bool(ref) == bool(text):
            raise rw.fail("a rewrite needs exactly one of 'ref' and 'text'")
        if ref:
            if ref not in standard:
                raise rw.fail(f"rewrite refers to unknown standard phrase '{ref}'")
            text = standard[ref].text
        _check_slots(text or "", vocab, rw)
        replaces = item.get("replaces", "clause")
        if replaces not in ("words", "clause"):
            raise rw.fail(f"'replaces' must be 'words' or 'clause', not '{replaces}'")
        rewrites.append(
            Rewrite(text or "", ref, bool(item.get("fix")), bool(item.get("utterance")), replaces == "words")
        )
    if not rewrites:
        raise where.fail("no 'rewrites': every forbidden phrase needs at least one polite alternative")

    examples = node.get("examples") or {}
    if not isinstance(examples, dict):
        raise where.fail("'examples' must be a mapping with 'flag' and 'pass'")
    _check_keys(examples, {"flag", "pass"}, where)
    flag = tuple(str(x) for x in _list(examples, "flag", where))
    ok = tuple(str(x) for x in _list(examples, "pass", where))
    if not flag or not ok:
        raise where.fail("'examples' needs at least one 'flag' and one 'pass' sentence")

    return Rule(
        rid,
        phrase,
        variants,
        situation,
        category,
        severity,
        _text(node, "message", where) or "",
        scope,
        before,
        after,
        tuple(rewrites),
        flag,
        ok,
        _sources(node, where, required=False),
        tuple(str(x) for x in _list(node, "shadows", where)),
        _text(node, "note", where, False),
        path,
        line,
        _patterns(node, "patterns", where),
        _patterns(node, "antipatterns", where),
        _skip_in(node, where),
    )


_SKIP_IN = ("cantonese",)


def _skip_in(node: dict[str, Any], where: _Where) -> tuple[str, ...]:
    values = tuple(str(x) for x in _list(node, "skip_in", where))
    for value in values:
        if value not in _SKIP_IN:
            raise where.fail(f"unknown 'skip_in' value '{value}' (known: {', '.join(_SKIP_IN)})")
    return values


def _patterns(node: dict[str, Any], key: str, where: _Where) -> tuple[str, ...]:
    out = []
    for item in _list(node, key, where):
        if not isinstance(item, str) or not item.strip():
            raise where.fail(f"every entry of '{key}' must be a pattern (a non-empty string)")
        out.append(" ".join(item.split()))
    return tuple(out)


# --- the catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """Everything the engine knows: forbidden rules, standard phrases and the vocabularies."""

    rules: tuple[Rule, ...]
    standard: tuple[StandardPhrase, ...]
    vocabulary: Vocabulary
    files: tuple[str, ...]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def phrase(self, phrase_id: str) -> StandardPhrase:
        for phrase in self.standard:
            if phrase.id == phrase_id:
                return phrase
        raise KeyError(phrase_id)


def _entries(data: dict[str, Any], key: str, path: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CatalogueError(f"'{key}' must be a list", path, data.get("__line__"))
    return value


def load_catalogue(extra_files: Sequence[str | Path] = ()) -> Catalogue:
    """Load the built-in rule files, then ``extra_files`` (an organisation's own), which extend or override
    built-in entries by id. Raises CatalogueError on the first problem. A catalogue that loaded once is kept
    on disk, keyed by the content of its files, so the next process starts fast."""
    base = builtin_rules_dir()
    return _load(tuple(str(p) for p in extra_files), str(base))


@functools.lru_cache(maxsize=8)
def _load(extra_files: tuple[str, ...], base_dir: str) -> Catalogue:
    from . import __version__
    from .cache import cached, code_fingerprint, key_of

    base = Path(base_dir)
    names = [str(base / n) for n in ("vocabulary.yml", "standard.yml", "forbidden.yml")] + list(extra_files)
    try:
        contents = [Path(n).read_bytes() for n in names]
    except OSError:
        return _parse_files(extra_files, base_dir)  # the parse names the missing or unreadable file
    return cached(
        "catalogue",
        key_of([__version__, code_fingerprint(), *names, *contents]),
        lambda: _parse_files(extra_files, base_dir),
    )


def _parse_files(extra_files: tuple[str, ...], base_dir: str) -> Catalogue:
    base = Path(base_dir)
    vocab = _vocabulary(base / "vocabulary.yml")
    files = [str(base / "standard.yml"), str(base / "forbidden.yml"), *extra_files]
    datas = [(f, read_yaml(f)) for f in files]
    for f, data in datas:
        unknown = sorted(k for k in data if k not in {"__line__", "version", "rules", "phrases", "lexicon"})
        if unknown:
            raise CatalogueError(
                f"unknown top-level key '{unknown[0]}' (expected 'rules' or 'phrases')", f, 1
            )

    standard: dict[str, StandardPhrase] = {}
    for f, data in datas:
        seen: set[str] = set()
        for node in _entries(data, "phrases", f):
            phrase = _standard_phrase(node, vocab, f)
            if phrase.id in seen:
                raise CatalogueError(f"phrase '{phrase.id}': duplicate id", f, phrase.line)
            seen.add(phrase.id)
            standard[phrase.id] = phrase  # a later file overrides by id

    rules: dict[str, Rule] = {}
    for f, data in datas:
        seen = set()
        for node in _entries(data, "rules", f):
            rule = _rule(node, vocab, f, standard)
            if rule.id in seen:
                raise CatalogueError(f"rule '{rule.id}': duplicate id", f, rule.line)
            if rule.id in standard:
                raise CatalogueError(f"rule '{rule.id}': id already used by a standard phrase", f, rule.line)
            seen.add(rule.id)
            rules[rule.id] = rule
    for rule in rules.values():
        for other in rule.shadows:
            if other not in rules:
                raise CatalogueError(
                    f"rule '{rule.id}': shadows unknown rule '{other}'", rule.origin, rule.line
                )
    return Catalogue(tuple(rules.values()), tuple(standard.values()), vocab, tuple(files))
