"""The close pairs of a Knox test and their counts by time band, on a thread pool.

:func:`close_pairs` finds every pair of events closer than the largest distance
edge with a fixed grid, in two passes over blocks of cells (compiled kernels
:func:`._kernels.count_close`, then :func:`._kernels.fill_close`), and stores
each pair once: the partner's number (``uint32``) in a list grouped by owner and
distance band, 4 bytes a pair. :meth:`ClosePairs.time_bands` counts them by time band for up to
eight permutations of the dates in one pass over that list
(:func:`._kernels.count_gaps`). Both run block by block on one thread per
processor; the pair search reports its progress after each block, on the calling
thread, and a report that raises (:class:`~ilp_core.errors.Cancelled`) stops it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Final

import numpy as np

from ilp_core.analysis.near_repeat import _kernels
from ilp_core.errors import IlpInputError

#: Candidate pairs (events of neighbouring cells) a block of the pair search looks at:
#: about 0.05 s of work, so a cancel is seen quickly and the threads stay balanced.
_SEARCH_BLOCK: Final[int] = 20_000_000
#: Share of the pair search's time spent counting (the rest: finding and storing).
_COUNT_SHARE: Final[float] = 0.2
#: Close pairs handled by one task of a counting pass (about 0.01 s for eight tables).
_PASS_BLOCK: Final[int] = 8_000_000
#: Pairs counted between two flushes of the packed counters (a 16-bit lane holds 65,535).
_FLUSH: Final[int] = 32_768
#: Time edges counted in one pass over the pairs (the kernel's four windows).
_EDGES_PER_PASS: Final[int] = 4
#: Day assignments (observed dates, permutations) counted in one pass: two words of
#: four 16-bit lanes (of two 32-bit lanes, four a pass, when the dates span decades).
DAYS_PER_PASS: Final[int] = 8


def workers() -> int:
    """Threads to use: the processors this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ClosePairs:
    """Pairs of events closer than the largest finite distance edge, by owner and band.

    Events are numbered in grid-cell order (``event[k]`` is the input number of
    event ``k``); event ``p`` owns ``partners[ptr[p * n_bands + b]:ptr[p * n_bands
    + b + 1]]`` in distance band ``b`` (each pair once).
    """

    event: np.ndarray
    ptr: np.ndarray
    partners: np.ndarray
    n_bands: int

    @property
    def n_pairs(self) -> int:
        """Number of close pairs stored."""
        return int(self.ptr[-1])

    def time_bands(
        self,
        days: Sequence[np.ndarray],
        t_edges: np.ndarray,
        pool: ThreadPoolExecutor,
    ) -> np.ndarray:
        """Pairs per distance band and time band, for each day assignment in ``days``.

        ``days`` holds one to ``DAYS_PER_PASS`` arrays of whole days (in the input
        order of the events); returns ``out[k, band, time_band]`` with the last
        time band the one beyond the largest edge.
        """
        lane_bits = _lane_bits(days, t_edges)
        lanes = 64 // lane_bits
        if len(days) > 2 * lanes:  # 32-bit lanes: four assignments a pass
            split = range(0, len(days), 2 * lanes)
            return np.concatenate(
                [self.time_bands(days[k : k + 2 * lanes], t_edges, pool) for k in split]
            )
        tables = len(days)
        day = np.stack([np.asarray(d, dtype=np.int64)[self.event] for d in days])
        day -= day.min()
        # An edge beyond every gap counts every pair: clip so the packed values stay small.
        edges = [min(int(e), int(day.max()) + 1) for e in t_edges[1:]]
        reach = max(edges)
        words = np.zeros((2, len(self.event)), dtype=np.uint64)
        for slot in range(2 * lanes):
            lane = day[min(slot, tables - 1)] + reach  # spare lanes repeat the last table
            words[slot // lanes] |= lane.astype(np.uint64) << np.uint64(slot % lanes * lane_bits)

        def every_lane(value: int) -> np.uint64:
            return np.uint64(sum(value << (m * lane_bits) for m in range(lanes)))

        high = every_lane(1 << (lane_bits - 1))
        cuts = self._cuts()
        below = np.zeros((tables, self.n_bands, len(edges)), dtype=np.int64)
        for first in range(0, len(edges), _EDGES_PER_PASS):
            group = edges[first : first + _EDGES_PER_PASS]
            padded = [*group, *[1] * (_EDGES_PER_PASS - len(group))]
            windows = np.array([every_lane(e - 1) for e in padded], dtype=np.uint64)
            outs = np.zeros((len(cuts) - 1, self.n_bands, _EDGES_PER_PASS, 2 * lanes), np.uint64)

            def task(i: int, windows: np.ndarray = windows, outs: np.ndarray = outs) -> None:
                _kernels.count_gaps(
                    self.ptr, self.partners, words[0], words[1], windows, high, lane_bits,
                    int(cuts[i]), int(cuts[i + 1]), _FLUSH, outs[i],
                )  # fmt: skip

            run(pool, task, range(len(cuts) - 1))
            total = outs.sum(axis=0).astype(np.int64)[:, : len(group), :tables]
            below[:, :, first : first + len(group)] = total.transpose(2, 0, 1)
        # Pairs with gap < edge, cumulated: per band, 0, below each edge, all pairs.
        zero = np.zeros((tables, self.n_bands, 1), dtype=np.int64)
        band_totals = np.diff(self.ptr).reshape(-1, self.n_bands).sum(axis=0)
        full = np.broadcast_to(band_totals[None, :, None], (tables, self.n_bands, 1))
        return np.diff(np.concatenate([zero, below, full], axis=2), axis=2)

    def _cuts(self) -> np.ndarray:
        """Owners cut into tasks of about ``_PASS_BLOCK`` pairs, at least one per thread."""
        n = len(self.event)
        starts = self.ptr[:: self.n_bands]  # first pair of each owner, and the end
        parts = max(1, min(n, max(2 * workers(), math.ceil(self.n_pairs / _PASS_BLOCK))))
        cuts = np.searchsorted(starts, np.linspace(0, self.n_pairs, parts + 1), side="left")
        cuts[0], cuts[-1] = 0, n
        return np.unique(cuts)


def _lane_bits(days: Sequence[np.ndarray], t_edges: np.ndarray) -> int:
    """16-bit lanes (four days a word) when days and windows fit in 15 bits, else 32."""
    span = max(int(np.max(d)) for d in days) - min(int(np.min(d)) for d in days)
    reach = min(int(t_edges[-1]), span + 1)
    return 16 if span + 2 * reach < 2**15 else 32


def run(
    pool: ThreadPoolExecutor,
    task: Callable[[int], None],
    items: Sequence[int] | range,
    done: Callable[[int], None] | None = None,
) -> None:
    """Run ``task(i)`` for every item on the pool, and ``done(i)`` as each ends.

    ``done`` runs on the calling thread and may raise (a cancel): the tasks not
    started are dropped, the running ones (a fraction of a second each) are
    waited for, and the exception goes on.
    """
    futures: list[Future[None]] = [pool.submit(task, i) for i in items]
    pending = set(futures)
    try:
        while pending:
            finished, pending = wait(pending, return_when="FIRST_COMPLETED")
            for future in finished:
                future.result()  # a task's own error surfaces here
                if done is not None:
                    done(futures.index(future))
    except BaseException:
        for future in futures:
            future.cancel()
        wait(futures)
        raise


@dataclass(frozen=True)
class _Grid:
    """Events sorted by the cell of a grid as large as the largest distance edge.

    ``xs``, ``ys``: the points in that order (``event[k]``: input number of the
    ``k``-th); cell ``c`` holds ``cell_start[c]:cell_start[c + 1]``; its partners
    after it run to ``right_end[c]`` (its own cell and the next of its row) and
    ``up_lo[c]:up_hi[c]`` (the three cells above). ``blocks``: ranges of cells of
    about equal work, ``cum`` the work before each cell.
    """

    event: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    cell_start: np.ndarray
    right_end: np.ndarray
    up_lo: np.ndarray
    up_hi: np.ndarray
    cum: np.ndarray
    blocks: list[tuple[int, int]]

    def share(self, block: int) -> float:
        """Share of the whole search's work in ``block``."""
        c0, c1 = self.blocks[block]
        return float((self.cum[c1] - self.cum[c0]) / self.cum[-1])


def _grid(x: np.ndarray, y: np.ndarray, r: float) -> _Grid:
    n = len(x)
    size = r * (1 + 1e-9) + 1e-6  # pairs closer than r are always in neighbouring cells
    col = np.floor((x - x.min()) / size).astype(np.int64)
    row = np.floor((y - y.min()) / size).astype(np.int64)
    width = int(col.max()) + 3  # a row's neighbours never wrap into the next row
    key = row * width + col
    event = np.argsort(key, kind="stable")
    key = key[event]
    cells, first = np.unique(key, return_index=True)
    cell_start = np.append(first, n).astype(np.int64)
    size_of = np.diff(cell_start)
    nxt = np.searchsorted(cells, cells + 1, side="right")  # past the right neighbour
    right_end = cell_start[nxt]
    up_a = np.searchsorted(cells, cells + width - 1, side="left")
    up_b = np.searchsorted(cells, cells + width + 1, side="right")
    up_lo, up_hi = cell_start[up_a], cell_start[up_b]
    # Work of each cell (candidate pairs), to cut the cells into balanced blocks.
    work = size_of * ((size_of - 1) / 2 + (right_end - cell_start[1:]) + (up_hi - up_lo)) + 1
    cum = np.concatenate([[0.0], np.cumsum(work)])
    parts = max(2 * workers(), math.ceil(cum[-1] / _SEARCH_BLOCK))
    bounds = np.unique(np.searchsorted(cum, np.linspace(0, cum[-1], parts + 1)).clip(0, len(cells)))
    bounds[0] = 0
    bounds = np.unique(np.append(bounds, len(cells)))
    blocks = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
    return _Grid(event, x[event], y[event], cell_start, right_end, up_lo, up_hi, cum, blocks)


def _close_per_event(
    grid: _Grid,
    edges: np.ndarray,
    euclidean: bool,
    pool: ThreadPoolExecutor,
    done: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Close pairs owned by each event (grid order): the first pass of the search."""
    totals = np.zeros(len(grid.xs), dtype=np.int64)

    def count(i: int) -> None:
        c0, c1 = grid.blocks[i]
        _kernels.count_close(
            grid.xs, grid.ys, grid.cell_start, grid.right_end, grid.up_lo, grid.up_hi,
            c0, c1, edges, euclidean, totals,
        )  # fmt: skip

    run(pool, count, range(len(grid.blocks)), done)
    return totals


def count_pairs(
    x: np.ndarray, y: np.ndarray, r: float, metric: str, pool: ThreadPoolExecutor
) -> int:
    """Number of pairs :func:`close_pairs` stores with largest edge ``r``, not stored.

    The first pass of the search alone: 2-4 ms for 10,000 clustered events with
    40,000-2,400,000 such pairs, where SciPy's k-d tree counting them took 7-16 ms.
    """
    if len(x) < 2:
        return 0
    edges = _kernels.thresholds(np.array([0.0, float(r)]))
    return int(_close_per_event(_grid(x, y, float(r)), edges, metric == "euclidean", pool).sum())


def close_pairs(
    x: np.ndarray,
    y: np.ndarray,
    d_edges: np.ndarray,
    metric: str,
    same_location: bool,
    pool: ThreadPoolExecutor,
    report: Callable[[float], None],
    limit: int,
) -> ClosePairs:
    """Find every pair closer than the largest finite edge and its distance band.

    Events are sorted by the cell of a grid whose cells are as large as that edge;
    each event is compared with the events of its cell and the four neighbouring
    cells after it (right, and the three above). A first pass counts the close
    pairs of each event (so the list is allocated once, at its final size, and
    ``near_repeat.too_many_pairs`` is raised above ``limit`` pairs), a second one
    bins and stores them. ``report`` gets the fraction of the two passes done.
    """
    n = len(x)
    r = float(d_edges[-1])
    grid = _grid(x, y, r)
    n_bands = len(d_edges) - 1 + int(same_location)
    edges = _kernels.thresholds(d_edges)
    euclidean = metric == "euclidean"
    share, weight = [0.0], [_COUNT_SHARE]

    def done(i: int) -> None:
        share[0] += grid.share(i) * weight[0]
        report(min(1.0, share[0]))

    totals = _close_per_event(grid, edges, euclidean, pool, done)
    share[0], weight[0] = _COUNT_SHARE, 1.0 - _COUNT_SHARE
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(totals, out=starts[1:])
    total = int(starts[-1])
    if total > limit:
        raise IlpInputError("near_repeat.too_many_pairs", pairs=total, limit=limit, distance=r)
    ptr = np.empty(n * n_bands + 1, dtype=np.int64)
    ptr[-1] = total
    partners = np.empty(total, dtype=np.uint32)

    def fill(i: int) -> None:
        c0, c1 = grid.blocks[i]
        wrong = _kernels.fill_close(
            grid.xs, grid.ys, grid.cell_start, grid.right_end, grid.up_lo, grid.up_hi, c0, c1,
            edges, euclidean, same_location, starts, ptr, partners,
        )  # fmt: skip
        if wrong >= 0:  # the two passes disagree on an event: a bug, never silent
            raise RuntimeError(f"Knox pair search: event {wrong} counted differently")

    run(pool, fill, range(len(grid.blocks)), done)
    return ClosePairs(event=grid.event, ptr=ptr, partners=partners, n_bands=n_bands)
