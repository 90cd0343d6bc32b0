"""``phraselint report``: check transcripts whole, score them, and write one report atomically. Registered
by phraselint.cli by name, like quiz and serve."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from ..check.baseline import EMPTY, dump_baseline, entry_of, load_baseline
from ..check.scoring import load_scoring
from ..check.whole import Transcript, analyse_call, analyse_file
from ..command_line import (
    conversation_rules_of,
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
from ..data.settings import override
from ..errors import ConfigError, PhraselintError
from ..read.calls import AgentMap, Call, is_export, load_agent_map, read_calls
from ..read.decode import display_name
from .figures import Unreadable, build_figures
from .rendering import BINARY_FORMATS, REPORT_FORMATS, render, rule_titles

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


def write_report(output: str, text: str | bytes, fmt: str) -> None:
    """Write the report to ``output`` (``-``: standard output) atomically: a temporary file in the same
    directory, renamed over the target only once complete. CSV gets a byte-order mark, for spreadsheets."""
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    if output == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text if isinstance(text, bytes) else text.encode(encoding))
    except OSError as exc:
        raise ConfigError(f"cannot write the report: {exc.strerror}", output) from None


# --- the command ------------------------------------------------------------------------------------


_EXTENSIONS = {"htm": "html", "xls": None, "tsv": None}


def _format_of(output: str, fmt: str | None) -> str:
    """The format asked for, else the one of the output's extension (html without one); an extension
    phraselint cannot write is an error, never HTML in a file named .pdf."""
    if fmt:
        return fmt
    if output == "-":
        return "html"
    suffix = Path(output).suffix.lower().lstrip(".")
    if not suffix:
        return "html"
    known = _EXTENSIONS.get(suffix, suffix)
    if known not in REPORT_FORMATS:
        raise ConfigError(
            f"cannot write a '.{suffix}' report (formats: {', '.join(REPORT_FORMATS)}); "
            "name the file after one, or give --format",
            output,
        )
    return known


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
    help="html (one self-contained page), xlsx (an Excel workbook: summary, agents, teams, calls, findings), "
    "csv (one row per call) or json (everything); default: from the extension of --output, else html.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    help="Name the column of an export that holds a field, over rules/fields.yml: FIELD=HEADER, e.g. "
    "agent=员工号 (fields: call, agent, agent_name, team, text, speaker, start, end, date).",
)
@click.option(
    "--scoring",
    default=None,
    type=click.Path(dir_okay=False),
    help="A scoring sheet over the built-in rules/scoring.yml.",
)
@conversation_rules_option()
@click.option(
    "--agents",
    "agents_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="For a folder of transcripts: who took each one, a table with a 'file' or 'speaker' column and the "
    "agent's id, name and team (工号, 姓名, 班组).",
)
@click.option(
    "--appeals",
    "--baseline",
    "appeals",
    default=None,
    type=click.Path(dir_okay=False),
    help="A baseline of findings judged on appeal (申诉, JSON: see check/baseline.py): left out of the findings "
    "and counted apart; 'disputed' ones do not count, 'justified' ones still do.",
)
@click.option(
    "--write-appeals",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write every finding of this report as a baseline entry (status 'justified') to this file, to be "
    "edited into the appeals file of the next report.",
)
@click.option("--title", default="服务规范质检报告", show_default=True, help="The title of the report.")
@guard
def report(
    paths: tuple[str, ...],
    output: str,
    fmt: str | None,
    scoring: str | None,
    conversation_rules: str | None,
    title: str,
    columns: tuple[str, ...],
    agents_file: str | None,
    appeals: str | None,
    write_appeals: str | None,
    **opts: Any,
) -> None:
    """Check transcripts whole and write one report for quality managers: scores, compliance rates,
    findings by rule, situation and staff member, the worst utterances with rewrites."""
    fmt = _format_of(output, fmt)
    check_output(output)
    if write_appeals:
        check_output(write_appeals)
    baseline = load_baseline(appeals) if appeals else EMPTY  # a broken file fails before any work
    agent_map = load_agent_map(agents_file) if agents_file else None
    if fmt in BINARY_FORMATS and output == "-" and sys.stdout.isatty():
        raise ConfigError(f"a {fmt} report is not for a terminal: name the file with -o")
    overrides = _column_overrides(columns)
    settings = settings_from(opts)
    if conversation_rules:  # its rule ids are known to --select/--ignore
        settings = override(settings, conversation_rules=conversation_rules)
    linter, roles = worker(settings)
    rules = conversation_rules_of(settings)
    vocabulary = linter.catalogue.vocabulary
    known = {r.id for r in linter.catalogue.rules} | set(rules.ids)
    sheet = load_scoring(scoring or settings.scoring, rule_ids=known, categories=vocabulary.categories)
    reading = reading_of(settings, opts)
    transcripts: list[Transcript] = []
    unreadable: list[Unreadable] = []
    for path in expand_paths(paths):
        try:
            if path != "-" and reading.input_format == "auto" and is_export(path, reading.encoding):
                calls = read_calls(path, reading.encoding, overrides=overrides)
                transcripts.extend(
                    analyse_call(c, linter, roles, rules, reading, slots=dict(settings.slots)) for c in calls
                )
            else:
                whole = analyse_file(path, linter, roles, rules, reading, slots=dict(settings.slots))
                transcripts.append(_with_agent(whole, agent_map) if agent_map else whole)
        except PhraselintError as exc:
            fail(str(exc))
            unreadable.append(Unreadable(display_name(path), str(exc)))
    transcripts = [t.without(baseline) for t in transcripts]
    figures = build_figures(
        transcripts,
        unreadable,
        sheet,
        rules,
        vocabulary,
        title,
        titles=rule_titles(),
        detail={"json": "full", "html": "compact"}.get(fmt, "none"),
    )
    write_report(output, render(figures, fmt), fmt)
    if write_appeals:
        entries = [entry_of(t.key, f, "justified") for t in transcripts for f in t.findings]
        entries += [e for t in transcripts for _, e in t.judged]
        write_report(write_appeals, dump_baseline(entries), "json")
    if unreadable:
        sys.exit(2)


_FIELDS = ("call", "agent", "agent_name", "team", "text", "speaker", "start", "end", "date")


def _column_overrides(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, column = value.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not column or name not in _FIELDS:
            raise ConfigError(f"--column {value!r}: give FIELD=HEADER with FIELD one of {', '.join(_FIELDS)}")
        out[name] = column
    return out


def _with_agent(t: Transcript, agents: AgentMap) -> Transcript:
    """A transcript of a folder with the agent the agents file gives it (by file name, else staff speaker)."""
    staff = [
        turn.speaker
        for turn, role in zip(t.turns, t.conversation.cast)
        if turn.speaker and role in ("staff", None)
    ]
    found = agents.lookup(display_name(t.path), list(dict.fromkeys(staff)))
    if found is None:
        return t
    agent, name, team = found
    call = Call(display_name(t.path), display_name(t.path), t.turns, agent=agent, agent_name=name, team=team)
    return dataclasses.replace(t, call=call)
