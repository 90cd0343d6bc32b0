"""``python -m phraselint``: the command line, as ``phraselint``."""

from phraselint.cli import run

if __name__ == "__main__":
    run()
