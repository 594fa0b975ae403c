"""The projector's two charts, drawn for the back of a room: large type, colour-blind-safe marks.

:func:`ranking_figure` shows, for each problem in the room's order, the span of the
ranks participants gave it (a grey bar from the highest to the lowest), the mean
rank (a dark dot) and, once the trainer reveals it, the scored rank (an orange
diamond): marks differ in shape as well as colour. :func:`weights_figure` shows each
criterion's weights as a box with every participant's weight as a point.
"""

from __future__ import annotations

from typing import Any, Final

import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.figures._style import DARK, GREY, ORANGE
from ilp_core.learn.room._answers import WeightResults
from ilp_core.learn.room._consensus import Consensus

#: Font size of the projector's charts (points): legible at ten metres on a 2 m screen.
FONT_SIZE: Final[int] = 22


def _look(height: int) -> dict[str, Any]:
    return {
        "font": {"size": FONT_SIZE, "color": DARK},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 20, "r": 20, "t": 20, "b": 60},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12},
    }


def ranking_figure(
    consensus: Consensus, lang: str = i18n.DEFAULT_LANGUAGE, *, revealed: bool = False
) -> go.Figure:
    """The room's ranks of each problem: their span, their mean, and the scored rank if revealed.

    Examples
    --------
    >>> from ilp_core.learn.room._consensus import consensus
    >>> c = consensus([["a", "b"], ["b", "a"], ["a", "b"]], ["a", "b"], scored=["b", "a"])
    >>> f = ranking_figure(c, "en", revealed=True)
    >>> [t.name for t in f.data][1:], f.data[1].x.tolist()
    (['Mean rank', 'Scored rank'], [1.33, 1.67])
    """
    t = consensus.table
    names = [i18n.term(p, lang) for p in t["problem"]]
    bars = go.Bar(
        y=names,
        x=t["rank_max"] - t["rank_min"],
        base=t["rank_min"],
        orientation="h",
        marker={"color": GREY},
        name=i18n.t("room.fig.span", lang),
        width=0.5,
    )
    mean = go.Scatter(
        y=names,
        x=t["mean_rank"],
        mode="markers",
        name=i18n.t("room.col.mean_rank", lang),
        marker={"color": DARK, "size": 18, "symbol": "circle"},
    )
    traces: list[Any] = [bars, mean]
    if revealed:
        traces.append(
            go.Scatter(
                y=names,
                x=t["scored_rank"],
                mode="markers",
                name=i18n.t("room.col.scored_rank", lang),
                marker={"color": ORANGE, "size": 20, "symbol": "diamond"},
            )
        )
    n = len(t)
    fig = go.Figure(data=traces, layout=_look(120 + 55 * max(n, 1)))
    fig.update_yaxes(autorange="reversed", gridcolor="#ebebeb")
    fig.update_xaxes(
        title=i18n.t("room.fig.rank_axis", lang), range=[0.5, n + 0.5], dtick=1, gridcolor="#ebebeb"
    )
    return fig


def weights_figure(weights: WeightResults, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Each criterion's weights: a box over every participant's weight (each a point).

    Examples
    --------
    >>> from ilp_core.learn.room._answers import weight_results
    >>> w = weight_results([{"harm": 5}, {"harm": 1, "trend": 2}], ["harm", "trend"])
    >>> f = weights_figure(w)
    >>> len(f.data), f.data[0].y.tolist()
    (2, [5.0, 1.0])
    """
    traces = []
    for criterion in weights.chosen.columns:
        key = f"priorities.criterion.{criterion}"
        label = i18n.t(key, lang) if i18n.has(key, lang) else str(criterion)
        traces.append(
            go.Box(
                y=weights.chosen[criterion],
                name=label,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": DARK, "size": 10},
                line={"color": DARK},
                fillcolor="rgba(189, 189, 189, 0.4)",
                showlegend=False,
            )
        )
    fig = go.Figure(data=traces, layout=_look(480))
    fig.update_yaxes(
        title=i18n.t("room.fig.weight_axis", lang), rangemode="tozero", dtick=1, gridcolor="#ebebeb"
    )
    return fig
