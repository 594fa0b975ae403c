"""Time what issue 14 added against disclosure and cross-session leaks.

Run: ``.venv/bin/python benchmarks/bench_disclosure.py``

Prints, for hour x weekday heat maps of the sample region thinned to a few
hundred up to 100,000 incidents: the small cells, the cells hidden by
:func:`ilp_core.products.suppression.suppress_masked` (secondary suppression
checked by linear programming against row, column and grand totals) and its
time; then the time of :func:`ui.cache.dataset_key` for an upload of 100,000
incidents and 10,000 rejected rows (computed once per dataset).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from ilp_core.analysis import temporal
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.products import suppression


def main() -> int:
    sample = load_sample()
    print(f"  {'incidents':>10} {'small cells':>12} {'hidden':>7} {'seconds':>8}")
    for step in (500, 200, 50, 10, 1):
        incidents = sample.incidents.iloc[::step]
        matrix = temporal.hour_weekday(incidents).matrix().to_numpy(dtype=float)
        small = int(((matrix > 0) & (matrix < suppression.DEFAULT_K)).sum())
        start = time.perf_counter()
        hidden = suppression.suppress_masked(matrix)
        seconds = time.perf_counter() - start
        print(f"  {len(incidents):>10,} {small:>12} {int(hidden.sum()):>7} {seconds:>8.3f}")
    from ui import cache

    rejects = pd.DataFrame({"row": range(10_000), "reason": "date", "value": "31.02.2025"})
    data = Dataset(name="export.csv", incidents=sample.incidents, rejects=rejects)
    start = time.perf_counter()
    cache.dataset_key(data)
    print(f"  dataset_key, 100,000 incidents + 10,000 rejects: {time.perf_counter() - start:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
