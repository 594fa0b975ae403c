"""Excel workbooks read as a stream of cells: memory follows the cells, not the sheet's claims.

openpyxl's read-only mode pads every row to the width the sheet declares and
yields every row up to the last one: a 1.6 KB file declaring ``A1:XFD1048576``
with three cells became 17 billion empty cells (11.7 GB, then ``MemoryError``).
Here the parts of the workbook are streamed through expat in 1 MB pieces and only
real cells are kept, column by column, in Arrow arrays:

* the declared dimension is ignored; a sheet is as wide and as long as its cells;
* no document type (so no entity expansion), no element nested more than 64 deep,
  no tag that keeps expat buffering more than 4 MB;
* a cell's text stops being collected at ``max_cell_chars`` (the error names the
  cell), and the counts of rows and columns are checked as the cells stream in;
* the zip's directory is checked before anything is unpacked (see ``_guards``).

Cells are turned into text exactly as before (openpyxl's own rules for numbers,
dates of the 1900 and 1904 systems, booleans, errors and formulas' cached values);
the tests compare both readers on generated workbooks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import posixpath
import re
import zipfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from xml.parsers import expat

import numpy as np
import pyarrow as pa

from ilp_core import limits
from ilp_core.data.ingest._guards import ZIP_ERRORS, cell_too_long, check_shape, open_zip
from ilp_core.errors import IlpInputError

HEADER_SEARCH: Final[int] = 30  # rows searched for the header (as for CSV)
_CHUNK: Final[int] = 1 << 20
_MAX_LAG: Final[int] = 4 << 20  # bytes expat may hold in one unfinished token
_MAX_DEPTH: Final[int] = 64
_MAX_STYLES: Final[int] = 1 << 17  # Excel allows 64,000 cell formats
_FLUSH: Final[int] = 1 << 16  # cells of one column kept as Python strings at most
_MAX_ROW: Final[int] = 1 << 31
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")

#: Kinds of typed cells, stored as one byte per cell.
KINDS: Final[tuple[str, ...]] = ("", "text", "number", "datetime", "time")
_TEXT, _NUMBER, _DATETIME, _TIME = 1, 2, 3, 4


class _BrokenError(Exception):
    """The workbook is damaged (turned into ``ingest.xlsx_unreadable``)."""


@dataclass
class ColumnCells:
    """The cells of one column: sheet row numbers, text (null when empty) and kinds."""

    rows: np.ndarray
    text: pa.Array
    kinds: np.ndarray


@dataclass
class SheetCells:
    """What a sheet holds: its first rows for the header search, and every column's cells.

    Attributes
    ----------
    sheet, sheets
        The sheet read and all worksheets of the workbook.
    head
        Rows 1 to 30 as lists of text (None for an empty cell), for the header search.
    columns
        Column index (0 = A) -> its cells; columns without a cell are absent.
    """

    sheet: str
    sheets: tuple[str, ...]
    head: list[list[str | None]]
    columns: dict[int, ColumnCells]


def read_sheet(data: bytes, name: str, sheet: str | None) -> SheetCells:
    """Stream one worksheet of an .xlsx workbook into columns of text cells.

    Raises
    ------
    IlpInputError
        ``ingest.xlsx_unreadable``, ``ingest.sheet_not_found``, or the limit met
        (``ingest.limit.*``).
    """
    archive = open_zip(data, name, "ingest.xlsx_unreadable")
    try:
        book = _workbook(archive)
        sheets = tuple(title for title, _ in book.sheets)
        if not sheets:
            raise _BrokenError("no worksheet")
        if sheet is not None and sheet not in sheets:
            raise IlpInputError("ingest.sheet_not_found", sheet=sheet, sheets=", ".join(sheets))
        title, path = book.sheets[sheets.index(sheet) if sheet is not None else 0]
        reader = _SheetReader(book, name)
        _feed(archive, path, reader.parser())
        return SheetCells(title, sheets, reader.head(), reader.columns())
    except IlpInputError:  # a ValueError too: a limit or a missing sheet, said as such
        raise
    except (_BrokenError, expat.ExpatError, *ZIP_ERRORS):
        raise IlpInputError("ingest.xlsx_unreadable", name=name) from None
    finally:
        archive.close()


# -- streaming ---------------------------------------------------------------------------


def _new_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16

    def refuse(*_args: Any) -> None:
        raise _BrokenError("a document type declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _feed(archive: zipfile.ZipFile, path: str, parser: expat.XMLParserType) -> None:
    """Parse one part of the zip in 1 MB pieces, never letting expat buffer 4 MB."""
    try:
        stream = archive.open(path)
    except KeyError:
        raise _BrokenError(f"missing part {path}") from None
    with stream:
        fed = 0
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > _MAX_LAG:
                raise _BrokenError("a tag of more than 4 MB")
        parser.Parse(b"", True)


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _simple_part(
    archive: zipfile.ZipFile, path: str, on_start: Callable[[str, dict[str, str]], None]
) -> None:
    """Stream a small part, calling ``on_start(local_name, attributes)`` per element."""
    parser = _new_parser()
    depth = [0]

    def start(tag: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > _MAX_DEPTH:
            raise _BrokenError("elements nested too deep")
        on_start(_local(tag), attrs)

    def end(_tag: str) -> None:
        depth[0] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    _feed(archive, path, parser)


# -- the workbook --------------------------------------------------------------------------


@dataclass
class _Book:
    archive: zipfile.ZipFile
    sheets: list[tuple[str, str]]  # (title, part path) in the workbook's order
    epoch: dt.datetime
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    shared: _SharedStrings


def _attr(attrs: dict[str, str], local: str) -> str | None:
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, absolute part path) of a part's relationships."""
    folder, file = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", file + ".rels")
    out: dict[str, tuple[str, str]] = {}
    if rels_path not in archive.NameToInfo:
        return out

    def on_start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and len(out) < 100_000:
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    _simple_part(archive, rels_path, on_start)
    return out


