"""Harm criteria from the current harm weights: the fast step, run again on every weight change.

:func:`criteria_table` multiplies the counts per offence kept by
:func:`problem_data` by the harm weights (days of custody) into ``harm`` and
``harm_change``; :func:`count_vs_harm` sets the ranking by count beside the
ranking by harm.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ilp_core.decide import harm
from ilp_core.decide.priorities._problem_data import ProblemData


def criteria_table(
    data: ProblemData,
    weights: Mapping[str, float] | None = None,
    *,
    default_days: float | None = None,
    classes: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """Return every problem's data criteria, with harm from the current harm weights.

    This is the fast step that runs again whenever a harm weight changes: harm is
    the product of the cached offence counts and the weights.

    Parameters
    ----------
    data
        Output of :func:`problem_data`.
    weights
        ``{offence: days}``; ``None`` uses the bundled defaults of each offence's
        class (:func:`ilp_core.decide.harm.default_weights`).
    default_days
        Days for an offence without a weight (``None``: the table's default).
    classes
        The confirmed offence classification (``Dataset.offence_classes``), used
        when ``weights`` is None.

    Returns
    -------
    pandas.DataFrame
        ``data.table`` plus ``harm`` (days), ``harm_per_incident``,
        ``harm_change`` (% change of harm, late window against early window;
        +100 when the early window had none), ``harm_without_weight`` (incidents
        whose offence had no weight and got ``default_days``).

    Raises
    ------
    IlpInputError
        ``priorities.bad_harm_weight`` for a negative or non-numeric weight.

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> from ilp_core.decide.priorities import problem_data
    >>> inc = example_incidents(["Robbery", "Robbery", "Shoplifting"])
    >>> t = criteria_table(problem_data(inc), {"Robbery": 365, "Shoplifting": 2.5})
    >>> t[["problem", "harm"]].to_numpy().tolist()  # 2 x 365, 1 x 2.5
    [['Robbery', 730.0], ['Shoplifting', 2.5]]
    """
    table_default = harm.harm_table()
    w = (
        harm.harm_weights(data.offences, classes)
        if weights is None
        else harm.check_weights(weights)
    )
    default = (
        table_default.unknown_offence_days
        if default_days is None
        else harm.check_weights({"default_days": default_days})["default_days"]
    )
    days, has = harm.weight_for(data.offences, w, default)
    counts = data.offence_counts.to_numpy(dtype=float)
    out = data.table.copy()
    out["harm"] = counts @ days
    volume = out["volume"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["harm_per_incident"] = np.where(volume > 0, out["harm"] / volume, 0.0)
        early = data.offence_counts_early.to_numpy(dtype=float) @ days
        late = data.offence_counts_late.to_numpy(dtype=float) @ days
        change = np.where(early > 0, 100.0 * (late / early - 1.0), np.where(late > 0, 100.0, 0.0))
    out["harm_change"] = change
    out["harm_without_weight"] = (counts @ (~has).astype(float)).astype(np.int64)
    return out


def count_vs_harm(criteria: pd.DataFrame) -> pd.DataFrame:
    """Rank the problems by count and by harm side by side, and show how far each moves.

    Parameters
    ----------
    criteria
        Output of :func:`criteria_table` (``problem``, ``volume``, ``harm``).

    Returns
    -------
    pandas.DataFrame
        Sorted by harm rank: ``problem``, ``kind``, ``offence``, ``district``,
        ``volume``, ``count_rank``, ``harm``, ``harm_rank``, ``harm_per_incident``,
        ``count_share``, ``harm_share``, ``rank_change`` (count rank minus harm
        rank: positive = rises when harm is counted). Ties share the best rank.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Shoplifting", "Robbery"], "volume": [100, 2],
    ...                   "harm": [250.0, 730.0]})
    >>> count_vs_harm(t)[["problem", "count_rank", "harm_rank", "rank_change"]].to_numpy().tolist()
    [['Robbery', 2, 1, 1], ['Shoplifting', 1, 2, -1]]
    """
    cols = [c for c in ("problem", "kind", "offence", "district") if c in criteria.columns]
    out = criteria[cols].copy()
    out["volume"] = criteria["volume"].to_numpy()
    out["count_rank"] = criteria["volume"].rank(ascending=False, method="min").astype(np.int64)
    out["harm"] = criteria["harm"].to_numpy(dtype=float)
    out["harm_rank"] = criteria["harm"].rank(ascending=False, method="min").astype(np.int64)
    vol = out["volume"].to_numpy(dtype=float)
    out["harm_per_incident"] = np.where(vol > 0, out["harm"] / np.where(vol > 0, vol, 1), 0.0)
    out["count_share"] = vol / vol.sum() if vol.sum() > 0 else 0.0
    h = out["harm"].to_numpy()
    out["harm_share"] = h / h.sum() if h.sum() > 0 else 0.0
    out["rank_change"] = out["count_rank"] - out["harm_rank"]
    return out.sort_values(["harm_rank", "problem"], kind="stable").reset_index(drop=True)
