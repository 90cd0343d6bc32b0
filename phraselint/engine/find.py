"""Finding candidates: one multi-pattern pass for the words every pattern must contain, then the patterns
those words point to, run as linear-time expressions over the folded (and, for long patterns, the sounded)
text of the utterance.

Every wording of the codes is a pattern of one literal token; ``patterns:`` of a rule add token sequences
over the shared lexicon (see :mod:`phraselint.pattern`).
"""

from __future__ import annotations

import array
import bisect
import collections
import dataclasses
import functools
import io
import itertools
import pickle
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import daachorse

from ..data.cache import cached, code_fingerprint, key_of
from ..errors import CatalogueError
from ..model import SLOT_RE, Rule, Source
from .normalize import Folded, fold, folding, marked, prefold, stutters
from .pattern import (
    BOUNDARY,
    PAIR_LIMIT,
    Compiled,
    Lexicon,
    Token,
    choose_anchors,
    compile_expression,
    compile_pattern,
    literal_pattern,
)
from .sound import Sounds

Run = Callable[[str], list[tuple[int, int]]]
# the patterns with an anchor in a fold, exactly and by sound, each with the spans of its anchors
Anchored = tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]
_NEWLINE = re.compile("\n")
WINDOW = 80  # how far (in folded characters) a pattern may reach from the word that anchors it
_LONG_TEXT = 4 * WINDOW
# a match by sound this short (in characters) must keep all but one of them as the pattern writes them
SHORT_BY_SOUND = 3
# …and a longer one (its gaps counted in its length) at least this many characters that are the pattern's own, as
# written: a match made of sounds alone is a coincidence of sounds (在退房时 heard as 再推…试试; 押金在退房后一小时 keeps
# one, 一, which the pattern has elsewhere), not a slip. (Requiring a word that anchors the pattern, as written, lost
# the slips of that word itself: 头诉 for 投诉, 班不了 for 办不了.) At 2, one rude text of the tuned sets is lost
_KEPT_BY_SOUND = 2


@dataclass(frozen=True)
class Pattern:
    """One pattern of a rule, compiled; ``wording`` is the code's wording or the pattern as written;
    ``slot`` names the trailing slot, if any; ``sound`` says whether it is also matched by sound."""

    rule: Rule
    wording: str
    compiled: Compiled
    sound_expression: str | None
    sources: tuple[Source, ...] = ()  # the sources of the wording itself, where a variant has its own
    literal: bool = True  # a wording of the codes (not a token pattern)
    order: int = 0  # its place in the catalogue: the last tie-break between overlapping findings

    @property
    def slot(self) -> str | None:
        return self.compiled.slot


@dataclass(frozen=True)
class Candidate:
    """A place in the folded text where a pattern matches: ``start``..``end`` (exclusive); ``by_sound`` when
    only the sound of the words matched (a homophone slip)."""

    pattern: Pattern
    start: int
    end: int
    by_sound: bool = False


def literal_and_slot(wording: str) -> tuple[str, str | None]:
    """Split a wording into the words to match and the name of its trailing slot."""
    m = SLOT_RE.search(wording)
    if not m:
        return wording, None
    return wording[: m.start()], m.group(1)


def _sources_of(rule: Rule, wording: str) -> tuple[Source, ...]:
    return tuple(s for v in rule.variants if v.text == wording for s in v.sources)


def compile_rule(rule: Rule, lexicon: Lexicon, sounds: Sounds) -> list[Pattern]:
    """Every pattern of ``rule``: its wordings, then its token patterns."""
    from .lexicon import pattern_fold

    def where(message: str) -> CatalogueError:
        return CatalogueError(f"rule '{rule.id}': {message}", rule.origin or None, rule.line or None)

    out: list[Pattern] = []
    seen: dict[str, int] = {}
    items = [(w, True) for w in rule.wordings] + [(p, False) for p in rule.patterns]
    for text, literal in items:
        source = literal_pattern(*literal_and_slot(text)) if literal else text
        compiled = compile_pattern(source, lexicon, pattern_fold, where, cost=word_cost)
        if compiled.max_length > WINDOW:
            raise where(f"pattern '{text}' can match more than {WINDOW} characters")
        sound = None
        if compiled.min_length >= sounds.min_length and min(len(a) for a in compiled.anchors) >= 2:
            sound = compiled.sound_expression(lexicon, sounds.of)
        pattern = Pattern(rule, text, compiled, sound, _sources_of(rule, text) if literal else (), literal)
        if compiled.expression in seen:  # wordings that differ only in punctuation or script
            k = seen[compiled.expression]
            old = out[k]
            out[k] = Pattern(
                rule, old.wording, old.compiled, old.sound_expression, old.sources + pattern.sources
            )
            continue
        seen[compiled.expression] = len(out)
        out.append(pattern)
    return out


class _WordCounts:
    """The words of jieba's dictionary with their counts: the words in a marisa trie, each count by the word's id
    in an array (some 6 MB, where a dict of the 349,000 words took 45 MB, alive through the making of the
    plan: issue 13, the first run's peak). A word's count is that of its last line. ``chars``: how often each
    character occurs inside any word, each line counted."""

    def __init__(self, path: Path) -> None:
        import marisa_trie

        self.chars: dict[str, int] = {}

        def words() -> Iterator[str]:
            chars = self.chars
            for word, n in _dictionary_lines(path):
                for ch in set(word):
                    chars[ch] = chars.get(ch, 0) + n
                yield word

        self._trie = marisa_trie.Trie(words())
        self._counts = array.array("q", bytes(8 * len(self._trie)))
        for word, n in _dictionary_lines(path):
            self._counts[self._trie.key_id(word)] = n

    def get(self, word: str) -> int | None:
        k = self._trie.get(word)
        return None if k is None else self._counts[k]

    def __iter__(self) -> Iterator[tuple[str, int]]:
        """Each word with its count (in the trie's order)."""
        counts = self._counts
        for word, k in self._trie.iteritems():
            yield word, counts[k]


