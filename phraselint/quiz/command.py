"""``phraselint quiz``: the training quiz in the terminal, its statistics, and the trainers' export.

The quiz reads answers from the terminal (with line editing), or, when standard input is not a terminal,
line by line from it (tests and scripted drills). Every answer is kept before its feedback is shown. The end
of input (Ctrl-D) ends the quiz normally (exit 0), Ctrl-C interrupts it (exit 130); both print the summary.
"""

from __future__ import annotations

import csv
import getpass
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..command_line import build_linter, config_option, guard, isolated_option, rules_option
from ..engine.script import SCRIPTS, to_script
from ..errors import ConfigError

if TYPE_CHECKING:
    from . import Answer, Item, Question, Quiz, Schedule, Step
    from .store import QuizStore, Stats

MAX_TRIES = 3  # answers that make no sense before the question is skipped
EXIT_INTERRUPTED = 130


def _split(values: Sequence[str]) -> list[str]:
    return [x.strip() for value in values for x in value.replace("，", ",").split(",") if x.strip()]


def _kinds(values: Sequence[str]) -> tuple[str, ...]:
    """``--kind`` values (判断/改写/选择 in either script, or judge/rewrite/choose) as kind ids."""
    from . import KIND_NAMES, KINDS, simplified

    aliases = {**{k: k for k in KINDS}, **{name: k for k, name in KIND_NAMES.items()}}
    out = []
    for value in _split(values):
        kind = aliases.get(simplified(value).lower())
        if kind is None:
            known = ", ".join(f"{KIND_NAMES[k]}|{k}" for k in KINDS)
            raise click.BadParameter(f"unknown kind '{value}' (known: {known})", param_hint="--kind")
        out.append(kind)
    return tuple(dict.fromkeys(out))


def _situations(values: Sequence[str], names: dict[str, str], ending: str = "") -> tuple[str, ...]:
    """``--situation`` values (ids such as ``accepting``, or names such as 受理业务时, or names without the
    vocabulary's ``ending``: 受理业务) as situation ids."""
    from . import simplified

    by_name = {name: sid for sid, name in names.items()}
    out = []
    for value in _split(values):
        plain = simplified(value)
        sid = value if value in names else by_name.get(plain) or by_name.get(plain + ending)
        if sid is None:
            known = ", ".join(f"{s} ({n})" for s, n in names.items())
            raise click.BadParameter(
                f"unknown situation '{value}' (known: {known})", param_hint="--situation"
            )
        out.append(sid)
    return tuple(dict.fromkeys(out))


def _default_trainee() -> str:
    try:
        return getpass.getuser() or "trainee"
    except (KeyError, OSError):  # no login name in this environment
        return "trainee"


def _db_path(db: str | None) -> Path:
    from .store import default_db_path

    return Path(db) if db else default_db_path()


# --- the console ------------------------------------------------------------------------------------


class Console:
    """Questions out, answers in, every text in the trainee's script."""

    def __init__(self, script: str, interactive: bool) -> None:
        self.script = script
        self.interactive = interactive
        if interactive:
            try:
                import readline  # noqa: F401  (line editing for input(), wide characters included)
            except ImportError:  # pragma: no cover - not on every platform
                pass

    def say(self, text: str = "") -> None:
        click.echo(to_script(text, self.script))

    def ask(self, prompt: str) -> str | None:
        """One line of answer; None when it cannot be decoded. Raises EOFError at the end of input."""
        shown = to_script(prompt, self.script)
        try:
            if self.interactive:
                return input(shown)
            click.echo(shown, nl=False)
            line = sys.stdin.readline()
        except UnicodeDecodeError:
            click.echo()
            return None
        if not line:
            click.echo()
            raise EOFError
        answer = line.rstrip("\r\n")
        click.echo(answer)  # a scripted answer is echoed, so the transcript reads as a dialogue
        return answer


# --- a session --------------------------------------------------------------------------------------


