"""Fast building blocks of the canonical table, each tested against the pandas it replaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ilp_core.data import schema
from ilp_core.data.ingest._blocks import each_block, sort_in_place
from ilp_core.data.ingest._common import dictionary_codes


def text_order(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The rows in the stable ascending order of their text, empty cells last.

    A column in that order already (ids numbered as the incidents were recorded) is
    known by comparing each row with the next: 0.05 s against 0.8-1.2 s for sorting
    10,000,000 ids (measured).
    """
    n = len(values)
    ascending = n > 1 and values.null_count == 0
    if ascending and not pc.any(pc.less(values.slice(1), values.slice(0, n - 1))).as_py():
        return np.arange(n, dtype=np.uint64)
    order = pc.array_sort_indices(values, order="ascending", null_placement="at_end")
    return np.asarray(order.to_numpy(zero_copy_only=False))


def repeats_text(
    values: pa.Array | pa.ChunkedArray,
    order: np.ndarray | None = None,
    kept: np.ndarray | None = None,
) -> np.ndarray:
    """Rows whose (non-empty) text equals an earlier row's.

    A stable sort puts equal values next to each other, earliest first: 0.2 s for
    1,000,000 ids against 1.0 s for ``Series.duplicated`` on Arrow strings
    (measured); the tests compare with ``Series.duplicated``. ``order`` is the
    :func:`text_order` of a longer column, sorted ahead beside other work, of which
    ``values`` are the ``kept`` rows (a mask): the sort is not done again.
    """
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    if order is None:
        order = text_order(values)
    elif kept is not None and not kept.all():
        # the kept rows in the same order, numbered among themselves
        order = (np.cumsum(kept) - 1)[order[kept[order]]]
    if bool((order[1:] > order[:-1]).all()):
        # the rows in order already (text_order found the text ascending, without an
        # empty cell): each row is compared with the next where it is, the text
        # neither joined nor taken (0.35 s less for 10,000,000 ids)
        def compare_next(start: int, stop: int) -> None:
            size = min(stop, n - 1) - start  # rows start+1 .. stop, each with the one before
            same = pc.equal(values.slice(start + 1, size), values.slice(start, size))
            out[start + 1 : start + 1 + size] = np.asarray(
                pc.fill_null(same, False).to_numpy(zero_copy_only=False), bool
            )

        each_block(compare_next, n)
        return out
    if isinstance(values, pa.ChunkedArray):
        # Arrow joins a chunked text before taking from it: once here, not once a block
        # (ids of 10,000,000 rows: 0.23 GB; 60 ms a block)
        values = values.combine_chunks()

    def compare(start: int, stop: int) -> None:
        # each row in sorted order with the one before it, a block of the order at a
        # time: never a sorted copy of every text (230 MB of ids at 10,000,000 rows)
        first = max(start - 1, 0)
        ranked = values.take(pa.array(order[first:stop]))
        same = pc.fill_null(pc.equal(ranked.slice(1), ranked.slice(0, len(ranked) - 1)), False)
        out[order[first + 1 : stop][np.asarray(same.to_numpy(zero_copy_only=False), bool)]] = True

    each_block(compare, n)
    return out


