"""Compiled kernels of the Knox test (numba): the grid pair search and the band counts.

Imported on the first Knox test only, compiled on their first call (about 3 s, see
``benchmarks/bench_near_repeat.py``), then loaded from numba's on-disk cache by
later processes (:mod:`ilp_core.analysis._compiled`).

Every kernel releases the GIL (``nogil=True``) and works on a range of cells or
events, so :mod:`._pairs` runs them on a thread pool and checks for a cancel
between ranges.
"""

from __future__ import annotations

import numpy as np

from ilp_core.analysis._compiled import jit as _jit

_U = np.uint64


@_jit
def _exact(d: float, thresholds: np.ndarray, same_location: bool) -> int:
    """Distance band of distance ``d`` (before rounding), or -1 at or beyond the last edge.

    ``d`` is binned as ``numpy.round(d, 6)`` against the band edges, without the
    division: ``R = rint(d * 1e6)``, and ``R / 1e6 >= edge`` exactly when ``R >=
    thresholds[k]`` (see :func:`thresholds`).
    """
    last = thresholds.shape[0] - 1
    micrometres = np.rint(d * 1e6)
    if not micrometres < thresholds[last]:
        return -1
    b = 0
    for k in range(1, last):
        b += micrometres >= thresholds[k]
    if same_location:
        return 0 if micrometres == 0.0 else b + 1
    return b


@_jit
def count_close(
    x: np.ndarray,
    y: np.ndarray,
    cell_start: np.ndarray,
    right_end: np.ndarray,
    up_lo: np.ndarray,
    up_hi: np.ndarray,
    c0: int,
    c1: int,
    thresholds: np.ndarray,
    euclidean: bool,
    totals: np.ndarray,
) -> None:
    """Count into ``totals[p]`` the close pairs owned by the events of cells ``c0..c1-1``.

    Events are sorted by grid cell (cells as large as the largest distance edge);
    event ``p`` owns its pairs with the events after it in its cell, the events of
    the next cell of its row, and those of the three cells above. Distances are
    computed as SciPy's k-d tree computes them (``sqrt(dx * dx + dy * dy)`` or
    ``|dx| + |dy|``); a pair is close when its distance rounded to the micrometre
    is below the largest edge. Pairs more than two micrometres inside or outside
    that edge are decided on the squared distance (a vectorised loop), the few in
    between by :func:`_exact`, as :func:`fill_close` decides them all.
    """
    r = thresholds[thresholds.shape[0] - 1] / 1e6
    inside = (r - 2e-6) * (r - 2e-6) if euclidean else r - 2e-6
    outside = (r + 2e-6) * (r + 2e-6) if euclidean else r + 2e-6
    for c in range(c0, c1):
        for p in range(cell_start[c], cell_start[c + 1]):
            xp, yp = x[p], y[p]
            close = 0
            for part in range(2):
                lo, hi = (p + 1, right_end[c]) if part == 0 else (up_lo[c], up_hi[c])
                border = 0
                for q in range(lo, hi):
                    dx = xp - x[q]
                    dy = yp - y[q]
                    d = dx * dx + dy * dy if euclidean else abs(dx) + abs(dy)
                    close += d < inside
                    border += (d >= inside) & (d <= outside)
                if border > 0:
                    for q in range(lo, hi):
                        dx = xp - x[q]
                        dy = yp - y[q]
                        d = dx * dx + dy * dy if euclidean else abs(dx) + abs(dy)
                        if inside <= d <= outside:
                            d = np.sqrt(d) if euclidean else d
                            close += _exact(d, thresholds, False) >= 0
            totals[p] = close


@_jit
def fill_close(
    x: np.ndarray,
    y: np.ndarray,
    cell_start: np.ndarray,
    right_end: np.ndarray,
    up_lo: np.ndarray,
    up_hi: np.ndarray,
    c0: int,
    c1: int,
    thresholds: np.ndarray,
    euclidean: bool,
    same_location: bool,
    starts: np.ndarray,
    ptr: np.ndarray,
    partners: np.ndarray,
) -> int:
    """Write the partners of the events of cells ``c0..c1-1``, grouped by distance band.

    Event ``p``'s close pairs (as counted by :func:`count_close`) go to
    ``partners[starts[p]:starts[p + 1]]``, band after band; ``ptr[p * n_bands +
    b]`` is where band ``b`` starts. Returns the first event whose count differs
    from its room (never expected; nothing is written past it), or -1.
    """
    n_bands = (ptr.shape[0] - 1) // (starts.shape[0] - 1)
    r = thresholds[thresholds.shape[0] - 1] / 1e6
    limit = (r + 2e-6) * (r + 2e-6) if euclidean else r + 2e-6
    longest = 0
    for c in range(c0, c1):
        longest = max(longest, right_end[c] - cell_start[c] + up_hi[c] - up_lo[c])
    found = np.empty(longest, dtype=np.int64)
    band = np.empty(longest, dtype=np.int64)
    per_band = np.empty(n_bands, dtype=np.int64)
    for c in range(c0, c1):
        for p in range(cell_start[c], cell_start[c + 1]):
            xp, yp = x[p], y[p]
            m = 0
            per_band[:] = 0
            for part in range(2):
                lo, hi = (p + 1, right_end[c]) if part == 0 else (up_lo[c], up_hi[c])
                for q in range(lo, hi):
                    dx = xp - x[q]
                    dy = yp - y[q]
                    if euclidean:
                        d = dx * dx + dy * dy
                        if d > limit:
                            continue
                        d = np.sqrt(d)
                    else:
                        d = abs(dx) + abs(dy)
                        if d > limit:
                            continue
                    b = _exact(d, thresholds, same_location)
                    if b >= 0:
                        found[m] = q
                        band[m] = b
                        per_band[b] += 1
                        m += 1
            if m != starts[p + 1] - starts[p]:
                return p
            at = starts[p]
            for b in range(n_bands):
                ptr[p * n_bands + b] = at
                at += per_band[b]
                per_band[b] = ptr[p * n_bands + b]  # now the write position of band b
            for k in range(m):
                partners[per_band[band[k]]] = found[k]
                per_band[band[k]] += 1
    return -1