@dataclass
class Session:
    """One trainee's run through the questions, and its running score."""

    quiz: Quiz
    store: QuizStore
    console: Console
    trainee: str
    seed: int
    answered: int = 0
    correct: int = 0
    skipped: int = 0
    points: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def schedule(self) -> Schedule:
        return self.quiz.config.schedule

    def run(self, items: Sequence[Item]) -> int:
        """Ask every item; the exit code: 0 at the end or at the end of input, 130 when interrupted."""
        say = self.console.say
        say(f"服务用语练习 · 学员 {self.trainee} · 共 {len(items)} 题")
        say("输入选项编号作答; 直接回车跳过本题; Ctrl-D 结束练习。")
        try:
            for number, item in enumerate(items, 1):
                self.ask(number, len(items), item)
        except EOFError:
            say("输入结束。")
            self.summary()
            return 0
        except KeyboardInterrupt:
            say()
            say("练习已中断。")
            self.summary()
            return EXIT_INTERRUPTED
        self.summary()
        return 0

    def ask(self, number: int, total: int, item: Item) -> None:
        from . import KIND_NAMES

        question = self.quiz.question(item, random.Random(f"{self.seed}:{item.key}"))
        say = self.console.say
        say()
        say(f"第 {number}/{total} 题 · {KIND_NAMES[item.kind]}")
        for line in question.lines:
            say(line)
        started = time.monotonic()
        answers, said = self._answers(question)
        grade = question.grade(answers)
        self._keep(item, question, " / ".join(said), grade.score, time.monotonic() - started)
        for line in grade.feedback:
            say(line)
        say(f"本题得分: {grade.score}/100")

    def _answers(self, question: Question) -> tuple[list[Answer], list[str]]:
        answers: list[Answer] = []
        said: list[str] = []
        while (step := question.next_step(answers)) is not None:
            got = self._answer(step)
            if got is None:
                self.skipped += 1
                break
            answers.append(got[0])
            said.append(got[1])
        return answers, said

    def _answer(self, step: Step) -> tuple[Answer, str] | None:
        """The answer to one step and how to record it; None when the trainee skips it."""
        from ..engine.words import has_han
        from . import parse_option

        say = self.console.say
        say(step.prompt + (_inline(step.options) if _short(step.options) else ""))
        if step.options and not _short(step.options):
            for i, option in enumerate(step.options, 1):
                say(f"  {i}  {option}")
        for _ in range(MAX_TRIES):
            raw = self.console.ask("> ")
            text = (raw or "").strip()
            if raw is not None and not text:
                say("未作答, 跳过本题。")
                return None
            if step.options:
                index = parse_option(step, text) if raw is not None else None
                if index is not None:
                    return index, step.options[index]
                say(f"请输入选项编号 1–{len(step.options)} (直接回车跳过本题)。")
            elif raw is not None and has_han(text):
                return text, text
            else:
                say("请用中文写出改写后的说法 (直接回车跳过本题)。")
        say("没有看懂这个答案, 跳过本题。")
        return None

    def _keep(self, item: Item, question: Question, said: str, score: int, seconds: float) -> None:
        from . import is_correct, review
        from .store import AnswerRecord

        now = datetime.now(timezone.utc)
        correct = is_correct(score, self.schedule)
        card, due = review(self.store.card(self.trainee, item.key), item.key, score, now, self.schedule)
        record = AnswerRecord(
            self.trainee,
            item.key,
            item.kind,
            item.situation,
            question.prompt,
            said,
            score,
            correct,
            now,
            round(seconds, 3),
        )
        self.store.record(record, card, due)
        self.answered += 1
        self.correct += correct
        self.points += score
        if not correct:
            self.missed.append(question.prompt)

    def summary(self) -> None:
        say = self.console.say
        say()
        say("—— 练习小结 ——")
        if not self.answered:
            say(f"学员 {self.trainee}: 这次还没有答题。")
            return
        average = round(self.points / self.answered)
        skipped = f", 跳过 {self.skipped} 题" if self.skipped else ""
        say(
            f"学员 {self.trainee}: 答了 {self.answered} 题, 答对 {self.correct} 题{skipped}, 平均 {average} 分。"
        )
        if self.missed:
            say("答错的题会更早再出现:")
            for prompt in self.missed[:5]:
                say(f"  · {prompt}")
        click.echo(to_script("进度已保存: ", self.console.script) + self.store.path)  # the path as it is


def _short(options: Sequence[str]) -> bool:
    return bool(options) and len(options) <= 2 and all(len(o) <= 6 for o in options)


