"""The room's rankings of the problems: consensus, spread, agreement (Kendall's W), disagreement.

Each participant puts the same ``n`` problems in order (1 = highest priority). The
room's consensus orders the problems by their mean rank; the Borda count gives each
problem ``n - rank`` points per participant (with complete rankings the two orders
are the same, the Borda points being ``m * n - m * mean rank``). Kendall's
coefficient of concordance ``W`` says how far the ``m`` participants agree: 1 when
every ranking is the same, 0 when the mean ranks are all equal. Its chi-square
``m (n - 1) W`` (``n - 1`` degrees of freedom) is Friedman's statistic, so its
p-value tests "the room ranks at random".

References
----------
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *Annals of
Mathematical Statistics*, 10(3), 275-287.
Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral
Sciences* (2nd ed.), section 9.4 (W with the correction for ties). New York: McGraw-Hill.
Borda, J.-C. de (1781). Mémoire sur les élections au scrutin. *Histoire de
l'Académie royale des sciences*.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core.errors import IlpInputError

#: Problems listed as the ones the room disagrees about most.
TOP_DISAGREED: Final[int] = 3
#: Columns of :attr:`Consensus.table`.
CONSENSUS_COLUMNS: Final[tuple[str, ...]] = (
    "problem",
    "consensus_rank",
    "mean_rank",
    "borda",
    "scored_rank",
    "difference",
    "rank_sd",
    "rank_min",
    "rank_max",
)


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance of ``m`` rankings of ``n`` items.

    Attributes
    ----------
    w
        Agreement from 0 (none) to 1 (every ranking the same), corrected for ties.
    chi2
        ``m (n - 1) W``, Friedman's chi-square.
    df
        ``n - 1`` degrees of freedom.
    p_value
        Chance of a W this large if everyone ranked at random (chi-square
        approximation: rough below about 7 items or 4 raters).
    m, n
        Number of rankings (raters) and of items ranked.
    """

    w: float
    chi2: float
    df: int
    p_value: float
    m: int
    n: int


@dataclass(frozen=True)
class Consensus:
    """The room's consensus ranking beside the scored one.

    Attributes
    ----------
    table
        One row per problem, consensus order: ``problem``, ``consensus_rank``
        (1 = the room's highest priority, by mean rank; ties share the smaller rank),
        ``mean_rank``, ``borda`` (points, ``n - rank`` per participant),
        ``scored_rank`` (the scored ranking's rank among these problems, NaN when it
        does not rank the problem), ``difference`` = ``consensus_rank - scored_rank``
        (positive: the room puts it lower than the scoring), ``rank_sd`` (how far
        the room's ranks of it spread), ``rank_min``, ``rank_max``.
    ranks
        Participant (index) by problem: the rank each gave.
    agreement
        Kendall's W of the room, or None with fewer than two rankings.
    disagreed
        The problems whose ranks spread most (largest ``rank_sd``), most first.
    rho
        Spearman's correlation between the consensus and the scored ranks (None
        without a scored ranking).
    incomplete
        Rankings left out because they did not order every problem exactly once.
    """

    table: pd.DataFrame
    ranks: pd.DataFrame
    agreement: KendallW | None
    disagreed: tuple[str, ...]
    rho: float | None
    incomplete: int


