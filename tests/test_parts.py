"""check/parts: a large transcript checked in parts side by side (`check -j`) gives what it gives read whole —
the same findings at the same lines and columns, the same errors, the same output byte for byte."""

from __future__ import annotations

import codecs
import functools
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.check.files import DETECTED, Finding, Roles, lint_file
from phraselint.check.parts import PartFindings, findings_of_parts, lint_part, plan
from phraselint.cli import commands
from phraselint.cli.commands import main
from phraselint.command_line import worker
from phraselint.data.catalogue import load_catalogue
from phraselint.data.settings import load_settings
from phraselint.engine.linter import Linter
from phraselint.errors import PhraselintError
from phraselint.output.render import as_dict
from phraselint.read.split import Sizes
from phraselint.read.transcript import Turn

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# What is said: forbidden phrases (simplified and traditional), polite lines, a line that shows no script of its
# own (its rewrite then takes the script of the file), Latin letters, a character outside the BMP.
SAID = [
    "不知道。",
    "不知道",
    "没看我正忙着吗？等一会。",
    "沒看見我正忙著嗎？急什麼！",
    "下班了，明天再来吧",
    "您好，请问您办理什么业务？",
    "好的，请您稍等，我帮您看一下。",
    "我想问一下公积金提取，不知道要带什么材料。",
    "ok 👍 好的😀",
    "Agent: hello",
]
SPEAKERS = ["工作人员", "来访人员", "坐席", "櫃檯人員", "市民"]
COMMENTS = ["# phraselint: disable-next-line", "# phraselint: disable-next-line dont-know", "// 注释"]


@functools.lru_cache(maxsize=1)
def said() -> list[str]:
    """SAID and some of the catalogue's own examples, flagged and not."""
    catalogue = load_catalogue()
    examples = [e for r in catalogue.rules for e in (*r.flag_examples[:1], *r.pass_examples[:1])]
    return SAID + random.Random(1).sample(examples, min(40, len(examples)))


@functools.lru_cache(maxsize=1)
def linter_and_roles() -> tuple[Linter, Roles]:
    return worker(load_settings(None, True))


# --- transcripts in each format ---------------------------------------------------------------------------


def labelled(rng: random.Random, n: int) -> list[str]:
    lines = []
    for k in range(n):
        roll = rng.random()
        if roll < 0.05:
            lines.append(rng.choice(COMMENTS))
        elif roll < 0.1:
            lines.append("")
        elif roll < 0.13:
            lines.append(rng.choice(said()))  # nobody named
        else:
            label = rng.choice(
                [
                    "",
                    f"[09:{k // 60 % 60:02d}:{k % 60:02d}] ",
                    f"2024-03-01 09:{k // 60 % 60:02d}:{k % 60:02d} ",
                ]
            )
            if roll < 0.135:
                label = "2024-13-45 09:15:02 "  # no such date: a record that cannot be read
            lines.append(f"{label}{rng.choice(SPEAKERS)}:{rng.choice(said())}")
    return lines


def plain(rng: random.Random, n: int) -> list[str]:
    return [rng.choice([*said(), "", rng.choice(COMMENTS)]) for _ in range(n)]


def jsonl(rng: random.Random, n: int) -> list[str]:
    lines = []
    for k in range(n):
        roll = rng.random()
        if roll < 0.03:
            lines.append('{"speaker": "坐席", "text": "不知道"')  # broken
        elif roll < 0.05:
            lines.append("")
        elif roll < 0.07:
            lines.append(rng.choice(COMMENTS))  # not JSON either
        else:
            start = rng.choice([None, k * 1.5, f"2024-03-01 10:{k // 60 % 60:02d}:{k % 60:02d}"])
            record = {"speaker": rng.choice(SPEAKERS), "text": rng.choice(said()), "start": start}
            lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.2))
    return lines


