"""Tests of ilp_core.analysis.hotspots against independent truths.

Hand-computed cases (arithmetic in comments), the reference libraries (esda,
libpysal, scipy.stats.gaussian_kde, np.histogram2d), brute force, properties
(Hypothesis), and the planted patterns of the sample region.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from test_geo import GRID_POINTS

from ilp_core.analysis import hotspots
from ilp_core.analysis.hotspots import _density
from ilp_core.data import geo
from ilp_core.errors import IlpInputError

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
LOCALES = Path(__file__).resolve().parent.parent / "ilp_core" / "locales"
UTM25 = pyproj.CRS.from_epsg(32625)
_TO_WGS = pyproj.Transformer.from_crs(UTM25, geo.WGS84, always_xy=True)
# A metric origin in UTM zone 25N near 45.5 N, 30.5 W, on a multiple of 1,000 m.
X0, Y0 = 700_000.0, 5_040_000.0


def _incidents_at(x: np.ndarray, y: np.ndarray, **columns: object) -> pd.DataFrame:
    """Incidents at metric points of UTM zone 25N (the CRS ilp_core picks for them)."""
    lon, lat = _TO_WGS.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return pd.DataFrame({"lat": np.asarray(lat), "lon": np.asarray(lon), **columns})


def _cell_points(cells: list[tuple[int, int, int]], cs: float = 100.0) -> tuple[np.ndarray, ...]:
    """Points at the centres of cells ``(row, col, how_many)`` of a grid at (X0, Y0)."""
    xs, ys = [], []
    for row, col, k in cells:
        xs += [X0 + (col + 0.5) * cs] * k
        ys += [Y0 + (row + 0.5) * cs] * k
    return np.array(xs), np.array(ys)


def _lattice_districts(nrows: int, ncols: int, seed: int = 0) -> gpd.GeoDataFrame:
    """Irregular quadrilaterals on a jittered lattice: queen neighbours = lattice queen."""
    rng = np.random.default_rng(seed)
    vx = (
        X0
        + np.arange(ncols + 1)[None, :] * 1_000.0
        + rng.uniform(-250, 250, (nrows + 1, ncols + 1))
    )
    vy = (
        Y0
        + np.arange(nrows + 1)[:, None] * 1_000.0
        + rng.uniform(-250, 250, (nrows + 1, ncols + 1))
    )
    vx[:, 0], vx[:, -1] = X0, X0 + ncols * 1_000.0
    vy[0, :], vy[-1, :] = Y0, Y0 + nrows * 1_000.0
    lon, lat = _TO_WGS.transform(vx, vy)
    polys = []
    for r in range(nrows):
        for c in range(ncols):
            ring = [
                (lon[r, c], lat[r, c]),
                (lon[r, c + 1], lat[r, c + 1]),
                (lon[r + 1, c + 1], lat[r + 1, c + 1]),
                (lon[r + 1, c], lat[r + 1, c]),
            ]
            polys.append(shapely.Polygon(ring))
    names = [f"D{r}{c}" for r in range(nrows) for c in range(ncols)]
    pop = rng.integers(5_000, 50_000, nrows * ncols)
    return gpd.GeoDataFrame({"district": names, "population": pop}, geometry=polys, crs=4326)


def _district_incidents(names: list[str], counts: np.ndarray) -> pd.DataFrame:
    """Incidents geocoded only to a district (no coordinates)."""
    return pd.DataFrame({"district": np.repeat(names, counts), "lat": np.nan, "lon": np.nan})


# ======================================================================================
# Grid counts and district counts
# ======================================================================================


def test_grid_counts_equal_numpy_histogram2d():
    rng = np.random.default_rng(1)
    x = X0 + rng.gamma(2.0, 800.0, 5_000)
    y = Y0 + rng.normal(3_000.0, 700.0, 5_000)
    res = hotspots.grid_counts(_incidents_at(x, y), cell_size=200)
    g = res.grid
    p = geo.project(_incidents_at(x, y))
    xe = g.x0 + np.arange(g.nx + 1) * g.cell_size
    ye = g.y0 + np.arange(g.ny + 1) * g.cell_size
    hist, _, _ = np.histogram2d(p.y, p.x, bins=(ye, xe))
    np.testing.assert_array_equal(res.counts, hist)
    assert res.table["count"].sum() == 5_000 == res.n_counted
    assert res.area_source == "extent" and res.in_area.all()
    assert res.grid.crs.to_epsg() == 32625 and res.table.crs.to_epsg() == 4326


def test_grid_counts_automatic_cell_size_and_the_large_grid_warning():
    # A 20 km x 15.1 km extent: 15,100 / 50 = 302 -> 300 m cells by default ...
    x = np.array([X0 + 10.0, X0 + 20_010.0])
    y = np.array([Y0 + 10.0, Y0 + 15_110.0])
    inc = _incidents_at(x, y)
    res = hotspots.grid_counts(inc)
    assert res.grid.cell_size == 300.0 and res.warnings == ()
    # ... and 40 m cells make 501 x 379 = 189,879 cells: a warning comes with the result.
    big = hotspots.grid_counts(inc, cell_size=40)
    assert big.grid.n_cells > 100_000
    assert [m.key for m in big.warnings] == ["hotspots.grid_large"]


def test_grid_counts_with_districts_area_and_warnings():
    d = _lattice_districts(2, 3)
    x = np.array([X0 + 500, X0 + 500, X0 + 2_500, X0 + 9_000])  # the last is outside
    y = np.array([Y0 + 500, Y0 + 500, Y0 + 1_500, Y0 + 9_000])
    inc = _incidents_at(x, y)
    inc.loc[len(inc)] = [np.nan, np.nan]  # one not geolocated
    res = hotspots.grid_counts(inc, d, cell_size=500)
    assert res.area_source == "districts"
    # The 3 km x 2 km area: 6 x 4 cells (+1 row/col for the north-east edge), all touched.
    assert res.counts.sum() == 3 == res.n_counted
    keys = sorted(m.key for m in res.warnings)
    assert keys == ["coverage.off_map_nowhere", "hotspots.outside_area"]  # no district either
    assert len(res.table) == int(res.in_area.sum())


@settings(max_examples=200, deadline=None)
@given(
    GRID_POINTS,
    st.lists(st.booleans(), min_size=66, max_size=66),
    st.sampled_from([(0.0, 0.0), (700_123.25, 5_040_000.5)]),
)
def test_area_cells_agree_with_grid_locate_and_the_area(points, area, origin):
    # The compiled placing against geo.Grid.locate (itself checked by hand in
    # test_geo.py) and the area's flags: NaN, infinities, edges, -5e-324.
    from ilp_core.analysis.hotspots import _binning

    g = geo.Grid(origin[0], origin[1], 100.0, 11, 6, "EPSG:32625")
    x, y = (
        np.array(v, dtype=float) + o for v, o in zip(zip(*points, strict=True), origin, strict=True)
    )
    in_area = np.array(area)
    cell, n_kept = _binning.area_cells(x, y, g.x0, g.y0, g.cell_size, g.nx, g.ny, in_area)
    row, col, inside = g.locate(x, y)
    flat = row * g.nx + col
    expected = np.where(inside & in_area[flat], flat, -1)
    np.testing.assert_array_equal(cell, expected)
    assert n_kept == int((expected >= 0).sum())


@pytest.mark.parametrize("n", [300, 60_000])  # below and above memo.MIN_ROWS
def test_grouped_cell_counts_agree_with_add_at_over_the_incidents_cells(n):
    # Reference: each incident's cell from incident_cells, the area from grid_counts,
    # counted with np.add.at. Rows repeat (an incident in several groups), some points
    # have no coordinates, some lie outside the districts.
    rng = np.random.default_rng(n)
    d = _lattice_districts(3, 4)
    inc = _incidents_at(X0 + rng.uniform(-800, 5_000, n), Y0 + rng.uniform(-800, 3_800, n))
    inc.loc[rng.choice(n, n // 20, replace=False), ["lat", "lon"]] = np.nan
    rows = np.concatenate([np.arange(n), rng.choice(n, n // 2)])
    groups = np.concatenate([rng.integers(0, 3, n), np.full(n // 2, 3)])
    counts, grid = hotspots.grouped_cell_counts(
        inc, d, rows=rows, groups=groups, n_groups=4, cell_size=250
    )
    base = hotspots.grid_counts(inc, d, cell_size=250)
    area = np.flatnonzero(base.in_area.ravel())
    where = np.full(base.grid.n_cells, -1)
    where[area] = np.arange(len(area))
    cell = hotspots.incident_cells(inc, d, cell_size=250)[rows]
    place = np.where(cell >= 0, where[np.maximum(cell, 0)], -1)
    expected = np.zeros((4, len(area)), dtype=np.int64)
    np.add.at(expected, (groups[place >= 0], place[place >= 0]), 1)
    np.testing.assert_array_equal(counts, expected)
    assert grid == base.grid and counts.sum() < len(rows)  # some are off the map


def test_grouped_cell_counts_refuse_rows_and_groups_out_of_range():
    inc = _incidents_at(np.array([X0, X0 + 100.0]), np.array([Y0, Y0 + 100.0]))
    for rows, groups in (([0, 2], [0, 0]), ([0, -1], [0, 0]), ([0, 1], [0, 2]), ([0], [0, 0])):
        with pytest.raises(ValueError):
            hotspots.grouped_cell_counts(
                inc, rows=np.array(rows), groups=np.array(groups), n_groups=2, cell_size=100
            )


def test_district_counts_rates_and_notes():
    d = _lattice_districts(1, 3)
    d.loc[2, "population"] = np.nan
    inc = pd.DataFrame(
        {
            # D00: 3 by name (one without coordinates), D01: 1 by name + 1 by point, D02: 2.
            "district": ["D00", "D00", "D00", "D01", None, "D02", "D02", "Nowhere", None],
            "lat": np.nan,
            "lon": np.nan,
        }
    )
    lon, lat = _TO_WGS.transform(X0 + 1_500.0, Y0 + 500.0)  # inside D01
    inc.loc[4, ["lat", "lon"]] = [lat, lon]
    before = inc.copy()
    res = hotspots.district_counts(inc, d)
    pd.testing.assert_frame_equal(inc, before)  # never mutates the caller's frame
    t = res.table
    assert t["count"].tolist() == [3, 2, 2]
    pop = d["population"].to_numpy(dtype=float)
    # rate = count / population * 1,000
    np.testing.assert_allclose(t["rate_per_1000"][:2], [3 / pop[0] * 1_000, 2 / pop[1] * 1_000])
    assert np.isnan(t["rate_per_1000"].iloc[2])
    assert res.n_counted == 7 and res.n_without_district == 1
    keys = {m.key for m in res.warnings}
    assert keys == {
        "hotspots.no_district",
        "hotspots.unknown_district",
        "hotspots.population_unknown",
    }
    assert isinstance(t, gpd.GeoDataFrame) and t.crs.to_epsg() == 4326


def test_district_counts_without_boundaries():
    res = hotspots.district_counts(pd.DataFrame({"district": ["B", "A", "B", np.nan]}))
    assert res.table["district"].tolist() == ["A", "B"]
    assert res.table["count"].tolist() == [1, 2]
    assert res.table["rate_per_1000"].isna().all()


# ======================================================================================
# Getis-Ord Gi*
# ======================================================================================


def test_gi_star_hand_computed_3x3():
    # y = [[4, 2, 0], [2, 1, 0], [0, 0, 0]]: n = 9, sum = 9, mean = 1,
    # sum of squares = 16 + 4 + 4 + 1 = 25, variance = 25/9 - 1 = 16/9, s = 4/3.
    # z_i = (S_i - mean * W_i) / (s * sqrt((n W_i - W_i^2) / (n - 1))).
    # corner (0,0): S = 4+2+2+1 = 9, W = 4: (9 - 4) / (4/3 * sqrt(20/8)) = 2.37171
    # corner (2,2): S = 1, W = 4: (1 - 4) / (4/3 * sqrt(2.5)) = -1.42302
    # edge (0,1): S = 4+2+0+2+1+0 = 9, W = 6: (9 - 6) / (4/3 * sqrt(18/8)) = 3 / 2 = 1.5
    # centre: W = 9 = n, its neighbourhood is the whole area: z = 0.
    y = np.array([[4, 2, 0], [2, 1, 0], [0, 0, 0]])
    z = hotspots.gi_star_z(y)
    assert z[0, 0] == pytest.approx(15 / (4 * np.sqrt(2.5)), rel=1e-12)
    assert z[0, 0] == pytest.approx(2.37171, abs=1e-5)
    assert z[2, 2] == pytest.approx(-1.42302, abs=1e-5)
    assert z[0, 1] == pytest.approx(1.5, rel=1e-12)
    assert z[1, 1] == 0.0


def test_gi_star_z_equals_esda_on_a_random_20x20_grid():
    rng = np.random.default_rng(42)
    y = rng.poisson(rng.gamma(1.0, 2.0, (20, 20)))
    w = libpysal.weights.lat2W(20, 20, rook=False)
    ref = esda.G_Local(y.ravel().astype(float), w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(hotspots.gi_star_z(y).ravel(), ref.Zs, rtol=1e-10, atol=1e-12)


def test_gi_star_z_with_an_area_mask_equals_esda_on_the_subset():
    rng = np.random.default_rng(5)
    y = rng.poisson(3.0, (15, 18))
    yy, xx = np.mgrid[:15, :18]
    mask = (yy - 7) ** 2 + (xx - 9) ** 2 < 50  # a disc of cells; outside cells do not exist
    y = np.where(mask, y, 99)  # values outside must be ignored
    ids = np.flatnonzero(mask.ravel())
    w = libpysal.weights.w_subset(libpysal.weights.lat2W(15, 18, rook=False), ids.tolist())
    ref = esda.G_Local(y.ravel()[ids].astype(float), w, transform="B", star=True, permutations=0)
    z = hotspots.gi_star_z(y, mask)
    np.testing.assert_allclose(z.ravel()[ids], ref.Zs, rtol=1e-10, atol=1e-12)
    assert np.isnan(z[~mask]).all()


def test_gi_star_z_stack_equals_each_period():
    rng = np.random.default_rng(9)
    stack = rng.poisson(2.0, (4, 7, 6))
    stack[2] = 0  # a period without incidents: no variation, z = 0
    z = hotspots.gi_star_z(stack)
    for t in range(4):
        np.testing.assert_allclose(z[t], hotspots.gi_star_z(stack[t]), rtol=1e-12)
    assert (z[2] == 0).all()


def test_gi_star_on_the_grid_equals_esda_with_fdr_and_classes():
    d = _lattice_districts(3, 4, seed=2)
    rng = np.random.default_rng(11)
    x = np.r_[X0 + rng.uniform(0, 4_000, 1_500), X0 + 2_600 + rng.normal(0, 80, 120)]
    y = np.r_[Y0 + rng.uniform(0, 3_000, 1_500), Y0 + 1_400 + rng.normal(0, 80, 120)]
    res = hotspots.gi_star(_incidents_at(x, y), d, cell_size=250)
    grid, mask = res.grid, res.in_area
    ids = np.flatnonzero(mask.ravel())
    np.testing.assert_array_equal(res.table["cell_id"], ids)
    w = libpysal.weights.w_subset(
        libpysal.weights.lat2W(grid.ny, grid.nx, rook=False), ids.tolist()
    )
    y_area = res.table["count"].to_numpy(dtype=float)
    ref = esda.G_Local(y_area, w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(res.table["gi_z"], ref.Zs, rtol=1e-10, atol=1e-12)
    # 8.4 incidents per cell, 8.4 * 8.8 = 74 per neighbourhood: the normal approximation
    # holds (30 or more), and the p-values are esda's normal ones.
    t = res.table
    assert res.inference == "normal" and (t["n_neighbours"] * y_area.mean()).mean() > 30
    p = 2 * stats.norm.sf(np.abs(ref.Zs))
    np.testing.assert_allclose(t["gi_p"], p, rtol=1e-10)
    np.testing.assert_allclose(t["gi_p_fdr"], stats.false_discovery_control(p), rtol=1e-10)
    hot99 = (t["gi_z"] > 0) & (t["gi_p_fdr"] < 0.01)
    assert (t.loc[hot99, "gi_class"] == "hot_99").all() and hot99.any()
    hot95 = (t["gi_z"] > 0) & (t["gi_p_fdr"] >= 0.01) & (t["gi_p_fdr"] < 0.05)
    assert (t.loc[hot95, "gi_class"] == "hot_95").all()
    assert (t.loc[t["gi_p_fdr"] >= 0.10, "gi_class"] == "not_significant").all()
    assert res.fdr and res.alpha_levels == (0.01, 0.05, 0.10)
    # The cell of the planted cluster is the hottest.
    top = t.loc[t["gi_z"].idxmax()]
    assert abs(top["x"] - (X0 + 2_600)) <= 250 and abs(top["y"] - (Y0 + 1_400)) <= 250
    # FDR off: classes from raw p-values, so at least as many hot cells.
    raw = hotspots.gi_star(_incidents_at(x, y), d, cell_size=250, fdr=False)
    assert (
        raw.table["gi_class"].str.startswith("hot").sum()
        >= t["gi_class"].str.startswith("hot").sum()
    )


def test_gi_star_districts_equals_esda_on_polygons():
    d = _lattice_districts(3, 4, seed=3)
    counts = np.array([50, 40, 10, 5, 45, 35, 8, 6, 12, 9, 7, 3])
    inc = _district_incidents(d["district"].tolist(), counts)
    res = hotspots.gi_star(inc, d, unit="district")
    # Independent weights: the lattice's queen neighbours (lat2W), not the polygons.
    w = libpysal.weights.lat2W(3, 4, rook=False)
    ref = esda.G_Local(counts.astype(float), w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(res.table["gi_z"], ref.Zs, rtol=1e-10)
    assert res.table["n_neighbours"].tolist() == [c + 1 for c in w.cardinalities.values()]
    assert res.unit == "district" and res.grid is None
    assert isinstance(res.table, gpd.GeoDataFrame)


def test_isolated_district_and_no_numpy_warnings():
    d = _lattice_districts(2, 2, seed=4)
    far = shapely.box(-30.0, 46.0, -29.99, 46.01)
    d = pd.concat(
        [
            d,
            gpd.GeoDataFrame(
                {"district": ["Island"], "population": [100]}, geometry=[far], crs=4326
            ),
        ],
        ignore_index=True,
    )
    inc = _district_incidents(d["district"].tolist(), np.array([20, 3, 15, 2, 30]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gi = hotspots.gi_star(inc, d, unit="district")
        lm = hotspots.local_moran(inc, d, permutations=99)
    assert "hotspots.isolated_districts" in {m.key for m in gi.warnings}
    assert np.isfinite(gi.table["gi_z"]).all()
    island = lm.table["district"] == "Island"
    assert lm.table.loc[island, "lisa_class"].tolist() == ["isolated"]
    assert np.isnan(lm.table.loc[island, "lisa_p"]).all()


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_local_moran_agrees_with_esda():
    # The statistic and quadrants are esda's; the conditional permutations are ours
    # (esda's recompile at every process): the same distribution, other random draws.
    d = _lattice_districts(4, 5, seed=6)
    rng = np.random.default_rng(6)
    counts = rng.poisson(20, 20)
    counts[[0, 1, 5, 6]] += 60  # a high cluster in a corner
    inc = _district_incidents(d["district"].tolist(), counts)
    m = 9_999
    res = hotspots.local_moran(inc, d, permutations=m, seed=7)
    w = libpysal.weights.lat2W(4, 5, rook=False)
    ref = esda.Moran_Local(
        counts.astype(float), w, transformation="r", permutations=m, seed=7, n_jobs=1
    )
    t = res.table
    np.testing.assert_allclose(t["lisa_i"], ref.Is, rtol=1e-10)
    quadrant = np.array(["HH", "LH", "LL", "HL"])[ref.q - 1]
    assert t["lisa_quadrant"].astype(str).tolist() == quadrant.tolist()
    # Two estimates of the same p from 9,999 draws each: 4 standard errors apart at most
    p = ref.p_sim
    tolerance = 4 * np.sqrt(2 * p * (1 - p) / m) + 2 / m
    assert (np.abs(t["lisa_p"] - p) <= tolerance).all(), np.c_[t["lisa_p"], p]
    np.testing.assert_allclose(t["lisa_z"], ref.z_sim, atol=0.1)
    np.testing.assert_allclose(
        t["lisa_p_fdr"], stats.false_discovery_control(t["lisa_p"]), rtol=1e-12
    )
    sig = t["lisa_p_fdr"] < 0.05
    expected = np.where(sig, t["lisa_quadrant"].astype(str), "not_significant")
    assert t["lisa_class"].astype(str).tolist() == expected.tolist()
    # The corner cluster's four districts (p 0.002 to 0.04) are HH without FDR; over
    # 20 tests FDR keeps fewer of them.
    raw = hotspots.local_moran(inc, d, permutations=m, seed=7, fdr=False).table
    corner = [0, 1, 5, 6]
    assert (raw.loc[corner, "lisa_class"] == "HH").all()
    assert 0 < (t.loc[corner, "lisa_class"] == "HH").sum() < 4
    assert (res.permutations, res.seed, res.fdr, res.alpha) == (m, 7, True, 0.05)
    # Same seed, same answer; the rate variable uses count / population * 1,000.
    again = hotspots.local_moran(inc, d, permutations=m, seed=7)
    np.testing.assert_array_equal(again.table["lisa_p"], t["lisa_p"])
    rate = hotspots.local_moran(inc, d, variable="rate", permutations=99)
    np.testing.assert_allclose(rate.table["value"], counts / d["population"] * 1_000)


def test_local_moran_p_values_match_the_exact_permutation_distribution():
    # 3 x 3 districts: each district's neighbours (3 to 8) are relocated among the
    # 8 others, so all C(8, k) neighbour sets can be listed. The exact folded p is
    # min(P(I_sim >= I), P(I_sim < I)); 99,999 permutations estimate it.
    from itertools import combinations
    from math import comb

    d = _lattice_districts(3, 3, seed=2)
    counts = np.array([40, 31, 5, 28, 17, 9, 6, 12, 2])
    inc = _district_incidents(d["district"].tolist(), counts)
    res = hotspots.local_moran(inc, d, permutations=99_999, seed=3).table
    y = counts.astype(float)
    z = (y - y.mean()) / y.std()
    n = len(z)
    w = libpysal.weights.lat2W(3, 3, rook=False)
    for i in range(n):
        k = len(w.neighbors[i])
        observed = (n - 1) * z[i] * z[w.neighbors[i]].mean() / (z @ z)
        others = [j for j in range(n) if j != i]
        simulated = [(n - 1) * z[i] * z[list(c)].mean() / (z @ z) for c in combinations(others, k)]
        assert len(simulated) == comb(8, k)
        at_least = np.mean(np.array(simulated) >= observed - 1e-12)
        exact = min(at_least, 1 - at_least)
        assert res.loc[i, "lisa_i"] == pytest.approx(observed, rel=1e-9)
        assert abs(res.loc[i, "lisa_p"] - exact) < 0.006, (i, res.loc[i, "lisa_p"], exact)


@pytest.mark.parametrize(("n", "k"), [(400, 8), (9, 8), (30, 6)])
def test_conditional_permutations_draw_distinct_units_uniformly(n, k):
    from ilp_core.analysis.hotspots._moran import _distinct_draws

    draws = _distinct_draws(np.random.default_rng(1), n, k, 20_000)
    assert draws.shape == (20_000, k)
    assert (np.diff(np.sort(draws, axis=1), axis=1) > 0).all()  # no unit twice
    seen = np.bincount(draws.ravel(), minlength=n)
    expected = 20_000 * k / n
    chi2 = ((seen - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, n - 1) > 1e-4  # every unit equally likely
    # each position too (the first k of a row are a uniform k-subset)
    first = np.bincount(draws[:, 0], minlength=n)
    assert stats.chisquare(first).pvalue > 1e-4


# ======================================================================================
# Kernel density
# ======================================================================================


def _decorrelated_points(n: int = 400, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Clustered points rotated to the principal axes of their own covariance, so the
    sample covariance is diagonal and gaussian_kde's Scott bandwidth matrix
    (n^(-1/3) * covariance) is exactly our per-axis bandwidths."""
    rng = np.random.default_rng(seed)
    xy = np.c_[rng.normal(0, 1_500, n), rng.normal(0, 900, n)]
    xy[:150] = rng.normal([800, 300], [300, 200], (150, 2))
    xy -= xy.mean(axis=0)
    _, vecs = np.linalg.eigh(np.cov(xy.T))
    xy = xy @ vecs
    return X0 + 5_000 + xy[:, 0], Y0 + 5_000 + xy[:, 1]


