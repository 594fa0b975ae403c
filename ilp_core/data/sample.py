"""The synthetic sample region "Meridian Bay": a fictional city with known, planted patterns.

Workshops and tests need crime data whose truth is known: where the hot spots are,
which offence rises, how strongly burglaries repeat nearby. This module builds such
a city from a seed. It lies in the open North Atlantic (about 45.5 N, 30.5 W), where
there is no land, so no map of it can be mistaken for a real city's crime picture.

``python -m ilp_core.data.sample`` rewrites the committed files in ``data/sample/`` byte
for byte; ``python -m ilp_core.data.sample --out DIR --incidents 1000000`` writes a large
set for benchmarks. ``data/sample/README.md`` documents every file and every planted
pattern; ``planted.json`` holds the same ground truth for tests.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.optimize import brentq

from ilp_core.data import geo
from ilp_core.data.dataset import SAMPLE_DIR
from ilp_core.errors import IlpInputError

SEED: Final[int] = 4530
DEFAULT_INCIDENTS: Final[int] = 100_000
MIN_INCIDENTS: Final[int] = 1_000
MAX_INCIDENTS: Final[int] = 10_000_000
CITY_NAME: Final[str] = "Meridian Bay"
CRS: Final[str] = "EPSG:32625"  # WGS 84 / UTM zone 25N, the zone of 30.5 W
CENTRE_LAT: Final[float] = 45.5
CENTRE_LON: Final[float] = -30.5
PERIOD_START: Final[str] = "2024-01-01 00:00"
PERIOD_END: Final[str] = "2025-12-31 23:59"
PATROL_HOURS_PER_WEEK: Final[int] = 4_000
POPULATION_TOTAL: Final[int] = 600_000
MISSING_COORDINATES_SHARE: Final[float] = 0.015
CSV_COLUMNS: Final[tuple[str, ...]] = (
    "incident_id",
    "occurred_at",
    "occurred_to",
    "offence",
    "lat",
    "lon",
    "district",
    "location_id",
)
FILES: Final[tuple[str, ...]] = (
    "incidents.csv",
    "districts.geojson",
    "allocation.csv",
    "planted.json",
)

_START = np.datetime64("2024-01-01T00:00", "m")
_N_DAYS = 731  # 2024 (leap year) and 2025; 2024-01-01 is a Monday, so weekday = day % 7
_LAST_MINUTE = _N_DAYS * 1440 - 1  # 2025-12-31 23:59
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# --------------------------------------------------------------------------- offences
# share: expected share of all incidents (normalised); profile: hour-by-weekday rhythm;
# season: month multipliers; spread: background spatial mixture; window: share of rows
# with a from/to window and its length in hours (a second, long range for holidays);
# pool: premises the offence happens at, and the share of background rows that do.


@dataclass(frozen=True)
class _Offence:
    name: str
    share: float
    profile: str
    season: str = "flat"
    spread: str = "central"
    window: float = 0.0
    window_hours: tuple[float, float] = (1.0, 1.0)
    long_window: float = 0.0
    long_hours: tuple[float, float] = (1.0, 1.0)
    pool: str | None = None
    pool_share: float = 0.0


_OFFENCES: Final[tuple[_Offence, ...]] = (
    _Offence("Violence without injury", 17.0, "night_economy", "summer", "central",
             pool="pub", pool_share=0.10),
    _Offence("Shoplifting", 13.0, "shop_hours", pool="shop", pool_share=1.0),
    _Offence("Criminal damage", 12.0, "night_economy", "summer", "mixed", 0.15, (1, 14),
             pool="business", pool_share=0.10),
    _Offence("Vehicle crime", 11.0, "overnight", "flat", "residential", 0.75, (2, 12)),
    _Offence("Violence with injury", 9.0, "night_economy", "summer", "central",
             pool="pub", pool_share=0.15),
    _Offence("Other theft", 8.7, "daytime", "flat", "mixed", 0.20, (1, 24)),
    _Offence("Public order offences", 6.0, "night_economy", "summer", "central",
             pool="pub", pool_share=0.10),
    _Offence("Residential burglary", 5.5, "residential_day", "dark", "residential", 0.80,
             (1, 10), 0.15, (10, 96), pool="home", pool_share=1.0),
    _Offence("Drug offences", 4.5, "evening"),
    _Offence("Theft from the person", 3.0, "shop_hours"),
    _Offence("Sexual offences", 3.0, "evening", "flat", "mixed"),
    _Offence("Non-residential burglary", 2.5, "overnight", "dark", "mixed", 0.70, (4, 60),
             pool="business", pool_share=1.0),
    _Offence("Bicycle theft", 2.0, "daytime", "summer", "central", 0.50, (1, 10)),
    _Offence("Robbery", 2.0, "evening", pool="shop", pool_share=0.08),
    _Offence("Possession of weapons", 0.8, "evening", "flat", "mixed"),
    _Offence("Homicide", 0.012, "evening", "flat", "mixed"),
)  # fmt: skip
_ABSORBER = "Violence without injury"  # takes the rounding remainder so rows == n

_SEASONS: Final[dict[str, tuple[float, ...]]] = {
    "flat": (1.0,) * 12,
    # violence, criminal damage, public order, bicycle theft: +30 % Jun-Aug
    "summer": (1.0, 1.0, 1.0, 1.0, 1.15, 1.3, 1.3, 1.3, 1.15, 1.0, 1.0, 1.0),
    # burglary: +30 % Nov-Jan, the dark months
    "dark": (1.3, 1.15, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.15, 1.3, 1.3),
}

# Trends: expected count ratio last quarter (2025-Q4) / first quarter (2024-Q1).
_TRENDS: Final[dict[str, float]] = {"Vehicle crime": 1.40, "Criminal damage": 0.65}

# --------------------------------------------------------------------------- rhythms
# 24 hourly weights, 7 weekday multipliers (Mon..Sun), and the peak cells
# (weekday, hour) that define each profile's planted peak.
_HOURS: Final[dict[str, tuple[float, ...]]] = {
    "night_economy": (0.9, 0.8, 0.6, 0.35, 0.2, 0.15, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6,
                      0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.1),
    "shop_hours": (0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.05, 0.1, 0.3, 0.6, 1.0, 1.1,
                   1.2, 1.2, 1.25, 1.3, 1.25, 1.1, 0.9, 0.5, 0.25, 0.1, 0.05, 0.03),
    "residential_day": (0.25, 0.2, 0.15, 0.12, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.0, 1.0,
                        1.0, 1.0, 1.0, 1.05, 1.1, 1.25, 1.3, 1.2, 0.9, 0.6, 0.4, 0.3),
    "overnight": (1.5, 1.5, 1.45, 1.4, 1.3, 1.0, 0.6, 0.45, 0.35, 0.3, 0.3, 0.3,
                  0.3, 0.3, 0.3, 0.35, 0.4, 0.5, 0.6, 0.75, 0.9, 1.1, 1.3, 1.45),
    "daytime": (0.15, 0.1, 0.08, 0.06, 0.06, 0.08, 0.2, 0.5, 0.85, 1.0, 1.05, 1.1,
                1.15, 1.15, 1.15, 1.1, 1.05, 1.0, 0.9, 0.75, 0.55, 0.4, 0.3, 0.2),
    "evening": (0.9, 0.7, 0.5, 0.35, 0.25, 0.2, 0.2, 0.25, 0.35, 0.45, 0.55, 0.6,
                0.7, 0.75, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.35, 1.35, 1.25, 1.1),
}  # fmt: skip
_WEEKDAY_MULT: Final[dict[str, tuple[float, ...]]] = {
    "night_economy": (1.0, 1.0, 1.0, 1.05, 1.15, 1.25, 1.1),
    "shop_hours": (1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 0.5),
    "residential_day": (1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.7),
    "overnight": (1.0, 1.0, 1.0, 1.0, 1.1, 1.15, 1.0),
    "daytime": (1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7),
    "evening": (1.0, 1.0, 1.0, 1.0, 1.25, 1.35, 1.05),
}
_NIGHT_BOOST: Final[float] = 3.0  # Friday and Saturday nights, 22:00-03:00
_FRI_SAT_NIGHTS: Final[tuple[tuple[int, int], ...]] = (
    (4, 22), (4, 23), (5, 0), (5, 1), (5, 2), (5, 22), (5, 23), (6, 0), (6, 1), (6, 2)
)  # fmt: skip
_PEAK_CELLS: Final[dict[str, tuple[tuple[int, int], ...]]] = {
    "night_economy": _FRI_SAT_NIGHTS,
    "shop_hours": tuple((d, h) for d in range(6) for h in range(10, 18)),
    "residential_day": tuple((d, h) for d in range(5) for h in range(9, 20)),
    "overnight": tuple((d, h) for d in range(7) for h in (22, 23, 0, 1, 2, 3, 4, 5)),
    "daytime": tuple((d, h) for d in range(5) for h in range(8, 19)),
    "evening": tuple((d, h) for d in range(7) for h in range(18, 24)),
}

# --------------------------------------------------------------------------- space
# City outline: an ellipse 20 km x 15 km with a few harmonics, in metres from the
# centre; inner margin keeps rounded points strictly inside their district.
_SEMI_AXES_M: Final[tuple[float, float]] = (10_000.0, 7_500.0)
_HARMONICS: Final[tuple[tuple[int, float, float], ...]] = (
    (2, 0.03, 0.4),
    (3, 0.06, 1.0),
    (5, 0.04, 2.0),
    (7, 0.025, 0.5),
)
_OUTLINE_VERTICES: Final[int] = 96
_INNER_MARGIN_M: Final[float] = 5.0
_CENTRE_SD_M: Final[float] = 2_200.0  # the dense core
_DISTRICT_SD_M: Final[float] = 1_000.0  # local centres around each district seed
_SPREADS: Final[dict[str, tuple[float, float, float]]] = {
    # shares of (city-centre Gaussian, population-weighted local centres, uniform)
    "central": (0.50, 0.35, 0.15),
    "mixed": (0.30, 0.50, 0.20),
    "residential": (0.10, 0.60, 0.30),
}

# name, seed x and y in km east/north of the centre, residents per km^2 (before scaling)
_DISTRICTS: Final[tuple[tuple[str, float, float, float], ...]] = (
    ("Green Valley", -5.0, 5.0, 2600),
    ("North Hills", 0.6, 5.8, 2400),
    ("Garden City", 5.0, 4.8, 3000),
    ("University", -3.4, 3.2, 3300),
    ("Castle Hill", -0.8, 2.9, 4200),
    ("Parkside", 2.0, 2.9, 4000),
    ("Station", 5.0, 1.8, 2600),
    ("West Meadows", -8.3, 0.8, 2300),
    ("Stone Bridge", -5.4, 1.2, 3000),
    ("Cathedral Quarter", -2.4, 0.6, 4300),
    ("Market Quarter", 0.0, 0.3, 3200),
    ("Riverside", 2.6, -0.6, 4500),
    ("East Gate", 8.2, 0.4, 2500),
    ("Old Mill", -4.8, -2.2, 3100),
    ("Old Harbour", -0.9, -3.0, 3000),
    ("Foundry", 3.6, -2.4, 1200),
    ("Docklands", 5.4, -4.0, 900),
    ("Lighthouse Point", -7.6, -3.8, 1600),
    ("Fishermen's Quay", -3.4, -5.2, 2400),
    ("South Fields", 1.8, -5.6, 1500),
)


@dataclass(frozen=True)
class _Hotspot:
    name: str
    kind: str  # persistent | emerging | former
    x_km: float
    y_km: float
    radius_m: float
    shares: tuple[tuple[str, float], ...]  # share of the offence's rows while active
    active_from: str
    active_to: str
    story: str
    premises: tuple[str, int] | None = None  # pool kind placed inside, and how many
    premises_share: float = 0.0  # share of the hot spot's rows of pooled offences there


_HOTSPOTS: Final[tuple[_Hotspot, ...]] = (
    _Hotspot(
        "Harbour Street night-time economy", "persistent", -0.9, -2.6, 300.0,
        (("Violence with injury", 0.10), ("Violence without injury", 0.06), ("Robbery", 0.12),
         ("Criminal damage", 0.04), ("Public order offences", 0.08)),
        "2024-01-01", "2025-12-31",
        "bars and clubs on the harbour front; violence peaks on Friday and Saturday nights",
        ("pub", 25), 0.4,
    ),
    _Hotspot(
        "Market Square retail centre", "persistent", 0.4, 0.1, 350.0,
        (("Shoplifting", 0.25), ("Theft from the person", 0.20)),
        "2024-01-01", "2025-12-31",
        "the main shopping streets; shoplifting and pickpocketing in opening hours",
        ("shop", 60), 1.0,
    ),
    _Hotspot(
        "South Fields housing estate", "persistent", 2.1, -5.1, 400.0,
        (("Residential burglary", 0.12), ("Vehicle crime", 0.08), ("Criminal damage", 0.03)),
        "2024-01-01", "2025-12-31",
        "a large estate with poor natural surveillance and open parking courts",
    ),
    _Hotspot(
        "Station interchange", "emerging", 4.4, 1.3, 250.0,
        (("Drug offences", 0.35), ("Robbery", 0.25)),
        "2025-10-01", "2025-12-31",
        "street dealing and robberies around the new bus and rail interchange, "
        "displaced from elsewhere (offence totals stay flat)",
    ),
    _Hotspot(
        "Mill Lane flats", "former", -5.4, -3.0, 250.0,
        (("Drug offences", 0.25), ("Criminal damage", 0.06)),
        "2024-01-01", "2024-09-30",
        "derelict blocks used for dealing until a regeneration scheme demolished them",
    ),
)  # fmt: skip

# Premises pools outside the hot spots: kind -> (count, lognormal sigma of attractiveness)
_POOLS: Final[dict[str, tuple[int, float, str]]] = {
    "shop": (440, 1.0, "central"),
    "pub": (65, 0.8, "central"),
    "business": (1_200, 0.7, "mixed"),
}
_POOL_ORDER: Final[tuple[str, ...]] = ("shop", "pub", "business")
_HOME_BASE: Final[int] = 10_000_000  # keys of homes created on the fly

# Near-repeat burglary: a self-exciting (branching) process.
_NR_OFFENCE: Final[str] = "Residential burglary"
_NR_TRIGGER: Final[float] = 0.15  # each burglary triggers follow-ups with this probability
_NR_FOLLOWUPS: Final[tuple[int, int]] = (1, 3)  # how many, uniform
_NR_DISTANCE_M: Final[float] = 200.0
_NR_MIN_DISTANCE_M: Final[float] = 10.0  # a different home
_NR_DAYS: Final[int] = 14
_NR_LAG_SCALE_DAYS: Final[float] = 5.0  # P(lag = k days) ~ exp(-k / 5), k = 0..13
_NR_SAME_HOME: Final[float] = 0.2  # share of follow-ups at the same home (repeat victim)
_NR_BRANCHING: Final[float] = _NR_TRIGGER * (_NR_FOLLOWUPS[0] + _NR_FOLLOWUPS[1]) / 2


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
        Seed of ``numpy.random.default_rng``; a non-negative integer.

    Returns
    -------
    SampleRegion
        Incidents, districts, patrol allocation and the planted ground truth.

    Raises
    ------
    IlpInputError
        ``sample.n_incidents_out_of_range`` or ``sample.seed_invalid``.

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
    _check_arguments(n_incidents, seed)
    rng = np.random.default_rng(seed)
    city = _build_city()
    pools = _build_pools(rng, city)
    parts: list[dict[str, np.ndarray]] = []
    counts = _offence_counts(n_incidents)
    burglary = _burglaries(rng, city, counts[_NR_OFFENCE])
    counts[_ABSORBER] += counts[_NR_OFFENCE] - len(burglary["t"])
    for code, off in enumerate(_OFFENCES):
        if off.name == _NR_OFFENCE:
            part = burglary
        else:
            t = _sample_times(rng, off, counts[off.name])
            part = _place(rng, city, pools, off, t)
        part["offence"] = np.full(len(part["t"]), code, dtype=np.int16)
        part.setdefault("generation", np.zeros(len(part["t"]), dtype=np.int16))
        parts.append(part)
    table = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    _add_windows(rng, table)
    incidents, hotspot_counts, locations = _finish_incidents(rng, city, pools, table)
    allocation = _allocation(city["districts"])
    planted = _planted(seed, city, incidents, hotspot_counts, locations)
    return SampleRegion(incidents, city["districts"], allocation, planted)


def write(region: SampleRegion, folder: str | Path) -> None:
    r"""Write the region's four data files into ``folder`` (created when missing).

    The files are byte-for-byte reproducible: fixed row order, 6-decimal degrees,
    ``\n`` line ends, fixed key order in the JSON files.

    Parameters
    ----------
    region
        What :func:`generate` returned.
    folder
        Target folder; ``incidents.csv``, ``districts.geojson``, ``allocation.csv`` and
        ``planted.json`` are overwritten there (``README.md`` is left alone).

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write(generate(n_incidents=2_000), tmp)
    ...     sorted(p.name for p in Path(tmp).iterdir())
    ['allocation.csv', 'districts.geojson', 'incidents.csv', 'planted.json']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_incidents(region.incidents, folder / "incidents.csv")
    (folder / "districts.geojson").write_text(
        _geojson(region.districts), encoding="utf-8", newline="\n"
    )
    region.allocation.to_csv(folder / "allocation.csv", index=False, lineterminator="\n")
    (folder / "planted.json").write_text(
        json.dumps(region.planted, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
        newline="\n",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate ``data/sample/`` or write a large set elsewhere.

    Parameters
    ----------
    argv
        Arguments without the program name (``sys.argv[1:]`` when ``None``):
        ``--out DIR`` (default ``data/sample``), ``--incidents N``, ``--seed S``.

    Returns
    -------
    int
        Exit status 0 (argument errors exit with status 2 through ``argparse``).

    Examples
    --------
    >>> main(["--out", "/tmp/sample-1m", "--incidents", "1000000"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m ilp_core.data.sample",
        description="Write the synthetic sample region (Meridian Bay).",
    )
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        region = generate(args.incidents, args.seed)
    except IlpInputError as error:
        parser.error(str(error))
    write(region, args.out)
    seconds = time.perf_counter() - started
    print(f"{len(region.incidents)} incidents -> {args.out} ({seconds:.1f} s)")
    return 0


# =========================================================================== internals


def _check_arguments(n_incidents: Any, seed: Any) -> None:
    if (
        isinstance(n_incidents, bool)
        or not isinstance(n_incidents, int | np.integer)
        or not MIN_INCIDENTS <= n_incidents <= MAX_INCIDENTS
    ):
        raise IlpInputError(
            "sample.n_incidents_out_of_range",
            n=str(n_incidents),
            low=MIN_INCIDENTS,
            high=MAX_INCIDENTS,
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise IlpInputError("sample.seed_invalid", seed=str(seed))


def _offence_counts(n: int) -> dict[str, int]:
    total = sum(o.share for o in _OFFENCES)
    counts = {o.name: round(n * o.share / total) for o in _OFFENCES}
    counts[_ABSORBER] += n - sum(counts.values())
    return counts


# --------------------------------------------------------------------------- city


def _build_city() -> dict[str, Any]:
    """Outline, districts (metric and WGS 84), populations: no randomness."""
    to_utm = pyproj.Transformer.from_crs(geo.WGS84, CRS, always_xy=True)
    x0, y0 = to_utm.transform(CENTRE_LON, CENTRE_LAT)
    theta = np.linspace(0.0, 2.0 * np.pi, _OUTLINE_VERTICES, endpoint=False)
    a, b = _SEMI_AXES_M
    r = a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2)
    for k, amp, phase in _HARMONICS:
        r = r * (1.0 + amp * np.sin(k * theta + phase))
    outline = shapely.Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    inner = outline.buffer(-_INNER_MARGIN_M)
    shapely.prepare(inner)

    names = [d[0] for d in _DISTRICTS]
    seeds = np.array([[d[1] * 1000.0, d[2] * 1000.0] for d in _DISTRICTS])
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=outline.buffer(5_000.0), ordered=True
    )
    local = [shapely.intersection(c, outline) for c in shapely.get_parts(cells)]

    def to_degrees(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_utm.transform(
            coords[:, 0] + x0, coords[:, 1] + y0, direction=pyproj.enums.TransformDirection.INVERSE
        )
        return np.round(np.column_stack([lon, lat]), 6)

    polygons = shapely.orient_polygons(
        np.array([shapely.transform(g, to_degrees) for g in local]), exterior_cw=False
    )
    if not (
        all(p.geom_type == "Polygon" for p in polygons)
        and shapely.is_valid(polygons).all()
        and shapely.coverage_is_valid(polygons)
    ):
        raise RuntimeError("district polygons of the sample region are not a valid coverage")

    area_km2 = np.array([g.area for g in local]) / 1e6
    density = np.array([d[3] for d in _DISTRICTS], dtype=float)
    raw = density * area_km2
    population = np.round(raw / raw.sum() * POPULATION_TOTAL / 10.0).astype(np.int64) * 10
    order = np.argsort(names, kind="stable")
    districts = gpd.GeoDataFrame(
        {
            "district": pd.array([names[i] for i in order], dtype="str"),
            "population": population[order],
        },
        geometry=list(polygons[order]),
        crs=geo.WGS84,
    )
    return {
        "x0": x0,
        "y0": y0,
        "to_utm": to_utm,
        "outline": outline,
        "inner": inner,
        "seeds": seeds,
        "names": names,
        "population": population,
        "districts": districts,
    }


def _inside(city: Mapping[str, Any], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return shapely.contains_xy(city["inner"], x, y)


def _sample_spread(
    rng: np.random.Generator, city: Mapping[str, Any], n: int, spread: str
) -> tuple[np.ndarray, np.ndarray]:
    """Background points: a mixture of the dense core, local centres and uniform."""
    w_centre, w_local, _ = _SPREADS[spread]
    xs: list[np.ndarray] = [np.empty(0)]
    ys: list[np.ndarray] = [np.empty(0)]
    got = 0
    pop = city["population"] / city["population"].sum()
    a, b = _SEMI_AXES_M
    while got < n:
        m = int((n - got) * 1.3) + 16
        kind = rng.random(m)
        x = rng.normal(0.0, _CENTRE_SD_M, m)
        y = rng.normal(0.0, _CENTRE_SD_M, m)
        local = (kind >= w_centre) & (kind < w_centre + w_local)
        which = rng.choice(len(pop), size=m, p=pop)
        x = np.where(local, city["seeds"][which, 0] + rng.normal(0, _DISTRICT_SD_M, m), x)
        y = np.where(local, city["seeds"][which, 1] + rng.normal(0, _DISTRICT_SD_M, m), y)
        uniform = kind >= w_centre + w_local
        x = np.where(uniform, rng.uniform(-1.2 * a, 1.2 * a, m), x)
        y = np.where(uniform, rng.uniform(-1.2 * b, 1.2 * b, m), y)
        ok = _inside(city, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _sample_hotspot(
    rng: np.random.Generator, spot: _Hotspot, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points around a hot spot: Gaussian with sd = radius / 2, cut at the radius."""
    xs: list[np.ndarray] = [np.empty(0)]
    ys: list[np.ndarray] = [np.empty(0)]
    got = 0
    while got < n:
        m = int((n - got) * 1.2) + 8
        dx = rng.normal(0.0, spot.radius_m / 2.0, m)
        dy = rng.normal(0.0, spot.radius_m / 2.0, m)
        ok = np.hypot(dx, dy) <= spot.radius_m
        xs.append(spot.x_km * 1000.0 + dx[ok])
        ys.append(spot.y_km * 1000.0 + dy[ok])
        got += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _build_pools(rng: np.random.Generator, city: Mapping[str, Any]) -> dict[str, Any]:
    """Shops, pubs and businesses: fixed premises with lognormal attractiveness."""
    xs, ys, weights, kinds, spot_of = [], [], [], [], []
    for kind in _POOL_ORDER:
        count, sigma, spread = _POOLS[kind]
        x, y = _sample_spread(rng, city, count, spread)
        xs.append(x)
        ys.append(y)
        weights.append(rng.lognormal(0.0, sigma, count))
        kinds.append(np.full(count, kind))
        spot_of.append(np.full(count, -1))
        for h, spot in enumerate(_HOTSPOTS):
            if spot.premises is not None and spot.premises[0] == kind:
                hx, hy = _sample_hotspot(rng, spot, spot.premises[1])
                xs.append(hx)
                ys.append(hy)
                weights.append(rng.lognormal(0.0, sigma, spot.premises[1]))
                kinds.append(np.full(spot.premises[1], kind))
                spot_of.append(np.full(spot.premises[1], h))
    return {
        "x": np.concatenate(xs),
        "y": np.concatenate(ys),
        "weight": np.concatenate(weights),
        "kind": np.concatenate(kinds),
        "spot": np.concatenate(spot_of),
        "next_home": _HOME_BASE,
    }


def _pick_premises(
    rng: np.random.Generator, pools: Mapping[str, Any], n: int, kind: str, spot: int
) -> np.ndarray:
    """Indices into the pools of ``n`` premises of ``kind`` (inside hot spot ``spot``)."""
    ok = pools["kind"] == kind
    ok &= pools["spot"] == spot if spot >= 0 else True
    idx = np.flatnonzero(ok)
    w = pools["weight"][idx]
    return idx[rng.choice(len(idx), size=n, p=w / w.sum())]


# --------------------------------------------------------------------------- time


def _day_table() -> tuple[np.ndarray, np.ndarray]:
    days = _START.astype("datetime64[D]") + np.arange(_N_DAYS)
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    return np.arange(_N_DAYS) % 7, months


def _rhythm(profile: str) -> np.ndarray:
    """7 x 24 weights (Mon..Sun x hour) of a rhythm profile."""
    w = np.outer(_WEEKDAY_MULT[profile], _HOURS[profile])
    if profile == "night_economy":
        for d, h in _FRI_SAT_NIGHTS:
            w[d, h] *= _NIGHT_BOOST
    if profile == "shop_hours":
        w[6, :11] *= 0.3  # Sunday opening hours 11-16
        w[6, 17:] *= 0.3
    return w


def _trend_rate(offence: _Offence) -> float:
    """Monthly log-rate so that E[2025-Q4] / E[2024-Q1] equals the planted ratio."""
    target = _TRENDS.get(offence.name)
    if target is None:
        return 0.0
    weekday, months = _day_table()
    base = np.asarray(_SEASONS[offence.season])[months] * _rhythm(offence.profile).sum(1)[weekday]
    day = np.arange(_N_DAYS)
    q1 = day < 91  # 2024-01-01 .. 2024-03-31
    q4 = day >= _N_DAYS - 92  # 2025-10-01 .. 2025-12-31

    def gap(beta: float) -> float:
        w = base * np.exp(beta * day / (365.25 / 12))
        return float(np.log(w[q4].sum() / w[q1].sum()) - np.log(target))

    return float(brentq(gap, -0.5, 0.5, xtol=1e-12))


def _cell_probabilities(offence: _Offence) -> np.ndarray:
    """Probability of each (day, hour) cell of the period, flattened day-major."""
    weekday, months = _day_table()
    day_w = np.asarray(_SEASONS[offence.season])[months]
    day_w = day_w * np.exp(_trend_rate(offence) * np.arange(_N_DAYS) / (365.25 / 12))
    p = day_w[:, None] * _rhythm(offence.profile)[weekday]
    return (p / p.sum()).ravel()


def _sample_times(rng: np.random.Generator, offence: _Offence, n: int) -> np.ndarray:
    """Event times in minutes since 2024-01-01 00:00."""
    cell = rng.choice(_N_DAYS * 24, size=n, p=_cell_probabilities(offence))
    return cell * 60 + rng.integers(0, 60, size=n)


def _hot_component(rng: np.random.Generator, offence: _Offence, t: np.ndarray) -> np.ndarray:
    """For each row, the hot spot it belongs to (-1 = background)."""
    u = rng.random(len(t))
    comp = np.full(len(t), -1, dtype=np.int64)
    acc = np.zeros(len(t))
    for h, spot in enumerate(_HOTSPOTS):
        share = dict(spot.shares).get(offence.name, 0.0)
        if share == 0.0:
            continue
        lo, hi = _minute(spot.active_from), _minute(spot.active_to) + 1440
        s = np.where((t >= lo) & (t < hi), share, 0.0)
        comp[(u >= acc) & (u < acc + s)] = h
        acc += s
    return comp


def _minute(day: str) -> int:
    return int((np.datetime64(day, "m") - _START).astype(np.int64))


# --------------------------------------------------------------------------- placing


def _place(
    rng: np.random.Generator,
    city: Mapping[str, Any],
    pools: dict[str, Any],
    offence: _Offence,
    t: np.ndarray,
) -> dict[str, np.ndarray]:
    """Coordinates, premises keys and hot-spot component of one offence's rows."""
    n = len(t)
    comp = _hot_component(rng, offence, t)
    x = np.empty(n)
    y = np.empty(n)
    key = np.full(n, -1, dtype=np.int64)
    u = rng.random(n)
    for h, spot in enumerate(_HOTSPOTS):
        rows = np.flatnonzero(comp == h)
        if not len(rows):
            continue
        at_premises = np.zeros(len(rows), dtype=bool)
        if spot.premises is not None and offence.pool == spot.premises[0]:
            at_premises = u[rows] < spot.premises_share
        prem = rows[at_premises]
        if len(prem):
            idx = _pick_premises(rng, pools, len(prem), spot.premises[0], h)
            x[prem], y[prem], key[prem] = pools["x"][idx], pools["y"][idx], idx
        street = rows[~at_premises]
        x[street], y[street] = _sample_hotspot(rng, spot, len(street))
    background = comp == -1
    pooled = background & (u < offence.pool_share) & (offence.pool not in (None, "home"))
    rows = np.flatnonzero(pooled)
    if len(rows):
        idx = _pick_premises(rng, pools, len(rows), offence.pool, -1)
        x[rows], y[rows], key[rows] = pools["x"][idx], pools["y"][idx], idx
    rows = np.flatnonzero(background & ~pooled)
    x[rows], y[rows] = _sample_spread(rng, city, len(rows), offence.spread)
    if offence.pool == "home":
        key = pools["next_home"] + np.arange(n)
        pools["next_home"] += n
    return {"t": t, "x": x, "y": y, "key": key, "comp": comp}


def _burglaries(
    rng: np.random.Generator, city: Mapping[str, Any], n_target: int
) -> dict[str, np.ndarray]:
    """Residential burglary as a branching process: primaries plus near-repeat follow-ups.

    Each burglary (primary or follow-up) triggers, with probability 0.15, one to three
    follow-ups within 200 m and 14 days; 20 % of them hit the same home again.
    The expected total is the primaries / (1 - branching ratio 0.3).
    """
    offence = next(o for o in _OFFENCES if o.name == _NR_OFFENCE)
    pools = {"next_home": _HOME_BASE}
    n_primary = round(n_target * (1.0 - _NR_BRANCHING))
    t = _sample_times(rng, offence, n_primary)
    generation = _place(rng, city, pools, offence, t)
    generation["generation"] = np.zeros(n_primary, dtype=np.int16)
    out = [generation]
    lags = np.arange(_NR_DAYS)
    lag_p = np.exp(-lags / _NR_LAG_SCALE_DAYS)
    lag_p /= lag_p.sum()
    hour_cdf = np.cumsum(_rhythm(offence.profile), axis=1)
    hour_cdf /= hour_cdf[:, -1:]
    level = 0
    while len(generation["t"]):
        level += 1
        trig = np.flatnonzero(rng.random(len(generation["t"])) < _NR_TRIGGER)
        k = rng.integers(_NR_FOLLOWUPS[0], _NR_FOLLOWUPS[1] + 1, size=len(trig))
        parent = np.repeat(trig, k)
        m = len(parent)
        pt = generation["t"][parent]
        day = pt // 1440 + rng.choice(lags, size=m, p=lag_p)
        hour = (rng.random(m)[:, None] > hour_cdf[day % 7]).sum(axis=1)
        t = day * 1440 + hour * 60 + rng.integers(0, 60, size=m)
        t = np.where(t <= pt, t + 1440, t)  # follow-ups come after their trigger
        same = rng.random(m) < _NR_SAME_HOME
        r = np.sqrt(rng.uniform(_NR_MIN_DISTANCE_M**2, _NR_DISTANCE_M**2, size=m))
        angle = rng.uniform(0.0, 2.0 * np.pi, size=m)
        x = generation["x"][parent] + np.where(same, 0.0, r * np.cos(angle))
        y = generation["y"][parent] + np.where(same, 0.0, r * np.sin(angle))
        keep = (t <= _LAST_MINUTE) & _inside(city, x, y)
        new_home = pools["next_home"] + np.cumsum(~same & keep) - 1
        key = np.where(same, generation["key"][parent], new_home)
        pools["next_home"] += int((~same & keep).sum())
        generation = {
            "t": t[keep],
            "x": x[keep],
            "y": y[keep],
            "key": key[keep],
            "comp": generation["comp"][parent][keep],
            "generation": np.full(int(keep.sum()), level, dtype=np.int16),
        }
        out.append(generation)
    return {k: np.concatenate([g[k] for g in out]) for k in out[0]}


def _add_windows(rng: np.random.Generator, table: dict[str, np.ndarray]) -> None:
    """From/to windows: the event time lies uniformly inside a window of random length."""
    n = len(table["t"])
    length = np.zeros(n)
    u = rng.random(n)
    v = rng.random(n)
    for code, off in enumerate(_OFFENCES):
        if off.window == 0.0:
            continue
        rows = np.flatnonzero((table["offence"] == code) & (u < off.window))
        long = v[rows] < off.long_window
        lo = np.where(long, off.long_hours[0], off.window_hours[0])
        hi = np.where(long, off.long_hours[1], off.window_hours[1])
        length[rows] = rng.uniform(lo, hi) * 60.0
    position = rng.random(n)
    t = table["t"]
    start = np.maximum(np.floor(t - position * length), 0).astype(np.int64)
    end = np.minimum(np.ceil(t + (1.0 - position) * length), _LAST_MINUTE).astype(np.int64)
    has = (length > 0) & (end > start)
    table["from"] = np.where(has, start, t)
    table["to"] = np.where(has, end, -1)


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

    occurred_at = _START + tab["from"].astype("timedelta64[m]")
    occurred_to = np.where(
        tab["to"] >= 0, _START + tab["to"].astype("timedelta64[m]"), np.datetime64("NaT")
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

    names = np.array([o.name for o in _OFFENCES], dtype=object)
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
    hotspot_counts = {s.name: int((comp == h).sum()) for h, s in enumerate(_HOTSPOTS)}
    kind = np.where(
        key >= _HOME_BASE, "home", pools["kind"][np.clip(key, 0, len(pools["kind"]) - 1)]
    )
    locations = {
        "kind_by_id": pd.Series(kind[has_key], index=location_id[has_key].to_numpy())
        .groupby(level=0)
        .first(),
        "followups": int((tab["generation"] > 0).sum()),
    }
    return incidents, hotspot_counts, locations


# --------------------------------------------------------------------------- outputs


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
    for spot in _HOTSPOTS:
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

    weekday, months = _day_table()
    total_share = sum(o.share for o in _OFFENCES)
    rhythms = {}
    for off in _OFFENCES:
        p = _cell_probabilities(off).reshape(_N_DAYS, 24)
        cells = _PEAK_CELLS[off.profile]
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
    for off in _OFFENCES:
        if off.name in _TRENDS:
            trends[off.name] = {
                "offence": off.name,
                "change_pct": round((_TRENDS[off.name] - 1.0) * 100.0, 1),
                "monthly_change_pct": round(math.expm1(_trend_rate(off)) * 100.0, 2),
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
            for o in _OFFENCES
        },
        "count_ranking": [str(o) for o in count_ranking],
        "hotspots": hotspots,
        "hot_districts": sorted({h["district"] for h in hotspots if h["kind"] == "persistent"}),
        "rising_offence": rising,
        "falling_offence": falling,
        "trend_comparison": {"first": "2024-01-01/2024-03-31", "last": "2025-10-01/2025-12-31"},
        "near_repeat": {
            "offence": _NR_OFFENCE,
            "distance_m": _NR_DISTANCE_M,
            "days": _NR_DAYS,
            "trigger_probability": _NR_TRIGGER,
            "followups_min": _NR_FOLLOWUPS[0],
            "followups_max": _NR_FOLLOWUPS[1],
            "same_home_probability": _NR_SAME_HOME,
            "lag_scale_days": _NR_LAG_SCALE_DAYS,
            "branching_ratio": _NR_BRANCHING,
            "followup_incidents": locations["followups"],
        },
        "seasonality": {
            o.name: {"months": list(_SEASONS[o.season]), "kind": o.season}
            for o in _OFFENCES
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


def _format_minutes(values: pd.Series) -> pd.Series:
    text = pd.Series(
        np.datetime_as_string(values.to_numpy().astype("datetime64[m]"), unit="m"),
        dtype="str",
    )
    return text.str.replace("T", " ", regex=False).where(values.notna().to_numpy(), "")


def _write_incidents(incidents: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame(
        {
            "incident_id": incidents["incident_id"].to_numpy(),
            "occurred_at": _format_minutes(incidents["occurred_at"]).to_numpy(),
            "occurred_to": _format_minutes(incidents["occurred_to"]).to_numpy(),
            "offence": incidents["offence"].to_numpy(),
            "lat": incidents["lat"].to_numpy(),
            "lon": incidents["lon"].to_numpy(),
            "district": incidents["district"].to_numpy(),
            "location_id": incidents["location_id"].to_numpy(),
        }
    )
    out.to_csv(path, index=False, float_format="%.6f", na_rep="", lineterminator="\n")


def _geojson(districts: gpd.GeoDataFrame) -> str:
    """GeoJSON (RFC 7946) with one feature per line and a fixed property order."""
    lines = ['{"type": "FeatureCollection", "features": [']
    features = []
    for name, pop, geom in zip(
        districts["district"], districts["population"], districts.geometry, strict=True
    ):
        rings = [geom.exterior, *geom.interiors]
        coords = [[[round(x, 6), round(y, 6)] for x, y in ring.coords] for ring in rings]
        feature = {
            "type": "Feature",
            "properties": {"district": str(name), "population": int(pop)},
            "geometry": {"type": "Polygon", "coordinates": coords},
        }
        features.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    lines.append(",\n".join(features))
    lines.append("]}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
