"""When crime happens: weekly rhythms, trends, seasonality, exceptional weeks, period changes.

Every function reads the canonical incident table (see :mod:`ilp_core.data.schema`)
and never modifies it. Which rows each analysis can use depends on how exactly
their time is known (``precision``), and every result says how many rows were
left out and why:

* hour-of-week rhythms use rows known to the minute only;
* weekly counts and period comparisons use rows known to the day or the minute;
* monthly counts use every dated row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core.errors import IlpInputError

Freq = Literal["week", "month"]
PartialPolicy = Literal["drop", "flag"]
LongWindowPolicy = Literal["exclude", "uniform"]
SeasonalityMethod = Literal["auto", "ratio", "stl"]
Distribution = Literal["auto", "poisson", "negbin"]
CompareBy = Literal["offence", "district"]
Period = tuple[dt.date, dt.date]

_FREQS: Final[frozenset[str]] = frozenset(get_args(Freq))
_PARTIAL: Final[frozenset[str]] = frozenset(get_args(PartialPolicy))
_LONG_WINDOWS: Final[frozenset[str]] = frozenset(get_args(LongWindowPolicy))
_SEASONALITY_METHODS: Final[frozenset[str]] = frozenset(get_args(SeasonalityMethod))
_DISTRIBUTIONS: Final[frozenset[str]] = frozenset(get_args(Distribution))
_COMPARE_BY: Final[frozenset[str]] = frozenset(get_args(CompareBy))

HOURS_PER_WEEK: Final[int] = 168
#: Periods per year, to turn a slope per period into a slope per year.
PERIODS_PER_YEAR: Final[dict[str, float]] = {"week": 365.25 / 7.0, "month": 12.0}
#: Default number of periods compared at each end of a series (about three months).
DEFAULT_CHANGE_WINDOW: Final[dict[str, int]] = {"week": 13, "month": 3}
#: Default length of the trailing baseline of the control chart (about a quarter / half-year).
DEFAULT_BASELINE: Final[dict[str, int]] = {"week": 13, "month": 6}
#: Fewest incidents per month, on average, for ``seasonality(method="auto")`` to use STL.
MIN_STL_MONTHLY_MEAN: Final[float] = 10.0
#: Monday 1970-01-05 00:00: hour 0 of the hour-of-week numbering (Monday 00:00-01:00).
_MONDAY: Final[np.datetime64] = np.datetime64("1970-01-05T00:00:00", "ns")


def _check_option(name: str, value: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise IlpInputError(
            "temporal.bad_option", option=name, value=value, allowed=", ".join(sorted(allowed))
        )


def _offence_codes(incidents: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Offence code per row (-1 when missing) and the offences present, in catalog order."""
    cat = pd.Categorical(incidents["offence"])
    codes = np.asarray(cat.codes, dtype=np.int64)
    present = np.bincount(codes[codes >= 0], minlength=len(cat.categories)) > 0
    names = [str(c) for c in cat.categories]
    remap = np.full(len(names) + 1, -1, dtype=np.int64)
    remap[np.flatnonzero(present)] = np.arange(int(present.sum()))
    return remap[codes], [n for n, p in zip(names, present, strict=True) if p]


def _precision(incidents: pd.DataFrame) -> np.ndarray:
    return incidents["precision"].astype("object").to_numpy()


def _exclusions(masks: list[tuple[str, np.ndarray]], n: int) -> tuple[np.ndarray, dict[str, int]]:
    """Apply exclusion masks in order; each row is counted under its first reason."""
    keep = np.ones(n, dtype=bool)
    excluded: dict[str, int] = {}
    for reason, mask in masks:
        excluded[reason] = int((mask & keep).sum())
        keep &= ~mask
    return keep, excluded


# --------------------------------------------------------------------------------------
# Hour of the week
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourWeekday:
    """Incidents per hour of the week and offence, with what was left out.

    Attributes
    ----------
    table
        One row per offence, weekday and hour: ``offence``, ``weekday`` (0 =
        Monday ... 6 = Sunday), ``hour`` (0-23; 22 means 22:00-22:59) and
        ``count`` (incidents; fractional when aoristic spreading shares an
        incident between hours).
    excluded
        Rows left out, by reason: ``no_time`` (no date), ``not_minute_precision``
        (time of day unknown), ``no_offence``, ``reversed_window`` (end before
        start) and ``long_window`` (window longer than ``max_window_hours`` when
        ``long_windows="exclude"``).
    spread_uniformly
        Rows whose long window was spread evenly over the week
        (``long_windows="uniform"``).
    n_used
        Rows counted (the ``count`` column sums to this).
    aoristic, max_window_hours, long_windows
        The settings used.
    """

    table: pd.DataFrame
    excluded: Mapping[str, int]
    spread_uniformly: int
    n_used: int
    aoristic: bool
    max_window_hours: float
    long_windows: str

    def matrix(self, offence: str | None = None) -> pd.DataFrame:
        """Return the 7 x 24 table (weekday rows 0-6, hour columns 0-23) of one offence.

        ``None`` adds up all offences.
        """
        tab = self.table if offence is None else self.table[self.table["offence"] == offence]
        grid = tab.groupby(["weekday", "hour"])["count"].sum()
        full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
        return grid.reindex(full, fill_value=0.0).unstack("hour")


