"""Hot-spot patrol on the Koper curve: units, officer-hours, a tour and an irregular timetable.

:func:`patrol_plan` turns short visits of about 15 minutes to the busiest hot spots
(Koper 1995) into rounds per shift, patrol units and officer-hours per week, travel
included (a closed tour through the spots, or a stated overhead share);
:func:`visit_timetable` spreads one shift's rounds at unpredictable times. Its
defaults are :data:`~ilp_core.decide.allocation.PATROL_DEFAULTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import distance

from ilp_core import checks
from ilp_core.data import geo
from ilp_core.decide.allocation._common import num, plain
from ilp_core.decide.allocation._defaults import (
    KOPER_DWELL_MINUTES,
    PATROL_DEFAULTS,
    PATROL_RANGES,
    TRAVEL_MODELS,
    TravelModel,
)
from ilp_core.errors import IlpInputError, Message


@dataclass(frozen=True)
class PatrolPlan:
    """Officer-hours that a Koper-curve patrol of chosen hot spots needs.

    Attributes
    ----------
    table
        One row per hot spot in tour order: ``order``, ``unit``, ``area``,
        ``visits_per_shift``, ``visits_per_week``, ``minutes_on_spot_per_week``,
        ``hours_on_spot_per_week``, ``lat``, ``lon``.
    round_minutes
        The longest round of a unit (its spots' dwell times plus travel): at most
        ``shift_hours * 60 / visits_per_shift``.
    unit_round_minutes
        The round of each patrol unit.
    dwell_minutes_per_round, travel_minutes_per_round
        The two parts of one round of every spot (all units together).
    tour_km
        Length of the closed tours of all units (``tour`` travel model; NaN with
        a stated overhead share).
    travel_share
        Share of patrol time spent travelling.
    officer_hours_per_week
        Patrol time of all units for all visits (dwell and travel) times
        ``officers_per_unit``.
    units_needed
        Patrol units on duty at once so that every unit's rounds fit in a shift;
        each takes a consecutive stretch of the tour.
    minutes_between_visits
        Average gap between two visits to the same spot.
    settings
        The parameters used (JSON-ready).
    warnings
        E.g. a dwell time outside Koper's 10-15 minutes.
    """

    table: pd.DataFrame
    round_minutes: float
    unit_round_minutes: tuple[float, ...]
    dwell_minutes_per_round: float
    travel_minutes_per_round: float
    tour_km: float
    travel_share: float
    officer_hours_per_week: float
    units_needed: int
    minutes_between_visits: float
    settings: Mapping[str, Any]
    warnings: tuple[Message, ...] = field(default=())


def patrol_plan(
    spots: pd.DataFrame,
    *,
    dwell_minutes: float = PATROL_DEFAULTS.dwell_minutes,
    visits_per_shift: int = PATROL_DEFAULTS.visits_per_shift,
    shift_hours: float = PATROL_DEFAULTS.shift_hours,
    shifts_per_week: int = PATROL_DEFAULTS.shifts_per_week,
    travel: TravelModel = PATROL_DEFAULTS.travel,
    speed_kmh: float = PATROL_DEFAULTS.speed_kmh,
    overhead_share: float = PATROL_DEFAULTS.overhead_share,
    officers_per_unit: int = PATROL_DEFAULTS.officers_per_unit,
) -> PatrolPlan:
    """Turn a hot-spot patrol on the Koper curve into visits per shift and officer-hours per week.

    Each shift, a patrol unit makes ``visits_per_shift`` rounds; a round visits
    every hot spot once and stays ``dwell_minutes`` at each (Koper 1995 found
    about 15 minutes gave the longest deterrence after the officers left, and
    that longer stops add little). The rounds should start at unpredictable
    times (:func:`visit_timetable`). Travel is either the length of a closed
    tour through the hot spots at ``speed_kmh`` (a nearest-neighbour tour
    improved by 2-opt; straight lines, so streets make it longer), or a stated
    ``overhead_share`` of patrol time. The defaults are those of
    :class:`~ilp_core.decide.allocation.PatrolDefaults`, the ranges those of
    :data:`~ilp_core.decide.allocation.PATROL_RANGES`.

    Parameters
    ----------
    spots
        Hot spots with ``area``, ``lat`` and ``lon`` (e.g. :func:`cell_demand`).
    dwell_minutes
        Minutes on a spot per visit (1 to 120).
    visits_per_shift
        Visits to every spot in one shift (rounds per shift, 1 to 48).
    shift_hours, shifts_per_week
        Length of a shift and how many shifts per week carry the patrol (e.g. 14
        = two shifts a day).
    travel
        ``tour`` (distances) or ``share`` (a stated overhead).
    speed_kmh
        Average patrol speed between spots, km/h (``tour``).
    overhead_share
        Share of patrol time spent travelling (``share``), 0 to 0.9.
    officers_per_unit
        Officers in a patrol unit (1 or 2): officer-hours = unit-hours x this.

    Returns
    -------
    PatrolPlan

    Raises
    ------
    IlpInputError
        ``allocation.no_spots``; ``checks.option`` (``travel``), ``checks.number``
        or ``checks.whole`` (a setting outside its range, naming the setting and
        the range); ``allocation.visits_do_not_fit`` when the visits' dwell times
        alone exceed the shift.

    References
    ----------
    Koper, C. S. (1995). Just enough police presence: reducing crime and
    disorderly behavior by optimizing patrol time in crime hot spots.
    *Justice Quarterly* 12(4), 649-672.

    Examples
    --------
    >>> spots = pd.DataFrame({"area": ["a", "b"], "lat": [45.0, 45.0], "lon": [-30.0, -29.99]})
    >>> p = patrol_plan(spots, speed_kmh=20.0)  # 0.789 km apart: 1.58 km tour, 4.7 min
    >>> round(p.tour_km, 2), round(p.round_minutes, 1), round(p.officer_hours_per_week, 1)
    (1.58, 34.7, 24.3)
    """
    travel = checks.option("travel", travel, TRAVEL_MODELS)
    dwell = _number("dwell_minutes", dwell_minutes)
    visits = _whole("visits_per_shift", visits_per_shift)
    hours = _number("shift_hours", shift_hours)
    shifts = _whole("shifts_per_week", shifts_per_week)
    speed = _number("speed_kmh", speed_kmh)
    overhead = _number("overhead_share", overhead_share)
    officers = _whole("officers_per_unit", officers_per_unit)
    ok = spots[["lat", "lon"]].apply(pd.to_numeric, errors="coerce").notna().all(axis=1)
    spots = spots.loc[ok.to_numpy()]
    if len(spots) == 0:
        raise IlpInputError("allocation.no_spots")
    lat = spots["lat"].to_numpy(dtype=float)
    lon = spots["lon"].to_numpy(dtype=float)
    n = len(spots)
    shift_minutes = hours * 60.0
    if visits * dwell > shift_minutes:
        raise IlpInputError(
            "allocation.visits_do_not_fit",
            visits=visits,
            dwell=num(dwell),
            needed=num(visits * dwell),
            shift=num(shift_minutes),
        )
    order = _tour(lat, lon)[0] if travel == "tour" else np.arange(n)
    # Add patrol units until every unit's round fits ``visits`` times in a shift; each
    # unit takes a consecutive stretch of the tour and loops through it.
    for units in range(1, n + 1):
        groups = np.array_split(order, units)
        legs = [_round_travel(lat[g], lon[g], dwell, travel, speed, overhead) for g in groups]
        rounds = [len(g) * dwell + leg[1] for g, leg in zip(groups, legs, strict=True)]
        if visits * max(rounds) <= shift_minutes + 1e-9:
            break
    unit_of = np.concatenate([np.full(len(g), k + 1) for k, g in enumerate(groups)])
    travel_round = float(sum(leg[1] for leg in legs))
    dwell_round = n * dwell
    tour_km = float(sum(leg[0] for leg in legs)) if travel == "tour" else float("nan")
    rounds_per_week = visits * shifts
    unit_hours = rounds_per_week * (dwell_round + travel_round) / 60.0
    table = pd.DataFrame(
        {
            "order": np.arange(1, n + 1),
            "unit": unit_of,
            "area": spots["area"].astype(str).to_numpy()[order],
            "visits_per_shift": visits,
            "visits_per_week": rounds_per_week,
            "minutes_on_spot_per_week": rounds_per_week * dwell,
            "hours_on_spot_per_week": rounds_per_week * dwell / 60.0,
            "lat": lat[order],
            "lon": lon[order],
        }
    )
    warnings: list[Message] = []
    low, high = KOPER_DWELL_MINUTES
    if not low <= dwell <= high:
        warnings.append(
            Message(
                "allocation.dwell_off_koper",
                {"dwell": num(dwell), "low": num(low), "high": num(high)},
            )
        )
    if units > 1:
        warnings.append(Message("allocation.several_units", {"units": units}))
    settings = {
        "dwell_minutes": plain(dwell),
        "visits_per_shift": visits,
        "shift_hours": plain(hours),
        "shifts_per_week": shifts,
        "travel": travel,
        "speed_kmh": plain(speed),
        "overhead_share": plain(overhead),
        "officers_per_unit": officers,
        "n_spots": n,
    }
    return PatrolPlan(
        table=table,
        round_minutes=max(rounds),
        unit_round_minutes=tuple(float(r) for r in rounds),
        dwell_minutes_per_round=dwell_round,
        travel_minutes_per_round=travel_round,
        tour_km=tour_km,
        travel_share=travel_round / (dwell_round + travel_round),
        officer_hours_per_week=unit_hours * officers,
        units_needed=units,
        minutes_between_visits=shift_minutes / visits,
        settings=settings,
        warnings=tuple(warnings),
    )


def visit_timetable(plan: PatrolPlan, *, random_state: int = 0) -> pd.DataFrame:
    """Return one shift's irregular timetable: when each unit reaches each of its spots.

    The shift is cut into ``visits_per_shift`` equal slots; in each slot, every
    patrol unit starts its round at a random time (uniform over the slack the
    slot leaves after the round), so visits are spread over the shift but no
    one can predict them (Koper 1995: return at unpredictable intervals).
    Travel time is shared evenly between the legs of a unit's round.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``round``, ``order``, ``area``, ``arrive_minute`` (from the
        start of the shift) and ``leave_minute``, by unit then time.

    Examples
    --------
    >>> spots = pd.DataFrame({"area": ["a", "b"], "lat": [45.0, 45.0], "lon": [-30.0, -29.99]})
    >>> t = visit_timetable(patrol_plan(spots), random_state=1)
    >>> len(t), bool((t["leave_minute"] <= 480).all()), t["area"].tolist()[:2]
    (6, True, ['a', 'b'])
    """
    rng = np.random.default_rng(random_state)
    rounds = int(plan.settings["visits_per_shift"])
    slot = float(plan.settings["shift_hours"]) * 60.0 / rounds
    dwell = float(plan.settings["dwell_minutes"])
    rows = []
    for u, round_minutes in enumerate(plan.unit_round_minutes, start=1):
        spots = plan.table.loc[plan.table["unit"] == u, "area"].tolist()
        leg = (round_minutes - dwell * len(spots)) / len(spots)
        for r in range(rounds):
            start = r * slot + rng.uniform(0.0, max(slot - round_minutes, 0.0))
            for k, area in enumerate(spots):
                arrive = start + k * (dwell + leg)
                rows.append((u, r + 1, k + 1, area, arrive, arrive + dwell))
    columns = ["unit", "round", "order", "area", "arrive_minute", "leave_minute"]
    return pd.DataFrame(rows, columns=columns)


def _number(name: str, value: Any) -> float:
    """A patrol setting checked against its range in :data:`PATROL_RANGES`."""
    low, high = PATROL_RANGES[name]
    return checks.number(name, value, minimum=low, maximum=high)


def _whole(name: str, value: Any) -> int:
    """A whole-number patrol setting checked against its range in :data:`PATROL_RANGES`."""
    low, high = PATROL_RANGES[name]
    return checks.whole(name, value, minimum=int(low), maximum=int(high))


def _round_travel(
    lat: np.ndarray,
    lon: np.ndarray,
    dwell: float,
    travel: str,
    speed_kmh: float,
    overhead_share: float,
) -> tuple[float, float]:
    """(tour km, travel minutes) of one round through the given spots."""
    if travel == "share":
        share = float(overhead_share)
        return float("nan"), len(lat) * dwell * share / (1.0 - share)
    km = _tour(lat, lon)[1] / 1000.0
    return km, km / float(speed_kmh) * 60.0


def _tour(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, float]:
    """A short closed tour (nearest neighbour, then 2-opt) and its length in metres."""
    crs = geo.utm_crs(lat, lon)
    projected = geo.project(pd.DataFrame({"lat": lat, "lon": lon}), crs)
    x, y = projected.x, projected.y
    n = len(x)
    if n == 1:
        return np.array([0]), 0.0
    dist = distance.squareform(distance.pdist(np.column_stack([x, y])))
    order = [0]
    free = np.ones(n, dtype=bool)
    free[0] = False
    for _ in range(n - 1):
        last = order[-1]
        nxt = int(np.argmin(np.where(free, dist[last], np.inf)))
        order.append(nxt)
        free[nxt] = False
    tour = np.array(order)
    improved = n > 3
    while improved:  # 2-opt: reverse a segment whenever that shortens the tour
        improved = False
        for i in range(1, n - 1):
            a, b = tour[i - 1], tour[i]
            c, e = tour[i:][1:], np.roll(tour, -1)[i + 1 :]
            gain = dist[a, b] + dist[c, e] - dist[a, c] - dist[b, e]
            j = int(np.argmax(gain)) if len(gain) else -1
            if j >= 0 and gain[j] > 1e-9:
                tour[i : i + j + 2] = tour[i : i + j + 2][::-1]
                improved = True
    length = float(dist[tour, np.roll(tour, -1)].sum())
    return tour, length
