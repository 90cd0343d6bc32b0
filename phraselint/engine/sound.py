"""Sound: every Chinese character as the syllable it is read with, so that a homophone or near-homophone
slip of ASR or pinyin input (不只道 for 不知道, 下般 for 下班) matches the words it stands for.

The readings come from pypinyin's character table (the first, most common reading of each character); the
tones are dropped and the near-homophones that ASR and fuzzy pinyin input confuse are merged by the rules
under ``homophones`` in ``rules/normalize.yml`` (zh/z, ch/c, sh/s, ing/in, eng/en). Each syllable becomes one
private-use character, so the sound of a text has the same length as the text and the same positions.
"""

from __future__ import annotations

import functools
import pickle
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..data.cache import cached, code_fingerprint, installed_version, key_of
from ..data.catalogue import builtin_rules_dir, key_line, read_yaml
from ..errors import CatalogueError

_FIRST_SYLLABLE = 0xE000  # the private-use area: never a character of real text we match


@dataclass(frozen=True)
class Sounds:
    """The sound table, the shortest pattern (in characters) that is also matched by sound, and the characters
    of grammar (了, 的) by which alone a slip is not known."""

    table: dict[int, str]
    min_length: int
    grammar: frozenset[str] = frozenset()

    def fingerprint(self) -> bytes:
        """The table as bytes, for the keys of values built from it: its pickle (the same table, loaded from
        the cache or built, pickles the same), a tenth of the time of the repr of its sorted items."""
        return pickle.dumps(self.table, protocol=4)

    def of(self, text: str) -> str:
        """The sound of ``text``: same length, every Chinese character replaced by its syllable."""
        return text.translate(self.table)


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading.replace("ü", "v"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _fuzzy(syllable: str, initials: dict[str, str], finals: dict[str, str]) -> str:
    for a, b in initials.items():
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in finals.items():
        if syllable.endswith(a):
            syllable = syllable[: -len(a)] + b
            break
    return syllable


@functools.lru_cache(maxsize=2)
def sounds(rules_dir: str | None = None) -> Sounds:
    path = Path(rules_dir) if rules_dir else builtin_rules_dir()
    source = (path / "normalize.yml").read_bytes()
    # pypinyin's version from its metadata: importing it to ask costs a fifth of a second (its dictionaries)
    key = key_of([source, installed_version("pypinyin", "pypinyin"), code_fingerprint()])
    return cached("sounds", key, lambda: _build(path))


def _pinyin_dict() -> dict[int, str]:
    """pypinyin's character table (code point → its readings), without importing pypinyin itself: the package
    loads its phrase tables too (some 45 MB, none of which the table needs), and they stayed loaded for the rest
    of the process, through the building of the finder's plan and automata (issue 13: the first run's peak).
    Its module ``pypinyin.pinyin_dict`` is run from its file on its own, the same code and data; where it is not
    found as a file, pypinyin is imported as before."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pypinyin")  # (finds the package without running it)
    except (ImportError, ValueError):
        spec = None
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        module_spec = importlib.util.spec_from_file_location(
            "_phraselint_pinyin_dict", Path(folder) / "pinyin_dict.py"
        )
        if module_spec is None or module_spec.loader is None or not Path(module_spec.origin or "").is_file():
            continue
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        table: dict[int, str] = module.pinyin_dict
        return table
    from pypinyin.pinyin_dict import pinyin_dict

    return dict(pinyin_dict)


def _build(path: Path) -> Sounds:
    pinyin_dict = _pinyin_dict()
    data = read_yaml(path / "normalize.yml").get("homophones") or {}
    initials = {str(k): str(v) for k, v in (data.get("initials") or {}).items() if k != "__line__"}
    finals = {str(k): str(v) for k, v in (data.get("finals") or {}).items() if k != "__line__"}
    min_length = int(data.get("min_length", 3))
    grammar = data.get("grammar") or ""
    if not isinstance(grammar, str):
        raise CatalogueError(
            "'grammar' must be a string of characters", str(path / "normalize.yml"), key_line(data, "grammar")
        )
    # The longest spelling first, so that zh is merged before z would be.
    initials = dict(sorted(initials.items(), key=lambda kv: -len(kv[0])))
    finals = dict(sorted(finals.items(), key=lambda kv: -len(kv[0])))
    ids: dict[str, str] = {}
    table: dict[int, str] = {}
    for code, readings in sorted(pinyin_dict.items()):
        if code > 0xFFFF:
            continue
        first = readings.split(",")[0]
        syllable = _fuzzy(_toneless(first), initials, finals)
        if not syllable.isalpha():
            continue
        table[code] = ids.setdefault(syllable, chr(_FIRST_SYLLABLE + len(ids)))
    return Sounds(table, min_length, frozenset(grammar))