def _inline(options: Sequence[str]) -> str:
    return "  " + "  ".join(f"{i} {o}" for i, o in enumerate(options, 1))


# --- building the quiz ------------------------------------------------------------------------------


def _build_quiz(rule_files: Sequence[str], config: str | None, isolated: bool) -> Quiz:
    from ..data.settings import load_settings
    from . import Quiz, load_quiz_config

    settings = load_settings(config, isolated)
    linter = build_linter(replace(settings, rules=(*settings.rules, *rule_files)))
    catalogue = linter.catalogue
    vocab = catalogue.vocabulary
    return Quiz(catalogue, linter, load_quiz_config(vocab.situations, vocab.slots))


def _session_items(
    quiz: Quiz,
    store: QuizStore,
    trainee: str,
    kinds: Sequence[str],
    situations: Sequence[str],
    count: int,
    seed: int,
) -> list[Item]:
    from . import KIND_NAMES, order_items, select_items

    pool = select_items(quiz.items, kinds, situations)
    if not pool:
        asked = ", ".join([*(KIND_NAMES[k] for k in kinds), *situations])
        raise ConfigError(f"no questions of {asked} (see 'phraselint quiz --help')")
    return order_items(pool, store.due(trainee), datetime.now(timezone.utc), random.Random(seed), count)


# --- commands ---------------------------------------------------------------------------------------


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--user", "trainee", default=None, help="The trainee (default: the login name).")
@click.option(
    "-n", "--count", type=click.IntRange(min=1), default=10, show_default=True, help="How many questions."
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    help="判断|改写|选择 (or judge|rewrite|choose); comma-separated or repeated. Default: all.",
)
@click.option(
    "--situation",
    "situations",
    multiple=True,
    help="Only these situations: ids (accepting) or names (受理业务时); comma-separated or repeated.",
)
@click.option(
    "--script",
    type=click.Choice(SCRIPTS),
    default="simplified",
    show_default=True,
    help="Script of the questions and feedback.",
)
@click.option("--seed", type=int, default=None, help="Fix the order of new questions and options.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Progress database (default: quiz.sqlite3 in the user data directory).",
)
@rules_option
@config_option
@isolated_option
@click.pass_context
@guard
def quiz(
    ctx: click.Context,
    trainee: str | None,
    count: int,
    kinds: tuple[str, ...],
    situations: tuple[str, ...],
    script: str,
    seed: int | None,
    db: str | None,
    rule_files: tuple[str, ...],
    config: str | None,
    isolated: bool,
) -> None:
    """Practise spotting and rewriting forbidden phrases (培训测验); progress is kept per trainee.

    Without a subcommand, runs the quiz: 判断 (is this utterance acceptable?), 改写 (rewrite a forbidden
    phrase politely) and 选择 (pick the standard phrase of a situation). Items got wrong come back sooner
    (FSRS spaced repetition). When standard input is not a terminal, answers are read line by line."""
    if ctx.invoked_subcommand is not None:
        return
    from .store import QuizStore

    console = Console(script, interactive=sys.stdin.isatty())
    wanted_kinds = _kinds(kinds)
    try:
        built = _build_quiz(rule_files, config, isolated)
        vocabulary = built.catalogue.vocabulary
        wanted_situations = _situations(situations, dict(vocabulary.situations), vocabulary.situation_ending)
        seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
        with QuizStore(_db_path(db)) as store:
            name = trainee or _default_trainee()
            items = _session_items(built, store, name, wanted_kinds, wanted_situations, count, seed)
            code = Session(built, store, console, name, seed).run(items)
    except KeyboardInterrupt:
        console.say()
        console.say("练习已中断。")
        code = EXIT_INTERRUPTED
    sys.exit(code)


# The quiz's own options that its subcommands take too, given before the subcommand's name or after it.
_SHARED_OPTIONS = ("trainee", "db", "script")


