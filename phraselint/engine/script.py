"""The script of a text (simplified, traditional, Taiwan or Hong Kong forms) and conversion into it."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ..model import SLOT_RE

if TYPE_CHECKING:
    import opencc

SCRIPTS: tuple[str, ...] = ("simplified", "traditional", "tw", "hk")
# Each script as OpenCC's converters applied one after the other. OpenCC's s2tw and s2hk are its s2t followed by
# the Taiwan or Hong Kong variants (t2tw, t2hk): run so, the phrase tables of s2t are loaded once, not three times
# (27 MB each time, issue 13: peak memory), and the same text comes out (tests/test_script.py).
_TO_SCRIPT: dict[str, tuple[str, ...]] = {
    "traditional": ("s2t",),
    "tw": ("s2t", "t2tw"),
    "hk": ("s2t", "t2hk"),
}


@functools.lru_cache(maxsize=8)
def converter(config: str) -> opencc.OpenCC:
    """OpenCC's converter ``config``, its dictionaries loaded on first need (s2t's take 27 MB and a tenth of a
    second, the others a megabyte or two: only a text in traditional script, or a rewrite into one, needs
    them)."""
    import opencc

    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=8)
def _changed_by(config: str) -> frozenset[str]:
    """The characters OpenCC's ``config`` converts: t2s gives traditional-only ones, s2t simplified-only ones."""
    from .normalize import opencc_char_map

    return frozenset(opencc_char_map(config))


def evidence(text: str) -> tuple[int, int]:
    """How many characters of ``text`` only traditional script uses, and how many only simplified uses."""
    n_trad = sum(map(_changed_by("t2s").__contains__, text))  # (a look-up per character, at C speed)
    n_simp = sum(map(_simplified_only().__contains__, text)) if n_trad else 0
    return n_trad, n_simp


@functools.lru_cache(maxsize=1)
def _simplified_only() -> frozenset[str]:
    """The characters that only simplified script uses: converted by every one of s2t, s2tw and s2hk (台 is
    not: Taiwan and Hong Kong write it too). Kept on disk beside OpenCC's maps, by the same key: reading
    the three maps to intersect them took 2 ms of a cold start (a text in no script asks for it)."""
    from ..data.cache import cached, code_fingerprint, installed_version, key_of

    key = key_of(["s2t & s2tw & s2hk", installed_version("opencc", "opencc"), code_fingerprint()])
    return cached(
        "simplified-only", key, lambda: _changed_by("s2t") & _changed_by("s2tw") & _changed_by("s2hk")
    )


def detect_script(text: str, default: str | None = None) -> str:
    """'simplified' unless the text has more traditional-only than simplified-only characters; then the
    traditional standard whose forms match the text best: 'tw', 'hk' or plain 'traditional'. A text with no
    character of either kind (不知道。) is in ``default`` (the script of its file), else simplified."""
    n_trad, n_simp = evidence(text)
    if n_trad == 0 and default is not None and not any(map(_simplified_only().__contains__, text)):
        return default
    if n_trad <= n_simp:
        return "simplified"
    traditional = _converted(converter("t2s").convert(text), ("s2t",))
    best, best_score = "traditional", -1
    for script in ("traditional", "tw", "hk"):
        candidate = _converted(traditional, _TO_SCRIPT[script][1:])  # (s2t done once for the three)
        score = sum(1 for a, b in zip(candidate, text) if a == b)
        if score > best_score:
            best, best_score = script, score
    return best


@functools.lru_cache(maxsize=1)
def _corrections() -> tuple[tuple[str, str], ...]:
    from ..data.catalogue import builtin_rules_dir, read_yaml

    data = read_yaml(builtin_rules_dir() / "normalize.yml").get("script_corrections") or {}
    return tuple((str(k), str(v)) for k, v in data.items() if k != "__line__")


def requested_script(name: str | None) -> str | None:
    """The script a user or a request asks for: None, each text's own, for ``auto`` or no choice."""
    return None if name == "auto" else name


def to_script(text: str, script: str) -> str:
    """``text`` (simplified) in ``script``."""
    if script == "simplified" or not text:
        return text
    if len(text) <= 200:  # the catalogue's messages and rewrites, converted again and again: remembered
        return _to_script_remembered(text, script)
    return _to_script(text, script)


@functools.lru_cache(maxsize=4096)
def _to_script_remembered(text: str, script: str) -> str:
    return _to_script(text, script)


def _converted(text: str, configs: tuple[str, ...]) -> str:
    """``text`` through OpenCC's converters ``configs``, one after the other."""
    for config in configs:
        text = converter(config).convert(text)
    return text


def _to_script(text: str, script: str) -> str:
    out = _converted(text, _TO_SCRIPT[script])
    for wrong, right in _corrections():
        out = out.replace(wrong, right)
    return out


def render(template: str, script: str, values: dict[str, str]) -> str:
    """A rewrite template in ``script`` with its slots filled from ``values`` where known (others stay
    as ``{slot}``, the slot name in the same script)."""
    out: list[str] = []
    pos = 0
    for m in SLOT_RE.finditer(template):
        out.append(to_script(template[pos : m.start()], script))
        name = m.group(1)
        out.append(values[name] if values.get(name) else "{" + to_script(name, script) + "}")
        pos = m.end()
    out.append(to_script(template[pos:], script))
    return "".join(out)
