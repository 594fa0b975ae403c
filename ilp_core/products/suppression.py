"""Small-count suppression: what a report "for wider release" may show of its counts.

A strategic assessment shared beyond the police (partners, councils, the public)
must not let a reader pick out a victim or an offender. The usual rule of
official crime statistics is that a count of fewer than ``k`` incidents (5 by
default) is not published: it is shown as ``<5`` (*primary suppression*). A
suppressed cell must also not be recoverable from a total: if a column of
counts adds up to a published total and only one cell is hidden, the total
minus the others gives it back. *Secondary (complementary) suppression* hides
further cells until no hidden cell can be worked out exactly from the total,
whatever the reader knows about the symbols (a ``<5`` cell holds 1 to ``k - 1``
incidents, a withheld ``[c]`` cell at least ``k``): :func:`suppress_counts`
checks this by computing, for every hidden cell, the interval of values that are
consistent with the total and the other cells, and keeps hiding the smallest
cell above ``k`` until every interval holds at least two values.

A reader who ignores the symbols still has the total: hidden cells must hold ``k``
or more together, so each one's range of values consistent with the total (0 to
their sum) is ``k`` wide, the criterion of a disclosure audit by linear
programming. Two-way tables whose row, column and grand totals a reader may know
(the hour x weekday heat map) go through :func:`suppress_masked`, which hides
further cells until every hidden cell's feasible range, found with
:func:`scipy.optimize.linprog`, is at least ``k`` wide.

The choice depends only on the values and the labels (ties are broken by label),
so the same counts get the same cells hidden in every table of a report: one
table cannot give away what another hides.

Totals that a report states as scalars (rows read, incidents in view) are
rounded (:func:`round_count`), and rows whose own count is below ``k`` are left
out of tables and map layers where the other columns would reveal the count
(:func:`small_rows`).

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 4
(cell suppression, the protection interval of a suppressed cell).
Office for National Statistics (2021). *Policy on protecting confidentiality in
tables of birth and death statistics* (threshold suppression, rounding).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ilp_core.errors import IlpInputError

#: Default threshold: counts of 1 to 4 incidents are not published.
DEFAULT_K: Final[int] = 5
#: Largest threshold accepted (a larger one would hide most tables of a small force).
MAX_K: Final[int] = 100
#: Base to which stated totals are rounded in a report for wider release.
ROUND_BASE: Final[int] = 10

#: Cell states in :attr:`Suppression.state`.
SHOWN: Final[str] = "shown"
PRIMARY: Final[str] = "primary"
SECONDARY: Final[str] = "secondary"


def check_k(k: object) -> int:
    """Return ``k`` as an int, or raise when it is not a threshold from 2 to :data:`MAX_K`.

    Examples
    --------
    >>> check_k(5)
    5
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 2 <= int(k) <= MAX_K:
        raise IlpInputError("report.bad_k", value=str(k), high=MAX_K)
    return int(k)


@dataclass(frozen=True)
class Suppression:
    """Which cells of a column of counts are shown, and which are hidden and why.

    Attributes
    ----------
    state
        One entry per cell: ``"shown"``, ``"primary"`` (1 to ``k - 1``
        incidents, shown as ``<k``) or ``"secondary"`` (``k`` or more, withheld
        so the primary cells cannot be worked out from the total, shown as ``[c]``).
    total_shown
        Whether the column's total may be published: ``False`` only when there
        were not enough cells to protect the small ones (the total must then be
        withheld as well).
    k
        The threshold used.
    """

    state: tuple[str, ...]
    total_shown: bool
    k: int

    @property
    def hidden(self) -> np.ndarray:
        """Boolean mask of the cells not published."""
        return np.array([s != SHOWN for s in self.state], dtype=bool)


