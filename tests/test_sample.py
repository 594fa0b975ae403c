"""Tests of the synthetic sample region: the committed files and their planted truth.

Every planted pattern is measured again here from the committed CSV with plain
NumPy/SciPy (and one statsmodels Poisson regression), never by re-reading the
generator's own bookkeeping.
"""

from __future__ import annotations

import filecmp
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
import statsmodels.api as sm
from scipy import ndimage, stats
from scipy.spatial import cKDTree

from ilp_core import i18n
from ilp_core.data import sample
from ilp_core.data.dataset import SAMPLE_DIR
from ilp_core.errors import IlpInputError

REQUIRED_OFFENCES = (
    "Homicide",
    "Sexual offences",
    "Robbery",
    "Violence with injury",
    "Violence without injury",
    "Residential burglary",
    "Non-residential burglary",
    "Vehicle crime",
    "Theft from the person",
    "Shoplifting",
    "Drug offences",
    "Criminal damage",
)
PERIOD_START = pd.Timestamp("2024-01-01")
PERIOD_END = pd.Timestamp("2026-01-01")  # exclusive


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def planted() -> dict:
    return json.loads((SAMPLE_DIR / "planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    df = pd.read_csv(
        SAMPLE_DIR / "incidents.csv",
        dtype={"incident_id": "str", "offence": "str", "district": "str", "location_id": "str"},
        keep_default_na=False,
        na_values={"lat": [""], "lon": [""], "location_id": [""], "occurred_to": [""]},
    )
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], format="%Y-%m-%d %H:%M")
    df["occurred_to"] = pd.to_datetime(df["occurred_to"], format="%Y-%m-%d %H:%M")
    return df


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLE_DIR / "districts.geojson")


@pytest.fixture(scope="module")
def projected(incidents: pd.DataFrame, planted: dict) -> pd.DataFrame:
    """Geolocated incidents with metric x/y in the planted UTM CRS."""
    geo = incidents[incidents["lat"].notna()].copy()
    tr = pyproj.Transformer.from_crs("EPSG:4326", planted["crs"], always_xy=True)
    geo["x"], geo["y"] = tr.transform(geo["lon"].to_numpy(), geo["lat"].to_numpy())
    return geo


def _xy(planted: dict, lat: float, lon: float) -> tuple[float, float]:
    tr = pyproj.Transformer.from_crs("EPSG:4326", planted["crs"], always_xy=True)
    return tr.transform(lon, lat)


# --------------------------------------------------------------------------- files


def test_regenerates_byte_for_byte(tmp_path):
    sample.write(sample.generate(), tmp_path)
    for name in sample.FILES:
        assert filecmp.cmp(tmp_path / name, SAMPLE_DIR / name, shallow=False), name
    raw = (SAMPLE_DIR / "incidents.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")


def test_districts_are_a_valid_coverage(districts, planted):
    assert 12 <= len(districts) <= 30
    assert list(districts.columns) == ["district", "population", "geometry"]
    assert districts.crs.to_epsg() == 4326
    assert districts["district"].is_unique
    assert districts.is_valid.all()
    assert (districts.geom_type == "Polygon").all()
    metric = districts.to_crs(planted["crs"])
    geoms = metric.geometry.to_numpy()
    # brute force: no two districts share more than a sliver of area
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert shapely.intersection(geoms[i], geoms[j]).area < 1.0  # m^2
    city = shapely.union_all(geoms)
    assert city.geom_type == "Polygon" and len(city.interiors) == 0
    assert city.area == pytest.approx(metric.area.sum(), rel=1e-9)
    minx, miny, maxx, maxy = city.bounds
    assert 18_000 < maxx - minx < 23_000 and 13_000 < maxy - miny < 17_000  # ~20 x 15 km
    assert planted["crs"] == "EPSG:32625"  # UTM zone 25N: floor((-30.5 + 180) / 6) + 1 == 25
    # the city is in the open Atlantic, around 45.5 N, 30.5 W
    lon, lat = city.centroid.coords[0]
    lon, lat = pyproj.Transformer.from_crs(planted["crs"], "EPSG:4326", always_xy=True).transform(
        lon, lat
    )
    assert abs(lat - 45.5) < 0.1 and abs(lon + 30.5) < 0.15
    pop = districts["population"]
    assert pd.api.types.is_integer_dtype(pop)
    assert 550_000 <= pop.sum() <= 650_000
    assert pop.max() / pop.min() > 3  # a realistic spread, not equal districts


