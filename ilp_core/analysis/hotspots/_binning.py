"""The hot spots' compiled binning (numba; see ``ilp_core.analysis._compiled``).

:func:`linear_bin`, the kernel density's binning, in one pass over the points: at
10,000,000 points NumPy's version (four weighted ``bincount`` passes and the index
arithmetic around them) took 0.83 s, this 0.06 s. Tested against a hand-computed
binning (``tests/test_hotspots_density.py``).

:func:`period_stack`, the hot-spot change's counts per period and cell, in one pass:
NumPy's masks, gathers and ``bincount`` over 10,000,000 incidents took 0.33 s
(0.8 s on a page's first visit, allocating 400 MB of temporaries), this 0.03 s.
Tested against pandas' counts (``tests/test_hotspots.py``). :func:`split_counts` does
the same for the forecast test's two periods.

:func:`area_cells`, each incident's cell of the study area (placing them on the grid):
NumPy's locating, flat ids and area lookup took 0.3 s at 10,000,000 points (0.9 s in a
new process). Tested against ``geo.Grid.locate`` (``tests/test_hotspots.py``).

:func:`grouped_cells`, the incidents per problem and cell of the Priorities page's
concentration, in two passes: NumPy's scatter, gathers, masks and ``bincount`` took
0.6 s at 10,000,000 incidents. Tested against ``np.add.at`` (``tests/test_hotspots.py``).

:func:`centre_distances`, the spatial bandwidth rule's distances from the mean centre
and their sum of squares, in one pass without temporaries: with NumPy's differences,
dot products and ``hypot`` (two arrays of 80 MB) the rule took 0.35 s at 10,000,000
points (0.67 s at a process's first call), with this 0.21 s (mostly the median).
Tested against the formula in NumPy (``tests/test_hotspots.py``).
"""

from __future__ import annotations

import numpy as np

from ilp_core.analysis._compiled import jit, read_only


@jit
def _lower_centre(u: float, size: int) -> tuple[int, float]:
    """The centre at or below ``u`` (in steps) and how far ``u`` is towards the next.

    Beyond the first or last centre a point stays on that centre (share 0).
    """
    if u < 0.0:
        return 0, 0.0
    if u >= size - 1:
        return size - 1, 0.0
    i = int(u)
    return i, u - i


@jit
def linear_bin(
    x: np.ndarray, y: np.ndarray, x0: float, y0: float, step: float, nx: int, ny: int
) -> np.ndarray:
    """Linear binning to the centres of an ``ny`` x ``nx`` lattice of cells of side ``step``.

    Each point's unit mass is shared among the four surrounding centres in
    proportion to closeness (Wand 1994); a point beyond the outer centres along
    an axis goes to the outer row or column. Points that are not finite are left out.
    """
    out = np.zeros(ny * nx)
    for k in range(x.shape[0]):
        u = (x[k] - x0) / step - 0.5
        v = (y[k] - y0) / step - 0.5
        if not (np.isfinite(u) and np.isfinite(v)):
            continue
        i, fx = _lower_centre(u, nx)
        j, fy = _lower_centre(v, ny)
        i1 = min(i + 1, nx - 1)
        j1 = min(j + 1, ny - 1)
        out[j * nx + i] += (1.0 - fx) * (1.0 - fy)
        out[j * nx + i1] += fx * (1.0 - fy)
        out[j1 * nx + i] += (1.0 - fx) * fy
        out[j1 * nx + i1] += fx * fy
    return out.reshape(ny, nx)


@jit
def period_stack(
    day: np.ndarray,
    no_date: np.ndarray,
    rows: np.ndarray,
    cell: np.ndarray,
    start_day: int,
    period_days: int,
    n_periods: int,
    n_cells: int,
) -> tuple[np.ndarray, int, int]:
    """Incidents per period and cell, and how many were before the first period or undated.

    Row ``rows[k]`` of the table (its day ``day[rows[k]]``, missing where
    ``no_date``) lies in cell ``cell[k]``; period ``p`` holds the days
    ``start_day + p * period_days`` to the day before the next. Returns the flat
    ``n_periods * n_cells`` counts (period-major), the rows dated before
    ``start_day`` and the undated rows. A day beyond the last period is refused
    (``IndexError``): the caller chose the periods to end on the last day.
    """
    stack = np.zeros(n_periods * n_cells, dtype=np.int64)
    early = 0
    undated = 0
    for k in range(rows.shape[0]):
        i = rows[k]
        if no_date[i]:
            undated += 1
            continue
        offset = day[i] - start_day
        if offset < 0:
            early += 1
            continue
        period = offset // period_days
        if period >= n_periods:
            raise IndexError("a day after the last period")
        stack[period * n_cells + cell[k]] += 1
    return stack, early, undated


