"""A participant's own priority order against the scored one: Spearman's rho in words.

Part of :mod:`ilp_core.learn.workshop` (which re-exports every name here): the
workshop's ranking exercise compares the order a participant gives the problems
with the order the Priorities page scored.

References
----------
Spearman, C. (1904). The proof and measurement of association between two things.
*American Journal of Psychology*, 15(1), 72-101.
Evans, J. D. (1996). *Straightforward Statistics for the Behavioral Sciences*.
Pacific Grove: Brooks/Cole (verbal labels of correlation strength).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core import i18n
from ilp_core.errors import IlpInputError

Agreement = Literal["very_strong", "strong", "moderate", "weak", "very_weak", "opposite"]
AGREEMENTS: Final[tuple[str, ...]] = get_args(Agreement)
#: Lower bounds of |rho| for the verbal labels (Evans, 1996).
_BANDS: Final[tuple[tuple[float, str], ...]] = (
    (0.8, "very_strong"),
    (0.6, "strong"),
    (0.4, "moderate"),
    (0.2, "weak"),
    (0.0, "very_weak"),
)


# -- own ranking against the scored one -----------------------------------------------------


@dataclass(frozen=True)
class RankComparison:
    """A participant's order of the problems beside the scored order.

    Attributes
    ----------
    table
        One row per problem, in the participant's order: ``problem``, ``own_rank``,
        ``scored_rank`` (1 = highest priority, among the problems compared) and
        ``difference`` = ``own_rank - scored_rank`` (positive: the participant put
        it lower than the scoring did).
    rho
        Spearman's rank correlation (1: same order, -1: reversed).
    p_value
        Two-sided p-value of rho against no association (few problems: a rough guide).
    n
        Number of problems compared (in both orders).
    agreement
        Verbal label of rho: ``very_strong``, ``strong``, ``moderate``, ``weak``,
        ``very_weak`` (bands of |rho| at 0.8, 0.6, 0.4, 0.2; Evans, 1996) or
        ``opposite`` (rho <= -0.2).
    own, scored
        The two orders, restricted to the problems compared.
    top_k
        Size of the top group compared (3, or fewer problems).
    shared_top
        Problems in the top ``top_k`` of both orders, in the participant's order.
    largest
        The problem whose two ranks differ most (first in the participant's order
        on a tie).
    """

    table: pd.DataFrame
    rho: float
    p_value: float
    n: int
    agreement: str
    own: tuple[str, ...]
    scored: tuple[str, ...]
    top_k: int
    shared_top: tuple[str, ...]
    largest: str


def compare_rankings(own: Sequence[str], scored: Sequence[str], top_k: int = 3) -> RankComparison:
    """Compare a participant's priority order with the scored one (Spearman's rho).

    Only problems in both orders are compared, ranked again 1..n in each.

    Parameters
    ----------
    own
        The participant's order, highest priority first.
    scored
        The scored ranking's order, highest priority first.
    top_k
        Size of the top group whose overlap is reported.

    Returns
    -------
    RankComparison

    Raises
    ------
    IlpInputError
        ``workshop.ranking_duplicate`` when a problem appears twice in one order;
        ``workshop.too_few_to_compare`` when fewer than 3 problems are in both.

    References
    ----------
    Spearman (1904); scipy.stats.spearmanr.

    Examples
    --------
    Two neighbours swapped among four problems: d = (0, 1, -1, 0), so
    rho = 1 - 6 * 2 / (4 * 15) = 0.8.

    >>> c = compare_rankings(["A", "B", "C", "D"], ["A", "C", "B", "D"])
    >>> round(c.rho, 3), c.agreement, c.shared_top, c.largest
    (0.8, 'very_strong', ('A', 'B', 'C'), 'B')
    """
    for order in (own, scored):
        seen = [str(p) for p in order]
        if len(set(seen)) != len(seen):
            twice = next(p for p in seen if seen.count(p) > 1)
            raise IlpInputError("workshop.ranking_duplicate", problem=twice)
    common = {str(p) for p in own} & {str(p) for p in scored}
    mine = tuple(str(p) for p in own if str(p) in common)
    theirs = tuple(str(p) for p in scored if str(p) in common)
    if len(mine) < 3:
        raise IlpInputError("workshop.too_few_to_compare", n=len(mine))
    scored_rank = {p: i for i, p in enumerate(theirs, start=1)}
    own_ranks = np.arange(1, len(mine) + 1)
    other_ranks = np.array([scored_rank[p] for p in mine])
    result = stats.spearmanr(own_ranks, other_ranks)
    rho, p_value = float(result.statistic), float(result.pvalue)
    table = pd.DataFrame(
        {
            "problem": pd.array(mine, dtype="str"),
            "own_rank": own_ranks,
            "scored_rank": other_ranks,
            "difference": own_ranks - other_ranks,
        }
    )
    k = min(int(top_k), len(mine))
    shared = tuple(p for p in mine[:k] if p in set(theirs[:k]))
    largest = mine[int(np.argmax(np.abs(table["difference"].to_numpy())))]
    return RankComparison(
        table=table,
        rho=rho,
        p_value=p_value,
        n=len(mine),
        agreement=agreement(rho),
        own=mine,
        scored=theirs,
        top_k=k,
        shared_top=shared,
        largest=largest,
    )


def agreement(rho: float) -> str:
    """The verbal label of a rank correlation (Evans, 1996), for a sentence a manager reads.

    Examples
    --------
    >>> agreement(0.85), agreement(0.45), agreement(0.1), agreement(-0.5)
    ('very_strong', 'moderate', 'very_weak', 'opposite')
    """
    if not math.isfinite(rho):
        return "very_weak"
    if rho <= -0.2:
        return "opposite"
    # 1e-9: rho = 0.8 computed in floating point (0.7999999999999999) is 0.8.
    return next(label for bound, label in _BANDS if abs(rho) >= bound - 1e-9)


def comparison_sentence(
    comparison: RankComparison,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    escape: Callable[[Any], str] = str,
) -> str:
    """Spearman's rho and the main differences, in plain language.

    ``escape`` is applied to the problems' names (:func:`ilp_core.markup.markdown`
    where the sentence is shown as Markdown).

    Examples
    --------
    >>> c = compare_rankings(["A", "B", "C", "D"], ["A", "C", "B", "D"])
    >>> print(comparison_sentence(c, "en"))  # doctest: +NORMALIZE_WHITESPACE
    Spearman's rho = 0.80: your order and the scored order agree very strongly
    (1 = the same order, 0 = unrelated, -1 = reversed). Both put A, B, C in their top 3
    of 4. The largest difference is B: 2nd in your order, 3rd in the scored one.
    """
    row = comparison.table.set_index("problem").loc[comparison.largest]
    parts = [
        i18n.t(
            "workshop.rho_sentence",
            lang,
            rho=i18n.number(comparison.rho, lang, 2),
            agreement=i18n.t(f"workshop.agreement.{comparison.agreement}", lang),
        ),
        i18n.t(
            "workshop.top_shared" if comparison.shared_top else "workshop.top_none_shared",
            lang,
            problems=", ".join(escape(i18n.term(p, lang)) for p in comparison.shared_top),
            k=comparison.top_k,
            n=comparison.n,
        ),
    ]
    if int(row["difference"]) != 0:
        parts.append(
            i18n.t(
                "workshop.largest_difference",
                lang,
                problem=escape(i18n.term(comparison.largest, lang)),
                own=ordinal(int(row["own_rank"]), lang),
                scored=ordinal(int(row["scored_rank"]), lang),
            )
        )
    return " ".join(parts)


def ordinal(n: int, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A rank as an ordinal in the language (2nd, 2-й, 2e, 2.º).

    Examples
    --------
    >>> [ordinal(n, "en") for n in (1, 2, 3, 4, 11, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '22nd']
    >>> ordinal(1, "fr"), ordinal(2, "fr"), ordinal(3, "ru"), ordinal(3, "es")
    ('1er', '2e', '3-е', '3.º')
    """
    if lang == "en":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if lang == "fr":
        return "1er" if n == 1 else f"{n}e"
    if lang == "ru":
        return f"{n}-е"
    if lang == "es":
        return f"{n}.º"
    return str(n)


