"""Fast building blocks of the canonical table, each tested against the pandas it replaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ilp_core.data import schema
from ilp_core.data.ingest._common import as_numpy_str


def repeats_text(values: pa.Array) -> np.ndarray:
    """Rows whose (non-empty) text equals an earlier row's.

    A stable sort puts equal values next to each other, earliest first: 0.2 s for
    1,000,000 ids against 1.0 s for ``Series.duplicated`` on Arrow strings
    (measured); the tests compare with ``Series.duplicated``.
    """
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    order = pc.array_sort_indices(values, order="ascending", null_placement="at_end")
    ranked = values.take(order)
    same = pc.fill_null(pc.equal(ranked.slice(1), ranked.slice(0, n - 1)), False)
    same = np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
    order = np.asarray(order.to_numpy(zero_copy_only=False))
    out[order[1:][same]] = True
    return out


def repeats_numbers(*keys: np.ndarray) -> np.ndarray:
    """Rows whose key tuple (integers or floats) equals an earlier row's.

    The keys are mixed into one 64-bit number, ``pd.factorize`` numbers the
    distinct values in order of first appearance, and each later row of a value is
    compared on the keys themselves with that value's first row (so a collision of
    the mixed numbers never flags a row). 0.15 s for 1,000,000 rows against 0.75 s
    for ``np.lexsort`` over four keys (measured); the tests compare with
    ``DataFrame.duplicated``.
    """
    n = len(keys[0])
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    mixed = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k, key in enumerate(keys):
            if key.dtype.kind == "f":
                key = key + 0.0  # -0.0 == 0.0 but their bits differ
            bits = np.ascontiguousarray(key).view(np.uint64)
            mixed = (mixed ^ (bits * np.uint64(0x9E3779B97F4A7C15))) * np.uint64(
                2 * k + 0x100000001B3
            )
    codes, _ = pd.factorize(mixed)
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    first = np.flatnonzero(new)  # first[c] is the first row with code c
    later = np.flatnonzero(~new)
    if not len(later):
        return out
    origin = first[codes[later]]
    same = np.ones(len(later), dtype=bool)
    for key in keys:
        same &= key[later] == key[origin]
    out[later[same]] = True
    return out


def categorical(values: pa.Array) -> pd.Categorical:
    """``pd.Categorical(values)`` (sorted ``str`` categories), built from Arrow's codes.

    0.05 s for 1,000,000 offences against 0.3 s through Python objects (measured).
    """
    if values.null_count == len(values):
        return pd.Categorical(np.full(len(values), None, dtype=object))
    encoded = pc.dictionary_encode(values)
    dictionary = as_numpy_str(encoded.dictionary)
    order = np.argsort(dictionary.astype(str), kind="stable")
    remap = np.empty(len(dictionary), dtype=np.int64)
    remap[order] = np.arange(len(dictionary))
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    codes = np.where(indices >= 0, remap[np.maximum(indices, 0)], -1)
    categories = pd.Index(dictionary[order], dtype="str")
    return pd.Categorical.from_codes(codes, categories=categories)


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
            "occurred_at": np.asarray(columns["occurred_at"]).astype("datetime64[ns]"),
            "occurred_to": np.asarray(columns["occurred_to"]).astype("datetime64[ns]"),
            "precision": pd.Categorical.from_codes(
                precision.astype(np.int64), categories=pd.Index(schema.PRECISIONS, dtype="str")
            ),
            "offence": columns["offence"],
            "lat": np.asarray(columns["lat"], dtype="float64"),
            "lon": np.asarray(columns["lon"], dtype="float64"),
            "district": categorical(columns["district"]),  # type: ignore[arg-type]
            "location_id": _str_array(columns["location_id"]),  # type: ignore[arg-type]
            "source_row": np.asarray(columns["source_row"], dtype="int64"),
            "duplicate": pd.Categorical.from_codes(
                np.asarray(columns["duplicate"]).astype(np.int64),
                categories=pd.Index(schema.DUPLICATE_KINDS, dtype="str"),
            ),
        },
        index=pd.RangeIndex(n),
    )
    return out


def _str_array(values: pa.Array) -> pd.api.extensions.ExtensionArray | np.ndarray:
    if values.null_count == len(values):
        # what coerce_incidents gives for a column without any value
        return np.full(len(values), np.nan, dtype=object)
    return values.cast(pa.large_string()).to_pandas().array
