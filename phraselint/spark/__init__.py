"""phraselint on Apache Spark: a warehouse of call transcripts (one row per utterance) checked call by call,
with the same findings and scores as ``phraselint check --conversation`` and ``phraselint report``.

```
utterances (call, agent, speaker, start, end, text) ─frame.prepare→ typed rows ─repartition and sort by call,
  mapInArrow→ calls.check_batches (a partition's Arrow batches, on an executor) → one row per call
  ─→ findings | scores | errors
```

``check_calls(df, Job(settings), Columns(...))`` is the library; ``python -m phraselint.spark INPUT OUTPUT``
(spark-submit ready) reads Parquet, JSON or CSV and writes the three tables as Parquet. Needs the ``spark``
extra: ``pip install 'phraselint[spark]'``. See docs/spark.md.
"""

from __future__ import annotations

from .calls import Job, check_call, tools
from .frame import Columns, Results, check_calls, prepare

__all__ = ["Columns", "Job", "Results", "check_call", "check_calls", "prepare", "tools"]
