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


def test_the_fold_kept_on_disk_is_the_fold_built(folder: Path) -> None:
    """The folding table is kept as one string (a dropped character as NUL) and made a table again."""
    import pickle

    from phraselint.data.catalogue import builtin_rules_dir
    from phraselint.engine.normalize import Folding, _build_folding

    built = _build_folding(builtin_rules_dir())
    again = pickle.loads(pickle.dumps(built))
    assert again == built and again.table == built.table and isinstance(again.table, tuple)
    assert again.fold("您好，不知道！") == built.fold("您好，不知道！")
    # whether it drops every white space is kept with it, as worked out from the table
    assert (
        again.__dict__["drops_spaces"]
        is built.drops_spaces
        is all(built.table[ord(ch)] is None for ch in map(chr, range(0x10000)) if ch.isspace())
    )
    # a table with an entry of two characters cannot be one string: it is kept as it is
    odd = Folding(("ab", None, "c"), frozenset())
    assert pickle.loads(pickle.dumps(odd)) == odd


def _finder_of(rules: list[object]) -> object:
    from phraselint.engine.find import Finder
    from phraselint.engine.lexicon import load_lexicon
    from phraselint.engine.sound import sounds

    return Finder(rules, load_lexicon(()), sounds())  # type: ignore[arg-type]


def _found(finder: object, texts: list[str]) -> list[object]:
    from phraselint.engine.normalize import fold_with_map, prefold

    return [
        (
            finder.has_candidate(prefold(t)),  # type: ignore[attr-defined]
            finder.viable(prefold(t)),  # type: ignore[attr-defined]
            [(c.pattern.rule.id, c.start, c.end, c.by_sound) for c in finder.candidates(fold_with_map(t))],  # type: ignore[attr-defined]
        )
        for t in texts
    ]


TEXTS = [
    "不知道，你去问别人吧",
    "您好，请稍等，我帮您查一下",
    "这个不归我管，你找隔壁",
    "唔知呀，你自己睇下啦",
]


def test_the_automata_kept_on_disk_find_what_they_found_when_built(folder: Path) -> None:
    """The automata's values are kept packed in two arrays: a later start finds exactly what the first did,
    after a corrupt file too (built again, no error)."""
    from phraselint.data.catalogue import load_catalogue

    rules = list(load_catalogue(()).rules)
    first = _found(_finder_of(rules), TEXTS)
    assert any(c for _, _, c in first)  # (the texts hold candidates)
    (stored,) = folder.glob("automata-*.pickle")
    assert _found(_finder_of(rules), TEXTS) == first  # loaded from the disk
    stored.write_bytes(stored.read_bytes()[:1000])  # cut short: corrupt
    assert _found(_finder_of(rules), TEXTS) == first  # built again
    assert _found(_finder_of(rules), TEXTS) == first  # and kept again


def test_a_rule_changed_makes_new_automata(folder: Path) -> None:
    """The key of the kept automata is the rules: after a change, the old ones are not used."""
    import dataclasses

    from phraselint.data.catalogue import load_catalogue

    rules = list(load_catalogue(()).rules)
    dont_know = next(k for k, r in enumerate(rules) if r.id == "dont-know")
    before = _found(_finder_of(rules), TEXTS)
    assert any(rule == "dont-know" for _, _, c in before for rule, *_ in c)
    changed = [*rules[:dont_know], *rules[dont_know + 1 :]]  # the rule taken out of the file
    after = _found(_finder_of(changed), TEXTS)
    assert not any(rule == "dont-know" for _, _, c in after for rule, *_ in c)
    assert len(list(folder.glob("automata-*.pickle"))) == 2
    renamed = [dataclasses.replace(r, id="dont-know-2") if r.id == "dont-know" else r for r in rules]
    assert any(rule == "dont-know-2" for _, _, c in _found(_finder_of(renamed), TEXTS) for rule, *_ in c)


def test_packed_values_are_the_values() -> None:
    import pickle

    from phraselint.engine.find import _Packed

    values = [(1, 2), (), (3,), (4, 5, 6)]
    packed = pickle.loads(pickle.dumps(_Packed.of(values)))
    assert list(packed) == values and len(packed) == 4
    assert [packed[k] for k in range(-4, 4)] == values + values
    assert packed[1:3] == values[1:3]
    with pytest.raises(IndexError):
        packed[4]


def test_the_patterns_kept_on_disk_are_the_patterns_built(folder: Path) -> None:
    """The finder's patterns are kept in chunks unpickled when first asked for: a later start has the same
    patterns in the same order, the patterns of one rule share it, and a pattern is one object however
    often it is asked for."""
    from phraselint.data.catalogue import load_catalogue

    rules = list(load_catalogue(()).rules)
    built = _finder_of(rules).patterns  # type: ignore[attr-defined]
    loaded = _finder_of(rules).patterns  # type: ignore[attr-defined]
    assert type(loaded).__name__ == "_Patterns" and len(loaded) == len(built) > 32
    assert loaded[-1] is loaded[len(loaded) - 1] and loaded[3:5] == [loaded[3], loaded[4]]
    assert list(loaded) == list(built)
    by_rule = {p.rule.id: p.rule for p in loaded}
    assert all(p.rule is by_rule[p.rule.id] for p in loaded)
    with pytest.raises(IndexError):
        loaded[len(loaded)]


def test_the_simplified_only_characters_kept_on_disk_are_the_maps_intersected(folder: Path) -> None:
    """The characters only simplified script uses are kept on disk: read again, they are the characters
    every one of OpenCC's s2t, s2tw and s2hk converts."""
    from phraselint.engine import script

    script._simplified_only.cache_clear()
    built = script._simplified_only()
    assert len(list(folder.glob("simplified-only-*.pickle"))) == 1
    script._simplified_only.cache_clear()
    again = script._simplified_only()
    assert (
        again == built == script._changed_by("s2t") & script._changed_by("s2tw") & script._changed_by("s2hk")
    )
    assert "们" in again and "台" not in again


def test_the_tone_model_kept_on_disk_is_the_model_read() -> None:
    """The tone model's weights are kept as one string of grams and one array of floats: the same grams,
    in the same order, with the same weights to the bit."""
    import pickle

    from phraselint.data.catalogue import builtin_rules_dir
    from phraselint.engine.tone import ToneModel, parse

    path = builtin_rules_dir() / "tone.tsv"
    model = parse(path.read_text(encoding="utf-8"), str(path))
    again = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == model and list(again.weights.items()) == list(model.weights.items())
    assert again.worst("你自己不会看啊，烦死了") == model.worst("你自己不会看啊，烦死了")
    odd = ToneModel({"a\0b": 1.5, "c": -0.25}, 1.0)  # a gram with the separator in it: kept as it is
    assert pickle.loads(pickle.dumps(odd)) == odd


def test_a_bad_list_in_context_yml_is_named_with_its_own_line(tmp_path: Path) -> None:
    """A key of rules/context.yml that is not a list of words is reported at the line of that key, not of the
    file's first mapping."""
    import shutil

    from phraselint.data.catalogue import builtin_rules_dir
    from phraselint.engine import context
    from phraselint.engine.lexicon import load_lexicon
    from phraselint.errors import CatalogueError

    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules)
    path = rules / "context.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("care_categories:"))
    lines[number - 1] = "care_categories: 5"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=rf"context\.yml:{number}: 'care_categories' must be a list of strings"
    ):
        context._build_context(load_lexicon(()), rules)
