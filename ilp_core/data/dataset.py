"""The active dataset: incidents plus the optional districts and patrol allocation.

A :class:`Dataset` is immutable and shared read-only (the sample region is loaded
once per server and used by every session), so analyses must never modify its
frames in place; pandas' copy-on-write (the default since pandas 3) makes every
derived frame a new object.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from ilp_core import memo

if TYPE_CHECKING:
    import geopandas as gpd

    from ilp_core.data.ingest import QualityReport

SAMPLE_DIR: Final[Path] = Path(__file__).resolve().parents[2] / "data" / "sample"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Incidents and what describes the area they come from.

    Attributes
    ----------
    name
        Shown in the sidebar (the file name, or the sample region's name).
    incidents
        Canonical incident table (see :mod:`ilp_core.data.schema`).
    districts
        GeoDataFrame in EPSG:4326 with columns ``district``, ``population``
        (residents, NaN when unknown) and ``geometry``; ``None`` without boundaries
        (a regular grid then serves).
    allocation
        Current patrol allocation: columns ``district`` and ``hours_per_week``;
        ``None`` when unknown.
    report
        The ingest quality report, when the incidents came through ingest.
    rejects
        The rows ingest rejected, each with its reason (see ``ingest.IngestResult``).
    is_sample
        True for the bundled synthetic region.
    offence_classes
        The ICCS class of each offence label (``{label: code or None}``), as the
        analyst confirmed it on the Data page (``IngestResult.offence_classes``);
        harm weights follow it (:func:`ilp_core.decide.harm.default_weights`).
        ``None``: not classified by anyone; then only the categories of known
        exports (police.uk, Chicago, San Francisco, the sample region) are.
    fingerprint
        Content hash of the incident table (and of the classification, when
        given): the key of every cache and the reproducibility stamp of exported
        assessments.
    """

    name: str
    incidents: pd.DataFrame
    districts: gpd.GeoDataFrame | None = None
    allocation: pd.DataFrame | None = None
    report: QualityReport | None = None
    rejects: pd.DataFrame | None = None
    is_sample: bool = False
    offence_classes: Mapping[str, str | None] | None = None
    fingerprint: str = field(default="")

    def __post_init__(self) -> None:
        if self.offence_classes is not None:  # shared read-only, like the frames
            classes = MappingProxyType(dict(self.offence_classes))
            object.__setattr__(self, "offence_classes", classes)
        if not self.fingerprint:
            object.__setattr__(
                self,
                "fingerprint",
                fingerprint(self.incidents, self.districts, self.offence_classes),
            )

    # The sidebar asks for these on every rerun of every session: computed once (the
    # dataset never changes), they no longer cost 5-10 ms of each rerun.
    @functools.cached_property
    def offences(self) -> list[str]:
        """Offence types present, most frequent first."""
        counts = self.incidents["offence"].value_counts(sort=True)
        return [str(o) for o in counts.index[counts.to_numpy() > 0]]

    @functools.cached_property
    def district_names(self) -> list[str]:
        """Districts named in the incidents, in alphabetical order."""
        return sorted(str(d) for d in self.incidents["district"].dropna().unique())

    @functools.cached_property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """First and last day with an incident, or ``None`` for an empty table."""
        when = self.incidents["occurred_at"]
        if when.notna().sum() == 0:
            return None
        return when.min().date(), when.max().date()