def hour_weekday(
    incidents: pd.DataFrame,
    *,
    aoristic: bool = True,
    max_window_hours: float = 168.0,
    long_windows: LongWindowPolicy = "exclude",
) -> HourWeekday:
    """Count incidents per hour of the week and offence, to see when to be on the street.

    Only rows whose time is known to the minute are counted. An incident with a
    from/to window (``occurred_to`` set; a burglary found on return from work) is
    shared between the hours of its window in proportion to the time of each
    hour inside the window (Ratcliffe's aoristic method), so an incident that
    happened "between 22:30 and 01:30" adds 1/6 to 22:00, 1/3 to 23:00, 1/3 to
    00:00 and 1/6 to 01:00. Windows longer than ``max_window_hours`` say almost
    nothing about the hour: by default they are excluded (and counted in
    ``excluded``); ``long_windows="uniform"`` spreads them evenly over the 168
    hours of the week instead.

    The spreading is vectorised: each window is split into its first partial
    hour, its last partial hour and the whole hours between; the whole hours form
    one run of consecutive hours of the week (plus whole weeks, spread evenly),
    added through a difference array and a cumulative sum. Cost is O(n) in the
    number of incidents, whatever the window lengths.

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    aoristic
        Spread windows over their hours; ``False`` counts every incident at its
        ``occurred_at`` hour.
    max_window_hours
        Longest window spread over its hours (default one week).
    long_windows
        ``"exclude"`` (default) or ``"uniform"``: what to do with longer windows.

    Returns
    -------
    HourWeekday
        Long table of counts, excluded rows by reason, and the settings.

    References
    ----------
    Ratcliffe, J. H. (2000). Aoristic analysis: the spatial interpretation of
    unspecific temporal events. *International Journal of Geographical Information
    Science*, 14(7), 669-679.
    Ratcliffe, J. H. (2002). Aoristic signatures and the spatio-temporal analysis of
    high volume crime patterns. *Journal of Quantitative Criminology*, 18(1), 23-43.

    Examples
    --------
    A burglary on Monday 2024-01-01 from 22:30 to 01:30 on Tuesday:

    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> df = coerce_incidents(pd.DataFrame({
    ...     "incident_id": ["a"], "occurred_at": [pd.Timestamp("2024-01-01 22:30")],
    ...     "occurred_to": [pd.Timestamp("2024-01-02 01:30")], "precision": ["minute"],
    ...     "offence": ["Burglary"], "lat": [45.5], "lon": [-30.5], "district": [None],
    ...     "location_id": [None], "source_row": [2], "duplicate": [None]}))
    >>> m = hour_weekday(df).matrix("Burglary")
    >>> [round(float(v), 4) for v in (m.loc[0, 22], m.loc[0, 23], m.loc[1, 0], m.loc[1, 1])]
    [0.1667, 0.3333, 0.3333, 0.1667]
    """
    _check_option("long_windows", long_windows, _LONG_WINDOWS)
    if (
        isinstance(max_window_hours, bool)
        or not isinstance(max_window_hours, int | float)
        or not np.isfinite(max_window_hours)
        or max_window_hours <= 0
    ):
        raise IlpInputError(
            "temporal.bad_parameter", parameter="max_window_hours", value=max_window_hours
        )
    n = len(incidents)
    codes, offences = _offence_codes(incidents)
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    to = incidents["occurred_to"].to_numpy(dtype="datetime64[ns]")
    s = (at - _MONDAY) / np.timedelta64(1, "m")  # minutes since a Monday 00:00 (NaN for NaT)
    e = (to - _MONDAY) / np.timedelta64(1, "m")
    has_window = ~np.isnan(e) & ~np.isnan(s) if aoristic else np.zeros(n, dtype=bool)
    length = np.where(has_window, e - s, 0.0)
    long = has_window & (length > max_window_hours * 60.0)
    keep, excluded = _exclusions(
        [
            ("no_time", np.isnan(s)),
            ("not_minute_precision", _precision(incidents) != "minute"),
            ("no_offence", codes < 0),
            ("reversed_window", has_window & (length < 0)),
            ("long_window", long if long_windows == "exclude" else np.zeros(n, dtype=bool)),
        ],
        n,
    )
    n_off = len(offences)
    direct = np.zeros(n_off * HOURS_PER_WEEK)
    diff = np.zeros(n_off * (HOURS_PER_WEEK + 1))
    uniform = np.zeros(n_off)

    uni = keep & long  # only when long_windows == "uniform"
    uniform += np.bincount(codes[uni], minlength=n_off) / HOURS_PER_WEEK

    point = keep & ~uni & (~has_window | (length == 0))
    hour = np.floor(s[point] / 60.0).astype(np.int64) % HOURS_PER_WEEK
    direct += np.bincount(codes[point] * HOURS_PER_WEEK + hour, minlength=direct.size)

    win = keep & ~uni & has_window & (length > 0)
    c, sw, ew, lw = codes[win], s[win], e[win], length[win]
    h0 = np.floor(sw / 60.0).astype(np.int64)
    h1 = np.floor(ew / 60.0).astype(np.int64)
    same = h0 == h1
    base = c * HOURS_PER_WEEK
    # Window inside one hour: all of its weight there.
    direct += np.bincount(base[same] + h0[same] % HOURS_PER_WEEK, minlength=direct.size).astype(
        float
    )
    c, sw, ew, lw, h0, h1, base = (v[~same] for v in (c, sw, ew, lw, h0, h1, base))
    # First and last partial hours.
    direct += np.bincount(
        base + h0 % HOURS_PER_WEEK, weights=((h0 + 1) * 60.0 - sw) / lw, minlength=direct.size
    )
    direct += np.bincount(
        base + h1 % HOURS_PER_WEEK, weights=(ew - h1 * 60.0) / lw, minlength=direct.size
    )
    # Whole hours between: q whole weeks (even spread) plus a run of r consecutive hours.
    whole = h1 - h0 - 1
    per_hour = 60.0 / lw
    q, r = np.divmod(whole, HOURS_PER_WEEK)
    uniform += np.bincount(c, weights=q * per_hour, minlength=n_off)
    first = (h0 + 1) % HOURS_PER_WEEK
    stop = first + r
    wrap = stop > HOURS_PER_WEEK
    dbase = c * (HOURS_PER_WEEK + 1)
    idx = np.concatenate(
        [
            dbase + first,
            dbase + np.where(wrap, HOURS_PER_WEEK, stop),
            dbase[wrap],
            dbase[wrap] + stop[wrap] - HOURS_PER_WEEK,
        ]
    )
    val = np.concatenate([per_hour, -per_hour, per_hour[wrap], -per_hour[wrap]])
    diff += np.bincount(idx, weights=val, minlength=diff.size)

    runs = np.cumsum(diff.reshape(n_off, HOURS_PER_WEEK + 1), axis=1)[:, :HOURS_PER_WEEK]
    counts = direct.reshape(n_off, HOURS_PER_WEEK) + runs + uniform[:, None]
    table = pd.DataFrame(
        {
            "offence": pd.array(np.repeat(offences, HOURS_PER_WEEK), dtype="str"),
            "weekday": np.tile(np.repeat(np.arange(7), 24), n_off),
            "hour": np.tile(np.arange(24), 7 * n_off),
            "count": counts.ravel(),
        }
    )
    return HourWeekday(
        table=table,
        excluded=excluded,
        spread_uniformly=int(uni.sum()),
        n_used=int(keep.sum()),
        aoristic=bool(aoristic),
        max_window_hours=float(max_window_hours),
        long_windows=str(long_windows),
    )


