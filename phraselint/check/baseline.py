"""A baseline: the findings a team has accepted for now, so that ``check --baseline FILE`` reports only new
ones (``--write-baseline`` records the current findings). The format is described in docs/baseline.md.

A finding is known by its file, its rule and the fold of the words it matched (script, width and noise
folded, so that a line moved, re-wrapped or re-typed in the other script is still the same finding), with a
count: a file that had the same finding twice may have it twice, and a third is new. Paths are relative to the
baseline file's directory, with ``/``, so the file can be committed and used from any working directory.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data.files import write_atomic
from ..engine.normalize import fold
from ..errors import ConfigError
from .files import Finding

VERSION = 1
Key = tuple[str, str, str]  # (path relative to the baseline, rule id, fold of the matched text)


def relative_path(path: str, root: Path) -> str:
    """``path`` as the baseline records it: relative to ``root`` with ``/``; standard input stays ``-``."""
    if path == "-":
        return path
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, root)).as_posix()


def key_of(finding: Finding, root: Path, paths: dict[str, str] | None = None) -> Key:
    """The finding's key; ``paths`` caches each path's relative form (resolving a path costs system calls, and
    a file has many findings)."""
    if paths is None:
        paths = {}
    path = paths.get(finding.path)
    if path is None:
        path = paths[finding.path] = relative_path(finding.path, root)
    return (path, finding.violation.rule, fold(finding.violation.text))


@dataclass
class Baseline:
    """The accepted findings by key, with how many of each; ``root`` is the baseline file's directory."""

    root: Path
    counts: Counter[Key] = field(default_factory=Counter)

    @classmethod
    def of(cls, findings: Iterable[Finding], root: Path) -> Baseline:
        paths: dict[str, str] = {}
        return cls(root, Counter(key_of(f, root, paths) for f in findings))

    @classmethod
    def load(cls, path: str) -> Baseline:
        """Read a baseline file. Raises ConfigError, naming the file, for one that is missing or malformed."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(
                f"cannot read the baseline: {exc.strerror} (write one with --write-baseline)", path
            ) from None
        except ValueError as exc:
            raise ConfigError(f"the baseline is not JSON: {exc}", path) from None
        if (
            not isinstance(data, dict)
            or data.get("version") != VERSION
            or not isinstance(data.get("findings"), list)
        ):
            raise ConfigError(
                f"not a phraselint baseline of version {VERSION} (write it again with --write-baseline)", path
            )
        counts: Counter[Key] = Counter()
        for i, entry in enumerate(data["findings"], 1):
            if not (
                isinstance(entry, dict)
                and all(isinstance(entry.get(k), str) for k in ("path", "rule", "fold"))
                and isinstance(entry.get("count"), int)
                and entry["count"] > 0
            ):
                raise ConfigError(
                    f"entry {i} needs a path, rule and fold (strings) and a count above 0", path
                )
            counts[(entry["path"], entry["rule"], entry["fold"])] += entry["count"]
        return cls(Path(path).resolve().parent, counts)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "findings": [
                {"path": p, "rule": r, "fold": t, "count": n} for (p, r, t), n in sorted(self.counts.items())
            ],
        }

    def write(self, path: str) -> None:
        text = json.dumps(self.as_json(), ensure_ascii=False, indent=2) + "\n"
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text.encode("utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot write the baseline: {exc.strerror}", path) from None

    def matcher(self) -> BaselineMatch:
        return BaselineMatch(self.root, Counter(self.counts))


@dataclass
class BaselineMatch:
    """One run against a baseline: each finding it knows uses up one of its count."""

    root: Path
    left: Counter[Key]
    paths: dict[str, str] = field(default_factory=dict)

    def known(self, finding: Finding) -> bool:
        key = key_of(finding, self.root, self.paths)
        if self.left[key] > 0:
            self.left[key] -= 1
            return True
        return False
