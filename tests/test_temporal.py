"""When: hour-of-week tables, aoristic spreading, series, trend, seasonality, control limits,
period comparison; each against hand arithmetic, a brute force or an independent formula."""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ilp_core import i18n
from ilp_core.analysis import temporal as tm
from ilp_core.data.schema import coerce_incidents
from ilp_core.errors import IlpInputError


def table(at, to=None, offence="Theft", precision="minute", district="North") -> pd.DataFrame:
    """A canonical incident table from start (and end) times."""
    at = pd.to_datetime(pd.Series(at), format="ISO8601")
    n = len(at)
    return coerce_incidents(
        pd.DataFrame(
            {
                "incident_id": [f"r{i}" for i in range(n)],
                "occurred_at": at,
                "occurred_to": pd.to_datetime(pd.Series(to), format="ISO8601")
                if to is not None
                else pd.NaT,
                "precision": precision,
                "offence": offence,
                "lat": 45.5,
                "lon": -30.5,
                "district": district,
                "location_id": None,
                "source_row": np.arange(2, n + 2),
                "duplicate": None,
            }
        )
    )


def counts_of(values, freq="week", offence="Theft", start="2024-01-01") -> tm.PeriodCounts:
    """PeriodCounts built by hand from a list of counts (full periods only)."""
    step = "7D" if freq == "week" else "MS"
    starts = pd.date_range(start, periods=len(values), freq=step)
    ends = starts + (pd.Timedelta(days=6) if freq == "week" else pd.offsets.MonthEnd(0))
    tab = pd.DataFrame(
        {
            "offence": offence,
            "period_start": starts,
            "period_end": ends,
            "days": (ends - starts).days + 1,
            "count": values,
            "partial": False,
        }
    )
    return tm.PeriodCounts(tab, freq, starts[0].date(), ends[-1].date(), "drop", {})


# --------------------------------------------------------------------------------------
# Hour of the week and aoristic spreading
# --------------------------------------------------------------------------------------


def test_aoristic_hand_cases():
    res = tm.hour_weekday(
        table(
            # Mon 22:30 -> Tue 01:30 (3 h): 0.5/3, 1/3, 1/3, 0.5/3 on Mon 22, Mon 23, Tue 0, Tue 1.
            # Sun 23:00 -> Mon 01:00 (wraps round the week): 1/2 on Sun 23, 1/2 on Mon 0.
            # Wed 10:15 -> Wed 10:45: all in Wed 10. Thu 08:00 without window: Thu 8.
            ["2024-01-01 22:30", "2024-01-07 23:00", "2024-01-03 10:15", "2024-01-04 08:00"],
            ["2024-01-02 01:30", "2024-01-08 01:00", "2024-01-03 10:45", None],
        )
    )
    m = res.matrix("Theft")
    assert m.shape == (7, 24)
    expected = {(0, 22): 1 / 6, (0, 23): 1 / 3, (1, 0): 1 / 3, (1, 1): 1 / 6, (6, 23): 0.5,
                (0, 0): 0.5, (2, 10): 1.0, (3, 8): 1.0}  # fmt: skip
    for (d, h), v in expected.items():
        assert m.loc[d, h] == pytest.approx(v)
    assert m.to_numpy().sum() == pytest.approx(4.0)
    assert res.n_used == 4