def _workbook(archive: zipfile.ZipFile) -> _Book:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    root = _relations(archive, "")
    main = next((p for t, p in root.values() if t.endswith("/officeDocument")), "xl/workbook.xml")
    declared: list[tuple[str, str]] = []
    date1904 = [False]

    def on_start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet" and len(declared) < 10_000:
            declared.append((attrs.get("name", ""), _attr(attrs, "id") or ""))
        elif tag == "workbookPr":
            date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

    _simple_part(archive, main, on_start)
    rels = _relations(archive, main)
    sheets = [
        (title, rels[rid][1])
        for title, rid in declared
        if rid in rels and rels[rid][0].endswith("/worksheet")
    ]
    styles = next((p for t, p in rels.values() if t.endswith("/styles")), None)
    strings = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
    date_styles, timedelta_styles = _date_styles(archive, styles)
    return _Book(
        archive=archive,
        sheets=sheets,
        epoch=CALENDAR_MAC_1904 if date1904[0] else CALENDAR_WINDOWS_1900,
        date_styles=date_styles,
        timedelta_styles=timedelta_styles,
        shared=_SharedStrings.read(archive, strings),
    )


def _date_styles(
    archive: zipfile.ZipFile, path: str | None
) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of the cell formats that show dates, and those that show durations."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    if path is None or path not in archive.NameToInfo:
        return frozenset(), frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def on_start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt" and len(custom) < _MAX_STYLES:
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            inside[0] = True
        elif tag == "cellStyles":
            inside[0] = False
        elif tag == "xf" and inside[0] and len(formats) < _MAX_STYLES:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    _simple_part(archive, path, on_start)
    dates, durations = set(), set()
    for index, number_format in enumerate(formats):
        code = custom.get(number_format, BUILTIN_FORMATS.get(number_format))
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


class _SharedStrings:
    """The workbook's shared strings as UTF-8 bytes and offsets (9 bytes a string overhead).

    A string longer than the cell limit is kept as its length only; the cell that
    uses it raises the limit with its row and column.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.offsets = array("q", [0])
        self.too_long: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def get(self, index: int) -> str | int:
        """The text of string ``index``, or its length when it is over the limit."""
        if not 0 <= index < len(self):
            raise _BrokenError("a shared string that does not exist")
        if index in self.too_long:
            return self.too_long[index]
        return self.buffer[self.offsets[index] : self.offsets[index + 1]].decode("utf-8")

    @classmethod
    def read(cls, archive: zipfile.ZipFile, path: str | None) -> _SharedStrings:
        out = cls()
        if path is None or path not in archive.NameToInfo:
            return out
        bound = limits.current()
        limit, most = bound.max_cell_chars, bound.max_cells
        parser = _new_parser()
        state = {"depth": 0, "t": False, "phonetic": 0, "n": 0}
        parts: list[str] = []

        def start(tag: str, _attrs: dict[str, str]) -> None:
            state["depth"] += 1
            if state["depth"] > _MAX_DEPTH:
                raise _BrokenError("elements nested too deep")
            local = _local(tag)
            if local == "si":
                parts.clear()
                state["n"] = 0
            elif local == "t":
                state["t"] = True
            elif local == "rPh":  # phonetic guide: not part of the text
                state["phonetic"] += 1

        def end(tag: str) -> None:
            state["depth"] -= 1
            local = _local(tag)
            if local == "t":
                state["t"] = False
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "si":
                if len(out) >= most:
                    raise _BrokenError("more shared strings than cells allowed")
                if state["n"] > limit:
                    out.too_long[len(out)] = state["n"]
                else:
                    out.buffer += _unescape("".join(parts)).encode("utf-8")
                out.offsets.append(len(out.buffer))

        def chars(text: str) -> None:
            if state["t"] and not state["phonetic"]:
                state["n"] += len(text)
                if state["n"] <= limit:
                    parts.append(text)
                else:
                    parts.clear()

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        _feed(archive, path, parser)
        return out


def _unescape(text: str) -> str:
    """Undo the ``_xHHHH_`` escapes Excel writes for control characters (``_x000D_``)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# -- the sheet -------------------------------------------------------------------------------


