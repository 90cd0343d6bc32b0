"""``python -m phraselint.spark INPUT OUTPUT`` (or ``spark-submit -m``-style: ``spark-submit
phraselint/spark/__main__.py INPUT OUTPUT``): read a table of utterances, write findings, scores and errors."""

from __future__ import annotations

from phraselint.spark.command import main  # absolute: spark-submit runs this file as a script

if __name__ == "__main__":
    main()
