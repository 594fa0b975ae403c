"""Forecasts with intervals per series, the model of each chosen by its backtest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.forecast._backtest import backtest, mase_scale, quantiles
from ilp_core.analysis.forecast._models import MODELS, PERIOD
from ilp_core.analysis.forecast._series import MonthlySeries
from ilp_core.errors import IlpInputError

#: Fewest complete months to forecast a series: two years, so that a season can be
#: told from a trend (one year shows each month once: a high July could be either).
MIN_MONTHS: Final[int] = 24
#: Fewest incidents a month, on average: below two, one incident more or less moves
#: the level by half and the intervals say little more than "zero to a few".
MIN_MEAN: Final[float] = 2.0
#: Fewest months a model is trained on at a backtest origin.
MIN_TRAIN: Final[int] = 15
#: Fewest backtest errors a model needs to be chosen.
MIN_SCORED: Final[int] = 6
#: A series is not forecast when even its best model has a MASE at or above this:
#: its backtest errors were no smaller than last year's month-to-month changes.
MAX_MASE: Final[float] = 1.0
#: The 95 % intervals of a model that caught fewer of the backtest months than this
#: are too narrow to trust; such a model is chosen only when every model's are.
COVERAGE_FLOOR: Final[float] = 0.8
#: A rise (or fall) is "likely" when at least this share of simulated futures has it.
LIKELY: Final[float] = 0.9
DEFAULT_HORIZONS: Final[tuple[int, ...]] = (3, 6, 12)
DEFAULT_ORIGINS: Final[int] = 12
BACKTEST_HORIZON: Final[int] = 3
DEFAULT_PATHS: Final[int] = 1000
#: Why a series is not forecast (``Forecast.summary.status``), besides ``forecast``.
REFUSALS: Final[tuple[str, ...]] = ("too_short", "too_sparse", "unstable", "no_skill")


@dataclass(frozen=True)
class Forecast:
    """Forecasts of monthly counts, their intervals, and how the models were chosen.

    Attributes
    ----------
    history
        The series forecast: ``series``, ``period_start``, ``count``.
    forecast
        One row per forecast series and future month: ``series``,
        ``period_start``, ``step`` (1 = next month), ``model``, ``forecast`` (the
        expected count), ``lower_95``, ``lower_80``, ``upper_80``, ``upper_95``
        (prediction intervals: the month's count should fall inside the 80 %
        interval four times in five).
    change
        One row per forecast series and horizon: ``series``, ``horizon`` (months),
        ``expected`` (incidents expected over the next ``horizon`` months), its
        intervals ``lower_80`` ... ``upper_95``, ``previous`` (incidents in the same
        months a year earlier), ``change_pct`` (expected against previous, %),
        ``change_lower_80``/``change_upper_80`` (the 80 % interval of that change),
        ``p_rise`` (share of simulated futures above ``previous``) and
        ``outlook``: ``likely_rise``, ``likely_fall`` or ``no_clear_change``.
    backtest
        One row per series and model tried: ``series``, ``model``, ``n_errors``
        (months scored), ``mae``, ``mase``, ``coverage_80``, ``coverage_95``
        (share of scored months inside each interval) and ``chosen``.
    summary
        One row per series: ``series``, ``n_months``, ``mean_per_month``,
        ``status`` (``forecast`` or the reason it is not: ``too_short``,
        ``too_sparse``, ``unstable``, ``no_skill``), ``model``, ``mase``,
        ``coverage_80``, ``coverage_95`` and ``narrow_intervals`` (the chosen
        model's 95 % intervals missed too often in the backtest).
    by, offences
        What the series are (see :class:`MonthlySeries`).
    horizons, origins, backtest_horizon, paths, random_state
        The settings used.
    origins_used
        Backtest origins actually used (fewer than ``origins`` when the series is
        short: on 24 months, the 9 origins from month 15 on; 0 when nothing was
        backtested).
    min_months, min_mean, max_mase, coverage_floor, likely
        The rules applied (module constants, returned so pages can show them).
    last_month, first_forecast
        First day of the last observed month and of the first forecast month.
    """

    history: pd.DataFrame
    forecast: pd.DataFrame
    change: pd.DataFrame
    backtest: pd.DataFrame
    summary: pd.DataFrame
    by: str
    offences: tuple[str, ...]
    horizons: tuple[int, ...]
    origins: int
    origins_used: int
    backtest_horizon: int
    paths: int
    random_state: int
    min_months: int
    min_mean: float
    max_mase: float
    coverage_floor: float
    likely: float
    last_month: dt.date
    first_forecast: dt.date


def forecast(
    series: MonthlySeries,
    *,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    origins: int = DEFAULT_ORIGINS,
    backtest_horizon: int = BACKTEST_HORIZON,
    paths: int = DEFAULT_PATHS,
    random_state: int = 0,
) -> Forecast:
    """Forecast each series for the coming months, with honest intervals, or say why not.

    Three models compete for each series: the **seasonal naive** forecast (each
    month as the same month last year), **exponential smoothing** (Holt-Winters,
    additive, damped trend) and a **count regression** (negative binomial on a
    trend and the yearly cycle). Each is backtested: at each of the last
    ``origins`` months it is fitted on the months before and forecasts the next
    ``backtest_horizon``, which the data already holds. The model with the
    smallest mean absolute scaled error (MASE) forecasts the series, provided its
    95 % intervals caught at least ``COVERAGE_FLOOR`` of the backtest months (when
    no model's did, the best is used and ``narrow_intervals`` says so).

    A series is **not forecast**, and ``summary.status`` says why, when it has
    fewer than ``MIN_MONTHS`` complete months (``too_short``), fewer than
    ``MIN_MEAN`` incidents a month on average or never changes (``too_sparse``),
    no model could be fitted at ``MIN_SCORED`` backtest months (``unstable``), or
    the best model's MASE is ``MAX_MASE`` or more (``no_skill``: its errors were no
    smaller than last year's same-month changes).

    Intervals and totals come from ``paths`` simulated futures of the chosen model
    (seeded by ``random_state``), which include the noise of counting and, for the
    regression, the uncertainty of its coefficients.

    Parameters
    ----------
    series
        Output of :func:`monthly_series`.
    horizons
        Months ahead for the ``change`` table (each 1 to 12; default 3, 6, 12).
    origins
        Backtest origins (default 12: the last year; fewer when the series is
        short, each model being trained on at least ``MIN_TRAIN`` months).
    backtest_horizon
        Months forecast from each origin (default 3).
    paths
        Simulated futures per series (default 1,000; the backtest's intervals are
        read from half as many, which is enough to check their coverage and halves
        the time).
    random_state
        Seed of the simulations.

    Returns
    -------
    Forecast

    Raises
    ------
    IlpInputError
        ``checks.whole`` for a horizon outside 1-12, an ``origins`` below 1, a
        ``backtest_horizon`` outside 1-12 or ``paths`` below 100;
        ``checks.seed`` for a bad ``random_state``.

    References
    ----------
    Hyndman, R. J., Koehler, A. B. (2006). Another look at measures of forecast
    accuracy. *International Journal of Forecasting*, 22(4), 679-688.
    Hyndman, R. J., Koehler, A. B., Ord, J. K., Snyder, R. D. (2008). *Forecasting
    with Exponential Smoothing: The State Space Approach*. Springer.
    Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis
    and review. *International Journal of Forecasting*, 16(4), 437-450.

    Examples
    --------
    Three years of about 40 incidents a month, with 20 more every July:

    >>> import pandas as pd
    >>> months = pd.date_range("2022-01-01", periods=36, freq="MS")
    >>> counts = [40 + 20 * (m.month == 7) + m.year % 2 for m in months]
    >>> ms = MonthlySeries(pd.DataFrame({"series": "Theft", "period_start": months,
    ...     "days": months.days_in_month, "count": counts}), "offence", (),
    ...     dt.date(2022, 1, 1), dt.date(2024, 12, 31), {})
    >>> fc = forecast(ms, paths=200)
    >>> fc.summary[["series", "status"]].to_numpy().tolist()
    [['Theft', 'forecast']]
    >>> peak = fc.forecast.loc[fc.forecast["forecast"].idxmax()]
    >>> str(peak["period_start"].date()), round(float(peak["forecast"]))
    ('2025-07-01', 60)
    """
    hs = tuple(checks.whole("horizons", h, minimum=1, maximum=PERIOD) for h in horizons)
    if not hs:
        raise IlpInputError("checks.whole", name="horizons", value="()", range="1…12")
    origins = checks.whole("origins", origins, minimum=1)
    backtest_horizon = checks.whole("backtest_horizon", backtest_horizon, minimum=1, maximum=12)
    paths = checks.whole("paths", paths, minimum=100)
    random_state = checks.seed("random_state", random_state)
    rng = np.random.default_rng(random_state)
    names, y, months, _ = series.matrix()
    n_series, n_months = y.shape
    horizon = max(hs)
    future = pd.date_range(months[-1] + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")
    all_months = months.append(future)
    days = all_months.days_in_month.to_numpy(dtype=float)
    first_month = int(months[0].month)
    mean = y.mean(axis=1) if n_months else np.zeros(n_series)

    status = np.full(n_series, "forecast", dtype=object)
    if n_months < MIN_MONTHS:
        status[:] = "too_short"
    else:
        scale = mase_scale(y)
        status[(mean < MIN_MEAN) | ~(scale > 0)] = "too_sparse"
    todo = np.flatnonzero(status == "forecast")

    rows_bt, chosen = [], np.full(n_series, "", dtype=object)
    n_used = 0
    best = {k: np.full(n_series, np.nan) for k in ("mase", "coverage_80", "coverage_95")}
    narrow = np.zeros(n_series, dtype=bool)
    fc_rows: list[pd.DataFrame] = []
    change_rows: list[dict] = []
    if len(todo):
        yt = y[todo]
        used, scores = backtest(
            yt, days, first_month=first_month, origins=origins, horizon=backtest_horizon,
            min_train=MIN_TRAIN, paths=max(100, paths // 2), rng=rng,
        )  # fmt: skip
        n_used = len(used)
        final = {
            name: model(
                yt,
                np.array([n_months]),
                horizon,
                days=days,
                paths=paths,
                rng=rng,
                first_month=first_month,
            )  # fmt: skip
            for name, model in MODELS.items()
        }
        for j, k in enumerate(todo):
            pick = _choose(scores, final, j)
            for name, sc in scores.items():
                rows_bt.append(
                    {
                        "series": names[k], "model": name, "n_errors": int(sc.n_errors[j]),
                        "mae": float(sc.mae[j]), "mase": float(sc.mase[j]),
                        "coverage_80": float(sc.coverage_80[j]),
                        "coverage_95": float(sc.coverage_95[j]), "chosen": name == pick[0],
                    }
                )  # fmt: skip
            if pick[0] is None:
                status[k] = "unstable"
                continue
            sc = scores[pick[0]]
            for key in best:
                best[key][k] = float(getattr(sc, key)[j])
            if best["mase"][k] >= MAX_MASE:
                status[k] = "no_skill"
                continue
            chosen[k], narrow[k] = pick[0], pick[1]
            fit = final[pick[0]]
            point, sims = fit.point[j, 0], fit.paths[j, 0]
            fc_rows.append(_forecast_rows(names[k], pick[0], future, point, sims))
            change_rows += _change_rows(names[k], hs, point, sims, y[k])
    history = series.table[["series", "period_start", "count"]].copy()
    summary = pd.DataFrame(
        {
            "series": pd.array(names, dtype="str"),
            "n_months": n_months,
            "mean_per_month": mean,
            "status": pd.array(status.astype(str), dtype="str"),
            "model": pd.array(chosen.astype(str), dtype="str"),
            "mase": best["mase"],
            "coverage_80": best["coverage_80"],
            "coverage_95": best["coverage_95"],
            "narrow_intervals": narrow,
        }
    )
    return Forecast(
        history=history,
        forecast=_frame(fc_rows, _FORECAST_COLUMNS),
        change=pd.DataFrame(change_rows, columns=list(_CHANGE_COLUMNS)),
        backtest=pd.DataFrame(rows_bt, columns=list(_BACKTEST_COLUMNS)),
        summary=summary,
        by=series.by,
        offences=series.offences,
        horizons=hs,
        origins=int(origins),
        origins_used=int(n_used),
        backtest_horizon=int(backtest_horizon),
        paths=int(paths),
        random_state=int(random_state),
        min_months=MIN_MONTHS,
        min_mean=MIN_MEAN,
        max_mase=MAX_MASE,
        coverage_floor=COVERAGE_FLOOR,
        likely=LIKELY,
        last_month=months[-1].date() if n_months else series.end,
        first_forecast=future[0].date(),
    )


_FORECAST_COLUMNS = (
    "series", "period_start", "step", "model", "forecast",
    "lower_95", "lower_80", "upper_80", "upper_95",
)  # fmt: skip
_CHANGE_COLUMNS = (
    "series", "horizon", "expected", "lower_95", "lower_80", "upper_80", "upper_95",
    "previous", "change_pct", "change_lower_80", "change_upper_80", "p_rise", "outlook",
)  # fmt: skip
_BACKTEST_COLUMNS = (
    "series", "model", "n_errors", "mae", "mase", "coverage_80", "coverage_95", "chosen",
)  # fmt: skip


def _choose(scores: dict, final: dict, j: int) -> tuple[str | None, bool]:
    """The model for series ``j`` and whether its intervals are too narrow.

    The lowest MASE among the models with enough scored months and trustworthy
    intervals (else among all with enough months, flagged narrow).
    """
    usable = [
        name
        for name, sc in scores.items()
        if sc.n_errors[j] >= MIN_SCORED and np.isfinite(sc.mase[j]) and final[name].ok[j, 0]
    ]
    if not usable:
        return None, False
    wide = [n for n in usable if scores[n].coverage_95[j] >= COVERAGE_FLOOR]
    pool = wide or usable
    return min(pool, key=lambda n: scores[n].mase[j]), not wide


def _forecast_rows(
    name: str, model: str, future: pd.DatetimeIndex, point: np.ndarray, sims: np.ndarray
) -> pd.DataFrame:
    q = quantiles(sims)
    return pd.DataFrame(
        {
            "series": name,
            "period_start": future,
            "step": np.arange(1, len(future) + 1),
            "model": model,
            "forecast": point,
            "lower_95": q[0],
            "lower_80": q[1],
            "upper_80": q[2],
            "upper_95": q[3],
        }
    )


def _change_rows(
    name: str, horizons: tuple[int, ...], point: np.ndarray, sims: np.ndarray, y: np.ndarray
) -> list[dict]:
    rows = []
    for h in horizons:
        totals = sims[:, :h].sum(axis=1)
        q = quantiles(totals[:, None])[:, 0]
        previous = float(y[len(y) - PERIOD : len(y) - PERIOD + h].sum())
        expected = float(point[:h].sum())
        p_rise = float((totals > previous).mean())
        outlook = (
            "likely_rise"
            if p_rise >= LIKELY
            else ("likely_fall" if p_rise <= 1 - LIKELY else "no_clear_change")
        )
        rows.append(
            {
                "series": name, "horizon": h, "expected": expected,
                "lower_95": q[0], "lower_80": q[1], "upper_80": q[2], "upper_95": q[3],
                "previous": previous, "change_pct": _pct(expected, previous),
                "change_lower_80": _pct(q[1], previous), "change_upper_80": _pct(q[2], previous),
                "p_rise": p_rise, "outlook": outlook,
            }
        )  # fmt: skip
    return rows


def _pct(value: float, previous: float) -> float:
    return 100.0 * (float(value) / previous - 1.0) if previous > 0 else np.nan


def _frame(parts: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: [] for c in columns})
    out = pd.concat(parts, ignore_index=True)
    out["series"] = out["series"].astype("str")
    out["model"] = out["model"].astype("str")
    return out
