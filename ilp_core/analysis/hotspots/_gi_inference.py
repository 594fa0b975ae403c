"""Inference for Gi* that stays valid with small counts, and the floor under hot spots.

Gi* with binary weights compares a unit's neighbourhood count ``S_i`` (the unit and
its neighbours, ``W_i`` units) with chance. Its z-score (Ord & Getis 1995) reads p
from the normal distribution, which fails with few incidents: on 168 offender
residences over 8,463 cells of 100 m, a neighbourhood expects 0.18 incidents, two
incidents give z = 4.3 and a normal p of 2e-5, while the chance of two or more
incidents in a given neighbourhood is 1.4 %; 174 of the 292 cells flagged hot (FDR
5 %) rested on two incidents, and two on a single one.

Which inference an area gets (:func:`gi_p_values`) depends on how many incidents
a neighbourhood expects by chance, ``mean(W_i) * N / n`` (``N`` incidents over
``n`` units); it is decided for the whole area, so that every unit of one map is
judged the same way:

* at least :data:`NORMAL_MIN_EXPECTED` (30): the normal approximation of the
  z-score, two-sided, equal to twice esda's ``p_norm``: a count that large is
  close to normal;
* fewer (``"discrete"``): the larger of that normal p and the p of an exact
  count test. Under complete spatial randomness given the ``N`` incidents (each
  falls in any unit of the area with the same chance), a neighbourhood's count
  is binomial ``B(N, W_i / n)``; its p is the tail on the side of ``z``, doubled
  (at most 1). A unit is then unusual only if it is so both against the spread
  of counts Gi* measures and against incidents falling at random, and the
  larger of two p-values is a valid p-value when either is (``P(max(p1, p2) <=
  a) <= P(p1 <= a)``): valid under the randomisation null where counts are
  large enough for the normal approximation, exact under random placement where
  they are not. The z-score is unchanged;
* and, whatever the p-value, a unit is never a hot spot when its neighbourhood
  holds fewer than :data:`MIN_HOT_INCIDENTS` (3) incidents: a place is not a hot
  spot on the evidence of one or two events.

On the 168 residences this leaves 34 hot cells (FDR 5 %), none on fewer than four
incidents; on 168 points placed at random, none, where the normal approximation
flags dozens (``tests/test_hotspots_sparse.py``).

Other answers were weighed. Esda's conditional permutation holds the unit's own
count fixed and permutes the others around it: it asks whether the neighbours
are high given the unit, so a single cell of 180 burglaries with quiet
neighbours is never hot. The exact distribution of the z-score's own null (all
counts permuted) has the same flaw: the big cell is one of the values permuted,
and a random neighbourhood holds it with chance ``W / n``, so its p never goes
below that. A negative binomial with Gi*'s mean and variance lets that same big
cell inflate the variance it is judged by. The exact count test alone ignores
the overdispersion of crime and flags the whole middle of any cluster. A
minimum-expected-count rule for the cell size (ArcGIS's Optimized Hot Spot
Analysis) changes the analyst's map scale behind their back; here the cell size
stays theirs and a note says which test was used.

References
----------
Ord, J. K., Getis, A. (1995). Local spatial autocorrelation statistics:
distributional issues and an application. Geographical Analysis 27(4): the normal
approximation is poor for small neighbourhoods and skewed data.
Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling.
Technometrics 24(4) (the intersection-union test: reject when every test rejects).
ESRI (2024). How Optimized Hot Spot Analysis works (ArcGIS Pro documentation).
"""

from __future__ import annotations

from typing import Final

import numpy as np
from scipy import special

#: Fewest incidents in a neighbourhood (the unit and its neighbours) for a hot spot.
MIN_HOT_INCIDENTS: Final[int] = 3
#: The normal approximation alone is used when a neighbourhood expects at least this
#: many incidents by chance (``mean(W_i) * N / n``); with the exact count test below it.
NORMAL_MIN_EXPECTED: Final[float] = 30.0
#: Values of ``GiStar.inference``.
INFERENCES: Final[tuple[str, ...]] = ("discrete", "normal")


