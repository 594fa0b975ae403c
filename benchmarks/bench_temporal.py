"""Time the "when" analyses on 1,000,000 incidents.

Run: ``.venv/bin/python benchmarks/bench_temporal.py [--incidents 1000000]``

The incidents come from the sample region's generator (16 offence types, two
years, a share with from/to windows). Prints one row per analysis: time and peak
memory allocated during the call (``tracemalloc``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from benchmarks._measure import measure
from ilp_core.analysis import temporal as tm
from ilp_core.data import sample
from ilp_core.data.schema import coerce_incidents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    raw = sample.generate(n_incidents=args.incidents).incidents
    incidents = coerce_incidents(
        raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    )
    windows = int(incidents["occurred_to"].notna().sum())
    print(
        f"generated {len(incidents):,} incidents ({windows:,} with a from/to window) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    last = incidents["occurred_at"].max().date()
    a, b = tm.quarter_vs_last_year(last)

    def weekly_with_limits():
        counts = tm.period_counts(incidents, "week")
        return tm.control_limits(counts), tm.trend(counts)

    def monthly_with_seasons():
        counts = tm.period_counts(incidents, "month")
        return tm.seasonality(counts), tm.trend(counts)

    steps = [
        ("hour x weekday, aoristic", lambda: tm.hour_weekday(incidents)),
        ("hour x weekday, start times only", lambda: tm.hour_weekday(incidents, aoristic=False)),
        ("weekly counts + control limits + trend", weekly_with_limits),
        ("monthly counts + seasonality (STL) + trend", monthly_with_seasons),
        ("compare periods by offence", lambda: tm.compare_periods(incidents, a, b)),
        (
            "compare periods by district",
            lambda: tm.compare_periods(incidents, a, b, by="district"),
        ),
    ]
    print()
    print(
        f"| analysis ({len(incidents):,} incidents) | wall time (s) | CPU time (s) "
        "| peak traced memory (MB) |"
    )
    print("|---|---:|---:|---:|")
    for name, fn in steps:
        fn()  # warm up (imports, caches), then time
        _, seconds, _, traced = measure(fn)
        print(f"| {name} | {seconds[0]:.2f} | {seconds[1]:.2f} | {traced / 2**20:,.0f} |")


if __name__ == "__main__":
    main()
