"""The "likely development" criterion: each problem's forecast change, with its uncertainty.

A strategic assessment weighs what is coming, not only what happened. For every
problem, :func:`_add_development` forecasts its monthly counts with
:func:`ilp_core.analysis.forecast.forecast` (models chosen by their backtest) and
states the expected change of the next :data:`DEVELOPMENT_HORIZON` months against
the same months a year earlier, in %, with the 80 % prediction interval of that
change (``development_lower`` .. ``development_upper``). A problem the forecast
declines (too short, too sparse, unstable, no skill) is scored as "no change
expected" (0 %) and says why in ``development_status``; when no problem at all can
be forecast the criterion is unavailable. :func:`development_note` says it in words
for the explanation of a score.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import pandas as pd

from ilp_core import i18n
from ilp_core.analysis import forecast as fc
from ilp_core.errors import IlpInputError, Message

#: Months ahead of the criterion: a strategic assessment looks a year ahead.
DEVELOPMENT_HORIZON: Final[int] = 12
#: Simulated futures per problem: the 80 % bounds of a yearly total move by well
#: under 1 % between 500 and 2,000 paths on the sample region, at a quarter of the time.
DEVELOPMENT_PATHS: Final[int] = 500
#: Columns the criterion adds to the problem data.
DEVELOPMENT_COLUMNS: Final[tuple[str, ...]] = (
    "development",
    "development_lower",
    "development_upper",
    "development_status",
)


def _add_development(
    table: pd.DataFrame, unavailable: dict[str, Message], by_problem: pd.DataFrame
) -> None:
    """Fill ``development`` and its 80 % bounds from each problem's forecast, or say why not.

    ``by_problem`` holds the problems' incidents with the problem id as ``offence``
    (as :func:`ilp_core.analysis.temporal.period_counts` reads them).
    """
    n = len(table)
    value = np.full(n, np.nan)
    lower = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    status = np.full(n, "no_incidents", dtype=object)
    try:
        series = fc.monthly_series(by_problem)
        result = fc.forecast(series, horizons=(DEVELOPMENT_HORIZON,), paths=DEVELOPMENT_PATHS)
    except IlpInputError as error:
        unavailable["development"] = error.message
        _set(table, value, lower, upper, status)
        return
    pos = pd.Series(np.arange(n), index=table["problem"].astype(str).to_numpy())
    summary = result.summary
    rows = pos.reindex(summary["series"].astype(str).to_numpy()).to_numpy()
    ok = ~np.isnan(rows)
    status[rows[ok].astype(int)] = summary["status"].astype(str).to_numpy()[ok]
    change = result.change.loc[result.change["horizon"] == DEVELOPMENT_HORIZON]
    at = pos.reindex(change["series"].astype(str).to_numpy()).to_numpy()
    keep = ~np.isnan(at)
    at = at[keep].astype(int)
    pct = change["change_pct"].to_numpy(dtype=float)[keep]
    value[at] = pct
    lower[at] = change["change_lower_80"].to_numpy(dtype=float)[keep]
    upper[at] = change["change_upper_80"].to_numpy(dtype=float)[keep]
    # No incident in the same months a year earlier: no change can be stated in %.
    status[at[np.isnan(pct)]] = "no_baseline"
    forecast_made = status == "forecast"
    if not forecast_made.any():
        unavailable["development"] = Message(
            "priorities.unavailable_development", {"months": fc.MIN_MONTHS, "mean": fc.MIN_MEAN}
        )
        value[:] = np.nan
    else:
        # Declined: scored as "no change expected", the bounds left empty.
        value[~forecast_made] = 0.0
        lower[~forecast_made] = upper[~forecast_made] = np.nan
    _set(table, value, lower, upper, status)


def _set(
    table: pd.DataFrame,
    value: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    status: np.ndarray,
) -> None:
    table["development"] = value
    table["development_lower"] = lower
    table["development_upper"] = upper
    table["development_status"] = pd.array(status.astype(str), dtype="str")


def development_note(row: pd.Series, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Say in words what the "likely development" of one problem rests on.

    Parameters
    ----------
    row
        A row of a ranking's table (or of the problem data) with ``development``,
        ``development_lower``, ``development_upper`` and ``development_status``.
    lang
        Language of the text.

    Returns
    -------
    str
        The expected change with its 80 % interval, or why no forecast was made
        (then the problem was scored as "no change expected"); empty when the row
        has no development.

    Examples
    --------
    >>> row = pd.Series({"development": 20.4, "development_lower": 14.1,
    ...                  "development_upper": 26.0, "development_status": "forecast"})
    >>> development_note(row, "en")[:62]
    'Likely development over the next 12 months: +20 % (80 % interv'
    >>> row = pd.Series({"development": 0.0, "development_lower": float("nan"),
    ...                  "development_upper": float("nan"), "development_status": "too_short"})
    >>> development_note(row, "en")[:40]
    'No forecast for this problem: fewer than'
    """
    status = str(row.get("development_status", "") or "")
    value = row.get("development", math.nan)
    if not status or value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if status != "forecast":
        reason = i18n.t(
            f"development.refusal.{status}",
            lang,
            months=fc.MIN_MONTHS,
            mean=i18n.number(fc.MIN_MEAN, lang),
        )
        return i18n.t("development.note_refused", lang, reason=reason)
    return i18n.t(
        "development.note",
        lang,
        horizon=DEVELOPMENT_HORIZON,
        value=_signed(float(value), lang),
        lower=_signed(float(row["development_lower"]), lang),
        upper=_signed(float(row["development_upper"]), lang),
    )


def _signed(pct: float, lang: str) -> str:
    text = i18n.number(round(pct), lang)
    return f"+{text} %" if pct >= 0.5 else f"{text} %"
