"""``python -m phraselint``: the command line, as ``phraselint``."""

from phraselint.cli import main

if __name__ == "__main__":
    main(prog_name="phraselint")
