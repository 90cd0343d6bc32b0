"""Normalization: fold a text for matching, and map every folded position back to the original.

Folding turns traditional (also Taiwan and Hong Kong forms) into simplified script, full-width into half-width,
您 into 你 and the other folds of ``rules/normalize.yml``; it drops particles (语气词), white space, punctuation,
symbols and control characters, and collapses stutters (烦死了烦死了 → 烦死了). Phrases and texts go through the
same folding, so a fold only has to be consistent.

Two entry points give the same folded string by construction:

- :func:`fold` runs at C speed (``str.translate`` and two regular expressions) and is used on every utterance
  to find candidates;
- :func:`fold_with_map` walks the characters in Python, keeping for each folded character the span of the
  original it came from, and the clause boundaries (punctuation, line ends) the folding dropped. It runs only on
  utterances where a candidate was found.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import daachorse

from ..data.cache import cached, code_fingerprint, installed_version, key_of
from ..data.catalogue import builtin_rules_dir, key_line, read_yaml
from ..errors import CatalogueError
from .words import HAN_RANGES

# Everything that is not a letter or digit of some script is dropped before matching.
_NOISE = re.compile(r"[\W_]")
_NOISE_RUN = re.compile(r"[\W_]+")
# A unit of one to four characters said twice or more in a row.
_STUTTER = re.compile(r"(.{1,4}?)\1+", re.DOTALL)
_STUTTER_ANY = re.compile(r"(.{1,4})\1", re.DOTALL)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOISE_RUN_KEEP_MARK = re.compile(r"[^\w\x1f]+|_")
_MARK_RUN = re.compile("\x1f+")
_NOISE_RUN_KEEP_NEWLINE = re.compile(r"[^\w\n]+|_")
_DROPPED = "\0"  # a dropped character in the table as pickled (Folding.__getstate__)
# Punctuation that ends a clause, after width folding (~: chat ends a sentence with it, 好的哦～我们管不了).
_CLAUSE_END = frozenset(",.!?;:…。、~\n\r\u2028\u2029\u3002\uff61\uff64")
# every character that ends a clause: those of _CLAUSE_END and their full-width forms (what _clause_end accepts)
_CLAUSE_END_CHARS = _CLAUSE_END | frozenset(
    chr(ord(ch) + 0xFEE0) for ch in _CLAUSE_END if 0xFF01 <= ord(ch) + 0xFEE0 <= 0xFF5E
)


@dataclass(frozen=True)
class Folding:
    """The character table of the fold, built once from OpenCC and rules/normalize.yml.

    ``table`` is indexed by code point for the whole Basic Multilingual Plane (a list lookup is twice as fast
    as a dict in ``str.translate``): the folded character, or None for a character the fold drops (noise,
    particles). Characters beyond the BMP (emoji) are dropped by the noise expression when they are not
    letters.
    """

    table: tuple[str | None, ...]
    particles: frozenset[str]
    a_not_a: frozenset[str] = frozenset()
    # The lexical fold (rules/dialect.yml): Cantonese and Taiwan words onto the Mandarin words the patterns
    # are written in (唔知 → 不知道, 收工 → 下班), applied to the original text before the character fold.
    dialect: tuple[tuple[str, str], ...] = ()
    # the words of the fold folded only inside a clause (a word after them, no particle before): Cantonese 咩 is
    # "what" inside a clause (發咩神經, 咩態度) and a question particle at its end (係咩？)
    before_a_word: frozenset[str] = frozenset()

    @functools.cached_property
    def _dialect_automaton(self) -> tuple[daachorse.CharwiseDoubleArrayAhoCorasick, tuple[str, ...]] | None:
        """The dialect words in one automaton that finds them leftmost-longest (daachorse), and the Mandarin
        word of each."""
        if not self.dialect:
            return None
        automaton = daachorse.CharwiseDoubleArrayAhoCorasick(
            [source for source, _ in self.dialect], match_kind=daachorse.MATCH_KIND_LEFTMOST_LONGEST
        )
        return automaton, tuple(target for _, target in self.dialect)

    def dialect_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where the lexical fold replaces words of ``text``: leftmost, longest, not overlapping."""
        found = self._dialect_automaton
        if found is None or not text:
            return []
        automaton, targets = found
        try:
            matches = automaton.find(text)
        except UnicodeEncodeError:  # a lone surrogate, in no word: as U+FFFD, in none either (same length)
            matches = automaton.find(_SURROGATE.sub("\ufffd", text))
        # an English word (Hong Kong speech and chat mix them in: 你仲唔get, 份form) only where it stands alone,
        # not inside a longer word (information, formula)
        mid = self.before_a_word
        return [
            (start, end, targets[k])
            for start, end, k in matches
            if not (
                (_is_latin(text[start]) and start > 0 and _is_latin(text[start - 1]))
                or (_is_latin(text[end - 1]) and end < len(text) and _is_latin(text[end]))
                or (mid and text[start:end] in mid and not self._inside_a_clause(text, start, end))
            )
        ]

    @functools.cached_property
    def inside_words(self) -> tuple[tuple[str, str], ...]:
        """The words of ``before_a_word`` (in every form), each with the Mandarin word it says."""
        return tuple((w, t) for w, t in self.dialect if w in self.before_a_word)

    def fast_text(self, text: str) -> str:
        """What the fast test looks at for ``text``: its :meth:`prefold`, and, where a word of ``before_a_word``
        stands in it, the prefold once more with that word said wherever it stands (the prefold drops 咩 as a
        particle; the fold says it 什么 inside a clause), on a line of its own: only ever more to find."""
        folded = self.prefold(text)
        said = text
        for word, target in self.inside_words:
            if word in said:
                said = said.replace(word, target)
        return folded if said is text else f"{folded}\n{self.prefold(said)}"

    def _inside_a_clause(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` stands inside a clause: a letter the fold keeps (not a particle) follows
        it, and no particle comes just before it (㗎咩 and 𡃉咩 close a clause where no punctuation follows;
        the characters beyond the BMP that stand before such a word are Cantonese particles: 𡃉, 𠺢)."""
        if end >= len(text) or not text[end].isalpha():
            return False
        table = self.table
        after = ord(text[end])
        if after < len(table) and table[after] is None:
            return False
        if start and text[start - 1].isalpha():
            before = ord(text[start - 1])
            return before < len(table) and table[before] is not None
        return True

    def undialect(self, text: str) -> str:
        """``text`` with the lexical fold applied (the words only; characters are folded later)."""
        spans = self.dialect_spans(text)
        if not spans:
            return text
        out: list[str] = []
        pos = 0
        for start, end, target in spans:
            out.append(text[pos:start])
            out.append(target)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_dialect_automaton", None)
        state.pop("_marked_table", None)
        state.pop("_block_table", None)
        state.pop("inside_words", None)
        # whether the fold drops every white space is kept with the table (finding out walks every character
        # of the BMP: a sixtieth of the cold start)
        state["drops_spaces"] = self.drops_spaces
        # the table as one string, NUL for a character dropped (NUL itself is dropped: noise): unpickling
        # 65,536 strings one by one took twice as long as making them from one
        if all(c is None or (len(c) == 1 and c != _DROPPED) for c in self.table):
            state["table"] = "".join(c or _DROPPED for c in self.table)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        table = state["table"]
        if isinstance(table, str):
            state = {**state, "table": tuple([None if c == _DROPPED else c for c in table])}
        self.__dict__.update(state)

    def prefold(self, text: str) -> str:
        """Characters folded and noise dropped, stutters kept: the fast path's text (one C pass, mostly)."""
        folded = text.translate(self.table)
        if _ASTRAL.search(folded):
            folded = _NOISE_RUN.sub("", folded)
        return folded

    @functools.cached_property
    def _block_table(self) -> tuple[str | None, ...]:
        table = list(self.table)
        table[ord("\n")] = "\n"
        return tuple(table)

    def prefold_block(self, block: str) -> str:
        """:meth:`prefold` of many lines joined by newlines, at once, with the newlines kept: the fast test
        of a block of a file in one C pass."""
        folded = block.translate(self._block_table)
        if _ASTRAL.search(folded):
            folded = _NOISE_RUN_KEEP_NEWLINE.sub("", folded)
        return folded

    def fold(self, text: str) -> str:
        """The complete fold: the lexical fold, :meth:`prefold`, then stutters collapsed."""
        folded = self.prefold(self.undialect(text))
        if _STUTTER_ANY.search(folded):
            folded = _STUTTER.sub(r"\1", folded)
        return folded

    @functools.cached_property
    def _marked_table(self) -> tuple[str | None, ...]:
        table = list(self.table)
        for ch in _CLAUSE_END_CHARS:  # the only characters _clause_end accepts (not every code point)
            code = ord(ch)
            if code < len(table) and table[code] is None and not ch.isspace():
                table[code] = "\x1f"
        return tuple(table)

    def marked_fold(self, text: str) -> str:
        """The folded text with clause punctuation as a boundary mark, at C speed: what the marked text of
        :func:`fold_with_map` would be, but with no boundary for white space (so it never has more
        boundaries than the real one: a pattern that matches there matches here)."""
        folded = self.undialect(text).translate(self._marked_table)
        if _ASTRAL.search(folded):
            folded = _NOISE_RUN_KEEP_MARK.sub("", folded)
        if "\x1f\x1f" in folded:
            folded = _MARK_RUN.sub("\x1f", folded)
        folded = folded.strip("\x1f")
        if _STUTTER_ANY.search(folded.replace("\x1f", "")):
            return _collapse_marked(folded)
        return folded

    @functools.cached_property
    def drops_spaces(self) -> bool:
        """Whether the fold drops every white space character (the plain path of :func:`fold_with_map`)."""
        return all(self.fold_char(ch) is None for ch in _spaces())

    def fold_char(self, ch: str) -> str | None:
        """What one character folds to (the slow path's step; the same as :meth:`fold` per character)."""
        code = ord(ch)
        if code < len(self.table):
            return self.table[code]
        return None if _NOISE.match(ch) else ch


@functools.lru_cache(maxsize=1)
def _spaces() -> str:
    """Every white space character of the Basic Multilingual Plane."""
    return "".join(chr(c) for c in range(0x10000) if chr(c).isspace())


def _collapse_marked(folded: str) -> str:
    """The stutters of a marked fold collapsed as :func:`fold_with_map` collapses them: over the text without
    marks (a stutter may cross one: 你问我，我去问谁), each kept character keeping the mark before it, the
    marks before the characters a collapse drops gone with them."""
    plain = folded.replace("\x1f", "")
    if len(plain) == len(folded):
        return _STUTTER.sub(r"\1", plain)
    at = [i for i, ch in enumerate(folded) if ch != "\x1f"]  # where each character stands in ``folded``
    out: list[str] = []
    pos = 0  # the next character of ``plain`` not yet placed
    for m in _STUTTER.finditer(plain):
        last_kept = m.start() + len(m.group(1)) - 1
        # from the first mark before character ``pos`` to the end of the unit kept
        out.append(folded[at[pos - 1] + 1 if pos else 0 : at[last_kept] + 1])
        pos = m.end()
    out.append(folded[at[pos - 1] + 1 if pos else 0 :])
    return "".join(out)


@functools.lru_cache(maxsize=8)
def opencc_char_map(config: str) -> Mapping[str, str]:
    """The single characters OpenCC's ``config`` converts, and into what: built once (a tenth of a second
    per configuration, OpenCC's dictionaries loaded) and kept on disk, keyed by the OpenCC version; read once
    a process (t2s serves the fold's table, the tone model's and the script's evidence)."""
    key = key_of([config, installed_version("opencc", "opencc"), code_fingerprint()])
    # a kind of its own for each configuration: six are used (the fold's four, the script's s2tw and s2hk),
    # more than the cache keeps of one kind, and the fold's evicted the script's at every change of the code
    return cached(f"opencc-{config}", key, lambda: _opencc_char_map(config))


def _opencc_char_map(config: str) -> dict[str, str]:
    import opencc

    chars = [chr(c) for lo, hi in HAN_RANGES for c in range(lo, hi + 1)]
    converted = opencc.OpenCC(config).convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC keeps line structure
        raise RuntimeError(f"OpenCC {config} changed the number of lines")
    return {c: t for c, t in zip(chars, converted) if t != c and len(t) == 1}


@functools.lru_cache(maxsize=4)
def folding(rules_dir: str | None = None) -> Folding:
    """The folding table: built once per process, and kept on disk between processes (it takes a fifth of a
    second to build), keyed by normalize.yml and the OpenCC version."""
    path = Path(rules_dir) if rules_dir else builtin_rules_dir()
    return cached("folding", folding_key(rules_dir), lambda: _build_folding(path))


@functools.lru_cache(maxsize=4)
def folding_key(rules_dir: str | None = None) -> str:
    """What the folding table of ``rules_dir`` is built from, as a key: normalize.yml, dialect.yml, the OpenCC
    version and the code (for the keys of values built with the fold)."""
    path = Path(rules_dir) if rules_dir else builtin_rules_dir()
    source = (path / "normalize.yml").read_bytes()
    dialect = (path / "dialect.yml").read_bytes() if (path / "dialect.yml").is_file() else b""
    return key_of([source, dialect, installed_version("opencc", "opencc"), code_fingerprint()])


def _build_folding(path: Path) -> Folding:
    data = read_yaml(path / "normalize.yml")
    particles = frozenset(str(p) for p in data.get("particles") or [])
    extra = {str(k): str(v) for k, v in (data.get("fold") or {}).items() if k != "__line__"}
    for key, value in extra.items():
        if len(key) != 1 or len(value) != 1:
            raise CatalogueError(
                f"fold '{key}: {value}' must map one character to one", str(path / "normalize.yml")
            )

    # Plain t2s is the reference. The Taiwan and Hong Kong tables add their variant characters, but only for
    # characters that are not simplified ones themselves (tw2s turns 么 into 幺).
    simplified = opencc_char_map("s2t")
    mapped: dict[str, str] = {}
    for config in ("hk2s", "tw2s"):
        mapped.update((c, t) for c, t in opencc_char_map(config).items() if c not in simplified)
    mapped.update(opencc_char_map("t2s"))
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        mapped[chr(code)] = chr(code - 0xFEE0).lower()
    mapped["\u3000"] = " "

    def final(ch: str) -> str | None:
        ch = mapped.get(ch, ch)
        ch = extra.get(ch, ch).lower()
        return None if ch in particles or _NOISE.match(ch) else ch

    # Most characters fold to themselves or are noise; only the mapped ones need the full rule.
    table: list[str | None] = [None if _NOISE.match(chr(c)) else chr(c) for c in range(0x10000)]
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for ch in {*mapped, *extra, *particles}:
        if len(ch) == 1 and ord(ch) < 0x10000:
            table[ord(ch)] = final(ch)
    # A character that folds onto a particle or a fold key must fold the same way as that key.
    for code, out in enumerate(table):
        if out is not None and out != chr(code) and (out in extra or out in particles):
            table[code] = final(out)
    a_not_a = frozenset(str(x) for x in data.get("a_not_a") or [])
    pairs, before_a_word = _dialect_pairs(path, mapped)
    return Folding(tuple(table), particles, a_not_a, pairs, before_a_word)


def _dialect_pairs(
    path: Path, to_simplified: dict[str, str]
) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """The lexical fold of rules/dialect.yml: each word as written (traditional, as Hong Kong and Taiwan
    write it) and in simplified characters, onto its Mandarin word; and the words of ``before_a_word`` in
    every form, folded only where a word follows them."""
    file = path / "dialect.yml"
    if not file.is_file():
        return (), frozenset()
    data = read_yaml(file)
    pairs: dict[str, str] = {}
    to_traditional: Mapping[str, str] | None = None
    before_a_word: set[str] = set()
    for section in ("cantonese", "before_a_word", "taiwan", "chat", "english", "as_written"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise CatalogueError(f"'{section}' must be a mapping of words to Mandarin words", str(file))
        for key, value in entries.items():
            if key == "__line__":
                continue
            source, target = str(key), str(value)
            if not source or not target:
                raise CatalogueError(f"empty word in '{source}: {target}'", str(file), key_line(entries, key))
            simplified = "".join(to_simplified.get(c, c) for c in source)
            forms = [source] if section == "as_written" else [source, simplified]
            if section == "english":  # written in lower case: as it may stand in a sentence too
                forms = [source, source.capitalize(), source.upper()]
            # chat words are written in simplified script: their traditional spelling is added too (親 as 亲); and
            # any word's simplified spelling put back into traditional script, as a converter writes it (試吓 is
            # 试吓 simplified, which s2t writes 試嚇)
            if section not in ("as_written", "english"):
                if to_traditional is None:
                    to_traditional = opencc_char_map("s2t")
                forms.append("".join(to_traditional.get(c, c) for c in simplified))
            for form in forms:
                if form not in pairs and section == "before_a_word":
                    before_a_word.add(form)
                pairs.setdefault(form, target)
    return tuple(sorted(pairs.items())), frozenset(before_a_word)


def _is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def fold(text: str) -> str:
    """The folded form of ``text``: what :func:`fold_with_map` gives, without the map."""
    if len(text) <= _REMEMBERED:
        return _fold_remembered(text)
    return folding().fold(text)


# The folds of short texts are remembered: a message's clauses and the catalogue's rewrites are folded again and
# again as rewrites are assembled and checked (a long line is not kept alive for it)
_REMEMBERED = 200


@functools.lru_cache(maxsize=8192)
def _fold_remembered(text: str) -> str:
    return folding().fold(text)


def prefold(text: str) -> str:
    """The fast path's fold: like :func:`fold` but with stutters kept (the finder knows stuttered keys)."""
    return folding().prefold(text)


def stutters(key: str) -> set[str]:
    """``key`` with one of its units of one or two characters said twice: what :func:`prefold` may show
    where :func:`fold` shows ``key`` (不不知道, 不知知道, 不知不知道)."""
    out = set()
    for size in (1, 2):
        for i in range(len(key) - size + 1):
            unit = key[i : i + size]
            out.add(key[: i + size] + unit + key[i + size :])
    out.discard(key)
    return out


@dataclass(frozen=True)
class Folded:
    """A folded text with its map back to the original.

    ``starts[i]``/``ends[i]`` give the original span of folded character ``i``; ``boundary[i]`` is True where
    a clause boundary stands before folded character ``i`` (``boundary`` has one more entry than the text:
    the start and the end of the text are boundaries).
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    boundary: tuple[bool, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded characters ``start``..``end`` (exclusive)."""
        return self.starts[start], self.ends[end - 1]

    def clause_start(self, i: int) -> int:
        """The start of the clause of folded position ``i`` (at most :data:`CLAUSE_REACH` back: a line with no
        punctuation is not one clause of a million characters)."""
        stop = max(0, i - CLAUSE_REACH)
        while i > stop and not self.boundary[i]:
            i -= 1
        return i

    def clause_end(self, i: int) -> int:
        n = min(len(self.text), i + CLAUSE_REACH)
        while i < n and not self.boundary[i]:
            i += 1
        return i

    @functools.cached_property
    def marked_text(self) -> tuple[str, tuple[int, ...]]:
        """:func:`marked` with the standard mark, worked out once per folded text."""
        return _marked(self, "\x1f")


def _clause_end(ch: str) -> bool:
    """Whether a dropped character ends a clause (after width folding: ，→ ,)."""
    if ch in _CLAUSE_END:
        return True
    code = ord(ch)
    return 0xFF01 <= code <= 0xFF5E and chr(code - 0xFEE0) in _CLAUSE_END


def _is_clause_space(text: str, i: int, j: int) -> bool:
    """Whether the white space ``text[i:j]`` separates clauses (ASR output without punctuation) rather than
    letters of one word spaced out (不 知 道): it does when a run of two or more characters stands on a side."""

    def run_length(k: int, step: int) -> int:
        n = 0
        while 0 <= k < len(text) and not text[k].isspace() and not _NOISE.match(text[k]):
            n += 1
            k += step
        return n

    return run_length(i - 1, -1) >= 2 or run_length(j, 1) >= 2


def fold_with_map(text: str) -> Folded:
    """Fold ``text`` keeping the original span of every folded character (slow path). A short text's is
    remembered, as its fold is (:func:`fold`): an utterance is folded with its map for its matches, then each
    of its sentences for the context of each (the whole utterance, most often), and again for the tone model;
    a Folded is immutable, and its marked text (worked out once) goes with it."""
    if len(text) <= _REMEMBERED:
        return _fold_with_map_remembered(text)
    return _fold_with_map_of(text)


@functools.lru_cache(maxsize=2048)
def _fold_with_map_remembered(text: str) -> Folded:
    return _fold_with_map_of(text)


def _fold_with_map_of(text: str) -> Folded:
    """:func:`fold_with_map`, worked out."""
    folding_ = folding()
    if not _ASTRAL.search(text) and folding_.drops_spaces and not folding_.dialect_spans(text):
        return _fold_plain_with_map(text, folding_.table)
    return _fold_with_map(text, folding_)


def _fold_plain_with_map(text: str, table: tuple[str | None, ...]) -> Folded:
    """:func:`_fold_with_map` of a text with no dialect word and no character beyond the Basic Multilingual
    Plane, where the fold drops every white space: the characters kept picked out at C speed, and only the
    gaps between them (the dropped characters: punctuation, spaces) walked in Python, as the slow path walks
    them, for the clause boundaries."""
    outs = [table[ord(ch)] for ch in text]
    n = len(text)
    starts = list(itertools.compress(range(n), outs))
    ends = [i + 1 for i in starts]
    boundary = [False] * (len(starts) + 1)
    boundary[0] = boundary[-1] = True
    if len(starts) < n:  # characters were dropped: each run of them before a kept character may end a clause
        dropped = [i for i, out in enumerate(outs) if not out]
        first = 0  # the run of dropped characters starting at dropped[first]
        while first < len(dropped):
            last = first
            while last + 1 < len(dropped) and dropped[last + 1] == dropped[last] + 1:
                last += 1
            a, b = dropped[first], dropped[last] + 1
            k = b - (last + 1)  # the kept character after the run: b less the characters dropped before it
            if 0 < k < len(starts):
                boundary[k] = _gap_ends_clause(text, a, b)
            first = last + 1
    return _collapse("".join(itertools.compress(outs, outs)), starts, ends, boundary)  # type: ignore[arg-type]


def _space_run(text: str, i: int) -> tuple[int, bool]:
    """The run of white space starting at ``text[i]``: where it ends, and whether it ends a clause (a line
    break in it, or a space that stands between clauses)."""
    j, ends = i, False
    while j < len(text) and text[j].isspace():
        ends = ends or text[j] in _CLAUSE_END
        j += 1
    return j, ends or _is_clause_space(text, i, j)


def _gap_ends_clause(text: str, i: int, stop: int) -> bool:
    """Whether the dropped characters ``text[i:stop]`` between two kept ones end a clause (as
    :func:`_fold_with_map` decides it for them, white space never kept)."""
    pending = False
    while i < stop:
        ch = text[i]
        if ch.isspace() and ch not in _CLAUSE_END:
            i, breaks = _space_run(text, i)
            pending = pending or breaks
        else:
            pending = pending or _clause_end(ch)
            i += 1
    return pending


def _fold_with_map(text: str, folding_: Folding) -> Folded:
    """:func:`fold_with_map`, character by character."""
    fold_char = folding_.fold_char
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    boundary: list[bool] = []
    pending = True  # the start of the text is a boundary
    spans = folding_.dialect_spans(text)
    next_span = 0
    i, n = 0, len(text)
    while i < n:
        if next_span < len(spans) and spans[next_span][0] == i:
            start, end, target = spans[next_span]
            next_span += 1
            for ch in target:  # every character of the Mandarin word stands for the whole dialect word
                out = fold_char(ch)
                if out:
                    boundary.append(pending)
                    chars.append(out)
                    starts.append(start)
                    ends.append(end)
                    pending = False
            i = end
            continue
        out = fold_char(text[i])
        if out:
            boundary.append(pending)
            chars.append(out)
            starts.append(i)
            ends.append(i + 1)
            pending = False
            i += 1
        elif text[i].isspace() and text[i] not in _CLAUSE_END:
            i, breaks = _space_run(text, i)
            pending = pending or breaks
        else:
            pending = pending or _clause_end(text[i])
            i += 1
    boundary.append(True)
    return _collapse("".join(chars), starts, ends, boundary)


CLAUSE_REACH = 200  # how far a clause is followed from a position, in folded characters


def marked(folded: Folded, boundary_mark: str = "\x1f") -> tuple[str, tuple[int, ...]]:
    """The folded text with ``boundary_mark`` at every inner clause boundary, and for every position of it
    the folded position it stands for (a mark stands for the character after it)."""
    if boundary_mark == "\x1f":
        return folded.marked_text
    return _marked(folded, boundary_mark)


def _marked(folded: Folded, boundary_mark: str) -> tuple[str, tuple[int, ...]]:
    """The folded text with ``boundary_mark`` at every inner clause boundary, and for every position of it
    the folded position it stands for (a mark stands for the character after it)."""
    text, boundary = folded.text, folded.boundary
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for i in itertools.compress(range(1, len(text)), boundary[1 : len(text)]):  # the inner boundaries
        out.append(text[pos:i])
        index.extend(range(pos, i))
        index.append(i)  # the mark stands for the character after it
        pos = i
    out.append(text[pos:])
    index.extend(range(pos, len(text) + 1))
    return boundary_mark.join(out), tuple(index)


def _collapse(folded: str, starts: list[int], ends: list[int], boundary: list[bool]) -> Folded:
    """Apply the stutter collapse of the fast path, keeping the map."""
    if not _STUTTER_ANY.search(folded):  # (the same test as _STUTTER's, and quicker)
        return Folded(folded, tuple(starts), tuple(ends), tuple(boundary))
    # what is kept, by slices: before each stutter, and its first unit (whose last character's span reaches to
    # the end of the stutter)
    keep_chars: list[str] = []
    k_starts: list[int] = []
    k_ends: list[int] = []
    k_boundary: list[bool] = []
    pos = 0
    for m in _STUTTER.finditer(folded):
        stop = m.start() + len(m.group(1))
        keep_chars.append(folded[pos:stop])
        k_starts.extend(starts[pos:stop])
        k_ends.extend(ends[pos:stop])
        k_boundary.extend(boundary[pos:stop])
        # the last unit kept reaches to the end of the stutter; where its last character is one of a word folded
        # onto several (乜麼: 什么 + 么), every character of that word does, as each maps onto the whole word
        word, end = (k_starts[-1], k_ends[-1]), ends[m.end() - 1]
        j = len(k_ends) - 1
        while j >= 0 and (k_starts[j], k_ends[j]) == word:
            k_ends[j] = end
            j -= 1
        pos = m.end()
    keep_chars.append(folded[pos:])
    k_starts.extend(starts[pos : len(folded)])
    k_ends.extend(ends[pos : len(folded)])
    k_boundary.extend(boundary[pos : len(folded)])
    k_boundary.append(True)
    return Folded("".join(keep_chars), tuple(k_starts), tuple(k_ends), tuple(k_boundary))
