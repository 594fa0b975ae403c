"""The space-time permutation scan against a brute-force count, hand-worked arithmetic and the
emerging hot spot planted in the sample region."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ilp_core.analysis.space_time_scan import log_likelihood_ratio, space_time_scan
from ilp_core.data import geo
from ilp_core.data.dataset import load_sample
from ilp_core.data.schema import example_incidents
from ilp_core.errors import IlpInputError

START = dt.date(2024, 1, 1)


def _incidents(lat, lon, days) -> pd.DataFrame:
    when = [pd.Timestamp(START) + pd.Timedelta(days=int(d), hours=12) for d in days]
    return example_incidents(["Theft"] * len(days), occurred_at=when, lat=lat, lon=lon)


def _brute_force(incidents, *, study_days, cell, max_radius, max_share, max_days, step):
    """Every cylinder counted event by event, with Python's math: the reference.

    Circles are centred on each occupied cell and hold every occupied cell whose centre
    lies within the radius, for each distinct radius up to ``max_radius``; windows are
    the last ``step``, ``2 step``, ... days.
    """
    proj = geo.project(incidents)
    day = incidents["occurred_at"].to_numpy().astype("datetime64[D]").astype(np.int64)
    last = int(day.max())
    keep = day > last - study_days
    x, y, day = proj.x[keep], proj.y[keep], day[keep]
    x0, y0 = math.floor(x.min() / cell) * cell, math.floor(y.min() / cell) * cell
    cells = sorted(
        {
            (math.floor((a - x0) / cell), math.floor((b - y0) / cell))
            for a, b in zip(x, y, strict=True)
        }
    )
    ev_cell = [
        (math.floor((a - x0) / cell), math.floor((b - y0) / cell))
        for a, b in zip(x, y, strict=True)
    ]
    total = len(day)
    best = (0.0, None)
    for cx, cy in cells:
        dist = {c: round(cell * math.hypot(c[0] - cx, c[1] - cy), 6) for c in cells}
        for r in sorted({d for d in dist.values() if d <= max_radius}):
            inside = {c for c, d in dist.items() if d <= r}
            n_circle = sum(c in inside for c in ev_cell)
            if n_circle > max_share * total:
                continue
            for length in range(step, max_days + 1, step):
                recent = [d > last - length for d in day]
                n_window = sum(recent)
                c = sum(1 for e, rec in zip(ev_cell, recent, strict=True) if rec and e in inside)
                mu = n_circle * n_window / total
                if c <= mu:
                    continue
                llr = c * math.log(c / mu)
                if c < total:
                    llr += (total - c) * math.log((total - c) / (total - mu))
                if llr > best[0] + 1e-12:
                    best = (llr, (frozenset(inside), length, c, mu))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_scan_equals_a_brute_force_count_on_small_random_data(seed):
    rng = np.random.default_rng(seed)
    n = 150
    lat = 45.5 + rng.uniform(0, 0.03, n)
    lon = -30.5 + rng.uniform(0, 0.04, n)
    days = rng.integers(0, 60, n)
    # a few extra incidents close together at the end, so a cluster exists
    lat[:12], lon[:12], days[:12] = 45.51, -30.49, rng.integers(54, 60, 12)
    inc = _incidents(lat, lon, days)
    settings = {"study_days": 60, "max_days": 21, "cell": 700.0, "max_radius": 1500.0,
                "max_share": 0.5, "step": 3}  # fmt: skip
    llr, (zones, length, c, mu) = _brute_force(inc, **settings)
    scan = space_time_scan(
        inc, study_days=60, cell_size=700.0, max_radius=1500.0, max_share=0.5, max_days=21,
        step_days=3, permutations=19, seed=seed,
    )  # fmt: skip
    top = scan.clusters.iloc[0]
    assert top["llr"] == pytest.approx(llr, rel=1e-9)
    assert (top["days"], top["observed"], top["n_cells"]) == (length, c, len(zones))
    assert top["expected"] == pytest.approx(mu, rel=1e-9)


def test_a_hand_computed_cluster():
    # Ten incidents in two cells 10 km apart: cell A has 4 on the last day (day 9),
    # cell B one a day on days 0-5. Windows of 1 to 5 days (step 1), no circle can hold
    # both cells (max_radius 0). For cell A and the last 1 to 4 days:
    #   window total 4, circle total 4, expected 4 * 4 / 10 = 1.6, observed 4,
    #   LLR = 4 ln(4 / 1.6) + 6 ln(6 / 8.4) = 3.665163 - 2.018834 = 1.646329.
    # The 5-day window adds B's day-5 incident: expected 4 * 5 / 10 = 2,
    #   LLR = 4 ln 2 + 6 ln(6 / 8) = 1.046496, weaker. Cell B alone never beats its share.
    lat = [45.5] * 4 + [45.59] * 6
    days = [9, 9, 9, 9, 0, 1, 2, 3, 4, 5]
    scan = space_time_scan(
        _incidents(lat, -30.5, days), study_days=10, cell_size=500.0, max_radius=0.0,
        max_days=5, step_days=1, permutations=99, seed=0,
    )  # fmt: skip
    top = scan.clusters.iloc[0]
    assert (top["observed"], top["days"], top["n_cells"]) == (4, 1, 1)
    assert top["expected"] == pytest.approx(1.6)
    assert top["llr"] == pytest.approx(4 * math.log(2.5) + 6 * math.log(6 / 8.4), abs=1e-12)
    assert round(top["llr"], 5) == 1.64633
    assert top["start"] == top["end"] == dt.date(2024, 1, 10)
    assert log_likelihood_ratio(4, 2, 10) == pytest.approx(4 * math.log(2) + 6 * math.log(0.75))


def test_p_value_and_recurrence_interval_follow_their_definitions():
    rng = np.random.default_rng(4)
    inc = _incidents(45.5 + rng.uniform(0, 0.05, 300), -30.5 + rng.uniform(0, 0.05, 300),
                     rng.integers(0, 100, 300))  # fmt: skip
    scan = space_time_scan(inc, study_days=100, max_days=28, permutations=199, seed=3,
                           analyses_per_year=52)  # fmt: skip
    for row in scan.clusters.itertuples():
        beaten = int((scan.null_llr >= row.llr).sum())
        assert row.p_value == pytest.approx((1 + beaten) / 200)
        assert row.recurrence_years == pytest.approx(1 / (row.p_value * 52))
    # Random data: the most likely cluster is an ordinary one.
    assert scan.clusters["p_value"].iloc[0] > 0.05
    # The same seed gives the same answer.
    again = space_time_scan(inc, study_days=100, max_days=28, permutations=199, seed=3,
                            analyses_per_year=52)  # fmt: skip
    np.testing.assert_array_equal(scan.null_llr, again.null_llr)


def test_secondary_clusters_are_weaker_and_apart():
    rng = np.random.default_rng(5)
    inc = _incidents(45.5 + rng.uniform(0, 0.05, 400), -30.5 + rng.uniform(0, 0.07, 400),
                     rng.integers(0, 120, 400))  # fmt: skip
    scan = space_time_scan(inc, study_days=120, max_days=28, permutations=19, max_clusters=8)
    tab = scan.clusters
    assert (np.diff(tab["llr"].to_numpy()) <= 0).all()
    for i in range(len(tab)):
        for j in range(i + 1, len(tab)):
            # no two clusters share a cell: a centre cell never lies in another's circle
            gap = math.hypot(tab.x[i] - tab.x[j], tab.y[i] - tab.y[j])
            assert gap > max(tab.radius_m[i], tab.radius_m[j])


def test_the_emerging_hot_spot_of_the_sample_region_is_found():
    data = load_sample()
    drugs = data.incidents.loc[data.incidents["offence"].isin(["Drug offences", "Robbery"])]
    scan = space_time_scan(drugs, permutations=99, seed=0)
    top = scan.clusters.iloc[0]
    # Planted: Station interchange, 45.510444 N 30.443207 W, radius 250 m, active
    # 2025-10-01 to 2025-12-31 with 35 % of drug offences and 25 % of robberies.
    planted = geo.project(example_incidents(["x"], lat=45.510444, lon=-30.443207), crs=None)
    centre = geo.project(example_incidents(["x"], lat=top["lat"], lon=top["lon"]), crs=planted.crs)
    assert math.hypot(centre.x[0] - planted.x[0], centre.y[0] - planted.y[0]) < 500
    assert dt.date(2025, 9, 20) <= top["start"] <= dt.date(2025, 10, 15)
    assert top["district"] == "Station"
    assert top["p_value"] == pytest.approx(0.01)  # stronger than all 99 permuted copies
    assert top["ratio"] > 3


def test_near_repeat_burglary_bursts_are_found_where_they_were_planted():
    # The sample's burglaries follow a self-exciting process: bursts of follow-ups within
    # 200 m and 14 days. Scanning the last 28 days of each quarter, the strongest
    # cluster is a small circle over a short window, far more concentrated than chance.
    data = load_sample()
    burglary = data.incidents.loc[data.incidents["offence"] == "Residential burglary"]
    strong = 0
    for end in ("2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30"):
        scan = space_time_scan(burglary, end=dt.date.fromisoformat(end), study_days=180,
                               cell_size=250.0, max_radius=500.0, max_days=28, step_days=1,
                               permutations=99, seed=1)  # fmt: skip
        top = scan.clusters.iloc[0]
        assert top["days"] <= 28 and top["radius_m"] <= 500
        strong += bool(top["ratio"] > 5)
    assert strong >= 3


def test_settings_are_checked():
    inc = _incidents([45.5] * 20, -30.5, range(20))
    with pytest.raises(IlpInputError) as err:
        space_time_scan(inc, study_days=20, max_days=15)
    assert err.value.message.key == "scan.window_too_long"
    with pytest.raises(IlpInputError) as err:
        space_time_scan(inc.iloc[:5], study_days=20, max_days=5, step_days=1)
    assert err.value.message.key == "scan.too_few_events"
    with pytest.raises(IlpInputError) as err:
        space_time_scan(inc, study_days=20, max_days=5, permutations=0)
    assert err.value.message.key == "checks.whole"


def test_progress_is_reported_and_can_stop_the_scan():
    rng = np.random.default_rng(6)
    inc = _incidents(45.5 + rng.uniform(0, 0.05, 200), -30.5 + rng.uniform(0, 0.05, 200),
                     rng.integers(0, 100, 200))  # fmt: skip
    seen: list[float] = []
    space_time_scan(inc, study_days=100, max_days=28, permutations=99, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)

    class StopScanError(Exception):
        pass

    def cancel(fraction: float) -> None:
        raise StopScanError

    with pytest.raises(StopScanError):
        space_time_scan(inc, study_days=100, max_days=28, permutations=99, progress=cancel)


# -- a published example: SaTScan's NYC fever sample data -------------------------------------

NYC = Path(__file__).parent / "fixtures" / "satscan_nycfever"


def _nyc_fever() -> pd.DataFrame:
    """SaTScan's sample data as incidents: one per case, at its ZIP code's centroid."""
    cas = pd.read_csv(NYC / "NYCfever.cas", sep="\t", header=None, names=["zip", "n", "date"])
    geo_ = pd.read_csv(NYC / "NYCfever.geo", sep="\t", header=None, names=["zip", "lat", "lon"])
    cas = cas.loc[cas.index.repeat(cas["n"])].merge(geo_, on="zip", how="left", validate="m:1")
    when = pd.to_datetime(cas["date"], format="%Y/%m/%d") + pd.Timedelta(hours=12)
    return example_incidents(["Fever"] * len(cas), occurred_at=when.tolist(),
                             lat=cas["lat"].tolist(), lon=cas["lon"].tolist())  # fmt: skip


def test_satscan_nyc_fever_example_is_reproduced():
    """SaTScan's published NYC fever analysis: 194 cases, no cluster with p < 0.05.

    The published settings (rsatscan's vignette, from the SaTScan manual): prospective
    space-time permutation scan of 2001/11/1-2001/11/24 by day, circles up to 3 km,
    windows up to 7 days, 999 replications. Each ZIP code is its own place here (10 m
    cells: no two centroids share one); distances are in the local metric projection,
    SaTScan's on the sphere (they differ by under 0.1 % over 3 km).
    """
    inc = _nyc_fever()
    settings = {"study_days": 24, "cell_size": 10.0, "max_radius": 3000.0, "max_share": 0.5,
                "max_days": 7, "step_days": 1}  # fmt: skip
    scan = space_time_scan(inc, end=dt.date(2001, 11, 24), permutations=999, seed=1, **settings)
    assert scan.n_events == 194 and scan.start == dt.date(2001, 11, 1)
    assert scan.n_cells == inc.groupby(["lat", "lon"]).ngroups  # one place per ZIP with cases
    assert not scan.clusters["significant"].any()  # published: 0 clusters with p < .05
    assert scan.clusters["p_value"].min() >= 0.05
    # The statistic itself, on these real data, equals the brute-force count.
    llr, (zones, length, c, mu) = _brute_force(
        inc, study_days=24, cell=10.0, max_radius=3000.0, max_share=0.5, max_days=7, step=1
    )
    top = scan.clusters.iloc[0]
    assert top["llr"] == pytest.approx(llr, rel=1e-9)
    assert (top["days"], top["observed"], top["n_cells"]) == (length, c, len(zones))
    assert top["expected"] == pytest.approx(mu, rel=1e-9)
