"""What is planted in Meridian Bay: the constants that define the sample region's truth.

Everything a trainer may want to check against ``data/sample/README.md`` is a
constant here, in one place: the period and the city's frame, the offence table
(shares, rhythms, seasons, from/to windows, premises), the trends, the city
outline and its twenty districts, the hot spots, the premises pools and the
near-repeat burglary process. The other modules of the package only read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

# Public: re-exported by ilp_core.data.sample.
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

# The period as minutes (and days) since 2024-01-01 00:00.
START = np.datetime64("2024-01-01T00:00", "m")
N_DAYS = 731  # 2024 (leap year) and 2025; 2024-01-01 is a Monday, so weekday = day % 7
LAST_MINUTE = N_DAYS * 1440 - 1  # 2025-12-31 23:59

# --------------------------------------------------------------------------- offences
# share: expected share of all incidents (normalised); profile: hour-by-weekday rhythm;
# season: month multipliers; spread: background spatial mixture; window: share of rows
# with a from/to window and its length in hours (a second, long range for holidays);
# pool: premises the offence happens at, and the share of background rows that do.


@dataclass(frozen=True)
class Offence:
    """One offence type: its share, rhythm, season, spread, windows and premises."""

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


OFFENCES: Final[tuple[Offence, ...]] = (
    Offence("Violence without injury", 17.0, "night_economy", "summer", "central",
            pool="pub", pool_share=0.10),
    Offence("Shoplifting", 13.0, "shop_hours", pool="shop", pool_share=1.0),
    Offence("Criminal damage", 12.0, "night_economy", "summer", "mixed", 0.15, (1, 14),
            pool="business", pool_share=0.10),
    Offence("Vehicle crime", 11.0, "overnight", "flat", "residential", 0.75, (2, 12)),
    Offence("Violence with injury", 9.0, "night_economy", "summer", "central",
            pool="pub", pool_share=0.15),
    Offence("Other theft", 8.7, "daytime", "flat", "mixed", 0.20, (1, 24)),
    Offence("Public order offences", 6.0, "night_economy", "summer", "central",
            pool="pub", pool_share=0.10),
    Offence("Residential burglary", 5.5, "residential_day", "dark", "residential", 0.80,
            (1, 10), 0.15, (10, 96), pool="home", pool_share=1.0),
    Offence("Drug offences", 4.5, "evening"),
    Offence("Theft from the person", 3.0, "shop_hours"),
    Offence("Sexual offences", 3.0, "evening", "flat", "mixed"),
    Offence("Non-residential burglary", 2.5, "overnight", "dark", "mixed", 0.70, (4, 60),
            pool="business", pool_share=1.0),
    Offence("Bicycle theft", 2.0, "daytime", "summer", "central", 0.50, (1, 10)),
    Offence("Robbery", 2.0, "evening", pool="shop", pool_share=0.08),
    Offence("Possession of weapons", 0.8, "evening", "flat", "mixed"),
    Offence("Homicide", 0.012, "evening", "flat", "mixed"),
)  # fmt: skip
ABSORBER = "Violence without injury"  # takes the rounding remainder so rows == n

SEASONS: Final[dict[str, tuple[float, ...]]] = {
    "flat": (1.0,) * 12,
    # violence, criminal damage, public order, bicycle theft: +30 % Jun-Aug
    "summer": (1.0, 1.0, 1.0, 1.0, 1.15, 1.3, 1.3, 1.3, 1.15, 1.0, 1.0, 1.0),
    # burglary: +30 % Nov-Jan, the dark months
    "dark": (1.3, 1.15, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.15, 1.3, 1.3),
}

# Trends: expected count ratio last quarter (2025-Q4) / first quarter (2024-Q1).
TRENDS: Final[dict[str, float]] = {"Vehicle crime": 1.40, "Criminal damage": 0.65}

# --------------------------------------------------------------------------- rhythms
# 24 hourly weights, 7 weekday multipliers (Mon..Sun), and the peak cells
# (weekday, hour) that define each profile's planted peak.
HOURS: Final[dict[str, tuple[float, ...]]] = {
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
WEEKDAY_MULT: Final[dict[str, tuple[float, ...]]] = {
    "night_economy": (1.0, 1.0, 1.0, 1.05, 1.15, 1.25, 1.1),
    "shop_hours": (1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 0.5),
    "residential_day": (1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.7),
    "overnight": (1.0, 1.0, 1.0, 1.0, 1.1, 1.15, 1.0),
    "daytime": (1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7),
    "evening": (1.0, 1.0, 1.0, 1.0, 1.25, 1.35, 1.05),
}
NIGHT_BOOST: Final[float] = 3.0  # Friday and Saturday nights, 22:00-03:00
FRI_SAT_NIGHTS: Final[tuple[tuple[int, int], ...]] = (
    (4, 22), (4, 23), (5, 0), (5, 1), (5, 2), (5, 22), (5, 23), (6, 0), (6, 1), (6, 2)
)  # fmt: skip
PEAK_CELLS: Final[dict[str, tuple[tuple[int, int], ...]]] = {
    "night_economy": FRI_SAT_NIGHTS,
    "shop_hours": tuple((d, h) for d in range(6) for h in range(10, 18)),
    "residential_day": tuple((d, h) for d in range(5) for h in range(9, 20)),
    "overnight": tuple((d, h) for d in range(7) for h in (22, 23, 0, 1, 2, 3, 4, 5)),
    "daytime": tuple((d, h) for d in range(5) for h in range(8, 19)),
    "evening": tuple((d, h) for d in range(7) for h in range(18, 24)),
}

# --------------------------------------------------------------------------- space
# City outline: an ellipse 20 km x 15 km with a few harmonics, in metres from the
# centre; inner margin keeps rounded points strictly inside their district.
SEMI_AXES_M: Final[tuple[float, float]] = (10_000.0, 7_500.0)
HARMONICS: Final[tuple[tuple[int, float, float], ...]] = (
    (2, 0.03, 0.4),
    (3, 0.06, 1.0),
    (5, 0.04, 2.0),
    (7, 0.025, 0.5),
)
OUTLINE_VERTICES: Final[int] = 96
INNER_MARGIN_M: Final[float] = 5.0
CENTRE_SD_M: Final[float] = 2_200.0  # the dense core
DISTRICT_SD_M: Final[float] = 1_000.0  # local centres around each district seed
SPREADS: Final[dict[str, tuple[float, float, float]]] = {
    # shares of (city-centre Gaussian, population-weighted local centres, uniform)
    "central": (0.50, 0.35, 0.15),
    "mixed": (0.30, 0.50, 0.20),
    "residential": (0.10, 0.60, 0.30),
}

# name, seed x and y in km east/north of the centre, residents per km^2 (before scaling)
DISTRICTS: Final[tuple[tuple[str, float, float, float], ...]] = (
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
class Hotspot:
    """One planted hot spot: where, how large, which offences, when, and its story."""

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


HOTSPOTS: Final[tuple[Hotspot, ...]] = (
    Hotspot(
        "Harbour Street night-time economy", "persistent", -0.9, -2.6, 300.0,
        (("Violence with injury", 0.10), ("Violence without injury", 0.06), ("Robbery", 0.12),
         ("Criminal damage", 0.04), ("Public order offences", 0.08)),
        "2024-01-01", "2025-12-31",
        "bars and clubs on the harbour front; violence peaks on Friday and Saturday nights",
        ("pub", 25), 0.4,
    ),
    Hotspot(
        "Market Square retail centre", "persistent", 0.4, 0.1, 350.0,
        (("Shoplifting", 0.25), ("Theft from the person", 0.20)),
        "2024-01-01", "2025-12-31",
        "the main shopping streets; shoplifting and pickpocketing in opening hours",
        ("shop", 60), 1.0,
    ),
    Hotspot(
        "South Fields housing estate", "persistent", 2.1, -5.1, 400.0,
        (("Residential burglary", 0.12), ("Vehicle crime", 0.08), ("Criminal damage", 0.03)),
        "2024-01-01", "2025-12-31",
        "a large estate with poor natural surveillance and open parking courts",
    ),
    Hotspot(
        "Station interchange", "emerging", 4.4, 1.3, 250.0,
        (("Drug offences", 0.35), ("Robbery", 0.25)),
        "2025-10-01", "2025-12-31",
        "street dealing and robberies around the new bus and rail interchange, "
        "displaced from elsewhere (offence totals stay flat)",
    ),
    Hotspot(
        "Mill Lane flats", "former", -5.4, -3.0, 250.0,
        (("Drug offences", 0.25), ("Criminal damage", 0.06)),
        "2024-01-01", "2024-09-30",
        "derelict blocks used for dealing until a regeneration scheme demolished them",
    ),
)  # fmt: skip

# Premises pools outside the hot spots: kind -> (count, lognormal sigma of attractiveness)
POOLS: Final[dict[str, tuple[int, float, str]]] = {
    "shop": (440, 1.0, "central"),
    "pub": (65, 0.8, "central"),
    "business": (1_200, 0.7, "mixed"),
}
POOL_ORDER: Final[tuple[str, ...]] = ("shop", "pub", "business")
HOME_BASE: Final[int] = 10_000_000  # keys of homes created on the fly

# Near-repeat burglary: a self-exciting (branching) process.
NR_OFFENCE: Final[str] = "Residential burglary"
NR_TRIGGER: Final[float] = 0.15  # each burglary triggers follow-ups with this probability
NR_FOLLOWUPS: Final[tuple[int, int]] = (1, 3)  # how many, uniform
NR_DISTANCE_M: Final[float] = 200.0
NR_MIN_DISTANCE_M: Final[float] = 10.0  # a different home
NR_DAYS: Final[int] = 14
NR_LAG_SCALE_DAYS: Final[float] = 5.0  # P(lag = k days) ~ exp(-k / 5), k = 0..13
NR_SAME_HOME: Final[float] = 0.2  # share of follow-ups at the same home (repeat victim)
NR_BRANCHING: Final[float] = NR_TRIGGER * (NR_FOLLOWUPS[0] + NR_FOLLOWUPS[1]) / 2
