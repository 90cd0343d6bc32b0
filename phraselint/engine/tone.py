"""The tone model: rude speech the catalogue's patterns do not name, found by what its words are like.

The codes forbid whole kinds of speech by their general clauses (000 七(二) 态度生硬、冷淡、烦躁; 003 第六条
激化矛盾、损害形象的语言、冷言相对) as well as listed phrases. Patterns catch the kinds one has written down; a new
wording of the same meaning is missed about half the time. The tone model is a second opinion for those: a
linear model (naive Bayes and logistic regression averaged) over character 1–3-grams of each clause as it hears
it (Cantonese, Taiwan and chat words folded onto Mandarin ones by rules/dialect.yml, script-folded, 您 kept apart
from 你, particles kept; no feature weighs more than 3 either way, and a run of punctuation is no feature), learnt
from the rude part of each rude text and from the innocent texts as the linter asks about them
(:func:`train_parts`), trained by
``scripts/train_tone.py`` on the development sets' tuned parts, the catalogue's examples, the standard phrases
and real Hong Kong conversation (HKCanCor), and shipped as data in ``rules/tone.tsv``.

It speaks only where no pattern did, and never where the words are quoted, taught, reported, said of someone
else, said where a pattern matched but was excused, or said with an apology or an offer of help in the same
clause or the two after it, or a polite address in the words themselves (the context of ``rules/context.yml``,
its ``polite`` and ``polite_address`` words among them). Its finding is a ``warning`` of the rule ``rude-tone``.

The threshold is chosen by the trainer from scores each text got from a model trained without it (five folds),
so that about three innocent utterances in a hundred of the training sets would pass it: one threshold for
Mandarin and Taiwan speech, one for Cantonese (which scores lower).
"""

from __future__ import annotations

import array
import dataclasses
import functools
import itertools
import math
import operator
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..data.cache import cached, code_fingerprint, key_of
from ..data.catalogue import builtin_rules_dir
from ..errors import CatalogueError
from .normalize import folding, opencc_char_map

_SEPARATOR = "|"
SEPARATOR = _SEPARATOR  # what punctuation and space fold to (light_fold)
_PACKED_SEPARATOR = "\0"  # between the grams of a model as pickled (ToneModel.__getstate__)
# punctuation and white space: each becomes one separator (the fold keeps every position in place)
# (not the hyphen: transcripts mark a speaker's repair with it, 點樣-即係你影印咗, inside one clause)
_PUNCTUATION = ' \t\r\n\u3000，。！？、,.!?；;：:“”"「」『』（）()…~～—《》〈〉【】[]/\\'
_CLAUSE = re.compile(r"[^|]+")
_LONG = 16  # a clause longer than this is also scored in windows (ASR output has no punctuation)
_WINDOW = 12
_STEP = 6
_WEAK = 0.5  # train_parts drops features whose log-odds is smaller than this either way
_STRONG = 3.0  # …and caps the others at this either way: no one 1–3-gram decides alone
_L2, _STEPS, _RATE = 1e-6, 600, 0.1  # the logistic regression's penalty and its Adam steps and step size
_LOGISTIC_SCALE = 0.55  # its weights come out about 1.8 times the capped log-odds' (thresholds 5.0 and 2.8)
_KEEP = 0.15  # a weight of the final model smaller than this either way is dropped
_PAIR = 24  # two neighbouring clauses this short together are scored as one too (你烦不烦，问了多少遍)
# ToneModel.may_pass: blocks smaller than this are not worth numpy (nor its import, on a cold start)
_BATCH_CHARS = 4096
# …once its arrays are built, blocks from this size are: scoring them costs some 0.1 ms and 4 µs a text, worst()
# some 25 µs a text (a file's blocks after the first hold a few dozen texts not met before: on 3 MB of real
# text, 3,221 of the 3,567 texts asked about came in such blocks, and each was scored alone)
_WARM_BATCH_CHARS = 256
_UNIT = 2.0**-53  # the unit roundoff of a float

if TYPE_CHECKING:
    import numpy as np


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table = {ord(k): v for k, v in opencc_char_map("t2s").items() if len(k) == 1 and len(v) == 1}
    table.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # full width to ASCII
    table.update({c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})
    table.update({ord(c): _SEPARATOR for c in _PUNCTUATION})
    for c in range(0xFF21, 0xFF3B):  # full-width capitals to lower case
        table[c] = chr(c - 0xFEE0 + 32)
    return table


def light_fold(text: str) -> str:
    """Script and width folded, punctuation and space made ``|``, one character for each of ``text``'s; 您 and
    particles kept (they carry the tone)."""
    return text.translate(_table())


# the fewest characters, particles aside, a part the model hears must hold for it to speak: one word and its
# particles (真㗎？ 會㗎？), a run of backchannels (嗯嗯，嗯嗯) or one word said again (有有有) is too little to judge
# a tone by
LEAST_HEARD = 2


def heard_enough(said: str, start: int, end: int) -> bool:
    """Whether ``said[start:end]`` (a part the model scored, of a text's :func:`light_fold`) holds
    :data:`LEAST_HEARD` characters or more besides particles and punctuation: the linter's test before it
    speaks, and the trainer's before it counts a score towards a threshold."""
    particles = folding().particles
    # distinct characters: one word said again (有有有, 好好好) is one word
    return len({c for c in said[start:end] if c not in particles and c != _SEPARATOR}) >= LEAST_HEARD


