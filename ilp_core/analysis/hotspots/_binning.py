"""Linear binning of the kernel density, compiled (numba; see ``ilp_core.analysis._compiled``).

One pass over the points: at 10,000,000 points NumPy's version (four weighted
``bincount`` passes and the index arithmetic around them) took 0.83 s, this
0.06 s. Tested against a hand-computed binning (``tests/test_hotspots_density.py``).
"""

from __future__ import annotations

import numpy as np

from ilp_core.analysis._compiled import jit


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


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernel for the arrays the app passes."""
    points = np.array([0.5, 1.5])
    frozen = points.copy()
    frozen.flags.writeable = False  # the hot-spot layout's arrays are read-only
    for x in (points, frozen):
        linear_bin(x, x, 0.0, 0.0, 1.0, 2, 2)
