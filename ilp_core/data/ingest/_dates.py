"""Reading date and time columns: detect the format from a sample, parse the column at once.

The format of a column is chosen from up to 500 of its values (the candidate
that reads most of them, then the next one for what is left, ...), then the whole
column is parsed with Arrow's ``strptime`` (0.19 s for 1,000,000 values against
4.1 s for ``pd.to_datetime(format="%d/%m/%Y %I:%M %p")`` on this machine; the
tests compare both on the same values). Values that fit none of the formats are
rejected with ``date_unreadable`` by the caller.

Day/month order: ``03/04/2024`` is 3 April (dmy) or 4 March (mdy). The whole
column is scanned: a first number above 12 proves day-first, a second one above
12 proves month-first. With proof on one side only, the order is certain (and the
report says so); with no proof, or proof on both sides, the user is asked.
Dotted dates (``03.04.2024``) are always day first.

Excel serial dates count days from 1899-12-30 (the 1900 date system; its phantom
29 February 1900 shifts only dates before March 1900, which incident data never
has). Dates outside 1900-2099 are refused as unreadable.

References
----------
ECMA-376 Office Open XML, Part 1, section 18.17.4 "Dates and Times" (serial values
of the 1900 date system).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilp_core.data.ingest._blocks import each_block, take_rows
from ilp_core.data.ingest._common import cell_bytes
from ilp_core.errors import Message

PRECISION_CODES: Final[dict[str, int]] = {"minute": 0, "day": 1, "month": 2}
_SAMPLE: Final[int] = 500
_YEAR_MIN, _YEAR_MAX = 1900, 2100
_EXCEL_EPOCH: Final[np.datetime64] = np.datetime64("1899-12-30T00:00:00", "s")
_AMBIGUOUS = r"^(?P<a>\d{1,2})[/\-](?P<b>\d{1,2})[/\-](?P<y>\d{2,4})(?:$|[\sT])"
_FRACTION = r"(:\d{2})[.,]\d{1,9}"
_TIMEZONE = r"(:\d{2})\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$"
_NUMERIC = r"^\d+(?:\.\d+)?$"

_LABELS: Final[dict[str, str]] = {
    "%Y": "yyyy",
    "%y": "yy",
    "%m": "mm",
    "%d": "dd",
    "%H": "hh",
    "%I": "hh",
    "%M": "mm",
    "%S": "ss",
    "%p": "AM/PM",
    "%b": "Mon",
    "%B": "Month",
}


@dataclass(frozen=True)
class DateFormat:
    """One way of writing a date: strptime pattern, label for people, precision."""

    strptime: str
    precision: Literal["minute", "day", "month"]
    order: Literal["dmy", "mdy"] | None = None

    @property
    def label(self) -> str:
        """The pattern as people write it (``dd/mm/yyyy hh:mm AM/PM``)."""
        return re.sub(r"%[YymdHIMSpbB]", lambda m: _LABELS[m.group(0)], self.strptime)

    @property
    def day_regex(self) -> str | None:
        """A regex that captures the day of month (``d``), or ``None`` without a day."""
        if "%d" not in self.strptime:
            return None
        parts = re.split(r"(%[YymdHIMSpbB])", self.strptime)
        out = []
        for part in parts:
            if part == "%d":
                out.append(r"(?P<d>\d{1,2})")
            elif part in ("%b", "%B"):
                out.append(r"[^\d\s,./-]+")
            elif part == "%p":
                out.append(r"[AaPp]\.?[Mm]\.?")
            elif part == "%Y":  # four digits: 20230431 is the 31st of April, not the 1st
                out.append(r"\d{4}")
            elif part.startswith("%") and len(part) == 2:
                out.append(r"\d{1,2}")
            else:
                out.append(re.escape(part))
        return "^" + "".join(out)


def _both_orders(pattern: str, precision: Literal["minute", "day"]) -> list[DateFormat]:
    """The day-first pattern and its month-first twin."""
    month_first = pattern.replace("%d", "%@").replace("%m", "%d").replace("%@", "%m")
    return [DateFormat(pattern, precision, "dmy"), DateFormat(month_first, precision, "mdy")]


def _date_formats() -> tuple[DateFormat, ...]:
    out: list[DateFormat] = []
    for sep in ("-", "/", "."):
        out += [
            DateFormat(f"%Y{sep}%m{sep}%d %H:%M:%S", "minute"),
            DateFormat(f"%Y{sep}%m{sep}%d %H:%M", "minute"),
            DateFormat(f"%Y{sep}%m{sep}%dT%H:%M:%S", "minute"),
            DateFormat(f"%Y{sep}%m{sep}%dT%H:%M", "minute"),
            DateFormat(f"%Y{sep}%m{sep}%d %I:%M:%S %p", "minute"),
            DateFormat(f"%Y{sep}%m{sep}%d %I:%M %p", "minute"),
            DateFormat(f"%Y{sep}%m{sep}%d", "day"),
            DateFormat(f"%Y{sep}%m", "month"),
        ]
    out += [
        DateFormat("%d.%m.%Y %H:%M:%S", "minute"),
        DateFormat("%d.%m.%Y %H:%M", "minute"),
        DateFormat("%d.%m.%Y", "day"),
        DateFormat("%d.%m.%y %H:%M", "minute"),
        DateFormat("%d.%m.%y", "day"),
        DateFormat("%m.%Y", "month"),
        DateFormat("%m/%Y", "month"),
        DateFormat("%m-%Y", "month"),
    ]
    for sep in ("/", "-"):
        for time, precision in (
            (" %H:%M:%S", "minute"),
            (" %H:%M", "minute"),
            (" %I:%M:%S %p", "minute"),
            (" %I:%M %p", "minute"),
            ("", "day"),
        ):
            out += _both_orders(f"%d{sep}%m{sep}%Y{time}", precision)  # type: ignore[arg-type]
        out += _both_orders(f"%d{sep}%m{sep}%y %H:%M", "minute")
        out += _both_orders(f"%d{sep}%m{sep}%y", "day")
    out += [
        DateFormat("%Y%m%d", "day"),
        DateFormat("%d-%b-%Y %H:%M:%S", "minute"),
        DateFormat("%d-%b-%Y %H:%M", "minute"),
        DateFormat("%d-%b-%Y", "day"),
        DateFormat("%d-%b-%y", "day"),
        DateFormat("%d %b %Y %H:%M", "minute"),
        DateFormat("%d %b %Y", "day"),
        DateFormat("%d %B %Y", "day"),
        DateFormat("%b %d, %Y %I:%M:%S %p", "minute"),
        DateFormat("%b %d, %Y", "day"),
        DateFormat("%B %d, %Y", "day"),
        DateFormat("%b %Y", "month"),
        DateFormat("%B %Y", "month"),
    ]
    return tuple(out)


def _time_formats() -> tuple[DateFormat, ...]:
    return (
        DateFormat("%H:%M", "minute"),
        DateFormat("%H:%M:%S", "minute"),
        DateFormat("%I:%M %p", "minute"),
        DateFormat("%I:%M:%S %p", "minute"),
        DateFormat("%H.%M", "minute"),
        DateFormat("%H%M", "minute"),
        DateFormat("%Hh%M", "minute"),
        DateFormat("%Y-%m-%d %H:%M:%S", "minute"),
        DateFormat("%Y-%m-%d %H:%M", "minute"),
        DateFormat("%Y-%m-%dT%H:%M:%S", "minute"),
    )


DATE_FORMATS: Final[tuple[DateFormat, ...]] = _date_formats()
TIME_FORMATS: Final[tuple[DateFormat, ...]] = _time_formats()


@dataclass(frozen=True)
class DatePlan:
    """How one column will be read, decided from its values (see module docstring)."""

    field: str
    column: str
    kind: Literal["date", "time"]
    formats: tuple[DateFormat, ...] = ()
    numeric: Literal["excel_serial", "excel_time"] | None = None
    strip_fraction: bool = False
    strip_timezone: bool = False
    order: Literal["dmy", "mdy"] | None = None
    order_source: Literal["data", "user", "irrelevant"] | None = None
    day_first_rows: int = 0
    month_first_rows: int = 0
    ambiguous_rows: int = 0
    example: str = ""
    cell_type: str | None = None

    @property
    def needs_order(self) -> bool:
        """Whether the day/month order must be asked before the column can be read."""
        return self.order is None and self.ambiguous_family

    @property
    def ambiguous_family(self) -> bool:
        """Whether the column holds ``nn/nn/yyyy`` dates at all."""
        return self.day_first_rows + self.month_first_rows + self.ambiguous_rows > 0

    @property
    def suggested_order(self) -> str | None:
        """The order the evidence points to (for a conflict), else ``None``."""
        if self.day_first_rows > self.month_first_rows:
            return "dmy"
        if self.month_first_rows > self.day_first_rows:
            return "mdy"
        return None


def _sample(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """At most ``_SAMPLE`` of the present cells, evenly spread over them.

    Taken chunk by chunk: Arrow's ``take`` on a column of many chunks joins them
    first (0.26 s for the 10,000,000 dates of a read file, 0.02 s by chunk).
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    present = np.array([len(c) - c.null_count for c in chunks], dtype=np.int64)
    total = int(present.sum())
    if total <= _SAMPLE:
        return pa.concat_arrays([c.drop_null() for c in chunks]) if chunks else values
    ranks = np.unique(np.linspace(0, total - 1, _SAMPLE).round().astype(np.int64))
    before = np.concatenate([[0], np.cumsum(present)])
    chunk_of = np.searchsorted(before, ranks, side="right") - 1
    parts = []
    for c in np.unique(chunk_of):
        chunk = chunks[c] if chunks[c].null_count == 0 else chunks[c].drop_null()
        parts.append(chunk.take(pa.array(ranks[chunk_of == c] - before[c])))
    return pa.concat_arrays(parts)