def subtitles(rng: random.Random, n: int, vtt: bool) -> list[str]:
    lines = ["WEBVTT", ""] if vtt else []
    sep = "." if vtt else ","
    for k in range(n):
        if vtt and rng.random() < 0.05:
            lines += ["NOTE 备注", rng.choice(said()), ""]
            continue
        timing = f"00:{k // 60 % 60:02d}:{k % 60:02d}{sep}000 --> 00:{k // 60 % 60:02d}:{k % 60:02d}{sep}900"
        if rng.random() < 0.03:
            timing = f"00:00:0X{sep}000 --> 00:00:01{sep}000"  # a cue that cannot be read
        cue = [str(k + 1), timing, f"{rng.choice(SPEAKERS)}:{rng.choice(said())}"]
        if rng.random() < 0.3:
            cue.append(rng.choice(said()))
        if rng.random() < 0.05:
            cue.insert(0, rng.choice(COMMENTS))
        lines += cue
        if rng.random() < 0.9:  # now and then two cues with no blank line between them
            lines.append(rng.choice(["", " "]))
    return lines


MAKERS = {
    "labelled": (labelled, ".txt"),
    "plain": (plain, ".txt"),
    "jsonl": (jsonl, ".jsonl"),
    "srt": (lambda rng, n: subtitles(rng, n, False), ".srt"),
    "vtt": (lambda rng, n: subtitles(rng, n, True), ".vtt"),
}


def transcript(
    fmt: str, seed: int, n: int, newline: str = "\n", encoding: str = "utf-8", damage: bytes = b""
) -> tuple[bytes, str]:
    """A transcript of ``n`` records in ``fmt`` and its file extension: line breaks ``newline`` (``mixed``: any
    of the three, line by line), ``damage`` (a bad byte, a NUL) put into a line of its second half."""
    rng = random.Random(seed)
    make, extension = MAKERS[fmt]
    lines = make(rng, n)
    if fmt == "plain":
        extension = ".log"
    if newline == "mixed":
        text = "".join(line + rng.choice(["\n", "\r\n", "\n", "\r"]) for line in lines)
    else:
        text = "".join(line + newline for line in lines)
    if encoding == "big5hkscs":  # what Big5 cannot write, as the traditional text it would hold
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    data = text.encode(encoding.replace("-sig", ""), "replace")
    if encoding == "utf-8-sig":
        data = codecs.BOM_UTF8 + data
    if damage:
        at = data.find(b"\n", len(data) * 2 // 3) + 1 or len(data)  # at the start of a line
        data = data[:at] + b"ab" + damage + b"cd\n" + data[at:]
    return data, extension


# --- one file read whole, and in parts --------------------------------------------------------------------


def _read(findings: object) -> tuple[list[dict[str, object]], str | None]:
    out: list[dict[str, object]] = []
    try:
        for f in findings:  # type: ignore[attr-defined]
            assert isinstance(f, Finding)
            out.append(as_dict(f))
    except PhraselintError as error:
        return out, str(error)
    return out, None


def whole_and_parts(path: str, target: int, minimum: int) -> tuple[object, object, int]:
    linter, roles = linter_and_roles()
    whole = _read(lint_file(path, linter, roles, DETECTED))
    planned = plan(path, DETECTED, path, Sizes(minimum, max(target, minimum), 1))
    if planned is None:
        return whole, whole, 1
    reading, _size, found = planned
    results = [lint_part(path, linter, roles, reading, path, part) for part in found]
    return whole, _read(findings_of_parts(results)), len(results)


@settings(max_examples=60)
@given(
    fmt=st.sampled_from(sorted(MAKERS)),
    seed=st.integers(0, 10**6),
    n=st.integers(1, 120),
    newline=st.sampled_from(["\n", "\r\n", "mixed"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "big5hkscs"]),
    damage=st.sampled_from([b"", b"", b"", b"\xff", b"\x00"]),
    target=st.integers(1, 2000),
    minimum=st.integers(1, 300),
)
def test_parts_give_what_the_whole_file_gives(
    tmp_path_factory: pytest.TempPathFactory,
    fmt: str,
    seed: int,
    n: int,
    newline: str,
    encoding: str,
    damage: bytes,
    target: int,
    minimum: int,
) -> None:
    data, extension = transcript(fmt, seed, n, newline, encoding, damage)
    path = tmp_path_factory.mktemp("parts") / f"t{extension}"
    path.write_bytes(data)
    whole, in_parts, _count = whole_and_parts(str(path), target, minimum)
    assert in_parts == whole


def test_every_cut_of_the_fixtures(tmp_path: Path) -> None:
    """Each transcript of the fixtures cut wherever it can be, a line or a cue a part."""
    checked = 0
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".expected", ".fixed") or not path.is_file():
            continue
        whole, in_parts, count = whole_and_parts(str(path), 1, 1)
        assert in_parts == whole, path
        checked += count > 2
    assert checked >= 20


