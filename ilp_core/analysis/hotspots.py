"""Where crime concentrates: counts, density, Gi*, Local Moran, change, concentration, accuracy.

Every distance and area is computed in metres in the UTM zone of the data
(:func:`ilp_core.data.geo.project`); result tables are map-ready GeoDataFrames in
EPSG:4326 (cell polygons or district polygons) that also carry the metric cell
centres ``x``, ``y`` and, through the returned :class:`~ilp_core.data.geo.Grid`, the cell
size and the metric CRS.

The study area
--------------
With district boundaries, the study area is their union: the grid covers its
bounding box and the cells that touch a district are "in the area". Without
boundaries, the study area is the bounding box of the geolocated incidents and
every cell of the grid is in it. Grid tables list the cells of the area only
(``cell_id = row * nx + col`` locates them in the full grid); empty cells of the
area are rows with count 0, and they enter Gi*, the change analysis and the
concentration measures (a cell with no crime is information, not a gap).
Geolocated incidents in cells outside the area are left out of grid statistics
and counted in a warning.

Conventions
-----------
p-values are two-sided; the Benjamini-Hochberg false discovery rate correction is
on by default; classes are given at 99 / 95 / 90 % confidence. Every result is a
frozen dataclass carrying the parameters actually used and its warnings as
:class:`~ilp_core.errors.Message` objects.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage, signal, stats

from ilp_core.data import geo
from ilp_core.data.geo import Grid
from ilp_core.errors import IlpInputError, Message

if TYPE_CHECKING:
    import libpysal

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

# AMISE-equivalent ("canonical kernel", Marron & Nolan 1988) ratio between the
# radius of the 2-D quartic (biweight) kernel K(u) = 3/pi (1 - |u|^2)^2 and the
# standard deviation of the 2-D Gaussian: delta_0 = (R(K) / mu_2(K)^2)^(1/6) with
# R = 9 / (5 pi), mu_2 = 1/8 for the quartic and R = 1 / (4 pi), mu_2 = 1 for the
# Gaussian: (9/(5 pi) * 64 * 4 pi)^(1/6) = 460.8^(1/6) = 2.778.
QUARTIC_PER_GAUSSIAN: Final[float] = 460.8 ** (1.0 / 6.0)
# A Gaussian kernel is cut at this many standard deviations (mass lost < 1e-6).
_GAUSS_REACH: Final[float] = 5.0


# --------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------


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
        Cells of the study area with ``density`` (incidents per km^2) and the
        cell polygon.
    density
        ``(ny, nx)`` surface of the whole grid, incidents per km^2.
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
        ``lon``, ``lat``, ``count``, ``n_neighbours``, ``gi_z``, ``gi_p``,
        ``gi_p_fdr``, ``gi_class``, polygon). Districts: ``district``,
        ``population``, ``count``, ``n_neighbours``, then the same statistics
        (and the polygon). ``n_neighbours`` counts the unit itself.
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
        Messages for the analyst.
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


# --------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------


def grid_counts(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    cell_size: float | None = None,
) -> GridCounts:
    """Count incidents per cell of a regular grid: the basic "where" map.

    Parameters
    ----------
    incidents
        Canonical incident table (``lat``, ``lon`` are used).
    districts
        Optional boundaries (``district``, geometry, EPSG:4326): they define the
        study area (see the module notes).
    cell_size
        Side of a cell in metres; ``None`` chooses it from the study area
        (:func:`ilp_core.data.geo.default_cell_size`: shorter side / 50).

    Returns
    -------
    GridCounts

    Raises
    ------
    IlpInputError
        ``hotspots.no_geolocated`` when no incident has coordinates; grid errors
        of :func:`ilp_core.data.geo.make_grid`.

    Examples
    --------
    >>> inc = pd.DataFrame({"lat": [45.5, 45.5, 45.51], "lon": [-30.5, -30.5, -30.49]})
    >>> res = grid_counts(inc, cell_size=500)
    >>> res.grid.shape, int(res.counts.sum()), int(res.counts.max())
    ((3, 3), 3, 2)
    """
    layout = _layout(incidents, districts, cell_size)
    counts = np.bincount(layout.cell, minlength=layout.grid.n_cells).reshape(layout.grid.shape)
    table = _cell_table(layout, {"count": counts})
    return GridCounts(
        table=table,
        counts=counts,
        in_area=layout.in_area,
        grid=layout.grid,
        area_source=layout.area_source,
        n_incidents=len(incidents),
        n_counted=len(layout.cell),
        warnings=layout.warnings,
    )


def district_counts(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
) -> DistrictCounts:
    """Count incidents per district and the rate per 1,000 residents.

    An incident counts in the district its ``district`` column names, so records
    geocoded only to a district count here though they are absent from maps;
    with boundaries, an incident without a district but with coordinates counts
    in the district that contains its point.

    Parameters
    ----------
    incidents
        Canonical incident table (``district``; ``lat``, ``lon`` with boundaries).
    districts
        Boundaries with ``district``, optional ``population`` and geometry
        (EPSG:4326). Without them the table lists the districts named in the data
        and has no population.

    Returns
    -------
    DistrictCounts

    Examples
    --------
    >>> inc = pd.DataFrame({"district": ["A", "A", "B", None], "lat": np.nan, "lon": np.nan})
    >>> res = district_counts(inc)
    >>> res.table[["district", "count"]].to_dict("list")
    {'district': ['A', 'B'], 'count': [2, 1]}
    >>> res.n_without_district
    1
    """
    _require_columns(incidents, ("district",))
    names = _district_names(incidents)
    notes: list[Message] = []
    if districts is not None:
        dist = _check_districts(districts)
        missing = pd.isna(names)
        if missing.any() and {"lat", "lon"} <= set(incidents.columns):
            sub = np.flatnonzero(missing)
            found = geo.assign_districts(
                incidents["lat"].to_numpy(dtype=float)[sub],
                incidents["lon"].to_numpy(dtype=float)[sub],
                dist,
            ).to_numpy(dtype=object)
            names[sub] = found
        keys = dist["district"].astype(str).to_numpy()
        population = dist["population"].to_numpy(dtype=float)
    else:
        dist = None
        present = pd.unique(names[pd.notna(names)])
        keys = np.array(sorted(str(v) for v in present), dtype=object)
        population = np.full(len(keys), np.nan)
    known = pd.notna(names)
    counted = pd.Series(names[known]).value_counts()
    count = counted.reindex(keys, fill_value=0).to_numpy(dtype=np.int64)
    unknown = counted.index[~counted.index.isin(keys)]
    n_unknown = int(counted[unknown].sum()) if len(unknown) else 0
    n_without = int((~known).sum())
    if n_without:
        notes.append(Message("hotspots.no_district", {"n": n_without}))
    if n_unknown:
        notes.append(
            Message(
                "hotspots.unknown_district",
                {"n": n_unknown, "districts": ", ".join(sorted(map(str, unknown))[:10])},
            )
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(population > 0, count / population * RATE_PER, np.nan)
    no_rate = keys[~(population > 0)]
    if dist is not None and len(no_rate):
        notes.append(
            Message("hotspots.population_unknown", {"districts": ", ".join(map(str, no_rate))})
        )
    table = pd.DataFrame(
        {
            "district": pd.array(keys, dtype="str"),
            "population": population,
            "count": count,
            "rate_per_1000": rate,
        }
    )
    if dist is not None:
        table = gpd.GeoDataFrame(table, geometry=dist.geometry.to_numpy(), crs=geo.WGS84)
    return DistrictCounts(
        table=table,
        n_incidents=len(incidents),
        n_counted=int(count.sum()),
        n_without_district=n_without,
        rate_per=RATE_PER,
        warnings=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# Kernel density
# --------------------------------------------------------------------------------------


def kernel_density(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    kernel: Kernel = "quartic",
    bandwidth: float | tuple[float, float] | None = None,
    rule: BandwidthRule = "scott",
    cell_size: float | None = None,
) -> Density:
    """Estimate a smooth surface of incidents per km^2 (kernel density estimation).

    Incidents are linearly binned to the cell centres and the binned counts are
    convolved with the kernel by FFT (Wand 1994), so a million incidents take a
    fraction of a second; the result equals the direct kernel sum at the cell
    centres up to the binning error (see ``tests/test_hotspots.py`` for the
    tolerance against :class:`scipy.stats.gaussian_kde`).

    The bandwidth rule is the normal reference, axis by axis, for two dimensions:
    ``h = s * n ** (-1/6)``, where ``s`` is the standard deviation (``"scott"``,
    Scott 1992; for d = 2 Silverman's factor is the same) or the robust
    ``min(sd, IQR / 1.349)`` (``"silverman"``, Silverman 1986 eq. 3.30; better
    when a few far-away incidents inflate the spread). That ``h`` is the
    standard deviation of the Gaussian kernel; the quartic kernel's radius is
    ``2.778 * h`` (the kernel with the same asymptotic smoothing, Marron & Nolan
    1988).

    The normal reference assumes one bell-shaped cloud and over-smooths
    clustered crime (on the sample region it gives a quartic radius of about
    1.5 km). ``"spatial"`` is the spatial variant of Silverman's rule used by
    ArcGIS Pro's Kernel Density: quartic radius ``0.9 * min(SD, sqrt(1/ln 2) *
    Dm) * n ** -0.2``, with ``SD`` the standard distance and ``Dm`` the median
    distance from the mean centre (about 0.45 km on the sample region).

    Parameters
    ----------
    incidents
        Canonical incident table (``lat``, ``lon``).
    districts
        Optional boundaries defining the study area.
    kernel
        ``"quartic"`` (``3/pi (1 - r^2)^2`` within the radius, the usual crime
        mapping kernel) or ``"gaussian"``.
    bandwidth
        Metres: the quartic radius or the Gaussian standard deviation, one value
        for both axes or ``(along x, along y)``; ``None`` applies ``rule``.
    rule
        ``"scott"``, ``"silverman"`` or ``"spatial"``, used when ``bandwidth`` is
        ``None``.
    cell_size
        Grid cell size in metres (``None``: automatic).

    Returns
    -------
    Density
        Density in incidents per km^2 at each cell centre; a warning when the
        bandwidth is smaller than the cell size.

    References
    ----------
    Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
    Scott, D. W. (1992). Multivariate Density Estimation.
    Marron, J. S., Nolan, D. (1988). Canonical kernels for density estimation.
    Wand, M. P. (1994). Fast computation of multivariate kernel estimators. JCGS 3.

    Examples
    --------
    >>> inc = pd.DataFrame({"lat": [45.5, 45.5], "lon": [-30.5, -30.5]})
    >>> res = kernel_density(inc, kernel="quartic", bandwidth=1000, cell_size=100)
    >>> round(float(res.density.max()), 3)  # 2 incidents * 3 / (pi * 1 km^2)
    1.91
    >>> res.rule, res.unit
    ('user', 'incidents_per_km2')
    """
    _check_option("kernel", kernel, KERNELS)
    _check_option("rule", rule, BANDWIDTH_RULES)
    layout = _layout(incidents, districts, cell_size)
    hx, hy, used_rule = _bandwidths(layout.x, layout.y, kernel, bandwidth, rule)
    surface = _kde_surface(layout.x, layout.y, layout.grid, kernel, hx, hy)
    notes = list(layout.warnings)
    notes.extend(_bandwidth_notes(hx, hy, layout.grid.cell_size))
    table = _cell_table(layout, {"density": surface})
    return Density(
        table=table,
        density=surface,
        grid=layout.grid,
        in_area=layout.in_area,
        kernel=kernel,
        rule=used_rule,
        bandwidth_x=hx,
        bandwidth_y=hy,
        n_points=len(layout.x),
        unit=DENSITY_UNIT,
        warnings=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# Getis-Ord Gi*
# --------------------------------------------------------------------------------------


def gi_star_z(counts: np.ndarray, in_area: np.ndarray | None = None) -> np.ndarray:
    """Return Getis-Ord Gi* z-scores of a grid (queen neighbours + self, binary weights).

    Works on one ``(ny, nx)`` grid or a stack ``(n_periods, ny, nx)`` (one
    statistic per period, same area). Only cells with ``in_area`` enter the
    statistic (as units and as neighbours); they get NaN outside. For cell i with
    neighbourhood sum ``S_i`` (itself included) over ``W_i`` cells, and mean
    ``m`` and standard deviation ``s`` (population) of the ``n`` area cells,
    ``z_i = (S_i - m W_i) / (s sqrt((n W_i - W_i^2) / (n - 1)))`` (Ord & Getis 1995,
    eq. 14 with binary weights), identical to ``esda.G_Local(y, w, star=True,
    transform="B").Zs``. When every cell has the same count, or when a cell's
    neighbourhood is the whole area, the statistic equals its expectation and z
    is 0.

    The neighbour sums are one ``scipy.ndimage.convolve`` with a 3 x 3 (or
    1 x 3 x 3) kernel and the moments are analytic. On a 316 x 316 grid (99,856
    cells) this takes 0.016 s, against 5.8 s for the same z-scores from
    ``libpysal.weights.lat2W`` (1.5 s) + ``esda.G_Local(permutations=0)`` (4.3 s);
    largest difference 1.8e-15 (``benchmarks/bench_hotspots.py`` on this 2-core
    machine).

    Parameters
    ----------
    counts
        Counts per cell, 2-D or 3-D.
    in_area
        ``(ny, nx)`` cells of the study area; ``None`` means all cells.

    Returns
    -------
    numpy.ndarray
        z-scores, same shape as ``counts``.

    References
    ----------
    Ord, J. K., Getis, A. (1995). Local spatial autocorrelation statistics:
    distributional issues and an application. Geographical Analysis 27(4).

    Examples
    --------
    >>> y = np.array([[0, 0, 0], [0, 9, 0], [0, 0, 0]])
    >>> np.round(gi_star_z(y), 3)  # the centre's neighbourhood is the whole area: z = 0
    array([[1.118, 0.707, 1.118],
           [0.707, 0.   , 0.707],
           [1.118, 0.707, 1.118]])
    """
    y = np.asarray(counts, dtype=float)
    if y.ndim not in (2, 3):
        raise ValueError("counts must be a 2-D grid or a 3-D stack of grids")
    plane = y.shape[-2:]
    mask = np.ones(plane, dtype=bool) if in_area is None else np.asarray(in_area, dtype=bool)
    if mask.shape != plane:
        raise ValueError("in_area must have the shape of one grid")
    ym = np.where(mask, y, 0.0)
    kernel = np.ones((3, 3)) if y.ndim == 2 else np.ones((1, 3, 3))
    sums = ndimage.convolve(ym, kernel, mode="constant", cval=0.0)
    card = ndimage.convolve(mask.astype(float), np.ones((3, 3)), mode="constant", cval=0.0)
    n = int(mask.sum())
    values = y[..., mask]
    mean = values.mean(axis=-1)
    sd = values.std(axis=-1)
    flat = sd <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    if y.ndim == 3:
        mean, sd, flat = mean[:, None, None], sd[:, None, None], flat[:, None, None]
    spread = np.sqrt(card * (n - card) / max(n - 1, 1))
    den = np.where(flat, 0.0, sd) * spread
    num = sums - mean * card
    z = np.divide(num, den, out=np.zeros(np.broadcast_shapes(num.shape, den.shape)), where=den > 0)
    z[..., ~mask] = np.nan
    return z


def gi_star(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    unit: Unit = "grid",
    cell_size: float | None = None,
    fdr: bool = True,
) -> GiStar:
    """Find statistically significant hot and cold spots with Getis-Ord Gi*.

    A hot spot is a unit whose neighbourhood (itself and its queen neighbours:
    the 8 surrounding cells, or the districts that share a border or corner) holds
    more incidents than chance would put there. Gi* is computed with binary
    weights (the star variant, the unit counted in its own neighbourhood);
    p-values are two-sided from the normal approximation; with ``fdr=True`` the
    classes use Benjamini-Hochberg adjusted p-values
    (:func:`scipy.stats.false_discovery_control`), which keeps the share of false
    hot spots among those flagged at the stated level despite thousands of tests.

    On the grid, every cell of the study area enters, empty ones as zeros (see
    the module notes); the statistic is :func:`gi_star_z`. On districts, the
    counts are those of :func:`district_counts` (records geocoded to a district
    only included), the weights are queen contiguity from libpysal on the
    polygons, and the statistic is ``esda.G_Local(..., star=True,
    transform="B")``.

    Parameters
    ----------
    incidents
        Canonical incident table.
    districts
        Boundaries (required for ``unit="district"``; they define the grid's study
        area otherwise).
    unit
        ``"grid"`` or ``"district"``.
    cell_size
        Grid cell size in metres (``None``: automatic).
    fdr
        Classify with FDR-adjusted p-values (default) or raw ones.

    Returns
    -------
    GiStar
        Classes ``hot_99``, ``hot_95``, ``hot_90``, ``not_significant``,
        ``cold_90``, ``cold_95``, ``cold_99`` (positive z and p below 0.01, 0.05,
        0.10 is hot, negative is cold).

    References
    ----------
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of
    distance statistics. Geographical Analysis 24(3).
    Ord, J. K., Getis, A. (1995). Geographical Analysis 27(4).
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57(1).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lat = np.r_[45.5 + rng.normal(0, 0.02, 300), 45.5 + rng.normal(0, 0.001, 60)]
    >>> lon = np.r_[-30.5 + rng.normal(0, 0.03, 300), -30.5 + rng.normal(0, 0.001, 60)]
    >>> res = gi_star(pd.DataFrame({"lat": lat, "lon": lon}), cell_size=500)
    >>> top = res.table.loc[res.table["count"].idxmax()]
    >>> int(top["count"]), round(float(top["gi_z"]), 1), top["gi_class"]
    (41, 14.1, 'hot_99')
    >>> res.n_units, int((res.table["gi_class"] == "hot_99").sum())
    (840, 12)
    """
    _check_option("unit", unit, UNITS)
    _check_bool("fdr", fdr)
    if unit == "district":
        return _gi_star_districts(incidents, districts, fdr)
    layout = _layout(incidents, districts, cell_size)
    grid = layout.grid
    counts = np.bincount(layout.cell, minlength=grid.n_cells).reshape(grid.shape)
    z = gi_star_z(counts, layout.in_area)
    notes = list(layout.warnings)
    area_counts = counts[layout.in_area]
    if np.all(area_counts == area_counts[0]):
        notes.append(Message("hotspots.no_variation", {}))
    card = ndimage.convolve(layout.in_area.astype(int), np.ones((3, 3), int), mode="constant")
    zz = z[layout.in_area]
    p, p_fdr, classes = _significance(zz, fdr)
    table = _cell_table(layout, {"count": counts, "n_neighbours": card})
    table["gi_z"] = zz
    table["gi_p"] = p
    table["gi_p_fdr"] = p_fdr
    table["gi_class"] = classes
    table = _geometry_last(table)
    return GiStar(
        table=table,
        unit="grid",
        fdr=fdr,
        alpha_levels=ALPHA_LEVELS,
        weights="queen_binary_self",
        n_units=len(table),
        grid=grid,
        in_area=layout.in_area,
        warnings=tuple(notes),
    )


def _gi_star_districts(
    incidents: pd.DataFrame, districts: gpd.GeoDataFrame | None, fdr: bool
) -> GiStar:
    if districts is None:
        raise IlpInputError("hotspots.needs_districts")
    counts = district_counts(incidents, districts)
    table = counts.table.copy()
    n = len(table)
    if n < 3:
        raise IlpInputError("hotspots.too_few_units", n=n, needed=3)
    w, notes = _queen(table)
    y = table["count"].to_numpy(dtype=float)
    if np.all(y == y[0]):
        notes.append(Message("hotspots.no_variation", {}))
        z = np.zeros(n)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not fully connected.*")
            with np.errstate(divide="ignore", invalid="ignore"):
                import esda  # imported here: PySAL takes seconds to import

                g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
        z = np.asarray(g.Zs, dtype=float)
        # A district whose neighbourhood is the whole area: G* = 1 = E[G*], V = 0.
        z = np.where(np.asarray(g.VGs) > 0, z, 0.0)
    p, p_fdr, classes = _significance(z, fdr)
    table.insert(3, "n_neighbours", _cardinalities(w) + 1)
    table["gi_z"] = z
    table["gi_p"] = p
    table["gi_p_fdr"] = p_fdr
    table["gi_class"] = classes
    table = _geometry_last(table.drop(columns=["rate_per_1000"]))
    return GiStar(
        table=table,
        unit="district",
        fdr=fdr,
        alpha_levels=ALPHA_LEVELS,
        weights="queen_binary_self",
        n_units=n,
        grid=None,
        in_area=None,
        warnings=counts.warnings + tuple(notes),
    )


# --------------------------------------------------------------------------------------
# Local Moran's I
# --------------------------------------------------------------------------------------


def local_moran(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    variable: LisaVariable = "count",
    permutations: int = 999,
    seed: int = DEFAULT_SEED,
    fdr: bool = True,
    alpha: float = 0.05,
) -> LocalMoran:
    """Find clusters (HH, LL) and outliers (HL, LH) of districts with Local Moran's I.

    HH: a district with many incidents among neighbours with many (a hot
    cluster); LL: few among few; HL: many among few (a hot outlier); LH: few among
    many. Computed by ``esda.Moran_Local`` with row-standardised queen contiguity
    weights (libpysal) and conditional permutation inference (``permutations``
    random relocations of the other values around each district, seeded);
    ``lisa_p`` is esda's folded pseudo p-value ``(min(k, M - k) + 1) / (M + 1)``.
    A district without neighbours has no local statistic: it is ``isolated``.

    Parameters
    ----------
    incidents
        Canonical incident table (counts as in :func:`district_counts`).
    districts
        Boundaries with ``district``, ``population``, geometry.
    variable
        ``"count"`` or ``"rate"`` (per 1,000 residents; needs every population).
    permutations
        Number of permutations, 99 to 99,999.
    seed
        Seed of the permutations (same seed, same p-values).
    fdr
        Use Benjamini-Hochberg adjusted p-values for the classes (default).
    alpha
        Significance level of the classes.

    Returns
    -------
    LocalMoran

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA.
    Geographical Analysis 27(2).

    Examples
    --------
    >>> import shapely
    >>> boxes = [shapely.box(-30.5 + c / 100, 45.5 + r / 100, -30.5 + (c + 1) / 100,
    ...          45.5 + (r + 1) / 100) for r in range(4) for c in range(4)]
    >>> d = gpd.GeoDataFrame({"district": [f"D{i}" for i in range(16)],
    ...                       "population": 1000}, geometry=boxes, crs="EPSG:4326")
    >>> names = np.repeat(d["district"], [30, 30, 1, 1, 30, 30, 1, 1] + [1] * 8)
    >>> res = local_moran(pd.DataFrame({"district": names}), d, permutations=99)
    >>> res.table["lisa_quadrant"].tolist()[:6]
    ['HH', 'HH', 'LH', 'LL', 'HH', 'HH']
    """
    _check_option("variable", variable, LISA_VARIABLES)
    _check_bool("fdr", fdr)
    _check_share("alpha", alpha)
    if (
        isinstance(permutations, bool)
        or not isinstance(permutations, int | np.integer)
        or not 99 <= permutations <= 99_999
    ):
        raise IlpInputError("hotspots.bad_permutations", value=str(permutations))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise IlpInputError("hotspots.bad_seed", value=str(seed))
    counts = district_counts(incidents, districts)
    table = counts.table.copy()
    n = len(table)
    if n < 3:
        raise IlpInputError("hotspots.too_few_units", n=n, needed=3)
    if variable == "rate":
        bad = table.loc[~(table["population"] > 0), "district"].tolist()
        if bad:
            raise IlpInputError(
                "hotspots.rate_needs_population",
                columns=("population",),
                districts=", ".join(map(str, bad)),
            )
        value = table["rate_per_1000"].to_numpy(dtype=float)
    else:
        value = table["count"].to_numpy(dtype=float)
    w, notes = _queen(table)
    card = _cardinalities(w)
    isolated = card == 0
    lisa_i = np.full(n, np.nan)
    lisa_z = np.full(n, np.nan)
    lisa_p = np.full(n, np.nan)
    quadrant = np.full(n, None, dtype=object)
    if np.all(value == value[0]):
        notes.append(Message("hotspots.no_variation", {}))
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not fully connected.*")
            # esda announces a future change of its default alternative; the folded
            # ("directed") pseudo p-value used here is documented above.
            warnings.filterwarnings("ignore", message=".*alternative hypothesis.*")
            with np.errstate(divide="ignore", invalid="ignore"):
                import esda  # imported here: PySAL takes seconds to import

                m = esda.Moran_Local(
                    value,
                    w,
                    transformation="r",
                    permutations=int(permutations),
                    seed=int(seed),
                    n_jobs=1,
                )
        ok = ~isolated
        lisa_i[ok] = np.asarray(m.Is)[ok]
        lisa_z[ok] = np.asarray(m.z_sim)[ok]
        lisa_p[ok] = np.asarray(m.p_sim)[ok]
        q = np.asarray(m.q, dtype=int)
        quadrant[ok] = np.array(LISA_QUADRANTS, dtype=object)[q[ok] - 1]
    lisa_p_fdr = np.full(n, np.nan)
    tested = np.isfinite(lisa_p)
    if tested.any():
        lisa_p_fdr[tested] = stats.false_discovery_control(lisa_p[tested], method="bh")
    used = lisa_p_fdr if fdr else lisa_p
    cls = np.where(tested & (used < alpha), quadrant, "not_significant").astype(object)
    cls[isolated] = "isolated"
    table["value"] = value
    table["n_neighbours"] = card
    table["lisa_i"] = lisa_i
    table["lisa_z"] = lisa_z
    table["lisa_p"] = lisa_p
    table["lisa_p_fdr"] = lisa_p_fdr
    table["lisa_quadrant"] = pd.Categorical(quadrant, categories=LISA_QUADRANTS)
    table["lisa_class"] = pd.Categorical(cls, categories=LISA_CLASSES)
    return LocalMoran(
        table=_geometry_last(table),
        variable=variable,
        permutations=int(permutations),
        seed=int(seed),
        fdr=fdr,
        alpha=float(alpha),
        warnings=counts.warnings + tuple(notes),
    )


# --------------------------------------------------------------------------------------
# Change over time
# --------------------------------------------------------------------------------------


def default_period_days(span_days: int) -> int:
    """Return the default period length for data spanning ``span_days`` days.

    7 days up to three months (92 days), 28 days up to two years (731 days), 91
    days beyond.

    Examples
    --------
    >>> default_period_days(90), default_period_days(731), default_period_days(1096)
    (7, 28, 91)
    """
    if span_days <= 92:
        return 7
    if span_days <= 731:
        return 28
    return 91


def hotspot_change(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    cell_size: float | None = None,
    period_days: int | None = None,
    recent_periods: int | None = None,
    fdr: bool = True,
    alpha: float = 0.05,
    persistent_share: float = 0.75,
    emerging_recent_share: float = 0.5,
    emerging_before_share: float = 0.25,
    former_before_share: float = 0.25,
) -> HotspotChange:
    """Class each cell as a persistent, emerging, former or intermittent hot spot.

    The data are cut into equal periods ending on the last day of the data (the
    first, incomplete period is left out with a warning); Gi* is computed per
    period on one grid (:func:`gi_star_z` on the stack of period counts, one
    convolution for all periods), and a cell is hot in a period when its z is
    positive and its p-value (FDR-adjusted within the period when ``fdr``) is
    below ``alpha``. The rules are those of :class:`ChangeThresholds`.

    Parameters
    ----------
    incidents
        Canonical incident table (``occurred_at``, ``lat``, ``lon``).
    districts
        Optional boundaries defining the study area.
    cell_size
        Grid cell size in metres (``None``: automatic).
    period_days
        Length of a period in days; ``None``: :func:`default_period_days`.
    recent_periods
        How many of the last periods are "recent"; ``None``: one eighth of the
        periods, rounded, at least 1 (3 of 26 four-week periods in two years).
    fdr, alpha
        Significance of "hot" in a period (default: FDR-adjusted p < 0.05).
    persistent_share, emerging_recent_share, emerging_before_share, former_before_share
        Class thresholds (shares of periods, see :class:`ChangeThresholds`).

    Returns
    -------
    HotspotChange

    References
    ----------
    Chainey, S. (2014). Examining the extent to which hotspot analysis can support
    spatial predictions of crime. PhD thesis, UCL.
    ESRI. How Emerging Hot Spot Analysis works (ArcGIS Pro documentation).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 364, 4000), "D")
    >>> lat, lon = 45.5 + rng.uniform(0, 0.05, 4000), -30.5 + rng.uniform(0, 0.07, 4000)
    >>> cluster = np.flatnonzero(days >= pd.Timestamp("2024-10-01"))[:600]
    >>> lat[cluster], lon[cluster] = 45.52, -30.47  # a cluster in the last quarter only
    >>> inc = pd.DataFrame({"occurred_at": days, "lat": lat, "lon": lon})
    >>> res = hotspot_change(inc, cell_size=500)
    >>> res.period_days, res.n_periods, res.thresholds.recent_periods
    (28, 13, 2)
    >>> res.table.loc[res.table["count"].idxmax(), "change_class"]
    'emerging'
    """
    _check_bool("fdr", fdr)
    for name, value in (
        ("alpha", alpha),
        ("persistent_share", persistent_share),
        ("emerging_recent_share", emerging_recent_share),
        ("emerging_before_share", emerging_before_share),
        ("former_before_share", former_before_share),
    ):
        _check_share(name, value)
    _require_columns(incidents, ("occurred_at", "lat", "lon"))
    when = pd.to_datetime(incidents["occurred_at"]).to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(when)
    if not dated.any():
        raise IlpInputError("hotspots.no_dates", columns=("occurred_at",))
    layout = _layout(incidents, districts, cell_size)
    grid = layout.grid
    day = when.astype("datetime64[D]")
    first, last = day[dated].min(), day[dated].max()
    span = int((last - first).astype(int)) + 1
    if period_days is None:
        period_days = default_period_days(span)
    elif (
        isinstance(period_days, bool)
        or not isinstance(period_days, int | np.integer)
        or period_days < 1
    ):
        raise IlpInputError("hotspots.bad_period", value=str(period_days))
    period_days = int(period_days)
    n_periods = span // period_days
    if recent_periods is None:
        recent_periods = max(1, round(n_periods / 8))
    elif (
        isinstance(recent_periods, bool)
        or not isinstance(recent_periods, int | np.integer)
        or recent_periods < 1
    ):
        raise IlpInputError("hotspots.bad_recent", value=str(recent_periods))
    recent_periods = int(recent_periods)
    needed = recent_periods + 2
    if n_periods < needed:
        raise IlpInputError(
            "hotspots.change_too_short",
            span_days=span,
            n_periods=n_periods,
            period_days=period_days,
            needed=needed,
            recent=recent_periods,
        )
    end = last + np.timedelta64(1, "D")
    start = end - np.timedelta64(n_periods * period_days, "D")
    pday = day[layout.kept]
    pdated = ~np.isnat(pday)
    offset = np.zeros(len(pday), dtype=np.int64)
    offset[pdated] = (pday[pdated] - start).astype(np.int64)
    use = pdated & (offset >= 0)
    period = offset[use] // period_days
    notes = list(layout.warnings)
    n_early = int((pdated & (offset < 0)).sum())
    if n_early:
        notes.append(
            Message("hotspots.before_first_period", {"n": n_early, "start": _to_date(start)})
        )
    n_undated = int((~pdated).sum())
    if n_undated:
        notes.append(Message("hotspots.undated", {"n": n_undated}))
    stack = np.bincount(
        period * grid.n_cells + layout.cell[use], minlength=n_periods * grid.n_cells
    ).reshape((n_periods, *grid.shape))
    z = gi_star_z(stack, layout.in_area)
    mask = layout.in_area
    zz = z[:, mask]
    p = 2.0 * stats.norm.sf(np.abs(zz))
    p_used = stats.false_discovery_control(p, axis=1, method="bh") if fdr else p
    hot_area = (zz > 0) & (p_used < alpha)
    hot = np.zeros(stack.shape, dtype=bool)
    hot[:, mask] = hot_area
    flat_periods = int(np.sum([np.all(v == v[0]) for v in stack[:, mask]]))
    if flat_periods:
        notes.append(Message("hotspots.flat_periods", {"n": flat_periods}))

    thresholds = ChangeThresholds(
        recent_periods=recent_periods,
        persistent_share=float(persistent_share),
        emerging_recent_share=float(emerging_recent_share),
        emerging_before_share=float(emerging_before_share),
        former_before_share=float(former_before_share),
        alpha=float(alpha),
    )
    n_hot = hot_area.sum(axis=0)
    n_recent = hot_area[-recent_periods:].sum(axis=0)
    n_before = hot_area[:-recent_periods].sum(axis=0)
    classes = _change_classes(n_hot, n_recent, n_before, n_periods, thresholds)
    ever = n_hot > 0
    first_hot = np.where(ever, np.argmax(hot_area, axis=0) + 1, 0)
    last_hot = np.where(ever, n_periods - np.argmax(hot_area[::-1], axis=0), 0)
    table = _cell_table(layout, {"count": stack.sum(axis=0)})
    table["n_hot"] = n_hot
    table["n_hot_recent"] = n_recent
    table["n_hot_before"] = n_before
    table["share_hot"] = n_hot / n_periods
    first_arr = pd.array(first_hot, dtype="Int64")
    last_arr = pd.array(last_hot, dtype="Int64")
    first_arr[~ever] = pd.NA
    last_arr[~ever] = pd.NA
    table["first_hot_period"] = first_arr
    table["last_hot_period"] = last_arr
    table["change_class"] = pd.Categorical(classes, categories=CHANGE_CLASSES)
    table = _geometry_last(table)

    starts = start + np.arange(n_periods) * np.timedelta64(period_days, "D")
    periods = pd.DataFrame(
        {
            "period": np.arange(1, n_periods + 1),
            "start": pd.to_datetime(starts),
            "end": pd.to_datetime(starts + np.timedelta64(period_days - 1, "D")),
            "n_incidents": stack.sum(axis=(1, 2)),
            "n_hot_cells": hot_area.sum(axis=1),
            "recent": np.arange(n_periods) >= n_periods - recent_periods,
        }
    )
    return HotspotChange(
        table=table,
        periods=periods,
        hot=hot,
        z=z,
        thresholds=thresholds,
        period_days=period_days,
        n_periods=n_periods,
        fdr=fdr,
        grid=grid,
        in_area=layout.in_area,
        warnings=tuple(notes),
    )


def _change_classes(
    n_hot: np.ndarray,
    n_recent: np.ndarray,
    n_before: np.ndarray,
    n_periods: int,
    t: ChangeThresholds,
) -> np.ndarray:
    n_earlier = n_periods - t.recent_periods
    share = n_hot / n_periods
    share_before = n_before / n_earlier
    min_recent = max(1, math.ceil(t.emerging_recent_share * t.recent_periods - 1e-9))
    persistent = (share >= t.persistent_share - 1e-12) & (n_recent >= 1)
    emerging = ~persistent & (n_recent >= min_recent) & (share_before < t.emerging_before_share)
    former = (
        ~persistent & ~emerging & (share_before >= t.former_before_share - 1e-12) & (n_recent == 0)
    )
    return np.select(
        [persistent, emerging, former, n_hot > 0],
        ["persistent", "emerging", "former", "intermittent"],
        default="never",
    ).astype(object)


# --------------------------------------------------------------------------------------
# Concentration and repeat locations
# --------------------------------------------------------------------------------------


def concentration_from_counts(
    counts: np.ndarray | pd.Series,
    *,
    unit: ConcentrationUnit = "cell",
    includes_empty: bool = True,
) -> Concentration:
    """Measure how unevenly incidents fall over units, from the count of each unit.

    Parameters
    ----------
    counts
        Incidents per unit (empty units as 0).
    unit
        What a unit is (carried to the result for labels).
    includes_empty
        Whether ``counts`` lists empty units too (carried to the result).

    Returns
    -------
    Concentration
        Gini ``= sum_i (2i - n - 1) x_(i) / (n sum x)`` over counts sorted
        ascending (equal to the mean absolute difference over twice the mean).

    Raises
    ------
    IlpInputError
        ``hotspots.no_incidents`` when the counts sum to 0 (shares are undefined);
        ``hotspots.bad_counts`` for negative or non-finite counts.

    Examples
    --------
    >>> c = concentration_from_counts(np.array([0, 0, 1, 3]))
    >>> c.gini, c.share_units_50, c.share_units_80
    (0.625, 0.25, 0.5)
    """
    _check_option("unit", unit, CONCENTRATION_UNITS)
    x = np.asarray(counts, dtype=float).ravel()
    if len(x) == 0 or not np.all(np.isfinite(x)) or np.any(x < 0):
        raise IlpInputError("hotspots.bad_counts")
    total = float(x.sum())
    if total <= 0:
        raise IlpInputError("hotspots.no_incidents")
    n = len(x)
    asc = np.sort(x)
    gini = float(np.sum((2 * np.arange(1, n + 1) - n - 1) * asc) / (n * total))
    desc_cum = np.cumsum(asc[::-1])
    tol = 1e-9 * total
    k50 = int(np.argmax(desc_cum >= 0.5 * total - tol)) + 1
    k80 = int(np.argmax(desc_cum >= 0.8 * total - tol)) + 1
    share_units = np.arange(n + 1) / n
    share_inc = np.r_[0.0, np.cumsum(asc)] / total
    if n > 1000:
        grid_share = np.linspace(0.0, 1.0, 1001)
        share_inc = np.interp(grid_share, share_units, share_inc)
        share_units = grid_share
    lorenz = pd.DataFrame({"share_units": share_units, "share_incidents": share_inc})
    return Concentration(
        lorenz=lorenz,
        gini=gini,
        share_units_50=k50 / n,
        share_units_80=k80 / n,
        n_units=n,
        n_empty_units=int((x == 0).sum()),
        n_incidents=int(round(total)),
        unit=unit,
        includes_empty=bool(includes_empty),
        warnings=(),
    )


def concentration(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    unit: ConcentrationUnit = "cell",
    cell_size: float | None = None,
) -> Concentration:
    """Measure how concentrated incidents are: Lorenz curve, Gini, units holding 50 % / 80 %.

    Over cells, all cells of the study area count, empty ones included (so the
    figures say "x % of the area holds half the crime"); over districts, every
    district of the boundaries (or named in the data); over locations, only the
    ``location_id`` values that have incidents (an address without crime is not
    in the data), so ``includes_empty`` is False.

    Parameters
    ----------
    incidents
        Canonical incident table.
    districts
        Optional boundaries (study area for cells; the units for districts).
    unit
        ``"cell"``, ``"district"`` or ``"location"``.
    cell_size
        Grid cell size in metres for ``unit="cell"`` (``None``: automatic).

    Returns
    -------
    Concentration

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology of
    place. Criminology 53(2).

    Examples
    --------
    >>> inc = pd.DataFrame({"location_id": ["L1", "L1", "L1", "L2", None]})
    >>> c = concentration(inc, unit="location")
    >>> c.n_units, round(c.gini, 3), c.share_units_50
    (2, 0.25, 0.5)
    """
    _check_option("unit", unit, CONCENTRATION_UNITS)
    if unit == "cell":
        res = grid_counts(incidents, districts, cell_size=cell_size)
        base = concentration_from_counts(res.counts[res.in_area], unit="cell")
        notes = res.warnings
    elif unit == "district":
        res_d = district_counts(incidents, districts)
        base = concentration_from_counts(res_d.table["count"].to_numpy(), unit="district")
        notes = res_d.warnings
    else:
        _require_columns(incidents, ("location_id",))
        ids = incidents["location_id"]
        known = ids.notna().to_numpy()
        if not known.any():
            raise IlpInputError("hotspots.no_location_ids", columns=("location_id",))
        per = ids[known].astype(str).value_counts().to_numpy()
        base = concentration_from_counts(per, unit="location", includes_empty=False)
        n_missing = int((~known).sum())
        notes = (Message("hotspots.no_location", {"n": n_missing}),) if n_missing else ()
    return replace(base, warnings=tuple(notes))


def repeat_locations(incidents: pd.DataFrame, *, min_count: int = 2) -> pd.DataFrame:
    """Rank the locations (``location_id``) that suffer repeat incidents.

    Parameters
    ----------
    incidents
        Canonical incident table (``location_id``, ``occurred_at``, ``offence``;
        ``district``, ``lat``, ``lon`` when present).
    min_count
        Smallest number of incidents for a location to be listed (2: repeats).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``location_id``, ``count``, ``share`` (of incidents with a
        location), ``first_at``, ``last_at``, ``n_offences`` (distinct types),
        ``top_offence``, ``offences`` (types by frequency, "; "-separated, with
        counts), ``district`` (most frequent), ``lat``, ``lon`` (median point;
        NaN when none is geolocated); most incidents first, ties by id. Empty
        (same columns) when no location repeats.

    Examples
    --------
    >>> inc = pd.DataFrame({
    ...     "location_id": ["L1", "L1", "L1", "L2", "L2", "L3"],
    ...     "occurred_at": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-01",
    ...                                    "2024-01-01", "2024-01-02", "2024-01-03"]),
    ...     "offence": ["Shoplifting", "Robbery", "Shoplifting", "Robbery", "Robbery", "Robbery"],
    ... })
    >>> repeat_locations(inc)[["rank", "location_id", "count", "offences"]].values.tolist()
    [[1, 'L1', 3, 'Shoplifting (2); Robbery (1)'], [2, 'L2', 2, 'Robbery (2)']]
    """
    if isinstance(min_count, bool) or not isinstance(min_count, int | np.integer) or min_count < 1:
        raise IlpInputError("hotspots.bad_min_count", value=str(min_count))
    _require_columns(incidents, ("location_id", "occurred_at", "offence"))
    ids = incidents["location_id"]
    known = ids.notna().to_numpy()
    n_known = int(known.sum())
    frame = pd.DataFrame(
        {
            "location_id": ids[known].astype(str).to_numpy(),
            "occurred_at": pd.to_datetime(incidents["occurred_at"]).to_numpy()[known],
            "offence": incidents["offence"].astype(str).to_numpy()[known],
            "district": (
                incidents["district"].astype(object).to_numpy()[known]
                if "district" in incidents
                else np.full(n_known, np.nan, dtype=object)
            ),
            "lat": (
                incidents["lat"].to_numpy(dtype=float)[known]
                if "lat" in incidents
                else np.full(n_known, np.nan)
            ),
            "lon": (
                incidents["lon"].to_numpy(dtype=float)[known]
                if "lon" in incidents
                else np.full(n_known, np.nan)
            ),
        }
    )
    sizes = frame["location_id"].value_counts()
    keep_ids = sizes.index[sizes.to_numpy() >= min_count]
    frame = frame[frame["location_id"].isin(keep_ids)]
    columns = [
        "rank",
        "location_id",
        "count",
        "share",
        "first_at",
        "last_at",
        "n_offences",
        "top_offence",
        "offences",
        "district",
        "lat",
        "lon",
    ]
    if frame.empty:
        empty = pd.DataFrame({c: [] for c in columns})
        return empty.astype(
            {"rank": "int64", "count": "int64", "share": "float64", "n_offences": "int64"}
            | {"first_at": "datetime64[ns]", "last_at": "datetime64[ns]"}
            | {"lat": "float64", "lon": "float64"}
            | dict.fromkeys(("location_id", "top_offence", "offences", "district"), "str")
        )
    grouped = frame.groupby("location_id", sort=False)
    base = grouped.agg(
        count=("offence", "size"),
        first_at=("occurred_at", "min"),
        last_at=("occurred_at", "max"),
        lat=("lat", "median"),
        lon=("lon", "median"),
    )
    by_offence = (
        frame.groupby(["location_id", "offence"], sort=False).size().rename("n").reset_index()
    )
    by_offence = by_offence.sort_values(
        ["location_id", "n", "offence"], ascending=[True, False, True]
    )
    by_offence["text"] = by_offence["offence"] + " (" + by_offence["n"].astype(str) + ")"
    offence_info = by_offence.groupby("location_id", sort=False).agg(
        n_offences=("offence", "size"),
        top_offence=("offence", "first"),
        offences=("text", "; ".join),
    )
    districts = (
        frame.dropna(subset=["district"])
        .assign(district=lambda f: f["district"].astype(str))
        .groupby(["location_id", "district"], sort=False)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["location_id", "n", "district"], ascending=[True, False, True])
        .drop_duplicates("location_id")
        .set_index("location_id")["district"]
    )
    out = base.join(offence_info).join(districts.rename("district"))
    out = out.reset_index().sort_values(["count", "location_id"], ascending=[False, True])
    out["rank"] = np.arange(1, len(out) + 1)
    out["share"] = out["count"] / n_known
    out["district"] = out["district"].astype("str")
    out["first_at"] = out["first_at"].astype("datetime64[ns]")
    out["last_at"] = out["last_at"].astype("datetime64[ns]")
    return out[columns].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Forecast accuracy
# --------------------------------------------------------------------------------------


def forecast_accuracy(
    train: pd.DataFrame,
    test: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    coverage: float = 0.05,
    surface: Surface = "kde",
    kernel: Kernel = "quartic",
    bandwidth: float | tuple[float, float] | None = None,
    rule: BandwidthRule = "scott",
    cell_size: float | None = None,
) -> ForecastAccuracy:
    """Test a hot-spot map made from one period against where the next period's crime fell.

    The cells of the study area are ranked by the training period's surface (the
    kernel density, or the raw counts) and the top cells covering ``coverage`` of
    the area (rounded to whole cells, at least one; ties by ``cell_id``) are the
    predicted hot spots. With ``N`` test incidents in the area, ``n`` of them in
    the selected cells, ``A`` cells in the area and ``a`` selected:

    * hit rate ``H = n / N``;
    * PAI ``= (n / N) / (a / A)`` (Chainey, Tompson & Uhlig 2008): how many times
      better than a random choice of the same area;
    * RRI ``= (n2 / n1) / (N2 / N1)`` (Levine 2008), with ``n1``, ``N1`` the
      training incidents in the selection and in the area and ``n2 = n``,
      ``N2 = N``: above 1 when the selection keeps more than its share of the crime.

    Parameters
    ----------
    train, test
        Canonical incident tables of the two periods (e.g. from
        :func:`ilp_core.data.dataset.filter_incidents`).
    districts
        Optional boundaries defining the study area.
    coverage
        Share of the area selected, in (0, 1]; default 5 %.
    surface
        ``"kde"`` (default) or ``"counts"``.
    kernel, bandwidth, rule
        Density parameters (see :func:`kernel_density`).
    cell_size
        Grid cell size in metres (``None``: automatic from both periods).

    Returns
    -------
    ForecastAccuracy

    References
    ----------
    Chainey, S., Tompson, L., Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal 21.
    Levine, N. (2008). The "hottest" part of a hotspot: comments on "The utility of
    hotspot mapping for predicting spatial patterns of crime". Security Journal 21.

    Examples
    --------
    >>> train = pd.DataFrame({"lat": [45.5] * 8 + [45.52, 45.53], "lon": [-30.5] * 10})
    >>> test = pd.DataFrame({"lat": [45.5] * 6 + [45.52] * 4, "lon": [-30.5] * 10})
    >>> r = forecast_accuracy(train, test, surface="counts", coverage=0.1, cell_size=500)
    >>> r.n_cells_area, r.n_cells_selected, r.hit_rate, round(r.pai, 2), r.rri
    (7, 1, 0.6, 4.2, 0.75)
    """
    _check_option("surface", surface, SURFACES)
    _check_option("kernel", kernel, KERNELS)
    _check_option("rule", rule, BANDWIDTH_RULES)
    if not isinstance(coverage, int | float | np.integer | np.floating) or not (0 < coverage <= 1):
        raise IlpInputError("hotspots.bad_share", name="coverage", value=str(coverage))
    _require_columns(train, ("lat", "lon"))
    _require_columns(test, ("lat", "lon"))
    both = pd.DataFrame(
        {
            "lat": np.r_[train["lat"].to_numpy(dtype=float), test["lat"].to_numpy(dtype=float)],
            "lon": np.r_[train["lon"].to_numpy(dtype=float), test["lon"].to_numpy(dtype=float)],
        }
    )
    layout = _layout(both, districts, cell_size)
    grid = layout.grid
    is_train = layout.kept < len(train)
    train_counts = np.bincount(layout.cell[is_train], minlength=grid.n_cells).reshape(grid.shape)
    test_counts = np.bincount(layout.cell[~is_train], minlength=grid.n_cells).reshape(grid.shape)
    n_train = int(train_counts.sum())
    n_test = int(test_counts.sum())
    if n_train == 0:
        raise IlpInputError("hotspots.empty_train")
    if n_test == 0:
        raise IlpInputError("hotspots.empty_test")
    notes = list(layout.warnings)
    if surface == "kde":
        tx, ty = layout.x[is_train], layout.y[is_train]
        hx, hy, used_rule = _bandwidths(tx, ty, kernel, bandwidth, rule)
        score = _kde_surface(tx, ty, grid, kernel, hx, hy)
        notes.extend(_bandwidth_notes(hx, hy, grid.cell_size))
        k_used: str | None = kernel
        bx: float | None = hx
        by: float | None = hy
        r_used: str | None = used_rule
    else:
        score = train_counts.astype(float)
        k_used = bx = by = r_used = None
    mask = layout.in_area
    area_ids = np.flatnonzero(mask.ravel())
    area_score = score.ravel()[area_ids]
    n_area = len(area_ids)
    n_sel = max(1, int(round(coverage * n_area)))
    order = np.lexsort((area_ids, -area_score))
    rank = np.empty(n_area, dtype=np.int64)
    rank[order] = np.arange(1, n_area + 1)
    selected = rank <= n_sel
    tr = train_counts.ravel()[area_ids]
    te = test_counts.ravel()[area_ids]
    n1 = int(tr[selected].sum())
    n2 = int(te[selected].sum())
    hit_rate = n2 / n_test
    area_share = n_sel / n_area
    pai = hit_rate / area_share
    if n1 > 0:
        rri = (n2 / n1) / (n_test / n_train)
    else:
        rri = float("nan")
        notes.append(Message("hotspots.rri_undefined", {}))
    table = _cell_table(layout, {"score": score})
    table["rank"] = rank
    table["selected"] = selected
    table["train_count"] = tr
    table["test_count"] = te
    return ForecastAccuracy(
        hit_rate=float(hit_rate),
        pai=float(pai),
        rri=float(rri),
        coverage=float(coverage),
        area_share=float(area_share),
        n_cells_selected=n_sel,
        n_cells_area=n_area,
        n_train=n_train,
        n_test=n_test,
        n_train_selected=n1,
        n_test_selected=n2,
        surface=surface,
        kernel=k_used,
        bandwidth_x=bx,
        bandwidth_y=by,
        rule=r_used,
        table=_geometry_last(table),
        grid=grid,
        warnings=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# Shared plumbing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Layout:
    """Geolocated incidents placed on the grid of the study area."""

    grid: Grid
    in_area: np.ndarray
    cell: np.ndarray  # flat cell id of each kept incident
    kept: np.ndarray  # positions (0..n-1) of the kept incidents in the input table
    x: np.ndarray
    y: np.ndarray
    area_source: str
    warnings: tuple[Message, ...]


def _layout(
    incidents: pd.DataFrame, districts: gpd.GeoDataFrame | None, cell_size: float | None
) -> _Layout:
    _require_columns(incidents, ("lat", "lon"))
    lat = incidents["lat"].to_numpy(dtype=float)
    lon = incidents["lon"].to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        raise IlpInputError("hotspots.no_geolocated", columns=("lat", "lon"), n=len(incidents))
    proj = geo.project(pd.DataFrame({"lat": lat, "lon": lon}))
    notes: list[Message] = []
    if districts is not None:
        dist = _check_districts(districts)
        area = dist.to_crs(proj.crs).geometry.union_all()
        bounds = tuple(float(b) for b in area.bounds)
        source = "districts"
    else:
        area = None
        bounds = (
            float(proj.x.min()),
            float(proj.y.min()),
            float(proj.x.max()),
            float(proj.y.max()),
        )
        source = "extent"
    grid = geo.make_grid(bounds, proj.crs, cell_size)
    notes.extend(geo.grid_warnings(grid))
    in_area = geo.cells_in_area(grid, area) if area is not None else np.ones(grid.shape, dtype=bool)
    row, col, inside = grid.locate(proj.x, proj.y)
    cell = row * grid.nx + col
    keep = inside & in_area.ravel()[cell]
    n_missing = len(incidents) - len(proj.index)
    if n_missing:
        notes.append(Message("hotspots.not_geolocated", {"n": int(n_missing)}))
    n_out = int((~keep).sum())
    if n_out:
        notes.append(Message("hotspots.outside_area", {"n": n_out}))
    return _Layout(
        grid=grid,
        in_area=in_area,
        cell=cell[keep],
        kept=proj.index[keep],
        x=proj.x[keep],
        y=proj.y[keep],
        area_source=source,
        warnings=tuple(notes),
    )


def _cell_table(layout: _Layout, values: dict[str, np.ndarray]) -> gpd.GeoDataFrame:
    """Cells of the study area with per-cell values taken from full-grid arrays."""
    ids = np.flatnonzero(layout.in_area.ravel())
    table = layout.grid.cells(ids)
    for name, array in values.items():
        table[name] = np.asarray(array).ravel()[ids]
    return _geometry_last(table)


def _geometry_last(table: pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table.columns:
        geom = table.geometry.name
        return table[[c for c in table.columns if c != geom] + [geom]]
    return table


def _significance(z: np.ndarray, fdr: bool) -> tuple[np.ndarray, np.ndarray, pd.Categorical]:
    """Two-sided p, BH-adjusted p, and the hot/cold class of each z."""
    p = 2.0 * stats.norm.sf(np.abs(z))
    p_fdr = stats.false_discovery_control(p, method="bh") if len(p) else p
    used = p_fdr if fdr else p
    labels = np.full(len(z), "not_significant", dtype=object)
    for alpha in sorted(ALPHA_LEVELS, reverse=True):  # 0.10, then 0.05, then 0.01 overwrite
        tag = f"{round(100 * (1 - alpha))}"
        sig = used < alpha
        labels[sig & (z > 0)] = f"hot_{tag}"
        labels[sig & (z < 0)] = f"cold_{tag}"
    return p, p_fdr, pd.Categorical(labels, categories=GI_CLASSES, ordered=True)


def _queen(table: gpd.GeoDataFrame) -> tuple[libpysal.weights.W, list[Message]]:
    """Queen contiguity of the district polygons, and a note naming isolated ones."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not fully connected.*")
        warnings.filterwarnings("ignore", message=".*island.*")
        import libpysal  # imported here: PySAL takes seconds to import

        w = libpysal.weights.Queen.from_dataframe(table, use_index=False, silence_warnings=True)
    notes: list[Message] = []
    isolated = [str(table["district"].iloc[i]) for i in w.islands]
    if isolated:
        notes.append(Message("hotspots.isolated_districts", {"districts": ", ".join(isolated)}))
    return w, notes