def expected_per_neighbourhood(values: np.ndarray, sizes: np.ndarray) -> float:
    """Incidents a neighbourhood expects by chance: mean size times mean count per unit.

    Examples
    --------
    >>> y = np.r_[np.ones(168), np.zeros(8_295)]
    >>> round(expected_per_neighbourhood(y, np.full(8_463, 9)), 3)
    0.179
    """
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return 0.0
    return float(np.mean(sizes)) * float(values.mean())


def gi_p_values(
    values: np.ndarray,
    sums: np.ndarray,
    sizes: np.ndarray,
    z: np.ndarray,
    below: float = 1.0,
) -> tuple[np.ndarray, str]:
    """Two-sided p-values of Gi* z-scores, valid where counts are few, and the test used.

    Parameters
    ----------
    values
        Counts of the ``n`` units of the area (whole numbers).
    sums, sizes, z
        Per tested unit: neighbourhood count ``S_i``, neighbourhood size ``W_i``
        (the unit included) and the Gi* z-score; 1-D arrays of one length.
    below
        Compute the exact test only where the normal p is below this (the others
        keep their normal p, already at least ``below``): a caller that only
        compares p, raw or Benjamini-Hochberg adjusted, with a level at most
        ``below`` gets the same answers faster (an adjusted p under a level
        depends only on the p-values under it and on their number).

    Returns
    -------
    p, inference
        ``p``: two-sided p-values; ``inference``: ``"discrete"`` (the larger of
        the normal and the exact binomial p) or ``"normal"`` (see the module
        notes).

    Examples
    --------
    Two incidents in one 3 x 3 neighbourhood of 8,463 cells that hold 168, one
    each: z = 4.3, a normal p of 2e-5; ``P(S >= 2) = 0.0141`` for
    ``S ~ B(168, 9 / 8463)``, doubled.

    >>> y = np.r_[np.ones(168, int), np.zeros(8_295, int)]
    >>> p, how = gi_p_values(y, np.array([2, 0]), np.array([9, 9]), np.array([4.3, -0.4]))
    >>> np.round(p, 4).tolist(), how
    ([0.0282, 1.0], 'discrete')
    """
    values = np.asarray(values, dtype=float)
    sums = np.asarray(sums, dtype=float)
    sizes = np.asarray(sizes, dtype=float)
    z = np.asarray(z, dtype=float)
    # SciPy's special functions for the normal and binomial tails (``ndtr``, and Cephes'
    # ``bdtrc``/``bdtr``), not ``stats.norm``/``stats.binom``: the distributions'
    # argument handling cost 0.5 ms a call, 0.09 s of the Strategy page's hot-spot
    # change at 1,000,000 incidents (182 periods). Within 1e-8 of stats' tails
    # (tests/test_hotspots_sparse.py).
    normal = 2.0 * special.ndtr(-np.abs(z))
    if expected_per_neighbourhood(values, sizes) >= NORMAL_MIN_EXPECTED:
        return normal, "normal"
    total = int(np.rint(values.sum()))
    todo = normal < below
    share = np.clip(sizes[todo] / max(len(values), 1), 0.0, 1.0)
    s, zt = np.rint(sums[todo]), z[todo]
    # A neighbourhood holds 0 to ``total`` incidents: the tails outside are 1 and 0.
    inside = np.clip(s, 0, total)
    upper = np.where(s > total, 0.0, np.where(s > 0, special.bdtrc(inside - 1, total, share), 1.0))
    lower = np.where(s < 0, 0.0, special.bdtr(inside, total, share))  # P(S <= s)
    tail = np.where(zt > 0, upper, np.where(zt < 0, lower, 0.5))
    p = normal.copy()
    p[todo] = np.maximum(normal[todo], np.minimum(1.0, 2.0 * tail))
    return p, "discrete"
