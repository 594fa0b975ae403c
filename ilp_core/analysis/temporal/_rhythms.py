"""Weekly rhythms: incidents per hour of the week, with aoristic spreading of time windows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.temporal._common import _exclusions, _offence_codes, _precision_is

LongWindowPolicy = Literal["exclude", "uniform"]

_LONG_WINDOWS: Final[tuple[str, ...]] = get_args(LongWindowPolicy)

HOURS_PER_WEEK: Final[int] = 168
#: Monday 1970-01-05 00:00: hour 0 of the hour-of-week numbering (Monday 00:00-01:00).
_MONDAY: Final[np.datetime64] = np.datetime64("1970-01-05T00:00:00", "ns")


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

    Raises
    ------
    IlpInputError
        ``checks.flag`` when ``aoristic`` is not true or false,
        ``checks.number`` when ``max_window_hours`` is not a finite number above
        zero, ``checks.option`` for an unknown ``long_windows``.

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

    >>> from ilp_core.data.schema import example_incidents
    >>> df = example_incidents(["Burglary"], occurred_at="2024-01-01 22:30",
    ...                        occurred_to="2024-01-02 01:30", precision="minute")
    >>> m = hour_weekday(df).matrix("Burglary")
    >>> [round(float(v), 4) for v in (m.loc[0, 22], m.loc[0, 23], m.loc[1, 0], m.loc[1, 1])]
    [0.1667, 0.3333, 0.3333, 0.1667]
    """
    aoristic = checks.flag("aoristic", aoristic)
    max_window_hours = checks.positive("max_window_hours", max_window_hours)
    long_windows = checks.option("long_windows", long_windows, _LONG_WINDOWS)
    checks.columns(incidents, ("occurred_at", "occurred_to", "offence"), table="incidents")
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
            ("not_minute_precision", ~_precision_is(incidents, "minute")),
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
    _spread_windows(codes[win], s[win], e[win], length[win], direct, diff, uniform)

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


def _spread_windows(
    c: np.ndarray,
    sw: np.ndarray,
    ew: np.ndarray,
    lw: np.ndarray,
    direct: np.ndarray,
    diff: np.ndarray,
    uniform: np.ndarray,
) -> None:
    """Add windows of positive length to the accumulators of :func:`hour_weekday`, in place.

    ``c`` are offence codes, ``sw``/``ew`` start and end minutes since a Monday
    00:00, ``lw`` their lengths in minutes. ``direct`` (offence x hour of week)
    receives whole windows inside one hour and first and last partial hours,
    ``diff`` (offence x 169) the runs of whole hours as a difference array,
    ``uniform`` (per offence) whole weeks spread evenly over the 168 hours.
    """
    n_off = len(uniform)
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
