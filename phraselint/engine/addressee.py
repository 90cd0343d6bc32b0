"""The addressee model: whether an utterance is talk to a visitor at all, or private talk the pattern words
merely occur in.

A staff member's words at a window or on a hotline are not all said to the visitor: a colleague is told to hurry
with a report, a child on the phone is told to stop nagging, a printer is cursed, a match on television is called
a madhouse (这电脑慢死了，快点啊; 老公你有完没完; 昨天那场球赛太烦人了). The codes govern speech to the
visitor (000 七: 对来访群众…), and a pattern's words said to someone else are no breach. The context rules of
``rules/context.yml`` name the plain cases (a colleague or one of the family called by name first, a transcriber's
note, another subject before the words); this model hears the rest by what the whole utterance talks about:
pets, devices, weather, family, leisure, the speaker's own day — or the visitor's papers, queue and business.

A linear model over the character 1–3-grams of the utterance as the tone model hears it (tone.heard), with the
words any pattern matched masked (it must judge the talk around the words, not the words: 快点 is said to
visitors and colleagues alike), scored over the whole utterance: the sum of the weights of its features over the
square root of their number plus one. A logistic regression (tone.logistic), trained by
``scripts/train_tone.py`` on the development sets' tuned parts: the texts that must pass because they are said to
or of someone else (the ``thirdparty`` sets) against the rude texts of every class and the polite, chat and Taiwan
service speech. Shipped as data in ``rules/addressee.tsv``.

The linter sets a pattern's matches aside by it only where the tone model, too, does not hear the utterance as
rude (its score under its threshold): the two opinions agree that this is not rudeness to a visitor.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..data.cache import cached, code_fingerprint, key_of
from ..data.catalogue import builtin_rules_dir
from ..errors import CatalogueError
from .context import sentence_end, sentence_start
from .normalize import folding
from .tone import (
    SEPARATOR,
    ToneModel,
    _arrays_of,
    _grams,
    _Lookup,
    _milli_at,
    _undialected,
    _weights_for_now,
    dump,
    learnt,
    light_fold,
    parse,
    thousandths,
)

# what a matched word is masked with: a clause mark, which the model hears as a separator and learns nothing of
MASK = "，"
# the fewest characters besides the matched words, particles and punctuation the model must hear to judge whom
# an utterance is said to: 快点说，我很忙 (说 and 我很忙) is too little. Out of fold on the tuned parts, 6 keeps
# one more rude chat turn of the 11,081 and sets aside one third-party utterance fewer of 1,168 held
LEAST_CONTEXT = 6


def masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each of ``spans`` (start, end in ``text``) masked, one mark for each character."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = MASK * (end - start)
    return "".join(chars)


def heard_part(
    text: str, matched: Sequence[tuple[int, int]], found: Sequence[tuple[int, int]] = ()
) -> tuple[str, list[tuple[int, int]]]:
    """What the model hears of ``text`` to judge the findings at ``found`` (spans of ``text``): the sentences
    that hold them (下班了，明天再来吧。妈，我马上回家 calls the family in another sentence than the one said to
    the visitor), all of ``text`` where none are given; with the spans of ``matched`` (every match) in it."""
    lo, hi = 0, len(text)
    if found:
        lo = sentence_start(text, min(s for s, _e in found))
        hi = min(len(text), sentence_end(text, max(e for _s, e in found)) + 1)
    return text[lo:hi], [(max(s, lo) - lo, min(e, hi) - lo) for s, e in matched if s < hi and e > lo]


def enough_context(rest: str) -> bool:
    """Whether ``rest`` (a text with its matches masked) holds :data:`LEAST_CONTEXT` characters or more besides
    particles and punctuation: enough to judge whom it is said to."""
    particles = folding().particles
    return sum(1 for c in light_fold(rest) if c != SEPARATOR and c not in particles) >= LEAST_CONTEXT


@dataclass(frozen=True)
class AddresseeModel:
    weights: dict[str, float]
    # a text whose score is above this is heard as said to someone other than a visitor (the regression's bias
    # is folded in: the score is the weights' sum alone)
    threshold: float
    # the key of the model file it was read from (load_addressee): its arrays are kept on disk by it
    _key: str = dataclasses.field(default="", init=False, repr=False, compare=False)

    # pickled as the tone model is, the weights packed in one string and one array, and left packed once read
    # until they are asked for: with numpy loaded (a check of a file) the model scores with its arrays alone
    # (the 120,000 grams and weights as a dict took 8 MB: issue 13, peak memory)
    __getstate__ = ToneModel.__getstate__
    __setstate__ = ToneModel.__setstate__
    __getattr__ = ToneModel.__getattr__

    def score(self, text: str) -> float:
        """The sum of the weights of ``text``'s features over the square root of their number plus one (the
        weights taken in the order of :func:`tone._grams` and added up by ``sum`` either way: the same float)."""
        lookup = _arrays_of(self)
        if lookup is not None:
            milli = _milli_at(_undialected(text)[0], lookup).ravel()
            found = (milli[milli != 0] / 1000).tolist()
        else:
            get = self.weights.get
            found = [w for g in _grams(text) if (w := get(g)) is not None]
        return sum(found) / math.sqrt(len(found) + 1) if found else 0.0

    @functools.cached_property
    def _lookup(self) -> _Lookup | None:
        """The weights in thousandths as the tone model's arrays (tone._Lookup), kept on disk for a model read
        from a file; None where a weight is not a whole number of thousandths, or is 0, or its gram is not one
        the model learns (:func:`tone.learnt`: :func:`tone._grams` leaves those out)."""
        if self._key:
            return cached("addressee-lookup", self._key, self._build_lookup)
        return self._build_lookup()

    def _build_lookup(self) -> _Lookup | None:
        weights = _weights_for_now(self)
        milli = thousandths(weights) if all(learnt(g) for g in weights) else None
        return _Lookup.build(milli) if milli else None

    def elsewhere(self, text: str, spans: Sequence[tuple[int, int]] = ()) -> bool:
        """Whether ``text``, with the words of ``spans`` masked (the matches of the catalogue's patterns), is
        heard as said to or of someone other than a visitor; never where too little is left to hear
        (:data:`LEAST_CONTEXT`)."""
        rest = masked(text, spans)
        return enough_context(rest) and self.score(rest) > self.threshold


def dump_addressee(model: AddresseeModel, header: Sequence[str]) -> str:
    from .tone import ToneModel

    return dump(ToneModel(model.weights, model.threshold), header)


def parse_addressee(text: str, path: str) -> AddresseeModel:
    model = parse(text, path)
    if model.cantonese_threshold is not None:
        raise CatalogueError("the addressee model has one threshold, no 'threshold.cantonese'", path, 1)
    return AddresseeModel(model.weights, model.threshold)


@functools.lru_cache(maxsize=4)
def load_addressee(rules_dir: str | None = None) -> AddresseeModel | None:
    """The shipped model (``rules/addressee.tsv``), or None where the file is absent (an organisation's own
    rules directory without one: no match is then set aside by it)."""
    path = (Path(rules_dir) if rules_dir else builtin_rules_dir()) / "addressee.tsv"
    if not path.exists():
        return None
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CatalogueError(f"cannot read the addressee model: {e}", str(path)) from None
    key = key_of([data, str(path), code_fingerprint()])
    model = cached("addressee", key, lambda: parse_addressee(text, str(path)))
    object.__setattr__(model, "_key", key)
    return model