def _findings_whole_and_in_parts(tmp_path: Path, lines: list[str]) -> list[dict[str, Any]]:
    """``lines`` written as a transcript, checked whole and in parts of about 2,000 bytes (more than ten): the
    findings of the whole file, which the parts must give too."""
    path = tmp_path / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole, in_parts, count = whole_and_parts(str(path), 2000, 1000)
    assert in_parts == whole and count > 10
    return whole[0]  # type: ignore[index,no-any-return]


def test_the_script_and_the_clock_of_the_file_reach_every_part(tmp_path: Path) -> None:
    """不知道 shows no script: its rewrite takes that of the file, judged from the first turns, far before the
    part; times count from the first date-time of the file."""
    lines = ["2024-03-01 09:00:00 櫃檯人員:您好，請問您辦理什麼業務？"] + [
        f"2024-03-01 {9 + k // 3600:02d}:{k // 60 % 60:02d}:{k % 60:02d} 工作人员:您好"
        for k in range(1, 3000)
    ]
    lines[2500] = "2024-03-01 10:00:00 工作人员:不知道"
    found = _findings_whole_and_in_parts(tmp_path, lines)
    assert [(f["line"], f["time"], f["script"]) for f in found] == [(2501, 3600.0, "traditional")]


def test_a_script_judged_before_its_sample_is_complete_reaches_every_part(tmp_path: Path) -> None:
    """The first turn to check comes before the file's sample of its script is complete: the script is judged
    from the turns before it (traditional), not from the whole sample (which the simplified lines after it
    would make simplified), in every part as read whole."""
    lines = ["櫃檯人員:您好，請問您辦理什麼業務？", "工作人员:不知道"]
    lines += ["工作人员:请问您办理什么业务？这个问题我们马上处理"] * 2998
    lines[2500] = "工作人员:不知道"
    found = _findings_whole_and_in_parts(tmp_path, lines)
    assert [(f["line"], f["script"]) for f in found] == [(2, "traditional"), (2501, "traditional")]


def test_a_bad_byte_in_a_later_part_stops_the_file_where_it_stops_read_whole(tmp_path: Path) -> None:
    data, _ = transcript("labelled", 3, 2000, encoding="gb18030", damage=b"\xff")
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    whole, in_parts, count = whole_and_parts(str(path), 4000, 2000)
    assert in_parts == whole and count > 5
    found, error = whole  # type: ignore[misc]
    line = data[: data.index(b"ab\xff")].count(b"\n") + 1
    assert (
        error == f"{path}:{line}: cannot decode as gb18030 at column 3 (bytes ff): the file is truncated, "
        "damaged or in another encoding; name its encoding explicitly"
    )
    assert found and all(f["line"] < line for f in found)  # every line before it was checked
    assert max(f["line"] for f in found) > line - 100  # up to it, wherever the blocks begin


def test_lines_before_a_bad_byte_are_checked_whatever_the_blocks(tmp_path: Path) -> None:
    """Read whole, the lines before a bad byte are checked even in the block of the file that holds it (they
    were dropped with the block), so that the whole and its parts agree wherever the blocks begin."""
    path = tmp_path / "t.txt"
    path.write_bytes("工作人员:您好\n工作人员:不知道\n".encode() + b"\xff\n")
    linter, roles = linter_and_roles()
    found, error = _read(lint_file(str(path), linter, roles))
    assert [f["line"] for f in found] == [2] and error is not None and error.startswith(f"{path}:3: ")


