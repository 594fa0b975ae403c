"""Time the Knox test on 100,000 residential burglaries with 99 permutations.

Run: ``.venv/bin/python benchmarks/bench_nearrepeat.py [--events 100000] [--permutations 99]``

The burglaries come from the sample region's generator, scaled up until it holds
enough of them (the same city, so about 19 times the sample's density: the
hardest case for the pair search). Prints a table: events, close pairs, time and
peak memory (resident set size above the level before the call, sampled every
5 ms, and the peak of ``tracemalloc``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from benchmarks._measure import measure
from ilp_core.analysis.near_repeat import knox_test
from ilp_core.data import sample
from ilp_core.data.schema import coerce_incidents


def burglaries(n_events: int, seed: int = 1):
    """``n_events`` geolocated residential burglaries from a scaled-up sample region."""
    share = 0.052  # residential burglary's share of the sample's incidents, about
    region = sample.generate(n_incidents=int(n_events / share * 1.05))
    raw = region.incidents
    raw = raw[(raw["offence"] == "Residential burglary") & raw["lat"].notna()]
    if len(raw) < n_events:
        raise SystemExit(f"only {len(raw)} burglaries generated; raise the scale factor")
    rng = np.random.default_rng(seed)
    raw = raw.iloc[np.sort(rng.choice(len(raw), n_events, replace=False))]
    table = raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    return coerce_incidents(table.reset_index(drop=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--permutations", type=int, default=99)
    args = parser.parse_args()
    t0 = time.perf_counter()
    events = burglaries(args.events)
    print(f"generated {len(events):,} burglaries in {time.perf_counter() - t0:.1f} s")
    rows = []
    for permutations in (1, args.permutations):
        res, seconds, rss, traced = measure(knox_test, events, permutations=permutations, seed=0)
        rows.append((permutations, seconds, rss, traced))
    close = int(res.observed.iloc[:-1].to_numpy().sum())
    print()
    print(
        "| events | pairs within 500 m | permutations | wall time (s) | CPU time (s) "
        "| peak extra RSS (MB) | peak traced (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for permutations, seconds, rss, traced in rows:
        print(
            f"| {res.n_events:,} | {close:,} | {permutations} | {seconds[0]:.1f} "
            f"| {seconds[1]:.1f} "
            f"| {rss / 2**20:,.0f} | {traced / 2**20:,.0f} |"
        )
    print()
    print(res.ratio.round(2).to_string())


if __name__ == "__main__":
    main()
