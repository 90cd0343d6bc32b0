"""Ordinary polite greetings and farewells (the `words` of no-greeting and no-farewell in
rules/conversation.yml) count as greeting and seeing off; the words that only contain one do not."""

from __future__ import annotations

import pytest

from phraselint.check.conversation import check_conversation, load_conversation_rules
from phraselint.check.files import Roles
from phraselint.engine.linter import Linter
from phraselint.read.formats import parse

LINTER = Linter()
ROLES = Roles.build(LINTER)
RULES = load_conversation_rules(LINTER.catalogue)


def rules_found(opening: str, closing: str) -> set[str]:
    text = f"工作人员：{opening}\n来访人员：我来办证。\n工作人员：好的，已经办好了。\n来访人员：谢谢。\n工作人员：{closing}\n"
    turns = list(parse(text.splitlines(), "labelled", name="test"))
    result = check_conversation(turns, ROLES, RULES)
    return {f.violation.rule for f in result.findings} & {"no-greeting", "no-farewell"}


@pytest.mark.parametrize(
    "closing", ["您慢走。", "好的，您慢走", "慢走啊。", "拜拜", "再见！", "再見。", "您走好，下次见。"]
)
def test_ordinary_farewells_see_the_visitor_off(closing: str) -> None:
    assert rules_found("您好，请问办什么业务？", closing) == set()


@pytest.mark.parametrize("opening", ["你好。", "您好！", "上午好，请问办什么？", "欢迎光临。", "早上好。"])
def test_ordinary_greetings_greet(opening: str) -> None:
    assert rules_found(opening, "请您慢走，再见。") == set()


@pytest.mark.parametrize("closing", ["我不想再见到你这种人。", "行了，就这样。", "下一位。"])
def test_what_only_contains_a_farewell_is_none(closing: str) -> None:
    assert rules_found("您好。", closing) == {"no-farewell"}


def test_no_greeting_without_one() -> None:
    assert rules_found("下一个，拿号了没有？", "再见。") == {"no-greeting"}


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from phraselint.check.conversation import might_say  # noqa: E402
from phraselint.engine.normalize import fold, prefold  # noqa: E402

PIECES = [
    "你",
    "您",
    "必须",
    "要先",
    "吗",
    "什么",
    "请问",
    "你你",
    "必必",
    "，",
    " ",
    "妳",
    "嗯",
    "啊",
    "這個",
    "怎麼",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_the_fast_test_never_loses_a_word(pieces: list[str]) -> None:
    text = "".join(pieces)
    words = [*RULES.question_words, *next(r for r in RULES.rules if r.check == "demand").demands]
    folded = fold(text)
    for word in words:
        if word in folded:
            assert might_say(prefold(text), [word]), (text, word)
