"""When crime happens: weekly rhythms, trends, seasonality, exceptional weeks, period changes.

Every function reads the canonical incident table (see :mod:`ilp_core.data.schema`)
and never modifies it. Which rows each analysis can use depends on how exactly
their time is known (``precision``), and every result says how many rows were
left out and why:

* hour-of-week rhythms use rows known to the minute only;
* weekly counts and period comparisons use rows known to the day or the minute;
* monthly counts use every dated row.

Where each family lives:

================  =================================================================
``_rhythms``      :func:`hour_weekday` (aoristic spreading) -> :class:`HourWeekday`;
                  :func:`warm_up` readies the compiled counts (``_tally``)
``_periods``      :func:`period_counts` -> :class:`PeriodCounts`, the weekly or
                  monthly series that the next three read
``_trend``        :func:`trend` (Mann-Kendall, Sen's slope) -> :class:`Trend`;
                  :func:`seasonality` (ratio to the mean, STL)
``_control``      :func:`control_limits` -> :class:`ControlChart` (exceptional
                  weeks; :data:`CONTROL_ALPHA`, the false-alarm rate)
``_comparison``   :func:`compare_periods` -> :class:`PeriodComparison`;
                  :func:`quarter_vs_last_year`, :func:`recent_vs_previous`
``_common``       offence codes, precision, exclusions, day numbers, period bounds
``_tally``        the rhythm's and the period counts' compiled passes (numba)
================  =================================================================
"""

from ilp_core.analysis.temporal._comparison import (
    CompareBy,
    Period,
    PeriodComparison,
    compare_periods,
    quarter_vs_last_year,
    recent_vs_previous,
)
from ilp_core.analysis.temporal._control import (
    CONTROL_ALPHA,
    DEFAULT_BASELINE,
    SPARSE_BASELINE,
    ControlChart,
    Distribution,
    control_limits,
)
from ilp_core.analysis.temporal._periods import Freq, PartialPolicy, PeriodCounts, period_counts
from ilp_core.analysis.temporal._rhythms import (
    HOURS_PER_WEEK,
    HourWeekday,
    LongWindowPolicy,
    hour_weekday,
    warm_up,
)
from ilp_core.analysis.temporal._trend import (
    DEFAULT_CHANGE_WINDOW,
    MIN_STL_MONTHLY_MEAN,
    PERIODS_PER_YEAR,
    SeasonalityMethod,
    Trend,
    seasonality,
    trend,
)

__all__ = [
    "CONTROL_ALPHA",
    "DEFAULT_BASELINE",
    "DEFAULT_CHANGE_WINDOW",
    "HOURS_PER_WEEK",
    "MIN_STL_MONTHLY_MEAN",
    "PERIODS_PER_YEAR",
    "SPARSE_BASELINE",
    "CompareBy",
    "ControlChart",
    "Distribution",
    "Freq",
    "HourWeekday",
    "LongWindowPolicy",
    "PartialPolicy",
    "Period",
    "PeriodComparison",
    "PeriodCounts",
    "SeasonalityMethod",
    "Trend",
    "compare_periods",
    "control_limits",
    "hour_weekday",
    "period_counts",
    "quarter_vs_last_year",
    "recent_vs_previous",
    "seasonality",
    "trend",
    "warm_up",
]
