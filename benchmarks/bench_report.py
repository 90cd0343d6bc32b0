"""Benchmark of `phraselint report` over one export of many calls (issue 14). Never part of the test suite.

    python benchmarks/bench_report.py [--calls 10000] [--mb 50] [--formats html,xlsx]

Generates one CSV export (call id, 工号, 姓名, 班组, 角色, 开始时间, 内容) of ``--calls`` calls over a month,
about ``--mb`` MB (polite business talk; about 3% of staff lines forbidden, a tenth of the calls without a
farewell), then runs `phraselint report` on it once per format in a fresh process and measures the wall time,
the peak memory (ru_maxrss of the child) and the size of the report. Results go to stdout and
benchmarks/out/report.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"

OPENINGS = [
    "您好，这里是市民服务热线，请讲。",
    "您好，这里是政务服务中心，很高兴为您服务。",
    "您好，热线中心，请问有什么可以帮您？",
]
VISITOR = [
    "我想问一下公积金提取需要带什么材料？",
    "我上周交的材料，现在办到哪一步了？",
    "社保卡补办要多久？",
    "居住证在哪里办理，需要本人去吗？",
    "好的，我记下来了。",
    "那我明天上午过去可以吗？",
    "营业执照变更要准备哪些东西？",
    "嗯，明白了。",
]
STAFF = [
    "请您稍等，我帮您查询一下。",
    "您需要带身份证原件和复印件，到三楼五号窗口办理。",
    "您的材料已经受理，目前在审核中，预计五个工作日内办结。",
    "可以的，上午九点到十二点都可以办理。",
    "这个业务可以在网上办理，我把操作步骤告诉您。",
    "如果还有其他问题，欢迎您随时来电咨询。",
    "好的，我已经帮您登记了，稍后会有工作人员联系您。",
]
RUDE = [
    "不知道，你自己去网上查。",
    "快点说，我很忙。",
    "这个不归我管。",
    "你问我，我去问谁？",
    "烦死了，等着吧。",
]
CLOSINGS = ["不客气，感谢您的来电，再见。", "好的，您慢走。", "不客气，再见！"]


def generate(path: Path, calls: int, mb: float, seed: int = 14) -> int:
    """Write the export; return its size in bytes."""
    rng = random.Random(seed)
    target = mb * 1024 * 1024
    per_call = target / calls
    agents = [(f"{1000 + i}", f"坐席{i:03d}", f"{i % 12 + 1}组") for i in range(240)]
    start = datetime(2026, 11, 1, 8, 30)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["通话编号", "工号", "坐席姓名", "班组", "角色", "开始时间", "内容"])
        for n in range(calls):
            agent, name, team = agents[rng.randrange(len(agents))]
            moment = start + timedelta(days=rng.randrange(30), minutes=rng.randrange(600))
            call = f"H{n:06d}"
            size = 0
            rows = [("坐席", rng.choice(OPENINGS))]
            while size < per_call - 400:
                rows.append(("来电人", rng.choice(VISITOR)))
                rows.append(("坐席", rng.choice(RUDE) if rng.random() < 0.03 else rng.choice(STAFF)))
                size += sum(len(",".join((call, agent, name, team, r, "2026-11-01 08:30:00", t)).encode()) + 2
                            for r, t in rows[-2:])  # fmt: skip
            if rng.random() > 0.1:
                rows.append(("坐席", rng.choice(CLOSINGS)))
            for role, text in rows:
                writer.writerow([call, agent, name, team, role, moment.strftime("%Y-%m-%d %H:%M:%S"), text])
                moment += timedelta(seconds=rng.randint(3, 15))
    return path.stat().st_size


# The report in a fresh process that says its own peak memory last on stderr (ru_maxrss, KiB).
CHILD = (
    "import resource, sys\n"
    "from phraselint.cli import main\n"
    "try:\n    main()\n"
    "finally:\n    print(f'maxrss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
)


def run(export: Path, report: Path) -> dict[str, float]:
    began = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            "report",
            str(export),
            "-o",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"report failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = int(done.stderr.strip().splitlines()[-1].removeprefix("maxrss_kib="))  # this run's own peak
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "size_mb": round(report.stat().st_size / 1024 / 1024, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--formats", default="html,xlsx")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    export = OUT / f"export-{args.calls}.csv"
    size = generate(export, args.calls, args.mb)
    results: dict[str, object] = {"calls": args.calls, "export_mb": round(size / 1024 / 1024, 1)}
    print(f"export: {export} ({results['export_mb']} MB, {args.calls} calls)", flush=True)
    for fmt in args.formats.split(","):
        figures = run(export, OUT / f"report-{args.calls}.{fmt}")
        results[fmt] = figures
        print(f"{fmt}: {figures}", flush=True)
    (OUT / "report.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