def test_exclusions_and_long_windows():
    at = ["2024-01-01 10:00", "2024-01-01", "2024-01-02 10:00", "2024-01-02 10:00", None]
    to = [None, None, "2024-01-01 10:00", "2024-01-12 10:00", None]  # reversed; 10-day window
    prec = ["minute", "day", "minute", "minute", "minute"]
    df = table(at, to, precision=prec)
    before = df.copy()
    ex = tm.hour_weekday(df)
    assert dict(ex.excluded) == {"no_time": 1, "not_minute_precision": 1, "no_offence": 0,
                                 "reversed_window": 1, "long_window": 1}  # fmt: skip
    assert ex.n_used == 1 and ex.matrix().to_numpy().sum() == pytest.approx(1)
    uni = tm.hour_weekday(df, long_windows="uniform")
    assert uni.spread_uniformly == 1 and uni.excluded["long_window"] == 0
    m = uni.matrix().to_numpy()
    assert m[0, 10] == pytest.approx(1 + 1 / 168)  # the point event plus 1/168 of the window
    assert m[3, 3] == pytest.approx(1 / 168)
    no_spread = tm.hour_weekday(df, aoristic=False)
    assert no_spread.n_used == 3  # windows ignored: every minute-precise start counts
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(IlpInputError) as err:
        tm.hour_weekday(df, long_windows="spread")
    assert err.value.message.key == "checks.option"
    with pytest.raises(IlpInputError) as err:
        tm.hour_weekday(df, max_window_hours=0)
    assert err.value.message.key == "checks.number"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60 * 24 * 400), st.integers(0, 60 * 24 * 21)),
        min_size=1,
        max_size=12,
    )
)
def test_aoristic_equals_minute_by_minute_brute_force(windows):
    # Up to 3-week windows with a 4-week cap: exercises whole weeks and wrap-around runs.
    epoch = pd.Timestamp("2023-12-25")  # a Monday
    starts = [epoch + pd.Timedelta(minutes=s) for s, _ in windows]
    ends = [epoch + pd.Timedelta(minutes=s + length) for s, length in windows]
    res = tm.hour_weekday(table(starts, ends), max_window_hours=24 * 28)
    truth = np.zeros(168)
    for s, length in windows:
        if length == 0:
            truth[(s // 60) % 168] += 1
            continue
        minutes = np.arange(s, s + length)  # each minute of the window carries 1 / length
        truth += np.bincount((minutes // 60) % 168, minlength=168) / length
    np.testing.assert_allclose(res.matrix().to_numpy().ravel(), truth, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-60 * 24 * 30, 60 * 24 * 60),  # minutes from a Monday, before 1970 too
            st.one_of(st.none(), st.integers(-90, 60 * 24 * 12)),  # window length, or none
            st.sampled_from(["minute", "minute", "day"]),
            st.sampled_from(["Theft", "Кража", "Vol", None]),
            st.booleans(),  # no date at all
        ),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from(["exclude", "uniform"]),
    st.booleans(),
)
def test_rhythm_of_offences_exclusions_and_long_windows_equals_brute_force(
    rows, long_windows, aoristic
):
    # Each row by hand, minute by minute, with the reasons tested in their order: no
    # date, not minute-precise, no offence, reversed window, too long a window (7 days).
    epoch = pd.Timestamp("1969-12-29")  # a Monday
    at = [None if gone else epoch + pd.Timedelta(minutes=m) for m, _, _, _, gone in rows]
    to = [
        None if w is None or gone else epoch + pd.Timedelta(minutes=m + w)
        for m, w, _, _, gone in rows
    ]
    df = table(at, to, precision=[r[2] for r in rows], offence=[r[3] for r in rows])
    res = tm.hour_weekday(df, aoristic=aoristic, long_windows=long_windows)
    truth: dict[str, np.ndarray] = {}
    reasons = dict.fromkeys(
        ["no_time", "not_minute_precision", "no_offence", "reversed_window", "long_window"], 0
    )
    used = uniform = 0
    for m, w, precision, offence, gone in rows:
        w = w if aoristic else None
        reason = (
            "no_time" if gone
            else "not_minute_precision" if precision != "minute"
            else "no_offence" if offence is None
            else "reversed_window" if w is not None and w < 0
            else "long_window" if w is not None and w > 168 * 60 and long_windows == "exclude"
            else None
        )  # fmt: skip
        if reason:
            reasons[reason] += 1
            continue
        used += 1
        hours = truth.setdefault(offence, np.zeros(168))
        if w is not None and w > 168 * 60:
            uniform += 1
            hours += 1 / 168
        elif not w:
            hours[(m // 60) % 168] += 1
        else:
            hours += np.bincount((np.arange(m, m + w) // 60) % 168, minlength=168) / w
    assert dict(res.excluded) == reasons
    assert (res.n_used, res.spread_uniformly) == (used, uniform)
    for offence, hours in truth.items():
        np.testing.assert_allclose(res.matrix(offence).to_numpy().ravel(), hours, atol=1e-9)
    assert res.table["count"].sum() == pytest.approx(used)


# --------------------------------------------------------------------------------------
# Period counts
# --------------------------------------------------------------------------------------


def test_period_counts_weeks_partial_and_zeros():
    # Wed 3 Jan .. Sun 28 Jan 2024: week of 1 Jan is partial (data starts Wednesday).
    df = table(
        ["2024-01-03", "2024-01-08", "2024-01-09", "2024-01-28", "2024-01-15"],
        precision=["day", "day", "minute", "day", "month"],
        offence=["A", "A", "B", "A", "A"],
    )
    dropped = tm.period_counts(df, "week")
    tab = dropped.table
    assert dropped.excluded["month_precision"] == 1
    assert sorted(tab["period_start"].dt.strftime("%m-%d").unique()) == ["01-08", "01-15", "01-22"]
    a = tab[tab["offence"] == "A"].set_index(tab[tab["offence"] == "A"]["period_start"].dt.day)
    assert a["count"].to_dict() == {8: 1, 15: 0, 22: 1}  # zero weeks are kept
    flagged = tm.period_counts(df, "week", partial="flag").table
    first = flagged[flagged["period_start"] == pd.Timestamp("2024-01-01")]
    assert first["partial"].all() and first["days"].iloc[0] == 5  # 3..7 January
    monthly = tm.period_counts(df, "month", partial="flag")
    assert monthly.excluded["month_precision"] == 0
    assert int(monthly.table["count"].sum()) == 5
    assert monthly.table["partial"].all()  # 3..28 January is not the whole month


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 400)),  # day after 2023-12-01, or no date
            st.sampled_from(["day", "minute", "month"]),
            st.sampled_from(["Theft", "Кража", "Vol", None]),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["week", "month"]),
    st.one_of(st.none(), st.integers(-20, 200)),
    st.one_of(st.none(), st.integers(150, 420)),
)
def test_period_counts_equal_pandas_counts(rows, freq, start, end):
    # Reference: pandas' own grouping of the same rows by offence and week or month,
    # each left-out row counted under its first reason.
    base = pd.Timestamp("2023-12-01")
    when = [None if d is None else base + pd.Timedelta(days=d) for d, _, _ in rows]
    df = table(when, precision=[r[1] for r in rows], offence=[r[2] for r in rows])
    first = None if start is None else (base + pd.Timedelta(days=start)).date()
    last = None if end is None else (base + pd.Timedelta(days=end)).date()
    frame = pd.DataFrame({"at": pd.to_datetime(pd.Series(when)), "precision": [r[1] for r in rows],
                          "offence": [r[2] for r in rows]})  # fmt: skip
    dated = frame["at"].dropna()
    lo = pd.Timestamp(first) if first else dated.min() if len(dated) else None
    hi = pd.Timestamp(last) if last else dated.max() if len(dated) else None
    reasons = dict.fromkeys(["no_date", "month_precision", "no_offence", "outside_coverage"], 0)
    kept = []
    for at, precision, offence in frame.itertuples(index=False):
        reason = (
            "no_date" if pd.isna(at)
            else "month_precision" if freq == "week" and precision == "month"
            else "no_offence" if pd.isna(offence)
            else "outside_coverage" if not lo <= at <= hi
            else None
        )  # fmt: skip
        if reason:
            reasons[reason] += 1
        else:
            kept.append((at, offence))
    if not kept or (lo is not None and hi is not None and hi < lo):
        with pytest.raises(IlpInputError):
            tm.period_counts(df, freq, start=first, end=last, partial="flag")
        return
    res = tm.period_counts(df, freq, start=first, end=last, partial="flag")
    assert dict(res.excluded) == reasons
    got = res.table.groupby(["offence", "period_start"])["count"].sum()
    kept_frame = pd.DataFrame(kept, columns=["at", "offence"])
    period = kept_frame["at"].dt.to_period("W-SUN" if freq == "week" else "M").dt.start_time
    expected = kept_frame.groupby(["offence", period]).size()
    assert got[got > 0].to_dict() == expected.to_dict()
    assert int(res.table["count"].sum()) == len(kept)


def test_period_counts_of_a_long_span_and_few_rows_search_each_day():
    # More days than rows: each day's period is found by a binary search, not a table.
    df = table(["1990-01-15", "2024-06-30", "2024-07-01"], precision="day")
    res = tm.period_counts(df, "month", partial="flag")
    months = res.table.loc[res.table["count"] > 0, "period_start"].dt.strftime("%Y-%m")
    assert months.tolist() == ["1990-01", "2024-06", "2024-07"]
    assert len(res.table) == (2024 - 1990) * 12 + 7  # every month, empty ones too


def test_period_counts_coverage_and_errors():
    df = table(["2024-01-01", "2024-02-15", "2024-03-31"], precision="day")
    pc = tm.period_counts(df, "month", start=dt.date(2024, 1, 1), end=dt.date(2024, 2, 29))
    assert pc.excluded["outside_coverage"] == 1
    assert pc.table["count"].tolist() == [1, 1]
    with pytest.raises(IlpInputError) as err:
        tm.period_counts(df, "day")
    assert err.value.message.key == "checks.option"
    with pytest.raises(IlpInputError) as err:
        tm.period_counts(table([None, None]), "week")
    assert err.value.message.key == "temporal.no_dated_incidents"


# --------------------------------------------------------------------------------------
# Trend
# --------------------------------------------------------------------------------------


def test_mann_kendall_known_cases():
    rising = tm.trend(counts_of(list(range(1, 13)))).table.iloc[0]
    assert rising["kendall_tau"] == pytest.approx(1.0)
    # Exact null distribution: only 1 of 12! orderings is fully increasing, two-sided.
    assert rising["p_value"] == pytest.approx(2 / math.factorial(12))
    assert rising["direction"] == "rising" and rising["sen_slope"] == pytest.approx(1.0)

    flat = tm.trend(counts_of([5] * 12)).table.iloc[0]
    assert (flat["kendall_tau"], flat["p_value"], flat["direction"]) == (0.0, 1.0, "no_clear_trend")

    # 1, 3, 2, 4: S = 5 concordant - 1 discordant = 4 of 6 pairs, tau = 2/3. Exact: 4 of the
    # 24 orderings have S >= 4 (0 or 1 inversion), two-sided p = 8/24.
    hand = tm.trend(counts_of([1, 3, 2, 4]), window=1).table.iloc[0]
    assert hand["kendall_tau"] == pytest.approx(2 / 3)
    assert hand["p_value"] == pytest.approx(8 / 24)
    # Slopes 2, 0.5, 1 (from 1) -1, 0.5 (from 3), 2 (from 2): median of
    # [-1, 0.5, 0.5, 1, 2, 2] = 0.75. pct_change: last 1 vs first 1 = 4 / 1 - 1 = 300 %.
    assert hand["sen_slope"] == pytest.approx(0.75)
    assert hand["pct_change"] == pytest.approx(300.0)


def test_mann_kendall_with_ties_matches_textbook_variance():
    y = [2, 2, 3, 1, 5, 5, 5, 4, 7, 6, 6, 9]
    n = len(y)
    s = sum(np.sign(y[j] - y[i]) for i in range(n) for j in range(i + 1, n))
    _, t = np.unique(y, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - np.sum(t * (t - 1) * (2 * t + 5))) / 18
    p = 2 * stats.norm.sf(abs(s) / math.sqrt(var))  # Kendall (1975), no continuity correction
    row = tm.trend(counts_of(y, freq="month")).table.iloc[0]
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert row["slope_per_year"] == pytest.approx(12 * row["sen_slope"])
    assert row["slope_pct_per_year"] == pytest.approx(100 * 12 * row["sen_slope"] / np.mean(y))


def test_trend_errors():
    with pytest.raises(IlpInputError) as err:
        tm.trend(counts_of([1, 2, 3]))
    assert err.value.message.key == "temporal.too_few_periods"
    with pytest.raises(IlpInputError) as err:
        tm.trend(counts_of([1, 2, 3, 4]), window=3)  # at most half of the 4 periods
    assert err.value.message.key == "checks.whole"
    with pytest.raises(IlpInputError) as err:
        tm.trend(counts_of([1, 2, 3, 4]), alpha=1.5)
    assert err.value.message.key == "checks.share"


# --------------------------------------------------------------------------------------
# Seasonality
# --------------------------------------------------------------------------------------


def test_seasonality_ratio_hand_case_and_stl_recovers_a_planted_pattern():
    # Two incidents a day in July, one on other days: rates 1 (x11) and 2, mean 13/12.
    days = np.array(pd.date_range("2024-01-01", periods=12, freq="MS").days_in_month)
    counts = days * np.array([1] * 6 + [2] + [1] * 5)
    s = tm.seasonality(counts_of(counts.tolist(), freq="month"))
    assert (s["method"] == "ratio").all()
    assert s.loc[s["month"] == 7, "seasonal_index"].item() == pytest.approx(2 / (13 / 12))
    assert s.loc[s["month"] == 1, "seasonal_index"].item() == pytest.approx(12 / 13)

    # Three years with a trend and a summer peak of x1.3 in June-August: STL finds it.
    idx = pd.date_range("2023-01-01", periods=36, freq="MS")
    factor = np.where(np.isin(idx.month, [6, 7, 8]), 1.3, 1.0)
    level = 100 + 2 * np.arange(36)
    rates = level * factor / 30
    values = np.round(rates * idx.days_in_month).astype(int).tolist()
    stl = tm.seasonality(counts_of(values, freq="month", start="2023-01-01"))
    assert (stl["method"] == "stl").all()
    july = stl.loc[stl["month"] == 7, "seasonal_index"].item()
    march = stl.loc[stl["month"] == 3, "seasonal_index"].item()
    assert july > 1.15 and march < 1.0
    with pytest.raises(IlpInputError) as err:
        tm.seasonality(counts_of([1] * 12))
    assert err.value.message.key == "temporal.needs_monthly"
    with pytest.raises(IlpInputError) as err:
        tm.seasonality(counts_of([1] * 11, freq="month"))
    assert err.value.message.key == "temporal.too_short_for_seasonality"


# --------------------------------------------------------------------------------------
# Control limits
# --------------------------------------------------------------------------------------


def test_control_limits_hand_case():
    cc = tm.control_limits(
        counts_of([10, 10, 10, 10, 22, 21, 1]), baseline=4, distribution="poisson"
    )
    tab = cc.table
    # Week 5: baseline = mean(10, 10, 10, 10) = 10. Poisson(10): P(X <= 20) = 0.99841 <
    # 0.99865 <= P(X <= 21) = 0.99930, so upper = 21; P(X <= 1) = 0.00050 < 0.00135 <=
    # P(X <= 2) = 0.00277, so lower = 2. 22 > 21: high.
    assert tab.loc[4, ["expected", "lower", "upper"]].tolist() == [10.0, 2.0, 21.0]
    assert tab.loc[4, "exceptional"] == "high"
    # Week 6: baseline (10 + 10 + 10 + 22) / 4 = 13; 21 is within Poisson(13)'s limits.
    assert tab.loc[5, "expected"] == 13.0 and tab.loc[5, "exceptional"] == "none"
    # Week 7: baseline (10 + 10 + 22 + 21) / 4 = 15.75; 1 < lower: low.
    assert tab.loc[6, "expected"] == pytest.approx(15.75)
    assert tab.loc[6, "exceptional"] == "low"
    assert tab.loc[6, "lower"] == stats.poisson.ppf(0.00135, 15.75)
    # Weeks 1-4 have fewer than min_baseline=4 previous weeks: no limit, not flagged.
    assert tab.loc[:3, "expected"].isna().all() and (tab.loc[:3, "exceptional"] == "none").all()
    assert cc.summary.loc[0, ["n_high", "n_low"]].tolist() == [1, 1]


def test_control_limits_negative_binomial_when_overdispersed():
    rng = np.random.default_rng(3)
    # Gamma-Poisson counts, mean 20 and variance 20 + 20^2 / 5 = 100 (phi about 5).
    values = rng.poisson(rng.gamma(5, 4, size=150)).tolist()
    cc = tm.control_limits(counts_of(values), baseline=13)
    row = cc.summary.iloc[0]
    tab = cc.table
    ok = tab["expected"].notna()
    e, c = tab.loc[ok, "expected"].to_numpy(), tab.loc[ok, "count"].to_numpy()
    nb = tab.loc[ok, "baseline_periods"].to_numpy()
    # Pearson dispersion by hand; a baseline mean of nb counts adds variance e / nb.
    phi = np.sum((c - e) ** 2 / (e * (1 + 1 / nb))) / (len(e) - 1)
    assert row["dispersion"] == pytest.approx(phi)
    assert row["distribution"] == "negbin" and phi > 2
    # Upper limit: negative binomial with mean mu and variance phi * mu.
    mu = tab.loc[20, "expected"]
    r, p = mu / (phi - 1), 1 / phi
    assert stats.nbinom.mean(r, p) == pytest.approx(mu)
    assert stats.nbinom.var(r, p) == pytest.approx(phi * mu)
    assert tab.loc[20, "upper"] == stats.nbinom.ppf(1 - 0.0027 / 2, r, p)
    poisson = tm.control_limits(counts_of(values), baseline=13, distribution="poisson")
    # Ignoring the overdispersion flags far more than the 0.27 % promised.
    assert (poisson.table["exceptional"] != "none").mean() > 0.05
    assert (tab["exceptional"] != "none").mean() < 0.03


def test_control_limits_false_alarm_rate_on_poisson_counts():
    for seed in range(5):
        values = np.random.default_rng(seed).poisson(20, size=1500).tolist()
        cc = tm.control_limits(counts_of(values))
        assert cc.summary.loc[0, "dispersion"] == pytest.approx(1.0, abs=0.12)
        assert (cc.table["exceptional"] != "none").mean() < 0.01


def test_control_limits_default_is_the_three_sigma_false_alarm_rate():
    cc = tm.control_limits(counts_of([10] * 8))
    assert cc.alpha == tm.CONTROL_ALPHA
    # Three sigma, two-sided: 2 * P(Z > 3) = 0.0026998, rounded to 0.0027.
    assert pytest.approx(2 * stats.norm.sf(3), abs=5e-7) == tm.CONTROL_ALPHA


def test_a_spike_after_an_empty_baseline_is_high():
    # Issue 13: 13 weeks of 0 then 8 was reported as "none" (no limit without a mean).
    cc = tm.control_limits(counts_of([0] * 13 + [8]))
    row = cc.table.iloc[-1]
    # Conditional test: with no change, week 14's share of the 8 incidents of weeks
    # 1-14 is Binomial(8, 1/14); P(all 8 in week 14) = (1/14)^8 = 6.8e-10 < 0.00135.
    # Upper limit: (1/14)^3 = 0.00036 < 0.00135 <= (1/14)^2 = 0.0051, so 2.
    assert (row["exceptional"], row["test"], row["upper"], row["lower"]) == (
        "high",
        "conditional",
        2.0,
        0.0,
    )
    assert row["baseline_total"] == 0 and row["expected"] == 0.0
    assert cc.summary.loc[0, ["n_high", "n_new"]].tolist() == [1, 1]
    # The shortest baseline (4 empty weeks): (1/5)^5 = 0.00032 is high, (1/5)^4 is not.
    short = tm.control_limits(counts_of([0] * 4 + [5, 0] + [0] * 3 + [4])).table
    assert short.loc[4, "exceptional"] == "high" and short.loc[4, "upper"] == 4.0
    # Same in months: 6 empty months then 6 incidents.
    months = tm.control_limits(counts_of([0] * 6 + [6], freq="month")).table
    assert months.iloc[-1]["exceptional"] == "high"


def test_sparse_baselines_are_judged_by_the_exact_conditional_test():
    # Every period whose baseline holds fewer than 20 incidents: high exactly when
    # scipy's exact binomial test of y out of y + B at 1 / (n + 1) gives p < alpha / 2.
    values = np.random.default_rng(11).poisson(0.4, 200)
    values[[60, 61, 140]] = [5, 4, 6]
    tab = tm.control_limits(counts_of(values.tolist())).table
    few = tab["test"] == "conditional"
    assert few.sum() > 150 and (tab.loc[few, "baseline_total"] < tm.SPARSE_BASELINE).all()
    for _, row in tab.loc[few].iterrows():
        y, b, n = int(row["count"]), int(row["baseline_total"]), int(row["baseline_periods"])
        p = stats.binomtest(y, y + b, 1 / (n + 1), alternative="greater").pvalue if y else 1.0
        assert (row["exceptional"] == "high") == (p < tm.CONTROL_ALPHA / 2), row.to_dict()
    assert set(tab.loc[[60, 140], "exceptional"]) == {"high"}
    # A baseline of 20 incidents or more keeps the Poisson / negative binomial limits.
    busy = tm.control_limits(counts_of([10] * 8)).table
    assert set(busy["test"].dropna()) == {"poisson"}


@pytest.mark.parametrize("mean", [0.2, 0.5, 1.5])
def test_sparse_series_keep_the_promised_false_alarm_rate(mean):
    # Poisson counts with a constant mean: every flag is a false alarm. Taking the mean
    # of a sparse baseline as the truth flags more than promised; the test used does not.
    values = np.random.default_rng(int(mean * 10)).poisson(mean, 4_000)
    tab = tm.control_limits(counts_of(values.tolist())).table
    judged = tab["expected"].notna()
    assert (tab.loc[judged, "exceptional"] != "none").mean() <= tm.CONTROL_ALPHA
    mu = tab.loc[judged, "expected"].to_numpy()
    plug_in = stats.poisson.ppf(1 - tm.CONTROL_ALPHA / 2, mu)
    plug_in_rate = (tab.loc[judged, "count"].to_numpy() > plug_in).mean()
    if mean < 1:  # (at 1.5 a week the plug-in keeps to it too: 0.13 %)
        assert plug_in_rate > tm.CONTROL_ALPHA


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"baseline": 0}, "checks.whole"),
        ({"baseline": 4.0}, "checks.whole"),
        ({"baseline": 4, "min_baseline": 5}, "checks.whole"),  # more than the baseline holds
        ({"min_baseline": True}, "checks.whole"),
        ({"alpha": 0}, "checks.share"),
        ({"alpha": "0.01"}, "checks.share"),
        ({"distribution": "normal"}, "checks.option"),
    ],
)
def test_control_limits_argument_checks(kwargs, key):
    with pytest.raises(IlpInputError) as err:
        tm.control_limits(counts_of([10] * 8), **kwargs)
    assert err.value.message.key == key