def _share(mask: pa.Array) -> float:
    if len(mask) == 0:
        return 0.0
    return float(pc.sum(pc.cast(pc.fill_null(mask, False), pa.int64())).as_py() or 0) / len(mask)


def plan_column(
    values: pa.Array,
    *,
    field: str,
    column: str,
    date_order: str,
    cell_type: str | None,
    file_format: str,
) -> DatePlan:
    """Decide how to read one date or time column (cleaned text, nulls for empty cells)."""
    kind: Literal["date", "time"] = "time" if field == "time" else "date"
    sample = _sample(values)
    base = DatePlan(field=field, column=column, kind=kind, cell_type=cell_type)
    if len(sample) == 0:
        return base
    example = str(sample[0].as_py())
    numeric = _share(pc.match_substring_regex(sample, _NUMERIC))
    if numeric >= 0.9:
        plan = _plan_numeric(sample, base, cell_type=cell_type, file_format=file_format)
        if plan is not None:
            return DatePlan(**{**plan.__dict__, "example": example})
    strip_fraction = _share(pc.match_substring_regex(sample, _FRACTION)) > 0
    strip_timezone = kind == "date" and _share(pc.match_substring_regex(sample, _TIMEZONE)) > 0
    sample = _normalise(sample, strip_fraction, strip_timezone)
    order: Literal["dmy", "mdy"] | None = None
    source: Literal["data", "user", "irrelevant"] | None = None
    dmy = mdy = ambiguous = 0
    if kind == "date" and _share(pc.match_substring_regex(sample, _AMBIGUOUS)) > 0:
        dmy, mdy, ambiguous, distinct = _order_evidence(values)
        if date_order in ("dmy", "mdy"):
            order, source = date_order, "user"  # type: ignore[assignment]
        elif dmy and not mdy:
            order, source = "dmy", "data"
        elif mdy and not dmy:
            order, source = "mdy", "data"
        elif not dmy and not mdy and not distinct:
            order, source = "dmy", "irrelevant"
    candidates = DATE_FORMATS if kind == "date" else TIME_FORMATS
    allowed = tuple(f for f in candidates if f.order is None or f.order == order)
    chosen = _choose_formats(sample, allowed)
    return DatePlan(
        field=field,
        column=column,
        kind=kind,
        formats=chosen,
        strip_fraction=strip_fraction,
        strip_timezone=strip_timezone,
        order=order,
        order_source=source,
        day_first_rows=dmy,
        month_first_rows=mdy,
        ambiguous_rows=ambiguous,
        example=example,
        cell_type=cell_type,
    )


