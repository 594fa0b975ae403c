"""The hour-of-week counts of :func:`~ilp_core.analysis.temporal.hour_weekday`, compiled.

One pass over the incidents (numba; see ``ilp_core.analysis._compiled``) applies the
exclusions, counts the point events and spreads the time windows (Ratcliffe's
aoristic method) into the same accumulators as before: at 10,000,000 incidents
NumPy's masks, gathers and weighted ``bincount`` passes took 1.9 s on the When page's
first visit (1.0 s warm), this about 0.1 s. Tested against a minute-by-minute count
(``tests/test_temporal.py``).
"""

from __future__ import annotations

import time

import numpy as np

from ilp_core.analysis._compiled import jit

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


def warm_up() -> float:
    """Compile (or load from the disk cache) the kernel now; return the seconds it took."""
    began = time.perf_counter()
    ns = np.array([0, _NAT], dtype=np.int64)
    spread(ns, ns, np.array([True, True]), np.array([0, 0]), 1, 0, True, 60.0, False)
    return time.perf_counter() - began
