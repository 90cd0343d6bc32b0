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
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
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


EMPTY = Baseline(())


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
