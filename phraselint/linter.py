"""The engine: check one utterance or message against the catalogue (normalize → find → confirm → explain)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence

from .catalogue import Catalogue, load_catalogue
from .confirm import Hit, confirm, resolve_overlaps
from .context import load_context
from .errors import CatalogueError, ConfigError
from .explain import explain, splice
from .find import Finder
from .lexicon import load_lexicon, pattern_fold
from .model import SEVERITIES, Rule, Violation
from .normalize import Folded, fold, fold_with_map, folding, marked
from .pattern import BOUNDARY, Compiled, compile_pattern
from .script import SCRIPTS, detect_script
from .sound import sounds


def rewrite_all(text: str, violations: Sequence[Violation]) -> str | None:
    """The whole message with every violation replaced by its safe fix; None when one has none."""
    if not violations:
        return text
    for v in violations:
        if v.fix is None:
            return None
    out = text
    for v in sorted(violations, key=lambda v: v.start, reverse=True):
        out = splice(out, v.start, v.end, v.fix or "")
    return out


_MAX_FIX_ROUNDS = 5


def _with_combined_rewrite(text: str, violations: list[Violation]) -> list[Violation]:
    """Where several violations of one utterance have safe fixes, each one's whole-utterance rewrite applies
    them all (a rewrite that fixes one phrase and leaves the next is no rewrite of the utterance)."""
    fixable = [v for v in violations if v.fix]
    if len(fixable) < 2:
        return violations
    combined = rewrite_all(text, fixable)
    return [
        dataclasses.replace(v, rewrite=combined)
        if v.fix and v.rewrite == splice(text, v.start, v.end, v.fix)
        else v
        for v in violations
    ]


def _resolve_script(text: str, script: str | None, context: str | None) -> str:
    """``script`` itself, or for None and ``auto`` the script of ``text`` (``context`` where it shows none)."""
    if script is None or script == "auto":
        return detect_script(text, context)
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
        self.lexicon = load_lexicon(tuple(str(f) for f in rule_files))
        self._finder = Finder(self.rules, self.lexicon, sounds())
        self._context = load_context(self.lexicon)
        self._antipatterns: dict[str, tuple[Compiled, ...]] = {}
        for rule in self.rules:
            if rule.antipatterns:

                def where(message: str, rule: Rule = rule) -> CatalogueError:
                    return CatalogueError(
                        f"rule '{rule.id}': antipattern {message}", rule.origin or None, rule.line or None
                    )

                self._antipatterns[rule.id] = tuple(
                    compile_pattern(p, self.lexicon, pattern_fold, where, allow_slot=False)
                    for p in rule.antipatterns
                )
        self._allow = tuple(a for a in (fold(x) for x in allow) if a)
        self._prefold = folding().prefold
        self._slots = dict(slots or {})

    def has_candidate(self, text: str) -> bool:
        """The fast test, run on every utterance: could ``text`` contain a violation at all?"""
        return self._finder.has_candidate(self._prefold(text))

    def check(self, text: str, *, script: str | None = None, context: str | None = None) -> list[Violation]:
        """Every violation in one utterance or message, in order of position.

        Rewrites and messages come in ``script``; by default in the script of ``text``, or where the text
        shows none (不知道。 is both), in ``context``: the script of the surrounding file or conversation."""
        if not self._finder.has_candidate(self._prefold(text)):
            return []
        folded = fold_with_map(text)
        hits: list[Hit] = []
        for candidate in self._finder.candidates(folded):
            hit = confirm(candidate, folded, self._context)
            if (
                hit is not None
                and not self._allowed(hit, folded.text)
                and not self._excused(hit, folded, text)
            ):
                hits.append(hit)
        if not hits:
            return []
        script = _resolve_script(text, script, context)
        violations = [
            explain(h.candidate.pattern.rule, h, folded, text, script, self._slots)
            for h in resolve_overlaps(hits)
        ]
        return _with_combined_rewrite(text, violations)

    def fix(self, text: str, *, script: str | None = None, context: str | None = None) -> str:
        """``text`` with every violation that has a safe rewrite replaced, repeated until nothing more
        changes: a replacement can change the context of its neighbour (an exempting context is gone)."""
        for _ in range(_MAX_FIX_ROUNDS):
            fixable = [v for v in self.check(text, script=script, context=context) if v.fix]
            if not fixable:
                break
            text = rewrite_all(text, fixable) or text
        return text

    def rewrite(self, text: str, *, script: str | None = None, context: str | None = None) -> str | None:
        """The whole message rewritten politely, ready to send; the text itself when it is clean; None when a
        violation has no safe rewrite.

        Every replacement is written in one script, chosen once from the whole message (or ``script``; or,
        where the message shows none, ``context``), so a fix that only a first round of fixes uncovers comes
        in the same forms as the rest."""
        script = _resolve_script(text, script, context)
        if not self.has_candidate(text):
            return text
        fixed = self.fix(text, script=script)
        return fixed if not self.check(fixed, script=script) else None

    def _excused(self, hit: Hit, folded: Folded, text: str) -> bool:
        """Whether an antipattern of the rule covers the hit, or the words are quoted, reported or talked
        about rather than said to the visitor."""
        antipatterns = self._antipatterns.get(hit.candidate.pattern.rule.id)
        if antipatterns:
            mtext, index = marked(folded, BOUNDARY)
            for compiled in antipatterns:
                for s, e in compiled.run(mtext):
                    if index[s] < hit.end and hit.start < index[e]:
                        return True
        start, end = folded.span(hit.start, hit.end)
        context = self._context
        rule = hit.candidate.pattern.rule
        if "cantonese" in rule.skip_in and context.is_cantonese(text):
            return True
        return (
            (
                rule.category in context.other_subject_categories
                and context.about_someone_else(folded, hit.start)
            )
            or context.quoted(text, start, end)
            or context.reported_speech(text, folded, hit.start, start)
            or context.about_phrases(folded, hit.start)
        )

    def _allowed(self, hit: Hit, folded: str) -> bool:
        for phrase in self._allow:
            pos = folded.find(phrase)
            while pos != -1:
                if pos <= hit.start and hit.end <= pos + len(phrase):
                    return True
                pos = folded.find(phrase, pos + 1)
        return False


@functools.lru_cache(maxsize=1)
def default_linter() -> Linter:
    return Linter()


def check(text: str, **options: object) -> list[Violation]:
    """Check one utterance with the built-in catalogue. Options: those of :class:`Linter` and ``script``."""
    script = options.pop("script", None)
    linter = Linter(**options) if options else default_linter()  # type: ignore[arg-type]
    return linter.check(text, script=script)  # type: ignore[arg-type]
