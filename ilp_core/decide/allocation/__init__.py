"""Resource allocation: spend a fixed number of officer-hours on the places that need them.

The last step of the intelligence-led policing cycle ("allocate resources
accordingly"). A manager has ``total_hours`` officer-hours per week; each area
(a district, or a hot-spot cell) has a demand (incidents, harm, or
priority-weighted harm over the period analysed) and, usually, a current
allocation. This package answers three questions:

* **How would the hours be spread if they followed demand?**
  :func:`allocate` with ``method="proportional"``: hours proportional to demand
  (the Cambridge Crime Harm Index practice of putting resources where the harm
  is), within a floor and a ceiling per area (exact water-filling,
  :func:`water_fill`) and in whole hours or shifts (largest-remainder rounding,
  :func:`largest_remainder`).
* **What is the best allocation under the constraints?**
  ``method="match_share"`` (the allocation closest to the demand shares, an LP)
  or ``method="harm_prevented"`` (the most harm prevented when every extra hour
  in an area buys a little less than the one before), both solved exactly with
  SciPy's HiGHS (:func:`scipy.optimize.linprog`, :func:`scipy.optimize.milp`),
  in whole steps when asked.
* **What does a hot-spot patrol cost?** :func:`patrol_plan` turns the Koper curve
  (short visits of about 15 minutes at unpredictable times) into visits per
  shift and officer-hours, travel included.

:func:`coverage_curve` shows how concentrated the demand is and how each
allocation follows it. Every result is decision support: it rests on recorded
crime and on a stated response model, and it informs, not replaces, the
manager's decision.

Bad input raises :class:`~ilp_core.errors.IlpInputError` with a message that
names the conflict and the numbers (``allocation.total_below_floors``, ...);
arguments of the wrong kind give the shared ``checks.*`` messages.

Where each family lives:

===============  ===================================================================
``_defaults``    the options and their defaults, each written once (:data:`METHODS`,
                 :data:`DEFAULT_FLOOR_HOURS`, :class:`PatrolDefaults`...): the
                 functions, the Allocation page and the report all read them
``_demand``      :func:`district_demand`, :func:`cell_demand` (Gi* hot cells),
                 :func:`demand_weights`
``_current``     :func:`check_current`, :func:`read_current` (today's allocation)
``_allocate``    :func:`allocate` -> :class:`Allocation`
``_bounds``      floors, ceilings and maximum change per area, in whole steps
``_solve``       :func:`water_fill`, :func:`largest_remainder`,
                 :func:`expected_prevented` and the two linear programmes
``_coverage``    :func:`coverage_curve` -> :class:`CoverageCurve`;
                 :func:`compare_scenarios`, :func:`scenario_metrics`
``_scenario``    :class:`Scenario` (a page's settings with today's hours, saved as
                 JSON) and :func:`run_scenario` -> :class:`ScenarioResult`: the one
                 way the page, the report and a saved session compute an allocation;
                 :func:`priority_scores` of a ranking
``_patrol``      :func:`patrol_plan` -> :class:`PatrolPlan` (with the tour);
                 :func:`visit_timetable`
``_common``      tolerances, figures in messages, JSON-ready settings
===============  ===================================================================
"""

from ilp_core.decide.allocation._allocate import Allocation, allocate
from ilp_core.decide.allocation._coverage import (
    MARGINAL_HOURS,
    CoverageCurve,
    compare_scenarios,
    coverage_curve,
    marginal_gain,
    scenario_metrics,
)
from ilp_core.decide.allocation._current import check_current, read_current
from ilp_core.decide.allocation._defaults import (
    DEFAULT_CELL_FLOOR_HOURS,
    DEFAULT_FLOOR_HOURS,
    DEFAULT_HOURS_PER_AREA,
    DEFAULT_METHOD,
    DEFAULT_PATROL_SPOTS,
    DEFAULT_STEP_HOURS,
    DEFAULT_TOP_N,
    KOPER_DWELL_MINUTES,
    LIMITS,
    MAX_CHANGE_SHARE,
    METHODS,
    PATROL_DEFAULTS,
    PATROL_RANGES,
    STEP_CHOICES,
    TRAVEL_MODELS,
    Method,
    PatrolDefaults,
    TravelModel,
)
from ilp_core.decide.allocation._demand import cell_demand, demand_weights, district_demand
from ilp_core.decide.allocation._patrol import PatrolPlan, patrol_plan, visit_timetable
from ilp_core.decide.allocation._scenario import (
    AREA_KINDS,
    MEASURES,
    AreaKind,
    Measure,
    Scenario,
    ScenarioResult,
    priority_scores,
    run_scenario,
)
from ilp_core.decide.allocation._solve import expected_prevented, largest_remainder, water_fill

__all__ = [
    "AREA_KINDS",
    "DEFAULT_CELL_FLOOR_HOURS",
    "DEFAULT_FLOOR_HOURS",
    "DEFAULT_HOURS_PER_AREA",
    "DEFAULT_METHOD",
    "DEFAULT_PATROL_SPOTS",
    "DEFAULT_STEP_HOURS",
    "DEFAULT_TOP_N",
    "KOPER_DWELL_MINUTES",
    "LIMITS",
    "MARGINAL_HOURS",
    "MAX_CHANGE_SHARE",
    "MEASURES",
    "METHODS",
    "PATROL_DEFAULTS",
    "PATROL_RANGES",
    "STEP_CHOICES",
    "TRAVEL_MODELS",
    "Allocation",
    "AreaKind",
    "CoverageCurve",
    "Measure",
    "Method",
    "PatrolDefaults",
    "PatrolPlan",
    "Scenario",
    "ScenarioResult",
    "TravelModel",
    "allocate",
    "cell_demand",
    "check_current",
    "compare_scenarios",
    "coverage_curve",
    "demand_weights",
    "district_demand",
    "expected_prevented",
    "largest_remainder",
    "marginal_gain",
    "patrol_plan",
    "priority_scores",
    "read_current",
    "run_scenario",
    "scenario_metrics",
    "visit_timetable",
    "water_fill",
]
