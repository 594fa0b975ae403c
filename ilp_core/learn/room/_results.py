"""Everything the projector shows, computed once from the room's answers: :class:`RoomResults`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from ilp_core.learn.room._answers import (
    WeightResults,
    count_choices,
    group_free,
    weight_results,
)
from ilp_core.learn.room._config import TEXT_LENGTH, RoomConfig
from ilp_core.learn.room._consensus import Consensus, consensus

#: Columns of the answers table :func:`room_results` reads (``Store.room_answers``).
ANSWERS_COLUMNS: Final[tuple[str, ...]] = ("participant", "nickname", "step", "answers")


@dataclass(frozen=True)
class RoomResults:
    """The room's results, step by step.

    Attributes
    ----------
    members
        Participants who joined.
    answered
        Per step id, how many participants answered it.
    ranking
        The consensus of the ranking step (None when the room has none).
    weights
        The weights step's summary (None when the room has none).
    choices
        Per choice step: ``option``, ``count``, ``share``.
    free
        Per text step: the answers grouped (``answer``, ``count``, ``shown_by``).
    problems
        The problems ranked, in the scored order when there is one.
    """

    members: int
    answered: Mapping[str, int]
    ranking: Consensus | None = None
    weights: WeightResults | None = None
    choices: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    free: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def room_results(
    answers: pd.DataFrame,
    config: RoomConfig,
    *,
    problems: Sequence[str],
    scored: Sequence[str] = (),
    values: pd.DataFrame | None = None,
    members: int = 0,
    steps: Sequence[str] | None = None,
) -> RoomResults:
    """Compute the projector's results from the room's answers.

    Parameters
    ----------
    answers
        One row per participant and step: ``participant``, ``nickname`` (empty
        unless shown by its author), ``step``, ``answers`` (the answer dict:
        ``{"ranking": [...]}``, ``{"weights": {...}}``, ``{"choice": ...}`` or
        ``{"text": ...}``), as :meth:`ilp_core.store.Store.room_answers` returns.
    config
        The room's configuration (:func:`room_config`).
    problems
        The problems participants rank.
    scored
        The scored ranking, highest priority first.
    values
        Problems by criteria, 0-1 (``Ranking.normalised``), for the weights' ranges.
    members
        Participants who joined (answered or not).
    steps
        The steps the room runs (default: every configured step).

    Returns
    -------
    RoomResults

    Examples
    --------
    >>> from ilp_core.learn.room import room_config
    >>> a = pd.DataFrame({"participant": ["1", "2"], "nickname": ["", "Ann"],
    ...                   "step": ["lesson", "lesson"],
    ...                   "answers": [{"text": "Data!"}, {"text": "data"}]})
    >>> r = room_results(a, room_config(), problems=["x", "y"], members=3)
    >>> r.answered["lesson"], r.free["lesson"].values.tolist()
    (2, [['Data!', 2, 'Ann']])
    """
    run = [s for s in config.steps if steps is None or s.id in set(steps)]
    by_step = {s.id: answers.loc[answers["step"] == s.id] for s in run}
    answered = {sid: int(rows["participant"].nunique()) for sid, rows in by_step.items()}
    scored = [str(s) for s in scored]
    ordered = [p for p in scored if p in set(problems)] + [
        str(p) for p in problems if str(p) not in set(scored)
    ]
    ranking = weights = None
    choices: dict[str, pd.DataFrame] = {}
    free: dict[str, pd.DataFrame] = {}
    for step in run:
        bodies = [b if isinstance(b, Mapping) else {} for b in by_step[step.id]["answers"]]
        if step.kind == "ranking" and ranking is None:
            rankings = [_listed(b.get("ranking")) for b in bodies]
            ranking = consensus(rankings, ordered, scored)
        elif step.kind == "weights" and weights is None:
            chosen = [b.get("weights") for b in bodies]
            weights = weight_results(
                [w for w in chosen if isinstance(w, Mapping)], config.criteria, values
            )
        elif step.kind == "choice":
            choices[step.id] = count_choices([b.get("choice") for b in bodies], step.options)
        elif step.kind == "text":
            names = by_step[step.id]["nickname"].fillna("").astype(str)
            pairs = [
                (str(b.get("text") or "")[:TEXT_LENGTH], n)
                for b, n in zip(bodies, names, strict=True)
            ]
            free[step.id] = group_free(pairs)
    return RoomResults(
        members=int(members),
        answered=answered,
        ranking=ranking,
        weights=weights,
        choices=choices,
        free=free,
        problems=tuple(ordered),
    )


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []
