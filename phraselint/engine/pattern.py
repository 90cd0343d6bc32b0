"""Patterns: a rule's token sequences (in the spirit of LanguageTool's pattern rules), compiled to regular
expressions that run in linear time (RE2), over the folded text of one utterance.

A pattern is a line of tokens separated by spaces::

    没 <看见> 我们|我 <正在>? 忙 ~3 吗

- ``忙``, ``正忙着``: literal words, written as they fold (simplified script, 你 for 您, no particles);
  punctuation inside a literal marks the one place where the match may cross a clause boundary;
- ``<看见>``: a class of the shared lexicon (``rules/lexicon.yml``), any of its words;
- ``a|b|<c>``: any of these;
- a trailing ``?``: the token may be left out;
- ``~N``: a gap of up to N characters (1..12) inside the same clause;
- ``/``: an optional clause boundary (the words may stand in two clauses: 下班了，明天再来);
- ``{部门}``: the last token only, a slot that takes the rest of the clause;
- ``=``: the very word the pattern's first word token took, said again: ``<斥动> <什么> =``
  is 喊什么喊, 瞅啥瞅, 哭什么哭 — the scolding reduplication, with any verb of the class (no backreference
  is needed: the part from the word to ``=`` compiles to one alternative per word);
- ``^`` first, ``$`` last: the match starts (ends) a clause (有病吧你 and 有病！, not 家里有病人).

Between two tokens the lexicon's ``filler`` class (那个, 就是, 然后 …) may stand, as ASR output has it.
The compiled expression has no backtracking: it is fed to RE2, whose matching time is linear in the text
whatever the pattern (an organisation's rule file can never hang the engine). Where RE2 cannot be imported,
Python's ``re`` runs the same expressions; the shapes the syntax allows (no nested repetition, gaps bounded
by 12) keep it polynomial with a small bound, checked when a pattern is compiled.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CatalogueError

try:  # RE2: linear-time matching, no backtracking
    import re2 as _re2

    _OPTIONS = _re2.Options()
    _OPTIONS.longest_match = True
    # Each expression first gets a small memory budget (RE2's default is 8 MB): RE2 keeps an expression's
    # DFA states until the expression is freed, and with 8 MB each the ~2,100 expressions of the catalogue
    # held 70 MB after a check of 2 MB of dense text, growing with the text (issue 13: peak memory). Where the
    # budget is too small for a DFA, RE2 searches with the NFA (or BitState) instead: the same matches, a
    # little slower on each run but never on the first (building DFA states costs more than the NFA on a
    # text of a few dozen bytes). An expression run often, or on a long text, is compiled again with a budget
    # of 2 MB (_full): RE2's default of 8 MB let the DFAs of the few hundred hot expressions grow with the text
    # (26 MB more after 60,000 distinct turns, and still growing); with 2 MB each the DFA starts again when its
    # states fill the budget. An expression is hot after 3,000 runs, not 300: on 5.5 MB of distinct turns
    # (bench_jobs.py --turns devsets, half of it) the earlier mark upgraded so many expressions that their DFAs
    # held 14 MB more at the end (246 MB peak, now 233), and the check took as long either way (17.3 and 17.6 s;
    # 20 MB of bench_check.py's real text: 3.26 s both, peak 209.5 and 208.3 MB).
    # (RE2 would log each fallback to standard error: not here.)
    _OPTIONS.max_mem = 2 << 20
    _OPTIONS.log_errors = False
    _DEFAULT = _re2.Options()
    _DEFAULT.longest_match = True
    _BOUNDED = _re2.Options()
    _BOUNDED.longest_match = True
    _BOUNDED.max_mem = 48 << 10
    _BOUNDED.log_errors = False
    _HOT = 3000  # runs after which an expression gets the default budget
    _LONG = 4096  # bytes of text from which an expression gets the default budget

    try:  # the compiled expression itself, without the wrapper's generator and match object for each match
        from re2 import _re2 as _raw

        _UNANCHORED = _raw.RE2.Anchor.UNANCHORED
        _bytes_to_chars = _raw.BytesToCharLen
        _char_to_bytes = _raw.CharLenToBytes
    except (ImportError, AttributeError):  # pragma: no cover - another release of the wrapper
        _raw = None

    def _compile(expr: str) -> Callable[[str], list[tuple[int, int]]]:
        if _raw is None:  # pragma: no cover - another release of the wrapper
            regex = _re2.compile(expr, _OPTIONS)
            return lambda text: [_trim(text, m.span()) for m in regex.finditer(text)]
        # the expression compiled as the wrapper's compile does (the UTF-8 of the pattern, the same options),
        # without its Options made again and its cache of the last 128 expressions: a check compiles a
        # thousand or two, each once
        pattern = expr.encode("utf-8")
        compiled = _raw.RE2(pattern, _BOUNDED)
        bounded = compiled.ok()  # (not where the program itself is too large for the small budget)
        if not bounded:
            compiled = _full(pattern)
        match = compiled.Match
        runs = 0

        def run(text: str) -> list[tuple[int, int]]:
            """``[m.span() for m in regex.finditer(text)]``, each trimmed: the wrapper's own loop over the
            UTF-8 text, byte offsets turned into character offsets as it turns them (a third of the time)."""
            nonlocal match, bounded, runs
            encoded = text.encode("utf-8")
            end = len(encoded)
            if bounded:
                runs += 1
                if runs > _HOT or end > _LONG:
                    match = _full(pattern).Match
                    bounded = False
            span = match(_UNANCHORED, encoded, 0, end)[0]
            if span[0] == -1:
                return []
            ascii_ = end == len(text)
            out: list[tuple[int, int]] = []
            byte, char = 0, 0  # the last byte offset turned into a character offset, and that offset
            pos = 0
            while True:
                s, e = span
                if ascii_:
                    cs, ce = s, e
                else:
                    cs = char + _bytes_to_chars(encoded, byte, s)  # characters in bytes byte..s
                    ce = cs + _bytes_to_chars(encoded, s, e)
                    byte, char = e, ce
                out.append(_trim(text, (cs, ce)))
                if pos == end:
                    break
                pos = pos + _char_to_bytes(encoded, pos, 1) if pos == e else e
                span = match(_UNANCHORED, encoded, pos, end)[0]
                if span[0] == -1:
                    break
            return out

        return run

    def _full(pattern: bytes) -> Any:
        """``pattern`` compiled with the budget of a hot expression (RE2's default where the program alone is
        too large for it)."""
        compiled = _raw.RE2(pattern, _OPTIONS)
        if not compiled.ok():
            compiled = _raw.RE2(pattern, _DEFAULT)
        if not compiled.ok():
            raise _re2.error(compiled.error())
        return compiled

    ENGINE = "re2"
except ImportError:  # pragma: no cover - exercised in CI by forcing the fallback

    def _compile(expr: str) -> Callable[[str], list[tuple[int, int]]]:
        regex = re.compile(expr)
        return lambda text: [_trim(text, m.span()) for m in regex.finditer(text)]

    ENGINE = "re"

BOUNDARY = "\x1f"  # stands for a clause boundary in the marked text the expressions run on
MAX_GAP = 12
_START = f"(?:^|{BOUNDARY})"  # the expression of ``^``
_END = f"(?:{BOUNDARY}|$)"  # the expression of ``$``


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A match without the clause mark a ``^`` or ``$`` token took at its edge."""
    s, e = span
    if s < e and text[s] == BOUNDARY:
        s += 1
    if s < e and text[e - 1] == BOUNDARY:
        e -= 1
    return s, e


