"""A small on-disk cache for values that are slow to build and fully determined by their inputs (the folding
table, a parsed catalogue): keyed by a hash of those inputs, written atomically, rebuilt when unreadable."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from .files import write_atomic

T = TypeVar("T")


def cache_dir() -> Path:
    """phraselint's one cache folder: under ``$XDG_CACHE_HOME`` when it is set (on every system), else the
    user cache directory (platformdirs: ~/.cache/phraselint on Linux)."""
    root = os.environ.get("XDG_CACHE_HOME")
    if root:
        return Path(root) / "phraselint"
    import platformdirs

    return platformdirs.user_cache_path("phraselint", appauthor=False)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """A digest of the source of the package itself: a cached value built by other code is not the same value.
    Read once a process (every cached value's key asks for it: reading the package's hundred files again for
    each cost a few ms at every start)."""
    here = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*.py")):
        digest.update(path.relative_to(here).as_posix().encode() + b"\0")
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


@functools.lru_cache(maxsize=8)
def installed_version(distribution: str, module: str) -> str:
    """The version of the installed ``distribution`` (for cache keys), read from the name of its ``.dist-info``
    folder beside ``module``, which is not imported: importing importlib.metadata and its scan of the whole
    path cost 20-30 ms at every start. Else importlib.metadata's answer, else "" (not installed)."""
    import importlib.util

    wanted = _distribution_name(distribution)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        origin = Path(spec.origin)
        # a package's __init__.py stands one folder deeper than a single module or extension
        folder = origin.parent.parent if spec.submodule_search_locations is not None else origin.parent
        try:
            for entry in os.scandir(folder):
                if entry.name.endswith(".dist-info"):
                    name, _, version = entry.name[: -len(".dist-info")].partition("-")
                    if _distribution_name(name) == wanted and version:
                        return version
        except OSError:
            pass
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as metadata_version

    try:
        return metadata_version(distribution)
    except PackageNotFoundError:
        return ""


def _distribution_name(name: str) -> str:
    """A distribution's name as packaging normalises it (PyYAML, pyyaml and py_yaml are one)."""
    return "".join("-" if ch in "-_." else ch for ch in name.lower())


def key_of(parts: Iterable[str | bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:32]


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """The value stored for ``(kind, key)``, else ``build()`` stored for next time. Never fails for the cache:
    an unreadable, unwritable or corrupt cache just means building again."""
    path = cache_dir() / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as fh:
            stored: T = pickle.load(fh)  # noqa: S301 - our own file, named by the hash of its inputs
    except Exception:  # noqa: BLE001 - any problem with the cache means: build
        pass
    else:
        try:
            os.utime(path)  # used now: the values kept are the last used, not the last built
        except OSError:
            pass
        return stored
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # pickled straight into the file: the automata's 24 MB were held a second time as bytes (the first
        # run's peak)
        write_atomic(path, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(path.parent, kind)
    except OSError:
        pass
    return value


KEEP = 4  # values kept per kind: the last used; each change of the rules or the code makes new ones


def _prune(folder: Path, kind: str) -> None:
    """Remove all but the :data:`KEEP` values of ``kind`` used last (a value's file time is when it was last
    built or read): without it, every edit of a rule file or upgrade left its files behind (the compiled
    catalogue is some 17 MB); by last use, not last build, so that the values of a few one-off settings do
    not push out the one used at every run."""
    stored = []
    for p in folder.glob(f"{kind}-*.pickle"):
        try:
            stored.append((p.stat().st_mtime, p))
        except OSError:
            continue
    for _mtime, p in sorted(stored, reverse=True)[KEEP:]:
        try:
            p.unlink()
        except OSError:
            pass