@pytest.mark.parametrize("cell_size", [50.0, 100.0])
def test_gaussian_kde_agrees_with_scipy_within_binning_error(cell_size):
    x, y = _decorrelated_points()
    inc = _incidents_at(x, y)
    res = hotspots.kernel_density(inc, kernel="gaussian", rule="scott", cell_size=cell_size)
    p = geo.project(inc)
    kde = stats.gaussian_kde(np.vstack([p.x, p.y]))  # Scott's rule, full covariance
    assert abs(kde.covariance[0, 1]) < 1e-6 * kde.covariance[0, 0]
    np.testing.assert_allclose(
        [res.bandwidth_x, res.bandwidth_y], np.sqrt(np.diag(kde.covariance)), rtol=1e-9
    )
    cx, cy = res.grid.centres()
    ref = kde(np.vstack([cx.ravel(), cy.ravel()])).reshape(res.grid.shape) * len(x) * 1e6
    # Tolerance: linear binning spreads a point at fraction f of a cell over the two
    # neighbouring centres, which adds on average delta^2 / 6 of variance per axis to
    # its kernel (delta = cell size); at a peak that changes the density by at most
    # about (delta / h)^2 / 6 of the peak, h the smaller bandwidth (Hall & Wand 1996:
    # linear binning error is O(delta^2)). Measured: 0.22 % of the peak at 50 m
    # (bound 0.58 %) and 0.89 % at 100 m (bound 2.3 %).
    tol = (cell_size / min(res.bandwidth_x, res.bandwidth_y)) ** 2 / 6
    assert np.abs(res.density - ref).max() <= tol * ref.max()
    assert res.unit == "incidents_per_km2" and res.rule == "scott" and res.kernel == "gaussian"


