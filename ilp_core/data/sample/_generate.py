"""Building the region: :func:`generate` and the tables it returns.

:func:`generate` checks its arguments, builds the city and its premises, samples
every offence's times and places (residential burglary through the near-repeat
process), adds from/to windows, and finishes the incident table (time order,
degrees, districts, ids, missing coordinates). The patrol allocation follows
population, and the planted ground truth (``planted.json``) is assembled from the
constants of :mod:`ilp_core.data.sample._spec` and counts of what was drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from ilp_core import checks
from ilp_core.data import geo
from ilp_core.data.sample._burglary import burglaries
from ilp_core.data.sample._city import build_city, build_pools, place
from ilp_core.data.sample._spec import (
    ABSORBER,
    CENTRE_LAT,
    CENTRE_LON,
    CITY_NAME,
    CRS,
    DEFAULT_INCIDENTS,
    HOME_BASE,
    HOTSPOTS,
    MAX_INCIDENTS,
    MIN_INCIDENTS,
    MISSING_COORDINATES_SHARE,
    N_DAYS,
    NR_BRANCHING,
    NR_DAYS,
    NR_DISTANCE_M,
    NR_FOLLOWUPS,
    NR_LAG_SCALE_DAYS,
    NR_OFFENCE,
    NR_SAME_HOME,
    NR_TRIGGER,
    OFFENCES,
    PATROL_HOURS_PER_WEEK,
    PEAK_CELLS,
    PERIOD_END,
    PERIOD_START,
    SEASONS,
    SEED,
    START,
    TRENDS,
)
from ilp_core.data.sample._time import (
    add_windows,
    cell_probabilities,
    day_table,
    sample_times,
    trend_rate,
)


@dataclass(frozen=True, eq=False)
class SampleRegion:
    """The synthetic region: what ``data/sample/`` holds, as frames.

    Attributes
    ----------
    incidents
        One row per incident with exactly the CSV columns ``incident_id``,
        ``occurred_at``, ``occurred_to`` (datetime64, NaT when a single time),
        ``offence``, ``lat``, ``lon`` (NaN when geocoded to the district only),
        ``district`` and ``location_id`` (NaN for street incidents), sorted by time.
    districts
        GeoDataFrame in EPSG:4326 with ``district``, ``population`` and ``geometry``.
    allocation
        Current patrol allocation: ``district``, ``hours_per_week``.
    planted
        The ground truth, exactly the content of ``planted.json``.
    """

    incidents: pd.DataFrame
    districts: gpd.GeoDataFrame
    allocation: pd.DataFrame
    planted: dict[str, Any]


def generate(n_incidents: int = DEFAULT_INCIDENTS, seed: int = SEED) -> SampleRegion:
    """Build the synthetic city "Meridian Bay" with known hot spots, trends and repeats.

    A trainer gets a realistic two-year crime picture (2024-2025) whose answers are
    known: every planted pattern is listed in ``SampleRegion.planted``. Scaling
    ``n_incidents`` keeps every rate (offence shares, hot-spot shares, trend,
    near-repeat trigger probability) and adds rows; the same arguments always give
    the same tables.

    Parameters
    ----------
    n_incidents
        Number of incident rows, from 1,000 to 10,000,000 (100,000 by default).
    seed
        Seed of ``numpy.random.default_rng``; a whole number from 0 to 2**32 - 1.

    Returns
    -------
    SampleRegion
        Incidents, districts, patrol allocation and the planted ground truth.

    Raises
    ------
    IlpInputError
        ``checks.whole`` when ``n_incidents`` or ``seed`` is not a whole number in
        its range.

    References
    ----------
    Johnson, S. D. et al. (2007). Space-time patterns of risk: a cross national
    assessment of residential burglary victimization. *Journal of Quantitative
    Criminology* 23, 201-219 (the near-repeat pattern planted here).

    Examples
    --------
    >>> region = generate(n_incidents=20_000)
    >>> len(region.incidents), len(region.districts)
    (20000, 20)
    >>> int(region.allocation["hours_per_week"].sum())
    4000
    >>> region.planted["rising_offence"]
    {'offence': 'Vehicle crime', 'change_pct': 40.0, 'monthly_change_pct': 1.56}
    """
    n_incidents = checks.whole(
        "n_incidents", n_incidents, minimum=MIN_INCIDENTS, maximum=MAX_INCIDENTS
    )
    seed = checks.seed("seed", seed)
    rng = np.random.default_rng(seed)
    city = build_city()
    pools = build_pools(rng, city)
    parts: list[dict[str, np.ndarray]] = []
    counts = _offence_counts(n_incidents)
    burglary = burglaries(rng, city, counts[NR_OFFENCE])
    counts[ABSORBER] += counts[NR_OFFENCE] - len(burglary["t"])
    for code, off in enumerate(OFFENCES):
        if off.name == NR_OFFENCE:
            part = burglary
        else:
            t = sample_times(rng, off, counts[off.name])
            part = place(rng, city, pools, off, t)
        part["offence"] = np.full(len(part["t"]), code, dtype=np.int16)
        part.setdefault("generation", np.zeros(len(part["t"]), dtype=np.int16))
        parts.append(part)
    table = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    add_windows(rng, table)
    incidents, hotspot_counts, locations = _finish_incidents(rng, city, pools, table)
    allocation = _allocation(city["districts"])
    planted = _planted(seed, city, incidents, hotspot_counts, locations)
    return SampleRegion(incidents, city["districts"], allocation, planted)


def _offence_counts(n: int) -> dict[str, int]:
    total = sum(o.share for o in OFFENCES)
    counts = {o.name: round(n * o.share / total) for o in OFFENCES}
    counts[ABSORBER] += n - sum(counts.values())
    return counts


def _finish_incidents(
    rng: np.random.Generator,
    city: Mapping[str, Any],
    pools: Mapping[str, Any],
    table: dict[str, np.ndarray],
) -> tuple[pd.DataFrame, dict[str, int], dict[str, Any]]:
    """Sort, convert to degrees, assign districts and ids, blank 1.5 % of coordinates."""
    n = len(table["t"])
    order = np.lexsort((np.arange(n), table["from"]))
    tab = {k: v[order] for k, v in table.items()}
    lon, lat = city["to_utm"].transform(
        tab["x"] + city["x0"],
        tab["y"] + city["y0"],
        direction=pyproj.enums.TransformDirection.INVERSE,
    )
    lat = np.round(np.asarray(lat), 6)
    lon = np.round(np.asarray(lon), 6)
    district = geo.assign_districts(lat, lon, city["districts"]).to_numpy()
    if pd.isna(district).any():
        raise RuntimeError("a sample incident fell outside every district")
    missing = rng.choice(n, size=round(MISSING_COORDINATES_SHARE * n), replace=False)
    lat[missing] = np.nan
    lon[missing] = np.nan

    occurred_at = START + tab["from"].astype("timedelta64[m]")
    occurred_to = np.where(
        tab["to"] >= 0, START + tab["to"].astype("timedelta64[m]"), np.datetime64("NaT")
    )
    year = occurred_at.astype("datetime64[Y]").astype(np.int64) + 1970
    first_2025 = int(np.searchsorted(year, 2025))
    seq = np.arange(n) + 1
    seq[first_2025:] -= first_2025
    width = max(6, len(str(max(first_2025, n - first_2025))))
    incident_id = (
        "SR-" + pd.Series(year, dtype="str") + "-" + pd.Series(seq, dtype="str").str.zfill(width)
    )

    key = tab["key"]
    has_key = key >= 0
    uniq, first = np.unique(key[has_key], return_index=True)
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(1, len(uniq) + 1)
    loc_number = np.zeros(n, dtype=np.int64)
    loc_number[has_key] = rank[np.searchsorted(uniq, key[has_key])]
    loc_width = max(6, len(str(len(uniq))))
    location_id = pd.Series(
        "L" + pd.Series(loc_number, dtype="str").str.zfill(loc_width), dtype="str"
    ).where(has_key)

    names = np.array([o.name for o in OFFENCES], dtype=object)
    incidents = pd.DataFrame(
        {
            "incident_id": pd.array(incident_id, dtype="str"),
            "occurred_at": occurred_at.astype("datetime64[ns]"),
            "occurred_to": occurred_to.astype("datetime64[ns]"),
            "offence": pd.array(names[tab["offence"]], dtype="str"),
            "lat": lat,
            "lon": lon,
            "district": pd.array(district, dtype="str"),
            "location_id": location_id.to_numpy(),
        }
    )
    comp = tab["comp"]
    hotspot_counts = {s.name: int((comp == h).sum()) for h, s in enumerate(HOTSPOTS)}
    kind = np.where(
        key >= HOME_BASE, "home", pools["kind"][np.clip(key, 0, len(pools["kind"]) - 1)]
    )
    locations = {
        "kind_by_id": pd.Series(kind[has_key], index=location_id[has_key].to_numpy())
        .groupby(level=0)
        .first(),
        "followups": int((tab["generation"] > 0).sum()),
    }
    return incidents, hotspot_counts, locations


def _allocation(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Hours per week proportional to population (largest remainders sum to the total)."""
    pop = districts["population"].to_numpy(dtype=float)
    exact = pop / pop.sum() * PATROL_HOURS_PER_WEEK
    hours = np.floor(exact).astype(np.int64)
    short = PATROL_HOURS_PER_WEEK - int(hours.sum())
    hours[np.argsort(-(exact - hours), kind="stable")[:short]] += 1
    return pd.DataFrame({"district": districts["district"].to_numpy(), "hours_per_week": hours})