_TOKEN_RE = re.compile(r"^(?:~(\d+)|/|\{([^{}]+)\}|(.+?)(\?)?)$")
_CLASS_RE = re.compile(r"^<([^<>]+)>$")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per loaded lexicon
class Lexicon:
    """Named classes of words (rules/lexicon.yml): 看 = 看 瞅 瞧 看见 …; each already folded."""

    classes: Mapping[str, tuple[str, ...]]
    fillers: tuple[str, ...] = ()

    def words(self, name: str) -> tuple[str, ...]:
        return self.classes[name]


@dataclass(frozen=True)
class Token:
    """One position of a pattern: the words that may stand there (folded; a word may contain
    :data:`BOUNDARY` where the original had punctuation), whether it may be left out, or a gap."""

    words: tuple[str, ...] = ()
    optional: bool = False
    gap: int = 0
    boundary: bool = False
    edge: str = ""  # "^": the start of a clause, "$": its end
    classes: tuple[str, ...] = ()  # the lexicon classes the words came from (for coverage)
    alternatives: tuple[str, ...] = ()  # the alternatives as written (for coverage)
    again: int = -1  # ``=``: the index of the token whose word is said again


@dataclass(frozen=True)
class Compiled:
    """A pattern made ready to run: its expression, and the words the candidate pass looks for."""

    source: str
    tokens: tuple[Token, ...]
    slot: str | None
    expression: str
    anchors: tuple[str, ...]  # a match contains one of these (folded)
    min_length: int  # the fewest folded characters of words a match has
    max_length: int  # the most characters a match can span (words, fillers, gaps)
    filler_anchors: tuple[str, ...] = ()  # two-token anchors with a filler between (不那个办)

    @property
    def has_edge(self) -> bool:
        """Whether the pattern asks for a clause edge (``^``, ``$``), which only the mapped fold marks
        everywhere (the cheap marked fold leaves out the boundaries of white space)."""
        return any(t.edge for t in self.tokens)

    def sound_expression(self, lexicon: Lexicon, sound: Callable[[str], str]) -> str:
        """The expression over the sound of the marked text: a word matches any word that sounds the same
        (知道 and 只道)."""
        return expression(self.tokens, lexicon.fillers, sound)

    @functools.cached_property
    def run(self) -> Callable[[str], list[tuple[int, int]]]:
        return _compile(self.expression)

    @functools.cached_property
    def loose_run(self) -> Callable[[str], list[tuple[int, int]]]:
        """The pattern without its clause edges: what the cheap marked fold (which leaves out the boundaries
        of white space) is tested with; it matches wherever :attr:`run` matches on the mapped fold."""
        if not self.has_edge:
            return self.run
        return _compile(self.loose_expression)

    @property
    def loose_expression(self) -> str:
        return self.expression.replace(_START, "").replace(_END, "")

    def __hash__(self) -> int:
        """The hash of its fields, as a frozen dataclass hashes them, worked out once: a tuple of patterns is
        part of the key of answers remembered (context._calls, asked for every match), and hashing it walked
        every token of every pattern at each look-up."""
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash(tuple(getattr(self, f.name) for f in dataclasses.fields(self)))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self) -> dict[str, object]:  # the compiled regex is rebuilt after unpickling
        state = dict(self.__dict__)
        state.pop("run", None)
        state.pop("loose_run", None)
        state.pop("_hash", None)  # (a string's hash is another in the next process)
        return state