def test_when_page_shows_the_false_alarm_rate_of_the_library(app, monkeypatch):
    def caption(at):
        return next(c.value for c in at.caption if "flagged by chance" in c.value)

    at = app("pages/patterns_when.py")
    at.selectbox(key="p.when.offence").set_value("Vehicle crime").run()
    assert not at.exception
    assert i18n.percent(tm.CONTROL_ALPHA, "en", decimals=1) in caption(at)  # "0.3%"
    # A chart built with another rate shows that rate: the page keeps no copy of it.
    monkeypatch.setattr(tm, "control_limits", functools.partial(tm.control_limits, alpha=0.012))
    at.run()
    assert not at.exception
    assert "About 1.2% of ordinary periods" in caption(at)


# --------------------------------------------------------------------------------------
# Comparing two periods
# --------------------------------------------------------------------------------------


def _exact_conditional_p(k_b: int, n: int, share_b: float) -> float:
    """Two-sided binomial p-value from first principles: the sum of the probabilities of
    every outcome no more likely than the one observed (the "minlike" rule)."""
    pmf = [math.comb(n, i) * share_b**i * (1 - share_b) ** (n - i) for i in range(n + 1)]
    return min(1.0, sum(q for q in pmf if q <= pmf[k_b] * (1 + 1e-7)))