def test_incident_table_shape(incidents, districts, planted):
    assert list(incidents.columns) == list(sample.CSV_COLUMNS)
    assert 50_000 <= len(incidents) <= 150_000
    assert len(incidents) == planted["n_incidents"]
    assert incidents["offence"].nunique() >= 10
    assert set(REQUIRED_OFFENCES) <= set(incidents["offence"])
    assert incidents["incident_id"].is_unique
    assert incidents["incident_id"].str.fullmatch(r"SR-(2024|2025)-\d{6}").all()
    year = incidents["incident_id"].str.slice(3, 7).astype(int)
    assert (year == incidents["occurred_at"].dt.year).all()
    assert incidents["occurred_at"].is_monotonic_increasing
    assert incidents["occurred_at"].min() >= PERIOD_START
    assert incidents["occurred_at"].max() < PERIOD_END
    windowed = incidents["occurred_to"].notna()
    assert (incidents.loc[windowed, "occurred_to"] > incidents.loc[windowed, "occurred_at"]).all()
    assert incidents.loc[windowed, "occurred_to"].max() < PERIOD_END
    # most residential burglaries and vehicle crimes have a from/to window
    share = incidents.groupby("offence")["occurred_to"].apply(lambda s: s.notna().mean())
    assert share["Residential burglary"] > 0.6 and share["Vehicle crime"] > 0.6
    assert share["Violence with injury"] == 0.0
    # ~1.5 % of rows are geocoded to the district only
    missing = incidents["lat"].isna()
    assert (missing == incidents["lon"].isna()).all()
    assert missing.mean() == pytest.approx(0.015, abs=0.002)
    assert incidents["district"].ne("").all()
    assert set(incidents["district"]) <= set(districts["district"])
    ids = incidents["location_id"].dropna()
    assert ids.str.fullmatch(r"L\d{6}").all()
    assert 1_000 <= ids.nunique() <= 20_000  # a few thousand addresses


def test_every_point_lies_in_its_district(incidents, districts):
    located = incidents[incidents["lat"].notna()]
    inside = np.zeros(len(located), dtype=bool)
    for name, geom in zip(districts["district"], districts.geometry, strict=True):
        rows = (located["district"] == name).to_numpy()
        inside[rows] = shapely.contains_xy(
            geom, located["lon"].to_numpy()[rows], located["lat"].to_numpy()[rows]
        )
    assert inside.all()


# --------------------------------------------------------------------------- hot spots


