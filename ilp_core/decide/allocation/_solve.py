"""The solvers: exact water-filling, largest-remainder rounding, and the two linear programmes.

* :func:`water_fill` and :func:`largest_remainder`: hours proportional to demand
  within the bounds, then in whole steps (the ``proportional`` method);
* :func:`solve_match_share`: the hours closest to the demand shares;
* :func:`solve_prevented`: the most modelled harm prevented
  (:func:`expected_prevented`, Koopman's random-search law).

Both programmes are sums of convex piecewise-linear functions with breakpoints on
whole steps, solved by HiGHS through :func:`scipy.optimize.linprog`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from ilp_core.decide.allocation._common import EPS


def water_fill(
    weights: np.ndarray, lower: np.ndarray, upper: np.ndarray, total: float
) -> np.ndarray:
    """Return hours proportional to ``weights`` within ``[lower, upper]``, summing to ``total``.

    Finds the rate ``lam`` with ``sum(clip(lam * w, lower, upper)) == total``
    exactly: the sum is piecewise linear in ``lam`` with breakpoints at
    ``lower / w`` and ``upper / w``, so it is evaluated at the sorted breakpoints
    (cumulative sums, ``O(n log n)``) and interpolated on the one linear piece
    that reaches ``total``. Areas with zero weight stay at their floor unless
    every weighted area is at its ceiling; the rest is then shared equally
    among them (again by water-filling).

    Parameters
    ----------
    weights
        Non-negative demand per area, at least one positive.
    lower, upper
        Bounds per area (``upper`` may be ``inf``), with
        ``sum(lower) <= total <= sum(upper)``.
    total
        Hours to distribute.

    Returns
    -------
    numpy.ndarray
        Hours per area (unrounded).

    Examples
    --------
    >>> water_fill(np.array([50.0, 30.0, 20.0]), np.full(3, 25.0), np.full(3, np.inf), 100.0)
    array([46.875, 28.125, 25.   ])
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.max()  # the solution does not depend on the scale; this avoids overflow
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    if lo.sum() > total + EPS * max(1.0, total) or hi.sum() < total - EPS * max(1.0, total):
        raise ValueError("water_fill needs sum(lower) <= total <= sum(upper)")
    out = lo.copy()
    pos = w > 1e-12 * w.max()  # weights a trillion times smaller than the largest count as 0
    need = total - lo[~pos].sum()
    if hi[pos].sum() <= need:
        out[pos] = hi[pos]
        rest = ~pos
        if rest.any() and need - hi[pos].sum() > 0:
            out[rest] = water_fill(np.ones(rest.sum()), lo[rest], hi[rest], total - hi[pos].sum())
        return out
    wp, lp, hp = w[pos], lo[pos], hi[pos]
    a, b = lp / wp, hp / wp  # the rate at which an area leaves its floor / reaches its ceiling
    a_order, b_order = np.argsort(a), np.argsort(b)
    a_sorted, b_sorted = a[a_order], b[b_order]
    lo_after = np.concatenate([[0.0], np.cumsum(lp[a_order])])  # floors of areas with a <= lam
    w_after_a = np.concatenate([[0.0], np.cumsum(wp[a_order])])
    w_after_b = np.concatenate([[0.0], np.cumsum(wp[b_order])])
    hi_after_b = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(hp), hp, 0.0)[b_order])])
    lo_total = lp.sum()

    def total_at(lam: np.ndarray) -> np.ndarray:
        na = np.searchsorted(a_sorted, lam, side="right")  # left their floor
        nb = np.searchsorted(b_sorted, lam, side="right")  # reached their ceiling
        free_w = w_after_a[na] - w_after_b[nb]
        return (lo_total - lo_after[na]) + lam * free_w + hi_after_b[nb]

    breaks = np.unique(np.concatenate([a, b[np.isfinite(b)]]))
    values = total_at(breaks)
    k = int(np.searchsorted(values, need - EPS * max(1.0, need), side="left"))
    if k >= len(breaks):  # beyond the last breakpoint the sum grows with the uncapped areas
        lam0, v0 = breaks[-1], values[-1]
        slope = w_after_a[-1] - w_after_b[np.searchsorted(b_sorted, lam0, side="right")]
        lam = lam0 + (need - v0) / slope
    elif k == 0 or values[k] <= need:
        lam = breaks[k]
    else:
        lam0, lam1, v0, v1 = breaks[k - 1], breaks[k], values[k - 1], values[k]
        lam = lam0 + (need - v0) * (lam1 - lam0) / (v1 - v0)
    out[pos] = np.clip(lam * wp, lp, hp)
    # Breakpoints of very different sizes (one weight 1e-9 of the largest) leave a rounding
    # residual of up to 1e-6 hours (found by hypothesis): it goes to the areas with room.
    residual = total - out.sum()
    if residual != 0.0:
        room = np.where(pos, hi - out if residual > 0 else out - lo, 0.0)
        share = np.where(np.isinf(room), w, 0.0) if np.isinf(room).any() else room
        if share.sum() > 0:
            out = np.clip(out + residual * share / share.sum(), lo, hi)
    return out