def test_parts_merge_as_the_file_reads() -> None:
    """Each part's findings in order; the unused suppression comments after all of them, then the records
    that could not be read; an error that stops a part ends the file, the problems before it unreported."""
    linter, roles = linter_and_roles()
    one, two, unused = (
        Finding("t", k, 1, k, 2, v, turn)
        for k, (v, turn) in enumerate(
            [
                (linter.check("不知道")[0], _turn()),
                (linter.check("不知道")[0], _turn()),
                (linter.check("不知道")[0], _turn()),
            ],
            1,
        )
    )
    parts = [PartFindings("t", [one], [unused], ["t:1: a"]), PartFindings("t", [two], [], ["t:2: b"])]
    merged = findings_of_parts(parts)
    assert [next(merged), next(merged), next(merged)] == [one, two, unused]
    with pytest.raises(PhraselintError) as error:
        next(merged)
    assert str(error.value) == "t:1: a\nt:2: b"
    stopped = findings_of_parts([parts[0], PartFindings("t", [two], error="t:9: bad"), parts[1]])
    assert next(stopped) == one and next(stopped) == two
    with pytest.raises(PhraselintError, match="^t:9: bad$"):
        next(stopped)


def _turn() -> Turn:
    return Turn("不知道", ((0, 1, 1),))


