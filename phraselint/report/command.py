"""``phraselint report``: check transcripts whole, score them, and write one report atomically. Registered
by phraselint.cli by name, like quiz and serve."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..check.scoring import load_scoring
from ..check.whole import Transcript, analyse_file
from ..command_line import (
    conversation_rules_option,
    expand_paths,
    fail,
    guard,
    lint_options,
    reading_of,
    settings_from,
    worker,
)
from ..data.files import write_atomic
from ..errors import ConfigError, PhraselintError
from ..read.decode import display_name
from .figures import Unreadable, build_figures
from .rendering import REPORT_FORMATS, render

# --- writing ----------------------------------------------------------------------------------------


def check_output(output: str) -> None:
    """Fail before any work if the report could not be written where asked."""
    if output == "-":
        return
    target = Path(output)
    if target.is_dir():
        raise ConfigError("is a directory; name the report file", output)
    if not target.parent.resolve().is_dir():
        raise ConfigError("the directory of the report does not exist", output)


def write_report(output: str, text: str, fmt: str) -> None:
    """Write the report to ``output`` (``-``: standard output) atomically: a temporary file in the same
    directory, renamed over the target only once complete. CSV gets a byte-order mark, for spreadsheets."""
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text.encode(encoding))
    except OSError as exc:
        raise ConfigError(f"cannot write the report: {exc.strerror}", output) from None


# --- the command ------------------------------------------------------------------------------------


def _format_of(output: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output != "-" else ""
    return suffix if suffix in REPORT_FORMATS else "html"


@click.command("report")
@click.argument("paths", nargs=-1)
@lint_options
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="The report file ('-': standard output); written atomically.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default=None,
    help="html (one self-contained page), csv (one row per transcript) or json (everything); "
    "default: from the extension of --output, else html.",
)
@click.option(
    "--scoring",
    default=None,
    type=click.Path(dir_okay=False),
    help="A scoring sheet over the built-in rules/scoring.yml.",
)
@conversation_rules_option()
@click.option("--title", default="服务规范质检报告", show_default=True, help="The title of the report.")
@guard
def report(
    paths: tuple[str, ...],
    output: str,
    fmt: str | None,
    scoring: str | None,
    conversation_rules: str | None,
    title: str,
    **opts: Any,
) -> None:
    """Check transcripts whole and write one report for quality managers: scores, compliance rates,
    findings by rule, situation and staff member, the worst utterances with rewrites."""
    from ..check.conversation import load_conversation_rules

    fmt = _format_of(output, fmt)
    check_output(output)
    settings = settings_from(opts)
    linter, roles = worker(settings)
    rules = load_conversation_rules(linter.catalogue, conversation_rules or settings.conversation_rules)
    vocabulary = linter.catalogue.vocabulary
    known = {r.id for r in linter.catalogue.rules} | set(rules.ids)
    sheet = load_scoring(scoring or settings.scoring, rule_ids=known, categories=vocabulary.categories)
    reading = reading_of(settings, opts)
    transcripts: list[Transcript] = []
    unreadable: list[Unreadable] = []
    for path in expand_paths(paths):
        try:
            transcripts.append(analyse_file(path, linter, roles, rules, reading, slots=dict(settings.slots)))
        except PhraselintError as exc:
            fail(str(exc))
            unreadable.append(Unreadable(display_name(path), str(exc)))
    figures = build_figures(transcripts, unreadable, sheet, rules, vocabulary, title)
    write_report(output, render(figures, fmt), fmt)
    if unreadable:
        sys.exit(2)
