"""Rewriting an utterance so that a staff member could send it as it is (改写), clause by clause.

A forbidden phrase is not mended by splicing a polite phrase into the words it matched (这个小妹也需要帮您查一下);
the clause that carries it is replaced by the rule's rewrite, every clause that had nothing wrong is kept, the
replacements that say the same thing are said once (one 请您稍等, not two), slots are filled from the utterance
itself (the department, material, window or date the staff member named) or from the settings, or a rewrite
that needs no slot is chosen, and the visitor is addressed as 您. Pure: values in, a string out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import daachorse

from ..model import SLOT_RE, Rewrite, Rule

# Punctuation that ends a clause, and the sentence ends among it.
_CLAUSE_PUNCT = "，,。.！!？?；;：:、…\n"
_SENTENCE_END = "。.！!？?；;…"
_REST = "其余"  # the slot that takes the rest of the clause after the matched words (the 我-form recast)


@dataclass(frozen=True)
class SlotKind:
    """What may fill a slot (rules/slots.yml): a department is not a person."""

    name: str
    words: tuple[str, ...] = ()  # whole values
    suffixes: tuple[str, ...] = ()  # a value ends with one of these (税务局, 三号窗口)
    not_values: tuple[str, ...] = ()  # never a value (别人, 他们)
    max_length: int = 12
    generic: str = ""  # the general word a message shows where no value is known (相关部门)


@dataclass(frozen=True, eq=False)  # hashed by identity: one per loaded rules/rewrite.yml
class Rewriting:
    """rules/rewrite.yml: the kinds of the slots and the words that keep their 你."""

    kinds: Mapping[str, SlotKind]
    customary: tuple[str, ...]
    demands: tuple[str, ...] = ()  # folded
    recasts: tuple[str, ...] = ()
    leading: tuple[str, ...] = ()  # words cut from the front of a slot value (去, 问, 找 …)
    rest_drops: tuple[str, ...] = ()  # words cut from the front of what a demand asks (你, 您)
    rest_endings: tuple[tuple[str, str], ...] = ()  # how what a demand asks ends in the 我 form (了 → 一下)
    # words never inside a name the utterance gives (你, 啊, 吧 …): a name starts after the last of them
    breaks: tuple[str, ...] = ()


def load_rewriting(path: str) -> Rewriting:
    from ..data.catalogue import read_yaml
    from ..errors import CatalogueError

    data = read_yaml(path)
    kinds: dict[str, SlotKind] = {}
    for name, spec in (data.get("slots") or {}).items():
        if name == "__line__":
            continue
        spec = spec or {}
        if not isinstance(spec, dict):
            raise CatalogueError(f"slot '{name}' must be a mapping", path, data.get("__line__"))
        unknown = set(spec) - {"words", "suffixes", "not", "max_length", "generic", "__line__"}
        if unknown:
            raise CatalogueError(
                f"slot '{name}': unknown key '{sorted(unknown)[0]}'", path, spec.get("__line__")
            )
        kinds[str(name)] = SlotKind(
            str(name),
            tuple(str(w) for w in spec.get("words") or ()),
            tuple(str(w) for w in spec.get("suffixes") or ()),
            tuple(str(w) for w in spec.get("not") or ()),
            int(spec.get("max_length", 12)),
            str(spec.get("generic") or ""),
        )
    you = data.get("you") or {}
    demands = data.get("demands") or {}
    from .normalize import fold

    rest = demands.get("rest") or {}
    endings = rest.get("endings") or {}
    return Rewriting(
        kinds,
        tuple(str(w) for w in you.get("customary") or ()),
        tuple(fold(str(w)) for w in demands.get("words") or ()),
        tuple(str(w) for w in demands.get("recast") or ()),
        tuple(sorted((str(w) for w in data.get("leading") or ()), key=len, reverse=True)),
        tuple(str(w) for w in rest.get("drop") or ()),
        tuple((str(k), str(v)) for k, v in endings.items() if k != "__line__"),
        _words(data, "breaks", path),
    )


def _words(data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    """The list of words under ``key``, longest first; a clear error where it is not a list of words."""
    from ..data.catalogue import key_line
    from ..errors import CatalogueError

    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise CatalogueError(f"'{key}' must be a list of words", path, key_line(data, key))
    return tuple(sorted(value, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def load_default_rewriting() -> Rewriting:
    """The built-in rules/rewrite.yml."""
    from ..data.catalogue import builtin_rules_dir

    return load_rewriting(str(builtin_rules_dir() / "rewrite.yml"))


def demand_spans(text: str, rewriting: Rewriting) -> list[tuple[int, int]]:
    """Where ``text`` puts a demand on the visitor (你必须, 您要先 …): the spans of the demand words."""
    from .normalize import fold, fold_with_map

    if not rewriting.demands:
        return []
    plain = fold(text)  # the mapped fold's text, at C speed: the map only where a demand word stands in it
    if not any(word in plain for word in rewriting.demands):
        return []
    folded = fold_with_map(text)
    spans = []
    for word in rewriting.demands:
        at = folded.text.find(word)
        while at != -1:
            spans.append(folded.span(at, at + len(word)))
            at = folded.text.find(word, at + len(word))
    return sorted(spans)


@dataclass(frozen=True)
class Clause:
    """One clause of an utterance: ``text[start:end]``, followed by its punctuation up to ``after``."""

    start: int
    end: int
    after: int


def clauses(text: str) -> Sequence[Clause]:
    """The clauses of ``text``: runs between clause punctuation, or between spaces where ASR output puts them
    between words (不知道 你去问前台). Those of short texts are remembered: a message is split again for each
    of its rewrites, and the catalogue's rewrites for every message they replace a clause of."""
    if len(text) <= _REMEMBERED:
        return _clauses_remembered(text)
    return _clauses(text)


