"""Reading an export into a table of text cells: format, encoding, delimiter, header."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final, Literal
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ilp_core.data.ingest._common import read_source
from ilp_core.errors import IlpInputError, Message

FORMATS: Final[tuple[str, ...]] = ("csv", "xlsx", "parquet")
DELIMITERS: Final[tuple[str, ...]] = (",", ";", "\t", "|")
_SNIFF_BYTES: Final[int] = 256 * 1024
_SNIFF_RECORDS: Final[int] = 60
_HEADER_SEARCH: Final[int] = 30
_MAGIC: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"Rar!", "RAR"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "RIFF"),
    (b"\x7fELF", "ELF"),
    (b"MZ", "EXE"),
    (b"SQLite format 3", "SQLite"),
)
# Bytes 0x80-0x9F that Windows-1252 maps to printable characters (Latin-1 leaves them
# as control codes): their presence means the Western file is really cp1252.
_CP1252_PRINTABLE = np.array(
    [b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)], dtype=np.uint8
)


@dataclass(frozen=True, eq=False)
class RawTable:
    r"""An export as read from the file: every cell as text, nothing interpreted yet.

    Attributes
    ----------
    frame
        All columns of ``str`` dtype, missing cells NaN, original column names
        (``"Date"``, ``"Date.1"`` when repeated; ``"column_4"`` for an empty header
        cell). The index is the row number a spreadsheet shows (header = 1, first
        data row = 2), named ``row_number``; empty rows are left out.
    filename
        Name shown to the user.
    format
        ``"csv"`` (any delimited text), ``"xlsx"`` or ``"parquet"``.
    encoding
        Detected text encoding (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``,
        ``"cp1251"``, ``"latin-1"``, ``"cp1252"``); ``None`` for binary formats.
    delimiter
        Sniffed delimiter (``","``, ``";"``, ``"\t"``, ``"|"``); ``None`` for
        binary formats and one-column text.
    sheet, sheets
        The worksheet read and all worksheets of the workbook (xlsx only).
    header_row
        Row number of the header (1 unless title rows came first).
    empty_rows
        Rows left out because every cell was empty.
    padded_rows
        Rows with fewer cells than the header (the missing cells read as empty).
    extra_cells
        Rows with more non-empty cells than the header: row number -> the extra
        text. Ingest rejects them (``row_extra_cells``) rather than guess.
    column_types
        For xlsx and Parquet, the kind of typed cells in each column:
        ``"datetime"``, ``"number"``, ``"time"``, ``"text"`` or ``"mixed"``.
    dropped_columns
        Number of columns without a header and without any value (left out).
    """

    frame: pd.DataFrame
    filename: str
    format: Literal["csv", "xlsx", "parquet"]
    encoding: str | None
    delimiter: str | None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    header_row: int = 1
    empty_rows: int = 0
    padded_rows: int = 0
    extra_cells: Mapping[int, str] = field(default_factory=dict)
    column_types: Mapping[str, str] = field(default_factory=dict)
    dropped_columns: int = 0

    @property
    def readings(self) -> tuple[Message, ...]:
        """How the file was read, as messages for the quality report."""
        out = [Message("ingest.reading.file", {"name": self.filename, "format": self.format})]
        if self.encoding is not None:
            out.append(Message(f"ingest.reading.encoding_{_slug(self.encoding)}"))
        if self.format == "csv":
            name = _DELIMITER_NAMES.get(self.delimiter or "", "none")
            out.append(Message(f"ingest.reading.delimiter_{name}"))
        if self.sheet is not None:
            out.append(
                Message("ingest.reading.sheet", {"sheet": self.sheet, "n_sheets": len(self.sheets)})
            )
        if self.header_row > 1:
            out.append(Message("ingest.reading.header_row", {"row": self.header_row}))
        if self.empty_rows:
            out.append(Message("ingest.reading.empty_rows", {"n": self.empty_rows}))
        if self.dropped_columns:
            out.append(Message("ingest.reading.empty_columns", {"n": self.dropped_columns}))
        return tuple(out)


_DELIMITER_NAMES: Final[dict[str, str]] = {
    ",": "comma",
    ";": "semicolon",
    "\t": "tab",
    "|": "pipe",
}


def _slug(encoding: str) -> str:
    return encoding.replace("-", "_")


def read_table(
    source: str | Path | bytes | BinaryIO,
    filename: str | None = None,
    *,
    sheet: str | None = None,
) -> RawTable:
    r"""Read an incident export (CSV/TSV, Excel .xlsx or Parquet) into text cells.

    This is the first step of loading a file on the Data page: nothing is
    interpreted yet, so the analyst can see the columns exactly as exported and
    map them. The format comes from the file's content (its name is only a hint),
    the text encoding and the delimiter are detected, title rows above the header
    are skipped, and the upload never leaves memory.

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file-like object (an upload).
    filename
        Name to show (defaults to the path's name, or ``"upload"``).
    sheet
        Worksheet of an xlsx file (default: the first one); ignored for other formats.

    Returns
    -------
    RawTable
        The cells as text with the detected ``encoding``, ``delimiter``, sheet and
        header row.

    Raises
    ------
    IlpInputError
        When the file cannot be read at all: empty, no data row, binary or an image,
        a damaged or old-format (.xls) workbook, an unknown sheet.

    Examples
    --------
    >>> raw = read_table("Дата;Вид;Широта\n01.03.2024;Кража;55,75\n".encode("cp1251"), "x.csv")
    >>> raw.encoding, raw.delimiter, list(raw.frame.columns), raw.frame.index.tolist()
    ('cp1251', ';', ['Дата', 'Вид', 'Широта'], [2])
    """
    data, name = read_source(source, filename)
    kind = _sniff_kind(data, name)
    if kind == "xlsx":
        table = _read_xlsx(data, name, sheet)
    elif kind == "parquet":
        table = _read_parquet(data, name)
    else:
        table = _read_text(data, name)
    if len(table.frame.columns) == 0:
        raise IlpInputError("ingest.no_columns", name=name)
    if len(table.frame) == 0:
        raise IlpInputError("ingest.no_data_rows", name=name, header_row=table.header_row)
    return table


# -- format -------------------------------------------------------------------------------


def _sniff_kind(data: bytes, name: str) -> str:
    ext = Path(name).suffix.lower()
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not data[:4096].strip(blank) and not data.strip(blank):
        raise IlpInputError("ingest.empty_file", name=name)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise IlpInputError("ingest.xlsx_unreadable", name=name) from None
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if ext in (".xlsx", ".xlsm"):
            raise IlpInputError("ingest.xlsx_unreadable", name=name)
        raise IlpInputError("ingest.zip_not_table", name=name)
    if ext in (".xlsx", ".xlsm"):
        raise IlpInputError("ingest.xlsx_unreadable", name=name)
    if data.startswith(b"PAR1"):
        return "parquet"
    if ext == ".parquet":
        raise IlpInputError("ingest.parquet_unreadable", name=name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise IlpInputError("ingest.xls_not_supported", name=name)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IlpInputError("ingest.binary_file", name=name, kind=kind)
    return "csv"


# -- text files ------------------------------------------------------------------------


def _detect_encoding(data: bytes, name: str) -> tuple[str, bytes | memoryview]:
    """Return the encoding and the content as UTF-8 bytes (no BOM).

    Order: byte-order marks, then strict UTF-8, then a Windows-1251 (Cyrillic)
    versus Latin-1 decision from letter runs (see :func:`_cyrillic_or_western`).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", memoryview(data)[3:]
        _check_utf8(body, name)
        return encoding, body
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return encoding, _transcode(data, encoding, name)
    head = np.frombuffer(data[:8192], dtype=np.uint8)
    if (head == 0).any():
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
        even, odd = (head[0::2] == 0).mean(), (head[1::2] == 0).mean()
        if odd > 0.3 and even < 0.05:
            return "utf-16-le", _transcode(data, "utf-16-le", name)
        if even > 0.3 and odd < 0.05:
            return "utf-16-be", _transcode(data, "utf-16-be", name)
        raise IlpInputError("ingest.binary_unknown", name=name)
    control = (head < 0x20) & ~np.isin(head, [0x09, 0x0A, 0x0C, 0x0D, 0x1A])
    if control.mean() > 0.01:
        raise IlpInputError("ingest.binary_unknown", name=name)
    if data.isascii():
        return "utf-8", data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", data
    encoding = _cyrillic_or_western(data)
    return encoding, _transcode(data, encoding, name)


def _check_utf8(body: memoryview, name: str) -> None:
    try:
        bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise IlpInputError("ingest.encoding_broken", name=name, encoding="UTF-8") from None


def _transcode(data: bytes, encoding: str, name: str) -> bytes:
    try:
        return data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    except UnicodeDecodeError:
        raise IlpInputError("ingest.encoding_broken", name=name, encoding=encoding) from None


def _cyrillic_or_western(data: bytes) -> str:
    """Tell a Windows-1251 (Cyrillic) file from a Latin-1 / Windows-1252 one.

    Bytes 0xC0-0xFF are Cyrillic letters in cp1251 and accented Latin letters in
    Latin-1. Russian words are made of them entirely, so such bytes come in runs;
    French or Spanish words have one accented letter among ASCII ones. When most
    of these bytes sit next to another one, the file is Cyrillic.

    A plain rule instead of charset-normalizer: deterministic on a 2-line file
    (where statistical detectors hesitate) and 1 ms on a 1 MB sample; the tests
    check it agrees with charset-normalizer on the fixtures.
    """
    sample = np.frombuffer(data[:1_000_000], dtype=np.uint8)
    letters = (sample >= 0xC0) | (sample == 0xA8) | (sample == 0xB8)
    positions = np.flatnonzero(letters)
    if len(positions):
        before = np.zeros_like(letters)
        after = np.zeros_like(letters)
        before[1:] = letters[:-1]
        after[:-1] = letters[1:]
        in_run = (before | after)[positions].mean()
        if in_run > 0.5:
            return "cp1251"
    if np.isin(sample, _CP1252_PRINTABLE).any():
        return "cp1252"
    return "latin-1"


def _sniff(sample: str) -> tuple[str | None, int, list[str], int]:
    """Return the delimiter, the header's record index, the header, the usual width."""
    best: tuple[tuple[bool, bool, bool, float, int], str, list[list[str]], int] | None = None
    for delimiter in DELIMITERS:
        records = list(
            itertools.islice(
                csv.reader(io.StringIO(sample), delimiter=delimiter, strict=False), _SNIFF_RECORDS
            )
        )
        # widths of the non-blank records (",,,," is five empty cells: evidence too)
        lengths = [len(r) for r in records if r and (len(r) > 1 or r[0].strip())]
        if not lengths:
            continue
        counts = Counter(lengths)
        wide = {k: v for k, v in counts.items() if k > 1}
        modal = max(wide or counts, key=lambda k: (counts[k], k == lengths[0], k))
        consistency = counts[modal] / len(lengths)
        # valid: the first row has the usual width (the header), or most rows do
        valid = modal > 1 and (lengths[0] == modal or consistency >= 0.5)
        # the first row is the header (or a title): a header split into columns is the
        # strongest sign, then rows of one width, then the header's width being theirs
        header_split = lengths[0] > 1 and modal > 1
        score = (header_split, valid, lengths[0] == modal, round(consistency, 3), modal)
        if best is None or score > best[0]:
            best = (score, delimiter, records, modal)
    if best is None:
        raise IlpInputError("ingest.empty_file", name="")
    (_, delimiter, records, modal) = best
    need = max(1, math.ceil(modal / 2)) if modal > 1 else 1
    need = max(need, 2) if modal > 1 else need
    header_index = 0
    for i, record in enumerate(records[:_HEADER_SEARCH]):
        if sum(1 for c in record if c.strip()) >= need:
            header_index = i
            break
    return (delimiter if modal > 1 else None), header_index, records[header_index], modal


def _read_text(data: bytes, name: str) -> RawTable:
    encoding, body = _detect_encoding(data, name)
    end = len(body)
    while end and body[end - 1] in b"\r\n\x1a\x00":
        end -= 1
    body = memoryview(body)[:end]
    sample = bytes(body[:_SNIFF_BYTES]).decode("utf-8", errors="ignore")
    if len(body) > _SNIFF_BYTES:
        sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        delimiter, header_index, header, modal = _sniff(sample)
    except IlpInputError:
        raise IlpInputError("ingest.empty_file", name=name) from None
    names = unique_names([h.strip() for h in header] + [""] * max(0, modal - len(header)))
    invalid: list[int] = []

    def on_invalid(_row: pa_csv.InvalidRow) -> str:
        invalid.append(1)
        return "skip"

    table: pa.Table | None = None
    if delimiter is not None or modal == 1:
        try:
            table = pa_csv.read_csv(
                pa.py_buffer(body),
                read_options=pa_csv.ReadOptions(column_names=names, skip_rows=header_index + 1),
                parse_options=pa_csv.ParseOptions(
                    delimiter=delimiter or "\x1f",
                    ignore_empty_lines=False,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.large_string()),
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            table = None
    padded = 0
    extra: dict[int, str] = {}
    if table is None or invalid:
        table, padded, extra, names = _read_text_slowly(body, delimiter, header_index, names, name)
    first_row = header_index + 2
    return _finish(
        table,
        names,
        first_row=first_row,
        filename=name,
        fmt="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_index + 1,
        padded=padded,
        extra=extra,
    )


def _read_text_slowly(
    body: memoryview, delimiter: str | None, header_index: int, names: list[str], name: str
) -> tuple[pa.Table, int, dict[int, str], list[str]]:
    """Read a text file whose rows do not all have the header's width (Python's csv).

    Records are counted as a spreadsheet counts rows (a quoted line break stays in
    its cell). Short rows are padded with empty cells; rows with extra non-empty
    cells are kept aside for rejection.
    """
    text = bytes(body).decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or "\x1f", strict=False)
    rows: list[list[str | None]] = []
    padded = 0
    extra: dict[int, str] = {}
    width = len(names)
    try:
        records = list(reader)
    except csv.Error:
        raise IlpInputError("ingest.csv_unreadable", name=name) from None
    data_records = records[header_index + 1 :]
    lengths = Counter(len(r) for r in data_records if any(c.strip() for c in r))
    if lengths:
        modal = max(lengths, key=lambda k: (lengths[k], k))
        # most rows wider than the header: the header lacks names, the rows are fine
        if modal > width and lengths[modal] > 0.5 * sum(lengths.values()):
            names = unique_names([*names, *([""] * (modal - width))])
            width = modal
    for offset, record in enumerate(data_records):
        row_number = header_index + 2 + offset
        if len(record) < width:
            if any(c != "" for c in record):
                padded += 1
            record = record + [""] * (width - len(record))
        elif len(record) > width:
            spill = [c for c in record[width:] if c != ""]
            if spill:
                extra[row_number] = (delimiter or ",").join(record[width:])
            record = record[:width]
        rows.append([c if c != "" else None for c in record])
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    table = pa.table(
        {f"c{i}": pa.array(col, type=pa.large_string()) for i, col in enumerate(columns)}
    )
    return table, padded, extra, names


def _finish(
    table: pa.Table,
    names: Sequence[str],
    *,
    first_row: int,
    filename: str,
    fmt: str,
    encoding: str | None,
    delimiter: str | None,
    header_row: int,
    padded: int = 0,
    extra: Mapping[int, str] | None = None,
    sheet: str | None = None,
    sheets: tuple[str, ...] = (),
    column_types: Mapping[str, str] | None = None,
) -> RawTable:
    """Drop empty rows and unnamed empty columns, number rows, convert to pandas."""
    extra = dict(extra or {})
    n = table.num_rows
    row_numbers = np.arange(first_row, first_row + n, dtype=np.int64)
    # chunked as read: pandas' str dtype keeps Arrow chunks, so nothing is copied here
    arrays = list(table.columns)
    # a column without a header and without a single value is an artefact of the export
    keep_cols = [
        i
        for i, (nm, a) in enumerate(zip(names, arrays, strict=True))
        if not (nm.startswith("column_") and a.null_count == len(a))
    ]
    dropped = len(names) - len(keep_cols)
    # a row is empty when every cell is empty (whitespace counts as content)
    keep = np.zeros(n, dtype=bool)
    if any(arrays[i].null_count == 0 for i in keep_cols):
        keep[:] = True
    else:
        for i in keep_cols:
            keep |= np.asarray(arrays[i].is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    # a row whose only content is an extra cell still counts (it is rejected later)
    if extra:
        keep |= np.isin(row_numbers, np.fromiter(extra, dtype=np.int64))
    empty_rows = int(n - keep.sum())
    mask = None if keep.all() else pa.array(keep)
    frame = pd.DataFrame(
        {
            names[i]: _to_str_series(arrays[i] if mask is None else arrays[i].filter(mask))
            for i in keep_cols
        },
        index=pd.Index(row_numbers[keep], name="row_number"),
    )
    return RawTable(
        frame=frame,
        filename=filename,
        format=fmt,  # type: ignore[arg-type]
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        sheets=sheets,
        header_row=header_row,
        empty_rows=empty_rows,
        padded_rows=padded,
        extra_cells=extra,
        column_types=dict(column_types or {}),
        dropped_columns=dropped,
    )


def _to_str_series(arr: pa.Array) -> pd.api.extensions.ExtensionArray:
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    return pd.array(arr.to_pandas(), dtype="str")


def unique_names(names: Sequence[str]) -> list[str]:
    """Make column names unique the way pandas does ("Date", "Date.1"); name empty ones.

    Examples
    --------
    >>> unique_names(["Date", "Date", "", "Date.1"])
    ['Date', 'Date.1', 'column_3', 'Date.1.1']
    """
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names):
        base = str(raw).strip() or f"column_{i + 1}"
        candidate, k = base, 0
        while candidate in seen:
            k += 1
            candidate = f"{base}.{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


# -- xlsx ---------------------------------------------------------------------------------


def _cell_text(value: object) -> tuple[str | None, str]:
    """Return an Excel cell as text and its kind."""
    if value is None:
        return None, ""
    if isinstance(value, str):
        return (value if value.strip() else None), "text"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), "text"
    if isinstance(value, int):
        return str(value), "number"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value)), "number"
        return repr(value), "number"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            # Excel stores a date as a date-time at midnight: show it as the date it is
            return value.strftime("%Y-%m-%d"), "datetime"
        return value.strftime("%Y-%m-%d %H:%M:%S"), "datetime"
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d"), "datetime"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S"), "time"
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", "time"
    return str(value), "text"


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    broken = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, EOFError)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (*broken, InvalidFileException, ParseError):
        raise IlpInputError("ingest.xlsx_unreadable", name=name) from None
    try:
        sheets = tuple(ws.title for ws in workbook.worksheets)
        if not sheets:
            raise IlpInputError("ingest.xlsx_unreadable", name=name)
        if sheet is not None and sheet not in sheets:
            raise IlpInputError("ingest.sheet_not_found", sheet=sheet, sheets=", ".join(sheets))
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        try:
            rows = [list(r) for r in worksheet.iter_rows(values_only=True)]
        except (*broken, InvalidFileException, ParseError):
            raise IlpInputError("ingest.xlsx_unreadable", name=name) from None
    finally:
        workbook.close()
    width = max((len(r) for r in rows), default=0)
    texts: list[list[str | None]] = []
    kinds: list[list[str]] = []
    for row in rows:
        out: list[str | None] = [None] * width
        kind: list[str] = [""] * width
        for j, value in enumerate(row):
            out[j], kind[j] = _cell_text(value)
        texts.append(out)
        kinds.append(kind)
    while texts and not any(c is not None for c in texts[-1]):
        texts.pop()
    if not texts:
        raise IlpInputError("ingest.empty_file", name=name)
    header_index = _find_header(texts[:_HEADER_SEARCH])
    names = unique_names([c or "" for c in texts[header_index]])
    body = texts[header_index + 1 :]
    column_types = {}
    for j, nm in enumerate(names):
        found = {k[j] for k in kinds[header_index + 1 : len(texts)]} - {""}
        if found:
            column_types[nm] = found.pop() if len(found) == 1 else "mixed"
    columns = list(zip(*body, strict=True)) if body else [() for _ in names]
    table = pa.table(
        {f"c{j}": pa.array(list(col), type=pa.large_string()) for j, col in enumerate(columns)}
    )
    return _finish(
        table,
        names,
        first_row=header_index + 2,
        filename=name,
        fmt="xlsx",
        encoding=None,
        delimiter=None,
        header_row=header_index + 1,
        sheet=worksheet.title,
        sheets=sheets,
        column_types=column_types,
    )


