"""The command line: ``phraselint check|fix|rules``. Exit 0 clean, 1 findings, 2 usage or input errors."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..command_line import (
    color_option,
    config_option,
    conversation_rules_of,
    conversation_rules_option,
    expand_paths,
    fail,
    guard,
    internal_error,
    isolated_option,
    lint_options,
    reading_of,
    rules_option,
    settings_from,
    stdin_filename_option,
    worker,
)
from ..data.rule_tests import run_examples
from ..data.settings import Settings, load_settings, override
from ..engine.script import SCRIPTS
from ..errors import PhraselintError
from ..model import SEVERITIES, severity_rank
from ..output import FORMATS

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..check.baseline import Baseline, FileMatch
    from ..check.conversation import ConversationRules
    from ..check.files import Finding, Reading, Roles
    from ..check.parts import PartFindings
    from ..engine.linter import Linter
    from ..output.render import Shown, Tally
    from ..read.split import Part, Sizes


class _LazyGroup(click.Group):
    """A command group whose heavier commands are imported only when they are asked for."""

    LAZY: dict[str, tuple[str, str]] = {  # noqa: RUF012 - read-only table
        "quiz": ("phraselint.quiz.command", "quiz"),
        "report": ("phraselint.report.command", "report"),
        "serve": ("phraselint.service.command", "serve"),
        "lsp": ("phraselint.lsp.command", "lsp"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, attribute = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phraselint")
def main() -> None:
    """phraselint: find the forbidden phrases (服务忌语) of the service codes in staff speech, with polite
    rewrites (规范用语)."""


def run() -> None:
    """``phraselint`` as a program (the console script, ``python -m phraselint``, a checkout's cli.py): ``main``,
    then, after ``check``, the process ends as soon as its output is flushed, without tearing the interpreter
    down (freeing the catalogue, the automata and the tokenizer's dictionary one object at a time took a tenth
    of a cold start). ``check`` leaves nothing for the teardown to do: no thread, no temporary folder, every
    file it wrote closed. Any other command, or a flush that fails, ends as Python ends it."""
    import threading

    try:
        main(prog_name="phraselint")
        code: str | int | None = 0
    except SystemExit as exc:
        code = exc.code
    if sys.argv[1:2] != ["check"] or threading.active_count() != 1 or isinstance(code, str):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # a closed pipe and the like: Python's own exit reports it as it always has
        sys.exit(code)
    os._exit(code or 0)


# One file to check: the settings, its path, how to read it, its name (--stdin-filename names standard input).
Job = tuple["Settings", str, "Reading", str]


def _lint_one(job: Job) -> tuple[str, list[Finding], str | None]:
    """One file's findings, all at once (for a worker process); an unreadable file's error as text."""
    path, found, _ = _lint_streamed(job)
    kept: list[Finding] = []  # what was found before a record turned out unreadable is still reported
    try:
        kept.extend(found)
        return path, kept, None
    except PhraselintError as exc:
        return path, kept, str(exc)
    except Exception as exc:  # phraselint's fault: named, and the other files still checked
        return path, kept, internal_error(exc, path)


# --- check ------------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1)
@lint_options
@click.option(
    "--output-format",
    "--format",
    "output_format",
    type=click.Choice(("auto", *FORMATS)),
    default="auto",
    show_default=True,
    help="How to print the findings.",
)
@click.option("--statistics", "show_statistics", is_flag=True, help="Count findings by rule.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Lowest severity that fails the run (default: warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Check with this many worker processes (default: the number of cores; -j 1: one process): many "
    "files side by side, and a large file in parts. The catalogue is loaded once, before the workers start; "
    "the output is that of -j 1.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--conversation",
    is_flag=True,
    help="Also check each transcript whole: greeting, farewell, answers, interruptions, 您, 我-form "
    "(findings then come file by file).",
)
@conversation_rules_option(" (implies --conversation)")
@click.option(
    "--baseline",
    "baseline_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Report only the findings this baseline file does not judge (the appeals format of 'report "
    "--appeals'; see docs/baseline.md and --write-baseline).",
)
@click.option(
    "--write-baseline",
    is_flag=True,
    help="Write every current finding to the --baseline file (default phraselint-baseline.json), keeping the "
    "entries it already has for them, and exit 0.",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply exclude and extend-exclude to files named on the command line too (for pre-commit).",
)
@click.option(
    "--show-settings", is_flag=True, help="Print the settings in force and where each came from, then exit."
)
@stdin_filename_option
@color_option
@guard
def check(
    paths: tuple[str, ...],
    output_format: str,
    show_statistics: bool,
    exit_zero: bool,
    jobs: int | None,
    quiet: bool,
    conversation: bool,
    conversation_rules: str | None,
    baseline_file: str | None,
    write_baseline: bool,
    force_exclude: bool,
    show_settings: bool,
    stdin_filename: str | None,
    **opts: Any,
) -> None:
    """Check transcripts (files, directories, '-' for standard input) for forbidden phrases."""
    from ..output.render import JSON_HEAD, STREAMED, Tally, auto_format, json_tail, statistics

    settings = settings_from(opts)
    if conversation_rules:  # its rule ids are known to --select/--ignore
        settings = override(settings, conversation_rules=conversation_rules)
    if show_settings:
        _show_settings(settings, opts)
        return
    fmt = auto_format() if output_format == "auto" else output_format
    files = expand_paths(paths, settings, force_exclude)
    if stdin_filename and "-" in files and force_exclude and settings.excluded(stdin_filename):
        files.remove("-")
    linter, _ = worker(settings)  # load and verify the catalogue once, before any output
    out = sys.stdout
    kept: Baseline | None = None  # --write-baseline: the file as it was
    if write_baseline:
        baseline_file = baseline_file or "phraselint-baseline.json"
        kept = _existing_baseline(baseline_file)  # a broken one fails here, before any work
        fmt = "json"  # every finding kept; nothing printed but the baseline's summary
    keeping = _keeping(settings, None if write_baseline else baseline_file)  # so does a broken baseline
    findings = Tally(keep=fmt not in STREAMED or kept is not None)
    collect_fmt = "baseline" if kept is not None else fmt  # --write-baseline prints no finding
    if collect_fmt == "json":
        out.write(JSON_HEAD)
    elif collect_fmt == "sarif":
        # the log names its rules before its results: they wait in a spool file (on disk past a few MB)
        import tempfile

        out = tempfile.SpooledTemporaryFile(_SARIF_SPOOL, mode="w+", encoding="utf-8", newline="")
    unreadable = 0
    reading = reading_of(settings, opts)
    jobs_list: list[Job] = [
        (settings, p, reading, stdin_filename if p == "-" and stdin_filename else p) for p in files
    ]
    lint_one: Callable[..., tuple[Any, ...]] = _lint_one
    skipped: Counter[tuple[str, str]] = Counter()  # conversation rules not run: (rule, reason) → files
    conversation_rules = conversation_rules or (settings.conversation_rules if conversation else None)
    whole = bool(conversation or conversation_rules)  # each transcript read whole, one process per file
    if whole:
        _conversation_rules(settings, conversation_rules)  # load and check them once, before any output
        lint_one = functools.partial(_lint_whole, conversation_rules)
    jobs = jobs or os.cpu_count() or 1
    planned = _first_plan(jobs_list, jobs) if jobs > 1 and not whole else None
    if jobs > 1 and "-" not in files and (len(files) > 1 or planned is not None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork, where there is one: the workers start with the catalogue the parent has loaded and checked,
        # and with what the fast test builds when first run
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        if "fork" in methods:
            linter.prepare_blocks()
        # the workers write the findings of the streamed formats out themselves: the parent only prints them
        show = _Show(settings, fmt, baseline_file) if collect_fmt in STREAMED else None
        units = _units(jobs_list, lint_one, jobs, None if whole else planned, whole)
        workers = jobs if any(_size(f) >= 2 * MIN_PART for f in files) else min(jobs, len(files))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            try:
                results = _by_file(_in_order(pool, units, 2 * jobs, show))
                unreadable = _collect(_noting(results, skipped), collect_fmt, out, findings, keeping)
            except BaseException:  # a closed pipe, ^C: the work not begun is dropped, not waited for
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    elif not whole:  # one process: stream each file's findings as they are found
        unreadable = _collect(map(_lint_streamed, jobs_list), collect_fmt, out, findings, keeping)
    else:
        unreadable = _collect(_noting(map(lint_one, jobs_list), skipped), collect_fmt, out, findings, keeping)
    if kept is not None and baseline_file:
        if unreadable:
            sys.exit(2)  # a baseline of part of the files would hide the rest's findings later
        from ..check.baseline import file_baseline
        from ..check.baseline import write_baseline as write_baseline_file

        write_baseline_file(baseline_file, file_baseline(findings.findings, baseline_file, kept))
        click.echo(f"{baseline_file}: 记录了 {len(findings)} 处问题 (检查了 {len(files)} 个文件)。", err=True)
        return
    if fmt == "json":
        out.write(json_tail(findings, len(files), unreadable))
    elif fmt == "sarif":
        _write_sarif(out, findings, linter.rules)
    if show_statistics:  # on standard error beside a machine format, which must stay parseable
        statistics(findings, out if fmt == "text" else sys.stderr)
    if fmt == "text" and not quiet:
        _text_summary(findings, len(files), unreadable)
    if skipped and not (fmt == "text" and quiet):
        _skipped_summary(skipped, to_stderr=fmt != "text")
    if unreadable:
        sys.exit(2)
    threshold = severity_rank(settings.fail_on)
    if not exit_zero and findings.worst() >= threshold:
        sys.exit(1)


def _lint_streamed(job: Job) -> tuple[str, Iterator[Finding], None]:
    """One file's findings lazily, so a huge file is never held (errors come while iterating, and
    ``_collect`` reports them)."""
    from ..check.files import lint_file

    settings, path, reading, name = job
    linter, roles = worker(settings)
    return name, lint_file(path, linter, roles, reading, name), None


# A large file is checked in parts side by side (check/parts.py): each about a third of each worker's share of
# what is left of the file, so that parts shrink towards its end and the workers finish together (the first to
# finish waits for the others about half a last part). A part of MIN_PART takes about a third of a second: a
# smaller one would save less than what each part costs (a task, the lines before it read for its clock and
# script), and a file smaller than two is checked whole. Over MAX_PART, the findings the parent holds for the
# parts ahead of the one it writes would grow with the file; and a worker holds a part's findings, shown, until
# the part is done (2 MB of dense text: some 8 MB, which put a worker of -j 2 above a check of -j 1: issue 13,
# peak memory; with 1 MB, 188 MiB for dense 20 MB against 192-197 MiB).
MIN_PART = 512 << 10
MAX_PART = 1 << 20


def _sizes(jobs: int) -> Sizes:
    from ..read.split import Sizes

    return Sizes(MIN_PART, MAX_PART, 3 * jobs)


def _first_plan(jobs_list: Sequence[Job], jobs: int) -> tuple[Reading, int, Iterator[Part]] | None:
    """How the first file is read in parts, or None for a file read whole (for one file, no worker then)."""
    if not jobs_list or jobs_list[0][1] == "-":
        return None  # (before the import: standard input is read whole, and a cold start needs no parts)
    from ..check.parts import plan

    _settings, path, reading, name = jobs_list[0]
    return plan(path, reading, name, _sizes(jobs))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# What a worker is given: a function, its arguments, and what its result is: "files", the results of some small
# files (checked one after the other in one worker: a task costs the parent more than a small file costs a
# worker), "part" or "last" (the last part of a file).
Unit = tuple[Callable[..., Any], tuple[Any, ...], str]
# Small files go to the workers in batches of up to BATCH_FILES files and BATCH_BYTES bytes.
BATCH_FILES = 32
BATCH_BYTES = 256 << 10


def _units(
    jobs_list: Sequence[Job],
    lint_one: Callable[..., Any],
    jobs: int,
    first: tuple[Reading, int, Iterator[Part]] | None,
    whole: bool,
) -> Iterator[Unit]:
    """The work, in the order of the output: small files in batches, each other file whole (``lint_one``), or
    in parts when it is large and can be cut (phrase checks only: with ``whole``, --conversation, each
    transcript is read whole). A file is planned when its turn comes, and its parts are found as the workers
    take them."""
    from ..check.parts import plan

    batch: list[Job] = []
    batched = 0
    for k, job in enumerate(jobs_list):
        settings, path, reading, name = job
        size = _size(path)
        if size < BATCH_BYTES:
            batch.append(job)
            batched += size
            if len(batch) < BATCH_FILES and batched < BATCH_BYTES:
                continue
        if batch:
            yield _lint_batch, (lint_one, tuple(batch)), "files"
            batch, batched = [], 0
        if size < BATCH_BYTES:
            continue
        planned = None
        if not whole and path != "-":
            planned = first if k == 0 else plan(path, reading, name, _sizes(jobs))
        if planned is None:
            yield _lint_batch, (lint_one, (job,)), "files"
            continue
        part_reading, total, found = planned
        part_job = (settings, path, part_reading, name)
        try:
            for part in found:
                yield _lint_part, (part_job, part), "last" if part.end == total else "part"
        except PhraselintError as exc:  # the file became unreadable while it was being cut
            yield _unreadable, (name, str(exc)), "last"
    if batch:
        yield _lint_batch, (lint_one, tuple(batch)), "files"


def _lint_batch(lint_one: Callable[..., Any], jobs: tuple[Job, ...]) -> list[Any]:
    """The results of some files, one after the other (for a worker process)."""
    return [lint_one(job) for job in jobs]


def _in_order(
    pool: ProcessPoolExecutor, units: Iterator[Unit], window: int, show: _Show | None
) -> Iterator[tuple[Any, str]]:
    """Each unit's result (its findings as ``show`` prints them, if given) with what it is, in the order of
    ``units``, with at most ``window`` units handed to the workers and not yet written out (the results held
    stay few, whatever the input)."""
    from collections import deque
    from concurrent.futures import Future

    pending: deque[tuple[Future[Any], str]] = deque()
    for func, args, kind in units:
        pending.append((pool.submit(_run, func, args, show), kind))
        if len(pending) >= window:
            future, what = pending.popleft()
            yield future.result(), what
    while pending:
        future, what = pending.popleft()
        yield future.result(), what


def _run(func: Callable[..., Any], args: tuple[Any, ...], show: _Show | None) -> Any:
    """One unit of work in a worker process: its result, its findings shown if asked."""
    result = func(*args)
    return result if show is None else show.result(result)


class _Show:
    """The findings of a unit of work as the output prints them, made in the worker that found them: those kept
    (``per-file-ignores``, the baseline), each as its rule, severity and text. The parent then writes the texts
    and counts, and no finding travels between processes (the parent's work per finding is what -j cannot
    share out)."""

    def __init__(self, settings: Settings, fmt: str, baseline_file: str | None) -> None:
        self.settings, self.fmt, self.baseline_file = settings, fmt, baseline_file

    def __call__(self, found: Iterable[Finding]) -> list[Shown]:
        from ..output.render import shown

        keeping = _keeping(self.settings, self.baseline_file)
        return [shown(f, self.fmt) for f in found if keeping(f)]

    def result(self, result: Any) -> Any:
        from ..check.parts import PartFindings

        if isinstance(result, list):  # a batch of files
            return [self.result(one) for one in result]
        if isinstance(result, PartFindings):
            return PartFindings(
                result.name, self(result.findings), self(result.unused), result.problems, result.error
            )
        path, found, error, *rest = result
        return (path, self(found), error, *rest)


def _by_file(results: Iterator[tuple[Any, str]]) -> Iterator[tuple[Any, ...]]:
    """The result of each file: of a batch of files, each; the parts of a file as one result of the file, as
    the file read whole gives it (check/parts.py ``findings_of_parts``)."""
    from ..check.parts import findings_of_parts

    for result, kind in results:
        if kind == "files":
            yield from result
            continue
        parts = _Parts(result, kind == "last", results)
        yield result.name, findings_of_parts(parts), None
        for _rest in parts:  # those after a part that could not be read: not reported
            pass


class _Parts:
    """The results of the parts of one file, in order, taken from the shared stream of results as they are
    written out."""

    def __init__(self, first: PartFindings[Any], last: bool, results: Iterator[tuple[Any, str]]) -> None:
        self._first: PartFindings[Any] | None = first
        self._done = last
        self._results = results

    def __iter__(self) -> Iterator[PartFindings[Any]]:
        return self

    def __next__(self) -> PartFindings[Any]:
        if self._first is not None:
            part, self._first = self._first, None
            return part
        if self._done:
            raise StopIteration
        part, kind = next(self._results)
        self._done = kind == "last"
        return part  # type: ignore[no-any-return]


def _lint_part(job: Job, part: Part) -> PartFindings[Finding]:
    """One part of a large file (for a worker process)."""
    from ..check.parts import PartFindings, lint_part

    settings, path, reading, name = job
    linter, roles = worker(settings)
    try:
        return lint_part(path, linter, roles, reading, name, part)
    except Exception as exc:  # phraselint's fault: named, and the other files still checked
        return PartFindings(name, [], error=internal_error(exc, name))


def _unreadable(name: str, message: str) -> PartFindings[Finding]:
    from ..check.parts import PartFindings

    return PartFindings(name, [], error=message)


class _Keeping:
    """Which findings are reported: not those ``per-file-ignores`` silences in their file, nor those the
    baseline judges."""

    def __init__(self, settings: Settings, baseline_file: str | None) -> None:
        self.settings = settings
        self.baseline: FileMatch | None = None
        if baseline_file:  # the baseline module imported only for a run that has one
            from ..check.baseline import FileMatch, load_baseline

            self.baseline = FileMatch(load_baseline(baseline_file))
        self._ignored: dict[str, tuple[str, ...]] = {}

    def __call__(self, f: Finding) -> bool:
        ignored = self._ignored.get(f.path)
        if ignored is None:
            ignored = self._ignored[f.path] = self.settings.ignored_here(f.path)
        if f.violation.rule in ignored or f.violation.situation in ignored:
            return False
        return self.baseline is None or not self.baseline.judged(f)


def _keeping(settings: Settings, baseline_file: str | None) -> _Keeping:
    """The run's ``_Keeping``, its baseline loaded once: in the parent, and so in the workers forked from it
    (the baseline file as it is now: another file, or the file changed since, is loaded again)."""
    if not baseline_file:
        return _kept_by(settings, None, ())
    try:
        stat = os.stat(baseline_file)
    except OSError:
        return _Keeping(settings, baseline_file)  # loading it says what is wrong
    identity = (os.path.abspath(baseline_file), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    return _kept_by(settings, baseline_file, identity)


@functools.lru_cache(maxsize=2)
def _kept_by(settings: Settings, baseline_file: str | None, _identity: tuple[object, ...]) -> _Keeping:
    return _Keeping(settings, baseline_file)


def _existing_baseline(path: str) -> Baseline:
    """What --write-baseline keeps: the entries of the baseline file there, if there is one yet."""
    from ..check.baseline import EMPTY, load_baseline

    return load_baseline(path) if os.path.exists(path) else EMPTY


# How many characters of a SARIF log's results are held in memory before the spool moves to a file. In memory
# the spool is an io.StringIO, four bytes a character: 8 << 20 had a check of 2 MB of dense text (7 MB of
# SARIF) peak 12 MB above the same check in json; past this the results are written to a temporary file.
_SARIF_SPOOL = 1 << 20
# How many characters of the spool are copied to standard output at a time: 1 << 20 had the same check of 10 MB
# peak 20 MB above json (each megacharacter read, decoded and encoded again at once); with this, no higher.
_SARIF_COPY = 1 << 16


def _write_sarif(spool: Any, findings: Tally, rules: Sequence[Any]) -> None:
    """The SARIF log on standard output: the rules of the findings, then the results spooled."""
    import shutil

    from ..output.render import sarif_around

    head, tail = sarif_around(findings.counts, rules)
    sys.stdout.write(head)
    spool.seek(0)
    shutil.copyfileobj(spool, sys.stdout, _SARIF_COPY)
    spool.close()
    sys.stdout.write(tail)


def _collect(
    results: Iterable[tuple[str, Iterable[Finding | Shown], str | None]],
    fmt: str,
    out: Any,
    findings: Tally,
    keeping: Callable[[Finding], bool],
) -> int:
    """Write each file's findings (or, from the workers, findings already kept and shown) and count them;
    report each unreadable file on its line. The number of unreadable files."""
    from ..output.render import STREAMED, Shown, emit_one, emit_shown

    unreadable = 0
    written = 0
    for path, found, error in results:
        try:
            for f in found:
                if isinstance(f, Shown):
                    findings.count(f.rule, f.severity)
                    written += 1
                    emit_shown(f, fmt, out, first=written == 1)
                    continue
                if not keeping(f):
                    continue
                findings.add(f)
                written += 1
                if fmt in STREAMED:
                    emit_one(f, fmt, out, first=written == 1)
            if error:  # from a worker: its findings first, as one process reports them
                fail(error)
                unreadable += 1
        except PhraselintError as exc:  # a file that turns out unreadable part-way: named, skipped, exit 2
            fail(str(exc))
            unreadable += 1
        except BrokenPipeError:  # the reader has gone (| head): the guard ends the run quietly
            raise
        except (
            Exception
        ) as exc:  # phraselint's fault: named, never a traceback, the other files still checked
            fail(internal_error(exc, path))
            unreadable += 1
    return unreadable


# --- check --conversation: each file read whole, its conversation findings merged into its phrase findings -


@functools.lru_cache(maxsize=4)
def _conversation_rules(settings: Settings, extra: str | None) -> ConversationRules:
    return conversation_rules_of(settings, extra)


def _lint_whole(
    conversation_rules: str | None, job: Job
) -> tuple[str, list[Finding], str | None, list[tuple[str, str]]]:
    """``_lint_one`` for --conversation: the file's findings in file order, and the rules skipped on it."""
    from ..check.whole import analyse_file

    settings, path, reading, name = job
    linter, roles = worker(settings)
    rules = _conversation_rules(settings, conversation_rules)
    try:
        whole = analyse_file(path, linter, roles, rules, reading, slots=dict(settings.slots))
    except PhraselintError as exc:
        return name, [], str(exc), []
    except Exception as exc:  # phraselint's fault: named, and the other files still checked
        return name, [], internal_error(exc, name), []
    found = [f if f.path == name else dataclasses.replace(f, path=name) for f in whole.findings]
    return name, found, None, [(s.rule, s.reason) for s in whole.conversation.skipped]