def comparison_for_display(
    comparison: RankComparison, lang: str = i18n.DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """The comparison table with problems translated and headers in ``lang``.

    Examples
    --------
    >>> c = compare_rankings(["Robbery", "Homicide", "Shoplifting"],
    ...                      ["Homicide", "Robbery", "Shoplifting"])
    >>> comparison_for_display(c, "en").columns.tolist()
    ['Problem', 'Your rank', 'Scored rank', 'Difference']
    """
    shown = comparison.table.assign(problem=[i18n.term(p, lang) for p in comparison.table.problem])
    return shown.rename(columns=lambda c: i18n.t(f"workshop.col.{c}", lang))


def scored_order(ranking_table: pd.DataFrame, problems: Sequence[str] = ()) -> list[str]:
    """The offence types of a priority ranking table, highest priority first.

    Parameters
    ----------
    ranking_table
        ``priority.Ranking.table`` (columns ``rank``, ``kind``, ``offence``).
    problems
        Keep only these offence types (empty: all).

    Returns
    -------
    list of str
        Offence-level problems only (offence-by-district rows are left out).

    Examples
    --------
    >>> t = pd.DataFrame({"rank": [2, 1, 3], "kind": ["offence"] * 3,
    ...                   "offence": ["Robbery", "Homicide", "Shoplifting"]})
    >>> scored_order(t, ["Shoplifting", "Robbery"])
    ['Robbery', 'Shoplifting']
    """
    rows = ranking_table.loc[ranking_table["kind"].astype(str) == "offence"]
    rows = rows.sort_values("rank", kind="stable")
    order = [str(o) for o in rows["offence"]]
    if problems:
        wanted = {str(p) for p in problems}
        order = [o for o in order if o in wanted]
    return order
