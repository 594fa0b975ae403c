"""The result types of the hot-spot statistics and the public constants they use.

Every statistic returns one frozen dataclass of tidy tables plus the settings
actually used and its warnings (:class:`~ilp_core.errors.Message` objects), so a
page can show it, a report can cite its parameters and a user can download it.
The option tuples (``KERNELS``, ``UNITS``...) are what the functions accept and
what the widgets offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core.data.geo import Grid
from ilp_core.errors import Message

Kernel = Literal["quartic", "gaussian"]
BandwidthRule = Literal["scott", "silverman", "spatial"]
Unit = Literal["grid", "district"]
ConcentrationUnit = Literal["cell", "district", "location"]
Surface = Literal["kde", "counts"]
LisaVariable = Literal["count", "rate"]

KERNELS: Final[tuple[str, ...]] = ("quartic", "gaussian")
BANDWIDTH_RULES: Final[tuple[str, ...]] = ("scott", "silverman", "spatial")
UNITS: Final[tuple[str, ...]] = ("grid", "district")
CONCENTRATION_UNITS: Final[tuple[str, ...]] = ("cell", "district", "location")
SURFACES: Final[tuple[str, ...]] = ("kde", "counts")
LISA_VARIABLES: Final[tuple[str, ...]] = ("count", "rate")

#: Significance levels of the hot/cold classes (99, 95 and 90 % confidence).
ALPHA_LEVELS: Final[tuple[float, ...]] = (0.01, 0.05, 0.10)
#: Gi* classes, from coldest to hottest (an ordered categorical in result tables).
GI_CLASSES: Final[tuple[str, ...]] = (
    "cold_99",
    "cold_95",
    "cold_90",
    "not_significant",
    "hot_90",
    "hot_95",
    "hot_99",
)
#: Local Moran quadrants (esda's ``q`` 1..4) and classes.
LISA_QUADRANTS: Final[tuple[str, ...]] = ("HH", "LH", "LL", "HL")
LISA_CLASSES: Final[tuple[str, ...]] = ("HH", "LH", "LL", "HL", "not_significant", "isolated")
#: Hot-spot change classes (after Chainey).
CHANGE_CLASSES: Final[tuple[str, ...]] = (
    "persistent",
    "emerging",
    "former",
    "intermittent",
    "never",
)
#: Unit of every density in this module.
DENSITY_UNIT: Final[str] = "incidents_per_km2"
#: Rates per this many residents.
RATE_PER: Final[int] = 1000
#: Default seed of permutation inference.
DEFAULT_SEED: Final[int] = 12345


@dataclass(frozen=True, eq=False)
class GridCounts:
    """Incidents per grid cell.

    Attributes
    ----------
    table
        One row per cell of the study area: ``cell_id``, ``row``, ``col``, ``x``,
        ``y`` (centre, metres), ``lon``, ``lat`` (centre, degrees), ``count`` and
        the cell polygon (EPSG:4326).
    counts
        ``(ny, nx)`` int64 counts of the whole grid (0 outside the area).
    in_area
        ``(ny, nx)`` booleans: the cells of the study area.
    grid
        The grid (cell size, origin, metric CRS).
    area_source
        ``"districts"`` (union of the boundaries) or ``"extent"`` (bounding box of
        the incidents).
    n_incidents, n_counted
        Rows given, and geolocated rows counted in a cell of the area.
    warnings
        Messages for the analyst.
    """

    table: gpd.GeoDataFrame
    counts: np.ndarray
    in_area: np.ndarray
    grid: Grid
    area_source: str
    n_incidents: int
    n_counted: int
    warnings: tuple[Message, ...]


@dataclass(frozen=True, eq=False)
class DistrictCounts:
    """Incidents and rates per district.

    Attributes
    ----------
    table
        ``district``, ``population``, ``count``, ``rate_per_1000`` (NaN where the
        population is unknown or zero) and, with boundaries, the polygon
        (a GeoDataFrame in EPSG:4326, in the order of the boundaries).
    n_incidents, n_counted
        Rows given, and rows counted in a district of the table.
    n_without_district
        Rows with neither a district nor a point inside a boundary.
    rate_per
        The rates are per this many residents (1,000).
    warnings
        Messages for the analyst.
    """

    table: pd.DataFrame
    n_incidents: int
    n_counted: int
    n_without_district: int
    rate_per: int
    warnings: tuple[Message, ...]


@dataclass(frozen=True, eq=False)
class Density:
    """A kernel density surface on a grid.

    Attributes
    ----------
    table
        Cells of the study area with ``density`` (incidents per km^2, averaged
        over the cell) and the cell polygon.
    density
        ``(ny, nx)`` surface of the whole grid, incidents per km^2; times the
        cell area and summed, it gives the incidents (less what falls beyond
        the grid).
    grid, in_area
        The grid and the cells of the study area.
    kernel
        ``"quartic"`` or ``"gaussian"``.
    rule
        ``"scott"``, ``"silverman"`` or ``"user"`` (a bandwidth given by the caller).
    bandwidth_x, bandwidth_y
        Bandwidth actually used along each axis, in metres: the radius of the
        quartic kernel, the standard deviation of the Gaussian one.
    n_points
        Incidents that entered the surface.
    unit
        Always ``"incidents_per_km2"``.
    warnings
        Messages for the analyst.
    """

    table: gpd.GeoDataFrame
    density: np.ndarray
    grid: Grid
    in_area: np.ndarray
    kernel: str
    rule: str
    bandwidth_x: float
    bandwidth_y: float
    n_points: int
    unit: str
    warnings: tuple[Message, ...]


@dataclass(frozen=True, eq=False)
class GiStar:
    """Getis-Ord Gi* hot and cold spots.

    Attributes
    ----------
    table
        Grid: the cells of the area (``cell_id``, ``row``, ``col``, ``x``, ``y``,
        ``lon``, ``lat``, ``count``, ``n_neighbours``, ``nbhd_count``, ``gi_z``,
        ``gi_p``, ``gi_p_fdr``, ``gi_class``, polygon).
        Districts: ``district``, ``population``, ``count``, ``n_neighbours``,
        ``nbhd_count``, then the same statistics (and the polygon).
        ``n_neighbours`` counts the unit itself; ``nbhd_count`` is the number of
        incidents in the unit and its neighbours (the count Gi* tests).
    unit
        ``"grid"`` or ``"district"``.
    fdr
        Whether ``gi_class`` uses the Benjamini-Hochberg adjusted p-values.
    alpha_levels
        Significance levels of the classes: ``(0.01, 0.05, 0.10)``.
    weights
        ``"queen_binary_self"``: queen neighbours plus the unit itself, weight 1.
    n_units
        Units in the statistic.
    grid, in_area
        The grid and its area cells (``None`` for districts).
    warnings
        Messages for the analyst (among them how the p-values were obtained, and
        how many units the floor kept from being hot spots).
    inference
        Where ``gi_p`` comes from: ``"discrete"`` (the larger of the normal
        approximation's p and an exact binomial test's, when a neighbourhood
        expects fewer than 30 incidents by chance) or ``"normal"`` (the normal
        approximation alone); see
        :mod:`ilp_core.analysis.hotspots._gi_inference`.
    min_hot_incidents
        A hot spot's neighbourhood holds at least this many incidents (3): no
        hot spot rests on one or two incidents, whatever its p-value.
    """

    table: pd.DataFrame
    unit: str
    fdr: bool
    alpha_levels: tuple[float, ...]
    weights: str
    n_units: int
    grid: Grid | None
    in_area: np.ndarray | None
    warnings: tuple[Message, ...]
    inference: str = "normal"
    min_hot_incidents: int = 3


@dataclass(frozen=True, eq=False)
class LocalMoran:
    """Local Moran's I clusters and outliers of districts.

    Attributes
    ----------
    table
        ``district``, ``population``, ``count``, ``rate_per_1000``, ``value``
        (the variable analysed), ``n_neighbours``, ``lisa_i``, ``lisa_z``
        (from the permutations), ``lisa_p`` (pseudo p-value), ``lisa_p_fdr``,
        ``lisa_quadrant`` (HH, LH, LL, HL) and ``lisa_class`` (the quadrant when
        significant, else ``not_significant``; ``isolated`` for a district
        without neighbours), with the polygon.
    variable
        ``"count"`` or ``"rate"``.
    permutations, seed
        Conditional permutations and the seed used.
    fdr, alpha
        Whether the class uses the adjusted p-values, and the level.
    warnings
        Messages for the analyst.
    """

    table: gpd.GeoDataFrame
    variable: str
    permutations: int
    seed: int
    fdr: bool
    alpha: float
    warnings: tuple[Message, ...]


@dataclass(frozen=True)
class ChangeThresholds:
    """The rules of the hot-spot change classes.

    A cell is "hot" in a period when its Gi* is positive with p below ``alpha``
    (FDR-adjusted when FDR is on).

    * ``persistent``: hot in at least ``persistent_share`` of all periods and in at
      least one of the last ``recent_periods``;
    * ``emerging``: not persistent, hot in at least ``emerging_recent_share`` of the
      last ``recent_periods`` and in less than ``emerging_before_share`` of the
      periods before them;
    * ``former``: hot in at least ``former_before_share`` of the periods before the
      last ``recent_periods`` and in none of them;
    * ``intermittent``: any other cell hot at least once; ``never``: never hot.
    """

    recent_periods: int
    persistent_share: float
    emerging_recent_share: float
    emerging_before_share: float
    former_before_share: float
    alpha: float


@dataclass(frozen=True, eq=False)
class HotspotChange:
    """Hot-spot change over equal periods (Gi* per period on one grid).

    Attributes
    ----------
    table
        Cells of the area: ``cell_id``, ``row``, ``col``, ``x``, ``y``, ``lon``,
        ``lat``, ``count`` (all periods), ``n_hot``, ``n_hot_recent``,
        ``n_hot_before``, ``share_hot``, ``first_hot_period``,
        ``last_hot_period`` (1-based, missing when never hot), ``change_class``,
        polygon.
    periods
        ``period`` (1-based), ``start``, ``end`` (first and last day),
        ``n_incidents``, ``n_hot_cells``, ``recent``.
    hot, z
        ``(n_periods, ny, nx)`` hot flags and Gi* z-scores (NaN outside the area).
    thresholds
        The class rules used.
    period_days, n_periods
        Length and number of periods; periods end on the last day of the data.
    fdr
        Whether hot flags use the adjusted p-values (per period).
    grid, in_area
        The grid and its area cells.
    warnings
        Messages for the analyst.
    """

    table: gpd.GeoDataFrame
    periods: pd.DataFrame
    hot: np.ndarray
    z: np.ndarray
    thresholds: ChangeThresholds
    period_days: int
    n_periods: int
    fdr: bool
    grid: Grid
    in_area: np.ndarray
    warnings: tuple[Message, ...]


@dataclass(frozen=True, eq=False)
class Concentration:
    """How concentrated incidents are over units (cells, districts or locations).

    Attributes
    ----------
    lorenz
        Points of the Lorenz curve: ``share_units`` (units sorted from fewest to
        most incidents) and ``share_incidents``, from (0, 0) to (1, 1); at most
        1,001 points (exact vertices for up to 1,000 units, else the curve read
        at 1,001 evenly spaced shares).
    gini
        Gini coefficient, 0 (even) to 1 - 1/n (all in one unit).
    share_units_50, share_units_80
        Smallest share of units that together hold 50 % and 80 % of incidents.
    n_units, n_empty_units, n_incidents
        Units counted (empty ones included), those with no incident, incidents.
    unit
        ``"cell"``, ``"district"`` or ``"location"``.
    includes_empty
        Whether empty units are counted (cells of the area and districts of the
        boundaries: yes; locations: no, only locations with an incident are known).
    warnings
        Messages for the analyst.
    """

    lorenz: pd.DataFrame
    gini: float
    share_units_50: float
    share_units_80: float
    n_units: int
    n_empty_units: int
    n_incidents: int
    unit: str
    includes_empty: bool
    warnings: tuple[Message, ...]


@dataclass(frozen=True, eq=False)
class ForecastAccuracy:
    """How well a hot-spot map of one period predicts where the next period's crime is.

    Attributes
    ----------
    hit_rate
        Share of test incidents in the selected cells, ``n / N``.
    pai
        Predictive Accuracy Index ``(n / N) / (a / A)``.
    rri
        Recapture Rate Index ``(n2 / n1) / (N2 / N1)``; NaN when no training
        incident lies in the selected cells (undefined, with a warning).
    coverage
        Requested share of the area; ``area_share`` is the share actually
        selected (whole cells).
    area_share
        ``a / A``: selected cells over cells of the area.
    n_cells_selected, n_cells_area
        ``a`` and ``A`` in cells.
    n_train, n_test
        ``N1`` and ``N``/``N2``: incidents of each period in the area.
    n_train_selected, n_test_selected
        ``n1`` and ``n``/``n2``: those in the selected cells.
    surface
        ``"kde"`` or ``"counts"``: what ranks the cells.
    kernel, bandwidth_x, bandwidth_y, rule
        The density parameters (``None`` for ``surface="counts"``).
    table
        Cells of the area with ``score``, ``rank``, ``selected``,
        ``train_count``, ``test_count`` and the polygon.
    grid
        The common grid of both periods.
    warnings
        Messages for the analyst.
    """

    hit_rate: float
    pai: float
    rri: float
    coverage: float
    area_share: float
    n_cells_selected: int
    n_cells_area: int
    n_train: int
    n_test: int
    n_train_selected: int
    n_test_selected: int
    surface: str
    kernel: str | None
    bandwidth_x: float | None
    bandwidth_y: float | None
    rule: str | None
    table: gpd.GeoDataFrame
    grid: Grid
    warnings: tuple[Message, ...]