def _plan_numeric(
    sample: pa.Array, base: DatePlan, *, cell_type: str | None, file_format: str
) -> DatePlan | None:
    numbers = np.asarray(
        pc.cast(
            pc.if_else(pc.match_substring_regex(sample, _NUMERIC), sample, None), pa.float64()
        ).to_numpy(zero_copy_only=False),
        dtype=float,
    )
    numbers = numbers[np.isfinite(numbers)]
    if not len(numbers):
        return None
    if base.kind == "time":
        if np.all(numbers < 1):
            return DatePlan(**{**base.__dict__, "numeric": "excel_time"})
        return None
    lengths = pc.utf8_length(sample).to_numpy(zero_copy_only=False)
    if np.all(lengths == 8):
        return None  # yyyymmdd: an ordinary format
    excel = file_format == "xlsx" and cell_type in ("number", "mixed")
    if excel or (np.all((numbers >= 20000) & (numbers < 80000))):
        return DatePlan(**{**base.__dict__, "numeric": "excel_serial"})
    return None


def _normalise(values: pa.Array, strip_fraction: bool, strip_timezone: bool) -> pa.Array:
    if strip_fraction:
        values = pc.replace_substring_regex(values, _FRACTION, r"\1")
    if strip_timezone:
        values = pc.replace_substring_regex(values, _TIMEZONE, r"\1")
    return values


