"""The options of the allocation step and their defaults, each written once.

The library's functions take these as their keyword defaults, the Allocation
page's widgets start from them, and the report uses them when the user made no
allocation: a default changed here changes everywhere, and the page never shows
a value that the library would not use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, get_args

Method = Literal["proportional", "match_share", "harm_prevented"]
METHODS: Final[tuple[str, ...]] = get_args(Method)
#: The method :func:`~ilp_core.decide.allocation.allocate` uses unless told otherwise.
DEFAULT_METHOD: Final[Method] = "proportional"
TravelModel = Literal["tour", "share"]
TRAVEL_MODELS: Final[tuple[str, ...]] = get_args(TravelModel)
#: Values of the ``limited_by`` column: which bound holds an area's recommended hours.
LIMITS: Final[tuple[str, ...]] = ("floor", "ceiling", "change_limit")
#: Koper (1995): stops of about 10-15 minutes gave the longest residual deterrence.
KOPER_DWELL_MINUTES: Final[tuple[float, float]] = (10.0, 15.0)

#: The Allocation page's defaults for districts, also used by the report when the user
#: made no allocation: at least 40 officer-hours a week per district, in 8-hour steps.
DEFAULT_FLOOR_HOURS: Final[float] = 40.0
DEFAULT_STEP_HOURS: Final[float] = 8.0
#: Hot-spot cells start without a floor: a cell that is no longer hot may lose all its hours.
DEFAULT_CELL_FLOOR_HOURS: Final[float] = 0.0
#: Officer-hours a week per area offered as the total when no current allocation is known
#: (one full-time officer).
DEFAULT_HOURS_PER_AREA: Final[float] = 40.0
#: Granularities offered on the page, in hours (``None``: unrounded hours).
STEP_CHOICES: Final[tuple[float | None, ...]] = (DEFAULT_STEP_HOURS, 4.0, 1.0, None)
#: Largest ``max_change_share`` accepted: 10 = ten times today's hours.
MAX_CHANGE_SHARE: Final[float] = 10.0
#: Hot-spot cells ranked by :func:`~ilp_core.decide.allocation.cell_demand` by default.
DEFAULT_TOP_N: Final[int] = 50
#: Hot spots proposed for a patrol plan (the busiest cells).
DEFAULT_PATROL_SPOTS: Final[int] = 10


@dataclass(frozen=True)
class PatrolDefaults:
    """The settings of a Koper-curve patrol plan when none is given.

    :func:`~ilp_core.decide.allocation.patrol_plan` takes these as its keyword
    defaults; :data:`PATROL_RANGES` gives the range each one accepts.

    Attributes
    ----------
    dwell_minutes
        Minutes on a spot per visit (Koper 1995: about 15).
    visits_per_shift
        Rounds through every spot in one shift.
    shift_hours
        Length of a shift.
    shifts_per_week
        Shifts per week that carry the patrol (14 = two shifts a day).
    travel
        ``tour`` (distances along a closed tour) or ``share`` (a stated overhead).
    speed_kmh
        Average patrol speed between spots (``tour``).
    overhead_share
        Share of patrol time spent travelling (``share``).
    officers_per_unit
        Officers in a patrol unit.

    Examples
    --------
    >>> PATROL_DEFAULTS.dwell_minutes, PATROL_RANGES["dwell_minutes"]
    (15.0, (1.0, 120.0))
    """

    dwell_minutes: float = 15.0
    visits_per_shift: int = 3
    shift_hours: float = 8.0
    shifts_per_week: int = 14
    travel: TravelModel = "tour"
    speed_kmh: float = 20.0
    overhead_share: float = 0.25
    officers_per_unit: int = 1


PATROL_DEFAULTS: Final[PatrolDefaults] = PatrolDefaults()
#: Inclusive range of each numeric patrol setting; whole-number bounds mark settings
#: that must be whole numbers.
PATROL_RANGES: Final[Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "dwell_minutes": (1.0, 120.0),
        "visits_per_shift": (1, 48),
        "shift_hours": (1.0, 24.0),
        "shifts_per_week": (1, 21),
        "speed_kmh": (1.0, 120.0),
        "overhead_share": (0.0, 0.9),
        "officers_per_unit": (1, 4),
    }
)