def test_compare_periods_against_independent_computation():
    at = (
        ["2024-01-10"] * 30 + ["2024-04-10"] * 48  # A: 30 in Jan-Mar, 48 in Apr-Jun
        + ["2024-01-11"] * 12 + ["2024-04-11"] * 10  # B: 12 then 10
        + ["2024-02-01"] * 5  # C: 5 then 0
        + ["2024-06-30"]  # D: 0 then 1 (and the last day of the data)
    )  # fmt: skip
    offence = ["A"] * 78 + ["B"] * 22 + ["C"] * 5 + ["D"]
    df = table(at, offence=offence, precision="day")
    a = (dt.date(2024, 1, 10), dt.date(2024, 3, 31))  # 82 days
    b = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))  # 91 days
    res = tm.compare_periods(df, a, b)
    tab = res.table.set_index("offence")
    share_b = 91 / (82 + 91)
    for name, ka, kb in (("A", 30, 48), ("B", 12, 10), ("C", 5, 0), ("D", 0, 1)):
        row = tab.loc[name]
        assert (row["count_a"], row["count_b"]) == (ka, kb)
        assert row["p_value"] == pytest.approx(_exact_conditional_p(kb, ka + kb, share_b))
    assert tab.loc["A", "difference"] == pytest.approx(48 - 30 * 91 / 82)
    assert tab.loc["A", "pct_change"] == pytest.approx(100 * ((48 / 91) / (30 / 82) - 1))
    assert np.isnan(tab.loc["D", "pct_change"])
    # Benjamini-Hochberg by hand: sort, p * m / rank, running minimum from the largest.
    p = res.table["p_value"].to_numpy()
    order = np.argsort(p)
    adj = np.minimum.accumulate((p[order] * len(p) / np.arange(1, len(p) + 1))[::-1])[::-1]
    bh = np.empty_like(p)
    bh[order] = np.minimum(adj, 1)
    np.testing.assert_allclose(res.table["p_fdr"], bh)
    verdict = np.where(
        bh < 0.05, np.where(tab["rate_ratio"] > 1, "increase", "decrease"), "no_change"
    )
    assert res.table["verdict"].tolist() == verdict.tolist()
    # Against SciPy's own exact test too.
    assert tab.loc["A", "p_value"] == pytest.approx(stats.binomtest(48, 78, share_b).pvalue)