def _planted(
    seed: int,
    city: Mapping[str, Any],
    incidents: pd.DataFrame,
    hotspot_counts: Mapping[str, int],
    locations: Mapping[str, Any],
) -> dict[str, Any]:
    """The ground truth of ``planted.json``: the constants, and counts of what was drawn."""
    to_utm = city["to_utm"]
    inverse = pyproj.enums.TransformDirection.INVERSE
    districts = city["districts"]
    counts = incidents["offence"].value_counts()
    n = len(incidents)

    def degrees(x_km: float, y_km: float) -> tuple[float, float]:
        lon, lat = to_utm.transform(
            x_km * 1000.0 + city["x0"], y_km * 1000.0 + city["y0"], direction=inverse
        )
        return round(float(lat), 6), round(float(lon), 6)

    hotspots = []
    for spot in HOTSPOTS:
        lat, lon = degrees(spot.x_km, spot.y_km)
        district = geo.assign_districts(np.array([lat]), np.array([lon]), districts).iloc[0]
        hotspots.append(
            {
                "name": spot.name,
                "kind": spot.kind,
                "lat": lat,
                "lon": lon,
                "radius_m": spot.radius_m,
                "offences": [o for o, _ in spot.shares],
                "shares": dict(spot.shares),
                "active_from": spot.active_from,
                "active_to": spot.active_to,
                "district": str(district),
                "incidents": hotspot_counts[spot.name],
                "story": spot.story,
            }
        )

    weekday, months = day_table()
    total_share = sum(o.share for o in OFFENCES)
    rhythms = {}
    for off in OFFENCES:
        p = cell_probabilities(off).reshape(N_DAYS, 24)
        cells = PEAK_CELLS[off.profile]
        in_peak = np.zeros((7, 24), dtype=bool)
        for d, h in cells:
            in_peak[d, h] = True
        rhythms[off.name] = {
            "profile": off.profile,
            "peak_cells": [list(c) for c in cells],
            "peak_share": round(float(p[in_peak[weekday]].sum()), 4),
            "uniform_share": round(len(cells) / 168, 4),
        }

    by_location = incidents["location_id"].value_counts()
    by_location = by_location.sort_index().sort_values(ascending=False, kind="stable")
    kind_by_id = locations["kind_by_id"]
    trends = {}
    for off in OFFENCES:
        if off.name in TRENDS:
            trends[off.name] = {
                "offence": off.name,
                "change_pct": round((TRENDS[off.name] - 1.0) * 100.0, 1),
                "monthly_change_pct": round(math.expm1(trend_rate(off)) * 100.0, 2),
            }
    rising = next(v for v in trends.values() if v["change_pct"] > 0)
    falling = next(v for v in trends.values() if v["change_pct"] < 0)
    count_ranking = sorted(counts.index, key=lambda o: (-int(counts[o]), o))
    return {
        "seed": seed,
        "city_name": CITY_NAME,
        "synthetic": True,
        "crs": CRS,
        "centre": {"lat": CENTRE_LAT, "lon": CENTRE_LON},
        "period": {"start": PERIOD_START, "end": PERIOD_END},
        "n_incidents": n,
        "population_total": int(districts["population"].sum()),
        "patrol_hours_per_week": PATROL_HOURS_PER_WEEK,
        "missing_coordinates_share": MISSING_COORDINATES_SHARE,
        "offences": {
            o.name: {
                "expected_share": round(o.share / total_share, 6),
                "count": int(counts.get(o.name, 0)),
                "season": o.season,
                "window_share": o.window,
            }
            for o in OFFENCES
        },
        "count_ranking": [str(o) for o in count_ranking],
        "hotspots": hotspots,
        "hot_districts": sorted({h["district"] for h in hotspots if h["kind"] == "persistent"}),
        "rising_offence": rising,
        "falling_offence": falling,
        "trend_comparison": {"first": "2024-01-01/2024-03-31", "last": "2025-10-01/2025-12-31"},
        "near_repeat": {
            "offence": NR_OFFENCE,
            "distance_m": NR_DISTANCE_M,
            "days": NR_DAYS,
            "trigger_probability": NR_TRIGGER,
            "followups_min": NR_FOLLOWUPS[0],
            "followups_max": NR_FOLLOWUPS[1],
            "same_home_probability": NR_SAME_HOME,
            "lag_scale_days": NR_LAG_SCALE_DAYS,
            "branching_ratio": NR_BRANCHING,
            "followup_incidents": locations["followups"],
        },
        "seasonality": {
            o.name: {"months": list(SEASONS[o.season]), "kind": o.season}
            for o in OFFENCES
            if o.season != "flat"
        },
        "rhythms": rhythms,
        "repeat_locations": {
            "top": [[str(k), int(v)] for k, v in by_location.head(10).items()],
            "locations": len(by_location),
            "with_2_or_more": int((by_location >= 2).sum()),
            "with_5_or_more": int((by_location >= 5).sum()),
            "with_20_or_more": int((by_location >= 20).sum()),
            "kinds": {str(k): int(v) for k, v in kind_by_id.value_counts().sort_index().items()},
            "top_kinds": [str(kind_by_id[k]) for k in by_location.head(10).index],
        },
    }
