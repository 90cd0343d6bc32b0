"""Training progress in SQLite: every answer, and each trainee's card (its FSRS state) per item.

One file holds every trainee of a team. It is opened in WAL mode with a busy timeout, so two trainees
quizzing at once both write; each answer is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a quiz
killed mid-way loses at most the answer being typed. Times are stored as ISO 8601 text in UTC.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import PhraselintError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 30.0
EXPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "trainee",
    "answered_at",
    "kind",
    "item",
    "situation",
    "prompt",
    "answer",
    "score",
    "correct",
    "seconds",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trainee TEXT NOT NULL,
    answered_at TEXT NOT NULL,     -- ISO 8601, UTC
    kind TEXT NOT NULL,            -- judge | rewrite | choose
    item TEXT NOT NULL,            -- the item key: judge:<text>, rewrite:<rule>, choose:<phrase>
    situation TEXT NOT NULL,
    prompt TEXT NOT NULL,          -- what was asked about
    answer TEXT NOT NULL,          -- what the trainee answered ('' when skipped)
    score INTEGER NOT NULL,        -- 0 to 100
    correct INTEGER NOT NULL,      -- 1 when rated Hard or better
    seconds REAL NOT NULL          -- from the question to the answer
);
CREATE INDEX IF NOT EXISTS answers_by_trainee ON answers (trainee, item);
CREATE TABLE IF NOT EXISTS cards (
    trainee TEXT NOT NULL,
    item TEXT NOT NULL,
    card TEXT NOT NULL,            -- fsrs.Card as JSON
    due TEXT NOT NULL,             -- ISO 8601, UTC
    reviews INTEGER NOT NULL,
    lapses INTEGER NOT NULL,       -- answers rated Again
    PRIMARY KEY (trainee, item)
);
"""


class StoreError(PhraselintError):
    """The progress database cannot be opened, read or written."""


def default_db_path() -> Path:
    """The progress database in the user data directory (platformdirs): ~/.local/share/phraselint on Linux."""
    import platformdirs

    return platformdirs.user_data_path("phraselint", appauthor=False) / "quiz.sqlite3"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@dataclass(frozen=True)
class AnswerRecord:
    """One answer of one trainee to one item."""

    trainee: str
    item: str
    kind: str
    situation: str
    prompt: str
    answer: str
    score: int
    correct: bool
    answered_at: datetime
    seconds: float


@dataclass(frozen=True)
class Accuracy:
    """The answers under one key (a situation, a kind, a trainee): how many, how many right, the mean score."""

    key: str
    answered: int
    correct: int
    average: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Missed:
    """An item and how often it was got wrong."""

    item: str
    kind: str
    situation: str
    prompt: str
    misses: int
    answered: int


@dataclass(frozen=True)
class Stats:
    total: Accuracy
    by_situation: tuple[Accuracy, ...]
    by_kind: tuple[Accuracy, ...]
    by_trainee: tuple[Accuracy, ...]
    missed: tuple[Missed, ...]


