"""A generated warehouse of hotline calls, for the Spark tests and benchmarks/bench_spark.py: each call written
as a JSON Lines transcript (what the CLI reads) and the same utterances as table rows (what Spark reads).

Staff lines are drawn from the catalogue's own examples (forbidden, near misses, standard phrases) and from
ordinary business talk, a fifth of the calls in traditional script, some ASR lines without punctuation, times
with the odd slow reply and interruption, the opening and closing phrases present or not.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from phraselint.read.decode import open_text
from phraselint.read.formats import parse

VISITOR = [
    "你好,我想问一下公积金提取需要带什么材料?",
    "我上周交的材料,现在办到哪一步了",
    "请问社保卡补办要多久",
    "那我明天还要再来一趟吗?",
    "我没带身份证复印件,可以现场复印吗?",
    "能不能快一点,我还要赶回去上班",
    "我听不太懂,能再说一遍吗",
    "好的,谢谢",
]
STAFF = [
    "您的身份证和户口本请给我一下。",
    "系统正在查询您的缴存记录,请稍候。",
    "材料我已经收下了,五个工作日内会有短信通知。",
    "提取需要本人到场,委托的话要带公证书。",
    "好的,我这边已经帮您提交了。",
    "这个证明开具以后三个月内有效",
]
OPENING = ["您好，这里是12345政务服务便民热线，请讲。", "您好，请问有什么可以帮您？"]
CLOSING = ["感谢您的来电，再见。", "请问还有其他可以帮您的吗？再见。"]


def _phrases() -> tuple[list[str], list[str], list[str]]:
    from phraselint.data.catalogue import load_catalogue

    catalogue = load_catalogue()
    polite = [p.text.replace("{", "").replace("}", "") for p in catalogue.standard]
    rude = [e for r in catalogue.rules for e in r.flag_examples]
    near = [e for r in catalogue.rules for e in r.pass_examples]
    return polite, rude, near


def generate(
    calls: int, seed: int = 17, rude_rate: float = 0.05
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(call id, its utterances as JSON Lines records) for ``calls`` calls."""
    import opencc

    polite, rude, near = _phrases()
    s2t = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    for n in range(calls):
        traditional = rng.random() < 0.2
        asr = rng.random() < 0.15
        clock = rng.uniform(0, 5)
        records = []
        count = rng.randrange(6, 30)
        for i in range(count):
            staff = i == 0 or i == count - 1 or rng.random() < 0.55
            if i == 0:
                text = rng.choice(OPENING) if rng.random() < 0.8 else rng.choice(STAFF)
            elif i == count - 1:
                text = rng.choice(CLOSING) if rng.random() < 0.7 else rng.choice(STAFF)
            elif staff:
                roll = rng.random()
                pool = (
                    rude
                    if roll < rude_rate
                    else near
                    if roll < 2 * rude_rate
                    else polite
                    if roll < 0.5
                    else STAFF
                )
                text = rng.choice(pool)
            else:
                text = rng.choice(VISITOR)
            if asr:
                text = "".join(ch for ch in text if ch not in ",，。?？!！、.")
            if traditional:
                text = s2t.convert(text)
            length = 0.25 * len(text) + rng.uniform(0.2, 1.5)
            start = round(clock, 2)
            end = round(clock + length, 2)
            gap = (
                rng.choice((0.4, 0.8, 1.5, 3.0, 12.0)) if rng.random() < 0.9 else -1.5
            )  # slow reply, overlap
            clock = max(start + 0.1, end + gap)
            speaker = "坐席" if staff else "来电人"
            records.append({"speaker": speaker, "start": start, "end": end, "text": text or "嗯"})
        yield f"C{n:06d}", records


def write_calls(directory: Path, calls: int, seed: int = 17) -> list[Path]:
    """One JSON Lines transcript per call under ``directory``, named by the call id."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for call_id, records in generate(calls, seed):
        path = directory / f"{call_id}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        paths.append(path)
    return paths


def rows_of(path: Path, call_id: str, agent_id: str | None = None) -> list[dict[str, Any]]:
    """The utterances of one transcript as the CLI reads them, as table rows (``seq``: their order)."""
    with open_text(str(path)) as (_, lines):
        turns = list(parse(lines, "auto", name=str(path)))
    return [
        {
            "call_id": call_id,
            "agent_id": agent_id,
            "speaker": t.speaker,
            "start": t.start,
            "end": t.end,
            "text": t.text,
            "seq": i,
        }
        for i, t in enumerate(turns)
    ]