# --------------------------------------------------------------------------------------
# Weekly and monthly counts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodCounts:
    """Incidents per offence and week (Monday to Sunday) or calendar month.

    Attributes
    ----------
    table
        ``offence``, ``period_start`` (Monday or first of the month),
        ``period_end`` (last day), ``days`` (days of the period inside the
        coverage), ``count`` and ``partial`` (the period is not fully covered by
        the data). Every offence has a row for every period, zeros included.
    freq
        ``"week"`` or ``"month"``.
    start, end
        Coverage: first and last day the data is taken to cover.
    partial
        ``"drop"`` (partial first/last periods removed) or ``"flag"`` (kept, with
        ``partial`` True).
    excluded
        Rows left out, by reason: ``no_date``, ``month_precision`` (weekly counts
        only: the week is unknown), ``no_offence``, ``outside_coverage``.
    """

    table: pd.DataFrame
    freq: str
    start: dt.date
    end: dt.date
    partial: str
    excluded: Mapping[str, int]


def period_counts(
    incidents: pd.DataFrame,
    freq: Freq = "week",
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    partial: PartialPolicy = "drop",
) -> PeriodCounts:
    """Count incidents per week or month and offence: the series behind trends and charts.

    A week or month only partly covered by the data (the data starts on a
    Wednesday, or ends on the 12th) would look like a drop in crime; by default
    such partial first and last periods are dropped (``partial="drop"``);
    ``partial="flag"`` keeps them with ``partial`` True. Weeks run Monday to
    Sunday (ISO 8601). Rows known only to the month are left out of weekly counts.

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    freq
        ``"week"`` or ``"month"``.
    start, end
        First and last day the data covers (both included); default the first and
        last day with an incident. Incidents outside are left out.
    partial
        ``"drop"`` or ``"flag"``.

    Returns
    -------
    PeriodCounts
        The counts (zeros included) and what was used and left out.

    Raises
    ------
    IlpInputError
        ``temporal.bad_option`` for an unknown ``freq``/``partial``,
        ``temporal.no_dated_incidents`` when no row can be counted,
        ``temporal.bad_coverage`` when ``end`` is before ``start``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> when = pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-09", "2024-01-10"])
    >>> df = coerce_incidents(pd.DataFrame({
    ...     "incident_id": list("abcd"), "occurred_at": when, "occurred_to": pd.NaT,
    ...     "precision": "day", "offence": "Theft", "lat": 45.5, "lon": -30.5,
    ...     "district": None, "location_id": None, "source_row": [2, 3, 4, 5],
    ...     "duplicate": None}))
    >>> pc = period_counts(df, "week", end=dt.date(2024, 1, 14))
    >>> pc.table[["period_start", "count"]].to_numpy().tolist()
    [[Timestamp('2024-01-01 00:00:00'), 2], [Timestamp('2024-01-08 00:00:00'), 2]]
    """
    _check_option("freq", freq, _FREQS)
    _check_option("partial", partial, _PARTIAL)
    n = len(incidents)
    codes, offences = _offence_codes(incidents)
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    no_date = np.isnat(at)
    day = np.where(no_date, 0, at.astype("datetime64[D]").astype(np.int64))
    dated = day[~no_date]
    if len(dated) == 0:
        raise IlpInputError("temporal.no_dated_incidents")
    first = _day_number(start) if start is not None else int(dated.min())
    last = _day_number(end) if end is not None else int(dated.max())
    if last < first:
        raise IlpInputError("temporal.bad_coverage", start=_date(first), end=_date(last))
    month_rows = _precision(incidents) == "month"
    keep, excluded = _exclusions(
        [
            ("no_date", no_date),
            ("month_precision", month_rows if freq == "week" else np.zeros(n, dtype=bool)),
            ("no_offence", codes < 0),
            ("outside_coverage", ~no_date & ((day < first) | (day > last))),
        ],
        n,
    )
    if not keep.any():
        raise IlpInputError("temporal.no_dated_incidents")
    starts, ends = _period_bounds(first, last, freq)
    p_idx = np.searchsorted(starts, day[keep], side="right") - 1
    n_p, n_off = len(starts), len(offences)
    counts = np.bincount(codes[keep] * n_p + p_idx, minlength=n_off * n_p).reshape(n_off, n_p)
    is_partial = (starts < first) | (ends > last)
    days = np.minimum(ends, last) - np.maximum(starts, first) + 1
    table = pd.DataFrame(
        {
            "offence": pd.array(np.repeat(offences, n_p), dtype="str"),
            "period_start": np.tile(_to_ns(starts), n_off),
            "period_end": np.tile(_to_ns(ends), n_off),
            "days": np.tile(days, n_off),
            "count": counts.ravel(),
            "partial": np.tile(is_partial, n_off),
        }
    )
    if partial == "drop":
        table = table.loc[~table["partial"].to_numpy()].reset_index(drop=True)
    return PeriodCounts(
        table=table,
        freq=str(freq),
        start=_date(first),
        end=_date(last),
        partial=str(partial),
        excluded=excluded,
    )


