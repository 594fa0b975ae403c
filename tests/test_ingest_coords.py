"""Coordinates and districts: decimal commas, projected X/Y, swaps, impossible and far points."""

from __future__ import annotations

import re
from contextlib import ExitStack
from unittest.mock import patch

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyproj
import pytest
from fixtures.ingest_make import conserved, csv_bytes, load, rejected
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from ilp_core.data import ingest
from ilp_core.data.ingest import _blocks, _coords
from ilp_core.data.ingest._common import _missing_variants, clean_text, to_float
from ilp_core.errors import IlpInputError

# Two districts side by side around Moscow's centre (lon 37.5-37.7, lat 55.7-55.8).
DISTRICTS = gpd.GeoDataFrame(
    {"district": ["West", "East"], "population": [1000.0, 2000.0]},
    geometry=[box(37.5, 55.7, 37.6, 55.8), box(37.6, 55.7, 37.7, 55.8)],
    crs="EPSG:4326",
)


def _points(points, header=("Offence", "Lat", "Lon"), extra=None, delimiter=","):
    rows = [list(header)] + [["Theft", *p] for p in points]
    if extra is not None:
        rows = [r + [e] for r, e in zip(rows, extra, strict=True)]
    return csv_bytes(rows, delimiter=delimiter)


def test_decimal_commas_are_read():
    data = _points([("55,7512", "37,6184"), ("55,7601", "37,6242")], delimiter=";")
    result = load(data)
    assert result.incidents["lat"].tolist() == [55.7512, 55.7601]
    assert result.incidents["lon"].tolist() == [37.6184, 37.6242]
    assert any(m.key == "ingest.reading.decimal_comma" for m in result.report.readings)


_CELLS = ["55.75", "-37.6184", "1e2", ".5", "55,75", "NA", "null", "N/A", "nan", "inf", "abc"]
_CELLS += ["45°", "", "0"]


_PADS = ["", " ", "\t", "\xa0"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.none() | st.sampled_from(_CELLS), st.sampled_from(_PADS)), max_size=12),
    st.booleans(),
)
def test_numbers_are_read_from_the_text_as_the_file_has_it(cells, comma):
    # The reference, cell by cell in Python: spaces trimmed, an empty cell or a "no
    # value" word is no number (and not an error), then spaces and degree signs
    # dropped, and a plain decimal number read; anything else is unreadable
    words = set(_missing_variants().to_pylist())
    text = [None if c is None else pad + c + pad for c, pad in cells]

    def reference(cell):
        cell = None if cell is None else cell.strip()
        if cell is None or cell == "" or cell in words:
            return np.nan, False
        cell = re.sub(r"[\s°]+", "", cell.replace(",", ".") if comma else cell)
        if re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", cell):
            return float(cell), False
        return np.nan, True

    expected = [reference(c) for c in text]
    values = pa.array(text, pa.large_string())
    # whole, and in blocks of 3 rows two at a time (a block may be clean, its neighbour not)
    with patch.object(_blocks, "THREADED_ROWS", 1), patch.object(_blocks, "BLOCK_ROWS", 3):
        in_blocks = to_float(values, decimal_comma=comma)
    for numbers, bad in (to_float(values, decimal_comma=comma), in_blocks):
        np.testing.assert_array_equal(numbers, [n for n, _ in expected])
        assert bad.tolist() == [b for _, b in expected]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([-1.5, 0.0, 2.0, 2.0, 7.25]) | st.floats(-1e6, 1e6), st.booleans()
        ),
        max_size=60,
    ),
    st.integers(1, 30),
)
def test_a_median_bracketed_by_a_draw_equals_numpys(rows, drawn):
    values = np.array([v for v, _ in rows], dtype=float)
    mask = np.array([k for _, k in rows], dtype=bool)
    if not mask.any():
        return
    # a draw of a few values brackets the middle, or misses it (then every value counts)
    small = {"_SAMPLED_FROM": 1, "_SAMPLE": drawn, "THREADED_ROWS": 1, "BLOCK_ROWS": 7}
    with ExitStack() as patched:
        for name, value in small.items():
            module = _coords if name.startswith("_S") else _blocks
            patched.enter_context(patch.object(module, name, value))
        ours = _coords._median(values, mask)
    assert ours == np.median(values[mask])


