"""The scaling ceiling of phraselint.spark's plan on this machine: run by benchmarks/bench_spark.py --ceiling
under spark-submit, never a test.

    spark-submit benchmarks/spark_ceiling.py --python-us U INPUT OUTPUT

The same job as ``python -m phraselint.spark`` — Parquet read, ``frame.prepare``, repartition and sort by
call, ``mapInArrow``, one row per call persisted and written — but the Python side checks nothing: it only
finds where each call's rows end in a batch, and burns ``U`` microseconds of CPU per row (0: the JVM's and
the Arrow exchange's share alone; about what phraselint's Python spends per utterance: a job whose Python work
is perfectly parallel, no catalogue, no memory). What ``local[2]`` gets over ``local[1]`` here is as much as
any job of this shape can get on this machine at the time it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from phraselint.spark import Columns  # noqa: E402
from phraselint.spark.calls import CALL  # noqa: E402
from phraselint.spark.frame import prepare  # noqa: E402

OUT = pa.schema([("call_id", pa.string()), ("rows", pa.int64())])


def calls_of(batches: Iterator[pa.RecordBatch], python_us: int) -> Iterator[pa.RecordBatch]:
    """One row per run of a call in each batch (its id and how many rows), after ``python_us`` µs of CPU per
    row spent in Python."""
    for batch in batches:
        end = time.process_time() + python_us * batch.num_rows / 1e6
        while time.process_time() < end:
            pass
        runs = pc.run_end_encode(batch.column(CALL))
        ends = runs.run_ends.to_pylist()
        starts = [0, *ends[:-1]]
        counts = [e - s for s, e in zip(starts, ends)]
        yield pa.RecordBatch.from_arrays([runs.values, pa.array(counts, pa.int64())], schema=OUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python-us", type=int, default=0)
    parser.add_argument("input")
    parser.add_argument("output")
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import StorageLevel
    from pyspark.sql import SparkSession
    from pyspark.sql.pandas.types import from_arrow_schema

    spark = SparkSession.builder.appName("phraselint-ceiling").getOrCreate()
    try:
        utterances = spark.read.parquet(args.input)
        prepared = prepare(utterances, Columns(order="seq"))
        python_us = args.python_us

        def partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            return calls_of(batches, python_us)

        clustered = prepared.repartition(CALL).sortWithinPartitions(CALL)
        calls = clustered.mapInArrow(partition, from_arrow_schema(OUT)).persist(StorageLevel.MEMORY_AND_DISK)
        calls.write.mode("overwrite").parquet(f"{args.output}/calls")
        calls.unpersist()
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
