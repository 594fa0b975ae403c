"""Plotly figures of the spatial concentration results (Lorenz curve)."""

from __future__ import annotations

import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.hotspots import Concentration


def lorenz_chart(result: Concentration, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Lorenz curve of incidents over units, with the line of perfect equality.

    The further the curve bows below the diagonal, the more a few units hold most
    incidents; the Gini coefficient is twice the area between the two.
    """
    t = i18n.t
    unit = t(f"hotspots.unit.{result.unit}", lang)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name=t("charts_where.equality", lang),
            line={"dash": "dot", "color": "#888888"},
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=result.lorenz["share_units"], y=result.lorenz["share_incidents"], mode="lines",
            name=t("charts_where.lorenz", lang), line={"color": "#b2182b", "width": 3},
            fill="tonexty", fillcolor="rgba(178,24,43,0.12)",
        )
    )  # fmt: skip
    fig.update_layout(
        title=t("charts_where.lorenz_title", lang, gini=i18n.number(result.gini, lang, 2)),
        xaxis={"title": t("charts_where.share_units", lang, unit=unit), "tickformat": ".0%"},
        yaxis={"title": t("charts_where.share_incidents", lang), "tickformat": ".0%"},
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 60, "l": 60, "r": 20, "b": 60},
        height=420,
    )
    return fig