def suppress_counts(
    values: Sequence[float] | np.ndarray | pd.Series,
    k: int = DEFAULT_K,
    *,
    labels: Sequence[object] | None = None,
) -> Suppression:
    """Hide the counts below ``k`` and enough others that the total cannot give them back.

    Zero counts are shown (an empty category identifies nobody). Every count
    from 1 to ``k - 1`` is hidden (primary). Then, while some hidden cell could
    be worked out exactly from the column total (its interval of consistent
    values, given the total, the shown cells and what the symbols say about the
    other hidden cells, holds a single value), the smallest shown cell above
    ``k`` (or at ``k`` when none is above) is hidden too (secondary). Ties are
    broken by label, then by position.

    Parameters
    ----------
    values
        Non-negative counts of one column (incidents per offence, per district).
    k
        Threshold (default 5): counts below it are not published.
    labels
        Names of the cells (offences, districts), used to break ties so that the
        same counts get the same cells hidden in every table.

    Returns
    -------
    Suppression

    Raises
    ------
    IlpInputError
        ``report.bad_k`` for a threshold outside 2 to 100.

    References
    ----------
    Hundepool, A. et al. (2012). *Statistical Disclosure Control*, section 4.2.

    Examples
    --------
    One count of 3 among 120, 40 and 9: the 9 is withheld too, so the total
    (172) leaves 3 + 9 = 12 to share between a cell of 1-4 and one of 5 or more
    (1 + 11, 2 + 10, ...): neither can be worked out.

    >>> suppress_counts([120, 3, 40, 9]).state
    ('shown', 'primary', 'shown', 'secondary')

    Two small counts, 2 and 3, protect each other: 5 could be 1 + 4, 2 + 3, ...

    >>> suppress_counts([2, 3, 50]).state
    ('primary', 'primary', 'shown')

    But 1 and 1 do not (a total of 2 leaves no choice), so a third cell goes.

    >>> suppress_counts([1, 1, 50, 60]).state
    ('primary', 'primary', 'secondary', 'shown')
    """
    k = check_k(k)
    v = np.asarray(values, dtype=float)
    if np.any(~np.isfinite(v) | (v < 0)):
        raise ValueError("counts must be finite and non-negative")
    names = [str(x) for x in labels] if labels is not None else [""] * len(v)
    state = [PRIMARY if 0 < x < k else SHOWN for x in v]
    if PRIMARY not in state:
        return Suppression(tuple(state), True, k)
    while not _protected(v, state, k):
        candidates = [i for i, s in enumerate(state) if s == SHOWN and v[i] >= k]
        if not candidates:
            return Suppression(tuple(state), False, k)
        above = [i for i in candidates if v[i] > k] or candidates
        pick = min(above, key=lambda i: (v[i], names[i], i))
        state[pick] = SECONDARY
    return Suppression(tuple(state), True, k)


def _protected(v: np.ndarray, state: list[str], k: int) -> bool:
    """Whether every hidden cell has at least two values consistent with the total.

    A primary cell lies in ``[1, k - 1]``, a secondary one in ``[k, inf)``; the
    hidden cells add up to ``D`` (the total minus the shown cells). Cell ``i``
    then lies in ``[max(lo_i, D - sum of the others' highs), min(hi_i, D - sum
    of the others' lows)]``.
    """
    hidden = [i for i, s in enumerate(state) if s != SHOWN]
    if len(hidden) < 2 or float(v[hidden].sum()) < k:
        # A reader who ignores the symbols still has the total: alone, a hidden cell is
        # the total minus the others; together, hidden cells must hold k or more, so each
        # one's range of values consistent with the total (0 to their sum) is k wide.
        return False
    lo = np.array([1.0 if state[i] == PRIMARY else float(k) for i in hidden])
    hi = np.array([float(k - 1) if state[i] == PRIMARY else math.inf for i in hidden])
    total = float(v[hidden].sum())
    for j in range(len(hidden)):
        others_lo = lo.sum() - lo[j]
        rest = np.delete(hi, j)
        others_hi = float(rest.sum()) if np.isfinite(rest).all() else math.inf
        low = max(lo[j], total - others_hi)
        high = min(hi[j], total - others_lo)
        if high - low < 1:
            return False
    return True


Margin = Literal["rows", "columns", "total"]


