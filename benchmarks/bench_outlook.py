"""Time the Outlook analyses: forecasts at 1,000,000 incidents, the space-time scan at 100,000.

Run: ``.venv/bin/python benchmarks/bench_outlook.py [--incidents 1000000]``

The incidents come from the sample region's generator (two years). Its 16 offence
types are split into 30 (the 14 largest in two halves at random), so the forecast
covers 30 offences, then the 20 districts for the three largest offences. The scan
runs on the bundled sample region (100,000 incidents over two years, all of them in
the study period) with the page's defaults otherwise (500 m cells, circles up to
1 km, windows of 1 to 13 weeks, 999 permutations); a finer grid (250 m: four times
the cells, each circle holding four times as many) costs about 13 times as much
per permutation, so it is timed with 99.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from benchmarks._measure import measure
from ilp_core.analysis import forecast as fc
from ilp_core.analysis.space_time_scan import space_time_scan
from ilp_core.data import sample
from ilp_core.data.dataset import load_sample
from ilp_core.data.schema import coerce_incidents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    raw = sample.generate(n_incidents=args.incidents).incidents
    rng = np.random.default_rng(0)
    offence = raw["offence"].astype(str).to_numpy().copy()
    largest = raw["offence"].value_counts().index[:14].astype(str)
    split = np.isin(offence, largest) & (rng.random(len(offence)) < 0.5)
    offence[split] = np.char.add(offence[split].astype(str), " (B)")
    incidents = coerce_incidents(
        raw.assign(
            offence=offence, precision="minute", source_row=np.arange(2, len(raw) + 2),
            duplicate=None,
        )
    )  # fmt: skip
    top3 = incidents["offence"].value_counts().index[:3].astype(str).tolist()
    print(
        f"generated {len(incidents):,} incidents, {incidents['offence'].nunique()} offence "
        f"types, in {time.perf_counter() - t0:.1f} s"
    )
    scan_data = load_sample().incidents

    def offences() -> fc.Forecast:
        return fc.forecast(fc.monthly_series(incidents))

    def districts() -> fc.Forecast:
        return fc.forecast(fc.monthly_series(incidents, "district", offences=top3))

    def both() -> tuple[fc.Forecast, fc.Forecast]:
        return offences(), districts()

    steps = [
        ("monthly series, 30 offences", lambda: fc.monthly_series(incidents)),
        ("forecast 30 offences (series + backtest + forecast)", offences),
        ("forecast 20 districts for the top 3 offences", districts),
        ("both: 30 offences and 20 districts", both),
        ("emerging offences (30 offences)", lambda: fc.emerging_offences(incidents)),
        (
            f"space-time scan, {len(scan_data):,} incidents, 999 permutations",
            lambda: space_time_scan(scan_data, study_days=731, permutations=999),
        ),
        (
            f"space-time scan, {len(scan_data):,} incidents, 250 m cells, 99 permutations",
            lambda: space_time_scan(scan_data, study_days=731, cell_size=250.0, permutations=99),
        ),
    ]
    print()
    print("| analysis | wall time (s) | CPU time (s) | peak traced memory (MB) |")
    print("|---|---:|---:|---:|")
    for name, fn in steps:
        fn()  # warm up (imports, caches), then time
        result, seconds, _, traced = measure(fn)
        print(f"| {name} | {seconds[0]:.2f} | {seconds[1]:.2f} | {traced / 2**20:,.0f} |")
        if name.startswith("both"):
            for r in result:
                s = r.summary["status"].value_counts().to_dict()
                print(f"|   ({len(r.summary)} series: {s}) | | | |")
        if name.startswith("space-time"):
            top = result.clusters.iloc[0]
            print(
                f"|   ({result.n_cells} cells; most likely: {top['district']}, since "
                f"{top['start']}, {top['observed']} incidents, p = {top['p_value']:.3f}) | | | |"
            )


if __name__ == "__main__":
    main()