def _dictionary_lines(path: Path) -> Iterator[tuple[str, int]]:
    """The words of jieba's dictionary file, each with its count, a line at a time."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ", 2)
            if len(parts) >= 2 and parts[1].isdigit():
                yield parts[0], int(parts[1])


@functools.lru_cache(maxsize=1)
def _frequencies() -> tuple[_WordCounts, dict[str, int]]:
    """How often each word occurs in Chinese text (jieba's dictionary: 349,000 words with their counts), and
    how often each character occurs inside any word: what an automaton over text meets. The dictionary is
    found without importing jieba (its import costs a tenth of a second and a few MB)."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise ImportError("No module named 'jieba'")
    words = _WordCounts(Path(spec.origin).parent / "dict.txt")
    return words, words.chars


def release_frequencies() -> None:
    """Forget the word counts and the dictionary text the costs of anchors are worked out from: built again (half
    a second) if another plan is made in this process."""
    _frequencies.cache_clear()
    _DICTIONARY.clear()


def word_cost(word: str) -> float:
    """How much candidate-pass work an anchor word costs: how often it occurs in text. A character counts
    every word it stands in; a word the dictionary lacks is taken as a hundredth as frequent as its rarest
    character."""
    words, chars = _frequencies()
    if len(word) == 1:
        return float(chars.get(word, 1))
    n = words.get(word)
    if n is not None:
        return float(n)
    return min(float(chars.get(c, 1)) for c in word) / 100


_DICTIONARY: dict[bytes, tuple[str, str, array.array[int], array.array[int], dict[str, int]]] = {}


def _dictionary(sounds: Sounds) -> tuple[str, str, array.array[int], array.array[int], dict[str, int]]:
    """jieba's dictionary as one text of its words, a line each, and its sound; the word each character
    belongs to; each word's count; and how often each sound occurs in any word (kept for the next plan).
    (Written word by word: no list of the 349,000 words is made.)"""
    key = sounds.fingerprint()
    if key not in _DICTIONARY:
        words, chars = _frequencies()
        heard_chars: dict[str, int] = {}
        for ch, n in chars.items():
            s = sounds.of(ch)
            heard_chars[s] = heard_chars.get(s, 0) + n
        out = io.StringIO()
        owner = array.array("i")
        counts = array.array("q")
        for k, (word, n) in enumerate(words):
            if k:
                out.write("\n")
            out.write(word)
            owner.extend(itertools.repeat(k, len(word) + 1))
            counts.append(n)
        text = out.getvalue()
        del out
        _DICTIONARY.clear()
        _DICTIONARY[key] = (text, sounds.of(text), owner, counts, heard_chars)
    return _DICTIONARY[key]


class _Costs:
    """What an anchor costs the fast test, which finds a word in text and, for a pattern also matched by
    sound, every word that sounds the same (是在 for 试再): how often it occurs in Chinese text as part of
    any word (作人 in 工作人员), by jieba's dictionary — and, heard, summed over every word said alike.
    Worked out for many words at once: one automaton pass over the whole dictionary, and its sound.
    ``speakers``: the names that label every line of a transcript (工作人员:): a word met in one, or running
    from its end into the words (员我 of 工作人员:我), costs more than any word of the dictionary."""

    def __init__(self, sounds: Sounds, wanted: set[str], speakers: Sequence[str] = ()) -> None:
        self._speakers = tuple(p for p in map(prefold, speakers) if p)
        self._heard_speakers = tuple(sounds.of(s) for s in self._speakers)
        _words, chars = _frequencies()
        self._chars = chars
        self._sound = sounds.of
        text, heard_text, owner, counts, self._heard_chars = _dictionary(sounds)
        long = sorted(w for w in wanted if len(w) >= 2)
        heard = sorted({sounds.of(w) for w in long})
        self._seen = dict(zip(long, self._inside(long, text, owner, counts)))
        self._heard = dict(zip(heard, self._inside(heard, heard_text, owner, counts)))

    @staticmethod
    def _inside(keys: list[str], text: str, owner: array.array[int], counts: array.array[int]) -> list[int]:
        """For each key, the summed count of the dictionary words it stands in (once per occurrence). The text
        is searched a piece at a time, each cut at a line break, which no key holds (where one does, all at
        once): the occurrences in the whole of it (114,000 for the catalogue's keys) were a list of tuples of
        some 20 MB."""
        out = [0] * len(keys)
        if keys:
            automaton = daachorse.CharwiseDoubleArrayAhoCorasick(keys)
            step = len(text) if any("\n" in key for key in keys) else _PIECE
            start = 0
            while start < len(text):
                end = text.find("\n", start + step)
                end = len(text) if end < 0 else end
                for s, _e, k in automaton.find_overlapping(text[start:end]):
                    out[k] += counts[owner[start + s]]
                start = end
        return out

    def seen(self, word: str) -> float:
        """How often ``word`` occurs (the guess of :func:`word_cost` where the dictionary has it in no word)."""
        if len(word) == 1:
            return float(self._chars.get(word, 1))
        found = self._seen.get(word)
        if found is None:
            return word_cost(word) + self._in_label(word, word, self._speakers, self.seen)
        guess = min(float(self._chars.get(c, 1)) for c in word) / 100
        return max(float(found), guess) + self._in_label(word, word, self._speakers, self.seen)

    def heard(self, word: str) -> float:
        """How often ``word`` or a word said alike occurs."""
        sound = self._sound(word)
        if len(word) == 1:
            return float(self._heard_chars.get(sound, 1))
        found = self._heard.get(sound)
        guess = min(float(self._heard_chars.get(c, 1)) for c in sound) / 100
        found_or_guess = max(float(found or 0), guess, self.seen(word))
        return found_or_guess + self._in_label(sound, word, self._heard_speakers, self.heard)

    @staticmethod
    def _in_label(key: str, word: str, names: Sequence[str], cost: Callable[[str], float]) -> float:
        """What ``key`` (``word`` or its sound) costs more for the speakers' ``names``: more than any word
        where it stands in a name (it is met on every line); where it runs from a name's end into the words,
        as often as the rest of ``word`` begins them (员我: 我)."""
        for name in names:
            if key in name:
                return _LABEL_COST
        for k in range(len(key) - 1, 0, -1):
            if any(name.endswith(key[:k]) for name in names):
                return cost(word[k:])
        return 0.0


_LABEL_COST = 1e9  # more than any word of the dictionary
_PIECE = 1 << 16  # characters of the dictionary's text searched at once (_Costs._inside)


def _pieces(tokens: Sequence[Token]) -> set[str]:
    """Every word :func:`~phraselint.engine.pattern.choose_anchors` may price for ``tokens``: the words of each
    token, and of two tokens side by side."""
    out = {p for t in tokens for w in t.words for p in [max(w.split(BOUNDARY), key=len)]}
    for a, b in zip(tokens, tokens[1:]):
        if a.words and b.words and len(a.words) * len(b.words) <= PAIR_LIMIT:
            out.update(x + y for x in a.words for y in b.words)
    return out


def _reanchored(
    patterns: list[Pattern], lexicon: Lexicon, sounds: Sounds, speakers: Sequence[str] = ()
) -> list[Pattern]:
    """``patterns`` with anchors chosen by what the fast test meets (:class:`_Costs`): a pattern matched by
    sound too is priced by the words said alike. Whether a pattern is matched by sound stays decided by the
    anchors :func:`compile_rule` chose."""
    wanted: set[str] = set()
    for p in patterns:
        wanted |= _pieces(p.compiled.tokens)
    costs = _Costs(sounds, wanted, speakers)
    out = []
    for p in patterns:
        cost = costs.heard if p.sound_expression is not None else costs.seen
        anchors, filler_anchors = choose_anchors(p.compiled.tokens, cost, lexicon.fillers)
        if p.sound_expression is not None and min(len(a) for a in anchors) < 2:
            anchors, filler_anchors = p.compiled.anchors, p.compiled.filler_anchors
        compiled = dataclasses.replace(p.compiled, anchors=anchors, filler_anchors=filler_anchors)
        out.append(dataclasses.replace(p, compiled=compiled))
    return out


@dataclass(frozen=True)
class _Plan:
    """Everything the candidate pass is built from, worked out once per catalogue and kept on disk (compiling
    every pattern and choosing its anchor by word frequency takes most of a second): the patterns, the
    anchors, the keys of the fast test, and each pattern's required tokens."""

    patterns: Sequence[Pattern]
    exact: dict[str, tuple[int, ...]]
    sound: dict[str, tuple[int, ...]]
    fast: tuple[str, ...]
    needs: tuple[frozenset[int], ...]
    words: dict[str, tuple[int, ...]]
    sound_words: dict[str, tuple[int, ...]]
    by_token: dict[int, tuple[int, ...]]
    alone: tuple[int, ...]  # the patterns of a rule of scope alone
    slotted: tuple[int, ...]  # the patterns with a trailing slot
    heard: frozenset[int]  # the patterns also matched by sound


def _plan(rules: Sequence[Rule], lexicon: Lexicon, sounds: Sounds, speakers: Sequence[str] = ()) -> _Plan:
    compiled = [p for rule in rules for p in compile_rule(rule, lexicon, sounds)]
    patterns = _reanchored(compiled, lexicon, sounds, speakers)
    exact: dict[str, set[int]] = {}
    sound: dict[str, set[int]] = {}
    patterns = [dataclasses.replace(p, order=k) for k, p in enumerate(patterns)]
    with_fillers: set[str] = set()
    for k, p in enumerate(patterns):
        for anchor in (*p.compiled.anchors, *p.compiled.filler_anchors):
            exact.setdefault(anchor, set()).add(k)
            if p.sound_expression is not None:
                sound.setdefault(sounds.of(anchor), set()).add(k)
        with_fillers.update(p.compiled.filler_anchors)
    # The fast test runs on the prefolded text (stutters kept, no lexical fold) followed by its sound:
    # it knows every anchor, each said with one stutter, the sound of every long anchor, and the
    # dialect words whose Mandarin word holds an anchor (唔知 for 不知道).
    # (only the keys that hold no other are kept: see _ShortestKeys; the anchors first, the shortest keys)
    keys = _ShortestKeys()
    keys.update(exact)
    keys.update(sound)
    for anchor in (*exact, *sound):
        if anchor not in with_fillers:  # a filler and a stutter at once are not looked for
            keys.update(stutters(anchor))
    # An anchor said in dialect: every dialect word whose Mandarin word stands in the anchor, put in its
    # place (有完冇完 for 有完没完), so that the fast test, which runs before the lexical fold, sees it.
    prefold = folding().prefold
    sources: dict[str, list[str]] = {}
    for source, target in folding().dialect:
        key, folded_target = prefold(source), prefold(target)
        if key and folded_target and key != folded_target:
            sources.setdefault(folded_target, []).append(key)
    said: set[str] = set()
    dialect = _DialectWords(sources)
    for anchor in exact:
        if anchor not in with_fillers:
            dialect.said(anchor, said)
    plain = set(said)
    for key in list(plain):  # two dialect words in one anchor (佢唔): put in one after the other
        dialect.said(key, said)
    keys.update(said)
    del said
    for key in plain:  # …and said with a stutter too (大概概係啩)
        keys.update(stutters(key))
    # The bag test: a pattern can match only where every one of its required tokens has a word in the
    # folded text (in any order). One more automaton pass, over the words of all required tokens.
    needs: list[frozenset[int]] = []
    token_ids: dict[tuple[str, ...], int] = {}
    words: dict[str, set[int]] = {}
    sound_words: dict[str, set[int]] = {}
    for p in patterns:
        required = set()
        for token in p.compiled.tokens:
            if token.optional or not token.words:
                continue
            tid = token_ids.setdefault(token.words, len(token_ids))
            required.add(tid)
            for word in token.words:
                piece = max(word.split(BOUNDARY), key=len)
                words.setdefault(piece, set()).add(tid)
                if p.sound_expression is not None:
                    sound_words.setdefault(sounds.of(piece), set()).add(tid)
        needs.append(frozenset(required))
    # Each pattern is listed under its rarest token only: it is looked at only when that token occurs.
    cost = {tid: sum(word_cost(max(w.split(BOUNDARY), key=len)) for w in ws) for ws, tid in token_ids.items()}
    by_token: dict[int, list[int]] = {}
    for k, req in enumerate(needs):
        if req:
            by_token.setdefault(min(req, key=lambda t: cost[t]), []).append(k)
    return _Plan(
        tuple(patterns),
        {a: tuple(sorted(ids)) for a, ids in exact.items()},
        {a: tuple(sorted(ids)) for a, ids in sound.items()},
        keys.shortest(),
        tuple(needs),
        {w: tuple(sorted(ids)) for w, ids in words.items()},
        {w: tuple(sorted(ids)) for w, ids in sound_words.items()},
        {t: tuple(ks) for t, ks in by_token.items()},
        tuple(k for k, p in enumerate(patterns) if p.rule.scope == "alone"),
        tuple(k for k, p in enumerate(patterns) if p.slot),
        frozenset(k for k, p in enumerate(patterns) if p.sound_expression is not None),
    )


class _ShortestKeys:
    """The keys of the fast test, which asks only whether any key occurs in a text (:meth:`Finder.has_candidate`)
    and on which lines one does (:meth:`Finder.lines_with_anchor`), without the keys that hold another: wherever
    such a key occurs, the key it holds occurs too, on the same line (no key holds a line break), so the answers
    are the same. Of the fast test's 460,000 keys (its anchors, each with a stutter and said in dialect) some
    40,000 hold no other: its automaton, built from all of them, took 110 MB more for a moment on the first run
    (its peak) and 19 MB on disk, loaded at every start (issue 13). A key is kept as it is added only where it
    holds none of those kept so far (the anchors, added first, leave out most of the rest), and those that hold a
    key kept after them are left out at the end."""

    def __init__(self) -> None:
        self._kept: set[str] = set()
        self._sizes: list[int] = []  # the lengths of the keys kept, in order

    def update(self, keys: Iterable[str]) -> None:
        kept, sizes = self._kept, self._sizes
        for key in keys:
            if key and not _holds(key, kept, sizes, len(key)):
                kept.add(key)
                if len(key) not in sizes:
                    bisect.insort(sizes, len(key))

    def shortest(self) -> tuple[str, ...]:
        """The keys added that hold no other, sorted."""
        out: set[str] = set()
        sizes: list[int] = []
        for key in sorted(self._kept, key=len):
            if not _holds(key, out, sizes, len(key) - 1):  # (a key of the same length is another key)
                out.add(key)
                if len(key) not in sizes:
                    sizes.append(len(key))
        return tuple(sorted(out))


def _holds(key: str, keys: set[str], sizes: list[int], longest: int) -> bool:
    """Whether ``key`` holds one of ``keys`` (whose lengths are ``sizes``, in order) at most ``longest`` long."""
    n = len(key)
    for size in sizes:
        if size > longest:
            break
        for i in range(n - size + 1):
            if key[i : i + size] in keys:
                return True
    return False


# the longest fold an utterance may have and still be a rule's words alone (scope alone): a reply, not a speech
ALONE_LONGEST = 24
_FILLER_ROOM = 4  # 等那个着: an ASR filler may stand between a wording's words


class Finder:
    """The candidate pass and the patterns it leads to. Read-only once built: safe to share across threads."""

    def __init__(
        self, rules: Sequence[Rule], lexicon: Lexicon, sounds: Sounds, speakers: Sequence[str] = ()
    ) -> None:
        """``speakers``: the names that may label a transcript's lines (anchors are chosen not to meet
        them)."""
        self._sounds = sounds
        key = key_of(
            [
                repr(tuple(rules)),
                repr(sorted(lexicon.classes.items())),
                repr(lexicon.fillers),
                repr(folding().dialect),
                repr(tuple(speakers)),
                sounds.fingerprint(),
                str(sounds.min_length),
                code_fingerprint(),
            ]
        )
        built: list[_Plan] = []

        def build() -> _Plan:
            built.append(_plan(rules, lexicon, sounds, speakers))
            # the word counts the anchors were costed by (jieba's 349,000 words, and the dictionary as one text
            # and its sound): some 50 MB no check needs, held for good by their caches, and alive while the
            # automata are built and stored (the first run's peak: 417 MB with them)
            release_frequencies()
            # what only the automata are built from is not kept with the plan: the fast test's 232,000 keys
            # made unpickling it take ten times as long, at every start; the patterns are kept in chunks
            # unpickled when first asked for
            return dataclasses.replace(
                built[0],
                patterns=_Patterns(built[0].patterns),
                exact={},
                sound={},
                fast=(),
                words={},
                sound_words={},
            )

        plan = cached("finder", key, build)
        self.patterns: Sequence[Pattern] = plan.patterns
        self._sound_runs: dict[int, Run] = {}  # compiled on first use, like each pattern's own run
        self._fillers = lexicon.fillers
        self._said: dict[int, tuple[str, str, str]] = {}  # see _heard_as_said, built on first use
        self._word_chars: dict[int, str] = {}  # see _said_enough, built on first use
        self._long_words: dict[int, tuple[str, ...]] = {}  # see _slip_in_word, built on first use

        def automata() -> tuple[_Automaton, ...]:
            full = built[0] if built else _plan(rules, lexicon, sounds, speakers)
            return (
                _Automaton(full.exact),
                _Automaton(full.sound),
                _Automaton(full.fast),
                _Automaton(full.words),
                _Automaton(full.sound_words),
            )

        # The automata are kept on disk too: loading them is far faster than building them.
        self._exact, self._sound, self._fast, self._words, self._sound_words = cached(
            "automata", key, automata
        )
        self.empty = not self.patterns
        # the patterns of a rule whose words must be the whole utterance (scope alone): never viable in a longer
        # one (等着 of 等着吧 stands in many a line of a file)
        # (a wording of the codes is its own length and a filler or two; a token pattern, at most ALONE_LONGEST)
        self._alone = {
            k: (len(fold(p.wording)) + _FILLER_ROOM if p.literal and not p.slot else ALONE_LONGEST)
            for k in plan.alone
            for p in [self.patterns[k]]
        }
        self._slotted = plan.slotted
        self._needs = plan.needs
        self._by_token = plan.by_token
        # The bag test over bit sets: for each key of the words automata, its tokens as the bits of one int,
        # and the patterns it may make viable (those indexed by one of its tokens) with what each needs.
        need_bits = [_bits(need) for need in self._needs]
        self._exact_bag = _Bag(self._words, self._by_token, need_bits, lambda k: True)
        self._heard_bag = _Bag(
            self._sound_words,
            self._by_token,
            need_bits,
            plan.heard.__contains__,
        )

    @property
    def slotted(self) -> list[Pattern]:
        """The patterns with a trailing slot (a few: the others need not be unpickled to find them)."""
        return [self.patterns[k] for k in self._slotted]

    @property
    def has_alone(self) -> bool:
        """Whether a pattern is of scope alone (:meth:`viable` then wants the utterance's own length)."""
        return bool(self._alone)

    def viable(self, folded_text: str, length: int | None = None) -> tuple[frozenset[int], frozenset[int]]:
        """The patterns whose required tokens all have a word in ``folded_text`` (the complete fold, as
        :func:`~phraselint.normalize.fold` gives it), exactly and by sound. ``length``: the fold's length
        without what cannot be the utterance (a line's speaker and time), for patterns of scope alone; at most
        ``len(folded_text)``, which it is by default."""
        size = len(folded_text) if length is None else length
        exact = self._exact_bag.viable(folded_text)
        if self._alone:
            exact = self._not_alone(exact, size)
        if not len(self._sound_words):
            return exact, frozenset()
        heard = self._heard_bag.viable(self._sounds.of(folded_text))
        return exact, self._not_alone(heard, size) if self._alone else heard

    def _not_alone(self, viable: frozenset[int], length: int) -> frozenset[int]:
        """``viable`` without the patterns of scope alone that a fold of ``length`` is too long for."""
        alone = self._alone
        too_short = [k for k in viable if k in alone and alone[k] < length]
        return viable.difference(too_short) if too_short else viable

    def could_match(self, marked_text: str, viable: tuple[frozenset[int], frozenset[int]]) -> bool:
        """Whether a viable pattern matches the cheap marked fold (:meth:`Folding.marked_fold`): where none
        does, no pattern can match the real one, and the mapped fold need not be built."""
        for k in viable[0]:
            if self.patterns[k].compiled.loose_run(marked_text):
                return True
        if viable[1]:
            sounded = self._sounds.of(marked_text)
            for k in viable[1]:
                if self.patterns[k].compiled.has_edge or self._sound_run(k)(sounded):
                    return True
        return False

    def prepare(self) -> None:
        """Build now what is built on each pattern's first use: its expression and its sound expression
        compiled, and what :meth:`_heard_as_said` knows of its characters (for a service, whose every request
        should be as fast as the next: a few hundredths of a second and a few megabytes for the catalogue)."""
        for k, pattern in enumerate(self.patterns):
            pattern.compiled.run("")  # (compiled as it is first asked for)
            if pattern.sound_expression is not None:
                self._sound_run(k)
                self._heard_as_said(k, set())

    def _sound_run(self, k: int) -> Run:
        """The sound expression of pattern ``k``, compiled on first use."""
        run = self._sound_runs.get(k)
        if run is None:
            expr = self.patterns[k].sound_expression
            assert expr is not None
            run = self._sound_runs[k] = compile_expression(expr)
        return run

    def _heard_as_said(self, k: int, heard: set[tuple[str, str]]) -> bool:
        """Whether pattern ``k``'s sound expression can match the sound of a text (``heard``: its characters,
        each with its sound) only where the pattern itself matches the text: when every character of the
        text that sounds like a character of the pattern's words, fillers or clause mark is that character,
        and no other of them sounds like it. The sound expression is the pattern's expression with each
        word put in its sound (pattern.expression), so the text's sound then tells apart what the text
        does: both accept the same parts of it, and so give the same leftmost-longest matches, and its
        anchors by sound are the pattern's anchors, at the same places (the same windows in a long text).
        A few string look-ups, where running the sound expression compiles its RE2 program (and keeps it
        among the programs in use)."""
        said = self._said.get(k)
        if said is None:
            said = self._said[k] = self._characters_said(k)
        chars, sounds, alike = said
        return all(s not in sounds or (c in chars and s not in alike) for c, s in heard)

    def _characters_said(self, k: int) -> tuple[str, str, str]:
        """The characters of pattern ``k``'s words, fillers and clause mark; their sounds; and the sounds
        two of them share."""
        chars = self._filler_characters.union(self._word_character_set(k))
        sounds: dict[str, int]
        if self._one_sound_each:  # (as ever: the sound table gives each character one of its own)
            # the sounds of all of them in one translate, counted in C: the fillers' characters, the same for
            # every pattern, were put in their sound one at a time for each (2 MB of dense text: 0.14 s)
            sounds = collections.Counter(self._sounds.of("".join(chars)))
        else:  # pragma: no cover - a sound table with a longer sound for a character
            sounds = {}
            for c in chars:
                sound = self._sounds.of(c)
                sounds[sound] = sounds.get(sound, 0) + 1
        alike = "".join(s for s, n in sounds.items() if n > 1)
        return "".join(sorted(chars)), "".join(sorted(sounds)), alike

    @functools.cached_property
    def _filler_characters(self) -> frozenset[str]:
        """The clause mark and the characters of the fillers (:meth:`_characters_said`)."""
        return frozenset({BOUNDARY, *(c for f in self._fillers for c in f)})

    @functools.cached_property
    def _one_sound_each(self) -> bool:
        """Whether the sound of every character is one character: then the sound of a string is, character
        by character, the sounds of its characters."""
        return all(isinstance(v, int) or (v is not None and len(v) == 1) for v in self._sounds.table.values())

    def has_candidate(self, prefolded: str) -> bool:
        """The fast test run on every utterance, on its :func:`~phraselint.engine.normalize.prefold`."""
        if self.empty or not prefolded:
            return False
        return self._fast.occurs_in(prefolded) or self._fast.occurs_in(self._sounds.of(prefolded))

    def lines_with_anchor(self, block: str) -> set[int]:
        """The lines of a prefolded block (:meth:`Folding.prefold_block`) on which the fast test passes."""
        if self.empty or not block:
            return set()
        newlines = [m.start() for m in _NEWLINE.finditer(block)]
        lines = {bisect.bisect_left(newlines, start) for start in self._fast.starts_in(block)}
        # then the sound of the lines that have none (one character for each: positions stay in place)
        rest = [k for k in range(len(newlines) + 1) if k not in lines]
        if rest:
            bounds = [-1, *newlines, len(block)]
            sounded = self._sounds.of("\n".join([block[bounds[k] + 1 : bounds[k + 1]] for k in rest]))
            inner = [m.start() for m in _NEWLINE.finditer(sounded)]
            lines.update(rest[bisect.bisect_left(inner, start)] for start in self._fast.starts_in(sounded))
        return lines

    def anchored(
        self, text: str, viable: tuple[frozenset[int], frozenset[int]] | None = None
    ) -> Anchored | None:
        """The patterns with an anchor in ``text`` (a complete fold: :func:`~phraselint.normalize.fold`, which is
        the text of :func:`~phraselint.normalize.fold_with_map`), exactly and by sound, among ``viable`` where
        given, each with the spans of its anchors; None where there is none: then no candidate can be found,
        and the mapped fold need not be built (a rewrite checked clean often has none)."""
        if self.empty or not text:
            return None
        exact = _anchored(self._exact, text)
        by_sound = _anchored(self._sound, self._sounds.of(text))
        if viable is not None:
            exact = {k: v for k, v in exact.items() if k in viable[0]}
            by_sound = {k: v for k, v in by_sound.items() if k in viable[1]}
        if not exact and not by_sound:
            return None
        return exact, by_sound

    def candidates(
        self,
        folded: Folded,
        viable: tuple[frozenset[int], frozenset[int]] | None = None,
        anchored: Anchored | None = None,
    ) -> Iterator[Candidate]:
        """The candidates in ``folded``, among ``viable`` where given; ``anchored``: :meth:`anchored` of its
        text, where already found (with the same ``viable``)."""
        if anchored is None:
            anchored = self.anchored(folded.text, viable)
            if anchored is None:
                return
        exact, by_sound = anchored[0], dict(anchored[1])  # (by_sound's entries are taken as they are met)
        mtext, index = marked(folded, BOUNDARY)
        msound = self._sounds.of(mtext)
        long = len(mtext) > _LONG_TEXT
        position = _positions(index) if long else None
        heard: set[tuple[str, str]] | None = None  # each character of the text with its sound
        for k, anchors in exact.items():
            spans = set(_run(self.patterns[k].compiled.run, mtext, anchors, position))
            for s, e in spans:
                yield Candidate(self.patterns[k], index[s], index[e])
            if k in by_sound:
                sound_anchors = by_sound.pop(k)
                if heard is None:
                    heard = set(zip(mtext, msound))
                if self._heard_as_said(k, heard):
                    continue  # the sound expression would find what the pattern found, and nothing else
                run = self._sound_run(k)
                for s, e in set(_run(run, msound, sound_anchors, position)) - spans:
                    if self._said_enough(k, mtext, s, e):
                        yield Candidate(self.patterns[k], index[s], index[e], by_sound=True)
        for k, anchors in by_sound.items():
            run = self._sound_run(k)
            for s, e in set(_run(run, msound, anchors, position)):
                if self._said_enough(k, mtext, s, e):
                    yield Candidate(self.patterns[k], index[s], index[e], by_sound=True)

    def _said_enough(self, k: int, mtext: str, start: int, end: int) -> bool:
        """Whether a match by sound of pattern ``k`` at ``mtext[start:end]`` keeps enough of the pattern's own
        characters to be a slip of its words: a short one (:data:`SHORT_BY_SOUND` characters or fewer) all but
        one of them (不只道, 神精病 for 不知道, 神经病; not 超时了 for 吵死了, 预计一 for 鱼记忆, 在超市 for 再吵…); a longer
        one, :data:`_KEPT_BY_SOUND` of them."""
        chars = self._word_characters(k)
        said = mtext[start:end]
        if end - start > SHORT_BY_SOUND:
            return sum(c in chars for c in said) >= _KEPT_BY_SOUND
        if sum(c in chars for c in said) < end - start - 1:
            return False
        return all(self._slip_in_word(k, said, i) for i, c in enumerate(said) if c not in chars)

    def _slip_in_word(self, k: int, said: str, i: int) -> bool:
        """Whether the slipped character ``said[i]`` (a short match by sound of pattern ``k``) stands in one of
        the pattern's words whose other characters are all said as written, one of them at least a word's own
        and not a grammatical one (rules/normalize.yml's ``grammar``, a particle): a slip is known by the rest of its word. Not 您下了 for
        你瞎了 (下了班: only 了 is kept of 瞎了), but 不只道 for 不知道 and 知到 for 知道."""
        of = self._sounds.of
        heard = of(said[i])
        function = folding().particles | self._sounds.grammar
        for word in self._words_of(k):
            for j, c in enumerate(word):
                s = i - j
                if of(c) != heard or s < 0 or s + len(word) > len(said):
                    continue
                others = [(word[m], said[s + m]) for m in range(len(word)) if m != j]
                if all(a == b for a, b in others) and any(a not in function for a, _ in others):
                    return True
        return False

    def _words_of(self, k: int) -> tuple[str, ...]:
        """Pattern ``k``'s words of two characters or more (every word of every token)."""
        words = self._long_words.get(k)
        if words is None:
            tokens = self.patterns[k].compiled.tokens
            words = self._long_words[k] = tuple(
                {word for token in tokens for word in token.words if len(word) >= 2}
            )
        return words

    def _word_characters(self, k: int) -> str:
        """The characters of pattern ``k``'s words (every word of every token), each once, built on first use:
        kept as one string, not as a set (a set of a class's hundreds of characters holds each as a string of
        its own: 4 MB for the 2,018 patterns of dense text), and only for a match by sound (_said_enough)."""
        chars = self._word_chars.get(k)
        if chars is None:
            chars = self._word_chars[k] = "".join(sorted(self._word_character_set(k)))
        return chars

    def _word_character_set(self, k: int) -> set[str]:
        """The characters of pattern ``k``'s words, as a set (not kept)."""
        tokens = self.patterns[k].compiled.tokens
        # (the words joined, their characters taken in C: a class of the lexicon has hundreds of words)
        return set("".join(["".join(token.words) for token in tokens]))


_CHUNK = 32  # patterns pickled together (_Patterns)


def _index(k: int, size: int) -> int:
    """Index ``k`` of a sequence of ``size`` items as a list takes it (from the end where negative), or IndexError."""
    if k < 0:
        k += size
    if not 0 <= k < size:
        raise IndexError(k)
    return k


class _Patterns(Sequence[Pattern]):
    """The patterns of a plan kept on disk in chunks of :data:`_CHUNK`, each unpickled the first time one of
    its patterns is asked for: a check meets a few of the catalogue's 1,180 patterns, and unpickling them all
    (their tokens, expressions and anchors) took 11 ms of every start. The rules are kept once, beside the
    chunks, as before: the patterns of a rule share it. So are the tokens that more than one pattern has (a
    class of the lexicon, a filler, a gap: 27,000 words in the tokens of the 2,179 patterns, 5,000 of them
    distinct), kept apart and unpickled with the first chunk: each chunk held its own copy of them (6 MB of
    tokens, their words and alternatives in dense text, where every chunk is unpickled; issue 13, peak memory).
    A chunk is unpickled once, under a lock, so that a pattern is always the same object, whichever thread
    asks first."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self._size = len(patterns)
        self._chunks: list[tuple[Pattern, ...] | None] = [
            tuple(patterns[k : k + _CHUNK]) for k in range(0, len(patterns), _CHUNK)
        ]
        self._packed: list[bytes] = []
        self._rules: tuple[Rule, ...] = ()
        self._shared: bytes = b""  # the tokens the chunks share, pickled
        self._tokens: tuple[Token, ...] | None = None  # …and unpickled, with the first chunk
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, k: int) -> Pattern: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[Pattern]: ...

    def __getitem__(self, k: int | slice) -> Pattern | Sequence[Pattern]:
        if type(k) is int and 0 <= k < self._size:  # (the common case, asked for every viable pattern)
            chunk = self._chunks[k // _CHUNK]
            if chunk is None:
                chunk = self._unpickled(k // _CHUNK)
            return chunk[k % _CHUNK]
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = _index(k, len(self))
        chunk = self._chunks[k // _CHUNK]
        if chunk is None:
            chunk = self._unpickled(k // _CHUNK)
        return chunk[k % _CHUNK]

    def _unpickled(self, n: int) -> tuple[Pattern, ...]:
        with self._lock:
            chunk = self._chunks[n]
            if chunk is None:
                if self._tokens is None:
                    self._tokens = pickle.loads(self._shared) if self._shared else ()
                rules, tokens = self._rules, self._tokens

                def shared(pid: int | tuple[str, int]) -> Rule | Token:
                    return tokens[pid[1]] if isinstance(pid, tuple) else rules[pid]

                loader = pickle.Unpickler(io.BytesIO(self._packed[n]))
                loader.persistent_load = shared  # type: ignore[method-assign]
                chunk = self._chunks[n] = loader.load()
            return chunk

    def __getstate__(self) -> dict[str, object]:
        chunks = [self._chunks[n] or self._unpickled(n) for n in range(len(self._chunks))]
        rules: dict[int, int] = {}  # id of a rule -> its place in ``ordered``
        ordered: list[Rule] = []
        # the tokens more than one pattern has (equal, if not the same object), by their place in ``tokens``
        counts = collections.Counter(t for chunk in chunks for p in chunk for t in p.compiled.tokens)
        tokens = [t for t, n in counts.items() if n > 1]
        token_index = {t: k for k, t in enumerate(tokens)}

        def rule_index(obj: object) -> int | tuple[str, int] | None:
            if type(obj) is Token:
                k = token_index.get(obj)
                return None if k is None else ("token", k)
            if not isinstance(obj, Rule):
                return None
            if id(obj) not in rules:
                rules[id(obj)] = len(ordered)
                ordered.append(obj)
            return rules[id(obj)]

        packed = []
        for chunk in chunks:
            out = io.BytesIO()
            dumper = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            dumper.persistent_id = rule_index  # type: ignore[method-assign]
            dumper.dump(chunk)
            packed.append(out.getvalue())
        shared = pickle.dumps(tuple(tokens), protocol=pickle.HIGHEST_PROTOCOL)
        return {"size": self._size, "rules": tuple(ordered), "packed": packed, "tokens": shared}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._size = state["size"]
        self._rules = state["rules"]
        self._packed = state["packed"]
        self._shared = state["tokens"]
        self._tokens = None
        self._chunks = [None] * len(self._packed)
        self._lock = threading.Lock()


class _DialectWords:
    """The dialect words of the fold (``sources``: the Mandarin word each says → the dialect words), indexed
    by the pieces of the Mandarin words, so that an anchor meets only the words that concern it (looking at
    every word for each of the 12,000 anchors was four fifths of building the finder)."""

    def __init__(self, sources: dict[str, list[str]]) -> None:
        self._sources = sources
        self._containing: dict[str, set[str]] = {}  # every piece of a Mandarin word → the words it is in
        self._ending: dict[str, list[str]] = {}  # each end of a word, shorter than the word → the words
        self._starting: dict[str, list[str]] = {}  # each start of a word, shorter than the word → the words
        for target in sources:
            n = len(target)
            for i in range(n):
                for j in range(i + 1, n + 1):
                    self._containing.setdefault(target[i:j], set()).add(target)
            for k in range(1, n):
                self._ending.setdefault(target[-k:], []).append(target)
                self._starting.setdefault(target[:k], []).append(target)

    def said(self, anchor: str, said: set[str]) -> None:
        """Adds to ``said`` ``anchor`` with one dialect word put in the place of the Mandarin it says."""
        sources = self._sources
        if not anchor:  # in every word: each dialect word alone says it
            for keys_ in sources.values():
                said.update(keys_)
            return
        n = len(anchor)
        inside = {anchor[i:j] for i in range(n) for j in range(i + 1, n + 1)} & sources.keys()
        for target in inside:
            for key in sources[target]:
                said.add(anchor.replace(target, key))
                said.add(anchor.replace(target, key, 1))
        around = self._containing.get(anchor, set()) - inside
        for target in around:  # the dialect word alone says the anchor (唔知 for 知道)
            said.update(sources[target])
        # the dialect word says the start or the end of the anchor (食緊 + 饭 for 正在吃饭): a word that ends
        # with the anchor's first k characters, or starts with its last k, k shorter than both
        for k in range(1, n):
            for target in self._ending.get(anchor[:k], ()):
                if target not in inside and target not in around:
                    for key in sources[target]:
                        said.add(key + anchor[k:])
            for target in self._starting.get(anchor[-k:], ()):
                if target not in inside and target not in around:
                    for key in sources[target]:
                        said.add(anchor[:-k] + key)


class _Automaton:
    """Keys found in a text in one pass (daachorse: an Aho-Corasick automaton in a double array, compiled
    code), each with its value: the ids of the patterns or tokens it stands for. Kept on disk in daachorse's
    own serialisation, which loads in milliseconds."""

    def __init__(self, keys: dict[str, tuple[int, ...]] | Sequence[str]) -> None:
        """``keys``: each key with its value, or the keys alone (the fast test's: no value, no dict of them)."""
        words = [k for k in keys if k]
        self._size = len(words)
        # keys without values (the fast test's) keep no list of them: 232,000 empty tuples to load each start
        values = [keys[k] for k in words] if isinstance(keys, dict) else []
        self._values: Sequence[tuple[int, ...]] | None = values if any(values) else None
        self._decoded: list[tuple[int, ...] | None] | None = None
        self._automaton = daachorse.CharwiseDoubleArrayAhoCorasick(words) if words else None

    def __len__(self) -> int:
        return self._size

    @property
    def automaton(self) -> daachorse.CharwiseDoubleArrayAhoCorasick | None:
        return self._automaton

    @property
    def values(self) -> Sequence[tuple[int, ...]] | None:
        return self._values

    def __getstate__(self) -> dict[str, object]:
        automaton = self._automaton.serialize() if self._automaton is not None else None
        values = _Packed.of(self._values) if self._values is not None else None
        return {"size": self._size, "values": values, "automaton": automaton}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._size = state["size"]
        self._values = state["values"]
        self._decoded = None
        data = state["automaton"]
        self._automaton = None if data is None else daachorse.CharwiseDoubleArrayAhoCorasick.deserialize(data)

    def occurs_in(self, text: str) -> bool:
        """Whether any key occurs in ``text``."""
        return self._automaton is not None and bool(self._automaton.find(text))

    def starts_in(self, text: str) -> list[int]:
        """Where keys start in ``text``: at least one occurrence of every stretch of text holding any (not
        every occurrence: those that overlap one already found are passed over)."""
        return [s for s, _e, _k in self._automaton.find(text)] if self._automaton is not None else []

    def occurrences(self, text: str) -> list[tuple[int, int, tuple[int, ...]]]:
        """Every occurrence of every key, overlapping ones too: (start, end, value), by end and the longer
        first where two end together."""
        if self._automaton is None or self._values is None:
            return []
        values = self._values
        # each key's value made a tuple the first time the key is found (kept on disk packed: _Packed), not
        # each time
        decoded = self._decoded
        if decoded is None:
            decoded = self._decoded = [None] * len(values)
        found: list[tuple[int, int, tuple[int, ...]]] = []
        for s, e, k in self._automaton.find_overlapping(text):
            value = decoded[k]
            if value is None:
                value = decoded[k] = values[k]
            found.append((s, e, value))
        found.sort(key=lambda m: (m[1], m[0]))
        return found


class _Packed(Sequence[tuple[int, ...]]):
    """The values of an automaton's keys (tuples of ids) in two flat arrays, each tuple made when asked for:
    kept on disk so, tens of thousands of small tuples no longer unpickled one by one at every start."""

    def __init__(self, flat: array.array[int], offsets: array.array[int]) -> None:
        self._flat = flat
        self._offsets = offsets

    @classmethod
    def of(cls, values: Sequence[tuple[int, ...]]) -> _Packed:
        if isinstance(values, _Packed):
            return values
        flat = array.array("q", itertools.chain.from_iterable(values))
        offsets = array.array("q", [0, *itertools.accumulate(map(len, values))])
        return cls(flat, offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, k: int) -> tuple[int, ...]: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[tuple[int, ...]]: ...

    def __getitem__(self, k: int | slice) -> tuple[int, ...] | Sequence[tuple[int, ...]]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = _index(k, len(self))
        return tuple(self._flat[self._offsets[k] : self._offsets[k + 1]])

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpack, (self._flat.tobytes(), self._offsets.tobytes()))


def _unpack(flat: bytes, offsets: bytes) -> _Packed:
    f, o = array.array("q"), array.array("q")
    f.frombytes(flat)
    o.frombytes(offsets)
    return _Packed(f, o)


def _bits(ids: frozenset[int] | tuple[int, ...]) -> int:
    """A set of small ints as the bits of one int."""
    out = 0
    for i in ids:
        out |= 1 << i
    return out


class _Bag:
    """The bag test of one words automaton: the patterns whose required tokens all have a word in a text,
    among those indexed by a token present. Each key found adds its tokens' bits to what is present, and
    names the patterns it may make viable, each with the bits it needs."""

    def __init__(
        self,
        automaton: _Automaton,
        by_token: dict[int, tuple[int, ...]],
        need_bits: list[int],
        keep: Callable[[int], bool],
    ) -> None:
        self._automaton = automaton.automaton
        self._values = automaton.values or []
        self._by_token = by_token
        self._need_bits = need_bits
        self._keep = keep
        # each key's bits and triggers, worked out the first time the key is found (for all of the tens of
        # thousands of keys at once, they took a tenth of the cold start; a text meets a few dozen)
        self._bits: list[int | None] = [None] * len(self._values)
        self._triggers: list[tuple[tuple[int, int], ...]] = [()] * len(self._values)

    def _learn(self, key: int) -> int:
        """The bits of ``key``'s tokens, its triggers noted beside them."""
        value = self._values[key]
        by_token, need_bits, keep = self._by_token, self._need_bits, self._keep
        self._triggers[key] = tuple((k, need_bits[k]) for t in value for k in by_token.get(t, ()) if keep(k))
        bits = self._bits[key] = _bits(value)  # (after the triggers: a key with bits has its triggers)
        return bits

    def viable(self, text: str) -> frozenset[int]:
        if self._automaton is None or not self._bits:
            return frozenset()
        found = {k for _s, _e, k in self._automaton.find_overlapping(text)}
        if not found:
            return frozenset()
        bits = self._bits
        present = 0
        for key in found:
            b = bits[key]
            present |= self._learn(key) if b is None else b
        triggers = self._triggers
        return frozenset([k for key in found for k, need in triggers[key] if need & present == need])


def _anchored(automaton: _Automaton, text: str) -> dict[int, list[tuple[int, int]]]:
    """For every pattern with an anchor in ``text``, the (folded) spans of its anchors."""
    found: dict[int, list[tuple[int, int]]] = {}
    for start, end, ids in automaton.occurrences(text):
        for k in ids:
            found.setdefault(k, []).append((start, end))
    return found


def _positions(index: tuple[int, ...]) -> list[int]:
    """For every folded position, its position in the marked text."""
    out = [0] * (index[-1] + 1)
    for m in range(len(index) - 1, -1, -1):
        out[index[m]] = m
    return out


def _run(
    run: Run, text: str, anchors: list[tuple[int, int]], position: list[int] | None
) -> Iterator[tuple[int, int]]:
    """The matches of ``run`` in ``text``; in a long text, only in windows around the anchors (the cost stays
    linear in the text however many findings it holds)."""
    if position is None:
        yield from run(text)
        return
    windows: list[list[int]] = []
    for a, b in sorted(anchors):
        lo = max(0, position[a] - WINDOW)
        hi = min(len(text), position[min(b, len(position) - 1)] + WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    for lo, hi in windows:
        for s, e in run(text[lo:hi]):
            yield lo + s, lo + e