def suppress_masked(
    values: np.ndarray | pd.DataFrame,
    k: int = DEFAULT_K,
    *,
    margins: Sequence[Margin] = ("rows", "columns", "total"),
) -> np.ndarray:
    """Mask of the cells of a table to hide: the small ones and enough others to protect them.

    For a two-way table (incidents by weekday and hour) whose row, column and grand
    totals may be published (or worked out from other figures), hiding the cells
    of 1 to ``k - 1`` incidents is not enough: a row total minus the cells shown
    gives a lone hidden cell back. Cells are hidden until every hidden cell's
    *feasible range* (the smallest and largest value it can take given the cells
    shown, the published ``margins`` and non-negative counts, found by linear
    programming as disclosure audits do) is at least ``k`` wide. Each round hides,
    in the row or column of a cell still too narrow, the smallest shown non-zero
    cell (ties by position): hiding a cell only widens the others' ranges.

    Parameters
    ----------
    values
        Non-negative counts (fractions allowed: aoristic counts), 2-D.
    k
        Threshold (default 5).
    margins
        The sums a reader knows: ``"rows"``, ``"columns"``, ``"total"``.

    Returns
    -------
    numpy.ndarray
        Boolean mask, ``True`` for a cell not to publish.

    References
    ----------
    Hundepool, A. et al. (2012). *Statistical Disclosure Control*, section 4.2
    (secondary suppression; the feasibility interval of a suppressed cell).

    Examples
    --------
    One small cell in a 3 x 3 table with its margins: three more cells go, so that
    the four form a rectangle no margin can undo.

    >>> suppress_masked(np.array([[2, 30, 40], [25, 50, 60], [35, 45, 55]])).astype(int)
    array([[1, 1, 0],
           [1, 1, 0],
           [0, 0, 0]])
    """
    k = check_k(k)
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    if v.ndim != 2 or np.any(v < -1e-9):
        raise ValueError("values must be a 2-D table of non-negative counts")
    v = np.clip(v, 0.0, None)  # aoristic shares summed in floating point: -1e-17 is 0
    hidden = (v > 0) & (v < k)
    lines = _lines(v.shape, margins)
    pending = [(int(a), int(b)) for a, b in np.argwhere(hidden)]  # cells not yet shown safe
    while pending:
        # Cheap tests first (a line that gives a cell away), then linear programming; a
        # cell found safe by LP stays safe: hiding more cells only widens its range.
        weak = next((c for c in pending if _given_away(v, hidden, c, lines, k)), None)
        if weak is None:
            weak = next((c for c in pending if _too_narrow(v, hidden, c, margins, k)), None)
            pending = pending[pending.index(weak) :] if weak is not None else []
        if weak is None:
            break
        # The line through the weak cell with the fewest hidden cells: a lone hidden
        # cell in a published line is its margin minus the cells shown.
        # A line that gives a hidden cell away (alone in it, or hidden cells summing
        # below k): through the weak cell if one does, else anywhere; then the line
        # through the weak cell with the fewest hidden cells.
        open_lines = [m for m in lines if (m & hidden).any() and _gives_away(m, v, hidden, k)]
        through = [m for m in lines if m[weak]] or [np.ones_like(hidden)]
        line = min(
            [m for m in open_lines if m[weak]] or open_lines or through,
            key=lambda m: (int((m & hidden).sum()), float(v[m & hidden].sum())),
        )
        candidates = np.argwhere(line & ~hidden & (v > 0))
        if not len(candidates):
            candidates = np.argwhere(~hidden & (v > 0))
        if not len(candidates):
            break  # everything non-zero is hidden already
        # Prefer a cell whose other line already holds a hidden cell (it closes a
        # rectangle that no margin can undo), then the smallest count.
        crossing = [m for m in lines if not m.all() and not (m == line).all()]
        pick = min(candidates, key=lambda c: _cost(c, v, hidden, crossing))
        hidden[pick[0], pick[1]] = True
        pending.append((int(pick[0]), int(pick[1])))
    return hidden


