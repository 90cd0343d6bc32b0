"""The command line: ``phraselint check|fix|rules``. Exit 0 clean, 1 findings, 2 usage or input errors."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import click

from . import __version__
from .config import Settings, load_settings, override
from typing import TYPE_CHECKING

from .errors import PhraselintError
from .linter import Linter
from .model import SEVERITIES, severity_rank
from .output_names import FORMATS
from .script import SCRIPTS
from .selftest import load_verified, run_examples

if TYPE_CHECKING:
    from .lint import Finding, Roles

INPUT_FORMATS = ("auto", "plain", "labelled", "srt", "vtt", "jsonl", "csv")


def _split(values: Iterable[str]) -> tuple[str, ...]:
    """``--select a,b --select c`` → (a, b, c); full-width commas too."""
    out: list[str] = []
    for value in values:
        out.extend(x.strip() for x in value.replace("，", ",").split(",") if x.strip())
    return tuple(out)


def _fail(message: str) -> None:
    click.echo(f"phraselint: error: {message}", err=True)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every user-caused error into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PhraselintError as exc:
            _fail(str(exc))
            sys.exit(2)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phraselint")
def main() -> None:
    """phraselint: find the forbidden phrases (服务忌语) of the service codes in staff speech, with polite
    rewrites (规范用语)."""


# --- shared options ---------------------------------------------------------------------------------


def _lint_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
                     help="Transcript format; auto detects it from the extension and content."),
        click.option("--encoding", default=None, help="Force the input encoding (default: detect)."),
        click.option("--select", multiple=True, help="Only these rule ids or situations (comma-separated)."),
        click.option("--ignore", multiple=True, help="Skip these rule ids or situations (comma-separated)."),
        click.option("--staff", multiple=True,
                     help="Speaker names that are staff (comma-separated); every other speaker is a visitor."),
        click.option("--script", type=click.Choice(("auto", *SCRIPTS)), default=None,
                     help="Script of the rewrites (default: that of each utterance)."),
        click.option("--rules", "rule_files", multiple=True, type=click.Path(dir_okay=False),
                     help="An extra rule file (an organisation's own); may be repeated."),
        click.option("--config", default=None, type=click.Path(dir_okay=False),
                     help="Settings file (default: phraselint.toml or [tool.phraselint] in pyproject.toml)."),
        click.option("--isolated", is_flag=True, help="Ignore every settings file."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(opts: dict[str, Any]) -> Settings:
    settings = load_settings(opts.get("config"), opts.get("isolated", False))
    return override(
        settings,
        rules=(*settings.rules, *opts.get("rule_files", ())),
        select=_split(opts.get("select", ())),
        ignore=_split(opts.get("ignore", ())),
        staff=_split(opts.get("staff", ())),
        fail_on=opts.get("fail_on"),
        script=opts.get("script"),
    )


def _linter(settings: Settings) -> Linter:
    catalogue = load_verified(settings.rules)
    return Linter(
        catalogue,
        select=settings.select,
        ignore=settings.ignore,
        severity=dict(settings.severity),
        allow=settings.allow,
        slots=dict(settings.slots),
    )


@functools.lru_cache(maxsize=1)
def _worker(settings: Settings) -> tuple[Linter, Roles]:
    from .lint import Roles

    linter = _linter(settings)
    return linter, Roles.build(linter, settings.staff, settings.visitors)


def _lint_one(job: tuple[Settings, str, str, str | None]) -> tuple[str, list[Finding], str | None]:
    from .lint import lint_file

    settings, path, input_format, encoding = job
    linter, roles = _worker(settings)
    try:
        script = None if settings.script == "auto" else settings.script
        return path, list(lint_file(path, linter, roles, input_format=input_format, encoding=encoding,
                                    script=script)), None
    except PhraselintError as exc:
        return path, [], str(exc)


def _paths(paths: Sequence[str]) -> list[str]:
    from .decode import iter_paths

    if not paths:
        if sys.stdin.isatty():
            raise click.UsageError("no paths given (use '-' to read standard input)")
        paths = ("-",)
    return list(iter_paths(paths))


# --- check ------------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1)
@_lint_options
@click.option("--output-format", "--format", "output_format", type=click.Choice(("auto", *FORMATS)),
              default="auto", show_default=True, help="How to print the findings.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Count findings by rule.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity that fails the run (default: warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Check this many files in parallel.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@_guard
def check(paths: tuple[str, ...], output_format: str, show_statistics: bool, exit_zero: bool, jobs: int,
          quiet: bool, **opts: Any) -> None:
    """Check transcripts (files, directories, '-' for standard input) for forbidden phrases."""
    from .output import STREAMED, auto_format, emit_all, statistics

    settings = _settings(opts)
    fmt = auto_format() if output_format == "auto" else output_format
    files = _paths(paths)
    linter, _ = _worker(settings)  # load and verify the catalogue once, before any output
    out = sys.stdout
    findings: list[Finding] = []
    unreadable = 0
    jobs_list = [(settings, p, opts["input_format"], opts["encoding"]) for p in files]
    if jobs > 1 and len(files) > 1 and "-" not in files:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results: Iterable[tuple[str, list[Finding], str | None]] = pool.map(_lint_one, jobs_list, chunksize=1)
            unreadable = _collect(results, fmt, out, findings, show_statistics)
    else:
        unreadable = _collect(map(_lint_one, jobs_list), fmt, out, findings, show_statistics)
    if fmt not in STREAMED:
        emit_all(findings, fmt, out, len(files), unreadable, linter.rules)
    if show_statistics:
        statistics(findings, out)
    if fmt == "text" and not quiet:
        _text_summary(findings, len(files), unreadable)
    if unreadable:
        sys.exit(2)
    threshold = severity_rank(settings.fail_on)
    if not exit_zero and any(severity_rank(f.violation.severity) >= threshold for f in findings):
        sys.exit(1)


def _collect(results: Iterable[tuple[str, list[Finding], str | None]], fmt: str, out: Any,
             findings: list[Finding], quiet_stream: bool) -> int:
    from .output import STREAMED, emit_one

    unreadable = 0
    for _path, found, error in results:
        if error:
            _fail(error)
            unreadable += 1
            continue
        findings.extend(found)
        if fmt in STREAMED:
            for f in found:
                emit_one(f, fmt, out)
    return unreadable


def _text_summary(findings: Sequence[Finding], files: int, unreadable: int) -> None:
    if not findings:
        msg = f"未发现服务忌语 (检查了 {files} 个文件)。"
    else:
        counts = {s: sum(1 for f in findings if f.violation.severity == s) for s in ("error", "warning", "info")}
        detail = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        msg = f"发现 {len(findings)} 处问题 ({detail}),检查了 {files} 个文件。"
    if unreadable:
        msg += f" {unreadable} 个文件无法读取。"
    click.echo(msg, err=False)


# --- fix --------------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1)
@_lint_options
@click.option("--write", is_flag=True, help="Rewrite the files in place (atomically) instead of printing them.")
@click.option("--no-backup", is_flag=True, help="With --write: keep no PATH.bak copy of the original.")
@_guard
def fix(paths: tuple[str, ...], write: bool, no_backup: bool, **opts: Any) -> None:
    """Replace every violation that has one unambiguous rewrite; print the result, or --write it in place."""
    from .fixer import fix_file

    settings = _settings(opts)
    linter, roles = _worker(settings)
    files = _paths(paths)
    if write and "-" in files:
        raise click.UsageError("--write cannot rewrite standard input")
    if not write and len(files) > 1:
        raise click.UsageError("fix prints one transcript; give one file, or use --write for several")
    failed = 0
    total = 0
    for path in files:
        try:
            script = None if settings.script == "auto" else settings.script
            result = fix_file(path, linter, roles, input_format=opts["input_format"], encoding=opts["encoding"],
                              script=script, write=write, backup=not no_backup)
        except PhraselintError as exc:
            _fail(str(exc))
            failed += 1
            continue
        total += result.applied
        if not write:
            sys.stdout.write(result.text)
        elif result.applied:
            click.echo(f"{path}: 改写了 {result.applied} 处, {result.left} 处需人工处理。", err=True)
    if write:
        click.echo(f"共改写 {total} 处。", err=True)
    if failed:
        sys.exit(2)


# --- rules ------------------------------------------------------------------------------------------


@main.group()
def rules() -> None:
    """List, show and test the catalogue of forbidden phrases."""


def _catalogue_for(rule_files: Sequence[str], config: str | None, isolated: bool):  # type: ignore[no-untyped-def]
    from .catalogue import load_catalogue

    settings = load_settings(config, isolated)
    return load_catalogue((*settings.rules, *rule_files))


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--rules", "rule_files", multiple=True, type=click.Path(dir_okay=False), help="Extra rule files.")
@click.option("--config", default=None, type=click.Path(dir_okay=False))
@click.option("--isolated", is_flag=True)
@_guard
def rules_list(fmt: str, rule_files: tuple[str, ...], config: str | None, isolated: bool) -> None:
    """Every forbidden-phrase rule: id, severity, situation, phrase, sources."""
    catalogue = _catalogue_for(rule_files, config, isolated)
    if fmt == "json":
        data = [
            {"id": r.id, "severity": r.severity, "situation": r.situation, "category": r.category,
             "phrase": r.phrase, "variants": [v.text for v in r.variants], "scope": r.scope,
             "message": r.message, "sources": [{"code": s.code, "clause": s.clause} for s in r.sources]}
            for r in catalogue.rules
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for r in catalogue.rules:
        sources = "; ".join(f"{s.code} {s.clause}" for s in r.sources)
        click.echo(f"{r.id:34s} {r.severity:8s} {r.situation:22s} {r.phrase}  [{sources}]")


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(dir_okay=False), help="Extra rule files.")
@click.option("--script", type=click.Choice(SCRIPTS), default="simplified", show_default=True)
@_guard
def rules_show(rule_id: str, rule_files: tuple[str, ...], script: str) -> None:
    """Everything about one rule (or standard phrase), its rewrites rendered."""
    from .script import render, to_script

    catalogue = _catalogue_for(rule_files, None, False)
    vocab = catalogue.vocabulary
    try:
        r = catalogue.rule(rule_id)
    except KeyError:
        try:
            p = catalogue.phrase(rule_id)
        except KeyError:
            raise click.UsageError(f"no rule or standard phrase '{rule_id}' (see 'phraselint rules list')") from None
        click.echo(f"{p.id}  [规范用语]  {vocab.kinds.get(p.kind, p.kind)} · {vocab.situations.get(p.situation)}")
        click.echo(f"  {to_script(p.text, script)}")
        for v in p.variants:
            click.echo(f"  变体: {to_script(v.text, script)}" + (f"  ({v.note})" if v.note else ""))
        click.echo("  出处: " + "; ".join(f"{s.code} {s.clause}" for s in p.sources))
        return
    click.echo(f"{r.id}  [{r.severity}]  {vocab.situations.get(r.situation)} · {r.category}")
    click.echo(f"  忌语: {to_script(r.phrase, script)}")
    for v in r.variants:
        click.echo(f"  变体: {to_script(v.text, script)}" + (f"  ({v.note})" if v.note else ""))
    click.echo(f"  说明: {to_script(r.message, script)}")
    click.echo(f"  范围: {r.scope}" + (f"  例外(前): {', '.join(r.exempt_before)}" if r.exempt_before else "")
               + (f"  例外(后): {', '.join(r.exempt_after)}" if r.exempt_after else ""))
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
@_guard
def rules_test(files: tuple[str, ...]) -> None:
    """Run every rule's examples and check its rewrites (the built-in rules and FILES); exit 1 on a failure."""
    from .catalogue import load_catalogue

    catalogue = load_catalogue(tuple(files))
    failures = run_examples(catalogue)
    for failure in failures:
        click.echo(str(failure))
    n_examples = sum(len(r.flag_examples) + len(r.pass_examples) for r in catalogue.rules)
    n_rewrites = sum(len(r.rewrites) for r in catalogue.rules)
    if failures:
        click.echo(f"{len(failures)} failed: {len(catalogue.rules)} rules, {n_examples} examples, "
                   f"{n_rewrites} rewrites.")
        sys.exit(1)
    click.echo(f"All passed: {len(catalogue.rules)} rules, {n_examples} examples, {n_rewrites} rewrites.")


if __name__ == "__main__":  # pragma: no cover
    main()