def _day_number(value: dt.date) -> int:
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value - dt.date(1970, 1, 1)).days


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _to_ns(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _period_bounds(first: int, last: int, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end day numbers of every period overlapping ``first..last``."""
    if freq == "week":
        monday = first - (first + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
        starts = np.arange(monday, last + 1, 7, dtype=np.int64)
        return starts, starts + 6
    m0 = np.datetime64(_date(first), "M")
    m1 = np.datetime64(_date(last), "M")
    months = np.arange(m0, m1 + 1)
    starts = months.astype("datetime64[D]").astype(np.int64)
    ends = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    return starts, ends


def _full_series(counts: PeriodCounts) -> tuple[pd.DataFrame, np.ndarray]:
    """Table of fully covered periods and the sorted period starts."""
    tab = counts.table.loc[~counts.table["partial"].to_numpy()]
    periods = np.sort(tab["period_start"].unique())
    return tab, periods


def _matrix(tab: pd.DataFrame, periods: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Offences and their counts as an (offence x period) array."""
    offences = list(dict.fromkeys(tab["offence"].tolist()))
    wide = tab.pivot_table(
        index="offence", columns="period_start", values="count", aggfunc="sum", sort=False
    )
    wide = wide.reindex(index=offences, columns=periods, fill_value=0)
    return offences, wide.to_numpy(dtype=float)


# --------------------------------------------------------------------------------------
# Trend
# --------------------------------------------------------------------------------------


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
        ``temporal.bad_parameter`` for ``alpha`` outside (0, 1) or a ``window``
        that is not a positive integer at most half the series.

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
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise IlpInputError("temporal.bad_parameter", parameter="alpha", value=alpha)
    tab, periods = _full_series(counts)
    m = len(periods)
    if m < 4:
        raise IlpInputError("temporal.too_few_periods", n=m, minimum=4)
    w = min(DEFAULT_CHANGE_WINDOW[counts.freq], m // 2) if window is None else window
    if isinstance(w, bool) or not isinstance(w, int) or w < 1 or 2 * w > m:
        raise IlpInputError("temporal.bad_parameter", parameter="window", value=w)
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


# --------------------------------------------------------------------------------------
# Seasonality
# --------------------------------------------------------------------------------------


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
        when the months needed are not covered.

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
    _check_option("method", method, _SEASONALITY_METHODS)
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
    n_off = len(offences)
    out = pd.DataFrame(
        {
            "offence": np.repeat(offences, m),
            "month": np.tile(month, n_off),
            "factor": factor.ravel(),
            "count": y.ravel(),
        }
    )
    agg = out.groupby(["offence", "month"], sort=False).agg(
        seasonal_index=("factor", "mean"),
        mean_count=("count", "mean"),
        n_years=("count", "size"),
    )
    agg = agg.reset_index().sort_values(["offence", "month"], kind="stable")
    order = {o: i for i, o in enumerate(offences)}
    agg = agg.sort_values("offence", key=lambda s: s.map(order), kind="stable")
    agg["offence"] = agg["offence"].astype("str")
    agg["month"] = agg["month"].astype("int64")
    agg["n_years"] = agg["n_years"].astype("int64")
    used = dict(zip(offences, np.where(use_stl, "stl", "ratio"), strict=True))
    agg["method"] = agg["offence"].map(used).astype("str")
    return agg.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Control chart
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlChart:
    """Weeks (or months) with exceptionally many or few incidents, per offence.

    Attributes
    ----------
    table
        ``offence``, ``period_start``, ``count``, ``expected`` (mean of the
        ``baseline`` previous periods; NaN for the first periods, which have
        fewer than ``min_baseline`` before them), ``upper`` and ``lower``
        (control limits; a count above ``upper`` or below ``lower`` is
        exceptional), ``exceptional`` (``high``, ``low`` or ``none``; ``none``
        where there is no baseline) and ``baseline_periods`` (periods averaged).
    summary
        One row per offence: ``offence``, ``dispersion`` (Pearson variance /
        mean ratio of counts around the baseline), ``dispersion_p`` (test that
        it exceeds 1), ``distribution`` used (``poisson`` or ``negbin``),
        ``n_high``, ``n_low``.
    freq, baseline, min_baseline, alpha, distribution
        The settings used (``distribution`` as requested).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    freq: str
    baseline: int
    min_baseline: int
    alpha: float
    distribution: str


def control_limits(
    counts: PeriodCounts,
    *,
    baseline: int | None = None,
    min_baseline: int = 4,
    alpha: float = 0.0027,
    distribution: Distribution = "auto",
) -> ControlChart:
    """Flag the weeks whose count is too high or too low to be ordinary variation.

    Each period is compared with what the previous periods led one to expect:
    the mean count of the ``baseline`` previous full periods (13 weeks or 6
    months by default; the period itself is not part of its own baseline, so a
    spike cannot hide itself). The limits are the ``alpha / 2`` and
    ``1 - alpha / 2`` quantiles of the count's distribution around that
    expectation; the default ``alpha = 0.0027`` is the false-alarm rate of the
    classic three-sigma c-chart, but with exact quantiles, which stay right for
    small counts where mean +/- 3 sqrt(mean) does not.

    Crime counts are often more variable than Poisson (overdispersed: bad weeks
    come in runs, one offender makes several incidents). The variance/mean ratio
    ``phi`` of the counts around their baselines is therefore estimated per
    offence (Pearson's statistic, sum((count - expected)^2 / v) / (m - 1), where
    ``v = expected * (1 + 1 / n)`` is the Poisson variance of the gap between a
    count and the mean of ``n`` earlier ones, so that ``phi`` is 1 for Poisson
    counts);
    with ``distribution="auto"`` the limits come from a negative binomial with
    variance ``phi * expected`` when ``phi`` is significantly above 1 (chi-square
    test, p < 0.05), from the Poisson otherwise. Without this, an overdispersed
    series flags far more weeks than ``alpha`` promises.

    Parameters
    ----------
    counts
        Output of :func:`period_counts` (partial periods are not used).
    baseline
        Number of previous periods averaged; default 13 weeks or 6 months.
    min_baseline
        Fewest previous periods needed to compute a limit (default 4).
    alpha
        Two-sided false-alarm rate per period (default 0.0027, three sigma).
    distribution
        ``"auto"``, ``"poisson"`` or ``"negbin"`` (negative binomial whenever
        ``phi > 1``).

    Returns
    -------
    ControlChart
        The table of periods with limits and flags, a summary per offence and
        the settings.

    Raises
    ------
    IlpInputError
        ``temporal.bad_parameter`` for a baseline, minimum or alpha out of range,
        ``temporal.too_few_periods`` when no period has a baseline.

    References
    ----------
    Montgomery, D. C. (2019). *Introduction to Statistical Quality Control*, 8th
    ed., Wiley, section 7.3 (the c chart).
    Chainey, S., Ratcliffe, J. H. (2005). *GIS and Crime Mapping*. Wiley
    (exceptional-increase monitoring in crime analysis).

    Examples
    --------
    Ten incidents every week, then 22 (the Poisson limits around 10 are 2 and 21):

    >>> import pandas as pd
    >>> starts = pd.date_range("2024-01-01", periods=6, freq="7D")
    >>> pc = PeriodCounts(pd.DataFrame({"offence": "Theft", "period_start": starts,
    ...     "period_end": starts + pd.Timedelta(days=6), "days": 7,
    ...     "count": [10, 10, 10, 10, 22, 10], "partial": False}), "week",
    ...     dt.date(2024, 1, 1), dt.date(2024, 2, 11), "drop", {})
    >>> cc = control_limits(pc, baseline=4, distribution="poisson")
    >>> row = cc.table.loc[4]
    >>> float(row["expected"]), float(row["lower"]), float(row["upper"]), str(row["exceptional"])
    (10.0, 2.0, 21.0, 'high')
    """
    _check_option("distribution", distribution, _DISTRIBUTIONS)
    b = DEFAULT_BASELINE[counts.freq] if baseline is None else baseline
    for name, value in (("baseline", b), ("min_baseline", min_baseline)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise IlpInputError("temporal.bad_parameter", parameter=name, value=value)
    if min_baseline > b:
        raise IlpInputError("temporal.bad_parameter", parameter="min_baseline", value=min_baseline)
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise IlpInputError("temporal.bad_parameter", parameter="alpha", value=alpha)
    tab, periods = _full_series(counts)
    m = len(periods)
    if m <= min_baseline:
        raise IlpInputError("temporal.too_few_periods", n=m, minimum=min_baseline + 1)
    offences, y = _matrix(tab, periods)
    n_off = len(offences)
    # Trailing mean of the previous b periods (not the current one), from cumulative sums.
    csum = np.concatenate([np.zeros((n_off, 1)), np.cumsum(y, axis=1)], axis=1)
    idx = np.arange(m)
    lo = np.maximum(idx - b, 0)
    n_base = idx - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = (csum[:, idx] - csum[:, lo]) / n_base
    expected[:, n_base < min_baseline] = np.nan

    summary_rows = []
    upper = np.full_like(expected, np.nan)
    lower = np.full_like(expected, np.nan)
    for k, name in enumerate(offences):
        mu = expected[k]
        ok = np.isfinite(mu) & (mu > 0)
        dof = int(ok.sum()) - 1
        if dof >= 1:
            # A baseline mean of n Poisson counts is itself uncertain (variance mu / n):
            # the prediction error has variance mu * (1 + 1 / n) when counts are Poisson.
            noise = mu[ok] * (1.0 + 1.0 / n_base[ok])
            chi2 = float(np.sum((y[k, ok] - mu[ok]) ** 2 / noise))
            phi = chi2 / dof
            phi_p = float(stats.chi2.sf(chi2, dof))
        else:
            phi, phi_p = np.nan, np.nan
        use_nb = (distribution == "negbin" and phi > 1) or (
            distribution == "auto" and phi > 1 and phi_p < 0.05
        )
        if use_nb:
            # Negative binomial with mean mu and variance phi * mu: size r = mu / (phi - 1).
            r = mu[ok] / (phi - 1.0)
            prob = 1.0 / phi
            upper[k, ok] = stats.nbinom.ppf(1 - alpha / 2, r, prob)
            lower[k, ok] = stats.nbinom.ppf(alpha / 2, r, prob)
        else:
            upper[k, ok] = stats.poisson.ppf(1 - alpha / 2, mu[ok])
            lower[k, ok] = stats.poisson.ppf(alpha / 2, mu[ok])
        summary_rows.append(
            {
                "offence": name,
                "dispersion": phi,
                "dispersion_p": phi_p,
                "distribution": "negbin" if use_nb else "poisson",
            }
        )
    flag = np.full(expected.shape, "none", dtype=object)
    flag[np.isfinite(upper) & (y > upper)] = "high"
    flag[np.isfinite(lower) & (y < lower)] = "low"
    table = pd.DataFrame(
        {
            "offence": pd.array(np.repeat(offences, m), dtype="str"),
            "period_start": np.tile(periods, n_off),
            "count": y.ravel().astype(np.int64),
            "expected": expected.ravel(),
            "upper": upper.ravel(),
            "lower": lower.ravel(),
            "exceptional": pd.array(flag.ravel(), dtype="str"),
            "baseline_periods": np.tile(np.where(n_base < min_baseline, 0, n_base), n_off),
        }
    )
    summary = pd.DataFrame(summary_rows)
    summary["n_high"] = (flag == "high").sum(axis=1)
    summary["n_low"] = (flag == "low").sum(axis=1)
    summary["offence"] = summary["offence"].astype("str")
    summary["distribution"] = summary["distribution"].astype("str")
    return ControlChart(
        table=table,
        summary=summary,
        freq=counts.freq,
        baseline=int(b),
        min_baseline=int(min_baseline),
        alpha=float(alpha),
        distribution=str(distribution),
    )


# --------------------------------------------------------------------------------------
# Comparing two periods
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodComparison:
    """Change in incidents between two periods, per offence or per district.

    Attributes
    ----------
    table
        One row per offence (or district): the group column (``offence`` or
        ``district``), ``count_a`` and ``count_b`` (incidents in the earlier and
        the later period), ``days_a``, ``days_b``, ``difference`` (``count_b``
        minus ``count_a`` scaled to the length of period b, so plain
        ``count_b - count_a`` when both are equally long), ``pct_change``
        (change in incidents per day, %; NaN when ``count_a`` is 0),
        ``rate_ratio``, ``p_value`` (exact conditional test, two-sided),
        ``p_fdr`` (Benjamini-Hochberg over the rows) and ``verdict``:
        ``increase`` or ``decrease`` when ``p_fdr < alpha``, else ``no_change``
        (the change is within what chance produces).
    by
        ``"offence"`` or ``"district"``.
    period_a, period_b
        The two periods (first and last day, both included).
    alpha
        False discovery rate used for the verdict.
    excluded
        Rows left out, by reason: ``no_date``, ``month_precision``,
        ``no_offence``/``no_district``.
    """

    table: pd.DataFrame
    by: str
    period_a: Period
    period_b: Period
    alpha: float
    excluded: Mapping[str, int]


def compare_periods(
    incidents: pd.DataFrame,
    period_a: Period,
    period_b: Period,
    *,
    by: CompareBy = "offence",
    alpha: float = 0.05,
) -> PeriodComparison:
    """Compare two periods (this quarter and the same quarter last year) per offence or district.

    A rise from 40 to 52 burglaries can be chance; the test says whether the
    change is larger than the usual ups and downs. Under "no change", each
    incident of the two periods falls in period b with probability
    ``days_b / (days_a + days_b)``, so ``count_b`` given the total is binomial:
    the exact conditional test of two Poisson rates
    (``scipy.stats.binomtest``). With many offences or districts some changes
    look significant by chance, so p-values are adjusted for the false discovery
    rate (Benjamini-Hochberg, ``scipy.stats.false_discovery_control``) and the
    verdict uses the adjusted value.

    Rows known only to the month are left out (their day is unknown), as are
    rows without a date or without the group (offence or district).

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    period_a, period_b
        The earlier (reference) and later periods as ``(first_day, last_day)``,
        both included; they must not overlap and must lie within the data.
    by
        ``"offence"`` or ``"district"``.
    alpha
        False discovery rate for the verdict (default 0.05).

    Returns
    -------
    PeriodComparison
        One row per group, and the settings used.

    Raises
    ------
    IlpInputError
        ``temporal.bad_period`` (last day before first day),
        ``temporal.periods_overlap``, ``temporal.period_outside_data`` (a period
        reaches beyond the first or last day with data, where counts would be
        wrongly low), ``temporal.bad_option`` for ``by``.

    References
    ----------
    Przyborowski, J., Wilenski, H. (1940). Homogeneity of results in testing
    samples from Poisson series. *Biometrika*, 31, 313-323.
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    *Journal of the Royal Statistical Society B*, 57, 289-300.

    Examples
    --------
    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> when = pd.to_datetime(["2024-01-05"] * 10 + ["2025-01-05"] * 30)
    >>> df = coerce_incidents(pd.DataFrame({
    ...     "incident_id": [str(i) for i in range(40)], "occurred_at": when,
    ...     "occurred_to": pd.NaT, "precision": "day", "offence": "Theft", "lat": 45.5,
    ...     "lon": -30.5, "district": "North", "location_id": None,
    ...     "source_row": range(2, 42), "duplicate": None}))
    >>> res = compare_periods(df, (dt.date(2024, 1, 5), dt.date(2024, 1, 31)),
    ...                       (dt.date(2025, 1, 1), dt.date(2025, 1, 5)))
    >>> res.table[["count_a", "count_b", "days_a", "days_b"]].iloc[0].tolist()
    [10, 30, 27, 5]
    >>> str(res.table["verdict"].iloc[0])
    'increase'
    """
    _check_option("by", by, _COMPARE_BY)
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise IlpInputError("temporal.bad_parameter", parameter="alpha", value=alpha)
    a0, a1 = _period_days(period_a)
    b0, b1 = _period_days(period_b)
    if a0 <= b1 and b0 <= a1:
        raise IlpInputError(
            "temporal.periods_overlap",
            start_a=_date(a0),
            end_a=_date(a1),
            start_b=_date(b0),
            end_b=_date(b1),
        )
    n = len(incidents)
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    no_date = np.isnat(at)
    day = np.where(no_date, 0, at.astype("datetime64[D]").astype(np.int64))
    if no_date.all():
        raise IlpInputError("temporal.no_dated_incidents")
    first, last = int(day[~no_date].min()), int(day[~no_date].max())
    for p0, p1 in ((a0, a1), (b0, b1)):
        if p0 < first or p1 > last:
            raise IlpInputError(
                "temporal.period_outside_data",
                start=_date(p0),
                end=_date(p1),
                first=_date(first),
                last=_date(last),
            )
    cat = pd.Categorical(incidents[by])
    codes = np.asarray(cat.codes, dtype=np.int64)
    names = [str(c) for c in cat.categories]
    keep, excluded = _exclusions(
        [
            ("no_date", no_date),
            ("month_precision", _precision(incidents) == "month"),
            (f"no_{by}", codes < 0),
        ],
        n,
    )
    in_a = keep & (day >= a0) & (day <= a1)
    in_b = keep & (day >= b0) & (day <= b1)
    present = np.bincount(codes[keep], minlength=len(names)) > 0
    count_a = np.bincount(codes[in_a], minlength=len(names))[present]
    count_b = np.bincount(codes[in_b], minlength=len(names))[present]
    groups = [nm for nm, p in zip(names, present, strict=True) if p]
    days_a, days_b = a1 - a0 + 1, b1 - b0 + 1
    share_b = days_b / (days_a + days_b)
    p_value = np.array(
        [
            stats.binomtest(int(kb), int(ka + kb), share_b).pvalue if ka + kb > 0 else 1.0
            for ka, kb in zip(count_a, count_b, strict=True)
        ],
        dtype=float,
    )
    p_fdr = stats.false_discovery_control(p_value, method="bh") if len(p_value) else p_value
    rate_a, rate_b = count_a / days_a, count_b / days_b
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(count_a > 0, rate_b / np.where(rate_a > 0, rate_a, 1.0), np.nan)
    verdict = np.where(
        p_fdr < alpha, np.where(rate_b > rate_a, "increase", "decrease"), "no_change"
    )
    table = pd.DataFrame(
        {
            by: pd.array(groups, dtype="str"),
            "count_a": count_a.astype(np.int64),
            "count_b": count_b.astype(np.int64),
            "days_a": days_a,
            "days_b": days_b,
            "difference": count_b - count_a * (days_b / days_a),
            "pct_change": 100.0 * (ratio - 1.0),
            "rate_ratio": ratio,
            "p_value": p_value,
            "p_fdr": p_fdr,
            "verdict": pd.array(verdict, dtype="str"),
        }
    )
    return PeriodComparison(
        table=table,
        by=str(by),
        period_a=(_date(a0), _date(a1)),
        period_b=(_date(b0), _date(b1)),
        alpha=float(alpha),
        excluded=excluded,
    )


def _period_days(period: Period) -> tuple[int, int]:
    start, end = period
    d0, d1 = _day_number(start), _day_number(end)
    if d1 < d0:
        raise IlpInputError("temporal.bad_period", start=_date(d0), end=_date(d1))
    return d0, d1


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def quarter_vs_last_year(last_date: dt.date) -> tuple[Period, Period]:
    """Return (same quarter-to-date last year, this quarter to date) ending on ``last_date``.

    The default comparison of a quarterly assessment: from the first day of the
    quarter that holds ``last_date`` (the data's last day) to ``last_date``,
    against the same days a year earlier, so both periods have the same season
    and (up to 29 February) the same length.

    Parameters
    ----------
    last_date
        Last day with data.

    Returns
    -------
    tuple of two periods
        ``(period_a, period_b)``: last year's, then this year's.

    Examples
    --------
    >>> quarter_vs_last_year(dt.date(2025, 11, 15))
    ((datetime.date(2024, 10, 1), datetime.date(2024, 11, 15)), \
(datetime.date(2025, 10, 1), datetime.date(2025, 11, 15)))
    """
    if isinstance(last_date, dt.datetime):
        last_date = last_date.date()
    q_start = dt.date(last_date.year, 3 * ((last_date.month - 1) // 3) + 1, 1)
    return (_year_earlier(q_start), _year_earlier(last_date)), (q_start, last_date)


def recent_vs_previous(last_date: dt.date, days: int = 28) -> tuple[Period, Period]:
    """Return (the ``days`` before, the last ``days``) ending on ``last_date``.

    The comparison of a weekly tasking meeting: the last 28 days against the 28
    days before them.

    Parameters
    ----------
    last_date
        Last day with data.
    days
        Length of each period (default 28).

    Returns
    -------
    tuple of two periods
        ``(period_a, period_b)``: the earlier, then the recent one.

    Raises
    ------
    IlpInputError
        ``temporal.bad_parameter`` when ``days`` is not a positive integer.

    Examples
    --------
    >>> recent_vs_previous(dt.date(2025, 12, 31))
    ((datetime.date(2025, 11, 6), datetime.date(2025, 12, 3)), \
(datetime.date(2025, 12, 4), datetime.date(2025, 12, 31)))
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise IlpInputError("temporal.bad_parameter", parameter="days", value=days)
    if isinstance(last_date, dt.datetime):
        last_date = last_date.date()
    b0 = last_date - dt.timedelta(days=days - 1)
    a1 = b0 - dt.timedelta(days=1)
    return (a1 - dt.timedelta(days=days - 1), a1), (b0, last_date)
