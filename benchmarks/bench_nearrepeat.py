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
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from ilp_core import sample  # noqa: E402
from ilp_core.nearrepeat import knox_test  # noqa: E402
from ilp_core.schema import coerce_incidents  # noqa: E402

_PAGE = 4096


def _rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE


def measure(fn, *args, **kwargs):
    """Run ``fn``; return (result, (wall, CPU) seconds, peak extra RSS, peak traced bytes).

    RSS is sampled every 5 ms and can miss memory the allocator reuses; the traced
    peak (``tracemalloc``: NumPy arrays and Python objects, not SciPy's internal
    C++ buffers) catches those.
    """
    base = _rss_bytes()
    peak = [base]
    done = threading.Event()

    def sample_rss() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.005)

    thread = threading.Thread(target=sample_rss, daemon=True)
    thread.start()
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    seconds = (time.perf_counter() - t0, time.process_time() - c0)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    done.set()
    thread.join()
    return result, seconds, max(peak[0], _rss_bytes()) - base, traced


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
