"""The room's other answers: chosen weights and the rankings they give, choices, free answers.

Weights: each participant weighs the criteria (0 to the configured maximum); the
projector shows each criterion's spread of weights and, for each problem, the best
and worst rank the participants' weights give it. A participant's weights rank the
problems by the weighted mean of the criteria's 0-1 values (the values the
Priorities page weighted, ``Ranking.normalised``): ``score = sum(w_c x_c) / sum(w_c)``.

Free answers are grouped when they read the same once normalised (Unicode NFKC,
case folded, spaces collapsed, punctuation at the ends removed), so "Patrols." and
" patrols" count as one answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from ilp_core.errors import IlpInputError

#: Columns of the tables below (stable API, labels from the ``room`` catalog).
WEIGHT_COLUMNS: Final[tuple[str, ...]] = (
    "criterion",
    "n",
    "mean",
    "median",
    "q1",
    "q3",
    "min",
    "max",
)
RANGE_COLUMNS: Final[tuple[str, ...]] = (
    "problem",
    "rank_at_mean_weights",
    "best_rank",
    "median_rank",
    "worst_rank",
)
CHOICE_COLUMNS: Final[tuple[str, ...]] = ("option", "count", "share")
FREE_COLUMNS: Final[tuple[str, ...]] = ("answer", "count", "shown_by")
_SPACES = re.compile(r"\s+")
_ENDS = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True)
class WeightResults:
    """The weights the room chose and the range of rankings they produce.

    Attributes
    ----------
    weights
        One row per criterion: ``criterion``, ``n`` (participants who weighed),
        ``mean``, ``median``, ``q1``, ``q3``, ``min``, ``max`` of the weights given.
    ranges
        One row per problem, in the order of the mean weights: ``problem``,
        ``rank_at_mean_weights``, ``best_rank``, ``median_rank``, ``worst_rank``
        over the participants' weights.
    distinct_rankings
        How many different orders of the problems the participants' weights give.
    n
        Participants whose weights counted (at least one weight above 0).
    chosen
        The weights that counted: one row per such participant, one column per
        criterion (the distribution the projector draws).
    """

    weights: pd.DataFrame
    ranges: pd.DataFrame
    distinct_rankings: int
    n: int
    chosen: pd.DataFrame = field(default_factory=pd.DataFrame)


def normalise_text(text: Any) -> str:
    """The form under which free answers are grouped.

    Examples
    --------
    >>> normalise_text("  More   PATROLS! "), normalise_text("ﬁx it")
    ('more patrols', 'fix it')
    """
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    return _ENDS.sub("", _SPACES.sub(" ", value).strip())


def group_free(answers: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Free answers grouped by their normalised text, most frequent first.

    Parameters
    ----------
    answers
        ``(text, nickname)`` pairs; the nickname is empty unless its author chose to
        show it (only those names are listed, under ``shown_by``).

    Returns
    -------
    DataFrame
        ``answer`` (the most frequent spelling of the group, the first seen on a
        tie), ``count``, ``shown_by`` (the nicknames shown, comma-separated).
        Empty answers are left out.

    Examples
    --------
    >>> group_free([("Patrols.", ""), ("patrols", "Ann"), ("Prevention", "")]).values.tolist()
    [['Patrols.', 2, 'Ann'], ['Prevention', 1, '']]
    """
    groups: dict[str, dict[str, Any]] = {}
    for text, nickname in answers:
        key = normalise_text(text)
        if not key:
            continue
        g = groups.setdefault(key, {"spellings": {}, "count": 0, "names": []})
        spelling = str(text).strip()
        g["spellings"][spelling] = g["spellings"].get(spelling, 0) + 1
        g["count"] += 1
        if nickname and nickname not in g["names"]:
            g["names"].append(str(nickname))
    rows = [
        (max(g["spellings"], key=g["spellings"].get), g["count"], ", ".join(g["names"]))
        for g in groups.values()
    ]
    rows.sort(key=lambda r: (-r[1], normalise_text(r[0])))
    return pd.DataFrame(rows, columns=list(FREE_COLUMNS)).astype({"count": "int64"})