@pytest.mark.parametrize("extra", [0, 1])
def test_the_median_of_a_million_coordinates_equals_numpys(extra):
    rng = np.random.default_rng(5)
    values = np.round(rng.normal(55.75, 0.1, 1_300_000 + extra), 4)  # many ties, as read
    mask = rng.random(len(values)) < 0.9
    assert mask.sum() >= _coords._SAMPLED_FROM
    assert _coords._median(values, mask) == np.median(values[mask])


def test_impossible_points_get_distinct_reasons_with_their_rows():
    points = [
        ("55.75", "37.61"),  # row 2: fine
        ("0", "0"),  # row 3: null island
        ("95.2", "37.61"),  # row 4: latitude beyond 90
        ("55.75", "190"),  # row 5: longitude beyond 180
        ("abc", "37.61"),  # row 6: not a number
        ("55.75", ""),  # row 7: half a point
        ("", ""),  # row 8: no point at all: kept
        ("55.76", "37.62"),  # row 9: fine
        ("55.74", "37.60"),  # row 10: fine
    ]
    result = load(_points(points))
    assert rejected(result) == [
        (3, "coordinates_zero"),
        (4, "coordinates_out_of_range"),
        (5, "coordinates_out_of_range"),
        (6, "coordinates_unreadable"),
        (7, "coordinates_incomplete"),
    ]
    bad = result.rejects.set_index("row_number")
    assert bad.loc[6, "column"] == "Lat" and bad.loc[6, "value"] == "abc"
    assert bad.loc[7, "column"] == "Lon"
    assert result.incidents["source_row"].tolist() == [2, 8, 9, 10]
    assert result.report.no_location == 1


@pytest.mark.parametrize("word", ["inf", "-Infinity", "NaN"])
@pytest.mark.parametrize("other", ["55.77", "abc"])
def test_a_word_arrow_reads_as_a_number_is_unreadable_whatever_the_other_cells(word, other):
    # Arrow's cast reads "inf" and "NaN"; a cell's reason must not depend on whether
    # another cell of the column ("abc") sends the column down the slower rule
    points = [("55.75", "37.61"), (word, "37.62"), (other, "37.63"), ("55.76", "37.64")]
    result = load(_points(points))
    reasons = dict(rejected(result))
    assert reasons[3] == "coordinates_unreadable"
    assert result.rejects.set_index("row_number").loc[3, "value"] == word
    assert len(result.incidents) + len(result.rejects) == 4


def test_far_away_point_without_districts():
    # eight points within ~2 km of (55.75, 37.61) and one 560 km away in St Petersburg
    rng = np.random.default_rng(3)
    points = [(f"{55.75 + d:.5f}", f"{37.61 + e:.5f}") for d, e in rng.normal(0, 0.01, (8, 2))]
    points.insert(4, ("59.93", "30.33"))
    result = load(_points(points))
    assert rejected(result) == [(6, "coordinates_far_away")]
    limit = next(m for m in result.report.readings if m.key == "ingest.reading.area_median")
    # the median distance is ~1 km, so the limit is the 50 km floor
    assert limit.params["km"] == 50


def test_a_wide_area_widens_the_far_away_limit():
    # points spread over ~100 km: 10 x the median distance is above 50 km
    rng = np.random.default_rng(4)
    points = [(f"{55.75 + d:.4f}", f"{37.61 + e:.4f}") for d, e in rng.normal(0, 0.5, (40, 2))]
    result = load(_points(points))
    assert rejected(result) == []
    limit = next(m for m in result.report.readings if m.key == "ingest.reading.area_median")
    assert limit.params["km"] > 50


def test_outside_the_districts_by_more_than_10_km_is_rejected():
    # 55.85 is 0.05 deg = 5.6 km north of the districts: kept;
    # 55.95 is 16.7 km north: rejected
    points = [("55.75", "37.55"), ("55.85", "37.65"), ("55.95", "37.65"), ("55.72", "37.68")]
    result = load(_points(points), districts=DISTRICTS)
    assert rejected(result) == [(4, "coordinates_outside_districts")]
    assert result.incidents["district"].astype(object).tolist()[::2] == ["West", "East"]
    outside = next(
        m for m in result.report.issues if m.key == "ingest.issue.outside_every_district"
    )
    assert outside.params["n"] == 1  # the kept point 5.6 km north


