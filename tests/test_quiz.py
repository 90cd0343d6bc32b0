"""The training quiz: settings, items, grading, spaced repetition, and the command as a trainee drives it
(scripted standard input, a killed process, a real pseudo-terminal)."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.cli.commands import main
from phraselint.data.rule_tests import load_verified
from phraselint.engine.linter import Linter
from phraselint.engine.script import to_script
from phraselint.errors import CatalogueError
from phraselint.quiz import (
    ChooseQuestion,
    Item,
    JudgeQuestion,
    Quiz,
    RewriteQuestion,
    fill,
    load_quiz_config,
    marker_met,
    order_items,
    parse_option,
    quiz_config_path,
    rating_for,
    review,
    select_items,
    similarity,
)

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings and the default data directory of this module's runs stay out of the user's home (the cache
    is the test session's: tests/conftest.py)."""
    base = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    for key in saved:
        os.environ[key] = str(base / key.lower())
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    catalogue = load_verified()
    vocab = catalogue.vocabulary
    return Quiz(catalogue, Linter(catalogue), load_quiz_config(vocab.situations, vocab.slots))


def item(quiz: Quiz, key: str) -> Item:
    return next(i for i in quiz.items if i.key == key)


def rewrite_question(quiz: Quiz, rule_id: str) -> RewriteQuestion:
    question = quiz.question(item(quiz, f"rewrite:{rule_id}"), random.Random(0))
    assert isinstance(question, RewriteQuestion)
    return question


# --- settings ---------------------------------------------------------------------------------------


def test_builtin_settings_cover_every_situation(quiz: Quiz) -> None:
    config = quiz.config
    for situation in quiz.catalogue.vocabulary.situations:
        assert config.requirements(situation), situation  # every situation asks for some politeness
    apology = config.markers["致歉"]
    assert any(apology in req for req in config.requirements("system-failure"))
    assert not any(apology in req for req in config.requirements("greeting"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "accepting: [您, [请, 致歉]]",
            "accepting: [您, [请, 道谢]]",
            r"politeness: 'accepting': unknown marker '道谢'",
        ),
        (
            "  greeting: [您]\n",
            "  greeting: [您]\n  waiting-room: [您]\n",
            r"politeness: unknown situation 'waiting-room'",
        ),
        ("politeness: 40", "politeness: 50", r"rewrite: 'politeness' and 'closeness' must add up to 100"),
        ("verdict: 60", "verdict: 70", r"judge: 'verdict', 'situation' and 'reason' must add up to 100"),
        ("full_at: 0.6", "full_at: high", r"rewrite: 'full_at' must be a number"),
        (
            "{hard: 60, good: 75, easy: 90}",
            "{hard: 80, good: 75, easy: 90}",
            r"schedule\.ratings: the scores must rise",
        ),
        ("  部门: 社保科\n", "  科室: 社保科\n", r"slot_samples: unknown slot '科室'"),
        (
            "  您: {label: 称“您”, words: [您]}\n",
            "  您: {label: 称“您”, words: []}\n",
            r"markers\.您: 'words' must be a non-empty list",
        ),
        ("version: 1\n", "version: 1\nweights: {}\n", r"quiz: unknown key 'weights'"),
    ],
)
def test_bad_settings_are_named_with_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = quiz_config_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "quiz.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    catalogue = load_verified()
    with pytest.raises(CatalogueError, match=r"quiz\.yml:\d+: " + message):
        load_quiz_config(catalogue.vocabulary.situations, catalogue.vocabulary.slots, path)


# --- items and the catalogue behind them ------------------------------------------------------------


def test_items_mix_kinds_and_verdicts(quiz: Quiz) -> None:
    keys = [i.key for i in quiz.items]
    assert len(keys) == len(set(keys))
    kinds = {i.kind for i in quiz.items}
    assert kinds == {"judge", "rewrite", "choose"}
    judge = [i for i in quiz.items if i.kind == "judge"]
    for item in judge:  # the verdict the item was built with is the engine's
        question = quiz.question(item, random.Random(0))
        assert isinstance(question, JudgeQuestion)
        assert question.flagged == item.forbidden, item.text
    # the pool holds both verdicts in number (most are forbidden: each pattern needs a flag example; the
    # rewrites and standard phrases are the acceptable side); sessions balance them (the next test)
    assert 500 < sum(not i.forbidden for i in judge) < sum(i.forbidden for i in judge)
    assert len([i for i in quiz.items if i.kind == "rewrite"]) == len(quiz.linter.rules)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(10, 200))
