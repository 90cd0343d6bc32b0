"""The shared lexicon (rules/lexicon.yml): named classes of words that patterns use, so that a rule written
once with ``<看见>`` or ``<明天>`` covers every verb of seeing and every word for a later day.

A class lists words; an entry may join literal characters and other classes (``没<看见>`` is 没看 没看见
没瞅见 …). Words are folded as the text is (simplified script, 你 for 您, particles dropped), so a class can be
written in any script.
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from typing import Any

from ..data.cache import cached, code_fingerprint, key_of
from ..data.catalogue import builtin_rules_dir, read_yaml
from ..errors import CatalogueError
from .normalize import fold_with_map, marked
from .pattern import BOUNDARY, Lexicon

MAX_WORDS = 2000  # the most words one class may expand to
_REF = re.compile(r"<([^<>]+)>")


def pattern_fold(text: str) -> str:
    """``text`` folded for a pattern: as the engine folds utterances, with its inner punctuation kept as a
    clause-boundary mark."""
    return marked(fold_with_map(text), BOUNDARY)[0]


def _expand(
    name: str,
    raw: dict[str, list[Any]],
    lines: dict[str, int],
    path: str,
    done: dict[str, tuple[str, ...]],
    stack: tuple[str, ...],
) -> tuple[str, ...]:
    if name in done:
        return done[name]
    if name in stack:
        raise CatalogueError(
            f"lexicon class <{name}> refers to itself through {' → '.join(stack)}", path, lines[name]
        )
    words: list[str] = []
    for entry in raw[name]:
        if not isinstance(entry, str) or not entry.strip():
            raise CatalogueError(
                f"lexicon class <{name}>: every word must be a non-empty string", path, lines[name]
            )
        pieces: list[tuple[str, ...]] = []
        pos = 0
        for m in _REF.finditer(entry):
            if m.start() > pos:
                pieces.append((entry[pos : m.start()],))
            ref = m.group(1)
            if ref not in raw:
                raise CatalogueError(
                    f"lexicon class <{name}>: unknown class <{ref}> in '{entry}'", path, lines[name]
                )
            pieces.append(_expand(ref, raw, lines, path, done, (*stack, name)))
            pos = m.end()
        if pos < len(entry):
            pieces.append((entry[pos:],))
        if "<" in _REF.sub("", entry) or ">" in _REF.sub("", entry):
            raise CatalogueError(f"lexicon class <{name}>: malformed entry '{entry}'", path, lines[name])
        for combo in itertools.product(*pieces):
            words.append("".join(combo))
            if len(words) > MAX_WORDS:
                raise CatalogueError(
                    f"lexicon class <{name}> expands to more than {MAX_WORDS} words", path, lines[name]
                )
    folded = []
    for word in words:
        f = pattern_fold(word)
        if not f.strip(BOUNDARY):
            raise CatalogueError(f"lexicon class <{name}>: '{word}' folds to nothing", path, lines[name])
        folded.append(f)
    done[name] = tuple(dict.fromkeys(folded))
    return done[name]


@functools.lru_cache(maxsize=8)
def load_lexicon(paths: tuple[str, ...] = ()) -> Lexicon:
    """The built-in lexicon, extended (class by class) by the ``lexicon:`` sections of ``paths``. Kept on disk,
    keyed by the files' bytes: reading it means composing its YAML for line numbers and folding every word."""
    base = builtin_rules_dir() / "lexicon.yml"
    sources = [Path(f).read_bytes() if Path(f).is_file() else b"" for f in (str(base), *paths)]
    key = key_of([*sources, repr(paths), code_fingerprint()])
    return cached("lexicon", key, lambda: _load_lexicon(paths))


def _load_lexicon(paths: tuple[str, ...]) -> Lexicon:
    base = builtin_rules_dir() / "lexicon.yml"
    raw: dict[str, list[Any]] = {}
    lines: dict[str, int] = {}
    origin: dict[str, str] = {}
    for file in (str(base), *paths):
        if not Path(file).is_file():
            if file == str(base):
                continue
            raise CatalogueError("lexicon file not found", file)
        data = read_yaml(file)
        classes = data.get("classes") if file == str(base) else data.get("lexicon")
        if classes is None:
            continue
        if not isinstance(classes, dict):
            raise CatalogueError("'classes' must be a mapping of class names to lists of words", file, 1)
        for name, words in classes.items():
            if name == "__line__":
                continue
            line = _key_lines(file).get(str(name), int(classes.get("__line__", 1)))
            if not isinstance(words, list) or not words:
                raise CatalogueError(f"lexicon class <{name}> must be a non-empty list of words", file, line)
            raw[str(name)] = list(words)
            lines[str(name)] = line
            origin[str(name)] = file
    done: dict[str, tuple[str, ...]] = {}
    for name in raw:
        _expand(name, raw, lines, origin[name], done, ())
    fillers = done.get("filler", ())
    return Lexicon({k: v for k, v in done.items()}, fillers)


@functools.lru_cache(maxsize=16)
def _key_lines(file: str) -> dict[str, int]:
    """The line of every class name in ``file`` (read_yaml records the lines of mappings only)."""
    import yaml

    try:
        root = yaml.compose(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[str, int] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value in ("classes", "lexicon") and isinstance(value, yaml.MappingNode):
                for k, _ in value.value:
                    lines[str(k.value)] = k.start_mark.line + 1
    return lines
