"""Projections and district look-ups: every distance and area is computed in metres.

Incidents carry WGS 84 ``lat``/``lon``; analyses project them to the UTM zone of
the data (chosen automatically from the median point), so a 200 m band means
200 m everywhere in the area.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ilp_core import checks, memo
from ilp_core.errors import IlpInputError, Message

WGS84 = "EPSG:4326"


def utm_crs(lat: np.ndarray | pd.Series, lon: np.ndarray | pd.Series) -> pyproj.CRS:
    """Return the WGS 84 / UTM zone CRS that holds the median of the points.

    Raises ``ValueError`` when there is no finite point (a programming error:
    callers check that incidents are geolocated first).

    Examples
    --------
    >>> utm_crs(np.array([45.5]), np.array([-30.5])).to_epsg()
    32625
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        raise ValueError("no geolocated point to choose a projection from")
    # The median is only needed when the points straddle the equator or a zone's edge:
    # else every point, so the median, has the same hemisphere and zone (two medians of
    # 10,000,000 points took 0.65 s of each first map). The bounds skip the missing
    # points in place (copying the located ones took 0.3 s of 0.4 s at 10,000,000).
    low, high = float(lat.min(where=ok, initial=np.inf)), float(lat.max(where=ok, initial=-np.inf))
    west, east = float(lon.min(where=ok, initial=np.inf)), float(lon.max(where=ok, initial=-np.inf))
    south = high < 0 if (low < 0) == (high < 0) else float(np.median(lat[ok])) < 0
    first, last = (int(np.floor((v + 180.0) / 6.0)) for v in (west, east))
    index = first if first == last else int(np.floor((float(np.median(lon[ok])) + 180.0) / 6.0))
    return pyproj.CRS.from_epsg((32700 if south else 32600) + index % 60 + 1)


