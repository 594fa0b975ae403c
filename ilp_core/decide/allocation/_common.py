"""Small helpers shared by the allocation modules: tolerances, figures in messages, settings."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any, Final

import numpy as np
import pandas as pd

EPS: Final[float] = 1e-9


def listing(items: Sequence[Any], limit: int = 5) -> str:
    """The first ``limit`` names for a message, and how many more there are."""
    names = [str(i) for i in items]
    if not names:
        return "—"
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" (+{len(names) - limit})"


def num(value: float) -> int | float:
    """A figure for a message: an int when whole (formatted per language), else 2 decimals."""
    value = float(value)
    return int(round(value)) if abs(value - round(value)) < 1e-9 else round(value, 2)


def plain(value: Any) -> Any:
    """A setting as a JSON-ready number (an int when whole), ``None`` kept."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def plain_bound(value: Any) -> Any:
    """A bound (one number or a Series by area) as a JSON-ready setting."""
    if isinstance(value, pd.Series):
        return {str(k): plain(v) for k, v in value.items()}
    is_number = isinstance(value, Real) and not isinstance(value, bool | np.bool_)
    return plain(value) if is_number and not np.isnan(value) else value