def test_compare_periods_by_district_and_errors():
    at = ["2024-01-05", "2024-01-06", "2024-02-05", "2024-02-06", "2024-02-07"]
    df = table(at, precision=["day", "day", "day", "month", "day"],
               district=["N", "S", "N", None, "N"])  # fmt: skip
    res = tm.compare_periods(
        df, (dt.date(2024, 1, 5), dt.date(2024, 1, 31)), (dt.date(2024, 2, 1), dt.date(2024, 2, 7)),
        by="district",
    )  # fmt: skip
    assert res.excluded == {"no_date": 0, "month_precision": 1, "no_district": 0}
    assert res.table.set_index("district")[["count_a", "count_b"]].to_dict("index") == {
        "N": {"count_a": 1, "count_b": 2}, "S": {"count_a": 1, "count_b": 0}
    }  # fmt: skip
    for a, b, key in (
        ((dt.date(2024, 1, 5), dt.date(2024, 1, 31)), (dt.date(2024, 1, 20), dt.date(2024, 2, 7)),
         "temporal.periods_overlap"),
        ((dt.date(2023, 12, 1), dt.date(2023, 12, 31)), (dt.date(2024, 2, 1), dt.date(2024, 2, 7)),
         "temporal.period_outside_data"),
        ((dt.date(2024, 1, 31), dt.date(2024, 1, 5)), (dt.date(2024, 2, 1), dt.date(2024, 2, 7)),
         "temporal.bad_period"),
    ):  # fmt: skip
        with pytest.raises(IlpInputError) as err:
            tm.compare_periods(df, a, b)
        assert err.value.message.key == key
        assert err.value.render("fr")
    a, b = (dt.date(2024, 1, 5), dt.date(2024, 1, 31)), (dt.date(2024, 2, 1), dt.date(2024, 2, 7))
    for kwargs, key in (({"by": "street"}, "checks.option"), ({"alpha": 1.5}, "checks.share")):
        with pytest.raises(IlpInputError) as err:
            tm.compare_periods(df, a, b, **kwargs)
        assert err.value.message.key == key


