"""Downloads that are safe to open: CSV and Excel without formula injection, GeoJSON.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula by Excel and LibreOffice when the CSV is opened. Text cells
(offence names, notes, district names from uploaded data) are therefore prefixed
with a single quote, as OWASP recommends; numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

import geopandas as gpd
import pandas as pd

FORMULA_PREFIXES: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas.

    Examples
    --------
    >>> neutralise(pd.DataFrame({"offence": ["=1+1", "Robbery"], "n": [-3, 4]}))["offence"].tolist()
    ["'=1+1", 'Robbery']
    """
    out = df.copy()
    for name in out.columns:
        col = out[name]
        if (
            pd.api.types.is_string_dtype(col)
            or col.dtype == object
            or isinstance(col.dtype, pd.CategoricalDtype)
        ):
            text = col.astype("object")
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
            out[name] = text.where(~risky.astype(bool), "'" + text.astype(str))
    out.columns = [
        "'" + c if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c for c in out.columns
    ]
    return out


def csv_bytes(df: pd.DataFrame, *, index: bool = False) -> bytes:
    """Return ``df`` as UTF-8 CSV with a BOM (Excel then reads Cyrillic correctly), neutralised."""
    return neutralise(df).to_csv(index=index, lineterminator="\n").encode("utf-8-sig")


def excel_bytes(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame) -> bytes:
    """Return one or several tables as an ``.xlsx`` workbook, neutralised.

    openpyxl writes any string that starts with ``=`` as a formula, so the same
    neutralisation as for CSV applies.
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"data": sheets}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame = neutralise(frame)
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            frame.to_excel(writer, sheet_name=str(name)[:31], index=False)
    return buffer.getvalue()


def geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Return a GeoDataFrame as GeoJSON in EPSG:4326 (text properties neutralised too)."""
    out = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf
    geometry = out.geometry
    props = neutralise(pd.DataFrame(out.drop(columns=geometry.name)))
    clean = gpd.GeoDataFrame(props, geometry=geometry.to_numpy(), crs=out.crs)
    return clean.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