def _order_evidence(values: pa.Array) -> tuple[int, int, int, int]:
    """Rows proving day-first, proving month-first, ambiguous, ambiguous with day != month."""
    parts = pc.extract_regex(values, _AMBIGUOUS)
    # struct_field keeps the rows that did not match as nulls (.field() would not)
    a = pc.cast(pc.struct_field(parts, "a"), pa.int16()).to_numpy(zero_copy_only=False)
    b = pc.cast(pc.struct_field(parts, "b"), pa.int16()).to_numpy(zero_copy_only=False)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    day_first = ok & (a > 12) & (b <= 12)
    month_first = ok & (b > 12) & (a <= 12)
    ambiguous = ok & (a <= 12) & (b <= 12) & (a >= 1) & (b >= 1)
    distinct = ambiguous & (a != b)
    return int(day_first.sum()), int(month_first.sum()), int(ambiguous.sum()), int(distinct.sum())


#: Seconds since 1970 of the first day of ``_YEAR_MIN`` and of ``_YEAR_MAX``.
_SECONDS_MIN, _SECONDS_MAX = (
    int(np.datetime64(f"{y}-01-01", "s").astype(np.int64)) for y in (_YEAR_MIN, _YEAR_MAX)
)
#: Characters of each field written in full (``%Y`` four digits, the others two).
_FULL_WIDTHS: Final[dict[str, int]] = {"Y": 4} | dict.fromkeys("ymdHIMS", 2)


def _parse_with(values: pa.Array, fmt: DateFormat) -> np.ndarray:
    """Parse text with one format; NaT where it does not fit or the date does not exist.

    The cells written in full in a format of numbers are read by Arrow's ISO 8601
    cast (:func:`_iso_cast`), the others by ``strptime``: the column of 10,000,000
    dates with 1 in 1,000 written otherwise is read in 0.46 s (1.61 s before, Arrow's
    ``strptime`` alone 0.60 s; ``benchmarks/bench_dates.py``).
    """
    iso = _iso_cast(values, fmt)
    if iso is not None:
        return iso
    fits = _in_full(values, fmt)
    if fits is None or not fits.any():
        return _strptime(values, fmt)
    rest = ~fits & np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    iso = _iso_cast(values.filter(pa.array(fits)), fmt)
    if iso is None:  # a date that does not exist among them: strptime says which
        return _strptime(values, fmt)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    out[fits] = iso
    if rest.any():
        out[rest] = _strptime(values.filter(pa.array(rest)), fmt)
    return out


def _in_full(values: pa.Array | pa.ChunkedArray, fmt: DateFormat) -> np.ndarray | None:
    """Which cells are written in full in ``fmt``, a format of numbers (``None``: not one).

    In full: as long as the format's fields at their full widths, with its separators
    in their places (the cast checks the digits).
    """
    layout = _iso_layout(fmt.strptime)
    kind = values.type
    if layout is None or not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    length, separators, _ = layout
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    if not chunks:
        return np.zeros(0, dtype=bool)
    return np.concatenate([_in_full_mask(chunk, length, separators) for chunk in chunks])


