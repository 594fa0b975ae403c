"""Knox test: counts against brute force and SciPy pdist, the former implementation, cancel."""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import subprocess
import sys
import threading
import time

import knox_reference
import numpy as np
import pandas as pd
import pyproj
import pytest
from conftest import ROOT
from scipy.spatial.distance import pdist

from ilp_core.analysis import near_repeat
from ilp_core.analysis.near_repeat import _pairs, knox_test
from ilp_core.data.schema import coerce_incidents
from ilp_core.errors import IlpInputError

UTM25 = pyproj.CRS.from_epsg(32625)  # the zone geo.project picks around 45.5N 30.5W
X0, Y0 = 500_000.0, 5_040_000.0


def incidents_at(x, y, days, **extra) -> pd.DataFrame:
    """Canonical table of events at metric offsets (x, y) from a point near 45.5N 30.5W."""
    to_wgs = pyproj.Transformer.from_crs(UTM25, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(X0 + np.asarray(x, float), Y0 + np.asarray(y, float))
    n = len(lat)
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.asarray(days), unit="D")
    frame = {
        "incident_id": [f"e{i}" for i in range(n)],
        "occurred_at": when,
        "occurred_to": pd.NaT,
        "precision": "day",
        "offence": "Residential burglary",
        "lat": lat,
        "lon": lon,
        "district": None,
        "location_id": None,
        "source_row": np.arange(2, n + 2),
        "duplicate": None,
    }
    frame.update(extra)
    return coerce_incidents(pd.DataFrame(frame))