def _noting(
    results: Iterable[tuple[Any, ...]], skipped: Counter[tuple[str, str]]
) -> Iterator[tuple[str, list[Finding], str | None]]:
    """The results as ``_collect`` takes them, counting the skipped conversation rules that come with some."""
    for path, found, error, *rest in results:
        for note in rest[0] if rest else ():
            skipped[note] += 1
        yield path, found, error


def _skipped_summary(skipped: Counter[tuple[str, str]], to_stderr: bool) -> None:
    """Each conversation rule that could not run, once: on how many files, and why."""
    reasons: dict[str, Counter[str]] = {}
    for (rule, reason), files in skipped.items():
        reasons.setdefault(rule, Counter())[reason] += files
    for rule, why in sorted(reasons.items()):
        detail = "；".join(r if len(why) == 1 else f"{r} ({n} 个文件)" for r, n in why.most_common())
        click.echo(f"会话规则 {rule} 未检查 ({sum(why.values())} 个文件): {detail}。", err=to_stderr)


def _show_settings(settings: Settings, opts: dict[str, Any]) -> None:
    """Each setting in force, and where it came from: the settings file, the command line or the default
    (ruff's --show-settings)."""
    from dataclasses import fields

    from ..data.settings import user_settings_path

    in_file = load_settings(opts.get("config"), opts.get("isolated", False))
    click.echo(f"settings file: {in_file.source or '(none)'}")
    click.echo(f"user settings file: {user_settings_path()}")
    for f in fields(Settings):
        if f.name in ("source", "explicit"):
            continue
        value = getattr(settings, f.name)
        if value != getattr(in_file, f.name):
            origin = "command line"
        elif f.name in in_file.explicit:
            origin = str(in_file.source)
        else:
            origin = "default"
        shown = json.dumps(_plain(value), ensure_ascii=False)
        click.echo(f"{f.name.replace('_', '-'):20s} = {shown}  # {origin}")