_REMEMBERED = 200  # (a long line is not kept alive for it)


@functools.lru_cache(maxsize=4096)
def _clauses_remembered(text: str) -> tuple[Clause, ...]:
    return tuple(_clauses(text))


def _clauses(text: str) -> list[Clause]:
    out: list[Clause] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and (text[i] in _CLAUSE_PUNCT or text[i].isspace()):
            i += 1
        if i >= n:
            break
        start = i
        while i < n and text[i] not in _CLAUSE_PUNCT and not (text[i].isspace() and _space_break(text, i)):
            i += 1
        end = i
        while i < n and (text[i] in _CLAUSE_PUNCT or text[i].isspace()):
            i += 1
        out.append(Clause(start, end, i))
    return out


def _space_break(text: str, i: int) -> bool:
    """A space between two runs of Chinese of two or more characters separates clauses (ASR output)."""
    if not text[i].isspace():
        return False
    j = i
    while j < len(text) and text[j].isspace():
        j += 1
    left = len(re.findall(r"[\u3400-\u9fff]", text[max(0, i - 2) : i]))
    right = len(re.findall(r"[\u3400-\u9fff]", text[j : j + 2]))
    return left >= 2 and right >= 2


def slot_names(template: str) -> list[str]:
    return SLOT_RE.findall(template)


def fits(kind: SlotKind | None, value: str) -> bool:
    """Whether ``value`` is a thing of ``kind`` (a department for {部门}, not 别人 nor 隔壁窗口)."""
    value = value.strip()
    if not value or kind is None:
        return bool(value)
    if any(n in value for n in kind.not_values) or len(value) > kind.max_length:
        return False
    return value in kind.words or any(value.endswith(s) for s in kind.suffixes)


def clean_value(kind: SlotKind | None, raw: str, leading: Sequence[str] = ()) -> str:
    """The value a slot took from an utterance, cut to a thing of its kind: 问市场监管局吧 → 市场监管局."""
    value = _trim_value(raw.strip(" ，,。.！!？?；;：:、…\"'“”「」"), leading)
    if kind is None or not kind.suffixes:
        return value
    ends = [value.rfind(s) + len(s) for s in kind.suffixes if s in value]
    return value[: max(ends)] if ends else value


