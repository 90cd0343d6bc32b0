"""The finder's plan (phraselint/engine/find.py): what it derives from the catalogue is what the plain
definition gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from phraselint.engine.find import _DialectWords


def said_in_dialect(anchor: str, sources: dict[str, list[str]]) -> set[str]:
    """The definition: every dialect word is tried against the anchor (what the index must give)."""
    said: set[str] = set()
    for target, keys in sources.items():
        for key in keys:
            if target in anchor:
                said.add(anchor.replace(target, key))
                said.add(anchor.replace(target, key, 1))
            elif anchor in target:
                said.add(key)
            else:
                for n in range(1, min(len(anchor), len(target))):
                    if target.endswith(anchor[:n]):
                        said.add(key + anchor[n:])
                    if target.startswith(anchor[-n:]):
                        said.add(anchor[:-n] + key)
    return said


# few characters, so that words overlap, repeat and contain each other as the fold's do (唔 知 知道 不知道)
words = st.text(alphabet="不知道吃饭唔食緊", min_size=1, max_size=5)


@given(
    st.dictionaries(words, st.lists(words, min_size=1, max_size=3), max_size=8),
    st.lists(st.text(alphabet="不知道吃饭唔食緊", max_size=7), max_size=6),
)
def test_the_dialect_index_says_each_anchor_as_every_word_tried_in_turn(
    sources: dict[str, list[str]], anchors: list[str]
) -> None:
    index = _DialectWords(sources)
    for anchor in anchors:
        said: set[str] = set()
        index.said(anchor, said)
        assert said == said_in_dialect(anchor, sources)
