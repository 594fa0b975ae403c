"""Weekly rhythms: incidents per hour of the week, with aoristic spreading of time windows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.temporal._common import _offence_codes, _precision_is

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

    Each window is split into its first partial hour, its last partial hour and
    the whole hours between; the whole hours form one run of consecutive hours of
    the week (plus whole weeks, spread evenly), added through a difference array
    and a cumulative sum, in one compiled pass over the incidents. Cost is O(n) in
    the number of incidents, whatever the window lengths.

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
    codes, offences = _offence_codes(incidents)
    from ilp_core.analysis.temporal import _tally  # imports numba: on the first rhythm

    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    to = incidents["occurred_to"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    n_off = len(offences)
    whole, partial, diff, weeks, uniform, excluded, used = _tally.spread(
        *_tally.read_only(at, to, _precision_is(incidents, "minute"), codes),
        n_off, int(_MONDAY.view(np.int64)), aoristic, float(max_window_hours) * 60.0,
        long_windows == "uniform",
    )  # fmt: skip
    runs = np.cumsum(diff.reshape(n_off, HOURS_PER_WEEK + 1), axis=1)[:, :HOURS_PER_WEEK]
    direct = (whole + partial).reshape(n_off, HOURS_PER_WEEK)
    counts = direct + runs + (weeks + uniform / HOURS_PER_WEEK)[:, None]
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
        excluded=dict(zip(_tally.REASONS, map(int, excluded), strict=True)),
        spread_uniformly=int(uniform.sum()),
        n_used=int(used),
        aoristic=bool(aoristic),
        max_window_hours=float(max_window_hours),
        long_windows=str(long_windows),
    )


def warm_up() -> float:
    """Make the rhythm's compiled kernel ready now; return the seconds it took.

    It compiles at the first rhythm of a new installation and numba keeps it on
    disk for later processes; the app runs this in a separate process at start,
    beside the hot spots' and the Knox test's warm-ups.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    from ilp_core.analysis.temporal import _tally

    return _tally.warm_up()