def parse(
    source: str,
    lexicon: Lexicon,
    fold: Callable[[str], str],
    where: Callable[[str], CatalogueError],
    *,
    allow_slot: bool = True,
) -> tuple[tuple[Token, ...], str | None]:
    """The tokens of ``source`` and the name of its trailing slot; ``fold`` folds a literal into a string
    where :data:`BOUNDARY` marks its inner punctuation; ``where`` makes the error to raise."""
    parts = source.split()
    if not parts:
        raise where("empty pattern")
    tokens: list[Token] = []
    slot: str | None = None
    for i, part in enumerate(parts):
        m = _TOKEN_RE.match(part)
        if m is None:  # pragma: no cover - the expression matches every non-empty string
            raise where(f"pattern '{source}': cannot read '{part}'")
        if slot is not None:
            raise where(f"pattern '{source}': a slot must be the last token")
        if m.group(1) is not None:
            n = int(m.group(1))
            if not 1 <= n <= MAX_GAP:
                raise where(f"pattern '{source}': gap '~{n}' must be from ~1 to ~{MAX_GAP}")
            if i == 0 or i == len(parts) - 1:
                raise where(f"pattern '{source}': a gap must stand between two tokens")
            tokens.append(Token(gap=n))
            continue
        if part in ("^", "$"):
            if (part == "^") != (i == 0) or (part == "$" and i != len(parts) - 1):
                raise where(f"pattern '{source}': '^' may only stand first and '$' only last")
            tokens.append(Token(edge=part, optional=True))
            continue
        if part == "=":
            ref = next((j for j, t in enumerate(tokens) if t.words), -1)
            if ref < 0 or tokens[ref].optional:
                raise where(f"pattern '{source}': '=' repeats the first word token, which must be required")
            if any(t.again >= 0 for t in tokens):
                raise where(f"pattern '{source}': only one '=' in a pattern")
            if any(not t.words for t in tokens[ref + 1 :]):
                raise where(f"pattern '{source}': only words may stand between a token and its '='")
            tokens.append(Token(tokens[ref].words, again=ref))
            continue
        if part == "/":
            if i == 0 or i == len(parts) - 1:
                raise where(f"pattern '{source}': a boundary '/' must stand between two tokens")
            tokens.append(Token(boundary=True, optional=True))
            continue
        if m.group(2) is not None:
            if not allow_slot:
                raise where(f"pattern '{source}': no slot allowed here")
            if i == 0:
                raise where(f"pattern '{source}': a slot needs words before it")
            slot = m.group(2)
            continue
        body, optional = m.group(3), bool(m.group(4))
        words: list[str] = []
        classes: list[str] = []
        alternatives: list[str] = []
        for alt in body.split("|"):
            if not alt:
                raise where(f"pattern '{source}': empty alternative in '{part}'")
            if alt.endswith("?"):
                raise where(
                    f"pattern '{source}': '?' after the alternative '{alt}' — a '?' makes the whole token "
                    f"optional and stands at its end ('{part.replace('?', '')}?')"
                )
            alternatives.append(alt)
            cm = _CLASS_RE.match(alt)
            if cm:
                name = cm.group(1)
                if name not in lexicon.classes:
                    raise where(f"pattern '{source}': unknown lexicon class <{name}>")
                classes.append(name)
                words.extend(lexicon.classes[name])
            elif "<" in alt or ">" in alt:
                raise where(f"pattern '{source}': malformed class in '{part}'")
            else:
                folded = fold(alt)
                if not folded.strip(BOUNDARY):
                    raise where(
                        f"pattern '{source}': '{alt}' folds to nothing (only particles or punctuation)"
                    )
                words.append(folded)
        tokens.append(
            Token(
                tuple(dict.fromkeys(words)),
                optional,
                classes=tuple(classes),
                alternatives=tuple(alternatives),
            )
        )
    if not any(t.words and not t.optional for t in tokens):
        raise where(f"pattern '{source}': every token is optional; one must be required")
    for a, b in zip(tokens, tokens[1:]):
        if (a.gap and b.gap) or (a.boundary and b.boundary):
            raise where(f"pattern '{source}': two gaps or two boundaries in a row")
    return tuple(tokens), slot


