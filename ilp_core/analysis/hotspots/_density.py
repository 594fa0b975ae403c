"""Kernel density estimation: bandwidth rules, linear binning and the FFT surface.

A smooth surface of incidents per km^2 at the cell centres
(:func:`kernel_density`); :func:`_bandwidths` and :func:`_kde_surface` also rank
the cells of :func:`~ilp_core.analysis.hotspots.forecast_accuracy`.
"""

from __future__ import annotations

import time
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import signal

from ilp_core import checks
from ilp_core.analysis.hotspots._common import _cell_table, _layout
from ilp_core.analysis.hotspots._results import (
    BANDWIDTH_RULES,
    DENSITY_UNIT,
    KERNELS,
    BandwidthRule,
    Density,
    Kernel,
)
from ilp_core.data.geo import Grid
from ilp_core.errors import IlpInputError, Message

# AMISE-equivalent ("canonical kernel", Marron & Nolan 1988) ratio between the
# radius of the 2-D quartic (biweight) kernel K(u) = 3/pi (1 - |u|^2)^2 and the
# standard deviation of the 2-D Gaussian: delta_0 = (R(K) / mu_2(K)^2)^(1/6) with
# R = 9 / (5 pi), mu_2 = 1/8 for the quartic and R = 1 / (4 pi), mu_2 = 1 for the
# Gaussian: (9/(5 pi) * 64 * 4 pi)^(1/6) = 460.8^(1/6) = 2.778.
QUARTIC_PER_GAUSSIAN: Final[float] = 460.8 ** (1.0 / 6.0)
# A Gaussian kernel is cut at this many standard deviations (mass lost < 1e-6).
_GAUSS_REACH: Final[float] = 5.0
# The quartic kernel of radius R has a standard deviation of R / sqrt(8) along each
# axis (E[u_x^2] = 3 * (1/4 - 1/3 + 1/8) = 1/8 for K(u) = 3/pi (1 - |u|^2)^2).
_QUARTIC_SD_RATIO: Final[float] = float(np.sqrt(8.0))
#: The surface is computed on a lattice with at least this many steps per kernel
#: standard deviation (cells refined when the bandwidth is small, see _kde_surface).
FINE_PER_SD: Final[float] = 3.0
#: Largest refinement (steps per cell side); smaller bandwidths are refused.
MAX_REFINE: Final[int] = 24
#: Most fine-lattice cells one surface may take (about 10 s on this 2-core machine).
MAX_FINE_CELLS: Final[int] = 50_000_000
# Lattice cells computed at once (a band of rows): 16 MB per float array.
_BAND_CELLS: Final[int] = 2_000_000


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

    The value of a cell is the density averaged over the cell, so the surface
    holds the incidents: its mass (density times cell area, summed) equals the
    number of incidents, less what the kernels of incidents near the edge put
    outside the grid. When the kernel's standard deviation spans fewer than
    three cells (a quartic radius under 8.5 cells), sampling it at the cell
    centres misses its shape and its mass (a 10 m radius on 100 m cells gave a
    mass of 95 per incident); the surface is then computed on a lattice up to
    24 times finer (and at most 50 million lattice cells) and averaged back to
    the cells (peak within 1.1 % of the analytic cell means for radii of 0.5 to
    6 cells, ``tests/test_hotspots_density.py``). A bandwidth still smaller is
    refused with ``hotspots.kde_bandwidth_too_small``, which names the smallest
    bandwidth and the largest cells that work.

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
        Density in incidents per km^2 in each cell; a warning when the
        bandwidth is smaller than the cell size.

    Raises
    ------
    IlpInputError
        ``hotspots.kde_bandwidth_too_small`` for a kernel standard deviation
        under an eighth of the cell size (a quartic radius under 0.35 cells).

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
    checks.option("kernel", kernel, KERNELS)
    checks.option("rule", rule, BANDWIDTH_RULES)
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
        # the distances in one compiled pass and their median found in place: 0.8-1.2 s
        # -> 0.21 s for 10,000,000 points (measured; tested against the formula's NumPy)
        from ilp_core.analysis.hotspots import _binning  # imports numba: on the first surface

        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        squares, distances = _binning.centre_distances(
            *_binning.read_only(x, y), float(x.mean()), float(y.mean())
        )
        standard_distance = float(np.sqrt(squares / n))
        median_distance = _median_in_place(distances)
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