def test_a_new_trainees_session_judges_as_many_acceptable_as_forbidden(
    quiz: Quiz, seed: int, count: int
) -> None:
    items = order_items(select_items(quiz.items, ["judge"]), {}, NOW, random.Random(seed), count)
    forbidden = sum(i.forbidden for i in items)
    assert abs(forbidden - (count - forbidden)) <= 1
    mixed = order_items(quiz.items, {}, NOW, random.Random(seed), count)
    judged = [i for i in mixed if i.kind == "judge"]
    assert abs(2 * sum(i.forbidden for i in judged) - len(judged)) <= 1


def test_every_rule_has_a_rewrite_that_scores_full_marks(quiz: Quiz) -> None:
    """The politeness each situation calls for (quiz.yml) is met by the codes' own wording of every rule."""
    for rule in quiz.linter.rules:
        question = rewrite_question(quiz, rule.id)
        best = max(question.grade([fill(rw.text, quiz.config.slot_samples)]).score for rw in rule.rewrites)
        assert best == 100, rule.id


def test_every_standard_phrase_is_judged_acceptable(quiz: Quiz) -> None:
    for phrase in quiz.catalogue.standard:
        utterance = fill(phrase.text, quiz.config.slot_samples)
        assert quiz.linter.check(utterance) == [], phrase.id


# --- grading ----------------------------------------------------------------------------------------


def test_a_good_rewrite_scores_high(quiz: Quiz) -> None:
    question = rewrite_question(quiz, "busy-cant-you-see")
    assert question.grade(["对不起，请您稍等，我马上给您办理。"]).score == 100
    paraphrase = question.grade(["请您稍等一下，我马上为您办理。"])
    assert paraphrase.score >= 90, paraphrase.feedback


def test_a_rude_rewrite_scores_zero_and_names_the_violation(quiz: Quiz) -> None:
    grade = rewrite_question(quiz, "busy-cant-you-see").grade(["没看我正忙着吗？后面排队去"])
    assert grade.score == 0
    assert any("busy-cant-you-see" in line and "没看我正忙着吗" in line for line in grade.feedback)


def test_an_impolite_but_clean_rewrite_is_told_what_is_missing(quiz: Quiz) -> None:
    grade = rewrite_question(quiz, "busy-cant-you-see").grade(["稍等，马上办。"])
    assert 0 < grade.score < 60
    missing = next(line for line in grade.feedback if "缺少" in line)
    assert "您" in missing and "请" in missing
    assert any("规范说法" in line for line in grade.feedback)
    assert any("请您稍等。" in line for line in grade.feedback)  # the codes' own wording is shown after


def test_an_apology_is_asked_for_where_one_is_due(quiz: Quiz) -> None:
    question = rewrite_question(quiz, "system-down-go-home")
    without = question.grade(["系统出故障了，请您明天再来。"])
    assert any("缺少" in line and "致歉" in line for line in without.feedback)
    with_apology = question.grade(["对不起，系统出故障了，给您添麻烦了，请您明天再来。"])
    assert with_apology.score > without.score


def test_rewrite_in_traditional_script_grades_the_same(quiz: Quiz) -> None:
    question = rewrite_question(quiz, "busy-cant-you-see")
    text = "对不起，请您稍等，我马上给您办理。"
    assert question.grade([to_script(text, "traditional")]).score == question.grade([text]).score == 100


@given(st.data())
@settings(max_examples=80, deadline=None)
def test_a_rewrite_scores_the_same_in_either_script(quiz: Quiz, data: st.DataObject) -> None:
    rule = data.draw(st.sampled_from(quiz.linter.rules))
    texts = [fill(rw.text, quiz.config.slot_samples) for rw in rule.rewrites] + list(rule.flag_examples)
    text = data.draw(st.sampled_from(texts))
    question = rewrite_question(quiz, rule.id)
    simplified_grade = question.grade([text]).score
    for script in ("traditional", "tw", "hk"):
        assert question.grade([to_script(text, script)]).score == simplified_grade, (rule.id, text, script)


def test_markers_ignore_the_words_exempted_in_data(quiz: Quiz) -> None:
    please = quiz.config.markers["请"]
    assert marker_met(please, "请问您办理什么业务？")
    assert marker_met(please, "麻烦您再讲一遍。")
    assert not marker_met(please, "您申请的事项已经受理。")
    assert marker_met(please, "您申请的事项，请到三号窗口领取。")
    assert marker_met(quiz.config.markers["致歉"], "給您添麻煩了。")


