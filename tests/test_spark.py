"""phraselint.spark on a real local Spark (local[2], Java 17): the findings and scores of every call equal
those of ``phraselint check --conversation --format json`` and ``phraselint report --format json`` on the same
transcripts, row for row; bad rows never fail the job; the catalogue is built once per worker process; and
``python -m phraselint.spark`` under spark-submit reads a table and writes Parquet."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
import pytest
from callcorpus import rows_of, write_calls
from click.testing import CliRunner

os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this Python, with phraselint installed

from pyspark.sql import SparkSession  # noqa: E402

from phraselint.cli.commands import main as cli  # noqa: E402
from phraselint.data.settings import Settings  # noqa: E402
from phraselint.spark import Columns, Job, check_call, check_calls, prepare, tools  # noqa: E402
from phraselint.spark.calls import CALL, check_batches  # noqa: E402
from phraselint.spark.command import columns_by_name  # noqa: E402
from phraselint.spark.command import main as spark_main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_FILES = sorted(
    p
    for p in FIXTURES.glob("*/*")
    if p.suffix not in (".expected", ".fixed") and "." in p.name and p.parent.name != "exports"
)
EXPORTS = sorted(FIXTURES.glob("exports/*.csv"))  # many calls in one table, as a warehouse holds them
JOB = Job(Settings())
SCHEMA = "call_id string, agent_id string, speaker string, start double, end double, text string, seq long"
FILE_FIELDS = ("path", "line", "column", "end_line", "end_column")
SPARK_FIELDS = ("call_id", "agent_id", "turn", "kind")
SCORE_FIELDS = (
    "channel",
    "turns",
    "staff",
    "score",
    "passed",
    "critical",
    "deductions",
    "violations",
    "by_severity",
    "forbidden",
    "conversation",
    "compliance",
    "skipped",
)


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("phraselint-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _plain(value: Any) -> Any:
    """Spark Rows as plain dicts and lists, to compare with the CLI's JSON."""
    if hasattr(value, "asDict"):
        return {k: _plain(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cli_json(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _calls(
    spark: SparkSession, rows: list[dict[str, Any]], job: Job = JOB, scatter: int = 0
) -> dict[str, dict[str, Any]]:
    """Every call's row. ``scatter``: the rows shuffled and dealt round-robin over that many partitions, so
    that every call's rows are spread over several."""
    if scatter:
        rows = random.Random(scatter).sample(rows, len(rows))
    df = spark.createDataFrame(rows, SCHEMA)
    if scatter:
        df = df.repartition(scatter)
    results = check_calls(df, job, Columns(order="seq"))
    try:
        checked = [_plain(r) for r in results.calls.collect()]
    finally:
        results.unpersist()
    calls = {r["call_id"]: r for r in checked}
    assert len(calls) == len(checked)  # each call checked once, whole
    return calls


def _assert_same_as_cli(spark: SparkSession, paths: list[Path], scatter: int = 0) -> None:
    """Spark's findings and scores of the calls in ``paths`` (call id: the path) equal the CLI's."""
    rows = [row for p in paths for row in rows_of(p, str(p))]
    calls = _calls(spark, rows, scatter=scatter)
    assert set(calls) == {str(p) for p in paths}
    names = [str(p) for p in paths]
    whole = _cli_json(["check", "--conversation", "--format", "json", "--exit-zero", *names])["violations"]
    phrases = _cli_json(["check", "--format", "json", "--exit-zero", *names])["violations"]
    report = _cli_json(["report", "--format", "json", *names])["transcripts"]
    for name in names:
        found = calls[name]["findings"]
        expected = [{k: v for k, v in f.items() if k not in FILE_FIELDS} for f in whole if f["path"] == name]
        got = [{k: v for k, v in f.items() if k not in SPARK_FIELDS} for f in found]
        assert got == expected, name
        only_phrases = [
            {k: v for k, v in f.items() if k not in FILE_FIELDS} for f in phrases if f["path"] == name
        ]
        assert [g for g, f in zip(got, found) if f["kind"] == "phrase"] == only_phrases, name
        # the turn named is the utterance at the CLI's line
        lines = {r["seq"] + 1: r["text"] for r in rows if r["call_id"] == name}
        assert all(lines[f["turn"]] == f["utterance"] for f in found)
    by_path = {t["path"]: t for t in report}
    for name in names:
        expected = {k: by_path[name][k] for k in SCORE_FIELDS}
        assert {k: calls[name][k] for k in SCORE_FIELDS} == expected, name
        assert calls[name]["bad_rows"] == 0 and calls[name]["errors"] == []


def test_fixture_transcripts_give_the_cli_findings_and_scores(spark: SparkSession) -> None:
    assert len(FIXTURE_FILES) >= 15
    _assert_same_as_cli(spark, FIXTURE_FILES)


def test_an_export_of_many_calls_gives_the_report_findings_and_scores(spark: SparkSession) -> None:
    """An export (one row per utterance, many calls, as a warehouse holds them: Chinese headers, date-times as
    text) read by ``phraselint report`` as one conversation per call and by Spark as a CSV table, its columns
    found by rules/fields.yml as the report finds them: every call's findings and figures equal the report's."""
    assert EXPORTS
    for export in EXPORTS:
        table = spark.read.option("header", "true").csv(str(export)).coalesce(1)
        columns = columns_by_name(table.columns, {}, None)
        assert (columns.call, columns.text, columns.start) == ("通话编号", "内容", "开始时间")
        results = check_calls(table, JOB, columns)
        try:
            calls = {r["call_id"]: _plain(r) for r in results.calls.collect()}
        finally:
            results.unpersist()
        report = _cli_json(["report", "--format", "json", str(export)])["transcripts"]
        assert sorted(calls) == sorted(t["call"] for t in report) and len(report) >= 3
        for t in report:
            got = calls[t["call"]]
            assert {k: got[k] for k in SCORE_FIELDS} == {k: t[k] for k in SCORE_FIELDS}, t["call"]
            assert [f["kind"] for f in got["findings"]] == [f["kind"] for f in t["findings"]]
            drop = (*FILE_FIELDS, *SPARK_FIELDS, "rewrites")
            assert [{k: v for k, v in f.items() if k not in drop} for f in got["findings"]] == [
                {k: v for k, v in f.items() if k not in drop} for f in t["findings"]
            ], t["call"]
            assert got["agent_ids"] == [a["id"] for a in t["agents"]]


def test_a_generated_warehouse_gives_the_cli_findings_and_scores(spark: SparkSession, tmp_path: Path) -> None:
    paths = write_calls(tmp_path / "calls", 2000)
    _assert_same_as_cli(spark, paths)


def test_calls_spread_over_partitions_and_batches_are_each_checked_once_whole(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The rows of every call dealt over 7 partitions in no order, and handed to Python in Arrow batches of 5
    rows, so that calls run over from one batch into the next: the CLI's findings and scores still."""
    paths = write_calls(tmp_path / "calls", 150, seed=9)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "5")
    try:
        _assert_same_as_cli(spark, paths, scatter=7)
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")


def test_check_batches_gives_one_row_per_call_wherever_the_batches_cut(
    spark: SparkSession, tmp_path: Path
) -> None:
    """calls.check_batches on the rows of a partition sorted by call, cut into batches of 1, 4 and 10,000 rows:
    the rows of check_call on each call alone; and rows of a call that are not together are an error, not
    two results for one call."""
    paths = write_calls(tmp_path / "calls", 12, seed=3)
    rows = [row for p in paths for row in rows_of(p, p.stem)]
    table = prepare(spark.createDataFrame(rows, SCHEMA), Columns(order="seq")).orderBy(CALL).toArrow()
    alone = [
        check_call(table.filter(pa.compute.equal(table[CALL], p.stem)), JOB).to_pylist()[0] for p in paths
    ]
    for size in (1, 4, 10_000):
        out = list(check_batches(table.to_batches(max_chunksize=size), JOB))
        assert sum(b.num_rows for b in out) == len(paths), size
        assert pa.Table.from_batches(out).to_pylist() == alone, size
    first = pa.compute.sum(pa.compute.equal(table[CALL], table[CALL][0])).as_py()  # rows of the first call
    half = first // 2  # its second half moved after all the other calls
    mixed = pa.concat_tables([table.slice(0, half), table.slice(first), table.slice(half, first - half)])
    with pytest.raises(ValueError, match="are not together in their partition"):
        list(check_batches(mixed.to_batches(max_chunksize=3), JOB))


def test_bad_rows_are_set_aside_and_never_fail_the_job(spark: SparkSession) -> None:
    from pyspark.sql import functions as F

    good = "工作人员不知道。"
    rows = [
        ("c1", "a", "坐席", 0.0, 1.0, "不知道。".encode(), 0),
        ("c1", "a", "坐席", 2.0, 3.0, None, 1),  # null text
        ("c1", "a", "坐席", 4.0, 5.0, b"\xed\xa0\x80" + "不知道".encode(), 2),  # a lone surrogate (CESU-8)
        ("c1", "a", "坐席", 6.0, 7.0, b"\xff\xfe", 3),  # not UTF-8 at all
        ("c1", "a", "坐席", 8.0, 9.0, ("不知道" * 400_000).encode(), 4),  # 1.2 M characters
        ("c2", "b", "坐席", 0.0, 1.0, good.encode(), 0),
        (None, "b", "坐席", 0.0, 1.0, good.encode(), 0),  # no call id
    ]
    df = spark.createDataFrame(
        rows,
        "call_id string, agent_id string, speaker string, start double, end double, raw binary, seq long",
    ).withColumn("text", F.col("raw").cast("string"))  # a string column holding bytes that are not UTF-8
    results = check_calls(df.drop("raw"), Job(Settings(), max_chars=100_000), Columns(order="seq"))
    try:
        errors = sorted(((e["call_id"], e["error"]) for e in results.errors.collect()), key=str)
        scores = {r["call_id"]: r for r in results.scores.collect()}
        findings = results.findings.collect()
    finally:
        results.unpersist()
    messages = " | ".join(e for _, e in errors)
    assert len(errors) == 5, messages
    assert "the text is null" in messages
    assert "a lone surrogate at byte 0; replaced by U+FFFD and checked" in messages
    assert "bytes that are not UTF-8 at byte 0" in messages
    assert "longer than 100000 characters" in messages
    assert "no call id" in messages
    assert set(scores) == {"c1", "c2"} and scores["c1"]["bad_rows"] == 4 and scores["c1"]["turns"] == 3
    # the good rows, and the surrogate's row once replaced, are still checked
    texts = {(f["call_id"], f["turn"], f["rule"]) for f in findings if f["kind"] == "phrase"}
    assert (
        ("c1", 1, "dont-know") in texts
        and ("c1", 2, "dont-know") in texts
        and ("c2", 1, "dont-know") in texts
    )
    assert all("\ufffd" in f["utterance"] for f in findings if f["call_id"] == "c1" and f["turn"] == 2)


def test_bad_lines_of_a_json_input_are_set_aside_and_never_fail_the_job(
    spark: SparkSession, tmp_path: Path
) -> None:
    """JSON Lines read by ``python -m phraselint.spark --format json``: a text written as a number, an object,
    a list, null, missing, with a lone surrogate (``\\ud800``, which Spark's JSON reader would make a ``?`` of),
    or longer than --max-chars is a row of the errors table; the job still writes every table, and the good
    lines give the findings and score the CLI gives on them."""
    good = [
        {"call_id": "c1", "seq": 0, "speaker": "坐席", "text": "您好，请问有什么可以帮您？"},
        {"call_id": "c1", "seq": 1, "speaker": "客户", "text": "我想问一下社保的事。"},
        {"call_id": "c1", "seq": 2, "speaker": "坐席", "text": "不知道，你自己去问。"},
    ]
    bad = [
        ('{"call_id": "c1", "seq": 3, "speaker": "坐席", "text": 123}', "not a string but bigint"),
        (
            '{"call_id": "c1", "seq": 4, "speaker": "坐席", "text": {"a": 1}}',
            "not a string but object<a: bigint>",
        ),
        (
            '{"call_id": "c1", "seq": 5, "speaker": "坐席", "text": ["不知道"]}',
            "not a string but array<string>",
        ),
        ('{"call_id": "c1", "seq": 6, "speaker": "坐席", "text": null}', "the text is null"),
        ('{"call_id": "c1", "seq": 7, "speaker": "坐席"}', "no text, or one the JSON reader cannot read"),
        ('{"call_id": "c1", "seq": 8, "speaker": "坐席", "text": "\\ud800不知道"}', "a lone surrogate"),
        (
            json.dumps({"call_id": "c1", "seq": 9, "speaker": "坐席", "text": "啊" * 30_000}),
            "longer than 20000",
        ),
        (
            json.dumps({"call_id": "c1", "seq": 10, "speaker": "坐席", "text": "a" * 30_000}),
            "longer than 20000",
        ),
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in good] + [line for line, _ in bad]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "calls.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "c1.jsonl").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    args = ["--format", "json", "--order", "seq", str(tmp_path / "in"), str(tmp_path / "out")]
    result = CliRunner().invoke(spark_main, args)
    assert result.exit_code == 0, result.output
    errors = {r["row"]: r for r in spark.read.parquet(str(tmp_path / "out" / "errors")).collect()}
    assert len(errors) == len(bad)
    messages = sorted(e["error"] for e in errors.values())
    for _, what in bad:
        assert sum(what in m for m in messages) >= 1, (what, messages)
    assert all(e["call_id"] == "c1" for e in errors.values())
    scores = [_plain(r) for r in spark.read.parquet(str(tmp_path / "out" / "scores")).collect()]
    assert len(scores) == 1 and scores[0]["bad_rows"] == len(bad) and scores[0]["turns"] == len(good)
    found = [_plain(r) for r in spark.read.parquet(str(tmp_path / "out" / "findings")).collect()]
    name = str(tmp_path / "c1.jsonl")
    whole = _cli_json(["check", "--conversation", "--format", "json", "--exit-zero", name])["violations"]
    expected = [{k: v for k, v in f.items() if k not in FILE_FIELDS} for f in whole]
    assert [{k: v for k, v in f.items() if k not in SPARK_FIELDS} for f in found] == expected
    assert any(f["rule"] == "dont-know" for f in found)
    report = _cli_json(["report", "--format", "json", name])["transcripts"][0]
    assert {k: scores[0][k] for k in SCORE_FIELDS} == {k: report[k] for k in SCORE_FIELDS}


def test_a_text_column_that_is_not_text_is_a_bad_row_per_utterance(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [("c1", 1, 0), ("c1", None, 1), ("c2", 7, 0)], "call_id string, text long, seq long"
    )
    results = check_calls(df, JOB, Columns(agent=None, speaker=None, start=None, end=None, order="seq"))
    try:
        errors = results.errors.collect()
        assert results.scores.count() == 0 and results.findings.count() == 0
    finally:
        results.unpersist()
    assert len(errors) == 3
    assert sum("not a string but bigint" in e["error"] for e in errors) == 2


def test_the_catalogue_is_built_once_per_worker_process(spark: SparkSession) -> None:
    def build(_: Any) -> Iterator[tuple[int, int]]:
        for _ in range(3):  # three batches of one task
            tools(JOB)
        yield os.getpid(), tools.cache_info().misses

    seen = spark.sparkContext.parallelize(range(16), 16).mapPartitions(build).collect()
    assert len(seen) == 16
    assert all(misses == 1 for _, misses in seen), seen  # every task of a process found the one it built


def test_bad_arguments_are_one_line_and_exit_2(spark: SparkSession, tmp_path: Path) -> None:
    spark.createDataFrame([("c1", "不知道")], "call string, words string").write.parquet(str(tmp_path / "in"))
    result = CliRunner().invoke(spark_main, [str(tmp_path / "in"), str(tmp_path / "out")])
    assert result.exit_code == 2  # 'call' is a call column by rules/fields.yml, 'words' no text column
    assert result.output.strip().startswith("phraselint: error: no column for the text (looked for text,")
    assert result.output.strip().endswith("name it with --text")
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
    args = ["--text", "words", "--agent", "工号", str(tmp_path / "in"), str(tmp_path / "out")]
    result = CliRunner().invoke(spark_main, args)
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert result.output == "phraselint: error: no column '工号' for the agent (the table has: call, words)\n"
    result = CliRunner().invoke(spark_main, [str(tmp_path / "nowhere"), str(tmp_path / "out")])
    assert result.exit_code == 2 and "cannot read the parquet input" in result.output
    result = CliRunner().invoke(
        spark_main, ["--scoring", str(tmp_path / "no.yml"), "x", str(tmp_path / "out")]
    )
    assert result.exit_code == 2 and "scoring sheet not found" in result.output


def test_spark_submit_reads_csv_and_writes_parquet_equal_to_the_library(
    spark: SparkSession, tmp_path: Path
) -> None:
    paths = write_calls(tmp_path / "calls", 60, seed=5)
    rows = [row for p in paths for row in rows_of(p, p.stem, agent_id=f"A{int(p.stem[1:]) % 7}")]
    table = spark.createDataFrame(rows, SCHEMA)
    table.coalesce(1).write.option("header", "true").csv(str(tmp_path / "in"))
    main_file = ROOT / "phraselint" / "spark" / "__main__.py"
    submit = Path(sys.executable).parent / "spark-submit"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    args = [str(submit), "--master", "local[1]", "--conf", "spark.sql.shuffle.partitions=2", str(main_file)]
    args += ["--format", "csv", "--order", "seq", str(tmp_path / "in"), str(tmp_path / "out")]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("findings", "scores", "errors"):
        assert (tmp_path / "out" / name / "_SUCCESS").exists()
    expected = _calls(spark, rows)
    scores = {r["call_id"]: _plain(r) for r in spark.read.parquet(str(tmp_path / "out" / "scores")).collect()}
    assert scores == {k: {f: v[f] for f in scores[k]} for k, v in expected.items()}
    assert all(s["agent_ids"] == [f"A{int(k[1:]) % 7}"] for k, s in scores.items())
    found = [_plain(r) for r in spark.read.parquet(str(tmp_path / "out" / "findings")).collect()]
    key = lambda f: (f["call_id"], f["turn"], f["start"], f["rule"])  # noqa: E731
    assert sorted(found, key=key) == sorted((f for c in expected.values() for f in c["findings"]), key=key)
    assert len(found) > 20
