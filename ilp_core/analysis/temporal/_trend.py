"""Trend (Mann-Kendall test, Sen's slope) and seasonality (ratio to the mean, STL) of counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core import checks
from ilp_core.analysis.temporal._periods import (
    PeriodCounts,
    _check_counts,
    _full_series,
    _matrix,
)
from ilp_core.errors import IlpInputError

SeasonalityMethod = Literal["auto", "ratio", "stl"]

_SEASONALITY_METHODS: Final[tuple[str, ...]] = get_args(SeasonalityMethod)

#: Periods per year, to turn a slope per period into a slope per year.
PERIODS_PER_YEAR: Final[dict[str, float]] = {"week": 365.25 / 7.0, "month": 12.0}
#: Default number of periods compared at each end of a series (about three months).
DEFAULT_CHANGE_WINDOW: Final[dict[str, int]] = {"week": 13, "month": 3}
#: Fewest incidents per month, on average, for ``seasonality(method="auto")`` to use STL.
MIN_STL_MONTHLY_MEAN: Final[float] = 10.0


@dataclass(frozen=True)
class Trend:
    """Trend of each offence over the fully covered weeks or months.

    Attributes
    ----------
    table
        One row per offence: ``offence``, ``n_periods``, ``total``,
        ``mean_per_period``, ``kendall_tau`` and ``p_value`` (Mann-Kendall test,
        two-sided), ``sen_slope`` (change in count per period, Theil-Sen),
        ``sen_slope_low``/``sen_slope_high`` (its 95 % interval),
        ``sen_intercept`` (fitted count at the first period),
        ``slope_per_year`` (change in the count per period over a year),
        ``slope_pct_per_year`` (that change as a percentage of the mean count),
        ``first_count``/``last_count`` (incidents in the first and last
        ``window`` periods), ``pct_change`` (last versus first, %; NaN when the
        first is zero), and ``direction``: ``rising``, ``falling`` or
        ``no_clear_trend`` (p >= alpha).
    freq, alpha, window
        The settings used.
    first_period, last_period
        Start of the first and of the last period used.
    """

    table: pd.DataFrame
    freq: str
    alpha: float
    window: int
    first_period: dt.date
    last_period: dt.date


def trend(counts: PeriodCounts, *, alpha: float = 0.05, window: int | None = None) -> Trend:
    """Say, per offence, whether incidents are rising, falling or show no clear trend.

    The Mann-Kendall test asks whether later periods tend to have higher (or
    lower) counts than earlier ones, whatever the shape of the change; it is
    Kendall's tau between the count and time (``scipy.stats.kendalltau``, with the
    tie correction). The size of the change is Sen's slope (the median of the
    slopes between all pairs of periods, ``scipy.stats.theilslopes``), given per
    year and as a percentage of the mean; the percentage change compares the
    first and the last ``window`` periods (about three months; the two ends fall
    in different seasons unless the series spans whole years, so read it with the
    seasonality chart). Partial periods are never used. A constant series has no
    trend (tau 0, p 1, as in Mann's test where S = 0 gives z = 0).

    Weekly counts are autocorrelated, which makes the Mann-Kendall p-value
    optimistic; the monthly series is the safer basis for a verdict.

    Parameters
    ----------
    counts
        Output of :func:`period_counts`.
    alpha
        Significance level for ``direction`` (default 0.05).
    window
        Periods at each end for ``pct_change``; default 13 weeks or 3 months (at
        most half the series).

    Returns
    -------
    Trend
        One row per offence and the settings used.

    Raises
    ------
    IlpInputError
        ``temporal.too_few_periods`` with fewer than 4 full periods,
        ``checks.share`` for ``alpha`` outside (0, 1], ``checks.whole`` for a
        ``window`` that is not a positive integer at most half the series.

    References
    ----------
    Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica*, 13, 245-259.
    Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. Griffin.
    Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's
    tau. *Journal of the American Statistical Association*, 63, 1379-1389.

    Examples
    --------
    >>> import pandas as pd
    >>> starts = pd.date_range("2024-01-01", periods=6, freq="7D")
    >>> pc = PeriodCounts(pd.DataFrame({"offence": "Theft", "period_start": starts,
    ...     "period_end": starts + pd.Timedelta(days=6), "days": 7,
    ...     "count": [3, 4, 6, 7, 9, 10], "partial": False}), "week",
    ...     dt.date(2024, 1, 1), dt.date(2024, 2, 11), "drop", {})
    >>> row = trend(pc, window=2).table.iloc[0]
    >>> round(float(row["kendall_tau"]), 6), round(float(row["p_value"]), 4), str(row["direction"])
    (1.0, 0.0028, 'rising')
    >>> float(row["sen_slope"]), round(float(row["pct_change"]), 2)  # 100 * (19 / 7 - 1)
    (1.5, 171.43)
    """
    counts = _check_counts(counts)
    alpha = checks.share("alpha", alpha)
    tab, periods = _full_series(counts)
    m = len(periods)
    if m < 4:
        raise IlpInputError("temporal.too_few_periods", n=m, minimum=4)
    default = min(DEFAULT_CHANGE_WINDOW[counts.freq], m // 2)
    w = checks.whole("window", default if window is None else window, minimum=1, maximum=m // 2)
    offences, y = _matrix(tab, periods)
    x = np.arange(m, dtype=float)
    ppy = PERIODS_PER_YEAR[counts.freq]
    rows = []
    for name, series in zip(offences, y, strict=True):
        if np.all(series == series[0]):
            tau, p = 0.0, 1.0
        else:
            res = stats.kendalltau(x, series)
            tau, p = float(res.statistic), float(res.pvalue)
        ts = stats.theilslopes(series, x)
        mean = float(series.mean())
        first, last = float(series[:w].sum()), float(series[-w:].sum())
        slope_year = float(ts.slope) * ppy
        rows.append(
            {
                "offence": name,
                "n_periods": m,
                "total": float(series.sum()),
                "mean_per_period": mean,
                "kendall_tau": tau,
                "p_value": p,
                "sen_slope": float(ts.slope),
                "sen_slope_low": float(ts.low_slope),
                "sen_slope_high": float(ts.high_slope),
                "sen_intercept": float(ts.intercept),
                "slope_per_year": slope_year,
                "slope_pct_per_year": 100.0 * slope_year / mean if mean > 0 else np.nan,
                "first_count": first,
                "last_count": last,
                "pct_change": 100.0 * (last / first - 1.0) if first > 0 else np.nan,
                "direction": _direction(tau, p, alpha),
            }
        )
    table = pd.DataFrame(rows)
    table["offence"] = table["offence"].astype("str")
    table["direction"] = table["direction"].astype("str")
    return Trend(
        table=table,
        freq=counts.freq,
        alpha=float(alpha),
        window=int(w),
        first_period=pd.Timestamp(periods[0]).date(),
        last_period=pd.Timestamp(periods[-1]).date(),
    )


def _direction(tau: float, p: float, alpha: float) -> str:
    if p < alpha and tau > 0:
        return "rising"
    if p < alpha and tau < 0:
        return "falling"
    return "no_clear_trend"


def seasonality(counts: PeriodCounts, *, method: SeasonalityMethod = "auto") -> pd.DataFrame:
    """Show which months of the year run above or below the usual level, per offence.

    A seasonal index of 1.2 for July means July typically has 20 % more incidents
    per day than an average month. Counts are turned into incidents per day first,
    so February is not "low" for being short.

    * ``"ratio"``: the mean daily rate of each calendar month over the years
      covered, divided by the mean over all months (needs 12 full months; a
      trend across the years leaks into the index).
    * ``"stl"``: STL decomposition (``statsmodels.tsa.seasonal.STL``, period 12,
      robust) of the monthly daily rates; the index is 1 + seasonal / trend,
      averaged per calendar month (needs 24 full months; separates the trend).
    * ``"auto"`` (default): STL with 24 or more full months for offences with at
      least 10 incidents a month on average, the ratio otherwise (on sparse
      counts, STL's loess fits noise: monthly indices of -0.5 and 4.8 for a crime
      seen twice a month).

    Parameters
    ----------
    counts
        Monthly output of :func:`period_counts` (``freq="month"``).
    method
        ``"auto"``, ``"ratio"`` or ``"stl"``.

    Returns
    -------
    pandas.DataFrame
        One row per offence and month: ``offence``, ``month`` (1-12),
        ``seasonal_index``, ``mean_count`` (mean incidents in that month over
        the years), ``n_years`` (times the month was seen), ``method`` (the
        method actually used).

    Raises
    ------
    IlpInputError
        ``temporal.needs_monthly`` for weekly counts, ``temporal.too_short_for_seasonality``
        when the months needed are not covered, ``checks.option`` for an unknown
        ``method``.

    References
    ----------
    Cleveland, R. B., Cleveland, W. S., McRae, J. E., Terpenning, I. (1990). STL: a
    seasonal-trend decomposition procedure based on loess. *Journal of Official
    Statistics*, 6(1), 3-73.

    Examples
    --------
    Twelve months, twice as many incidents per day in July as in the other months:

    >>> import pandas as pd
    >>> starts = pd.date_range("2024-01-01", periods=12, freq="MS")
    >>> days = starts.days_in_month.to_numpy()
    >>> pc = PeriodCounts(pd.DataFrame({"offence": "Theft", "period_start": starts,
    ...     "period_end": starts + pd.to_timedelta(days - 1, unit="D"), "days": days,
    ...     "count": days * [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1], "partial": False}),
    ...     "month", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "drop", {})
    >>> s = seasonality(pc)
    >>> round(float(s.loc[s["month"] == 7, "seasonal_index"].iloc[0]), 4)  # 2 / (13 / 12)
    1.8462
    """
    counts = _check_counts(counts)
    method = checks.option("method", method, _SEASONALITY_METHODS)
    if counts.freq != "month":
        raise IlpInputError("temporal.needs_monthly", freq=counts.freq)
    tab, periods = _full_series(counts)
    m = len(periods)
    needed = {"ratio": 12, "stl": 24, "auto": 12}[method]
    if m < needed:
        raise IlpInputError("temporal.too_short_for_seasonality", n=m, minimum=needed)
    offences, y = _matrix(tab, periods)
    days = (
        tab.drop_duplicates("period_start")
        .set_index("period_start")["days"]
        .reindex(periods)
        .to_numpy(dtype=float)
    )
    month = pd.DatetimeIndex(periods).month.to_numpy()
    rate = y / days[None, :]
    mean = rate.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(mean > 0, rate / np.where(mean > 0, mean, 1.0), np.nan)
    use_stl = np.zeros(len(offences), dtype=bool)
    if method == "stl":
        use_stl[:] = True
    elif method == "auto" and m >= 24:
        use_stl = y.mean(axis=1) >= MIN_STL_MONTHLY_MEAN
    if use_stl.any():
        from statsmodels.tsa.seasonal import STL

        for k in np.flatnonzero(use_stl):
            series = rate[k]
            if np.all(series == series[0]):
                factor[k] = 1.0
                continue
            fit = STL(series, period=12, robust=True).fit()
            with np.errstate(divide="ignore", invalid="ignore"):
                stl_factor = 1.0 + fit.seasonal / fit.trend
            # A month cannot be below zero incidents: clip what loess overshoots.
            factor[k] = np.where(fit.trend > 0, np.maximum(stl_factor, 0.0), np.nan)
    # per offence and calendar month (NaN factors left out of the mean), in NumPy:
    # pandas' grouping took 10 ms a call, each of the Strategy page's 7 priorities
    n_off = len(offences)
    seen = np.bincount(month - 1, minlength=12)
    months = np.flatnonzero(seen) + 1
    known = ~np.isnan(factor)
    index = np.empty((n_off, len(months)))
    mean_count = np.empty((n_off, len(months)))
    for k in range(n_off):
        total = np.bincount(month - 1, weights=np.where(known[k], factor[k], 0.0), minlength=12)
        n_known = np.bincount(month - 1, weights=known[k], minlength=12)
        with np.errstate(divide="ignore", invalid="ignore"):
            index[k] = (total / n_known)[months - 1]
        mean_count[k] = (np.bincount(month - 1, weights=y[k], minlength=12) / seen)[months - 1]
    agg = pd.DataFrame(
        {
            "offence": pd.array(np.repeat(offences, len(months)), dtype="str"),
            "month": np.tile(months, n_off).astype("int64"),
            "seasonal_index": index.ravel(),
            "mean_count": mean_count.ravel(),
            "n_years": np.tile(seen[months - 1], n_off).astype("int64"),
        }
    )
    used = dict(zip(offences, np.where(use_stl, "stl", "ratio"), strict=True))
    agg["method"] = agg["offence"].map(used).astype("str")
    return agg.reset_index(drop=True)
