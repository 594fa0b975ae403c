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
from typing import Final

import numpy as np
import pandas as pd

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
