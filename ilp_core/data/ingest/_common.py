"""Plumbing shared by the ingest modules: the synonym file, name normalisation, text cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilp_core import _yaml
from ilp_core.data import schema
from ilp_core.data.ingest._blocks import each_block, take_rows
from ilp_core.errors import IlpInputError

_SEPARATORS = re.compile(r"[\s_\-./()\[\],:;'’`\"]+")


def normalise_name(name: str) -> str:
    """Return a header name in the form the synonym file compares.

    Lower case, accents and diacritics removed (on both sides, so Cyrillic "й" and
    "и" compare equal, which no header relies on), separators collapsed to a space.

    Examples
    --------
    >>> normalise_name("  Date_of-Offence ")
    'date of offence'
    >>> normalise_name("Catégorie")
    'categorie'
    """
    text = unicodedata.normalize("NFKD", str(name)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", text).strip()


@cache
def config() -> dict[str, Any]:
    """Return the parsed ``config/column_synonyms.yaml`` (read once per process).

    A broken file is a deployment error (the trainer's edit did not parse) and
    raises ``ValueError`` naming the problem.
    """
    path = resources.files("ilp_core") / "config" / "column_synonyms.yaml"
    data = _yaml.load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise ValueError("column_synonyms.yaml must have a 'fields' mapping")
    unknown = set(map(str, data["fields"])) - set(schema.MAPPABLE_FIELDS)
    if unknown:
        raise ValueError(f"column_synonyms.yaml names unknown fields {sorted(unknown)}")
    return data


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Return field -> normalised synonyms, the field's own name first.

    ``date`` is the exception: a column called "Date" usually holds date and time,
    so the word is a synonym of ``datetime`` (a separate time column turns it into
    ``date``, see ``suggest_mapping``).
    """
    out: dict[str, tuple[str, ...]] = {}
    for field in schema.MAPPABLE_FIELDS:
        own = [] if field == "date" else [field]
        names = [*own, *(str(s) for s in (config()["fields"].get(field) or ()))]
        seen: dict[str, None] = {}
        for name in names:
            norm = normalise_name(name)
            if norm:
                seen.setdefault(norm, None)
        out[field] = tuple(seen)
    return out


@cache
def missing_tokens() -> frozenset[str]:
    """Cell values read as "no value" besides the empty cell (lower case)."""
    return frozenset(str(v).strip().lower() for v in config().get("missing_values") or ())


def read_source(
    source: str | Path | bytes | bytearray | memoryview | BinaryIO, filename: str | None
) -> tuple[bytes, str]:
    """Return the bytes of an upload or file and the name to show for it.

    Paths are read, bytes are used as they are, file-like objects are read to the
    end: everything stays in memory.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename or "upload"
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise IlpInputError("ingest.file_not_found", name=str(path)) from None
        except IsADirectoryError:
            raise IlpInputError("ingest.file_not_found", name=str(path)) from None
        return data, filename or path.name
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = filename or Path(str(getattr(source, "name", "upload"))).name
        return bytes(data), name
    raise IlpInputError("ingest.source_type", kind=type(source).__name__)


@cache
def _missing_variants() -> pa.Array:
    """The "no value" words in the spellings met in exports (na, NA, Na, ...)."""
    words: set[str] = set()
    for word in missing_tokens():
        words |= {word, word.upper(), word.title(), word.capitalize()}
    return pa.array(sorted(words), pa.large_string())


def cell_bytes(text: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """A text array's cell offsets (one more than its cells) and its bytes, as views.

    ``None`` for an array of another type, or without any byte.
    """
    kind = text.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    buffers = text.buffers()
    if buffers[2] is None or not len(text):
        return None
    offsets = np.frombuffer(
        buffers[1], dtype=np.int64 if pa.types.is_large_string(kind) else np.int32
    )[text.offset : text.offset + len(text) + 1]
    return offsets, np.frombuffer(buffers[2], dtype=np.uint8)


def _text_size(values: pa.Array | pa.ChunkedArray) -> int:
    """The bytes of a text array's cells, read from its offsets (no array of lengths)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    total = 0
    for chunk in chunks:
        cells = cell_bytes(chunk)
        if cells is not None:
            total += int(cells[0][-1] - cells[0][0])
    return total


def clean_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Trim spaces and turn empty cells and "no value" words (``NA``, ``NULL``) into nulls.

    Kept in the blocks it comes in (Arrow's kernels run block by block): joining a
    10,000,000-row file's columns took 3.7 s and 1.4 GB beside the read text. Only
    the cells of four bytes or less are looked up among the "no value" words (a
    million coordinates: 32 -> 20 ms; a million end dates, mostly empty: 58 -> 26 ms).
    """
    arr = values
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    trimmed = pc.utf8_trim_whitespace(arr)
    # trimming only shortens cells: as many bytes after as before, nothing was trimmed
    # (read from the offsets: summing every cell's length took 0.4 s at 10,000,000 rows)
    if _text_size(trimmed) == _text_size(arr):
        trimmed = arr  # keep the original buffers, free the copy
    lengths = pc.binary_length(trimmed)
    short = pc.fill_null(pc.less_equal(lengths, 4), False)
    if not pc.any(short).as_py():
        return trimmed  # no empty cell and no "NA"-like word: nothing to blank
    empty = pc.fill_null(pc.equal(lengths, 0), False)
    words = np.flatnonzero(
        np.asarray(pc.and_(short, pc.invert(empty)).to_numpy(zero_copy_only=False), dtype=bool)
    )
    if len(words):
        said = pc.is_in(take_rows(trimmed, words), _missing_variants())
        said = np.asarray(said.to_numpy(zero_copy_only=False), dtype=bool)
        if said.any():
            blank = np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool).copy()
            blank[words[said]] = True
            empty = pa.array(blank)
    if not pc.any(empty).as_py():
        return trimmed
    return pc.if_else(empty, pa.scalar(None, trimmed.type), trimmed)


def arrow_column(frame: Any, column: str) -> pa.Array | pa.ChunkedArray:
    """Return a text column of a raw frame as Arrow text, in its blocks (never copied).

    A column read by Arrow comes in the reader's blocks (a 10,000,000-row CSV: 863
    of them); every step of the build takes them as they are.
    """
    values = frame[column].array
    if hasattr(values, "__arrow_array__"):  # pandas' str (Arrow-backed): its own chunks
        arr = values.__arrow_array__()
    else:
        arr = pa.array(frame[column], from_pandas=True)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    return arr


_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def to_float(values: pa.Array, *, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Read decimal numbers from a text array, cleaned (:func:`clean_text`) where needed.

    Returns the values (NaN where missing or unreadable) and a mask of cells that
    had text but no readable number. ``decimal_comma`` reads ``55,7512`` as 55.7512.
    A cell's reading depends on that cell alone; a large column is read in blocks
    of rows, two at a time (``_blocks``).

    Uses Arrow's cast instead of ``pd.to_numeric``: 0.03 s against 2.5 s for
    1,000,000 cells on this machine (measured), and the same values (tested).
    """
    out = np.empty(len(values))
    bad = np.empty(len(values), dtype=bool)

    def read(start: int, stop: int) -> None:
        out[start:stop], bad[start:stop] = _to_float(
            values.slice(start, stop - start), decimal_comma
        )

    each_block(read, len(values))
    return out, bad


def _to_float(values: pa.Array, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    # the common case: every cell a plain number, read as the file has it (0.03 s per
    # 1,000,000); a block with spaces or "no value" words is cleaned first
    numbers = _plain_numbers(values, decimal_comma)
    if numbers is None:
        values = clean_text(values)
        numbers = _plain_numbers(values, decimal_comma)
    if numbers is not None:
        return numbers, np.zeros(len(values), dtype=bool)
    text = pc.replace_substring(values, ",", ".") if decimal_comma else values
    present = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    text = pc.replace_substring_regex(text, r"[\s°]+", "")
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    numbers = pc.if_else(ok, text, pa.scalar(None, text.type)).cast(pa.float64())
    bad = present & ~np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
    return np.array(numbers.to_numpy(zero_copy_only=False), dtype="float64", copy=True), bad


def _plain_numbers(values: pa.Array, decimal_comma: bool) -> np.ndarray | None:
    """Every cell with text read by Arrow's cast as a finite number; None when one is not."""
    text = pc.replace_substring(values, ",", ".") if decimal_comma else values
    try:
        out = np.array(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False), copy=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # Arrow's cast also reads "nan", "inf" and "Infinity", which are not numbers
    # written by hand: read by the rule of _NUMBER, as in a column with other bad cells
    return out if np.count_nonzero(np.isfinite(out)) == len(values) - values.null_count else None


def dictionary_codes(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct texts (in order of first appearance) and each row's index in them (-1: null).

    Arrow encodes a column in blocks against one dictionary, so only the indices
    are joined (4 bytes a row), never the text.
    """
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):  # its blocks share one dictionary
        encoded = encoded.combine_chunks()
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return as_numpy_str(encoded.dictionary), indices


def as_numpy_str(values: pa.Array) -> np.ndarray:
    """Return an Arrow text array as a NumPy object array (None for nulls)."""
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)


def msg_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return message parameters with NumPy scalars turned into plain Python values."""
    out = {}
    for key, value in params.items():
        if isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            value = float(value)
        out[key] = value
    return out


class RejectFlags:
    """Which rows are rejected, why, and in which column: the first reason wins.

    Rows carry a small integer pointing to a ``(reason, column, expected)`` label,
    so flagging 1,000,000 rows costs a few array operations, not Python objects.
    """

    def __init__(self, n: int) -> None:
        self.code = np.zeros(n, dtype=np.int16)
        self.labels: list[tuple[str, str | None, str | None]] = [("", None, None)]

    def flag(
        self, mask: np.ndarray, reason: str, column: str | None, expected: str | None = None
    ) -> None:
        """Reject the rows of ``mask`` not rejected yet, with this reason."""
        hit = mask & (self.code == 0)
        if not hit.any():
            return
        label = (reason, column, expected)
        if label not in self.labels:
            self.labels.append(label)
        self.code[hit] = self.labels.index(label)

    @property
    def ok(self) -> np.ndarray:
        """Rows not rejected."""
        return self.code == 0
