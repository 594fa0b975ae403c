"""Time the spatial pattern library at 1,000,000 incidents, with the reference libraries.

Run: ``.venv/bin/python benchmarks/bench_hotspots.py [--incidents 1000000] [--cell-size 250]``

The incidents come from the sample region's generator (``ilp_core.data.sample.generate``)
when it is available, else from clustered points of our own in the same area.
Prints one table: each step, its input size, seconds and peak extra resident
memory; then the references on the same data: ``esda.G_Local`` on the same grid
weights (libpysal ``lat2W`` restricted to the cells of the area), esda on a
316 x 316 (99,856-cell) grid against :func:`ilp_core.analysis.hotspots.gi_star_z`, and
``scipy.stats.gaussian_kde`` on a 10,000-point subsample evaluated at every cell
centre against our binned FFT density on the same subsample.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from benchmarks._measure import measure as _measure
from ilp_core.analysis import hotspots
from ilp_core.data import geo


def measure(fn, *args, **kwargs):
    """Run ``fn`` and return (result, wall seconds, peak extra resident memory in bytes)."""
    result, (wall, _), rss, _ = _measure(fn, *args, trace=False, **kwargs)
    return result, wall, rss


def incidents_and_districts(n: int):
    """``n`` incidents (canonical columns this module reads) and the districts, if any."""
    try:
        from ilp_core.data import sample
    except ImportError:
        sample = None
    if sample is not None:
        region = sample.generate(n_incidents=n)
        raw = region.incidents
        inc = pd.DataFrame(
            {
                "occurred_at": pd.to_datetime(raw["occurred_at"]),
                "offence": raw["offence"],
                "lat": raw["lat"].astype(float),
                "lon": raw["lon"].astype(float),
                "district": raw["district"],
                "location_id": raw["location_id"],
            }
        )
        return inc, region.districts, "ilp_core.data.sample.generate"
    rng = np.random.default_rng(1)
    centres = rng.uniform([45.43, -30.62], [45.57, -30.38], (40, 2))
    which = rng.integers(0, 40, n)
    spread = np.where(rng.random(n) < 0.7, 0.004, 0.05)
    lat = centres[which, 0] + rng.normal(0, 1, n) * spread
    lon = centres[which, 1] + rng.normal(0, 1, n) * spread * 1.4
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 731 * 1440, n), "min")
    inc = pd.DataFrame(
        {
            "occurred_at": when,
            "offence": "Other",
            "lat": lat,
            "lon": lon,
            "district": None,
            "location_id": None,
        }
    )
    return inc, None, "own clustered points"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--cell-size", type=float, default=None)
    parser.add_argument("--no-big-esda", action="store_true", help="skip esda on 99,856 cells")
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, float, float]] = []

    def record(name: str, size: str, seconds: float, mem: float) -> None:
        rows.append((name, size, seconds, mem / 2**20))
        print(f"  {name:<52} {seconds:8.3f} s", flush=True)

    (inc, districts, source), secs, mem = measure(incidents_and_districts, args.incidents)
    n = len(inc)
    record(f"generate incidents ({source})", f"{n:,}", secs, mem)
    cs = args.cell_size

    proj, secs, mem = measure(geo.project, inc)
    record("geo.project (UTM)", f"{len(proj.x):,} pts", secs, mem)
    counts0 = hotspots.grid_counts(inc, districts, cell_size=cs)
    grid = counts0.grid
    _, secs, mem = measure(grid.count, proj.x, proj.y)
    record("Grid.count (np.bincount)", f"{len(proj.x):,} pts", secs, mem)
    xe = grid.x0 + np.arange(grid.nx + 1) * grid.cell_size
    ye = grid.y0 + np.arange(grid.ny + 1) * grid.cell_size
    _, secs, mem = measure(np.histogram2d, proj.y, proj.x, bins=(ye, xe))
    record("  reference: np.histogram2d", f"{len(proj.x):,} pts", secs, mem)
    cells = f"{grid.ny}x{grid.nx}={grid.n_cells:,} cells"
    res, secs, mem = measure(hotspots.grid_counts, inc, districts, cell_size=cs)
    record("grid_counts (project + area + table)", cells, secs, mem)
    res, secs, mem = measure(hotspots.kernel_density, inc, districts, cell_size=cs)
    record(f"kernel_density quartic, h={res.bandwidth_x:.0f} m", cells, secs, mem)
    gi, secs, mem = measure(hotspots.gi_star, inc, districts, cell_size=cs)
    record("gi_star grid (incl. project, FDR, table)", f"{gi.n_units:,} area cells", secs, mem)
    _, secs, mem = measure(hotspots.gi_star_z, counts0.counts, counts0.in_area)
    record("gi_star_z alone (ndimage.convolve)", f"{gi.n_units:,} area cells", secs, mem)
    ch, secs, mem = measure(hotspots.hotspot_change, inc, districts, cell_size=cs)
    record(
        f"hotspot_change ({ch.n_periods} x {ch.period_days} d)",
        f"{ch.n_periods} x {gi.n_units:,} cells",
        secs,
        mem,
    )
    if districts is not None:
        _, secs, mem = measure(hotspots.gi_star, inc, districts, unit="district")
        record("gi_star districts (esda.G_Local)", f"{len(districts)} districts", secs, mem)
        _, secs, mem = measure(hotspots.local_moran, inc, districts, permutations=999)
        record("local_moran (esda, 999 permutations)", f"{len(districts)} districts", secs, mem)
    _, secs, mem = measure(hotspots.concentration, inc, districts, unit="cell", cell_size=cs)
    record("concentration over cells", cells, secs, mem)
    if inc["location_id"].notna().any():
        rep, secs, mem = measure(hotspots.repeat_locations, inc)
        record("repeat_locations", f"{len(rep):,} locations", secs, mem)
    split = inc["occurred_at"] < pd.Timestamp("2025-07-01")
    train, test = inc[split.to_numpy()], inc[~split.to_numpy()]
    acc, secs, mem = measure(hotspots.forecast_accuracy, train, test, districts, cell_size=cs)
    record(f"forecast_accuracy KDE (PAI {acc.pai:.1f})", f"{len(train):,}/{len(test):,}", secs, mem)

    # ---- references ------------------------------------------------------------------
    import esda
    import libpysal
    from scipy import stats

    print("references:", flush=True)
    ids = np.flatnonzero(counts0.in_area.ravel())

    def esda_on_grid():
        w = libpysal.weights.lat2W(grid.ny, grid.nx, rook=False)
        w = libpysal.weights.w_subset(w, ids.tolist(), silence_warnings=True)
        return esda.G_Local(
            counts0.counts.ravel()[ids].astype(float), w, transform="B", star=True, permutations=0
        )

    ref, secs, mem = measure(esda_on_grid)
    record("esda.G_Local + lat2W/w_subset (same grid)", f"{len(ids):,} area cells", secs, mem)
    ours = hotspots.gi_star_z(counts0.counts, counts0.in_area).ravel()[ids]
    print(f"  max |z_esda - z_ours| = {np.abs(ref.Zs - ours).max():.2e}")
    if not args.no_big_esda:
        rng = np.random.default_rng(0)
        big = rng.poisson(rng.gamma(1.0, 2.0, (316, 316)))
        w_big, secs_w, mem_w = measure(libpysal.weights.lat2W, 316, 316, rook=False)
        record("  lat2W(316, 316, rook=False)", "99,856 cells", secs_w, mem_w)
        g_big, secs_g, mem_g = measure(
            esda.G_Local,
            big.ravel().astype(float),
            w_big,
            transform="B",
            star=True,
            permutations=0,
        )
        record("  esda.G_Local(star=True, permutations=0)", "99,856 cells", secs_g, mem_g)
        z_big, secs_o, mem_o = measure(hotspots.gi_star_z, big)
        record("  hotspots.gi_star_z", "99,856 cells", secs_o, mem_o)
        print(f"  max |z_esda - z_ours| = {np.abs(g_big.Zs - z_big.ravel()).max():.2e}")

    rng = np.random.default_rng(0)
    sub = rng.choice(len(proj.x), size=min(10_000, len(proj.x)), replace=False)
    cx, cy = grid.centres()

    def scipy_kde():
        kde = stats.gaussian_kde(np.vstack([proj.x[sub], proj.y[sub]]))
        return kde(np.vstack([cx.ravel(), cy.ravel()]))

    _, secs, mem = measure(scipy_kde)
    record(
        "scipy gaussian_kde at every cell centre", f"{len(sub):,} pts x {grid.n_cells:,}", secs, mem
    )
    sub_inc = inc.iloc[proj.index[sub]]
    _, secs, mem = measure(
        hotspots.kernel_density, sub_inc, districts, kernel="gaussian", cell_size=cs
    )
    record("  kernel_density gaussian, same subsample", f"{len(sub):,} pts", secs, mem)

    print()
    print(f"{'step':<54} {'size':>30} {'seconds':>9} {'peak MiB':>9}")
    for name, size, seconds, mib in rows:
        print(f"{name:<54} {size:>30} {seconds:9.3f} {mib:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