def brute_force(x, y, days, d_bw, n_d, t_bw, n_t, metric, same_location):
    """All pairs, one by one, binned by plain comparisons: the independent truth."""
    rows = (["0"] if same_location else []) + list(range(n_d)) + ["beyond_s"]
    cols = list(range(n_t)) + ["beyond_t"]
    table = {(r, c): 0 for r in rows for c in cols}
    for a, b in itertools.combinations(range(len(x)), 2):
        dx, dy = x[a] - x[b], y[a] - y[b]
        d = (dx * dx + dy * dy) ** 0.5 if metric == "euclidean" else abs(dx) + abs(dy)
        if same_location and d == 0:
            r = "0"
        elif d >= d_bw * n_d:
            r = "beyond_s"
        else:
            r = int(d // d_bw)
        t = abs(days[a] - days[b])
        c = "beyond_t" if t >= t_bw * n_t else t // t_bw
        table[(r, c)] += 1
    return np.array([[table[(r, c)] for c in cols] for r in rows])


@pytest.fixture(scope="module")
def lattice():
    """300 events on a 50 m lattice: many pairs exactly on band edges, and repeats."""
    rng = np.random.default_rng(7)
    n = 300
    x = rng.integers(0, 30, n) * 50  # 0..1450 m
    y = rng.integers(0, 30, n) * 50
    x[:20], y[:20] = x[20:40], y[20:40]  # 20 repeat locations
    days = rng.integers(0, 90, n)
    return x, y, days


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("same_location", [True, False])
def test_counts_equal_brute_force(lattice, metric, same_location):
    x, y, days = lattice
    res = knox_test(
        incidents_at(x, y, days),
        spatial_bandwidth=100,
        spatial_bands=5,
        temporal_bandwidth=7,
        temporal_bands=4,
        metric=metric,
        same_location=same_location,
        permutations=9,
    )
    truth = brute_force(x, y, days, 100, 5, 7, 4, metric, same_location)
    np.testing.assert_array_equal(res.observed.to_numpy(), truth)
    n = len(x)
    assert res.observed.to_numpy().sum() == n * (n - 1) // 2 == res.n_pairs


def pdist_table(xy, days, d_edges, t_edges, metric, same_location, decimals=None):
    """The Knox table from every pair's distance and day gap (``scipy.spatial.distance.pdist``)."""
    d = pdist(np.asarray(xy, float), "euclidean" if metric == "euclidean" else "cityblock")
    if decimals is not None:
        d = np.round(d, decimals)
    t = pdist(np.asarray(days, float)[:, None], "cityblock")
    rows = np.searchsorted(d_edges, d, side="right") - 1  # last finite band, or beyond
    if same_location:
        rows = np.where(d == 0, 0, rows + 1)
    cols = np.searchsorted(t_edges, t, side="right") - 1
    n_rows = len(d_edges) + int(same_location)
    table = np.zeros((n_rows, len(t_edges)), dtype=np.int64)
    np.add.at(table, (rows, cols), 1)
    return table


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize(
    ("bandwidth", "bands", "days_bandwidth", "days_bands", "same_location"),
    [
        (25.0, 3, 7, 4, True),  # 75 m: mostly the 20 repeat locations and lattice neighbours
        (50.0, 5, 7, 4, False),  # every lattice step on a band edge
        (130.0, 2, 3, 9, True),  # nine time bands: the kernel's windows in three groups
        (260.0, 4, 30, 2, False),
    ],
)
def test_counts_equal_scipy_pdist(
    lattice, metric, bandwidth, bands, days_bandwidth, days_bands, same_location
):
    x, y, days = lattice
    res = knox_test(
        incidents_at(x, y, days),
        spatial_bandwidth=bandwidth,
        spatial_bands=bands,
        temporal_bandwidth=days_bandwidth,
        temporal_bands=days_bands,
        metric=metric,
        same_location=same_location,
        permutations=9,
    )
    truth = pdist_table(
        np.column_stack([x, y]),
        days,
        bandwidth * np.arange(bands + 1),
        days_bandwidth * np.arange(days_bands + 1),
        metric,
        same_location,
    )
    np.testing.assert_array_equal(res.observed.to_numpy(), truth)


def test_counts_over_decades_and_wide_time_bands_equal_scipy_pdist(lattice):
    # Dates over 80 years (more than 15 bits of days: two permutations a pass) and a
    # last time edge beyond every gap; then a short span with the same huge edge.
    x, y, _days = lattice
    rng = np.random.default_rng(3)
    for days in (rng.integers(0, 80 * 365, len(x)), rng.integers(0, 40, len(x))):
        res = knox_test(
            incidents_at(x, y, days), temporal_bandwidth=9_000, temporal_bands=3, permutations=5
        )
        truth = pdist_table(
            np.column_stack([x, y]),
            days,
            100.0 * np.arange(6),
            9_000 * np.arange(4),
            "euclidean",
            True,
        )
        np.testing.assert_array_equal(res.observed.to_numpy(), truth)
        np.testing.assert_allclose(res.expected.sum(axis=0), res.observed.sum(axis=0))


def test_counts_at_the_benchmarks_structure_equal_scipy_pdist():
    # 3,000 burglaries of the sample city (the benchmark scales the same city up):
    # repeats at the same homes, dense pairs, 5 x 4 bands. The truth is computed
    # from the projected coordinates, rounded to the micrometre as documented.
    burglaries, _planted = _sample_burglaries()
    some = burglaries.sample(3_000, random_state=1)
    x, y, day, _excluded = near_repeat._knox._events(some)
    res = knox_test(some, permutations=9)
    truth = pdist_table(
        np.column_stack([x, y]), day, 100.0 * np.arange(6), 7 * np.arange(5), "euclidean", True, 6
    )
    np.testing.assert_array_equal(res.observed.to_numpy(), truth)
    assert truth[0].sum() > 0 and truth[1:-1, 0].sum() > 100  # same homes, near repeats


def test_small_blocks_and_chunks_give_the_same_counts(lattice, monkeypatch):
    # Force dozens of search blocks, counting tasks and counter flushes (one every 5
    # pairs): the split must not change a count.
    x, y, days = lattice
    df = incidents_at(x, y, days)
    whole = knox_test(df, permutations=19, seed=5)
    monkeypatch.setattr(_pairs, "_SEARCH_BLOCK", 37)
    monkeypatch.setattr(_pairs, "_PASS_BLOCK", 37)
    monkeypatch.setattr(_pairs, "_FLUSH", 5)
    split = knox_test(df, permutations=19, seed=5)
    truth = brute_force(x, y, days, 100, 5, 7, 4, "euclidean", True)
    np.testing.assert_array_equal(split.observed.to_numpy(), truth)
    pd.testing.assert_frame_equal(split.expected, whole.expected)
    pd.testing.assert_frame_equal(split.p_value, whole.p_value)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("distance", [25.0, 125.0, 260.0])
def test_close_pair_count_equals_scipy_pdist(lattice, metric, distance):
    # Off the 50 m lattice, so no pair sits on the limit (projection noise is ~1e-9 m).
    x, y, days = lattice
    gaps = pdist(np.column_stack([x, y]), "euclidean" if metric == "euclidean" else "cityblock")
    truth = int((gaps <= distance).sum())  # 25 m: only the 20 repeats (and chance ones)
    assert near_repeat.count_close_pairs(incidents_at(x, y, days), distance, metric=metric) == truth


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("distance", [25.0, 100.0, 125.0, 260.0])
def test_stored_pair_count_equals_scipy_pdist_below_the_edge(lattice, metric, distance):
    # The pairs a Knox test stores: closer than the edge once rounded to the micrometre
    # (100 m: lattice pairs exactly on the edge are beyond it, as the test bins them).
    x, y, days = lattice
    df = incidents_at(x, y, days)
    scipy_metric = "euclidean" if metric == "euclidean" else "cityblock"
    truth = int((np.round(pdist(np.column_stack([x, y]), scipy_metric), 6) < distance).sum())
    assert near_repeat.count_stored_pairs(df, distance, metric=metric) == truth
    knox = knox_test(
        df, spatial_bandwidth=distance, spatial_bands=1, same_location=False, metric=metric,
        permutations=1,
    )  # fmt: skip
    assert int(knox.observed.iloc[0].sum()) == truth
    df.loc[df.index[:20], "lat"] = np.nan  # rows the test leaves out are not counted
    kept = pdist(
        np.column_stack([x[20:], y[20:]]), "euclidean" if metric == "euclidean" else "cityblock"
    )
    assert near_repeat.count_stored_pairs(df, distance, metric=metric) == int(
        (np.round(kept, 6) < distance).sum()
    )


def test_close_pair_count_leaves_out_what_the_knox_test_leaves_out(lattice):
    x, y, days = lattice
    df = incidents_at(x, y, days)
    whole = near_repeat.count_close_pairs(df, 125.0)
    df.loc[df.index[:20], "lat"] = np.nan  # the 20 repeat locations lose their coordinates
    kept = pdist(np.column_stack([x[20:], y[20:]]))
    assert near_repeat.count_close_pairs(df, 125.0) == int((kept <= 125.0).sum()) < whole
    assert near_repeat.count_close_pairs(df.iloc[:1], 125.0) == 0
    with pytest.raises(IlpInputError) as err:
        near_repeat.count_close_pairs(df, 0.0)
    assert err.value.message.key == "near_repeat.bad_parameter"


def test_band_edges_and_labels():
    # Pairs of (x, days): a-b 100 m / 7 days, a-c 0 m / 0 days, a-d 500 m / 28 days,
    # b-c 100 m / 7 days, b-d 400 m / 21 days, c-d 500 m / 28 days.
    res = knox_test(
        incidents_at([0, 100, 0, 500], [0, 0, 0, 0], [0, 7, 0, 28]), permutations=9, seed=3
    )
    obs = res.observed
    assert list(obs.index) == [
        "0",
        "(0, 100)",
        "[100, 200)",
        "[200, 300)",
        "[300, 400)",
        "[400, 500)",
        "[500, inf)",
    ]
    assert list(obs.columns) == ["[0, 7)", "[7, 14)", "[14, 21)", "[21, 28)", "[28, inf)"]
    assert obs.loc["0", "[0, 7)"] == 1
    assert obs.loc["[100, 200)", "[7, 14)"] == 2  # exactly 100 m and 7 days: the upper bands
    assert obs.loc["[400, 500)", "[21, 28)"] == 1
    assert obs.loc["[500, inf)", "[28, inf)"] == 2  # exactly 500 m and 28 days: beyond
    assert obs.to_numpy().sum() == 6


def test_manhattan_differs_from_euclidean():
    # 60 m east and 60 m north: 84.9 m in a straight line, 120 m along the streets.
    df = incidents_at([0, 60], [0, 60], [0, 1])
    eu = knox_test(df, permutations=9)
    mh = knox_test(df, metric="manhattan", permutations=9)
    assert eu.observed.loc["(0, 100)", "[0, 7)"] == 1
    assert mh.observed.loc["[100, 200)", "[0, 7)"] == 1


def test_permutation_invariants_and_reproducibility(lattice):
    x, y, days = lattice
    df = incidents_at(x, y, days)
    a = knox_test(df, permutations=49, seed=11)
    b = knox_test(df, permutations=49, seed=11)
    c = knox_test(df, permutations=49, seed=12)
    pd.testing.assert_frame_equal(a.p_value, b.p_value)
    pd.testing.assert_frame_equal(a.expected, b.expected)
    assert not a.expected.equals(c.expected)
    # Permuting dates among places keeps every distance band's pair count and every
    # time band's pair count: expected margins equal observed margins exactly.
    np.testing.assert_allclose(a.expected.sum(axis=1), a.observed.sum(axis=1))
    np.testing.assert_allclose(a.expected.sum(axis=0), a.observed.sum(axis=0))
    p = a.p_value.to_numpy()
    assert p.min() >= 1 / 50 and p.max() <= 1
    assert np.all(np.isclose(p * 50, np.round(p * 50)))  # (1 + k) / (1 + 49)
    ratio = (a.observed / a.expected).to_numpy()
    np.testing.assert_allclose(a.ratio.to_numpy(), ratio)
    tidy = a.table
    assert len(tidy) == a.observed.size
    assert tidy["observed"].sum() == a.n_pairs
    cell = tidy[(tidy["spatial_band"] == "[100, 200)") & (tidy["temporal_band"] == "[7, 14)")]
    assert cell["observed"].item() == a.observed.loc["[100, 200)", "[7, 14)"]
    assert cell["distance_from_m"].item() == 100 and cell["days_to"].item() == 14


def test_planted_cluster_is_found_and_progress_reported():
    # Uniform background over 5 km x 2 years plus 60 "follow-up" events placed within
    # 80 m and 5 days of a random earlier event: the (0, 100) x [0, 7) cell must stand out.
    rng = np.random.default_rng(5)
    n = 600
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    days = rng.integers(0, 730, n)
    src = rng.integers(0, n, 60)
    x2 = x[src] + rng.uniform(-55, 55, 60)
    y2 = y[src] + rng.uniform(-55, 55, 60)
    d2 = days[src] + rng.integers(0, 6, 60)
    seen = []
    res = knox_test(
        incidents_at(np.r_[x, x2], np.r_[y, y2], np.r_[days, d2]),
        permutations=99,
        seed=1,
        progress=seen.append,
    )
    assert res.ratio.loc["(0, 100)", "[0, 7)"] > 3
    assert res.p_value.loc["(0, 100)", "[0, 7)"] == pytest.approx(0.01)
    assert res.ratio.loc["[500, inf)", "[28, inf)"] == pytest.approx(1.0, abs=0.01)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    # Start, the blocks of the pair search (two passes), one call a pass of eight tables.
    assert len(seen) >= 1 + 2 + 100 // 8


@pytest.mark.parametrize("kind", ["category", "str", "object"])
def test_excluded_rows_are_counted_and_caller_frame_untouched(kind):
    df = incidents_at([0, 10, 20, 30, 40], [0, 0, 0, 0, 0], [0, 1, 2, 3, 4])
    df.loc[0, "lat"] = np.nan
    df.loc[1, "occurred_at"] = pd.NaT
    precision = ["day", "day", "month", "minute", "day"]
    df["precision"] = (
        pd.Categorical(precision, categories=["minute", "day", "month"])
        if kind == "category"
        else pd.Series(precision, dtype=kind)
    )
    df["duplicate"] = pd.Categorical([None, None, None, None, "event"], categories=["id", "event"])
    before = df.copy()
    with pytest.raises(IlpInputError) as err:
        knox_test(df, permutations=9)
    assert err.value.message.key == "near_repeat.too_few_events"
    pd.testing.assert_frame_equal(df, before)
    df.loc[4, "duplicate"] = None
    res = knox_test(df, permutations=9)
    assert res.n_events == 2
    assert dict(res.excluded) == {
        "no_coordinates": 1,
        "no_date": 1,
        "month_precision": 1,
        "duplicate": 0,
    }
    assert (res.start.isoformat(), res.end.isoformat()) == ("2024-01-04", "2024-01-05")


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"metric": "chebyshev"}, "near_repeat.bad_metric"),
        ({"spatial_bandwidth": 0}, "near_repeat.bad_parameter"),
        ({"spatial_bandwidth": float("nan")}, "near_repeat.bad_parameter"),
        ({"temporal_bands": 0}, "near_repeat.bad_parameter"),
        ({"temporal_bandwidth": 1.5}, "near_repeat.bad_parameter"),
        ({"permutations": 0}, "near_repeat.bad_parameter"),
    ],
)
def test_bad_parameters_raise_translatable_errors(kwargs, key):
    with pytest.raises(IlpInputError) as err:
        knox_test(incidents_at([0, 1], [0, 1], [0, 1]), **kwargs)
    assert err.value.message.key == key
    assert err.value.render("ru")


