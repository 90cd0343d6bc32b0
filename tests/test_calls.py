"""Exports of many calls (read/calls.py): CSV/TSV with the delimiter sniffed, xlsx and JSON arrays, columns
by name (rules/fields.yml or --column), one call per call id, one agent per call."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from phraselint.errors import InputError
from phraselint.read.calls import columns_of, is_export, moment, read_calls, sniff_delimiter
from phraselint.read.formats import field_names

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
MONTH = EXPORTS / "month.csv"


def month_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(MONTH.read_text(encoding="utf-8"))))


def summary(path: Path, **kwargs: object) -> list[tuple[object, ...]]:
    return [
        (c.id, c.agent, c.agent_name, c.team, c.date, [(t.speaker, t.start, t.line) for t in c.turns])
        for c in read_calls(str(path), **kwargs)  # type: ignore[arg-type]
    ]


def test_one_call_per_call_id_in_the_order_each_first_appears() -> None:
    calls = read_calls(str(MONTH))
    assert [c.id for c in calls] == ["H1101-001", "H1101-002", "H1101-003"]
    first = calls[0]
    assert (first.agent, first.agent_name, first.team) == ("1001", "张敏", "一组")
    assert first.date == datetime(2026, 11, 2, 9, 0, 1)
    # a call's rows need not be adjacent: its last row stands on line 10
    assert [(t.speaker, t.start, t.line) for t in first.turns] == [
        ("坐席", 0.0, 2),
        ("来电人", 4.0, 3),
        ("坐席", 8.0, 4),
        ("来电人", 14.0, 10),
    ]
    assert [t.index for t in first.turns] == [0, 1, 2, 3]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(month_rows())
    path = tmp_path / "export.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert sniff_delimiter(out.getvalue().splitlines()[0]) == delimiter
    assert is_export(str(path))
    assert summary(path) == summary(MONTH)


def test_a_gbk_export_with_a_byte_order_mark_free_header(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(MONTH.read_text(encoding="utf-8").encode("gb18030"))
    assert summary(path) == summary(MONTH)


def test_an_xlsx_export_reads_as_the_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for n, row in enumerate(month_rows()):
        if n and row[5]:  # real date-time cells, as a recording system writes them
            row = [*row[:5], datetime.fromisoformat(row[5]), *row[6:]]  # type: ignore[list-item]
        sheet.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)
    assert is_export(str(path))
    assert summary(path) == summary(MONTH)


def test_a_json_array_export(tmp_path: Path) -> None:
    header, *rows = month_rows()
    path = tmp_path / "export.json"
    path.write_text(json.dumps([dict(zip(header, r)) for r in rows], ensure_ascii=False), encoding="utf-8")
    assert is_export(str(path))
    calls = read_calls(str(path))
    assert [c.id for c in calls] == ["H1101-001", "H1101-002", "H1101-003"]
    assert [t.line for t in calls[0].turns] == [1, 2, 3, 9]  # the item numbers of the array


def test_english_headers_and_a_column_named_outright(tmp_path: Path) -> None:
    path = tmp_path / "en.csv"
    path.write_text(
        "ticket,emp_no,group,speaker,time,text\n"
        "T1,7,A,agent,2026-11-02T09:00:00,您好，请问办理什么业务？\n"
        "T2,8,B,agent,2026/11/05 10:00,您好。\n",
        encoding="utf-8",
    )
    calls = read_calls(str(path), overrides={"agent": "emp_no"})
    assert [(c.id, c.agent, c.team, c.date) for c in calls] == [
        ("T1", "7", "A", datetime(2026, 11, 2, 9)),
        ("T2", "8", "B", datetime(2026, 11, 5, 10)),
    ]


def test_a_plain_transcript_csv_is_no_export(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("角色,开始,内容\n坐席,00:00:01,您好。\n", encoding="utf-8")
    assert not is_export(str(path))


def test_each_column_serves_one_field() -> None:
    columns = columns_of(["call_id", "agent_id", "role", "text", "time"], field_names())
    assert columns == {"call": 0, "agent": 1, "text": 3, "speaker": 2, "start": 4}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-02 09:00:01", datetime(2026, 11, 2, 9, 0, 1)),
        ("2026/11/02 09:00", datetime(2026, 11, 2, 9)),
        ("2026年11月2日 09:00:01", datetime(2026, 11, 2, 9, 0, 1)),
        ("2026-11-02", datetime(2026, 11, 2)),
        ("01:02:03.5", 3723.5),
        ("12.5", 12.5),
        ("", None),
    ],
)
def test_times(value: str, expected: object) -> None:
    assert moment(value) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("call_id,agent_id\nc1,1\n", ":1: no text column in the header"),
        ("call_id,text\n,您好\n", ":2: a row without a call id"),
        ("call_id,start,text\nc1,yesterday,您好\n", ":2: not a time in the column 'start'"),
        ('call_id,text\nc1,"您好\n', "not a readable CSV record"),
    ],
)
def test_a_broken_export_names_file_and_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_calls(str(path))
    assert error in str(caught.value)


def test_a_broken_workbook_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="bad.xlsx.*not a readable xlsx workbook"):
        read_calls(str(path))


def test_a_json_export_that_is_no_array_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"call_id": "c1", "text": "您好"}, 3]', encoding="utf-8")
    with pytest.raises(InputError, match="item 2 of the array is not an object"):
        read_calls(str(path))