def test_swapped_columns_are_offered_for_correction():
    # Moscow written as lat 37.6, lon 55.7: both under 90, only the districts can tell
    points = [("37.61", "55.75"), ("37.65", "55.72"), ("37.55", "55.78")]
    raw = ingest.read_table(_points(points), "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    assert ingest.questions(raw, mapping) == ()
    (question,) = ingest.questions(raw, mapping, districts=DISTRICTS)
    assert (question.key, question.options, question.default) == (
        "swap_latlon",
        ("swap", "keep"),
        "swap",
    )
    assert question.message.params["n"] == 3
    kept = conserved(ingest.build_incidents(raw, mapping, districts=DISTRICTS))
    assert rejected(kept) == [
        (2, "coordinates_outside_districts"),
        (3, "coordinates_outside_districts"),
        (4, "coordinates_outside_districts"),
    ]
    assert any(m.key == "ingest.issue.looks_swapped" for m in kept.report.issues)
    fixed = conserved(
        ingest.build_incidents(raw, mapping.answer("swap_latlon", "swap"), districts=DISTRICTS)
    )
    assert rejected(fixed) == []
    assert fixed.incidents["lat"].tolist() == [55.75, 55.72, 55.78]
    assert any(m.key == "ingest.reading.swapped" for m in fixed.report.readings)


def test_swap_seen_from_latitudes_above_90():
    # Sydney (33.87 S, 151.21 E) written longitude first in three rows of four
    points = [
        ("151.21", "-33.87"),
        ("151.18", "-33.88"),
        ("151.25", "-33.90"),
        ("-33.86", "151.20"),
    ]
    raw = ingest.read_table(_points(points), "x.csv")
    (question,) = ingest.questions(raw, ingest.suggest_mapping(raw.frame.columns))
    assert question.key == "swap_latlon" and question.default == "swap"
    assert question.message.params == {"lat": "Lat", "lon": "Lon", "n": 3, "total": 4}
    result = load(
        _points(points),
        mapping=ingest.suggest_mapping(raw.frame.columns).answer("swap_latlon", "swap"),
    )
    # after the swap the one row that was right is now wrong
    assert rejected(result) == [(5, "coordinates_out_of_range")]


# -- projected X/Y --------------------------------------------------------------------------

# Willis Tower, Chicago: 41.878876 N, 87.635915 W; its EPSG:3435 feet from pyproj directly
WILLIS = (41.878876, -87.635915)
_FWD = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3435", always_xy=True)
WILLIS_XY = _FWD.transform(WILLIS[1], WILLIS[0])


def test_xy_in_chicago_feet_need_an_epsg_then_land_on_the_known_point():
    x, y = WILLIS_XY
    assert (round(x), round(y)) == (1174177, 1899224)  # the figures the Chicago portal prints
    data = csv_bytes(
        [["Offence", "X", "Y"], ["THEFT", f"{x:.3f}", f"{y:.3f}"], ["THEFT", "0", "0"]]
    )
    raw = ingest.read_table(data, "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    assert dict(mapping.fields) == {"offence": "Offence", "x": "X", "y": "Y"}
    (question,) = ingest.questions(raw, mapping)
    assert question.key == "epsg"
    assert question.default == "3435"  # the only suggestion whose area of use holds the point
    with pytest.raises(IlpInputError) as err:
        ingest.build_incidents(raw, mapping)
    assert err.value.message.key == "ingest.open_question.epsg"
    result = conserved(ingest.build_incidents(raw, mapping.answer("epsg", "3435")))
    assert rejected(result) == [(3, "coordinates_zero")]
    assert result.incidents["lat"].iloc[0] == pytest.approx(WILLIS[0], abs=1e-7)
    assert result.incidents["lon"].iloc[0] == pytest.approx(WILLIS[1], abs=1e-7)
    reading = next(m for m in result.report.readings if m.key == "ingest.reading.xy")
    assert reading.params["epsg"] == "3435" and "Illinois East" in reading.params["crs"]


def test_unknown_epsg_code_is_a_clear_error():
    data = csv_bytes([["Offence", "X", "Y"], ["THEFT", "1", "2"]])
    raw = ingest.read_table(data, "x.csv")
    with pytest.raises(IlpInputError) as err:
        ingest.build_incidents(
            raw, ingest.ColumnMapping({"offence": "Offence", "x": "X", "y": "Y"}, epsg=999999)
        )
    assert err.value.message.key == "ingest.epsg_unknown"


# -- districts ------------------------------------------------------------------------------


def test_rows_without_coordinates_but_with_a_district_are_kept():
    data = _points([("55.75", "37.55"), ("", ""), ("", "")], extra=["District", "West", "East", ""])
    result = load(data, districts=DISTRICTS)
    assert rejected(result) == []
    assert result.report.geolocated == 1
    assert result.report.district_only == 1  # row 3 has a district only, row 4 nothing
    assert result.report.no_location == 1
    assert result.incidents["district"].astype(object).tolist()[:2] == ["West", "East"]
    assert any(m.key == "ingest.issue.district_only" for m in result.report.issues)


def test_districts_are_found_from_the_location_when_not_mapped():
    points = [("55.75", "37.55"), ("55.75", "37.65"), ("55.75", "37.6999")]
    result = load(_points(points), districts=DISTRICTS)
    assert result.incidents["district"].astype(str).tolist() == ["West", "East", "East"]
    located = next(m for m in result.report.readings if m.key == "ingest.reading.district_located")
    assert located.params["n"] == 3


def test_a_district_name_not_in_the_boundaries_is_an_issue_not_a_reject():
    data = _points([("55.75", "37.55")] * 3, extra=["District", "West", "Westt", "Центр"])
    result = load(data, districts=DISTRICTS)
    assert rejected(result) == []
    issue = next(m for m in result.report.issues if m.key == "ingest.issue.unknown_districts")
    assert issue.params["n"] == 2 and issue.params["k"] == 2
    assert result.incidents["district"].astype(str).tolist() == ["West", "Westt", "Центр"]


def test_an_empty_district_cell_is_filled_from_the_location():
    data = _points([("55.75", "37.65"), ("55.75", "37.55")], extra=["District", "", "West"])
    result = load(data, districts=DISTRICTS)
    assert result.incidents["district"].astype(str).tolist() == ["East", "West"]
    assert any(m.key == "ingest.reading.district_filled" for m in result.report.readings)


# -- degrees in X/Y, and EPSG answers checked against the values and the result ---------------

_RNG = np.random.default_rng(13)
# 300 incidents around central London, in degrees
LONDON = (51.5 + _RNG.normal(0, 0.03, 300), -0.12 + _RNG.normal(0, 0.05, 300))


def _xy_file(x, y, header=("Offence", "x", "y")):
    rows = [list(header)] + [["Theft", f"{a:.6f}", f"{b:.6f}"] for a, b in zip(x, y, strict=True)]
    return csv_bytes(rows)


def test_degrees_in_columns_named_x_and_y_are_detected_and_4326_suggested():
    lat, lon = LONDON
    raw = ingest.read_table(_xy_file(lon, lat), "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    assert set(mapping.fields) == {"offence", "x", "y"}
    (question,) = ingest.questions(raw, mapping)
    # Before: the San Francisco state plane (7131) was the default, and every point of
    # London landed on one spot in California.
    assert question.key == "epsg" and question.default == "4326"
    assert question.options[0] == "4326"
    assert question.message.key == "ingest.question.epsg_degrees"
    assert question.message.params["example_x"] == f"{lon[0]:.6g}"
    result = conserved(ingest.build_incidents(raw, mapping.answer("epsg", question.default)))
    assert rejected(result) == []
    np.testing.assert_allclose(result.incidents["lat"], np.round(lat, 6), atol=1e-9)
    np.testing.assert_allclose(result.incidents["lon"], np.round(lon, 6), atol=1e-9)


@pytest.mark.parametrize("epsg", [7131, 27700, 3435, 2263, 2154, 25830, 3857, 32637])
def test_a_projected_system_for_degrees_is_refused(epsg):
    lat, lon = LONDON
    raw = ingest.read_table(_xy_file(lon, lat), "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns).answer("epsg", str(epsg))
    with pytest.raises(IlpInputError) as err:
        ingest.build_incidents(raw, mapping)
    assert err.value.message.key == "ingest.epsg_degrees"
    assert err.value.columns == ("x", "y")
    assert "4326" in err.value.render()


def test_degrees_for_projected_values_are_refused():
    x, y = WILLIS_XY
    data = _xy_file([x, x + 500, x - 800], [y, y + 300, y - 100], header=("Offence", "X", "Y"))
    raw = ingest.read_table(data, "x.csv")
    with pytest.raises(IlpInputError) as err:
        mapping = ingest.suggest_mapping(raw.frame.columns).answer("epsg", "4326")
        ingest.build_incidents(raw, mapping)
    assert err.value.message.key == "ingest.epsg_not_degrees"


@pytest.mark.parametrize("epsg", [2263, 7131, 27700])
def test_a_system_whose_area_of_use_misses_the_points_is_refused(epsg):
    # Chicago's Illinois East feet read as New York feet, San Francisco metres, British metres
    rng = np.random.default_rng(2)
    x, y = WILLIS_XY
    dx, dy = rng.normal(0, 5_000, (2, 50))
    data = _xy_file(x + dx, y + dy, ("Offence", "X", "Y"))
    raw = ingest.read_table(data, "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns).answer("epsg", str(epsg))
    with pytest.raises(IlpInputError) as err:
        ingest.build_incidents(raw, mapping)
    assert err.value.message.key == "ingest.epsg_outside_area"
    assert err.value.message.params["share"] == 100
    assert err.value.message.params["area"] == pyproj.CRS.from_epsg(epsg).area_of_use.name


def test_an_answer_that_puts_every_point_on_one_spot_is_refused():
    # three different points within 0.5 m of each other (values that are not degrees)
    x = np.array([500_000.0, 500_000.2, 500_000.4])
    y = np.array([5_700_000.0, 5_700_000.1, 5_700_000.3])
    problem = _coords.epsg_problem(x, y, 32630)
    assert problem is not None and problem.key == "ingest.epsg_one_spot"
    assert problem.params["n"] == 3
    # the same point three times is one place, not a wrong answer
    assert _coords.epsg_problem(np.full(3, 500_000.0), np.full(3, 5_700_000.0), 32630) is None


def test_an_answer_that_puts_the_points_in_the_sea_is_refused():
    # UTM zone 30N metres read in zone 25N: inside its area of use, in the Atlantic
    x, y = np.full(20, 500_000.0) + np.arange(20) * 100, np.full(20, 4_500_000.0)
    problem = _coords.epsg_problem(x, y, 32625)
    assert problem is not None and problem.key == "ingest.epsg_in_sea"
    assert problem.params["share"] == 100
    assert _coords.epsg_problem(x, y, 32630) is None  # the right zone: Spain


@pytest.mark.parametrize(
    ("place", "lat", "lon", "epsg"),
    [
        ("Chicago", 41.88, -87.63, "3435"),
        ("London", 51.5, -0.12, "27700"),
        ("Paris", 48.86, 2.35, "2154"),
        ("New York", 40.73, -73.99, "2263"),
        ("San Francisco", 37.77, -122.42, "7131"),
        ("Madrid", 40.41, -3.70, "25830"),
    ],
)
def test_the_suggested_epsg_code_is_the_right_one_for_known_cities(place, lat, lon, epsg):
    rng = np.random.default_rng(8)
    la, lo = lat + rng.normal(0, 0.03, 200), lon + rng.normal(0, 0.05, 200)
    x, y = pyproj.Transformer.from_crs(4326, int(epsg), always_xy=True).transform(lo, la)
    raw = ingest.read_table(_xy_file(x, y, ("Offence", "X", "Y")), "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    (question,) = ingest.questions(raw, mapping)
    assert question.default == epsg, place
    # every offered code that is suggested passes the checks
    result = conserved(ingest.build_incidents(raw, mapping.answer("epsg", question.default)))
    np.testing.assert_allclose(result.incidents["lat"], la, atol=1e-6)


def test_when_several_systems_fit_the_question_names_them():
    # British National Grid metres also land in Kenya read as UTM zone 37N
    lat, lon = LONDON
    x, y = pyproj.Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    raw = ingest.read_table(_xy_file(x, y, ("Offence", "X", "Y")), "x.csv")
    (question,) = ingest.questions(raw, ingest.suggest_mapping(raw.frame.columns))
    assert question.message.key == "ingest.question.epsg_several"
    assert question.message.params["codes"] == "27700, 32637"
    assert question.default == "27700" and question.options[:2] == ("27700", "32637")


# -- latitude and longitude swapped, both within +-90: the land/sea test ---------------------


def test_swap_seen_from_the_sea_without_districts():
    # London written latitude in the longitude column: (0.1 S, 51.5 E) is the Indian Ocean
    lat, lon = LONDON
    points = [(f"{b:.6f}", f"{a:.6f}") for a, b in zip(lat, lon, strict=True)]
    raw = ingest.read_table(_points(points), "x.csv")
    mapping = ingest.suggest_mapping(raw.frame.columns)
    (question,) = ingest.questions(raw, mapping)
    assert (question.key, question.default) == ("swap_latlon", "swap")
    assert question.message.key == "ingest.question.swap_latlon_sea"
    assert question.message.params == {
        "lat": "Lat",
        "lon": "Lon",
        "sea": 100,
        "land": 100,
        "n": 300,
        "km": 10,
    }
    text = question.message.render("en")
    assert "100 % of the points fall in the sea" in text and "100 % fall on land" in text
    kept = conserved(ingest.build_incidents(raw, mapping))
    assert any(m.key == "ingest.issue.swap_latlon_sea" for m in kept.report.issues)
    fixed = conserved(ingest.build_incidents(raw, mapping.answer("swap_latlon", "swap")))
    assert rejected(fixed) == []
    assert all(m.key != "ingest.issue.swap_latlon_sea" for m in fixed.report.issues)
    np.testing.assert_allclose(fixed.incidents["lat"], np.round(lat, 6), atol=1e-9)


def test_a_few_points_at_sea_do_not_make_a_swap():
    # a coastal city with 10 % of its points at sea (test records at 0.5, 0.5 ...)
    rng = np.random.default_rng(21)
    lat, lon = 37.77 + rng.normal(0, 0.02, 90), -122.42 + rng.normal(0, 0.02, 90)
    points = [(f"{a:.5f}", f"{b:.5f}") for a, b in zip(lat, lon, strict=True)]
    points += [("0.5", f"{-0.5 - i / 100:.2f}") for i in range(10)]
    raw = ingest.read_table(_points(points), "x.csv")
    assert ingest.questions(raw, ingest.suggest_mapping(raw.frame.columns)) == ()


def test_swap_evidence_shares_are_never_rounded_to_a_false_100():
    # 299 of 300 points in the sea: 99 %, not 100 %
    assert _coords._percent(299, 300) == 99 and _coords._percent(1, 300) == 1
    assert _coords._percent(300, 300) == 100 and _coords._percent(0, 300) == 0


def test_in_place_haversine_is_the_textbook_formula_bit_for_bit():
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-89.9, 89.9, 50_000), rng.uniform(-180, 180, 50_000)
    p, q = np.radians(lat), np.radians(45.47)
    textbook = (
        np.sin((p - q) / 2) ** 2 + np.cos(p) * np.cos(q) * np.sin(np.radians(lon - -30.58) / 2) ** 2
    )
    np.testing.assert_array_equal(_coords._haversine_h(lat, lon, 45.47, -30.58), textbook)
    # and the distance it gives: Paris to London, 343.5 km (great circle, R = 6371 km)
    h = _coords._haversine_h(np.array([51.5074]), np.array([-0.1278]), 48.8566, 2.3522)
    assert _coords._km(float(h[0])) == pytest.approx(343.5, abs=0.5)


def test_decimal_comma_is_seen_after_a_long_run_of_empty_cells():
    # the first 20,000 cells are empty: the sniff must look further than they go
    text = ["" if i < 25_000 else "55,7512" for i in range(27_000)]
    values = clean_text(pa.array(text, pa.large_string()))
    assert _coords._decimal_comma(values)
    assert not _coords._decimal_comma(clean_text(pa.array(["55.75"] * 10, pa.large_string())))
