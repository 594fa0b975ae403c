"""Plotly figure of the near-repeat test: Knox ratios by distance and time apart."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.analysis.near_repeat import KnoxResult
from ilp_core.figures._style import (
    DARK,
    RDBU,
    layout,
)


def _band_label(label: str, lang: str) -> str:
    if label == "0":
        return i18n.t("charts.same_location", lang)
    return label.replace("inf", "\u221e")


def knox_heatmap(result: KnoxResult, *, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Knox ratios by distance (rows, nearest on top) and time apart (columns), with p-values.

    Red cells hold more pairs than chance would give (ratio above 1), blue cells
    fewer; each cell is annotated with its ratio and p-value, and a star marks
    p <= 0.05.

    Parameters
    ----------
    result
        Result of :func:`ilp_core.analysis.near_repeat.knox_test`.
    lang
        Language of every label.

    Returns
    -------
    plotly.graph_objects.Figure
        One heat-map trace whose ``z`` is ``result.ratio`` (rows in its order),
        with a ratio and p-value annotation per cell.
    """
    ratio = result.ratio.to_numpy(dtype=float)
    p = result.p_value.to_numpy(dtype=float)
    rows = [_band_label(v, lang) for v in result.ratio.index]
    cols = [_band_label(v, lang) for v in result.ratio.columns]
    finite = ratio[np.isfinite(ratio)]
    spread = float(np.max(np.abs(finite - 1.0))) if finite.size else 1.0
    spread = max(spread, 0.1)
    fig = go.Figure(
        go.Heatmap(
            z=ratio,
            x=cols,
            y=rows,
            colorscale=RDBU,
            zmin=1.0 - spread,
            zmax=1.0 + spread,
            colorbar={"title": {"text": i18n.t("charts.knox_ratio", lang)}},
            hovertemplate=(
                f"{i18n.t('charts.metres_apart', lang)}: %{{y}}<br>"
                f"{i18n.t('charts.days_apart', lang)}: %{{x}}<br>"
                f"{i18n.t('charts.knox_ratio', lang)}: %{{z:.2f}}<extra></extra>"
            ),
        )
    )
    for r, row_label in enumerate(rows):
        for c, col_label in enumerate(cols):
            value = ratio[r, c]
            text = "\u2013" if not np.isfinite(value) else i18n.number(value, lang, 2)
            star = "*" if p[r, c] <= 0.05 else ""
            fig.add_annotation(
                x=col_label,
                y=row_label,
                text=i18n.t(
                    "charts.knox_cell", lang, ratio=f"{text}{star}", p=i18n.number(p[r, c], lang, 2)
                ),
                showarrow=False,
                font={"size": 11, "color": DARK},
            )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    title = i18n.t(
        "charts.knox_title",
        lang,
        n=result.n_events,
        permutations=result.permutations,
    )
    return layout(
        fig, title, i18n.t("charts.days_apart", lang), i18n.t("charts.metres_apart", lang)
    )
