"""Finding rude speech by what it means: patterns, lexicon, dialect and homophone folds, context.

The development sets in tests/devsets/ are written by people who never saw the catalogue; the thresholds
below are floors measured on their `dev` split (the `holdout` split is reported, not tuned to)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from devtexts import development_texts
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint import Linter
from phraselint.engine.lexicon import load_lexicon, pattern_fold
from phraselint.engine.normalize import fold_with_map, marked
from phraselint.engine.pattern import BOUNDARY, compile_pattern
from phraselint.errors import CatalogueError

DEVSETS = Path(__file__).parent / "devsets"


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


def _items(kind: str, cls: str, split: str = "dev") -> list[str]:
    data = yaml.safe_load((DEVSETS / f"{kind}-{cls}-{split}.yml").read_text(encoding="utf-8"))
    return [item["text"] for item in data["items"]]


RECALL_FLOORS = {
    "rewording": 0.95,
    "asr": 0.93,
    "taiwan": 0.95,
    "cantonese": 0.85,
    "general": 0.9,
    "reviews": 0.9,
}
FALSE_FLAG_CEILINGS = {"polite": 0.02, "quoting": 0.02, "taiwan": 0.03, "cantonese": 0.03, "thirdparty": 0.03}


@pytest.mark.parametrize("cls", sorted(RECALL_FLOORS))
def test_recall_per_class(linter: Linter, cls: str) -> None:
    items = _items("rude", cls)
    missed = [t for t in items if not linter.check(t)]
    recall = 1 - len(missed) / len(items)
    assert recall >= RECALL_FLOORS[cls], f"{cls}: recall {recall:.1%}; missed e.g. {missed[:5]}"


@pytest.mark.parametrize("cls", sorted(FALSE_FLAG_CEILINGS))
def test_false_flags_per_class(linter: Linter, cls: str) -> None:
    items = _items("pass", cls)
    flagged = [(t, [v.rule for v in linter.check(t)]) for t in items]
    flagged = [f for f in flagged if f[1]]
    rate = len(flagged) / len(items)
    assert rate <= FALSE_FLAG_CEILINGS[cls], f"{cls}: {rate:.1%} flagged: {flagged[:5]}"


def test_no_pass_example_of_the_catalogue_is_flagged_by_any_rule(linter: Linter) -> None:
    """A rule's pass examples must pass the whole catalogue, the tone model too, not only their own rule:
    they are what a user reads as speech that is fine."""
    flagged = [
        (r.id, e, [v.rule for v in linter.check(e)])
        for r in linter.catalogue.rules
        for e in r.pass_examples
        if linter.check(e)
    ]
    assert flagged == []


def test_real_hong_kong_conversation_is_rarely_flagged(linter: Linter) -> None:
    """HKCanCor (pycantonese): 16,000 utterances of real Hong Kong conversation, not service speech. Most of
    what remains flagged is 唔知啊 ("don't know"), the very words of the brush-off."""
    import pycantonese

    lines = ["".join(t.word for t in u.tokens) for u in pycantonese.hkcancor().utterances()]
    lines = [x for x in lines if len(x) >= 2]
    flagged = [x for x in lines if any(v.rule != "dont-know" for v in linter.check(x))]
    assert len(flagged) / len(lines) < 0.01, flagged[:10]


def test_every_cantonese_word_of_the_fold_occurs_in_real_cantonese_text() -> None:
    """The lexical fold is grounded in real text: each Cantonese word occurs in a corpus pycantonese ships."""
    import json

    import pycantonese

    data_dir = Path(pycantonese.__file__).parent / "data"
    text = "".join("".join(t.word for t in u.tokens) for u in pycantonese.hkcancor().utterances())
    for name in ("ctcpc", "common_voice"):
        text += "".join(json.loads((data_dir / name / "sents.json").read_text(encoding="utf-8")))
    dialect = yaml.safe_load(
        (Path(__file__).parent.parent / "rules" / "dialect.yml").read_text(encoding="utf-8")
    )
    missing = [w for w in [*dialect["cantonese"], *dialect["before_a_word"]] if w not in text]
    assert not missing, missing
    # the English words Hong Kong speech mixes in: each as a word of its own there, in any case
    lower = text.lower()
    absent = [w for w in dialect["english"] if not re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lower)]
    assert not absent, absent


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("你听好了", "listen-carefully"),
        ("你聽好了，我只說一遍", "listen-carefully"),
        ("不知道啊那个你问前台吧", "dont-know"),
        ("没瞅见我手头正忙着吗", "busy-cant-you-see"),
        ("唔知呀，你問第個啦。", "dont-know"),
        ("閂咗門喇，聽日再嚟。", "come-back-tomorrow"),  # the aspect particle inside verb and object
        ("我们已经下般了明天再来", "come-back-tomorrow"),
        ("你是不是傻", "insult"),
        ("亲是不是傻呀[捂脸]", "insult"),  # the chat desks' 亲 is 你
        ("爱办不办", "either-way"),
    ],
)
def test_meanings_in_other_words(linter: Linter, text: str, rule: str) -> None:
    assert rule in [v.rule for v in linter.check(text)]


@pytest.mark.parametrize(
    "text",
    [
        "不知道您还需要什么？",
        "宠物喂养登记请到三号窗口。",
        "我们不能说“不知道”，要说我帮您查一下。",
        "那位先生说他也不知道怎么填。",
        "考试题：下列哪句属于服务忌语？A. 不知道",
        "网上办会快一点。",
        "很多老人对这个政策不清楚，我们会多解释几遍。",  # 不清楚 of people in general, what they do not know between
        "這部分我再跟您說明一次，您聽聽看哪邊不清楚。",  # the visitor asked where they are unclear
        "不知道耶，要看法院的判決，我們這邊先幫您把資料準備好。",  # then help offered
        "不知道耶～我再跟您解釋哪個方案比較划算。",  # then explained
        "大家对新规定都不太清楚。",
        "喂，你好，請問係咪陳生？",
        "屋企隻貓今日邊個餵呀？",
        "小王你快点把登记表拿过来，群众等着呢",  # to a colleague, by name
        "老李，快点过来帮我看一下复印机",
        "李姐，你快点把章盖了，主任等着签字。",  # a colleague, by surname and 姐
        "小刘，这事我也不清楚，你问问科长吧",  # a colleague called by name: whatever the kind of rule
        "您好，请稍等。小周，把印泥拿过来，快点",  # …in a later sentence, said to the colleague
        "早就说过了，周报周五交，小何。",  # …called at the sentence's close
        "快点快点，车要开了，小吴你跑两步",  # …opening a clause inside it
        "阿明，你有完没完，讲咗三次喇",
        "小赵，公章你放哪了？我怎么找不着，急死了。",  # …in later sentences of a turn that opens calling them
        "不會啦，這是我們應該做的，下次見喔。",  # the codes' own reply to thanks after 不會啦 ("not at all")
        "刚来的时候我也什么都不知道，慢慢就熟了",  # the speaker's own past
        "按照规范第八条，不得以不清楚为由推诿",  # the rule itself
        "那边窗口办得快一点，我带您过去",  # comparative
        "我母亲不知道您的电话，我帮您查一下登记的号码",  # 亲 as kin is not 你
        "这个不是我们负责人签的字，得重新签一下，麻烦您了",  # 负责人
        "说的是但凡材料齐全就能当天办",  # 但凡, not Cantonese 是但
        "醫生話你阿爸好返好多，聽日可以出院",  # 好返 is not 好烦 misheard: homophones are for Mandarin ASR
        "那个技术员说这个问题太麻烦，我跟他争取了一天修好",  # 说 … 问题: the reporting verb is 说
        "不知道你还需要办什么？",  # a polite sentence begins with 你
        "老公，我下班了，明天再陪你去医院复查",  # said to one of the family
        "那个快递员急什么，件还没打包好呢",  # a third person pointed at
        "车又限号了，真麻烦",  # a thing found a nuisance
        "其他几个街道怎么办的我也不清楚，回头打听一下",  # finding out later is an offer of help
        "这个我也不清楚，我打个电话问一下医保中心",  # …and finding out now
        "这个情况我不太清楚，我问一下我们组长",
        "我也不知道呢，我们一起查一下",
        "这个我不知道，我去问问。",
        "这个问题我现在不太清楚，马上请同事过来为您解答。",  # someone who can is brought, 我 unsaid
        "隻蟻躝咗上枱，好多蟻。",
        "预计一周内完成，请您耐心等待。",  # 预计一 sounds like 鱼记忆, but keeps none of its characters
        "昨天在超市买菜。",  # 在超市: 再吵…试试 by sound alone
        "这是您的回执，您自己收好。",  # 自己收: one character from 自己搜 (搜搜), but 搜 must end the clause
        # 躝 is "crawl"; only 同我躝, 躝開, 躝屍趷路 are "get lost"  # the speaker goes to find out (the fold makes 问问 问: ending the clause)
        "真㗎？",  # one word and a particle: too little to judge a tone by
        "嗯嗯，嗯嗯。",  # backchannels
        "烦死了，电梯又坏了，我爬了八楼",  # a thing's mishap, after the annoyance
        "猫又把花盆打翻了，真麻烦",  # …an animal's
        "（对着电话）喂，老公，我今天晚点下班，你先去接孩子",  # a call to the family, after a transcriber's note
        "喂，张阿姨，您的退休金核定好了",  # a phone call to someone known by name
        "我刚入职那会儿，什么都不清楚",  # the speaker's own past, in the clause before
        "我跟快递员说了半天地址，他还是送错了，真没办法",  # a story of someone not there
        "我爸手机都不会用，怎么办呀，您能教教他吗",  # a clause that opens on someone not there
        "information form已经填好了",  # an English word inside a longer one is not folded
        "快啲嚟呢邊，呢個窗口冇人排。",  # hurrying for the visitor's sake
        "我们不能说：不知道。",  # a verb of saying ending the clause before, introducing the words
        "窗口上不要说，“不知道”。",
        "我们营业到晚上九点，您下了班过来也来得及。",  # 下了 sounds like 瞎了, but only 了 of it is said
        "不好意思，今天的号发完了，明天再来吧，我帮您预留明天上午的号。",  # a place kept for the visitor is help
        "您是不是不太方便走动？您坐着别动，我过来给您办。",  # an order followed by help in its sentence
        "这复印机真是笨死了，双面打印就是不会。",  # a machine called stupid
        "这是您自己的账户，密码请您亲自输入。",  # the visitor's own, not "your own fault"
        "是我剛才講太快了，您聽不懂很正常，我再說明一次。",  # the speaker takes the blame first
        "你唔使自己諗辦法，交畀我哋跟進就得。",  # no need to manage alone
        "新员工手册里有一栏叫十句不能说的话，第一句就是你问我我问谁。",  # examples set out to be taught
        "示例对比——生硬：材料不全，不办。温和：您还差一份证明，补齐后我优先给您办。",
        "这个我也弄不明白，我请懂行的同事来给您讲。",  # the speaker's own, and someone who can is brought
        "裁判眼瞎了吧，这都不吹！",  # a game being watched
        "前面那辆车有病吧，不打灯就变道。",  # the road being driven
        "这个队友是来搞笑的吧，送了五次人头。",  # a game being played
        "这个情况我确实不知道，不过我现在就打电话给您问清楚。",  # finding out now, by phone
        "您耳朵有问题的话挂五官科，在三楼。",  # the visitor's ears named to send them to the right clinic
        "按照酒店规定，押金在退房时退还，您不用担心。",  # 在退房时 is no slip of 再推…试试: no character kept
        "这个功能我也不太清楚，我请技术同事跟您联系。",  # someone who can is asked to get in touch
        "这个事情我确实不清楚，我现在就打给负责的同事。",  # …or phoned now
        "这是慈善机构捐的轮椅，您可以免费借用。",  # a service offered free
        "如有人闹事请立即联系保安。",  # a notice, not a threat to the visitor
        "我不是律师，建议您咨询专业律师。",  # 不是 is no slip of 不实
        "押金在退房后一小时实时到账，您放心。",  # a match by sound that keeps one character is a coincidence
        "有人在网上散布您的隐私的话，建议您报警。",  # 在 is no slip of 再
        "我们做生意从来不糊弄谁，您放心。",  # not cheating, said of oneself
        "今天办不了，您先回去吧，办好了我们电话通知您。",  # sent home to be told when it is done
        "让您等了两个小时，这像话吗？我马上去催。",  # the speaker's own side blamed
        "您先照照镜子，看看自己满不满意这个发型。",  # a hairdresser's mirror
        "我们连这点小事都做不到，实在对不起您。",  # the speaker's own failing
        "下班了下班了，方案明天再改吧，走，撸串去。",  # a night out
        "你急什么，又不是你结婚，伴郎都没你紧张。",  # a wedding party
        "您的材料还差一份证明，明天再来时直接到我这个窗口，不用重新排号。",  # asked back with a place kept
        "如果他再骚扰您，您就报警，派出所电话是110。",  # advice to call the police, not a threat
        "批不批要看领导审批，不是我说了算。",  # the decision is not the speaker's
        "您问多少遍都没关系，我都会耐心解答。",  # asked again, welcomed
        "您好，如因您自身原因导致无法出行，可以申请改签。",  # a condition of the rules, no blame
        "这是您自己的选择造成的结果，我们尊重。",  # the visitor's choice, respected
        "您自己不用担心，别怪自己。",  # self-blame waved away
        "这您也不知道很正常，这个政策上个月才出台，我给您详细说说。",  # not knowing called natural
        "千万别觉得您太矫情，产后情绪低落很常见。",  # told not to think themselves fussy
        "如果对方再散布您的隐私，您可以直接报警。",  # a third party's threat, advice to the victim
        "我们这次没什么好解释的，确实是我们没做好，向您道歉。",  # the staff's own failing admitted
        "该道歉的不是您，是我们，给您添麻烦了。",
        "不是不欢迎您，实在抱歉请您另找一家，隔壁分店我已经帮您问好了。",
        "通知看完在小程序里点已阅，不回复也可以。",
    ],
)
def test_quoting_teaching_and_innocent_uses_pass(linter: Linter, text: str) -> None:
    assert linter.check(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "老张，你听好了，我只说一遍",  # a name does not excuse an order
        "小龙虾卖完了，快点决定要不要别的",  # 小龙 is no colleague
        "我现在也不知道，你问别人吧",  # not a story of the past
        "这个以前都不归我管",  # 以前: how things are, not a story
        "表格第二条你写错了，你是不是傻",  # 第二条 of a form, not of the rules
        "你别以不知道为借口，你是不是傻",
        "老张你爱办不办",  # 老 and a surname may call an older visitor: it excuses hurrying a colleague only
        "老张，我不知道，你问别人去",
        "这事我不知道，小王您问别人吧",  # 您: the visitor
        "小王，你先忙。您好，不知道，你问别人去",  # the turn turns to the visitor (您) in another sentence
        "姐，你快点，后面还有人排队。",  # 姐 alone is how windows call visitors
        "小王你来一下。您好，爱办不办",  # …in a later sentence that turns to the visitor (您)
        "老李您快点，后面还有人",  # 您: a visitor
        "不知道呢亲~",  # 亲 is the visitor addressed: the brush-off ended before it
        "不知道哦親",  # …in traditional script too
        "不知道哈，问物流去",  # the chat desk's particle
        "你好烦啊",  # the homophone layer still hears Mandarin
        "我跟他说过，你这事太麻烦了",  # the staff member speaking, not reporting
        "大妈，快点，后面排着呢",  # 大妈 is how one calls a visitor, not one's mother
        "下班了，明天再来吧。妈，我马上回家",  # the family is called in another sentence
        "家长就是事多",  # a kind of people the visitor is one of, not someone pointed at
        "不知道，你回头问问别人吧",  # 回头 said of the visitor is no offer of help
        "不知道不知道，我们这边查不到，你问银行",  # 查不到 is no offer either
        "你问我我去问谁啊，我去问谁",  # nor is 我去问谁
        "不知道，我去问谁啊",
        "不知道，马上请你走。",  # 请 there sends the visitor away: no one is brought
        "你同我躝開！",
        "不只道",  # a short slip by sound keeps all but one of the pattern's characters
        "你给我坐着别动，我帮你查",  # help after an order does not excuse 你给我
        "真係麻煩，又要我幫你搵。",  # nor help given grudgingly
        "不知到。",  # …and the rest of the slipped word (知 of 知道)
        "我们已经下般了明天再来",
        "这种问题你自己搜搜。",
        "我也不清楚，你打电话问医保中心吧",  # the visitor is to phone, not the speaker
        "你这材料又填错了，真麻烦",  # the visitor's doing, not a thing
        "你怎么又把表格弄坏了，真麻烦",  # …even when a thing is broken
        "喂，你过来一下",  # 喂 calling the visitor, not a name on the phone
        "您的医生是李主任，他今天上午门诊。我怎么知道他几点到",  # a story ends with its sentence
        "大爷也不看看我正忙着呢，就知道催",  # 大爷 is how one calls a visitor
        "签了就别后悔，后悔也别来找我，谢谢",  # thanks alone do not take it back
        "你份form填錯晒，重新填過。",  # Hong Kong's English words fold
        "system死咗，你聽日再試啦",
        "等着吧，什么时候有什么时候给你",  # stonewalling
        "你是哪根葱，让我给你加急？",  # general clauses: contempt
        "没钱别来住院。",  # …discrimination by money
        "唔識講就唔好講，攞張表自己填啦。",  # "don't talk" ends its clause: nothing is taught
        "网友所说情况经查不属实，请勿捕风捉影。",  # 所说情况 names what was said: the rest is the speaker's
        "家长您说的这些都是道听途说，请不要造谣。",
    ],
)
def test_what_looks_like_those_uses_but_is_not_is_still_found(text: str) -> None:
    """The context data (rules/context.yml) does not excuse these; heard without the addressee model, which is
    a statistical judgement tested on its own (tests/test_addressee.py) and measured on the development sets
    (it hears 小龙虾卖完了，快点决定要不要别的 as talk among family: one of its errors)."""
    assert _WITHOUT_ADDRESSEE.check(text)


_WITHOUT_ADDRESSEE = Linter()
_WITHOUT_ADDRESSEE._addressee = None


def _where(message: str) -> CatalogueError:
    return CatalogueError(message, "org.yml", 7)


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("~3 不知道", "a gap must stand between two tokens"),
        ("不 ~13 知道", "gap '~13'"),
        ("<没有这个类>", "unknown lexicon class"),
        ("吧", "folds to nothing"),
        ("不知道? 吗?", "one must be required"),
        ("{部门} 去", "a slot needs words before it"),
        ("不 ~2 ~3 知道", "two gaps"),
        ("有病 ^ 你", "'^' may only stand first"),
        ("$ 有病", "'$' only last"),
        ("= 什么", "'=' repeats the first word token"),
        ("<你>? 看 =", "'=' repeats the first word token"),
        ("看 什么 = 什么 =", "only one '='"),
        ("看 ~2 什么 =", "only words may stand between"),
    ],
)
def test_bad_patterns_name_file_line_and_problem(pattern: str, error: str) -> None:
    with pytest.raises(CatalogueError) as info:
        compile_pattern(pattern, load_lexicon(), pattern_fold, _where)
    assert error in str(info.value)
    assert str(info.value).startswith("org.yml:7:")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("瞅啥瞅，没见过啊", True),
        ("你在这儿晃什么晃", True),
        ("哭个什么哭", True),
        ("笑什么那个笑", True),  # a filler between, as ASR has it
        ("瞅啥看", False),  # two different verbs are not the reduplication
        ("您在找什么，我帮您找", False),
        ("看什么时候方便", False),
    ],
)
def test_a_word_said_again(text: str, found: bool) -> None:
    """``=`` is the first word token's word said again (the scolding 瞅啥瞅 with any verb of the class),
    compiled without a backreference: one alternative per word."""
    lexicon = load_lexicon()
    compiled = compile_pattern("<斥动> <什么> =", lexicon, pattern_fold, _where)
    assert "\\1" not in compiled.expression
    marked_text, _index = marked(fold_with_map(text))
    assert bool(compiled.run(marked_text)) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("有病！", True),
        ("你有病啊，一上午来三趟", True),
        ("有病吧你", True),
        ("好吧，有病，那个", True),
        ("家里有病人", False),
        ("您有病历本吗", False),
        ("有病就去看医生", False),
    ],
)
def test_clause_edges_in_a_pattern(text: str, found: bool) -> None:
    """``^`` and ``$`` ask the match to start and end a clause: a word said as a whole clause (有病！) and
    not the same characters inside a longer one (家里有病人)."""
    compiled = compile_pattern("^ <你>? 有病 <你>? $", load_lexicon(), pattern_fold, _where)
    folded = fold_with_map(text)
    marked_text, _index = marked(folded)
    spans = compiled.run(marked_text)
    assert bool(spans) is found
    for s, e in spans:  # the match never takes the clause mark itself
        assert BOUNDARY not in marked_text[s:e]


def test_an_organisation_rule_file_uses_patterns_and_its_own_lexicon(tmp_path: Path) -> None:
    rules = tmp_path / "org.yml"
    rules.write_text(
        """version: 1
