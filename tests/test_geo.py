"""Tests of ilp_core.data.geo: projection, districts, and the regular grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_core.data import geo
from ilp_core.data.geo import Grid
from ilp_core.errors import IlpInputError

UTM25 = pyproj.CRS.from_epsg(32625)


# ---- projection and districts ---------------------------------------------------------


def test_utm_crs_of_the_sample_area():
    # -30.5 degrees: zone floor((-30.5 + 180) / 6) + 1 = 25, northern hemisphere.
    assert geo.utm_crs(np.array([45.5]), np.array([-30.5])).to_epsg() == 32625
    assert geo.utm_crs(np.array([-33.9]), np.array([18.4])).to_epsg() == 32734


def _zone_by_median(lat: np.ndarray, lon: np.ndarray) -> int:
    """The rule as written: the UTM zone holding the median point (NumPy's medians)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    mlat, mlon = np.median(lat[ok]), np.median(lon[ok])
    zone = int(np.floor((mlon + 180.0) / 6.0)) % 60 + 1
    return (32600 if mlat >= 0 else 32700) + zone


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-90, 90) | st.sampled_from([0.0, -0.0, -1e-300, float("nan")]),
            st.floats(-180, 180) | st.sampled_from([-180.0, 180.0, -6.0, 0.0, 5.999999, 6.0]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_utm_crs_is_the_zone_of_the_median_point_even_without_computing_it(points):
    """One hemisphere and zone skip the medians: the same zone as the medians give,
    on points on the equator, on zone edges, at +-180 and with missing ones."""
    lat, lon = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    if not (np.isfinite(lat) & np.isfinite(lon)).any():
        return
    assert geo.utm_crs(lat, lon).to_epsg() == _zone_by_median(lat, lon)


def test_project_gives_metres_and_keeps_positions():
    inc = pd.DataFrame({"lat": [45.5, np.nan, 45.51], "lon": [-30.5, -30.5, -30.5]})
    p = geo.project(inc)
    assert p.index.tolist() == [0, 2]
    # 0.01 degree of latitude is about 1,111 m (1 degree = 111.1 km at 45 N).
    assert np.hypot(p.x[1] - p.x[0], p.y[1] - p.y[0]) == pytest.approx(1111.0, rel=2e-3)


def test_assign_districts_point_in_polygon():
    boxes = [shapely.box(-30.6, 45.4, -30.5, 45.5), shapely.box(-30.5, 45.4, -30.4, 45.5)]
    d = gpd.GeoDataFrame({"district": ["W", "E"]}, geometry=boxes, crs=geo.WGS84)
    out = geo.assign_districts([45.45, 45.45, 46.0, np.nan], [-30.55, -30.45, -30.5, 0.0], d)
    assert out.iloc[:2].tolist() == ["W", "E"]
    assert out.iloc[2:].isna().all()


# ---- cell-size rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (20_000, 15_000, 300.0),  # 15,000 / 50 = 300
        (15_000, 20_000, 300.0),  # the shorter side, whichever axis
        (40_000, 12_400, 200.0),  # 248 rounded down to 200
        (5_000, 9_000, 100.0),  # 100 exactly
        (4_999, 10_000, 90.0),  # 99.98 < 100: small-area rule, 90
        (3_000, 4_000, 60.0),  # 60
        (400, 1_000, 10.0),  # 8 -> minimum 10 m
        (0, 0, 10.0),
    ],
)
def test_default_cell_size_hand_cases(width, height, expected):
    assert geo.default_cell_size(width, height) == expected


# ---- make_grid ------------------------------------------------------------------------


def test_make_grid_snaps_origin_and_covers_the_extent():
    # minx 1,020 -> x0 = floor(1020 / 300) * 300 = 900; maxx 21,020: (21020-900)/300 = 67.07
    # -> 68 columns; y: 4,800 .. 20,000: (20000-4800)/300 = 50.67 -> 51 rows.
    g = geo.make_grid((1_020.0, 5_000.0, 21_020.0, 20_000.0), UTM25)
    assert (g.x0, g.y0, g.cell_size, g.nx, g.ny) == (900.0, 4800.0, 300.0, 68, 51)
    assert g.bounds[2] >= 21_020.0 and g.bounds[3] >= 20_000.0