def test_user_bandwidth_agrees_with_scipy():
    x, y = _decorrelated_points(300, seed=8)
    # Whiten exactly: equal variances and no covariance, so bw_method = h / s gives
    # gaussian_kde the covariance h^2 * I.
    x = X0 + 5_000 + (x - x.mean()) / x.std(ddof=1) * 1_000
    y = Y0 + 5_000 + (y - y.mean()) / y.std(ddof=1) * 1_000
    inc = _incidents_at(x, y)
    res = hotspots.kernel_density(inc, kernel="gaussian", bandwidth=250, cell_size=50)
    p = geo.project(inc)
    s = np.std(p.x, ddof=1)
    kde = stats.gaussian_kde(np.vstack([p.x, p.y]), bw_method=250 / s)
    np.testing.assert_allclose(np.sqrt(np.diag(kde.covariance)), 250, rtol=1e-6)
    cx, cy = res.grid.centres()
    ref = kde(np.vstack([cx.ravel(), cy.ravel()])).reshape(res.grid.shape) * len(x) * 1e6
    assert np.abs(res.density - ref).max() <= (50 / 250) ** 2 / 6 * ref.max()
    assert (res.rule, res.bandwidth_x, res.bandwidth_y) == ("user", 250.0, 250.0)


def test_quartic_kde_equals_the_direct_kernel_sum():
    rng = np.random.default_rng(12)
    x = X0 + rng.normal(2_000, 600, 300)
    y = Y0 + rng.normal(2_000, 400, 300)
    inc = _incidents_at(x, y)
    res = hotspots.kernel_density(inc, kernel="quartic", bandwidth=(700, 500), cell_size=50)
    p = geo.project(inc)
    cx, cy = res.grid.centres()
    # Brute force: K(u) = 3/pi (1 - |u|^2)^2 / (hx hy), u = (dx / 700, dy / 500).
    u2 = ((cx.ravel()[:, None] - p.x[None, :]) / 700) ** 2 + (
        (cy.ravel()[:, None] - p.y[None, :]) / 500
    ) ** 2
    direct = np.where(u2 < 1, 3 / np.pi * (1 - u2) ** 2, 0).sum(axis=1) / (700 * 500) * 1e6
    direct = direct.reshape(res.grid.shape)
    # Same reasoning as for the Gaussian, with the quartic's curvature at its centre:
    # d2/du2 (1 - u^2)^2 = -4 at u = 0 against -1 for exp(-u^2 / 2), so 4 times the
    # Gaussian bound: 4 (50 / 500)^2 / 6 = 0.67 % of the peak (measured 0.25 %).
    assert np.abs(res.density - direct).max() <= 4 * (50 / 500) ** 2 / 6 * direct.max()


