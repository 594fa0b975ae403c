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
:class:`~ilp_core.errors.Message` objects. Wrong arguments raise the shared
messages of :mod:`ilp_core.checks`.

Where each statistic lives
--------------------------
* ``_results.py``: the result dataclasses, the option tuples and the constants;
* ``_common.py``: the study area and grid layout, cell tables, significance and
  FDR, queen weights of districts, the checks of boundaries;
* ``_counts.py``: :func:`grid_counts`, :func:`incident_cells`, :func:`grouped_cell_counts`,
  :func:`district_counts`;
* ``_density.py``: :func:`kernel_density` (bandwidth rules, linear binning, FFT
  kernel surface); ``_binning.py``: its compiled binning (and :func:`warm_up`);
* ``_getis_ord.py``: :func:`gi_star_z`, :func:`gi_star` (grid and districts);
* ``_moran.py``: :func:`local_moran`;
* ``_change.py``: :func:`default_period_days`, :func:`hotspot_change` and its
  change classes;
* ``_concentration.py``: :func:`concentration_from_counts`, :func:`concentration`,
  :func:`repeat_locations`, :func:`repeat_counts`;
* ``_accuracy.py``: :func:`forecast_accuracy` (hit rate, PAI, RRI), and
  :func:`forecast_accuracy_at` (the same for one table cut at a date).
"""

from ilp_core.analysis.hotspots._accuracy import forecast_accuracy, forecast_accuracy_at
from ilp_core.analysis.hotspots._change import default_period_days, hotspot_change
from ilp_core.analysis.hotspots._concentration import (
    concentration,
    concentration_from_counts,
    repeat_counts,
    repeat_locations,
)
from ilp_core.analysis.hotspots._counts import (
    district_counts,
    grid_counts,
    grouped_cell_counts,
    incident_cells,
)
from ilp_core.analysis.hotspots._density import QUARTIC_PER_GAUSSIAN, kernel_density, warm_up
from ilp_core.analysis.hotspots._getis_ord import gi_star, gi_star_z
from ilp_core.analysis.hotspots._gi_inference import MIN_HOT_INCIDENTS, NORMAL_MIN_EXPECTED
from ilp_core.analysis.hotspots._moran import local_moran
from ilp_core.analysis.hotspots._results import (
    ALPHA_LEVELS,
    BANDWIDTH_RULES,
    CHANGE_CLASSES,
    CONCENTRATION_UNITS,
    DEFAULT_SEED,
    DENSITY_UNIT,
    GI_CLASSES,
    KERNELS,
    LISA_CLASSES,
    LISA_QUADRANTS,
    LISA_VARIABLES,
    RATE_PER,
    SURFACES,
    UNITS,
    BandwidthRule,
    ChangeThresholds,
    Concentration,
    ConcentrationUnit,
    Density,
    DistrictCounts,
    ForecastAccuracy,
    GiStar,
    GridCounts,
    HotspotChange,
    Kernel,
    LisaVariable,
    LocalMoran,
    Surface,
    Unit,
)

__all__ = [
    "MIN_HOT_INCIDENTS",
    "NORMAL_MIN_EXPECTED",
    "ALPHA_LEVELS",
    "BANDWIDTH_RULES",
    "CHANGE_CLASSES",
    "CONCENTRATION_UNITS",
    "DEFAULT_SEED",
    "DENSITY_UNIT",
    "GI_CLASSES",
    "KERNELS",
    "LISA_CLASSES",
    "LISA_QUADRANTS",
    "LISA_VARIABLES",
    "QUARTIC_PER_GAUSSIAN",
    "RATE_PER",
    "SURFACES",
    "UNITS",
    "BandwidthRule",
    "ChangeThresholds",
    "Concentration",
    "ConcentrationUnit",
    "Density",
    "DistrictCounts",
    "ForecastAccuracy",
    "GiStar",
    "GridCounts",
    "HotspotChange",
    "Kernel",
    "LisaVariable",
    "LocalMoran",
    "Surface",
    "Unit",
    "concentration",
    "concentration_from_counts",
    "default_period_days",
    "district_counts",
    "forecast_accuracy",
    "forecast_accuracy_at",
    "gi_star",
    "gi_star_z",
    "grid_counts",
    "grouped_cell_counts",
    "incident_cells",
    "hotspot_change",
    "kernel_density",
    "local_moran",
    "repeat_counts",
    "repeat_locations",
    "warm_up",
]
