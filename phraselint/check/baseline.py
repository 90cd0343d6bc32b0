"""Baselines and appeals (申诉): findings already judged by a person, left out of the next run and counted apart.

Like semgrep's baseline, an entry names a finding by what survives edits around it, not by its line: the
conversation (the call id of an export, else the transcript's path as given), the rule id and the utterance's
text (compared with whitespace dropped and width folded, NFKC). One module for both users: ``phraselint report
--appeals FILE`` and (issue 16) ``phraselint check --baseline FILE``.

The file is JSON, UTF-8::

    {
      "version": 1,
      "entries": [
        {"call": "H1101-001", "rule": "dont-know", "text": "不知道，你自己去网上查。",
         "status": "disputed", "reason": "录音里是同事说的", "by": "王质检", "date": "2026-11-30"}
      ]
    }

``status`` is ``disputed`` (申诉成立: the finding was wrong; it is left out and does not count) or ``justified``
(申诉不成立 / 确认问题: a person confirmed it; it is left out of the new findings but still counts where a score
is kept). ``reason``, ``by`` and ``date`` are optional texts. Every problem in the file is an error naming the
file and the entry.

A transcript file is named in ``call`` by its path relative to the baseline file's directory, with ``/``
(``file_call``: what ``check --write-baseline`` writes, so the file can be committed and used from any working
directory), or by its path as given on the command line (what ``report --write-appeals`` writes); both are
understood. An entry stands for every finding of its rule on that utterance in that file, however many times
the utterance is said and wherever it moves.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..data.files import write_atomic
from ..errors import ConfigError
from ..read.decode import STDIN, display_name
from .files import Finding

STATUSES: tuple[str, ...] = ("disputed", "justified")
VERSION = 1
_KEYS = {"call", "rule", "text", "status", "reason", "by", "date"}


@dataclass(frozen=True)
class Entry:
    """One finding judged by a person."""

    call: str
    rule: str
    text: str
    status: str
    reason: str = ""
    by: str = ""
    date: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"call": self.call, "rule": self.rule, "text": self.text, "status": self.status}
        out.update({k: v for k, v in (("reason", self.reason), ("by", self.by), ("date", self.date)) if v})
        return out


def text_key(text: str) -> str:
    """An utterance as a baseline compares it: NFKC (full-width to half-width), whitespace dropped."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...]
    path: str = ""

    def __post_init__(self) -> None:
        index = {(e.call, e.rule, text_key(e.text)): e for e in self.entries}
        object.__setattr__(self, "_index", index)

    def match(self, call: str, rule: str, text: str) -> Entry | None:
        """The entry for a finding of ``rule`` on the utterance ``text`` in conversation ``call``, if any."""
        index: dict[tuple[str, str, str], Entry] = self._index  # type: ignore[attr-defined]
        return index.get((call, rule, text_key(text)))

    def split(
        self, call: str, findings: Iterable[Finding]
    ) -> tuple[list[Finding], list[tuple[Finding, Entry]]]:
        """``findings`` as (those not judged, those judged with their entry)."""
        open_: list[Finding] = []
        judged: list[tuple[Finding, Entry]] = []
        for f in findings:
            entry = self.match(call, f.violation.rule, f.turn.text)
            if entry is None:
                open_.append(f)
            else:
                judged.append((f, entry))
        return open_, judged

    def calls_of_file(self, path: str) -> tuple[str, ...]:
        """The names this baseline may give the transcript file ``path``: relative to the baseline file's
        directory, and as given."""
        given = display_name(path)
        if not self.path or path == STDIN:
            return (given,)
        relative = file_call(path, Path(self.path).resolve().parent)
        return (relative, given) if relative != given else (given,)


EMPTY = Baseline(())


def file_call(path: str, root: Path) -> str:
    """A transcript file as ``check --write-baseline`` names it: relative to ``root`` (the baseline file's
    directory) with ``/``; standard input as ``<stdin>``."""
    if path == STDIN:
        return display_name(path)
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, root)).as_posix()


class FileMatch:
    """``check --baseline``: whether the baseline judges each finding of the transcript files checked (each
    file's names worked out once: resolving a path costs system calls, and a file has many findings)."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self._calls: dict[str, tuple[str, ...]] = {}

    def judged(self, finding: Finding) -> bool:
        calls = self._calls.get(finding.path)
        if calls is None:
            calls = self._calls[finding.path] = self.baseline.calls_of_file(finding.path)
        v = finding.violation
        return any(self.baseline.match(call, v.rule, finding.turn.text) is not None for call in calls)


def file_baseline(findings: Iterable[Finding], path: str, kept: Baseline = EMPTY) -> str:
    """The text of the baseline file ``path`` that ``check --write-baseline`` writes: one ``justified`` entry
    for each finding (named by ``file_call``), but where ``kept`` (the file as it was) already judges the
    finding: that entry stays, with its status and reason."""
    root = Path(path).resolve().parent
    calls: dict[str, tuple[str, tuple[str, ...]]] = {}  # a file's path → (its name here, its names in kept)
    entries: dict[tuple[str, str, str], Entry] = {}
    for f in findings:
        if f.path not in calls:
            calls[f.path] = (file_call(f.path, root), kept.calls_of_file(f.path))
        call, known_as = calls[f.path]
        found = (kept.match(c, f.violation.rule, f.turn.text) for c in known_as)
        entry = next((e for e in found if e is not None), None)
        entry = entry_of(call, f, "justified") if entry is None else replace(entry, call=call)
        entries.setdefault((call, entry.rule, text_key(entry.text)), entry)
    return dump_baseline(list(entries.values()))


def write_baseline(path: str, text: str) -> None:
    """Write a baseline file atomically, making its directory. Raises ConfigError naming the file."""
    try:
        Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write the baseline: {exc.strerror}", path) from None


def entry_of(
    call: str, finding: Finding, status: str, reason: str = "", by: str = "", date: str = ""
) -> Entry:
    """The entry that judges ``finding`` (in conversation ``call``)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    return Entry(call, finding.violation.rule, finding.turn.text, status, reason, by, date)


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file. Raises ConfigError naming the file (and the entry) for anything wrong."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError("baseline file not found", name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the baseline file: {exc}", name) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg}", name, exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ConfigError('a baseline file is a JSON object with a list "entries"', name, 1)
    if data.get("version", VERSION) != VERSION:
        raise ConfigError(f"unknown baseline version {data.get('version')!r} (known: {VERSION})", name, 1)
    return Baseline(tuple(_entry(item, n, name) for n, item in enumerate(data["entries"], 1)), name)


def _entry(item: Any, n: int, path: str) -> Entry:
    where = f"entry {n}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where} is not an object", path)
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(sorted(_KEYS))})", path)
    for key in ("call", "rule", "text", "status"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ConfigError(f"{where}: '{key}' must be a non-empty text", path)
    for key in ("reason", "by", "date"):
        if key in item and not isinstance(item[key], str):
            raise ConfigError(f"{where}: '{key}' must be a text", path)
    if item["status"] not in STATUSES:
        raise ConfigError(f"{where}: 'status' must be one of {', '.join(STATUSES)}", path)
    return Entry(**{k: v.strip() if k != "text" else v for k, v in item.items()})


def dump_baseline(entries: Sequence[Entry]) -> str:
    """The text of a baseline file holding ``entries`` (sorted, so that a file under version control diffs
    well)."""
    ordered = sorted(entries, key=lambda e: (e.call, e.rule, text_key(e.text)))
    data: Mapping[str, Any] = {"version": VERSION, "entries": [e.as_dict() for e in ordered]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