def test_make_grid_point_on_the_north_east_edge_is_inside():
    g = geo.make_grid((0.0, 0.0, 1_000.0, 500.0), UTM25, cell_size=100)
    # 1000 / 100 = 10 -> 11 columns, so x = 1,000 falls in column 10.
    assert (g.nx, g.ny) == (11, 6)
    row, col, inside = g.locate(np.array([1_000.0]), np.array([500.0]))
    assert inside.all() and (row[0], col[0]) == (5, 10)


#: Points around an 11 x 6 grid of 100 m cells at (0, 0): edges, NaN, infinities, -5e-324.
GRID_POINTS = st.lists(
    st.tuples(
        st.floats(-300, 1_300) | st.sampled_from([float("nan"), float("inf"), 1_100.0]),
        st.floats(-300, 800)
        | st.sampled_from([0.0, -5e-324, 599.9999999999, 600.0, float("-inf")]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(GRID_POINTS)
def test_locate_gives_each_point_its_cell_by_hand(points):
    """Row and column of each point computed one at a time in Python; 0 outside."""
    g = Grid(0.0, 0.0, 100.0, 11, 6, UTM25)
    x, y = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    row, col, inside = g.locate(x, y)
    for k, (px, py) in enumerate(points):
        within = 0.0 <= px < 1_100.0 and 0.0 <= py < 600.0
        assert inside[k] == within
        expected = (min(int(py // 100), 5), min(int(px // 100), 10)) if within else (0, 0)
        assert (row[k], col[k]) == expected, (px, py)
    assert row.dtype == col.dtype == np.int64


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf"), "100", True])
def test_make_grid_rejects_bad_cell_sizes(bad):
    with pytest.raises(IlpInputError) as err:
        geo.make_grid((0.0, 0.0, 1_000.0, 1_000.0), UTM25, cell_size=bad)
    assert err.value.message.key == "hotspots.bad_cell_size"


def test_hard_cap_names_a_cell_size_that_fits():
    bounds = (0.0, 0.0, 100_000.0, 100_000.0)
    with pytest.raises(IlpInputError) as err:
        geo.make_grid(bounds, UTM25, cell_size=40)  # 2,501 x 2,501 = 6.3 million cells
    assert err.value.message.key == "hotspots.grid_too_large"
    suggested = float(err.value.message.params["suggested"])
    assert suggested == 400.0  # sqrt(1e10 / 1e5) = 316 -> 400 m (100 m steps); 251^2 = 63,001
    assert geo.make_grid(bounds, UTM25, cell_size=suggested).n_cells <= geo.CELL_WARN_LIMIT
    # One step smaller (300 m: 334^2 = 111,556) would exceed the warning limit.
    assert np.prod(geo.grid_shape(bounds, 300.0)) > geo.CELL_WARN_LIMIT
    assert str(400) in err.value.render("en")


def test_warning_above_100000_cells_and_not_at_it():
    small = Grid(0.0, 0.0, 10.0, 400, 250, UTM25)  # exactly 100,000 cells
    big = Grid(0.0, 0.0, 10.0, 401, 250, UTM25)  # 100,250 cells
    assert geo.grid_warnings(small) == ()
    (msg,) = geo.grid_warnings(big)
    assert msg.key == "hotspots.grid_large"
    assert msg.params["n_cells"] == 100_250
    assert "100,250" in msg.render("en")


# ---- counting -------------------------------------------------------------------------


def test_count_equals_numpy_histogram2d():
    rng = np.random.default_rng(3)
    x = rng.normal(5_000, 1_500, 20_000)
    y = rng.normal(3_000, 800, 20_000)
    g = geo.make_grid((x.min(), y.min(), x.max(), y.max()), UTM25, cell_size=250)
    counts = g.count(x, y)
    xe = g.x0 + np.arange(g.nx + 1) * g.cell_size
    ye = g.y0 + np.arange(g.ny + 1) * g.cell_size
    hist, _, _ = np.histogram2d(y, x, bins=(ye, xe))
    np.testing.assert_array_equal(counts, hist.astype(np.int64))
    assert counts.sum() == 20_000


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-500, 1_500), st.floats(-500, 1_500)), min_size=0, max_size=60),
    st.sampled_from([50.0, 100.0, 333.0]),
)
def test_count_keeps_every_point_inside_and_drops_the_rest(points, cs):
    g = Grid(0.0, 0.0, cs, int(np.ceil(1_000 / cs)), int(np.ceil(1_000 / cs)), UTM25)
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    inside = (x >= 0) & (y >= 0) & (x < g.nx * cs) & (y < g.ny * cs)
    counts = g.count(x, y)
    # Brute force: one point at a time into the cell its coordinates fall in.
    expected = np.zeros(g.shape, dtype=np.int64)
    for xi, yi in zip(x[inside], y[inside], strict=True):
        expected[int(yi // cs), int(xi // cs)] += 1
    np.testing.assert_array_equal(counts, expected)


def test_cell_ids_and_centres():
    g = Grid(0.0, 0.0, 100.0, 3, 2, UTM25)
    np.testing.assert_array_equal(
        g.cell_ids(np.array([50.0, 250.0]), np.array([150.0, 0.0])), [3, 2]
    )
    with pytest.raises(ValueError, match="outside"):
        g.cell_ids(np.array([301.0]), np.array([0.0]))
    cx, cy = g.centres()
    assert cx[1, 2] == 250.0 and cy[1, 2] == 150.0


def test_cells_are_map_ready_polygons_in_wgs84():
    inc = pd.DataFrame({"lat": [45.5, 45.52], "lon": [-30.5, -30.47]})
    p = geo.project(inc)
    g = geo.make_grid((p.x.min(), p.y.min(), p.x.max(), p.y.max()), p.crs, cell_size=500)
    cells = g.cells(np.array([0, g.n_cells - 1]))
    assert cells.crs.to_epsg() == 4326
    assert list(cells.columns) == ["cell_id", "row", "col", "x", "y", "lon", "lat", "geometry"]
    metric = cells.to_crs(g.crs)
    # Each polygon is the 500 m square around its metric centre.
    np.testing.assert_allclose(metric.area, 250_000.0, rtol=1e-6)
    np.testing.assert_allclose(metric.centroid.x, cells["x"], atol=1e-3)
    np.testing.assert_allclose(metric.centroid.y, cells["y"], atol=1e-3)
    # lon/lat are the centre in degrees.
    back = gpd.GeoSeries(gpd.points_from_xy(cells["lon"], cells["lat"]), crs=4326).to_crs(g.crs)
    np.testing.assert_allclose(back.x, cells["x"], atol=1e-3)
    assert g.cells(np.array([], dtype=np.int64)).empty


def test_cells_in_area_keeps_cells_that_touch_the_polygon():
    g = Grid(0.0, 0.0, 100.0, 4, 3, UTM25)
    # An L: the bottom row plus the left column; (250, 150) pokes into cell (1, 2).
    area = shapely.Polygon(
        [(0, 0), (400, 0), (400, 90), (250, 90), (250, 150), (90, 150), (90, 300), (0, 300)]
    )
    mask = geo.cells_in_area(g, area)
    expected = np.array(
        [
            [True, True, True, True],
            [True, True, True, False],
            [True, False, False, False],
        ]
    )
    np.testing.assert_array_equal(mask, expected)


def test_a_projection_split_between_threads_gives_the_same_metres(monkeypatch):
    # Large tables are projected in threads (a transformer each); the reference is
    # one pyproj transform of all points.
    rng = np.random.default_rng(3)
    n = 50_001
    df = pd.DataFrame({"lat": 45.5 + rng.random(n) * 0.3, "lon": -30.5 + rng.random(n) * 0.4})
    df.loc[::9, "lon"] = np.nan
    monkeypatch.setattr(geo, "THREADED_POINTS", 1_000)
    monkeypatch.setattr(geo.os, "cpu_count", lambda: 3)
    p = geo.project(df)
    transformer = pyproj.Transformer.from_crs(geo.WGS84, p.crs, always_xy=True)
    x, y = transformer.transform(df["lon"].to_numpy()[p.index], df["lat"].to_numpy()[p.index])
    assert len(p.x) == n - len(range(0, n, 9))
    np.testing.assert_array_equal(p.x, x)
    np.testing.assert_array_equal(p.y, y)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_selected_points_are_those_of_projecting_the_rows(flags):
    """A part taken from a table's projection equals projecting the part, in that CRS."""
    rng = np.random.default_rng(len(flags))
    n = len(flags)
    df = pd.DataFrame({"lat": 45.5 + rng.random(n) * 0.3, "lon": -30.5 + rng.random(n) * 0.4})
    located = np.array([f[0] for f in flags])
    rows = np.array([f[1] for f in flags])
    df.loc[~located, "lat"] = np.nan
    if not located.any():
        return
    whole = geo.project(df)
    part = whole.select(rows)
    if not (rows & located).any():
        assert len(part.x) == len(part.index) == 0
        return
    direct = geo.project(df.loc[rows], whole.crs)
    np.testing.assert_array_equal(part.index, direct.index)
    np.testing.assert_array_equal(part.x, direct.x)
    np.testing.assert_array_equal(part.y, direct.y)
    assert part.crs == whole.crs


def test_projection_is_remembered_read_only_and_shared():
    rng = np.random.default_rng(4)
    n = 60_000  # above memo.MIN_ROWS
    df = pd.DataFrame({"lat": 45.5 + rng.random(n) * 0.3, "lon": -30.5 + rng.random(n) * 0.4})
    first, again = geo.projection(df), geo.projection(df.copy(deep=False))
    assert again is first and not first.x.flags.writeable
    np.testing.assert_array_equal(first.x, geo.project(df).x)


@pytest.mark.parametrize("threaded", [False, True])
def test_points_selected_from_a_table_located_everywhere_are_projected_ones(threaded, monkeypatch):
    # every row has its point (the usual export): taken by position, not by point number
    monkeypatch.setattr(geo, "THREADED_POINTS", 1 if threaded else 10**9)
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"lat": 45.5 + rng.random(500) * 0.3, "lon": -30.5 + rng.random(500) * 0.4})
    whole = geo.project(df)
    for rows in (rng.random(500) < 0.3, np.ones(500, bool), np.zeros(500, bool)):
        part, direct = whole.select(rows), geo.project(df.loc[rows], whole.crs)
        np.testing.assert_array_equal(part.index, direct.index if rows.any() else [])
        np.testing.assert_array_equal(part.x, direct.x if rows.any() else [])
        np.testing.assert_array_equal(part.y, direct.y if rows.any() else [])


@pytest.mark.parametrize("threaded", [False, True])
@pytest.mark.parametrize("share", [0.1, 0.5, 0.9, 1.0])
def test_selected_points_with_rows_without_a_point_are_projected_ones(share, threaded, monkeypatch):
    # a few rows chosen go through the points' numbers, most through flags: both agree
    # with projecting the chosen rows, rows after the last point included (their x and
    # y taken on two threads from THREADED_POINTS points: lowered here to take that path)
    rng = np.random.default_rng(9)
    n = 2_000
    df = pd.DataFrame({"lat": 45.5 + rng.random(n) * 0.3, "lon": -30.5 + rng.random(n) * 0.4})
    df.loc[rng.random(n) < 0.05, "lon"] = np.nan
    df.loc[n - 7 :, "lat"] = np.nan  # the last rows have no point
    whole = geo.project(df)
    monkeypatch.setattr(geo, "THREADED_POINTS", 1 if threaded else 10**9)
    rows = rng.random(n) < share
    part, direct = whole.select(rows), geo.project(df.loc[rows], whole.crs)
    np.testing.assert_array_equal(part.index, direct.index)
    np.testing.assert_array_equal(part.x, direct.x)
    np.testing.assert_array_equal(part.y, direct.y)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=40),
    st.integers(0, 45),
    st.integers(0, 45),
)
def test_the_points_of_a_slice_of_rows_are_those_of_projecting_it(located, start, stop):
    """Views of a projection for rows one after the other equal projecting those rows."""
    rng = np.random.default_rng(len(located))
    n = len(located)
    df = pd.DataFrame({"lat": 45.5 + rng.random(n) * 0.3, "lon": -30.5 + rng.random(n) * 0.4})
    df.loc[~np.array(located), "lat"] = np.nan
    if not any(located):
        return
    whole = geo.project(df)
    part = whole.between(slice(start, stop))
    rows = df.iloc[start:stop]
    if not rows["lat"].notna().any():
        assert len(part.x) == len(part.index) == 0
        return
    direct = geo.project(rows, whole.crs)
    np.testing.assert_array_equal(part.index, direct.index)
    np.testing.assert_array_equal(part.x, direct.x)
    np.testing.assert_array_equal(part.y, direct.y)
    assert np.shares_memory(part.x, whole.x) and part.crs == whole.crs


def test_a_slice_with_a_step_is_refused():
    p = geo.project(pd.DataFrame({"lat": [45.5, 45.6, 45.7], "lon": [-30.5, -30.4, -30.3]}))
    with pytest.raises(ValueError, match="one after the other"):
        p.between(slice(0, 3, 2))
