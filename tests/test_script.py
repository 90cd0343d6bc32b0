"""Conversion into a traditional script: OpenCC's converters run one after the other (s2t, then the Taiwan or
Hong Kong variants) give what OpenCC's one-step s2tw and s2hk give, so the phrase tables are loaded once."""

from __future__ import annotations

import functools

import opencc
import pytest
from devtexts import development_texts
from hypothesis import given, settings
from hypothesis import strategies as st

from phraselint.engine import script

ONE_STEP = {"traditional": "s2t", "tw": "s2tw", "hk": "s2hk"}


@functools.cache
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _reference(text: str, name: str) -> str:
    out: str = _opencc(ONE_STEP[name]).convert(text)
    for wrong, right in script._corrections():
        out = out.replace(wrong, right)
    return out


@pytest.mark.parametrize("name", ["traditional", "tw", "hk"])
def test_every_development_utterance_converts_as_opencc_converts_it_in_one_step(name: str) -> None:
    """All the development sets' utterances (52,000 in every script and dialect), first made simplified."""
    to_simplified = _opencc("t2s")
    block = "\n".join(to_simplified.convert(t) for t in development_texts())
    assert script._to_script(block, name) == _reference(block, name)


# the characters OpenCC's Taiwan and Hong Kong variants change, and phrases of s2t that meet them
_VARIANT_HEAVY = "里裡着著为為线線台臺群羣眾众峰峯床牀衞卫奸姦裏説说脱脫稅税悦悅温溫吞呑户戶没沒别別查查才材布佈干幹后後面麵发髮"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_VARIANT_HEAVY + "的了是在我你他头复杂系统"), min_size=1, max_size=30)
)
def test_any_text_converts_as_opencc_converts_it_in_one_step(text: str) -> None:
    for name in ONE_STEP:
        assert script._to_script(text, name) == _reference(text, name)


def _detected_with_one_step_converters(text: str) -> str:
    """detect_script as it was with OpenCC's s2t, s2tw and s2hk each run on the simplified text."""
    n_trad, n_simp = script.evidence(text)
    if n_trad <= n_simp:
        return "simplified"
    base = _opencc("t2s").convert(text)
    scores = {n: sum(a == b for a, b in zip(_opencc(c).convert(base), text)) for n, c in ONE_STEP.items()}
    return max(scores, key=lambda n: (scores[n], -list(ONE_STEP).index(n)))


def test_every_development_utterance_is_found_in_the_script_one_step_converters_find() -> None:
    texts = [t for t in development_texts() if script.evidence(t)[0]]  # (the rest are simplified either way)
    assert len(texts) > 10_000
    assert [script.detect_script(t) for t in texts] == [_detected_with_one_step_converters(t) for t in texts]
    assert script.detect_script("這裡是臺灣，謝謝") == "tw"
    assert script.detect_script("这个身份证要重新办理") == "simplified"


def test_only_one_converter_with_the_phrase_tables_is_loaded() -> None:
    script.converter.cache_clear()
    script._to_script_remembered.cache_clear()
    script.detect_script("這裏係香港，唔該晒")
    script.to_script("请稍等，我马上给您办理", "tw")
    script.to_script("请稍等，我马上给您办理", "hk")
    assert script.converter.cache_info().currsize == 4
    hits = script.converter.cache_info().hits
    for config in ("t2s", "s2t", "t2tw", "t2hk"):  # the four loaded: each asked again is found
        script.converter(config)
    assert script.converter.cache_info().hits == hits + 4
