"""Rolling-origin backtest: how each model would have done had it forecast the past.

At each of the last ``origins`` months the models are fitted on the months before
and forecast the next ``horizon`` months that the data already holds; their
errors are scaled as in the mean absolute scaled error (MASE) and their 80 % and
95 % intervals are checked against what happened (coverage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilp_core.analysis.forecast._models import MODELS, PERIOD, _Fit

#: Interval levels (central prediction intervals) every result reports.
LEVELS: tuple[float, float] = (0.80, 0.95)


def quantiles(paths: np.ndarray) -> np.ndarray:
    """Lower and upper bounds of the 80 % and 95 % intervals from the path axis (-2).

    Returns an array with a leading axis of 4: low 95, low 80, high 80, high 95.
    """
    probs = [(1 - LEVELS[1]) / 2, (1 - LEVELS[0]) / 2, (1 + LEVELS[0]) / 2, (1 + LEVELS[1]) / 2]
    return np.quantile(paths, probs, axis=-2)


def mase_scale(y: np.ndarray) -> np.ndarray:
    """Mean absolute difference between each month and the same month a year earlier.

    The scale of the MASE (Hyndman & Koehler 2006, seasonal version): the in-sample
    error of the seasonal naive forecast, over the whole series, one per series.
    """
    return np.abs(y[:, PERIOD:] - y[:, :-PERIOD]).mean(axis=1)


@dataclass(frozen=True)
class _Scores:
    """Per series and model: errors scored, MASE, MAE, coverage of both intervals."""

    n_errors: np.ndarray
    mae: np.ndarray
    mase: np.ndarray
    coverage_80: np.ndarray
    coverage_95: np.ndarray


def backtest(
    y: np.ndarray,
    days: np.ndarray,
    *,
    first_month: int,
    origins: int,
    horizon: int,
    min_train: int,
    paths: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[str, _Scores]]:
    """Score every model on the last ``origins`` forecast origins.

    The origins are the training lengths ``n`` from ``T - origins`` to ``T - 1``
    (at least ``min_train``); an origin near the end scores only the months the
    data holds (``T - n`` of them when fewer than ``horizon``). Returns the
    origins used and the scores per model (series axis first).
    """
    n_series, n_months = y.shape
    start = max(min_train, n_months - origins)
    used = np.arange(start, n_months)
    scale = mase_scale(y)
    scores: dict[str, _Scores] = {}
    if len(used) == 0:
        nan = np.full(n_series, np.nan)
        zero = np.zeros(n_series, dtype=np.int64)
        for name in MODELS:
            scores[name] = _Scores(zero, nan, nan, nan, nan)
        return used, scores
    target = used[:, None] + np.arange(horizon)[None, :]  # (origin, step)
    inside = target < n_months
    actual = y[:, np.minimum(target, n_months - 1)]  # (series, origin, step)
    for name, model in MODELS.items():
        fit: _Fit = model(
            y, used, horizon, days=days, paths=paths, rng=rng, first_month=first_month
        )
        q = quantiles(fit.paths)  # (4, series, origin, step)
        scored = inside[None, :, :] & fit.ok[:, :, None]
        n = scored.sum(axis=(1, 2))
        err = np.where(scored, np.abs(actual - fit.point), 0.0).sum(axis=(1, 2))
        in80 = (actual >= q[1]) & (actual <= q[2])
        in95 = (actual >= q[0]) & (actual <= q[3])
        with np.errstate(divide="ignore", invalid="ignore"):
            mae = np.where(n > 0, err / n, np.nan)
            scores[name] = _Scores(
                n_errors=n.astype(np.int64),
                mae=mae,
                mase=np.where(scale > 0, mae / scale, np.nan),
                coverage_80=np.where(n > 0, (in80 & scored).sum(axis=(1, 2)) / n, np.nan),
                coverage_95=np.where(n > 0, (in95 & scored).sum(axis=(1, 2)) / n, np.nan),
            )
    return used, scores
