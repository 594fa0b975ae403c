"""What is likely to come: forecasts with honest intervals, and offences that are emerging.

A strategic assessment asks what next quarter probably holds, not only what
happened. This package turns the monthly counts of :mod:`ilp_core.analysis.temporal`
into forecasts for the next 3, 6 and 12 months with 80 % and 95 % prediction
intervals, chooses a model per series by how it would have done on the past
(a rolling-origin backtest), declines to forecast when the data cannot support it,
and flags offences that rise beyond their seasonal expectation or appear for the
first time.

Where each part lives:

================  ===============================================================
``_series``       :func:`monthly_series` -> :class:`MonthlySeries` (per offence, or
                  per district for chosen offences, from ``temporal.period_counts``)
``_models``       the models, each fitted to many series at once: seasonal naive,
                  exponential smoothing ETS(A,Ad,A), negative binomial regression
``_backtest``     the rolling-origin backtest: MASE and interval coverage
``_forecast``     :func:`forecast` -> :class:`Forecast`: model choice, refusal
                  rules, forecasts, expected change per horizon
``_emerging``     :func:`emerging_offences` -> :class:`EmergingOffences`: recent rise
                  against the seasonal expectation (Benjamini-Hochberg across
                  offences), and offence types new in the recent months
================  ===============================================================

The rules, in one place (module constants, also returned with every result):

* a series is forecast only with at least :data:`MIN_MONTHS` (24) complete months
  and :data:`MIN_MEAN` (2) incidents a month on average;
* each model is backtested at the last 12 months (at least :data:`MIN_TRAIN`
  months of training each), three months ahead; the one with the smallest MASE
  whose 95 % intervals caught at least :data:`COVERAGE_FLOOR` of those months is
  chosen;
* no forecast when even the best model's MASE is :data:`MAX_MASE` (1) or more;
* a rise or fall is called likely when :data:`LIKELY` (90 %) of the simulated
  futures show it.

Examples
--------
>>> from ilp_core.data.dataset import load_sample
>>> ms = monthly_series(load_sample().incidents, top=2)
>>> fc = forecast(ms, paths=200)
>>> fc.summary["status"].tolist()
['forecast', 'forecast']
"""

from ilp_core.analysis.forecast._backtest import LEVELS
from ilp_core.analysis.forecast._emerging import (
    DEFAULT_RECENT_MONTHS,
    MIN_SEASONAL_MEAN,
    EmergingOffences,
    emerging_offences,
)
from ilp_core.analysis.forecast._forecast import (
    BACKTEST_HORIZON,
    COVERAGE_FLOOR,
    DEFAULT_HORIZONS,
    DEFAULT_ORIGINS,
    LIKELY,
    MAX_MASE,
    MIN_MEAN,
    MIN_MONTHS,
    MIN_SCORED,
    MIN_TRAIN,
    REFUSALS,
    Forecast,
    forecast,
)
from ilp_core.analysis.forecast._models import HARMONICS, MODELS
from ilp_core.analysis.forecast._series import By, MonthlySeries, monthly_series

__all__ = [
    "BACKTEST_HORIZON",
    "COVERAGE_FLOOR",
    "DEFAULT_HORIZONS",
    "DEFAULT_ORIGINS",
    "DEFAULT_RECENT_MONTHS",
    "HARMONICS",
    "LEVELS",
    "LIKELY",
    "MAX_MASE",
    "MIN_MEAN",
    "MIN_MONTHS",
    "MIN_SCORED",
    "MIN_SEASONAL_MEAN",
    "MIN_TRAIN",
    "MODELS",
    "REFUSALS",
    "By",
    "EmergingOffences",
    "Forecast",
    "MonthlySeries",
    "emerging_offences",
    "forecast",
    "monthly_series",
]
