"""What the command-line applications (cli, report, quiz) share: the error guard, the options that say where
rules and settings come from, the settings they give, and the linter built from them."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from .data.catalogue import load_catalogue
from .data.rule_tests import load_verified
from .data.settings import Settings, load_settings, override
from .engine.linter import Linter
from .engine.script import SCRIPTS, requested_script
from .errors import ConfigError, PhraselintError

if TYPE_CHECKING:
    from .check.conversation_rules import ConversationRules
    from .check.files import Reading, Roles
    from .data.catalogue import Catalogue

INPUT_FORMATS = ("auto", "plain", "labelled", "srt", "vtt", "jsonl", "csv")


def split_values(values: Iterable[str]) -> tuple[str, ...]:
    """``--select a,b --select c`` → (a, b, c); full-width commas too."""
    out: list[str] = []
    for value in values:
        out.extend(x.strip() for x in value.replace("，", ",").split(",") if x.strip())
    return tuple(out)


def fail(message: str) -> None:
    """Each line of ``message`` as one line on standard error."""
    for line in message.splitlines() or [""]:
        click.echo(f"phraselint: error: {line}", err=True)


def internal_error(exc: BaseException, path: str | None = None) -> str:
    """What to say of an error that is phraselint's fault, not the input's: one line, no traceback."""
    where = f"{path}: " if path else ""
    return f"{where}internal error ({type(exc).__name__}: {exc}); please report it with the input"


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
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # never a traceback, never exit 1 (that says findings) for a crash
            fail(internal_error(exc))
            sys.exit(2)

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
    """The linter of the settings, over the catalogue once its examples have passed. Building a Linter is the
    costly part of loading a large rule file: with no options, the one built runs the examples too. On the
    first run of these rule files, a child process does all of that first (:func:`_first_run_in_child`)."""
    _first_run_in_child(settings)
    return _build_linter(settings)


def _build_linter(settings: Settings) -> Linter:
    if not (settings.select or settings.ignore or settings.severity or settings.allow or settings.slots):
        linter = Linter(load_catalogue(tuple(settings.rules)))
        load_verified(settings.rules, linter)
        return linter
    catalogue = load_verified(settings.rules)
    select, ignore = phrase_selection(catalogue, settings)
    return Linter(
        catalogue,
        select=select,
        ignore=ignore,
        severity=dict(settings.severity),
        allow=settings.allow,
        slots=dict(settings.slots),
    )


def _first_run_in_child(settings: Settings) -> None:
    """On the first run of the rule files of ``settings`` (their examples not yet run: no mark of them in the
    cache folder), the linter is built and the examples run by a child process, which fills the cache and ends;
    this process then loads all of it from the cache, as every later run does (issue 13). In one process the
    first run's peak was the sum of it all: what only building the values needs (the word counts the anchors
    are chosen by, the build's garbage, which the allocator keeps), the examples' compiled expressions and
    memos, and then the check itself on top (204 MiB for examples/, against 109 MiB for the same check later).
    The child's peak is that of building and verifying alone (173 MiB), and this process's that of a later run.

    Nothing is done here where the examples have passed, the cache folder cannot be written (the child's
    work would be lost), or no interpreter can be started (a frozen application); and whatever goes wrong in
    the child (a rule file that does not load, an example that fails) is left to this process, which then
    does the work itself and reports it as it always did."""
    if getattr(sys, "frozen", False) or not sys.executable:
        return
    from .data.cache import cache_dir
    from .data.rule_tests import verified_marker

    try:
        marker = verified_marker(load_catalogue(tuple(settings.rules)))
        if marker is None or marker.exists():
            return
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return
    except (PhraselintError, OSError):
        return
    import pickle
    import subprocess

    # The child imports what this process imports: this interpreter with its flags (-X utf8, -E, -s …) and its
    # module path (as multiprocessing's spawn does: a checkout's cli.py, an installed package alike); it reads
    # nothing but its standard input and writes nowhere but the cache folder.
    flags: list[str] = getattr(subprocess, "_args_from_interpreter_flags", list)()
    code = (
        "import pickle, sys; path, settings = pickle.load(sys.stdin.buffer); sys.path[:] = path; "
        "from phraselint.command_line import _child; _child(settings)"
    )
    try:
        subprocess.run(
            [sys.executable, *flags, "-c", code],
            input=pickle.dumps((list(sys.path), pickle.dumps(settings))),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    except OSError:
        pass


def _child(settings: bytes) -> None:
    """The child of :func:`_first_run_in_child`, with the pickled settings: builds the linter (every value kept
    in the cache) and runs the examples (their mark kept)."""
    import pickle

    _build_linter(pickle.loads(settings))


def phrase_selection(catalogue: Catalogue, settings: Settings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``--select``/``--ignore`` as the phrase checks take them: rule ids and situations of the catalogue.
    The ids of conversation rules (rules/conversation.yml and the settings' own file) are known too and left
    to those rules (check.conversation_rules.select_rules); a name known to neither is an error. Selecting
    only conversation rules selects no phrase rule."""
    from .check.conversation_rules import load_conversation_rules

    phrase_names = {r.id for r in catalogue.rules} | set(catalogue.vocabulary.situations)
    conversation = set(load_conversation_rules(catalogue, settings.conversation_rules).ids)
    for name in (*settings.select, *settings.ignore):
        if name not in phrase_names and name not in conversation:
            raise ConfigError(f"unknown rule or situation '{name}' (see 'phraselint rules list')")
    select = tuple(n for n in settings.select if n in phrase_names)
    ignore = tuple(n for n in settings.ignore if n in phrase_names)
    if settings.select and not select:
        ignore = tuple(r.id for r in catalogue.rules)  # only conversation rules were selected
    return select, ignore


@functools.lru_cache(maxsize=1)
def worker(settings: Settings) -> tuple[Linter, Roles]:
    from .check.files import Roles

    linter = build_linter(settings)
    return linter, Roles.build(linter, settings.staff, settings.visitors)


def expand_paths(
    paths: Sequence[str], settings: Settings | None = None, force_exclude: bool = False
) -> list[str]:
    """The files to check: each directory walked (leaving out what ``exclude`` and ``extend-exclude`` match,
    when ``settings`` are given), each file named as given (left out too with ``force_exclude``, as pre-commit
    names every file)."""
    from .read.decode import iter_paths

    if not paths:
        if sys.stdin.isatty():
            raise click.UsageError("no paths given (use '-' to read standard input)")
        paths = ("-",)
    if settings is None:
        return list(iter_paths(paths))
    out: list[str] = []
    for path in paths:
        walked = path != "-" and os.path.isdir(path)
        for found in iter_paths((path,)):
            if not ((walked or force_exclude) and settings.excluded(found)):
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


def conversation_rules_of(settings: Settings, extra: str | None = None) -> ConversationRules:
    """The conversation rules (the built-in ones, ``extra`` or else the settings' file over them), with
    ``--select``/``--ignore`` applied by id and situation, as to every other rule."""
    from .check.conversation_rules import load_conversation_rules, select_rules

    linter = worker(settings)[0]
    rules = load_conversation_rules(linter.catalogue, extra or settings.conversation_rules)
    return select_rules(rules, settings.select, settings.ignore)
