"""A whole allocation scenario as plain settings, and the one function that runs it.

A :class:`Scenario` is what the Allocation page's widgets hold: the areas (districts
or hot-spot cells), the demand measure, every setting of :func:`allocate` and the
current hours per area the user entered or uploaded. It saves as plain JSON
values (:meth:`Scenario.to_dict`) in a session file, and :func:`run_scenario`
turns it back into the same recommendation: the page and the report both call
it, so they cannot differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal, get_args

import geopandas as gpd
import pandas as pd

from ilp_core import checks
from ilp_core.decide import harm
from ilp_core.decide.allocation._allocate import Allocation, allocate
from ilp_core.decide.allocation._common import plain
from ilp_core.decide.allocation._current import check_current
from ilp_core.decide.allocation._defaults import (
    DEFAULT_METHOD,
    DEFAULT_TOP_N,
    MAX_CHANGE_SHARE,
    METHODS,
)
from ilp_core.decide.allocation._demand import cell_demand, demand_weights, district_demand
from ilp_core.errors import IlpInputError

AreaKind = Literal["districts", "cells"]
#: What the hours are spread over: districts, or the busiest Gi* hot-spot cells.
AREA_KINDS: Final[tuple[str, ...]] = get_args(AreaKind)
Measure = Literal["incidents", "harm", "priority"]
#: What demand counts: incidents, their harm, or harm weighted by the priority score.
MEASURES: Final[tuple[str, ...]] = get_args(Measure)
#: Most hot-spot cells a scenario may rank (as :func:`cell_demand` accepts).
MAX_TOP_N: Final[int] = 100_000


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """An allocation scenario: everything needed to compute the recommendation again.

    Every setting but ``areas``, ``measure``, ``top_n`` and ``current_hours`` is
    the :func:`allocate` argument of the same name, with the same default.

    Attributes
    ----------
    areas
        ``districts`` or ``cells`` (the ``top_n`` hot-spot cells of :func:`cell_demand`).
    measure
        ``incidents``, ``harm`` (days of custody) or ``priority`` (harm times the
        relative priority score, :func:`demand_weights`).
    top_n
        Hot-spot cells kept (``cells`` only; recorded either way).
    method, total_hours, step, floor, ceiling, max_change_hours, max_change_share,
    saturation, max_segments
        As for :func:`allocate`.
    current_hours
        Today's hours per area (``{district: hours}``, in the areas' order), as
        entered or uploaded; None when unknown.

    Raises
    ------
    IlpInputError
        ``checks.option`` (``areas``, ``measure``, ``method``), ``checks.whole``
        (``top_n``, ``max_segments``), ``checks.number`` (hours, shares, the
        current hours of an area: named ``current_hours[<area>]``).

    Examples
    --------
    >>> s = Scenario(total_hours=96, step=8, current_hours={"A": 48, "B": 48})
    >>> Scenario.from_dict(s.to_dict()) == s
    True
    >>> s.to_dict()["current_hours"]
    {'A': 48, 'B': 48}
    """

    areas: AreaKind = "districts"
    measure: Measure = "incidents"
    top_n: int = DEFAULT_TOP_N
    method: str = DEFAULT_METHOD
    total_hours: float
    step: float | None = 1.0
    floor: float = 0.0
    ceiling: float | None = None
    max_change_hours: float | None = None
    max_change_share: float | None = None
    saturation: float | None = None
    max_segments: int = 32
    current_hours: Mapping[str, float] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        """Check every setting and keep it as a plain number."""
        checked = {
            "areas": checks.option("areas", self.areas, AREA_KINDS),
            "measure": checks.option("measure", self.measure, MEASURES),
            "top_n": checks.whole("top_n", self.top_n, minimum=1, maximum=MAX_TOP_N),
            "method": checks.option("method", self.method, METHODS),
            "total_hours": checks.positive("total_hours", self.total_hours),
            "step": _optional(checks.positive, "step", self.step),
            "floor": checks.number("floor", self.floor, minimum=0.0),
            "ceiling": _optional(_hours, "ceiling", self.ceiling),
            "max_change_hours": _optional(_hours, "max_change_hours", self.max_change_hours),
            "max_change_share": _optional(_change_share, "max_change_share", self.max_change_share),
            "saturation": _optional(checks.positive, "saturation", self.saturation),
            "max_segments": checks.whole(
                "max_segments", self.max_segments, minimum=2, maximum=1000
            ),
            "current_hours": _current(self.current_hours),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as plain JSON values (whole hours as integers)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "current_hours":
                out[f.name] = None if value is None else {k: plain(v) for k, v in value.items()}
            elif isinstance(value, float):
                out[f.name] = plain(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Read a scenario from :meth:`to_dict`'s values; an unknown setting is refused.

        Raises
        ------
        IlpInputError
            ``checks.option`` naming an unknown setting (``scenario``), the
            errors of the settings' checks, and ``checks.number`` when
            ``total_hours`` is missing.
        """
        names = [f.name for f in fields(cls)]
        for key in data:
            checks.option("scenario", key, names)
        return cls(**{"total_hours": None, **dict(data)})


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario run: the recommendation, the areas' shapes, and the weights used.

    Attributes
    ----------
    scenario
        The scenario run.
    allocation
        The recommendation (:func:`allocate`).
    polygons
        The areas' polygons for a map: the districts (None when the data have no
        boundaries) or the hot-spot cells (with their demand, :func:`cell_demand`).
    weights
        Weight of each offence type in the demand (None: incidents counted).
    unweighted
        Offence types that have no harm weight of their own (no class, or a class
        without a weight) and weigh ``default_days``, the placeholder a page must
        name: never weighted silently.
    default_days
        The placeholder's days.
    caveats
        ``{offence: {language: caveat}}`` of offences weighted by a broad class (a
        blend over harm levels), for the page and the report to show where the
        weight is used (:func:`ilp_core.decide.harm.caveat_in` picks the language).
    """

    scenario: Scenario
    allocation: Allocation
    polygons: gpd.GeoDataFrame | None
    weights: Mapping[str, float] | None
    unweighted: tuple[str, ...] = ()
    default_days: float = 0.0
    caveats: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def run_scenario(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None,
    scenario: Scenario | Mapping[str, Any],
    *,
    harm_weights: Mapping[str, float] | None = None,
    priority_scores: Mapping[str, float] | None = None,
    classes: Mapping[str, str | None] | None = None,
) -> ScenarioResult:
    """Compute a scenario's recommendation: demand per area, today's hours, then :func:`allocate`.

    For a manager this is the Allocation page's answer for the settings saved in
    the scenario; the report and a saved session call it with the same scenario
    and get the same hours.

    Parameters
    ----------
    incidents
        The incidents in view (canonical table).
    districts
        District boundaries (their polygons and areas), or None for the
        districts named in the incidents.
    scenario
        A :class:`Scenario` or its :meth:`~Scenario.to_dict`.
    harm_weights
        Days of custody per offence type, as set in the priority assessment;
        offence types it does not list take the bundled harm table's days
        (:func:`ilp_core.decide.harm.weight_for`). Used by the ``harm`` and
        ``priority`` measures.
    priority_scores
        Priority score per offence type (:func:`priority_scores` of the
        ranking); needed by the ``priority`` measure.

    classes
        The dataset's confirmed offence classification: offences the assessment
        does not weigh get their class's default harm weight.

    Returns
    -------
    ScenarioResult

    Raises
    ------
    IlpInputError
        The errors of :class:`Scenario`, :func:`district_demand`,
        :func:`cell_demand`, :func:`check_current` and :func:`allocate`;
        ``allocation.bad_weights`` for the ``priority`` measure without
        priority scores.

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> inc = example_incidents(["Theft"] * 3 + ["Robbery"], district=["A", "A", "A", "B"])
    >>> s = Scenario(measure="harm", total_hours=80, step=8, current_hours={"A": 40, "B": 40})
    >>> run = run_scenario(inc, None, s, harm_weights={"Theft": 10.0, "Robbery": 90.0})
    >>> run.allocation.table[["area", "demand", "recommended_hours"]].to_numpy().tolist()
    [['A', 30.0, 16.0], ['B', 90.0, 64.0]]
    """
    s = scenario if isinstance(scenario, Scenario) else Scenario.from_dict(scenario)
    weights, harm_notes = _weights(s.measure, incidents, harm_weights, priority_scores, classes)
    if s.areas == "districts":
        demand = district_demand(incidents, districts, weights=weights)
        polygons = districts
    else:
        demand = cell_demand(incidents, districts, top_n=s.top_n, weights=weights)
        polygons = demand
    current = None
    if s.current_hours is not None:
        table = pd.DataFrame(
            {"district": list(s.current_hours), "hours_per_week": list(s.current_hours.values())}
        )
        current = check_current(table, demand["area"].tolist())
    result = allocate(
        demand,
        s.total_hours,
        method=s.method,  # type: ignore[arg-type]
        current=current,
        floor=s.floor,
        ceiling=s.ceiling,
        max_change_hours=s.max_change_hours,
        max_change_share=s.max_change_share,
        step=s.step,
        saturation=s.saturation,
        max_segments=s.max_segments,
    )
    return ScenarioResult(s, result, polygons, weights, **harm_notes)


def priority_scores(table: pd.DataFrame) -> dict[str, float] | None:
    """Priority score per offence type from a ranked table (``priorities.Ranking.table``).

    None when the problems are not plain offence types (offence by district,
    problems defined by hand): priority-weighted harm then has no meaning.

    Examples
    --------
    >>> t = pd.DataFrame({"kind": ["offence", "offence"], "offence": ["Robbery", "Theft"],
    ...                   "score": [80.0, 40.0]})
    >>> priority_scores(t)
    {'Robbery': 80.0, 'Theft': 40.0}
    """
    if not {"kind", "offence", "score"} <= set(table.columns):
        return None
    rows = table[table["kind"].astype(str) == "offence"]
    if rows.empty:
        return None
    return dict(zip(rows["offence"].astype(str), rows["score"].astype(float), strict=True))


def _weights(
    measure: str,
    incidents: pd.DataFrame,
    harm_weights: Mapping[str, float] | None,
    scores: Mapping[str, float] | None,
    classes: Mapping[str, str | None] | None,
) -> tuple[dict[str, float] | None, dict[str, Any]]:
    """Weight per offence type of the measure (None: count incidents), and the harm notes.

    Each offence weighs its class's default (:func:`ilp_core.decide.harm.default_weights`)
    unless ``harm_weights`` (the assessment's) gives its own; an offence with neither
    weighs the placeholder and is named in the notes.
    """
    if measure == "incidents":
        return None, {}
    offences = sorted({str(o) for o in incidents["offence"].dropna().unique()})
    found = harm.default_weights(offences, classes)
    table = found.table
    given = {str(o): float(d) for o, d in (harm_weights or {}).items()}
    weights = {}
    for row in table.itertuples():
        offence = str(row.offence)
        if offence in given:
            weights[offence] = given[offence]
        elif row.has_weight:
            weights[offence] = float(row.days)
        else:
            weights[offence] = float(found.unknown_offence_days)
    notes = {
        "unweighted": tuple(o for o in found.unweighted() if o not in given),
        "default_days": float(found.unknown_offence_days),
        "caveats": {
            str(r.offence): dict(r.caveats)
            for r in table.itertuples()
            if r.caveats and str(r.offence) not in given
        },
    }
    if measure == "harm":
        return weights, notes
    if not scores:
        raise IlpInputError("allocation.bad_weights", offences="priority")
    return demand_weights(weights, scores), notes


def _optional(check: Any, name: str, value: Any) -> float | None:
    return None if value is None else check(name, value)


def _hours(name: str, value: Any) -> float:
    return checks.number(name, value, minimum=0.0)


def _change_share(name: str, value: Any) -> float:
    return checks.number(name, value, minimum=0.0, maximum=MAX_CHANGE_SHARE)


def _current(hours: Mapping[str, Any] | None) -> dict[str, float] | None:
    """Today's hours per area, checked (zero or more), keys as text, order kept."""
    if hours is None:
        return None
    if not isinstance(hours, Mapping):
        raise TypeError(f"current_hours must be a mapping of area to hours, not {type(hours)}")
    return {str(k): checks.number(f"current_hours[{k}]", v, minimum=0.0) for k, v in hours.items()}