def _alternation(words: Sequence[str], mapper: Callable[[str], str]) -> str:
    mapped = sorted({mapper(w) for w in words}, key=lambda w: (-len(w), w))
    parts = [re.escape(w).replace(re.escape(BOUNDARY), BOUNDARY + "?") for w in mapped]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def expression(tokens: Sequence[Token], fillers: Sequence[str], mapper: Callable[[str], str] = str) -> str:
    """The regular expression of ``tokens`` over the marked text (``mapper`` maps each word first: the
    sound of the words, for homophone matching)."""
    joiner = "(?:" + _alternation(fillers, mapper) + ")?" if fillers else ""
    again = next((k for k, t in enumerate(tokens) if t.again >= 0), -1)
    if again >= 0:  # the part from the repeated word to '=': one alternative per word (喊什么喊|哭什么哭|…)
        ref = tokens[again].again
        inner = expression(tokens[ref + 1 : again], fillers, mapper) if again > ref + 1 else ""
        if inner and joiner:
            inner = joiner + inner
        words = sorted({mapper(w) for w in tokens[ref].words}, key=lambda w: (-len(w), w))
        middle = "(?:" + "|".join(re.escape(w) + inner + joiner + re.escape(w) for w in words) + ")"
        head = expression(tokens[:ref], fillers, mapper) if ref else ""
        tail = expression(tokens[again + 1 :], fillers, mapper) if again + 1 < len(tokens) else ""
        if head and tokens[ref - 1].words and joiner:
            head += joiner
        if tail and tokens[again + 1].words and joiner:
            tail = joiner + tail
        return head + middle + tail
    out: list[str] = []
    previous_was_word = False
    for token in tokens:
        if token.gap:
            out.append(f"[^{BOUNDARY}]{{0,{token.gap}}}")
            previous_was_word = False
            continue
        if token.edge:
            out.append(_START if token.edge == "^" else _END)
            previous_was_word = False
            continue
        if token.boundary:
            if previous_was_word and joiner:  # 关柜了，明天再来: a filler may end the first clause
                out.append(joiner)
            out.append(BOUNDARY + "?")
            previous_was_word = False
            continue
        if previous_was_word and joiner:
            out.append(joiner)
        group = _alternation(token.words, mapper)
        out.append(f"(?:{group})?" if token.optional else group)
        previous_was_word = True
    return "".join(out)


