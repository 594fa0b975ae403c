"""Reading an export into a table of text cells: format, encoding, delimiter, header."""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ilp_core import limits
from ilp_core.data.ingest._common import read_source
from ilp_core.data.ingest._encoding import (
    count_byte,
    detect_encoding,
    incomplete_tail,
    is_utf8,
    line_count,
    plain_head,
)
from ilp_core.data.ingest._guards import (
    check_cell_lengths,
    check_shape,
    megabytes,
    open_zip,
)
from ilp_core.data.ingest._xlsx import HEADER_SEARCH, KINDS, read_sheet
from ilp_core.errors import IlpInputError, Message

FORMATS: Final[tuple[str, ...]] = ("csv", "xlsx", "parquet")
DELIMITERS: Final[tuple[str, ...]] = (",", ";", "\t", "|")
_SNIFF_BYTES: Final[int] = 256 * 1024
_SNIFF_RECORDS: Final[int] = 60
_HEADER_SEARCH: Final[int] = HEADER_SEARCH
_CSV_FIELD_LIMIT: Final[int] = 2**31 - 1
_SLOW_BATCH: Final[int] = 50_000  # records of the slow reader turned into Arrow at once
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
    if isinstance(source, str | Path):
        streamed = _read_text_file(Path(source), filename or Path(source).name)
        if streamed is not None:
            return _checked(streamed)
    data, name = read_source(source, filename)
    kind = _sniff_kind(data, name)
    if kind == "xlsx":
        table = _read_xlsx(data, name, sheet)
    elif kind == "parquet":
        table = _read_parquet(data, name)
    else:
        handed = [data]  # handed over: the reading lets go of bytes it has transcoded
        del data
        table = _read_text(handed, name)
    return _checked(table)


def _checked(table: RawTable) -> RawTable:
    if len(table.frame.columns) == 0:
        raise IlpInputError("ingest.no_columns", name=table.filename)
    if len(table.frame) == 0:
        raise IlpInputError("ingest.no_data_rows", name=table.filename, header_row=table.header_row)
    return table


# -- format -------------------------------------------------------------------------------


def _sniff_kind(data: bytes, name: str) -> str:
    ext = Path(name).suffix.lower()
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not data[:4096].strip(blank) and not data.strip(blank):
        raise IlpInputError("ingest.empty_file", name=name)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = open_zip(data, name, "ingest.xlsx_unreadable").namelist()
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


def _sniff(sample: str) -> tuple[str | None, int, list[str], int]:
    """Return the delimiter, the header's record index, the header, the usual width."""
    best: tuple[tuple[bool, bool, bool, float, int], str, list[list[str]], int] | None = None
    for delimiter in DELIMITERS:
        try:
            records = list(
                itertools.islice(
                    csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False),
                    _SNIFF_RECORDS,
                )
            )
        except csv.Error:  # not this delimiter's table (a stray carriage return...)
            continue
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


def _read_text(handed: list[bytes], name: str) -> RawTable:
    """Read the bytes ``handed`` over (a list of one, emptied: the caller holds them no more).

    When the text is transcoded to UTF-8, the file's own bytes are let go before the
    text is read: 0.9 GB of the peak of a 10,000,000-row Windows-1251 export.
    """
    encoding, body = detect_encoding(handed.pop(), name)
    end = len(body)
    while end and body[end - 1] in b"\r\n\x1a\x00":
        end -= 1
    body = memoryview(body)[:end]
    return _parse_text(body, name, encoding, line_count(body))


#: Files from this size are read by Arrow from the disk when they can be (see below).
STREAM_FROM: Final[int] = 64 * 2**20
_STREAM_BLOCK: Final[int] = 16 * 2**20


