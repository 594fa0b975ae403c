"""The canonical incident table: the one shape every analysis in ``ilp_core`` reads.

Ingest turns any export into this table; the sample generator writes it directly.
Column names are stable API (pages, exports and tests rely on them); labels for
humans come from the i18n layer.

=================  ====================  ==============================================
column             dtype                 meaning
=================  ====================  ==============================================
``incident_id``    str                   the export's id, or ``"row-<n>"`` when it had none
``occurred_at``    datetime64[ns]        when it happened (start of the window), local time
``occurred_to``    datetime64[ns]        end of the from/to window; NaT when a single time
``precision``      category              ``minute``, ``day`` or ``month``: how exactly
                                         ``occurred_at`` is known (hour analyses use
                                         ``minute`` rows only)
``offence``        category              offence type as written in the source
``lat``, ``lon``   float64               WGS 84 degrees; NaN when not geolocated
``district``       category              district name; NaN when unknown
``location_id``    str                   repeat-location key; NaN when unknown
``source_row``     int64                 row number in the source file as a spreadsheet
                                         shows it (header = 1, first data row = 2)
``duplicate``      category              NaN, ``id`` (same id as an earlier row) or
                                         ``event`` (same time, place and offence)
=================  ====================  ==============================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

INCIDENT_COLUMNS: Final[tuple[str, ...]] = (
    "incident_id",
    "occurred_at",
    "occurred_to",
    "precision",
    "offence",
    "lat",
    "lon",
    "district",
    "location_id",
    "source_row",
    "duplicate",
)

PRECISIONS: Final[tuple[str, ...]] = ("minute", "day", "month")
DUPLICATE_KINDS: Final[tuple[str, ...]] = ("id", "event")

#: Fields a user can map a source column to (ingest's column mapping targets).
#: ``date`` and ``time`` are separate source columns combined into ``occurred_at``;
#: ``x``/``y`` are projected coordinates with a declared EPSG code.
MAPPABLE_FIELDS: Final[tuple[str, ...]] = (
    "incident_id",
    "datetime",
    "date",
    "time",
    "datetime_to",
    "offence",
    "lat",
    "lon",
    "x",
    "y",
    "district",
    "location_id",
)
REQUIRED_FIELDS: Final[tuple[str, ...]] = ("offence",)


def empty_incidents() -> pd.DataFrame:
    """Return an empty canonical incident table with the right dtypes."""
    return coerce_incidents(pd.DataFrame({c: [] for c in INCIDENT_COLUMNS}))


def coerce_incidents(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical columns and dtypes (a new frame).

    Raises ``KeyError`` naming the missing columns: this is a programming error
    (ingest and the generator always produce every column), not a user error.
    """
    missing = [c for c in INCIDENT_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"incident table lacks columns {missing}")
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    out["incident_id"] = df["incident_id"].astype("str").to_numpy()
    out["occurred_at"] = pd.to_datetime(df["occurred_at"].to_numpy()).astype("datetime64[ns]")
    out["occurred_to"] = pd.to_datetime(df["occurred_to"].to_numpy()).astype("datetime64[ns]")
    out["precision"] = pd.Categorical(df["precision"].to_numpy(), categories=PRECISIONS)
    out["offence"] = pd.Categorical(df["offence"].to_numpy())
    out["lat"] = pd.to_numeric(df["lat"].to_numpy()).astype("float64")
    out["lon"] = pd.to_numeric(df["lon"].to_numpy()).astype("float64")
    out["district"] = pd.Categorical(df["district"].to_numpy())
    out["location_id"] = df["location_id"].astype("str").where(df["location_id"].notna()).to_numpy()
    out["source_row"] = pd.to_numeric(df["source_row"].to_numpy()).astype("int64")
    out["duplicate"] = pd.Categorical(df["duplicate"].to_numpy(), categories=DUPLICATE_KINDS)
    return out


def example_incidents(
    offences: Sequence[str] = ("Robbery", "Robbery", "Shoplifting"),
    *,
    occurred_at: Any = "2024-01-02",
    occurred_to: Any = None,
    precision: Any = "day",
    lat: Any = 45.5,
    lon: Any = -30.5,
    district: Any = "North",
    location_id: Any = None,
) -> pd.DataFrame:
    """A small canonical incident table for examples and tests: one row per offence given.

    Every other argument is one value for all rows or one value per row; ids are
    ``a``, ``b``, ``c``... and source rows 2, 3, 4... as a spreadsheet numbers them.

    Examples
    --------
    >>> inc = example_incidents(["Burglary"], occurred_at="2024-01-01 22:30", precision="minute")
    >>> inc[["incident_id", "offence", "lat", "district", "source_row"]].to_numpy().tolist()
    [['a', 'Burglary', 45.5, 'North', 2]]
    """
    n = len(offences)
    ids = [chr(ord("a") + i) if i < 26 else f"e{i}" for i in range(n)]
    return coerce_incidents(
        pd.DataFrame(
            {
                "incident_id": ids,
                "occurred_at": _each(pd.to_datetime(occurred_at), n),
                "occurred_to": _each(
                    pd.NaT if occurred_to is None else pd.to_datetime(occurred_to), n
                ),
                "precision": _each(precision, n),
                "offence": list(offences),
                "lat": _each(lat, n),
                "lon": _each(lon, n),
                "district": _each(district, n),
                "location_id": _each(location_id, n),
                "source_row": range(2, n + 2),
                "duplicate": _each(None, n),
            }
        )
    )


def _each(value: Any, n: int) -> list[Any]:
    """``value`` repeated ``n`` times, or ``value`` itself when it already holds one per row."""
    if isinstance(value, str) or not hasattr(value, "__len__"):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{len(values)} values given for {n} incidents")
    return values