def test_bandwidth_rules_and_the_small_bandwidth_warning():
    rng = np.random.default_rng(13)
    x = np.r_[X0 + rng.normal(0, 500, 500), X0 + 30_000.0]  # one far-away outlier
    y = np.r_[Y0 + rng.normal(0, 500, 500), Y0]
    inc = _incidents_at(x, y)
    p = geo.project(inc)
    scott = hotspots.kernel_density(inc, kernel="gaussian", rule="scott", cell_size=250)
    # h = sd * n^(-1/6) per axis, n = 501.
    assert scott.bandwidth_x == pytest.approx(np.std(p.x, ddof=1) * 501 ** (-1 / 6), rel=1e-9)
    robust = hotspots.kernel_density(inc, kernel="gaussian", rule="silverman", cell_size=250)
    q75, q25 = np.percentile(p.x, [75, 25])
    assert robust.bandwidth_x == pytest.approx((q75 - q25) / 1.349 * 501 ** (-1 / 6), rel=1e-9)
    assert robust.bandwidth_x < scott.bandwidth_x / 2  # the outlier inflates the sd only
    quartic = hotspots.kernel_density(inc, kernel="quartic", rule="scott", cell_size=250)
    assert quartic.bandwidth_x == pytest.approx(scott.bandwidth_x * 460.8 ** (1 / 6), rel=1e-9)
    assert "hotspots.bandwidth_below_cell" in {m.key for m in robust.warnings}
    assert "hotspots.bandwidth_below_cell" not in {m.key for m in quartic.warnings}


# ======================================================================================
# Hot-spot change
# ======================================================================================


