"""Weekly and monthly counts per offence: the series behind trends, seasons and control charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.temporal._common import (
    _date,
    _day_number,
    _incident_days,
    _offence_codes,
    _period_bounds,
    _precision_is,
    _to_ns,
)
from ilp_core.errors import IlpInputError

Freq = Literal["week", "month"]
PartialPolicy = Literal["drop", "flag"]

_FREQS: Final[tuple[str, ...]] = get_args(Freq)
_PARTIAL: Final[tuple[str, ...]] = get_args(PartialPolicy)
#: Why a row is left out of the counts, in the order tested (a row counts under its first).
_REASONS: Final[tuple[str, ...]] = ("no_date", "month_precision", "no_offence", "outside_coverage")


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
        ``checks.option`` for an unknown ``freq``/``partial``, ``checks.date``
        for a ``start`` or ``end`` that is not a date,
        ``temporal.no_dated_incidents`` when no row can be counted,
        ``temporal.bad_coverage`` when ``end`` is before ``start``.

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> when = ["2024-01-01", "2024-01-03", "2024-01-09", "2024-01-10"]
    >>> df = example_incidents(["Theft"] * 4, occurred_at=when, precision="day")
    >>> pc = period_counts(df, "week", end=dt.date(2024, 1, 14))
    >>> pc.table[["period_start", "count"]].to_numpy().tolist()
    [[Timestamp('2024-01-01 00:00:00'), 2], [Timestamp('2024-01-08 00:00:00'), 2]]
    """
    freq = checks.option("freq", freq, _FREQS)
    partial = checks.option("partial", partial, _PARTIAL)
    start = None if start is None else checks.date("start", start)
    end = None if end is None else checks.date("end", end)
    checks.columns(incidents, ("occurred_at", "offence"), table="incidents")
    codes, offences = _offence_codes(incidents)
    day, no_date = _incident_days(incidents)
    from ilp_core.analysis.temporal import _tally  # imports numba: on the first count

    month_only = _precision_is(incidents, "month") if freq == "week" else np.zeros(0, bool)
    day, no_date, month_only, codes = _tally.read_only(day, no_date, month_only, codes)
    lowest, highest, n_dated = _tally.day_range(day, no_date)
    if n_dated == 0:
        raise IlpInputError("temporal.no_dated_incidents")
    first = _day_number(start) if start is not None else int(lowest)
    last = _day_number(end) if end is not None else int(highest)
    if last < first:
        raise IlpInputError("temporal.bad_coverage", start=_date(first), end=_date(last))
    starts, ends = _period_bounds(first, last, freq)
    counts, left_out = _tally.per_period(
        day, no_date, month_only, codes, first, last, *_tally.read_only(starts), len(offences)
    )
    excluded = dict(zip(_REASONS, map(int, left_out), strict=True))
    if int(counts.sum()) == 0:
        raise IlpInputError("temporal.no_dated_incidents")
    n_p, n_off = len(starts), len(offences)
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


def _check_counts(counts: object) -> PeriodCounts:
    """``counts`` when it is a :class:`PeriodCounts`; ``temporal.not_period_counts`` else."""
    if not isinstance(counts, PeriodCounts):
        raise IlpInputError("temporal.not_period_counts", value=str(type(counts).__name__))
    return counts


def _full_series(counts: PeriodCounts) -> tuple[pd.DataFrame, np.ndarray]:
    """Table of fully covered periods and the sorted period starts."""
    tab = counts.table.loc[~counts.table["partial"].to_numpy()]
    periods = np.sort(tab["period_start"].unique())
    return tab, periods


def _matrix(tab: pd.DataFrame, periods: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Offences (in order of appearance) and their counts as an (offence x period) array.

    Summed by ``bincount`` on the offences' codes and the periods' positions: pandas'
    pivot table took 5 ms a call, each of the Strategy page's 7 priorities' seasons.
    """
    code, names = pd.factorize(tab["offence"], use_na_sentinel=False)
    at = np.searchsorted(periods, tab["period_start"].to_numpy(dtype=periods.dtype))
    flat = code * len(periods) + at
    sums = np.bincount(flat, weights=tab["count"].to_numpy(dtype=float),
                       minlength=len(names) * len(periods))  # fmt: skip
    return [str(o) for o in names], sums.reshape(len(names), len(periods))
