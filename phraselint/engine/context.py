"""Context: where a phrase is quoted, reported or taught rather than said to the visitor, and what may
follow a phrase that ends a clause (rules/context.yml). Pure: values in, a verdict out.

- quotation: the words stand inside quotation marks (“…” 「…」 『…』 "…") that do not wrap the whole utterance;
- reported speech: earlier in the same sentence another person is said to speak (那位先生说他也不知道);
- talk about phrases: a word about phrases stands in the utterance (忌语, 考试题, 这句话), or a verb of
  saying is negated right before the words (不能说不知道);
- continuation: after a clause-scoped phrase, the words that make it part of a polite sentence
  (不知道您还需要什么); anything else does not save it, punctuation or none (ASR output has none).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..data.cache import cached, code_fingerprint, key_of
from ..data.catalogue import builtin_rules_dir, key_line, read_yaml
from ..errors import CatalogueError
from .normalize import Folded, fold, fold_with_map, folding_key, marked
from .pattern import BOUNDARY, Compiled, Lexicon, compile_expression, compile_pattern

SENTENCE_END = frozenset("。！？!?；;\n\r")
_SENTENCE_END_RE = re.compile("[" + re.escape("".join(sorted(SENTENCE_END))) + "]")


@functools.lru_cache(maxsize=8)
def _first_sentence_end(text: str) -> int:
    """Where the first sentence of ``text`` ends (its length where none does): asked for every match of a
    long line, found once."""
    found = _SENTENCE_END_RE.search(text)
    return found.start() if found else len(text)


# the marks that end a clause, as written (the reach of a polite word, a clause that closes on the speaker)
CLAUSE_MARKS = frozenset("，,、。！？!?；;：:…\n\r")
# how far before a match a denial of it is looked for (context.yml ``denials``), and how far into it
_DENIAL_REACH = 8
_DENIAL_INTO = 2
_REACH = 200  # how far around a phrase its context is looked for, in characters (cost stays linear)


@dataclass(frozen=True)
class Context:
    quotes: tuple[tuple[str, str], ...]
    continuation: tuple[str, ...]  # folded
    new_clause: tuple[str, ...]  # folded
    fillers: tuple[str, ...]  # folded
    reported: tuple[Compiled, ...]
    not_reported_after: tuple[str, ...]  # folded: 跟他说 is the staff member speaking
    meta_before: tuple[str, ...]  # folded
    meta: tuple[Compiled, ...]
    other_subject: tuple[Compiled, ...] = ()
    # folded: the speaker's copula (我不是): a person named right after it is what the speaker is, not a subject
    predicate_before: tuple[str, ...] = ()
    story_frame: tuple[Compiled, ...] = ()  # a clause that sets the speaker's own past
    other_opening: tuple[Compiled, ...] = ()  # a clause that opens on someone not there
    other_subject_categories: tuple[str, ...] = ()
    # a third person pointed at (那个快递员急什么), and the categories where only that counts
    pointed_subject: tuple[Compiled, ...] = ()
    pointed_subject_categories: tuple[str, ...] = ()
    self_subject: tuple[Compiled, ...] = ()
    oneself_opening: tuple[Compiled, ...] = ()
    oneself_closing: tuple[str, ...] = ()  # as written: the particles before a closing 我
    oneself_closing_speaker: tuple[str, ...] = ()  # as written, the longer first: 我自己, 我
    to_colleague: tuple[Compiled, ...] = ()
    to_familiar: tuple[Compiled, ...] = ()
    to_familiar_categories: tuple[str, ...] = ()
    to_superior: tuple[Compiled, ...] = ()
    to_colleague_then: tuple[str, ...] = ()  # folded
    to_colleague_not_then: tuple[str, ...] = ()  # as written
    to_family: tuple[str, ...] = ()  # folded
    family_greeting: tuple[str, ...] = ()  # folded: what may come before the name (喂，老公，…)
    self_subject_rules: tuple[str, ...] = ()
    help_offers: tuple[Compiled, ...] = ()
    # …whose offer may come in a later sentence (not sure, then find out)
    help_later_rules: tuple[str, ...] = ()
    # the visitor's words restated earlier in the sentence (您说…, 您问…是不是…), to be denied right after
    restated: tuple[Compiled, ...] = ()
    restated_denials: tuple[str, ...] = ()  # folded: what opens the clause that denies them (不是, 完全不是)
    restated_rules: tuple[str, ...] = ()  # …for these rules' matches: what visitors accuse staff of
    # …a count of sayings these rules match, counting the words quoted right after it (quotation_follows)
    counted_rules: tuple[str, ...] = ()
    denials: tuple[str, ...] = ()  # as written: reassurance that denies what follows (别担心您…, 谁说您…)
    denied_categories: tuple[str, ...] = ()  # …for these categories' matches
    not_reported_before: tuple[str, ...] = ()
    cantonese: tuple[str, ...] = ()  # as written (script folded only)
    polite: tuple[str, ...] = ()  # as written: words that keep the tone model silent in their sentence
    empathy: tuple[str, ...] = ()  # as written: sympathy that keeps the tone model silent in its sentence
    courtesy: tuple[str, ...] = ()  # as written: those of them that are only courtesy (谢谢, 祝您)
    affirmation: tuple[str, ...] = ()  # as written: an affirmative answer (对, 没错) as a first clause
    affirmation_openers: tuple[str, ...] = ()  # …after one of these or none
    affirmation_particles: tuple[str, ...] = ()  # …before these
    retraction: tuple[str, ...] = ()  # as written: a clause closing on these takes back its words
    retraction_denials: tuple[str, ...] = ()  # …unless after one of these (不是我的错)
    minimizers: tuple[str, ...] = ()  # as written: the matter called small (小事一桩), as reassurance…
    minimizer_openers: tuple[str, ...] = ()  # …after these or none (就您这点小事)
    minimizer_particles: tuple[str, ...] = ()  # …before these or none (小事一桩嘛)
    care: tuple[str, ...] = ()  # as written: care for the visitor, which counts anywhere in the sentence
    care_categories: tuple[str, ...] = ()  # …and excuses these categories' matches where the tone is innocent
    help_categories: tuple[str, ...] = ()  # …and an offer of help after one, these categories' (help_offers)
    polite_address: tuple[str, ...] = ()  # as written: …only within the words it hears
    visitor_address: tuple[str, ...] = ()  # as written: the visitor is spoken to (the addressee model's gate)
    visitor_vocatives: tuple[str, ...] = ()  # as written: …and so by a turn that opens calling the visitor so
    visitor_vocative_openers: tuple[str, ...] = ()  # as written: …after one of these interjections
    visitor_vocative_then: tuple[str, ...] = ()  # as written: …and followed by a boundary or one of these
    meta_not: tuple[Compiled, ...] = ()  # words of meta that say what the speaker says, not talk of phrases
    address: tuple[str, ...] = ()  # folded: all that follows in the clause, an address, not a continuation
    # a transcriber's note that says the words are said to someone else, or by the visitor: folded
    note_others: tuple[str, ...] = ()
    note_speakers: tuple[str, ...] = ()
    # folded: talk of a game, a show, the road, a night out…, not to a visitor
    elsewhere_topics: tuple[str, ...] = ()
    # a reply of marks alone (？？？, 。。。, 呵呵, an eye-roll): as written, white space aside
    bare_signals: tuple[str, ...] = ()
    bare_with: tuple[str, ...] = ()

    def bare_reply(self, text: str) -> tuple[int, int] | None:
        """Where ``text`` is a reply of marks alone (？？？, 。。。, 呵呵。, 哦。。。, 🙄): the span from its first to its
        last mark, or None. Such a reply is made only of ``bare_signals`` and ``bare_with`` (read longest
        first) and holds at least one signal: 哦。 or a lone 嗯 is an ordinary acknowledgement, 嗯？？ is not."""
        stripped = text.strip()
        if not stripped or len(stripped) > _BARE_LONGEST or not self.bare_signals:
            return None
        marks = _bare_marks(self.bare_signals, self.bare_with)
        i, signal = 0, False
        while i < len(stripped):
            if stripped[i].isspace():
                i += 1
                continue
            for mark, is_signal in marks:
                if stripped.startswith(mark, i):
                    i += len(mark)
                    signal = signal or is_signal
                    break
            else:
                return None
        if not signal:
            return None
        start = len(text) - len(text.lstrip())
        return start, start + len(stripped)

    def is_cantonese(self, text: str) -> bool:
        return self._cantonese_words is not None and self._cantonese_words.search(text) is not None

    @functools.cached_property
    def _cantonese_words(self) -> re.Pattern[str] | None:
        """One expression for the Cantonese words, built once (asked of every match of a text: one search, not a
        search for each word)."""
        if not self.cantonese:
            return None
        return re.compile(_either(self.cantonese))

    def affirms(self, text: str, begin: int) -> bool:
        """Whether the first clause of ``text`` is an affirmative answer (``affirmation``: 对, 没错, 欸對對對) and
        the clause that starts at ``begin`` is the one right after it."""
        if self._affirmation is None:
            return False
        end = _clause_end(text, 0)
        if end >= begin or any(c not in CLAUSE_MARKS and not c.isspace() for c in text[end:begin]):
            return False
        return self._affirmation.fullmatch(text[:end].strip()) is not None

    @functools.cached_property
    def _affirmation(self) -> re.Pattern[str] | None:
        """An affirmative first clause, as written: an opener or none, the answer once or more (对对对), then
        particles."""
        if not self.affirmation:
            return None

        openers = f"(?:{_either(self.affirmation_openers)})?" if self.affirmation_openers else ""
        particles = f"(?:{_either(self.affirmation_particles)})*" if self.affirmation_particles else ""
        return re.compile(f"{openers}\\s*(?:(?:{_either(self.affirmation)})\\s*)+{particles}")

    def reassures(self, text: str, begin: int, end: int) -> bool:
        """Whether the part ``text[begin:end]`` lies in a clause (starting at ``begin``) that only calls the
        matter small (``minimizers`` after ``minimizer_openers`` or none, then ``minimizer_particles``: 就您这点小事,
        小事一樁嘛) and the very next clause offers help (``help_offers``: 我马上帮您办好): reassurance, not the
        belittling the same words make on their own (就您这点小事，还值得跑一趟), with more in the clause (这点小事都
        不会) or with the offer only later (就您这点小事，还值得跑一趟，我帮您办吧). Never in speech without
        punctuation, where the clause cannot be told."""
        if self._minimizer is None:
            return False
        close = _clause_end(text, begin)
        if end > close or close >= len(text) or self._minimizer.fullmatch(text[begin:close].strip()) is None:
            return False
        after = close + 1
        while after < len(text) and text[after] in CLAUSE_MARKS:
            after += 1
        stop = _clause_end(text, after)
        return stop > after and self.help_follows(fold_with_map(text[after:stop]), 0)

    @functools.cached_property
    def _minimizer(self) -> re.Pattern[str] | None:
        """A clause that only calls the matter small, as written: openers or none, a minimizer, particles."""
        if not self.minimizers:
            return None
        openers = f"(?:{_either(self.minimizer_openers)}|\\s)*" if self.minimizer_openers else ""
        particles = f"(?:{_either(self.minimizer_particles)}|\\s)*" if self.minimizer_particles else ""
        return re.compile(f"{openers}(?:{_either(self.minimizers)}){particles}")

    def help_follows(self, folded: Folded, end: int, stop: int | None = None) -> bool:
        """Whether the staff member offers help after the words (我不清楚，我帮您问问): the codes' own way of
        answering what one does not know (首问负责), not a brush-off. ``stop``, where given: a position in the
        original text the offer must end by (the end of the sentence)."""
        if not self.help_offers:
            return False
        limit = min(len(folded.text), end + _REACH)
        if stop is not None:  # (the folded characters' ends rise: a search, not a walk)
            limit = bisect.bisect_right(folded.ends, stop, end, limit)
        after = _slice(folded, end, limit)
        return _any_matches(self._help_run, self.help_offers, after)

    @functools.cached_property
    def _help_run(self) -> Callable[[str], list[tuple[int, int]]] | None:
        """The patterns of ``help_offers`` as one alternation (it matches where any of them does: one run
        instead of one for each); None where it cannot be compiled (each is then run on its own)."""
        return _one_alternation(self.help_offers)

    def about_someone_else(self, folded: Folded, start: int, text: str) -> bool:
        """Whether the clause's subject right before ``start`` is another person (保安也不知道), or the clause
        before it set the speaker's own past (我刚入职那会儿，什么都不清楚): a story, not the answer."""
        return _subject_before(
            folded, start, self.other_subject + self.pointed_subject, self.predicate_before
        ) or self.in_a_story(folded, start, text)

    def in_a_story(self, folded: Folded, start: int, text: str) -> bool:
        """Whether the clause before that of ``start``, in its sentence (of ``text``), set the speaker's own past
        or told of someone not there (我跟快递员说了半天地址，他还是送错了，真没办法)."""
        begin = folded.clause_start(start)
        if not self.story_frame or begin == 0:
            return False
        if any(
            c in SENTENCE_END
            for c in text[folded.span(begin - 1, begin)[1] : folded.span(begin, begin + 1)[0]]
        ):
            return False  # …他今天上午门诊。我怎么知道他几点到: a new sentence, said to the visitor
        before = folded.text[folded.clause_start(begin - 1) : begin]
        return any(e == len(before) for c in self.story_frame for _s, e in c.run(before))

    def pointed_at_someone_else(self, folded: Folded, start: int) -> bool:
        """Whether the clause's subject right before ``start`` is another person pointed at (那个快递员急什么):
        not the visitor, and not a kind of people the visitor may be one of (家长就是事多)."""
        return _subject_before(folded, start, self.pointed_subject, self.predicate_before)

    def to_a_colleague(self, text: str, start: int) -> bool:
        """Whether the words at ``start`` (of ``text``) are in a sentence that calls a colleague by name
        (小王，… / 老李你… / …，小冯。, not 您)."""
        return self._calls_in_sentence(text, start, self.to_colleague, self.visitor_address)

    def to_a_familiar(self, text: str, start: int) -> bool:
        """Whether the words at ``start`` (of ``text``) are in a sentence that calls someone by 老 and a surname
        (老李，快点…), as :meth:`to_a_colleague` (a colleague, or an older visitor: the caller asks which rule)."""
        return self._calls_in_sentence(text, start, self.to_familiar, self.visitor_address)

    def addresses_visitor(self, text: str) -> bool:
        """Whether the utterance speaks to the visitor in its words: it says one of ``visitor_address`` (您), or
        opens, after white space, marks and an interjection, by calling the visitor by a role only visitors hold
        (``visitor_vocatives``: 家长你别在这儿闹; 亲，…) followed by a clause boundary or 你."""
        if any(w in text for w in self.visitor_address):
            return True
        if not self.visitor_vocatives:
            return False
        rest = _lstrip_marks(text)
        opener = next((w for w in self.visitor_vocative_openers if rest.startswith(w)), None)
        if opener is not None:  # (longest first, as context.yml lists them)
            rest = _lstrip_marks(rest[len(opener) :])
        for word in self.visitor_vocatives:
            if rest.startswith(word):
                after = rest[len(word) : len(word) + 1]
                if after in self.visitor_vocative_then or (after and not after.isalnum()):
                    return True
        return False

    def denied(self, text: str, start: int) -> bool:
        """Whether the words at ``start`` (of ``text``) follow, in their clause and within :data:`_DENIAL_REACH`
        characters, a reassurance that denies them (别担心您没口福; 千万别觉得你的问题太低级; 谁说您没口福？): a
        denial word ending before the words or within their first :data:`_DENIAL_INTO` characters."""
        if not self.denials:
            return False
        begin = start
        while begin > 0 and text[begin - 1] not in CLAUSE_MARKS and start - begin < _DENIAL_REACH:
            begin -= 1
        before = text[begin : start + _DENIAL_INTO]
        return any(w in before for w in self.denials)

    def to_a_superior(self, text: str, start: int) -> bool:
        """Whether the words at ``start`` (of ``text``) are in a sentence that calls one's superior by title
        (科长，这个政策我也不清楚; 王主任，系统又坏了, not 王主任您…): not said to a visitor."""
        return self._calls_in_sentence(text, start, self.to_superior, ())

    def _calls_in_sentence(
        self, text: str, start: int, calls: tuple[Compiled, ...], not_said: tuple[str, ...]
    ) -> bool:
        """Whether the sentence of ``text[start]`` calls someone by one of ``calls``: opening one of its clauses,
        followed by a clause boundary or one of to_colleague_then but not to_colleague_not_then (小王，… /
        …，小张你跑两步, not 老李您…), or closing it after a clause (…交接本要签名，小冯。); and says none of
        ``not_said`` (a colleague is not called 您: a sentence that says it turns to the visitor). Where
        ``not_said`` is given, a later sentence of a turn whose first sentence calls someone so counts too, if
        the turn says none of it (小赵，你那份材料放哪了？我怎么找不着。), as for one of the family."""
        if not calls:
            return False
        lo = sentence_start(text, start)
        sentence = text[lo : sentence_end(text, start)]
        if any(w in sentence for w in not_said):
            return False
        if _calls(sentence, calls, self.to_colleague_then, self.to_colleague_not_then):
            return True
        return (
            bool(not_said)
            and lo > 0
            and not any(w in text for w in not_said)
            and _calls(text[: _first_sentence_end(text)], calls, self.to_colleague_then, (), True)
        )

    def on_another_topic(self, folded_text: str) -> bool:
        """Whether ``folded_text`` (an utterance's fold) names one of rules/context.yml's ``elsewhere_topics``: a
        game being watched or played, a show, the road being driven, a night out (裁判眼瞎了吧; 这剧情也太假了;
        前面那辆车有病吧，不打灯就变道; 方案明天再改吧，走，撸串去): said of it, to whoever shares it with the
        speaker, not to a visitor, whatever its kind."""
        return any(w in folded_text for w in self.elsewhere_topics)

    def noted_as_not_to_the_visitor(self, text: str) -> bool:
        """Whether a transcriber's note opening or closing ``text`` says its words are said to someone else
        (（对同事）你先下班吧; 收工前記得熄燈呀。（同事之間）) or by the visitor (（民众）): not staff speech to the
        visitor, whatever its kind. A note that says they are said to the visitor (（对来访者）) does not."""
        if not (self.note_others or self.note_speakers):
            return False
        return any(
            any(w in said for w in self.note_others) or said in self.note_speakers for said in _notes(text)
        )

    def to_the_family(self, folded: Folded, text: str, start: int) -> bool:
        """Whether the words at ``start`` (of ``text``) are in a turn that opens by calling one of the family
        (老婆，我下班了…; 老公，醋呢？你听不懂吗): what one says at home is not said to a visitor, whatever its kind.
        Past the first sentence only where no 您 is said (the visitor may be turned to)."""
        if not self.to_family:
            return False
        aside = _ASIDE.match(text)  # a transcriber's note first: （对着电话）喂，老公，…
        if aside and start >= aside.end():
            rest = text[aside.end() :]
            return self.to_the_family(fold_with_map(rest), rest, start - aside.end())
        # 老公，我晚点回。您好，…: a later sentence may turn to the visitor, who is called 您
        if _first_sentence_end(text) < start and any(w in text for w in self.visitor_address):
            return False
        mtext, _index = marked(folded, BOUNDARY)
        for greeting in self.family_greeting:  # 喂，老公，… (a call answered or made): the name after it
            if mtext.startswith(greeting):
                mtext = mtext[len(greeting) :].lstrip(BOUNDARY)
                break
        if not mtext.startswith(self.to_family):  # (nearly every turn: one test, not one for each word)
            return False
        return any(
            mtext.startswith(w) and mtext[len(w) :].startswith((BOUNDARY, *self.to_colleague_then))
            for w in self.to_family
        )

    def opens_on_someone_else(self, folded: Folded, start: int) -> bool:
        """Whether the clause of ``start`` opens with another person as its subject (我爸也不会用，怎么办呀):
        what the tone model hears there is said of them."""
        clause = folded.text[folded.clause_start(start) :]
        return any(s == 0 for c in self.other_opening for s, _e in c.run(clause))

    def opens_on_oneself(self, folded: Folded, start: int) -> bool:
        """Whether the clause of ``start`` opens with the speaker as its subject (我这字写得跟鸡爪子似的)."""
        clause = folded.text[folded.clause_start(start) :]
        return any(s == 0 for c in self.oneself_opening for s, _e in c.run(clause))

    def about_oneself(self, folded: Folded, start: int) -> bool:
        """Whether the clause's subject right before ``start`` is the speaker (我这个人记性真差)."""
        return _subject_before(folded, start, self.self_subject + self.oneself_opening)

    def closes_on_oneself(self, text: str, start: int) -> bool:
        """Whether the clause of ``text[start]`` ends on a particle and the speaker, with nobody spoken to in it
        (笨死了我, 神经病啊我, 有病吧我: spoken word order puts the subject last, after a particle; not 有病吧你,
        nor 别烦我, where 我 is the object)."""
        if not self.oneself_closing:
            return False
        end = _clause_end(text, start)
        begin = start
        while begin > 0 and text[begin - 1] not in CLAUSE_MARKS:
            begin -= 1
        clause = text[begin:end].rstrip()
        for me in self.oneself_closing_speaker:
            if clause.endswith(me):
                rest = clause[: -len(me)].rstrip()
                return rest.endswith(self.oneself_closing) and not any(w in fold(rest) for w in self.address)
        return False

    def retracts(self, text: str, start: int) -> bool:
        """Whether the clause of ``text[start]`` closes on the speaker taking back what it says (``retraction``:
        没空搭理你这种事是我说错了), particles after it aside."""
        if not self.retraction:
            return False
        clause = text[start : _clause_end(text, start)].rstrip()
        while not clause.endswith(self.retraction):
            if not clause.endswith(self.oneself_closing):
                return False
            clause = clause[:-1].rstrip()
        # …not a denial (这又不是我的错，你去找寄件的人)
        said = next(r for r in self.retraction if clause.endswith(r))
        return not clause[: -len(said)].endswith(self.retraction_denials)

    def polite_continuation(
        self, folded: Folded, end: int, extra: Sequence[str] = (), text: str | None = None
    ) -> bool:
        """Whether the words after ``end`` (in its clause) make the phrase part of a longer, polite sentence
        rather than a clause of its own followed by another (which ASR output writes without punctuation).
        ``text``, the original of ``folded`` where given: a word of address that ends the clause at a pause
        (不知道您 嗯 带身份证了没有) is followed past the pause, as :meth:`polite_after_pause` follows it."""
        stop = folded.clause_end(end)
        after = folded.text[end:stop]
        if after in self.address:
            # 不知道呢亲: the visitor addressed after the phrase, which ends there; unless only a pause follows
            return text is not None and self.polite_after_pause(folded, stop, text, after)
        if any(after.startswith(x) for x in (*self.continuation, *extra)):
            return True
        after = self._without_fillers(after)
        return not (not after or any(after.startswith(x) for x in self.new_clause))

    def polite_after_pause(self, folded: Folded, end: int, text: str, said: str = "") -> bool:
        """Whether a clause-scoped phrase ending at folded ``end``, where a pause (white space and no mark:
        ASR output) ends its clause, is continued past the pause by a polite sentence (不知道 呃 您还需要办别的吗;
        您好 不知道 那个 您是要办哪个业务): clauses of fillers alone are passed over, and what follows must open
        as ``continuation`` says, a bare 你 not enough (不知道 你问前台吧 is a brush-off and a new sentence).
        ``said``: the words of the clause already read after the phrase (a word of address)."""
        after = said
        for _clause in range(4):  # (a few pauses of fillers at most)
            if end >= len(folded.text) or not _paused(folded, end, text):
                return False
            stop = folded.clause_end(end + 1)
            after += self._without_fillers(folded.text[end:stop])
            if after and after not in self.address:
                return any(after.startswith(x) for x in self._continuation_after_pause)
            end = stop
        return False

    @functools.cached_property
    def _continuation_after_pause(self) -> tuple[str, ...]:
        """``continuation`` without a bare word of address: after a pause it must say more than 您."""
        return tuple(x for x in self.continuation if x not in self.address)

    def _without_fillers(self, words: str) -> str:
        """``words`` without the ASR fillers that open them (那个, 就是…)."""
        stripped = True
        while stripped:
            stripped = False
            for filler in self.fillers:
                if words.startswith(filler):
                    words, stripped = words[len(filler) :], True
        return words

    @functools.cached_property
    def quote_marks(self) -> frozenset[str]:
        """Every character of the quotation marks (``quotes``), opening and closing."""
        return frozenset(c for pair in self.quotes for c in pair)

    def quoted(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` stands inside quotation marks that do not wrap the whole utterance."""
        marks = self.quote_marks
        spans = _quote_spans(text, self.quotes)
        inside = [i for i in range(start + 1, end) if text[i] in marks]
        if inside:
            # the words run into or out of a quotation (坐席说“不清楚”)… unless they wrap it whole, the
            # visitor's words quoted to be answered (您所说的“服务员翻白眼”纯属臆想): then their own words are said
            enclosed = {i for lo, hi in spans if start < lo and hi < end for i in (lo, hi)}
            return not enclosed.issuperset(inside) or any(lo < start < hi for lo, hi in spans)
        for lo, hi in spans:
            if lo < start < hi:
                return _words_outside(text, lo, hi)
        return False

    def quotes_near(self, text: str, start: int, end: int) -> bool:
        """Whether a quotation mark stands in the sentence of ``text[start:end]`` or the one before it, or the
        part is inside a quotation opened earlier (an odd number of marks before it): where the tone model
        cannot tell whose words it hears. A mark further off sets apart words of another sentence (补发的证书上
        会注明「补发」字样。离了又结结了又离的，这回自己保管好吧: the last sentence is the staff member's own)."""
        marks = self.quote_marks
        begin = sentence_start(text, start)
        if begin > 0:
            begin = sentence_start(text, begin - 1)
        stop = sentence_end(text, max(start, end - 1))
        if any(c in marks for c in text[begin : stop + 1]):
            return True
        return sum(c in marks for c in text[:begin]) % 2 == 1

    def quotation_follows(self, text: str, end: int) -> bool:
        """Whether a quotation opens right after ``text[:end]`` (说了三次“这不归我们管”), in a sentence whose fold
        addresses no one (``address``: 你, 您, 亲 all fold to it): what ends there counts the words quoted. (Not
        跟你说了三遍“带身份证”，你还是没带, said to the visitor; nor after a colon: 说了三遍：“带身份证”, the words
        restated to them.)"""
        at = end
        while at < len(text) and text[at] in _BEFORE_QUOTATION:
            at += 1
        if at >= len(text) or not any(text[at] == opening for opening, _closing in self.quotes):
            return False
        said = text[sentence_start(text, end - 1) : sentence_end(text, at)]
        return not any(w in fold(said) for w in self.address)

    def scare_quoted(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` ends with the whole of a short quotation that opens inside it (您的“宝贵”
        of 您的“宝贵”意见): marks around a word said of the visitor, to say it is not meant (the scope
        ``quoted``)."""
        for lo, hi in _quote_spans(text, self.quotes):
            if start < lo < end <= hi and not text[end:hi].strip() and hi - lo - 1 <= SCARE_QUOTE_LONGEST:
                return True
        return False

    def quoted_around(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` and the quotation it ends in stand inside a further quotation that does
        not wrap the whole utterance (培训时讲过，不能说“感谢您的‘宝贵’意见”这种反话): scare quotes quoted."""
        spans = _quote_spans(text, self.quotes)
        for lo, hi in spans:
            if (
                lo < start
                and hi > end
                and any(lo < lo2 and hi2 < hi for lo2, hi2 in spans if start < lo2 < end)
            ):
                return _words_outside(text, lo, hi)
        return False

    def reported_speech(self, text: str, folded: Folded, start: int, original_start: int) -> bool:
        """Whether another person is said to speak earlier in the sentence of folded position ``start``."""
        return self._said_before(self.reported, text, folded, start, original_start)

    def restated_to_deny(self, text: str, folded: Folded, start: int, end: int, original_start: int) -> bool:
        """Whether the words at folded ``start:end`` restate what the visitor said or asked, earlier in the
        sentence (``restated``: 您说楼上漏水我们不管; 您问我们是不是故意拖着不办), and the next clause opens by
        denying it (``restated_denials``: 不是不管，是…; 完全不是): the staff member answers an accusation."""
        if not self.restated or not self.restated_denials:
            return False
        words = folded.text
        after = folded.clause_end(end)  # (where the next clause opens, if one does within reach)
        if (
            after >= len(words)
            or not folded.boundary[after]
            or not words.startswith(self.restated_denials, after)
        ):
            return False
        return self._said_before(self.restated, text, folded, start, original_start)

    def _said_before(
        self, patterns: Sequence[Compiled], text: str, folded: Folded, start: int, original_start: int
    ) -> bool:
        """Whether one of ``patterns`` (a speaker and a verb of saying) matches earlier in the sentence of folded
        position ``start``, not after ``not_reported_after`` (我跟他说) nor before ``not_reported_before``."""
        sentence = sentence_start(text, original_start, original_start - _REACH)
        lo = max(0, start - _REACH)
        while lo < start and folded.starts[lo] < sentence:
            lo += 1
        if lo >= start:
            return False
        window = _slice(folded, lo, start)
        for compiled in patterns:
            # a match is the longest (他说这个问 of 他说这个问题): where its verb is part of another word,
            # the words before that verb are tried again (他说)
            end = len(window)
            for _try in range(4):
                retry = 0
                for s, e in compiled.run(window[:end]):
                    before = window[:s].replace(BOUNDARY, "")
                    if window[e:].startswith(self.not_reported_before):
                        retry = max(retry, e - 1)
                    elif not before.endswith(self.not_reported_after):
                        return True
                if not retry:
                    break
                end = retry
        return False

    def about_phrases(self, folded: Folded, start: int, text: str) -> bool:
        """Whether the utterance talks about phrases (training, rules) rather than saying them."""
        clause = folded.clause_start(start)
        before = folded.text[clause:start]
        if (
            not before
            and clause > 0
            and any(
                c in _COLONS or c in self.quote_marks
                for c in text[folded.ends[clause - 1] : folded.starts[start]]
            )
        ):
            # 禁止说：马上下班了 — the verb ends the clause before, introducing the words (a colon or a quotation
            # mark: 唔好講，攞張表自己填啦 is "don't talk, take a form and fill it in yourself")
            before = folded.text[folded.clause_start(clause - 1) : start]
        if before.endswith(self.meta_before):
            return True
        mtext, index = marked(folded, BOUNDARY)
        if len(mtext) > 2 * _REACH:  # a long text: the talk about phrases must stand near the words
            at = bisect.bisect_left(index, start)  # (index rises: a search, not a walk, per match)
            mtext = mtext[max(0, at - _REACH) : at + _REACH]
        return self.talks_about_phrases(mtext)

    def talks_about_phrases(self, mtext: str) -> bool:
        """Whether a pattern of ``meta`` matches the marked text ``mtext``: one expression for them all, where
        none of ``meta_not`` holds the words (领导来了也是这句话: the speaker's own words, not talk of phrases)."""
        if not _any_matches(self._meta_run, self.meta, mtext):
            return False  # (nearly every text: meta_not is run only where meta matched)
        blanked = mtext
        for compiled in self.meta_not:
            for s, e in compiled.run(mtext):
                blanked = blanked[:s] + _BLANK * (e - s) + blanked[e:]
        return blanked is mtext or _any_matches(self._meta_run, self.meta, blanked)

    @functools.cached_property
    def _meta_run(self) -> Callable[[str], list[tuple[int, int]]] | None:
        """The patterns of ``meta`` as one alternation (it matches where any of them does); None where it
        cannot be compiled (each is then run on its own)."""
        return _one_alternation(self.meta)


_BLANK = "\x01"  # stands for words set aside (meta_not): no pattern's word
_MARKS = re.compile(r"[\W_]*")  # white space and marks (and _), as \W reads them


def _lstrip_marks(text: str) -> str:
    """``text`` without the white space and marks it opens on."""
    return text[_MARKS.match(text).end() :]  # type: ignore[union-attr]


# a colon between a verb of saying and the words it introduces (禁止说：马上下班了), as a quotation mark is
_COLONS = frozenset(":：")


def _any_matches(
    run: Callable[[str], list[tuple[int, int]]] | None, patterns: Sequence[Compiled], text: str
) -> bool:
    """Whether any of ``patterns`` matches ``text``: by their one alternation ``run`` where it compiled, else one
    by one."""
    if run is None:
        return any(compiled.run(text) for compiled in patterns)
    return bool(run(text))


def _one_alternation(patterns: Sequence[Compiled]) -> Callable[[str], list[tuple[int, int]]] | None:
    """``patterns`` as one expression that matches where any of them does; None where there are none or it
    cannot be compiled."""
    if not patterns:
        return None
    try:
        return compile_expression("|".join(f"(?:{c.expression})" for c in patterns))
    except Exception:  # noqa: BLE001 - too large for one expression: run them one by one
        return None


# a transcriber's note in brackets (（对着电话）, (笑), 【转接】), and one at the start of an utterance
_NOTE = re.compile(r"[（(【\[]([^）)】\]]{1,20})[）)】\]]")
_ASIDE = re.compile(r"\s*" + _NOTE.pattern + r"\s*")


@functools.lru_cache(maxsize=8)
def _notes(text: str) -> tuple[str, ...]:
    """What the notes in brackets that open or close ``text`` say (（对同事）…; …（同事间）), folded: asked for
    every match in the text, worked out once."""
    out: list[str] = []
    stripped = text.strip()
    first = _NOTE.match(stripped)
    if first:
        out.append(first.group(1))
    last = _NOTE.search(stripped, max(0, len(stripped) - 24))
    if (
        last
        and last.end() == len(stripped.rstrip("。.！!？?"))
        and (not first or last.start() != first.start())
    ):
        out.append(last.group(1))
    return tuple(fold_with_map(note).text for note in out)


def _slice(folded: Folded, lo: int, hi: int) -> str:
    out = []
    for i in range(lo, hi):
        if i > lo and folded.boundary[i]:
            out.append(BOUNDARY)
        out.append(folded.text[i])
    return "".join(out)


# the longest quotation the scope ``quoted`` takes for scare quotes (专业, 五星好评, 一片好心): a longer one
# quotes somebody's words
SCARE_QUOTE_LONGEST = 6


def _words_outside(text: str, lo: int, hi: int) -> bool:
    """Whether words stand outside the quotation of marks ``lo`` and ``hi``: it does not wrap the whole
    utterance (marks round all that is said quote nobody)."""
    return bool((text[:lo] + text[hi + 1 :]).strip(" \t\r\n,.!?;:，。！？；：、…"))


@functools.lru_cache(maxsize=16)
def _quote_spans(text: str, pairs: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """The spans (opening mark, closing mark) of the quotations in ``text``; straight quotes pair in turn."""
    spans: list[tuple[int, int]] = []
    closing = {o: c for o, c in pairs}
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == stack[-1][0]:
            _, lo = stack.pop()
            spans.append((lo, i))
        elif ch in closing:
            stack.append((closing[ch], i))
    return spans


@functools.lru_cache(maxsize=8)
def load_context(lexicon: Lexicon, rules_dir: str | None = None) -> Context:
    """The context of ``rules_dir`` (context.yml), its patterns compiled over ``lexicon``: once, and kept on
    disk (compiling them took a twentieth of the cold start), keyed by the file, the lexicon, the fold and
    the code. A broken file raises its error as it is read, and nothing is kept."""
    path = Path(rules_dir) if rules_dir else builtin_rules_dir()
    key = key_of(
        [
            (path / "context.yml").read_bytes(),
            repr(sorted(lexicon.classes.items())),
            repr(lexicon.fillers),
            folding_key(),
            code_fingerprint(),
        ]
    )
    return cached("context", key, lambda: _build_context(lexicon, path))


def _build_context(lexicon: Lexicon, path: Path) -> Context:
    from .lexicon import pattern_fold

    file = str(path / "context.yml")
    data = read_yaml(file)

    def strings(key: str) -> list[str]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise CatalogueError(f"'{key}' must be a list of strings", file, key_line(data, key))
        return value

    def where(message: str) -> CatalogueError:
        return CatalogueError(message, file)

    def folded(key: str) -> tuple[str, ...]:
        return tuple(f for f in (pattern_fold(w).replace(BOUNDARY, "") for w in strings(key)) if f)

    quotes = []
    for pair in strings("quotes"):
        if len(pair) != 2:
            raise CatalogueError(f"quotes: '{pair}' must be an opening and a closing mark", file)
        quotes.append((pair[0], pair[1]))
    return Context(
        tuple(quotes),
        folded("continuation"),
        folded("new_clause"),
        lexicon.fillers,
        tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("reported")
        ),
        folded("not_reported_after"),
        folded("meta_before"),
        tuple(compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("meta")),
        other_subject=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False)
            for p in strings("other_subject")
        ),
        other_subject_categories=tuple(strings("other_subject_categories")),
        predicate_before=folded("predicate_before"),
        story_frame=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("story_frame")
        ),
        other_opening=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False)
            for p in strings("other_opening")
        ),
        pointed_subject=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False)
            for p in strings("pointed_subject")
        ),
        pointed_subject_categories=tuple(strings("pointed_subject_categories")),
        self_subject=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False)
            for p in strings("self_subject")
        ),
        oneself_opening=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False)
            for p in strings("oneself_opening")
        ),
        oneself_closing=tuple(strings("oneself_closing")),
        oneself_closing_speaker=tuple(sorted(strings("oneself_closing_speaker"), key=len, reverse=True)),
        self_subject_rules=tuple(strings("self_subject_rules")),
        to_colleague=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False)
            for p in strings("to_colleague")
        ),
        to_familiar=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("to_familiar")
        ),
        to_familiar_categories=tuple(strings("to_familiar_categories")),
        to_superior=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("to_superior")
        ),
        to_colleague_then=folded("to_colleague_then"),
        to_family=folded("to_family") + folded("to_others"),
        family_greeting=folded("family_greeting"),
        to_colleague_not_then=tuple(strings("to_colleague_not_then")),
        help_offers=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("help_offers")
        ),
        help_later_rules=tuple(strings("help_later_rules")),
        restated=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("restated")
        ),
        restated_denials=folded("restated_denials"),
        restated_rules=tuple(strings("restated_rules")),
        counted_rules=tuple(strings("counted_rules")),
        denials=tuple(strings("denials")),
        denied_categories=tuple(strings("denied_categories")),
        not_reported_before=folded("not_reported_before"),
        cantonese=tuple(strings("cantonese")),
        polite=tuple(strings("polite")),
        courtesy=tuple(strings("courtesy")),
        affirmation=tuple(strings("affirmation")),
        affirmation_openers=tuple(strings("affirmation_openers")),
        affirmation_particles=tuple(strings("affirmation_particles")),
        retraction=tuple(strings("retraction")),
        retraction_denials=tuple(strings("retraction_denials")),
        minimizers=tuple(strings("minimizers")),
        minimizer_openers=tuple(strings("minimizer_openers")),
        minimizer_particles=tuple(strings("minimizer_particles")),
        empathy=tuple(strings("empathy")),
        care=tuple(strings("care")),
        care_categories=tuple(strings("care_categories")),
        help_categories=tuple(strings("help_categories")),
        polite_address=tuple(strings("polite_address")),
        visitor_address=tuple(strings("visitor_address")),
        visitor_vocatives=tuple(strings("visitor_vocatives")),
        visitor_vocative_openers=tuple(strings("visitor_vocative_openers")),
        visitor_vocative_then=tuple(strings("visitor_vocative_then")),
        meta_not=tuple(
            compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in strings("meta_not")
        ),
        address=folded("address"),
        note_others=folded("note_others"),
        note_speakers=folded("note_speakers"),
        elsewhere_topics=folded("elsewhere_topics"),
        bare_signals=tuple(strings("bare_signals")),
        bare_with=tuple(strings("bare_with")),
    )