lexicon:
  推脱: [你找别人, 找别人去]
rules:
  - id: org-push-off
    phrase: 你找别人
    situation: referral
    category: 推诿
    severity: error
    message: 请首问负责。
    scope: word
    patterns:
      - <推脱>
      - 这事 ~3 别 找 <我>
    rewrites:
      - text: 我帮您联系负责的同事。
    examples:
      flag: [这事你别找我]
      pass: [我帮您找负责的同事]
""",
        encoding="utf-8",
    )
    linter = Linter(rule_files=[str(rules)])
    assert "org-push-off" in [v.rule for v in linter.check("这事儿你可别找我")]


def test_a_hostile_pattern_cannot_hang_the_engine() -> None:
    """RE2 keeps matching linear: a pattern of many optional tokens and gaps over a long text returns at once."""
    lexicon = load_lexicon()
    compiled = compile_pattern("不? ~12 不? ~12 不? ~12 知道", lexicon, pattern_fold, _where)
    text = "不" * 20000 + "x"
    assert compiled.run(text) == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("不知道你去问别人喂养忙着吗，。 唔冇睇嚟“”") + ["\U0001f600", "a"]),
        max_size=60,
    )
)
def test_spans_slice_the_original(text: str) -> None:
    for v in _LINTER.check(text):
        assert text[v.start : v.end] == v.text


_LINTER = Linter()


def test_every_pattern_and_lexicon_class_is_reached_by_a_flag_example() -> None:
    """`phraselint rules test --coverage`: a pattern no example exercises is untested."""
    from phraselint.data.catalogue import load_catalogue
    from phraselint.data.rule_tests import run_coverage

    failures = run_coverage(load_catalogue())
    assert not failures, "\n".join(map(str, failures[:20]))


def test_coverage_names_the_pattern_no_example_reaches(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from phraselint.cli.commands import main

    rules = tmp_path / "org.yml"
    rules.write_text(
        """version: 1
