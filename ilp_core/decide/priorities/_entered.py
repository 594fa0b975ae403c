"""Values the analyst or the workshop enters for each problem, with a confidence for each.

:func:`entered_template` lays out a table with every entered criterion at its
scale's default; :func:`_entered_arrays` reads such a table, checks every row
(criterion, value within its scale, confidence) and names the row that is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.decide.priorities._settings import Settings, settings
from ilp_core.errors import IlpInputError

#: Columns of an entered-values table (one row per problem and entered criterion).
ENTERED_COLUMNS: Final[tuple[str, ...]] = ("problem", "criterion", "value", "confidence")


def entered_template(problems: Iterable[str], cfg: Settings | None = None) -> pd.DataFrame:
    """Return an entered-values table with every value at its scale's default.

    A value nobody has assessed sits at the default of its scale (the middle for
    impacts, 0 for organised-crime indicators) with the default confidence (low),
    so the stability analysis treats it as very uncertain.

    Parameters
    ----------
    problems
        Problem ids.
    cfg
        Settings (default: the bundled file).

    Returns
    -------
    pandas.DataFrame
        ``problem``, ``criterion``, ``value``, ``confidence``.

    Examples
    --------
    >>> t = entered_template(["Robbery"])
    >>> row = t.loc[t["criterion"] == "vulnerability"].iloc[0]
    >>> float(row["value"]), str(row["confidence"])
    (2.0, 'low')
    """
    cfg = cfg or settings()
    names = [str(p) for p in problems]
    keys = list(cfg.entered)
    return pd.DataFrame(
        {
            "problem": pd.array(np.repeat(names, len(keys)), dtype="str"),
            "criterion": pd.array(np.tile(keys, len(names)), dtype="str"),
            "value": np.tile([cfg.criteria[k].default for k in keys], len(names)).astype(float),
            "confidence": pd.array(
                [cfg.default_confidence] * (len(names) * len(keys)), dtype="str"
            ),
        }
    )


@dataclass(frozen=True)
class _Entered:
    """Entered values of each problem (rows) and criterion (columns), with their confidence."""

    values: np.ndarray  # (P, E) raw values
    half_width: np.ndarray  # (P, E)
    level: np.ndarray  # (P, E)
    n_default: np.ndarray  # (P,) values not assessed


def _entered_arrays(
    entered: pd.DataFrame | None, problems: list[str], keys: list[str], cfg: Settings
) -> _Entered:
    """Read and check an entered-values table; values not given stay at their scale's default."""
    n_p, n_e = len(problems), len(keys)
    crit = [cfg.criteria[k] for k in keys]
    values = np.tile([c.default for c in crit], (n_p, 1)).astype(float)
    conf = np.full((n_p, n_e), cfg.default_confidence, dtype=object)
    given = np.zeros((n_p, n_e), dtype=bool)
    if entered is not None and len(entered):
        checks.columns(entered, ENTERED_COLUMNS, table="entered")
        p_pos = {p: i for i, p in enumerate(problems)}
        k_pos = {k: j for j, k in enumerate(keys)}
        seen: set[tuple[int, int]] = set()
        rows = zip(
            entered["problem"].astype("object"),
            entered["criterion"].astype("object"),
            entered["value"].astype("object"),
            entered["confidence"].astype("object"),
            strict=True,
        )
        for row, (problem, key, value, confidence) in enumerate(rows):
            if key not in cfg.criteria or cfg.criteria[str(key)].kind != "entered":
                raise IlpInputError(
                    "priorities.unknown_criterion",
                    rows=(row,),
                    criterion=str(key),
                    allowed=", ".join(cfg.entered),
                )
            if problem not in p_pos or key not in k_pos:
                continue  # another problem set (a filter), or a criterion not used here
            i, j = p_pos[problem], k_pos[key]
            c = cfg.criteria[str(key)]
            number = _as_number(value)
            if number is None:
                raise IlpInputError(
                    "priorities.missing_value",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                )
            if not c.low <= number <= c.high:
                raise IlpInputError(
                    "priorities.value_out_of_scale",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                    value=_fmt(number),
                    low=_fmt(c.low),
                    high=_fmt(c.high),
                )
            level = cfg.default_confidence if _is_blank(confidence) else str(confidence)
            if level not in cfg.half_width:
                raise IlpInputError(
                    "priorities.bad_confidence",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                    value=str(confidence),
                    allowed=", ".join(cfg.half_width),
                )
            if (i, j) in seen:
                raise IlpInputError(
                    "priorities.entered_duplicate",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                )
            seen.add((i, j))
            values[i, j], conf[i, j], given[i, j] = number, level, True
    half = np.vectorize(lambda c: cfg.half_width[c], otypes=[float])(conf) if conf.size else conf
    level = np.vectorize(lambda c: cfg.level[c], otypes=[float])(conf) if conf.size else conf
    return _Entered(
        values=values,
        half_width=np.asarray(half, dtype=float).reshape(n_p, n_e),
        level=np.asarray(level, dtype=float).reshape(n_p, n_e),
        n_default=(~given).sum(axis=1),
    )


def _is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, NaN or "")."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _as_number(value: Any) -> float | None:
    """A cell as a number; None when blank, infinity when not a number (out of any scale)."""
    if isinstance(value, bool) or _is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.inf  # not a number: reported as out of the scale, with the value
    return None if math.isnan(number) else number


def _fmt(value: float) -> str:
    """A number as a message shows it (7, 2.5)."""
    return f"{value:g}"
