"""Checks of function arguments, shared by the whole library: one function per kind of value.

Every public function validates its arguments at the boundary with these, so a
wrong value gives the same clear, translated message wherever it is passed
(``checks.option``, ``checks.flag``, ``checks.whole``, ``checks.number``,
``checks.share``, ``checks.missing_columns``, ``checks.coordinates``), names the
argument, and says what is expected. Each check returns the value in its plain
Python type (``numpy.int64(3)`` becomes ``3``), so callers can use what it returns.
Saved files a user uploads (a workspace, an assessment, a column mapping) are
parsed with :func:`json_document`, within the limits of :mod:`ilp_core.limits`.

Booleans are never numbers here (``True`` is not a count of 1), and NaN or
infinite values are never numbers either.

Examples
--------
>>> option("kernel", "quartic", ("quartic", "gaussian"))
'quartic'
>>> whole("permutations", 99, minimum=1)
99
>>> try:
...     share("alpha", 1.5)
... except IlpInputError as error:
...     print(error.message.key)
checks.share
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Collection, Iterable
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import yaml

from ilp_core import _yaml, limits
from ilp_core.errors import IlpInputError

T = TypeVar("T")


def option(name: str, value: T, allowed: Collection[T]) -> T:
    """Return ``value`` when it is one of ``allowed``; otherwise raise ``checks.option``.

    Examples
    --------
    >>> option("unit", "grid", ("grid", "district"))
    'grid'
    """
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value checked against a set
        ok = False
    if not ok:
        shown = ", ".join(str(a) for a in allowed)
        raise IlpInputError("checks.option", name=name, value=_shown(value), allowed=shown)
    return value


def flag(name: str, value: Any) -> bool:
    """Return ``value`` as a bool when it is ``True`` or ``False``; otherwise raise ``checks.flag``.

    Examples
    --------
    >>> flag("fdr", np.True_)
    True
    """
    if not isinstance(value, bool | np.bool_):
        raise IlpInputError("checks.flag", name=name, value=_shown(value))
    return bool(value)


def whole(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int when it is a whole number in ``[minimum, maximum]``.

    Raises ``checks.whole`` otherwise (a float such as ``3.0`` is refused: a count
    or a seed is typed as a whole number).

    Examples
    --------
    >>> whole("seed", np.int64(7), minimum=0)
    7
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, Integral):
        raise IlpInputError(
            "checks.whole", name=name, value=_shown(value), range=_range(minimum, maximum)
        )
    number_ = int(value)
    if (minimum is not None and number_ < minimum) or (maximum is not None and number_ > maximum):
        raise IlpInputError(
            "checks.whole", name=name, value=_shown(value), range=_range(minimum, maximum)
        )
    return number_


def seed(name: str, value: Any) -> int:
    """Return a random seed: a whole number from 0 to 2**32 - 1 (``checks.whole`` otherwise).

    Examples
    --------
    >>> seed("seed", 12345)
    12345
    """
    return whole(name, value, minimum=0, maximum=2**32 - 1)


def number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    """Return ``value`` as a float when it is a finite number within the bounds.

    ``minimum`` and ``maximum`` are inclusive, ``above`` is exclusive (``above=0``:
    strictly positive). Raises ``checks.number`` otherwise.

    Examples
    --------
    >>> number("bandwidth", 250, above=0)
    250.0
    """
    ok = isinstance(value, Real) and not isinstance(value, bool | np.bool_)
    number_ = float(value) if ok else math.nan
    ok = ok and math.isfinite(number_)
    ok = ok and (minimum is None or number_ >= minimum)
    ok = ok and (maximum is None or number_ <= maximum)
    ok = ok and (above is None or number_ > above)
    if not ok:
        low = (
            f"> {_num(above)}"
            if above is not None
            else (f"≥ {_num(minimum)}" if minimum is not None else "")
        )
        high = f"≤ {_num(maximum)}" if maximum is not None else ""
        bounds = ", ".join(b for b in (low, high) if b) or "—"
        raise IlpInputError("checks.number", name=name, value=_shown(value), range=bounds)
    return number_


def positive(name: str, value: Any) -> float:
    """Return a finite number above zero as a float (``checks.number`` otherwise).

    Examples
    --------
    >>> positive("cell_size", 100)
    100.0
    """
    return number(name, value, above=0.0)


def share(name: str, value: Any) -> float:
    """Return a share above 0 and at most 1 as a float; otherwise raise ``checks.share``.

    Examples
    --------
    >>> share("alpha", 0.05)
    0.05
    """
    ok = isinstance(value, Real) and not isinstance(value, bool | np.bool_)
    if not ok or not 0.0 < float(value) <= 1.0:  # NaN fails the comparison too
        raise IlpInputError("checks.share", name=name, value=_shown(value))
    return float(value)


def columns(frame: pd.DataFrame, required: Iterable[str], *, table: str = "") -> None:
    """Raise ``checks.missing_columns`` naming every column of ``required`` that ``frame`` lacks.

    ``table`` names the table for the message (``"incidents"``, ``"requirements"``...);
    a ``frame`` that is not a table at all raises ``checks.not_a_table``.

    Examples
    --------
    >>> columns(pd.DataFrame({"lat": [], "lon": []}), ("lat", "lon"))
    """
    if not isinstance(frame, pd.DataFrame):
        raise IlpInputError("checks.not_a_table", table=table or "—", value=_shown(frame))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise IlpInputError(
            "checks.missing_columns",
            columns=missing,
            names=", ".join(missing),
            table=table or "—",
        )


def json_document(source: str | bytes, *, yaml_too: bool = False) -> Any:
    r"""Parse a saved JSON (or YAML) file a user uploads, within the document limits.

    Size, nesting depth and number of values are bounded (``max_document_bytes``,
    ``max_document_depth``, ``max_document_nodes`` of :mod:`ilp_core.limits`), so a
    file nested 1,000 levels deep or a YAML file whose aliases repeat a list a
    billion times gives a message instead of a ``RecursionError`` or exhausted
    memory; JSON's non-standard ``NaN`` and ``Infinity`` are refused.

    Parameters
    ----------
    source
        The file's content (UTF-8 bytes, a byte-order mark allowed, or text).
    yaml_too
        Read YAML when the text is not JSON.

    Returns
    -------
    Any
        The parsed value (dicts, lists, strings, numbers, booleans, None).

    Raises
    ------
    IlpInputError
        ``checks.document_too_large``, ``checks.document_too_deep`` or
        ``checks.document_too_many``.
    ValueError
        (not an ``IlpInputError``) when the text is not JSON (or YAML), or holds a
        lone surrogate (``"\ud800"``, which no UTF-8 table or download can hold):
        the caller names its own kind of file in its message, so catch
        ``IlpInputError`` first.

    Examples
    --------
    >>> json_document('{"a": [1, 2]}')
    {'a': [1, 2]}
    >>> try:
    ...     json_document("[" * 1000 + "]" * 1000)
    ... except IlpInputError as error:
    ...     print(error.message.key)
    checks.document_too_deep
    """
    bound = limits.current()
    size = len(source.encode("utf-8")) if isinstance(source, str) else len(source)
    if size > bound.max_document_bytes:
        raise IlpInputError(
            "checks.document_too_large",
            value=_megabytes(size),
            limit=_megabytes(bound.max_document_bytes),
        )
    if isinstance(source, bytes | bytearray | memoryview):
        source = bytes(source).decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    try:
        try:
            data = json.loads(source, parse_constant=_refuse_constant)
        except json.JSONDecodeError:
            if not yaml_too:
                raise
            try:
                data = _yaml.load(source)
            except yaml.YAMLError as error:
                raise ValueError(str(error)) from None
    except RecursionError:
        raise IlpInputError("checks.document_too_deep", limit=bound.max_document_depth) from None
    _check_shape(data, bound.max_document_depth, bound.max_document_nodes)
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_shape(value: Any, max_depth: int, max_nodes: int) -> None:
    """Count values and nesting without recursion (aliases count at every use)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > max_depth:
            raise IlpInputError("checks.document_too_deep", limit=max_depth)
        if isinstance(item, dict):
            width = 2 * len(item)
        elif isinstance(item, list | tuple):
            width = len(item)
        else:
            if isinstance(item, str) and not item.isascii():
                item.encode("utf-8")  # a lone surrogate ("\ud800" in JSON): UnicodeEncodeError
            continue
        if nodes + len(stack) + width > max_nodes:
            raise IlpInputError("checks.document_too_many", limit=max_nodes)
        if isinstance(item, dict):
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)