# --- the command line: -j 1 against -j 2 and -j 3 -----------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no settings file of the repository is found
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return CliRunner()


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of a few KiB, so that a transcript of a test is cut in many."""
    monkeypatch.setattr(commands, "MIN_PART", 1024)
    monkeypatch.setattr(commands, "MAX_PART", 4096)
    monkeypatch.setattr(commands, "BATCH_BYTES", 1024)  # a file in parts is never in a batch of small files


def same_for_every_jobs(
    runner: CliRunner, args: list[str], jobs: tuple[int, ...] = (1, 2, 3)
) -> tuple[str, str, int]:
    """Run ``check`` with -j 1, -j 2 and -j 3: each gives the same output, errors and exit code."""
    runs = [runner.invoke(main, ["check", "-j", str(j), *args]) for j in jobs]
    outputs = [(r.stdout, r.stderr, r.exit_code) for r in runs]
    assert all(output == outputs[0] for output in outputs[1:])
    return outputs[0]


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "github", "sarif"])
def test_the_fixtures_cut_everywhere_print_the_same(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(commands, "MIN_PART", 1)
    monkeypatch.setattr(commands, "MAX_PART", 64)
    monkeypatch.setattr(commands, "BATCH_BYTES", 1)
    out, err, code = same_for_every_jobs(runner, ["--format", fmt, str(FIXTURES)])
    assert code == 1 and out and not err
    monkeypatch.setattr(commands, "BATCH_FILES", 3)  # small files in batches, each whole
    monkeypatch.setattr(commands, "BATCH_BYTES", 1 << 20)
    assert same_for_every_jobs(runner, ["--format", fmt, str(FIXTURES)]) == (out, err, code)


@pytest.mark.parametrize(
    ("fmt", "newline", "encoding"),
    [
        ("labelled", "\r\n", "gb18030"),
        ("labelled", "mixed", "utf-8-sig"),
        ("plain", "\n", "big5hkscs"),
        ("jsonl", "\n", "utf-8"),
        ("srt", "\r\n", "utf-8"),
        ("vtt", "\n", "gb18030"),
    ],
)
def test_large_files_in_each_format_print_the_same(
    runner: CliRunner, small_parts: None, tmp_path: Path, fmt: str, newline: str, encoding: str
) -> None:
    data, extension = transcript(fmt, 11, 1000 if fmt == "plain" else 500, newline, encoding)
    path = tmp_path / f"big{extension}"
    path.write_bytes(data)
    assert len(data) > 15 * commands.MIN_PART
    out, err, code = same_for_every_jobs(runner, ["--format", "json", str(path)])
    assert json.loads(out)["summary"]["violations"] > 50
    assert code == (1 if fmt == "plain" else 2)  # the broken records of the others: named, exit 2
    assert (err.count("\n") >= 1) == (code == 2)
    text = same_for_every_jobs(runner, ["--format", "text", "--statistics", str(path)])
    assert text[0].count("\n") > 100


@pytest.mark.parametrize("damage", [b"\xff", b"\x00"])
def test_a_bad_byte_in_the_second_half_prints_the_same(
    runner: CliRunner, small_parts: None, tmp_path: Path, damage: bytes
) -> None:
    filler = (
        "[09:00:00] 来访人员:您好\r\n".encode("gb18030") * 3000
    )  # past the 64 KiB encodings are judged by
    data = filler + transcript("labelled", 5, 600, "\r\n", "gb18030", damage)[0]
    (tmp_path / "a.txt").write_bytes(data)
    (tmp_path / "b.txt").write_bytes(transcript("labelled", 6, 600)[0])  # checked on after it
    out, err, code = same_for_every_jobs(
        runner, ["--format", "jsonl", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    )
    line = data[: data.index(b"ab" + damage)].count(b"\n") + 1
    a_errors = [e for e in err.splitlines() if "a.txt" in e]  # one line, naming the file and the line
    assert code == 2 and a_errors == [err.splitlines()[0]]
    assert err.startswith(f"phraselint: error: {tmp_path / 'a.txt'}:{line}: ")
    paths = [json.loads(x)["path"] for x in out.splitlines()]
    assert paths.index(str(tmp_path / "b.txt")) > 50 and paths[-1] == str(tmp_path / "b.txt")


def test_a_file_at_the_real_sizes_is_cut_and_prints_the_same(runner: CliRunner, tmp_path: Path) -> None:
    """A transcript of 2.5 MB: over two parts of the real minimum, so cut."""
    rng = random.Random(4)
    lines = [f"[09:00:{k % 60:02d}] 工作人员:您好" for k in range(100_000)]
    for k in rng.sample(range(100_000), 40):
        lines[k] = f"[09:00:00] 坐席:{rng.choice(SAID[:5])}"
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = path.stat().st_size
    assert size > 2 * commands.MIN_PART
    planned = plan(str(path), DETECTED, str(path), commands._sizes(2))
    assert planned is not None and len(list(planned[2])) >= 2
    out, _err, code = same_for_every_jobs(runner, ["--format", "jsonl", str(path)], jobs=(1, 2))
    assert code == 1 and out.count("\n") >= 40


def test_a_small_file_is_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(transcript("labelled", 1, 200)[0])
    assert plan(str(path), DETECTED, str(path), commands._sizes(16)) is None


def test_baselines_are_the_same_in_parts(runner: CliRunner, small_parts: None, tmp_path: Path) -> None:
    data = transcript("labelled", 8, 600)[0].replace(b"2024-13-45", b"2024-03-01")  # no broken record
    (tmp_path / "t.txt").write_bytes(data)
    written = []
    for j in ("1", "2"):
        result = runner.invoke(
            main, ["check", "-j", j, "--write-baseline", "--baseline", f"b{j}.json", "t.txt"]
        )
        assert result.exit_code == 0
        written.append((tmp_path / f"b{j}.json").read_text(encoding="utf-8"))
    assert written[0] == written[1] and written[0].count('"justified"') > 20
    out, _err, code = same_for_every_jobs(runner, ["--baseline", "b1.json", "t.txt"])
    assert code == 0 and "未发现服务忌语" in out
    (tmp_path / "phraselint.toml").write_text(
        '[per-file-ignores]\n"t.txt" = ["dont-know"]\n', encoding="utf-8"
    )
    out, _err, code = same_for_every_jobs(runner, ["--format", "jsonl", "t.txt"])  # ignored by the workers
    rules = {json.loads(line)["rule"] for line in out.splitlines()}
    assert code == 1 and rules and "dont-know" not in rules


def test_standard_input_and_conversations_are_read_whole(
    runner: CliRunner, small_parts: None, tmp_path: Path
) -> None:
    data, _ = transcript("labelled", 9, 600)
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    piped = [runner.invoke(main, ["check", "-j", j, "-"], input=data) for j in ("1", "2")]
    assert piped[0].stdout == piped[1].stdout and piped[0].exit_code == piped[1].exit_code
    same_for_every_jobs(runner, ["--conversation", "--format", "jsonl", str(path)])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path, jobs: str) -> None:
    """`check … | head -1`: exit 1, no error, and the work still queued for the workers dropped."""
    data = transcript("labelled", 12, 3000)[0]
    for k in range(40):
        (tmp_path / f"t{k:02d}.txt").write_bytes(data)
    command = [sys.executable, str(ROOT / "cli.py"), "check", "-j", jobs, "--format", "jsonl", str(tmp_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b'{"path": ')
        process.stdout.close()
        error = process.stderr.read()
        assert process.wait(timeout=120) == 1 and error == b""
