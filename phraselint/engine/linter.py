"""The engine: check one utterance or message against the catalogue (normalize → find → confirm → explain)."""

from __future__ import annotations

import bisect
import collections
import dataclasses
import functools
import itertools
import re
import threading
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

from ..data.cache import cached, key_of
from ..data.catalogue import Catalogue, load_catalogue
from ..errors import CatalogueError, ConfigError
from ..model import SEVERITIES, Rewrite, Rule, Violation
from .addressee import AddresseeModel, enough_context, heard_part, load_addressee
from .addressee import masked as masked_matches
from .confirm import Hit, confirm, resolve_overlaps
from .context import CLAUSE_MARKS, load_context, sentence_end, sentence_start
from .explain import explain
from .find import Candidate, Finder, Pattern
from .lexicon import load_lexicon, pattern_fold
from .normalize import Folded, fold, fold_with_map, folding, folding_key, marked
from .pattern import BOUNDARY, Compiled, Lexicon, compile_pattern
from .rewrite import (
    Replacement,
    Rewriting,
    assemble,
    choose,
    demand_spans,
    fill,
    load_default_rewriting,
    polite_you,
)
from .script import SCRIPTS, detect_script, render
from .sound import sounds
from .tone import LEAST_HEARD, TURN_LEAST, TurnModel, heard_enough, light_fold, load_tone, load_turn

_MAX_FIX_ROUNDS = 5
_LONGEST_REWRITE = 2000
# how far from what the tone model hears a polite word may keep it silent, where no clause ends sooner
_POLITE_REACH = 40
# the marks that close a statement: an apology, thanks or offer of help after one is said of the next sentence, not
# of the barb before it (早一个小时来就能退，非得拖到快开车了才来。改签的话我帮您看看). A question's mark does not close
# the polite window: help after it answers the question (这张表是干什么的？我给您解释一下). On the tuned and held
# parts: 33 mixed turns found more, one proper reply flagged (a blunt refusal, then a request and help)
_STATEMENT_END = frozenset("。！!")
# how far above its threshold the tone model's score must be for a polite word nearby not to keep it silent:
# thanks and wishes alone (签了就别后悔，后悔也别来找我，谢谢), and, further above, an apology or an offer of help
# (您这张表填得乱七八糟，小学生都比你写得清楚，我给您一张新表: a rude clause in a polite turn is still said). Chosen on
# the tuned parts with the model as it is (0-99 tried for each): amends 99 (always silent) -> 2 and thanks 2 -> 0.5
# find 2.0% more of the mixed turns there (92.0 -> 94.0%), no more false flags; amends at 1 would flag three of
# the catalogue's pass examples (这我说了不算，需要领导审批，我马上帮您报上去: the codes' own way to answer), and
# at 0.75 or less raise polite false flags. With the model of 2026-12 (threshold 2.6828), amends 2.0 -> 1.5: a barb
# followed by help is heard (你这人怎么连个取件码都找不到，手机拿来我帮您查一下吧). It would hear a pass example of the
# catalogue (这么大年纪了还自己来办，真不容易，我帮您填, 1.91 above the threshold, which would then rise to 4.59), unless
# sympathy said to the visitor (context.yml ``empathy``, with 您 in the words) keeps it silent, and self-reproach
# (我们连这点小事都做不到，实在对不起您: context.yml ``oneself_opening``). All together, on the tuned parts: 11 more
# rude turns found (mixed, chat), 3 innocent flagged (two friends' teasing in Taiwan sets); held: 9 found (mixed 5),
# 1 innocent flagged
_LOUD = 0.5
_LOUD_AMENDS = 1.5
# …care for the visitor (context.yml ``care``) between the two: at 0.5 (as thanks), 您先别走，外面下雨了，等会儿再出去
# was heard once the threshold was the data's (2.72; 0.55 above it); at 1.0, that and one innocent tuned text more
# pass (您别着急走，外面正下冰雹呢，等会儿再出去), no held verdict moves, and 外面下雨了，你管不找那个 (1.13 above) is still
# said
_LOUD_CARE = 1.0
# …and for a polite address in the very words it hears (您的, 请您, 欢迎: 您的理解能力有点感人, 欢迎致电。你这问题太
# 简单了): it kept the model silent at any score. Chosen on the tuned parts as the largest step that flags no
# innocent turn there: at 1.0, 2 more rude turns found (and 3 of the held parts, none flagged); at 0.5, 4 found
# and a third-party turn flagged (你好，请问办什么？稍等我一下。——哎，老周，你先别走); at 0 (never silent), 8 and the same
_LOUD_ADDRESS = 1.0
# how far below the tone model's threshold the worst clause of a turn the turn model finds rude may score
_TURN_FLOOR = -2.0
# how far below its threshold the tone model's score must be for the utterance to be heard as plainly innocent:
# an `everyday` rule's match inside a longer clause does not count there (今日熱到痴線，入嚟歎下冷氣先; 失咗銀包真係
# 好煩，我幫你逐樣掛失). Chosen on the tuned halves with the model as it is (naive Bayes and logistic regression
# averaged, whose scores spread less than naive Bayes' alone, for which it was -4): -4 to -1.5 tried; at -2.5
# no finding goes and false flags of Cantonese speech fall 1.4 → 1.0%, polite 1.7 → 1.5%; at -2 a mixed turn goes
_INNOCENT = -2.5
# …where the match is this short (快点, 好烦, 神经病, 说过了)
_EVERYDAY = 3
# The addressee model sets a pattern's matches aside only where the tone model scores the utterance under this
# margin (_ELSEWHERE_LOUDEST), and only where its own score is above its threshold by as much as the tone model's
# margin (the ruder it sounds, the surer it must be). Chosen out of fold on the tuned parts (the addressee model
# trained without each fifth, 0-99 and 1-2.5 tried): third-party false flags 15.1 -> 12.4%, recall ASR 99.2 ->
# 99.1, rewording 98.3 -> 98.1, the rest the same. It sets a finding of the tone model aside where its score is
# above its threshold by _ELSEWHERE_TONE plus the tone model's margin. Chosen out of fold on the tuned parts (five
# folds, the addressee model trained without the fold; 0-2.5 tried, and a fixed 2.0-2.5 above its threshold, as
# before): of the 5,128 rude texts the tone model alone finds and 130 third-party texts it flags, at 0.75 it sets
# aside 8 rude and 29 third-party (at 1.0: 5 and 20; at 0.5: 13 and 35; the fixed 2.5 of before: 1 and 2, 2.0: 6
# and 11)
_ELSEWHERE_LOUDEST = 2.0
_ELSEWHERE_TONE = 0.75
# the longest text whose anchors are looked for in its fold before its mapped fold is built (its fold is
# remembered: normalize.fold); a longer one nearly always has one, and is folded once, with the map
_ANCHORS_FIRST = 200
# an antipattern with more anchors than this is run without looking for them first (a look-up each)
_FEW_ANCHORS = 64
# the pattern a finding of the tone model carries: no words, no expression (it is never run)
_NO_PATTERN = Compiled("", (), None, "", (), 0, 0)
_SURROGATE = re.compile("[\ud800-\udfff]")
# a speaker's label before a line's words (客服：, [00:01] Agent:), for the fast test of bare replies
_LABEL = re.compile("[:：]")


