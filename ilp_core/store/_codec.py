"""How the parts of a dataset version become bytes and text, and back, unchanged.

* Tables (incidents, rejects, allocation) as Parquet (zstd): pyarrow keeps pandas'
  dtypes in the file's metadata, so categories (with their order), ``str`` columns
  and nanosecond times come back as they were.
* District boundaries as GeoJSON (EPSG:4326), readable by any GIS.
* The quality report as JSON, its messages as catalog keys with their parameters,
  so they still render in any language.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ilp_core.data.ingest import QualityReport
from ilp_core.errors import Message

if TYPE_CHECKING:
    import geopandas as gpd

#: Rows per Parquet row group (the unit a later filter push-down can skip).
ROW_GROUP_ROWS: Final[int] = 262_144
#: Bytes per stored chunk row: well below every limit (SQLite's 1 GB blobs, PostgreSQL's
#: 1 GB bytea) and small enough to stream.
CHUNK_BYTES: Final[int] = 8 * 1024 * 1024
_COMPRESSION: Final[str] = "zstd"


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table without its (range) index, pandas dtypes in the metadata."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def parquet_bytes(table: pa.Table) -> bytes:
    """One Parquet file of ``table`` (zstd, row groups of :data:`ROW_GROUP_ROWS`)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression=_COMPRESSION, row_group_size=ROW_GROUP_ROWS)
    return sink.getvalue()


def read_parquet(data: bytes) -> pa.Table:
    """The Arrow table of one Parquet file held in memory."""
    return pq.read_table(pa.BufferReader(data))


def chunks(data: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Slices of ``data`` of ``size`` bytes (the last one shorter); one empty slice for no data."""
    if not data:
        yield b""
        return
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield bytes(view[start : start + size])


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """The pandas frame of a stored table, with the dtypes it was saved with."""
    frame = table.to_pandas(split_blocks=True)
    for field in table.schema:
        if pa.types.is_null(field.type):  # an all-missing object column: NaN, as pandas made it
            frame[field.name] = pd.Series(np.full(len(frame), np.nan, dtype=object))
    return frame


def frame_bytes(frame: pd.DataFrame | None) -> bytes | None:
    """A small frame (the allocation table) as Parquet bytes, ``None`` for ``None``."""
    return None if frame is None else parquet_bytes(to_arrow(frame))


def frame_from_bytes(data: bytes | None) -> pd.DataFrame | None:
    """Inverse of :func:`frame_bytes`."""
    return None if data is None else to_pandas(read_parquet(data))


def districts_json(districts: gpd.GeoDataFrame | None) -> str | None:
    """District boundaries as GeoJSON text in EPSG:4326 (``None`` for none)."""
    if districts is None:
        return None
    if districts.crs is not None and districts.crs.to_epsg() != 4326:
        districts = districts.to_crs(4326)
    data = json.loads(districts.to_json(drop_id=True, to_wgs84=False))
    data["ilp_columns"] = [str(c) for c in districts.columns]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def districts_from_json(text: str | None) -> gpd.GeoDataFrame | None:
    """Inverse of :func:`districts_json`: the same columns, in the same order, EPSG:4326."""
    if text is None:
        return None
    import geopandas as gpd

    data = json.loads(text)
    out = gpd.GeoDataFrame.from_features(data["features"], crs=4326)
    columns = [c for c in data.get("ilp_columns", out.columns) if c in out.columns]
    out = out[columns]
    if "district" in out.columns:
        out["district"] = out["district"].astype("str")
    if "population" in out.columns:
        out["population"] = pd.to_numeric(out["population"]).astype("float64")
    return out


def report_json(report: QualityReport | None) -> str | None:
    """The quality report as JSON text (messages as keys and parameters)."""
    if report is None:
        return None
    data = {
        "rows_read": report.rows_read,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "period": None if report.period is None else [d.isoformat() for d in report.period],
        "geolocated": report.geolocated,
        "district_only": report.district_only,
        "no_location": report.no_location,
        "duplicates_id": report.duplicates_id,
        "duplicates_event": report.duplicates_event,
        "offence_counts": _series(report.offence_counts),
        "reject_counts": _series(report.reject_counts),
        "readings": [_message(m) for m in report.readings],
        "issues": [_message(m) for m in report.issues],
    }
    return json.dumps(_tagged(data), ensure_ascii=False, allow_nan=False)


def report_from_json(text: str | None) -> QualityReport | None:
    """Inverse of :func:`report_json`."""
    if text is None:
        return None
    data = _untagged(json.loads(text))
    period = data["period"]
    return QualityReport(
        rows_read=int(data["rows_read"]),
        accepted=int(data["accepted"]),
        rejected=int(data["rejected"]),
        period=None if period is None else (dt.date.fromisoformat(period[0]), _day(period[1])),
        geolocated=int(data["geolocated"]),
        district_only=int(data["district_only"]),
        offence_counts=_from_series(data["offence_counts"]),
        reject_counts=_from_series(data["reject_counts"]),
        duplicates_id=int(data["duplicates_id"]),
        duplicates_event=int(data["duplicates_event"]),
        readings=tuple(Message(m["key"], m["params"]) for m in data["readings"]),
        issues=tuple(Message(m["key"], m["params"]) for m in data["issues"]),
        no_location=int(data.get("no_location", 0)),
    )


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _series(series: pd.Series) -> dict[str, Any]:
    return {
        "name": None if series.name is None else str(series.name),
        "index_name": None if series.index.name is None else str(series.index.name),
        "labels": [str(k) for k in series.index],
        "values": [int(v) for v in series.to_numpy()],
    }


def _from_series(data: Mapping[str, Any]) -> pd.Series:
    index = pd.Index(list(data["labels"]), dtype="str", name=data["index_name"])
    return pd.Series(np.asarray(data["values"], dtype="int64"), index=index, name=data["name"])


def _message(message: Message) -> dict[str, Any]:
    return {"key": message.key, "params": dict(message.params)}


def _tagged(value: Any) -> Any:
    """JSON-ready copy: dates tagged so they come back as dates, numpy scalars as Python."""
    if isinstance(value, Mapping):
        return {str(k): _tagged(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_tagged(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if len(value) == 1 and "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value
