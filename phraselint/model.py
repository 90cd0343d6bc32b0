"""The values that flow through phraselint: catalogue entries and the problems found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SEVERITIES: tuple[str, ...] = ("info", "warning", "error")
SCOPES: tuple[str, ...] = ("anywhere", "word", "clause", "reply", "alone", "quoted")
SLOT_RE = re.compile(r"\{([^{}]*)\}")


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for error."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Source:
    """Where a phrase stands in a service code: code ``001``, clause ``三(五)``."""

    code: str
    clause: str
    capture: str | None = None
    # For a kind of speech that a general clause forbids (呵斥, 刁难, 歧视) rather than a listed phrase: the
    # clause's own words, which the provenance test finds in the code.
    general: str | None = None


@dataclass(frozen=True)
class Wording:
    """One way of saying a phrase: the canonical text or a variant (变体)."""

    text: str
    sources: tuple[Source, ...] = ()
    note: str | None = None
    typo: bool = False


@dataclass(frozen=True)
class Rewrite:
    """A polite alternative (改写) to a forbidden phrase; ``ref`` names the standard phrase it comes from."""

    text: str
    ref: str | None = None
    fix: bool = False
    utterance: bool = False
    words: bool = False  # replaces the matched words only (美女 → 女士); otherwise their whole clause


@dataclass(frozen=True)
class Rule:
    """A forbidden phrase (服务忌语) and how to recognise and replace it."""

    id: str
    phrase: str
    variants: tuple[Wording, ...]
    situation: str
    category: str
    severity: str
    message: str
    scope: str
    exempt_before: tuple[str, ...]
    exempt_after: tuple[str, ...]
    rewrites: tuple[Rewrite, ...]
    flag_examples: tuple[str, ...]
    pass_examples: tuple[str, ...]
    sources: tuple[Source, ...]
    shadows: tuple[str, ...] = ()
    note: str | None = None
    origin: str = ""
    line: int = 0
    # Token patterns over the shared lexicon (phraselint.pattern), and the contexts in which a match of
    # the rule does not count (LanguageTool's antipatterns), in the same syntax.
    patterns: tuple[str, ...] = ()
    antipatterns: tuple[str, ...] = ()
    skip_in: tuple[str, ...] = ()  # kinds of speech the rule does not apply to: "cantonese"
    # "tone": found by the tone model (phraselint/engine/tone.py), not by its phrase or patterns; its phrase
    # names the kind of speech (态度生硬、冷淡、烦躁) and is never matched as words.
    detector: str = ""
    # the rule's words are everyday words with innocent uses (快点, 烦, 神经): a match inside a longer clause
    # counts only where the tone model does not hear the utterance as plainly innocent (the linter's _INNOCENT)
    everyday: bool = False
    # characters whose fold the rule's words are, but which never write them (餵 "feed", folded onto 喂 "hey"): a
    # match written with one of them is not the rule's word
    not_written: tuple[str, ...] = ()

    @property
    def wordings(self) -> tuple[str, ...]:
        if self.detector:
            return ()
        return (self.phrase, *(v.text for v in self.variants))


@dataclass(frozen=True)
class StandardPhrase:
    """A standard phrase (规范用语/文明用语) the codes ask staff to use."""

    id: str
    text: str
    kind: str
    situation: str
    variants: tuple[Wording, ...]
    sources: tuple[Source, ...]
    note: str | None = None
    origin: str = ""
    line: int = 0


@dataclass(frozen=True)
class Vocabulary:
    """The fixed sets the catalogues draw from (rules/vocabulary.yml)."""

    situations: dict[str, str]
    kinds: dict[str, str]
    categories: dict[str, str]
    slots: dict[str, str]
    staff_speakers: tuple[str, ...] = ()
    visitor_speakers: tuple[str, ...] = ()
    situation_ending: str = ""  # a situation's name may leave it off: 受理业务 for 受理业务时


@dataclass(frozen=True)
class Violation:
    """One forbidden phrase found in one utterance.

    ``start``/``end`` are character offsets into the text that was checked; ``text`` is exactly
    ``checked_text[start:end]``. ``suggestions`` are polite rewrites of the matched words, in the script of
    the input; ``rewrite`` is the whole utterance rewritten, where the catalogue allows one.
    """

    rule: str
    severity: str
    situation: str
    category: str
    message: str
    start: int
    end: int
    text: str
    suggestions: tuple[str, ...]
    fix: str | None = None
    rewrite: str | None = None
    sources: tuple[Source, ...] = field(default=())
    script: str = "simplified"  # the script the message and rewrites are written in
