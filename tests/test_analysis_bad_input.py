"""Every public function of ilp_core.analysis answers right or raises IlpInputError.

Issue 13 listed raw errors from inside the libraries: ``local_moran`` when no district
has a neighbour (a broadcast error from esda), ``gi_star_z`` with a NaN count (every z
silently 0), ``knox_test(seed=-1)`` (numpy's message), ``gi_star`` given a latitude of
95 ("cannot convert float NaN to integer"). Each has its test here; then Hypothesis
feeds every public function bad values (NaN, infinite and impossible coordinates,
missing and far-off dates, empty tables, single rows, wrong argument values) and
checks that nothing but an ``IlpInputError`` comes out.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_core.analysis import hotspots, near_repeat
from ilp_core.analysis import temporal as tm
from ilp_core.data.schema import coerce_incidents
from ilp_core.errors import IlpInputError

# Three districts side by side near 45.5 N, 30.5 W, and one far away.
BOXES = [shapely.box(-30.53 + 0.02 * i, 45.47, -30.51 + 0.02 * i, 45.53) for i in range(3)]
DISTRICTS = gpd.GeoDataFrame(
    {"district": list("ABC"), "population": [1000, 2000, 3000]}, geometry=BOXES, crs=4326
)
APART = gpd.GeoDataFrame(
    {"district": list("ABCD"), "population": 1000},
    geometry=[shapely.box(-30.5 + 0.1 * i, 45.5, -30.45 + 0.1 * i, 45.55) for i in range(4)],
    crs=4326,
)


def _incidents(n: int = 40, seed: int = 0, **columns: object) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "incident_id": [f"i{i}" for i in range(n)],
            "occurred_at": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300 * 1440, n), "min"),
            "occurred_to": pd.NaT,
            "precision": "minute",
            "offence": rng.choice(["Theft", "Burglary"], n),
            "lat": 45.5 + rng.normal(0, 0.01, n),
            "lon": -30.5 + rng.normal(0, 0.01, n),
            "district": rng.choice(list("ABC"), n),
            "location_id": rng.choice(["L1", "L2", "L3"], n),
            "source_row": np.arange(2, n + 2),
            "duplicate": None,
        }
    )
    for name, value in columns.items():
        frame[name] = value
    return coerce_incidents(frame)


# -- the four cases of the issue --------------------------------------------------------------


def test_local_moran_when_no_district_has_a_neighbour():
    inc = _incidents(seed=1).assign(district=np.repeat(list("ABCD"), 10), lat=np.nan, lon=np.nan)
    res = hotspots.local_moran(inc, APART, permutations=99)
    assert res.table["lisa_class"].astype(str).tolist() == ["isolated"] * 4
    assert res.table["lisa_p"].isna().all()
    note = next(m for m in res.warnings if m.key == "hotspots.no_neighbours")
    assert note.params == {"n": 4} and "shares a border" in note.render("en")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0])
def test_gi_star_z_refuses_a_missing_infinite_or_negative_count(bad):
    counts = np.array([[1.0, 2.0, 0.0], [3.0, bad, 1.0]])
    with pytest.raises(IlpInputError) as err:
        hotspots.gi_star_z(counts)
    assert err.value.message.key == "hotspots.bad_grid_counts"
    assert err.value.message.params["n"] == 1
    # outside the study area a missing value does not matter
    mask = np.array([[True, True, True], [True, False, True]])
    z = hotspots.gi_star_z(counts, mask)
    assert np.isfinite(z[mask]).all() and np.isnan(z[~mask]).all()


@pytest.mark.parametrize(
    ("counts", "mask", "key"),
    [
        (np.array([1.0, 2.0]), None, "hotspots.bad_grid"),
        (np.zeros((0, 3)), None, "hotspots.bad_grid"),
        (np.ones((2, 2)), np.ones((3, 3), bool), "hotspots.bad_area_mask"),
        (np.array([["a", "b"], ["c", "d"]]), None, "hotspots.bad_grid_counts"),
    ],
)
def test_gi_star_z_refuses_what_is_not_a_grid_of_counts(counts, mask, key):
    with pytest.raises(IlpInputError) as err:
        hotspots.gi_star_z(counts, mask)
    assert err.value.message.key == key


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "7", True])
def test_knox_test_refuses_a_seed_that_is_not_a_whole_number(seed):
    with pytest.raises(IlpInputError) as err:
        near_repeat.knox_test(_incidents(), permutations=9, seed=seed)
    assert err.value.message.key == "checks.whole"
    assert "seed" in err.value.render("en")


@pytest.mark.parametrize(
    "call",
    [
        hotspots.gi_star,
        hotspots.grid_counts,
        hotspots.kernel_density,
        hotspots.concentration,
        lambda inc: hotspots.hotspot_change(inc, period_days=7),
        lambda inc: hotspots.forecast_accuracy(inc, inc),
        lambda inc: hotspots.forecast_accuracy_at(inc, split=dt.date(2024, 2, 1)),
        lambda inc: near_repeat.knox_test(inc, permutations=9),
        lambda inc: near_repeat.count_close_pairs(inc, 100),
        lambda inc: near_repeat.count_stored_pairs(inc, 100),
    ],
)
def test_an_impossible_latitude_is_named_with_its_row(call):
    inc = _incidents()
    inc.loc[5, "lat"] = 95.0
    with pytest.raises(IlpInputError) as err:
        call(inc)
    assert err.value.message.key == "checks.coordinates"
    assert err.value.rows == (7,)  # source_row: the row the analyst sees in the file
    assert err.value.message.params["lat"] == "95.0"


# -- Hypothesis: bad values anywhere ----------------------------------------------------------

GOOD_LAT, GOOD_LON = 45.5, -30.5
LATS = st.one_of(
    st.floats(45.45, 45.55),
    st.sampled_from([np.nan, np.inf, -np.inf, 95.0, -90.5, 90.0, 0.0, 1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
)
LONS = st.one_of(
    st.floats(-30.55, -30.45),
    st.sampled_from([np.nan, np.inf, 180.5, -180.0, 0.0]),
    st.floats(allow_nan=True, allow_infinity=True),
)
DATES = st.one_of(
    st.datetimes(dt.datetime(2023, 1, 1), dt.datetime(2024, 12, 31)),
    st.sampled_from([pd.NaT, dt.datetime(1990, 1, 1), dt.datetime(2049, 12, 31)]),
)


@st.composite
def incident_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 8))
    rows = draw(
        st.lists(
            st.tuples(
                LATS,
                LONS,
                DATES,
                st.sampled_from(["minute", "day", "month"]),
                st.sampled_from(["Theft", "Burglary", None]),
                st.sampled_from(["A", "B", "C", "Z", None]),
            ),
            min_size=n,
            max_size=n,
        )
    )
    good = draw(st.booleans())  # half the tables: only the dates and groups are odd
    return coerce_incidents(
        pd.DataFrame(
            {
                "incident_id": [f"i{i}" for i in range(n)],
                "occurred_at": pd.to_datetime([r[2] for r in rows]),
                "occurred_to": pd.NaT,
                "precision": [r[3] for r in rows],
                "offence": [r[4] for r in rows],
                "lat": [GOOD_LAT + i * 1e-3 if good else r[0] for i, r in enumerate(rows)],
                "lon": [GOOD_LON if good else r[1] for r in rows],
                "district": [r[5] for r in rows],
                "location_id": "L1",
                "source_row": np.arange(2, n + 2),
                "duplicate": None,
            }
        )
    )


A, B = (dt.date(2024, 1, 1), dt.date(2024, 3, 31)), (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
TABLE_CALLS = {
    "grid_counts": lambda t: hotspots.grid_counts(t),
    "district_counts": lambda t: hotspots.district_counts(t, DISTRICTS),
    "kernel_density": lambda t: hotspots.kernel_density(t),
    "kernel_density_bw": lambda t: hotspots.kernel_density(t, bandwidth=150, cell_size=100),
    "gi_star": lambda t: hotspots.gi_star(t),
    "gi_star_districts": lambda t: hotspots.gi_star(t, DISTRICTS, unit="district"),
    "local_moran": lambda t: hotspots.local_moran(t, DISTRICTS, permutations=99),
    "hotspot_change": lambda t: hotspots.hotspot_change(t, period_days=7),
    "concentration": lambda t: hotspots.concentration(t),
    "concentration_location": lambda t: hotspots.concentration(t, unit="location"),
    "repeat_locations": lambda t: hotspots.repeat_locations(t),
    "forecast_accuracy": lambda t: hotspots.forecast_accuracy(t, t, cell_size=100),
    "forecast_accuracy_at": lambda t: hotspots.forecast_accuracy_at(
        t, split=dt.date(2024, 2, 1), cell_size=100
    ),
    "hour_weekday": lambda t: tm.hour_weekday(t),
    "period_counts": lambda t: tm.period_counts(t, partial="flag"),
    "trend": lambda t: tm.trend(tm.period_counts(t, partial="flag")),
    "seasonality": lambda t: tm.seasonality(tm.period_counts(t, "month", partial="flag")),
    "control_limits": lambda t: tm.control_limits(tm.period_counts(t, partial="flag")),
    "compare_periods": lambda t: tm.compare_periods(t, A, B),
    "compare_districts": lambda t: tm.compare_periods(t, A, B, by="district"),
    "knox_test": lambda t: near_repeat.knox_test(t, permutations=9),
    "count_close_pairs": lambda t: near_repeat.count_close_pairs(t, 100),
    "count_stored_pairs": lambda t: near_repeat.count_stored_pairs(t, 100),
}


def _answers_or_explains(call: object, *args: object, **kwargs: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(*args, **kwargs)
        except IlpInputError as error:
            assert error.render("en") and error.render("ru")  # a sentence in every language


@pytest.mark.parametrize("name", sorted(TABLE_CALLS))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=incident_tables())
def test_bad_values_in_the_table_give_an_answer_or_a_clear_error(name, table):
    _answers_or_explains(TABLE_CALLS[name], table)


BAD_VALUES = st.sampled_from(
    [np.nan, np.inf, -np.inf, -1, 0, 1e12, 1e-9, "x", None, True, 2.5, (1, 2), [], -0.0]
)
INC = _incidents(200, seed=3)
COUNTS = tm.period_counts(INC)
PARAMETERS = {
    "grid_counts": (hotspots.grid_counts, (INC,), ("cell_size",)),
    "kernel_density": (
        hotspots.kernel_density,
        (INC,),
        ("cell_size", "bandwidth", "kernel", "rule"),
    ),
    "gi_star": (hotspots.gi_star, (INC, DISTRICTS), ("cell_size", "unit", "fdr")),
    "local_moran": (
        hotspots.local_moran,
        (INC, DISTRICTS),
        ("permutations", "seed", "fdr", "alpha", "variable"),
    ),
    "hotspot_change": (
        hotspots.hotspot_change,
        (INC,),
        ("cell_size", "period_days", "recent_periods", "alpha", "persistent_share"),
    ),
    "concentration": (hotspots.concentration, (INC, DISTRICTS), ("unit", "cell_size")),
    "concentration_from_counts": (
        hotspots.concentration_from_counts,
        (np.array([1, 2, 3]),),
        ("counts", "unit", "includes_empty"),
    ),
    "repeat_locations": (hotspots.repeat_locations, (INC,), ("min_count",)),
    "forecast_accuracy": (
        hotspots.forecast_accuracy,
        (INC, INC),
        ("coverage", "surface", "bandwidth", "cell_size"),
    ),
    "forecast_accuracy_at": (
        hotspots.forecast_accuracy_at,
        (INC,),
        ("split", "coverage", "surface", "bandwidth", "cell_size"),
    ),
    "default_period_days": (hotspots.default_period_days, (), ("span_days",)),
    "gi_star_z": (hotspots.gi_star_z, (), ("counts",)),
    "hour_weekday": (tm.hour_weekday, (INC,), ("aoristic", "max_window_hours", "long_windows")),
    "period_counts": (tm.period_counts, (INC,), ("freq", "start", "end", "partial")),
    "trend": (tm.trend, (COUNTS,), ("alpha", "window")),
    "control_limits": (
        tm.control_limits,
        (COUNTS,),
        ("counts", "baseline", "min_baseline", "alpha", "distribution"),
    ),
    "compare_periods": (tm.compare_periods, (INC, A, B), ("by", "alpha")),
    "quarter_vs_last_year": (tm.quarter_vs_last_year, (), ("last_date",)),
    "recent_vs_previous": (tm.recent_vs_previous, (dt.date(2024, 6, 30),), ("days",)),
    "knox_test": (
        near_repeat.knox_test,
        (INC,),
        ("spatial_bandwidth", "temporal_bands", "metric", "same_location", "seed"),
    ),
    "count_close_pairs": (near_repeat.count_close_pairs, (INC,), ("distance_m", "metric")),
    "count_stored_pairs": (near_repeat.count_stored_pairs, (INC,), ("distance_m", "metric")),
}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bad_argument_values_give_an_answer_or_a_clear_error(name, data):
    call, args, names = PARAMETERS[name]
    parameter = data.draw(st.sampled_from(names))
    value = data.draw(BAD_VALUES)
    kwargs = {parameter: value}
    if parameter == "counts" and args:  # the first argument, bad
        args, kwargs = (value, *args[1:]), {}
    if name == "knox_test" and parameter != "permutations":
        kwargs["permutations"] = 9
    if name == "local_moran" and parameter != "permutations":
        kwargs["permutations"] = 99
    if name in ("count_close_pairs", "count_stored_pairs") and parameter != "distance_m":
        kwargs["distance_m"] = 100
    if name == "forecast_accuracy_at" and parameter != "split":
        kwargs["split"] = dt.date(2024, 2, 1)
    _answers_or_explains(call, *args, **kwargs)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-100, 100, allow_nan=False)
            | st.sampled_from([float("nan"), float("inf"), -float("inf"), 90.0, -90.0]),
            st.floats(-200, 200, allow_nan=False)
            | st.sampled_from([float("nan"), float("inf"), 180.0, -180.0, 500.0]),
        ),
        max_size=30,
    )
)
def test_coordinate_checks_refuse_exactly_the_impossible_known_points(pairs):
    # Row by row in Python: a point with both values known (not NaN) is impossible when
    # its latitude is beyond +-90 or its longitude beyond +-180 (infinities too); a
    # point with a missing value is simply not geolocated, whatever the other value.
    from ilp_core import checks

    lat = [a for a, _ in pairs]
    lon = [b for _, b in pairs]
    impossible = [
        i + 1
        for i, (a, b) in enumerate(pairs)
        if not (math.isnan(a) or math.isnan(b)) and not (abs(a) <= 90 and abs(b) <= 180)
    ]
    if not impossible:
        la, lo = checks.coordinates(lat, lon)
        np.testing.assert_array_equal(la, np.array(lat, dtype=float))
        np.testing.assert_array_equal(lo, np.array(lon, dtype=float))
        return
    with pytest.raises(IlpInputError) as err:
        checks.coordinates(lat, lon)
    assert err.value.rows == tuple(impossible[:20])
    assert err.value.message.params["n"] == len(impossible)
    assert err.value.message.params["row"] == impossible[0]
