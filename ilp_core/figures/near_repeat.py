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


_LOG2_CAP = 3.0  # colours saturate at 8 times (or 1/8 of) the pairs chance gives


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
        One heat-map trace whose ``z`` is ``log2(result.ratio)`` (rows in its order,
        clipped at ±3; the colour scale is centred on a ratio of 1 and labelled in
        ratios; ``customdata`` holds the ratios), with a ratio and p-value annotation
        per cell.
    """
    ratio = result.ratio.to_numpy(dtype=float)
    p = result.p_value.to_numpy(dtype=float)
    rows = [_band_label(v, lang) for v in result.ratio.index]
    cols = [_band_label(v, lang) for v in result.ratio.columns]
    # Colour by log2 of the ratio: ratios run from 0 to 20 and more, so a scale centred on
    # 1 with the spread of the largest ratio ran to -20 and left significant ratios of
    # 1.1-2.6 white. On log2, 2 and 1/2 are equally far from 1, and the scale stops at
    # 8 times (or 1/8 of) what chance gives.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log2(ratio)
    log_ratio = np.clip(log_ratio, -_LOG2_CAP, _LOG2_CAP)  # 0 pairs -> -cap, NaN stays NaN
    finite = np.abs(log_ratio[np.isfinite(log_ratio)])
    spread = max(float(finite.max()) if finite.size else 1.0, np.log2(1.25))
    ticks = [v for v in (-3, -2, -1, 0, 1, 2, 3) if abs(v) <= spread + 1e-9] or [0]
    fig = go.Figure(
        go.Heatmap(
            z=log_ratio,
            x=cols,
            y=rows,
            customdata=ratio,
            colorscale=RDBU,
            zmin=-spread,
            zmax=spread,
            colorbar={
                "title": {"text": i18n.t("charts.knox_ratio", lang)},
                "tickvals": ticks,
                "ticktext": [i18n.number(2.0**v, lang, 2 if v < 0 else 0) for v in ticks],
            },
            hovertemplate=(
                f"{i18n.t('charts.metres_apart', lang)}: %{{y}}<br>"
                f"{i18n.t('charts.days_apart', lang)}: %{{x}}<br>"
                f"{i18n.t('charts.knox_ratio', lang)}: %{{customdata:.2f}}<extra></extra>"
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
