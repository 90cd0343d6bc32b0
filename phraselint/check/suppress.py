"""Silencing one line where a text is authored: a comment ``phraselint: disable-next-line RULE[, RULE …]``
on the line before it, in the comment form of the file (Markdown ``<!-- … -->``, YAML and plain text ``#``,
plain text ``//``). The rules are rule ids or situations, as ``--ignore`` takes them; none named silences every
rule on that line. A comment that silenced nothing is itself reported (``unused-suppression``, severity info),
so that stale comments do not pile up (ESLint's ``--report-unused-disable-directives``, ruff's RUF100)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..model import Violation
from ..read.transcript import Turn
from .files import Finding

UNUSED = "unused-suppression"
_DIRECTIVE = re.compile(r"(?:<!--|#|//)\s*phraselint:\s*disable-next-line\b(?P<rules>[^\n]*)")
_SEPARATORS = re.compile(r"[\s,，]+")


@dataclass
class Directive:
    line: int  # where the comment is; it silences line + 1
    column: int
    text: str
    rules: tuple[str, ...]  # empty: every rule
    used: bool = field(default=False)

    def covers(self, violation: Violation) -> bool:
        return not self.rules or violation.rule in self.rules or violation.situation in self.rules


def directive_of(line: str, lineno: int) -> Directive | None:
    """The directive on ``line``, if it has one."""
    if "phraselint" not in line:  # the fast path: most lines
        return None
    match = _DIRECTIVE.search(line)
    if match is None:
        return None
    rest = match.group("rules").split("-->", 1)[0]
    rules = tuple(x for x in _SEPARATORS.split(rest) if x)
    return Directive(lineno, match.start() + 1, match.group(0).split("-->", 1)[0].rstrip(), rules)


class Suppressions:
    """The directives of one file, gathered as its lines stream past (``watch``), applied to its findings
    (``apply``). A directive is always read before the findings of the line under it are made."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._by_target: dict[int, Directive] = {}

    def __bool__(self) -> bool:
        """Whether the file has any directive."""
        return bool(self._by_target)

    def watch(self, numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        for lineno, line in numbered:
            directive = directive_of(line, lineno)
            if directive is not None:
                self._by_target[lineno + 1] = directive
            yield lineno, line

    def silences(self, line: int, violation: Violation) -> bool:
        """Whether a directive silences ``violation`` found on ``line`` (the directive is then used)."""
        directive = self._by_target.get(line)
        if directive is not None and directive.covers(violation):
            directive.used = True
            return True
        return False

    def apply(self, findings: Iterable[Finding], report_unused: bool = True) -> Iterator[Finding]:
        """``findings`` without the silenced ones; then, if asked, each directive that silenced nothing."""
        for finding in findings:
            if not self.silences(finding.line, finding.violation):
                yield finding
        if report_unused:
            yield from self.unused_findings()

    def unused_findings(self) -> list[Finding]:
        """A finding for each directive that has silenced nothing yet, in the order of the file."""
        return [self.unused(d) for d in self._by_target.values() if not d.used]

    def unused(self, directive: Directive) -> Finding:
        named = f" ({', '.join(directive.rules)})" if directive.rules else ""
        violation = Violation(
            rule=UNUSED,
            severity="info",
            situation="",
            category="suppression",
            message=f"豁免注释没有豁免任何问题{named}：下一行已无此问题，请删除这条注释。",
            start=0,
            end=len(directive.text),
            text=directive.text,
            suggestions=(),
        )
        turn = Turn(directive.text, ((0, directive.line, directive.column),))
        end = directive.column + len(directive.text)
        return Finding(self.path, directive.line, directive.column, directive.line, end, violation, turn)
