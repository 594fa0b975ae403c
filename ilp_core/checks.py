"""Checks of function arguments, shared by the whole library: one function per kind of value.

Every public function validates its arguments at the boundary with these, so a
wrong value gives the same clear, translated message wherever it is passed
(``checks.option``, ``checks.flag``, ``checks.whole``, ``checks.number``,
``checks.share``, ``checks.missing_columns``), names the argument, and says what is
expected. Each check returns the value in its plain Python type (``numpy.int64(3)``
becomes ``3``), so callers can use what it returns.

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

import math
from collections.abc import Collection, Iterable
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np
import pandas as pd

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

    ``table`` names the table for the message (``"incidents"``, ``"requirements"``...).

    Examples
    --------
    >>> columns(pd.DataFrame({"lat": [], "lon": []}), ("lat", "lon"))
    """
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise IlpInputError(
            "checks.missing_columns",
            columns=missing,
            names=", ".join(missing),
            table=table or "—",
        )


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
