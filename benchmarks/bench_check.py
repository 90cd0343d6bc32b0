"""Benchmark of `phraselint check` (issue: the engine). Never part of the test suite.

    python benchmarks/bench_check.py [--mb 60] [--big-mb 1024] [--runs 15] [--rude 0.02] [--checkout DIR]

Measures, on a generated corpus of realistic labelled transcripts (window sessions and hotline calls, about a
fifth in traditional script, some ASR lines without punctuation, about 2% of staff lines forbidden):

- throughput of the whole pipeline in one process (decode → parse → fold → find → confirm → explain);
- the floor: one bare Aho-Corasick pass of the same patterns over the same text, nothing else;
- the naive way: jieba over everything (on a sample, extrapolated as MB/s);
- peak memory of `phraselint check` on the corpus and on a file `--big-mb` large (flat = streamed);
- `echo 不知道 | phraselint check -` from a cold start, median of `--runs` whole-process runs; the same with a
  line whose candidate needs word edges (the tokenizer's first use), and that first use alone in a fresh
  interpreter;
- time and peak memory of `phraselint check` in every output format on the corpus (and on ``--big-mb``);
- `-j 1` against `-j 2` over the corpus split into files.

The figures of the whole process (cold start, tokenizer, every CLI run) are of the phraselint of ``--checkout``
(default this one: a `git archive` of another commit measures that commit on the same machine in the same
run); the pipeline and the floor are this checkout's, and each speed is also given as a ratio to the floor.

Results go to stdout and benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"

# What visitors say and what staff say between the phrases of the codes: ordinary business talk.
VISITOR = [
    "你好,我想问一下公积金提取需要带什么材料?",
    "我上周交的材料,现在办到哪一步了",
    "这个表格是在这里填吗?",
    "请问社保卡补办要多久",
    "我排了一个小时的队了",
    "那我明天还要再来一趟吗?",
    "营业执照变更是在这个窗口办吗",
    "我没带身份证复印件,可以现场复印吗?",
    "你们几点下班啊",
    "能不能快一点,我还要赶回去上班",
    "上次那个工作人员说可以办的",
    "我听不太懂,能再说一遍吗",
]
STAFF = [
    "您的身份证和户口本请给我一下。",
    "这份申请表需要您在第二页签字。",
    "系统正在查询您的缴存记录,请稍候。",
    "您这个业务属于不动产登记,需要到三楼办理。",
    "材料我已经收下了,五个工作日内会有短信通知。",
    "复印件需要加盖单位公章才有效。",
    "您的账户目前是正常缴存状态。",
    "提取需要本人到场,委托的话要带公证书。",
    "好的,我这边已经帮您提交了。",
    "您稍等,我核对一下信息",
    "这个证明开具以后三个月内有效",
    "您可以在手机上的政务服务小程序查询进度",
]


def make_corpus(path: Path, megabytes: float, seed: int = 7, rude: float = 0.02) -> None:
    """A labelled transcript file of about ``megabytes`` MB, built from the catalogue's own phrases; ``rude``
    of the staff lines forbidden, and 4% near misses."""
    import opencc

    from phraselint.data.catalogue import load_catalogue

    catalogue = load_catalogue()
    rng = random.Random(seed)
    polite = [p.text.replace("{", "").replace("}", "") for p in catalogue.standard]
    forbidden = [e for r in catalogue.rules for e in r.flag_examples]
    near = [e for r in catalogue.rules for e in r.pass_examples]
    s2t = opencc.OpenCC("s2t")
    target = int(megabytes * 1_000_000)
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        session = 0
        while written < target:
            session += 1
            traditional = rng.random() < 0.2
            asr = rng.random() < 0.15
            clock = rng.randrange(8 * 3600, 17 * 3600)
            lines = []
            for _turn in range(rng.randrange(12, 40)):
                clock += rng.randrange(2, 25)
                if rng.random() < 0.45:
                    speaker, text = "来访人员", rng.choice(VISITOR)
                else:
                    speaker = "工作人员"
                    roll = rng.random()
                    text = rng.choice(
                        forbidden
                        if roll < rude
                        else near
                        if roll < rude + 0.04
                        else polite
                        if roll < 0.5
                        else STAFF
                    )
                if asr:
                    text = "".join(ch for ch in text if ch not in ",。?!、,.?!")
                h, m, s = clock // 3600, clock // 60 % 60, clock % 60
                lines.append(f"[{h:02d}:{m:02d}:{s:02d}] {speaker}:{text}")
            block = "\n".join(lines) + "\n"
            if traditional:
                block = s2t.convert(block)
            out.write(f"# 会话 {session}\n" + block)
            written += len(block.encode("utf-8"))


def jsonl_and_srt(labelled: Path) -> list[Path]:
    """The labelled corpus ``labelled`` also as JSON Lines and as SRT (the same utterances), beside it."""
    jsonl, srt = labelled.with_suffix(".jsonl"), labelled.with_suffix(".srt")
    if not jsonl.exists() or not srt.exists():
        with (
            labelled.open(encoding="utf-8") as src,
            jsonl.open("w", encoding="utf-8") as js,
            srt.open("w", encoding="utf-8") as sr,
        ):
            session, cue = "0", 0
            for line in src:
                line = line.rstrip("\n")
                if line.startswith("# "):
                    session = line.split()[-1]
                    continue
                stamp, _, rest = line.partition("] ")
                speaker, _, text = rest.partition(":")
                role = "客服" if speaker != "来访人员" else "用户"
                record = {"session": session, "role": role, "time": stamp[1:], "content": text}
                js.write(json.dumps(record, ensure_ascii=False) + "\n")
                cue += 1
                h, m, s = (int(x) for x in stamp[1:].split(":"))
                start = f"{h:02d}:{m:02d}:{s:02d},000"
                end = f"{h:02d}:{m:02d}:{s:02d},900"
                sr.write(f"{cue}\n{start} --> {end}\n{speaker}:{text}\n\n")
    return [jsonl, srt]


def bench_pipeline(path: Path) -> dict[str, float]:
    from phraselint.check.files import Roles, lint_file
    from phraselint.data.rule_tests import load_verified
    from phraselint.engine.linter import Linter

    linter = Linter(load_verified())
    roles = Roles.build(linter)
    size = path.stat().st_size
    t0 = time.perf_counter()
    n = sum(1 for _ in lint_file(str(path), linter, roles))
    dt = time.perf_counter() - t0
    return {"seconds": dt, "mb_per_s": size / 1e6 / dt, "violations": n}


def bench_floor(path: Path) -> dict[str, float]:
    """One bare Aho-Corasick pass of the same folded keys over the raw text, read in blocks."""
    import ahocorasick

    from phraselint.data.catalogue import load_catalogue
    from phraselint.engine.normalize import fold

    automaton = ahocorasick.Automaton()
    for rule in load_catalogue().rules:
        for wording in rule.wordings:
            key = fold(wording.split("{")[0])
            if key:
                automaton.add_word(key, key)
    automaton.make_automaton()
    size = path.stat().st_size
    t0 = time.perf_counter()
    hits = 0
    with path.open(encoding="utf-8") as fh:
        while block := fh.read(1 << 20):
            for _ in automaton.iter(block):
                hits += 1
    dt = time.perf_counter() - t0
    return {"seconds": dt, "mb_per_s": size / 1e6 / dt, "raw_hits": hits}


def bench_jieba(path: Path, sample_mb: float = 5.0) -> dict[str, float]:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    with path.open(encoding="utf-8") as fh:
        text = fh.read(int(sample_mb * 1_000_000 / 3))
    size = len(text.encode("utf-8"))
    t0 = time.perf_counter()
    for line in text.split("\n"):
        for _ in jieba.cut(line):
            pass
    dt = time.perf_counter() - t0
    return {"sample_mb": size / 1e6, "mb_per_s": size / 1e6 / dt}


def run_cli(args: list[str], stdin: bytes | None = None, checkout: Path = ROOT) -> tuple[float, int, int]:
    """Seconds, exit code and peak RSS (KiB) of one `phraselint` process."""
    cmd = [sys.executable, str(checkout / "cli.py"), *args]
    code = (
        "import resource,subprocess,sys,time;t=time.perf_counter();"
        "p=subprocess.run(sys.argv[1:],input=sys.stdin.buffer.read(),stdout=subprocess.DEVNULL);"
        "print(time.perf_counter()-t,p.returncode,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *cmd], input=stdin or b"", capture_output=True, check=True
    )
    seconds, rc, rss = out.stdout.split()
    return float(seconds), int(rc), int(rss)


FORMATS = ("text", "json", "jsonl", "github", "sarif")


def cli_formats(path: Path, checkout: Path, floor_mb_per_s: float) -> dict[str, object]:
    """`phraselint check -j 1` on ``path`` in every output format: seconds, MB/s, its ratio to the floor and
    peak RSS."""
    size = path.stat().st_size / 1e6
    out: dict[str, object] = {}
    for fmt in FORMATS:
        seconds, rc, rss = run_cli(
            ["check", "-j", "1", "--format", fmt, "--exit-zero", str(path)], None, checkout
        )
        out[fmt] = {
            "seconds": round(seconds, 3),
            "exit": rc,
            "mb_per_s": round(size / seconds, 3),
            "ratio_to_floor": round(floor_mb_per_s / (size / seconds), 2),
            "peak_rss_mb": round(rss / 1024, 1),
        }
        print(f"  {path.name} --format {fmt}: {out[fmt]}", flush=True)
    return out


def word_edge_line() -> str:
    """The first flagged example whose check calls the tokenizer (a match whose word edges jieba decides)."""
    from phraselint.engine import confirm, words
    from phraselint.engine.linter import Linter

    linter = Linter()
    for rule in linter.rules:
        for text in rule.flag_examples:
            confirm.word_boundaries.cache_clear()
            words.tokenizer.cache_clear()
            if linter.check(text) and words.tokenizer.cache_info().misses:
                return text
    raise SystemExit("no flagged example needs the tokenizer")


def first_tokenizer_use(checkout: Path) -> float:
    """Seconds of the first cut in a fresh interpreter (the dictionary loaded then) with ``checkout``'s code."""
    code = (
        "import time;from phraselint.engine.words import tokenizer;t=time.perf_counter();"
        "list(tokenizer().cut('我们中出了一个叛徒',HMM=False));print(time.perf_counter()-t)"
    )
    env = dict(os.environ, PYTHONPATH=str(checkout))
    return float(
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=60.0, help="size of the corpus (MB)")
    parser.add_argument("--big-mb", type=float, default=0.0, help="also stream a file this large (e.g. 1024)")
    parser.add_argument("--runs", type=int, default=15, help="cold-start runs")
    parser.add_argument("--rude", type=float, default=0.02, help="share of staff lines that are forbidden")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the phraselint whose processes to time")
    parser.add_argument("--skip-parts", action="store_true", help="leave out -j 1 against -j 2")
    args = parser.parse_args()
    checkout = args.checkout.resolve()

    name = (
        f"corpus-{int(args.mb)}mb.txt" if args.rude == 0.02 else f"corpus-{int(args.mb)}mb-{args.rude:g}.txt"
    )
    corpus = OUT / name
    if not corpus.exists():
        print(f"generating {corpus} …", flush=True)
        make_corpus(corpus, args.mb, rude=args.rude)
    mb = corpus.stat().st_size / 1e6
    results: dict[str, object] = {
        "corpus_mb": mb,
        "rude": args.rude,
        "cpus": os.cpu_count(),
        "checkout": str(checkout),
        "load_before": os.getloadavg(),
    }

    pipeline = bench_pipeline(corpus)
    floor = bench_floor(corpus)
    pipeline["ratio_to_floor"] = floor["mb_per_s"] / pipeline["mb_per_s"]
    results["pipeline"] = pipeline
    results["floor_aho_corasick"] = floor
    results["naive_jieba"] = bench_jieba(corpus)

    timings = sorted(run_cli(["check", "-"], "不知道\n".encode(), checkout)[0] for _ in range(args.runs))
    results["cold_start_median_s"] = statistics.median(timings)
    results["cold_start_all_s"] = timings
    line = word_edge_line()
    timings = sorted(run_cli(["check", "-"], (line + "\n").encode(), checkout)[0] for _ in range(args.runs))
    results["cold_start_tokenizer_line"] = line
    results["cold_start_tokenizer_median_s"] = statistics.median(timings)
    results["first_tokenizer_use_median_s"] = statistics.median(
        first_tokenizer_use(checkout) for _ in range(args.runs)
    )

    results["cli_corpus"] = cli_formats(corpus, checkout, floor["mb_per_s"])
    if args.big_mb:
        big = OUT / f"big-{int(args.big_mb)}mb-{args.rude:g}.txt"
        if not big.exists():
            with big.open("wb") as out, corpus.open("rb") as src:
                data = src.read()
                while out.tell() < args.big_mb * 1_000_000:
                    out.write(data)
        results["cli_big"] = {"mb": big.stat().st_size / 1e6, **cli_formats(big, checkout, floor["mb_per_s"])}
    if args.skip_parts:
        results["load_after"] = os.getloadavg()
        OUT.mkdir(exist_ok=True)
        (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return

    parts = OUT / "parts"
    if not parts.exists():
        parts.mkdir()
        lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
        step = len(lines) // 24 + 1
        for i in range(0, len(lines), step):
            (parts / f"part-{i // step:02d}.txt").write_text("".join(lines[i : i + step]), encoding="utf-8")
    for jobs in (1, 2):
        seconds, _, _ = run_cli(
            ["check", "-q", "--output-format", "jsonl", "-j", str(jobs), str(parts)], checkout=checkout
        )
        results[f"cli_parts_j{jobs}_s"] = seconds

    results["load_after"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
