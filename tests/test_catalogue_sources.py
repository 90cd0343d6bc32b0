"""The catalogues are clean and faithful to the service codes they cite.

Standalone: only PyYAML, OpenCC and the standard library, so it checks the data even when the package is broken.

* clean: no catalogue string (phrase, text, variants, rewrite texts, messages, examples) holds Latin letters
  outside ``{slot}`` names, pinyin, or text of the web sites the codes were captured from;
* faithful: every ``text`` / ``phrase``, and every variant with its own ``sources``, is found in each code it
  cites, after folding both sides the same way (:func:`fold`), each ``{slot}`` standing for 0–12 characters.
  For an entry with a ``typo: true`` variant the typo variant is looked for instead of the corrected text; for
  a source with ``capture:`` (a phrase the capture damaged) the capture must occur verbatim in the raw file.

The tests are parametrized per entry, so a failure names the entry.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import opencc
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
STANDARD = RULES / "standard.yml"
FORBIDDEN = RULES / "forbidden.yml"
VOCABULARY = RULES / "vocabulary.yml"
# The five codes' texts, kept in the repository with their sources (rules/codes/README.md), so that these
# tests run on every clone.
CODES_DIR = Path(os.environ.get("PHRASELINT_CODES", RULES / "codes"))
CODES = tuple(yaml.safe_load((RULES / "codes.yml").read_text(encoding="utf-8"))["codes"])

SLOT_RE = re.compile(r"\{([^{}]*)\}")
# A slot stands for the placeholder of the code (XX, ××, xxx, X X, ×月××日, "XX期限内" …) and whatever
# type word the slot absorbs (XX科(室、管理部), 临沧市住房公积金管理中心).
SLOT_WILDCARD = ".{0,12}"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Text of the sites the codes were captured from, never of a code (checked after t2s conversion).
SITE_TEXT = tuple(
    """
    下载 版权 侵权 文档 本站 浏览次数 设为首页 加入收藏 当前位置 365bet bt365 官网开户 体育开户 亚博 会员分享
    在线阅读 珍藏版 课桌文档 人人文库 温馨提示 上传 预览 提交评论 收益归属 最新文档
    """.split()
)
# Advertisements injected where an organisation's name should stand (000: "XX纪委监委"). The fold drops them,
# so that the {单位} slot covers the real name around them.
SPAM = ("365bet官网开户_bt365体育开户_亚博和365是一家的吗",)

# A pinyin reading the converting site put after a character: "(quán)", "(qǐng)", "(lái)".
PINYIN_RE = re.compile(r"[(\uff08]\s*[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+\s*[)\uff09]")
TONE_MARK_RE = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
# A page number the capture put at the start of a line, even inside a word ("业\n5、务"), or alone on a line.
PAGE_MARK_RE = re.compile(r"(?m)^[ \t]*\d{1,3}(?:、|[ \t]*$)")
PAREN_RE = re.compile(r"[(\uff08]([^()\uff08\uff09\n]{1,40})[)\uff09]")
# Punctuation standard.yml must not use: the code's punctuation is written full-width (，。？！、：；).
HALF_WIDTH_PUNCT_RE = re.compile(r"[,.?!:;()\[\]\"'<>]")

_T2S = opencc.OpenCC("t2s")


def t2s(text: str) -> str:
    return _T2S.convert(text)


def _is_mark(ch: str) -> bool:
    """Punctuation, symbols (× …), white space and control characters: what the fold drops."""
    return unicodedata.category(ch)[0] in "PSZC"


def _keep(text: str) -> str:
    return "".join(ch for ch in text if not _is_mark(ch))


def _prepare(raw: str) -> str:
    """The code's text before reading: pinyin, spam and page numbers gone, simplified script."""
    text = PINYIN_RE.sub("", raw)
    for spam in SPAM:
        text = text.replace(spam, "")
    text = PAGE_MARK_RE.sub("", text)
    return t2s(text)


