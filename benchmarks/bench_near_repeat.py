"""Time the Knox test on 100,000 residential burglaries with 99 permutations, old and new.

Run: ``.venv/bin/python benchmarks/bench_near_repeat.py [--events 100000]
[--permutations 99] [--no-old] [--repeat 3]``

The burglaries come from the sample region's generator, scaled up until it holds
enough of them (the same city, so about 19 times the sample's density: the
hardest case for the pair search). Prints, in one run:

* the former implementation (k-d tree pair search + NumPy permutations, kept in
  ``tests/knox_reference.py``) against :func:`knox_test` (compiled kernels, run
  ``--repeat`` times: wall times on a shared machine vary), with
  time and peak memory (resident set size above the level before the call,
  sampled every 5 ms, and the peak of ``tracemalloc``), and whether both give
  the same tables;
* numba's first-call cost, each in a new process: with an empty cache (what the
  first Knox test of a new installation pays: import and compile) and with the
  cache filled (every later process).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere
sys.path.insert(0, str(ROOT / "tests"))  # the former implementation, kept as a reference

import knox_reference  # noqa: E402

from benchmarks._measure import measure  # noqa: E402
from ilp_core.analysis.near_repeat import _knox, knox_test  # noqa: E402
from ilp_core.data import sample  # noqa: E402
from ilp_core.data.schema import coerce_incidents  # noqa: E402

FIRST_CALL = """
import time
t0 = time.perf_counter()
from ilp_core.analysis import near_repeat
seconds = near_repeat.warm_up()
print(f"{seconds:.3f} {time.perf_counter() - t0:.3f}")
"""


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


def first_calls() -> list[tuple[str, float, float]]:
    """warm_up() in new processes: empty numba cache, then the cache it left."""
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("empty cache (compile)", "cache filled (load)"):
            out = subprocess.run(
                [sys.executable, "-c", FIRST_CALL],
                cwd=ROOT, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            kernels, with_import = (float(v) for v in out.stdout.split())
            rows.append((label, kernels, with_import))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--no-old", action="store_true", help="skip the former implementation")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the compiled test (the machine is shared)"
    )
    args = parser.parse_args()

    print("| first Knox test of a process | warm_up() (s) | with importing the module (s) |")
    print("|---|---:|---:|")
    for label, kernels, with_import in first_calls():
        print(f"| {label} | {kernels:.2f} | {with_import:.2f} |")
    print()

    t0 = time.perf_counter()
    events = burglaries(args.events)
    print(f"generated {len(events):,} burglaries in {time.perf_counter() - t0:.1f} s")
    knox_test(events.iloc[:1000], permutations=1)  # kernels compiled or loaded: not timed
    perms = args.permutations
    rows = []
    old = None
    if not args.no_old:
        x, y, day, _excluded = _knox._events(events)
        d_edges, t_edges = 100.0 * np.arange(6), 7 * np.arange(5)
        old, seconds, rss, traced = measure(
            knox_reference.knox_tables, x, y, day, d_edges, t_edges, "euclidean", True, perms, 0
        )
        rows.append(("former (k-d tree + NumPy)", perms, seconds, rss, traced))
    for permutations in (1, *[perms] * args.repeat):
        res, seconds, rss, traced = measure(knox_test, events, permutations=permutations, seed=0)
        rows.append(("compiled (numba)", permutations, seconds, rss, traced))
    close = int(res.observed.iloc[:-1].to_numpy().sum())
    print()
    print(
        f"{res.n_events:,} events, {close:,} pairs within 500 m, 5 x 4 bands; "
        f"{os.cpu_count()} processors, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print()
    print(
        "| implementation | permutations | wall time (s) | CPU time (s) "
        "| peak extra RSS (MB) | peak traced (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, permutations, seconds, rss, traced in rows:
        print(
            f"| {label} | {permutations} | {seconds[0]:.1f} | {seconds[1]:.1f} "
            f"| {rss / 2**20:,.0f} | {traced / 2**20:,.0f} |"
        )
    if old is not None:
        observed, sims = old
        p_value = (1 + (sims >= observed[None, :, :]).sum(axis=0)) / (1 + perms)
        same = (
            np.array_equal(res.observed.to_numpy(), observed)
            and np.array_equal(res.expected.to_numpy(), sims.mean(axis=0))
            and np.array_equal(res.p_value.to_numpy(), p_value)
        )
        print()
        print(f"same observed, expected and p-values (seed 0) as the former: {same}")
    print()
    print(res.ratio.round(2).to_string())


if __name__ == "__main__":
    main()