def _median_in_place(values: np.ndarray) -> float:
    """``np.median(values)`` (finite values), reordering ``values`` instead of a copy."""
    half = len(values) // 2
    if len(values) % 2:
        values.partition(half)
        return float(values[half])
    values.partition((half - 1, half))
    return float((values[half - 1] + values[half]) / 2)


def _bandwidth_notes(hx: float, hy: float, cell_size: float) -> list[Message]:
    if min(hx, hy) < cell_size:
        return [
            Message(
                "hotspots.bandwidth_below_cell",
                {"bandwidth": f"{min(hx, hy):.0f}", "cell_size": f"{cell_size:g}"},
            )
        ]
    return []


def _refinement(kernel: str, hx: float, hy: float, cell_size: float) -> int:
    """Fine cells per cell side needed for the surface (1: the cells themselves)."""
    sd = min(hx, hy) / (_QUARTIC_SD_RATIO if kernel == "quartic" else 1.0)
    return max(1, int(np.ceil(FINE_PER_SD * cell_size / sd - 1e-9)))


def _check_refinement(kernel: str, hx: float, hy: float, grid: Grid) -> int:
    """The refinement, or a clear refusal when the bandwidth is too small for the cells.

    The refinement is at most :data:`MAX_REFINE`, and at most what keeps the fine
    lattice within :data:`MAX_FINE_CELLS` (a large grid refines less: 407,000
    cells allow 11 fine cells per side).
    """
    cell_size = grid.cell_size
    f = _refinement(kernel, hx, hy, cell_size)
    by_area = max(1, int(np.sqrt(MAX_FINE_CELLS / grid.n_cells)))
    allowed = min(MAX_REFINE, by_area)
    if f <= allowed:
        return f
    scale = _QUARTIC_SD_RATIO if kernel == "quartic" else 1.0
    minimum = f"{np.ceil(FINE_PER_SD * cell_size / allowed * scale):.0f}"
    if by_area < MAX_REFINE:
        # The lattice step must be sd / 3 over the whole area: smaller cells do not help.
        raise IlpInputError(
            "hotspots.kde_bandwidth_too_small_area",
            bandwidth=f"{min(hx, hy):.0f}",
            n_cells=grid.n_cells,
            minimum=minimum,
        )
    sd = min(hx, hy) / scale
    raise IlpInputError(
        "hotspots.kde_bandwidth_too_small",
        bandwidth=f"{min(hx, hy):.0f}",
        cell_size=f"{cell_size:g}",
        minimum=minimum,
        max_cell=f"{np.floor(sd * MAX_REFINE / FINE_PER_SD):.0f}",
    )