rules:
  - id: org-cold
    phrase: 自己弄去
    situation: general
    category: 冷漠
    severity: warning
    message: 冷漠。
    scope: word
    patterns:
      - 自己 弄|搞 去
      - 爱 弄 不 弄
    rewrites:
      - text: 我来帮您弄。
    examples:
      flag: [你自己搞去]
      pass: [我来帮您弄]
""",
        encoding="utf-8",
    )
    plain = CliRunner().invoke(main, ["rules", "test", str(rules)])
    assert plain.exit_code == 0, plain.output
    covered = CliRunner().invoke(main, ["rules", "test", "--coverage", str(rules)])
    assert covered.exit_code == 1
    assert (
        f"{rules}:" in covered.output
        and "pattern '爱 弄 不 弄' is reached by no flag example" in covered.output
    )


_MIXTURE_PIECES = [e for r in _LINTER.catalogue.rules for e in (*r.flag_examples, *r.pass_examples)] + [
    t for f in sorted(DEVSETS.glob("*-dev.yml")) for t in _items(*f.stem.rsplit("-", 2)[0:2])
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_MIXTURE_PIECES), min_size=1, max_size=3),
    st.sampled_from(["", " ", "，", "那个", "啊"]),
    st.booleans(),
)
def test_the_cheap_tests_before_the_mapped_fold_never_lose_a_finding(
    pieces: list[str], joiner: str, stutter: bool
) -> None:
    """The anchor pass, the bag test and the marked fold only skip texts that cannot match."""
    text = joiner.join(pieces)
    if stutter and len(text) > 3:
        text = text[:2] + text[1:]  # a stutter: 不不知道
    fast = [(v.rule, v.start, v.end) for v in _LINTER._violations(text, None, None)]
    slow = [(v.rule, v.start, v.end) for v in _LINTER._violations(text, None, None, exhaustive=True)]
    assert fast == slow


def test_the_cheap_tests_lose_nothing_on_any_example_or_development_item() -> None:
    """Every catalogue example and every development item (all splits), as written and stuttered."""
    texts = [e for r in _LINTER.catalogue.rules for e in (*r.flag_examples, *r.pass_examples)]
    texts += development_texts()
    lost = []
    for text in texts:
        for variant in (text, text[:2] + text[1:] if len(text) > 3 else text):
            fast = [(v.rule, v.start, v.end) for v in _LINTER._violations(variant, None, None)]
            slow = [
                (v.rule, v.start, v.end) for v in _LINTER._violations(variant, None, None, exhaustive=True)
            ]
            if fast != slow:
                lost.append((variant, fast, slow))
    assert not lost, lost[:10]


def test_a_line_whose_anchor_says_what_as_cantonese_mid_clause_passes_the_fast_test_of_its_block() -> None:
    """The prefold drops 咩 as a particle; inside a clause the fold says it 什么 (睇咩睇 is 看什么看), so the fast
    tests look again at a text that holds it, with it said: one line, many turns, the lines of a file."""
    texts = ["客服：您好", "客服：睇咩睇呀", "癲㗎你，兇咩兇呀。", "係咩？"]
    assert [bool(_LINTER.check(t)) for t in texts] == [False, True, True, False]
    assert _LINTER.candidates_in(texts) == [1, 2]
    assert _LINTER.has_candidates(texts) == [False, True, True, False]
    assert [_LINTER.has_candidate(t) for t in texts] == [False, True, True, False]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40) | st.text(max_size=40))
def test_any_text_even_lone_surrogates_is_checked_never_a_crash(text: str) -> None:
    """A lone surrogate (a broken UTF-16 pair from a JSON file) is replaced, never a crash; spans stay valid."""
    for probe in (text, text + "\ud800", "\udc00" + text + "。没看见我正忙着吗"):
        for v in _LINTER.check(probe):
            assert 0 <= v.start <= v.end <= len(probe)
        _LINTER.rewrite(probe)
        _LINTER.alternatives(probe)


def test_a_lone_surrogate_beside_a_phrase_still_lets_the_phrase_be_found() -> None:
    found = _LINTER.check("沒看見我正忙著嗎\ud800")
    assert [v.rule for v in found] == ["busy-cant-you-see"] and found[0].rewrite
    assert _LINTER.rewrite("不知道\udc00") is not None


def test_a_broken_dialect_file_is_one_error_naming_file_and_line(tmp_path: Path) -> None:
    import shutil

    from phraselint.engine.normalize import _build_folding

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).parent.parent / "rules", rules)
    (rules / "dialect.yml").write_text('version: 1\ncantonese:\n  唔: ""\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"dialect\.yml:3: empty word"):
        _build_folding(rules)


@pytest.mark.parametrize(
    "text",
    [
        "今日熱到痴線,入嚟歎下冷氣先",  # psycho: the heat
        "失咗銀包真係好煩,我幫你逐樣掛失",  # annoyed-to-death: the lost wallet, and help
        "我個仔成日話功課好煩",  # annoyed-to-death: a child's homework
        "师傅，空调你快一点修，大厅太热了",  # hurry-up: to the repairman
        "阿Ken，快啲幫我睇吓部印表機，又卡紙",  # hurry-up: to a colleague
    ],
)
def test_everyday_words_in_a_clause_heard_as_plainly_innocent_pass(linter: Linter, text: str) -> None:
    assert linter.check(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("不知道。", "dont-know"),  # the codes' own words, a clause by themselves
        ("我真的不知道。", "dont-know"),  # 不知道 is not an everyday rule: the model hears this as innocent
        ("这个政策我不清楚，你问别人。", "not-sure"),
        ("您好，不知道，下一位", "dont-know"),
        ("快点！", "hurry-up"),
        ("下一位！快點", "hurry-up"),
        ("痴線。", "psycho"),
        ("吃个饭都不让人安生", "annoyed-to-death"),  # a longer match is more than everyday words
        ("你这人真烦，一个问题问八遍", "annoyed-to-death"),
    ],
)
def test_everyday_words_said_as_a_clause_or_heard_as_rude_are_found(
    linter: Linter, text: str, rule: str
) -> None:
    assert rule in [v.rule for v in linter.check(text)]


def test_everyday_words_are_judged_only_for_rules_that_say_so(tmp_path: Path) -> None:
    """The same words in an organisation's rule without `everyday` are found wherever they stand; `everyday`
    takes true or false only, and a model-found rule cannot have it."""
    body = """version: 1
rules:
  - id: org-hot
    phrase: 热到痴线
    situation: accepting
    category: 辱骂
    severity: error
    message: 请文明用语。
    scope: anywhere
    {extra}
    rewrites:
      - text: 请稍等，我马上为您办理。
    examples:
      flag: [热到痴线]
      pass: [今天天气很好]