def _alternative(buffer: str, content: str) -> str | None:
    """``buffer`` (the text before a parenthesis) with the parenthesised alternative ``content`` read in place
    of what it replaces: "他(她)" → 她, "出差(开会)" → 开会 (the same number of characters before it), "有个会议
    通知(或有件事)" → 有件事 (an alternative opened by 或 replaces the clause before it)."""
    if content.startswith("或"):
        alt = content[1:]
        end = len(buffer)
        while end and _is_mark(buffer[end - 1]):
            end -= 1
        start = end
        while start and not _is_mark(buffer[start - 1]):
            start -= 1
        return buffer[:start] + alt + buffer[end:] if start < end else None
    if not content or len(content) > 4 or any(_is_mark(ch) for ch in content):
        return None
    head = buffer[-len(content) :]
    if len(head) < len(content) or any(_is_mark(ch) or ch.isascii() for ch in head):
        return None
    return buffer[: -len(content)] + content


def readings(text: str) -> list[str]:
    """The ways to read a code's parenthesised words: kept ("出差开会去了"), dropped ("出差去了"), and for each
    parenthesis its alternative reading with the others dropped ("开会去了")."""
    groups = list(PAREN_RE.finditer(text))
    kept = PAREN_RE.sub(lambda m: m.group(1), text)
    dropped = PAREN_RE.sub("", text)
    out = [kept, dropped]
    for chosen in groups:
        buffer, last = "", 0
        for m in groups:
            buffer += text[last : m.start()]
            last = m.end()
            if m is chosen:
                alt = _alternative(buffer, m.group(1))
                if alt is None:
                    break
                buffer = alt
        else:
            out.append(buffer + text[last:])
    return out


def fold(text: str) -> str:
    """Fold a code or a phrase for comparison: no pinyin, simplified script, no white space, line breaks,
    punctuation or symbols."""
    return _keep(t2s(PINYIN_RE.sub("", text)))


@functools.cache
def code_raw(code: str) -> str:
    files = sorted(CODES_DIR.glob(f"{code}_*.txt"))
    if not files:
        pytest.fail(f"service code {code} not found in {CODES_DIR}")
    return files[0].read_text(encoding="utf-8")


@functools.cache
def code_folded(code: str) -> tuple[str, ...]:
    return tuple(_keep(r) for r in readings(_prepare(code_raw(code))))


def phrase_pattern(text: str) -> tuple[re.Pattern[str], str]:
    """The regular expression of a folded phrase (slots as wildcards) and its readable form."""
    parts = SLOT_RE.split(text)  # literal, slot, literal, slot, …
    regex, shown = [], []
    for i, part in enumerate(parts):
        if i % 2:
            regex.append(SLOT_WILDCARD)
            shown.append("{" + part + "}")
        else:
            literal = fold(part)
            regex.append(re.escape(literal))
            shown.append(literal)
    return re.compile("".join(regex)), "".join(shown)


def find_in_code(wording: str, code: str) -> bool:
    pattern, _ = phrase_pattern(wording)
    return any(pattern.search(reading) for reading in code_folded(code))


# --- loading ----------------------------------------------------------------------------------------


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def vocabulary() -> dict[str, Any]:
    return _load(VOCABULARY)


def _entries(path: Path, key: str) -> tuple[list[Any], str | None]:
    """The entries of a catalogue and the error that stopped reading it, if any."""
    if not path.is_file():
        return [], None
    try:
        data = _load(path)
    except yaml.YAMLError as exc:
        return [], f"{path.name} is not valid YAML: {exc}"
    if not isinstance(data, dict) or not isinstance(data.get(key) or [], list):
        return [], f"{path.name} must be a mapping with a list under '{key}:'"
    return list(data.get(key) or []), None


STANDARD_ENTRIES, STANDARD_ERROR = _entries(STANDARD, "phrases")
FORBIDDEN_ENTRIES, FORBIDDEN_ERROR = _entries(FORBIDDEN, "rules")


def _params(path: Path, entries: list[Any], error: str | None) -> list[Any]:
    if error:
        return [pytest.param(None, id=path.name)]
    if not path.is_file():
        return [pytest.param(None, id=f"{path.name}-missing")]
    return [
        pytest.param(e, id=str(e.get("id")) if isinstance(e, dict) else f"entry-{i}")
        for i, e in enumerate(entries)
    ]


