"""The analyses a report needs, each computed once and failing alone, and what it publishes of each.

:func:`_analyse` runs, for the sections chosen, the analyses that the session has
not run with their pages' defaults (hot spots, rhythms, trends, period
comparison, near repeat, allocation) and keeps the session's own results. An
analysis that fails leaves its reason in :attr:`_Analyses.errors`, for its section
to show (:func:`_error_text`). The ``_shown_*`` helpers give a result's rows as a
report publishes them: without the rows of fewer than ``k`` incidents for wider
release.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd

from ilp_core.analysis import hotspots, near_repeat, temporal
from ilp_core.data import geo
from ilp_core.data.dataset import Dataset
from ilp_core.decide import allocation as alloc_mod
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import suppression
from ilp_core.products.report._content import Block, SessionWork, Text
from ilp_core.products.report._format import _Fmt

T = TypeVar("T")


@dataclass
class _Analyses:
    """The results a report is built from, each computed once; ``errors`` holds why one failed."""

    data: Dataset
    incidents: pd.DataFrame
    work: SessionWork
    period: tuple[dt.date, dt.date] | None
    offences: tuple[str, ...]
    cell_size: float | None
    fdr: bool
    errors: dict[str, Message] = field(default_factory=dict)
    gi: hotspots.GiStar | None = None
    counts: hotspots.DistrictCounts | None = None
    change: hotspots.HotspotChange | None = None
    rhythm: temporal.HourWeekday | None = None
    monthly: temporal.PeriodCounts | None = None
    trend: temporal.Trend | None = None
    control: temporal.ControlChart | None = None
    comparison: temporal.PeriodComparison | None = None
    knox: near_repeat.KnoxResult | None = None
    knox_offences: tuple[str, ...] = ()
    allocation: alloc_mod.Allocation | None = None
    allocation_areas: gpd.GeoDataFrame | None = None
    allocation_default: bool = False
    cell_district: dict[int, str] = field(default_factory=dict)


def _attempt(a: _Analyses, name: str, func: Callable[..., T], /, *args: Any, **kw: Any) -> T | None:
    """Run one analysis; on bad input keep its message under ``name`` and return None."""
    try:
        return func(*args, **kw)
    except IlpInputError as error:
        a.errors[name] = error.message
        return None


def _analyse(a: _Analyses, chosen: set[str]) -> None:
    """Fill ``a`` with what the ``chosen`` sections need; the session's own results come first."""
    inc, districts = a.incidents, a.data.districts
    spatial = chosen & {"findings", "where", "allocation"}
    if spatial:
        grid = {"cell_size": a.cell_size}
        a.gi = _attempt(a, "gi", hotspots.gi_star, inc, districts, fdr=a.fdr, **grid)
        if districts is not None:
            a.counts = _attempt(a, "counts", hotspots.district_counts, inc, districts)
        if chosen & {"findings", "where"}:
            a.change = _attempt(
                a, "change", hotspots.hotspot_change, inc, districts, fdr=a.fdr, **grid
            )
        if a.gi is not None and districts is not None:
            table = a.gi.table
            names = geo.assign_districts(table["lat"], table["lon"], districts)
            a.cell_district = {
                int(c): str(d)
                for c, d in zip(table["cell_id"], names, strict=True)
                if isinstance(d, str)
            }
    if chosen & {"findings", "when"}:
        a.rhythm = _attempt(a, "rhythm", temporal.hour_weekday, inc)
        a.monthly = _attempt(a, "monthly", temporal.period_counts, inc, "month")
        if a.monthly is not None:
            a.trend = _attempt(a, "trend", temporal.trend, a.monthly)
            a.control = _attempt(a, "control", temporal.control_limits, a.monthly)
        if a.period is not None:
            a.comparison = _attempt(a, "comparison", _comparison, inc, a.period[1])
    if chosen & {"findings", "near_repeat"}:
        a.knox, a.knox_offences = a.work.knox, tuple(a.work.knox_offences)
        if a.knox is None:
            counts = inc["offence"].astype("str").value_counts()
            offences = [str(o) for o in counts.index[counts.to_numpy() > 0]]
            default = [o for o in offences if "burglary" in o.lower()][:1] or offences[:1]
            subset = inc.loc[inc["offence"].astype("str").isin(default).to_numpy()]
            a.knox_offences = tuple(default)
            if len(subset):
                a.knox = _attempt(a, "knox", near_repeat.knox_test, subset)
    if chosen & {"findings", "allocation"}:
        a.allocation = a.work.allocation
        a.allocation_areas = a.work.allocation_areas
        if a.allocation is None:
            a.allocation = _attempt(a, "allocation", _default_allocation, a.data, inc)
            a.allocation_default = a.allocation is not None
        if a.allocation_areas is None and a.data.districts is not None:
            a.allocation_areas = a.data.districts


def _comparison(incidents: pd.DataFrame, last: dt.date) -> temporal.PeriodComparison:
    """The When page's default comparison of two periods.

    This quarter to date against the same days a year earlier; the last 28 days
    against the 28 before when the data hold less than a year.
    """
    try:
        return temporal.compare_periods(incidents, *temporal.quarter_vs_last_year(last))
    except IlpInputError:
        return temporal.compare_periods(incidents, *temporal.recent_vs_previous(last))


def _default_allocation(data: Dataset, incidents: pd.DataFrame) -> alloc_mod.Allocation:
    """The Allocation page's defaults: districts, incidents, proportional, floor 40 h, 8-h steps."""
    if data.districts is None or data.allocation is None:
        raise IlpInputError("report.no_allocation")
    demand = alloc_mod.district_demand(incidents, data.districts)
    current = alloc_mod.check_current(data.allocation, demand["area"].tolist())
    total = float(current.sum())
    step = (
        alloc_mod.DEFAULT_STEP_HOURS
        if math.isclose(total % alloc_mod.DEFAULT_STEP_HOURS, 0.0)
        else None
    )
    return alloc_mod.allocate(
        demand, total, current=current, floor=alloc_mod.DEFAULT_FLOOR_HOURS, step=step
    )


def _error_text(a: _Analyses, name: str, fmt: _Fmt) -> list[Block]:
    """Why the analysis ``name`` is missing, as a warning for its section (nothing if it ran)."""
    message = a.errors.get(name)
    if message is None:
        return []
    return [Text(fmt.t("report.not_available", reason=message.render(fmt.lang)), "warning")]


def _hot_cells(a: _Analyses, fmt: _Fmt) -> pd.DataFrame:
    """Gi* cells of the area, without the small ones for wider release."""
    if a.gi is None:
        return pd.DataFrame()
    table = a.gi.table
    if fmt.wider:
        table = table.loc[~suppression.small_rows(table["count"], fmt.k)]
    return table


def _shown_ranking(a: _Analyses, fmt: _Fmt) -> pd.DataFrame:
    """The ranked problems as published: without those under ``k`` incidents for wider release."""
    ranking = a.work.ranking
    if ranking is None:
        return pd.DataFrame()
    table = ranking.table
    if fmt.wider and "volume" in table.columns:
        table = table.loc[~suppression.small_rows(table["volume"], fmt.k)]
    return table


def _shown_allocation(a: _Analyses, fmt: _Fmt) -> pd.DataFrame:
    """The allocation's areas as published: without those under ``k`` incidents (wider release)."""
    if a.allocation is None:
        return pd.DataFrame()
    table = a.allocation.table
    if fmt.wider and "incidents" in table.columns:
        table = table.loc[~suppression.small_rows(table["incidents"].fillna(0), fmt.k)]
    return table
