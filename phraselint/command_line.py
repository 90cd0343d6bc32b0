"""What the command-line applications (cli, report, quiz) share: the error guard, the options that say where
rules and settings come from, the settings they give, and the linter built from them."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from .data.rule_tests import load_verified
from .data.settings import Settings, load_settings, override
from .engine.linter import Linter
from .engine.script import SCRIPTS, requested_script
from .errors import PhraselintError

if TYPE_CHECKING:
    from .check.files import Reading, Roles

INPUT_FORMATS = ("auto", "plain", "labelled", "srt", "vtt", "jsonl", "csv")


def split_values(values: Iterable[str]) -> tuple[str, ...]:
    """``--select a,b --select c`` → (a, b, c); full-width commas too."""
    out: list[str] = []
    for value in values:
        out.extend(x.strip() for x in value.replace("，", ",").split(",") if x.strip())
    return tuple(out)


def fail(message: str) -> None:
    click.echo(f"phraselint: error: {message}", err=True)


def guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every user-caused error into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PhraselintError as exc:
            fail(str(exc))
            sys.exit(2)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)

    return wrapper


# --- shared options ---------------------------------------------------------------------------------


# The options that say where rules and settings come from, the same on every command that has them.
rules_option = click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="An extra rule file (an organisation's own); may be repeated.",
)
config_option = click.option(
    "--config",
    default=None,
    type=click.Path(dir_okay=False),
    help="Settings file (default: phraselint.toml or [tool.phraselint] in pyproject.toml).",
)
isolated_option = click.option("--isolated", is_flag=True, help="Ignore every settings file.")


def conversation_rules_option(note: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--conversation-rules``, for the commands that check transcripts whole (``note``: what else it
    does there)."""
    return click.option(
        "--conversation-rules",
        default=None,
        type=click.Path(dir_okay=False),
        help=f"An organisation's conversation rules over the built-in rules/conversation.yml{note}.",
    )


def lint_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--input-format",
            type=click.Choice(INPUT_FORMATS),
            default="auto",
            show_default=True,
            help="Transcript format; auto detects it from the extension and content.",
        ),
        click.option("--encoding", default=None, help="Force the input encoding (default: detect)."),
        click.option("--select", multiple=True, help="Only these rule ids or situations (comma-separated)."),
        click.option("--ignore", multiple=True, help="Skip these rule ids or situations (comma-separated)."),
        click.option(
            "--staff",
            multiple=True,
            help="Speaker names that are staff (comma-separated); every other speaker is a visitor.",
        ),
        click.option(
            "--script",
            type=click.Choice(("auto", *SCRIPTS)),
            default=None,
            help="Script of the rewrites (default: that of each utterance).",
        ),
        rules_option,
        config_option,
        isolated_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(opts: dict[str, Any]) -> Settings:
    settings = load_settings(opts.get("config"), opts.get("isolated", False))
    return override(
        settings,
        rules=(*settings.rules, *opts.get("rule_files", ())),
        select=split_values(opts.get("select", ())),
        ignore=split_values(opts.get("ignore", ())),
        staff=split_values(opts.get("staff", ())),
        fail_on=opts.get("fail_on"),
        script=opts.get("script"),
    )


def build_linter(settings: Settings) -> Linter:
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
def worker(settings: Settings) -> tuple[Linter, Roles]:
    from .check.files import Roles

    linter = build_linter(settings)
    return linter, Roles.build(linter, settings.staff, settings.visitors)


def expand_paths(
    paths: Sequence[str], settings: Settings | None = None, force_exclude: bool = False
) -> list[str]:
    """The files to check: each directory walked (leaving out what ``exclude`` and ``extend-exclude`` match),
    each file named as given (left out too with ``force_exclude``, as pre-commit names every file)."""
    from .read.decode import iter_paths

    if not paths:
        if sys.stdin.isatty():
            raise click.UsageError("no paths given (use '-' to read standard input)")
        paths = ("-",)
    out: list[str] = []
    for path in paths:
        walked = path != "-" and os.path.isdir(path)
        for found in iter_paths((path,)):
            if settings is None or not ((walked or force_exclude) and settings.excluded(found)):
                out.append(found)
    return out


def color_of(choice: str) -> bool | None:
    """Whether to colour: ``always``/``never`` as said; ``auto`` follows NO_COLOR and FORCE_COLOR (any value
    but empty; NO_COLOR wins), else colours a terminal only (None: click decides per stream)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None


def _set_color(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.color = color_of(value)
    return value


color_option = click.option(
    "--color",
    type=click.Choice(("auto", "always", "never")),
    default="auto",
    show_default=True,
    expose_value=False,
    is_eager=True,
    callback=_set_color,
    help="Colour the text output: auto honours NO_COLOR and FORCE_COLOR, else colours a terminal only.",
)
stdin_filename_option = click.option(
    "--stdin-filename",
    default=None,
    help="The name of the file standard input holds: how findings name it, and what its format, exclusions "
    "and per-file ignores are judged from.",
)


def reading_of(settings: Settings, opts: dict[str, Any]) -> Reading:
    """How the transcripts are read, from the options of ``lint_options`` and the settings."""
    from .check.files import Reading

    return Reading(opts["input_format"], opts["encoding"], script_of(settings))


def script_of(settings: Settings) -> str | None:
    """The script rewrites are given in: None (that of each utterance) for ``auto`` or no setting."""
    return requested_script(settings.script)
