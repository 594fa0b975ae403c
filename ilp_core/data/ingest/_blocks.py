"""Work on a large table in blocks of rows, two at a time, or beside the main thread.

Arrow's kernels and NumPy's loops release Python's lock, so two threads use the
machine's two cores. Working in blocks of rows also keeps every temporary array
small: the memory a block frees is taken again by the next, where a step over
10,000,000 rows asks the system for fresh memory for each temporary (on the
benchmark machine, reading the coordinates of 10,000,000 rows took 1.3-3.1 s in
one piece and 0.6-0.9 s in blocks of 1,000,000, two at a time).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final, TypeVar

import numpy as np
import pyarrow as pa

T = TypeVar("T")

#: Rows from which the work is shared by two threads (below, one thread does it all).
THREADED_ROWS: Final = 200_000
#: Rows of a block, at most.
BLOCK_ROWS: Final = 1_000_000
_MIN_BLOCKS: Final = 4


def row_blocks(n: int) -> list[tuple[int, int]]:
    """The ``(start, stop)`` of each block: ``BLOCK_ROWS`` rows, and at least four blocks.

    A table under ``THREADED_ROWS`` rows is one block. From there, at least four
    blocks, so that both threads have work (one block of a 1,000,000-row table left
    the second core idle in every step but the reading).

    Examples
    --------
    >>> row_blocks(2_500_000)
    [(0, 625000), (625000, 1250000), (1250000, 1875000), (1875000, 2500000)]
    >>> len(row_blocks(10_000_000)), row_blocks(150_000), row_blocks(0)
    (10, [(0, 150000)], [])
    """
    if n < THREADED_ROWS:
        return [(0, n)] if n else []
    size = min(BLOCK_ROWS, -(-n // _MIN_BLOCKS))
    return [(start, min(n, start + size)) for start in range(0, n, size)]


def each_block(func: Callable[[int, int], T], n: int) -> list[T]:
    """``[func(start, stop) for each block]``, two blocks at a time from ``THREADED_ROWS`` rows.

    ``func`` must only read shared arrays and write its own rows of an output.
    """
    return two_at_a_time(lambda block: func(*block), row_blocks(n), n)


def two_at_a_time(func: Callable[[Any], T], items: list[Any], rows: int) -> list[T]:
    """``[func(item) for item in items]``, two at a time on a table of ``THREADED_ROWS``+."""
    if rows < THREADED_ROWS or len(items) < 2:
        return [func(item) for item in items]
    with ThreadPoolExecutor(2, thread_name_prefix="ilp-ingest") as pool:
        return list(pool.map(func, items))


def beside(func: Callable[[Any], T], item: Any, rows: int) -> Future[T]:
    """``func(item)`` in a thread of its own on a table of ``THREADED_ROWS``+, else now."""
    if rows < THREADED_ROWS:
        done: Future[T] = Future()
        done.set_result(func(item))
        return done
    pool = ThreadPoolExecutor(1, thread_name_prefix="ilp-ingest")
    try:
        return pool.submit(func, item)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def sort_in_place(values: np.ndarray) -> None:
    """Sort ``values`` in place, its halves on two threads from ``THREADED_ROWS`` values.

    Partitioned around its middle value first (every value of the first half is then
    at most every value of the second), each half is sorted on its own: 0.42 s against
    0.65 s for ``ndarray.sort`` of 10,000,000 64-bit numbers (measured).

    Examples
    --------
    >>> a = np.array([3, 1, 2, 1])
    >>> sort_in_place(a)
    >>> a
    array([1, 1, 2, 3])
    """
    n = len(values)
    if n < THREADED_ROWS:
        values.sort()
        return
    half = n // 2
    values.partition(half)
    two_at_a_time(np.ndarray.sort, [values[:half], values[half:]], n)


def compact(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``values[keep]`` written over the start of ``values`` itself; a view of that start.

    Block by block, in order (a block's kept rows never land after its own rows), so
    no copy of the whole array is made: the build keeps its date and coordinate
    arrays this way (five copies were 0.4 GB at 10,000,000 rows). ``values`` must
    belong to the caller alone: it is overwritten.

    Examples
    --------
    >>> a = np.arange(6.0)
    >>> compact(a, np.array([True, False, True, True, False, True]))
    array([0., 2., 3., 5.])
    """
    written = 0
    for start, stop in row_blocks(len(values)):
        part = values[start:stop][keep[start:stop]]  # a block's copy
        values[written : written + len(part)] = part
        written += len(part)
    return values[:written]


def take_rows(values: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``values[rows]`` (``rows`` in increasing order) as one array, taken chunk by chunk.

    Arrow's ``take`` on a column of many chunks joins them first (0.26 s for the
    10,000,000 dates of a read file, in 863 chunks; 0.02 s by chunk).

    Examples
    --------
    >>> column = pa.chunked_array([["a", "b"], ["c"], ["d", "e"]])
    >>> take_rows(column, np.array([1, 2, 4])).to_pylist()
    ['b', 'c', 'e']
    """
    if not isinstance(values, pa.ChunkedArray):
        return values.take(pa.array(rows))
    starts = np.concatenate([[0], np.cumsum([len(c) for c in values.chunks])])
    cuts = np.searchsorted(rows, starts)  # the rows of chunk c: rows[cuts[c]:cuts[c + 1]]
    parts = [pa.array([], values.type)]
    for c, chunk in enumerate(values.chunks):
        if cuts[c + 1] > cuts[c]:
            parts.append(chunk.take(pa.array(rows[cuts[c] : cuts[c + 1]] - starts[c])))
    return pa.concat_arrays(parts)