def _plain(value: Any) -> Any:
    """A setting's value as JSON shows it: tables of pairs as objects."""
    if isinstance(value, tuple) and value and all(isinstance(x, tuple) and len(x) == 2 for x in value):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, tuple):
        return [_plain(x) for x in value]
    return value


def _text_summary(findings: Tally, files: int, unreadable: int) -> None:
    if not findings:
        msg = f"未发现服务忌语 (检查了 {files} 个文件)。"
    else:
        counts = findings.by_severity()
        detail = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        msg = f"发现 {len(findings)} 处问题 ({detail}),检查了 {files} 个文件。"
    if unreadable:
        msg += f" {unreadable} 个文件无法读取。"
    click.echo(msg, err=False)


# --- fix --------------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1)
@lint_options
@click.option(
    "--write", is_flag=True, help="Rewrite the files in place (atomically) instead of printing them."
)
@click.option("--no-backup", is_flag=True, help="With --write: keep no PATH.bak copy of the original.")
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print what would change as a unified diff, write nothing; exit 1 if anything would change.",
)
@stdin_filename_option
@color_option
@guard
def fix(
    paths: tuple[str, ...],
    write: bool,
    no_backup: bool,
    show_diff: bool,
    stdin_filename: str | None,
    **opts: Any,
) -> None:
    """Replace every violation that has one unambiguous rewrite; print the result, or --write it in place."""
    from ..check.fix import fix_file

    settings = settings_from(opts)
    worker(settings)  # load and verify the catalogue once, before any output
    files = expand_paths(paths, settings)
    if write and show_diff:
        raise click.UsageError("--diff writes nothing: give --write or --diff, not both")
    if show_diff and "-" in files:
        raise click.UsageError("--diff compares files with their fixed text; give file paths")
    if write and "-" in files:
        raise click.UsageError("--write cannot rewrite standard input")
    if not (write or show_diff) and len(files) > 1:
        raise click.UsageError("fix prints one transcript; give one file, or use --write for several")
    reading = reading_of(settings, opts)
    failed = 0
    total = 0
    changed = 0
    for path in files:
        name = stdin_filename if path == "-" and stdin_filename else path
        linter, roles = _fixer(settings, settings.ignored_here(name))
        try:
            result = fix_file(path, linter, roles, reading, write=write, backup=not no_backup, name=name)
            if show_diff:
                changed += _print_diff(path, result.text, reading)
        except PhraselintError as exc:
            fail(str(exc))
            failed += 1
            continue
        total += result.applied
        if not (write or show_diff):
            sys.stdout.write(result.text)
        elif write and result.applied:
            click.echo(f"{path}: 改写了 {result.applied} 处, {result.left} 处需人工处理。", err=True)
    if write:
        click.echo(f"共改写 {total} 处。", err=True)
    if failed:
        sys.exit(2)
    if changed:
        sys.exit(1)