def _entry_or_skip(entry: Any, path: Path, error: str | None) -> dict[str, Any]:
    if error:
        pytest.fail(error)
    if entry is None:
        pytest.fail(f"{path.name} does not exist")
    assert isinstance(entry, dict), f"{path.name}: every entry must be a mapping, got {entry!r}"
    return entry


STANDARD_PARAMS = _params(STANDARD, STANDARD_ENTRIES, STANDARD_ERROR)
FORBIDDEN_PARAMS = _params(FORBIDDEN, FORBIDDEN_ENTRIES, FORBIDDEN_ERROR)


# --- what an entry says -----------------------------------------------------------------------------


def _variants(entry: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for v in entry.get("variants") or []:
        out.append(
            {"text": v} if isinstance(v, str) else dict(v) if isinstance(v, dict) else {"text": str(v)}
        )
    return out


def wordings(entry: dict[str, Any], main: str) -> list[str]:
    """The words of an entry that a speaker would say: its text or phrase and its variants."""
    out = [str(entry.get(main) or "")]
    out += [str(v.get("text") or "") for v in _variants(entry)]
    return out


def catalogue_strings(entry: dict[str, Any], main: str) -> list[tuple[str, str]]:
    """Every string of an entry that must be clean, with the field it comes from (notes are free text)."""
    out = [(main, s) for s in wordings(entry, main)]
    for r in entry.get("rewrites") or []:
        if isinstance(r, dict) and r.get("text") is not None:
            out.append(("rewrites", str(r["text"])))
    if entry.get("message") is not None:
        out.append(("message", str(entry["message"])))
    examples = entry.get("examples") or {}
    if isinstance(examples, dict):
        for key in ("flag", "pass"):
            out += [(f"examples.{key}", str(s)) for s in examples.get(key) or []]
    exempt = entry.get("exempt") or {}
    if isinstance(exempt, dict):
        for key in ("before", "after"):
            out += [(f"exempt.{key}", str(s)) for s in exempt.get(key) or []]
    return out


def spoken_strings(entry: dict[str, Any], main: str) -> list[tuple[str, str]]:
    """The catalogue's own wordings (not messages or examples): they follow the format's punctuation."""
    out = [(main, s) for s in wordings(entry, main)]
    for r in entry.get("rewrites") or []:
        if isinstance(r, dict) and r.get("text") is not None:
            out.append(("rewrites", str(r["text"])))
    return out


def source_checks(entry: dict[str, Any], main: str) -> list[tuple[str, dict[str, Any]]]:
    """(wording, source) pairs to look up: the main wording with the entry's sources (or, when the entry has
    a typo variant, that variant instead), and every variant with its own sources."""
    checks: list[tuple[str, dict[str, Any]]] = []
    variants = _variants(entry)
    typos = [v for v in variants if v.get("typo")]
    entry_sources = [s for s in entry.get("sources") or [] if isinstance(s, dict)]
    if typos:
        for v in typos:
            for s in v.get("sources") or entry_sources:
                checks.append((str(v["text"]), s))
    else:
        for s in entry_sources:
            checks.append((str(entry.get(main) or ""), s))
    for v in variants:
        if v.get("typo"):
            continue
        for s in v.get("sources") or []:
            checks.append((str(v["text"]), s))
    return checks


# --- the checks -------------------------------------------------------------------------------------


def _latin_problems(where: str, field: str, s: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """``allowed``: Latin words the text may hold (chat slang a pattern of the rule matches: 你nt吧)."""
    problems = []
    if allowed:
        s = re.sub(r"[A-Za-z]+", lambda m: "" if m.group(0).lower() in allowed else m.group(0), s)
    slots = vocabulary()["slots"]
    for name in SLOT_RE.findall(s):
        if name not in slots:
            problems.append(f"{where}: {field} {s!r}: unknown slot {{{name}}}")
    bare = SLOT_RE.sub("", s)
    if PINYIN_RE.search(bare) or TONE_MARK_RE.search(bare):
        problems.append(f"{where}: {field} {s!r} holds pinyin")
    latin = sorted({ch for ch in bare if "LATIN" in unicodedata.name(ch, "")})
    if latin:
        problems.append(f"{where}: {field} {s!r} holds Latin letters {''.join(latin)!r} outside slot names")
    simplified = t2s(bare)
    for marker in SITE_TEXT:
        if marker.lower() in simplified.lower():
            problems.append(f"{where}: {field} {s!r} holds site text {marker!r}")
    return problems


@functools.cache
def _dialect_latin() -> frozenset[str]:
    """The Latin words of the lexical fold's entries."""
    data = yaml.safe_load((RULES / "dialect.yml").read_text(encoding="utf-8")) or {}
    return frozenset(
        w.lower()
        for section in data.values()
        if isinstance(section, dict)
        for key in section
        for w in re.findall(r"[A-Za-z]+", str(key))
    )


def check_clean(entry: dict[str, Any], main: str, where: str, full_width: bool = False) -> list[str]:
    """Problems of an entry's strings; ``full_width``: its wordings must write punctuation full-width
    (standard.yml normalises the captures' half-width ",?!" to "，？！")."""
    problems = []
    # a rule whose patterns match Latin words on purpose (chat slang: sb, nt) may show them in its examples
    # …or that the lexical fold knows (rules/dialect.yml: bzd, yygq, Hong Kong's form and get)
    slang = (
        frozenset(w.lower() for p in entry.get("patterns") or [] for w in re.findall(r"[A-Za-z]+", str(p)))
        | _dialect_latin()
    )
    for field, s in catalogue_strings(entry, main):
        if not s.strip():
            problems.append(f"{where}: empty {field}")
        problems += _latin_problems(where, field, s, slang if field.startswith("examples") else frozenset())
    for field, s in spoken_strings(entry, main):
        bare = SLOT_RE.sub("", s)
        if full_width and HALF_WIDTH_PUNCT_RE.search(bare):
            problems.append(f"{where}: {field} {s!r}: write the code's punctuation full-width (，。？！、)")
        if re.search(r"[()\uff08\uff09]", bare):
            problems.append(
                f"{where}: {field} {s!r}: a parenthesis (an annotation of the code?) in a wording"
            )
        if t2s(bare) != bare:
            problems.append(f"{where}: {field} {s!r} is not in simplified script (t2s: {t2s(bare)!r})")
    return problems


def check_sources(entry: dict[str, Any], main: str, where: str) -> list[str]:
    problems = []
    for wording, source in source_checks(entry, main):
        code = str(source.get("code"))
        clause = source.get("clause", "")
        if code not in CODES:
            problems.append(f"{where}: unknown code {code!r}")
            continue
        general = source.get("general")
        if general is not None:  # a kind of speech a general clause forbids: the clause's words are cited
            if not find_in_code(str(general), code):
                problems.append(f"{where}: general clause {general!r} not found in code {code} ({clause})")
            continue
        capture = source.get("capture")
        if capture is not None:
            if str(capture) not in code_raw(code):
                problems.append(
                    f"{where}: capture {capture!r} does not occur verbatim in code {code} ({clause})"
                )
            continue
        if not find_in_code(wording, code):
            _, shown = phrase_pattern(wording)
            problems.append(
                f"{where}: {wording!r} not found in code {code} ({clause}); folded phrase: {shown!r}"
            )
    return problems


# --- standard.yml -----------------------------------------------------------------------------------


def test_standard_exists():
    assert STANDARD.is_file(), "rules/standard.yml is missing"
    assert STANDARD_ERROR is None, STANDARD_ERROR
    data = _load(STANDARD)
    assert data.get("version") == 1
    assert STANDARD_ENTRIES, "rules/standard.yml has no phrases"


def test_ids_unique_and_readable():
    ids = [e.get("id") for e in STANDARD_ENTRIES if isinstance(e, dict)]
    ids += [e.get("id") for e in FORBIDDEN_ENTRIES if isinstance(e, dict)]
    bad = [i for i in ids if not isinstance(i, str) or not ID_RE.match(i) or i.startswith("std-")]
    assert not bad, f"ids must be readable kebab-case English, not prefixed std-: {bad}"
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"ids used twice (across standard.yml and forbidden.yml): {dupes}"


@pytest.mark.parametrize("entry", STANDARD_PARAMS)
def test_standard_schema(entry):
    entry = _entry_or_skip(entry, STANDARD, STANDARD_ERROR)
    where = f"standard.yml {entry.get('id')}"
    vocab = vocabulary()
    assert entry.get("kind") in vocab["kinds"], f"{where}: unknown kind {entry.get('kind')!r}"
    assert entry.get("situation") in vocab["situations"], (
        f"{where}: unknown situation {entry.get('situation')!r}"
    )
    assert entry.get("sources"), f"{where}: no sources"
    for v in _variants(entry):
        if v.get("typo"):
            assert v.get("note"), f"{where}: the typo variant {v.get('text')!r} needs a note"


@pytest.mark.parametrize("entry", STANDARD_PARAMS)
def test_standard_clean(entry):
    entry = _entry_or_skip(entry, STANDARD, STANDARD_ERROR)
    problems = check_clean(entry, "text", f"standard.yml {entry.get('id')}", full_width=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry", STANDARD_PARAMS)
def test_standard_found_in_codes(entry):
    entry = _entry_or_skip(entry, STANDARD, STANDARD_ERROR)
    problems = check_sources(entry, "text", f"standard.yml {entry.get('id')}")
    assert not problems, "\n".join(problems)


def test_standard_one_entry_per_phrase():
    seen: dict[str, str] = {}
    dupes = []
    for e in STANDARD_ENTRIES:
        for w in wordings(e, "text"):
            key = fold(SLOT_RE.sub("{}", w))
            if key in seen and seen[key] != e.get("id"):
                dupes.append(f"{w!r} in {seen[key]} and {e.get('id')}")
            seen.setdefault(key, e.get("id"))
    assert not dupes, "one entry per phrase; cite the other codes in its sources:\n" + "\n".join(dupes)


# --- forbidden.yml ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", FORBIDDEN_PARAMS)
def test_forbidden_clean(entry):
    entry = _entry_or_skip(entry, FORBIDDEN, FORBIDDEN_ERROR)
    problems = check_clean(entry, "phrase", f"forbidden.yml {entry.get('id')}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry", FORBIDDEN_PARAMS)
def test_forbidden_found_in_codes(entry):
    entry = _entry_or_skip(entry, FORBIDDEN, FORBIDDEN_ERROR)
    problems = check_sources(entry, "phrase", f"forbidden.yml {entry.get('id')}")
    assert not problems, "\n".join(problems)


# --- the fold itself --------------------------------------------------------------------------------


def test_fold_reads_the_captures():
    """The fold undoes what the captures did to the codes' words, and nothing else."""
    # pinyin readings and traditional script (002)
    assert fold("請(qǐng)慢走!") == "请慢走"
    # a page number inside a quoted phrase (003: "业\n5、务")
    assert find_in_code("请问您要办理什么业务?", "003")
    # line breaks inside a quoted phrase (004: "请您再说\n一遍")
    assert find_in_code("请您再说一遍。", "004")
    # parenthesised alternatives (000): kept, dropped, read in place
    assert find_in_code("请稍等,我帮您看看他(她)在不在。", "000")
    assert find_in_code("请稍等,我帮您看看她在不在。", "000")
    assert find_in_code("请稍等,我帮您看看他在不在。", "000")
    # a slot stands for a placeholder, not for any words
    assert find_in_code("请您到{部门}办理,需要我陪您去吗?", "000")
    assert not find_in_code("请您到{部门}办理,需要我送您去吗?", "000")
    # the typo is the code's: the corrected wording is not found, the typo variant is
    assert not find_in_code("请进、请坐、请喝水。", "000")
    assert find_in_code("请进、请座、请喝水。", "000")
    # misquotes are caught
    assert not find_in_code("请您稍等片刻。", "002")
    assert not find_in_code("您好!这里是{单位}{部门},请讲!", "000")