def test_default_period_helpers():
    (a, b) = tm.quarter_vs_last_year(dt.date(2024, 2, 29))
    assert a == (dt.date(2023, 1, 1), dt.date(2023, 2, 28))
    assert b == (dt.date(2024, 1, 1), dt.date(2024, 2, 29))
    (a, b) = tm.recent_vs_previous(dt.date(2025, 12, 31), days=7)
    assert a == (dt.date(2025, 12, 18), dt.date(2025, 12, 24))
    assert b == (dt.date(2025, 12, 25), dt.date(2025, 12, 31))
    with pytest.raises(IlpInputError) as err:
        tm.recent_vs_previous(dt.date(2025, 12, 31), days=0)
    assert err.value.message.key == "checks.whole"


# --------------------------------------------------------------------------------------
# The sample region's planted patterns
# --------------------------------------------------------------------------------------


@functools.cache
def _sample_region():
    """The sample region from its generator, as a canonical table (all times to the minute)."""
    sample = pytest.importorskip("ilp_core.data.sample")
    region = sample.generate()
    raw = region.incidents
    tab = raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    return coerce_incidents(tab), region.planted


@pytest.mark.parametrize("freq", ["week", "month"])
def test_sample_region_trends(freq):
    incidents, planted = _sample_region()
    tab = tm.trend(tm.period_counts(incidents, freq)).table.set_index("offence")
    rising, falling = planted["rising_offence"]["offence"], planted["falling_offence"]["offence"]
    assert tab.loc[rising, "direction"] == "rising" and tab.loc[rising, "p_value"] < 0.05
    assert tab.loc[falling, "direction"] == "falling" and tab.loc[falling, "p_value"] < 0.05
    others = tab.drop([rising, falling])
    assert (others["direction"] != "no_clear_trend").sum() <= 2
    # Planted +40 % and -35 % from the first to the last quarter (seasons aside).
    assert tab.loc[rising, "pct_change"] > 20 and tab.loc[falling, "pct_change"] < -20