def _read_text_file(path: Path, name: str) -> RawTable | None:
    """A large UTF-8 text file read by Arrow from the disk, its lines counted first.

    The file's bytes are never held whole beside the text read from them (0.9 GB of a
    10,000,000-row export, the reading's peak). Its head is checked here; the rest is
    UTF-8 when Arrow's reading, which checks every cell, finds it so (a cell holds
    every byte after the header but delimiters, quotes and line breaks). Checking each
    block here as well took 0.45 s of 0.7 s for a 900 MB file; counting its lines alone
    takes 0.25 s (measured). ``None`` when the file must be read whole as any upload
    is: smaller than :data:`STREAM_FROM`, not a plain UTF-8 text (another encoding, a
    byte-order mark, zero bytes), or ending in more than one line break or a control
    character; the in-memory reading then decides and words every message, as it does
    when Arrow finds a cell that is not UTF-8.
    """
    try:
        if path.stat().st_size < STREAM_FROM:
            return None
        stream = path.open("rb")
    except OSError:
        return None
    with stream:
        head = stream.read(_SNIFF_BYTES)
        try:
            kind = _sniff_kind(head, name)
        except IlpInputError:
            return None  # the whole file decides (and words the message)
        if kind != "csv" or not plain_head(head):
            return None
        if not is_utf8(memoryview(head)[: len(head) - incomplete_tail(head)]):
            return None
        # line breaks counted as the in-memory reading counts them (LF, or CR alone)
        feeds, returns, tail = 0, 0, head[-64:]
        block = head
        while block:
            feeds += count_byte(memoryview(block), 10)
            if b"\r" in block:
                returns += count_byte(memoryview(block), 13)
            tail = (tail + block[-64:])[-64:]  # not a copy of the block
            block = stream.read(_STREAM_BLOCK)
    ending = tail[len(tail.rstrip(b"\r\n\x1a\x00")) :]
    if ending not in (b"", b"\n", b"\r\n", b"\r"):
        return None  # the in-memory reading drops these
    return _parse_text(memoryview(head), name, "utf-8", max(feeds, returns) + 1, file=path)


def _parse_text(
    body: memoryview, name: str, encoding: str, lines: int, file: Path | None = None
) -> RawTable:
    """Read UTF-8 delimited text: ``body`` whole, or a ``file``'s first bytes (``body``)."""
    # cells are measured against the limit after reading (with their row and column),
    # so Python's csv must not stop first at its own 131,072 characters
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    sample = bytes(body[:_SNIFF_BYTES]).decode("utf-8", errors="ignore")
    if file is not None or len(body) > _SNIFF_BYTES:
        sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        delimiter, header_index, header, modal = _sniff(sample)
    except IlpInputError:
        raise IlpInputError("ingest.empty_file", name=name) from None
    names = unique_names([h.strip() for h in header] + [""] * max(0, modal - len(header)))
    # every line a row, every row as wide as the header: an upper bound on the cells
    # (quoted line breaks only add to it), counted without copying the file
    check_shape(name, 0, len(names))
    bound = limits.current()
    exact = lines <= bound.max_rows and lines * len(names) <= bound.max_cells
    invalid: list[int] = []

    def on_invalid(_row: pa_csv.InvalidRow) -> str:
        invalid.append(1)
        return "skip"

    table: pa.Table | None = None
    if delimiter is not None or modal == 1:
        try:
            source = str(file) if file is not None else pa.py_buffer(body)
            table = _arrow_csv(
                source, names, delimiter, header_index, on_invalid, name, exact, file is not None
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a cell not UTF-8, a quote not closed
            table = None
    padded = 0
    extra: dict[int, str] = {}
    if table is None or invalid:
        if file is not None:  # the text is read whole after all, as an upload is
            table = None
            return _read_text([file.read_bytes()], name)
        table, padded, extra, names = _read_text_slowly(body, delimiter, header_index, names, name)
    check_shape(name, table.num_rows, len(names))
    first_row = header_index + 2
    rows = range(first_row, first_row + table.num_rows)
    check_cell_lengths(name, names, table.columns, rows)
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


def _arrow_csv(
    source: pa.Buffer | str,
    names: list[str],
    delimiter: str | None,
    header_index: int,
    on_invalid: Callable[[pa_csv.InvalidRow], str],
    name: str,
    at_once: bool,
    check_utf8: bool = False,
) -> pa.Table:
    """Read delimited text with Arrow, at once; ``check_utf8`` for text not checked yet.

    When the line count does not prove the text fits the limits, the records are
    first counted block by block (nothing kept), stopping at the first block over a
    limit; only a text within the limits is then read.
    """
    read = pa_csv.ReadOptions(column_names=names, skip_rows=header_index + 1)
    parse = pa_csv.ParseOptions(
        delimiter=delimiter or "\x1f", ignore_empty_lines=False, invalid_row_handler=on_invalid
    )
    # text in memory is valid UTF-8 (checked or transcoded by detect_encoding) and a cell
    # never cuts a character (delimiters, quotes and line breaks are single bytes): not
    # checked again cell by cell (1,000,000 rows: 0.34 -> 0.24 s, Cyrillic 0.47 -> 0.25 s)
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.large_string()),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=check_utf8,
    )
    if not at_once:
        rows = 0
        with pa_csv.open_csv(
            source,
            read_options=read,
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter or "\x1f",
                ignore_empty_lines=False,
                invalid_row_handler=lambda _row: "skip",
            ),
            convert_options=convert,
        ) as reader:
            for batch in reader:
                rows += batch.num_rows
                check_shape(name, rows, len(names))
    return pa_csv.read_csv(source, read_options=read, parse_options=parse, convert_options=convert)