PAIR_LIMIT = 300  # the most word pairs a two-token anchor may have (before fillers)
_COMMON = 2000.0  # a token this frequent (by ``cost``) is worth replacing by a pair of tokens as anchor


def choose_anchors(
    tokens: Sequence[Token], cost: Callable[[str], float] | None = None, fillers: Sequence[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words the candidate pass looks for: every match contains one of them. They are the words of the
    most selective required token, or of two required tokens that stand side by side in the pattern (said
    together, with or without a filler between: 不办, 不那个办), which is far more selective where each token
    alone is a common word (不, 办). Selective means rare in Chinese text, by ``cost`` (how often a word
    occurs), else by length. Returns the anchors, and the two-token anchors with a filler between."""
    best: tuple[str, ...] = ()
    with_fillers: tuple[str, ...] = ()
    best_key: tuple[float, float] = (float("inf"), 0.0)
    for token in tokens:
        if token.optional or not token.words:
            continue
        pieces = tuple(dict.fromkeys(p for w in token.words for p in [max(w.split(BOUNDARY), key=len)]))
        if cost is not None:
            key = (sum(cost(p) for p in pieces), 0.0)
        else:
            key = (-float(min(len(p) for p in pieces)), float(len(pieces)))
        if key < best_key:
            best, best_key = pieces, key
    if cost is None or best_key[0] <= _COMMON:
        return best, with_fillers
    for a, b in zip(tokens, tokens[1:]):
        if not (a.words and b.words) or a.optional or b.optional:
            continue
        if any(BOUNDARY in w for w in (*a.words, *b.words)) or len(a.words) * len(b.words) > PAIR_LIMIT:
            continue
        pairs = [x + y for x in a.words for y in b.words]
        # a pair is as frequent as the dictionary says where it is a word (不是), else taken as a twentieth
        # as frequent as its rarer word
        pair_cost = sum(max(cost(x + y), min(cost(x), cost(y)) / 20) for x in a.words for y in b.words)
        if (pair_cost, 0.0) < best_key:
            best_key = (pair_cost, 0.0)
            best = tuple(dict.fromkeys(pairs))
            with_fillers = tuple(dict.fromkeys(x + f + y for x in a.words for f in fillers for y in b.words))
    return best, with_fillers


def compile_pattern(
    source: str,
    lexicon: Lexicon,
    fold: Callable[[str], str],
    where: Callable[[str], CatalogueError],
    *,
    allow_slot: bool = True,
    cost: Callable[[str], float] | None = None,
) -> Compiled:
    tokens, slot = parse(source, lexicon, fold, where, allow_slot=allow_slot)
    min_length = sum(
        min(len(w.replace(BOUNDARY, "")) for w in t.words) for t in tokens if t.words and not t.optional
    )
    filler = max((len(f) for f in lexicon.fillers), default=0)
    words = [t for t in tokens if t.words]
    max_length = (
        sum(max(len(w) for w in t.words) for t in words)
        + sum(t.gap + t.boundary + bool(t.edge) for t in tokens)
        + filler * max(0, len(words) - 1)
    )
    anchors, filler_anchors = choose_anchors(tokens, cost, lexicon.fillers)
    return Compiled(
        source,
        tokens,
        slot,
        expression(tokens, lexicon.fillers),
        anchors,
        min_length,
        max_length,
        filler_anchors,
    )


def literal_pattern(words: str, slot: str | None) -> str:
    """A wording of the codes (不知道, 没看我正忙着吗，急什么) as a pattern of one literal token."""
    body = "".join(words.split())
    return body + (f" {{{slot}}}" if slot else "")


def compile_expression(expr: str) -> Callable[[str], list[tuple[int, int]]]:
    return _compile(expr)
