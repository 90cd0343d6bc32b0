"""The on-disk cache (phraselint.data.cache): values found again by their key, bounded in size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phraselint.data import cache


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "phraselint"


def test_a_value_is_built_once_and_found_again(folder: Path) -> None:
    built: list[int] = []
    assert cache.cached("thing", "k1", lambda: built.append(1) or 42) == 42
    assert cache.cached("thing", "k1", lambda: built.append(1) or 43) == 42
    assert built == [1]


def test_only_the_newest_values_of_a_kind_are_kept(folder: Path) -> None:
    for n in range(cache.KEEP + 3):
        cache.cached("thing", f"k{n}", lambda n=n: n)
        os.utime(folder / f"thing-k{n}.pickle", (1000 + n, 1000 + n))
    cache.cached("other", "x", lambda: "other kind")
    cache.cached("thing", "newest", lambda: "new")
    kept = sorted(p.name for p in folder.glob("thing-*.pickle"))
    assert len(kept) == cache.KEEP and "thing-newest.pickle" in kept and "thing-k0.pickle" not in kept
    assert (folder / "other-x.pickle").exists()  # another kind is left alone


def test_a_corrupt_value_is_built_again(folder: Path) -> None:
    cache.cached("thing", "k", lambda: 1)
    (folder / "thing-k.pickle").write_bytes(b"not a pickle")
    assert cache.cached("thing", "k", lambda: 2) == 2


def test_a_value_read_again_is_kept_before_newer_ones_not_read(folder: Path) -> None:
    """The values kept are those used last: one read at every run outlives values built once since."""
    cache.cached("thing", "daily", lambda: "daily")
    os.utime(folder / "thing-daily.pickle", (500, 500))
    for n in range(cache.KEEP - 1):
        cache.cached("thing", f"k{n}", lambda n=n: n)
        os.utime(folder / f"thing-k{n}.pickle", (1000 + n, 1000 + n))
    assert cache.cached("thing", "daily", lambda: "built again") == "daily"  # read: used now
    cache.cached("thing", "one-off", lambda: "one-off")
    kept = {p.name for p in folder.glob("thing-*.pickle")}
    assert len(kept) == cache.KEEP and "thing-daily.pickle" in kept and "thing-k0.pickle" not in kept
    assert cache.cached("thing", "daily", lambda: "built again") == "daily"


@pytest.mark.parametrize(
    ("distribution", "module"), [("PyYAML", "yaml"), ("pypinyin", "pypinyin"), ("opencc", "opencc")]
)
def test_installed_version_is_the_metadata_version(distribution: str, module: str) -> None:
    from importlib.metadata import version

    assert cache.installed_version(distribution, module) == version(distribution)


def test_installed_version_of_what_is_not_installed_is_empty() -> None:
    assert cache.installed_version("no-such-distribution-here", "no_such_module_here") == ""


def test_the_context_kept_on_disk_is_the_context_built(folder: Path) -> None:
    """context.yml's patterns are compiled once and kept: what a later start loads is what it would build."""
    from phraselint.engine import context
    from phraselint.engine.lexicon import load_lexicon

    lexicon = load_lexicon(())
    context.load_context.cache_clear()
    try:
        first = context.load_context(lexicon)
        assert list(folder.glob("context-*.pickle"))
        context.load_context.cache_clear()
        again = context.load_context(lexicon)
    finally:
        context.load_context.cache_clear()
    assert again == first == context._build_context(lexicon, context.builtin_rules_dir())
    assert again is not first