"""
    rules = tmp_path / "org.yml"
    rules.write_text(body.format(extra=""), encoding="utf-8")
    linter = Linter(rule_files=[str(rules)])
    assert "org-hot" in [v.rule for v in linter.check("今日熱到痴線,入嚟歎下冷氣先")]
    bad = tmp_path / "bad.yml"
    bad.write_text(body.format(extra="everyday: yes please"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="'everyday' must be true or false") as caught:
        Linter(rule_files=[str(bad)])
    assert caught.value.line == 3


def test_a_character_that_never_writes_the_words_is_no_match(linter: Linter, tmp_path: Path) -> None:
    """餵 ("feed") folds onto 喂 ("hey"), but never writes it: the rule says `not_written: [餵]`. An
    organisation's rule gets the same key, checked on load."""
    assert linter.check("記得幫我餵一下貓喔，飼料在櫃子裡。") == []
    assert [v.rule for v in linter.check("喂，你過來一下。")] == ["hey"]
    body = """version: 1
rules:
  - id: org-hey
    phrase: 嘿
    situation: addressing
    category: 不礼貌称呼
    severity: warning
    message: 请用“您好”。
    scope: word
    not_written: {value}
    rewrites:
      - text: 您好
    examples:
      flag: [嘿，过来]
      pass: [今天天气很好]
"""
    bad = tmp_path / "bad.yml"
    bad.write_text(body.format(value="[1, 2]"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="'not_written' must be a non-empty string") as caught:
        Linter(rule_files=[str(bad)])
    assert caught.value.line == 3


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("（对同事）你先下班吧，剩下的我来收尾。", False),
        ("收工前記得熄燈同鎖門呀。（同事之間）", False),
        ("（对自己说）唉，又填错了，重填吧。", False),
        ("（民众）你们不知道吗", False),  # the visitor's words
        ("不知道。（错误示范）", False),  # a demonstration
        ("（对来访者）你自己看", True),  # said to the visitor
        ("（对着电话）不知道，你问别人吧", True),  # a hotline's caller is the visitor
        ("你自己看（挂了）", True),  # a note of what happened, not of who is spoken to
        ("（同事）好的。你自己看吧，不知道。", False),
    ],
)
def test_a_transcribers_note_of_who_is_spoken_to(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    "text",
    [
        "？？？",
        "???",
        "。。。",
        "哦。。。",
        "嗯？？",
        "呵呵",
        "呵呵。。",
        " 🙄🙄 ",
        "🤡",
        "[白眼]",
        "啊？？？",
    ],
)
def test_a_reply_of_marks_alone_is_cold(linter: Linter, text: str) -> None:
    """A chat reply made of marks alone (the codes' 冷淡, 冷言相对; rules/context.yml's bare_reply): the whole
    reply is the finding, with a rewrite in words."""
    found = linter.check(text)
    assert [v.rule for v in found] == ["cold-marks"], text
    v = found[0]
    assert v.text == text.strip() and text[v.start : v.end] == v.text
    assert v.rewrite and v.rewrite != text and v.suggestions


@pytest.mark.parametrize(
    "text",
    [
        "嗯",  # an acknowledgement
        "哦。",
        "嗯？",  # pardon?
        "？",
        "……",  # a transcript's pause
        "呵",
        "呵呵，您太客气啦，这是我们应该做的😊",
        "好的？？我马上帮您查一下",
        "？？？" * 9,  # longer than any reply of marks alone
        "客户说了句“？？？”",
    ],
)
def test_marks_with_words_or_an_acknowledgement_are_not_cold(linter: Linter, text: str) -> None:
    assert "cold-marks" not in {v.rule for v in linter.check(text)}, text


@given(st.text(alphabet="？?。，！…~哦嗯呵啊🙄 ", max_size=30))
@settings(max_examples=300, deadline=None)
def test_the_fast_test_lets_every_reply_of_marks_through(text: str) -> None:
    """Whatever the marks, the fast tests (one line, many turns, the lines of a file) pass every text that
    check finds a reply of marks alone in, and the finding covers the text but its white space."""
    lin = _LINTER
    found = lin.check(text)
    if lin._context.bare_reply(text) is not None:
        assert found
    if found:
        assert lin.has_candidate(text)
        assert lin.has_candidates(["您好", text]) == [False, True]
        assert lin.candidates_in(["客服：您好", f"客服：{text}", text]) == [1, 2]
    for v in found:
        if v.rule == "cold-marks":
            assert v.text == text.strip() and len(found) == 1


_LINTER = Linter()


def test_replies_of_marks_deep_in_files_are_found(tmp_path: Path) -> None:
    """Past the lines a file's head always has checked, a line of marks alone reaches the check through the
    fast test of its block: labelled transcripts and chat exports alike; the visitor's own ？？？ is not
    checked."""
    from click.testing import CliRunner

    from phraselint.cli.commands import main

    polite = [f"[09:{i // 60:02d}:{i % 60:02d}] 工作人员:您好，请问您办理什么业务？" for i in range(300)]
    polite[150] = "[09:02:30] 工作人员:？？？"
    polite[200] = "[09:03:20] 来访人员:？？？"
    polite[250] = "[09:04:10] 工作人员:呵呵。。"
    polite[280] = "[09:04:40] 工作人员:等着！！"  # a curt word alone, after a speaker and a time
    path = tmp_path / "window.txt"
    path.write_text("\n".join(polite) + "\n", encoding="utf-8")
    chat = [
        '{"role": "客服", "content": "您好，很高兴为您服务。"}',
        '{"role": "用户", "content": "？？？"}',
    ] * 100 + ['{"role": "客服", "content": "。。。"}']
    jsonl = tmp_path / "chat.jsonl"
    jsonl.write_text("\n".join(chat) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "jsonl", str(path), str(jsonl)])
    found = [
        (Path(d["path"]).name, d["line"], d["rule"], d["text"])
        for d in map(json.loads, result.stdout.splitlines())
    ]
    assert found == [
        ("window.txt", 151, "cold-marks", "？？？"),
        ("window.txt", 251, "cold-marks", "呵呵。。"),
        ("window.txt", 281, "cold-reply", "等着"),
        ("chat.jsonl", 201, "cold-marks", "。。。"),
    ], result.output


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("随便。", True),
        ("等着！！", True),
        ("是但啦。", True),  # Cantonese: 随便
        ("那又怎样？", True),
        ("您随便坐，我马上来。", False),
        ("随便看看，有需要叫我。", False),
        ("您先坐着等着，叫到号我提醒您。", False),
        ("所以呢，您需要先去一楼拍照。", False),
    ],
)
def test_a_word_alone_as_the_whole_reply(linter: Linter, text: str, found: bool) -> None:
    """The scope `alone`: the words are the whole utterance, besides punctuation and particles."""
    assert ("cold-reply" in {v.rule for v in linter.check(text)}) is found, text