@functools.lru_cache(maxsize=4)
def _bare_expression(signals: tuple[str, ...], companions: tuple[str, ...]) -> re.Pattern[str]:
    """Short lines made only of a bare reply's marks, after a label: the fast test's one pass over a block.
    Possessive, the marks longest first: never backtracks."""
    marks = "|".join(re.escape(m) for m in sorted({*signals, *companions}, key=len, reverse=True))
    return re.compile(rf"^(?:[^\n]{{0,40}}[:：])?+[^\S\n]*+(?:(?:{marks})[^\S\n]*+){{1,24}}+$", re.M)


_FIRST_CHOICES = (
    "first choices"  # (the key of the rewrites a message's violations take first, beside its own)
)


def sound_text(text: str) -> str:
    """``text`` with every lone surrogate (a broken UTF-16 pair: no character at all) as U+FFFD: the same
    length, so every offset into the text stays valid, and nothing downstream (RE2, OpenCC, an encoder)
    has to cope with a string that cannot be encoded."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


_REMEMBERED = 200  # the longest text whose script is remembered (a long line is not kept alive for it)
_HITS_LONGEST = 500  # the longest text finds_any looks into (Linter._finds, _pending)
_FAILED_LONGEST = 200  # the longest text remembered as failing the fast test (likewise)
_detected = functools.lru_cache(maxsize=1024)(detect_script)


def _resolve_script(text: str, script: str | None, context: str | None) -> str:
    """``script`` itself, or for None and ``auto`` the script of ``text`` (``context`` where it shows none)."""
    if script is None or script == "auto":
        # (a message's script is asked for as it is checked and again for its alternatives: remembered)
        return _detected(text, context) if len(text) <= _REMEMBERED else detect_script(text, context)
    if script not in SCRIPTS:
        raise ConfigError(f"unknown script '{script}' (known: auto, {', '.join(SCRIPTS)})")
    return script


class Linter:
    """Checks texts against a catalogue loaded once. Immutable after construction, safe to share across threads.

    ``select``/``ignore`` take rule ids or situations; ``severity`` overrides a rule's severity by id;
    ``allow`` lists phrases never to flag (a hit inside one of them is dropped); ``slots`` gives fixed slot
    values for rewrites (``{"单位": "某某政务服务中心"}``).
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        rule_files: Sequence[str] = (),
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severity: Mapping[str, str] | None = None,
        allow: Iterable[str] = (),
        slots: Mapping[str, str] | None = None,
        templates: bool = False,
    ) -> None:
        self.catalogue = catalogue if catalogue is not None else load_catalogue(tuple(rule_files))
        known = {r.id for r in self.catalogue.rules} | set(self.catalogue.vocabulary.situations)
        select, ignore = tuple(select), tuple(ignore)
        for name in (*select, *ignore, *(severity or {})):
            if name not in known:
                raise ConfigError(f"unknown rule or situation '{name}' (see 'phraselint rules list')")
        overrides = dict(severity or {})
        for rule_id, level in overrides.items():
            if level not in SEVERITIES:
                raise ConfigError(
                    f"severity of '{rule_id}' must be one of {', '.join(SEVERITIES)}, not '{level}'"
                )
        rules: list[Rule] = []
        for rule in self.catalogue.rules:
            if select and rule.id not in select and rule.situation not in select:
                continue
            if rule.id in ignore or rule.situation in ignore:
                continue
            if rule.id in overrides:
                rule = dataclasses.replace(rule, severity=overrides[rule.id])
            rules.append(rule)
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._rule_by_id = {r.id: r for r in self.rules}
        # The built-in lexicon and the `lexicon:` sections of the organisation's own rule files.
        self.lexicon = load_lexicon(tuple(self.catalogue.files[2:]))
        vocabulary = self.catalogue.vocabulary
        speakers = (*vocabulary.staff_speakers, *vocabulary.visitor_speakers)
        self._finder = Finder(self.rules, self.lexicon, sounds(), speakers)
        self.patterns = self._finder.patterns
        # The tone model, where a selected rule is found by it (rude-tone): a second opinion after the patterns.
        tone_rule = next((r for r in self.rules if r.detector == "tone"), None)
        self._tone = load_tone() if tone_rule is not None else None
        # a file's lines meet the model up to three times (block test, turn test, check): it remembers
        self._rude_part = functools.lru_cache(maxsize=4096)(self._tone_verdict) if self._tone else None
        # the bag test of a turn's text: run by the fast test of a file's turns, then again when it is checked
        self._viable = functools.lru_cache(maxsize=4096)(self._viable_of)
        self._may = functools.lru_cache(maxsize=4096)(self._may_match_of)
        # the marked fold of an utterance that passed, for each line that says it (_holds_passed)
        self._marked_part = functools.lru_cache(maxsize=4096)(folding().marked_fold)
        # the texts that passed has_candidates, each with whether its words did (a file's utterances are asked
        # about, then the turns of those that passed: a block of 2,048 turns comes from a few blocks of lines)
        self._passed = _Memo(4096)
        # …and the short texts that did not (a block of a file's turns says most of what the blocks before it
        # said: each is tested once, not once in each block); the verdict is a function of the text
        self._failed = _Memo(8192)
        # The violations of a text, and a text rewritten: a message is checked, then its alternatives are
        # worked out from the same violations (the pre-send check asks for both), and each rewrite is checked
        # again, often a text an earlier alternative already led to; and a file's staff say the same things
        # again and again (with 256, 6,036 checks of 2,800 distinct utterances in 2 MB of dense text were all
        # worked out). Pure functions of their arguments on an immutable linter; kept as tuples, handed out as
        # new lists.
        self._found = functools.lru_cache(maxsize=4096)(self._violations_of)
        # …and whether a text holds any (finds_any: a file's turn is asked before its line is tested and
        # parsed, then checked in its file's script), with the hits found for a text that does, until its
        # check takes them (only texts of up to _HITS_LONGEST characters: hits keep the text's mapped fold)
        self._finds = _Memo(8192)
        self._pending = _Memo(2048)
        # …and what check hands out for a text, its violations each with the whole rewrite: a file's staff say
        # the same things again and again, and each repeat was copied violation by violation again
        self._checked = functools.lru_cache(maxsize=4096)(self._checked_of)
        self._rewrites = _Memo(4096)
        self._tone_pattern = (
            Pattern(tone_rule, tone_rule.phrase, _NO_PATTERN, None, literal=False)
            if tone_rule is not None
            else None
        )
        # A reply of marks alone (？？？, 呵呵, 🙄): the rule found by the context's bare_reply, where selected.
        marks_rule = next((r for r in self.rules if r.detector == "marks"), None)
        self._marks_pattern = (
            Pattern(marks_rule, marks_rule.phrase, _NO_PATTERN, None, literal=False)
            if marks_rule is not None
            else None
        )
        self._slots_of: dict[str, set[str]] = {}
        for pattern in self._finder.slotted:
            if pattern.slot:
                self._slots_of.setdefault(pattern.rule.id, set()).add(pattern.slot)
        self._context = load_context(self.lexicon)
        self._polite = tuple(light_fold(w) for w in self._context.polite)
        self._care = tuple(light_fold(w) for w in self._context.care)
        self._polite_address = tuple(light_fold(w) for w in self._context.polite_address)
        self._courtesy = frozenset(light_fold(w) for w in self._context.courtesy)
        self._empathy = tuple(light_fold(w) for w in self._context.empathy)
        self._antipatterns = _compile_antipatterns(self.rules, self.lexicon)
        self._allow = tuple(a for a in (fold(x) for x in allow) if a)
        self._prefold = folding().fast_text
        self._slots = dict(slots or {})
        self._templates = templates
        self._rewriting: Rewriting = load_default_rewriting()

    def prepare(self) -> None:
        """Build now what the engine builds as each pattern is first met (its expressions compiled): what a
        service does before its first request, so that a message meeting a pattern for the first time costs
        what any other does; the antipatterns' too (each is compiled when a text first holds an anchor of it)."""
        self._finder.prepare()
        for antipatterns in self._antipatterns.values():
            for compiled in antipatterns:
                compiled.run("")

    def prepare_blocks(self) -> None:
        """Build now what the fast test over a file's blocks of lines builds when first run, in the parent of
        forked workers (``check -j``), so that they share it rather than each build it: the tone model's
        arrays (numpy imported: 0.06 s of each worker's first part)."""
        if self._tone is not None:
            self._tone.prepare()
            if self._turn is not None:
                self._turn.prepare()

    def candidates_in(self, texts: Sequence[str], passed: Sequence[str | None] | None = None) -> list[int]:
        """The indices of ``texts`` that could contain a violation: the fast test over many utterances at once
        (the lines of a block of a file: one translate and one automaton pass for them all), then the bag
        test and the marked fold for the few that pass, so that only those are parsed and checked.
        ``passed``, where given: for each text, an utterance it holds whose words passed the bag test and the
        marked fold (:meth:`has_candidates`' ``by_words``), or None; see :meth:`_holds_passed`."""
        if not texts:
            return []
        anchored = self._anchored(texts)
        out = {
            i
            for i in anchored
            if i < len(texts)
            and (
                (passed is not None and self._holds_passed(texts[i], passed[i])) or self._may_match(texts[i])
            )
        }
        if self._marks_pattern is not None:
            out.update(self._bare_lines(texts))
        if self._rude_part is not None and self._tone is not None:  # the tone model looks at every utterance
            rest = [i for i in range(len(texts)) if i not in out]
            may = self._may_pass([texts[i] for i in rest])  # scored all at once: the few left one by one
            out.update(i for i, m in zip(rest, may) if m and self._rude_part(texts[i]) is not None)
        return sorted(out)

    def _anchored(self, texts: Sequence[str]) -> set[int]:
        """The indices of ``texts`` in which an anchor occurs: one pass over them all, as lines of one block."""
        block = "\n".join(t.replace("\n", " ") for t in texts)
        found = self._finder.lines_with_anchor(folding().prefold_block(block))
        # a text that holds a word the prefold drops but the fold says inside a clause (咩): tested with it said
        inside = folding().inside_words
        if inside and any(w in block for w, _said in inside):
            fast_text = folding().fast_text
            found.update(
                i
                for i, t in enumerate(texts)
                if i not in found
                and any(w in t for w, _said in inside)
                and self._finder.has_candidate(fast_text(t))
            )
        return found

    def _may_match(self, text: str) -> bool:
        return self._may(sound_text(text))

    def _holds_passed(self, text: str, part: str | None) -> bool:
        """Whether ``text`` (a file's line) surely passes :meth:`_may_match` because ``part`` (its utterance),
        which passes it, stands in it: the fold and the marked fold of ``part`` stand in those of ``text``,
        and (for patterns of scope alone) what follows ``text``'s last colon folds no longer than what follows
        ``part``'s. Both tests only find more in a text that holds another: the bag test a key more (the
        sound is a table, applied character by character), the marked fold a match of an expression that
        has no clause edge (:meth:`Finder.could_match`); a pattern of scope alone is set aside only by a
        length. Checked, not assumed: a fold may join the end of a line's label to the words (a stutter, a
        dialect word), and then the line is tested itself."""
        if part is None:
            return False
        text, part = sound_text(text), sound_text(part)
        # (the line folded without fold()'s memory: a file's lines are each met once, and would push out the
        # short texts it remembers; the utterance, met again with every line that says it, from it)
        folding_ = folding()
        if not self._may(part) or fold(part) not in folding_.fold(text):
            return False
        if self._finder.has_alone and len(fold(_LABEL.split(text)[-1])) > len(fold(_LABEL.split(part)[-1])):
            return False
        return self._marked_part(part) in folding_.marked_fold(text)

    def _may_match_of(self, text: str) -> bool:
        """The bag test, then whether a viable pattern matches the marked fold: asked of a file's lines by the
        fast test of their block, then again as each candidate is checked (remembered)."""
        viable = self._viable(text)
        if not viable[0] and not viable[1]:
            return False
        return self._finder.could_match(folding().marked_fold(text), viable)

    def _viable_of(self, text: str) -> tuple[frozenset[int], frozenset[int]]:
        if not self._finder.has_alone:
            return self._finder.viable(fold(text))
        # a file's line holds its speaker and time before the words (the fast test sees lines): a rule of scope
        # alone is judged by what follows the last colon (shorter than the utterance, if anything: never a miss)
        return self._finder.viable(fold(text), len(fold(_LABEL.split(text)[-1])))

    def has_candidate(self, text: str) -> bool:
        """The fast test, run on every utterance: could ``text`` contain a violation at all? One automaton
        pass for the anchors, then, where one occurs, one for the words every token of a pattern needs, and
        whether a pattern they make viable matches the marked fold; and the tone model, where it is on."""
        text = sound_text(text)
        if self._finder.has_candidate(self._prefold(text)) and self._may(text):
            return True
        if self._marks_pattern is not None and self._context.bare_reply(text) is not None:
            return True
        return self._rude_part is not None and self._rude_part(text) is not None

    def has_candidates(self, texts: Sequence[str], by_words: set[int] | None = None) -> list[bool]:
        """:meth:`has_candidate` of each of many texts, the anchors found and the tone model scoring them
        all at once. ``by_words``, where given, receives the indices of the texts whose words pass (an
        anchor, the bag test and the marked fold), whatever the tone model and the marks say."""
        texts = [sound_text(t) for t in texts]
        if not texts:
            return []
        # The verdict is a function of the text (the block's scores only let through what the tone model is
        # then asked about one by one), and a text that passed is asked about again: a file's utterance, then
        # its turn once the line is parsed (every candidate turn of a file). Remembered, with whether its
        # words passed (``by_words``), it is not tested again.
        out: list[bool] = [False] * len(texts)
        rest: list[int] = []
        for k, known in enumerate(self._passed.get_many(texts)):
            if known is None:
                rest.append(k)
                continue
            out[k] = True
            if known and by_words is not None:
                by_words.add(k)
        if rest:  # (those known to fail stay False)
            failed = self._failed.get_many([texts[k] for k in rest])
            rest = [k for k, known in zip(rest, failed) if known is None]
        if not rest:
            return out
        # Each distinct text is tested once: a block of a file says the same few things again and again (the
        # 47,069 turns of bench_matrix's 3 MB of real text are 9,409 distinct texts within their blocks).
        fresh = list(dict.fromkeys(texts[k] for k in rest))
        tone = self._may_pass(fresh) if self._tone is not None else [False] * len(fresh)
        anchored = self._anchored(fresh)
        bare = self._bare_lines(fresh) if self._marks_pattern is not None else set()
        verdicts: dict[str, tuple[bool, bool]] = {}  # text → (whether it passes, whether its words do)
        for i, (text, may) in enumerate(zip(fresh, tone)):
            words = i in anchored and self._may(text)
            passes = (
                words
                or i in bare
                or (may and self._rude_part is not None and self._rude_part(text) is not None)
            )
            verdicts[text] = passes, words
            if passes:
                self._passed.put(text, words)
            elif len(text) <= _FAILED_LONGEST:
                self._failed.put(text, True)
        for k in rest:
            out[k], words = verdicts[texts[k]]
            if words and by_words is not None:
                by_words.add(k)
        return out

    def _bare_lines(self, texts: Sequence[str]) -> set[int]:
        """The indices of ``texts`` (lines of a file, or turns) that are, or end in, a reply of marks alone:
        one regular-expression pass over them all finds the few short lines made only of marks (after a
        speaker's label), and the context's bare_reply decides those."""
        block = "\n".join(t.replace("\n", " ") for t in texts)
        found = [
            m.start()
            for m in _bare_expression(self._context.bare_signals, self._context.bare_with).finditer(block)
        ]
        if not found:
            return set()
        starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        out = set()
        for at in found:
            k = bisect.bisect_right(starts, at) - 1
            line = texts[k]
            if self._context.bare_reply(_LABEL.split(line)[-1]) is not None:
                out.add(k)
        return out

    def forget(self) -> None:
        """Forget every text's remembered answer that a model takes part in (the tone model's verdict, the
        fast test, its violations, check's answer, its rewrites): for a caller that swaps a model in place, as
        scripts/train_tone.py does while it sets thresholds. What the patterns alone decide is kept."""
        self._passed = _Memo(4096)
        self._failed = _Memo(8192)
        if self._rude_part is not None and hasattr(self._rude_part, "cache_clear"):  # (a caller may wrap it)
            self._rude_part.cache_clear()
        self._found.cache_clear()
        self._finds = _Memo(8192)
        self._pending = _Memo(2048)
        self._checked.cache_clear()
        self._rewrites = _Memo(4096)

    def check(self, text: str, *, script: str | None = None, context: str | None = None) -> list[Violation]:
        """Every violation in one utterance or message, in order of position, each carrying the utterance
        rewritten as a whole (``rewrite``: what a staff member could send instead).

        Rewrites and messages come in ``script``; by default in the script of ``text``, or where the text
        shows none (不知道。 is both), in ``context``: the script of the surrounding file or conversation."""
        return list(self._checked(sound_text(text), script, context))

    def _checked_of(self, text: str, script: str | None, context: str | None) -> tuple[Violation, ...]:
        """:meth:`check`, worked out (``text`` already sound): a pure function of its arguments on an immutable
        linter, as :meth:`_violations_of` is; kept as a tuple, handed out as a new list."""
        violations = self._violations(text, script, context)
        if not violations:
            return ()
        # A whole-utterance rewrite is for a message or a turn: a text of thousands of characters (one line of
        # a broken file) gets its violations, each with its suggestions, but no rewrite of the whole.
        whole = (
            self._rewritten(text, violations, violations[0].script, context)
            if len(text) <= _LONGEST_REWRITE
            else None
        )
        return tuple(dataclasses.replace(v, rewrite=whole) for v in violations)

    def _violations(
        self, text: str, script: str | None, context: str | None, exhaustive: bool = False
    ) -> list[Violation]:
        """Every violation in one utterance or message, in order of position.

        Rewrites and messages come in ``script``; by default in the script of ``text``, or where the text
        shows none (不知道。 is both), in ``context``: the script of the surrounding file or conversation."""
        return list(self._found(sound_text(text), script, context, exhaustive))

    def finds_any(self, text: str) -> bool:
        """Whether :meth:`check` finds a violation in ``text``, in whatever script: asked of a file's turns
        that pass the fast test before their lines are tested and parsed (check/files.py), so that the few
        that hold one are, and the others are not. The hits found are remembered for the check that follows.
        (True, without looking, for a text too long for them to be remembered.)"""
        text = sound_text(text)
        if len(text) > _HITS_LONGEST:
            return True
        known = self._finds.get(text)
        if known is None:
            found = self._hits_of(text, False)
            if found is not None:
                self._pending.put(text, found)
            known = found is not None
            self._finds.put(text, known)
        return bool(known)

    def _hits_of(self, text: str, exhaustive: bool) -> tuple[Folded, tuple[Hit, ...]] | None:
        """The hits of ``text`` (already sound), whatever the script, with the mapped fold they are placed in:
        the patterns', else the tone model's, else a reply of marks alone; None where there is none."""
        cleared: list[tuple[int, int]] = []
        found = self._pattern_hits(text, exhaustive, cleared)
        if found is None or not found[1]:
            found = self._tone_hit(text, cleared)
        if found is None:
            found = self._marks_hit(text)
        if found is None:
            return None
        return found[0], tuple(found[1])

    def _violations_of(
        self, text: str, script: str | None, context: str | None, exhaustive: bool
    ) -> tuple[Violation, ...]:
        """:meth:`_violations`, worked out (``text`` already sound)."""
        found = None if exhaustive else self._pending.take(text)
        if found is None:
            if not exhaustive and self._finds.get(text) is False:
                return ()
            found = self._hits_of(text, exhaustive)
            if found is None:
                return ()
        folded, hits = found
        script = _resolve_script(text, script, context)
        return tuple(
            explain(
                h.candidate.pattern.rule,
                h,
                folded,
                text,
                script,
                self._slots,
                self._rewriting,
                self._templates,
            )
            for h in resolve_overlaps(list(hits))
        )

    def alternatives(
        self, text: str, *, script: str | None = None, context: str | None = None, most: int = 5
    ) -> list[str]:
        """The whole message rewritten in each way the catalogue offers (the first is :meth:`rewrite`), every
        one checked clean: a staff member may pick another, and sees exactly the text that will be sent."""
        text = sound_text(text)
        # asked as check asks (the script as given: resolved inside, to the same script), so that the pre-send
        # check, which checks the message and then asks for its alternatives, finds them remembered
        violations = self._violations(text, script, context)
        script = _resolve_script(text, script, context)
        if not violations:
            return []
        out: list[str] = []
        first = self._rewritten(text, violations, script, context)
        if first is not None:
            out.append(first)
        for k, v in enumerate(violations):
            for rewrite in self._rule_by_id[v.rule].rewrites:
                if len(out) >= most:
                    return out
                other = self._rewritten(text, violations, script, context, (k, rewrite))
                if other is not None and other not in out:
                    out.append(other)
        return out

    def _rewritten(
        self,
        text: str,
        violations: list[Violation],
        script: str,
        context: str | None,
        chosen_first: tuple[int, Rewrite] | None = None,
    ) -> str | None:
        """:meth:`_rewrite` of ``violations``, the violations of ``text`` (sound) in ``script`` (resolved), and
        so determined by ``text``, ``script`` and ``context``: remembered by those. With ``chosen_first``
        (k, rewrite), the k-th violation takes that rewrite in the first round."""
        key = (text, script, context, chosen_first)
        found: tuple[str | None] | None = self._rewrites.get(key)
        if found is not None:
            return found[0]
        if chosen_first is not None:
            # the rewrite the k-th violation takes in the first round anyway: the message rewritten as it is
            # without a choice (each round after the first is the same, and so is the result)
            firsts = self._rewrites.get((text, script, context, _FIRST_CHOICES))
            k, rewrite = chosen_first
            if firsts is not None and k < len(firsts) and firsts[k] == rewrite:
                return self._rewritten(text, violations, script, context)
        chosen = {chosen_first[0]: chosen_first[1]} if chosen_first is not None else None
        firsts_taken: list[Rewrite] | None = [] if chosen_first is None else None
        out = self._rewrite(text, violations, script, context, chosen, firsts_taken)
        self._rewrites.put(key, (out,))
        if firsts_taken is not None:
            self._rewrites.put((text, script, context, _FIRST_CHOICES), tuple(firsts_taken))
        return out

    def _rewrite(
        self,
        text: str,
        violations: list[Violation],
        script: str,
        context: str | None,
        chosen_first: Mapping[int, Rewrite] | None = None,
        firsts_taken: list[Rewrite] | None = None,
    ) -> str | None:
        """The utterance rewritten clause by clause (phraselint.rewrite), checked clean against every rule:
        where the result still holds a violation, that is rewritten too, a few rounds at most; None when a
        violation has no rewrite that fits. ``firsts_taken`` receives the rewrite each violation takes in the
        first round (up to one that has none that fits)."""
        current, found = text, violations
        for round_ in range(_MAX_FIX_ROUNDS):
            replacements = []
            for k, v in enumerate(found):
                rule = self._rule_by_id[v.rule]
                values = self._values(current, v)
                forced = chosen_first.get(k) if chosen_first and round_ == 0 else None
                if forced is not None:
                    if fill(forced.text, values, self._rewriting.kinds) is None:
                        return None
                    rewrite = forced
                else:
                    chosen = choose(rule, lambda rw: rw.text, values, self._rewriting.kinds)
                    if chosen is None:
                        return None
                    rewrite, _filled = chosen
                if firsts_taken is not None and round_ == 0:
                    firsts_taken.append(rewrite)
                replacements.append(
                    Replacement(v.start, v.end, render(rewrite.text, script, values), rewrite.words)
                )
            replacements += self._recast_demands(current, replacements, script)
            current = polite_you(assemble(current, replacements, fold), self._rewriting.customary)
            found = self._violations(current, script, context)
            if not found and not demand_spans(current, self._rewriting):
                return current
            if not found:
                found = []
        return None

    def _recast_demands(self, text: str, taken: list[Replacement], script: str) -> list[Replacement]:
        """The 我 form for each demand on the visitor that no other replacement already takes."""
        from .rewrite import clause_end, fill, recast_rest

        out = []
        for start, end in demand_spans(text, self._rewriting):
            if any(r.start < end and start < r.end for r in taken):
                continue
            values = {**self._slots, "其余": recast_rest(text[end : clause_end(text, end)], self._rewriting)}
            for template in self._rewriting.recasts:
                filled = fill(template, values, self._rewriting.kinds)
                if filled is not None and values["其余"]:
                    out.append(Replacement(start, end, render(template, script, values)))
                    break
        return out

    def _values(self, text: str, v: Violation) -> dict[str, str]:
        from .rewrite import values_for

        rule = self._rule_by_id[v.rule]
        taken = {slot: _slot_taken(v, rule, text) for slot in self._slots_of.get(rule.id, ())}
        return values_for(text, v.end, taken, self._slots, self._rewriting)

    def fix(self, text: str, *, script: str | None = None, context: str | None = None) -> str:
        """``text`` rewritten where every violation in it has a safe rewrite (``fix: true`` in the catalogue:
        codespell's split between fixes and suggestions); otherwise ``text`` unchanged."""
        text = sound_text(text)
        violations = self.check(text, script=script, context=context)
        if not violations or violations[0].rewrite is None:
            return text
        if all(any(rw.fix for rw in self._rule_by_id[v.rule].rewrites) for v in violations):
            return violations[0].rewrite
        return text

    def rewrite(self, text: str, *, script: str | None = None, context: str | None = None) -> str | None:
        """The whole message rewritten politely, ready to send; the text itself when it is clean; None when a
        violation has no rewrite that fits. Every replacement is written in one script, chosen once from the
        whole message (or ``script``; or, where the message shows none, ``context``)."""
        text = sound_text(text)
        script = _resolve_script(text, script, context)
        if not self.has_candidate(text):
            return text
        violations = self.check(text, script=script, context=context)
        return violations[0].rewrite if violations else text

    def _pattern_hits(
        self,
        text: str,
        exhaustive: bool,
        cleared: list[tuple[int, int]] | None = None,
        matched: list[tuple[int, int]] | None = None,
    ) -> tuple[Folded, list[Hit]] | None:
        """The confirmed, not excused matches of the catalogue's patterns, with the mapped fold they are
        placed in; None where a cheap test already shows that no pattern can match. ``cleared`` receives the
        spans of ``text`` that matched but were excused (an antipattern, quotation, another subject…),
        ``matched`` those of every match, excused or not."""
        # Two cheap tests before the mapped fold, each letting through every text that could match: an
        # anchor occurs; every required token of some pattern occurs. (The third of the fast test, whether a
        # viable pattern matches the marked fold, is asked where many texts are tested at once, a file's
        # lines and turns, not here: nearly every text checked one by one, a message and each of its
        # rewrites, passes it, and where one would not, no candidate is confirmed below either.)
        viable = None
        if not exhaustive:
            if not self._finder.has_candidate(self._prefold(text)):
                return None
            viable = self._viable(text)
            if not viable[0] and not viable[1]:
                return None
        # and a third: some viable pattern has an anchor in the fold, which is the mapped fold's text
        # (tests/test_normalize.py) and, for a short text, remembered from the bag test. A rewrite checked
        # clean often has none (a quarter of the checks of flagged chat messages and their rewrites): then
        # no candidate can be found, and the mapped fold, walked in Python, is not built for nothing
        anchored = None
        if len(text) <= _ANCHORS_FIRST:
            anchored = self._finder.anchored(fold(text), viable)
            if anchored is None:
                return None
        folded = fold_with_map(text)
        hits: list[Hit] = []
        margin: list[float] = []  # the tone model's margin for the text, worked out once if asked for
        # each rule's antipattern matches, found once per text
        excusing: dict[str, tuple[list[int], list[int]]] = {}
        if matched is None:
            matched = []
        continued: list[tuple[int, int]] = []  # phrases a polite sentence continues (不知道 呃 您还需要…)
        for candidate in self._finder.candidates(folded, viable, anchored):
            hit = confirm(candidate, folded, self._context, text, continued)
            if hit is None or (
                hit.candidate.pattern.rule.scope == "quoted"
                and not self._context.scare_quoted(text, *folded.span(hit.start, hit.end))
            ):
                continue
            matched.append(folded.span(hit.start, hit.end))
            if (
                not self._allowed(hit, folded.text)
                and not self._excused(hit, folded, text, excusing)
                and not self._heard_innocent(hit, folded, text, margin)
                and not self._cared_for(hit, folded, text, margin)
            ):
                hits.append(hit)
            elif cleared is not None and not (hit.candidate.by_sound and self._context.is_cantonese(text)):
                # (a match by sound excused because the text is Cantonese says nothing of its words: the tone
                # model still hears them, 唔好再問 as 不要再问)
                cleared.append(matched[-1])
        if continued and cleared is not None:  # (nor does the tone model hear them alone)
            cleared.extend(folded.span(s, e) for s, e in continued)
        if hits and self._said_elsewhere(text, matched, margin, [folded.span(h.start, h.end) for h in hits]):
            if cleared is not None:
                cleared.extend(folded.span(h.start, h.end) for h in hits)
            return folded, []
        return folded, hits

    @functools.cached_property
    def _addressee(self) -> AddresseeModel | None:
        """The model that hears talk not addressed to a visitor, which sets matches aside with the tone model:
        read when first needed (most utterances have no match to set aside)."""
        return load_addressee() if self._tone is not None else None

    def _said_elsewhere(
        self,
        text: str,
        matched: Sequence[tuple[int, int]],
        margin: list[float],
        found: Sequence[tuple[int, int]] = (),
    ) -> bool:
        """Whether the utterance is talk not addressed to a visitor (phraselint.engine.addressee: 这台高拍仪拍出来
        全是糊的，真烦人; 孩子他爸，你去问问老师作业的事), heard so with the matched words masked, and the tone model
        does not hear it as rude either (its worst part scores under its threshold), and it does not address
        the visitor (rules/context.yml's ``visitor_address``, 您): then its matches are set aside. ``margin`` as
        for :meth:`_heard_innocent`. The model hears the sentences that hold the findings (``found``, spans of
        ``text``: addressee.heard_part)."""
        if self._tone is None:
            return False
        if self._context.addresses_visitor(text):
            return False  # 您的医生是李主任，他今天上午门诊。我怎么知道他几点到: said to the visitor
        rest = masked_matches(*heard_part(text, matched, found))
        if not enough_context(rest):
            return False  # (before either model is read: 不知道。 alone never needs them)
        # the tone model's margin only now: the two tests are independent (each alone says False), and the
        # margin, the dearer, is wanted for few texts (2 MB of dense text: 1,637 worked out before, 210 now)
        if not margin:
            margin.append(self._tone.margin(text, self._context.is_cantonese(text)))
        if margin[0] >= _ELSEWHERE_LOUDEST:
            return False
        # the ruder the tone model hears it, the surer the model must be that no visitor is spoken to
        return self._addressee is not None and self._addressee.score(rest) > self._addressee.threshold + max(
            0.0, margin[0]
        )

    def _said_to_someone_else(self, text: str, start: int, end: int) -> bool:
        """Whether the addressee model is sure (:data:`_ELSEWHERE_TONE` above its threshold, and as much again as
        the tone model hears the turn above its own) that the sentence in which the tone model hears rudeness
        (``text[start:end]``) is said to someone other than a visitor (宝贝，别急，慢慢吃，没人跟你抢), and it does
        not address the visitor (您)."""
        if self._context.addresses_visitor(text):
            return False
        rest = heard_part(text, [], [(start, end)])[0]
        if not enough_context(rest) or self._addressee is None or self._tone is None:
            return False
        score = self._addressee.score(rest)
        floor = self._addressee.threshold + _ELSEWHERE_TONE
        if score <= floor:
            return False  # (whatever the tone model's margin: it is never below 0 here, so not worked out)
        loud = max(0.0, self._tone.margin(text, self._context.is_cantonese(text)))
        return score > floor + loud

    def _heard_innocent(self, hit: Hit, folded: Folded, text: str, margin: list[float]) -> bool:
        """Whether an `everyday` rule's match stands inside a longer clause of an utterance the tone model hears
        as plainly innocent (its worst part scores :data:`_INNOCENT` or more below the threshold): 快点, 烦 and
        痴线 are everyday words (今日熱到痴線，入嚟歎下冷氣先). A match that is its clause (烦死了。; 您好，快点，
        下一位; 快点！) always counts: the model cannot judge so few words, and they are the codes' own.
        ``margin`` keeps the model's margin for ``text`` once it is worked out (a long line may hold many matches)."""
        if not hit.candidate.pattern.rule.everyday or self._tone is None or hit.end - hit.start > _EVERYDAY:
            return False  # (a longer match, 都不让人安生, is more than everyday words)
        words = folded.text
        clause = (
            words[folded.clause_start(hit.start) : hit.start] + words[hit.end : folded.clause_end(hit.end)]
        )
        if len(clause) < LEAST_HEARD:  # the fold has dropped the particles and the punctuation
            return False
        if not margin:  # once per text, not per match (a long line may hold many)
            margin.append(self._tone.margin(text, self._context.is_cantonese(text)))
        return margin[0] < _INNOCENT

    def _cared_for(self, hit: Hit, folded: Folded, text: str, margin: list[float]) -> bool:
        """Whether an order or a hurry (context.yml ``care_categories``) is said for the visitor's safety or
        comfort: a ``care`` word stands in its sentence (请您别在门口站着，门会夹人; 快点把伞收一下，地上滑，别摔着),
        or, for an order (``help_categories``), the staff member offers help after it in the same sentence
        (``help_offers``: 您坐着别动，我过来给您办); and the tone model hears nothing rude in the utterance (its
        margin is under the threshold: 小心台阶。别碰展品，听不懂吗 is another sentence, and 地上滑，你滚远点 and
        一边等着去，我帮你问问 are heard)."""
        category = hit.candidate.pattern.rule.category
        if category not in self._context.care_categories or self._tone is None:
            return False
        start, end = folded.span(hit.start, hit.end)
        stop = sentence_end(text, end)
        if not (
            self._cares(text, start, stop)
            or category in self._context.help_categories
            and self._context.help_follows(folded, hit.end, stop)
        ):
            return False
        if not margin:  # once per text, not per match
            margin.append(self._tone.margin(text, self._context.is_cantonese(text)))
        return margin[0] < 0

    def _cares(self, text: str, start: int, stop: int) -> bool:
        """Whether a ``care`` word (context.yml) stands between the start of the sentence of ``text[start]`` and
        ``stop``: care for the visitor counts before the words as well as after them."""
        said = light_fold(text[sentence_start(text, start, start - _POLITE_REACH) : stop])
        return any(w in said for w in self._care)

    @functools.cached_property
    def _turn(self) -> TurnModel | None:
        """The turn model, which hears a whole utterance where no clause of it is rude enough alone: read when
        first asked (a check of one short message never asks it), and only with the tone model."""
        return load_turn() if self._tone is not None else None

    def _may_pass(self, texts: Sequence[str]) -> list[bool]:
        """For each of ``texts``, False only where neither the tone model nor the turn model can speak: both
        score the block at once."""
        assert self._tone is not None
        may = self._tone.may_pass(texts)
        if all(len(t) < TURN_LEAST for t in texts) or self._turn is None:  # (not read for short messages)
            return may
        return [a or b for a, b in zip(may, self._turn.may_pass(texts))]

    def _tone_verdict(self, text: str) -> tuple[int, int] | None:
        """:meth:`_clause_verdict`, or where it is silent and the turn model hears the whole utterance as rude
        (tone.TurnModel: 您好，收到您的反馈。…您说我们是黑店，麻烦拿出证据来。), the part the tone
        model scores worst. No polite word takes it back: the turn model has heard them with the rest (the
        thanks of a sarcastic reply are part of it); the context still does (_tone_hit)."""
        part = self._clause_verdict(text)
        if part is not None or len(text) < TURN_LEAST:  # (the turn model not read for a short message)
            return part
        cantonese = self._context.is_cantonese(text)
        if self._turn is None or not self._turn.rude(text, cantonese):
            return part
        assert self._tone is not None
        score, start, end = self._tone.worst(text)
        # the clause it is reported on must sound a little sharp itself: a turn heard as rude whose worst clause
        # the tone model hears as plainly innocent (好的，请您出示身份证和营业执照原件。) is a turn whose words
        # are a rude reply's without its barb. Out of the turn model's findings on the held sets, this keeps 207
        # of 235 rude texts and 5 of 16 innocent ones
        if score - self._tone.threshold_for(cantonese) < _TURN_FLOOR:
            return None
        return (start, end) if end > start and heard_enough(light_fold(text), start, end) else None

    def _clause_verdict(self, text: str) -> tuple[int, int] | None:
        """Where the tone model hears rudeness in ``text``, unless an apology, thanks or an offer of help stands
        in the clause it hears or the two after it, or care for the visitor in its sentence (but for a part that
        scores far above the threshold: _LOUD, _LOUD_CARE, _LOUD_AMENDS), or a polite address (请您, 您的…) in the
        words it hears (but for a part that scores _LOUD_ADDRESS above it), or sympathy or reassurance said to the
        visitor (at any score): a polite turn may still hold one rude clause (您好，请您把材料给我，你自个儿不会上网办啊)."""
        assert self._tone is not None
        part = self._tone.rude_part(text, self._context.is_cantonese(text))
        if part is None:
            return None
        start, end = part
        said = light_fold(text)
        if any(w in said[start:end] for w in self._polite_address) and (
            self._tone.margin(text, self._context.is_cantonese(text)) < _LOUD_ADDRESS
        ):
            return None
        if not heard_enough(said, start, end):  # one word and its particles (真㗎？ 會㗎？)
            return None
        # the clause the part starts in and up to two clauses after it (这张表是干什么的？我给您解释一下。), within
        # a reach of the part (ASR output has no punctuation at all), and not past a statement's end
        # (_STATEMENT_END). A polite word further off, before the rude clause or after more of them, sets the tone
        # of its own clauses, not of this one (您好，请坐。您这张表
        # 填得乱七八糟，小学生都比你写得清楚，我给您一张新表…: the model speaks)
        begin = start
        while begin > max(0, start - _POLITE_REACH) and text[begin - 1] not in CLAUSE_MARKS:
            begin -= 1
        stop, marks = end, 0
        while stop < min(len(text), end + _POLITE_REACH):
            if text[stop] in CLAUSE_MARKS:
                marks += 1
                if marks > 2 or text[stop] in _STATEMENT_END:
                    break
            stop += 1
        sentence = said[begin:stop]
        # sympathy said to the visitor (您这么大年纪还自己跑，真不容易): without 您 it is as often sarcasm (说了三遍才
        # 听懂，真不容易; 孩子跟着你真不容易)
        said_to = text[begin:stop]
        if any(w in said_to for w in self._context.visitor_address) and any(
            w in sentence for w in self._empathy
        ):
            return None
        # …and the matter called small, then help in the next clause (就您这点小事，我马上帮您办好): reassurance,
        # said to the visitor, at any score
        if any(w in text[begin : sentence_end(text, begin)] for w in self._context.visitor_address) and (
            self._context.reassures(text, begin, end)
        ):
            return None
        found = [w for w in self._polite if w in sentence]
        # care for the visitor counts from the start of the sentence (您先别走，外面下雨了，等会儿再出去), and takes
        # back less than an apology does (外面下雨了，你管不找那个 is still said); so does an affirmative answer just
        # before the clause (对，就是这样), as little as thanks do
        cares = self._cares(text, start, stop)
        if not found and not cares and not self._context.affirms(text, begin):
            return part
        # …but not of a part that sounds ruder than the threshold by far: by less for thanks, wishes and an
        # affirmative answer alone (签了就别后悔，后悔也别来找我，谢谢) than for care, and for care than for an apology
        # or an offer of help
        if any(w not in self._courtesy for w in found):
            loud = _LOUD_AMENDS
        else:
            loud = _LOUD_CARE if cares else _LOUD
        return part if self._tone.margin(text, self._context.is_cantonese(text)) >= loud else None

    def _tone_hit(
        self, text: str, cleared: Sequence[tuple[int, int]] = ()
    ) -> tuple[Folded, list[Hit]] | None:
        """The tone model's finding where no pattern found one (phraselint.engine.tone): the part of the
        utterance that sounds rude. More cautious than a pattern's: silent where the utterance has any
        quotation mark or talk about phrases anywhere, or another person as the subject, and where the words
        it hears are words a pattern matched but was excused for (``cleared``: 快点吃吧，不然饭要凉了 — the
        antipattern knows better)."""
        if self._rude_part is None or self._tone_pattern is None:
            return None
        if cleared:  # the words a pattern was excused for are not heard either (the antipattern knows better)
            masked = list(text)
            for s, e in cleared:
                masked[s:e] = "，" * (e - s)
            part = self._rude_part("".join(masked))
        else:
            part = self._rude_part(text)
        if part is None:
            return None
        start, end = part
        if self._context.quotes_near(text, start, end):
            # the model cannot tell whose words stand in quotation marks: it stays silent. (Heard without the
            # quotations, the frames around them spoke: 工作人员说“你识字吗”，是这样吧？ 17 innocent texts
            # of the development sets for 5 rude ones.)
            return None
        folded = fold_with_map(text)
        lo = next((i for i in range(len(folded.text)) if folded.span(i, i + 1)[0] >= start), None)
        hi = next((i for i in range(len(folded.text) - 1, -1, -1) if folded.span(i, i + 1)[1] <= end), None)
        if (lo is None or hi is None or hi < lo) and folded.text:
            # the part holds only what the fold drops (a sneering emoticon: (¬_¬) 又来): the clause it stands
            # before, or the last one where it ends the turn, is what is said with it
            if lo is None:
                lo = max((i for i in range(len(folded.text)) if folded.boundary[i]), default=0)
            hi = next(
                (i - 1 for i in range(lo + 1, len(folded.text)) if folded.boundary[i]), len(folded.text) - 1
            )
        if lo is None or hi is None or hi < lo:
            return None
        hit = Hit(Candidate(self._tone_pattern, lo, hi + 1), lo, hi + 1)
        if self._said_to_someone_else(text, start, end):
            return None
        mtext, _index = marked(folded, BOUNDARY)
        if (
            self._context.talks_about_phrases(mtext)
            or self._context.about_someone_else(folded, lo, text)
            or self._context.to_a_colleague(text, start)
            or self._context.to_a_familiar(text, start)
            or self._context.to_a_superior(text, start)
            or self._context.opens_on_oneself(folded, lo)
            or self._context.closes_on_oneself(text, start)
            or self._context.retracts(text, start)
            or self._context.opens_on_someone_else(folded, lo)
            or self._allowed(hit, folded.text)
            or self._excused(hit, folded, text)
        ):
            return None
        return folded, [hit]

    def _marks_hit(self, text: str) -> tuple[Folded, list[Hit]] | None:
        """A reply of marks alone (？？？, 。。。, 呵呵, 🙄; rules/context.yml's bare_reply), where no pattern and
        the tone model found nothing: the whole reply is the finding. Its fold holds no words, so the finding
        stands on one place-holder standing for the marks."""
        if self._marks_pattern is None:
            return None
        span = self._context.bare_reply(text)
        if span is None:
            return None
        folded = Folded("？", (span[0],), (span[1],), (True, True))
        return folded, [Hit(Candidate(self._marks_pattern, 0, 1), 0, 1)]

    def _excused(
        self,
        hit: Hit,
        folded: Folded,
        text: str,
        excusing: dict[str, tuple[list[int], list[int]]] | None = None,
    ) -> bool:
        """Whether an antipattern of the rule covers the hit, or the words are quoted, reported or talked
        about rather than said to the visitor. ``excusing`` keeps each rule's antipattern matches in the text
        once they are found: a long line with many matches of one rule runs its antipatterns once, not once
        for each."""
        rid = hit.candidate.pattern.rule.id
        antipatterns = self._antipatterns.get(rid)
        if antipatterns:
            found = excusing.get(rid) if excusing is not None else None
            if found is None:
                mtext, index = marked(folded, BOUNDARY)
                # an antipattern none of whose anchors stands in the text cannot match it (a match holds
                # one: pattern.Compiled.anchors), and is neither compiled nor run: a rule has up to 28 (2 MB of
                # dense text: 21,691 runs of antipatterns before, 5,718 now)
                spans = sorted(
                    (index[s], index[e])
                    for compiled in antipatterns
                    if len(compiled.anchors) > _FEW_ANCHORS or any(a in mtext for a in compiled.anchors)
                    for s, e in compiled.run(mtext)
                )
                # the starts, and the furthest end among the matches up to each: a match overlaps the hit
                # where one starting before the hit ends reaches past the hit's start (a search per hit)
                found = ([s for s, _e in spans], list(itertools.accumulate((e for _s, e in spans), max)))
                if excusing is not None:
                    excusing[rid] = found
            starts, reach = found
            before = bisect.bisect_left(starts, hit.end)
            if before and reach[before - 1] > hit.start:
                return True
        start, end = folded.span(hit.start, hit.end)
        context = self._context
        rule = hit.candidate.pattern.rule
        if "cantonese" in rule.skip_in and context.is_cantonese(text):
            return True
        if rule.not_written and any(w in text[start:end] for w in rule.not_written):
            return True  # 隻貓成日要人餵: 餵 is "feed", whatever the fold makes of it
        if hit.candidate.by_sound and context.is_cantonese(text):
            return True  # homophones are heard through Mandarin pinyin (ASR slips): 好返 in Cantonese is 好返
        return (
            (
                rule.category in context.other_subject_categories
                and (
                    context.about_someone_else(folded, hit.start, text)
                    or (
                        # for a rule whose offer may come later, an offer inside a long match counts too (系统
                        # 在升级，我给您登记一下，明天…): it is looked for from the end of the match's first clause
                        context.help_follows(folded, min(hit.end, folded.clause_end(hit.start)))
                        if rule.id in context.help_later_rules
                        else context.help_follows(folded, hit.end, sentence_end(text, end))
                    )
                )
            )
            or (
                rule.category in context.pointed_subject_categories
                and (
                    context.pointed_at_someone_else(folded, hit.start)
                    or context.in_a_story(folded, hit.start, text)
                )
            )
            or (
                rule.id in context.self_subject_rules
                and (context.about_oneself(folded, hit.start) or context.closes_on_oneself(text, start))
            )
            or (rule.category in context.denied_categories and context.denied(text, start))
            or context.to_a_colleague(text, start)
            or (rule.category in context.to_familiar_categories and context.to_a_familiar(text, start))
            or context.to_the_family(folded, text, start)
            or context.to_a_superior(text, start)
            or context.noted_as_not_to_the_visitor(text)
            or context.on_another_topic(folded.text)
            or (
                context.quoted(text, start, end)
                if rule.scope != "quoted"
                else context.quoted_around(text, start, end)
            )
            or context.reported_speech(text, folded, hit.start, start)
            or (rule.id in context.counted_rules and context.quotation_follows(text, end))
            or (
                rule.id in context.restated_rules
                and context.restated_to_deny(text, folded, hit.start, hit.end, start)
            )
            or context.about_phrases(folded, hit.start, text)
        )

    def _allowed(self, hit: Hit, folded: str) -> bool:
        for phrase in self._allow:
            pos = folded.find(phrase)
            while pos != -1:
                if pos <= hit.start and hit.end <= pos + len(phrase):
                    return True
                pos = folded.find(phrase, pos + 1)
        return False