_BARE_LONGEST = 24  # a longer text is not a bare reply, whatever it holds


def _clause_end(text: str, at: int) -> int:
    """Where the clause of ``text[at]`` ends: the index of the first clause mark from ``at`` on, or the length of
    ``text``."""
    return next((i for i in range(at, len(text)) if text[i] in CLAUSE_MARKS), len(text))


def _paused(folded: Folded, k: int, text: str) -> bool:
    """Whether the clause boundary before folded character ``k`` is a pause only: white space (no line break)
    and characters the fold drops as fillers or particles (呃, 嗯, 啊), no punctuation."""
    gap = text[folded.ends[k - 1] : folded.starts[k]]
    return bool(gap) and "\n" not in gap and all(c.isspace() or c.isalpha() for c in gap)


def _either(words: Sequence[str]) -> str:
    """An alternation of ``words`` as written, the longer first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=8)
def _bare_marks(signals: tuple[str, ...], companions: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """The marks of a bare reply, longest first (。。 before 。), each with whether it is a signal."""
    marks = {m: False for m in companions}
    marks.update({m: True for m in signals})
    return tuple(sorted(marks.items(), key=lambda m: -len(m[0])))


def _subject_before(
    folded: Folded, start: int, subjects: Sequence[Compiled], predicate_before: tuple[str, ...] = ()
) -> bool:
    """Whether one of ``subjects`` ends right before ``start``, in its clause, and is not what the speaker says
    they are (``predicate_before``, folded: 我不是领导你问领导去, unpunctuated, where 领导 is no subject). A
    subject the fold made of a word said twice is one still (我不是医生，医生也不知道: the stutter fold joins 医生，
    医生 into one 医生 after 我不是)."""
    base = folded.clause_start(start)
    before = folded.text[base:start]

    def subject(s: int, e: int) -> bool:
        if e != len(before):
            return False
        if predicate_before and before[:s].endswith(predicate_before):
            first, last = folded.span(base + s, base + e)
            return last - first != e - s  # (said once: the speaker's own role, no subject)
        return True

    return any(subject(s, e) for c in subjects for s, e in c.run(before))


@functools.lru_cache(maxsize=64)
def _calls(
    sentence: str,
    calls: tuple[Compiled, ...],
    then: tuple[str, ...],
    not_then: tuple[str, ...],
    opening: bool = False,
) -> bool:
    """Whether ``sentence`` calls someone by one of ``calls`` (Context._calls_in_sentence), or with
    ``opening`` opens on the call: asked for every match in the sentence, worked out once."""
    folded = fold_with_map(sentence)
    mtext, index = marked(folded, BOUNDARY)
    for compiled in calls:
        for s, e in compiled.run(mtext):
            if s and (opening or mtext[s - 1] != BOUNDARY):
                continue  # (not 我是小王, 这事小张知道)
            after = mtext[e:]
            if after.startswith(BOUNDARY) or (s and not after):
                return True
            if after.startswith(then) and not sentence[folded.span(index[e], index[e] + 1)[0] :].startswith(
                not_then
            ):
                return True
    return False


_BEFORE_QUOTATION = frozenset(" \t\u3000")


def sentence_end(text: str, at: int) -> int:
    """Where the sentence of ``text[at]`` ends: the index of its closing mark, or the length of ``text``."""
    found = _SENTENCE_END_RE.search(text, at)
    return found.start() if found else len(text)


def sentence_start(text: str, at: int, limit: int = 0) -> int:
    """Where the sentence of ``text[at]`` begins, followed back no further than ``limit``."""
    start = at
    while start > max(0, limit) and text[start - 1] not in SENTENCE_END:
        start -= 1
    return start
