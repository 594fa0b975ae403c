"""Shared internals of the hot-spot statistics: the study area, cell tables, significance.

* :func:`_layout` places geolocated incidents on the grid of the study area
  (the union of the district boundaries, or the incidents' bounding box);
* :func:`_cell_table` and :func:`_geometry_last` build the map-ready cell tables;
* :func:`_significance` gives two-sided p, Benjamini-Hochberg p and the Gi* class;
* :func:`_queen` and :func:`_cardinalities` give the queen contiguity of districts;
* :func:`_check_districts` reads boundaries.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from scipy import stats

from ilp_core import checks, memo
from ilp_core.analysis.hotspots._results import ALPHA_LEVELS, GI_CLASSES
from ilp_core.data import coverage, geo
from ilp_core.data.geo import Grid
from ilp_core.errors import IlpInputError, Message

if TYPE_CHECKING:
    import libpysal


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


# Every hot-spot statistic of a view places the same incidents (at 10,000,000: 9 s a
# time, of which 4.3 s projecting them): kept per columns, read-only, for 3 grids.
@memo.by_columns(("lat", "lon", "district"), size=3)
def _layout(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None,
    cell_size: float | None,
    projected: geo.Projected | None = None,
) -> _Layout:
    checks.columns(incidents, ("lat", "lon"), table="incidents")
    if not (incidents["lat"].notna() & incidents["lon"].notna()).any():
        raise IlpInputError("hotspots.no_geolocated", columns=("lat", "lon"), n=len(incidents))
    # checks the coordinates, names the rows of bad ones; shared with the other pages
    proj = geo.projection(incidents) if projected is None else _checked(projected, incidents)
    notes: list[Message] = []
    if districts is not None:
        grid, in_area = _study_area(districts, proj.crs, cell_size)
        source = "districts"
    else:
        # A point far from the zone (half the globe away) projects to infinity: it is
        # off the grid, counted below, and does not stretch it (found by hypothesis).
        placeable = np.isfinite(proj.x) & np.isfinite(proj.y)
        if not placeable.any():
            raise IlpInputError("hotspots.no_geolocated", columns=("lat", "lon"), n=len(incidents))
        px, py = proj.x[placeable], proj.y[placeable]
        bounds = (float(px.min()), float(py.min()), float(px.max()), float(py.max()))
        source = "extent"
        grid = geo.make_grid(bounds, proj.crs, cell_size)
        in_area = np.ones(grid.shape, dtype=bool)
    notes.extend(geo.grid_warnings(grid))
    from ilp_core.analysis.hotspots import _binning  # imports numba: on the first map

    cell, n_kept = _binning.area_cells(
        *_binning.read_only(proj.x, proj.y), float(grid.x0), float(grid.y0),
        float(grid.cell_size), int(grid.nx), int(grid.ny), *_binning.read_only(in_area.ravel()),
    )  # fmt: skip
    off_map = coverage.off_map_note(coverage.location_coverage(incidents))
    if off_map is not None:  # the same words as every page about these rows
        notes.append(off_map)
    n_out = len(cell) - n_kept
    if n_out:
        notes.append(Message("hotspots.outside_area", {"n": n_out}))
    kept = (cell, proj.index, proj.x, proj.y)
    if n_out:  # else every point is kept: no copies (4 of 10,000,000: 0.3 s)
        keep = cell >= 0
        kept = tuple(a[keep] for a in kept)
    arrays = [in_area, *kept]
    for array in arrays:  # shared by every caller (see memo.by_columns): never written to
        array.flags.writeable = False
    in_area, cell, kept, x, y = arrays
    return _Layout(
        grid=grid,
        in_area=in_area,
        cell=cell,
        kept=kept,
        x=x,
        y=y,
        area_source=source,
        warnings=tuple(notes),
    )


# The districts' grid is the same for every offence and period of a view: the cells
# touching the districts took 0.03 s a call (a box per cell), 7 calls on the Strategy page
@memo.by_identity(size=8)
def _study_area(
    districts: gpd.GeoDataFrame, crs: pyproj.CRS, cell_size: float | None
) -> tuple[Grid, np.ndarray]:
    """The grid over the districts (metric ``crs``) and which of its cells touch them."""
    area = _check_districts(districts).to_crs(crs).geometry.union_all()
    grid = geo.make_grid(tuple(float(b) for b in area.bounds), crs, cell_size)
    in_area = geo.cells_in_area(grid, area)
    in_area.flags.writeable = False  # shared by every caller
    return grid, in_area


def _checked(projected: geo.Projected, incidents: pd.DataFrame) -> geo.Projected:
    """``projected`` when it can be the projection of ``incidents`` (a caller's error else)."""
    if not isinstance(projected, geo.Projected) or (
        len(projected.index) and int(projected.index[-1]) >= len(incidents)
    ):
        raise ValueError("projected is not a projection of these incidents (geo.Projected)")
    return projected


@memo.by_identity(size=8)
def _area_cells(in_area: np.ndarray, grid: Grid) -> gpd.GeoDataFrame:
    """The map-ready cells of the study area, the same for every statistic on a grid.

    8 ms a table, and the Strategy page makes 7 (one per priority).
    """
    return grid.cells(np.flatnonzero(in_area.ravel()))


def _cell_table(
    layout: _Layout, values: dict[str, np.ndarray], area: dict[str, Any] | None = None
) -> gpd.GeoDataFrame:
    """Cells of the study area with per-cell values, the geometry last.

    ``values``: full-grid arrays (the study area's cells are taken); ``area``: arrays
    with one value per cell of the study area, in its order. The table is built in
    one go (adding the columns one by one took 3.2 against 1.3 ms for 6,000 cells).
    """
    ids = np.flatnonzero(layout.in_area.ravel())
    cells = _area_cells(layout.in_area, layout.grid)
    geom = cells.geometry.name
    columns = {c: cells[c].array for c in cells.columns if c != geom}
    columns |= {name: np.asarray(array).ravel()[ids] for name, array in values.items()}
    columns |= area or {}
    columns[geom] = cells.geometry.array
    return gpd.GeoDataFrame(columns, index=cells.index, geometry=geom, crs=cells.crs)


def _geometry_last(table: pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table.columns:
        geom = table.geometry.name
        return table[[c for c in table.columns if c != geom] + [geom]]
    return table


def _significance(
    z: np.ndarray, fdr: bool, p: np.ndarray | None = None, can_be_hot: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, pd.Categorical]:
    """Two-sided p (normal unless given), BH-adjusted p, and the hot/cold class of each z.

    ``can_be_hot`` (default: all) marks the units allowed to be hot: the others are
    ``not_significant`` whatever their p (see ``MIN_HOT_INCIDENTS``).
    """
    if p is None:
        p = 2.0 * stats.norm.sf(np.abs(z))
    p_fdr = stats.false_discovery_control(p, method="bh") if len(p) else p
    used = p_fdr if fdr else p
    hot_ok = np.ones(len(z), dtype=bool) if can_be_hot is None else np.asarray(can_be_hot)
    labels = np.full(len(z), "not_significant", dtype=object)
    for alpha in sorted(ALPHA_LEVELS, reverse=True):  # 0.10, then 0.05, then 0.01 overwrite
        tag = f"{round(100 * (1 - alpha))}"
        sig = used < alpha
        labels[sig & (z > 0) & hot_ok] = f"hot_{tag}"
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


def _check_districts(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(districts, gpd.GeoDataFrame):
        raise IlpInputError("hotspots.bad_districts")
    checks.columns(districts, ("district",), table="districts")
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
