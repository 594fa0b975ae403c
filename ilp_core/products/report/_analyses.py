"""The analyses a report needs, each computed once and failing alone, and what it publishes of each.

:func:`_analyse` runs, for the sections chosen, every analysis from the dataset
and the session's work (:class:`~ilp_core.products.workspace.Workspace`): hot
spots with the Where page's settings, rhythms, trends and the period comparison,
the ranking of the priority assessment (and its stability), the near-repeat test
the user ran and the allocation scenario, each with its page's defaults when the
session holds none. An analysis that fails leaves its reason in
:attr:`_Analyses.errors`, for its section to show (:func:`_error_text`). The
``_shown_*`` helpers give a result's rows as a report publishes them: without the
rows of fewer than ``k`` incidents for wider release.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd

from ilp_core.analysis import forecast as fc
from ilp_core.analysis import hotspots, near_repeat, temporal
from ilp_core.analysis import space_time_scan as stscan
from ilp_core.data import geo
from ilp_core.data.dataset import Dataset
from ilp_core.decide import allocation as alloc_mod
from ilp_core.decide import priorities
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import suppression
from ilp_core.products.report._content import Block, Text
from ilp_core.products.report._format import _Fmt
from ilp_core.products.workspace import Workspace

T = TypeVar("T")


@dataclass
class _Analyses:
    """The results a report is built from, each computed once; ``errors`` holds why one failed."""

    data: Dataset
    incidents: pd.DataFrame
    work: Workspace
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
    assessment: priorities.Assessment | None = None
    ranking: priorities.Ranking | None = None
    stability: priorities.Stability | None = None
    allocation: alloc_mod.Allocation | None = None
    allocation_areas: gpd.GeoDataFrame | None = None
    allocation_default: bool = False
    allocation_scenario: dict[str, Any] = field(default_factory=dict)
    cell_district: dict[int, str] = field(default_factory=dict)
    forecast: fc.Forecast | None = None
    emerging: fc.EmergingOffences | None = None
    scan: stscan.SpaceTimeScan | None = None


def _attempt(a: _Analyses, name: str, func: Callable[..., T], /, *args: Any, **kw: Any) -> T | None:
    """Run one analysis; on bad input keep its message under ``name`` and return None."""
    try:
        return func(*args, **kw)
    except IlpInputError as error:
        a.errors[name] = error.message
        return None


def _analyse(
    a: _Analyses, chosen: set[str], step: Callable[[float, str], None] = lambda _f, _s: None
) -> None:
    """Fill ``a`` with what the ``chosen`` sections need; the session's own results come first.

    ``step(fraction, section)`` is called before each group of analyses (fraction of
    this step, 0 to 1, and the section the group serves): it may raise ``Cancelled``.
    """
    inc, districts = a.incidents, a.data.districts
    step(0.0, "where")
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
    step(0.3, "when")
    if chosen & {"findings", "when"}:
        a.rhythm = _attempt(a, "rhythm", temporal.hour_weekday, inc)
        a.monthly = _attempt(a, "monthly", temporal.period_counts, inc, "month")
        if a.monthly is not None:
            a.trend = _attempt(a, "trend", temporal.trend, a.monthly)
            a.control = _attempt(a, "control", temporal.control_limits, a.monthly)
        if a.period is not None:
            a.comparison = _attempt(a, "comparison", _comparison, inc, a.period[1])
    step(0.4, "near_repeat")
    if chosen & {"findings", "near_repeat"}:
        _near_repeat(a, lambda f: step(0.4 + 0.2 * f, "near_repeat"))
    step(0.6, "outlook")
    if "outlook" in chosen:
        _outlook(a, lambda f: step(0.6 + 0.15 * f, "outlook"))
    step(0.75, "priorities")
    scenario = _attempt(a, "allocation", a.work.scenario)
    needs_scores = bool(chosen & {"findings", "allocation"}) and (
        scenario is not None and scenario.measure == "priority"
    )
    if chosen & {"findings", "priorities", "intelligence"} or needs_scores:
        _priorities(a)
    step(0.9, "allocation")
    if chosen & {"findings", "allocation"} and "allocation" not in a.errors:
        _allocation(a, scenario)
        if a.allocation_areas is None and a.data.districts is not None:
            a.allocation_areas = a.data.districts


def _priorities(a: _Analyses) -> None:
    """The ranking of the session's assessment (the default one without), and its stability.

    The stability analysis is the assessment's (its top k, draws and seed): a
    session that never opened the Priorities page has none.
    """
    a.assessment = _attempt(a, "priorities", a.work.assessment)
    if "priorities" in a.errors:
        return
    chosen = a.assessment or priorities.default_assessment()
    data = _attempt(
        a, "priorities", priorities.problem_data, a.incidents, a.data.districts,
        by=chosen.by, custom=chosen.custom,
    )  # fmt: skip
    if data is None:
        return
    classes = a.data.offence_classes
    a.ranking = _attempt(
        a, "priorities", priorities.rank_problems, data, a.assessment, classes=classes
    )
    if a.ranking is not None and a.assessment is not None:
        a.stability = _attempt(a, "stability", priorities.assessment_stability, data, chosen)


def _outlook(a: _Analyses, progress: Callable[[float], None] | None = None) -> None:
    """The Outlook page's defaults: forecasts per offence, emerging offences, the scan.

    The scan runs with the page's defaults (a year of study, 500 m cells, circles
    up to 1 km, windows of 1 to 13 weeks, 999 permutations, seed 0), so the
    report and a scan run with the page's settings agree.
    """
    series = _attempt(a, "forecast", fc.monthly_series, a.incidents)
    if series is not None:
        a.forecast = _attempt(a, "forecast", fc.forecast, series)
    a.emerging = _attempt(a, "emerging", fc.emerging_offences, a.incidents)
    a.scan = _attempt(a, "scan", stscan.space_time_scan, a.incidents, progress=progress)


def _near_repeat(a: _Analyses, progress: Callable[[float], None] | None = None) -> None:
    """The near-repeat test the user ran, or the default: the burglaries (else the commonest)."""
    settings = dict(a.work.near_repeat or {})
    offences = settings.pop("offences", None)
    inc = a.incidents
    if offences is None:
        counts = inc["offence"].astype("str").value_counts()
        present = [str(o) for o in counts.index[counts.to_numpy() > 0]]
        offences = [o for o in present if "burglary" in o.lower()][:1] or present[:1]
    subset = inc.loc[inc["offence"].astype("str").isin(offences).to_numpy()]
    a.knox_offences = tuple(offences)
    if len(subset):
        a.knox = _attempt(a, "knox", near_repeat.knox_test, subset, progress=progress, **settings)


def _allocation(a: _Analyses, scenario: alloc_mod.Scenario | None) -> None:
    """The session's allocation scenario, or the Allocation page's defaults."""
    if scenario is None:
        scenario = _attempt(a, "allocation", _default_scenario, a.data)
        a.allocation_default = scenario is not None
        if scenario is None:
            return
    scores = alloc_mod.priority_scores(a.ranking.table) if a.ranking is not None else None
    run = _attempt(
        a, "allocation", alloc_mod.run_scenario, a.incidents, a.data.districts, scenario,
        harm_weights=a.assessment.harm_weights if a.assessment is not None else None,
        priority_scores=scores, classes=a.data.offence_classes,
    )  # fmt: skip
    if run is None:
        a.allocation_default = False
        return
    a.allocation = run.allocation
    a.allocation_areas = run.polygons
    if not a.allocation_default:  # the annex states the page's settings as the page saved them
        a.allocation_scenario = {
            "areas": scenario.areas,
            "measure": scenario.measure,
            "top_n": scenario.top_n,
            **run.allocation.settings,
        }


def _comparison(incidents: pd.DataFrame, last: dt.date) -> temporal.PeriodComparison:
    """The When page's default comparison of two periods.

    This quarter to date against the same days a year earlier; the last 28 days
    against the 28 before when the data hold less than a year.
    """
    try:
        return temporal.compare_periods(incidents, *temporal.quarter_vs_last_year(last))
    except IlpInputError:
        return temporal.compare_periods(incidents, *temporal.recent_vs_previous(last))


def _default_scenario(data: Dataset) -> alloc_mod.Scenario:
    """The Allocation page's defaults: districts, incidents, proportional, floor 40 h, 8-h steps.

    The total is today's (the dataset's current allocation), in whole 8-hour
    shifts when it is a multiple of 8 hours, else in unrounded hours.
    """
    if data.districts is None or data.allocation is None:
        raise IlpInputError("report.no_allocation")
    names = data.districts["district"].astype(str).tolist()
    current = alloc_mod.check_current(data.allocation, names)
    total = float(current.sum())
    step = (
        alloc_mod.DEFAULT_STEP_HOURS
        if math.isclose(total % alloc_mod.DEFAULT_STEP_HOURS, 0.0)
        else None
    )
    return alloc_mod.Scenario(
        areas="districts",
        measure="incidents",
        method=alloc_mod.DEFAULT_METHOD,
        total_hours=total,
        floor=alloc_mod.DEFAULT_FLOOR_HOURS,
        step=step,
        current_hours=current.to_dict(),
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
    ranking = a.ranking
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
