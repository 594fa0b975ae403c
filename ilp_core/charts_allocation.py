"""Plotly figures of the allocation step: coverage curve, hours per area, two scenarios.

One function per figure, each taking a result of :mod:`ilp_core.allocation` and
the language; every word comes from the ``allocation`` catalog. Colours are
ColorBrewer PuOr (colour-blind safe): orange for today's allocation, purple for
the recommendation, dark grey for demand; the change bars use the diverging
RdBu scale centred on zero (blue: fewer hours, red: more).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.allocation import Allocation, CoverageCurve

CURRENT: Final[str] = "#e66101"  # PuOr orange
RECOMMENDED: Final[str] = "#5e3c99"  # PuOr purple
DEMAND: Final[str] = "#252525"
MORE: Final[str] = "#b2182b"  # RdBu red
LESS: Final[str] = "#2166ac"  # RdBu blue
_CELL_PREFIX: Final[str] = "cell-"


def area_label(area: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Name an area for people: a district in ``lang``, a grid cell as "Cell 1234".

    Examples
    --------
    >>> area_label("cell-1923", "fr"), area_label("Somewhere", "fr")
    ('Cellule 1923', 'Somewhere')
    """
    text = str(area)
    if text.startswith(_CELL_PREFIX) and text[len(_CELL_PREFIX) :].isdigit():
        return i18n.t("allocation.cell_label", lang, id=text[len(_CELL_PREFIX) :])
    return i18n.term(text, lang)