def _megabytes(n_bytes: int) -> int:
    return max(1, math.ceil(n_bytes / 1_000_000))


def date(name: str, value: Any) -> dt.date:
    """Return a calendar date (a datetime or Timestamp counts as its day); else ``checks.date``.

    Examples
    --------
    >>> date("end", pd.Timestamp("2024-03-18 23:45"))
    datetime.date(2024, 3, 18)
    """
    if isinstance(value, np.datetime64) and not np.isnat(value):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise IlpInputError("checks.date", name=name, value=_shown(value))


def coordinates(
    lat: Any, lon: Any, *, table: str = "", rows: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return latitudes and longitudes as floats; raise when any is impossible.

    Missing coordinates (NaN) are allowed: such rows are simply not geolocated.
    A latitude beyond +-90, a longitude beyond +-180, an infinite value or a
    value that is not a number raises ``checks.coordinates``, naming how many
    rows and the first of them (a table loaded on the Data page never has such
    rows: they are rejected there). ``rows`` are the row numbers the user knows
    (a canonical table's ``source_row``); by default 1, 2, 3...

    Examples
    --------
    >>> coordinates([45.5, float("nan")], [-30.5, 2.0])[0].tolist()
    [45.5, nan]
    >>> try:
    ...     coordinates([95.0], [2.0], table="incidents")
    ... except IlpInputError as error:
    ...     print(error.message.key, error.rows)
    checks.coordinates (1,)
    """
    try:
        la = np.asarray(lat, dtype=float)
        lo = np.asarray(lon, dtype=float)
    except (TypeError, ValueError):
        raise IlpInputError(
            "checks.coordinates_unreadable", columns=("lat", "lon"), table=table or "—"
        ) from None
    if _within(la, 90.0) and _within(lo, 180.0):
        return la, lo  # every known value within bounds: no masks of every row
    known = ~(np.isnan(la) | np.isnan(lo))
    bad = known & ~((np.abs(la) <= 90) & (np.abs(lo) <= 180))
    if bad.any():
        where = np.flatnonzero(bad)
        first = int(where[0])
        labels = np.arange(1, len(la) + 1) if rows is None else np.asarray(rows)
        raise IlpInputError(
            "checks.coordinates",
            rows=tuple(int(i) for i in labels[where[:20]]),
            columns=("lat", "lon"),
            n=int(bad.sum()),
            table=table or "—",
            row=int(labels[first]),
            lat=_shown(float(la[first])),
            lon=_shown(float(lo[first])),
        )
    return la, lo


def _within(values: np.ndarray, bound: float) -> bool:
    """Every value that is not NaN lies within ``-bound..bound`` (False when all are NaN).

    Two reductions that skip NaN, without a mask of every row: the checks of
    10,000,000 coordinates took 0.1 s (0.25 s in a new process) in masks and
    absolute values.
    """
    if values.size == 0:
        return True
    return bool(np.fmin.reduce(values) >= -bound) and bool(np.fmax.reduce(values) <= bound)


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _num(value: float) -> str:
    return f"{value:g}"


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{minimum}…{maximum}"
    if minimum is not None:
        return f"≥ {minimum}"
    if maximum is not None:
        return f"≤ {maximum}"
    return "—"