def test_sample_region_rhythms_seasons_and_quarter_comparison():
    incidents, planted = _sample_region()
    hw = tm.hour_weekday(incidents)
    violence = hw.matrix("Violence with injury").to_numpy()
    day, hour = np.unravel_index(violence.argmax(), violence.shape)
    assert (day in (4, 5) and hour >= 20) or (day in (5, 6) and hour <= 3)  # Fri/Sat night
    for offence, rhythm in planted["rhythms"].items():
        m = hw.matrix(offence).to_numpy()
        if m.sum() < 1000:
            continue
        cells = np.array(rhythm["peak_cells"])
        share = m[cells[:, 0], cells[:, 1]].sum() / m.sum()
        lift = rhythm["uniform_share"] + 0.25 * (rhythm["peak_share"] - rhythm["uniform_share"])
        assert share > lift, offence
        assert list(np.unravel_index(m.argmax(), m.shape)) in cells.tolist(), offence

    season = tm.seasonality(tm.period_counts(incidents, "month")).set_index(["offence", "month"])
    for offence, planted_season in planted["seasonality"].items():
        months = np.array(planted_season["months"])
        peak, trough = int(np.argmax(months)) + 1, int(np.argmin(months)) + 1
        idx = season.loc[offence, "seasonal_index"]
        assert idx.loc[peak] > idx.loc[trough] + 0.15, offence

    last = incidents["occurred_at"].max().date()
    a, b = tm.quarter_vs_last_year(last)
    tab = tm.compare_periods(incidents, a, b).table.set_index("offence")
    assert tab.loc[planted["rising_offence"]["offence"], "verdict"] == "increase"
    assert tab.loc[planted["falling_offence"]["offence"], "verdict"] == "decrease"
    assert (tab["verdict"] != "no_change").sum() <= 4