class _Column:
    __slots__ = ("chunks", "kinds", "rows", "texts")

    def __init__(self) -> None:
        self.rows = array("q")
        self.kinds = bytearray()
        self.texts: list[str | None] = []
        self.chunks: list[pa.Array] = []

    def flush(self) -> None:
        if self.texts:
            self.chunks.append(pa.array(self.texts, pa.large_string()))
            self.texts = []

    def cells(self) -> ColumnCells:
        self.flush()
        text = (
            pa.chunked_array(self.chunks, pa.large_string()).combine_chunks()
            if self.chunks
            else pa.array([], pa.large_string())
        )
        return ColumnCells(
            rows=np.frombuffer(self.rows, dtype=np.int64).copy(),
            text=text,
            kinds=np.frombuffer(bytes(self.kinds), dtype=np.uint8),
        )


_COLUMN_INDEX: dict[str, int] = {}


def _column_index(letters: str) -> int:
    """0-based index of a column's letters (``A`` = 0, ``XFD`` = 16383)."""
    index = _COLUMN_INDEX.get(letters)
    if index is None:
        if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
            raise _BrokenError(f"a cell reference with column {letters!r}")
        index = 0
        for ch in letters.upper():
            index = index * 26 + ord(ch) - 64
        index -= 1
        if len(_COLUMN_INDEX) < 20_000:
            _COLUMN_INDEX[letters] = index
    return index


class _SheetReader:
    """expat handlers that keep each real cell's text, row and kind (nothing else)."""

    def __init__(self, book: _Book, name: str) -> None:
        bound = limits.current()
        self.book, self.name = book, name
        self.date_keys = frozenset(str(i) for i in book.date_styles)
        self.limit = bound.max_cell_chars
        self.max_rows, self.max_columns = bound.max_rows, bound.max_columns
        self.max_cells = bound.max_cells
        self.cols: dict[int, _Column] = {}
        self.first_rows: dict[int, dict[int, str | None]] = {}
        self.depth = 0
        self.row = 0  # the current row's number
        self.col = -1  # the current cell's column index
        self.last_content_row = 0
        self.content_rows = 0
        self.cell: dict[str, str] | None = None  # attributes of the open <c>
        self.collect = 0  # 1 inside <v>, 2 inside <is><t> (not in <rPh>)
        self.in_inline = False
        self.phonetic = 0
        self.parts: list[str] = []
        self.n_chars = 0

    def parser(self) -> expat.XMLParserType:
        parser = _new_parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        return parser

    # handlers ------------------------------------------------------------------------

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _BrokenError("elements nested too deep")
        local = tag if ":" not in tag else _local(tag)
        if local == "c":
            ref = attrs.get("r")
            self.col = _column_index(ref.rstrip("0123456789")) if ref else self.col + 1
            self.cell = attrs
            self.parts = []
            self.n_chars = 0
            self.in_inline = False
        elif local == "v" and self.cell is not None and not self.in_inline:
            self.collect = 1
            self.parts = []
            self.n_chars = 0
        elif local == "is":
            self.in_inline = True
        elif local == "t" and self.in_inline and not self.phonetic:
            self.collect = 2
        elif local == "rPh":
            self.phonetic += 1
        elif local == "row":
            number = attrs.get("r")
            if number is None:
                self.row += 1
            else:
                try:
                    self.row = int(number)
                except ValueError:
                    value = float(number)  # ValueError: damaged, as openpyxl
                    if not value.is_integer():
                        raise _BrokenError("a row number that is not whole") from None
                    self.row = int(value)
            if not 0 < self.row < _MAX_ROW:
                raise _BrokenError("a row number out of range")
            self.col = -1

    def end(self, tag: str) -> None:
        self.depth -= 1
        local = tag if ":" not in tag else _local(tag)
        if local == "c":
            if self.cell is not None:
                self._cell()
            self.cell = None
            self.collect = 0
        elif local in ("v", "t"):
            self.collect = 0
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "is":
            self.in_inline = False

    def chars(self, text: str) -> None:
        if self.collect:
            self.n_chars += len(text)
            if self.n_chars > self.limit:
                raise cell_too_long(self.name, self.row, _letters(self.col), self.n_chars)
            self.parts.append(text)

    # cells ----------------------------------------------------------------------------

    def _cell(self) -> None:
        attrs = self.cell or {}
        kind_attr = attrs.get("t", "n")
        parts = self.parts
        raw = (parts[0] if len(parts) == 1 else "".join(parts)) if parts else None
        style = attrs.get("s")
        if (
            kind_attr == "n"
            and raw is not None
            and raw.isdigit()
            and raw.isascii()
            and (raw[0] != "0" or raw == "0")
            and (style is None or style not in self.date_keys)
        ):
            text, kind = raw, _NUMBER  # the usual whole number: already as Excel shows it
        else:
            text, kind = _cell_value(self, kind_attr, style, raw)
            if text is None and not kind:
                return
        column = self.cols.get(self.col)
        if column is None:
            if len(self.cols) >= self.max_columns and text is not None:
                check_shape(self.name, max(self.content_rows, 1), len(self.cols) + 1)
            column = self.cols[self.col] = _Column()
        column.rows.append(self.row)
        column.kinds.append(kind)
        column.texts.append(text)
        if len(column.texts) >= _FLUSH:
            column.flush()
        if self.row <= HEADER_SEARCH:
            self.first_rows.setdefault(self.row, {})[self.col] = text
        if text is not None and self.row != self.last_content_row:
            self.last_content_row = self.row
            self.content_rows += 1
            if self.content_rows > self.max_rows or (
                self.content_rows * len(self.cols) > self.max_cells
            ):
                check_shape(self.name, self.content_rows, len(self.cols))

    def number(self, raw: str, style: str | None) -> tuple[str | None, int]:
        try:
            value: Any = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        except ValueError:
            return _text(raw)
        if style and self.book.date_styles:
            try:
                index = int(style)
            except ValueError:
                index = -1
            if index in self.book.date_styles:
                from openpyxl.utils.datetime import from_excel

                try:
                    value = from_excel(
                        value, self.book.epoch, timedelta=index in self.book.timedelta_styles
                    )
                except (OverflowError, ValueError):
                    return "#VALUE!", _TEXT
        return cell_text(value)

    # rows 1-30 and the columns ------------------------------------------------------------

    def head(self) -> list[list[str | None]]:
        if not self.first_rows:
            return []
        width = max(max(cells) for cells in self.first_rows.values()) + 1
        out: list[list[str | None]] = []
        for number in range(1, max(self.first_rows) + 1):
            row: list[str | None] = [None] * width
            for col, text in self.first_rows.get(number, {}).items():
                row[col] = text
            out.append(row)
        return out

    def columns(self) -> dict[int, ColumnCells]:
        return {col: cells.cells() for col, cells in sorted(self.cols.items())}