@functools.lru_cache(maxsize=8)
def _fixer(settings: Settings, ignored: tuple[str, ...]) -> tuple[Linter, Roles]:
    """The linter that fixes a file: the settings' own, less what ``per-file-ignores`` silences there."""
    if not ignored:
        return worker(settings)
    return worker.__wrapped__(override(settings, ignore=(*settings.ignore, *ignored)))


def _print_diff(path: str, fixed: str, reading: Reading) -> int:
    """The unified diff of ``path`` and its fixed text on standard output (coloured where asked); 1 if they
    differ, else 0."""
    import difflib

    from ..read.decode import read_whole

    original = read_whole(path, reading.encoding)[1]
    if original == fixed:
        return 0
    name = path.replace("\\", "/")
    for line in difflib.unified_diff(
        original.splitlines(keepends=True), fixed.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    ):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        colour = (
            {"+": "green", "-": "red", "@": "cyan"}.get(line[:1]) if line[:3] not in ("+++", "---") else None
        )
        click.echo(click.style(line, fg=colour) if colour else line, nl=False)
    return 1


# --- rules ------------------------------------------------------------------------------------------


@main.group()
def rules() -> None:
    """List, show and test the catalogue of forbidden phrases."""


def _catalogue_for(rule_files: Sequence[str], config: str | None, isolated: bool):  # type: ignore[no-untyped-def]
    from ..data.catalogue import load_catalogue

    settings = load_settings(config, isolated)
    return load_catalogue((*settings.rules, *rule_files))


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@rules_option
@config_option
@isolated_option
@guard
def rules_list(fmt: str, rule_files: tuple[str, ...], config: str | None, isolated: bool) -> None:
    """Every forbidden-phrase rule: id, severity, situation, phrase, sources."""
    catalogue = _catalogue_for(rule_files, config, isolated)
    if fmt == "json":
        from ..output.render import rule_dict

        data = [rule_dict(r, matching=True) for r in catalogue.rules]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for r in catalogue.rules:
        sources = "; ".join(f"{s.code} {s.clause}" for s in r.sources)
        click.echo(f"{r.id:34s} {r.severity:8s} {r.situation:22s} {r.phrase}  [{sources}]")