def test_hotspot_change_classes_on_planted_cells():
    # 4 km x 4 km, 250 m cells (16 x 16), 10 weekly periods (70 days). Background:
    # 2 incidents per cell per week on average. Planted: 15 more per cell and week in
    # a 3 x 3 block of cells around each centre: A (3, 3) every week (persistent),
    # B (12, 12) weeks 9-10 (emerging), C (3, 12) weeks 1-5 (former), D (12, 3) week
    # 4 only (hot in 1 of the 8 earlier weeks: intermittent).
    rng = np.random.default_rng(21)
    start = pd.Timestamp("2024-03-04")
    plan = {(3, 3): range(10), (12, 12): (8, 9), (3, 12): range(5), (12, 3): (3,)}
    xs, ys, days = [], [], []
    for week in range(10):
        xs.append(X0 + rng.uniform(0, 4_000, 512))
        ys.append(Y0 + rng.uniform(0, 4_000, 512))
        days.append(week * 7 + rng.integers(0, 7, 512))
        for (row, col), weeks in plan.items():
            if week in weeks:
                bx, by = _cell_points(
                    [(row + dr, col + dc, 15) for dr in (-1, 0, 1) for dc in (-1, 0, 1)], 250.0
                )
                xs.append(bx)
                ys.append(by)
                days.append(week * 7 + rng.integers(0, 7, len(bx)))
    days_all = np.concatenate(days)
    days_all[0], days_all[-1] = 0, 69  # the span is exactly 70 days
    when = start + pd.to_timedelta(days_all, unit="D")
    inc = _incidents_at(np.concatenate(xs), np.concatenate(ys), occurred_at=when)
    res = hotspots.hotspot_change(inc, cell_size=250, recent_periods=2)
    assert (res.period_days, res.n_periods) == (7, 10)
    assert res.periods["start"].iloc[0] == start
    assert res.periods["end"].iloc[-1] == start + pd.Timedelta(days=69)
    assert res.periods["recent"].tolist() == [False] * 8 + [True] * 2
    assert res.periods["n_incidents"].sum() == len(inc)
    t = res.table.set_index(["row", "col"])
    assert t.loc[(3, 3), "change_class"] == "persistent"
    assert t.loc[(12, 12), "change_class"] == "emerging"
    assert t.loc[(3, 12), "change_class"] == "former"
    assert t.loc[(12, 3), "change_class"] == "intermittent"
    assert t.loc[(3, 3), "n_hot"] == 10
    assert t.loc[(3, 12), "n_hot_before"] == 5 and t.loc[(3, 12), "n_hot_recent"] == 0
    assert (t.loc[(12, 12), "first_hot_period"], t.loc[(12, 12), "last_hot_period"]) == (9, 10)
    assert pd.isna(t.loc[(0, 7), "first_hot_period"])  # far from every block: never hot
    assert (t["change_class"] == "never").mean() > 0.6
    assert res.hot.shape == (10, 16, 16) and res.z.shape == (10, 16, 16)
    # The z of week 3 equals Gi* of week 3's own counts on the same grid.
    week3 = (when >= start + pd.Timedelta(days=14)) & (when < start + pd.Timedelta(days=21))
    p = geo.project(inc[np.asarray(week3)])
    np.testing.assert_allclose(
        res.z[2], hotspots.gi_star_z(res.grid.count(p.x, p.y)), rtol=1e-10, atol=1e-12
    )


@given(
    st.lists(st.tuples(st.integers(-40, 29), st.booleans(), st.integers(0, 5)), max_size=60),
    st.integers(1, 7),
)
@settings(max_examples=150, deadline=None)
def test_period_stack_counts_as_pandas_counts(rows, period_days):
    # The compiled count of each period and cell against pandas' count of the same rows:
    # a subset of the table's rows (every other one), early and undated rows apart.
    from ilp_core.analysis.hotspots import _binning

    n_periods, n_cells = 30 // period_days, 6
    start_day = 30 - n_periods * period_days
    day = np.array([r[0] for r in rows], dtype=np.int64)
    no_date = np.array([r[1] for r in rows], dtype=bool)
    kept = np.arange(0, len(rows), 2)
    cell = np.array([rows[i][2] for i in kept], dtype=np.int64)
    stack, early, undated = _binning.period_stack(
        *_binning.read_only(day, no_date, kept, cell), start_day, period_days, n_periods, n_cells
    )
    frame = pd.DataFrame({"day": day[kept], "no_date": no_date[kept], "cell": cell})
    dated = frame[~frame["no_date"]]
    inside = dated[dated["day"] >= start_day]
    expected = np.zeros((n_periods, n_cells), dtype=np.int64)
    counted = inside.groupby([(inside["day"] - start_day) // period_days, "cell"]).size()
    for (period, c), n in counted.items():
        expected[period, c] = n
    np.testing.assert_array_equal(stack.reshape(n_periods, n_cells), expected)
    assert (early, undated) == (len(dated) - len(inside), int(frame["no_date"].sum()))


def test_period_stack_refuses_a_day_after_the_last_period():
    from ilp_core.analysis.hotspots import _binning

    one = np.array([0])
    with pytest.raises(IndexError):
        _binning.period_stack(np.array([7]), np.array([False]), one, one, 0, 7, 1, 1)


def test_hotspot_change_counts_early_and_undated_incidents_apart():
    # 71 days of one incident a day over 4 cells: weekly periods end on the last day, so
    # day 0 is before the first period; three more incidents have no date.
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(71), unit="D")
    n = len(days) + 3
    x, y = X0 + 100 + 500 * (np.arange(n) % 2), Y0 + 100 + 500 * (np.arange(n) // 2 % 2)
    inc = _incidents_at(x, y, occurred_at=list(days) + [pd.NaT] * 3)
    res = hotspots.hotspot_change(inc, cell_size=500, recent_periods=1)
    assert (res.period_days, res.n_periods) == (7, 10)
    assert res.periods["n_incidents"].tolist() == [7] * 10
    keys = {m.key: m.params for m in res.warnings}
    assert keys["hotspots.before_first_period"]["n"] == 1
    assert keys["hotspots.undated"]["n"] == 3


def test_default_periods_and_too_short_data():
    assert [hotspots.default_period_days(s) for s in (30, 92, 93, 731, 732)] == [7, 7, 28, 28, 91]
    inc = _incidents_at(
        np.array([X0, X0 + 1_000]),
        np.array([Y0, Y0 + 1_000]),
        occurred_at=pd.to_datetime(["2024-01-01", "2024-01-20"]),
    )
    with pytest.raises(IlpInputError) as err:
        hotspots.hotspot_change(inc)  # 20 days: 2 weekly periods, 3 needed (1 recent + 2)
    assert err.value.message.key == "hotspots.change_too_short"


# ======================================================================================
# Concentration and repeat locations
# ======================================================================================


def test_lorenz_gini_hand_case():
    # Sorted counts 0, 0, 1, 3 (n = 4, total 4):
    # Gini = sum (2i - n - 1) x_i / (n * total) = (1*1 + 3*3) / 16 = 0.625.
    # Largest first: 3 (75 %) >= 50 % with 1 unit -> 1/4; 3 + 1 = 100 % >= 80 % -> 2/4.
    c = hotspots.concentration_from_counts(np.array([3, 0, 1, 0]))
    assert c.gini == pytest.approx(0.625)
    assert (c.share_units_50, c.share_units_80) == (0.25, 0.5)
    assert c.lorenz["share_units"].tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    assert c.lorenz["share_incidents"].tolist() == [0, 0, 0, 0.25, 1.0]
    assert (c.n_units, c.n_empty_units, c.n_incidents) == (4, 2, 4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=40).filter(lambda v: sum(v) > 0))
def test_gini_equals_the_mean_absolute_difference_formula(values):
    x = np.array(values, dtype=float)
    n = len(x)
    direct = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())
    c = hotspots.concentration_from_counts(x)
    assert c.gini == pytest.approx(direct, abs=1e-12)
    # The 50 % share is the smallest k/n whose k largest units hold half.
    desc = np.sort(x)[::-1]
    k = next(i for i in range(1, n + 1) if desc[:i].sum() >= 0.5 * x.sum())
    assert c.share_units_50 == k / n
    assert c.lorenz["share_incidents"].iloc[-1] == pytest.approx(1.0)


def test_concentration_over_cells_includes_empty_cells():
    x, y = _cell_points([(0, 0, 6), (0, 1, 2), (3, 4, 2)])  # a 4 x 5 grid of 100 m cells
    c = hotspots.concentration(_incidents_at(x, y), unit="cell", cell_size=100)
    assert (c.n_units, c.n_empty_units, c.n_incidents) == (20, 17, 10)
    # Largest first: 6 of 10 >= 50 % with 1 of 20 cells; 6 + 2 = 8 >= 80 % with 2.
    assert (c.share_units_50, c.share_units_80) == (0.05, 0.1)
    assert c.includes_empty and c.unit == "cell"
    big = hotspots.concentration_from_counts(np.arange(5_000))
    assert len(big.lorenz) == 1_001


def test_concentration_over_locations_and_districts():
    inc = pd.DataFrame(
        {"location_id": ["L1"] * 5 + ["L2"] * 3 + ["L3"] * 2 + [None], "district": "A"}
    )
    c = hotspots.concentration(inc, unit="location")
    assert (c.n_units, c.includes_empty, c.share_units_50) == (3, False, 1 / 3)
    assert [m.key for m in c.warnings] == ["hotspots.no_location"]
    d = _lattice_districts(1, 2)
    cd = hotspots.concentration(pd.DataFrame({"district": ["D00"] * 4}), d, unit="district")
    assert (cd.n_units, cd.n_empty_units, cd.gini) == (2, 1, 0.5)