class QuizStore:
    """The progress database at ``path`` (created, with its directory, on first use)."""

    def __init__(self, path: Path | str, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = str(path)
        with self._errors("cannot open the quiz database"):
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        try:
            self._setup_with_retry(timeout)
        except BaseException:
            self._db.close()
            raise

    def _setup_with_retry(self, timeout: float) -> None:
        """``_setup``, tried again while another process holds the lock it needs: switching a new file to WAL
        can answer "database is locked" at once, without waiting on the busy timeout, when two trainees open
        the same new database together."""
        deadline = time.monotonic() + timeout
        pause = 0.01
        while True:
            try:
                self._setup(timeout)
                return
            except StoreError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def _setup(self, timeout: float) -> None:
        with self._errors("cannot open the quiz database"):
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    "the quiz database was made by a newer phraselint; upgrade phraselint", self.path
                )
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check(3)").fetchall()]
            if problems != ["ok"]:
                raise StoreError(
                    f"the quiz database is damaged ({'; '.join(problems)}): nothing was read or saved; restore "
                    "it from a backup, or move it away to start afresh",
                    self.path,
                )
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> QuizStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{what}: {exc}", self.path) from None
        except OSError as exc:
            raise StoreError(f"{what}: {exc.strerror or exc}", self.path) from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once (waiting up to the busy timeout), so two
        writers never deadlock upgrading a read lock."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- cards ----------------------------------------------------------------------------------------

    def due(self, trainee: str) -> dict[str, datetime]:
        """When each item the trainee has answered falls due again (item key → UTC time)."""
        with self._errors("cannot read the quiz database"):
            rows = self._db.execute("SELECT item, due FROM cards WHERE trainee = ?", (trainee,)).fetchall()
        return {row["item"]: _time(row["due"]) for row in rows}

    def card(self, trainee: str, item: str) -> str | None:
        """The trainee's card of ``item`` as fsrs JSON, or None for an item never answered."""
        with self._errors("cannot read the quiz database"):
            row = self._db.execute(
                "SELECT card FROM cards WHERE trainee = ? AND item = ?", (trainee, item)
            ).fetchone()
        return row["card"] if row else None

    # --- answers --------------------------------------------------------------------------------------

    def record(self, answer: AnswerRecord, card: str, due: datetime) -> int:
        """Keep one answer and the card it leaves, in one transaction; the answer's row id."""
        with self._errors("cannot write the quiz database"), self._transaction():
            cursor = self._db.execute(
                "INSERT INTO answers (trainee, answered_at, kind, item, situation, prompt, answer, score, correct,"
                " seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.trainee,
                    _iso(answer.answered_at),
                    answer.kind,
                    answer.item,
                    answer.situation,
                    answer.prompt,
                    answer.answer,
                    int(answer.score),
                    int(answer.correct),
                    float(answer.seconds),
                ),
            )
            self._db.execute(
                "INSERT INTO cards (trainee, item, card, due, reviews, lapses) VALUES (?, ?, ?, ?, 1, ?)"
                " ON CONFLICT (trainee, item) DO UPDATE SET card = excluded.card, due = excluded.due,"
                " reviews = reviews + 1, lapses = lapses + excluded.lapses",
                (answer.trainee, answer.item, card, _iso(due), 0 if answer.correct else 1),
            )
            return int(cursor.lastrowid or 0)

    def answers(self, trainee: str | None = None) -> Iterator[dict[str, Any]]:
        """Every answer (of one trainee, or of all), oldest first, as mappings of :data:`EXPORT_COLUMNS`."""
        columns = ", ".join(EXPORT_COLUMNS)
        with self._errors("cannot read the quiz database"):
            rows = self._db.execute(
                f"SELECT {columns} FROM answers WHERE (?1 IS NULL OR trainee = ?1) ORDER BY id", (trainee,)
            ).fetchall()
        for row in rows:
            yield {key: row[key] for key in EXPORT_COLUMNS}

    def count(self, trainee: str | None = None) -> int:
        with self._errors("cannot read the quiz database"):
            row = self._db.execute(
                "SELECT COUNT(*) FROM answers WHERE (?1 IS NULL OR trainee = ?1)", (trainee,)
            ).fetchone()
        return int(row[0])

    # --- statistics -----------------------------------------------------------------------------------

    def stats(self, trainee: str | None = None, most_missed: int = 10) -> Stats:
        """Accuracy overall, by situation, by kind and by trainee; the items most often got wrong."""
        with self._errors("cannot read the quiz database"):
            total = self._accuracy_by("'all'", trainee)
            return Stats(
                total[0] if total else Accuracy("all", 0, 0, 0.0),
                self._accuracy_by("situation", trainee),
                self._accuracy_by("kind", trainee),
                self._accuracy_by("trainee", trainee),
                self._missed(trainee, most_missed),
            )

    def _accuracy_by(self, column: str, trainee: str | None) -> tuple[Accuracy, ...]:
        rows = self._db.execute(
            f"SELECT {column} AS key, COUNT(*) AS n, SUM(correct) AS ok, AVG(score) AS avg FROM answers"
            f" WHERE (?1 IS NULL OR trainee = ?1) GROUP BY key ORDER BY n DESC, key",
            (trainee,),
        ).fetchall()
        return tuple(
            Accuracy(str(r["key"]), int(r["n"]), int(r["ok"] or 0), float(r["avg"] or 0)) for r in rows
        )

    def _missed(self, trainee: str | None, limit: int) -> tuple[Missed, ...]:
        rows = self._db.execute(
            "SELECT item, kind, situation, MAX(prompt) AS prompt, SUM(1 - correct) AS misses, COUNT(*) AS n"
            " FROM answers WHERE (?1 IS NULL OR trainee = ?1) GROUP BY item HAVING misses > 0"
            " ORDER BY misses DESC, n DESC, item LIMIT ?2",
            (trainee, limit),
        ).fetchall()
        return tuple(
            Missed(r["item"], r["kind"], r["situation"], r["prompt"], int(r["misses"]), int(r["n"]))
            for r in rows
        )