@dataclass(frozen=True)
class Projected:
    """Metric coordinates of geolocated incidents.

    Attributes
    ----------
    x, y
        Metres in ``crs``, one per geolocated incident.
    index
        Positions (``0..n-1``) of those incidents in the table that was projected.
    crs
        The metric CRS used.
    """

    x: np.ndarray
    y: np.ndarray
    index: np.ndarray
    crs: pyproj.CRS

    def select(self, rows: np.ndarray) -> Projected:
        """The projection of the rows where ``rows`` holds, numbered as in ``table.loc[rows]``.

        ``rows`` has one flag per row of the projected table. The points are taken,
        not projected again, in the same CRS: the 1,700,000 incidents of one offence
        among 10,000,000 took 0.3 s to project, 0.05 s to take through each chosen
        row's point number. When most rows are chosen, a flag per point (is its row
        chosen) and per row (has it a point) make fewer arrays as long as the choice:
        8,300,000 rows of 10,000,000, 2% without a point, took 0.4 s instead of 1.1 s
        in fresh memory, 0.11 s either way after.

        Examples
        --------
        >>> p = Projected(np.array([1.0, 2.0, 3.0]), np.zeros(3), np.array([0, 2, 3]), None)
        >>> q = p.select(np.array([False, True, True, True, False]))
        >>> q.x.tolist(), q.index.tolist()
        ([2.0, 3.0], [1, 2])
        """
        rows = np.asarray(rows, dtype=bool)
        n = len(self.index)
        if n == len(rows) and (n == 0 or self.index[-1] == n - 1):
            # every row has its point (index 0..n-1): the chosen rows are the points
            x, y = self._taken(rows)
            return Projected(x, y, np.arange(len(x)), self.crs)
        if 4 * int(np.count_nonzero(rows)) >= len(rows):  # most rows
            taken = rows[self.index]  # per point: is its row chosen
            located = self._located  # rows after the last point have none
            index = np.flatnonzero(located[rows[: len(located)]])
            return Projected(*self._taken(taken), index, self.crs)
        positions = np.flatnonzero(rows)
        point_of = self._point_of
        point = np.full(len(positions), -1, dtype=np.int64)
        known = positions < len(point_of)  # rows after the last point have none
        point[known] = point_of[positions[known]]
        has_point = point >= 0
        chosen = point[has_point]
        return Projected(self.x[chosen], self.y[chosen], np.flatnonzero(has_point), self.crs)

    def _taken(self, flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``x[flags]`` and ``y[flags]``, on two threads from :data:`THREADED_POINTS` points.

        NumPy copies outside Python's lock, and the new memory is written from both
        cores: 9,850,000 points of 10,000,000 took 0.23-0.38 s against 0.33-0.55 s in
        one thread in memory the system had taken back, 0.044-0.048 s against
        0.063-0.073 s just after.
        """
        if len(flags) < THREADED_POINTS:
            return self.x[flags], self.y[flags]
        with ThreadPoolExecutor(1, thread_name_prefix="ilp-points") as pool:
            y = pool.submit(self.y.__getitem__, flags)
            return self.x[flags], y.result()

    def between(self, rows: slice) -> Projected:
        """The projection of the rows ``rows`` slices (a step of 1), numbered from 0.

        The points are views of these, not copies: the rows' points lie together,
        in the order of the rows (a period of 5,000,000 of 10,000,000 incidents in
        date order took 120 MB and 0.5 s to project again).

        Examples
        --------
        >>> p = Projected(np.array([1.0, 2.0, 3.0]), np.zeros(3), np.array([0, 2, 3]), None)
        >>> q = p.between(slice(1, 3))
        >>> q.x.tolist(), q.index.tolist(), np.shares_memory(q.x, p.x)
        ([2.0], [1], True)
        """
        start, stop, step = rows.indices(int(self.index[-1]) + 1 if len(self.index) else 0)
        if step != 1:
            raise ValueError("between takes a slice of rows one after the other")
        first, last = np.searchsorted(self.index, [start, stop])
        index = self.index[first:last] - start
        return Projected(self.x[first:last], self.y[first:last], index, self.crs)

    @functools.cached_property
    def _point_of(self) -> np.ndarray:
        """The point number of each row up to the last row with a point (-1: none)."""
        size = int(self.index[-1]) + 1 if len(self.index) else 0
        point_of = np.full(size, -1, dtype=np.int64)
        point_of[self.index] = np.arange(len(self.index))
        return point_of

    @functools.cached_property
    def _located(self) -> np.ndarray:
        """Whether each row up to the last row with a point has one."""
        located = np.zeros(int(self.index[-1]) + 1 if len(self.index) else 0, dtype=bool)
        located[self.index] = True
        return located


def project(incidents: pd.DataFrame, crs: pyproj.CRS | None = None) -> Projected:
    """Project the geolocated incidents of a canonical table to metres.

    Rows without coordinates are left out; ``Projected.index`` says which rows
    were kept. ``crs`` defaults to :func:`utm_crs` of the data. Impossible
    coordinates (beyond +-90 / +-180, infinite) raise ``checks.coordinates``.
    """
    rows = incidents["source_row"] if "source_row" in incidents.columns else None
    lat, lon = checks.coordinates(incidents["lat"], incidents["lon"], table="incidents", rows=rows)
    finite = np.isfinite(lat) & np.isfinite(lon)
    if finite.all():  # copied whole: faster than taking every position
        keep, x, y = np.arange(len(lat)), lon.copy(), lat.copy()
    else:
        keep = np.flatnonzero(finite)
        x, y = lon[keep], lat[keep]  # new arrays, projected in place
    if crs is None:
        crs = utm_crs(y, x)
    _transform_in_place(crs, x, y)
    return Projected(x, y, keep, crs)


# Every hot-spot statistic and the strategy's evidence of a view project the same
# table (10,000,000 points: 0.8 s a time): kept per column buffers, read-only.
@memo.by_columns(("lat", "lon"), size=2)
def projection(incidents: pd.DataFrame) -> Projected:
    """:func:`project` in the data's own UTM zone, remembered while the columns live.

    The arrays are shared by every caller and read-only.
    """
    proj = project(incidents)
    for array in (proj.x, proj.y, proj.index):
        array.flags.writeable = False
    return proj


def share_projection(whole: pd.DataFrame, part: pd.DataFrame, rows: np.ndarray | slice) -> None:
    """Give ``part`` (the rows of ``whole`` that ``rows`` flags or slices) ``whole``'s points.

    When ``whole``'s :func:`projection` is remembered and ``part``'s points call for
    the same UTM zone, ``part``'s projection is taken from it (equal to projecting
    ``part``, point by point) instead of projected again: an offence filter keeping
    8,300,000 of 10,000,000 incidents projected them in 0.9 s, took them in 0.1 s; a
    period of rows (a slice) takes views of them. Otherwise nothing is done, and
    ``part`` is projected when first needed.
    """
    found = None if len(part) < memo.MIN_ROWS else projection.peek(whole)
    if found is None:
        return
    try:
        if utm_crs(part["lat"], part["lon"]) != found.crs:
            return  # another zone for these points: projected on their own, as ever
    except ValueError:  # no point to take
        return
    points = found.between(rows) if isinstance(rows, slice) else found.select(rows)
    for array in (points.x, points.y, points.index):
        array.flags.writeable = False
    projection.seed(points, part)


#: Points from which a projection is split between threads (pyproj releases the GIL:
#: 10,000,000 points took 1.63 s in one thread, 0.83 s in two, the same coordinates).
THREADED_POINTS: Final = 1_000_000


def _transform_in_place(crs: pyproj.CRS, x: np.ndarray, y: np.ndarray) -> None:
    """Project longitudes ``x`` and latitudes ``y`` (WGS 84) to ``crs``, overwriting them."""
    n = len(x)
    parts = min(os.cpu_count() or 1, 4) if n >= THREADED_POINTS else 1
    bounds = np.linspace(0, n, parts + 1).astype(int)

    def part(start: int, stop: int) -> None:  # a transformer per thread: not thread-safe
        transformer = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
        transformer.transform(x[start:stop], y[start:stop], inplace=True)

    if parts == 1:
        part(0, n)
        return
    with ThreadPoolExecutor(parts) as pool:
        list(pool.map(part, bounds[:-1], bounds[1:]))


def assign_districts(
    lat: np.ndarray | pd.Series,
    lon: np.ndarray | pd.Series,
    districts: gpd.GeoDataFrame,
) -> pd.Series:
    """Return the name of the district that contains each point (NaN outside all).

    ``districts`` has a ``district`` column and geometries in EPSG:4326; a point on
    a shared border goes to the first district that contains it.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    out = np.full(len(lat), None, dtype=object)
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if len(ok) and len(districts):
        points = gpd.points_from_xy(lon[ok], lat[ok], crs=WGS84)
        geoms = districts.to_crs(WGS84).geometry.to_numpy()
        # (polygon, point) pairs, sorted by point then polygon: keep each point's first.
        poly_idx, pt_idx = gpd.GeoSeries(points).sindex.query(geoms, predicate="intersects")
        order = np.lexsort((poly_idx, pt_idx))
        poly_idx, pt_idx = poly_idx[order], pt_idx[order]
        first = np.unique(pt_idx, return_index=True)[1]
        names = districts["district"].astype(str).to_numpy()
        out[ok[pt_idx[first]]] = names[poly_idx[first]]
    return pd.Series(out, dtype="object").where(pd.notna(out), np.nan)