def _cell_value(
    reader: _SheetReader, kind_attr: str, style: str | None, raw: str | None
) -> tuple[str | None, int]:
    """A cell's text and kind from its type attribute and its ``<v>`` or inline text."""
    if kind_attr == "inlineStr":
        return _text(_unescape(raw)) if raw is not None else (None, 0)
    if raw is None:
        return None, 0
    if kind_attr == "n":
        return reader.number(raw, style)
    if kind_attr == "s":
        try:
            index = int(raw)
        except ValueError:
            raise _BrokenError("a shared string index that is not a number") from None
        found = reader.book.shared.get(index)
        if isinstance(found, int):
            raise cell_too_long(reader.name, reader.row, _letters(reader.col), found)
        return _text(found)
    if kind_attr == "b":
        return ("TRUE" if raw.strip() not in ("0", "") else "FALSE"), _TEXT
    if kind_attr == "d":
        from openpyxl.utils.datetime import from_ISO8601

        try:
            return cell_text(from_ISO8601(raw))
        except (ValueError, OverflowError):
            return _text(raw)
    return _text(_unescape(raw))  # str (a formula's text), e (an error such as #N/A)


def _text(value: str) -> tuple[str | None, int]:
    return (value if value.strip() else None), _TEXT


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col > 0:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell_text(value: object) -> tuple[str | None, int]:
    """Return a typed cell value as text and its kind code (an index of :data:`KINDS`).

    Examples
    --------
    >>> cell_text(3.0), cell_text(dt.datetime(2024, 3, 1)), cell_text(dt.time(14, 5))
    (('3', 2), ('2024-03-01', 3), ('14:05:00', 4))
    """
    if value is None:
        return None, 0
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), _TEXT
    if isinstance(value, int):
        return str(value), _NUMBER
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value)), _NUMBER
        return repr(value), _NUMBER
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            # Excel stores a date as a date-time at midnight: show it as the date it is
            return value.strftime("%Y-%m-%d"), _DATETIME
        return value.strftime("%Y-%m-%d %H:%M:%S"), _DATETIME
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d"), _DATETIME
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S"), _TIME
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", _TIME
    return str(value), _TEXT
