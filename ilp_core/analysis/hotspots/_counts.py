"""Counts of incidents per grid cell and per district (with rates per 1,000 residents).

The basic "where" maps, and the counts every other statistic starts from.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.analysis.hotspots._common import (
    _cell_table,
    _check_districts,
    _layout,
)
from ilp_core.analysis.hotspots._results import RATE_PER, DistrictCounts, GridCounts
from ilp_core.data import geo
from ilp_core.errors import Message


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
        study area (see the notes of :mod:`ilp_core.analysis.hotspots`).
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


def incident_cells(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    cell_size: float | None = None,
) -> np.ndarray:
    """The cell of each incident on the grid of :func:`grid_counts` (flat id, row-major).

    ``-1`` for an incident without coordinates or outside the study area. Shares
    :func:`grid_counts`' placement of the incidents (computed once per table and
    grid), so counting by cell for other groupings costs no second projection.

    Examples
    --------
    >>> inc = pd.DataFrame({"lat": [45.5, np.nan, 45.51], "lon": [-30.5, 0.0, -30.49]})
    >>> incident_cells(inc, cell_size=500).tolist()
    [0, -1, 8]
    """
    layout = _layout(incidents, districts, cell_size)
    cell = np.full(len(incidents), -1, dtype=np.int64)
    cell[layout.kept] = layout.cell
    return cell


def grouped_cell_counts(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    cell_size: float | None = None,
) -> tuple[np.ndarray, geo.Grid]:
    """Incidents per group and cell of the study area, on the grid of :func:`grid_counts`.

    ``rows[k]`` (a position in ``incidents``) counts for group ``groups[k]`` (0 to
    ``n_groups - 1``); a row may count for several groups. Returns the counts, one
    row per group and one column per cell of the study area (the grid's cells where
    ``grid_counts(...).in_area``, in row-major order), and the grid. Incidents
    without coordinates or outside the area count nowhere. One compiled pass over the
    shared placement (the Priorities page's 10,000,000 incidents: 0.6 s with NumPy's
    masks and gathers, 0.05 s).

    Examples
    --------
    >>> inc = pd.DataFrame({"lat": [45.5, np.nan, 45.51], "lon": [-30.5, 0.0, -30.49]})
    >>> counts, grid = grouped_cell_counts(inc, rows=np.array([0, 1, 2, 2]),
    ...                                    groups=np.array([0, 0, 0, 1]), n_groups=2,
    ...                                    cell_size=500)
    >>> counts.tolist()
    [[1, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 1]]
    """
    rows = np.asarray(rows, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    if rows.shape != groups.shape or rows.ndim != 1:
        raise ValueError("rows and groups must be 1-D arrays of the same length")
    n = len(incidents)
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        raise ValueError("rows must be positions in incidents")
    if len(groups) and (groups.min() < 0 or groups.max() >= n_groups):
        raise ValueError("groups must lie in 0 .. n_groups - 1")
    layout = _layout(incidents, districts, cell_size)
    in_area = np.flatnonzero(layout.in_area.ravel())
    area_pos = np.full(layout.grid.n_cells, -1, dtype=np.int64)
    area_pos[in_area] = np.arange(len(in_area))
    from ilp_core.analysis.hotspots import _binning  # imports numba: on the first call

    counts = _binning.grouped_cells(
        n, *_binning.read_only(layout.kept, layout.cell, area_pos, rows, groups),
        int(n_groups), len(in_area),
    )  # fmt: skip
    return counts, layout.grid


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
    checks.columns(incidents, ("district",), table="incidents")
    column = incidents["district"]
    missing = np.array(column.isna(), dtype=bool)
    # Counted on the column itself (a category counts its codes), then keyed by name:
    # turning 10,000,000 names into Python strings first took 2.2 s a call.
    counted = column.value_counts(dropna=True)
    counted = counted[counted > 0]
    counted.index = counted.index.astype(object).map(str)
    notes: list[Message] = []
    if districts is not None:
        dist = _check_districts(districts)
        if missing.any() and {"lat", "lon"} <= set(incidents.columns):
            sub = np.flatnonzero(missing)
            found = geo.assign_districts(
                incidents["lat"].to_numpy(dtype=float)[sub],
                incidents["lon"].to_numpy(dtype=float)[sub],
                dist,
            )
            placed = found.notna().to_numpy()
            missing[sub[placed]] = False
            counted = pd.concat([counted, found[placed].astype(str).value_counts()])
        keys = dist["district"].astype(str).to_numpy()
        population = dist["population"].to_numpy(dtype=float)
    else:
        dist = None
        keys = np.array(sorted(counted.index.unique()), dtype=object)
        population = np.full(len(keys), np.nan)
    counted = counted.groupby(level=0, sort=False).sum()  # names equal once written out
    count = counted.reindex(keys, fill_value=0).to_numpy(dtype=np.int64)
    unknown = counted.index[~counted.index.isin(keys)]
    n_unknown = int(counted[unknown].sum()) if len(unknown) else 0
    n_without = int(missing.sum())
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
