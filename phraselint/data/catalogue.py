"""Loading and validating the rule files (rules/*.yml) into immutable catalogue entries.

Every error names the file, the line and the entry: ``rules/forbidden.yml:42: rule 'dont-know': unknown
situation '受里'``. Examples are run by :func:`phraselint.data.rule_tests.run_examples`, not here, because running
them needs the engine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CatalogueError
from ..model import (
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

if TYPE_CHECKING:
    import yaml

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
    "detector",
    "everyday",
    "not_written",
}
_DETECTORS = ("tone", "marks")
_PHRASE_KEYS = {"id", "text", "kind", "situation", "variants", "sources", "note"}
_WORDING_KEYS = {"text", "sources", "note", "typo"}
_SOURCE_KEYS = {"code", "clause", "capture", "general"}
_REWRITE_KEYS = {"ref", "text", "fix", "utterance", "replaces"}


def builtin_rules_dir() -> Path:
    """The directory of the shipped rule files: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "vocabulary.yml").is_file():
            return candidate
    raise CatalogueError("the built-in rule files are missing; reinstall phraselint", str(here / "rules"))


# --- YAML with line numbers -------------------------------------------------------------------------


class YamlMapping(dict):  # type: ignore[type-arg]
    """A mapping read from YAML: the line of the mapping under the key ``__line__``, and the line of each of
    its keys in ``key_lines`` (for errors about one value)."""

    key_lines: dict[Any, int]


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    mapping = YamlMapping()
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise CatalogueError(f"duplicate key '{key}'", None, key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def key_line(node: Any, key: Any, default: int | None = None) -> int | None:
    """The line of ``key`` in a mapping read by ``read_yaml``; else the mapping's line, else ``default``."""
    if not isinstance(node, dict):
        return default
    lines = getattr(node, "key_lines", {})
    return lines.get(key, node.get("__line__", default))


@functools.lru_cache(maxsize=1)
def _line_loader() -> Any:
    """A safe loader that records the line of every mapping under the key ``__line__`` (libyaml's C parser
    where built: 5x faster). Made on first need: a start whose data files are all cached reads no YAML."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _LineLoader(base):  # type: ignore[misc,valid-type]
        pass

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
    return _LineLoader


FORMAT_VERSION = 1  # the one version of every data file (rule files, lexicon, settings of the quiz …)


def read_yaml(path: Path | str, kind: str = "rule file") -> dict[str, Any]:
    """Parse one data file (a ``kind``, for messages); any syntax or read error becomes a CatalogueError naming
    the file and line."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"{kind} not found", name) from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{kind} is not UTF-8 ({exc.reason} at byte {exc.start})", name) from None
    except OSError as exc:
        raise CatalogueError(f"cannot read {kind}: {exc.strerror}", name) from None
    from .cache import cached, code_fingerprint, key_of

    # kept on disk, keyed by the text (the engine reads its context and rewriting files at every start)
    data = cached(
        "yaml", key_of([_yaml_version(), code_fingerprint(), text]), lambda: _parse_yaml(text, name)
    )
    if not isinstance(data, dict):
        shape = "with 'rules:' or 'phrases:'" if kind == "rule file" else "of keys to values"
        raise CatalogueError(f"a {kind} must be a mapping {shape}", name, 1)
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise CatalogueError(
            f"unknown {kind} version {version!r}: this phraselint reads version {FORMAT_VERSION} "
            "(write 'version: 1', or upgrade phraselint)",
            name,
            key_line(data, "version", 1),
        )
    return data


def _parse_yaml(text: str, name: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_line_loader())  # noqa: S506 - a SafeLoader subclass
    except CatalogueError as exc:
        raise CatalogueError(exc.message, name, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CatalogueError(f"malformed YAML: {exc.problem or exc.context}", name, line) from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"malformed YAML: {exc}", name) from None


@functools.lru_cache(maxsize=1)
def _yaml_version() -> str:
    """PyYAML's version, without importing it."""
    from .cache import installed_version

    version = installed_version("PyYAML", "yaml")
    if not version:  # not installed as a distribution: its module's file then
        import yaml

        return f"{yaml.__version__} {yaml.__file__}"
    return version


# --- validation helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    path: str
    line: int
    what: str

    def fail(self, message: str, line: int | None = None) -> CatalogueError:
        return CatalogueError(f"{self.what}: {message}", self.path, line or self.line)


def yaml_line(node: Any, default: int) -> int:
    return node.get("__line__", default) if isinstance(node, dict) else default


def check_keys(node: dict[str, Any], allowed: set[str], where: Where) -> None:
    unknown = sorted(k for k in node if k != "__line__" and k not in allowed)
    if unknown:
        raise where.fail(f"unknown field '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")


def yaml_text(node: dict[str, Any], key: str, where: Where, required: bool = True) -> str | None:
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


def yaml_list(node: dict[str, Any], key: str, where: Where) -> list[Any]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.fail(f"field '{key}' must be a list")
    return value


