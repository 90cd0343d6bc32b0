"""The loader: well-formed catalogues load into immutable entries; every kind of mistake is a one-line error
naming the file, the line and the field."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from phraselint.data.catalogue import load_catalogue, service_codes
from phraselint.data.rule_tests import load_verified, run_examples
from phraselint.errors import CatalogueError

GOOD_RULE = """\
version: 1
rules:
  - id: org-lazy
    phrase: 懒得管
    situation: answering
    category: 冷漠
    severity: error
    message: 冷漠推诿。
    scope: word
    rewrites:
      - ref: let-me-check
      - text: 这件事我来帮您处理。
    examples:
      flag: [这事我懒得管。]
      pass: [他一点也不懒,得管的都管了]
"""


def write(tmp_path: Path, text: str, name: str = "org.yml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_builtin_catalogue_loads() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.rules) >= 50
    assert len(catalogue.standard) >= 100
    rule = catalogue.rules[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.id = "x"  # type: ignore[misc]


def test_builtin_examples_and_rewrites_pass() -> None:
    failures = run_examples(load_catalogue())
    assert not failures, "\n".join(map(str, failures))


def test_an_organisation_rule_file_extends_the_catalogue(tmp_path: Path) -> None:
    catalogue = load_catalogue([write(tmp_path, GOOD_RULE)])
    assert catalogue.rule("org-lazy").rewrites[0].ref == "let-me-check"
    assert catalogue.rule("org-lazy").rewrites[0].text == catalogue.phrase("let-me-check").text


def test_an_organisation_rule_overrides_a_builtin_one_by_id(tmp_path: Path) -> None:
    builtin = load_catalogue().rule("dont-know")
    text = GOOD_RULE.replace("id: org-lazy", "id: dont-know").replace("severity: error", "severity: info")
    catalogue = load_catalogue([write(tmp_path, text)])
    assert catalogue.rule("dont-know").severity == "info"
    assert catalogue.rule("dont-know").phrase == "懒得管" != builtin.phrase
    assert len(catalogue.rules) == len(load_catalogue().rules)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("situation: answering", "situation: 受里"), "org.yml:3: rule 'org-lazy': unknown situation '受里'"),
        (("severity: error", "severity: fatal"), "org.yml:3: rule 'org-lazy': unknown severity 'fatal'"),
        (("scope: word", "scope: sentence"), "org.yml:3: rule 'org-lazy': unknown scope 'sentence'"),
        (("phrase: 懒得管", "phrase: ''"), "org.yml:3: rule 'org-lazy': empty 'phrase'"),
        (("phrase: 懒得管", "phrase: 去找{科室}"), "org.yml:3: rule 'org-lazy': unknown slot '{科室}'"),
        (
            ("- ref: let-me-check", "- ref: no-such-phrase"),
            "rewrite refers to unknown standard phrase 'no-such-phrase'",
        ),
        (("    message: 冷漠推诿。\n", ""), "org.yml:3: rule 'org-lazy': missing field 'message'"),
        (("    scope: word", "    scope: word\n    colour: red"), "unknown field 'colour'"),
        (("      pass: [他一点也不懒,得管的都管了]\n", ""), "needs at least one 'flag' and one 'pass'"),
        (
            ("    rewrites:\n      - ref: let-me-check\n      - text: 这件事我来帮您处理。\n", ""),
            "no 'rewrites'",
        ),
    ],
)
def test_mistakes_are_named_with_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD_RULE
    path = write(tmp_path, GOOD_RULE.replace(old, new))
    with pytest.raises(CatalogueError) as info:
        load_catalogue([path])
    assert expected in str(info.value)
    assert str(info.value).startswith(path)
    assert "\n" not in str(info.value)


def test_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    rule = GOOD_RULE.split("rules:\n")[1]
    path = write(tmp_path, GOOD_RULE + rule)
    with pytest.raises(CatalogueError, match=r"org\.yml:16: rule 'org-lazy': duplicate id"):
        load_catalogue([path])


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace("    scope: word", "    scope: [word"))
    with pytest.raises(CatalogueError, match=r"org\.yml:\d+: malformed YAML"):
        load_catalogue([path])


def test_yes_and_no_are_words_not_booleans(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace("id: org-lazy", "id: no"))
    assert load_catalogue([path]).rule("no").id == "no"


def test_a_rule_whose_examples_fail_does_not_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, GOOD_RULE.replace("flag: [这事我懒得管。]", "flag: [这事我不想管。]"))
    with pytest.raises(
        CatalogueError, match=r"rule 'org-lazy': flag example '这事我不想管。' is not flagged"
    ):
        load_verified([path])
    bad_pass = GOOD_RULE.replace("pass: [他一点也不懒,得管的都管了]", "pass: [我懒得管]")
    with pytest.raises(CatalogueError, match=r"pass example '我懒得管' is flagged but must not be"):
        load_verified([write(tmp_path, bad_pass, "org2.yml")])


def test_a_rewrite_that_is_itself_forbidden_fails(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace("这件事我来帮您处理。", "懒得管,不知道。"))
    failures = run_examples(load_catalogue([path]))
    assert any(f.rule == "org-lazy" and f.kind == "rewrite" for f in failures)


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="must be a mapping"):
        load_catalogue([write(tmp_path, "- just\n- a list\n")])


def test_missing_file() -> None:
    with pytest.raises(CatalogueError, match="nope.yml: rule file not found"):
        load_catalogue(["nope.yml"])


def test_the_codes_come_from_codes_yml_and_match_the_docs() -> None:
    codes = service_codes()
    docs = (Path(__file__).resolve().parents[1] / "docs" / "catalogue.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(\d{3})` \| (.+?) \|$", docs, re.MULTILINE))
    assert codes == table and len(codes) == 5


def test_a_source_citing_an_unknown_code_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD_RULE.replace("rewrites:", "sources: [{code: '999', clause: 一}]\n    rewrites:")
    )
    with pytest.raises(
        CatalogueError, match=r"org\.yml:\d+: rule 'org-lazy': unknown code '999' \(known: 000,"
    ):
        load_catalogue([path])


def test_a_bad_codes_yml_is_named_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from phraselint.data import catalogue

    monkeypatch.setattr(catalogue, "builtin_rules_dir", lambda: tmp_path)
    (tmp_path / "codes.yml").write_text('version: 1\ncodes:\n  "001": 守则\n  002: 手册\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"codes\.yml:4: 'codes': the name 2 must be text"):
        catalogue.read_texts("codes.yml", "codes")
    (tmp_path / "codes.yml").write_text(
        'version: 1\ncodes:\n  "001": 守则\n  "002": [手册]\n', encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match=r"codes\.yml:4: 'codes': field '002' must be text"):
        catalogue.read_texts("codes.yml", "codes")


def test_yaml_kept_on_disk_reads_as_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data file is parsed once and kept in the cache, keyed by its text: read again, from the cache, from a
    corrupt cache, with no cache to write to, or changed, it reads as the file does (lines included); a
    malformed file is never served from the cache."""
    from phraselint.data.catalogue import key_line, read_yaml

    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    path = write(tmp_path, GOOD_RULE)
    first = read_yaml(path)
    kept = list((cache / "phraselint").glob("yaml-*.pickle"))
    assert len(kept) == 1
    again = read_yaml(path)
    assert again == first and again is not first
    rule = again["rules"][0]
    assert key_line(rule, "phrase") == key_line(first["rules"][0], "phrase") == 4
    kept[0].write_bytes(b"not a pickle")
    assert read_yaml(path) == first
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path(path)))  # a file: no cache folder can be made
    changed = write(tmp_path, GOOD_RULE.replace("org-lazy", "org-idle"))
    assert read_yaml(changed)["rules"][0]["id"] == "org-idle"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert read_yaml(changed)["rules"][0]["id"] == "org-idle"  # the same path, its new text
    with pytest.raises(CatalogueError, match=r"org.yml:\d+: malformed YAML"):
        read_yaml(write(tmp_path, GOOD_RULE.replace("  - id: org-lazy\n", "  - id: [org-lazy\n", 1)))
