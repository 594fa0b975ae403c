"""What every "when" analysis shares: offence codes, precision, exclusions, day numbers.

Days are counted as whole numbers since 1970-01-01 (``_day_number``/``_date``), so
weeks, months and periods are integer arithmetic on NumPy arrays.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ilp_core import memo


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:  # kept by memo.by_columns and shared by every caller
        array.flags.writeable = False


# The "when" analyses of a page read the same columns (period counts, rhythms,
# comparisons; at 10,000,000 incidents 0.2-0.7 s each): kept per column buffers.
@memo.by_columns(("offence",), size=4)
def _offence_codes(incidents: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Offence code per row (-1 when missing) and the offences present, in catalog order."""
    cat = pd.Categorical(incidents["offence"])
    codes = np.array(cat.codes, dtype=np.int64)  # a copy: returned read-only below
    present = np.bincount(codes[codes >= 0], minlength=len(cat.categories)) > 0
    names = [str(c) for c in cat.categories]
    if present.all():  # every offence present (the usual table): the codes as they are
        out = codes
    else:
        remap = np.full(len(names) + 1, -1, dtype=np.int64)
        remap[np.flatnonzero(present)] = np.arange(int(present.sum()))
        out = remap[codes]
    _read_only(out)
    return out, [n for n, p in zip(names, present, strict=True) if p]


def _precision_is(incidents: pd.DataFrame, value: str) -> np.ndarray:
    """Whether each row's ``precision`` is ``value`` (``minute``, ``day``, ``month``; missing: no).

    Compared on the column itself (a category compares its codes): converting 10,000,000
    rows to Python strings first took 1.2 s a call.
    """
    return (incidents["precision"] == value).to_numpy(dtype=bool)


def _exclusions(masks: list[tuple[str, np.ndarray]], n: int) -> tuple[np.ndarray, dict[str, int]]:
    """Apply exclusion masks in order; each row is counted under its first reason."""
    keep = np.ones(n, dtype=bool)
    excluded: dict[str, int] = {}
    for reason, mask in masks:
        excluded[reason] = int((mask & keep).sum())
        keep &= ~mask
    return keep, excluded


@memo.by_columns(("occurred_at",), size=4, rowwise=True)
def _incident_days(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Day number of each incident's ``occurred_at`` (0 where missing) and the missing mask."""
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    no_date = np.isnat(at)
    day = np.where(no_date, 0, at.astype("datetime64[D]").astype(np.int64))
    _read_only(day, no_date)
    return day, no_date


def _day_number(value: dt.date) -> int:
    """Days since 1970-01-01 (a datetime counts as its date)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value - dt.date(1970, 1, 1)).days


def _date(day: int) -> dt.date:
    """The date of a day number."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _to_ns(days: np.ndarray) -> np.ndarray:
    """Day numbers as ``datetime64[ns]`` midnights."""
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