def count_choices(choices: Sequence[Any], options: Sequence[str]) -> pd.DataFrame:
    """How many participants chose each option (every option listed, in its order).

    Examples
    --------
    >>> count_choices(["a", "b", "a", "zz"], ["a", "b", "c"]).values.tolist()
    [['a', 2, 0.667], ['b', 1, 0.333], ['c', 0, 0.0]]
    """
    valid = [str(c) for c in choices if str(c) in set(options)]
    counts = [valid.count(o) for o in options]
    total = sum(counts)
    shares = [round(c / total, 3) if total else 0.0 for c in counts]
    return pd.DataFrame({"option": list(options), "count": counts, "share": shares})


def weight_results(
    weights: Sequence[Mapping[str, Any]],
    criteria: Sequence[str],
    values: pd.DataFrame | None = None,
) -> WeightResults:
    """Summarise the weights chosen and the range of rankings they produce.

    Parameters
    ----------
    weights
        Each participant's ``{criterion: weight}`` (missing criteria weigh 0;
        non-numbers and negatives are left out as 0).
    criteria
        The criteria offered.
    values
        Problems (index) by criteria: each criterion's 0-1 value for each problem
        (``Ranking.normalised`` of the Priorities page). None: no ranges.

    Returns
    -------
    WeightResults

    Raises
    ------
    IlpInputError
        ``room.criteria_missing`` when ``values`` lacks an offered criterion.

    Examples
    --------
    Two problems, two criteria: ``p`` is all volume, ``q`` all harm. A participant
    weighing volume 3 and harm 1 puts ``p`` first (0.75 against 0.25); one weighing
    only harm puts ``q`` first. The mean weights (1.5, 2) put ``q`` first.

    >>> v = pd.DataFrame({"volume": [1.0, 0.0], "harm": [0.0, 1.0]}, index=["p", "q"])
    >>> r = weight_results([{"volume": 3, "harm": 1}, {"harm": 4}], ["volume", "harm"], v)
    >>> r.ranges.values.tolist(), r.distinct_rankings
    ([['q', 1, 1, 1.5, 2], ['p', 2, 1, 1.5, 2]], 2)
    """
    criteria = [str(c) for c in criteria]
    matrix = np.array([[_weight(w.get(c)) for c in criteria] for w in weights], dtype=float)
    matrix = matrix.reshape(len(weights), len(criteria))
    matrix = matrix[matrix.sum(axis=1) > 0] if len(matrix) else matrix
    n = len(matrix)
    rows = []
    for j, c in enumerate(criteria):
        col = matrix[:, j] if n else np.array([])
        q = np.quantile(col, [0.25, 0.5, 0.75]) if n else [np.nan] * 3
        rows.append(
            (
                c,
                n,
                _r(col.mean()) if n else np.nan,
                _r(q[1]),
                _r(q[0]),
                _r(q[2]),
                _r(col.min()) if n else np.nan,
                _r(col.max()) if n else np.nan,
            )
        )
    summary = pd.DataFrame(rows, columns=list(WEIGHT_COLUMNS))
    chosen = pd.DataFrame(matrix, columns=criteria)
    if values is None or n == 0:
        return WeightResults(summary, pd.DataFrame(columns=list(RANGE_COLUMNS)), 0, n, chosen)
    missing = [c for c in criteria if c not in values.columns]
    if missing:
        raise IlpInputError("room.criteria_missing", criteria=", ".join(missing))
    x = values[criteria].astype(float).fillna(0.0).to_numpy()
    problems = [str(p) for p in values.index]
    scores = x @ (matrix / matrix.sum(axis=1, keepdims=True)).T  # problems x participants
    ranks = _ranks(scores)
    mean_w = matrix.mean(axis=0)
    at_mean = _ranks((x @ (mean_w / mean_w.sum()))[:, None])[:, 0]
    table = pd.DataFrame(
        {
            "problem": problems,
            "rank_at_mean_weights": at_mean,
            "best_rank": ranks.min(axis=1),
            "median_rank": np.median(ranks, axis=1),
            "worst_rank": ranks.max(axis=1),
        }
    )
    table = table.sort_values(["rank_at_mean_weights", "problem"], kind="stable")
    distinct = len({tuple(np.argsort(ranks[:, k], kind="stable")) for k in range(n)})
    return WeightResults(summary, table.reset_index(drop=True), distinct, n, chosen)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks (1 = highest score) down each column; ties share the smaller rank."""
    return pd.DataFrame(scores).rank(ascending=False, method="min").astype("int64").to_numpy()


def _weight(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if np.isfinite(number) and number > 0 else 0.0


def _r(value: float) -> float:
    return round(float(value), 2)