def fingerprint(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    offence_classes: Mapping[str, str | None] | None = None,
) -> str:
    """Return a short, stable content hash of the incidents and boundaries (16 hex digits).

    Equal data give equal fingerprints across processes and machines, so a saved
    assessment can check that it is reloaded on the same data. A classification
    of the offences, when given, is part of the data: the same file classified
    otherwise weighs otherwise.
    """
    row_hashes = pd.util.hash_pandas_object(incidents, index=False).to_numpy()
    digest = hashlib.sha256(np.ascontiguousarray(row_hashes).tobytes())
    digest.update(",".join(map(str, incidents.columns)).encode())
    if districts is not None:
        digest.update(districts["district"].astype(str).str.cat(sep="\x1f").encode())
        digest.update(b"".join(districts.geometry.to_wkb()))
        digest.update(districts["population"].to_numpy(dtype=float).tobytes())
    if offence_classes is not None:
        pairs = sorted((str(k), "" if v is None else str(v)) for k, v in offence_classes.items())
        digest.update(json.dumps(pairs, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:16]


def filter_incidents(
    incidents: pd.DataFrame,
    start: dt.date | None = None,
    end: dt.date | None = None,
    offences: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Keep incidents from ``start`` to ``end`` (both days included) of the chosen offences.

    ``None`` (or an empty ``offences``) means no limit on that side. Rows in date
    order (oldest or newest first, as exports usually are) give a period as a slice
    of the rows, not a copy: at 10,000,000 incidents a year of two took 1.5 s and
    380 MB copied, 0.002 s sliced. The result is the same either way.
    """
    whole, rows = incidents, slice(0, len(incidents))
    if start is not None or end is not None:
        period = _period_rows(incidents["occurred_at"], start, end)
        if period is not None:
            start, end, rows = None, None, period
            if rows != slice(0, len(incidents)):  # the whole table stays itself (memo keys)
                incidents = incidents.iloc[rows]
    mask = np.ones(len(incidents), dtype=bool)
    when = incidents["occurred_at"]
    if start is not None:
        mask &= (when >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        mask &= (when < pd.Timestamp(end) + pd.Timedelta(days=1)).to_numpy()
    if offences:
        mask &= incidents["offence"].isin(list(offences)).to_numpy()
    if mask.all():  # the usual view: no copy (a shallow one; copy-on-write protects the rows)
        view = incidents.copy(deep=False)
        if incidents is not whole:  # a period of rows in date order
            _share(whole, view, rows)
        return view
    kept = kept_rows(incidents, mask)
    in_whole = np.zeros(len(whole), dtype=bool)
    in_whole[rows] = mask
    _share(whole, kept, in_whole)
    return kept


def _share(whole: pd.DataFrame, part: pd.DataFrame, rows: np.ndarray | slice) -> None:
    """Give ``part``, the rows of ``whole`` that ``rows`` flags or slices, what whole has.

    Its points, when the maps projected ``whole``'s; for a slice of the rows, also
    what ``memo`` keeps row by row (day numbers), as views. Taking the day numbers of
    the rows an offence filter keeps took as long as deriving them (0.04-0.1 s for
    8,300,000 of 10,000,000 incidents either way): they are derived when first asked.
    """
    if isinstance(rows, slice):
        memo.share_rows(whole, part, rows)
    if "lat" in part.columns and "lon" in part.columns:
        from ilp_core.data import geo  # geopandas: only for a table with coordinates

        geo.share_projection(whole, part, rows)


#: Rows from which :func:`kept_rows` takes the columns on two threads.
THREADED_ROWS: Final = 1_000_000


def kept_rows(table: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``table.loc[mask]`` for a flag per row, taken column by column.

    Arrow text is filtered by Arrow, NumPy values by NumPy and categories by their
    codes; pandas' own taking checked and converted the positions for every column
    (an offence filter keeping 8,300,000 of 10,000,000 incidents: 0.36-0.41 s against
    0.40-0.57 s, the first in a process 0.8-1.3 s against 1.4-1.5 s). From
    :data:`THREADED_ROWS` rows the columns (and the index) are taken on two threads,
    largest first: both libraries work outside Python's lock, and the memory of the
    copy is written from both cores (9,333,060 of 10,000,000 rows: 0.62-1.13 s
    against 1.26-1.88 s in memory the system had taken back, 0.17-0.49 s against
    0.26-0.29 s in memory just written; ``benchmarks/bench_pages.py --offences``).
    Columns of other kinds, and tables whose column names repeat, are taken by pandas.
    """
    if not table.columns.is_unique:
        return table.loc[mask]
    import pyarrow as pa  # with pandas' text columns
    import pyarrow.compute as pc

    parts: list[pd.Series | pd.Index] = [column for _, column in table.items()]
    text = any(isinstance(p.array, pd.arrays.ArrowStringArray) for p in parts)
    flags = pa.array(mask) if text else None
    parts.append(table.index)

    def take(part: pd.Series | pd.Index) -> object:
        if isinstance(part, pd.Index):
            return part[mask]
        values = part.array
        if isinstance(values, pd.arrays.ArrowStringArray):
            kept_text = pc.filter(values.__arrow_array__(), flags)
            return pd.arrays.ArrowStringArray(kept_text, dtype=part.dtype)
        if isinstance(part.dtype, pd.CategoricalDtype):
            return pd.Categorical.from_codes(values.codes[mask], dtype=part.dtype)
        if isinstance(part.dtype, np.dtype) and part.dtype != object:
            return part.to_numpy()[mask]
        return part[mask].array

    if len(table) < THREADED_ROWS:
        taken = [take(p) for p in parts]
    else:
        from concurrent.futures import ThreadPoolExecutor

        largest = sorted(parts, key=lambda p: p.memory_usage(deep=False), reverse=True)
        with ThreadPoolExecutor(2, thread_name_prefix="ilp-rows") as pool:
            futures = {id(p): pool.submit(take, p) for p in largest}
        taken = [futures[id(p)].result() for p in parts]
    *columns, index = taken
    kept = pd.DataFrame(
        dict(zip(table.columns, columns, strict=True)), index=index, columns=table.columns,
        copy=False,
    )  # fmt: skip
    return kept.__finalize__(table)


def _period_rows(when: pd.Series, start: dt.date | None, end: dt.date | None) -> slice | None:
    """The rows from ``start`` to ``end`` as a slice when ``when`` is in date order, else None.

    A column with a missing date is never in order (pandas says so), so the slice
    holds exactly the rows the date comparisons keep.
    """
    rising = when.is_monotonic_increasing
    if not rising and not when.is_monotonic_decreasing:
        return None
    ticks = when.to_numpy(dtype="datetime64[ns]").view(np.int64)

    def rows_before(day: dt.date) -> int:
        """Rows (in the table's order) on the far side of ``day``'s start."""
        tick = int(pd.Timestamp(day).as_unit("ns").value)
        if rising:  # the rows earlier than the day
            return bisect.bisect_left(ticks, tick)
        # newest first: the rows on or after the day (their negated ticks rise)
        return bisect.bisect_right(ticks, -tick, key=lambda v: -int(v))

    lo, hi = 0, len(ticks)
    if rising:
        lo = lo if start is None else rows_before(start)
        hi = hi if end is None else rows_before(end + dt.timedelta(days=1))
    else:
        lo = lo if end is None else rows_before(end + dt.timedelta(days=1))
        hi = hi if start is None else rows_before(start)
    return slice(lo, max(lo, hi))


def load_sample(folder: Path = SAMPLE_DIR) -> Dataset:
    """Load the bundled synthetic region through the same ingest path as an upload."""
    from ilp_core.data import ingest

    districts = ingest.load_boundaries(folder / "districts.geojson")
    result = ingest.load_incidents(folder / "incidents.csv", districts=districts)
    allocation = pd.read_csv(folder / "allocation.csv", dtype={"district": "str"})
    return Dataset(
        name="Sample region (synthetic)",
        incidents=result.incidents,
        districts=districts,
        allocation=allocation,
        report=result.report,
        rejects=result.rejects,
        is_sample=True,
        offence_classes=result.offence_classes,
    )