def test_scope_alone_in_an_organisations_rule_file(tmp_path: Path) -> None:
    """An organisation's rule may say `scope: alone`: 不行 as the whole reply, not 不行的话我帮您问问."""
    path = tmp_path / "ours.yml"
    path.write_text(
        """version: 1
rules:
  - id: bare-no
    phrase: 不行。
    situation: general
    category: 冷漠
    severity: warning
    message: 只回一句“不行”太生硬；请说明原因和办法。
    scope: alone
    rewrites:
      - text: 很抱歉，这个暂时办不了，我给您说一下原因和办法。
    examples:
      flag: [不行！]
      pass: [不行的话我帮您问问科长。]
    sources:
      - {code: "000", clause: "七(二)", general: "不得态度生硬、冷淡、烦躁"}
""",
        encoding="utf-8",
    )
    lin = Linter(rule_files=[str(path)], select=["bare-no"])
    assert [v.rule for v in lin.check("不行！")] == ["bare-no"]
    assert lin.check("不行的话我帮您问问科长。") == []
    assert lin.check("这样不行。") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("笨死了我，又摔了。", False),  # the subject last, after a particle: said of oneself
        ("唉，有病吧我，非要在网上跟陌生人吵架。", False),
        ("神经病啊我，穿着拖鞋就出门了。", False),
        ("我怎么这么笨，密码又输错了三次。", False),  # reproaching oneself
        ("有病吧你，拿个假证明来办。", True),  # the visitor last
        ("别烦我，没看我在忙吗。", True),  # 我 the object, not the subject
        ("你怎么这么笨，这都不会填。", True),
    ],
)
def test_a_clause_said_of_oneself(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("老公，醋呢？你听不懂吗，我让你买醋。", False),  # one of the family called first: the whole turn
        ("弟，你有病吧，大半夜给我打视频。", False),
        ("老公，我晚点回。您好，不知道，你问别人吧。", True),  # then turning to the visitor, called 您
        ("姐，真不是我的事儿，理赔你找别人去。", True),  # 姐 and 哥 are how visitors are called too
        ("豆豆，别再抢弟弟的玩具了，听见没有，烦死了。", False),  # a child or a pet called by a pet name
        ("小黑你有病啊，半夜三更挠门。", False),
        ("裁判你瞎了吧，这都不吹。", False),  # a player on the screen
        ("宝宝，不知道哦，你问别人吧。", True),  # chat desks call customers 宝宝
        ("天天来问，烦死了。", True),  # a pet name that is a word
        ("可你上次不是说过了吗，烦死了。", True),  # doubled names fold to one character: 可 is not one
    ],
)
def test_a_turn_that_calls_one_of_the_family_first(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("科长，这个规定我也不清楚，您给我讲讲？", False),  # one's superior called by title first
        ("刘所长，系统又坏了，今天办不了，要不要报修？", False),  # …with a surname
        ("处长，我不知道这份件该转给谁。", False),
        ("处长，我不知道这份件该转给谁。你去问别人吧。", True),  # only in that sentence
        ("王主任您好，不知道，你问别人去。", True),  # 您 right after the title: a visitor may be a 主任
        ("经理，不知道，你问别人去。", True),  # 经理, 老板, 师傅: windows call visitors so
    ],
)
def test_a_sentence_that_calls_a_superior_by_title_first(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("好好好，您说得都对，还有别的事吗？", True),  # sarcastic concession
        ("您说啥就是啥，我们照办行了吧。", True),
        ("这下您满意了吧？", True),
        ("您说得都对，这件事是我们没做好，我马上给您处理。", False),  # the point taken and acted on
        ("顾客永远是对的，这是我们的老规矩。", False),  # a slogan, said to nobody
        ("您对这次的处理满意吗？", False),
    ],
)
def test_sarcastic_concession(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("我帮您看看是不是自动扣款了。", False),  # 不是自 would sound as 不识字, but 自 is in 自动
        ("你是不是不识字啊。", True),
        ("不只道。", True),  # a slip of 不知道 that ends on a word edge
    ],
)
def test_a_match_by_sound_ends_on_a_word_edge(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("打不开是您电脑的问题，不是我们网站的问题。", True),  # the fault put on the visitor
        ("网络没问题，是你自己操作的问题。", True),
        ("名额抢完了，只能怪你来得晚。", True),
        ("这个不是系统的问题，是您网络的问题，您换个网络试试。", False),  # a cause told, with help
        ("不是您的问题，是我们的问题，我马上给您处理。", False),  # the fault taken on
        ("结果就这样，您接受也得接受，不接受也得接受。", True),  # take it or leave it
        ("该答的都答了，不会再回复了。", True),  # no more answers
        ("这个问题请勿再次咨询。", True),
        ("请不要再次咨询人工，自助机可以办理。", False),  # a way shown
        ("亲，这个您刚才问过了。", True),
        ("您刚才问过的这个问题，我再补充一下。", False),
        ("群公告里写得很清楚了，自己看。", True),  # chat surfaces are signs too
        ("您别指望这周能批下来。", True),  # hope dashed
        ("别指望信息科今天能修好，先用手工登记。", False),
    ],
)
def test_blame_and_refusing_further_answers(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("这点钱还想全退，想得挺美。", True),  # sarcasm at what the visitor hopes for, knows or can do
        ("在候诊区抽烟，有没有公德心？", True),
        ("拼音都拼错，小学没读过吗？", True),
        ("来回跑五趟，我都替你丢人。", True),
        ("这系统慢成这样，我都替您着急。", False),  # sympathy
        ("我们是客服，不是您的私人管家。", True),
        ("我们客服也要下班的，明天再说。", True),
        ("这个问题不是您一个人遇到的，我们正在处理。", False),
        ("嘟一下都唔識。", True),
        ("行了行了，您别说了。", True),  # cutting the visitor short
        ("好了好了，您别哭了，我马上帮您处理。", False),  # comfort
        ("呢份考卷第三題：以下邊句係服務禁語？答案係冇見我忙緊咩。", False),  # an exam about the codes
    ],
)
def test_mockery_and_cutting_short(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # replies to reviews: the reviewer called a liar, an extortionist or a hired fault-finder…
        ("一看您就是职业差评师。", True),
        ("对面那家派来的吧？", True),
        ("您是不是想敲诈我们？", True),
        ("是不是有人想敲诈您？您别怕，慢慢说。", False),  # someone else would, and the visitor is reassured
        ("这种套路我们见多了。", True),
        ("这个行业的套路我们见得多了，您放心，我们帮您把关。", False),  # the trade's tricks, and help
        # …mocked for the review, or told that nothing they say matters
        ("感谢您的一星差评，把我们后厨都逗乐了。", True),
        ("恭喜您荣获本店年度最难伺候顾客称号。", True),
        ("随你怎么投诉，我们一点都不在乎。", True),
        ("我们一点都不在乎多等一会儿，您慢慢来。", False),  # the staff will wait
        ("您那个投诉其实没什么用。", True),
        ("您的投诉我们已经转给主管，三天内给您答复。", False),
        # the visitor's means, age or birthplace held against them
        ("要是您住得起的话，推荐您去五星级。", True),
        ("你一个乡下人，搞不清这些也正常。", True),
        ("这间一晚两千，含早餐，您看可以吗？", False),  # a price told
    ],
)
def test_replies_that_mock_accuse_or_look_down(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


def test_a_marked_core_is_words_of_its_own_rude_text() -> None:
    """benchmarks/devsets.py counts a flag as placed where a violation overlaps the item's core: each core is
    a stretch of its own text, and only rude items have one."""
    cored = 0
    for path in sorted(DEVSETS.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["items"]:
            core = item.get("core")
            if core is None:
                continue
            cored += 1
            assert data["expect"] == "flag", (
                f"{path.name}: a core on an item that must pass: {item['text']!r}"
            )
            assert core.strip() and core in item["text"], (
                f"{path.name}: {core!r} is not words of {item['text']!r}"
            )
    assert cored >= 400


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the visitor's words quoted whole inside the staff's own, to be answered: the staff's words are said
        ("您好，经核实，您所说的“服务员翻白眼”纯属臆想，我们的员工不可能这样。", True),
        ("您是不是对「预售」两个字有什么误解？", True),
        # …but words that run into or out of a quotation are someone's quoted
        ("客户说工作人员讲“你说的纯属臆想”，我们正在核实。", False),
        ("培训时讲“不知道”是忌语，要说“这个我帮您问一下”。", False),
        ("您所说的“服务员翻白眼”一事，我们已调取监控核实，会给您答复。", False),
    ],
)
def test_a_quotation_wrapped_whole_by_the_words_is_answered_not_quoted(
    linter: Linter, text: str, found: bool
) -> None:
    hits = linter.check(text)
    assert bool(hits) == found, [(v.rule, v.text) for v in hits]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a word of praise in marks of its own, said of the visitor: irony (the scope `quoted`)
        ("多谢您的“高见”，下一位。", True),
        ("您这么「内行」，自己办不就好了？", True),
        ("谢谢您的‘好意’，不必了。", True),
        ("您所谓的“行家”意见，我们听过了。", True),
        ("您这番“赐教”，我们受用了。", True),
        # the same words without marks are praise
        ("多谢您的高见，我们会认真考虑。", False),
        # the marks hold more than the word: a name, or the visitor's words quoted
        ("您可以挂我们的“专家门诊”，周三上午有号。", False),
        ("您说的“行家意见”是指哪位老师的？", False),
        # the word in marks said of nobody: a name
        ("本店推出“五星级”洗车服务，您要试试吗？", False),
        # the irony quoted in a training, inside marks of its own
        ("培训里讲过，“谢谢您的‘好意’”这种反话不能说。", False),
        # marks that open before the words about the visitor quote somebody's whole words
        ("您好，您上次留言写的“谢谢您的高见”，我们收到了。", False),
        # names, the visitor's words, stress that means it, and praise of no one
        ("请在页面上点“好评”按钮就可以了。", False),
        ("您的“专家号”已经预约成功，请按时就诊。", False),
        ("您说“我们很专业”，谢谢您的认可。", False),
        ("这位专家是我们医院最好的骨科医生。", False),
        ("顾客在评价里写“服务很专业”，我们很高兴。", False),
        ("「五星好評」活動本週截止，您參加的話可以領贈品。", False),
        ("“感谢您的宝贵意见”是我们的标准回复用语。", False),
        ("这位“专家”是我们特聘的顾问，您有问题可以问他。", False),
        ("您的“好评”我们已经收到，非常感谢！", False),
        ("你们这些“高手”的作品都在展厅展出，欢迎参观。", False),
        ("感谢您的“热心”市民提名，我们会认真评选。", False),
        ("所谓“专业”，就是把每件小事做好。", False),
    ],
)
def test_scare_quotes_are_irony_only_round_a_word_of_praise_said_of_the_visitor(
    linter: Linter, text: str, found: bool
) -> None:
    hits = linter.check(text)
    assert [v.rule for v in hits] == (["scare-quotes"] if found else []), [(v.rule, v.text) for v in hits]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # praise that means its opposite: what the visitor understood or imagined, admired…
        ("您的理解能力真叫人佩服。", True),
        ("您的想象力真叫人大开眼界。", True),
        # …but memory, logic or persistence admired is meant
        ("您的记忆力真让人佩服，十年前的单号都记得！", False),
        ("您的坚持令人佩服。", False),
        # something new seen: at the visitor's expense, or learnt from them
        ("真是大开眼界，居然有人拿别人的身份证来办。", True),
        ("真是长见识了，原来还可以这样办，谢谢您。", False),
        ("这种脾气，我们可算领教了。", True),
        ("多谢指点，领教了。", False),
        # the visitor's age told to admire them, not to send them away
        ("您这么大年纪还坚持学电脑，真让人佩服。", False),
        ("这么大岁数了还学年轻人网上抢号。", True),
    ],
)
def test_praise_that_means_its_opposite_and_praise_that_is_meant(
    linter: Linter, text: str, found: bool
) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the place taken, rhetorically, for the visitor's home or a market…
        ("您以为这是您家啊？", True),
        ("你还以为这儿是菜市场呢？", True),
        # …not the host's welcome, nor a mistake of the speaker's own
        ("我以为这是您家的孩子，原来不是。", False),
        ("我还以为这里是您家呢，原来是您朋友家，那地址我改一下。", False),
        ("您以为是家里人办的吗？我帮您查一下", False),
        # whose job it is, asked back
        ("您是老师还是我是老师？", True),
        ("请问您是本人还是家属？", False),
    ],
)
def test_the_place_or_the_job_asked_back(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # an order whose reason, said first, is the visitor's safety or comfort (context.yml `care`)…
        ("您先别走，外面下雨了，等会儿再出去。", False),
        ("您先在屋里坐会儿，外面在下雨，别急着出去。", False),
        # …but the weather held against the visitor is no care, and care takes back less than an apology does
        ("下雨天还跑来，真会挑时候。", True),
        ("外面下雨了，你管不找那个", True),
        ("外面下雨了，就是你能不能快一点", True),
        # an order or a hurry for the visitor's comfort or safety, where the tone model hears nothing rude…
        ("您别在风口站着，外面冷，进来坐。", False),
        # …not one it hears as rude, nor one whose care stands in another sentence
        ("地上滑，你给我滚远点！", True),
        ("外面下雨了，快点快点，别磨蹭！", True),
        ("小心台阶。别碰展品，听不懂吗？", True),
    ],
)
def test_care_for_the_visitor_excuses_what_sounds_like_an_order(
    linter: Linter, text: str, found: bool
) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # an offer of help in the same sentence is the codes' way to answer (首问负责)…
        ("这个不归我们管，我带您去三楼问问。", False),
        ("这个我不清楚，我帮您问问。", False),
        # …and after what one did not know, or a system that failed, it may come in the next sentence
        ("这个我不清楚。我帮您问一下主管，您稍等。", False),
        ("系统坏了，今天办不了。我先帮您登记，恢复了第一时间通知您。", False),
        # …but a brush-off said whole, then amended in a later sentence, has still been said
        ("这个章不归我管，你去三楼问。三楼三零二，需要的话我带您过去。", True),
        ("下班了，明天再来吧。或者您可以在网上预约，我把二维码给您。", True),
    ],
)
def test_an_offer_of_help_after_a_brush_off(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


def test_the_rules_whose_offer_of_help_may_come_later_exist(linter: Linter) -> None:
    later = linter._context.help_later_rules
    assert later and set(later) <= {rule.id for rule in linter.rules}


def test_the_rules_a_restated_accusation_excuses_exist(linter: Linter) -> None:
    restated = linter._context.restated_rules
    assert restated and set(restated) <= {rule.id for rule in linter.rules}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a reassurance that denies what follows in its clause (context.yml `denials`)…
        ("别担心您没口福，我们明天还会做这道招牌菜。", False),
        ("千萬別覺得你的問題太低級，每個高手都是這樣問過來的。", False),
        # …but not a plain negation, and not one in another clause
        ("这里不是你撒泼的地方。", True),
        ("你千万别当自己是大爷。", True),  # a prohibition, not a reassurance
        ("谁说你不是蠢货。", True),
        ("别担心。你这问题太低级了，自己查去。", True),
    ],
)
def test_a_reassurance_denies_what_follows(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # sympathy said to the visitor keeps the tone model silent (context.yml `empathy`)…
        ("您这么大年纪还自己跑，真不容易。", False),
        ("这么大年纪了还自己来办，真不容易，我帮您填。", False),
        # …not said without 您, where it is as often sarcasm
        ("谢谢您的配合。说了三遍才听懂，真不容易。请慢走。", True),
        # self-reproach with an apology is not mockery; the speaker's own contempt is still heard
        ("我们连这点小事都做不到，实在对不起您。", False),
        ("我连看都不想看你。", True),
        ("我看你连这点小事都做不到。", True),  # the speaker's opinion of the visitor
        # a barb followed by help is still heard
        ("女士您好，请您出示取件码。你这人怎么连个取件码都找不到，手机拿来我帮您查一下吧。", True),
    ],
)
def test_sympathy_self_reproach_and_help_after_a_barb(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a person named as what the speaker is, not a subject (context.yml `predicate_before`), in ASR output
        ("我不是领导你问领导去", True),
        ("啊这个我不清楚我不是领导你问领到去", True),
        ("保安也不知道", False),  # another person, the subject, as before
        ("他不知道要预约吗？", False),
        # the rhetorical reproach, "don't you know (you must) …?"
        ("你不知道要先取号吗？", True),
        ("你难道不知道今天周六吗？", True),
        ("手机没电？出门不知道充电吗，真是的。", True),
        ("你不知道吗？下周开始新流程，我跟您说说。", False),  # news told
        ("不知道这样安排您看可以吗？", False),  # wondering
        ("您说您不知道要带什么喔？没关系，我列一张清单给您。", False),  # 么 of 什么 is no question mark
        ("您不知道要去哪个窗口吗？我带您过去。", False),  # an embedded question
        # 哪句 in a retort is not an exam question (context.yml `meta`)
        ("你说我态度不好？那你倒是说说，我哪句话说错了？", True),
        ("考试题：下列哪句属于服务忌语？A.请稍等 B.你倒是说说", False),
        # doing it with the visitor is help offered (context.yml `help_offers`)
        ("没关系，第一次办都会搞不清楚，我陪您一起填。", False),
        ("这个我也搞不清楚。", True),
        # a possessor is no subject: 他电话 is his number
        ("他电话你自己打吧。", True),
        # the speaker's own role after the copula; a subject said twice is one still
        ("我只是保安也不知道", True),
        ("我不是医生，医生也不知道", False),
        # a retort asking which words were wrong is no exam question
        ("你说我骂人了，是哪句？你倒是说说", True),
        ("以下哪句违反首问负责制？A. 问隔壁去 B. 我带您去隔壁", False),
        # firm or helpful words that look like the new kinds (a review's false flags)
        ("您心里要有个数，这个手续大概要两周。", False),
        ("您小声一点好不好，宝宝在睡觉。", False),
        ("您不知道要预约吗？没关系，我现在帮您约一个。", False),
        ("您没必要浪费时间跑窗口，网上就能办。", False),
        ("您不就是想让我们帮您查一下进度吗？没问题，我这就查。", False),
        ("穿黄衣服那个，麻烦您过来一下，您的证件忘拿了。", False),
        ("靠边，有车来了，小心！", False),
        ("我帮您问问做什么检查，您稍等。", False),
        ("这是我的工号，您有意见可以尽管投诉，我们会改进。", False),
        ("主任出门一般也不跟我们报备，您留个电话，他回来我让他打给您。", False),
        ("整个大厅都听得见您的号，您坐着等就行。", False),
        # a hardship asked back; 点会 after a word of degree is "a bit" + 会, not Cantonese 點會 "how could"
        ("你有我累吗？我一天接两百个电话。", True),
        ("声音小一点会死啊？", True),
        ("您心里没个数的话，我给您算一下。", False),
    ],
)
def test_subjects_reproaches_retorts_and_help_with_the_visitor(
    linter: Linter, text: str, found: bool
) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a barb in a turn of service talk: the offer of help in the next sentence does not take back a
        # statement closed by its full stop (the tone model's polite window stops there)...
        ("您好，退款已经原路返回。早点看清规则也不至于这样，说了多少回了。有问题您再联系我。", True),
        # ...but does answer a question it follows (这张表是干什么的？我给您解释一下。)
        ("这张表是干什么的？我给您解释一下。", False),
        # a quotation mark a sentence away does not silence the staff member's own words
        ("证书上会注明「补发」字样。请收好，别弄丢了。二婚三婚的，这回自己保管好吧，别又来补。", True),
        ("证书上会注明「补发」字样。二婚三婚的，这回自己保管好吧，别又来补。", False),  # the sentence before
        ("工作人员说“你识字吗”，是这样吧？我们核实后给您答复。", False),
        # sending the visitor to speak to someone is no report of that person's words
        ("有意见？找我们科长说去，别在我这儿吵。", True),
        ("我们科长说过这事不归窗口管，我帮您转给专办。", False),
        # this session's kinds: temper as a warning, the visitor's reasoning called perverse, a whim, the
        # office as no place for rowdiness, the body mocked, a small failing, the hurry mocked, a meal as busy-ness
        ("我也是有脾气的，你别逼我。", True),
        ("你这就是胡搅蛮缠，条款写得明明白白。", True),
        ("号是你想插就插的？", True),
        ("这里不是你耍横的地方。", True),
        ("裤子穿不上就先减减肥再来买。", True),
        ("身份证都不会放还好意思来办。", True),
        ("你急我不急，慢慢排。", True),
        ("我午休呢，看不见？", True),
        ("我们也有脾气急的同事，所以更能体谅您。", False),
        ("先减脂再增肌，教练会给您排课。", False),
        ("您别急，我不急着下班，慢慢给您弄。", False),
        # replies set below children, suspected of lying, or sent elsewhere for what they want
        ("这么简单的题，小学生都会做。", True),
        ("这个很简单，小朋友都会，您放心，我陪着您。", False),
        ("充电器少了一个？您确定没顺手拿走？", True),
        ("嫌等位久？不愿意等可以去隔壁。", True),
        ("我们不想等的话，可以去隔壁吃。", False),
        ("您耳朵不太好使吧，我再说一遍。", True),
        ("我这耳朵不太好使，您再说一遍好吗？", False),
        # a review's false flags of this round's kinds: a product called easy, an idiom of a busy shop, a denial,
        # a doctor's advice, a third party's hearing, a faster channel across the road, scrolling up, sympathy
        ("这个软件设计得很友好，小学生都会用。", False),
        ("我们店最近生意好，门槛都快被踏破了。", False),
        ("我刚才没说清楚，不是您胡搅蛮缠，是我没解释好。", False),
        ("医生建议您先减减肥，血压可能就降下来了。", False),
        ("老人家耳朵不好使，说话的时候请靠近一点。", False),
        ("不想排队可以去对面的自助机，操作很简单，我教您。", False),
        ("取件码在短信里，您往上翻一翻就能看到。", False),
        ("我比您还急，已经催了三次仓库了。", False),
    ],
)
def test_barbs_in_service_talk_and_this_rounds_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the visitor's accusation restated to be denied in the next clause (context.yml `restated`)...
        ("您说我们不管这事，不是不管，是得先请物业出个证明，我现在就帮您联系。", False),
        ("您问我们是不是故意不办，完全不是，材料要等两个部门会签。", False),
        # ...but not where nothing denies it, nor for a barb the restating does not touch
        ("您说我们不管？对，这事我们就是不管。", True),
        ("你说你不知道？不是我说你，这都第三回了，记性也太差了。", True),
        # an offer of help inside a long match of a rule whose offer may come later
        ("今天系统在升级，我给您登记一下，明天一早优先给您办。", False),
        ("我也不清楚这个政策。我现在给社保中心的同事打个电话确认，您稍等。", False),
        # the speaker's own past (self_subject): nobody is mocked
        ("我刚来的时候也拎不清哪个表交哪个窗口，您慢慢就熟了。", False),
        ("你怎么到现在还拎不清哪个表交哪个窗口？", True),
        # this round's kinds: sneering at the visitor's worth, a favour, haste, futility, a crowd sent off
        ("就凭你还想插队？", True),
        ("能给你办就不错了，还挑三拣四。", True),
        ("平时不管，用的时候才想起来。", True),
        ("领导来了也是一样，回去吧。", True),
        ("机器坏了，今天办不了，都散了吧。", True),
        ("不想排的话您可以去私立医院，我们这儿就这么多号。", True),
        ("好的好的，全世界的快递员都在针对您一个人。", True),
        ("拿差评来吓唬我们？", True),
        ("就凭您这份在职证明，就可以直接申请。", False),
        ("这个政策不是专门针对您一个人的，所有申请人都一样。", False),
        ("您什么时候想清楚了都可以，我们不催您。", False),
        ("那天车坏在半路，我急得跟什么似的。", False),
    ],
)
def test_restated_accusations_later_offers_and_this_rounds_kinds(
    linter: Linter, text: str, found: bool
) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # ASR output: a pause (a space, no mark) after a clause-scoped phrase does not end the sentence where a
        # polite opening follows it, fillers passed over…
        ("不知道 呃 您还需要办别的吗", False),
        ("您好 不知道 那个 您是要办哪个业务", False),
        ("不知道您 嗯 带身份证了没有", False),
        ("那个 不知道 嗯 您方便留个电话吗", False),
        # …but a bare 您 or anything else after the pause does not continue it
        ("不知道 你问前台吧", True),
        ("不知道 那个 你自己看着办", True),
        ("不知道 呃 下一位", True),
        # a mark is no pause: the phrase ended there
        ("不知道。您还需要什么", True),
        # an offer to go and ask after the pause
        ("这个我不知道 嗯 我去问问我们主任 您等一下", False),
    ],
)
def test_a_pause_in_asr_output_and_what_follows_it(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请问那个谁 呃 那个李明先生在吗 您的证件办好了", False),
        ("您看哪一项不清楚，我对着表格一项一项给您讲。", False),
        ("我确实不清楚。我已经给业务科发了消息，一般半小时内回复您。", False),
        ("填錯咗呀，攞過張新嘅重新填。", True),
        ("还没到八点半呢，门口那排椅子坐着等。", True),
        ("号码在门口公示栏上，你自己拨过去问他。", True),
        ("说我们效率低？你来这坐一天试试。", True),
        ("不服可以不参加的呢~", True),
        ("我们会认真反省一下，给您一个满意的答复。", False),
    ],
)
def test_names_sought_aloud_questions_offers_in_writing_and_v80_kinds(
    linter: Linter, text: str, found: bool
) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v81's kinds: the visitor cut off to be lectured, told to ask everything at once, told to take their time
        # complaining, told written words are beyond them, that they never listen, that help is a favour, that
        # it is their fault the queue is slow; an older visitor sent to the young relatives
        ("您先别说了，听我讲。", True),
        ("一次性问完行不行？", True),
        ("投诉电话在墙上，您慢慢打，我等着。", True),
        ("都给您写出来了您还看不懂的话，我也没办法了。", True),
        ("早就提醒过您了，您偏不听。", True),
        ("我帮您指个路已经够意思了。", True),
        ("还不是因为像您这样不带材料的人太多了。", True),
        ("您估计也记不住，回去让您女儿给您看吧。", True),
        ("您别急着说，我先听您讲完再解释。", False),
        ("您一次性问完也行，我一起给您查。", False),
        ("没弄清楚就来也没关系，我帮您一条条理。", False),
        ("您要是记不住也没关系，我写在纸上，回去也可以让孩子帮您看看。", False),
        ("您总不能一直站着等，我给您搬把椅子。", False),
    ],
)
def test_v81_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a turn that opens by calling the visitor by a role only visitors hold speaks to the visitor, as 您 does:
        # the addressee model does not set its matches aside (家长你…; 亲，…), where it may for talk without either
        ("家长你别在这儿跟我掰扯了，名额就这么多，没本事就别在这儿闹。", True),
        ("亲，吃完了才说有头发，盘子都光了，这理由编得挺辛苦吧。", True),
        ("孩子他爸，你去问问老师作业的事，我这边忙不过来。", False),
        # the words that make an utterance talk about phrases, said as the speaker's own say (领导来了也是这句话)
        ("找领导？领导来了也是这句话，你找谁都一样。", True),
        ("“不知道”这句话是服务忌语，大家要记住。", False),
        # v82's kinds: wits mocked in a statement, looks set beside a wild child's, "so what if…", the blame
        # turned on the speaker; care that the visitor forgets, a choice left to the visitor, a staff member
        # swamped, a list of phrases named as such
        ("看个病连处方都看不明白。", True),
        ("早点带去剪剪头发，跟个野孩子似的。", True),
        ("孩子发烧又怎样，后面排着。", True),
        ("我好心告诉你去哪，还成我的错了？", True),
        ("我怕您记不住，把需要带的材料都写在这张纸上了。", False),
        ("您看是退货退款，还是补偿二十元留下使用呢？您说了算。", False),
        ("这学期报表太多，我都快不知道自己在填什么了。", False),
        ("评选标准之一：全年没有因为说不知道、不归我管之类的话被投诉。", False),
    ],
)
def test_visitor_called_by_role_speakers_own_say_and_v82_kinds(
    linter: Linter, text: str, found: bool
) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v83's kinds: "only once more" in Cantonese, a refusal then no more to be said, said clearly and still
        # not understood, the messages above not read, "this place is not for your…", staff idle while the visitor
        # is the only one busy, the staff member's seat offered, the office taken for a shop, a defiance of the
        # hotline, the visitor's voice a headache, the network down and the visitor sent home
        ("聽清楚，我淨係講多一次。", True),
        ("这个办不了，不用再说了。", True),
        ("说得很清楚了，还不明白？", True),
        ("您是没看我上面发的吗？", True),
        ("这里可不是给你吵架的地方。", True),
        ("就您一个人忙，我们都闲着。", True),
        ("要不我这位子也让给您坐？", True),
        ("您当我们这儿是复印店呢？", True),
        ("你去打热线啊，看他们能把我怎么样。", True),
        ("您一开口我就头疼。", True),
        ("网又掉了，今天没戏了，先回去吧。", True),
        # …and innocent: searching one's memory for a name, a bad line apologised for, hurrying along with the
        # visitor, a place named wrong with help after it
        ("那个谁……就是上周来帮忙的实习生，叫什么来着？", False),
        ("喂？喂？不好意思，信号不太好，您方便再说一次吗？", False),
        ("咱们抓紧时间，先把表填上，我帮您看着。", False),
        ("这里不是办这个业务的地方，我带您去三楼。", False),
    ],
)
def test_v83_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v84's kinds: a threat for more words, an insistence left to wait, the visitor told not to open by
        # scolding, their lateness blamed, grievances not to be told here, a mark too plain to miss, age blamed
        # for memory, anyone else would have learnt it, the visitor sent to another hospital, "didn't you read
        # it before you ordered", the staff member's break not the visitor's business
        ("再啰嗦，这号我就给下一位了。", True),
        ("您非要在窗口办，那就慢慢等着。", True),
        ("别一上来就骂人，有事说事。", True),
        ("谁让你拖到现在才来。", True),
        ("有意见别跟我说，找领导去。", True),
        ("那么大的牌子都看不见？", True),
        ("看您这岁数，估计也学不会。", True),
        ("教了五遍了，换谁都学会了。", True),
        ("这个我们看不了，你换家医院吧。", True),
        ("您下单前没看吗？", True),
        ("我幾點食飯使唔使話你知呀？", True),
        # …and innocent: tomorrow's opening as information, a report made for the visitor, the speaker's own
        # one more word, a referral advised with help, a line apologised for, phrases written down by an
        # inspector or named as words not to use of people
        ("抱歉，今天的号已经放完了，明早七点半开始取号，您早点来就行。", False),
        ("公示一结束我第一时间给您报。", False),
        ("我再啰嗦一句，记得带身份证，不然就白跑了。", False),
        ("我们这里没有这个科室，建议您换一家医院，我帮您查一下附近哪家有。", False),
        ("喂？喂？不好意思收訊不好，我再打回給您喔。", False),
        ("上周暗访，记录员写下了三句话：急什么、等着吧、快点签。", False),
        ("不能再用神经病、拎不清来形容群众了。", False),
    ],
)
def test_v84_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v85's kinds: an elder called with 喂 in Cantonese, copying a model and still wrong, messages taken
        # for ornaments, "really not seen, or pretending", a reason made up, "one click, can't you", others
        # waited longer without a word, short of one thing every time, a review shrugged off, a hang-up defended,
        # the visitor called by what they wear, "don't ask me, I'm not in charge"
        ("喂，阿婆，係你呀，過嚟排隊。", True),
        ("照着填都能填错。", True),
        ("公告是摆设吗？", True),
        ("您是真没看见还是装没看见？", True),
        ("您这理由编得也太离谱了。", True),
        ("验证码发您了，点一下不会？", True),
        ("有的人等了一个月都没吭声。", True),
        ("你每次来都少一样东西。", True),
        ("您的差评我们看到了，无所谓。", True),
        ("电话是我挂的，怎么了？", True),
        ("穿红衣服的那个，你的身份证！", True),
        ("不用问我，我不是负责人。", True),
        # …and innocent: a phone call to an elder, the Mandarin 时候 heard as 伺候, a copy kept for reading, a
        # rule stated for all with thanks, the family asked to wait outside, a choice offered when the system is
        # down, many people short of one thing
        ("喂，阿伯，我係社署嘅陳姑娘，想同你約個時間上門探你。", False),
        ("下次调整的时候您可以关注一下。", False),
        ("我幫你影多份副本，你留返一份自己睇。", False),
        ("请不要插队，按号办理，谢谢大家理解。", False),
        ("遗嘱公证全程录像，家属需要在外面等候，请您理解。", False),
        ("很多人每次来都少一样，所以我给您列了一张清单。", False),
    ],
)
def test_v85_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v86's kinds: "how could I say for sure", "I'm not the one who manages him", "no need for you to bother
        # about it", asked only just now, "not listened, or not remembered", take it or don't apply, the
        # consequences left to the visitor, waited for the cut-off to worry, a small matter brought to the
        # hotline, anyone would find the visitor tiresome, "carry you there as well", sent off so staff can rest
        ("什么时候批下来，这个我哪说得准。", True),
        ("我又不是管他的，你自己打电话。", True),
        ("这个不用你管。", True),
        ("这个您刚刚才问过。", True),
        ("您是没听还是没记住？", True),
        ("不同意的话就不用办了。", True),
        ("出了问题您自己担着。", True),
        ("非等停水了才着急。", True),
        ("这种事也打热线？", True),
        ("换谁都嫌你烦。", True),
        ("我都指了两回了，还要我背您过去？", True),
        ("好了好了，赶紧走，我要下班了。", True),
        # …and innocent: reassurance that the staff will see to it, a bus coming, colleagues all out on
        # repairs, medicine given to children by rule, a kind of excuse named in training, a way of calling
        # people taught against
        ("这个不用您操心，后续流程我们来跟进。", False),
        ("快啲啦，巴士嚟緊喇！", False),
        ("不好意思，今天维修师傅都出去抢修了，排到后天上午可以吗？", False),
        ("园里不能给孩子喂家长自带的药。", False),
        ("新员工记住，我不是领导不知道这种推脱，是首问负责制最忌讳的。", False),
        ("别再用那个谁叫人了，要喊先生、阿姨。", False),
    ],
)
def test_v86_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v87's kinds: a complaint dared with the staff member waiting for it, the same words wherever it goes,
        # "can't you read the notice", a case taken as never having happened, the visitor minding too much, the
        # staff member's trouble laid on the visitor, a pointing hand rebuked, an apology refused, told to
        # swallow first, a claimed standing sneered at, an impossible demand mocked, the others all manage but
        # the visitor, the same question counted, "I won't listen anyway", hiding behind the system
        ("有本事就去区里投诉，我在这儿等着。", True),
        ("你闹到哪里都行，我也是这个说法。", True),
        ("告示貼晒喺度，唔識睇告示呀？", True),
        ("查不到记录，那我就当没这回事了。", True),
        ("楼上晾衣服滴水您也管得太宽了吧。", True),
        ("天天来改地址，我们也跟着遭罪。", True),
        ("表格填得乱七八糟，害我查了一上午。", True),
        ("指谁呢你？", True),
        ("我凭什么跟你道歉？", True),
        ("先把嘴里的包子咽了再说。", True),
        ("干部了不起啊？干部也得取号。", True),
        ("下这么大雨，你让快递飞过来啊？", True),
        ("整个小区都按时交了物业费，偏偏您家老是拖。", True),
        ("同样的问题，你这个月已经第五次打来了。", True),
        ("别说了，说了我也懒得理。", True),
        ("我又不是电脑，哪记得住这么多。", True),
        # …and innocent: praise, a reminder that only a signature is missing, an apology for a wait, a phrase
        # that slipped out told of afterwards, a habit of speech reviewed
        ("闺女当上医生了？了不起啊！", False),
        ("其他手续都办好了，就差您在这里签个名。", False),
        ("害您白跑一趟，实在对不起。", False),
        ("那天我脱口而出一句听不懂吗，回去想了很久，向您道歉。", False),
        ("质检发现他的口头禅是你听好了，已经安排辅导。", False),
    ],
)
def test_v87_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v88's kinds: closing when this one is done and tomorrow for the visitor, "who still works now", told
        # to quieten down, worrying wasted, a bargain mocked as robbery, a small matter made a trip of, judged by
        # looks, a suggestion one of hundreds, the visitor's kind found wanting, "should I read your mind",
        # complaining declared useless, not one word to the point, wait for the staff member's meal, not there
        # for the visitor alone, blamed for last time
        ("搞掂呢份就收，你聽日先再嚟。", True),
        ("大过节的谁还办事，你节后再说。", True),
        ("你消停一会儿好不好？", True),
        ("系统没更新，你急也白着急。", True),
        ("还要打折？你不如直接来抢得了。", True),
        ("这点事还专门打电话来问。", True),
        ("看你这打扮就知道不是来办正事的。", True),
        ("你这样的投诉我们一个月接上百个。", True),
        ("现在的学生连自己学号都记不住。", True),
        ("写得这么潦草，是要我去猜？", True),
        ("投诉也没用，规定就是这样。", True),
        ("说了五分钟还没讲到重点。", True),
        ("等我把烟抽完再说。", True),
        ("我们又不是只为你一个人服务。", True),
        ("上回就是你把单子弄错了。", True),
        # …and innocent: a tiresome thing, help offered if the visitor cannot read it, the question answered by
        # how the staff member finds out, many customers not knowing, a complaint channel offered
        ("这个烦人的报错我们已经在修了，您先用网页版。", False),
        ("要是不方便自己看，我念给您听。", False),
        ("我怎么知道您预约过？您报一下手机号，我一查就清楚了。", False),
        ("好多亲都不知道这个优惠，我给您说一下。", False),
        ("您也可以打12345热线反映，我把号码写给您。", False),
    ],
)
def test_v88_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v89's kinds: the staff member's own mouthful first, the visitor's literacy named, "quite a talent" of a
        # wrong, a loud voice heard through the building, a mistake called low-grade, a standing that should
        # know better, hair like a hen's nest, hindsight laid on the visitor, a bare no and the next one called,
        # nobody idler than anybody
        ("别催，我先把这杯奶茶喝完，喝完再说。", True),
        ("您这理解能力，我说十遍也白搭。", True),
        ("三次年审都忘，您也是挺能耐的。", True),
        ("您这大嗓门，我不用转达，隔壁都听见了。", True),
        ("这种问题也太低级了吧。", True),
        ("一个研究生，连个复印件都不会印。", True),
        ("头发先整整，乱得跟鸡窝一样。", True),
        ("您要是早点来，也不至于排到中午。", True),
        ("可以退吗？不能。下一个。", True),
        ("谁都不比谁轻松，你等着吧。", True),
        # …and innocent: a role-play's lines, a numbered question, the phrases heard most counted, brushing
        # people off named in training, a check by phone with a named office, queueing asked of everyone
        ("情景模拟：你扮演窗口人员，台词是“下班了，明天再来”。", False),
        ("第3题选C：不知道。", False),
        ("投诉里出现最多的两句话是：不归我管、自己看。", False),
        ("不能一句“系统坏了”就把人打发走。", False),
        ("这个我不太清楚，我现在打个电话跟社保科确认一下。", False),
        ("请各位按顺序排队，不要插队，谢谢。", False),
    ],
)
def test_v89_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v90's kinds: a refusal as a contest of wills, the visitor's means or what they lack held against them,
        # judged unworthy of the person asked for, a report warned off, the speaker's low rank as the reason not
        # to know, busy hands shown, not the speaker's section, listening ordered for one time only
        ("这份材料我还就不收了，看谁熬得过谁。", True),
        ("就你这点存款，这套房子别想了。", True),
        ("像你这种连身份证号都背不下来的，估计还是得叫家里人来。", True),
        ("这种小事也配找我们处长？", True),
        ("你别瞎反映，没用的。", True),
        ("那是上头的规定，我们小职员哪知道。", True),
        ("我手上正忙活着没看见啊", True),
        ("这事不归我们股管。", True),
        ("听好了，我就讲这一回。", True),
        # …and innocent: fearing for the visitor, the visitor's trouble felt with them, their own vague name asked
        # back, someone else seeing to it for them, another desk offered and the question answered here, the
        # right to complain granted, a service moved to the phone, the one place to redo pointed out, a referral
        # handed over in writing
        ("我怕您忘了，再提醒一下：周五前把回执交回来。", False),
        ("等了一上午，累得您也烦死了吧，先喝口水。", False),
        ("您说的那个谁，是不是管社保的刘老师？我去叫她。", False),
        ("这一项不用您管，公司会统一帮您缴。", False),
        ("您去问前台也行，不过我这儿就能帮您查。", False),
        ("您觉得不公平，去投诉也是应该的，电话在这儿。", False),
        ("这个窗口现在不办了，不过手机上可以直接申请，我教您。", False),
        ("这张表有一处需要重填，我给您画出来了。", False),
        ("这事不归我们科管，我把住建局的电话写给您。", False),
    ],
)
def test_v90_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v91's kinds: the visitor's idleness mocked, a grown man mocked for minding, someone of their own said to
        # understand better, "that is what you get", each worse than the last, hardship doubted by what they own,
        # left waiting on purpose, an afternoon called off, put off past the holiday, told they need not buy
        # here, the staff member's meal first, not one glance at the notice, the last time of telling, the
        # staff member's manner defended, blamed back, a complaint said to come back here, lectured for a phone
        ("整天来问，你不用干活的啊？", True),
        ("一个大老爷们，少找了两块钱还闹上了？", True),
        ("你儿子都比你明白。", True),
        ("不听劝，就这下场。", True),
        ("你们这些租户一个比一个难搞。", True),
        ("真困难还戴这么贵的表？", True),
        ("我就晾着你，你等吧。", True),
        ("看你能拖多久。", True),
        ("上午不办了，领导开会。", True),
        ("过完国庆再来。", True),
        ("觉得我们慢，你可以不来。", True),
        ("我喝完这杯茶再办。", True),
        ("通知你是一眼都没看啊？", True),
        ("我再讲最后一回。", True),
        ("我说话怎么了？", True),
        ("你来晚了还赖我们？", True),
        ("投诉完还是得我来办。", True),
        ("跟我说话的时候别玩手机。", True),
        ("跟你说了三遍“带身份证”，你还是没带。", True),
        ("跟您說了三遍「帶身份證」，您還是沒帶。", True),
        ("親，說了三遍「七天發貨」，還問？", True),
        # …and innocent: a province, things easy to confuse, a redo warned of as a cost to the visitor, the
        # matter taken down to be seen to, a count of the times a quoted phrase was said
        ("被投诉的公司注册在外省，我们把材料转过去。", False),
        ("这两种保险确实容易拎不清，我给您画个表。", False),
        ("不确定的地方您先空着，填错了还得重来，耽误您的时间。", False),
        ("这个我不清楚，我先把您的问题登记下来，核实后给您回电话。", False),
        ("录音里，值班员说了三次“这不归我们管”，请大家讨论。", False),
        ("我今天说了不下一百遍“请出示身份证”，嘴都麻了。", False),
    ],
)
def test_v91_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # v92's kinds: no hope without the document, today given up, the returns policy thrown back, blame refused,
        # the door shown to who cannot bear it, literacy said to be enough, a photo, looks or speed sneered at,
        # memory doubted
        ("没带户口本就别指望了。", True),
        ("今天甭想了，明天早点来。", True),
        ("无理由退货不是让你用坏了再退的。", True),
        ("你自己没听，能怪我吗？", True),
        ("嫌吵？受不了可以走。", True),
        ("说明书上写着呢，识字都能看懂。", True),
        ("证件照拍得够丑的。", True),
        ("你这速度真是让人叹为观止。", True),
        ("打扮得这么时髦还来领补助？", True),
        ("记性不好的话就拿笔记下来。", True),
        # …and innocent: faster offered, a path kept clear, a refusal denied with its reason, something offered
        # from out of one's hands, what a thing is for asked and answered, everyone busy as the reason for an
        # apology, the right to complain, a blurred copy, a colleague asked to find out, queueing spared
        ("您要是赶时间，我们有加急服务，就是快一点，三天能拿。", False),
        ("麻烦您把车往里挪一挪，别挡着消防通道，谢谢。", False),
        ("不是说不给您办，是要先等审核结果出来。", False),
        ("这事我们派出所管不了，要找街道，不过他们的电话我这儿有。", False),
        ("这个图标是干嘛的？是用来切换语言的，您点一下就行。", False),
        ("今天窗口里谁都没闲着，让您久等了，实在不好意思。", False),
        ("您可以去投诉，这是您的权利，电话我写给您。", False),
        ("这张复印件不太清楚，我给您重新印一张。", False),
        ("几点开会？我不清楚，你帮我问问。", False),
        ("办好了直接来找我，不用再排队取号。", False),
    ],
)
def test_v92_kinds(linter: Linter, text: str, found: bool) -> None:
    assert bool(linter.check(text)) == found, [(v.rule, v.text) for v in linter.check(text)]