def _linear_bin(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Linear binning of points to cell centres (Wand 1994).

    Each point's unit mass is shared among the four surrounding centres in
    proportion to closeness.
    """
    return _linear_bin_at(x, y, grid.x0, grid.y0, grid.cell_size, grid.nx, grid.ny)


def warm_up() -> float:
    """Make the density's compiled binning ready now; return the seconds it took.

    It compiles at the first surface of a new installation (about 1 s) and numba
    keeps it on disk for later processes; the app runs this in a separate process
    at start, beside the Knox test's warm-up.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    start = time.perf_counter()
    from ilp_core.analysis.hotspots import _binning

    _binning.warm_up()
    return time.perf_counter() - start


def _linear_bin_at(
    x: np.ndarray, y: np.ndarray, x0: float, y0: float, step: float, nx: int, ny: int
) -> np.ndarray:
    """Linear binning to the centres of an ``ny`` x ``nx`` lattice of cells of side ``step``."""
    from ilp_core.analysis.hotspots import _binning  # imports numba: on the first surface

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return _binning.linear_bin(x, y, float(x0), float(y0), float(step), int(nx), int(ny))


def _kernel_weights(
    kernel: str, hx: float, hy: float, step: float, cap_x: int, cap_y: int
) -> np.ndarray:
    """Kernel values at lattice offsets, per km^2 of one incident, summing to one incident.

    The weights are normalised over the kernel's whole support, so that each
    incident adds exactly one to the surface's mass (its discrete sum can miss
    the kernel's integral by much when the kernel spans few lattice steps), then
    cut at ``cap_x`` and ``cap_y`` steps: offsets beyond the lattice's own size
    cannot link two centres.
    """
    reach = _GAUSS_REACH if kernel == "gaussian" else 1.0
    kx = int(np.ceil(reach * hx / step))
    ky = int(np.ceil(reach * hy / step))

    def shape(cx: int, cy: int) -> np.ndarray:
        u = (np.arange(-cx, cx + 1) * step / hx)[None, :]
        v = (np.arange(-cy, cy + 1) * step / hy)[:, None]
        r2 = u**2 + v**2
        if kernel == "gaussian":
            return np.exp(-0.5 * r2)
        return np.where(r2 < 1.0, (1.0 - r2) ** 2, 0.0)

    if (2 * kx + 1) * (2 * ky + 1) <= _BAND_CELLS:
        total = float(shape(kx, ky).sum())  # the discrete mass of the whole kernel
    else:
        # A kernel of millions of steps: its discrete sum is its integral, 2 pi hx hy
        # (Gaussian) or pi hx hy / 3 (quartic), in steps.
        integral = 2.0 * np.pi if kernel == "gaussian" else np.pi / 3.0
        total = integral * hx * hy / (step * step)
    weights = shape(min(kx, cap_x), min(ky, cap_y))
    return weights / (total * (step * step / 1e6))  # per km^2, unit mass


def _kde_surface(
    x: np.ndarray, y: np.ndarray, grid: Grid, kernel: str, hx: float, hy: float
) -> np.ndarray:
    """Kernel density averaged over each cell, incidents per km^2 (binning + FFT).

    With a bandwidth of several cells the surface is computed at the cell
    centres (the mean over a cell and the value at its centre then differ by
    less than 1 %); with smaller ones on a lattice ``f`` times finer
    (:func:`_refinement`, at most :data:`MAX_REFINE`), averaged back to the
    cells, in bands of rows so that memory stays bounded. Either way the kernel
    weights are normalised, so each incident adds exactly one to the mass of the
    surface (less only what falls beyond the grid).
    """
    if len(x) == 0:
        return np.zeros(grid.shape)
    f = _check_refinement(kernel, hx, hy, grid)
    step = grid.cell_size / f
    nxf = grid.nx * f
    weights = _kernel_weights(kernel, hx, hy, step, nxf - 1, grid.ny * f - 1)
    half = (weights.shape[0] - 1) // 2
    margin = int(np.ceil((half + 1) / f))  # rows of cells a point's kernel reaches beyond
    rows = max(1, _BAND_CELLS // (nxf * f) - 2 * margin)
    if rows >= grid.ny:  # one band: no need to sort the points by row
        xs, ys = x, y
    else:
        order = np.argsort(y, kind="stable")
        xs, ys = x[order], y[order]
    out = np.empty(grid.shape)
    for r0 in range(0, grid.ny, rows):
        r1 = min(grid.ny, r0 + rows)
        lo, hi = max(0, r0 - margin), min(grid.ny, r1 + margin)
        y_lo, y_hi = grid.y0 + lo * grid.cell_size, grid.y0 + hi * grid.cell_size
        a, b = (0, len(ys)) if rows >= grid.ny else np.searchsorted(ys, [y_lo, y_hi])
        binned = _linear_bin_at(xs[a:b], ys[a:b], grid.x0, y_lo, step, nxf, (hi - lo) * f)
        dens = signal.fftconvolve(binned, weights, mode="same")
        band = dens[(r0 - lo) * f : (r1 - lo) * f]
        out[r0:r1] = band.reshape(r1 - r0, f, grid.nx, f).mean(axis=(1, 3))
    np.maximum(out, 0.0, out=out)  # FFT round-off leaves -1e-20 where the truth is 0
    return out