def _in_full_mask(
    text: pa.Array, length: int, separators: tuple[tuple[int, int], ...]
) -> np.ndarray:
    """Which cells of a text array are ``length`` bytes long with ``separators`` in place."""
    cells = cell_bytes(text)
    if cells is None:
        return np.zeros(len(text), dtype=bool)
    offsets, data = cells
    fits = np.diff(offsets) == length
    if text.null_count:
        fits &= np.asarray(text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(fits)
    starts = offsets[:-1][rows].astype(np.int64)
    for place, byte in separators:
        fits[rows[data[starts + place] != byte]] = False
    return fits


def _strptime(values: pa.Array | pa.ChunkedArray, fmt: DateFormat) -> np.ndarray:
    """Parse text with Arrow's ``strptime``, checking the day written is the day read."""
    parsed = pc.strptime(values, format=fmt.strptime, unit="s", error_is_null=True)
    if parsed.null_count == len(parsed):
        return np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    # the seconds as one copy (to_numpy of a timestamp with nulls made two), the years
    # checked on them (Arrow's calendar fields of every row took 0.1 s a million)
    seconds = _seconds(parsed)
    wrong = (seconds < _SECONDS_MIN) | (seconds >= _SECONDS_MAX)  # NaT is the smallest
    regex = fmt.day_regex
    if regex is not None:
        # strptime rolls 31.02 over into March: the day written must be the day read
        days = pc.day(parsed)
        suspect = pc.fill_null(pc.less_equal(days, 3), False)
        if pc.any(suspect).as_py():
            idx = np.flatnonzero(np.asarray(suspect.to_numpy(zero_copy_only=False), dtype=bool))
            text = take_rows(values, idx)
            written = _written_days(text, fmt.strptime)
            other = np.isnan(written)  # not written in full: the day found by the regex
            if other.any():
                found = pc.struct_field(pc.extract_regex(text.filter(pa.array(other)), regex), "d")
                written[other] = np.asarray(
                    pc.cast(found, pa.int64()).to_numpy(zero_copy_only=False), float
                )
            read = np.asarray(take_rows(days, idx).to_numpy(zero_copy_only=False), float)
            wrong[idx[written != read]] = True
    out = seconds.view("datetime64[s]")
    out[wrong] = np.datetime64("NaT")
    return out


@cache
def _iso_layout(pattern: str) -> tuple[int, tuple[tuple[int, int], ...], str] | None:
    """How a cell of ``pattern`` written in full becomes ISO 8601 text.

    The cell's length, its separators (place, byte), and the ISO pattern; ``None``
    for a pattern without a four-digit year, a month and a day, or with fields ISO
    has not (month names, two-digit years, AM/PM). Its bytes are then rearranged by
    :func:`_as_iso`.
    """
    layout = _full_layout(pattern)
    codes = re.findall(r"%(.)", pattern)
    if layout is None or set(codes) - set("YmdHMS") or not {"Y", "m", "d"} <= set(codes):
        return None
    if ("M" in codes) != ("H" in codes) or ("S" in codes and "M" not in codes):
        return None
    iso = "%Y-%m-%d" + (" %H:%M" if "H" in codes else "") + (":%S" if "S" in codes else "")
    _, length, separators = layout
    return length, separators, iso


def _field_places(pattern: str) -> dict[str, int]:
    """Where each field of ``pattern`` written in full starts (``{"Y": 0, "m": 5, ...}``)."""
    places, place = {}, 0
    for part in re.split(r"(%.)", pattern):
        if part.startswith("%") and len(part) == 2:
            places[part[1]] = place
            place += _FULL_WIDTHS[part[1]]
        else:
            place += len(part.encode())
    return places


def _as_iso(cells: np.ndarray, pattern: str, iso: str) -> np.ndarray:
    """Rows of bytes written with ``pattern`` (in full) rewritten as ``iso``: ``cells`` if equal."""
    if pattern == iso:
        return cells
    source, target = _field_places(pattern), _field_places(iso)
    _, size, separators = _full_layout(iso)  # type: ignore[misc]
    out = np.empty((len(cells), size), np.uint8)
    for place, byte in separators:
        out[:, place] = byte
    for code, at in target.items():
        width = _FULL_WIDTHS[code]
        out[:, at : at + width] = cells[:, source[code] : source[code] + width]
    return out


def _iso_cast(values: pa.Array | pa.ChunkedArray, fmt: DateFormat) -> np.ndarray | None:
    """``values`` read by Arrow's ISO 8601 cast, or ``None`` where ``strptime`` must read them.

    Only when every cell is written in full with ``fmt`` (``18.03.2024 09:05``: each
    field at its full width, the separators in their places) and a format of numbers
    ISO 8601 has (a four-digit year, month and day, maybe hours, minutes, seconds).
    The bytes of the cells are put in ISO order (``2024-03-18 09:05``) and the cast
    must read them all: it refuses a byte that is not a digit where one is due, and a
    date or a time that does not exist (31 February, 24:00, a leap second), which
    ``strptime`` rolls over or refuses; such cells are read by ``strptime``. The cast
    took 0.17 s for 10,000,000 cells against 0.94 s for ``strptime``, whose day check
    then reads the text again: parsing the column 0.78-0.87 s -> 0.27-0.29 s in two
    threads (measured). The tests compare both with Python's ``strptime``.
    """
    layout = _iso_layout(fmt.strptime)
    if layout is None or not len(values):
        return None
    length, separators, iso = layout
    rearranged = fmt.strptime != iso
    out = np.empty(len(values), dtype=np.int64)
    at = 0
    try:
        for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
            cells = _fixed_cells(chunk, length)
            if cells is None or any((cells[:, p] != byte).any() for p, byte in separators):
                return None  # "T" for " ", seconds...: the cast would read them all the same
            if rearranged:
                _cast_rows(_as_iso(cells, fmt.strptime, iso), chunk, out[at : at + len(chunk)])
            at += len(chunk)
        if not rearranged:  # the cells as they are, in one call
            out = _seconds(pc.cast(values, pa.timestamp("s")))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    wrong = (out < _SECONDS_MIN) | (out >= _SECONDS_MAX)  # NaT is the smallest
    dates = out.view("datetime64[s]")
    dates[wrong] = np.datetime64("NaT")
    return dates


def _cast_rows(text: np.ndarray, chunk: pa.Array, out: np.ndarray) -> None:
    """Rows of ISO 8601 bytes (the non-null cells of ``chunk``) cast into ``out``'s seconds."""
    size = text.shape[1]
    offsets = np.arange(0, (len(text) + 1) * size, size, dtype=np.int64)
    whole = pa.Array.from_buffers(
        pa.large_string(), len(text), [None, pa.py_buffer(offsets), pa.py_buffer(text)]
    )
    parsed = pc.cast(whole, pa.timestamp("s"))
    seconds = np.frombuffer(parsed.buffers()[1], np.int64)[: len(parsed)]
    if chunk.null_count:
        valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        out[:] = np.iinfo(np.int64).min  # NaT
        out[valid] = seconds
    else:
        out[:] = seconds


def _fixed_cells(chunk: pa.Array, length: int) -> np.ndarray | None:
    """The non-null cells of a text array as rows of ``length`` bytes, when all are that long.

    A view of the array's own bytes; ``None`` when a cell has another length (or a
    null cell holds bytes, so that the cells do not follow one another).
    """
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return None
    cells = cell_bytes(chunk)
    if cells is None:  # no byte: every cell null (or none)
        return None if len(chunk) > chunk.null_count else np.empty((0, length), np.uint8)
    offsets, data = cells
    sizes = np.diff(offsets)
    if chunk.null_count:  # a null holds no byte, the others ``length``
        valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if not np.array_equal(sizes, np.where(valid, length, 0)):
            return None
    elif not (sizes == length).all():
        return None
    return data[int(offsets[0]) : int(offsets[-1])].reshape(-1, length)


def _seconds(parsed: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A timestamp column as its own int64 array, the smallest int64 (NaT) where null."""
    chunks = parsed.chunks if isinstance(parsed, pa.ChunkedArray) else [parsed]
    out = np.empty(len(parsed), dtype=np.int64)
    at = 0
    for chunk in chunks:
        n, first = len(chunk), chunk.offset
        if n:
            out[at : at + n] = np.frombuffer(chunk.buffers()[1], np.int64)[first : first + n]
            if chunk.null_count:
                valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
                out[at : at + n][~valid] = np.iinfo(np.int64).min
        at += n
    return out


def _written_days(text: pa.Array, pattern: str) -> np.ndarray:
    """The day of month written in each cell of ``text`` written in full; NaN for the others.

    A cell is written in full when it is as long as ``pattern`` with every field at
    its full width and its separators at their places: its day is then two bytes at
    a known place (the regex took 0.6 s for the million such cells of 10,000,000).
    """
    written = np.full(len(text), np.nan)
    layout = _full_layout(pattern)
    cells = cell_bytes(text)
    if layout is None or cells is None:
        return written
    day, length, separators = layout
    offsets, data = cells
    rows = np.flatnonzero(_in_full_mask(text, length, separators))
    start = offsets[rows].astype(np.int64)
    tens = data[start + day] - np.uint8(48)  # a byte that is not a digit wraps above 9
    ones = data[start + day + 1] - np.uint8(48)
    full = (tens <= 9) & (ones <= 9)
    written[rows[full]] = 10.0 * tens[full] + ones[full]
    return written


@cache
def _full_layout(pattern: str) -> tuple[int, int, tuple[tuple[int, int], ...]] | None:
    """Where the day is, the length and the separators of ``pattern`` written in full.

    ``None`` when a field has no fixed width (month names, AM/PM) or there is no day.
    """
    place, day, separators = 0, None, []
    for part in re.split(r"(%.)", pattern):
        if part.startswith("%") and len(part) == 2:
            if part[1] not in _FULL_WIDTHS:
                return None
            day = place if part[1] == "d" else day
            place += _FULL_WIDTHS[part[1]]
            continue
        for byte in part.encode():
            separators.append((place, byte))
            place += 1
    return None if day is None else (day, place, tuple(separators))


def _parse_into(
    text: pa.Array, fmt: DateFormat, wanted: np.ndarray, out: np.ndarray, which: np.ndarray, k: int
) -> int:
    """Read the ``wanted`` rows with ``fmt`` into ``out`` (``which`` = ``k``); how many it read.

    In blocks of rows, two at a time (``_blocks``): no array of the column's length
    beside ``out``.
    """

    def read(start: int, stop: int) -> int:
        parsed = _parse_with(text.slice(start, stop - start), fmt)
        hit = wanted[start:stop] & ~np.isnat(parsed)
        np.copyto(out[start:stop], parsed, where=hit)
        which[start:stop][hit] = k
        return int(np.count_nonzero(hit))

    return sum(each_block(read, len(text)))


def _choose_formats(sample: pa.Array, allowed: tuple[DateFormat, ...]) -> tuple[DateFormat, ...]:
    remaining = sample
    chosen: list[DateFormat] = []
    for _ in range(4):
        if len(remaining) == 0:
            break
        best, best_hits, best_mask = None, 0, None
        for fmt in allowed:
            if fmt in chosen:
                continue
            hits_mask = ~np.isnat(_parse_with(remaining, fmt))
            hits = int(hits_mask.sum())
            if hits > best_hits:
                best, best_hits, best_mask = fmt, hits, hits_mask
        if best is None or best_mask is None:
            break
        chosen.append(best)
        remaining = remaining.filter(pa.array(~best_mask))
    return tuple(chosen)


@dataclass(frozen=True)
class ParsedDates:
    """A parsed column: values, per-row precision code, unreadable rows, readings."""

    values: np.ndarray  # datetime64[s] for dates; timedelta64[s] time of day for times
    precision: np.ndarray  # int8 PRECISION_CODES, -1 where missing
    unreadable: np.ndarray  # bool: text present but not a date
    readings: tuple[Message, ...]


def parse_column(values: pa.Array, plan: DatePlan) -> ParsedDates:
    """Read a whole column with its plan (vectorised; no loop over rows)."""
    n = len(values)
    present = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if plan.numeric is not None:
        return _parse_numeric(values, plan, present)
    text = _normalise(values, plan.strip_fraction, plan.strip_timezone)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    which = np.full(n, -1, dtype=np.int16)
    candidates = DATE_FORMATS if plan.kind == "date" else TIME_FORMATS
    fallbacks = tuple(
        f
        for f in candidates
        if f not in plan.formats and (f.order is None or f.order == plan.order)
    )
    formats = plan.formats + fallbacks
    counts = np.zeros(len(formats), dtype=np.int64)  # rows read by each format
    todo, todo_text = None, None  # the rows not read yet, and their text, once few
    for k, fmt in enumerate(formats):
        if todo is None:
            wanted = present & np.isnat(out)
            left = int(wanted.sum())
        else:
            left = len(todo)
        if not left:
            break
        if k >= len(plan.formats) and left > 50_000:
            # a big remainder: the sample missed nothing useful; only the chosen formats apply
            break
        if k == 0 or left > n // 2:
            # the first format, or one for most rows: the whole column (a null parses as
            # NaT at no cost), not a copy of its wanted rows' text and a scatter back
            counts[k] = _parse_into(text, fmt, wanted, out, which, k)
            continue
        if todo is None:
            # the rows left, taken once (by a mask: block by block), then fewer after each
            # format (a column's masks for each of 40 formats took 0.6 s at 10,000,000 rows)
            todo = np.flatnonzero(wanted)
            todo_text = text.filter(pa.array(wanted)).combine_chunks()
        parsed = _parse_with(todo_text, fmt)
        hit = ~np.isnat(parsed)
        out[todo[hit]] = parsed[hit]
        which[todo[hit]] = k
        counts[k] = np.count_nonzero(hit)
        todo, todo_text = todo[~hit], todo_text.filter(pa.array(~hit))
    unreadable = present & np.isnat(out)
    # each row's precision by its format in one pass (-1, no format, takes the last entry;
    # counted in the loop: a bincount of 10,000,000 rows took 0.28 s for its 64-bit copy)
    codes = np.array([PRECISION_CODES[f.precision] for f in formats] + [-1], dtype=np.int8)
    precision = codes[which]
    readings: list[Message] = []
    for k, fmt in enumerate(formats):
        count = int(counts[k])
        if not count:
            continue
        key = "ingest.reading.dates_month" if fmt.precision == "month" else "ingest.reading.dates"
        if plan.kind == "time":
            key = "ingest.reading.times"
        readings.append(Message(key, {"column": plan.column, "pattern": fmt.label, "n": count}))
    if plan.kind == "time":
        ok = ~np.isnat(out)
        tod = np.full(n, np.timedelta64("NaT"), dtype="timedelta64[s]")
        tod[ok] = out[ok] - out[ok].astype("datetime64[D]")
        return ParsedDates(tod, precision, unreadable, tuple(readings))
    minute = precision == 0
    if minute.any() and _all_midnight(out, minute):
        precision[minute] = PRECISION_CODES["day"]
        readings.append(Message("ingest.reading.dates_midnight", {"column": plan.column}))
    if plan.cell_type == "datetime":
        readings.insert(0, Message("ingest.reading.dates_excel_cells", {"column": plan.column}))
    if plan.strip_timezone:
        readings.append(Message("ingest.reading.dates_timezone", {"column": plan.column}))
    readings.extend(_order_readings(plan))
    return ParsedDates(out, precision, unreadable, tuple(readings))


def _all_midnight(values: np.ndarray, rows: np.ndarray) -> bool:
    """Whether every date-time of ``rows`` is at 00:00:00 (seconds since 1970, whole days).

    The first rows answer most columns (one with a time gives it away at once); the
    rest is read only when they are all at midnight.
    """
    seconds = values.view(np.int64)
    head = 100_000
    if (seconds[:head][rows[:head]] % 86_400).any():
        return False
    return not (seconds[head:][rows[head:]] % 86_400).any()


def _order_readings(plan: DatePlan) -> list[Message]:
    if plan.order_source == "data" and plan.order == "dmy":
        return [
            Message(
                "ingest.reading.order_day_first",
                {"column": plan.column, "n": plan.day_first_rows},
            )
        ]
    if plan.order_source == "data" and plan.order == "mdy":
        return [
            Message(
                "ingest.reading.order_month_first",
                {"column": plan.column, "n": plan.month_first_rows},
            )
        ]
    if plan.order_source == "user":
        return [Message(f"ingest.reading.order_user_{plan.order}", {"column": plan.column})]
    return []


def _parse_numeric(values: pa.Array, plan: DatePlan, present: np.ndarray) -> ParsedDates:
    n = len(values)
    ok_text = pc.fill_null(pc.match_substring_regex(values, _NUMERIC), False)
    numbers = np.asarray(
        pc.cast(pc.if_else(ok_text, values, None), pa.float64()).to_numpy(zero_copy_only=False),
        dtype=float,
    )
    precision = np.full(n, -1, dtype=np.int8)
    if plan.numeric == "excel_time":
        good = np.isfinite(numbers) & (numbers >= 0) & (numbers < 1)
        tod = np.full(n, np.timedelta64("NaT"), dtype="timedelta64[s]")
        tod[good] = np.round(numbers[good] * 86400).astype(np.int64).astype("timedelta64[s]")
        precision[good] = PRECISION_CODES["minute"]
        reading = Message(
            "ingest.reading.times_excel", {"column": plan.column, "n": int(good.sum())}
        )
        return ParsedDates(tod, precision, present & ~good, (reading,))
    seconds = np.where(np.isfinite(numbers), np.round(numbers * 86400), np.nan)
    low = (np.datetime64(f"{_YEAR_MIN}-01-01T00:00:00", "s") - _EXCEL_EPOCH).astype(np.int64)
    high = (np.datetime64(f"{_YEAR_MAX}-01-01T00:00:00", "s") - _EXCEL_EPOCH).astype(np.int64)
    good = np.isfinite(seconds) & (seconds >= low) & (seconds < high)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    out[good] = _EXCEL_EPOCH + seconds[good].astype(np.int64).astype("timedelta64[s]")
    whole = good & (seconds % 86400 == 0)
    precision[whole] = PRECISION_CODES["day"]
    precision[good & ~whole] = PRECISION_CODES["minute"]
    reading = Message(
        "ingest.reading.dates_excel_serial", {"column": plan.column, "n": int(good.sum())}
    )
    return ParsedDates(out, precision, present & ~good, (reading,))