def _find_header(records: Sequence[Sequence[str | None]]) -> int:
    """Index of the header among the first records: the first "wide enough" row."""
    filled = [sum(1 for c in r if c is not None and str(c).strip()) for r in records]
    nonzero = [f for f in filled if f]
    if not nonzero:
        return 0
    counts = Counter(nonzero)
    modal = max(counts, key=lambda k: (counts[k], k))
    need = max(2, math.ceil(modal / 2)) if modal > 1 else 1
    for i, f in enumerate(filled):
        if f >= need:
            return i
    return 0


# -- parquet ------------------------------------------------------------------------------


def _read_parquet(data: bytes, name: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        raise IlpInputError("ingest.parquet_unreadable", name=name) from None
    names = unique_names(table.column_names)
    arrays = []
    column_types = {}
    for nm, col in zip(names, table.columns, strict=True):
        text, kind = _arrow_text(col.combine_chunks())
        arrays.append(text)
        column_types[nm] = kind
    text_table = pa.table({f"c{i}": a for i, a in enumerate(arrays)}) if arrays else pa.table({})
    return _finish(
        text_table,
        names,
        first_row=2,
        filename=name,
        fmt="parquet",
        encoding=None,
        delimiter=None,
        header_row=1,
        column_types=column_types,
    )


def _arrow_text(arr: pa.Array) -> tuple[pa.Array, str]:
    """Return a typed Parquet column as text (ISO for dates) and its kind."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    kind = arr.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            arr = pc.local_timestamp(arr)
        seconds = pc.cast(arr, pa.timestamp("s"), safe=False)
        midnight = pc.equal(
            pc.cast(pc.subtract(seconds, pc.floor_temporal(seconds, unit="day")), pa.int64()), 0
        )
        full = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
        day = pc.strftime(seconds, format="%Y-%m-%d")
        return pc.if_else(midnight, day, full), "datetime"
    if pa.types.is_date(kind):
        return pc.strftime(arr.cast(pa.timestamp("s")), format="%Y-%m-%d"), "datetime"
    if pa.types.is_time(kind):
        return pc.strftime(
            arr.cast(pa.time64("us")).cast(pa.int64()).cast(pa.timestamp("us")), format="%H:%M:%S"
        ), "time"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return arr, "text"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return arr.cast(pa.string()), "number"
    if pa.types.is_boolean(kind):
        return arr.cast(pa.string()), "text"
    try:
        return arr.cast(pa.string()), "text"
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array(
            [None if v is None else str(v) for v in arr.to_pylist()], pa.string()
        ), "text"
