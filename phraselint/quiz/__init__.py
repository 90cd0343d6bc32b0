"""The training quiz (培训测验): questions built from the catalogues, answers graded by the engine.

Three kinds of question (题型):

- ``judge`` (判断): an utterance from a rule's examples or wordings or a standard phrase; may staff say it?
  If not, in which situation, and why (the category). The engine's verdict (:meth:`Linter.check`) is the
  answer; the feedback names the rule, its message, and the code and clause that forbid it.
- ``rewrite`` (改写): a forbidden phrase and its situation; the trainee writes a polite version, graded by
  the engine (no violation), the politeness the situation calls for and the closeness to the codes' wording.
- ``choose`` (选择): a situation and four sentences; one is the codes' standard phrase for it.

Everything here is a pure function of the catalogue, the linter, the quiz settings (``rules/quiz.yml``), a
random generator and the time; reading answers and keeping progress belong to the CLI and the store. The
spaced repetition (FSRS, through the ``fsrs`` package) is here too: a score becomes a rating, a rating moves
a card, and the cards' due times order the next session.

One module per step: settings.py (rules/quiz.yml), text.py (helpers), items.py (what is asked about),
questions.py (the three kinds, graded), builder.py (``Quiz``: a session's questions), schedule.py (FSRS);
command.py is the ``quiz`` command and store.py the progress database.
"""

from __future__ import annotations

from .builder import Quiz
from .items import KIND_NAMES, KINDS, Item, judge_items, order_items, rewrite_items, select_items
from .questions import (
    VERDICTS,
    Answer,
    ChooseQuestion,
    Grade,
    JudgeQuestion,
    Option,
    Question,
    RewriteQuestion,
    Step,
    parse_option,
)
from .schedule import is_correct, rating_for, review
from .settings import (
    ChooseSettings,
    JudgeWeights,
    Marker,
    QuizConfig,
    RewriteWeights,
    Schedule,
    load_quiz_config,
    quiz_config_path,
)
from .text import fill, marker_met, similarity, simplified, sources_line, unique

__all__ = [
    "Answer",
    "ChooseQuestion",
    "ChooseSettings",
    "Grade",
    "Item",
    "JudgeQuestion",
    "JudgeWeights",
    "KINDS",
    "KIND_NAMES",
    "Marker",
    "Option",
    "Question",
    "Quiz",
    "QuizConfig",
    "RewriteQuestion",
    "RewriteWeights",
    "Schedule",
    "Step",
    "VERDICTS",
    "fill",
    "is_correct",
    "judge_items",
    "load_quiz_config",
    "marker_met",
    "order_items",
    "parse_option",
    "quiz_config_path",
    "rating_for",
    "review",
    "rewrite_items",
    "select_items",
    "similarity",
    "simplified",
    "sources_line",
    "unique",
]