@given(
    st.text(alphabet="请您稍等我马上给办理对不起谢谢，。", min_size=0, max_size=20),
    st.text(alphabet="请您稍等马上办好的抱歉", max_size=20),
)
@settings(max_examples=60, deadline=None)
def test_similarity_is_a_symmetric_score_from_zero_to_one(a: str, b: str) -> None:
    assert 0.0 <= similarity(a, b) <= 1.0
    assert similarity(a, b) == pytest.approx(similarity(b, a))


def test_similarity_of_a_text_with_itself_is_one() -> None:
    assert similarity("请您稍等。", "请您稍等") == pytest.approx(1.0)
    assert similarity("请您稍等。", "谢谢。") == 0.0


def test_judge_grades_verdict_situation_and_reason(quiz: Quiz) -> None:
    question = quiz.question(item(quiz, "judge:不知道。"), random.Random(3))
    assert isinstance(question, JudgeQuestion) and question.flagged
    situation = question.situation_options.index("answering")
    reason = question.reason_options.index("推诿")
    wrong_situation = (situation + 1) % len(question.situation_options)
    wrong_reason = (reason + 1) % len(question.reason_options)
    assert question.next_step([]).options == ("可以说", "不能说")
    assert question.next_step([1]) is not None and question.next_step([1, situation]) is not None
    assert question.next_step([1, situation, reason]) is None
    assert question.grade([1, situation, reason]).score == 100
    assert question.grade([1, wrong_situation, wrong_reason]).score == 60
    assert question.grade([1, situation, wrong_reason]).score == 80
    assert question.grade([0]).score == 0 and question.next_step([0]) is None
    feedback = "\n".join(question.grade([0]).feedback)
    assert (
        "dont-know" not in feedback and "出处: 000 五(五)4" in feedback
    )  # the code and clause that forbid it
    assert "请稍等，我帮您看一下" in feedback or "可以这样说" in feedback


def test_judge_accepts_a_clean_utterance(quiz: Quiz) -> None:
    question = quiz.question(item(quiz, "judge:请您稍等。"), random.Random(0))
    assert isinstance(question, JudgeQuestion) and not question.flagged
    assert question.grade([0]).score == 100 and question.grade([1]).score == 0
    assert any("规范用语" in line for line in question.grade([0]).feedback)


def test_choose_has_one_standard_phrase_of_the_situation(quiz: Quiz) -> None:
    for it in select_items(quiz.items, ["choose"])[:40]:
        question = quiz.question(it, random.Random(it.key))
        assert isinstance(question, ChooseQuestion)
        assert len(question.options) == quiz.config.choose.options
        assert len({o.text for o in question.options}) == len(question.options)
        right = [o for o in question.options if o.standard and o.situation == it.situation]
        assert right == [question.options[question.answer]]
        assert sum(not o.standard for o in question.options) == quiz.config.choose.forbidden
        assert question.grade([question.answer]).score == 100
        assert question.grade([(question.answer + 1) % len(question.options)]).score == 0


def test_options_are_parsed_by_number_or_text() -> None:
    from phraselint.quiz import Step

    step = Step("这句话能说吗?", ("可以说", "不能说"))
    assert (
        parse_option(step, " 2 ") == 1 and parse_option(step, "２") == 1 and parse_option(step, "不能說") == 1
    )
    assert (
        parse_option(step, "3") is None
        and parse_option(step, "maybe") is None
        and parse_option(step, "") is None
    )


# --- spaced repetition ------------------------------------------------------------------------------


def test_a_missed_item_falls_due_before_a_known_one(quiz: Quiz) -> None:
    schedule = quiz.config.schedule
    _, missed_due = review(None, "judge:a", 0, NOW, schedule)
    _, hard_due = review(None, "judge:b", 60, NOW, schedule)
    _, known_due = review(None, "judge:c", 100, NOW, schedule)
    assert NOW < missed_due < hard_due < known_due
    assert [rating_for(s, schedule).name for s in (0, 59, 60, 75, 90)] == [
        "Again",
        "Again",
        "Hard",
        "Good",
        "Easy",
    ]


def test_a_lapse_after_learning_comes_back_sooner(quiz: Quiz) -> None:
    schedule = quiz.config.schedule
    card, due = review(None, "choose:x", 100, NOW, schedule)
    later = due + timedelta(hours=1)
    _, again_due = review(card, "choose:x", 0, later, schedule)
    _, good_due = review(card, "choose:x", 100, later, schedule)
    assert again_due - later < timedelta(hours=1) < good_due - later