@rules.command("show")
@click.argument("rule_id")
@rules_option
@click.option("--script", type=click.Choice(SCRIPTS), default="simplified", show_default=True)
@guard
def rules_show(rule_id: str, rule_files: tuple[str, ...], script: str) -> None:
    """Everything about one rule (or standard phrase), its rewrites rendered."""
    from ..engine.script import render, to_script

    catalogue = _catalogue_for(rule_files, None, False)
    vocab = catalogue.vocabulary
    try:
        r = catalogue.rule(rule_id)
    except KeyError:
        try:
            p = catalogue.phrase(rule_id)
        except KeyError:
            raise click.UsageError(
                f"no rule or standard phrase '{rule_id}' (see 'phraselint rules list')"
            ) from None
        click.echo(
            f"{p.id}  [规范用语]  {vocab.kinds.get(p.kind, p.kind)} · {vocab.situations.get(p.situation)}"
        )
        click.echo(f"  {to_script(p.text, script)}")
        for v in p.variants:
            click.echo(f"  变体: {to_script(v.text, script)}" + (f"  ({v.note})" if v.note else ""))
        click.echo("  出处: " + "; ".join(f"{s.code} {s.clause}" for s in p.sources))
        return
    click.echo(f"{r.id}  [{r.severity}]  {vocab.situations.get(r.situation)} · {r.category}")
    click.echo(f"  忌语: {to_script(r.phrase, script)}")
    if r.detector == "tone":
        click.echo(
            to_script("  识别: 语气模型（rules/tone.tsv 逐句、rules/turn.tsv 整段，不按字面匹配）", script)
        )
    for v in r.variants:
        click.echo(f"  变体: {to_script(v.text, script)}" + (f"  ({v.note})" if v.note else ""))
    click.echo(f"  说明: {to_script(r.message, script)}")
    click.echo(
        f"  范围: {r.scope}"
        + (f"  例外(前): {', '.join(r.exempt_before)}" if r.exempt_before else "")
        + (f"  例外(后): {', '.join(r.exempt_after)}" if r.exempt_after else "")
    )
    for rw in r.rewrites:
        tag = "整句改写" if rw.utterance else ("可自动改写" if rw.fix else "建议")
        ref = f"  (规范用语 {rw.ref})" if rw.ref else ""
        click.echo(f"  {tag}: {render(rw.text, script, {})}{ref}")
    for text in r.flag_examples:
        click.echo(f"  应报: {to_script(text, script)}")
    for text in r.pass_examples:
        click.echo(f"  不报: {to_script(text, script)}")
    click.echo("  出处: " + "; ".join(f"{s.code} {s.clause}" for s in r.sources))
    if r.note:
        click.echo(f"  附注: {r.note}")


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--coverage",
    is_flag=True,
    help="Also fail a rule with a pattern, or a lexicon class in a pattern, that no flag example reaches.",
)
@guard
def rules_test(files: tuple[str, ...], coverage: bool) -> None:
    """Run every rule's examples and check its rewrites (the built-in rules and FILES); exit 1 on a failure."""
    from ..data.catalogue import load_catalogue
    from ..data.rule_tests import run_coverage

    catalogue = load_catalogue(tuple(files))
    failures = run_examples(catalogue)
    if coverage:
        failures += run_coverage(catalogue)
    for failure in failures:
        click.echo(str(failure))
    n_examples = sum(len(r.flag_examples) + len(r.pass_examples) for r in catalogue.rules)
    n_rewrites = sum(len(r.rewrites) for r in catalogue.rules)
    if failures:
        click.echo(
            f"{len(failures)} failed: {len(catalogue.rules)} rules, {n_examples} examples, "
            f"{n_rewrites} rewrites."
        )
        sys.exit(1)
    click.echo(f"All passed: {len(catalogue.rules)} rules, {n_examples} examples, {n_rewrites} rewrites.")


# --- quiz (phraselint/quiz/command.py), report (phraselint/report/command.py) and serve
# (phraselint/service/command.py): loaded when named, so that `phraselint check` does not pay for their imports
# at every start (see _LazyGroup).


if __name__ == "__main__":  # pragma: no cover
    main()