def _check_slots(text: str, vocab: Vocabulary, where: Where) -> None:
    for name in SLOT_RE.findall(text):
        if name not in vocab.slots:
            raise where.fail(f"unknown slot '{{{name}}}' (known: {', '.join(vocab.slots)})")
    stripped = SLOT_RE.sub("", text)
    if "{" in stripped or "}" in stripped:
        raise where.fail(f"unbalanced slot braces in '{text}'")


def yaml_sources(node: dict[str, Any], where: Where, required: bool) -> tuple[Source, ...]:
    items = yaml_list(node, "sources", where)
    if required and not items:
        raise where.fail("no 'sources': every entry must cite the code and clause it comes from")
    out = []
    for item in items:
        sw = Where(where.path, yaml_line(item, where.line), where.what)
        if not isinstance(item, dict):
            raise sw.fail("a source must be a mapping {code: '001', clause: '三(五)'}")
        check_keys(item, _SOURCE_KEYS, sw)
        code = yaml_text(item, "code", sw)
        known = service_codes()
        if code not in known:
            raise sw.fail(f"unknown code '{code}' (known: {', '.join(known)})")
        out.append(
            Source(
                code,
                yaml_text(item, "clause", sw) or "",
                yaml_text(item, "capture", sw, required=False),
                yaml_text(item, "general", sw, required=False),
            )
        )
    return tuple(out)


def _wordings(node: dict[str, Any], vocab: Vocabulary, where: Where) -> tuple[Wording, ...]:
    out = []
    for item in yaml_list(node, "variants", where):
        vw = Where(where.path, yaml_line(item, where.line), where.what)
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise vw.fail("a variant must be text or a mapping with 'text'")
        check_keys(item, _WORDING_KEYS, vw)
        text = yaml_text(item, "text", vw) or ""
        _check_slots(text, vocab, vw)
        out.append(
            Wording(
                text,
                yaml_sources(item, vw, required=False),
                yaml_text(item, "note", vw, False),
                bool(item.get("typo")),
            )
        )
    return tuple(out)


def yaml_choice(value: str | None, allowed: Iterable[str], field: str, where: Where) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise where.fail(f"unknown {field} '{value}' (known: {', '.join(allowed)})")
    return value


# --- entries ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def service_codes() -> dict[str, str]:
    """The service codes a source may cite, with the titles of their documents (rules/codes.yml)."""
    return read_texts("codes.yml", "codes")


def read_texts(name: str, section: str, keys: Collection[str] | None = None) -> dict[str, str]:
    """The mapping ``section`` of the built-in data file ``rules/<name>``: a text for each name (exactly the
    names of ``keys``, when given). Raises CatalogueError naming the file and the line."""
    path = str(builtin_rules_dir() / name)
    data = read_yaml(path)
    check_keys(data, {"version", section}, Where(path, 1, name))
    node = data.get(section)
    where = Where(path, key_line(data, section, 1) or 1, f"'{section}'")
    if not isinstance(node, dict):
        raise where.fail("must be a mapping of names to texts")
    if keys is not None:
        check_keys(node, set(keys), where)
    out: dict[str, str] = {}
    for key in node:
        if key == "__line__":
            continue
        at = Where(path, key_line(node, key) or where.line, f"'{section}'")
        if not isinstance(key, str) or not key.strip():
            raise at.fail(f'the name {key!r} must be text (quote a number: "001")')
        out[key] = yaml_text(node, key, at) or ""
    missing = [k for k in keys or () if k not in out]
    if missing or not out:
        raise where.fail(f"missing '{missing[0]}'" if missing else "no names")
    return out


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
    ending = data.get("situation_ending") or ""
    if not isinstance(ending, str):
        raise CatalogueError("'situation_ending' must be text", str(path), key_line(data, "situation_ending"))
    return Vocabulary(
        section("situations"),
        section("kinds"),
        section("categories"),
        section("slots"),
        staff,
        visitor,
        ending.strip(),
    )


def _standard_phrase(node: Any, vocab: Vocabulary, path: str) -> StandardPhrase:
    line = yaml_line(node, 0)
    if not isinstance(node, dict):
        raise CatalogueError("each standard phrase must be a mapping", path, line)
    where = Where(path, line, f"phrase '{node.get('id', '?')}'")
    check_keys(node, _PHRASE_KEYS, where)
    pid = yaml_text(node, "id", where) or ""
    text = yaml_text(node, "text", where) or ""
    _check_slots(text, vocab, where)
    kind = yaml_choice(yaml_text(node, "kind", where), vocab.kinds, "kind", where)
    situation = yaml_choice(yaml_text(node, "situation", where), vocab.situations, "situation", where)
    return StandardPhrase(
        pid,
        text,
        kind,
        situation,
        _wordings(node, vocab, where),
        yaml_sources(node, where, required=True),
        yaml_text(node, "note", where, False),
        path,
        line,
    )