def kendall_w(ranks: np.ndarray | pd.DataFrame) -> KendallW:
    """Kendall's W of a raters-by-items matrix of ranks, corrected for ties.

    Parameters
    ----------
    ranks
        ``m`` rows (raters) by ``n`` columns (items); each row ranks the items (ties
        get the mean of the ranks they share; any scores are ranked row by row).

    Returns
    -------
    KendallW

    Raises
    ------
    IlpInputError
        ``room.too_few_rankings`` below 2 raters or 2 items, or with a missing value.

    Examples
    --------
    Three raters, three items (Siegel & Castellan's formula worked by hand): column
    sums R = 3, 7, 8, mean 6, S = 9 + 1 + 4 = 14, W = 12 S / (m^2 (n^3 - n)) =
    168 / (9 * 24) = 0.7778; chi2 = m (n - 1) W = 4.6667 on 2 df.

    >>> r = kendall_w(np.array([[1, 2, 3], [1, 3, 2], [1, 2, 3]]))
    >>> round(r.w, 4), round(r.chi2, 4), r.df, round(r.p_value, 4)
    (0.7778, 4.6667, 2, 0.097)
    """
    values = np.asarray(ranks, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        raise IlpInputError("room.too_few_rankings", m=int(values.shape[0]) if values.ndim else 0)
    if not np.isfinite(values).all():
        raise IlpInputError("room.too_few_rankings", m=int(values.shape[0]))
    m, n = values.shape
    ranked = stats.rankdata(values, axis=1)  # midranks for ties
    sums = ranked.sum(axis=0)
    s = float(((sums - sums.mean()) ** 2).sum())
    ties = 0.0
    for row in ranked:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    w = 1.0 if denominator == 0 else 12.0 * s / denominator  # every row all tied: no spread
    w = min(max(w, 0.0), 1.0)
    chi2 = m * (n - 1) * w
    return KendallW(w=w, chi2=chi2, df=n - 1, p_value=float(stats.chi2.sf(chi2, n - 1)), m=m, n=n)


def rank_matrix(
    rankings: Sequence[Sequence[str]], problems: Sequence[str]
) -> tuple[pd.DataFrame, int]:
    """The ranks each complete ranking gives the problems, and how many were left out.

    A ranking counts when it orders every problem of ``problems`` exactly once
    (other names are ignored); others are counted as incomplete, never guessed.

    Examples
    --------
    >>> m, left = rank_matrix([["b", "a"], ["a", "b"], ["a"]], ["a", "b"])
    >>> m.to_dict("list"), left
    ({'a': [2, 1], 'b': [1, 2]}, 1)
    """
    wanted = [str(p) for p in problems]
    rows: list[list[int]] = []
    incomplete = 0
    for ranking in rankings:
        order = [str(p) for p in ranking if str(p) in set(wanted)]
        if sorted(order) != sorted(wanted) or len(set(order)) != len(order):
            incomplete += 1
            continue
        position = {p: i + 1 for i, p in enumerate(order)}
        rows.append([position[p] for p in wanted])
    return pd.DataFrame(rows, columns=wanted, dtype="int64"), incomplete


def consensus(
    rankings: Sequence[Sequence[str]],
    problems: Sequence[str],
    scored: Sequence[str] = (),
    *,
    top: int = TOP_DISAGREED,
) -> Consensus:
    """The room's consensus ranking, its spread and agreement, beside the scored ranking.

    Parameters
    ----------
    rankings
        Each participant's order of the problems, highest priority first.
    problems
        The problems ranked (a ranking must order each exactly once to count).
    scored
        The scored ranking (the Priorities page's), highest first; problems it does
        not list get no scored rank.
    top
        How many of the most disputed problems to name.

    Returns
    -------
    Consensus

    Examples
    --------
    >>> c = consensus([["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"]], ["a", "b", "c"],
    ...               scored=["c", "b", "a"])
    >>> c.table[["problem", "consensus_rank", "mean_rank", "borda", "scored_rank"]].values.tolist()
    [['a', 1, 1.33, 5, 3.0], ['b', 2, 2.0, 3, 2.0], ['c', 3, 2.67, 1, 1.0]]
    >>> round(c.agreement.w, 4), c.disagreed[0]  # R = 4, 6, 8: S = 8, W = 96 / 216
    (0.4444, 'b')
    """
    problems = list(dict.fromkeys(str(p) for p in problems))
    ranks, incomplete = rank_matrix(rankings, problems)
    n, m = len(problems), len(ranks)
    if m == 0:
        mean = pd.Series(np.nan, index=problems)
        sd = lo = hi = mean
        borda = pd.Series(0, index=problems)
    else:
        mean = ranks.mean()
        sd = ranks.std(ddof=0)
        lo, hi = ranks.min(), ranks.max()
        borda = (n - ranks).sum()
    order = sorted(problems, key=lambda p: (mean[p] if m else 0.0, p))
    scored_order = [s for s in (str(x) for x in scored) if s in set(problems)]
    scored_rank = {p: i + 1 for i, p in enumerate(dict.fromkeys(scored_order))}
    table = pd.DataFrame({"problem": order})
    means = [float(mean[p]) for p in order]
    table["consensus_rank"] = (
        pd.Series(means).rank(method="min").fillna(0).astype("int64") if m else 0
    )
    table["mean_rank"] = [round(x, 2) if m else math.nan for x in means]
    table["borda"] = [int(borda[p]) for p in order]
    table["scored_rank"] = [float(scored_rank.get(p, math.nan)) for p in order]
    table["difference"] = table["consensus_rank"] - table["scored_rank"]
    table["rank_sd"] = [round(float(sd[p]), 2) for p in order]
    table["rank_min"] = [float(lo[p]) for p in order]
    table["rank_max"] = [float(hi[p]) for p in order]
    agreement = kendall_w(ranks.to_numpy()) if m >= 2 and n >= 2 else None
    disagreed: tuple[str, ...] = ()
    if m >= 2:
        spread = sorted(problems, key=lambda p: (-float(sd[p]), float(mean[p]), p))
        disagreed = tuple(p for p in spread[:top] if float(sd[p]) > 0)
    rho = None
    both = table.dropna(subset=["scored_rank"])
    if m and len(both) >= 3 and both["mean_rank"].nunique() > 1:
        rho = float(stats.spearmanr(both["mean_rank"], both["scored_rank"]).statistic)
    return Consensus(
        table=table[list(CONSENSUS_COLUMNS)],
        ranks=ranks,
        agreement=agreement,
        disagreed=disagreed,
        rho=rho,
        incomplete=incomplete,
    )
