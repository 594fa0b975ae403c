"""The forecasting models, each fitted to many series and forecast origins at once.

Every model takes the counts ``y`` (series x months), the training lengths
``origins`` (a forecast made after ``n`` months sees ``y[:, :n]``), a horizon, and
returns a :class:`_Fit`: point forecasts, simulated future counts (the sample
paths every interval and total is read from) and where the model could be fitted.
Fitting all series and origins together keeps 50 series x 13 origins under a
second: a Python loop calling statsmodels once per fit took about 40 s (the tests
compare each model with statsmodels on single series).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

#: Months in a year: the seasonal period of every model.
PERIOD: Final[int] = 12
#: Fourier harmonics of the yearly cycle in the count regression (a sine and a
#: cosine each): two describe a summer peak or a dark-months peak with 4 numbers,
#: where 11 month dummies would need 11, too many for a model trained on 15 months.
HARMONICS: Final[int] = 2

# Exponential smoothing: the grid of smoothing parameters searched (innovations
# form of Hyndman et al. 2008: alpha level, beta trend, gamma season, phi damping).
_ALPHAS: Final[tuple[float, ...]] = (0.05, 0.1, 0.2, 0.3, 0.5)
_BETAS: Final[tuple[float, ...]] = (0.0, 0.01, 0.05)
_GAMMAS: Final[tuple[float, ...]] = (0.0, 0.1, 0.25)
_PHIS: Final[tuple[float, ...]] = (0.9, 0.98)
#: Fewest one-step errors behind a fitted smoothing model or a seasonal naive spread.
_MIN_ERRORS: Final[int] = 3
_MAX_IRLS: Final[int] = 60
_MAX_ETA: Final[float] = 20.0  # exp(20) = 5e8 incidents a month: beyond any real series


@dataclass(frozen=True)
class _Fit:
    """A model's forecasts at every origin.

    ``point`` (series, origin, step), ``paths`` (series, origin, path, step):
    simulated future counts, never below zero; ``ok`` (series, origin): the model
    could be fitted there.
    """

    point: np.ndarray
    paths: np.ndarray
    ok: np.ndarray


Model = Callable[..., _Fit]


def seasonal_naive(
    y: np.ndarray,
    origins: np.ndarray,
    horizon: int,
    *,
    days: np.ndarray,  # noqa: ARG001 (every model takes the same arguments)
    paths: int,
    rng: np.random.Generator,
    first_month: int = 1,  # noqa: ARG001
) -> _Fit:
    """Each month as the same month a year earlier (``horizon`` <= 12).

    The spread is normal with the root mean square of the past year-on-year
    differences (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
    3rd ed., section 5.5); the differences of one step ahead and of twelve are the
    same here, and the steps are independent.
    """
    n_series, n_months = y.shape
    diff = np.zeros_like(y)
    diff[:, PERIOD:] = y[:, PERIOD:] - y[:, :-PERIOD]
    csq = np.concatenate([np.zeros((n_series, 1)), np.cumsum(diff**2, axis=1)], axis=1)
    n_diff = origins - PERIOD
    ok = np.broadcast_to(n_diff >= _MIN_ERRORS, (n_series, len(origins))).copy()
    sigma = np.sqrt(csq[:, origins] / np.maximum(n_diff, 1))
    idx = np.clip(origins[:, None] - PERIOD + np.arange(horizon)[None, :], 0, n_months - 1)
    point = y[:, idx]
    z = rng.standard_normal((n_series, len(origins), paths, horizon))
    sim = point[:, :, None, :] + sigma[:, :, None, None] * z
    return _Fit(point, np.maximum(sim, 0.0), ok)


def _ets_grid() -> np.ndarray:
    rows = [
        (a, b, g, f)
        for a in _ALPHAS
        for b in _BETAS
        for g in _GAMMAS
        for f in _PHIS
        if b <= a and g <= 1 - a and not (b == 0 and f != _PHIS[-1])
    ]
    return np.array(rows, dtype=float)


def exponential_smoothing(
    y: np.ndarray,
    origins: np.ndarray,
    horizon: int,
    *,
    days: np.ndarray,  # noqa: ARG001
    paths: int,
    rng: np.random.Generator,
    first_month: int = 1,  # noqa: ARG001
) -> _Fit:
    """Holt-Winters additive exponential smoothing with a damped trend, ETS(A,Ad,A).

    The first year sets the initial states (level: its mean; season: each month's
    gap to it; trend: zero), as in Hyndman & Athanasopoulos' simple
    initialisation; the smoothing parameters are the grid point with the smallest
    sum of squared one-step errors up to the origin, and the forecast variance is
    the closed form of Hyndman et al. (2008, table 6.1, class 1).
    """
    grid = _ets_grid()
    alpha, beta, gamma, phi = (grid[:, k][None, :] for k in range(4))
    n_series, n_months = y.shape
    n_grid = len(grid)
    level = np.repeat(y[:, :PERIOD].mean(axis=1, keepdims=True), n_grid, axis=1)
    trend = np.zeros((n_series, n_grid))
    season = np.repeat((y[:, :PERIOD] - level[:, :1])[:, None, :], n_grid, axis=1)
    sse = np.zeros((n_series, n_grid))
    where = {int(n): k for k, n in enumerate(origins)}
    snap_level = np.zeros((len(origins), n_series, n_grid))
    snap_trend = np.zeros_like(snap_level)
    snap_season = np.zeros((len(origins), n_series, n_grid, PERIOD))
    snap_sse = np.zeros_like(snap_level)

    def keep(n: int) -> None:
        if n in where:
            k = where[n]
            snap_level[k], snap_trend[k], snap_sse[k] = level, trend, sse
            snap_season[k] = season

    keep(PERIOD)
    for t in range(PERIOD, n_months):
        slot = t % PERIOD
        err = y[:, t, None] - (level + phi * trend + season[:, :, slot])
        sse += err * err
        level = level + phi * trend + alpha * err
        trend = phi * trend + beta * err
        season[:, :, slot] += gamma * err
        keep(t + 1)

    n_err = origins - PERIOD
    best = np.argmin(snap_sse, axis=2)  # (origin, series)
    pick = (np.arange(len(origins))[:, None], np.arange(n_series)[None, :], best)
    a, b, g, f = (grid[best, k] for k in range(4))  # (origin, series)
    sigma = np.sqrt(snap_sse[pick] / np.maximum(n_err, 1)[:, None])
    steps = np.arange(1, horizon + 1)
    damp = np.cumsum(f[..., None] ** steps, axis=-1)  # phi_h = phi + ... + phi^h
    slots = (origins[:, None] + steps[None, :] - 1) % PERIOD  # (origin, step)
    seas = np.take_along_axis(snap_season[pick], slots[:, None, :], axis=2)
    point = snap_level[pick][..., None] + damp * snap_trend[pick][..., None] + seas
    # e_{n+h} = eps_h + sum_{j<h} c_{h-j} eps_j, c_j = alpha + beta phi_j + gamma [j % 12 == 0]
    lags = np.arange(horizon)
    coef = a[..., None] + b[..., None] * np.concatenate(
        [np.zeros(a.shape + (1,)), damp[..., :-1]], axis=-1
    )
    coef = coef + g[..., None] * ((lags % PERIOD) == 0)
    coef[..., 0] = 1.0  # (origin, series, lag)
    lag = steps[:, None] - steps[None, :]  # h - j
    weights = np.where(lag >= 0, coef[..., np.clip(lag, 0, None)], 0.0)  # (o, s, h, j)
    z = rng.standard_normal((len(origins), n_series, paths, horizon))
    noise = np.matmul(z, np.swapaxes(weights, -1, -2)) * sigma[..., None, None]
    sim = point[:, :, None, :] + noise
    ok = np.broadcast_to((n_err >= _MIN_ERRORS)[:, None], sigma.shape)
    return _Fit(point.transpose(1, 0, 2), np.maximum(sim, 0.0).transpose(1, 0, 2, 3), ok.T.copy())


def design(n_months: int, first_month: int, *, trend: bool = True) -> np.ndarray:
    """Columns of the count regression: intercept, trend (years), harmonics of the year.

    ``first_month`` is the calendar month (1-12) of the first row; ``trend=False``
    leaves the trend column out.

    Examples
    --------
    >>> x = design(3, 1)
    >>> x.shape, x[1, 1].round(4)
    ((3, 6), np.float64(0.0833))
    """
    t = np.arange(n_months, dtype=float)
    angle = 2 * np.pi * (t + first_month - 1) / PERIOD
    cols = [np.ones(n_months)] + ([t / PERIOD] if trend else [])
    for k in range(1, HARMONICS + 1):
        cols += [np.sin(k * angle), np.cos(k * angle)]
    return np.column_stack(cols)


def fit_counts(
    y: np.ndarray,
    x: np.ndarray,
    offset: np.ndarray,
    mask: np.ndarray,
    dispersion: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Negative binomial (NB2) regression with a log link, for many fits at once.

    ``y`` (series, months), ``x`` (months, columns), ``offset`` (months), ``mask``
    (fits, months): the months each fit uses. The coefficients come from iteratively
    reweighted least squares with the NB2 weights ``mu / (1 + a mu)``; the
    dispersion ``a`` from Cameron & Trivedi's (1990) auxiliary regression,
    ``sum((y - mu)^2 - y) / sum(mu^2)``, floored at 0 (the Poisson), unless
    ``dispersion`` (series, fits) fixes it.

    Returns the coefficients (series, fits, columns), their covariance (series,
    fits, columns, columns), the dispersion (series, fits) and whether each fit
    converged.
    """
    n_series = y.shape[0]
    n_fit, n_months = mask.shape
    w_mask = mask[None, :, :].astype(float)
    ymat = np.broadcast_to(y[:, None, :n_months], (n_series, n_fit, n_months))
    rate = (ymat * w_mask).sum(-1) / (np.exp(offset[:n_months]) * w_mask).sum(-1)
    beta = np.zeros((n_series, n_fit, x.shape[1]))
    beta[..., 0] = np.log(np.maximum(rate, 1e-3))
    disp = np.zeros((n_series, n_fit)) if dispersion is None else dispersion
    xm = x[:n_months]
    converged = np.zeros((n_series, n_fit), dtype=bool)
    for it in range(_MAX_IRLS):
        eta = np.clip(np.einsum("tp,sfp->sft", xm, beta) + offset[:n_months], -_MAX_ETA, _MAX_ETA)
        mu = np.exp(eta)
        if it >= 3 and dispersion is None:
            num = (((ymat - mu) ** 2 - ymat) * w_mask).sum(-1)
            disp = np.maximum(num / (mu**2 * w_mask).sum(-1), 0.0)
        w = w_mask * mu / (1.0 + disp[..., None] * mu)
        z = eta - offset[:n_months] + (ymat - mu) / mu
        # matmul, not a three-operand einsum: 4 times faster here
        wx = np.swapaxes(w[..., :, None] * xm, -1, -2)  # (series, fit, column, month)
        info = wx @ xm
        rhs = (wx @ z[..., None])[..., 0]
        new = np.linalg.solve(info + 1e-10 * np.eye(x.shape[1]), rhs[..., None])[..., 0]
        step = np.abs(new - beta).max(axis=-1)
        beta = new
        converged = step < 1e-7
        if it >= 4 and converged.all():
            break
    eta = np.einsum("tp,sfp->sft", xm, beta) + offset[:n_months]
    mu = np.exp(np.clip(eta, -_MAX_ETA, _MAX_ETA))
    w = w_mask * mu / (1.0 + disp[..., None] * mu)
    info = np.swapaxes(w[..., :, None] * xm, -1, -2) @ xm
    cov = np.linalg.inv(info + 1e-10 * np.eye(x.shape[1]))
    ok = converged & np.isfinite(beta).all(-1) & np.isfinite(cov).all((-2, -1))
    return beta, cov, disp, ok