@functools.cache
def _sample_region():
    """The sample region straight from its generator, as a canonical table.

    The generator writes the export that ingest reads; every time in it is given to
    the minute, so the canonical ``precision`` is "minute" throughout.
    """
    sample = pytest.importorskip("ilp_core.data.sample")
    region = sample.generate()
    raw = region.incidents
    table = raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    return coerce_incidents(table), region.planted


def _sample_burglaries():
    incidents, planted = _sample_region()
    nr = planted["near_repeat"]
    return incidents[incidents["offence"] == nr["offence"]], nr


def test_sample_region_near_repeat_is_detected():
    burglaries, planted = _sample_burglaries()
    res = knox_test(
        burglaries,
        spatial_bandwidth=100,
        spatial_bands=5,
        temporal_bandwidth=7,
        temporal_bands=4,
        permutations=99,
        seed=0,
    )
    # The planted cell (0-200 m, 0-14 days) spans the (0, 100) and [100, 200) rows and
    # the first two columns: pool them, as observed / expected of the pooled cell.
    rows, cols = ["(0, 100)", "[100, 200)"], ["[0, 7)", "[7, 14)"]
    pooled = (
        res.observed.loc[rows, cols].to_numpy().sum()
        / res.expected.loc[rows, cols].to_numpy().sum()
    )
    assert pooled > 1.2
    assert res.ratio.loc["(0, 100)", "[0, 7)"] > 1
    assert res.p_value.loc["(0, 100)", "[0, 7)"] <= 0.01
    far = res.ratio.loc["[500, inf)", "[28, inf)"]
    assert far == pytest.approx(1.0, abs=0.02)
    assert planted["distance_m"] <= 500 and planted["days"] <= 28


