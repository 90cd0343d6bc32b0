"""The whole-conversation rules (phraselint/conversation.py, rules/conversation.yml) and ``check --conversation``.

The fixtures in tests/fixtures/conversations/ say, in their ``X.expected``, what the conversation rules must
report (``# conversation: rule line:column``) and which rules must be skipped (``# conversation: skipped:
rule``): the ``#`` keeps tests/test_fixtures.py, which reads the same file for the forbidden phrases, from
taking them for phrase findings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from phraselint.check.conversation import (
    NO_SPEAKERS,
    NO_START_END,
    NO_TIMES,
    ConversationRules,
    cast_roles,
    check_conversation,
    is_question,
    load_conversation_rules,
    phrase_pattern,
    plain_you,
)
from phraselint.check.files import Roles, lint_file
from phraselint.check.whole import analyse_file
from phraselint.cli.commands import main
from phraselint.engine.linter import Linter
from phraselint.engine.normalize import fold
from phraselint.engine.script import to_script
from phraselint.errors import CatalogueError
from phraselint.read.formats import detect_format, parse
from phraselint.read.transcript import Turn

FIXTURES = Path(__file__).parent / "fixtures"
CONVERSATIONS = FIXTURES / "conversations"
EXPECTED = sorted(CONVERSATIONS.glob("*.expected"))
LINTER = Linter()
ROLES = Roles.build(LINTER)
RULES = load_conversation_rules(LINTER.catalogue)
MARK = "# conversation:"


def expected_conversation(path: Path) -> list[str]:
    return sorted(
        line.removeprefix(MARK).strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(MARK)
    )


def found_conversation(transcript: Path) -> list[str]:
    whole = analyse_file(str(transcript), LINTER, ROLES, RULES)
    found = [f"{f.violation.rule} {f.line}:{f.column}" for f in whole.conversation.findings]
    skipped = [f"skipped: {s.rule}" for s in whole.conversation.skipped]
    return sorted(found + skipped)


def turns_of(text: str, fmt: str = "labelled") -> list[Turn]:
    return list(parse(text.splitlines(), fmt, name="test"))


def run(
    text: str, fmt: str = "labelled", rules: ConversationRules = RULES, roles: Roles = ROLES
) -> list[str]:
    result = check_conversation(turns_of(text, fmt), roles, rules)
    return [f"{f.violation.rule} {f.line}:{f.column}" for f in result.findings] + [
        f"skipped: {s.rule}" for s in result.skipped
    ]


def org_rules(tmp_path: Path, text: str) -> ConversationRules:
    path = tmp_path / "org-conversation.yml"
    path.write_text(text, encoding="utf-8")
    return load_conversation_rules(LINTER.catalogue, path)


# --- the annotated fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("expected", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_fixture_reports_exactly_what_is_annotated(expected: Path) -> None:
    assert found_conversation(expected.with_suffix("")) == expected_conversation(expected)


def test_fixtures_cover_every_format_both_scripts_and_every_rule() -> None:
    transcripts = [p.with_suffix("") for p in EXPECTED]
    assert {p.suffix for p in transcripts} >= {".txt", ".srt", ".vtt", ".jsonl", ".csv"}
    formats = {detect_format(str(p), p.read_text(encoding="utf-8").splitlines()[:20]) for p in transcripts}
    assert formats == {"labelled", "plain", "srt", "vtt", "jsonl", "csv"}
    scripts = {
        "traditional"
        if "櫃檯" in p.read_text(encoding="utf-8") or "話務員" in p.read_text(encoding="utf-8")
        else "simplified"
        for p in transcripts
    }
    assert scripts == {"simplified", "traditional"}
    annotated = "\n".join(p.read_text(encoding="utf-8") for p in EXPECTED)
    for (
        rule
    ) in RULES.rules:  # every rule fires somewhere (Vale's coverage), and every skip is shown somewhere
        assert f"{MARK} {rule.id} " in annotated, rule.id
    for rule in ("no-greeting", "no-farewell", "unanswered-question", "slow-reply", "interruption"):
        assert f"{MARK} skipped: {rule}" in annotated, rule
    quiet = [
        p
        for p in EXPECTED
        if not any(
            line.startswith(f"{MARK} ") and "skipped" not in line
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert quiet, "a polite conversation with nothing to report is among the fixtures"


@pytest.mark.parametrize(
    "transcript",
    sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix not in {".expected", ".fixed"}),
    ids=lambda p: p.name,
)
def test_reading_a_file_whole_finds_what_lint_file_finds(transcript: Path) -> None:
    whole = analyse_file(str(transcript), LINTER, ROLES, RULES)
    streamed = list(lint_file(str(transcript), LINTER, ROLES))
    assert list(whole.phrases) == streamed


@pytest.mark.parametrize("name", ["window_rude.txt", "chat_rude.jsonl", "call_review.csv"])
def test_traditional_script_gives_the_same_findings(name: str) -> None:
    text = (CONVERSATIONS / name).read_text(encoding="utf-8")
    traditional = to_script(text, "traditional")
    assert len(traditional) == len(text) and traditional != text
    fmt = detect_format(name, text.splitlines())

    def places(source: str) -> list[tuple[str, int, int]]:
        result = check_conversation(list(parse(source.splitlines(), fmt, name=name)), ROLES, RULES)
        return [(f.violation.rule, f.line, f.column) for f in result.findings]

    assert places(traditional) == places(text) != []


# --- greeting and farewell ----------------------------------------------------------------------------


def test_greeting_in_the_staff_first_turns_counts() -> None:
    late = "工作人员：请取号。\n来访人员：好的。\n工作人员：请坐。\n工作人员：您好，请问您办理什么业务？\n工作人员：再见。\n"
    assert run(late)[0] == "no-greeting 1:6"
    second = "工作人员：请取号。\n来访人员：好的。\n工作人员：您好，请问您办理什么业务？\n工作人员：再见。\n"
    assert not [x for x in run(second) if x.startswith("no-greeting")]


def test_with_times_the_greeting_window_is_seconds_from_the_staff_first_turn() -> None:
    text = (
        "[00:00:00] 来访人员：有人吗？\n[00:00:50] 工作人员：请稍等。\n[00:01:05] 工作人员：请坐。\n"
        "[00:01:15] 工作人员：您好，请问您办理什么业务？\n[00:01:30] 工作人员：再见。\n"
    )
    assert not [x for x in run(text) if x.startswith("no-greeting")]  # 25 s after the staff's first turn
    slower = text.replace("[00:01:15]", "[00:01:25]")
    assert "no-greeting 2:17" in run(slower)  # 35 s after: the 30-second window has passed


def test_farewell_in_the_staff_last_turns() -> None:
    text = "工作人员：您好。\n来访人员：谢谢。\n工作人员：不客气，请您慢走，再见。\n工作人员：下一位。\n"
    assert not [x for x in run(text) if x.startswith("no-farewell")]
    missing = "工作人员：您好。\n工作人员：请慢走！\n工作人员：下一位。\n工作人员：请坐。\n"
    assert "no-farewell 4:6" in run(missing)


def test_a_call_is_told_by_the_speakers_and_its_greeting_must_name_the_office() -> None:
    plain = "坐席：您好。\n来电人：我问一下。\n坐席：好的，再见。\n"
    result = check_conversation(turns_of(plain), ROLES, RULES)
    assert result.phone
    greeting = [f for f in result.findings if f.violation.rule == "no-greeting"]
    assert greeting and greeting[0].violation.message == "接听电话没有先问好并报出单位名称。"
    assert greeting[0].violation.suggestions == ("您好！这里是{单位}{部门}。",)
    named = "坐席：您好，这里是市民热线，请讲。\n来电人：我问一下。\n坐席：好的，再见。\n"
    assert not [x for x in run(named) if x.startswith("no-greeting")]


def test_a_call_is_told_by_a_phone_opening_when_the_labels_do_not_say() -> None:
    text = "工作人员：您好，这里是市政务服务中心。\n来访人员：我想问一下。\n工作人员：好的，再见。\n"
    assert check_conversation(turns_of(text), ROLES, RULES).phone
    window = "工作人员：您好。\n来访人员：我想问一下。\n工作人员：好的，再见。\n"
    assert not check_conversation(turns_of(window), ROLES, RULES).phone


def test_the_channel_setting_decides_for_every_transcript(tmp_path: Path) -> None:
    rules = org_rules(tmp_path, "channel: phone\n")
    text = "工作人员：您好。\n来访人员：我想问一下。\n工作人员：好的，再见。\n"
    assert check_conversation(turns_of(text), ROLES, rules).phone
    assert "no-greeting 1:6" in run(text, rules=rules)


def test_phrase_pattern_takes_slots_as_at_least_one_character() -> None:
    pattern = phrase_pattern("您好！这里是{单位}{部门}。")
    assert pattern is not None
    assert pattern.search(fold("您好，这里是市政务服务中心。"))
    assert not pattern.search(fold("您好，这里是。"))
    assert phrase_pattern("{单位}") is None


# --- questions and answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("我想问一下公积金要带什么材料。", True),
        ("能不能今天办", True),
        ("社保卡丢了？", True),
        ("請問要多少錢", True),
        ("没什么问题了，谢谢", False),
        ("好的，谢谢。", False),
    ],
)
def test_questions(text: str, question: bool) -> None:
    assert is_question(text, RULES) is question


def test_a_question_is_answered_by_the_next_staff_turn() -> None:
    text = "工作人员：您好。\n来访人员：要带什么？\n来访人员：身份证要吗？\n工作人员：要的，再见。\n来访人员：几点下班？\n"
    assert [x for x in run(text) if x.startswith("unanswered")] == ["unanswered-question 5:6"]


def test_reply_delay_counts_from_the_end_of_the_visitor_turn() -> None:
    text = (
        "00:00:00.000 --> 00:00:02.000\n工作人员：您好。\n\n"
        "00:00:03.000 --> 00:00:30.000\n来访人员：我想问一下要带什么材料？\n\n"
        "00:00:45.000 --> 00:00:50.000\n工作人员：身份证，再见。\n"
    )
    assert not [x for x in run(text, "srt") if x.startswith("slow-reply")]  # 15 s after the visitor stopped
    slow = text.replace("00:00:45.000 --> 00:00:50.000", "00:00:55.000 --> 00:00:58.000")  # a cue in order
    found = check_conversation(turns_of(slow, "srt"), ROLES, RULES).findings
    slow_reply = [f.violation for f in found if f.violation.rule == "slow-reply"]
    assert [v.message for v in slow_reply] == ["来访人员提问后 25 秒才答复（超过 20 秒）。"]


# --- interruption -------------------------------------------------------------------------------------


def cues(*items: tuple[str, float, float, str]) -> str:
    def clock(s: float) -> str:
        return f"00:00:{int(s):02d}.{int(round(s % 1 * 1000)):03d}"

    return "\n".join(f"{clock(a)} --> {clock(b)}\n{who}：{text}\n" for who, a, b, text in items)


def test_interruption_beyond_the_tolerance() -> None:
    base = [("工作人员", 0, 2, "您好。"), ("来访人员", 2.5, 8.0, "我想办理一下居住证。")]
    within = cues(*base, ("工作人员", 7.6, 10, "好的，再见。"))
    assert not [x for x in run(within, "srt") if x.startswith("interruption")]  # 0.4 s: back-channel
    beyond = cues(*base, ("工作人员", 7.0, 10, "好的，再见。"))
    found = check_conversation(turns_of(beyond, "srt"), ROLES, RULES).findings
    assert [f.violation.message for f in found if f.violation.rule == "interruption"] == [
        "来访人员还没说完就开始说话（提前 1 秒），打断了来访人员。"
    ]


def test_a_visitor_talking_over_staff_is_not_an_interruption_by_staff() -> None:
    text = cues(
        ("工作人员", 0, 6, "您好，请问您办理什么业务？"),
        ("来访人员", 2, 8, "我要办居住证。"),
        ("工作人员", 8.2, 10, "好的，再见。"),
    )
    assert not [x for x in run(text, "srt") if x.startswith("interruption")]


# --- 您 and the 我-form ---------------------------------------------------------------------------------


def test_plain_you_outside_the_customary_words() -> None:
    rule = next(r for r in RULES.rules if r.check == "address")
    assert plain_you("你们先坐，你好，你把表填一下。", rule) == [8]
    assert plain_you("妳們好，妳的證件呢？", rule) == [4]  # traditional script, the feminine form
    assert plain_you("您的证件呢？", rule) == []


def test_plain_you_rewrites_the_utterance_with_nin() -> None:
    result = check_conversation(turns_of("工作人员：你们先坐，你把表填一下。\n"), ROLES, RULES)
    (finding,) = [f for f in result.findings if f.violation.rule == "plain-you"]
    assert (finding.line, finding.column, finding.violation.text) == (1, 11, "你")
    assert finding.violation.fix == "您" and finding.violation.rewrite == "你们先坐，您把表填一下。"
    assert finding.violation.severity == "info"


@given(st.text(alphabet="你您妳们好我把表填一下，。迷", max_size=30))
def test_plain_you_spans_slice_the_text_and_its_rewrite_is_clean(text: str) -> None:
    rule = next(r for r in RULES.rules if r.check == "address")
    places = plain_you(text, rule)
    assert all(text[i] in rule.plain for i in places)
    rewritten = "".join(rule.polite if i in places else ch for i, ch in enumerate(text))
    assert plain_you(rewritten, rule) == []


def test_demand_on_the_visitor_points_to_the_i_form_phrase_of_the_code() -> None:
    result = check_conversation(turns_of("工作人员：如果您需要申请，您必须先交材料。\n"), ROLES, RULES)
    (finding,) = [f for f in result.findings if f.violation.rule == "demand-on-visitor"]
    assert finding.violation.text == "您必须" and finding.column == 14
    phrase = LINTER.catalogue.phrase("willing-to-help-need-materials")
    assert any(s.code == "000" and s.clause == "十(二)3" for s in phrase.sources)
    assert finding.violation.suggestions == (phrase.text,)
    assert any(s.clause == "十(二)3" for s in finding.violation.sources)


def test_messages_and_rewrites_come_in_the_script_of_the_turn() -> None:
    result = check_conversation(turns_of("櫃檯人員：這個證明您必須找里長蓋章。\n"), ROLES, RULES)
    (finding,) = [f for f in result.findings if f.violation.rule == "demand-on-visitor"]
    rule = next(r for r in RULES.rules if r.id == "demand-on-visitor")
    assert finding.violation.script != "simplified"
    assert finding.violation.message == to_script(rule.message, finding.violation.script) != rule.message
    assert finding.violation.suggestions[0].startswith("我願意幫助您")


# --- who is who, and what is missing ------------------------------------------------------------------


def test_a_transcript_without_speakers_is_not_guessed_at() -> None:
    result = check_conversation(turns_of("你好。\n你要先填表。\n再见。\n", "plain"), ROLES, RULES)
    reasons = {s.rule: s.reason for s in result.skipped}
    assert reasons == {
        rule: NO_SPEAKERS
        for rule in ("no-greeting", "no-farewell", "unanswered-question", "slow-reply", "interruption")
    }
    assert {f.violation.rule for f in result.findings} == {"plain-you", "demand-on-visitor"}


def test_missing_times_skip_the_rules_that_need_them() -> None:
    untimed = check_conversation(
        turns_of("工作人员：您好。\n来访人员：在吗？\n工作人员：再见。\n"), ROLES, RULES
    )
    assert {s.rule: s.reason for s in untimed.skipped} == {
        "slow-reply": NO_TIMES,
        "interruption": NO_START_END,
    }
    starts = check_conversation(
        turns_of("[00:00:01] 工作人员：您好。\n[00:00:03] 来访人员：在吗？\n"), ROLES, RULES
    )
    assert {s.rule: s.reason for s in starts.skipped} == {"interruption": NO_START_END}


def test_the_other_side_of_a_named_side() -> None:
    turns = turns_of("工作人员：您好。\n张先生：我办社保。\n李女士：我也是。\n")
    cast, known = cast_roles(turns, ROLES)
    assert known and cast == ("staff", "visitor", "visitor")
    turns = turns_of("小王：您好。\n群众：我办社保。\n")
    assert cast_roles(turns, ROLES)[0] == ("staff", "visitor")
    turns = turns_of("A：您好。\nB：我办社保。\n")
    assert cast_roles(turns, ROLES) == ((None, None), False)
    named = Roles.build(LINTER, staff=["A"])
    assert cast_roles(turns, named) == (("staff", "visitor"), True)


# --- the rule file ------------------------------------------------------------------------------------


def test_an_organisation_changes_rules_by_id(tmp_path: Path) -> None:
    rules = org_rules(
        tmp_path, "rules:\n  - {id: slow-reply, seconds: 60}\n  - {id: plain-you, enabled: false}\n"
    )
    slow = next(r for r in rules.rules if r.id == "slow-reply")
    assert slow.seconds == 60 and slow.message == next(r for r in RULES.rules if r.id == "slow-reply").message
    assert not next(r for r in rules.rules if r.id == "plain-you").enabled
    assert not [x for x in run("工作人员：你把表填一下。\n", rules=rules) if x.startswith("plain-you")]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("colour: red\n", r"org-conversation\.yml:1: unknown top-level key 'colour'"),
        ("channel: fax\n", r"unknown channel 'fax'"),
        (
            "rules:\n  - id: x\n    check: greet\n",
            r"org-conversation\.yml:2: rule 'x': unknown check 'greet'",
        ),
        ("rules:\n  - {id: slow-reply, second: 5}\n", r"rule 'slow-reply': unknown field 'second'"),
        ("rules:\n  - {id: slow-reply, seconds: -1}\n", r"'seconds' must be a number of at least 0"),
        ("rules:\n  - {id: no-greeting, turns: 0}\n", r"'turns' must be a whole number of at least 1"),
        (
            "rules:\n  - {id: no-greeting, rewrites: [hullo]}\n",
            r"rewrite 'hullo' is not the id of a standard phrase",
        ),
        ("rules:\n  - {id: no-greeting, kinds: [hello]}\n", r"unknown kind 'hello'"),
        (
            "rules:\n  - {id: slow-reply, message: '慢了 {minutes} 分'}\n",
            r"unknown value '\{minutes\}' in 'message'",
        ),
        ("rules:\n  - {id: plain-you, plain: [你, 你]}\n", r"'plain' lists an entry twice"),
        ("rules:\n  - {id: no-farewell, enabled: 'no'}\n", r"'enabled' must be true or false"),
        (
            "rules:\n  - id: dont-know\n    check: answer\n    severity: error\n    situation: answering\n"
            "    category: 冷漠\n    message: 无\n    sources: [{code: '000', clause: '五(三)'}]\n",
            r"rule 'dont-know': id already used in the catalogue",
        ),
        ("rules:\n  - id: new\n    check: answer\n", r"rule 'new': unknown severity 'None'"),
    ],
)
def test_a_broken_rule_file_names_file_line_and_fault(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(CatalogueError, match=error):
        org_rules(tmp_path, text)


def test_the_built_in_rules_cite_codes_and_resolve_their_rewrites() -> None:
    standard = {p.id for p in LINTER.catalogue.standard}
    ids = [r.id for r in RULES.rules]
    assert len(ids) == len(set(ids)) and set(ids).isdisjoint(r.id for r in LINTER.catalogue.rules)
    for rule in RULES.rules:
        assert rule.sources and all(s.code in {"000", "001", "002", "003", "004"} for s in rule.sources)
        assert set(rule.rewrites) <= standard
    for word in (*RULES.question_words, *RULES.question_except):
        assert word == fold(word)


# --- check --conversation -----------------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


def test_check_without_the_flag_reports_no_conversation_rule(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--format", "jsonl", str(CONVERSATIONS / "window_rude.txt")])
    rules = [json.loads(line)["rule"] for line in result.stdout.splitlines()]
    assert rules == ["rude-tone", "rude-tone", "dont-know", "see-for-yourself", "busy-cant-you-see"]


def test_check_conversation_adds_the_findings_in_file_order(runner: CliRunner) -> None:
    path = str(CONVERSATIONS / "window_rude.txt")
    result = runner.invoke(main, ["check", "--conversation", "--format", "jsonl", path])
    assert result.exit_code == 1
    found = [(d["line"], d["column"], d["rule"]) for d in map(json.loads, result.stdout.splitlines())]
    assert found == sorted(found, key=lambda x: (x[0], x[1]))
    assert {r for _, _, r in found} >= {
        "dont-know",
        "no-greeting",
        "unanswered-question",
        "demand-on-visitor",
    }
    assert result.stderr.count("会话规则 interruption 未检查") == 1


def test_check_conversation_text_summary_says_each_skip_once(runner: CliRunner) -> None:
    paths = [str(CONVERSATIONS / n) for n in ("window_rude.txt", "window_polite.txt", "counter_notes.txt")]
    result = runner.invoke(main, ["check", "--conversation", *paths])
    out = result.stdout
    assert "window_rude.txt:1:17: warning no-greeting 开头没有问候来访人员" in out
    assert out.count("会话规则 interruption 未检查") == 1
    assert (
        "会话规则 interruption 未检查 (3 个文件): 没有每句话的开始和结束时间 (2 个文件)；没有说话人标注"
        in out
    )
    assert out.count("会话规则 no-greeting 未检查 (1 个文件): 没有说话人标注") == 1
    quiet = runner.invoke(main, ["check", "--conversation", "-q", *paths])
    assert "未检查" not in quiet.stdout


def test_check_conversation_in_parallel_gives_the_same(runner: CliRunner) -> None:
    paths = sorted(str(p.with_suffix("")) for p in EXPECTED)
    one = runner.invoke(main, ["check", "--conversation", "--format", "json", *paths])
    four = runner.invoke(main, ["check", "--conversation", "--format", "json", "-j", "4", *paths])
    assert json.loads(one.stdout) == json.loads(four.stdout)
    assert one.stderr == four.stderr


def test_check_conversation_rules_file_problems_are_one_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "conv.yml"
    bad.write_text("rules:\n  - {id: slow-reply, seconds: soon}\n", encoding="utf-8")
    result = runner.invoke(
        main, ["check", "--conversation-rules", str(bad), str(CONVERSATIONS / "window_rude.txt")]
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "conv.yml:2: rule 'slow-reply'" in result.stderr