def _with_group_options(own: dict[str, Any]) -> dict[str, Any]:
    """A subcommand's options, with those given to ``quiz`` before its name (``quiz --db X stats``) where
    the subcommand's own were not given; a quiz option that means nothing to a subcommand is refused."""
    ctx = click.get_current_context()
    group = ctx.parent
    if group is None:
        return own
    given = {
        name
        for name in group.params
        if group.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
    }
    for name in sorted(given - set(_SHARED_OPTIONS)):
        option = next(p for p in group.command.params if p.name == name)
        raise click.UsageError(
            f"{option.opts[-1]} is an option of the quiz itself, not of 'quiz {ctx.info_name}'", ctx
        )
    merged = dict(own)
    for name in given & set(own):
        if ctx.get_parameter_source(name) in (None, click.core.ParameterSource.DEFAULT):
            merged[name] = group.params[name]
    return merged


def _existing_store(db: str | None) -> QuizStore:
    from .store import QuizStore, StoreError

    path = _db_path(db)
    if not path.is_file():
        raise StoreError("no quiz database here yet (run 'phraselint quiz' first, or give --db)", str(path))
    return QuizStore(path)


@quiz.command("stats")
@click.option("--user", "trainee", default=None, help="Only this trainee (default: every trainee).")
@click.option("--db", type=click.Path(dir_okay=False), default=None, help="Progress database.")
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many missed items."
)
@click.option("--script", type=click.Choice(SCRIPTS), default="simplified", show_default=True)
@guard
def stats(trainee: str | None, db: str | None, top: int, script: str) -> None:
    """Accuracy by situation and kind, and the items most often missed."""
    from ..data.catalogue import load_catalogue

    options = _with_group_options({"trainee": trainee, "db": db, "script": script})
    trainee, db, script = options["trainee"], options["db"], options["script"]
    with _existing_store(db) as store:
        result = store.stats(trainee, top)
    console = Console(script, interactive=False)
    for line in stats_lines(result, trainee, dict(load_catalogue().vocabulary.situations)):
        console.say(line)


def stats_lines(result: Stats, trainee: str | None, situations: dict[str, str]) -> list[str]:
    """The statistics as text lines, in Chinese."""
    from . import KIND_NAMES

    who = f"学员 {trainee}" if trainee else "全部学员"
    if not result.total.answered:
        return [f"{who}: 还没有答题记录。"]

    def line(name: str, t: Any) -> str:
        return f"  {name}  {t.answered} 题, 答对 {t.correct} ({t.accuracy:.0%}), 平均 {t.average:.0f} 分"

    out = [line(who, result.total).strip(), "按场合:"]
    out += [line(situations.get(t.key, t.key), t) for t in result.by_situation]
    out.append("按题型:")
    out += [line(KIND_NAMES.get(t.key, t.key), t) for t in result.by_kind]
    if not trainee and len(result.by_trainee) > 1:
        out.append("按学员:")
        out += [line(t.key, t) for t in result.by_trainee]
    if result.missed:
        out.append("最常答错:")
        out += [
            f"  错 {m.misses}/{m.answered} 次  {KIND_NAMES.get(m.kind, m.kind)} · {situations.get(m.situation, m.situation)}"
            f"  {m.prompt}"
            for m in result.missed
        ]
    return out


@quiz.command("export")
@click.option(
    "--csv", "as_csv", is_flag=True, default=True, help="CSV with a header row (the default format)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE (UTF-8 with BOM, for spreadsheets) instead of standard output.",
)
@click.option("--user", "trainee", default=None, help="Only this trainee's answers.")
@click.option("--db", type=click.Path(dir_okay=False), default=None, help="Progress database.")
@guard
def export(as_csv: bool, output: str | None, trainee: str | None, db: str | None) -> None:
    """Every answer, for trainers: time, trainee, kind, item, situation, prompt, answer, score, correct."""
    from .store import EXPORT_COLUMNS

    options = _with_group_options({"trainee": trainee, "db": db})
    trainee, db = options["trainee"], options["db"]
    with _existing_store(db) as store:
        rows = list(store.answers(trainee))
    if output is None:
        _write_csv(sys.stdout, rows, EXPORT_COLUMNS)
        return
    try:
        with open(output, "w", encoding="utf-8-sig", newline="") as handle:
            _write_csv(handle, rows, EXPORT_COLUMNS)
    except OSError as exc:
        raise ConfigError(f"cannot write the export: {exc.strerror or exc}", output) from None
    click.echo(f"导出 {len(rows)} 条答题记录: {output}", err=True)


def _write_csv(handle: Any, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