def test_same_tables_as_the_former_implementation_on_the_sample_burglaries():
    # The k-d tree + NumPy implementation this replaced (tests/knox_reference.py):
    # the same observed counts, and the same permutations for a seed, so the same
    # expected counts and p-values, bit for bit.
    burglaries, _planted = _sample_burglaries()
    for metric, seed in (("euclidean", 0), ("manhattan", 7)):
        res = knox_test(burglaries, metric=metric, permutations=39, seed=seed)
        x, y, day, _excluded = near_repeat._knox._events(burglaries)
        observed, sims = knox_reference.knox_tables(
            x, y, day, 100.0 * np.arange(6), 7 * np.arange(5), metric, True, 39, seed
        )
        np.testing.assert_array_equal(res.observed.to_numpy(), observed)
        np.testing.assert_array_equal(res.expected.to_numpy(), sims.mean(axis=0))
        p_value = (1 + (sims >= observed[None, :, :]).sum(axis=0)) / 40
        np.testing.assert_array_equal(res.p_value.to_numpy(), p_value)


@pytest.fixture(scope="module")
def crowded():
    """8,000 events within 1.5 km over three years: about 7 million pairs within 500 m."""
    rng = np.random.default_rng(11)
    n = 8_000
    return incidents_at(rng.uniform(0, 1500, n), rng.uniform(0, 1500, n), rng.integers(0, 1095, n))