# a filler standing alone between the pauses of unpunctuated speech (ASR output: 不能退现金 嗯 大概三到五个工作日到账):
# a hesitation, not a word said. Heard as a pause, where the text has no punctuation but spaces and holds other
# words; a 嗯 said alone, or set off by punctuation (嗯。 嗯，知道了), is a reply and keeps its tone
_FILLER_ALONE = re.compile(r"(?:(?<=\s)|^)[嗯呃额恩]+(?=\s|$)")
# (searched at C speed: every text of a file's blocks is asked)
_ANY_FILLER = re.compile("[嗯呃额恩]")
_WRITTEN_MARK = re.compile("[" + re.escape("".join(sorted(set(_PUNCTUATION) - set(" \t\r\n\u3000")))) + "]")


def unfilled(text: str) -> str:
    """``text`` with each filler said alone in unpunctuated speech made a space (:data:`_FILLER_ALONE`): the
    same length, every other character in place."""
    if not _ANY_FILLER.search(text) or _WRITTEN_MARK.search(text):
        return text
    out = _FILLER_ALONE.sub(lambda m: " " * len(m.group(0)), text)
    return out if out.strip() else text


def heard(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """What the model hears of ``text``: the lexical fold of rules/dialect.yml (Cantonese and Taiwan words,
    chat spellings, onto Mandarin words: 你講嘢可唔可以快啲 is heard as 你说话可不可以快点, so what the model
    learnt from Mandarin speech carries over), then :func:`light_fold`. With it, where each of its characters
    starts and ends in ``text`` (None where the lexical fold changed nothing: one character for each)."""
    said, starts, ends = _undialected(text)
    return light_fold(said), starts, ends


def _undialected(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """:func:`heard` before :func:`light_fold`: ``text`` with its lone fillers heard as pauses (:func:`unfilled`)
    and the lexical fold applied, and where each of its characters starts and ends in ``text`` (None where the
    lexical fold changed nothing)."""
    text = unfilled(text)
    found = folding().dialect_spans(text)
    if not found:
        return text, None, None
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for s, e, target in (*found, (len(text), len(text), "")):
        pieces.append(text[pos:s])
        starts.extend(range(pos, s))
        ends.extend(range(pos + 1, s + 1))
        pieces.append(target)
        starts.extend([s] * len(target))
        ends.extend([e] * len(target))
        pos = e
    return "".join(pieces), starts, ends


def features(text: str) -> set[str]:
    """The features of a text: its 1–3-grams as the model hears it (:func:`heard`), but those with more than
    one separator (:func:`learnt`)."""
    a = heard(text)[0]
    return {g for n in (1, 2, 3) for i in range(len(a) - n + 1) if learnt(g := a[i : i + n])}


def learnt(gram: str) -> bool:
    """Whether the model learns a weight for ``gram``: not for a run of punctuation (？？？, 。。。), which the
    linter also makes where it masks the words a pattern was excused for (快点 of 快点去吃吧): the model must
    not hear the mask."""
    return gram.count(_SEPARATOR) < 2


def spans(folded: str) -> list[tuple[int, int]]:
    """The parts of a light-folded text that are scored: each clause; windows of a long one; two short
    neighbours together."""
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(folded)]
    out = list(clauses)
    for s, e in clauses:
        if e - s > _LONG:
            out.extend((k, min(e, k + _WINDOW)) for k in range(s, e - _WINDOW + _STEP, _STEP))
    out.extend((a, d) for (a, _b), (_c, d) in zip(clauses, clauses[1:]) if d - a <= _PAIR)
    return out


def thousandths(weights: dict[str, float]) -> dict[str, int] | None:
    """The weights in thousandths (exact integers, for sums that come out the same float however they are
    added up), or None where one is not a whole number of thousandths or its gram is not a 1–3-gram (a model
    made in code): then a model scores with its floats, text by text."""
    milli: dict[str, int] = {}
    for gram, w in weights.items():
        k = round(w * 1000)
        if k / 1000 != w or not 1 <= len(gram) <= 3:
            return None
        milli[gram] = k
    return milli


def _weights_for_now(model: Any) -> dict[str, float]:
    """The weights of a tone, turn or addressee model; where it was read packed (ToneModel.__setstate__) and
    they have not been asked for, unpacked for the while and not kept (a process that has numpy scores with
    the arrays alone)."""
    packed = model.__dict__.get("_packed")
    weights: dict[str, float] = (
        model.weights if packed is None or "weights" in model.__dict__ else _unpacked(packed)
    )
    return weights


def _arrays_of(model: Any) -> _Lookup | None:
    """The arrays a tone or addressee model adds its weights up with, where the weights are still packed and
    numpy is loaded already (a check of a file; a single message is scored from the dict, numpy not
    imported)."""
    if "weights" in model.__dict__ or "numpy" not in sys.modules:
        return None
    lookup: _Lookup | None = model._lookup
    return lookup


@dataclass(frozen=True)
class ToneModel:
    weights: dict[str, float]
    threshold: float
    cantonese_threshold: float | None = None  # Cantonese speech scores lower: its own threshold
    # the texts of the last block may_pass turned away: rude_part answers None for them without scoring
    # them again (a file's turns are asked about in blocks, then the few candidates checked one by one)
    _silent: frozenset[str] = dataclasses.field(default=frozenset(), init=False, repr=False, compare=False)
    # the key of the model file it was read from (load_tone): its arrays for may_pass are kept on disk by it
    _key: str = dataclasses.field(default="", init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lookup", None)  # (kept on disk on its own)
        packed = state.pop("_packed", None)
        if "weights" not in state:  # (still packed: as it was read)
            state["weights"] = packed
            return state
        # the weights as one string of grams and one array of floats: unpickling 35,000 strings and floats one
        # by one took a twentieth of every start; the same grams, weights (to the bit) and order come back
        grams = list(self.weights)
        if not any(_PACKED_SEPARATOR in g for g in grams):
            weights = array.array("d", self.weights.values())
            state["weights"] = (_PACKED_SEPARATOR.join(grams), weights.tobytes())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # the weights are left packed until they are asked for (__getattr__): a process that has numpy scores
        # with the arrays alone (_lookup, kept on disk), and the 87,586 grams and weights as a dict took 9 MB
        # (issue 13: peak memory)
        if isinstance(state["weights"], tuple):
            state = dict(state)
            state["_packed"] = state.pop("weights")
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> dict[str, float]:
        """The weights of a model read packed (:meth:`__setstate__`), unpacked when first asked for."""
        packed = self.__dict__.get("_packed") if name == "weights" else None
        if packed is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        weights = _unpacked(packed)
        object.__setattr__(self, "weights", weights)
        return weights

    def worst(self, text: str) -> tuple[float, int, int]:
        """The highest-scoring part of ``text``: (score, start, end). A part's score is the sum of the weights
        of the 1–3-grams that start inside it, over the square root of their number plus one; prefix sums
        make each part cost the same, whatever its length (linear in the text). The start and end are
        positions in ``text``."""
        lookup = _arrays_of(self)
        if lookup is not None:
            said, starts, ends = _undialected(text)
            a = light_fold(said)
            sums, counts = _prefix_sums(said, lookup)
        else:
            a, starts, ends = heard(text)
            sums, counts = self._prefix_sums(a)
        best = (-math.inf, 0, 0)
        for s, e in spans(a):
            n = counts[e] - counts[s]
            if n:
                score = (sums[e] - sums[s]) / math.sqrt(n + 1)
                if score > best[0]:
                    best = (score, s, e)
        if starts is not None and ends is not None and best[2] > best[1]:
            return best[0], starts[best[1]], ends[best[2] - 1]
        return best

    def _prefix_sums(self, a: str) -> tuple[list[float], list[int]]:
        """The sums of the weights of the 1-, 2- and 3-grams of ``a`` (a text as the model hears it) that start
        before each position, and how many there are, from the dict of weights."""
        get = self.weights.get
        total, count = 0.0, 0
        sums, counts = [0.0], [0]
        # the weights of the 1-, 2- and 3-grams starting at each position (none cut short at the end), the
        # grams made and looked up at C speed; then added up in the same order as ever, so every sum is the
        # same float
        pairs = list(map(operator.add, a, a[1:]))
        ones = map(get, a)
        twos = map(get, pairs)
        threes = map(get, map(operator.add, pairs, a[2:]))
        for w1, w2, w3 in itertools.zip_longest(ones, twos, threes):
            if w1 is not None:
                total += w1
                count += 1
            if w2 is not None:
                total += w2
                count += 1
            if w3 is not None:
                total += w3
                count += 1
            sums.append(total)
            counts.append(count)
        return sums, counts

    def may_pass(self, texts: Sequence[str]) -> list[bool]:
        """For each of ``texts``, False only where :meth:`rude_part` is certainly None, under either
        threshold: the scores of many texts at once (numpy), so that only the few that may pass are scored
        one by one. Each text's best score is computed exactly in thousandths (the model file writes its
        weights so), and a text is let through unless that score lies below the lower threshold by more than
        the rounding :meth:`worst`'s float sums can make in a text of its length: no verdict changes."""
        # (the arrays built already: cached_property keeps them in the instance's __dict__)
        smallest = _WARM_BATCH_CHARS if "_lookup" in self.__dict__ else _BATCH_CHARS
        if sum(map(len, texts)) < smallest:
            return [True] * len(texts)
        lookup = self._lookup
        if lookup is None:
            return [True] * len(texts)
        said = _undialect_all(texts)
        best = _scores_of(said, lookup)
        threshold = self.threshold
        if self.cantonese_threshold is not None:
            threshold = min(threshold, self.cantonese_threshold)
        # |worst()'s float sums - the exact ones| <= 2 (m + 1) u sum|w| over at most m = 3 len weights
        # (recursive summation, each weight itself within u of its decimal): 16 u m^2 max|w| is far above it
        slack = 16 * _UNIT * lookup.largest
        verdicts = [
            not (b + 1e-9 + slack * (3 * len(t)) ** 2 <= threshold) for b, t in zip(best.tolist(), said)
        ]
        # one assignment: a reader in another thread sees the old set or the new one, either of them right
        object.__setattr__(self, "_silent", frozenset(t for t, may in zip(texts, verdicts) if not may))
        return verdicts

    def prepare(self) -> None:
        """Build now the arrays :meth:`may_pass` scores many texts with (numpy imported, the arrays read from
        the cache folder), as it does when first asked."""
        _ = self._lookup

    @functools.cached_property
    def _lookup(self) -> _Lookup | None:
        """The weights in thousandths as arrays (:class:`_Lookup`); None where a weight is not a whole number
        of thousandths, or is 0 (then :meth:`may_pass` lets every text through). Kept on disk for a model read
        from a file (building them took half a second of every run over a file, and of each -j worker)."""
        if self._key:
            return cached("tone-lookup", self._key, self._build_lookup)
        return self._build_lookup()

    def _build_lookup(self) -> _Lookup | None:
        milli = thousandths(_weights_for_now(self))
        return _Lookup.build(milli) if milli else None

    def threshold_for(self, cantonese: bool) -> float:
        """The threshold a text is judged by: Cantonese speech's own, where the model has one."""
        if cantonese and self.cantonese_threshold is not None:
            return self.cantonese_threshold
        return self.threshold

    def margin(self, text: str, cantonese: bool = False) -> float:
        """How far the worst part of ``text`` scores above its threshold (below: negative)."""
        return self.worst(text)[0] - self.threshold_for(cantonese)

    def rude_part(self, text: str, cantonese: bool = False) -> tuple[int, int] | None:
        """Where ``text`` sounds rude to the model, or None; ``cantonese``: the text is Cantonese speech,
        judged by its own threshold. The caller checks the context (politeness, quotation, reporting,
        training talk)."""
        if text in self._silent:
            return None
        score, s, e = self.worst(text)
        if score <= self.threshold_for(cantonese):
            return None
        return s, e


# the fewest characters (punctuation aside) of an utterance the turn model judges: a short one is one or two
# clauses, the tone model's to judge (out of fold, what the turn model adds under 12 characters is as much
# Cantonese and chat banter as rudeness; 您好。 alone scores high, its 您好 said first in many rude replies)
TURN_LEAST = 12


@dataclass(frozen=True)
class TurnModel:
    """The turn model: how rude a whole utterance sounds, where no one clause of it sounds rude enough to the
    tone model. A reply that blames, mocks or shuts the visitor out is often rude only as a whole: 您好，收到
    您的反馈。我们的营业执照和卫生许可证都挂在墙上，您说我们是黑店，麻烦拿出证据来。 — the greeting is part of the
    barb. A logistic
    regression (:func:`logistic`) over the 1–3-grams of the whole utterance as :func:`heard` hears it, learnt
    by ``scripts/train_tone.py`` from the development sets' tuned parts (rude texts whole against the innocent
    ones, the sets written to probe the patterns among them), shipped as ``rules/turn.tsv``. Its threshold is
    set from out-of-fold scores. The linter asks it only where the tone model is silent, and its finding is the
    tone model's (``rude-tone``), on the clause that sounds worst, under the same context."""

    weights: dict[str, float]
    bias: float
    threshold: float
    cantonese_threshold: float | None = None  # Cantonese speech's own (HKCanCor's conversation sets it)
    _key: str = dataclasses.field(default="", init=False, repr=False, compare=False)

    # pickled as the tone model is: the weights packed in one string and one array; and unpickled so too, left
    # packed until asked for (_weights_for_now unpacks them for the while): the 80,000 grams as a dict took
    # 15 MB, and a process that has numpy scores with the arrays alone (_lookup, kept on disk)
    __getstate__ = ToneModel.__getstate__
    __setstate__ = ToneModel.__setstate__
    __getattr__ = ToneModel.__getattr__

    def score(self, text: str) -> float:
        """The bias, plus the sum of the weights of the 1–3-grams of ``text`` (none cut short at its end) over
        the square root of their number plus one; -inf for a text of fewer than :data:`TURN_LEAST` characters
        (punctuation and space aside), which the tone model judges alone. The sum is of the weights in
        thousandths, exact, so that a text scored alone and in a block (:meth:`may_pass`) scores the same float;
        with numpy loaded, by the block's arrays."""
        if len(text) - light_fold(text).count(_SEPARATOR) < TURN_LEAST:
            return -math.inf
        if "numpy" in sys.modules and self._lookup is not None:
            return self.bias + float(_whole_scores_of(_undialect_all([text]), self._lookup)[0])
        milli = self._milli
        a = heard(text)[0]
        get = (milli or _weights_for_now(self)).get
        pairs = list(map(operator.add, a, a[1:]))
        found = [
            w
            for w in itertools.chain(map(get, a), map(get, pairs), map(get, map(operator.add, pairs, a[2:])))
            if w is not None
        ]
        if not found:
            return self.bias
        if milli is None:  # weights not in thousandths (a model made in code): their float sum
            return self.bias + math.fsum(found) / math.sqrt(len(found) + 1)
        return self.bias + sum(found) / 1000 / math.sqrt(len(found) + 1)

    @functools.cached_property
    def _milli(self) -> dict[str, int] | None:
        """The weights in thousandths, where each is a whole number of them (the trainer writes them so), for a
        process without numpy (a short run, a single message); else None."""
        return thousandths(_weights_for_now(self))

    def rude(self, text: str, cantonese: bool = False) -> bool:
        """Whether ``text`` scores above its threshold (``cantonese``: Cantonese speech's, where there is one)."""
        threshold = self.cantonese_threshold if cantonese and self.cantonese_threshold is not None else None
        return self.score(text) > (self.threshold if threshold is None else threshold)

    def may_pass(self, texts: Sequence[str]) -> list[bool]:
        """For each of ``texts``, False only where :meth:`rude` is certainly False: all scored at once from the
        weights in thousandths (exact sums), a text let through unless it scores below the threshold by more
        than float rounding could make up."""
        lookup = self._lookup
        if lookup is None or sum(map(len, texts)) < _BATCH_CHARS:
            return [True] * len(texts)
        scores = _whole_scores_of(_undialect_all(texts), lookup)
        least = min(self.threshold, self.cantonese_threshold or self.threshold)
        return [s + self.bias + 1e-6 > least for s in scores.tolist()]

    def prepare(self) -> None:
        """Build now the arrays :meth:`may_pass` scores many texts with (:meth:`ToneModel.prepare`)."""
        _ = self._lookup

    @functools.cached_property
    def _lookup(self) -> _Lookup | None:
        if self._key:
            return cached("turn-lookup", self._key, self._build_lookup)
        return self._build_lookup()

    def _build_lookup(self) -> _Lookup | None:
        milli = self._milli
        return _Lookup.build(milli) if milli else None


@dataclass(frozen=True)
class _Lookup:
    """The model's weights as arrays, for scoring many texts at once (:meth:`ToneModel.may_pass`): every
    character of a feature has a number (1…K, 0 for the rest), the weights of 1-grams (in thousandths) are a
    table indexed by it, the 2-grams and the 3-grams sorted arrays of keys, a 3-gram looked up only after a
    2-gram that begins one. (The 2-grams were a (K + 1)^2 table, and a second one for the 2-grams that begin
    a 3-gram: 10 MB for some 27,000 pairs, whose sorted keys take half a megabyte.)"""

    fold: Any  # light_fold over the BMP: the character number of each code point's fold (int32)
    separator: Any  # over the BMP: whether a code point folds to the separator
    numbers: dict[str, int]  # every character's number (beyond the BMP it is looked up here)
    ones: Any  # (K + 1): the weight of each character as a 1-gram, 0 for none
    pairs: Any  # the 2-grams and the beginnings of 3-grams, as first * (K + 1) + second, sorted (int64),
    # then a key larger than any (so that a search always lands on a key)
    twos: Any  # the weight of each of ``pairs`` as a 2-gram, 0 for none (int16)
    begins: Any  # whether a 3-gram begins with each of ``pairs`` (bool)
    threes: Any  # the 3-grams, as (first * (K + 1) + second) * (K + 1) + third, sorted (int64)
    three_weights: Any  # their weights, in the same order
    largest: float  # the largest weight, either way

    @classmethod
    def build(cls, milli: dict[str, int]) -> _Lookup | None:
        import numpy as np

        alphabet = sorted({c for g in milli for c in g})
        if any(w == 0 or abs(w) >= 1 << 15 for w in milli.values()):
            return None  # not for this layout: every text is scored one by one
        number = {c: k + 1 for k, c in enumerate(alphabet)}
        size = len(alphabet) + 1
        char_number = np.zeros(0x10000, dtype=np.int32)
        for c, k in number.items():
            if ord(c) < 0x10000:
                char_number[ord(c)] = k
        folded = np.arange(0x10000, dtype=np.int32)
        for code, out in _table().items():
            if code < 0x10000:
                folded[code] = ord(out)
        ones = np.zeros(size, dtype=np.int16)
        twos: dict[int, int] = {}
        begins: set[int] = set()
        threes: dict[int, int] = {}
        for gram, w in milli.items():
            ks = [number[c] for c in gram]
            if len(ks) == 1:
                ones[ks[0]] = w
            elif len(ks) == 2:
                twos[ks[0] * size + ks[1]] = w
            else:
                begins.add(ks[0] * size + ks[1])
                threes[(ks[0] * size + ks[1]) * size + ks[2]] = w
        pairs = sorted(twos.keys() | begins)
        order = sorted(threes)
        largest = max((abs(w) for w in milli.values()), default=0) / 1000
        beyond = np.flatnonzero(folded >= 0x10000)  # a few fold onto characters beyond the BMP
        numbers = char_number[np.minimum(folded, 0xFFFF)]
        numbers[beyond] = [number.get(chr(c), 0) for c in folded[beyond].tolist()]
        return cls(
            numbers,
            folded == ord(_SEPARATOR),
            number,
            ones,
            np.array([*pairs, np.iinfo(np.int64).max], dtype=np.int64),
            np.array([*(twos.get(k, 0) for k in pairs), 0], dtype=np.int16),
            np.array([*(k in begins for k in pairs), False], dtype=bool),
            np.array(order, dtype=np.int64),
            np.array([threes[k] for k in order], dtype=np.int64),
            largest,
        )


def _unpacked(packed: tuple[str, bytes]) -> dict[str, float]:
    """The weights of a model as :meth:`ToneModel.__getstate__` packs them, as a dict."""
    grams, data = packed
    values = array.array("d")
    values.frombytes(data)
    return dict(zip(grams.split(_PACKED_SEPARATOR), values))


def _milli_at(said: str, lookup: _Lookup) -> np.ndarray[Any, Any]:
    """For each position of ``said`` (a text with the lexical fold applied, :func:`_undialected`) as the model
    hears it, the weights in thousandths of the 1-, 2- and 3-gram that start there (0 for none, and for a gram
    cut short at the end): an array of ``len(said)`` rows of three, as :func:`_summed` finds them for a
    block."""
    import numpy as np

    codes = np.frombuffer(said.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    size = len(codes)
    out = np.zeros((size, 3), dtype=np.int64)
    if not size:
        return out
    if max(said) > "\uffff":  # beyond the BMP (rare): those one by one
        ids = lookup.fold[np.minimum(codes, 0xFFFF)].astype(np.int64)
        astral = np.flatnonzero(codes > 0xFFFF)
        folded = light_fold("".join(map(chr, codes[astral].tolist())))
        ids[astral] = [lookup.numbers.get(c, 0) for c in folded]
    else:
        ids = lookup.fold[codes].astype(np.int64)
    out[:, 0] = lookup.ones[ids]
    width = len(lookup.ones)
    bigram = ids[:-1] * width + ids[1:]
    at = lookup.pairs.searchsorted(bigram)  # never past the end: the last key is larger than any
    known = lookup.pairs[at] == bigram
    out[:-1, 1] = lookup.twos[at] * known
    where = (known[:-1] & lookup.begins[at[:-1]]).nonzero()[0]
    if len(where) and len(lookup.threes):
        key = bigram[where] * width + ids[where + 2]
        at3 = lookup.threes.searchsorted(key)
        at3[at3 == len(lookup.threes)] = len(lookup.threes) - 1
        out[where, 2] = lookup.three_weights[at3] * (lookup.threes[at3] == key)
    return out


def _prefix_sums(said: str, lookup: _Lookup) -> tuple[list[float], list[int]]:
    """:meth:`ToneModel._prefix_sums` from the arrays: the same floats, to the bit. Each weight is its
    thousandths over 1000, the float the model file's decimal reads as (:func:`thousandths`), and they are
    added up one after the other in the same order (a cumulative sum is a running sum: numpy's accumulate
    does not add in pairs as its sum does), a gram without a weight adding 0.0, which changes no sum."""
    import numpy as np

    milli = _milli_at(said, lookup).ravel()
    sums = np.cumsum(milli / 1000)[2::3].tolist()
    counts = np.cumsum(milli != 0)[2::3].tolist()
    return [0.0, *sums], [0, *counts]


def _undialect_all(texts: Sequence[str]) -> list[str]:
    """Each text with the lexical fold applied (what :func:`heard` folds further), in one pass over the
    block: no dialect word holds a line break, so none runs from one text into the next."""
    texts = [unfilled(t) for t in texts]
    if not any("\n" in t for t in texts):
        said = folding().undialect("\n".join(texts)).split("\n")
        if len(said) == len(texts):
            return said
    return [folding().undialect(t) for t in texts]


def _best_scores(texts: Sequence[str], lookup: _Lookup) -> np.ndarray[Any, Any]:
    """For each text, the score of its highest-scoring part as :meth:`ToneModel.worst` defines it (-inf where
    no part has a feature), from the exact sums of weights in thousandths."""
    return _scores_of(_undialect_all(texts), lookup)


def _scores_of(texts: Sequence[str], lookup: _Lookup) -> np.ndarray[Any, Any]:
    """:func:`_best_scores` of texts the lexical fold has already been applied to."""
    return _summed(texts, lookup, whole=False)


def _whole_scores_of(texts: Sequence[str], lookup: _Lookup) -> np.ndarray[Any, Any]:
    """For each text (the lexical fold already applied), the sum of the weights of all its 1–3-grams over the
    square root of their number plus one, as :meth:`TurnModel.score` adds them up but for its bias: exact,
    from the weights in thousandths (0 where no gram has a weight)."""
    return _summed(texts, lookup, whole=True)


def _summed(texts: Sequence[str], lookup: _Lookup, whole: bool) -> np.ndarray[Any, Any]:
    """The scores of many texts at once: of each one's highest-scoring part (:func:`_scores_of`), or of each
    one whole (:func:`_whole_scores_of`)."""
    import numpy as np

    # a line break folds to the separator: no clause runs from one text into the next
    block = "\n".join(texts)
    codes = np.frombuffer(block.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    size = len(codes)
    bmp = np.minimum(codes, 0xFFFF)
    ids = lookup.fold[bmp].astype(np.int64)
    bar = lookup.separator[bmp]
    astral = np.flatnonzero(codes > 0xFFFF)
    if len(astral):  # beyond the BMP (rare): one by one
        folded = light_fold("".join(map(chr, codes[astral].tolist())))
        ids[astral] = [lookup.numbers.get(c, 0) for c in folded]
        bar[astral] = [c == _SEPARATOR for c in folded]
    width = len(lookup.ones)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    last = np.zeros(size + 1, dtype=bool)  # the last character of each text (and the line breaks)
    last[starts[1:] - 2] = True
    last[starts[1:] - 1] = True
    last[size - 1 :] = True
    # at each position the 1-, 2- and 3-gram that start there (none at the end of a text: worst() counts no
    # gram cut short)
    one = lookup.ones[ids].astype(np.int64)
    bigram = ids[:-1] * width + ids[1:]
    at = np.searchsorted(lookup.pairs, bigram)  # never past the end: the last key is larger than any
    known = lookup.pairs[at] == bigram
    grows = ~last[: size - 1]
    two = np.zeros_like(one)
    two[:-1][grows] = np.where(known, lookup.twos[at], 0)[grows]
    three = np.zeros_like(one)
    grows3 = grows[:-1] & ~last[1 : size - 1] & known[:-1] & lookup.begins[at[:-1]]
    where = np.flatnonzero(grows3)
    if len(where) and len(lookup.threes):
        key = bigram[where] * width + ids[where + 2]
        at = np.minimum(np.searchsorted(lookup.threes, key), len(lookup.threes) - 1)
        hit = lookup.threes[at] == key
        three[where] = np.where(hit, lookup.three_weights[at], 0)
    total = one + two + three
    count = (one != 0).astype(np.int64) + (two != 0) + (three != 0)
    sums = np.concatenate(([0], np.cumsum(total)))
    counts = np.concatenate(([0], np.cumsum(count)))
    if whole:
        ends = starts + lengths
        n_all = counts[ends] - counts[starts]
        whole_scores: np.ndarray[Any, Any] = (sums[ends] - sums[starts]) / 1000 / np.sqrt(n_all + 1)
        return whole_scores
    # the clauses: runs of anything but the separator (the line breaks between texts fold to it)
    edge = np.diff(np.concatenate(([0], (~bar).astype(np.int8), [0])))
    s = np.flatnonzero(edge == 1)
    e = np.flatnonzero(edge == -1)
    line = np.searchsorted(starts, s, side="right") - 1
    # windows of a long clause: from its start every _STEP characters, _WINDOW long (cut at its end)
    long = (e - s) > _LONG
    ls, le = s[long], e[long]
    many = (le - ls - _WINDOW + _STEP + _STEP - 1) // _STEP
    first = np.repeat(np.cumsum(many) - many, many)
    ws = np.repeat(ls, many) + _STEP * (np.arange(int(many.sum())) - first)
    we = np.minimum(np.repeat(le, many), ws + _WINDOW)
    # two neighbouring clauses of one text, short together
    pair = (line[:-1] == line[1:]) & (e[1:] - s[:-1] <= _PAIR)
    span_s = np.concatenate((s, ws, s[:-1][pair]))
    span_e = np.concatenate((e, we, e[1:][pair]))
    span_line = np.concatenate((line, np.repeat(line[long], many), line[:-1][pair]))
    n_ = counts[span_e] - counts[span_s]
    has = n_ > 0
    score = (sums[span_e][has] - sums[span_s][has]) / 1000 / np.sqrt(n_[has] + 1)
    best = np.full(len(texts), -np.inf)
    np.maximum.at(best, span_line[has], score)
    return best


def train(positive: Iterable[str], negative: Iterable[str], min_count: int = 2) -> dict[str, float]:
    """Naive Bayes log-odds of each feature seen at least ``min_count`` times (add-½ smoothing)."""
    from collections import Counter

    pos, neg = list(positive), list(negative)
    cp: Counter[str] = Counter()
    cn: Counter[str] = Counter()
    for t in pos:
        cp.update(features(t))
    for t in neg:
        cn.update(features(t))
    p, n = len(pos), len(neg)
    return {
        g: math.log((cp[g] + 0.5) / (p + 1)) - math.log((cn[g] + 0.5) / (n + 1))
        for g in sorted(set(cp) | set(cn))
        if cp[g] + cn[g] >= min_count
    }


def parts(text: str) -> list[str]:
    """The parts of ``text`` the model scores (:func:`spans`), as text."""
    a, starts, ends = heard(text)
    if starts is None or ends is None:
        return [text[s:e] for s, e in spans(a)] or [text]
    return [text[starts[s] : ends[e - 1]] for s, e in spans(a) if e > s] or [text]


def train_parts(positive: Sequence[str], negative: Sequence[str]) -> dict[str, float]:
    """The model learnt from the parts that carry the rudeness. A rude utterance is often polite but for one
    clause (您好，请坐。材料都没带齐你来干什么？), so its polite clauses would teach the model that polite words
    are rude: a first model (:func:`train` on whole texts) finds each rude text's worst part, and the final
    model learns from those parts against every part of the innocent texts (multiple-instance learning).

    The final weights are the mean of two models of those parts: naive Bayes log-odds (each feature on its
    own: what a word says when heard) and a logistic regression (:func:`logistic`: each feature in the
    company of the others, scored as the linter scores a part), scaled to the same range, capped at 3 either
    way. Measured out of fold on the tuned sets (five folds, the model alone, thresholds at the same false
    flags), the mean finds more of every rude class than naive Bayes alone (0.6–3.8 points: mixed turns
    75.4 → 79.2%, Cantonese 78.8 → 81.3%) and than the regression alone (which finds less than naive Bayes)."""
    first = ToneModel(train(positive, negative), 0.0)
    worst = []
    for text in positive:
        _score, s, e = first.worst(text)
        worst.append(text[s:e] if e > s else text)
    innocent = [p for text in negative for p in parts(text)]
    bayes = train(worst, innocent)
    # features whose log-odds is under ½ either way say little: dropped; a feature seen in a few rude texts
    # and in no innocent one gets a log-odds of 4 or more from that alone (片不 of 照片不行, 明你 of 证明你):
    # capped, so that one chance n-gram does not make a clause rude
    bayes = {g: max(-_STRONG, min(_STRONG, w)) for g, w in bayes.items() if abs(round(w, 3)) >= _WEAK}
    regression, _bias = logistic(worst, innocent)
    mean = {
        g: round(
            max(
                -_STRONG,
                min(_STRONG, 0.5 * bayes.get(g, 0.0) + 0.5 * _LOGISTIC_SCALE * regression.get(g, 0.0)),
            ),
            3,
        )
        for g in sorted(set(bayes) | set(regression))
    }
    # a weight this small moves no score across the threshold: dropped, the file stays as small as before. And
    # none for a separator alone, which says only that a part holds two clauses: its weight, a hair either side
    # of the cut, came and went from one training to the next and moved every score of two clauses with it (some
    # 40 held verdicts). It is dropped after the fit, not left out of it: the other weights were learnt beside it
    return {g: w for g, w in mean.items() if abs(w) >= _KEEP and g != _SEPARATOR}


def _grams(text: str) -> list[str]:
    """The 1–3-grams :meth:`ToneModel.worst` adds up for ``text`` as a part of a longer one (a part's last
    characters begin 2- and 3-grams that reach past it, not shorter ones counted again), in their order."""
    a = heard(text)[0]
    return [g for i in range(len(a)) for n in (1, 2, 3) if i + n <= len(a) and learnt(g := a[i : i + n])]


def logistic(
    positive: Sequence[str], negative: Sequence[str], min_count: int = 2, l2: float = _L2
) -> tuple[dict[str, float], float]:
    """Weights of a logistic regression telling ``positive`` texts from ``negative`` ones by the score the
    linter gives a part: the sum of the weights of its n-grams over the square root of their number plus one
    (features seen at least ``min_count`` times; the classes weighed equally; an L2 penalty ``l2``), and its
    bias. Full-batch Adam for a fixed number of steps from zero: the same data gives the same weights."""
    from collections import Counter

    import numpy as np

    texts = [_grams(t) for t in (*positive, *negative)]
    seen: Counter[str] = Counter()
    for gl in texts:
        seen.update(set(gl))
    vocab = {g: i for i, g in enumerate(sorted(g for g, c in seen.items() if c >= min_count))}
    rows_l: list[int] = []
    cols_l: list[int] = []
    vals_l: list[float] = []
    for r, gl in enumerate(texts):
        idx = [vocab[g] for g in gl if g in vocab]
        rows_l += [r] * len(idx)
        cols_l += idx
        vals_l += [1 / math.sqrt(len(idx) + 1)] * len(idx)
    rows, cols, vals = np.array(rows_l), np.array(cols_l), np.array(vals_l)
    n, p = len(texts), len(positive)
    y = np.zeros(n)
    y[:p] = 1.0
    weight = np.where(y == 1.0, (n - p) / max(p, 1), 1.0)
    weight /= weight.sum()
    w = np.zeros(len(vocab))
    m, v = np.zeros(len(vocab)), np.zeros(len(vocab))
    b = mb = vb = 0.0
    for step in range(1, _STEPS + 1):
        z = np.bincount(rows, weights=vals * w[cols], minlength=n) + b
        r = weight * (1.0 / (1.0 + np.exp(-z)) - y)
        g = np.bincount(cols, weights=vals * r[rows], minlength=len(w)) + 2 * l2 * w
        gb = float(r.sum())
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= _RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        mb = 0.9 * mb + 0.1 * gb
        vb = 0.999 * vb + 0.001 * gb * gb
        b -= _RATE * (mb / (1 - 0.9**step)) / (math.sqrt(vb / (1 - 0.999**step)) + 1e-8)
    return dict(zip(vocab, w.tolist())), b  # (vocab is in the order of its numbers)


def dump(model: ToneModel, header: Sequence[str]) -> str:
    lines = [f"# {h}" if h else "#" for h in header]
    lines.append(f"threshold\t{model.threshold:.4f}")
    if model.cantonese_threshold is not None:
        lines.append(f"threshold.cantonese\t{model.cantonese_threshold:.4f}")
    lines.extend(f"{g}\t{w:.3f}" for g, w in sorted(model.weights.items()))
    return "\n".join(lines) + "\n"


def parse(text: str, path: str) -> ToneModel:
    weights: dict[str, float] = {}
    threshold: float | None = None
    cantonese: float | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line.startswith("#"):
            continue
        key, tab, value = line.partition("\t")
        if not tab:
            raise CatalogueError("a tone model line is 'feature<TAB>weight'", path, number)
        if key == "threshold":
            threshold = _number(value, path, number)
        elif key == "threshold.cantonese":
            cantonese = _number(value, path, number)
        else:
            weights[key] = _number(value, path, number)
    if threshold is None:
        raise CatalogueError("the tone model has no 'threshold' line", path, 1)
    return ToneModel(weights, threshold, cantonese)


def _number(value: str, path: str, line: int) -> float:
    try:
        x = float(value)
    except ValueError:
        raise CatalogueError(f"'{value}' is not a number", path, line) from None
    if not math.isfinite(x):
        raise CatalogueError(f"'{value}' is not a finite number", path, line)
    return x


def dump_turn(model: TurnModel, header: Sequence[str]) -> str:
    lines = [f"# {h}" if h else "#" for h in header]
    lines.append(f"threshold\t{model.threshold:.4f}")
    if model.cantonese_threshold is not None:
        lines.append(f"threshold.cantonese\t{model.cantonese_threshold:.4f}")
    lines.append(f"bias\t{model.bias:.4f}")
    lines.extend(f"{g}\t{w:.3f}" for g, w in sorted(model.weights.items()))
    return "\n".join(lines) + "\n"


def parse_turn(text: str, path: str) -> TurnModel:
    found = parse(text, path)  # the same lines, one more key
    bias = found.weights.pop("bias", None)
    if bias is None:
        raise CatalogueError("the turn model has no 'bias' line", path, 1)
    return TurnModel(found.weights, bias, found.threshold, found.cantonese_threshold)


@functools.lru_cache(maxsize=4)
def load_turn(rules_dir: str | None = None) -> TurnModel | None:
    """The shipped turn model (``rules/turn.tsv``), or None where the file is absent."""
    return _load("turn", rules_dir, parse_turn)


@functools.lru_cache(maxsize=4)
def load_tone(rules_dir: str | None = None) -> ToneModel | None:
    """The shipped model (``rules/tone.tsv``), or None where the file is absent (an organisation's own
    rules directory without one)."""
    return _load("tone", rules_dir, parse)


_Model = TypeVar("_Model", ToneModel, TurnModel)


def _load(name: str, rules_dir: str | None, parser: Callable[[str, str], _Model]) -> _Model | None:
    """``rules/<name>.tsv`` of ``rules_dir`` (the built-in rules where None) parsed by ``parser``, or None where
    the file is absent. Parsed once and kept on disk, keyed by the file (decoded only to be parsed): the tone
    model's 35,000 lines took a tenth of the cold start."""
    path = (Path(rules_dir) if rules_dir else builtin_rules_dir()) / f"{name}.tsv"
    if not path.exists():
        return None
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CatalogueError(f"cannot read the {name} model: {e}", str(path)) from None

    def build() -> _Model:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise CatalogueError(f"cannot read the {name} model: {e}", str(path)) from None
        return parser(text, str(path))

    key = key_of([data, str(path), code_fingerprint()])
    model = cached(name, key, build)
    object.__setattr__(model, "_key", key)
    return model
