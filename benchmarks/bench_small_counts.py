"""Time what issue 13 added for small counts and wrong coordinates, at 1,000,000 incidents.

Run: ``.venv/bin/python benchmarks/bench_small_counts.py [--incidents 1000000]``

Prints one line per step: kernel density at quartic radii of 0.5, 1, 2 and 3 cells
(the surface refined and averaged back to the cells) and at the default rule;
Gi* on the grid (the normal regime) and on a sparse subset (the exact count test);
control limits on weekly counts; and the Data page's questions for a file of
X/Y in degrees and one of swapped latitude/longitude (the EPSG checks and the
land/sea test on a 5,000-point sample).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from benchmarks._measure import measure
from ilp_core.analysis import hotspots
from ilp_core.analysis import temporal as tm
from ilp_core.data import ingest
from ilp_core.errors import IlpInputError


def clustered(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` incidents in 40 clusters over a 15 x 18 km city, over two years."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform([45.43, -30.62], [45.57, -30.38], (40, 2))
    which = rng.integers(0, 40, n)
    spread = np.where(rng.random(n) < 0.7, 0.004, 0.05)
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 731 * 1440, n), "min")
    return pd.DataFrame(
        {
            "occurred_at": when,
            "offence": rng.choice(["Theft", "Burglary", "Robbery"], n),
            "precision": "minute",
            "lat": centres[which, 0] + rng.normal(0, 1, n) * spread,
            "lon": centres[which, 1] + rng.normal(0, 1, n) * spread * 1.4,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--cell-size", type=float, default=100.0)
    args = parser.parse_args(argv)
    inc = clustered(args.incidents)
    cs = args.cell_size

    def line(name: str, seconds: float, rss: int) -> None:
        print(f"  {name:<58} {seconds:7.2f} s  {rss / 2**20:7.0f} MB", flush=True)

    for cells in (0.5, 1.0, 2.0, 3.0):
        try:
            res, (wall, _), rss, _ = measure(
                hotspots.kernel_density, inc, kernel="quartic", bandwidth=cells * cs, cell_size=cs
            )
        except IlpInputError as error:
            print(f"  kernel_density quartic r={cells:g} cells: refused ({error.message.key})")
            continue
        line(f"kernel_density quartic r={cells:g} cells ({res.grid.n_cells:,} cells)", wall, rss)
    res, (wall, _), rss, _ = measure(hotspots.kernel_density, inc, rule="spatial", cell_size=cs)
    line(f"kernel_density spatial rule r={res.bandwidth_x:.0f} m", wall, rss)
    gi, (wall, _), rss, _ = measure(hotspots.gi_star, inc, cell_size=cs)
    line(f"gi_star {len(inc):,} incidents ({gi.inference}, {gi.n_units:,} cells)", wall, rss)
    sparse = inc.sample(2_000, random_state=1)
    gi, (wall, _), rss, _ = measure(hotspots.gi_star, sparse, cell_size=cs)
    line(f"gi_star 2,000 incidents ({gi.inference}, {gi.n_units:,} cells)", wall, rss)
    ch, (wall, _), rss, _ = measure(hotspots.hotspot_change, inc, cell_size=cs)
    line(f"hotspot_change ({ch.n_periods} periods)", wall, rss)
    weekly = tm.period_counts(inc)
    _, (wall, _), rss, _ = measure(tm.control_limits, weekly)
    line("control_limits weekly, 3 offences", wall, rss)

    rng = np.random.default_rng(2)
    lat, lon = 51.5 + rng.normal(0, 0.05, 200_000), -0.12 + rng.normal(0, 0.08, 200_000)
    xy = pd.DataFrame({"Offence": "Theft", "x": lon.round(6), "y": lat.round(6)})
    raw = ingest.read_table(xy.to_csv(index=False).encode(), "xy.csv")
    mapping = ingest.suggest_mapping(list(raw.frame.columns))
    _, (wall, _), rss, _ = measure(ingest.questions, raw, mapping)
    line("questions: 200,000 X/Y in degrees (EPSG checks)", wall, rss)
    swapped = pd.DataFrame({"Offence": "Theft", "Lat": lon.round(6), "Lon": lat.round(6)})
    raw = ingest.read_table(swapped.to_csv(index=False).encode(), "swapped.csv")
    mapping = ingest.suggest_mapping(list(raw.frame.columns))
    _, (wall, _), rss, _ = measure(ingest.questions, raw, mapping)
    line("questions: 200,000 swapped lat/lon (land/sea test)", wall, rss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