def test_repeat_locations_ranking():
    inc = pd.DataFrame(
        {
            "location_id": ["L2", "L1", "L1", "L2", "L1", "L3", None, "L4", "L4"],
            "occurred_at": pd.to_datetime(
                [
                    "2024-05-01",
                    "2024-01-03",
                    "2024-02-01",
                    "2024-01-09",
                    "2024-01-01",
                    "2024-03-01",
                    "2024-03-02",
                    "2024-04-01",
                    "2024-04-02",
                ]
            ),
            "offence": [
                "Robbery",
                "Shoplifting",
                "Robbery",
                "Robbery",
                "Shoplifting",
                "Robbery",
                "Robbery",
                "Robbery",
                "Robbery",
            ],
            "district": ["B", "A", "A", "B", "A", "C", "C", "D", "D"],
            "lat": [45.5, 45.6, 45.62, 45.5, 45.61, 45.0, 45.0, 45.1, 45.1],
            "lon": -30.5,
        }
    )
    r = hotspots.repeat_locations(inc)
    assert r["location_id"].tolist() == ["L1", "L2", "L4"]  # L3 has one incident
    assert r["count"].tolist() == [3, 2, 2] and r["rank"].tolist() == [1, 2, 3]
    first = r.iloc[0]
    assert first["first_at"] == pd.Timestamp("2024-01-01")
    assert first["last_at"] == pd.Timestamp("2024-02-01")
    assert first["offences"] == "Shoplifting (2); Robbery (1)" and first["n_offences"] == 2
    assert first["lat"] == pytest.approx(45.61) and first["district"] == "A"
    assert first["share"] == pytest.approx(3 / 8)  # 8 incidents have a location
    assert hotspots.repeat_locations(inc, min_count=4).empty
    counts, n_located = hotspots.repeat_counts(inc)  # the ranking alone, counted by hand
    assert (counts.to_dict(), n_located) == ({"L1": 3, "L2": 2, "L4": 2}, 8)
    assert list(counts.index) == ["L1", "L2", "L4"]


@pytest.mark.parametrize("min_count", [1, 2, 5])
def test_repeat_counts_rank_as_repeat_locations(min_count):
    """The counts alone agree with the full table: ids, order (ties by id), counts, share."""
    rng = np.random.default_rng(min_count)
    names = np.array(["Ленина 5", "rue Émile 2", "calle Ñu 7", "L10", "L9", "L1", "=A1"])
    ids = pd.Series(rng.choice(names, 400), dtype="str").where(rng.random(400) > 0.1)
    inc = pd.DataFrame(
        {
            "location_id": ids,
            "occurred_at": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300, 400), "D"),
            "offence": rng.choice(["Robbery", "Кража"], 400),
        }
    )
    table = hotspots.repeat_locations(inc, min_count=min_count)
    counts, n_located = hotspots.repeat_counts(inc, min_count=min_count)
    assert list(counts.index) == table["location_id"].tolist()
    assert counts.tolist() == table["count"].tolist()
    np.testing.assert_allclose(counts.to_numpy() / n_located, table["share"])
    assert n_located == int(ids.notna().sum())


def test_repeat_locations_of_a_large_table_agree_with_pandas_groupby():
    # Above memo.MIN_ROWS the ids are coded once per column and shared by the three
    # callers: each result against pandas' own grouping of the ids as text.
    from ilp_core import memo

    n = memo.MIN_ROWS + 5_000
    rng = np.random.default_rng(3)
    names = np.array([f"{w} {k}" for w in ("Ленина", "rue Émile", "calle Ñu") for k in range(9000)])
    ids = pd.Series(rng.choice(names, n), dtype="str").where(rng.random(n) > 0.6)
    inc = pd.DataFrame(
        {
            "location_id": ids,
            "occurred_at": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300, n), "D"),
            "offence": rng.choice(["Robbery", "Кража"], n),
        }
    )
    grouped = inc.dropna(subset=["location_id"]).groupby("location_id")
    sizes = grouped.size()
    expected = sizes[sizes >= 2].sort_values(kind="stable").sort_index()
    table = hotspots.repeat_locations(inc).set_index("location_id").sort_index()
    assert table.index.tolist() == expected.index.tolist()
    assert table["count"].tolist() == expected.tolist()
    np.testing.assert_allclose(table["share"], expected / ids.notna().sum())
    assert (table["first_at"] == grouped["occurred_at"].min()[expected.index]).all()
    assert (table["last_at"] == grouped["occurred_at"].max()[expected.index]).all()
    counts, n_located = hotspots.repeat_counts(inc)
    assert counts.sort_index().tolist() == expected.tolist() and n_located == ids.notna().sum()
    some = rng.random(n) < 0.3  # a priority's incidents: counted on the whole table's codes
    by_rows, n_rows = hotspots.repeat_counts(inc, rows=some)
    alone, n_alone = hotspots.repeat_counts(inc.loc[some])
    pd.testing.assert_series_equal(by_rows, alone)
    assert n_rows == n_alone == ids[some].notna().sum()
    with pytest.raises(ValueError):
        hotspots.repeat_counts(inc, rows=some[:-1])
    c = hotspots.concentration(inc, unit="location")
    reference = hotspots.concentration_from_counts(sizes.to_numpy(), unit="location")
    assert c.n_units == len(sizes) and c.gini == pytest.approx(reference.gini)
    assert c.warnings[0].params["n"] == int(ids.isna().sum())


def test_location_ids_equal_once_written_out_are_one_location():
    # An export mixing the number 7 and the text "7" (object column): one location.
    inc = pd.DataFrame(
        {
            "location_id": pd.Series([7, "7", "7", 8, None], dtype=object),
            "occurred_at": pd.Timestamp("2024-01-01"),
            "offence": "Robbery",
        }
    )
    assert hotspots.repeat_locations(inc)[["location_id", "count"]].values.tolist() == [["7", 3]]
    counts, n_located = hotspots.repeat_counts(inc, min_count=1)
    assert (counts.to_dict(), n_located) == ({"7": 3, "8": 1}, 4)


# ======================================================================================
# Forecast accuracy
# ======================================================================================


def test_hit_rate_pai_rri_hand_case():
    # A 5 x 4 grid of 100 m cells (20 cells; the corners hold a point, so the extent
    # spans it). Training: A (0,0) 6, B (0,1) 3, C (3,4) 1 -> N1 = 10.
    # Test: A 4, B 2, C 0, D (3,0) 4 -> N2 = N = 10.
    # Coverage 10 % of 20 cells = 2 cells: A and B (highest training counts).
    # hit rate = n / N = (4 + 2) / 10 = 0.6; PAI = 0.6 / (2 / 20) = 6.0;
    # RRI = (n2 / n1) / (N2 / N1) = (6 / 9) / (10 / 10) = 0.6667.
    tx, ty = _cell_points([(0, 0, 6), (0, 1, 3), (3, 4, 1)])
    sx, sy = _cell_points([(0, 0, 4), (0, 1, 2), (3, 0, 4)])
    r = hotspots.forecast_accuracy(
        _incidents_at(tx, ty), _incidents_at(sx, sy), surface="counts", coverage=0.1, cell_size=100
    )
    assert (r.n_cells_area, r.n_cells_selected) == (20, 2)
    assert (r.n_train, r.n_test, r.n_train_selected, r.n_test_selected) == (10, 10, 9, 6)
    assert r.hit_rate == pytest.approx(0.6)
    assert r.pai == pytest.approx(6.0)
    assert r.rri == pytest.approx(2 / 3)
    sel = r.table.loc[r.table["selected"], ["row", "col"]].values.tolist()
    assert sorted(sel) == [[0, 0], [0, 1]]
    # With a KDE surface, the dense corner still ranks first.
    k = hotspots.forecast_accuracy(
        _incidents_at(tx, ty),
        _incidents_at(sx, sy),
        coverage=0.05,
        cell_size=100,
        kernel="quartic",
        bandwidth=150,
    )
    assert k.table.loc[k.table["rank"] == 1, ["row", "col"]].values.tolist() == [[0, 0]]
    assert k.hit_rate == pytest.approx(0.4) and k.pai == pytest.approx(8.0)


