"""The quiz's progress database: answers and cards kept, one transaction per answer, WAL for writers at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from phraselint.quiz.store import EXPORT_COLUMNS, AnswerRecord, QuizStore, StoreError, default_db_path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def answer(
    trainee: str = "alice", item: str = "judge:不知道。", score: int = 100, **kw: object
) -> AnswerRecord:
    values: dict[str, object] = {
        "trainee": trainee,
        "item": item,
        "kind": item.split(":")[0],
        "situation": "answering",
        "prompt": item.split(":", 1)[1],
        "answer": "不能说",
        "score": score,
        "correct": score >= 60,
        "answered_at": NOW,
        "seconds": 2.5,
    }
    values.update(kw)
    return AnswerRecord(**values)  # type: ignore[arg-type]


def test_answers_and_cards_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "dir" / "q.db"  # the directory is made
    with QuizStore(db) as store:
        store.record(answer(score=100), '{"card": 1}', NOW + timedelta(minutes=10))
        store.record(answer(score=0), '{"card": 2}', NOW + timedelta(minutes=1))
        store.record(answer(item="choose:hello", score=100), "{}", NOW + timedelta(days=3))
    with QuizStore(db) as store:  # reopened: all of it is there
        assert store.due("alice") == {
            "judge:不知道。": NOW + timedelta(minutes=1),
            "choose:hello": NOW + timedelta(days=3),
        }
        assert store.card("alice", "judge:不知道。") == '{"card": 2}'
        assert store.card("alice", "judge:别的") is None and store.due("bob") == {}
        got = list(store.answers())
        assert [r["score"] for r in got] == [100, 0, 100] and list(got[0]) == list(EXPORT_COLUMNS)
        assert got[0]["answered_at"] == "2024-03-01T09:00:00.000000+00:00" and got[0]["seconds"] == 2.5
        assert store.count("alice") == 3 and store.count("bob") == 0
    with sqlite3.connect(db) as conn:
        reviews, lapses = conn.execute(
            "SELECT reviews, lapses FROM cards WHERE item = 'judge:不知道。'"
        ).fetchone()
    assert (reviews, lapses) == (2, 1)


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    with QuizStore(tmp_path / "q.db"):
        pass
    with sqlite3.connect(tmp_path / "q.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_answer_and_its_card_are_one_transaction(tmp_path: Path) -> None:
    with QuizStore(tmp_path / "q.db") as store:
        with pytest.raises(StoreError, match="cannot write the quiz database"):
            store.record(answer(), None, NOW)  # type: ignore[arg-type]  # the card fails after the answer
        assert store.count() == 0
        store.record(answer(), "{}", NOW)  # and the store still works
        assert store.count() == 1


WRITER = """
import sys
from datetime import datetime, timezone
from phraselint.quiz.store import AnswerRecord, QuizStore
db, trainee, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with QuizStore(db) as store:
    for i in range(n):
        item = f"judge:{i % 7}"
        now = datetime.now(timezone.utc)
        store.record(AnswerRecord(trainee, item, "judge", "answering", str(i), "1", i % 100, i % 2 == 0, now, 0.1),
                     "{}", now)
"""


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, "300"], cwd=ROOT, stderr=subprocess.PIPE
        )
        for name in ("ann", "ben")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with QuizStore(db) as store:
        assert store.count("ann") == 300 and store.count("ben") == 300
        assert len(store.due("ann")) == 7
        ids = [r["id"] for r in store.answers()]
    assert len(set(ids)) == 600


def test_two_threads_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(trainee: str) -> None:
        try:
            with QuizStore(db) as store:
                start.wait()
                for i in range(200):
                    store.record(answer(trainee, f"rewrite:r{i % 5}", i % 101), "{}", NOW)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("cho", "dan")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with QuizStore(db) as store:
        assert store.count("cho") == store.count("dan") == 200


def test_stats_by_situation_kind_and_most_missed(tmp_path: Path) -> None:
    with QuizStore(tmp_path / "q.db") as store:
        for score in (0, 0, 100):
            store.record(answer(item="judge:不知道。", score=score), "{}", NOW)
        store.record(answer(item="rewrite:hey", score=40, situation="addressing"), "{}", NOW)
        store.record(answer(item="choose:hello", score=100, situation="greeting"), "{}", NOW)
        store.record(answer("bob", item="rewrite:hey", score=100, situation="addressing"), "{}", NOW)
        mine = store.stats("alice")
        everyone = store.stats()
    assert (mine.total.answered, mine.total.correct, round(mine.total.average)) == (5, 2, 48)
    by_situation = {t.key: (t.answered, t.correct) for t in mine.by_situation}
    assert by_situation == {"answering": (3, 1), "addressing": (1, 0), "greeting": (1, 1)}
    assert {t.key: t.answered for t in mine.by_kind} == {"judge": 3, "rewrite": 1, "choose": 1}
    assert [(m.item, m.misses, m.answered) for m in mine.missed] == [
        ("judge:不知道。", 2, 3),
        ("rewrite:hey", 1, 1),
    ]
    assert everyone.total.answered == 6 and {t.key for t in everyone.by_trainee} == {"alice", "bob"}
    assert [(m.item, m.misses, m.answered) for m in everyone.missed][1] == ("rewrite:hey", 1, 2)


def test_what_is_not_a_quiz_database_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_bytes(b"just some notes\n" * 200)
    with pytest.raises(StoreError, match=r"notes\.db: cannot open the quiz database: file is not a database"):
        QuizStore(text)
    with pytest.raises(StoreError, match="cannot open the quiz database"):
        QuizStore(tmp_path)  # a directory
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="made by a newer phraselint"):
        QuizStore(newer)


def test_the_default_database_is_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert default_db_path() == tmp_path / "data" / "phraselint" / "quiz.sqlite3"
    assert default_db_path().name == "quiz.sqlite3" and "phraselint" in default_db_path().parts
