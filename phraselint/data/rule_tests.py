"""Running the catalogue's own examples (prh's specs, Vale's tests): every ``flag`` example must yield its
rule, no ``pass`` example may, and every rewrite must check clean. A catalogue whose examples fail does not
load; a passing catalogue is remembered by the hash of its files so the next start skips the run."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..engine.linter import Linter
from ..errors import CatalogueError
from ..model import SLOT_RE
from .cache import cache_dir, code_fingerprint
from .catalogue import Catalogue, load_catalogue


@dataclass(frozen=True)
class Failure:
    """One example or rewrite that does not behave as its rule says."""

    path: str
    line: int
    rule: str
    kind: str  # "flag", "pass" or "rewrite"
    text: str
    detail: str

    def __str__(self) -> str:
        if self.kind == "coverage":
            return f"{self.path}:{self.line}: rule '{self.rule}': pattern '{self.text}' {self.detail}"
        return f"{self.path}:{self.line}: rule '{self.rule}': {self.kind} example '{self.text}' {self.detail}"


def _sample(template: str) -> str:
    """A rewrite with its slots spelled out as words, as the check sees it."""
    return SLOT_RE.sub(lambda m: m.group(1), template)


def run_examples(
    catalogue: Catalogue, only: Sequence[str] = (), linter: Linter | None = None
) -> list[Failure]:
    """Every failing example and rewrite of the rules (of ``only`` files, if given); ``linter``: one already
    built over the whole ``catalogue`` with no options (building one is the costly part)."""
    linter = linter if linter is not None else Linter(catalogue)
    failures: list[Failure] = []
    for rule in catalogue.rules:
        if only and rule.origin not in only:
            continue
        for text in rule.flag_examples:
            flagged = [v.rule for v in linter.check(text)]
            if rule.id not in flagged:
                failures.append(
                    Failure(
                        rule.origin,
                        rule.line,
                        rule.id,
                        "flag",
                        text,
                        f"is not flagged (got: {flagged or 'nothing'})",
                    )
                )
        for text in rule.pass_examples:
            got = linter.check(text)
            if any(v.rule == rule.id for v in got):
                failures.append(
                    Failure(rule.origin, rule.line, rule.id, "pass", text, "is flagged but must not be")
                )
        for rewrite in rule.rewrites:
            got = linter.check(_sample(rewrite.text))
            if got:
                names = ", ".join(f"{v.rule} ('{v.text}')" for v in got)
                failures.append(
                    Failure(rule.origin, rule.line, rule.id, "rewrite", rewrite.text, f"violates {names}")
                )
    return failures


def run_coverage(catalogue: Catalogue, only: Sequence[str] = ()) -> list[Failure]:
    """Vale's ``--coverage``: every pattern of a rule, and every lexicon class its patterns use, must be
    reached by one of the rule's ``flag`` examples (a pattern no example exercises is untested)."""
    from ..engine.lexicon import pattern_fold

    linter = Linter(catalogue)
    failures: list[Failure] = []
    by_rule: dict[str, list] = {}  # type: ignore[type-arg]
    for pattern in linter.patterns:
        by_rule.setdefault(pattern.rule.id, []).append(pattern)
    for rule in catalogue.rules:
        if only and rule.origin not in only:
            continue
        examples = [pattern_fold(t) for t in rule.flag_examples]
        for pattern in by_rule.get(rule.id, []):
            matches = [ex[s:e] for ex in examples for s, e in pattern.compiled.run(ex)]
            if not matches:
                failures.append(
                    Failure(
                        rule.origin,
                        rule.line,
                        rule.id,
                        "coverage",
                        pattern.wording,
                        "is reached by no flag example",
                    )
                )
                continue
            for token in pattern.compiled.tokens:
                for name in token.classes:
                    words = linter.lexicon.classes[name]
                    if not any(
                        w.replace("\x1f", "") in m.replace("\x1f", "") for m in matches for w in words
                    ):
                        failures.append(
                            Failure(
                                rule.origin,
                                rule.line,
                                rule.id,
                                "coverage",
                                pattern.wording,
                                f"uses lexicon class <{name}>, which no flag example reaches",
                            )
                        )
    return failures


def _fingerprint(catalogue: Catalogue) -> str:
    digest = hashlib.sha256(__version__.encode() + code_fingerprint())
    for name in catalogue.files:
        digest.update(name.encode())
        digest.update(Path(name).read_bytes())
    base = Path(catalogue.files[0]).parent
    for extra in ("vocabulary.yml", "normalize.yml"):
        digest.update((base / extra).read_bytes())
    return digest.hexdigest()[:32]


def verified_marker(catalogue: Catalogue) -> Path | None:
    """The file whose presence says that the examples of ``catalogue`` (its files as they are now) have passed;
    None where it cannot be known (a rule file gone unreadable)."""
    try:
        return cache_dir() / "verified" / _fingerprint(catalogue)
    except OSError:
        return None


def load_verified(extra_files: Sequence[str] = (), linter: Linter | None = None) -> Catalogue:
    """The catalogue, after its examples have passed (once per content: the result is cached). ``linter``, a
    Linter over that catalogue with no options, runs the examples if given (none is built then)."""
    catalogue = load_catalogue(tuple(extra_files))
    marker = verified_marker(catalogue)
    try:
        if marker is not None and marker.exists():
            return catalogue
    except OSError:
        marker = None
    failures = run_examples(catalogue, linter=linter if linter and linter.catalogue is catalogue else None)
    if failures:
        first = failures[0]
        more = f" (and {len(failures) - 1} more; run 'phraselint rules test')" if len(failures) > 1 else ""
        raise CatalogueError(
            f"rule '{first.rule}': {first.kind} example '{first.text}' {first.detail}{more}",
            first.path,
            first.line,
        )
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass
    return catalogue