def test_rri_undefined_is_nan_with_a_warning():
    # Training incidents at (0,0) and (0,2), 200 m apart; quartic radius 250 m. The
    # density peaks between them: at (0,1) both are 100 m away, 2 (1 - 0.4^2)^2 = 1.411,
    # against 1 + (1 - 0.8^2)^2 = 1.130 at (0,0). One cell (5 % of 20) is selected:
    # (0,1), which holds no training incident, so n1 = 0 and the RRI is undefined.
    tx, ty = _cell_points([(0, 0, 1), (0, 2, 1)])
    sx, sy = _cell_points([(0, 1, 1), (3, 4, 1)])
    r = hotspots.forecast_accuracy(
        _incidents_at(tx, ty),
        _incidents_at(sx, sy),
        coverage=0.05,
        cell_size=100,
        kernel="quartic",
        bandwidth=250,
    )
    assert r.table.loc[r.table["selected"], ["row", "col"]].values.tolist() == [[0, 1]]
    assert r.n_train_selected == 0 and np.isnan(r.rri)
    assert r.hit_rate == 0.5 and r.pai == pytest.approx(10.0)  # 0.5 / (1 / 20)
    assert "hotspots.rri_undefined" in {m.key for m in r.warnings}


# ======================================================================================
# Empty, tiny and bad inputs
# ======================================================================================


def test_no_geolocated_incident_is_a_clear_error():
    inc = pd.DataFrame({"lat": [np.nan, np.nan], "lon": [np.nan, 1.0]})
    for call in (hotspots.grid_counts, hotspots.gi_star, hotspots.kernel_density):
        with pytest.raises(IlpInputError) as err:
            call(inc)
        assert err.value.message.key == "hotspots.no_geolocated"


def test_one_incident_and_all_in_one_cell_give_documented_results():
    one = _incidents_at(np.array([X0]), np.array([Y0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        counts = hotspots.grid_counts(one)
        gi = hotspots.gi_star(one)
        assert counts.grid.n_cells == 1 and counts.counts.sum() == 1
        assert gi.table["gi_z"].tolist() == [0.0]
        assert "hotspots.no_variation" in {m.key for m in gi.warnings}
        with pytest.raises(IlpInputError, match="two geolocated"):
            hotspots.kernel_density(one)
        same = _incidents_at(np.full(50, X0 + 5), np.full(50, Y0 + 5))
        with pytest.raises(IlpInputError) as err:
            hotspots.kernel_density(same)
        assert err.value.message.key == "hotspots.kde_no_spread"
        dens = hotspots.kernel_density(same, bandwidth=200)
        assert np.isfinite(dens.density).all()
        # All in one cell of a wider area: that cell and its neighbours are hot.
        d = _lattice_districts(2, 2)
        many = hotspots.gi_star(same, d, cell_size=250)
        top = many.table.loc[many.table["count"].idxmax()]
        assert top["count"] == 50 and top["gi_z"] > 0


@pytest.mark.parametrize(
    ("call", "kwargs", "key"),
    [
        (hotspots.kernel_density, {"kernel": "box"}, "checks.option"),
        (hotspots.kernel_density, {"rule": "guess"}, "checks.option"),
        (hotspots.kernel_density, {"bandwidth": -3}, "hotspots.bad_bandwidth"),
        (hotspots.kernel_density, {"bandwidth": (100, 0)}, "hotspots.bad_bandwidth"),
        (hotspots.gi_star, {"unit": "hexagon"}, "checks.option"),
        (hotspots.gi_star, {"fdr": "yes"}, "checks.flag"),
        (hotspots.gi_star, {"unit": "district"}, "hotspots.needs_districts"),
        (hotspots.grid_counts, {"cell_size": 0}, "hotspots.bad_cell_size"),
        (hotspots.grid_counts, {"cell_size": 0.001}, "hotspots.grid_too_large"),
        (hotspots.hotspot_change, {"period_days": 0}, "checks.whole"),
        (hotspots.hotspot_change, {"alpha": 1.5}, "checks.share"),
        (hotspots.concentration, {"unit": "street"}, "checks.option"),
        (hotspots.hotspot_change, {"recent_periods": 1.5}, "checks.whole"),
        (hotspots.hotspot_change, {"emerging_recent_share": 0}, "checks.share"),
        (hotspots.repeat_locations, {"min_count": 0}, "checks.whole"),
    ],
)
def test_bad_parameters_raise_translatable_errors(call, kwargs, key):
    rng = np.random.default_rng(0)
    inc = _incidents_at(
        X0 + rng.uniform(0, 2_000, 50),
        Y0 + rng.uniform(0, 2_000, 50),
        occurred_at=pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, 50), "D"),
    )
    with pytest.raises(IlpInputError) as err:
        call(inc, **kwargs)
    assert err.value.message.key == key
    for lang in ("en", "ru", "fr", "es"):
        assert err.value.render(lang)


def test_missing_columns_and_bad_districts():
    with pytest.raises(IlpInputError) as err:
        hotspots.grid_counts(pd.DataFrame({"lat": [45.5]}))
    assert err.value.message.key == "checks.missing_columns" and err.value.columns == ("lon",)
    d = _lattice_districts(1, 2).rename(columns={"district": "name"})
    with pytest.raises(IlpInputError) as err:
        hotspots.district_counts(pd.DataFrame({"district": ["a"]}), d)
    assert err.value.message.key == "checks.missing_columns"
    assert err.value.columns == ("district",)
    d2 = _lattice_districts(1, 2)
    d2["district"] = "same"
    with pytest.raises(IlpInputError) as err:
        hotspots.district_counts(pd.DataFrame({"district": ["a"]}), d2)
    assert err.value.message.key == "hotspots.duplicate_districts"
    with pytest.raises(IlpInputError) as err:
        hotspots.local_moran(
            pd.DataFrame({"district": ["D00"]}), _lattice_districts(1, 3), permutations=5
        )
    assert err.value.message.key == "checks.whole"
    assert err.value.message.params["name"] == "permutations"
    with pytest.raises(IlpInputError) as err:
        hotspots.local_moran(pd.DataFrame({"district": ["D00"]}), _lattice_districts(1, 3), seed=-1)
    assert err.value.message.key == "checks.whole"
    assert err.value.message.params["name"] == "seed"


def test_bad_coverage_and_flags_use_the_shared_checks():
    inc = pd.DataFrame({"lat": [45.5, 45.51], "lon": [-30.5, -30.49]})
    for coverage in (0, 1.5, True, "5%"):
        with pytest.raises(IlpInputError) as err:
            hotspots.forecast_accuracy(inc, inc, coverage=coverage)
        assert err.value.message.key == "checks.share"
    with pytest.raises(IlpInputError) as err:
        hotspots.forecast_accuracy(inc, inc.drop(columns="lat"))
    assert err.value.message.key == "checks.missing_columns" and err.value.columns == ("lat",)
    with pytest.raises(IlpInputError) as err:
        hotspots.concentration_from_counts([1, 2], includes_empty="no")
    assert err.value.message.key == "checks.flag"


def test_catalogs_are_complete_with_the_same_placeholders():
    keys_used = set()
    package = Path(hotspots.__file__).parent
    for path in (*sorted(package.glob("*.py")), Path(geo.__file__)):
        keys_used |= set(re.findall(r'"(hotspots\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    catalogs = {
        lang: json.loads((LOCALES / lang / "hotspots.json").read_text(encoding="utf-8"))
        for lang in ("en", "ru", "fr", "es")
    }
    assert keys_used <= set(catalogs["en"])
    ph = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
    for lang, cat in catalogs.items():
        assert set(cat) == set(catalogs["en"]), lang
        for key, text in cat.items():
            assert set(ph.findall(text)) == set(ph.findall(catalogs["en"][key])), (lang, key)
    for name in (*hotspots.GI_CLASSES, *hotspots.CHANGE_CLASSES):
        prefix = "class" if name in hotspots.GI_CLASSES else "change"
        assert f"hotspots.{prefix}.{name}" in catalogs["en"]


# ======================================================================================
# The sample region's planted patterns
# ======================================================================================


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, gpd.GeoDataFrame, dict]:
    # The sample region is committed: a missing file is a failure, not a skip.
    assert (SAMPLE / "incidents.csv").exists() and (SAMPLE / "planted.json").exists()
    raw = pd.read_csv(SAMPLE / "incidents.csv", dtype={"district": "str", "location_id": "str"})
    inc = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(raw["occurred_at"], format="%Y-%m-%d %H:%M"),
            "offence": raw["offence"],
            "lat": raw["lat"].astype(float),
            "lon": raw["lon"].astype(float),
            "district": raw["district"],
            "location_id": raw["location_id"],
        }
    )
    districts = gpd.read_file(SAMPLE / "districts.geojson")
    planted = json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))
    return inc, districts, planted