def test_order_puts_due_items_first_then_new_then_later(quiz: Quiz) -> None:
    items = select_items(quiz.items, situations=["accepting"])
    missed, known, other = items[0], items[1], items[2]
    due = {
        missed.key: review(None, missed.key, 0, NOW, quiz.config.schedule)[1],
        known.key: review(None, known.key, 100, NOW, quiz.config.schedule)[1],
        other.key: NOW + timedelta(days=30),
    }
    soon = NOW + timedelta(minutes=5)
    order = order_items(items, due, soon, random.Random(1), len(items))
    assert order[0] == missed
    assert order[-2:] == [known, other]
    assert set(order) == set(items)
    next_month = order_items(items, due, NOW + timedelta(days=31), random.Random(1), 4)
    assert next_month[:3] == [missed, known, other]  # all due: the longest overdue first
    assert next_month[3] not in (missed, known, other)


def test_the_seed_fixes_the_order(quiz: Quiz) -> None:
    one = order_items(quiz.items, {}, NOW, random.Random(5), 20)
    assert one == order_items(quiz.items, {}, NOW, random.Random(5), 20)
    assert one != order_items(quiz.items, {}, NOW, random.Random(6), 20)
    assert {i.kind for i in one} == {"judge", "rewrite", "choose"}  # new items take the kinds in turn


# --- the command, driven through standard input -------------------------------------------------------


def session_questions(quiz: Quiz, seed: int, count: int, kinds: list[str]) -> list[object]:
    """The questions a fresh trainee gets with ``--seed``: what the command will ask, in order."""
    items = order_items(select_items(quiz.items, kinds), {}, NOW, random.Random(seed), count)
    return [quiz.question(i, random.Random(f"{seed}:{i.key}")) for i in items]


def run(args: list[str], answers: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["quiz", *args], input=answers)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def rows(db: Path, query: str = "SELECT * FROM answers ORDER BY id") -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(query).fetchall()