def _given_away(
    v: np.ndarray, hidden: np.ndarray, cell: tuple[int, int], lines: list[np.ndarray], k: int
) -> bool:
    """Whether a published line through ``cell`` gives it away (no LP needed)."""
    return any(line[cell] and _gives_away(line, v, hidden, k) for line in lines)


def _too_narrow(
    v: np.ndarray, hidden: np.ndarray, cell: tuple[int, int], margins: Any, k: int
) -> bool:
    """Whether ``cell``'s feasible range is under ``k`` wide (linear programming)."""
    return _range_width(v, hidden, cell, margins) < k - 1e-6


def _gives_away(line: np.ndarray, v: np.ndarray, hidden: np.ndarray, k: int) -> bool:
    """Alone in a published line, or the line's hidden cells sum below ``k``."""
    return int((line & hidden).sum()) < 2 or float(v[line & hidden].sum()) < k


def _cost(
    c: np.ndarray, v: np.ndarray, hidden: np.ndarray, crossing: list[np.ndarray]
) -> tuple[bool, float, int, int]:
    alone = not any((m & hidden).any() for m in crossing if m[c[0], c[1]])
    return alone, float(v[c[0], c[1]]), int(c[0]), int(c[1])


def _lines(shape: tuple[int, ...], margins: Any) -> list[np.ndarray]:
    """Masks of the published lines: each row, each column, the whole table."""
    out = []
    for axis, name in ((0, "rows"), (1, "columns")):
        if name in margins:
            for n in range(shape[axis]):
                line = np.zeros(shape, dtype=bool)
                line[(n, slice(None)) if axis == 0 else (slice(None), n)] = True
                out.append(line)
    if "total" in margins:
        out.append(np.ones(shape, dtype=bool))
    return out


def _range_width(v: np.ndarray, hidden: np.ndarray, cell: tuple[int, int], margins: Any) -> float:
    """Largest minus smallest value of ``cell`` given the shown cells and the margins (LP)."""
    idx = np.argwhere(hidden)
    where = {(int(a), int(b)): n for n, (a, b) in enumerate(idx)}
    rows_eq, rhs = [], []
    groups: list[np.ndarray] = []
    if "rows" in margins:
        groups += [idx[:, 0] == i for i in range(v.shape[0])]
    if "columns" in margins:
        groups += [idx[:, 1] == j for j in range(v.shape[1])]
    if "total" in margins:
        groups.append(np.ones(len(idx), dtype=bool))
    values = v[hidden]
    for members in groups:
        if members.any():
            rows_eq.append(members.astype(float))
            rhs.append(float(values[members].sum()))  # margin minus the cells shown
    if not rows_eq:
        return math.inf
    target = np.zeros(len(idx))
    target[where[cell]] = 1.0
    bounds = [(0.0, None)] * len(idx)
    low = linprog(target, A_eq=np.array(rows_eq), b_eq=rhs, bounds=bounds, method="highs")
    high = linprog(-target, A_eq=np.array(rows_eq), b_eq=rhs, bounds=bounds, method="highs")
    if high.status == 3:  # unbounded
        return math.inf
    return float(-high.fun - low.fun)


def round_count(value: float, base: int = ROUND_BASE) -> int:
    """Round a stated total to the nearest multiple of ``base`` (halves away from zero).

    Examples
    --------
    >>> round_count(100_003), round_count(15), round_count(4)
    (100000, 20, 0)
    """
    return int(math.floor(abs(float(value)) / base + 0.5) * base) * (1 if value >= 0 else -1)


def small_rows(counts: Sequence[float] | np.ndarray | pd.Series, k: int = DEFAULT_K) -> np.ndarray:
    """Return the mask of rows with 1 to ``k - 1`` incidents (to leave out of a table or map).

    Rows with no incident are kept: an empty area identifies nobody.

    Examples
    --------
    >>> small_rows([0, 1, 4, 5, 12]).tolist()
    [False, True, True, False, False]
    """
    k = check_k(k)
    v = np.asarray(counts, dtype=float)
    return (v > 0) & (v < k)
