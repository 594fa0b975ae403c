"""Time the allocation solvers: 30 districts and 2,000 hot-spot cells, integer steps.

Run: ``.venv/bin/python benchmarks/bench_allocation.py [--repeat 3]``

Demand is drawn from a seeded heavy-tailed (gamma) distribution, as crime per
place is; every instance has a floor, a ceiling for districts, a current
allocation with a maximum change of 25 %, and hours in whole 8-hour shifts (1-hour
steps for the cells). Prints one row per method and size: the best of
``--repeat`` runs in seconds, the number of areas, the total, and the check that
the result sums to the total and respects every bound. Then the district and
cell demand of the sample region (Gi* included) and a patrol plan of 50 spots.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from ilp_core.decide import allocation


def best_of(repeat: int, fn, *args, **kwargs):
    """Return (result, fastest seconds) over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    return result, min(times)


def instance(n: int, total_per_area: float, step: float, seed: int = 4530):
    """A seeded instance: demand, current hours (on the step grid) and bounds."""
    rng = np.random.default_rng(seed)
    names = [f"a{i}" for i in range(n)]
    demand = pd.Series(rng.gamma(0.6, 100.0, n), index=names)
    total = round(total_per_area * n / step) * step
    share = rng.dirichlet(np.full(n, 5.0))
    current = pd.Series(np.round(share * total / step) * step, index=names)
    current.iloc[0] += total - current.sum()
    return demand, current, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    cases = [
        ("30 districts, 8-h shifts", 30, 200.0, 8.0, {"floor": 40.0, "ceiling": 600.0}),
        ("2,000 cells, whole hours", 2000, 4.0, 1.0, {"floor": 0.0}),
    ]
    for label, n, per_area, step, bounds in cases:
        demand, current, total = instance(n, per_area, step)
        for method in allocation.METHODS:
            result, seconds = best_of(
                args.repeat,
                allocation.allocate,
                demand,
                total,
                method=method,
                current=current,
                max_change_share=0.25 if n <= 30 else None,
                step=step,
                **bounds,
            )
            t = result.table
            ok = (
                abs(t["recommended_hours"].sum() - total) < 1e-6
                and (t["recommended_hours"] >= t["min_hours"] - 1e-6).all()
                and (t["recommended_hours"] <= t["max_hours"] + 1e-6).all()
            )
            rows.append((label, method, n, total, seconds, "yes" if ok else "NO"))
    table = pd.DataFrame(rows, columns=["case", "method", "areas", "total_h", "seconds", "valid"])
    print(table.to_string(index=False, formatters={"seconds": "{:.3f}".format}))

    try:
        from ilp_core.data.dataset import load_sample

        data = load_sample()
    except (ImportError, OSError) as error:  # the sample region is optional here
        print(f"sample region not available: {error}")
        return
    _, seconds = best_of(1, allocation.district_demand, data.incidents, data.districts)
    print(f"\ndistrict demand, {len(data.incidents):,} incidents: {seconds:.3f} s")
    cells, seconds = best_of(1, allocation.cell_demand, data.incidents, data.districts, top_n=50)
    print(f"cell demand with Gi* (top 50 hot cells): {seconds:.3f} s")
    _, seconds = best_of(args.repeat, allocation.patrol_plan, cells)
    print(f"patrol plan, 50 spots (tour + 2-opt): {seconds:.3f} s")


if __name__ == "__main__":
    main()