def _cells_near(table: pd.DataFrame, grid: geo.Grid, spot: dict) -> pd.Series:
    to_utm = pyproj.Transformer.from_crs(geo.WGS84, grid.crs, always_xy=True)
    px, py = to_utm.transform(spot["lon"], spot["lat"])
    return np.hypot(table["x"] - px, table["y"] - py) <= spot["radius_m"]


def test_sample_gi_star_finds_every_persistent_hot_spot(sample):
    inc, districts, planted = sample
    res = hotspots.gi_star(inc, districts, cell_size=250)
    persistent = [h for h in planted["hotspots"] if h["kind"] == "persistent"]
    assert len(persistent) >= 3
    for spot in persistent:
        near = _cells_near(res.table, res.grid, spot)
        assert near.any(), spot["name"]
        classes = res.table.loc[near, "gi_class"].astype(str)
        assert classes.isin(["hot_95", "hot_99"]).any(), spot["name"]


def test_sample_change_classes_the_planted_spots(sample):
    inc, districts, planted = sample
    res = hotspots.hotspot_change(inc, districts, cell_size=250)
    assert res.period_days == 28
    expected = {"persistent": "persistent", "emerging": "emerging", "former": "former"}
    for spot in planted["hotspots"]:
        near = _cells_near(res.table, res.grid, spot)
        classes = res.table.loc[near, "change_class"].astype(str)
        # The cell that holds the planted centre, and most cells within the radius.
        to_utm = pyproj.Transformer.from_crs(geo.WGS84, res.grid.crs, always_xy=True)
        cid = res.grid.cell_ids(*map(np.atleast_1d, to_utm.transform(spot["lon"], spot["lat"])))[0]
        centre = res.table.loc[res.table["cell_id"] == cid, "change_class"].astype(str).tolist()
        assert centre == [expected[spot["kind"]]], spot["name"]
        assert (classes == expected[spot["kind"]]).mean() >= 0.5, spot["name"]


def test_spatial_bandwidth_rule_matches_the_arcgis_formula_by_hand():
    # Four points on a square of side 2 around (0, 0): standard distance = sqrt(8/4) = 1.414,
    # median distance from the mean centre = 1.414, sqrt(1/ln 2) * 1.414 = 1.699 > SD, so
    # radius = 0.9 * 1.414 * 4 ** -0.2 = 0.9 * 1.414 * 0.7579 = 0.9646.
    x = np.array([-1.0, 1.0, -1.0, 1.0])
    y = np.array([-1.0, -1.0, 1.0, 1.0])
    hx, hy, rule = _density._bandwidths(x, y, "quartic", None, "spatial")
    assert rule == "spatial"
    assert hx == pytest.approx(0.9 * np.sqrt(2) * 4**-0.2) == hy
    gx, _, _ = _density._bandwidths(x, y, "gaussian", None, "spatial")
    assert gx == pytest.approx(hx / hotspots.QUARTIC_PER_GAUSSIAN)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1001, 5000, 1_000_001])
def test_spatial_bandwidth_equals_the_formula_in_numpy_and_leaves_the_points_alone(n):
    rng = np.random.default_rng(n)
    x, y = rng.normal(0, 300, n), rng.lognormal(5, 1, n)
    x[: n // 3] = 7.0  # ties, as many incidents at one address
    before = x.copy(), y.copy()
    values = rng.normal(0, 1, n)
    assert _density._median_in_place(values.copy()) == np.median(values)
    if n < 2:
        return
    dx, dy = x - x.mean(), y - y.mean()
    sd = np.sqrt((dx**2 + dy**2).sum() / n)
    spread = min(sd, np.sqrt(1 / np.log(2)) * np.median(np.hypot(dx, dy)))
    hx, hy, _ = _density._bandwidths(x, y, "quartic", None, "spatial")
    # the compiled pass sums the squares in order (NumPy: pairwise): 1e-12 at 1M points
    assert hx == hy == pytest.approx(0.9 * spread * n**-0.2, rel=1e-12)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(y, before[1])


@pytest.mark.parametrize("as_category", [True, False])
def test_district_counts_match_a_plain_count_of_the_names(as_category):
    # Unused categories, Cyrillic and accented names, a number written as a name,
    # missing districts: the counts are those of the names as written, counted by hand.
    names = ["Центральный"] * 5 + ["Île-de-Cité"] * 3 + ["7"] * 2 + [None] * 4
    column = pd.Series(names, dtype="object")
    if as_category:
        column = column.astype(pd.CategoricalDtype(["Центральный", "Île-de-Cité", "7", "Пусто"]))
    res = hotspots.district_counts(pd.DataFrame({"district": column, "lat": np.nan, "lon": np.nan}))
    assert dict(zip(res.table["district"], res.table["count"], strict=True)) == {
        "7": 2, "Île-de-Cité": 3, "Центральный": 5,
    }  # fmt: skip
    assert res.n_without_district == 4 and res.n_counted == 10


@pytest.mark.parametrize("surface", ["kde", "counts"])
@pytest.mark.parametrize("undated", [0, 300])
def test_accuracy_cut_at_a_date_is_the_test_on_the_two_periods(surface, undated):
    # Reference: forecast_accuracy on the two periods' tables (filter_incidents), with
    # the sample's boundaries (the same grid); the cut places the incidents once.
    # Incidents without a date are in neither period; the split day's own hours are in
    # the test period.
    import datetime as dt

    from ilp_core.data.dataset import filter_incidents, load_sample

    sample = load_sample()
    split = dt.date(2025, 10, 1)
    inc = sample.incidents.copy()
    inc.loc[inc.index[::7][:undated], "occurred_at"] = pd.NaT
    inc.loc[inc.index[1:40:2], "occurred_at"] = pd.Timestamp("2025-10-01 00:00")
    inc.loc[inc.index[2:40:2], "occurred_at"] = pd.Timestamp("2025-09-30 23:59")
    train = filter_incidents(inc, None, split - dt.timedelta(days=1))
    test = filter_incidents(inc, split, None)
    two = hotspots.forecast_accuracy(train, test, sample.districts, surface=surface)
    cut = hotspots.forecast_accuracy_at(inc, sample.districts, split=split, surface=surface)
    for name in ("hit_rate", "pai", "rri", "n_train", "n_test", "n_cells_selected"):
        assert getattr(cut, name) == pytest.approx(getattr(two, name)), name
    pd.testing.assert_frame_equal(cut.table, two.table)


def test_points_half_the_globe_away_are_off_the_grid_not_a_crash():
    # Found by the bad-input fuzz test: the UTM zone of the median point puts the two
    # points near lon -180 at infinity; they were taken into the grid's extent (NaN).
    inc = pd.DataFrame(
        {
            "lat": [np.nan, 45.469065913954914, 1.175494351e-38, 45.469065913954914, 5e-103],
            "lon": [180.5, -180.0, 45.469065913954914, -180.0, 0.0],
        }
    )
    res = hotspots.grid_counts(inc)
    assert np.isfinite(res.grid.bounds).all()
    off = [m.params["n"] for m in res.warnings if m.key == "hotspots.outside_area"]
    assert res.n_counted >= 1 and res.n_counted + sum(off) == len(inc) - 1  # one has no lat