def repeats_numbers(*keys: np.ndarray) -> np.ndarray:
    """Rows whose key tuple (integers or floats) equals an earlier row's.

    The keys are mixed into one 64-bit number; the top halves of the numbers,
    sorted, find those met more than once (sorting 32 bits takes 0.4 s against
    0.65 s for 64 at 10,000,000 rows, and half the memory; the rows with a top
    half in common that are not repeats, about n² / 2³³ of them, are candidates
    only), a hash lookup of each block's numbers (mixed again) their rows, and
    ``pd.factorize`` numbers the distinct 64-bit numbers among those rows only, in
    order of first appearance. Each later row of a value is compared on the keys
    themselves with that value's first row (so a collision of the mixed numbers
    never flags a row). At 10,000,000 rows of four keys, 2 % of them repeated:
    0.61-0.64 s (0.81-0.95 s sorting 64 bits) and 60 MB beside the keys, against
    2.2 s and 650 MB to factorize every row (measured; ``np.lexsort`` over four keys
    was slower still). The top halves are sorted in place and the keys mixed again,
    not kept unsorted beside the sorted copy (0.66-0.69 s and 180 MB with 64 bits,
    measured in a fresh process); the tests compare with ``DataFrame.duplicated``.
    """
    n = len(keys[0])
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    ordered = np.empty(n, dtype=np.uint32)
    each_block(lambda start, stop, into=ordered: _top(keys, start, stop, into[start:stop]), n)
    sort_in_place(ordered)
    repeated = pd.Index(np.unique(ordered[1:][ordered[1:] == ordered[:-1]]))
    del ordered
    if not len(repeated):
        return out
    repeated.get_indexer(repeated[:1])  # its hash table built once, before the threads

    def find(start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        mixed = _mix(keys, start, stop, np.empty(stop - start, dtype=np.uint64))
        hit = np.flatnonzero(repeated.get_indexer(_top_half(mixed)) >= 0)
        return hit + start, mixed[hit]

    found = each_block(find, n)
    rows = np.concatenate([r for r, _ in found])
    codes, _ = pd.factorize(np.concatenate([m for _, m in found]))
    new = np.empty(len(rows), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    first = rows[np.flatnonzero(new)]  # first[c] is the first row with code c
    later = np.flatnonzero(~new)
    origin, later = first[codes[later]], rows[later]
    same = np.ones(len(later), dtype=bool)
    for key in keys:
        same &= key[later] == key[origin]
    out[later[same]] = True
    return out


def _top(keys: tuple[np.ndarray, ...], start: int, stop: int, out: np.ndarray) -> None:
    """The top 32 bits of the rows ``start:stop`` of ``keys`` mixed, in ``out``."""
    out[:] = _top_half(_mix(keys, start, stop, np.empty(stop - start, dtype=np.uint64)))


def _top_half(mixed: np.ndarray) -> np.ndarray:
    return (mixed >> np.uint64(32)).astype(np.uint32)


def _mix(keys: tuple[np.ndarray, ...], start: int, stop: int, out: np.ndarray) -> np.ndarray:
    """The rows ``start:stop`` of ``keys`` mixed into one 64-bit number each, in ``out``."""
    bits = np.empty(stop - start, dtype=np.uint64)
    out[:] = 0
    with np.errstate(over="ignore"):
        for k, key in enumerate(keys):
            part = key[start:stop]
            if part.dtype.kind == "f":
                np.add(part, 0.0, out=bits.view(np.float64))  # -0.0 == 0.0, bits differ
            elif part.dtype.itemsize == 8:
                bits[:] = part.view(np.uint64)
            else:
                bits[:] = part  # small integers (category codes), -1 wrapping around
            np.multiply(bits, np.uint64(0x9E3779B97F4A7C15), out=bits)
            np.bitwise_xor(out, bits, out=out)
            np.multiply(out, np.uint64(2 * k + 0x100000001B3), out=out)
    return out


def categorical(values: pa.Array | pa.ChunkedArray) -> pd.Categorical:
    """``pd.Categorical(values)`` (sorted ``str`` categories), built from Arrow's codes.

    0.05 s for 1,000,000 offences against 0.3 s through Python objects (measured).
    """
    if values.null_count == len(values):
        return pd.Categorical(np.full(len(values), None, dtype=object))
    dictionary, indices = dictionary_codes(values)
    order = np.argsort(dictionary.astype(str), kind="stable")
    # each row's sorted code in one pass, in the small integers pandas keeps (-1, a
    # missing value, takes the last entry): 0.6 s less at 10,000,000 rows
    dtype = pd.api.types.CategoricalDtype(pd.Index(dictionary[order], dtype="str"))
    remap = np.full(len(dictionary) + 1, -1, dtype=np.min_scalar_type(-len(dictionary)))
    remap[order] = np.arange(len(dictionary))
    return pd.Categorical.from_codes(remap[indices], dtype=dtype, validate=False)


def kept_codes(whole: pd.Categorical, kept: np.ndarray | None) -> pd.Categorical:
    """The ``kept`` rows (a mask; ``None``: every row) of ``whole``, without unused categories.

    ``whole`` is the :func:`categorical` of every row: the codes are kept, never a
    copy of the kept rows' text (0.3 GB of offences at 10,000,000 rows).
    """
    if kept is None:
        return whole
    codes = whole.codes[kept]
    used = np.bincount(codes[codes >= 0], minlength=len(whole.categories)) > 0
    if not used.all():  # categories of rejected rows only: renumbered without them
        remap = np.full(len(used) + 1, -1, dtype=codes.dtype)  # -1 (missing) stays -1
        remap[np.flatnonzero(used)] = np.arange(used.sum())
        codes = remap[codes]
    dtype = pd.api.types.CategoricalDtype(whole.categories[used])
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def date_order(at: np.ndarray) -> np.ndarray | None:
    """The rows by date, oldest first, ties in the file's order; None when already in date order.

    Rows in date order already, oldest or newest first (as exports usually are), or
    all without a date, keep the file's order. A period of rows in date order is a
    slice of the table, not a copy (``dataset.filter_incidents``).
    """
    ticks = at.view(np.int64)
    if len(ticks) < 2:
        return None
    if (ticks[1:] >= ticks[:-1]).all() or (ticks[1:] <= ticks[:-1]).all():
        return None
    return np.argsort(ticks, kind="stable")


def reordered(columns: dict[str, object], order: np.ndarray) -> dict[str, object]:
    """Every column of ``columns`` with its rows in ``order``, one column after the other."""
    out: dict[str, object] = {}
    for name in list(columns):
        values = columns.pop(name)  # let go of each column as its reordered copy is made
        if isinstance(values, pd.Categorical):
            out[name] = pd.Categorical.from_codes(
                values.codes[order], dtype=values.dtype, validate=False
            )
        elif isinstance(values, pa.Array | pa.ChunkedArray):
            out[name] = values.take(pa.array(order))
        else:
            out[name] = np.asarray(values)[order]
        del values
    return out


def canonical(columns: dict[str, object]) -> pd.DataFrame:
    """The canonical incident table, column by column in its final dtype.

    Produces exactly what ``schema.coerce_incidents`` produces (the tests check
    ``coerce_incidents(result)`` equals the result) without its round trip
    through Python objects: 0.1 s instead of 2.3 s for 1,000,000 rows (measured).
    """
    if list(columns) != list(schema.INCIDENT_COLUMNS):
        raise KeyError(f"canonical columns differ from the schema: {list(columns)}")
    n = len(columns["source_row"])  # type: ignore[arg-type]
    if n == 0:
        return schema.empty_incidents()
    precision = np.asarray(columns["precision"])
    out = pd.DataFrame(
        {
            "incident_id": _str_array(columns["incident_id"]),  # type: ignore[arg-type]
            "occurred_at": _nanoseconds(columns["occurred_at"]),
            "occurred_to": _nanoseconds(columns["occurred_to"]),
            "precision": pd.Categorical.from_codes(
                _codes(precision), categories=pd.Index(schema.PRECISIONS, dtype="str")
            ),
            "offence": columns["offence"],
            "lat": np.asarray(columns["lat"], dtype="float64"),
            "lon": np.asarray(columns["lon"], dtype="float64"),
            "district": columns["district"]
            if isinstance(columns["district"], pd.Categorical)
            else categorical(columns["district"]),  # type: ignore[arg-type]
            "location_id": _str_array(columns["location_id"]),  # type: ignore[arg-type]
            "source_row": np.asarray(columns["source_row"], dtype="int64"),
            "duplicate": pd.Categorical.from_codes(
                _codes(columns["duplicate"]),
                categories=pd.Index(schema.DUPLICATE_KINDS, dtype="str"),
            ),
        },
        index=pd.RangeIndex(n),
        # one block a column, as the workspace store gives them (split_blocks): not
        # copied into joined blocks (0.4 GB and the load's peak at 10,000,000 rows)
        copy=False,
    )
    return out


def _str_array(values: pa.Array) -> pd.api.extensions.ExtensionArray | np.ndarray:
    if values.null_count == len(values):
        # what coerce_incidents gives for a column without any value
        return np.full(len(values), np.nan, dtype=object)
    return values.cast(pa.large_string()).to_pandas().array


def nanoseconds_in_place(values: np.ndarray) -> np.ndarray:
    """Datetimes in seconds turned into nanoseconds in their own memory (NaT stays NaT).

    What ``values.astype("datetime64[ns]")`` gives, without its second array (80 MB
    at 10,000,000 rows); ``values`` must belong to the caller alone. Outside the
    nanoseconds' range (1677-2262) the copy is made, as astype would.
    """
    ticks = values.view(np.int64)
    missing = np.isnat(values)
    bound = np.iinfo(np.int64).max // 10**9
    if (
        ticks.max(initial=0, where=~missing) > bound
        or ticks.min(initial=0, where=~missing) < -bound
    ):
        return values.astype("datetime64[ns]")
    np.multiply(ticks, 10**9, out=ticks)  # NaT wraps around: set again below
    ticks[missing] = np.iinfo(np.int64).min
    return ticks.view("datetime64[ns]")


def _nanoseconds(values: object) -> np.ndarray:
    """Datetimes in nanoseconds, not copied when they are already (80 MB at 10M rows)."""
    return np.asarray(values).astype("datetime64[ns]", copy=False)


def _codes(values: object) -> np.ndarray:
    """Category codes in the small integers pandas keeps them in, not widened first."""
    return np.asarray(values).astype(np.int8, copy=False)