@jit
def split_counts(
    day: np.ndarray,
    no_date: np.ndarray,
    rows: np.ndarray,
    cell: np.ndarray,
    split_day: int,
    n_cells: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Incidents per cell before ``split_day`` and from it on, and which ones are before.

    Row ``rows[k]`` of the table (its day ``day[rows[k]]``, missing where
    ``no_date``: in neither count) lies in cell ``cell[k]``.
    """
    before = np.zeros(n_cells, dtype=np.int64)
    after = np.zeros(n_cells, dtype=np.int64)
    is_before = np.zeros(rows.shape[0], dtype=np.bool_)
    for k in range(rows.shape[0]):
        i = rows[k]
        if no_date[i]:
            continue
        if day[i] < split_day:
            before[cell[k]] += 1
            is_before[k] = True
        else:
            after[cell[k]] += 1
    return before, after, is_before


@jit
def area_cells(
    x: np.ndarray,
    y: np.ndarray,
    x0: float,
    y0: float,
    size: float,
    nx: int,
    ny: int,
    in_area: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Each point's flat cell on the grid, -1 off the grid or outside the area; how many are in.

    The same rules as ``geo.Grid.locate``: a point is on the grid when
    ``x0 <= x < x0 + nx * size`` (and so for y), decided on the coordinates (NaN and
    infinite ones are off it); its row and column are ``floor((v - origin) / size)``
    clipped to the grid. ``in_area`` (flat, one flag per cell) says which cells
    belong to the study area.
    """
    x1 = x0 + nx * size
    y1 = y0 + ny * size
    out = np.empty(x.shape[0], dtype=np.int64)
    kept = 0
    for k in range(x.shape[0]):
        xv = x[k]
        yv = y[k]
        out[k] = -1
        if xv >= x0 and xv < x1 and yv >= y0 and yv < y1:
            col = min(max(np.floor((xv - x0) / size), 0.0), nx - 1.0)
            row = min(max(np.floor((yv - y0) / size), 0.0), ny - 1.0)
            cell = np.int64(row) * nx + np.int64(col)
            if in_area[cell]:
                out[k] = cell
                kept += 1
    return out, kept


@jit
def grouped_cells(
    n_rows: int,
    kept: np.ndarray,
    cell: np.ndarray,
    area_pos: np.ndarray,
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    n_area: int,
) -> np.ndarray:
    """Incidents per group and cell of the area: ``rows[k]`` of the table counts for ``groups[k]``.

    Row ``kept[j]`` of the table lies in cell ``cell[j]``, which is cell
    ``area_pos[cell[j]]`` of the area (-1: outside it); a row not kept or outside
    the area counts nowhere.
    """
    at = np.full(n_rows, -1, dtype=np.int32)  # area cells: fewer than 2**31
    for j in range(kept.shape[0]):
        at[kept[j]] = area_pos[cell[j]]
    out = np.zeros(n_groups * n_area, dtype=np.int64)
    for k in range(rows.shape[0]):
        place = at[rows[k]]
        if place >= 0:
            out[groups[k] * n_area + place] += 1
    return out.reshape(n_groups, n_area)


@jit
def centre_distances(
    x: np.ndarray, y: np.ndarray, mean_x: float, mean_y: float
) -> tuple[float, np.ndarray]:
    """The sum of squared distances from ``(mean_x, mean_y)`` and each point's distance."""
    distances = np.empty(x.shape[0])
    squares = 0.0
    for k in range(x.shape[0]):
        dx = x[k] - mean_x
        dy = y[k] - mean_y
        square = dx * dx + dy * dy
        squares += square
        distances[k] = np.sqrt(square)
    return squares, distances


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels for the arrays the app passes."""
    points = np.array([0.5, 1.5])
    frozen = points.copy()
    frozen.flags.writeable = False  # the hot-spot layout's arrays are read-only
    for x in (points, frozen):
        linear_bin(x, x, 0.0, 0.0, 1.0, 2, 2)
    day, no_date, rows = read_only(np.array([3, 0]), np.array([False, True]), np.array([0, 1]))
    period_stack(day, no_date, rows, rows, 3, 1, 1, 2)
    split_counts(day, no_date, rows, rows, 3, 2)
    grouped_cells(2, rows, rows, rows, rows, rows, 2, 2)
    (area,) = read_only(np.array([True, False, True, True]))
    area_cells(frozen, frozen, 0.0, 0.0, 1.0, 2, 2, area)
    for x in (points, frozen):
        centre_distances(x, x, 0.0, 0.0)
