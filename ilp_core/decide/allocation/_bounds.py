"""The bounds of every area: floors, ceilings and the largest change from today, in whole steps.

:func:`area_bounds` turns the user's floor, ceiling and maximum change (one number,
or a value per area) into the lowest and highest hours each area may get, rounded
inward to whole steps, and says which setting holds each bound. Every conflict
(a floor above a ceiling, a total below the floors...) is an
:class:`~ilp_core.errors.IlpInputError` that names the figures, so the manager
sees which setting to relax.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.decide.allocation._common import EPS, listing, num, plain_bound
from ilp_core.decide.allocation._defaults import MAX_CHANGE_SHARE
from ilp_core.errors import IlpInputError


@dataclass(frozen=True)
class Bounds:
    """The lowest and highest hours of every area, and which setting holds each."""

    low: np.ndarray
    high: np.ndarray
    low_source: np.ndarray  # "floor" or "change_limit" per area
    high_source: np.ndarray  # "ceiling" or "change_limit" per area
    high_given: np.ndarray  # the upper bound is the user's (not implied by the total)


def area_bounds(
    areas: list[str],
    total: float,
    unit: float | None,
    cur: np.ndarray | None,
    floor: float | pd.Series,
    ceiling: float | pd.Series | None,
    max_change_hours: float | None,
    max_change_share: float | None,
) -> Bounds:
    """Return the bounds of every area after floors, ceilings, rounding and maximum change.

    ``max_change_share`` is a share of each area's current hours, at most
    :data:`MAX_CHANGE_SHARE`.
    """
    n = len(areas)
    lo = aligned("floor", floor, areas)
    hi = np.full(n, np.inf) if ceiling is None else aligned("ceiling", ceiling, areas)
    if (lo < 0).any() or not np.isfinite(lo).all():
        raise IlpInputError("allocation.bad_floor", value=str(plain_bound(floor)))
    if (hi < 0).any() or np.isnan(hi).any():
        raise IlpInputError("allocation.bad_ceiling", value=str(plain_bound(ceiling)))
    crossed = np.flatnonzero(lo > hi + EPS)
    if len(crossed):
        i = crossed[0]
        raise IlpInputError(
            "allocation.floor_above_ceiling",
            floor=num(lo[i]),
            ceiling=num(hi[i]),
            areas=listing([areas[j] for j in crossed]),
            n=len(crossed),
        )
    if unit is not None:
        lo_r, hi_r = round_in(lo, hi, unit)
        empty = np.flatnonzero(lo_r > hi_r + EPS)
        if len(empty):
            i = empty[0]
            raise IlpInputError(
                "allocation.no_step_in_bounds",
                area=areas[i],
                low=num(lo[i]),
                high=num(hi[i]),
                step=num(unit),
            )
        lo, hi = lo_r, hi_r
    if lo.sum() > total + EPS * total:
        raise IlpInputError(
            "allocation.total_below_floors",
            total=num(total),
            floors=num(lo.sum()),
            n=n,
            max_floor=num(floor_to(total / n, unit)),
        )
    if hi.sum() < total - EPS * total:
        raise IlpInputError(
            "allocation.total_above_ceilings",
            total=num(total),
            ceilings=num(hi.sum()),
            n=n,
        )
    low_source = np.full(n, "floor", dtype=object)
    high_source = np.full(n, "ceiling", dtype=object)
    change = np.full(n, np.inf)
    for value, name in ((max_change_hours, "hours"), (max_change_share, "share")):
        if value is None:
            continue
        high = MAX_CHANGE_SHARE if name == "share" else None
        value = checks.number(f"max_change_{name}", value, minimum=0.0, maximum=high)
        if cur is None:
            raise IlpInputError("allocation.change_needs_current")
        change = np.minimum(change, value * (cur if name == "share" else 1.0))
    if cur is not None and np.isfinite(change).any():
        c_lo, c_hi = cur - change, cur + change
        if unit is not None:
            c_lo, c_hi = round_in(c_lo, c_hi, unit)
        bad = np.flatnonzero(np.maximum(lo, c_lo) > np.minimum(hi, c_hi) + EPS)
        if len(bad):
            i = bad[0]
            raise IlpInputError(
                "allocation.change_conflict",
                area=areas[i],
                current=num(cur[i]),
                change=num(change[i]),
                low=num(lo[i]),
                high=num(hi[i]) if np.isfinite(hi[i]) else "-",
                n=len(bad),
            )
        low_source = np.where(c_lo > lo + EPS, "change_limit", "floor").astype(object)
        high_source = np.where(c_hi < hi - EPS, "change_limit", "ceiling").astype(object)
        lo, hi = np.maximum(lo, c_lo), np.minimum(hi, c_hi)
        if lo.sum() > total + EPS * total:
            raise IlpInputError(
                "allocation.total_below_change_limit", total=num(total), minimum=num(lo.sum())
            )
        if hi.sum() < total - EPS * total:
            raise IlpInputError(
                "allocation.total_above_change_limit", total=num(total), maximum=num(hi.sum())
            )
    # No area can take more than the total minus the other areas' floors.
    implied = total - (lo.sum() - lo)
    given = hi <= implied + EPS * total
    return Bounds(lo, np.minimum(hi, implied), low_source, high_source, given)


def round_in(lo: np.ndarray, hi: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray]:
    """Round bounds inward to whole steps: lower bounds up, upper bounds down."""
    lo_r = np.ceil(lo / unit - 1e-9) * unit
    hi_r = np.where(np.isfinite(hi), np.floor(hi / unit + 1e-9) * unit, np.inf)
    return np.maximum(lo_r, 0.0), hi_r


def floor_to(value: float, unit: float | None) -> float:
    """The largest whole number of steps at or below ``value`` (``value`` without steps)."""
    return value if unit is None else math.floor(value / unit + 1e-9) * unit


def aligned(
    name: str,
    value: float | pd.Series,
    areas: list[str],
    *,
    positive: bool = False,
) -> np.ndarray:
    """A per-area array from one number or a Series by area (all areas must be present).

    One number is an argument, checked by ``checks.number`` (zero or more) or
    ``checks.positive``; the values of a Series are per-area data, checked by the
    caller (and here for ``positive``) with messages that name the setting.
    """
    if isinstance(value, pd.Series):
        series = pd.Series(value.to_numpy(), index=value.index.astype(str))
        known, wanted = set(series.index), set(areas)
        missing = [a for a in areas if a not in known]
        unknown = [a for a in series.index if a not in wanted]
        if missing or unknown:
            raise IlpInputError(
                "allocation.current_mismatch"
                if name == "current"
                else "allocation.bounds_mismatch",
                what=name,
                n_missing=len(missing),
                n_unknown=len(unknown),
                missing=listing(missing),
                unknown=listing(unknown),
            )
        out = pd.to_numeric(series.reindex(areas), errors="coerce").to_numpy(dtype=float)
    else:
        one = checks.positive(name, value) if positive else checks.number(name, value, minimum=0.0)
        out = np.full(len(areas), one)
    if positive and not (np.isfinite(out) & (out > 0)).all():
        raise IlpInputError("allocation.bad_setting", setting=name, value=str(plain_bound(value)))
    return out