def thresholds(edges: np.ndarray) -> np.ndarray:
    """For each edge, the first whole number ``R`` of micrometres with ``R / 1e6 >= edge``.

    ``R / 1e6`` (IEEE division, as ``numpy.round``) grows with ``R``, so comparing
    ``R`` with these numbers bins a rounded distance exactly as comparing the
    rounded distance with the edges does.

    Examples
    --------
    >>> thresholds(np.array([0.0, 100.0, 33.3333333333])).tolist()
    [0.0, 100000000.0, 33333334.0]
    >>> thresholds(np.array([1e12, np.inf])).tolist()  # no exact integers up there
    [1e+18, inf]
    """
    out = []
    for edge in np.asarray(edges, dtype=np.float64).tolist():
        r = float(np.ceil(edge * 1e6))
        if not abs(r) < 2.0**53:  # past 2**53 (or infinite) R - 1 == R: nothing to adjust
            out.append(r)
            continue
        while (r - 1) / 1e6 >= edge:
            r -= 1
        while r / 1e6 < edge:
            r += 1
        out.append(r)
    return np.array(out, dtype=np.float64)


@_jit
def _count8(
    partners: np.ndarray,
    days_a: np.ndarray,
    days_b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    high: np.uint64,
    shift: np.uint64,
) -> tuple[np.uint64, ...]:
    """Lane-wise counts of partners whose day lies in ``[lo, hi]``, four windows, two words.

    Each word of ``days_a`` and ``days_b`` packs one day per lane (SIMD within a
    register): a lane of ``lo <= u <= hi`` holds when the top bit of both
    ``(u | high) - lo`` and ``(hi | high) - u`` is set (no borrow crosses lanes:
    every value is below the top bit; ``hi`` comes with ``high`` set). Windows 0-3
    apply to ``days_a``, 4-7 to ``days_b``. The loop vectorises: one load of the
    partner's number serves eight windows of up to four day assignments each.
    """
    a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = _U(0)
    for k in range(partners.shape[0]):
        j = partners[k]
        u = days_a[j]
        v = days_b[j]
        uh = u | high
        vh = v | high
        a0 += ((uh - lo[0]) & (hi[0] - u) & high) >> shift
        a1 += ((uh - lo[1]) & (hi[1] - u) & high) >> shift
        a2 += ((uh - lo[2]) & (hi[2] - u) & high) >> shift
        a3 += ((uh - lo[3]) & (hi[3] - u) & high) >> shift
        b0 += ((vh - lo[4]) & (hi[4] - v) & high) >> shift
        b1 += ((vh - lo[5]) & (hi[5] - v) & high) >> shift
        b2 += ((vh - lo[6]) & (hi[6] - v) & high) >> shift
        b3 += ((vh - lo[7]) & (hi[7] - v) & high) >> shift
    return a0, a1, a2, a3, b0, b1, b2, b3


@_jit
def count_gaps(
    ptr: np.ndarray,
    partners: np.ndarray,
    days_a: np.ndarray,
    days_b: np.ndarray,
    below: np.ndarray,
    high: np.uint64,
    lane_bits: int,
    p0: int,
    p1: int,
    flush: int,
    out: np.ndarray,
) -> None:
    """Add to ``out[band, edge, table]`` the close pairs of owners ``p0..p1-1`` with gap < edge.

    ``days_a[p]`` and ``days_b[p]`` pack the day of event ``p`` in several day
    assignments (the observed dates, permutations), one per lane of
    ``lane_bits`` bits, each offset so that it stays positive: table ``m`` of
    ``days_a`` is ``out[..., m]``, of ``days_b`` ``out[..., lanes + m]``.
    ``below[e]`` packs ``edge_e - 1`` in every lane (four edges: pad with 1). A
    gap ``|t_p - t_q|`` is below ``edge_e`` when ``t_q`` lies in ``[t_p - (edge_e
    - 1), t_p + (edge_e - 1)]``. The lane counters are flushed every ``flush``
    pairs, before a lane can overflow.
    """
    n_bands = out.shape[0]
    lanes = out.shape[2] // 2
    shift = _U(lane_bits - 1)
    mask = (_U(1) << _U(lane_bits)) - _U(1)
    lo = np.empty(8, dtype=np.uint64)
    hi = np.empty(8, dtype=np.uint64)
    for p in range(p0, p1):
        for e in range(4):
            lo[e] = days_a[p] - below[e]
            hi[e] = (days_a[p] + below[e]) | high
            lo[e + 4] = days_b[p] - below[e]
            hi[e + 4] = (days_b[p] + below[e]) | high
        for b in range(n_bands):
            k0 = ptr[p * n_bands + b]
            k1 = ptr[p * n_bands + b + 1]
            while k0 < k1:
                k = min(k1, k0 + flush)
                counts = _count8(partners[k0:k], days_a, days_b, lo, hi, high, shift)
                for m in range(lanes):
                    s = _U(m * lane_bits)
                    for e in range(4):
                        out[b, e, m] += (counts[e] >> s) & mask
                        out[b, e, lanes + m] += (counts[4 + e] >> s) & mask
                k0 = k