@functools.lru_cache(maxsize=32)
def _found(
    text: str, kinds: tuple[tuple[str, SlotKind], ...], leading: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    return tuple(_found_values(text, dict(kinds), leading).items())


def found_values(text: str, kinds: Mapping[str, SlotKind], leading: tuple[str, ...] = ()) -> dict[str, str]:
    """Slot values the utterance itself names (worked out once per utterance, however many violations)."""
    return dict(_found(text, tuple(kinds.items()), leading))


@functools.lru_cache(maxsize=32)
def _found_in(text: str, rewriting: Rewriting) -> tuple[tuple[str, str], ...]:
    """:func:`found_values` of the kinds of ``rewriting``, remembered by the text and the rewriting (hashed by
    identity: a key of every slot kind, words and all, took longer to hash than most texts to search)."""
    return tuple(
        _found_values(
            text, rewriting.kinds, rewriting.leading, _screen_of(rewriting), rewriting.breaks
        ).items()
    )


class _Screen:
    """The words and suffixes of some slot kinds (rules/slots.yml: 18 and 97), found in a text in one
    automaton pass, so that a kind none of whose words, or suffixes, stands in it is passed over at once
    (looking for each in turn was most of the work of an utterance's slot values)."""

    def __init__(self, kinds: Mapping[str, SlotKind]) -> None:
        self._keys = sorted({w for kind in kinds.values() for w in (*kind.words, *kind.suffixes) if w})
        self._automaton = daachorse.CharwiseDoubleArrayAhoCorasick(self._keys) if self._keys else None
        self.words = {name: frozenset(kind.words) for name, kind in kinds.items()}
        self.suffixes = {name: frozenset(kind.suffixes) for name, kind in kinds.items()}

    def present(self, text: str) -> set[str]:
        """Every word and suffix that stands in ``text`` (at least: the empty one, which stands in any)."""
        keys = self._keys
        found = {""}
        if self._automaton is not None:
            found.update(keys[k] for _s, _e, k in self._automaton.find_overlapping(text))
        return found


@functools.lru_cache(maxsize=4)
def _screen_of(rewriting: Rewriting) -> _Screen:
    return _Screen(rewriting.kinds)


def _found_values(
    text: str,
    kinds: Mapping[str, SlotKind],
    leading: Sequence[str],
    screen: _Screen | None = None,
    breaks: tuple[str, ...] = (),
) -> dict[str, str]:
    """Slot values the utterance itself names: the first word of each kind (市场监管局, 身份证复印件).
    ``screen``, where given, is that of ``kinds``: a kind it finds none of whose words (suffixes) stands in
    the text is not looked at for them."""
    present = screen.present(text) if screen is not None else None
    values: dict[str, str] = {}
    for name, kind in kinds.items():
        if present is None or screen is None or not screen.words[name].isdisjoint(present):
            for word in kind.words:
                if word in text:
                    values[name] = word
                    break
        if name in values or not kind.suffixes:
            continue
        if present is None or screen is None:
            if not any(s in text for s in kind.suffixes):  # no match possible: the expression is not compiled
                continue
        elif screen.suffixes[name].isdisjoint(present):
            continue
        for m in _suffix_regex(kind.suffixes, breaks).finditer(text):
            value = _trim_value(m.group(0), leading)
            if fits(kind, value):
                values[name] = value
                break
    return values


@functools.lru_cache(maxsize=64)
def _suffix_regex(suffixes: tuple[str, ...], breaks: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A name ending in one of ``suffixes``: up to 8 characters before it, none of ``breaks`` (不知道啊那个你问前台
    names 前台, not 知道啊那个你问前台)."""
    alternatives = "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True))
    name = "[\u3400-\u9fff0-9一二三四五六七八九十]"
    if breaks:
        name = f"(?!{'|'.join(re.escape(b) for b in breaks)}){name}"
    return re.compile(rf"(?:{name}){{0,8}}?(?:{alternatives})")


def _trim_value(value: str, leading: Sequence[str]) -> str:
    """``value`` without the function words before it (去, 问, 交 …: rules/rewrite.yml ``leading``)."""
    cut = True
    while cut and value:
        cut = False
        for word in leading:
            if value.startswith(word) and len(value) > len(word):
                value, cut = value[len(word) :], True
                break
    return value


def fill(template: str, values: Mapping[str, str], kinds: Mapping[str, SlotKind]) -> str | None:
    """``template`` with its slots filled by values of their kind; None when one cannot be."""
    missing = False

    def one(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        value = values.get(name, "")
        if not value or (name != _REST and not fits(kinds.get(name), value)):
            missing = True
            return m.group(0)
        return value

    out = SLOT_RE.sub(one, template)
    return None if missing else out


def recast_rest(rest: str, rewriting: Rewriting) -> str:
    """The rest of a demand, as the 我-form asks it (你必须先把表填了 → 先把表填一下)."""
    rest = rest.strip(" ，,。.！!？?；;")
    for word in rewriting.rest_drops:
        if rest.startswith(word):
            rest = rest[len(word) :]
            break
    for old, new in rewriting.rest_endings:
        if rest.endswith(old):
            rest = rest[: -len(old)] + new
            break
    return rest


def clause_end(text: str, i: int) -> int:
    """Where the clause of ``text`` that goes on at ``i`` ends (at its punctuation, or the end)."""
    while i < len(text) and text[i] not in _CLAUSE_PUNCT:
        i += 1
    return i


def values_for(
    text: str,
    end: int,
    taken: Mapping[str, str],
    fixed: Mapping[str, str],
    rewriting: Rewriting,
) -> dict[str, str]:
    """The values a rule's rewrites can fill their slots with, for words of ``text`` ending at ``end``: the
    settings' values, then those the utterance names (of the slot's kind), then what a trailing slot took
    (``taken``, cut to a thing of its kind), and 其余: what a demand asks for, for the 我-form recast."""
    kinds = rewriting.kinds
    values = {**fixed, **dict(_found_in(text, rewriting))}
    for name, raw in taken.items():
        value = clean_value(kinds.get(name), raw, rewriting.leading)
        if value and fits(kinds.get(name), value):
            values[name] = value
    rest = text[end : clause_end(text, end)]
    if rest.strip():
        values[_REST] = recast_rest(rest, rewriting)
    return values


def polite_you(text: str, customary: Sequence[str]) -> str:
    """你 (and 妳) as 您, where the staff member addresses the visitor; customary words (你们, 你好) kept."""
    if "你" not in text and "妳" not in text:
        return text
    keep: list[tuple[int, int]] = []
    for word in customary:
        start = text.find(word)
        while start != -1:
            keep.append((start, start + len(word)))
            start = text.find(word, start + 1)
    out = []
    for i, ch in enumerate(text):
        if ch in "你妳" and not any(a <= i < b for a, b in keep):
            out.append("您")
        else:
            out.append(ch)
    result = "".join(out)
    return result.replace("您好", "您好")


@dataclass(frozen=True)
class Replacement:
    """What replaces one violation: ``text`` (already in the script of the input) over ``start``..``end`` of the
    original; ``words`` when it replaces the matched words only, else their whole clause."""

    start: int
    end: int
    text: str
    words: bool = False


def choose(
    rule: Rule,
    rendered: Callable[[Rewrite], str],
    values: Mapping[str, str],
    kinds: Mapping[str, SlotKind],
) -> tuple[Rewrite, str] | None:
    """The rewrite of ``rule`` that fits this utterance: its slots filled with values of their kind, in the
    catalogue's order of preference (whole-utterance rewrites, then safe fixes, then the rest)."""
    order = sorted(rule.rewrites, key=lambda r: (not r.utterance, not r.fix))
    for rewrite in order:
        text = fill(rendered(rewrite), values, kinds)
        if text is not None:
            return rewrite, text
    return None


def assemble(text: str, replacements: Sequence[Replacement], fold: Callable[[str], str]) -> str:
    """``text`` with each replacement put in place: a clause replacement takes every clause its span touches,
    clauses with nothing wrong stay as they are, and a piece of a replacement already said is not said again."""
    parts = clauses(text)
    if not parts:
        # marks alone (？？？): the replacement is all there is to say
        return replacements[0].text if replacements else text
    # Each clause replacement covers the clauses its span touches; overlapping covers merge into one group.
    groups: list[tuple[int, int, list[Replacement]]] = []
    words: dict[int, list[Replacement]] = {}
    for r in sorted(replacements, key=lambda r: r.start):
        touched = [k for k, c in enumerate(parts) if c.start < r.end and r.start < c.end] or [0]
        a, b = touched[0], touched[-1]
        if r.words and a == b:
            words.setdefault(a, []).append(r)
            continue
        if groups and a <= groups[-1][1]:
            ga, gb, rs = groups[-1]
            groups[-1] = (ga, max(gb, b), [*rs, r])
        else:
            groups.append((a, b, [r]))
    said: set[str] = set()
    out: list[str] = []
    k = 0
    for a, b, reps in [*groups, (len(parts), len(parts), [])]:
        while k < a:  # clauses with nothing wrong, or only words to replace
            c = parts[k]
            piece = _splice_words(text[c.start : c.end], c.start, words.get(k, []))
            key = fold(piece)
            if not (key and _said_before(key, said)):  # no clause twice
                said.add(key)
                out.append(piece + text[c.end : c.after])
            k += 1
        if not reps:
            break
        pieces: list[str] = []
        for r in reps:
            for piece in _pieces(r.text):
                key = fold(piece)
                if key and not _said_before(key, said):
                    said.add(key)
                    pieces.append(piece)
        last = parts[b]
        punct = text[last.end : last.after]
        lead = text[parts[a].start : min(r.start for r in reps)]
        if lead and not any(
            ch.isalnum() for ch in lead
        ):  # an emoji or a symbol before the offending words stays
            out.append(lead)
        if pieces:
            body = "，".join(p.rstrip(_CLAUSE_PUNCT) for p in pieces)
            own = reps[-1].text.rstrip()[-1:]
            end = own if own in _SENTENCE_END else (punct.strip()[:1] or "。")
            out.append(body + end + (" " if punct.endswith(" ") and b + 1 < len(parts) else ""))
        k = b + 1
    return "".join(out).strip()


def _said_before(key: str, said: set[str]) -> bool:
    """Whether a piece (folded: ``key``) says the same thing as one of ``said`` (:func:`_same_thing`): the
    same piece is looked up, and only pieces of four characters or more are compared (shorter ones are the
    same thing only when equal)."""
    if key in said:
        return True
    if len(key) < 4:
        return False
    return any(_same_thing(key, other) for other in said if len(other) >= 4)


@functools.lru_cache(maxsize=8192)  # the catalogue's rewrites meet the same pieces again and again
def _same_thing(a: str, b: str) -> bool:
    """Whether two folded pieces say the same thing: one is the other with words added (我再给您解释一遍 and
    我再给您详细解释一遍), measured as their longest common subsequence against the shorter."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 4 or len(short) > 200:  # a long clause is the same thing only when it is equal
        return False
    # the characters of the shorter that occur in the longer at all (each as often as the shorter has it)
    # bound those they share from above: most pieces have too few even of these (a look-up each, at C speed)
    if sum(map(set(long).__contains__, short)) < 0.8 * len(short):
        return False
    # the characters they share (each as often as both have it) bound the common subsequence from above:
    # most pieces share too few to need the table below
    left: dict[str, int] = {}
    for ch in long:
        left[ch] = left.get(ch, 0) + 1
    shared = 0
    for ch in short:
        if left.get(ch, 0):
            left[ch] -= 1
            shared += 1
    if shared < 0.8 * len(short):
        return False
    previous = [0] * (len(long) + 1)
    for ch in short:
        current = [0]
        for j, other in enumerate(long):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] >= 0.8 * len(short)


def _splice_words(piece: str, offset: int, reps: Sequence[Replacement]) -> str:
    """``piece`` with the matched words of ``reps`` replaced, with no character doubled at a seam."""
    for r in sorted(reps, key=lambda r: r.start, reverse=True):
        s, e = r.start - offset, r.end - offset
        left, right = piece[:s], piece[e:]
        new = r.text.rstrip(_CLAUSE_PUNCT)
        if left and new and left[-1] == new[0]:
            new = new[1:]  # no 我我 at the seam
        if right and new and right[0] == new[-1]:
            new = new[:-1]
        piece = left + new + right
    return piece


def _pieces(text: str) -> list[str]:
    """The clauses of a replacement, each with its punctuation (需要帮您查一下，请您稍等。 → two)."""
    out = []
    for c in clauses(text):
        out.append(text[c.start : c.after].strip())
    return out or [text]
