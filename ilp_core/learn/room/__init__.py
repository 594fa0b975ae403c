"""The workshop room: what a room of participants thinks, computed for the trainer's projector.

A trainer runs a room (the store keeps it: :meth:`ilp_core.store.Store.create_room`);
each participant answers step by step; this package turns the room's answers into
what the projector shows and the trainer takes home. It knows nothing of the store
or the UI: it takes the answers table and returns frozen dataclasses of tables.

Steps (``ilp_core/config/room.yaml``, :func:`room_config`)
    ``ranking`` (each participant orders the problems), ``weights`` (weighs the
    Priorities page's criteria), ``choice`` (one option, e.g. how to allocate
    patrol hours) and ``text`` (a free answer).
Results (:func:`room_results` -> :class:`RoomResults`)
    The consensus ranking by mean rank and Borda count beside the scored ranking,
    the spread of each problem's rank, Kendall's W with its chi-square p-value
    (:func:`kendall_w`, ties corrected), the most disputed problems
    (:class:`Consensus`); the weights chosen and the range of rankings they produce
    (:class:`WeightResults`); choices counted; free answers grouped by their
    normalised text (:func:`normalise_text`).
Charts
    :func:`ranking_figure` (each problem's span of ranks, mean rank, scored rank once
    revealed) and :func:`weights_figure` (every weight chosen, per criterion).
Exports
    :func:`results_csv` (neutralised against formulas), :func:`results_markdown`
    (escaped), :func:`results_pdf`.

References
----------
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *Annals of
Mathematical Statistics*, 10(3), 275-287.
Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral
Sciences* (2nd ed.). New York: McGraw-Hill.
"""

from ilp_core.learn.room._answers import (
    CHOICE_COLUMNS,
    FREE_COLUMNS,
    RANGE_COLUMNS,
    WEIGHT_COLUMNS,
    WeightResults,
    count_choices,
    group_free,
    normalise_text,
    weight_results,
)
from ilp_core.learn.room._config import (
    ANSWER_KEYS,
    STEP_KINDS,
    TEXT_LENGTH,
    RoomConfig,
    RoomStep,
    room_config,
)
from ilp_core.learn.room._consensus import (
    CONSENSUS_COLUMNS,
    Consensus,
    KendallW,
    consensus,
    kendall_w,
    rank_matrix,
)
from ilp_core.learn.room._export import (
    TABLE_COLUMNS,
    agreement_sentence,
    md_text,
    results_csv,
    results_markdown,
    results_pdf,
    results_table,
)
from ilp_core.learn.room._figures import ranking_figure, weights_figure
from ilp_core.learn.room._results import RoomResults, room_results

__all__ = [
    "ANSWER_KEYS",
    "CHOICE_COLUMNS",
    "CONSENSUS_COLUMNS",
    "FREE_COLUMNS",
    "RANGE_COLUMNS",
    "STEP_KINDS",
    "TABLE_COLUMNS",
    "TEXT_LENGTH",
    "WEIGHT_COLUMNS",
    "Consensus",
    "KendallW",
    "RoomConfig",
    "RoomResults",
    "RoomStep",
    "WeightResults",
    "agreement_sentence",
    "consensus",
    "count_choices",
    "group_free",
    "kendall_w",
    "md_text",
    "normalise_text",
    "rank_matrix",
    "ranking_figure",
    "results_csv",
    "results_markdown",
    "results_pdf",
    "results_table",
    "room_config",
    "room_results",
    "weight_results",
    "weights_figure",
]