# --------------------------------------------------------------------------------------
# Regular grids
# --------------------------------------------------------------------------------------

#: A grid with more cells than this is returned with a warning (maps and statistics slow).
CELL_WARN_LIMIT: Final[int] = 100_000
#: A grid with more cells than this is refused; the error names a cell size that fits.
CELL_HARD_LIMIT: Final[int] = 4_000_000


@dataclass(frozen=True)
class Grid:
    """A regular grid of square cells in a metric CRS.

    Cell ``(row, col)`` covers ``x0 + col * cell_size <= x < x0 + (col + 1) * cell_size``
    and the same in ``y``; row 0 is the southern edge. ``cell_id = row * nx + col``.

    Attributes
    ----------
    x0, y0
        South-west corner of the grid in metres (multiples of ``cell_size``, so
        grids of the same cell size line up whatever the data).
    cell_size
        Side of a cell in metres.
    nx, ny
        Number of columns (west to east) and rows (south to north).
    crs
        The metric CRS of ``x0``, ``y0`` (a UTM zone, see :func:`utm_crs`).

    Examples
    --------
    >>> g = Grid(x0=0.0, y0=0.0, cell_size=100.0, nx=3, ny=2, crs=pyproj.CRS.from_epsg(32625))
    >>> g.n_cells, g.shape, g.cell_area_km2
    (6, (2, 3), 0.01)
    >>> g.cell_ids(np.array([50.0, 250.0]), np.array([150.0, 50.0]))
    array([3, 2])
    """

    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int
    crs: pyproj.CRS

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``: the shape of the 2-D arrays of this grid (row 0 = south)."""
        return (self.ny, self.nx)

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return self.nx * self.ny

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell in square kilometres."""
        return self.cell_size**2 / 1e6

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` of the whole grid in metres."""
        return (
            self.x0,
            self.y0,
            self.x0 + self.nx * self.cell_size,
            self.y0 + self.ny * self.cell_size,
        )

    def locate(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(row, col, inside)`` of metric points (row/col are meaningless outside)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        # Inside is decided on the coordinates themselves: (y - y0) / size rounds a point a
        # hair below the edge (y = -5e-324) to -0.0, i.e. into row 0 (found by hypothesis).
        inside = (
            (x >= self.x0) & (x < self.x0 + self.nx * self.cell_size)
            & (y >= self.y0) & (y < self.y0 + self.ny * self.cell_size)
        )  # fmt: skip
        outside = ~inside
        row = self._index(y, self.y0, self.ny, outside)
        return row, self._index(x, self.x0, self.nx, outside), inside

    def _index(self, v: np.ndarray, origin: float, size: int, outside: np.ndarray) -> np.ndarray:
        """Row or column of each coordinate, 0 outside, in one scratch array.

        Five arrays a coordinate before: 10,000,000 points took 0.26 s, now 0.16 s
        (measured; the same rows and columns).
        """
        out = np.subtract(v, origin)
        out /= self.cell_size
        np.floor(out, out=out)
        np.clip(out, 0, size - 1, out=out)
        out[outside] = 0
        return out.astype(np.int64)

    def cell_ids(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the ``cell_id`` of each metric point; raises ``ValueError`` for points outside."""
        row, col, inside = self.locate(x, y)
        if not inside.all():
            raise ValueError(f"{int((~inside).sum())} points lie outside the grid")
        return row * self.nx + col

    def count(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Count points per cell: an ``(ny, nx)`` int64 array; points outside are ignored.

        ``np.bincount`` on the flat cell index: 985,000 points in 0.015 s, against
        0.087 s for ``np.histogram2d`` with the same edges, which gives the same
        counts (``benchmarks/bench_hotspots.py``).
        """
        row, col, inside = self.locate(x, y)
        flat = row[inside] * self.nx + col[inside]
        return np.bincount(flat, minlength=self.n_cells).reshape(self.shape)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the metric ``(x, y)`` of every cell centre as two ``(ny, nx)`` arrays."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_size
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell_size
        cx, cy = np.meshgrid(xs, ys)
        return cx, cy

    def cells(self, cell_ids: np.ndarray | None = None) -> gpd.GeoDataFrame:
        """Return cells as a map-ready GeoDataFrame in EPSG:4326.

        Columns ``cell_id``, ``row``, ``col``, ``x``, ``y`` (centre in metres, in
        ``crs``), ``lon``, ``lat`` (centre in degrees) and the cell polygon. Only the
        corners of the requested cells are transformed, so a few thousand cells of
        a large grid cost milliseconds.
        """
        ids = (
            np.arange(self.n_cells, dtype=np.int64)
            if cell_ids is None
            else np.asarray(cell_ids, dtype=np.int64)
        )
        row, col = np.divmod(ids, self.nx)
        cs = self.cell_size
        # Corner lattice: corner (r, c) is the south-west corner of cell (r, c).
        corner_r = np.stack([row, row, row + 1, row + 1, row], axis=1)
        corner_c = np.stack([col, col + 1, col + 1, col, col], axis=1)
        corner_id = corner_r * (self.nx + 1) + corner_c
        unique, inverse = np.unique(corner_id, return_inverse=True)
        ur, uc = np.divmod(unique, self.nx + 1)
        to_wgs = pyproj.Transformer.from_crs(self.crs, WGS84, always_xy=True)
        lon_c, lat_c = to_wgs.transform(self.x0 + uc * cs, self.y0 + ur * cs)
        coords = np.stack([np.asarray(lon_c), np.asarray(lat_c)], axis=1)[inverse.reshape(-1, 5)]
        polygons = shapely.polygons(coords) if len(ids) else np.array([], dtype=object)
        cx = self.x0 + (col + 0.5) * cs
        cy = self.y0 + (row + 0.5) * cs
        clon, clat = to_wgs.transform(cx, cy)
        return gpd.GeoDataFrame(
            {
                "cell_id": ids,
                "row": row,
                "col": col,
                "x": cx,
                "y": cy,
                "lon": np.asarray(clon, dtype=float),
                "lat": np.asarray(clat, dtype=float),
            },
            geometry=gpd.GeoSeries(polygons, crs=WGS84),
            crs=WGS84,
        )


def default_cell_size(width_m: float, height_m: float) -> float:
    """Return the automatic cell size for a study area of ``width_m`` x ``height_m`` metres.

    The shorter side divided by 50, rounded down to a multiple of 100 m; for areas
    whose shorter side is under 5 km, the shorter side / 50 rounded down to a
    multiple of 10 m, and never less than 10 m.

    Examples
    --------
    >>> default_cell_size(20_000, 15_000)  # 15,000 / 50 = 300
    300.0
    >>> default_cell_size(40_000, 12_400)  # 248 -> 200
    200.0
    >>> default_cell_size(3_000, 4_000)  # 60 -> small-area rule
    60.0
    >>> default_cell_size(0, 0)
    10.0
    """
    side = max(0.0, min(float(width_m), float(height_m))) / 50.0
    if side >= 100.0:
        return float(np.floor(side / 100.0) * 100.0)
    return float(max(10.0, np.floor(side / 10.0) * 10.0))


def grid_shape(bounds: tuple[float, float, float, float], cell_size: float) -> tuple[int, int]:
    """Return ``(ny, nx)`` of the ``cell_size`` grid covering ``bounds`` (as :func:`make_grid`)."""
    minx, miny, maxx, maxy = bounds
    x0 = np.floor(minx / cell_size) * cell_size
    y0 = np.floor(miny / cell_size) * cell_size
    nx = int(np.floor((maxx - x0) / cell_size)) + 1
    ny = int(np.floor((maxy - y0) / cell_size)) + 1
    return ny, nx


def suggest_cell_size(bounds: tuple[float, float, float, float], max_cells: int) -> float:
    """Return the smallest round cell size (10 m steps, 100 m from 100 m) within ``max_cells``.

    Examples
    --------
    >>> suggest_cell_size((0.0, 0.0, 100_000.0, 100_000.0), 100_000)
    400.0
    """
    minx, miny, maxx, maxy = bounds
    area = max(maxx - minx, 1.0) * max(maxy - miny, 1.0)
    size = max(10.0, float(np.sqrt(area / max_cells)))
    size = np.ceil(size / 10.0) * 10.0 if size < 100.0 else np.ceil(size / 100.0) * 100.0
    while np.prod(grid_shape(bounds, size)) > max_cells:
        size += 10.0 if size < 100.0 else 100.0
    return float(size)


def make_grid(
    bounds: tuple[float, float, float, float],
    crs: pyproj.CRS,
    cell_size: float | None = None,
) -> Grid:
    """Return the grid that covers a study area, with the automatic or a chosen cell size.

    The grid starts at the multiple of ``cell_size`` at or below the south-west
    corner and has as many cells as needed to contain the north-east corner.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` of the study area in metres (in ``crs``).
    crs
        The metric CRS of ``bounds``.
    cell_size
        Side of a cell in metres; ``None`` applies :func:`default_cell_size`.

    Returns
    -------
    Grid

    Raises
    ------
    IlpInputError
        ``hotspots.bad_cell_size`` for a cell size that is not a positive number;
        ``hotspots.grid_too_large`` above :data:`CELL_HARD_LIMIT` cells, naming a
        cell size that keeps the grid under :data:`CELL_WARN_LIMIT` cells.

    Examples
    --------
    >>> crs = pyproj.CRS.from_epsg(32625)
    >>> g = make_grid((1_020.0, 5_000.0, 21_020.0, 20_000.0), crs)
    >>> g.x0, g.y0, g.cell_size, g.nx, g.ny
    (900.0, 4800.0, 300.0, 68, 51)
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if cell_size is None:
        cell_size = default_cell_size(maxx - minx, maxy - miny)
    elif (
        isinstance(cell_size, bool)
        or not isinstance(cell_size, int | float | np.integer | np.floating)
        or not np.isfinite(cell_size)
        or cell_size <= 0
    ):
        raise IlpInputError("hotspots.bad_cell_size", value=str(cell_size))
    cell_size = float(cell_size)
    ny, nx = grid_shape((minx, miny, maxx, maxy), cell_size)
    if nx * ny > CELL_HARD_LIMIT:
        raise IlpInputError(
            "hotspots.grid_too_large",
            cell_size=_fmt_m(cell_size),
            n_cells=int(nx * ny),
            limit=CELL_HARD_LIMIT,
            suggested=_fmt_m(suggest_cell_size((minx, miny, maxx, maxy), CELL_WARN_LIMIT)),
        )
    x0 = float(np.floor(minx / cell_size) * cell_size)
    y0 = float(np.floor(miny / cell_size) * cell_size)
    return Grid(x0=x0, y0=y0, cell_size=cell_size, nx=nx, ny=ny, crs=crs)