def _rule(node: Any, vocab: Vocabulary, path: str, standard: dict[str, StandardPhrase]) -> Rule:
    line = yaml_line(node, 0)
    if not isinstance(node, dict):
        raise CatalogueError("each rule must be a mapping", path, line)
    where = Where(path, line, f"rule '{node.get('id', '?')}'")
    check_keys(node, _RULE_KEYS, where)
    rid = yaml_text(node, "id", where) or ""
    phrase = yaml_text(node, "phrase", where) or ""
    _check_slots(phrase, vocab, where)
    variants = _wordings(node, vocab, where)
    for wording in (phrase, *(v.text for v in variants)):
        slots = list(SLOT_RE.finditer(wording))
        if len(slots) > 1 or (slots and slots[0].end() != len(wording.rstrip(_END_MARKS))):
            raise where.fail(f"a forbidden wording may only end in one slot: '{wording}'")
        if slots and not wording[: slots[0].start()].strip():
            raise where.fail(f"a forbidden wording needs words before its slot: '{wording}'")
    situation = yaml_choice(yaml_text(node, "situation", where), vocab.situations, "situation", where)
    category = yaml_choice(yaml_text(node, "category", where), vocab.categories, "category", where)
    severity = yaml_choice(yaml_text(node, "severity", where), SEVERITIES, "severity", where)
    scope = yaml_choice(yaml_text(node, "scope", where), SCOPES, "scope", where)
    exempt = node.get("exempt") or {}
    if not isinstance(exempt, dict):
        raise where.fail("'exempt' must be a mapping with 'before' and/or 'after'")
    check_keys(exempt, {"before", "after"}, where)
    before = tuple(str(x) for x in yaml_list(exempt, "before", where))
    after = tuple(str(x) for x in yaml_list(exempt, "after", where))
    if any(not x.strip() for x in before + after):
        raise where.fail("empty exempt context")

    rewrites = []
    for item in yaml_list(node, "rewrites", where):
        rw = Where(path, yaml_line(item, line), where.what)
        if not isinstance(item, dict):
            raise rw.fail("a rewrite must be a mapping with 'ref' or 'text'")
        check_keys(item, _REWRITE_KEYS, rw)
        ref = yaml_text(item, "ref", rw, required=False)
        text = yaml_text(item, "text", rw, required=False)
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

    detector = yaml_text(node, "detector", where, required=False) or ""
    if detector and detector not in _DETECTORS:
        raise where.fail(f"unknown detector '{detector}' (known: {', '.join(_DETECTORS)})")
    if detector and (node.get("patterns") or variants):
        raise where.fail(f"a rule found by the {detector} model has no variants or patterns")

    everyday = node.get("everyday", False)
    if not isinstance(everyday, bool):
        raise where.fail("'everyday' must be true or false")
    if everyday and detector:
        raise where.fail(f"a rule found by the {detector} model cannot be 'everyday'")

    examples = node.get("examples") or {}
    if not isinstance(examples, dict):
        raise where.fail("'examples' must be a mapping with 'flag' and 'pass'")
    check_keys(examples, {"flag", "pass"}, where)
    flag = tuple(str(x) for x in yaml_list(examples, "flag", where))
    ok = tuple(str(x) for x in yaml_list(examples, "pass", where))
    if not flag or not ok:
        raise where.fail("'examples' needs at least one 'flag' and one 'pass' sentence")

    return Rule(
        rid,
        phrase,
        variants,
        situation,
        category,
        severity,
        yaml_text(node, "message", where) or "",
        scope,
        before,
        after,
        tuple(rewrites),
        flag,
        ok,
        yaml_sources(node, where, required=False),
        tuple(str(x) for x in yaml_list(node, "shadows", where)),
        yaml_text(node, "note", where, False),
        path,
        line,
        _patterns(node, "patterns", where),
        _patterns(node, "antipatterns", where),
        _skip_in(node, where),
        detector,
        everyday,
        _not_written(node, where),
    )


_SKIP_IN = ("cantonese",)


def _skip_in(node: dict[str, Any], where: Where) -> tuple[str, ...]:
    values = tuple(str(x) for x in yaml_list(node, "skip_in", where))
    for value in values:
        if value not in _SKIP_IN:
            raise where.fail(f"unknown 'skip_in' value '{value}' (known: {', '.join(_SKIP_IN)})")
    return values


def _not_written(node: dict[str, Any], where: Where) -> tuple[str, ...]:
    values = yaml_list(node, "not_written", where)
    if not all(isinstance(v, str) and v for v in values):
        raise where.fail("every entry of 'not_written' must be a non-empty string (a character as written)")
    return tuple(values)


def _patterns(node: dict[str, Any], key: str, where: Where) -> tuple[str, ...]:
    out = []
    for item in yaml_list(node, key, where):
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
    from .. import __version__
    from .cache import cached, code_fingerprint, key_of

    base = Path(base_dir)
    names = [str(base / n) for n in ("vocabulary.yml", "codes.yml", "standard.yml", "forbidden.yml")]
    names += extra_files
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
