"""The recommended allocation: :func:`allocate` and its result, :class:`Allocation`.

:func:`allocate` checks the settings, reads the demand, asks
:func:`~ilp_core.decide.allocation._bounds.area_bounds` for every area's bounds and
one of the solvers of :mod:`~ilp_core.decide.allocation._solve` for the hours, then
assembles the table that the page, the maps and the report show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.decide.allocation._bounds import Bounds, aligned, area_bounds
from ilp_core.decide.allocation._common import listing, num, plain, plain_bound
from ilp_core.decide.allocation._defaults import DEFAULT_METHOD, METHODS, Method
from ilp_core.decide.allocation._solve import (
    expected_prevented,
    largest_remainder,
    solve_match_share,
    solve_prevented,
    water_fill,
)
from ilp_core.errors import IlpInputError, Message


@dataclass(frozen=True)
class Allocation:
    """A recommended allocation of officer-hours, with what it changes and what it assumes.

    Attributes
    ----------
    table
        One row per area, in the input order: ``area``, ``demand``,
        ``demand_share``, ``incidents`` (NaN when not given), ``current_hours``
        (NaN without a current allocation), ``recommended_hours``,
        ``change_hours``, ``change_pct`` (change / current, NaN for 0 h today),
        ``target_hours`` (demand share x total: proportional without constraints),
        ``min_hours``, ``max_hours`` (the bounds after floors, ceilings, maximum
        change and rounding), ``limited_by`` (``floor``, ``ceiling``,
        ``change_limit`` or NA: which bound holds the recommended hours),
        ``hours_per_incident``, ``hours_per_demand``, ``saturation_hours``,
        ``prevented_current``, ``prevented_recommended`` (the modelled harm
        prevented, see :func:`expected_prevented`) and ``area_km2`` when given.
    method
        ``proportional``, ``match_share`` or ``harm_prevented``.
    settings
        Every setting used, defaults included, as JSON-ready values (the scenario).
    summary
        Totals: ``total_hours``, ``current_total``, ``hours_moved`` (half the sum
        of absolute changes), ``prevented_current``, ``prevented_recommended``,
        their shares of total demand, and ``objective`` (the solver's value).
    warnings
        Things the reader should know (areas with no demand, totals that differ).
    """

    table: pd.DataFrame
    method: str
    settings: Mapping[str, Any]
    summary: Mapping[str, float]
    warnings: tuple[Message, ...] = field(default=())


def allocate(
    demand: pd.DataFrame | pd.Series,
    total_hours: float,
    *,
    method: Method = DEFAULT_METHOD,
    current: pd.Series | None = None,
    floor: float | pd.Series = 0.0,
    ceiling: float | pd.Series | None = None,
    max_change_hours: float | None = None,
    max_change_share: float | None = None,
    step: float | None = 1.0,
    saturation: float | pd.Series | None = None,
    max_segments: int = 32,
) -> Allocation:
    """Recommend how to spread ``total_hours`` officer-hours over the areas, within constraints.

    Three methods, all respecting every bound and summing exactly to the total:

    ``proportional``
        Hours proportional to demand, the harm-index practice (Sherman et al.
        2016). Floors and ceilings are met by *water-filling*: find the one
        rate ``lam`` (hours per unit of demand) such that
        ``sum(clip(lam * demand, min_hours, max_hours)) == total_hours``
        (:func:`water_fill`). This is exact, not iterative: it is the unique
        solution of ``min sum(h**2 / demand)`` under the bounds, i.e. the
        allocation whose hours per unit of demand are as equal as the bounds
        allow. Whole steps come from largest-remainder (Hamilton) rounding
        (:func:`largest_remainder`), which never breaks a bound.
    ``match_share``
        The allocation that minimises the total absolute deviation
        ``sum |h_i - share_i * total|`` from the demand shares: a linear
        programme over the pieces of each ``|h - t|`` with breakpoints on whole
        steps, solved exactly by :func:`scipy.optimize.linprog` (HiGHS dual
        simplex). Its constraint matrix is totally unimodular, so the optimal
        vertex is in whole steps when ``step`` is given (checked; otherwise
        :func:`scipy.optimize.milp` finishes the job). Several allocations can
        reach the same minimum; the solver returns one of them.
    ``harm_prevented``
        The allocation that maximises the modelled harm prevented
        ``sum d_i * (1 - exp(-h_i / s_i))`` (:func:`expected_prevented`): each
        area's return on an extra hour falls as it gets more hours. This is
        Koopman's random-search law (detection probability ``1 - exp(-effort /
        area-scale)``), the usual model of diminishing returns in patrol
        allocation (Larson 1972, ch. 2); ``s_i`` (``saturation``) is the number
        of hours at which an area gets 63 % of its preventable harm. The
        concave curve is approximated by ``max_segments`` linear pieces per
        area with breakpoints on whole steps (exact at every feasible point
        when an area's range has at most ``max_segments`` steps) and solved
        exactly as the same kind of linear programme (``linprog``, whole steps
        guaranteed as for ``match_share``).

    Parameters
    ----------
    demand
        Demand per area: a Series indexed by area, or a frame with ``area`` and
        ``demand`` (optionally ``incidents`` and ``area_km2``), e.g. from
        :func:`district_demand` or :func:`cell_demand`.
    total_hours
        Officer-hours available per week.
    method
        ``proportional`` (default), ``match_share`` or ``harm_prevented``.
    current
        Today's hours per area (a Series indexed by area, e.g. from
        :func:`check_current`); ``None`` when unknown.
    floor, ceiling
        Minimum and maximum hours per area: one number for all, or a Series by
        area. Floors are rounded up and ceilings down to whole steps.
    max_change_hours, max_change_share
        Largest change from ``current`` per area, in hours and/or as a share of
        the area's current hours (0.25 = 25 %, at most 10); both apply when both
        are given.
    step
        Granularity in hours (1 = whole hours, 8 = whole 8-hour shifts); ``None``
        for unrounded hours. ``total_hours`` must be a multiple of it.
    saturation
        ``s_i`` in hours (one number or a Series by area); ``None`` takes
        today's hours divided by the number of areas for every area (``current``'s
        total, so that the model does not change with the total chosen), or
        ``total_hours / number of areas`` without a current allocation. Used for
        ``harm_prevented`` and for the modelled prevention of every method.
    max_segments
        Linear pieces per area for ``harm_prevented`` (2 to 1,000).

    Returns
    -------
    Allocation

    Raises
    ------
    IlpInputError
        A setting that is not a number of the right kind: ``checks.option``
        (``method``), ``checks.number`` (``total_hours``, ``step``, a floor,
        ceiling, maximum change or saturation), ``checks.whole``
        (``max_segments``), ``checks.missing_columns`` (a demand frame without
        ``area`` or ``demand``). With the figures of the conflict:
        ``allocation.total_not_multiple``,
        ``allocation.floor_above_ceiling``, ``allocation.total_below_floors``,
        ``allocation.total_above_ceilings``, ``allocation.change_conflict``,
        ``allocation.total_below_change_limit``,
        ``allocation.total_above_change_limit``, ``allocation.no_step_in_bounds``,
        ``allocation.no_demand``, ``allocation.negative_demand``,
        ``allocation.change_needs_current``, ``allocation.current_mismatch``.

    References
    ----------
    Sherman, L., Neyroud, P. W. & Neyroud, E. (2016). The Cambridge Crime Harm
    Index: measuring total harm from crime based on sentencing guidelines.
    *Policing* 10(3), 171-183.
    Koopman, B. O. (1980). *Search and Screening: General Principles with
    Historical Applications*. Pergamon (the random-search formula).
    Larson, R. C. (1972). *Urban Police Patrol Analysis*. MIT Press.
    Balinski, M. L. & Young, H. P. (2001). *Fair Representation*, 2nd ed.
    Brookings (largest-remainder rounding).

    Examples
    --------
    >>> d = pd.Series({"A": 50.0, "B": 30.0, "C": 20.0})
    >>> allocate(d, 100, floor=25).table["recommended_hours"].tolist()
    [47.0, 28.0, 25.0]
    >>> allocate(d, 96, step=8, method="harm_prevented").table["recommended_hours"].tolist()
    [48.0, 32.0, 16.0]
    """
    method = checks.option("method", method, METHODS)
    frame = _demand_frame(demand)
    areas = frame["area"].tolist()
    d = frame["demand"].to_numpy(dtype=float)
    total = checks.positive("total_hours", total_hours)
    unit = None if step is None else checks.positive("step", step)
    segments = checks.whole("max_segments", max_segments, minimum=2, maximum=1000)
    if unit is not None and abs(total / unit - round(total / unit)) > 1e-6:
        below = math.floor(total / unit) * unit
        raise IlpInputError(
            "allocation.total_not_multiple",
            total=num(total),
            step=num(unit),
            below=num(below),
            above=num(below + unit),
        )
    cur = None if current is None else aligned("current", current, areas)
    if cur is not None and (~np.isfinite(cur) | (cur < 0)).any():
        raise IlpInputError("allocation.current_bad_hours", rows=(), n=1, rows_list="-")
    bounds = area_bounds(
        areas, total, unit, cur, floor, ceiling, max_change_hours, max_change_share
    )
    n = len(areas)
    if saturation is not None:
        sat = aligned("saturation", saturation, areas, positive=True)
    elif cur is not None and cur.sum() > 0:
        # today's hours, not the chosen total: a yardstick that moves with the total
        # kept the share covered at 68.6 % from 4,000 to 6,000 h (more hours bought nothing)
        sat = np.full(n, float(cur.sum()) / n)
    else:
        sat = np.full(n, total / n)
    scaled = d / d.max()  # every method is scale-free; this keeps tiny demands finite
    share = scaled / scaled.sum()
    if method == "proportional":
        hours = water_fill(scaled, bounds.low, bounds.high, total)
        if unit is not None:
            hours = largest_remainder(hours, bounds.low, bounds.high, total, unit, weights=scaled)
        objective = float(np.sum(np.abs(hours - share * total)))
    elif method == "match_share":
        hours, objective = solve_match_share(share * total, bounds.low, bounds.high, total, unit)
    else:
        hours, objective = solve_prevented(
            scaled, sat, bounds.low, bounds.high, total, unit, segments
        )
        objective = float(expected_prevented(hours, d, sat).sum())
    settings = {
        "method": method,
        "total_hours": plain(total),
        "floor": plain_bound(floor),
        "ceiling": plain_bound(ceiling),
        "max_change_hours": plain(max_change_hours),
        "max_change_share": plain(max_change_share),
        "step": plain(unit),
        "saturation": plain_bound(saturation) if saturation is not None else plain(float(sat[0])),
        "max_segments": segments,
        "n_areas": n,
    }
    return _result(frame, d, hours, cur, bounds, sat, method, settings, objective)


def _result(
    frame: pd.DataFrame,
    d: np.ndarray,
    hours: np.ndarray,
    cur: np.ndarray | None,
    bounds: Bounds,
    sat: np.ndarray,
    method: str,
    settings: dict[str, Any],
    objective: float,
) -> Allocation:
    """Assemble the result table, the summary and the warnings of an allocation."""
    total = float(settings["total_hours"])
    n = len(d)
    share = (d / d.max()) / (d / d.max()).sum()
    current = np.full(n, np.nan) if cur is None else cur
    incidents = (
        frame["incidents"].to_numpy(dtype=float)
        if "incidents" in frame.columns
        else np.full(n, np.nan)
    )
    tol = 1e-6 * max(total, 1.0)
    at_low = hours <= bounds.low + tol
    at_high = (hours >= bounds.high - tol) & bounds.high_given
    limited = np.where(at_low, bounds.low_source, np.where(at_high, bounds.high_source, None))
    target = share * total
    table = pd.DataFrame(
        {
            "area": frame["area"].to_numpy(),
            "demand": d,
            "demand_share": share,
            "incidents": incidents,
            "current_hours": current,
            "recommended_hours": hours,
            "change_hours": hours - current,
            "change_pct": np.divide(
                hours - current, current, out=np.full(n, np.nan), where=current > 0
            ),
            "target_hours": target,
            "min_hours": bounds.low,
            "max_hours": bounds.high,
            "limited_by": pd.array(limited, dtype="str"),
            "hours_per_incident": np.divide(
                hours, incidents, out=np.full(n, np.nan), where=incidents > 0
            ),
            "hours_per_demand": _ratio(hours, d),
            "saturation_hours": sat,
            "prevented_current": expected_prevented(current, d, sat),
            "prevented_recommended": expected_prevented(hours, d, sat),
        }
    )
    if "area_km2" in frame.columns:
        table["area_km2"] = frame["area_km2"].to_numpy(dtype=float)
    warnings = []
    zero = int((d == 0).sum())
    if zero:
        warnings.append(Message("allocation.zero_demand_areas", {"n": zero}))
    if cur is not None and abs(cur.sum() - total) > tol:
        warnings.append(
            Message("allocation.totals_differ", {"current": num(cur.sum()), "total": num(total)})
        )
    summary = {
        "total_hours": total,
        "current_total": float(np.nansum(current)) if cur is not None else float("nan"),
        "hours_moved": float(np.abs(hours - current).sum() / 2)
        if cur is not None
        else float("nan"),
        "prevented_current": float(table["prevented_current"].sum())
        if cur is not None
        else float("nan"),
        "prevented_recommended": float(table["prevented_recommended"].sum()),
        "prevented_share_current": float(table["prevented_current"].sum() / d.sum())
        if cur is not None
        else float("nan"),
        "prevented_share_recommended": float(table["prevented_recommended"].sum() / d.sum()),
        "objective": objective,
    }
    return Allocation(table, method, settings, summary, tuple(warnings))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Numerator / denominator, NaN where it is not finite (no demand, subnormal demand)."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(np.isfinite(out) & (denominator > 0), out, np.nan)


def _demand_frame(demand: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """The demand as a frame with ``area`` (text) and ``demand``, its values checked."""
    if isinstance(demand, pd.Series):
        frame = pd.DataFrame({"area": demand.index.astype(str), "demand": demand.to_numpy()})
    else:
        checks.columns(demand, ("area", "demand"), table="demand")
        keep = [c for c in ("area", "demand", "incidents", "area_km2") if c in demand.columns]
        frame = pd.DataFrame(demand[keep]).reset_index(drop=True)
        frame["area"] = frame["area"].astype(str)
    if len(frame) == 0:
        raise IlpInputError("allocation.no_areas")
    dup = frame["area"][frame["area"].duplicated()].unique().tolist()
    if dup:
        raise IlpInputError("allocation.duplicate_areas", areas=listing(dup), n=len(dup))
    d = pd.to_numeric(frame["demand"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(d) | (d < 0))
    if len(bad):
        raise IlpInputError(
            "allocation.negative_demand",
            areas=listing(frame["area"].iloc[bad].tolist()),
            n=len(bad),
        )
    if d.sum() <= 0:
        raise IlpInputError("allocation.no_demand", n=len(frame))
    frame["demand"] = d
    return frame
