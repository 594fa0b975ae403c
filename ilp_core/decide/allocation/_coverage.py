"""How concentrated demand is and how allocations follow it; saved scenarios side by side.

:func:`coverage_curve` ranks the areas by demand density and shows which share of
the hours goes where the demand is; :func:`compare_scenarios` and
:func:`scenario_metrics` put two or more saved allocations next to each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ilp_core.decide.allocation._allocate import Allocation
from ilp_core.decide.allocation._common import EPS
from ilp_core.errors import IlpInputError

#: The officer-hours :func:`marginal_gain` adds by default ("what would 100 more buy?").
MARGINAL_HOURS: Final[float] = 100.0


@dataclass(frozen=True)
class CoverageCurve:
    """How concentrated demand is, and how allocations follow it.

    Attributes
    ----------
    table
        Areas ranked by demand density (demand per km², or per area when sizes
        are unknown), with a starting row of zeros: ``rank``, ``area``,
        ``area_share`` (cumulative share of the land area, or of the areas),
        ``demand_share`` (cumulative share of demand), ``current_share`` and
        ``recommended_share`` (cumulative shares of the hours; NaN without a
        current allocation).
    half_area_share
        The smallest share of the area that holds half the demand.
    current_at_half, recommended_at_half
        The shares of the current and recommended hours that go to that area.
    by_size
        True when the x axis is land area, False when it counts areas.
    """

    table: pd.DataFrame
    half_area_share: float
    current_at_half: float
    recommended_at_half: float
    by_size: bool


def coverage_curve(allocation: Allocation) -> CoverageCurve:
    """Return the coverage curve: share of demand covered as the share of area grows.

    Areas are ranked from the densest demand down; the curve shows how much of
    the demand lies in the first x % of the area (the concentration of crime at
    places, Weisburd 2015), and the hours curves show how much of the current
    and of the recommended hours go to that same area. Where the current-hours
    curve lies below the demand curve, the busiest places get less than their
    share of demand.

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology of
    place. *Criminology* 53(2), 133-157.

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate
    >>> a = allocate(pd.Series({"A": 60.0, "B": 30.0, "C": 10.0}), 30, current=pd.Series(
    ...     {"A": 10.0, "B": 10.0, "C": 10.0}))
    >>> c = coverage_curve(a)
    >>> c.table["demand_share"].round(2).tolist(), c.half_area_share, round(c.current_at_half, 3)
    ([0.0, 0.6, 0.9, 1.0], 0.3333333333333333, 0.333)
    """
    t = allocation.table
    by_size = "area_km2" in t.columns and bool(np.isfinite(t["area_km2"]).all())
    size = t["area_km2"].to_numpy(dtype=float) if by_size else np.ones(len(t))
    size = np.where(size > 0, size, np.nan) if by_size else size
    density = t["demand"].to_numpy(dtype=float) / size
    order = np.lexsort((np.arange(len(t)), -np.nan_to_num(density, nan=0.0)))
    size = np.nan_to_num(size[order], nan=0.0)

    def cum(values: np.ndarray) -> np.ndarray:
        total = values.sum()
        shares = np.cumsum(values) / total if total > 0 else np.full(len(values), np.nan)
        return np.concatenate([[0.0], shares])

    d = t["demand"].to_numpy(dtype=float)[order]
    cur = t["current_hours"].to_numpy(dtype=float)[order]
    rec = t["recommended_hours"].to_numpy(dtype=float)[order]
    table = pd.DataFrame(
        {
            "rank": np.arange(len(t) + 1),
            "area": [None, *t["area"].to_numpy()[order]],
            "area_share": cum(size),
            "demand_share": cum(d),
            "current_share": cum(cur) if np.isfinite(cur).all() else np.nan,
            "recommended_share": cum(rec),
        }
    )
    k = int(np.searchsorted(table["demand_share"].to_numpy(), 0.5 - EPS))
    return CoverageCurve(
        table=table,
        half_area_share=float(table["area_share"].iloc[k]),
        current_at_half=float(table["current_share"].iloc[k]),
        recommended_at_half=float(table["recommended_share"].iloc[k]),
        by_size=by_size,
    )


def compare_scenarios(first: Allocation, second: Allocation) -> pd.DataFrame:
    """Return two saved scenarios side by side: hours per area and the difference.

    Columns ``area``, ``current_hours``, ``first_hours``, ``second_hours``,
    ``difference`` (second minus first), in the first scenario's order.

    Raises
    ------
    IlpInputError
        ``allocation.scenarios_differ`` when the two cover different areas.

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate
    >>> d = pd.Series({"A": 3.0, "B": 1.0})
    >>> compare_scenarios(allocate(d, 8), allocate(d, 8, floor=3))["difference"].tolist()
    [-1.0, 1.0]
    """
    a, b = first.table, second.table
    if sorted(a["area"]) != sorted(b["area"]):
        raise IlpInputError("allocation.scenarios_differ", first=len(a), second=len(b))
    other = b.set_index("area")["recommended_hours"]
    out = pd.DataFrame(
        {
            "area": a["area"].to_numpy(),
            "current_hours": a["current_hours"].to_numpy(dtype=float),
            "first_hours": a["recommended_hours"].to_numpy(dtype=float),
            "second_hours": a["area"].map(other).to_numpy(dtype=float),
        }
    )
    out["difference"] = out["second_hours"] - out["first_hours"]
    return out


def scenario_metrics(scenarios: Mapping[str, Allocation]) -> pd.DataFrame:
    """Return the settings and headline figures of saved scenarios, one column per scenario.

    Rows (index): the settings (``method``, ``total_hours``, ``floor``,
    ``ceiling``, ``max_change_hours``, ``max_change_share``, ``step``,
    ``saturation``) then ``hours_moved``, ``prevented_share_current`` and
    ``prevented_share_recommended``.

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate
    >>> d = pd.Series({"A": 3.0, "B": 1.0})
    >>> scenario_metrics({"s1": allocate(d, 8)}).loc["total_hours", "s1"]
    8
    """
    rows = [
        "method",
        "total_hours",
        "floor",
        "ceiling",
        "max_change_hours",
        "max_change_share",
        "step",
        "saturation",
    ]
    figures = ["hours_moved", "prevented_share_current", "prevented_share_recommended"]
    data = {
        name: [_shown(s.settings.get(r)) for r in rows] + [s.summary[f] for f in figures]
        for name, s in scenarios.items()
    }
    return pd.DataFrame(data, index=pd.Index(rows + figures, name="setting"), dtype=object)


def marginal_gain(allocation: Allocation, extra_hours: float = MARGINAL_HOURS) -> float:
    """Modelled harm prevented by ``extra_hours`` more officer-hours, placed where they buy most.

    Answers "what do more hours buy?": the headline share of demand covered barely
    moves when hours are added (the first hours in an area buy the most), so the
    manager is shown this absolute gain next to it. The extra hours go on top of the
    recommended allocation, within each area's ceiling, the way that prevents the
    most under the same saturating model as :func:`expected_prevented`: every area
    that gets hours ends at the same marginal return ``demand / saturation *
    exp(-hours / saturation)`` (the Karush-Kuhn-Tucker condition of this concave
    problem), found by Brent's method on that return.

    Parameters
    ----------
    allocation
        A result of :func:`allocate`.
    extra_hours
        The officer-hours added (default 100).

    Returns
    -------
    float
        The added harm prevented, in the unit of the demand (0 when no area can take
        more hours).

    Examples
    --------
    >>> from ilp_core.decide.allocation import allocate
    >>> d = pd.Series({"A": 100.0, "B": 100.0})
    >>> result = allocate(d, 20, saturation=10.0, floor=0, ceiling=1000)
    >>> round(marginal_gain(result, 20.0), 1)  # 2 x 100 (exp(-1) - exp(-2)) = 46.5
    46.5
    """
    table = allocation.table
    d = table["demand"].to_numpy(dtype=float)
    s = table["saturation_hours"].to_numpy(dtype=float)
    h = table["recommended_hours"].to_numpy(dtype=float)
    if allocation.settings.get("ceiling") is None:  # max_hours is then the total itself
        room = np.full(len(h), np.inf)
    else:
        room = table["max_hours"].to_numpy(dtype=float) - h
        room = np.where(np.isfinite(room), np.maximum(room, 0.0), np.inf)
    usable = (d > 0) & np.isfinite(s) & (s > 0) & (room > 0)
    if extra_hours <= 0 or not usable.any():
        return 0.0
    d, s, h, room = d[usable], s[usable], h[usable], room[usable]
    rate_now = d / s * np.exp(-h / s)  # return of the next hour in each area

    def added(log_rate: float) -> np.ndarray:
        # hours each area gets when all end at the marginal return exp(log_rate)
        return np.clip(s * (np.log(d / s) - log_rate) - h, 0.0, room)

    if added(-745.0).sum() <= extra_hours:  # every area filled to its ceiling
        extra = added(-745.0)
    else:
        top = float(np.log(rate_now.max()))
        low = top - 1.0
        while added(low).sum() < extra_hours:
            low -= 2.0 * (top - low)
        log_rate = brentq(lambda r: added(r).sum() - extra_hours, low, top, xtol=1e-12)
        extra = added(log_rate)
    gain = d * (np.exp(-h / s) - np.exp(-(h + extra) / s))
    return float(gain.sum())


def _shown(value: Any) -> Any:
    """A setting for the metrics table; per-area bounds shown as their range."""
    if isinstance(value, dict):  # per-area bounds: shown as their range
        numbers = [v for v in value.values() if v is not None]
        return f"{min(numbers)}-{max(numbers)}" if numbers else None
    return value