def area_labels(areas: Sequence[str] | pd.Series, lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """:func:`area_label` of every area.

    Examples
    --------
    >>> area_labels(["cell-7", "cell-8"], "ru")
    ['Ячейка 7', 'Ячейка 8']
    """
    return [area_label(a, lang) for a in areas]


def coverage_figure(curve: CoverageCurve, *, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Plot the coverage curve: demand covered, today's hours and the recommended hours.

    The x axis is the cumulative share of the land area (or of the areas when
    their size is unknown), densest demand first; the marker shows the smallest
    area that holds half of the demand and the share of today's and of the
    recommended hours that it gets.

    Examples
    --------
    >>> from ilp_core.allocation import allocate, coverage_curve
    >>> d, now = pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 5.0, "B": 5.0})
    >>> fig = coverage_figure(coverage_curve(allocate(d, 10, current=now)))
    >>> [trace.name for trace in fig.data][:3]
    ['Demand', "Today's hours", 'Recommended hours']
    """
    t = curve.table
    x = t["area_share"].to_numpy(dtype=float)
    hover = ["", *area_labels(t["area"].iloc[1:], lang)]
    fig = go.Figure()
    series = [
        ("demand_share", "allocation.fig.demand", DEMAND, "solid"),
        ("current_share", "allocation.fig.current", CURRENT, "dash"),
        ("recommended_share", "allocation.fig.recommended", RECOMMENDED, "solid"),
    ]
    for column, key, colour, dash in series:
        y = t[column].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            continue
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=i18n.t(key, lang),
                line={"color": colour, "dash": dash, "width": 2.5},
                marker={"size": 4},
                text=hover,
                hovertemplate="%{text}<br>%{x:.0%} → %{y:.0%}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=i18n.t("allocation.fig.even", lang),
            line={"color": "#969696", "dash": "dot", "width": 1},
            hoverinfo="skip",
        )
    )
    half = curve.half_area_share
    marks = [(0.5, DEMAND, "circle")]
    if np.isfinite(curve.current_at_half):
        marks.append((curve.current_at_half, CURRENT, "triangle-down"))
    marks.append((curve.recommended_at_half, RECOMMENDED, "triangle-up"))
    fig.add_trace(
        go.Scatter(
            x=[half] * len(marks),
            y=[m[0] for m in marks],
            mode="markers",
            name=i18n.t("allocation.fig.half_mark", lang),
            marker={
                "color": [m[1] for m in marks],
                "symbol": [m[2] for m in marks],
                "size": 13,
                "line": {"color": "white", "width": 1},
            },
            hovertemplate="%{x:.0%} → %{y:.0%}<extra></extra>",
        )
    )
    fig.add_vline(x=half, line={"color": "#969696", "dash": "dot", "width": 1})
    x_key = "allocation.fig.x_area" if curve.by_size else "allocation.fig.x_areas"
    fig.update_layout(
        title={"text": i18n.t("allocation.fig.coverage_title", lang)},
        xaxis={"title": i18n.t(x_key, lang), "tickformat": ".0%", "range": [0, 1]},
        yaxis={
            "title": i18n.t("allocation.fig.y_share", lang),
            "tickformat": ".0%",
            "range": [0, 1.02],
        },
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35},
        separators=_separators(lang),
    )
    return fig


def hours_figure(
    allocation: Allocation, *, lang: str = i18n.DEFAULT_LANGUAGE, top: int = 40
) -> go.Figure:
    """Plot today's and the recommended hours of each area, largest change first.

    With more than ``top`` areas only the ``top`` largest changes are drawn
    (areas without a current allocation: the largest recommendations).

    Examples
    --------
    >>> from ilp_core.allocation import allocate
    >>> d, now = pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 5.0, "B": 5.0})
    >>> [trace.x.tolist() for trace in hours_figure(allocate(d, 10, current=now)).data]
    [[5.0, 5.0], [4.0, 6.0]]
    """
    t = allocation.table
    change = t["change_hours"].to_numpy(dtype=float)
    key = np.abs(change) if np.isfinite(change).all() else t["recommended_hours"].to_numpy()
    shown = t.iloc[np.argsort(-key, kind="stable")[:top]].iloc[::-1]
    labels = area_labels(shown["area"], lang)
    fig = go.Figure()
    if np.isfinite(shown["current_hours"].to_numpy(dtype=float)).all():
        fig.add_trace(
            go.Bar(
                y=labels,
                x=shown["current_hours"],
                orientation="h",
                name=i18n.t("allocation.fig.current", lang),
                marker_color=CURRENT,
            )
        )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=shown["recommended_hours"],
            orientation="h",
            name=i18n.t("allocation.fig.recommended", lang),
            marker_color=RECOMMENDED,
        )
    )
    fig.update_layout(
        barmode="group",
        title={"text": i18n.t("allocation.fig.hours_title", lang)},
        xaxis_title=i18n.t("allocation.fig.hours_axis", lang),
        template="plotly_white",
        height=max(320, 22 * len(shown) + 140),
        margin={"l": 140, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25},
        separators=_separators(lang),
    )
    return fig


def scenario_figure(
    comparison: pd.DataFrame,
    names: tuple[str, str],
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    top: int = 40,
) -> go.Figure:
    """Plot the difference between two saved scenarios per area (second minus first).

    ``comparison`` is :func:`ilp_core.allocation.compare_scenarios`; red bars are
    areas the second scenario gives more hours, blue bars fewer.

    Examples
    --------
    >>> from ilp_core.allocation import allocate, compare_scenarios
    >>> d = pd.Series({"A": 60.0, "B": 40.0})
    >>> table = compare_scenarios(allocate(d, 10), allocate(d, 10, floor=5))
    >>> fig = scenario_figure(table, ("s1", "s2"))
    >>> fig.data[0].x.tolist(), fig.layout.title.text
    ([1.0, -1.0], 's2 minus s1: hours per area')
    """
    diff = comparison["difference"].to_numpy(dtype=float)
    shown = comparison.iloc[np.argsort(-np.abs(diff), kind="stable")[:top]].iloc[::-1]
    values = shown["difference"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Bar(
            y=area_labels(shown["area"], lang),
            x=values,
            orientation="h",
            marker_color=[MORE if v > 0 else LESS for v in values],
            hovertemplate="%{y}: %{x:+,.0f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line={"color": DEMAND, "width": 1})
    fig.update_layout(
        title={
            "text": i18n.t("allocation.fig.scenario_title", lang, first=names[0], second=names[1])
        },
        xaxis_title=i18n.t("allocation.fig.difference_axis", lang),
        template="plotly_white",
        height=max(300, 22 * len(shown) + 140),
        margin={"l": 140, "r": 20, "t": 60, "b": 50},
        showlegend=False,
        separators=_separators(lang),
    )
    return fig


def _separators(lang: str) -> str:
    """Plotly's decimal and thousands separators for ``lang`` (``", "`` in Russian)."""
    return i18n.number(0.5, lang, 1)[1] + i18n.number(12345, lang)[2]
