"""The "when" analyses' counts, compiled (numba; see ``ilp_core.analysis._compiled``).

:func:`spread`, the hour-of-week counts of
:func:`~ilp_core.analysis.temporal.hour_weekday`: one pass over the incidents applies
the exclusions, counts the point events and spreads the time windows (Ratcliffe's
aoristic method): at 10,000,000 incidents NumPy's masks, gathers and weighted
``bincount`` passes took 2.0-2.2 s on the When page's first visit (1.0 s warm), this
0.1 s. Tested against a minute-by-minute count (``tests/test_temporal.py``).

:func:`day_range` and :func:`per_period`, the counts per offence and week or month of
:func:`~ilp_core.analysis.temporal.period_counts`: one pass each instead of a copy of
the dated days, four exclusion masks, a lookup and a ``bincount`` of 10,000,000
rows (0.3-0.7 s a call on a page's first visit). Tested against pandas' counts
(``tests/test_temporal.py``).
"""

from __future__ import annotations

import time

import numpy as np

from ilp_core.analysis._compiled import jit, read_only

#: Hours of a week (hour 0: Monday 00:00-01:00).
WEEK = 168
#: Exclusion reasons, in the order they are tested (a row counts under its first).
REASONS = ("no_time", "not_minute_precision", "no_offence", "reversed_window", "long_window")
_NAT = np.iinfo(np.int64).min
_NS_PER_MINUTE = 60e9


@jit
def spread(
    start_ns: np.ndarray,
    end_ns: np.ndarray,
    minute: np.ndarray,
    codes: np.ndarray,
    n_off: int,
    monday_ns: int,
    aoristic: bool,
    max_window_minutes: float,
    uniform_long: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Accumulate every incident's weight per offence and hour of the week.

    ``start_ns``/``end_ns`` are ``datetime64[ns]`` as integers (NaT: the smallest
    int64), ``minute`` whether the time is known to the minute, ``codes`` the
    offence codes (-1: none). Returns the counts of point events and of windows
    inside one hour (offence x 168, whole numbers), the partial first and last hours
    (offence x 168), the runs of whole hours as a difference array (offence x 169),
    whole weeks spread evenly (per offence, per hour), the rows left out per reason
    (:data:`REASONS`), the rows counted and the long windows spread evenly.
    """
    whole = np.zeros(n_off * WEEK, dtype=np.int64)
    partial = np.zeros(n_off * WEEK)
    diff = np.zeros(n_off * (WEEK + 1))
    weeks = np.zeros(n_off)
    uniform = np.zeros(n_off, dtype=np.int64)
    excluded = np.zeros(5, dtype=np.int64)
    used = 0
    for i in range(start_ns.shape[0]):
        if start_ns[i] == _NAT:
            excluded[0] += 1
            continue
        if not minute[i]:
            excluded[1] += 1
            continue
        c = codes[i]
        if c < 0:
            excluded[2] += 1
            continue
        s = (start_ns[i] - monday_ns) / _NS_PER_MINUTE  # minutes since a Monday 00:00
        window = aoristic and end_ns[i] != _NAT
        e = (end_ns[i] - monday_ns) / _NS_PER_MINUTE if window else s
        length = e - s
        if window and length < 0:
            excluded[3] += 1
            continue
        long = window and length > max_window_minutes
        if long and not uniform_long:
            excluded[4] += 1
            continue
        used += 1
        if long:
            uniform[c] += 1
            continue
        h0 = np.int64(np.floor(s / 60.0))
        if length == 0:
            whole[c * WEEK + h0 % WEEK] += 1
            continue
        h1 = np.int64(np.floor(e / 60.0))
        if h0 == h1:
            whole[c * WEEK + h0 % WEEK] += 1
            continue
        partial[c * WEEK + h0 % WEEK] += ((h0 + 1) * 60.0 - s) / length
        partial[c * WEEK + h1 % WEEK] += (e - h1 * 60.0) / length
        per_hour = 60.0 / length
        between = h1 - h0 - 1
        weeks[c] += (between // WEEK) * per_hour
        first = (h0 + 1) % WEEK
        stop = first + between % WEEK
        row = c * (WEEK + 1)
        diff[row + first] += per_hour
        if stop > WEEK:  # the run wraps round the end of the week
            diff[row + WEEK] -= per_hour
            diff[row] += per_hour
            diff[row + stop - WEEK] -= per_hour
        else:
            diff[row + stop] -= per_hour
    return whole, partial, diff, weeks, uniform, excluded, used


@jit
def day_range(day: np.ndarray, no_date: np.ndarray) -> tuple[int, int, int]:
    """The first and last dated day and how many rows are dated (0: none, the days 0)."""
    first = last = 0
    dated = 0
    for i in range(day.shape[0]):
        if no_date[i]:
            continue
        if dated == 0 or day[i] < first:
            first = day[i]
        if dated == 0 or day[i] > last:
            last = day[i]
        dated += 1
    return first, last, dated


@jit
def per_period(
    day: np.ndarray,
    no_date: np.ndarray,
    month_only: np.ndarray,
    codes: np.ndarray,
    first: int,
    last: int,
    starts: np.ndarray,
    n_off: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Incidents per offence and period, and the rows left out per reason.

    A row counts in the period of sorted ``starts`` holding its day, for its
    offence code; rows are left out, under their first reason, when undated, known
    only to the month (``month_only``: an empty array when that does not matter), of
    no offence, or dated outside ``first..last``. Returns the counts (offence x
    period) and the four reasons' counts.
    """
    n_p = starts.shape[0]
    span = last - first + 1
    lookup = span <= day.shape[0]  # a table of the days when smaller than the rows
    table = np.empty(span if lookup else 0, dtype=np.int64)
    if lookup:
        k = 0
        for d in range(span):
            while k + 1 < n_p and starts[k + 1] <= first + d:
                k += 1
            table[d] = k
    counts = np.zeros((n_off, n_p), dtype=np.int64)
    excluded = np.zeros(4, dtype=np.int64)
    check_month = month_only.shape[0] > 0
    for i in range(day.shape[0]):
        if no_date[i]:
            excluded[0] += 1
        elif check_month and month_only[i]:
            excluded[1] += 1
        elif codes[i] < 0:
            excluded[2] += 1
        elif day[i] < first or day[i] > last:
            excluded[3] += 1
        elif lookup:
            counts[codes[i], table[day[i] - first]] += 1
        else:
            counts[codes[i], np.searchsorted(starts, day[i], side="right") - 1] += 1
    return counts, excluded


def warm_up() -> float:
    """Compile (or load from the disk cache) the kernels now; return the seconds it took."""
    began = time.perf_counter()
    ns, yes, codes = read_only(np.array([0, _NAT]), np.array([True, True]), np.array([0, 0]))
    spread(ns, ns, yes, codes, 1, 0, True, 60.0, False)
    days, no_date = read_only(np.array([0, 1]), ~yes)
    for month_only in read_only(yes, np.zeros(0, dtype=np.bool_)):
        day_range(days, no_date)
        per_period(days, no_date, month_only, codes, 0, 1, days, 1)
    return time.perf_counter() - began