class _Memo:
    """A small thread-safe memo that forgets the entries used least recently beyond ``size``."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: collections.OrderedDict[Hashable, Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def get_many(self, keys: Sequence[Hashable]) -> list[Any]:
        """:meth:`get` of each of ``keys`` in turn, under one hold of the lock (a block of a file's turns)."""
        with self._lock:
            entries = self._entries
            found = [entries.get(key) for key in keys]
            for key, value in zip(keys, found):
                if value is not None:
                    entries.move_to_end(key)
            return found

    def take(self, key: Hashable) -> Any:
        """:meth:`get`, the entry then forgotten."""
        with self._lock:
            return self._entries.pop(key, None)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def _compile_antipatterns(rules: Sequence[Rule], lexicon: Lexicon) -> dict[str, tuple[Compiled, ...]]:
    """The antipatterns of each rule that has any, compiled: once, and kept on disk (compiling them took a
    tenth of the cold start), keyed by the rules, the lexicon, the fold and the code. A broken one raises
    its error as it is compiled, and nothing is kept."""
    with_antipatterns = [r for r in rules if r.antipatterns]
    key = key_of(
        [
            repr([(r.id, r.antipatterns, r.origin, r.line) for r in with_antipatterns]),
            repr(sorted(lexicon.classes.items())),
            repr(lexicon.fillers),
            # what the fold (its table, particles and dialect words) is built from, and the code: the key of
            # the fold itself, not its 65,536 entries joined again at every start
            folding_key(),
        ]
    )

    def build() -> dict[str, tuple[Compiled, ...]]:
        out: dict[str, tuple[Compiled, ...]] = {}
        for rule in with_antipatterns:

            def where(message: str, rule: Rule = rule) -> CatalogueError:
                return CatalogueError(
                    f"rule '{rule.id}': antipattern {message}", rule.origin or None, rule.line or None
                )

            out[rule.id] = tuple(
                compile_pattern(p, lexicon, pattern_fold, where, allow_slot=False) for p in rule.antipatterns
            )
        return out

    return cached("antipatterns", key, build)


def _slot_taken(v: Violation, rule: Rule, text: str) -> str:
    """The words a wording's trailing slot took: the part of the match after the wording's literal words."""
    from .find import literal_and_slot

    for wording in rule.wordings:
        literal, slot = literal_and_slot(wording)
        if slot and fold(v.text).startswith(fold(literal)):
            k = len(v.text)
            while k > 0 and fold(v.text[:k]) != fold(literal):
                k -= 1
            return v.text[k:].strip(" ，,。.！!？?；;")
    return ""


@functools.lru_cache(maxsize=1)
def default_linter() -> Linter:
    return Linter()


def check(text: str, **options: object) -> list[Violation]:
    """Check one utterance with the built-in catalogue. Options: those of :class:`Linter` and ``script``."""
    script = options.pop("script", None)
    linter = Linter(**options) if options else default_linter()  # type: ignore[arg-type]
    return linter.check(text, script=script)  # type: ignore[arg-type]