@pytest.mark.parametrize("gaps", [False, True])
def test_monthly_counts_equal_a_pandas_count_of_each_month(gaps):
    """Every row counted (or, with rows without a date or an offence, those left out)."""
    rng = np.random.default_rng(int(gaps))
    n = 5_000
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730 * 1440, n), "min")
    offence = rng.choice(["Кража", "Vol", "Robo"], n).astype(object)
    if gaps:
        when = when.where(rng.random(n) > 0.05)
        offence[rng.random(n) < 0.05] = None
    df = table(list(when), precision="minute", offence=list(offence))
    got = tm.period_counts(df, "month", partial="flag").table
    got = got[got["count"] > 0].set_index(["offence", got["period_start"].dt.to_period("M")])
    frame = pd.DataFrame({"offence": offence, "month": when.to_period("M")}).dropna()
    expected = frame.groupby(["offence", "month"]).size()
    assert got["count"].sort_index().to_dict() == expected.sort_index().to_dict()


def test_seasonal_ratio_index_equals_a_pandas_grouping_of_the_daily_rates():
    # 30 months from March (so months 3-8 are seen three times, the others twice), three
    # offences: random counts, a crime never seen (no index: NaN), one with a zero month.
    rng = np.random.default_rng(5)
    starts = pd.date_range("2022-03-01", periods=30, freq="MS")
    days = starts.days_in_month.to_numpy()
    counts = {"Theft": rng.poisson(40, 30), "Кража": np.zeros(30, int), "Vol": rng.poisson(3, 30)}
    counts["Vol"][4] = 0
    tab = pd.concat(
        pd.DataFrame({"offence": o, "period_start": starts,
                      "period_end": starts + pd.to_timedelta(days - 1, unit="D"),
                      "days": days, "count": c, "partial": False})
        for o, c in counts.items()
    )  # fmt: skip
    pc = tm.PeriodCounts(tab, "month", dt.date(2022, 3, 1), dt.date(2024, 8, 31), "drop", {})
    got = tm.seasonality(pc, method="ratio")
    assert got["offence"].tolist() == [o for o in counts for _ in range(12)]
    for offence, c in counts.items():
        rate = pd.Series(c / days, index=starts)
        factor = rate / rate.mean() if rate.mean() > 0 else rate * np.nan
        by_month = pd.DataFrame({"f": factor.to_numpy(), "c": c, "m": starts.month})
        expected = by_month.groupby("m").agg(f=("f", "mean"), c=("c", "mean"), n=("c", "size"))
        mine = got[got["offence"] == offence].set_index("month")
        np.testing.assert_allclose(mine["seasonal_index"], expected["f"], rtol=1e-12)
        np.testing.assert_allclose(mine["mean_count"], expected["c"], rtol=1e-12)
        assert mine["n_years"].tolist() == expected["n"].tolist()
        assert set(mine["method"]) == {"ratio"}


@pytest.mark.parametrize(
    "categories",
    [["Robbery", "Theft", "Arson"], ["Arson", "Burglary", "Robbery", "Theft", "Кража"]],
    ids=["every_offence_present", "offences_absent_from_the_rows"],
)
def test_offence_codes_number_the_offences_present_in_catalog_order(categories):
    from ilp_core.analysis.temporal import _common

    values = ["Theft", "Robbery", None, "Arson", "Theft", "Robbery"]
    df = pd.DataFrame({"offence": pd.Categorical(values, categories=categories)})
    codes, present = _common._offence_codes(df)
    # the reference, by hand: the categories that occur, in their order, numbered from 0
    expected_present = [c for c in categories if c in values]
    assert present == expected_present
    expected = [expected_present.index(v) if v is not None else -1 for v in values]
    assert codes.tolist() == expected and codes.dtype == np.int64
    assert not codes.flags.writeable  # shared by every caller
    assert not np.shares_memory(codes, df["offence"].array.codes)
