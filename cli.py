"""Run phraselint from a checkout: ``python cli.py check transcript.txt`` does what ``phraselint check …`` does."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from phraselint.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
