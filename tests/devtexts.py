"""The development sets' utterances (tests/devsets/, every split), for the tests that run over all of them."""

from __future__ import annotations

from pathlib import Path

import yaml

DEVSETS = Path(__file__).parent / "devsets"


def development_texts() -> list[str]:
    """Every item's text, file by file in name order."""
    texts: list[str] = []
    for path in sorted(DEVSETS.glob("*.yml")):
        texts += [item["text"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]
    return texts