def _cardinalities(w: libpysal.weights.W) -> np.ndarray:
    return np.array([w.cardinalities[i] for i in w.id_order], dtype=np.int64)


def _bandwidths(
    x: np.ndarray,
    y: np.ndarray,
    kernel: str,
    bandwidth: float | tuple[float, float] | None,
    rule: str,
) -> tuple[float, float, str]:
    """Bandwidths along x and y in the kernel's own scale, and the rule used."""
    if bandwidth is not None:
        pair = bandwidth if isinstance(bandwidth, tuple | list) else (bandwidth, bandwidth)
        if len(pair) != 2 or not all(
            isinstance(b, int | float | np.integer | np.floating)
            and not isinstance(b, bool)
            and np.isfinite(b)
            and b > 0
            for b in pair
        ):
            raise IlpInputError("hotspots.bad_bandwidth", value=str(bandwidth))
        return float(pair[0]), float(pair[1]), "user"
    n = len(x)
    if n < 2:
        raise IlpInputError("hotspots.kde_too_few", n=n)
    if rule == "spatial":
        dx, dy = x - x.mean(), y - y.mean()
        standard_distance = float(np.sqrt((dx**2 + dy**2).sum() / n))
        median_distance = float(np.median(np.hypot(dx, dy)))
        spread = min(standard_distance, np.sqrt(1.0 / np.log(2.0)) * median_distance)
        if spread <= 0:
            raise IlpInputError("hotspots.kde_no_spread")
        radius = 0.9 * spread * n ** (-0.2)
        h = radius if kernel == "quartic" else radius / QUARTIC_PER_GAUSSIAN
        return h, h, rule
    factor = n ** (-1.0 / 6.0)
    spreads = []
    for v in (x, y):
        s = float(np.std(v, ddof=1))
        if rule == "silverman":
            q75, q25 = np.percentile(v, [75, 25])
            iqr = float(q75 - q25) / 1.349
            if iqr > 0:
                s = min(s, iqr)
        spreads.append(s)
    if min(spreads) <= 0:
        raise IlpInputError("hotspots.kde_no_spread")
    scale = QUARTIC_PER_GAUSSIAN if kernel == "quartic" else 1.0
    return spreads[0] * factor * scale, spreads[1] * factor * scale, rule