def grid_warnings(grid: Grid) -> tuple[Message, ...]:
    """Return the warnings a grid deserves (more than :data:`CELL_WARN_LIMIT` cells).

    Examples
    --------
    >>> crs = pyproj.CRS.from_epsg(32625)
    >>> [m.key for m in grid_warnings(Grid(0.0, 0.0, 10.0, 400, 300, crs))]
    ['hotspots.grid_large']
    """
    if grid.n_cells <= CELL_WARN_LIMIT:
        return ()
    return (
        Message(
            "hotspots.grid_large",
            {
                "n_cells": grid.n_cells,
                "limit": CELL_WARN_LIMIT,
                "cell_size": _fmt_m(grid.cell_size),
                "suggested": _fmt_m(suggest_cell_size(grid.bounds, CELL_WARN_LIMIT)),
            },
        ),
    )


def cells_in_area(grid: Grid, area: shapely.Geometry) -> np.ndarray:
    """Return an ``(ny, nx)`` boolean array: which cells touch ``area`` (metric, in ``grid.crs``).

    A cell that only partly overlaps the area is in it, so every point of the area
    falls in a cell that is in the area.
    """
    cs = grid.cell_size
    xs = grid.x0 + np.arange(grid.nx) * cs
    ys = grid.y0 + np.arange(grid.ny) * cs
    bx, by = np.meshgrid(xs, ys)
    boxes = shapely.box(bx.ravel(), by.ravel(), bx.ravel() + cs, by.ravel() + cs)
    shapely.prepare(area)
    return shapely.intersects(area, boxes).reshape(grid.shape)


def _fmt_m(value: float) -> str:
    """A distance in metres for a message: no decimals when whole."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"