def count_regression(
    y: np.ndarray,
    origins: np.ndarray,
    horizon: int,
    *,
    days: np.ndarray,
    paths: int,
    rng: np.random.Generator,
    first_month: int = 1,
    trend: bool = True,
) -> _Fit:
    """Negative binomial regression on a trend and the yearly cycle, incidents per day.

    ``log(mu_t) = log(days_t) + b0 + b1 t + sum_k (a_k sin + c_k cos)(2 pi k month / 12)``
    (without ``b1 t`` when ``trend`` is False: the usual level and season).
    Sample paths draw the coefficients from their estimated normal distribution
    (the uncertainty of the fit) and then the counts from the negative binomial
    (the noise of counting), so the intervals hold both.
    """
    n_series, n_months = y.shape
    x = design(max(n_months, int(origins.max())) + horizon, first_month, trend=trend)
    offset = np.log(days)
    mask = np.arange(n_months)[None, :] < origins[:, None]
    beta, cov, disp, ok = fit_counts(y, x, offset, mask)
    ok &= (origins >= x.shape[1] + 9)[None, :]
    rows = origins[:, None] + np.arange(horizon)[None, :]  # (origin, step)
    xf, off_f = x[rows], offset[rows]
    point = np.exp(np.clip(np.einsum("ohp,sop->soh", xf, beta) + off_f, -_MAX_ETA, _MAX_ETA))
    chol = np.linalg.cholesky(cov + 1e-12 * np.eye(x.shape[1]))
    z = rng.standard_normal((n_series, len(origins), paths, x.shape[1]))
    draws = beta[:, :, None, :] + np.matmul(z, np.swapaxes(chol, -1, -2))
    eta = np.matmul(draws, np.swapaxes(xf, -1, -2)[None]) + off_f[None, :, None, :]
    mu = np.exp(np.clip(eta, -_MAX_ETA, _MAX_ETA))
    over = disp > 0
    if over.any():  # gamma-Poisson mixture: the negative binomial with dispersion a
        a = disp[over][:, None, None]
        mu[over] *= rng.gamma(1.0 / a, a, size=mu[over].shape)
    sim = rng.poisson(mu).astype(float)
    return _Fit(point, sim, ok)


#: The candidate models, by the name results and pages use.
MODELS: Final[dict[str, Model]] = {
    "seasonal_naive": seasonal_naive,
    "exponential_smoothing": exponential_smoothing,
    "trend_regression": count_regression,
    "season_regression": functools.partial(count_regression, trend=False),
}