def _bandwidth_notes(hx: float, hy: float, cell_size: float) -> list[Message]:
    if min(hx, hy) < cell_size:
        return [
            Message(
                "hotspots.bandwidth_below_cell",
                {"bandwidth": f"{min(hx, hy):.0f}", "cell_size": f"{cell_size:g}"},
            )
        ]
    return []


def _linear_bin(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Linear binning of points to cell centres (Wand 1994).

    Each point's unit mass is shared among the four surrounding centres in
    proportion to closeness.
    """
    nx, ny = grid.nx, grid.ny

    def axis(u: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i = np.floor(u)
        f = u - i
        i = i.astype(np.int64)
        low = i < 0
        high = i >= size - 1
        i[low] = 0
        i[high] = size - 1
        f[low | high] = 0.0
        return i, np.minimum(i + 1, size - 1), f

    i0, i1, fx = axis((x - grid.x0) / grid.cell_size - 0.5, nx)
    j0, j1, fy = axis((y - grid.y0) / grid.cell_size - 0.5, ny)
    m = grid.n_cells
    out = np.bincount(j0 * nx + i0, (1 - fx) * (1 - fy), minlength=m)
    out += np.bincount(j0 * nx + i1, fx * (1 - fy), minlength=m)
    out += np.bincount(j1 * nx + i0, (1 - fx) * fy, minlength=m)
    out += np.bincount(j1 * nx + i1, fx * fy, minlength=m)
    return out.reshape(grid.shape)


def _kde_surface(
    x: np.ndarray, y: np.ndarray, grid: Grid, kernel: str, hx: float, hy: float
) -> np.ndarray:
    """Kernel sum at the cell centres, incidents per km^2, by binning + FFT convolution."""
    if len(x) == 0:
        return np.zeros(grid.shape)
    cs = grid.cell_size
    binned = _linear_bin(x, y, grid)
    reach = _GAUSS_REACH if kernel == "gaussian" else 1.0
    # Offsets beyond the grid's own size cannot link two centres: cap the kernel there.
    kx = min(int(np.ceil(reach * hx / cs)), grid.nx - 1)
    ky = min(int(np.ceil(reach * hy / cs)), grid.ny - 1)
    u = (np.arange(-kx, kx + 1) * cs / hx)[None, :]
    v = (np.arange(-ky, ky + 1) * cs / hy)[:, None]
    r2 = u**2 + v**2
    if kernel == "gaussian":
        weights = np.exp(-0.5 * r2) / (2.0 * np.pi * hx * hy)
    else:
        weights = np.where(r2 < 1.0, 3.0 / np.pi * (1.0 - r2) ** 2, 0.0) / (hx * hy)
    dens = signal.fftconvolve(binned, weights, mode="same")
    np.maximum(dens, 0.0, out=dens)  # FFT round-off leaves -1e-20 where the truth is 0
    return dens * 1e6


def _district_names(incidents: pd.DataFrame) -> np.ndarray:
    column = incidents["district"]
    text = column.astype(object).astype(str).to_numpy(dtype=object)
    return np.where(column.notna().to_numpy(), text, None)


def _check_districts(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(districts, gpd.GeoDataFrame):
        raise IlpInputError("hotspots.bad_districts")
    if "district" not in districts.columns:
        raise IlpInputError("hotspots.districts_columns", columns=("district",), names="district")
    if len(districts) == 0:
        raise IlpInputError("hotspots.bad_districts")
    names = districts["district"].astype(str)
    dup = names[names.duplicated()].unique().tolist()
    if dup:
        raise IlpInputError(
            "hotspots.duplicate_districts", columns=("district",), districts=", ".join(dup)
        )
    out = districts if districts.crs is not None else districts.set_crs(geo.WGS84)
    out = out.to_crs(geo.WGS84)
    population = (
        pd.to_numeric(out["population"], errors="coerce").astype(float)
        if "population" in out.columns
        else np.full(len(out), np.nan)
    )
    return gpd.GeoDataFrame(
        {"district": names.to_numpy(), "population": np.asarray(population, dtype=float)},
        geometry=out.geometry.to_numpy(),
        crs=geo.WGS84,
    )


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise IlpInputError("hotspots.missing_columns", columns=missing, names=", ".join(missing))


def _check_option(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise IlpInputError(
            "hotspots.bad_option", name=name, value=str(value), allowed=", ".join(allowed)
        )


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool | np.bool_):
        raise IlpInputError("hotspots.bad_flag", name=name, value=str(value))


def _check_share(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not 0 < value <= 1
    ):
        raise IlpInputError("hotspots.bad_share", name=name, value=str(value))


def _to_date(day: np.datetime64) -> object:
    return pd.Timestamp(day).date()