@pytest.mark.parametrize("how", ["return False", "raise"])
def test_a_cancel_after_the_pair_search_stops_within_a_pass(crowded, how):
    # 999 permutations would take seconds; the cancel must stop the test within
    # one pass over the pairs (eight permutations), and leave no thread behind.
    threads = threading.active_count()
    asked = []

    def progress(fraction):
        if fraction > near_repeat.PAIR_SEARCH_SHARE:  # the first pass of permutations
            asked.append(time.perf_counter())
            if how == "raise":
                raise near_repeat.Cancelled()
            return False
        return None

    with pytest.raises(near_repeat.Cancelled):
        knox_test(crowded, permutations=999, progress=progress)
    stopped = time.perf_counter()
    assert len(asked) == 1 and stopped - asked[0] < 0.5
    assert threading.active_count() == threads


def test_a_cancel_inside_the_pair_search_stops_it(crowded):
    seen = []

    def progress(fraction):
        seen.append(fraction)
        return not fraction > 0  # stop at the first block of the pair search

    with pytest.raises(near_repeat.Cancelled):
        knox_test(crowded, permutations=9, progress=progress)
    assert seen[0] == 0.0 and 0 < seen[-1] < near_repeat.PAIR_SEARCH_SHARE / 2
    assert len(seen) == 2  # the blocks still queued were dropped
    # Nothing is left half-done: the next test runs normally.
    assert knox_test(crowded.iloc[:500], permutations=9).n_events == 500


def test_two_knox_tests_at_once_give_their_own_results(crowded, lattice):
    # Two users of the app run the test at the same time (two threads).
    x, y, days = lattice
    jobs = [(crowded.iloc[:3_000], 3), (incidents_at(x, y, days), 4)]
    alone = [knox_test(df, permutations=19, seed=seed) for df, seed in jobs]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda job: knox_test(job[0], permutations=19, seed=job[1]), jobs))
    for a, b in zip(alone, both, strict=True):
        pd.testing.assert_frame_equal(a.table, b.table)


def test_without_numba_the_knox_test_says_what_to_install():
    # numba is pinned; if an installation lacks it, the rest of the app still
    # imports and the Knox test fails with a message naming the fix.
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "from ilp_core.analysis import near_repeat\n"
        "from ilp_core.products import report\n"
        "try:\n"
        "    near_repeat.warm_up()\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "needs numba" in out.stdout and "requirements.txt" in out.stdout
