"""Downloads that are safe to open: CSV and Excel without formula injection, exact GeoJSON.

Text in downloads comes from uploaded data (offence names, notes, district names),
so it may hold what a spreadsheet would run or hide:

* a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  run as a formula by Excel and LibreOffice when the CSV is opened: text cells are
  prefixed with a single quote, as OWASP recommends; numbers stay numbers;
* NUL and the bidirectional embedding, override and isolate characters
  (U+202A-U+202E, U+2066-U+2069, the "Trojan Source" characters) can make a cell
  display other text than it holds: they are removed from CSV and Excel;
* Excel refuses the other control characters (openpyxl's ``IllegalCharacterError``)
  and cells over 32,767 characters: those characters are removed, and longer cells
  are cut (ending with "…") and listed on a sheet of notes.

GeoJSON is not opened as a spreadsheet, and the formula prefix would break joins
on its values, so GeoJSON keeps every value exactly as it is.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core import i18n

FORMULA_PREFIXES: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")
#: Excel's own limit on the characters of one cell.
EXCEL_CELL_CHARS: Final[int] = 32_767
# bidirectional embeddings, overrides and isolates; and lone surrogates (only a JSON
# file can hold one), which UTF-8 cannot write
_BIDI = "\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CSV_REMOVE = re.compile(f"[\x00{_BIDI}]")
# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE, plus the bidirectional controls
_EXCEL_REMOVE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_BIDI}]")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_EXCEL_PLAIN = (str, bool, int, float, Decimal, dt.date, dt.time, dt.timedelta, np.generic)


def _is_text(col: pd.Series) -> bool:
    return (
        pd.api.types.is_string_dtype(col)
        or col.dtype == object
        or isinstance(col.dtype, pd.CategoricalDtype)
    )


def _safe_text(value: str, remove: re.Pattern[str]) -> str:
    value = remove.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralise(df: pd.DataFrame, *, remove: re.Pattern[str] = _CSV_REMOVE) -> pd.DataFrame:
    r"""Return a copy whose text cells cannot run as formulas nor hide their text.

    Text cells (and column names) lose NUL and bidirectional control characters
    (``remove``), then get a leading ``'`` when they start like a formula.

    Examples
    --------
    >>> neutralise(pd.DataFrame({"offence": ["=1+1", "Robbery"], "n": [-3, 4]}))["offence"].tolist()
    ["'=1+1", 'Robbery']
    >>> neutralise(pd.DataFrame({"x": ["a\u202eb\x00c"]}))["x"].tolist()
    ['abc']
    """
    out = df.copy()
    for j in range(out.shape[1]):  # by position: column names may repeat
        col = out.iloc[:, j]
        if _is_text(col):
            values = col.astype("object").to_numpy(copy=True)
            for i, v in enumerate(values):
                if isinstance(v, str):
                    values[i] = _safe_text(v, remove)
            out.isetitem(j, pd.Series(values, index=out.index, dtype=object))
    out.columns = [_safe_text(c, remove) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, *, index: bool = False) -> bytes:
    r"""Return ``df`` as UTF-8 CSV with a BOM (Excel then reads Cyrillic correctly), neutralised.

    Examples
    --------
    >>> csv_bytes(pd.DataFrame({"note": ["@cmd", "ok\x00"]})).decode("utf-8-sig")
    "note\n'@cmd\nok\n"
    """
    return neutralise(df).to_csv(index=index, lineterminator="\n").encode("utf-8-sig")


def excel_bytes(
    sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, *, lang: str = i18n.DEFAULT_LANGUAGE
) -> bytes:
    r"""Return tables as an ``.xlsx`` workbook, neutralised and within Excel's limits.

    openpyxl writes any string that starts with ``=`` as a formula, so the same
    neutralisation as for CSV applies; characters Excel refuses are removed; a cell
    longer than 32,767 characters is cut (ending with "…"), and a last sheet of
    notes (in ``lang``) lists every cut cell with its full length. Sheet names are
    made valid for Excel (31 characters, none of ``[]:*?/\``, all different).

    Examples
    --------
    >>> import openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(excel_bytes(pd.DataFrame({"t": ["x" * 40000]}))))
    >>> book.sheetnames, len(book["data"]["A2"].value)
    (['data', 'notes'], 32767)
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"data": sheets}
    buffer = io.BytesIO()
    cut: list[tuple[str, int, str, int]] = []
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            title = _sheet_title(name, used)
            frame = neutralise(frame, remove=_EXCEL_REMOVE)
            frame.columns = [_cut(c, title, 1, c, cut) for c in frame.columns]
            for j, col in enumerate(frame.columns):
                values = frame.iloc[:, j]
                if isinstance(values.dtype, pd.DatetimeTZDtype):
                    frame.isetitem(j, values.dt.tz_localize(None))
                elif _is_text(values):
                    cells = values.astype("object").to_numpy(copy=True)
                    for i, v in enumerate(cells):
                        cells[i] = _excel_value(v, title, i + 2, str(col), cut)
                    frame.isetitem(j, pd.Series(cells, index=frame.index, dtype=object))
            frame.to_excel(writer, sheet_name=title, index=False)
        if cut:
            notes = pd.DataFrame(
                cut,
                columns=[
                    i18n.t("export.note_sheet", lang),
                    i18n.t("export.note_row", lang),
                    i18n.t("export.note_column", lang),
                    i18n.t("export.note_length", lang),
                ],
            )
            title = _sheet_title(i18n.t("export.notes_sheet", lang), used)
            pd.DataFrame({i18n.t("export.notes_title", lang, limit=EXCEL_CELL_CHARS): []}).to_excel(
                writer, sheet_name=title, index=False
            )
            notes.to_excel(writer, sheet_name=title, index=False, startrow=2)
    return buffer.getvalue()


def _sheet_title(name: Any, used: set[str]) -> str:
    base = _SHEET_NAME.sub("_", _EXCEL_REMOVE.sub("", str(name))).strip("'")[:31] or "table"
    title, k = base, 1
    while title.casefold() in used:
        k += 1
        title = f"{base[: 31 - len(str(k)) - 1]}_{k}"
    used.add(title.casefold())
    return title


def _cut(value: Any, sheet: str, row: int, column: Any, cut: list) -> Any:
    if isinstance(value, str) and len(value) > EXCEL_CELL_CHARS:
        cut.append((sheet, row, str(column)[:100], len(value)))
        return value[: EXCEL_CELL_CHARS - 1] + "…"
    return value


def _excel_value(value: Any, sheet: str, row: int, column: str, cut: list) -> Any:
    """A cell of a text column as Excel can hold it (cut text, naive date-times, text)."""
    if value is None or isinstance(value, str):
        return _cut(value, sheet, row, column, cut)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, _EXCEL_PLAIN) or (isinstance(value, float) and np.isnan(value)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return _cut(_EXCEL_REMOVE.sub("", str(value)), sheet, row, column, cut)


def geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Return a GeoDataFrame as GeoJSON in EPSG:4326, every property value exact.

    No formula prefix: a GeoJSON file is read by GIS tools, not run by a
    spreadsheet, and a changed value would no longer join with the data.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"name": ["=North"]}, geometry=[Point(0, 0)], crs="EPSG:4326")
    >>> b'"=North"' in geojson_bytes(g)
    True
    """
    out = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf
    try:
        return out.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: JSON's \\u escapes keep it exact
        return out.to_json(drop_id=True, ensure_ascii=True).encode("ascii")