def largest_remainder(
    hours: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    total: float,
    step: float,
    *,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Round hours to whole steps that still sum to ``total``, by largest remainders (Hamilton).

    Every area first gets the whole steps it has; the steps left over go one
    each to the areas with the largest fractional remainders (ties: larger
    ``weights`` first, then input order). Bounds that are whole steps stay
    respected: an area below its ceiling has room for the one extra step.

    Examples
    --------
    >>> largest_remainder(np.array([46.875, 28.125, 25.0]), np.full(3, 25.0),
    ...                   np.full(3, np.inf), 100.0, 1.0)
    array([47., 28., 25.])
    """
    u = np.asarray(hours, dtype=float) / step
    lo_u = np.round(np.asarray(lower, dtype=float) / step)
    hi_u = np.asarray(upper, dtype=float) / step
    whole = np.maximum(np.floor(u + 1e-7), lo_u)
    whole = np.minimum(whole, np.floor(hi_u + 1e-7))
    left = int(round(total / step - whole.sum()))
    if left > 0:
        rest = u - whole
        room = whole + 1 <= hi_u + 1e-7
        w = np.zeros(len(u)) if weights is None else np.asarray(weights, dtype=float)
        order = np.lexsort((np.arange(len(u)), -w, -np.where(room, rest, -np.inf)))
        take = order[:left]
        if not room[take].all():
            raise RuntimeError("largest_remainder: not enough room below the ceilings")
        whole[take] += 1
    elif left < 0:
        raise RuntimeError("largest_remainder: the rounded hours exceed the total")
    return whole * step


def expected_prevented(
    hours: np.ndarray | pd.Series, demand: np.ndarray | pd.Series, saturation: np.ndarray | float
) -> np.ndarray:
    """Return the modelled harm prevented per area: ``demand * (1 - exp(-hours / saturation))``.

    An index, not a forecast: it says how an allocation compares with another
    under the assumption that the first hours in an area buy the most and that
    the return halves every ``0.69 * saturation`` hours (Koopman's random-search
    law). With ``hours == saturation`` an area gets 63 % of its demand "covered".

    Examples
    --------
    >>> expected_prevented(np.array([0.0, 10.0]), np.array([100.0, 100.0]), 10.0).round(1)
    array([ 0. , 63.2])
    """
    h = np.asarray(hours, dtype=float)
    d = np.asarray(demand, dtype=float)
    return d * -np.expm1(-h / np.asarray(saturation, dtype=float))


def solve_match_share(
    target: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float, unit: float | None
) -> tuple[np.ndarray, float]:
    """Min sum |h_i - target_i| within the bounds, in whole steps: a piecewise-linear LP.

    On the step grid ``|h - t|`` has slope -1 up to the step below ``t``, one
    intermediate slope across the step that holds ``t`` and +1 above: three pieces per
    area with breakpoints on whole steps.
    """
    if unit is None:
        below = above = np.clip(target, lo, hi)
    else:
        below = np.clip(np.floor(target / unit + 1e-9) * unit, lo, hi)
        above = np.clip(np.ceil(target / unit - 1e-9) * unit, lo, hi)
    points = np.column_stack([lo, below, above, hi])
    hours = _solve_pieces(points, np.abs(points - target[:, None]), lo, total, unit)
    return hours, float(np.abs(hours - target).sum())


def solve_prevented(
    d: np.ndarray,
    sat: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    total: float,
    unit: float | None,
    max_segments: int,
) -> tuple[np.ndarray, float]:
    """Max sum d_i (1 - exp(-h_i / s_i)), the curve made piecewise linear on whole steps."""
    frac = np.linspace(0.0, 1.0, max_segments + 1)
    if unit is None:
        points = lo[:, None] + np.outer(hi - lo, frac)
    else:  # breakpoints on whole steps; an area with fewer steps repeats some (empty pieces)
        steps = np.round((hi - lo) / unit)
        points = lo[:, None] + np.round(np.outer(steps, frac)) * unit
    values = -expected_prevented(points, d[:, None], sat[:, None])
    hours = _solve_pieces(points, values, lo, total, unit)
    return hours, float(expected_prevented(hours, d, sat).sum())


def _solve_pieces(
    points: np.ndarray,
    values: np.ndarray,
    lo: np.ndarray,
    total: float,
    unit: float | None,
) -> np.ndarray:
    """Minimise a sum of convex piecewise-linear functions of h_i with sum h_i = total.

    Row i of ``points`` holds area i's breakpoints (non-decreasing, from its lower
    to its upper bound, on whole steps when ``unit`` is given) and ``values`` the
    function there; variable ``x_k`` is the part of piece ``k`` that is used (in
    steps), and ``h_i = lo_i + q * sum of its pieces``. Convexity makes the cheapest
    pieces fill first, so no ordering constraint is needed; and the constraint
    matrix (one row of ones plus bounds) is totally unimodular, so a vertex of the
    LP is already in whole steps. Measured on 2,000 areas: 0.15 s (match_share) and
    0.3 s (harm_prevented, 32 pieces each), where the textbook formulation (integer
    hours, absolute values as two inequalities, ``milp``) took 19 s and 1.9 s.
    """
    q = 1.0 if unit is None else unit
    n = len(lo)
    widths = np.diff(points, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(widths > 0, np.diff(values, axis=1) / widths, 0.0).ravel() * q
    length = widths.ravel() / q
    owner = np.repeat(np.arange(n), widths.shape[1])
    budget = (total - lo.sum()) / q
    if budget <= 1e-9 or length.sum() <= 0:
        return lo.copy()
    if unit is not None:
        length = np.round(length)
        budget = round(budget)
    # A simplex method returns a vertex, which is in whole steps (see above); milp
    # would branch on what is already integral (measured: 109 s against 0.3 s).
    res = optimize.linprog(
        slope,
        A_eq=np.ones((1, len(length))),
        b_eq=[budget],
        bounds=np.column_stack([np.zeros(len(length)), length]),
        method="highs-ds",
    )
    if res.status != 0:  # the bounds were checked: this is a bug, not bad input
        raise RuntimeError(f"linprog failed: {res.message}")
    if unit is not None and np.abs(res.x - np.round(res.x)).max() > 1e-6:
        res = optimize.milp(
            slope,
            integrality=np.ones(len(length)),
            bounds=optimize.Bounds(np.zeros(len(length)), length),
            constraints=optimize.LinearConstraint(np.ones((1, len(length))), budget, budget),
        )
        if res.status != 0:
            raise RuntimeError(f"milp failed: {res.message}")
    hours = lo + np.bincount(owner, weights=res.x, minlength=n) * q
    return _snap(hours, unit)


def _snap(hours: np.ndarray, unit: float | None) -> np.ndarray:
    """Remove solver noise: whole steps become exact multiples."""
    if unit is None:
        return np.maximum(hours, 0.0)
    return np.round(hours / unit) * unit