def test_scripted_session_records_every_answer(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    questions = session_questions(quiz, 11, 3, ["choose"])
    answers = [q.answer + 1 for q in questions]  # type: ignore[attr-defined]
    answers[1] = answers[1] % 4 + 1  # the second one wrong
    code, out = run(
        ["--db", str(db), "--user", "alice", "--seed", "11", "-n", "3", "--kind", "选择"],
        "".join(f"{a}\n" for a in answers),
    )
    assert code == 0, out
    assert "答了 3 题, 答对 2 题" in out and "平均 67 分" in out
    got = rows(db)
    assert [r["score"] for r in got] == [100, 0, 100]
    assert [r["item"] for r in got] == [q.item.key for q in questions]  # type: ignore[attr-defined]
    assert {r["trainee"] for r in got} == {"alice"} and all(r["answered_at"] for r in got)
    cards = {r["item"]: r["due"] for r in rows(db, "SELECT * FROM cards")}
    assert cards[got[1]["item"]] < cards[got[0]["item"]]  # the missed one is due first


def test_the_seed_fixes_the_questions(tmp_path: Path) -> None:
    def session(seed: int, name: str) -> str:
        code, out = run(["--db", str(tmp_path / name), "--seed", str(seed), "-n", "6"], "")
        assert code == 0
        return "\n".join(line for line in out.splitlines() if "进度已保存" not in line)

    first = session(3, "a.db")
    assert first == session(3, "b.db")
    # another seed, other questions (the session shows its first question only: two seeds may share it)
    assert any(first != session(seed, f"c{seed}.db") for seed in (4, 5, 6))


def test_end_of_input_ends_cleanly_with_the_score_so_far(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    first = session_questions(quiz, 2, 5, ["choose"])[0]
    code, out = run(["--db", str(db), "--seed", "2", "-n", "5", "--kind", "choose"], f"{first.answer + 1}\n")  # type: ignore[attr-defined]
    assert code == 0
    assert "输入结束" in out and "练习小结" in out and "答了 1 题, 答对 1 题" in out
    assert "Traceback" not in out and len(rows(db)) == 1


def test_an_empty_answer_skips_and_counts_as_missed(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    code, out = run(["--db", str(db), "--seed", "2", "-n", "1", "--kind", "rewrite"], "\n")
    assert code == 0 and "未作答" in out and "跳过 1 题" in out
    (row,) = rows(db)
    assert (row["answer"], row["score"], row["correct"]) == ("", 0, 0)


def test_a_nonsense_answer_is_asked_again(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    first = session_questions(quiz, 9, 1, ["choose"])[0]
    code, out = run(
        ["--db", str(db), "--seed", "9", "-n", "1", "--kind", "choose"], f"七\n5\n{first.answer + 1}\n"
    )  # type: ignore[attr-defined]
    assert code == 0 and out.count("请输入选项编号 1–4") == 2
    assert [r["score"] for r in rows(db)] == [100]
    code, out = run(["--db", str(db), "--seed", "9", "-n", "1", "--kind", "rewrite"], "hello\n42\n!!!\n")
    assert code == 0 and out.count("请用中文写出") == 3 and "跳过本题" in out


def test_rewrite_through_the_command(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    question = session_questions(quiz, 1, 1, ["rewrite"])[0]
    assert isinstance(question, RewriteQuestion)
    rude = question.rule.flag_examples[0]
    code, out = run(["--db", str(db), "--seed", "1", "-n", "1", "--kind", "rewrite"], f"{rude}\n")
    assert code == 0 and "仍有服务忌语" in out and "本题得分: 0/100" in out and "规范说法" in out
    assert rows(db)[0]["answer"] == rude


def test_traditional_script_renders_everything(tmp_path: Path) -> None:
    code, out = run(
        ["--db", str(tmp_path / "q.db"), "--seed", "1", "-n", "2", "--script", "traditional"], "\n\n"
    )
    assert code == 0
    assert "這句話能說嗎" in out or "請改寫成規範用語" in out or "服務規範規定" in out
    assert "練習小結" in out and "练习" not in out and "题" not in out


def test_kinds_and_situations_by_either_name(tmp_path: Path) -> None:
    db = str(tmp_path / "q.db")
    chinese = run(["--db", db, "--seed", "4", "-n", "3", "--kind", "改写", "--situation", "受理业务时"], "")[
        1
    ]
    english = run(
        ["--db", db, "--seed", "4", "-n", "3", "--kind", "rewrite", "--situation", "accepting"], ""
    )[1]
    assert chinese == english and "场合: 受理业务时" in chinese and "第 1/3 题 · 改写" in chinese


def test_a_situation_may_be_named_without_the_vocabularys_ending() -> None:
    from phraselint.data.catalogue import load_catalogue
    from phraselint.quiz.command import _situations

    vocabulary = load_catalogue().vocabulary
    assert vocabulary.situation_ending == "时"
    names = dict(vocabulary.situations)
    wanted = _situations(["受理业务", "受理業務時,leaving"], names, vocabulary.situation_ending)
    assert wanted == ("accepting", "leaving")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "essay"], "unknown kind 'essay'"),
        (["--situation", "moon"], "unknown situation 'moon'"),
        (["--kind", "rewrite", "--situation", "greeting"], "no questions of 改写, greeting"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["quiz", "--db", str(tmp_path / "q.db"), *args], input="")
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_a_broken_database_is_one_error_line(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    db.write_text("not a database, just text " * 100, encoding="utf-8")
    result = CliRunner().invoke(main, ["quiz", "--db", str(db)], input="1\n")
    assert result.exit_code == 2 and "cannot open the quiz database" in result.output
    assert str(db) in result.output and "Traceback" not in result.output


def test_stats_and_export_after_a_session(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    questions = session_questions(quiz, 11, 3, ["choose"])
    answers = [(q.answer + (1 if i == 1 else 0)) % 4 + 1 for i, q in enumerate(questions)]  # type: ignore[attr-defined]
    run(
        ["--db", str(db), "--user", "bob", "--seed", "11", "-n", "3", "--kind", "choose"],
        "".join(f"{a}\n" for a in answers),
    )
    stats = CliRunner().invoke(main, ["quiz", "stats", "--db", str(db), "--user", "bob"])
    assert stats.exit_code == 0
    assert "学员 bob  3 题, 答对 2 (67%)" in stats.output
    assert "按场合:" in stats.output and "按题型:" in stats.output and "选择  3 题" in stats.output
    missed = stats.output.split("最常答错:")[1]
    assert "错 1/1 次" in missed and questions[1].options[questions[1].answer].text in missed  # type: ignore[attr-defined]

    exported = CliRunner().invoke(main, ["quiz", "export", "--csv", "--db", str(db)])
    table = list(csv.DictReader(io.StringIO(exported.output)))
    assert [r["score"] for r in table] == ["100", "0", "100"] and table[0]["trainee"] == "bob"
    out = tmp_path / "answers.csv"
    written = CliRunner().invoke(main, ["quiz", "export", "--csv", "--db", str(db), "-o", str(out)])
    assert written.exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,trainee,answered_at,kind,item")

    nobody = CliRunner().invoke(main, ["quiz", "stats", "--db", str(db), "--user", "carol"])
    assert nobody.exit_code == 0 and "还没有答题记录" in nobody.output
    missing = CliRunner().invoke(main, ["quiz", "export", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no quiz database" in missing.output


# --- real processes -----------------------------------------------------------------------------------


def command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "quiz", *args]


def test_a_killed_quiz_keeps_the_answers_given(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    questions = session_questions(quiz, 6, 5, ["choose"])
    proc = subprocess.Popen(
        command("--db", str(db), "--seed", "6", "-n", "5", "--kind", "choose", "--user", "kim"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None
        for question in questions[:2]:
            proc.stdin.write(f"{question.answer + 1}\n")  # type: ignore[attr-defined]
            proc.stdin.flush()
            while "本题得分" not in (line := proc.stdout.readline()):
                assert line, "the quiz ended early"
        proc.kill()  # SIGKILL while the third question waits: nothing gets to clean up
        proc.wait()
    finally:
        watchdog.cancel()
    assert proc.returncode == -signal.SIGKILL
    assert [(r["trainee"], r["score"]) for r in rows(db)] == [("kim", 100), ("kim", 100)]
    assert len(rows(db, "SELECT * FROM cards")) == 2


def test_two_trainees_quiz_at_once_on_one_database(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    answers = "".join(f"{i % 4 + 1}\n" for i in range(8))
    procs = [
        subprocess.Popen(
            command("--db", str(db), "--seed", str(n), "-n", "8", "--kind", "choose", "--user", name),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, name in enumerate(("ann", "ben"))
    ]
    outs = [p.communicate(answers.encode(), timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outs):
        assert proc.returncode == 0, err.decode()
    counts = {r[0]: r[1] for r in rows(db, "SELECT trainee, COUNT(*) FROM answers GROUP BY trainee")}
    assert counts == {"ann": 8, "ben": 8}


def spawn(db: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "LANG": "C.UTF-8", "TERM": "dumb"}
    return pexpect.spawn(
        sys.executable,
        command("--db", str(db), *args)[1:],
        encoding="utf-8",
        timeout=60,
        env=env,
        dimensions=(40, 160),
        # as a person's shell starts it: Ctrl-C interrupts. A test run started in the background by a shell
        # without job control (`cmd &` in a script) ignores SIGINT, and the quiz would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_in_a_terminal_as_a_person_would(quiz: Quiz, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    first = session_questions(quiz, 1, 3, ["choose"])[0]
    child = spawn(db, "--seed", "1", "-n", "3", "--kind", "choose", "--user", "pat")
    child.expect("第 1/3 题 · 选择")
    child.expect("服务规范规定这个场合说哪一句")
    child.expect("> ")
    child.sendline(str(first.answer + 1))  # type: ignore[attr-defined]
    child.expect(re.escape("✓ 规范用语是"))
    child.expect("本题得分: 100/100")
    child.expect("第 2/3 题")
    child.expect("> ")
    child.sendeof()  # Ctrl-D
    child.expect("练习小结")
    child.expect("答了 1 题, 答对 1 题")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    assert [r["score"] for r in rows(db)] == [100]


def test_ctrl_c_in_a_terminal_prints_the_summary_and_exits_130(tmp_path: Path) -> None:
    child = spawn(tmp_path / "q.db", "--seed", "1", "-n", "3", "--kind", "rewrite")
    child.expect("请改写成规范用语")
    child.expect("> ")
    child.sendintr()  # Ctrl-C
    child.expect("练习已中断")
    child.expect("练习小结")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


def test_no_raw_slot_reaches_a_trainee(quiz: Quiz) -> None:
    """Issue 11: the wordings shown after a rewrite answer, and the rule's message, have every slot filled."""
    import re

    for rule in quiz.linter.rules:
        question = rewrite_question(quiz, rule.id)
        graded = question.grade(["好的。"])
        assert not any(re.search(r"\{[^{}]+\}", line) for line in graded.feedback), rule.id