class _ViewStream(io.RawIOBase):
    """A memoryview read as a binary stream, without copying it whole."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self.view, self.pos = view, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), len(self.view) - self.pos)
        buffer[:n] = self.view[self.pos : self.pos + n]
        self.pos += n
        return n


def _records(body: memoryview, delimiter: str | None) -> Iterator[list[str]]:
    """The records of the text, one at a time (Python's csv over a decoding stream)."""
    stream = io.TextIOWrapper(
        io.BufferedReader(_ViewStream(body), 1 << 20), encoding="utf-8", errors="replace",
        newline="",
    )  # fmt: skip
    return csv.reader(stream, delimiter=delimiter or "\x1f", strict=False)


def _read_text_slowly(
    body: memoryview, delimiter: str | None, header_index: int, names: list[str], name: str
) -> tuple[pa.Table, int, dict[int, str], list[str]]:
    """Read a text file whose rows do not all have the header's width (Python's csv).

    Records are counted as a spreadsheet counts rows (a quoted line break stays in
    its cell). Short rows are padded with empty cells; rows with extra non-empty
    cells are kept aside for rejection.

    Two passes over the text, never holding it as Python objects: the first counts
    the records and their widths (and stops at a limit), the second turns every
    50,000 records into Arrow columns.
    """
    lengths: Counter[int] = Counter()
    n_records = 0
    try:
        for i, record in enumerate(_records(body, delimiter)):
            if i <= header_index:
                continue
            n_records += 1
            if n_records % _SLOW_BATCH == 0:
                check_shape(name, n_records, len(names))
            if any(c.strip() for c in record):
                lengths[len(record)] += 1
    except csv.Error:
        raise IlpInputError("ingest.csv_unreadable", name=name) from None
    width = len(names)
    if lengths:
        modal = max(lengths, key=lambda k: (lengths[k], k))
        # most rows wider than the header: the header lacks names, the rows are fine
        if modal > width and lengths[modal] > 0.5 * sum(lengths.values()):
            names = unique_names([*names, *([""] * (modal - width))])
            width = modal
    check_shape(name, n_records, width)
    chunks: list[list[pa.Array]] = [[] for _ in range(width)]
    batch: list[list[str | None]] = []
    padded = 0
    extra: dict[int, str] = {}

    def flush() -> None:
        columns = list(zip(*batch, strict=True)) if batch else [() for _ in range(width)]
        for j, col in enumerate(columns):
            chunks[j].append(pa.array(col, type=pa.large_string()))
        batch.clear()

    for i, record in enumerate(_records(body, delimiter)):
        if i <= header_index:
            continue
        row_number = i + 1  # as a spreadsheet numbers it (the first record is row 1)
        if len(record) < width:
            if any(c != "" for c in record):
                padded += 1
            record = record + [""] * (width - len(record))
        elif len(record) > width:
            spill = [c for c in record[width:] if c != ""]
            if spill:
                extra[row_number] = (delimiter or ",").join(record[width:])
            record = record[:width]
        batch.append([c if c != "" else None for c in record])
        if len(batch) >= _SLOW_BATCH:
            flush()
    flush()
    table = pa.table(
        {f"c{j}": pa.chunked_array(parts, pa.large_string()) for j, parts in enumerate(chunks)}
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
    row_numbers: np.ndarray | None = None,
    empty_rows: int = 0,
    dropped: int = 0,
) -> RawTable:
    """Drop empty rows and unnamed empty columns, number rows, convert to pandas.

    ``row_numbers`` (with the ``empty_rows`` and ``dropped`` columns already left
    out) numbers the rows of a sheet read cell by cell; otherwise rows are numbered
    from ``first_row``.
    """
    extra = dict(extra or {})
    n = table.num_rows
    counted = row_numbers is None  # rows numbered from first_row, one after the other
    # chunked as read: pandas' str dtype keeps Arrow chunks, so nothing is copied here
    arrays = list(table.columns)
    # a column without a header and without a single value is an artefact of the export
    keep_cols = [
        i
        for i, (nm, a) in enumerate(zip(names, arrays, strict=True))
        if not (nm.startswith("column_") and a.null_count == len(a))
    ]
    dropped += len(names) - len(keep_cols)
    # a row is empty when every cell is empty (whitespace counts as content)
    mask = None
    if not any(arrays[i].null_count == 0 for i in keep_cols):
        if row_numbers is None:
            row_numbers = np.arange(first_row, first_row + n, dtype=np.int64)
        keep = np.zeros(n, dtype=bool)
        for i in keep_cols:
            keep |= np.asarray(arrays[i].is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        # a row whose only content is an extra cell still counts (it is rejected later)
        if extra:
            keep |= np.isin(row_numbers, np.fromiter(extra, dtype=np.int64))
        empty_rows += int(n - keep.sum())
        if not keep.all():
            mask = pa.array(keep)
            row_numbers = row_numbers[keep]
    if mask is None and counted:
        # every row, numbered one after the other: a range, not 10,000,000 numbers
        # (a new array of that size took 0.2 s on the benchmark machine)
        index = pd.RangeIndex(first_row, first_row + n, name="row_number")
    else:
        index = pd.Index(row_numbers, name="row_number", copy=False)
    frame = pd.DataFrame(
        {
            names[i]: _to_str_series(arrays[i] if mask is None else arrays[i].filter(mask))
            for i in keep_cols
        },
        index=index,
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


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> RawTable:
    """Build the table from the sheet's real cells (see ``_xlsx``): nothing padded.

    Rows without a cell are counted as empty rows, never built; a column exists when
    it has a header or a value.
    """
    cells = read_sheet(data, name, sheet)
    if not any((c.text.null_count < len(c.text)) for c in cells.columns.values()):
        raise IlpInputError("ingest.empty_file", name=name)
    header_row = _find_header(cells.head[:_HEADER_SEARCH]) + 1
    header = cells.head[header_row - 1] if len(cells.head) >= header_row else []
    width = max(cells.columns) + 1
    names = unique_names([(header[j] if j < len(header) else None) or "" for j in range(width)])
    body: dict[int, tuple[np.ndarray, pa.Array, np.ndarray]] = {}
    for j, col in cells.columns.items():
        below = col.rows > header_row
        text = col.text.filter(pa.array(below)) if not below.all() else col.text
        body[j] = (col.rows[below], text, col.kinds[below])
    present = [rows[np.asarray(text.is_valid())] for rows, text, _ in body.values()]
    row_numbers = np.unique(np.concatenate(present)) if present else np.zeros(0, np.int64)
    keep = [
        j
        for j in sorted(body)
        if not (names[j].startswith("column_") and body[j][1].null_count == len(body[j][1]))
    ]
    check_shape(name, len(row_numbers), len(keep))
    columns: dict[str, pa.Array] = {}
    column_types: dict[str, str] = {}
    for j in keep:
        rows, text, kinds = body[j]
        index = np.full(len(row_numbers), -1, dtype=np.int64)
        valid = np.asarray(text.is_valid())  # a blank cell's row may hold no other value
        index[np.searchsorted(row_numbers, rows[valid])] = np.flatnonzero(valid)
        columns[f"c{j}"] = text.take(pa.array(index, mask=index < 0))
        found = {KINDS[k] for k in np.unique(kinds)} - {""}
        if found:
            column_types[names[j]] = found.pop() if len(found) == 1 else "mixed"
    last = int(row_numbers[-1]) if len(row_numbers) else header_row
    return _finish(
        pa.table(columns) if columns else pa.table({}),
        [names[j] for j in keep],
        first_row=header_row + 1,
        filename=name,
        fmt="xlsx",
        encoding=None,
        delimiter=None,
        header_row=header_row,
        sheet=cells.sheet,
        sheets=cells.sheets,
        column_types=column_types,
        row_numbers=row_numbers,
        empty_rows=last - header_row - len(row_numbers),
        dropped=width - len(cells.columns),
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


_PARQUET_ERRORS: Final[tuple[type[BaseException], ...]] = (
    pa.ArrowException,
    OSError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    OverflowError,
)


def _read_parquet(data: bytes, name: str) -> RawTable:
    """Read a Parquet file row group by row group, within the limits.

    The metadata is checked first (rows, columns, values of nested columns, the
    declared size), then text columns are read as dictionaries where the file
    stores them so, and their decoded size and longest cell are measured before
    anything is decoded: 100 million run-length-encoded rows, or one 30 KB text
    repeated on every row, stop with a message instead of filling the memory.
    """
    import pyarrow.parquet as pq

    bound = limits.current()
    try:
        probe = pq.ParquetFile(pa.BufferReader(data))
        meta, schema = probe.metadata, probe.schema_arrow
        groups = meta.num_row_groups
        if groups * max(meta.num_columns, 1) > 1_000_000:
            raise ValueError("more row groups than a table of incidents needs")
        values = sum(
            meta.row_group(i).column(j).num_values
            for i in range(groups)
            for j in range(meta.num_columns)
        )
        declared = sum(meta.row_group(i).total_byte_size for i in range(groups))
        texts = [
            f.name
            for f in schema
            if pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type)
            or pa.types.is_binary(f.type)
            or pa.types.is_large_binary(f.type)
        ]
        file = pq.ParquetFile(pa.BufferReader(data), read_dictionary=texts)
    except _PARQUET_ERRORS:
        raise IlpInputError("ingest.parquet_unreadable", name=name) from None
    names = unique_names(schema.names)
    check_shape(name, meta.num_rows, len(names))
    if values > bound.max_cells:
        raise IlpInputError(
            "ingest.limit.cells", name=name, n_rows=meta.num_rows, n_columns=len(names),
            value=values, limit=bound.max_cells,
        )  # fmt: skip
    _check_unpacked(name, declared, bound.max_unpacked_bytes)
    chunks: list[list[pa.Array]] = [[] for _ in names]
    column_types: dict[str, str] = {}
    decoded = 0
    offset = 0
    for i in range(groups):
        try:
            group = file.read_row_group(i)
        except _PARQUET_ERRORS:
            raise IlpInputError("ingest.parquet_unreadable", name=name) from None
        check_shape(name, offset + group.num_rows, len(names))
        for j, column in enumerate(group.columns):
            try:
                arr = column.combine_chunks()
                arr.validate(full=True)  # a damaged file: dictionary indices past its end
            except _PARQUET_ERRORS:
                raise IlpInputError("ingest.parquet_unreadable", name=name) from None
            lengths = _text_lengths(arr)
            if lengths is not None and len(lengths):
                decoded += int(lengths.sum())
                _check_unpacked(name, decoded, bound.max_unpacked_bytes)
                if lengths.max() > bound.max_cell_chars:
                    rows = np.arange(offset + 2, offset + 2 + len(arr), dtype=np.int64)
                    check_cell_lengths(name, [names[j]], [_decoded(arr)], rows)
            try:
                text, kind = _arrow_text(arr)
            except _PARQUET_ERRORS:
                raise IlpInputError("ingest.parquet_unreadable", name=name) from None
            if lengths is None:
                decoded += text.nbytes
                _check_unpacked(name, decoded, bound.max_unpacked_bytes)
            chunks[j].append(text)
            column_types[names[j]] = kind
        offset += group.num_rows
    arrays = [
        pa.chunked_array(parts, parts[0].type) if parts else pa.chunked_array([], pa.string())
        for parts in chunks
    ]
    check_cell_lengths(name, names, arrays, np.arange(2, 2 + offset, dtype=np.int64))
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


def _check_unpacked(name: str, n_bytes: int, limit: int) -> None:
    if n_bytes > limit:
        raise IlpInputError(
            "ingest.limit.unpacked", name=name, value=megabytes(n_bytes), limit=megabytes(limit)
        )


def _text_lengths(arr: pa.Array) -> np.ndarray | None:
    """Bytes of every text cell once decoded (0 when empty); None for other types."""
    if pa.types.is_dictionary(arr.type):
        value = arr.type.value_type
        if not (pa.types.is_string(value) or pa.types.is_large_string(value)
                or pa.types.is_binary(value) or pa.types.is_large_binary(value)):  # fmt: skip
            return None
        sizes = pc.fill_null(pc.binary_length(arr.dictionary), 0).to_numpy(zero_copy_only=False)
        index = pc.fill_null(arr.indices, 0).to_numpy(zero_copy_only=False)
        out = np.asarray(sizes, dtype=np.int64)[index] if len(sizes) else np.zeros(len(arr), int)
        if arr.null_count:
            out[~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = 0
        return out
    if (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
            or pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):  # fmt: skip
        return np.asarray(
            pc.fill_null(pc.binary_length(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64
        )
    return None


def _decoded(arr: pa.Array) -> pa.Array:
    """A text column's values (dictionary decoded; only called within the size limit)."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        arr = arr.cast(pa.large_string(), safe=False)
    return arr


def _arrow_text(arr: pa.Array) -> tuple[pa.Array, str]:
    """Return a typed Parquet column as text (ISO for dates) and its kind."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    kind = arr.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            arr = pc.local_timestamp(arr)
        # Arrow's own cast writes "YYYY-MM-DD HH:MM:SS", the same text as strftime
        # 35 times faster (0.14 s against 4.9 s for 2,000,000 values)
        seconds = pc.cast(arr, pa.timestamp("s"), safe=False)
        midnight = pc.equal(
            pc.cast(pc.subtract(seconds, pc.floor_temporal(seconds, unit="day")), pa.int64()), 0
        )
        full = pc.cast(seconds, pa.string())
        return pc.if_else(midnight, pc.utf8_slice_codeunits(full, 0, 10), full), "datetime"
    if pa.types.is_date(kind):
        return pc.cast(arr, pa.string()), "datetime"
    if pa.types.is_time(kind):
        return pc.cast(pc.cast(arr, pa.time32("s"), safe=False), pa.string()), "time"
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