def _gi_star_hot(x: np.ndarray, y: np.ndarray, grid: dict) -> np.ndarray:
    """Hot cells of Getis-Ord Gi* (3x3 binary weights incl. self, BH-FDR 5 %).

    Gi*_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1)))
    (Ord & Getis 1995, eq. 14), over the cells whose centre lies in the city.
    """
    mask, cs, x0, y0 = grid["mask"], grid["cs"], grid["x0"], grid["y0"]
    counts = np.zeros(mask.shape)
    np.add.at(counts, (((y - y0) // cs).astype(int), ((x - x0) // cs).astype(int)), 1)
    counts[~mask] = 0
    kernel = np.ones((3, 3))
    local = ndimage.convolve(counts, kernel, mode="constant")
    w = ndimage.convolve(mask.astype(float), kernel, mode="constant")  # sum w = sum w^2
    v = counts[mask]
    n, xbar, s = v.size, v.mean(), v.std()
    z = (local[mask] - xbar * w[mask]) / (s * np.sqrt((n * w[mask] - w[mask] ** 2) / (n - 1)))
    p_fdr = stats.false_discovery_control(2 * stats.norm.sf(np.abs(z)))
    hot = np.zeros(mask.shape, dtype=bool)
    hot[mask] = (z > 0) & (p_fdr < 0.05)
    return hot


@pytest.fixture(scope="module")
def grid(districts, planted) -> dict:
    city = shapely.union_all(districts.to_crs(planted["crs"]).geometry.to_numpy())
    cs = 250.0
    x0, y0, x1, y1 = city.bounds
    cx = x0 + (np.arange(int(np.ceil((x1 - x0) / cs))) + 0.5) * cs
    cy = y0 + (np.arange(int(np.ceil((y1 - y0) / cs))) + 0.5) * cs
    gx, gy = np.meshgrid(cx, cy)
    return {"mask": shapely.contains_xy(city, gx, gy), "cs": cs, "x0": x0, "y0": y0}


def _periods_28() -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The 26 consecutive 28-day periods ending on 2025-12-31."""
    return [(PERIOD_END - pd.Timedelta(days=28 * (i + 1)), PERIOD_END - pd.Timedelta(days=28 * i))
            for i in range(26)][::-1]  # fmt: skip


def test_hotspots_are_found_by_gi_star_in_their_active_periods(projected, planted, grid):
    t = projected["occurred_at"].to_numpy()
    for spot in planted["hotspots"]:
        hx, hy = _xy(planted, spot["lat"], spot["lon"])
        cell = (int((hy - grid["y0"]) // grid["cs"]), int((hx - grid["x0"]) // grid["cs"]))
        own = projected["offence"].isin(spot["offences"]).to_numpy()
        start = pd.Timestamp(spot["active_from"])
        stop = pd.Timestamp(spot["active_to"]) + pd.Timedelta(days=1)
        for a, b in _periods_28():
            sel = own & (t >= np.datetime64(a)) & (t < np.datetime64(b))
            hot = _gi_star_hot(projected["x"].to_numpy()[sel], projected["y"].to_numpy()[sel], grid)
            if a >= start and b <= stop:
                assert hot[cell], (spot["name"], a)
            elif b <= start or a >= stop:
                assert not hot[cell], (spot["name"], a)


def test_hotspot_counts_within_radius_per_quarter(projected, incidents, planted):
    quarter = projected["occurred_at"].dt.to_period("Q")
    all_quarters = incidents["occurred_at"].dt.to_period("Q")
    for spot in planted["hotspots"]:
        hx, hy = _xy(planted, spot["lat"], spot["lon"])
        near = np.hypot(projected["x"] - hx, projected["y"] - hy) <= spot["radius_m"]
        own = projected["offence"].isin(spot["offences"])
        observed = projected[near & own].groupby(quarter[near & own]).size()
        # planted expectation: sum over offences of share x that offence's quarterly count
        per_off = incidents.groupby([all_quarters, "offence"]).size().unstack(fill_value=0)
        expected = sum(per_off[o] * s for o, s in spot["shares"].items()) * (1 - 0.015)
        first = pd.Period(spot["active_from"], "Q")
        last = pd.Period(spot["active_to"], "Q")
        active = (expected.index >= first) & (expected.index <= last)
        obs = observed.reindex(expected.index, fill_value=0)
        # while active, at least the planted rows are there (background adds a little)
        assert (obs[active] >= 0.85 * expected[active]).all(), spot["name"]
        if (~active).any():  # afterwards/before, far fewer (background only)
            assert obs[~active].max() < 0.2 * expected[active].mean(), spot["name"]


def test_hot_districts_contain_the_persistent_hotspots_and_draw_more_crime(
    incidents, districts, planted
):
    expected = set()
    for spot in planted["hotspots"]:
        point = shapely.Point(spot["lon"], spot["lat"])
        name = districts.loc[districts.contains(point), "district"].item()
        assert name == spot["district"]
        if spot["kind"] == "persistent":
            expected.add(name)
    assert set(planted["hot_districts"]) == expected and len(expected) == 3
    crime = incidents["district"].value_counts(normalize=True)
    pop = districts.set_index("district")["population"]
    pop = pop / pop.sum()
    for name in expected:
        assert crime[name] > 1.2 * pop[name], name


# --------------------------------------------------------------------------- time


def _peak_mask(cells: list[list[int]], when: pd.Series) -> np.ndarray:
    table = np.zeros((7, 24), dtype=bool)
    for d, h in cells:
        table[d, h] = True
    return table[when.dt.day_of_week.to_numpy(), when.dt.hour.to_numpy()]


def test_weekday_hour_rhythms(incidents, planted):
    for offence, rhythm in planted["rhythms"].items():
        rows = incidents[incidents["offence"] == offence]
        if len(rows) < 500:
            continue
        # the event time: the start, or the middle of a from/to window
        when = (
            rows["occurred_at"]
            + (rows["occurred_to"] - rows["occurred_at"]).fillna(pd.Timedelta(0)) / 2
        )
        share = _peak_mask(rhythm["peak_cells"], when).mean()
        assert share > 1.25 * rhythm["uniform_share"], offence
        if rows["occurred_to"].isna().all():  # exact times: the planted share itself
            assert share == pytest.approx(rhythm["peak_share"], abs=0.03), offence
    # the busiest weekday-hour cell lies in the planted peak
    for offence in ("Violence with injury", "Criminal damage", "Shoplifting"):
        rows = incidents[incidents["offence"] == offence]
        table = pd.crosstab(rows["occurred_at"].dt.day_of_week, rows["occurred_at"].dt.hour)
        d, h = np.unravel_index(np.argmax(table.to_numpy()), table.shape)
        assert [int(table.index[d]), int(table.columns[h])] in planted["rhythms"][offence][
            "peak_cells"
        ]
    # Friday/Saturday 22:00-03:00: 10 of 168 weekday-hours (6 %) hold over 15 % of violence
    violence = incidents[incidents["offence"] == "Violence with injury"]["occurred_at"]
    cells = planted["rhythms"]["Violence with injury"]["peak_cells"]
    assert _peak_mask(cells, violence).mean() > 0.15


def _daily_rate(rows: pd.DataFrame, months: list[int]) -> float:
    days = pd.date_range(PERIOD_START, PERIOD_END - pd.Timedelta(days=1))
    n_days = int(np.isin(days.month, months).sum())
    return float(rows["occurred_at"].dt.month.isin(months).sum() / n_days)


def test_seasonality(incidents, planted):
    for offence in ("Violence with injury", "Violence without injury", "Criminal damage"):
        rows = incidents[incidents["offence"] == offence]
        ratio = _daily_rate(rows, [6, 7, 8]) / _daily_rate(rows, [1, 2, 3, 4, 10, 11, 12])
        assert 1.18 < ratio < 1.45, offence  # planted +30 % in June-August
        assert planted["seasonality"][offence]["months"][6] == 1.3
    rows = incidents[incidents["offence"] == "Residential burglary"]
    ratio = _daily_rate(rows, [11, 12, 1]) / _daily_rate(rows, [3, 4, 5, 6, 7, 8, 9])
    assert 1.18 < ratio < 1.45  # planted +30 % in November-January


def _monthly(incidents: pd.DataFrame, offence: str) -> pd.Series:
    rows = incidents[incidents["offence"] == offence]
    return rows.groupby(rows["occurred_at"].dt.to_period("M")).size()


def test_rising_and_falling_offences(incidents, planted):
    for key, sign in (("rising_offence", 1), ("falling_offence", -1)):
        truth = planted[key]
        monthly = _monthly(incidents, truth["offence"])
        assert len(monthly) == 24
        tau, p = stats.kendalltau(np.arange(24), monthly.to_numpy())
        assert np.sign(tau) == sign and p < 0.01, key
        # monthly Poisson regression: log E[count] = a + b month + log(days) + summer term
        months = monthly.index.month.to_numpy()
        days = monthly.index.days_in_month.to_numpy()
        season = np.log(np.asarray(planted["seasonality"].get(truth["offence"], {}).get(
            "months", [1.0] * 12))[months - 1])  # fmt: skip
        fit = sm.GLM(
            monthly.to_numpy(),
            sm.add_constant(np.arange(24.0)),
            family=sm.families.Poisson(),
            offset=np.log(days) + season,
        ).fit()
        monthly_pct = np.expm1(fit.params[1]) * 100
        assert monthly_pct == pytest.approx(truth["monthly_change_pct"], abs=0.7), key
        quarters = incidents[incidents["offence"] == truth["offence"]]["occurred_at"].dt.quarter
        years = incidents[incidents["offence"] == truth["offence"]]["occurred_at"].dt.year
        first = int(((years == 2024) & (quarters == 1)).sum())
        last = int(((years == 2025) & (quarters == 4)).sum())
        assert (last / first - 1) * 100 == pytest.approx(truth["change_pct"], abs=10), key
    assert planted["rising_offence"]["change_pct"] >= 30
    assert planted["falling_offence"]["change_pct"] <= -30


def test_other_offences_are_flat(incidents, planted):
    moving = {planted["rising_offence"]["offence"], planted["falling_offence"]["offence"]}
    years = incidents.groupby(["offence", incidents["occurred_at"].dt.year]).size().unstack()
    for offence, row in years.iterrows():
        if offence in moving or row.sum() < 1_500:
            continue
        # 2024 has 366 days, 2025 has 365: a flat rate gives 365/366 = 0.997
        assert 0.9 < row[2025] / row[2024] < 1.1, offence


# --------------------------------------------------------------------------- near repeat


def _knox(x, y, t, d_lo, d_hi, t_lo, t_hi, permutations, seed):
    """Knox count of pairs with d_lo < d <= d_hi and t_lo <= |dt| < t_hi, with a
    permutation reference that shuffles the dates over the places (Knox 1964)."""
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(d_hi, output_type="ndarray")
    dist = np.hypot(x[pairs[:, 0]] - x[pairs[:, 1]], y[pairs[:, 0]] - y[pairs[:, 1]])
    pairs = pairs[dist > d_lo]

    def count(tt: np.ndarray) -> int:
        gap = np.abs(tt[pairs[:, 0]] - tt[pairs[:, 1]])
        return int(((gap >= t_lo) & (gap < t_hi)).sum())

    rng = np.random.default_rng(seed)
    observed = count(t)
    null = np.array([count(rng.permutation(t)) for _ in range(permutations)])
    p = (1 + int((null >= observed).sum())) / (permutations + 1)
    return observed / null.mean(), p


def test_near_repeat_burglary_knox(projected, planted):
    nr = planted["near_repeat"]
    rows = projected[projected["offence"] == nr["offence"]]
    x, y = rows["x"].to_numpy(), rows["y"].to_numpy()
    t = ((rows["occurred_at"] - PERIOD_START).dt.total_seconds() / 86_400).to_numpy()
    # brute-force check of the pair finder on the first 400 burglaries
    sub = slice(0, 400)
    d = np.hypot(x[sub, None] - x[None, sub], y[sub, None] - y[None, sub])
    g = np.abs(t[sub, None] - t[None, sub])
    brute = int(np.triu((d <= 200) & (g < 14), k=1).sum())
    tree = cKDTree(np.column_stack([x[sub], y[sub]]))
    pairs = tree.query_pairs(200, output_type="ndarray")
    assert brute == int((np.abs(t[sub][pairs[:, 0]] - t[sub][pairs[:, 1]]) < 14).sum())

    ratio, p = _knox(x, y, t, -1, nr["distance_m"], 0, nr["days"], 99, seed=1)
    assert ratio > 1.3 and p <= 0.01
    ratio_far, _ = _knox(x, y, t, 1_000, 2_000, 60, 10_000, 49, seed=2)
    assert ratio_far == pytest.approx(1.0, abs=0.05)


# --------------------------------------------------------------------------- repeats


def test_repeat_locations(incidents, planted):
    counts = incidents["location_id"].value_counts()
    top = counts.sort_index().sort_values(ascending=False, kind="stable").head(10)
    assert [[k, int(v)] for k, v in top.items()] == planted["repeat_locations"]["top"]
    assert (top >= 20).all()
    assert 200 <= int((counts >= 5).sum()) <= 2_000  # a few hundred repeat places
    by_offence = incidents.groupby(["location_id", "offence"]).size().unstack(fill_value=0)
    main = by_offence.idxmax(axis=1)
    size = by_offence.sum(axis=1)
    assert ((main == "Shoplifting") & (size >= 20)).sum() >= 10  # shops
    assert (main.isin(["Violence with injury", "Violence without injury"]) & (size >= 5)).sum() >= 3
    assert ((main == "Residential burglary") & (size >= 2)).sum() >= 50  # re-burgled homes
    # a location is one place: all its geocoded rows share one coordinate
    located = incidents.dropna(subset=["location_id", "lat"])
    assert located.groupby("location_id")[["lat", "lon"]].nunique().max().max() == 1


# --------------------------------------------------------------------------- ranking


def test_count_ranking_differs_from_harm_ranking(incidents, planted):
    # Illustrative custody-days weights in the spirit of the Cambridge Crime Harm Index
    # (Sherman, Neyroud & Neyroud 2016): starting-point sentences in days.
    harm_days = {
        "Homicide": 5475, "Sexual offences": 730, "Robbery": 365,
        "Residential burglary": 365, "Violence with injury": 120,
        "Possession of weapons": 180, "Non-residential burglary": 60, "Drug offences": 20,
        "Vehicle crime": 20, "Theft from the person": 20, "Criminal damage": 5,
        "Violence without injury": 5, "Public order offences": 5, "Other theft": 5,
        "Bicycle theft": 5, "Shoplifting": 2,
    }  # fmt: skip
    counts = incidents["offence"].value_counts()
    assert list(counts.sort_values(ascending=False).index[:1]) == planted["count_ranking"][:1]
    harm = pd.Series({o: counts[o] * w for o, w in harm_days.items()})
    by_count = counts.rank(ascending=False)
    by_harm = harm.rank(ascending=False)[by_count.index]
    rho = stats.spearmanr(by_count, by_harm).statistic
    assert rho < 0.5
    assert set(by_count.nsmallest(3).index).isdisjoint(by_harm.nsmallest(3).index)
    assert by_count["Homicide"] == len(counts) and by_harm["Homicide"] <= 10
    assert 4 <= counts["Homicide"] <= 30  # a handful per year


# --------------------------------------------------------------------------- allocation


def test_allocation_follows_population_not_crime(incidents, districts, planted):
    alloc = pd.read_csv(SAMPLE_DIR / "allocation.csv")
    assert list(alloc.columns) == ["district", "hours_per_week"]
    assert pd.api.types.is_integer_dtype(alloc["hours_per_week"])
    assert int(alloc["hours_per_week"].sum()) == planted["patrol_hours_per_week"] == 4_000
    pop = districts.set_index("district")["population"]
    hours = alloc.set_index("district")["hours_per_week"][pop.index]
    # proportional to population: 4000 x pop / total, off by less than one hour
    assert np.abs(hours - 4_000 * pop / pop.sum()).max() < 1.0
    crime = incidents["district"].value_counts()[pop.index]
    assert stats.pearsonr(hours, crime).statistic < 0.8
    hot = planted["hot_districts"]
    assert hours[hot].sum() / 4_000 < crime[hot].sum() / crime.sum() - 0.1


# --------------------------------------------------------------------------- scaling


def test_scaling_keeps_the_planted_rates(planted):
    big = sample.generate(n_incidents=200_000)
    inc = big.incidents
    assert len(inc) == 200_000 and inc["incident_id"].is_unique
    share = inc["offence"].value_counts(normalize=True)
    for offence, truth in planted["offences"].items():
        if truth["expected_share"] > 0.01:
            assert share[offence] == pytest.approx(truth["expected_share"], rel=0.06), offence
    assert inc["lat"].isna().mean() == pytest.approx(0.015, abs=1e-4)
    # hot-spot rows as a share of their offences' rows while active
    counts = {h["name"]: h["incidents"] for h in big.planted["hotspots"]}
    for spot in planted["hotspots"]:
        start = pd.Timestamp(spot["active_from"])
        stop = pd.Timestamp(spot["active_to"]) + pd.Timedelta(days=1)
        active = inc[(inc["occurred_at"] >= start) & (inc["occurred_at"] < stop)]
        expected = sum((active["offence"] == o).sum() * s for o, s in spot["shares"].items())
        assert counts[spot["name"]] == pytest.approx(expected, rel=0.1), spot["name"]
    # near-repeat follow-ups: branching ratio 0.3, so about 30 % of burglaries
    burglaries = int((inc["offence"] == "Residential burglary").sum())
    assert big.planted["near_repeat"]["followup_incidents"] / burglaries == pytest.approx(
        0.3, abs=0.04
    )
    rising = inc[inc["offence"] == "Vehicle crime"]["occurred_at"]
    q1 = ((rising.dt.year == 2024) & (rising.dt.quarter == 1)).sum()
    q4 = ((rising.dt.year == 2025) & (rising.dt.quarter == 4)).sum()
    assert q4 / q1 == pytest.approx(1.4, abs=0.08)


def test_same_seed_same_data_other_seed_other_data():
    a = sample.generate(n_incidents=2_000, seed=7)
    b = sample.generate(n_incidents=2_000, seed=7)
    c = sample.generate(n_incidents=2_000, seed=8)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    assert not a.incidents["lat"].equals(c.incidents["lat"])
    pd.testing.assert_frame_equal(a.districts, c.districts)  # the city itself is fixed


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"n_incidents": 10}, "checks.whole"),
        ({"n_incidents": 20_000_000}, "checks.whole"),
        ({"n_incidents": True}, "checks.whole"),
        ({"n_incidents": 5_000.0}, "checks.whole"),
        ({"seed": -1}, "checks.whole"),
        ({"seed": 1.5}, "checks.whole"),
        ({"seed": 2**32}, "checks.whole"),
    ],
)
def test_bad_arguments_raise_translatable_errors(kwargs, key):
    with pytest.raises(IlpInputError) as info:
        sample.generate(**kwargs)
    assert info.value.message.key == key
    assert info.value.message.params["name"] == next(iter(kwargs))
    for lang in i18n.LANGUAGES:
        assert info.value.render(lang)


def test_main_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit) as info:
        sample.main(["--incidents", "5", "--out", "/nonexistent/never-written"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "n_incidents" in err and "1000…10000000" in err  # the argument and its range


# --------------------------------------------------------------------------- docs, i18n


def test_catalogs_name_every_offence_and_district(incidents, districts, planted):
    values = (
        set(incidents["offence"])
        | set(districts["district"])
        | {h["name"] for h in planted["hotspots"]}
        | {planted["city_name"]}
    )
    for lang in i18n.LANGUAGES:
        for value in values:
            assert i18n.has(f"term.{i18n.slug(value)}", lang), (lang, value)
            assert i18n.catalog(lang).get(f"term.{i18n.slug(value)}"), (lang, value)
        assert i18n.catalog(lang)["term.city_name"]
    for lang in ("ru", "fr", "es"):
        translated = [i18n.term(v, lang) != v for v in districts["district"]]
        assert all(translated), lang


def test_readme_documents_every_file_and_planted_key(planted):
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    for name in (*sample.FILES, *sample.CSV_COLUMNS, "hours_per_week", "population"):
        assert name in text, name
    for key in planted:
        assert f"`{key}`" in text, key
    assert re.search(r"North Atlantic", text)
    assert "--incidents 1000000" in text
