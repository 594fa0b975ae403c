"""Plotly figures of a priority assessment: risk matrix, decomposition, count vs harm, stability.

One function per figure, built from the results of :mod:`ilp_core.decide.priorities`; every
word is translated. Tiers are shown by colour AND marker shape (circle, diamond,
square), so the matrix reads in greyscale and under colour-blindness; colours
come from ColorBrewer (YlOrRd for the bands, RdBu for up/down, Reds / Blues /
Greens for the criteria groups).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ilp_core import checks, i18n
from ilp_core.decide.priorities import (
    Ranking,
    Stability,
    criterion_label,
    problem_labels,
    settings,
)
from ilp_core.figures._style import inert

SizeBy = Literal["volume", "harm"]
_SIZE_BY: Final[tuple[str, ...]] = ("volume", "harm")

#: Tier colours (ColorBrewer YlOrRd, dark end) and marker shapes.
TIER_STYLE: Final[dict[str, tuple[str, str]]] = {
    "high": ("#bd0026", "circle"),
    "medium": ("#fd8d3c", "diamond"),
    "low": ("#4575b4", "square"),
}
#: Background of the matrix cells by band (pale, so the bubbles stand out).
BAND_FILL: Final[dict[str, str]] = {"high": "#fdd0a2", "medium": "#feedde", "low": "#f7f7f7"}
_GROUP_SHADES: Final[dict[str, list[str]]] = {
    # ColorBrewer 9-class sequential, mid to dark shades.
    "harm": ["#a50f15", "#de2d26", "#fb6a4a", "#fc9272", "#67000d", "#cb181d", "#ef3b2c"],
    "likelihood": ["#08519c", "#3182bd", "#6baed6", "#9ecae1", "#08306b", "#2171b5"],
    "position": ["#006d2c", "#31a354", "#74c476", "#a1d99b", "#00441b", "#238b45"],
}
_GREY: Final[str] = "#969696"
_RED: Final[str] = "#b2182b"
_BLUE: Final[str] = "#2166ac"


def _figure(
    traces: list[dict[str, Any]], layout: dict[str, Any], title: str, x_title: str, y_title: str
) -> go.Figure:
    """The figure, built and validated once from plain trace and layout dicts.

    Each ``add_trace`` and ``update_layout`` validates again: building at once halved
    the time of the contributions chart (11 to 5.6 ms for 8 bar traces), which every
    participant's weight change rebuilds. The look is plotly's "plotly_white" set
    directly: applying the template itself deep-copies and re-validates it, 70 ms per
    figure here (a page shows four). The template is named ("none": this look and
    nothing else), so the chart does not take whatever default the process has set:
    Streamlit sets its own in the app's process, and the report built there must be
    the one a command line builds.
    """
    look = {
        "template": "none",
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#ebebeb", "zerolinecolor": "#ebebeb"},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#ebebeb", "zerolinecolor": "#ebebeb"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"color": "#2a3f5f"},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": -0.3},
    }
    for key, value in layout.items():  # the chart's own settings win, axis by axis
        look[key] = {**look[key], **value} if isinstance(look.get(key), dict) else value
    return inert(go.Figure(data=traces, layout=look))


def _bands(ranking: Ranking) -> tuple[float, float]:
    """Band thresholds of the cell products: the scheme's for the risk matrix, else 5 / 10."""
    scheme = ranking.scheme
    return scheme.bands if scheme.method == "risk_matrix" else (5.0, 10.0)


def _spread_apart(
    x: np.ndarray, y: np.ndarray, near: float = 0.3, rounds: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """Positions where no two bubbles are closer than ``near`` (in matrix cells), moved little.

    Problems often share a cell of the matrix (ten in one on the sample); drawn at their
    exact scores they hid each other. Pairs too close are pushed apart along the line
    between them (a few hundred rounds of a simple relaxation; bubbles at the very same
    spot start on a small ring). Returns new arrays; hover shows the exact scores.
    """
    points = np.column_stack([x, y]).astype(float)
    ok = np.isfinite(points).all(axis=1)
    p = points[ok]
    n = len(p)
    if n > 1:
        angle = 2 * np.pi * np.arange(n) / n
        p = p + 1e-3 * np.column_stack([np.cos(angle), np.sin(angle)])  # separate equal spots
        for _ in range(rounds):
            diff = p[:, None, :] - p[None, :, :]
            dist = np.hypot(diff[..., 0], diff[..., 1])
            np.fill_diagonal(dist, np.inf)
            same = (dist == 0).any(axis=1)
            if same.any():  # pushed into the same spot against an edge: back on the ring
                p[same] += 1e-3 * np.column_stack([np.cos(angle[same]), np.sin(angle[same])])
                continue  # (a zero distance made every position NaN: no bubble drawn)
            overlap = np.clip(near * 1.05 - dist, 0.0, None)
            if not overlap.any():
                break
            push = (
                (diff / np.where(np.isfinite(dist), dist, 1.0)[..., None]) * overlap[..., None] / 2
            )
            p = np.clip(p + push.sum(axis=1), 0.6, 5.4)
    points[ok] = p
    return points[:, 0], points[:, 1]


def risk_matrix_chart(
    ranking: Ranking,
    *,
    size_by: SizeBy = "volume",
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> go.Figure:
    """Risk matrix: likelihood (x) by impact (y), one bubble per problem, sized by volume or harm.

    The 5 x 5 background is shaded by the band of each cell's product (low,
    medium, high); bubbles sit at the problems' unrounded likelihood and impact
    (1 to 5), coloured and shaped by their tier, their area proportional to
    ``size_by``.

    Parameters
    ----------
    ranking
        Output of :func:`ilp_core.decide.priorities.score`.
    size_by
        ``"volume"`` (incidents) or ``"harm"`` (days of custody).
    lang
        Language of every label.

    Returns
    -------
    plotly.graph_objects.Figure
        A heat-map trace (the bands) and one scatter trace per tier present.

    Raises
    ------
    IlpInputError
        ``priority.bad_option`` for an unknown ``size_by``.

    Examples
    --------
    >>> from ilp_core.decide.priorities import make_scheme, score
    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting"], "volume": [20, 400],
    ...                   "harm": [7300.0, 1000.0]})
    >>> fig = risk_matrix_chart(score(t, make_scheme("weighted_sum", {"harm": 2, "volume": 1})))
    >>> [tr.type for tr in fig.data]
    ['heatmap', 'scatter', 'scatter']
    """
    checks.option("size_by", size_by, _SIZE_BY)
    t = ranking.table
    medium, high = _bands(ranking)
    cells = np.arange(1, 6)
    product = cells[:, None] * cells[None, :]  # rows: impact, columns: likelihood
    band = np.where(product >= high, 2, np.where(product >= medium, 1, 0))
    band_names = [i18n.t(f"priorities.tier.{b}", lang) for b in ("low", "medium", "high")]
    traces: list[dict[str, Any]] = [
        {
            "type": "heatmap",
            "z": band,
            "x": cells,
            "y": cells,
            "zmin": 0,
            "zmax": 2,
            "colorscale": [
                [0.0, BAND_FILL["low"]],
                [0.33, BAND_FILL["low"]],
                [0.34, BAND_FILL["medium"]],
                [0.66, BAND_FILL["medium"]],
                [0.67, BAND_FILL["high"]],
                [1.0, BAND_FILL["high"]],
            ],
            "showscale": False,
            "customdata": np.array(band_names, dtype=object)[band],
            "hovertemplate": (
                f"{i18n.t('priorities.chart.likelihood', lang)} %{{x}} x "
                f"{i18n.t('priorities.chart.impact', lang)} %{{y}}: %{{customdata}}<extra></extra>"
            ),
            "xgap": 2,
            "ygap": 2,
        }
    ]
    size_values = t[size_by].to_numpy(dtype=float) if size_by in t.columns else np.ones(len(t))
    size_values = np.nan_to_num(np.maximum(size_values, 0.0))
    peak = float(size_values.max()) if len(size_values) and size_values.max() > 0 else 1.0
    sizeref = 2.0 * peak / 48.0**2  # the largest bubble is 48 px across
    labels = problem_labels(t, lang)
    size_title = i18n.t(f"priorities.chart.size_{size_by}", lang)
    x_at, y_at = _spread_apart(
        t["likelihood"].to_numpy(dtype=float), t["impact"].to_numpy(dtype=float)
    )
    for tier in ("high", "medium", "low"):
        mask = (t["tier"] == tier).to_numpy()
        if not mask.any():
            continue
        colour, symbol = TIER_STYLE[tier]
        sub = t.loc[mask]
        # Names overlapped into an illegible cluster (ten bubbles in one cell): each bubble
        # carries its rank, the ranking table above is the legend, hover gives the name.
        text = [str(int(rank)) for rank in sub["rank"]]
        traces.append(
            {
                "type": "scatter",
                "x": x_at[mask],
                "y": y_at[mask],
                "mode": "markers+text",
                "name": i18n.t(f"priorities.tier.{tier}", lang),
                "text": text,
                "textposition": "middle center",
                "textfont": {"size": 11, "color": "#000000"},
                "marker": {
                    "size": np.maximum(size_values[mask], peak * 0.002),
                    "sizemode": "area",
                    "sizeref": sizeref,
                    "sizemin": 6,
                    "color": colour,
                    "symbol": symbol,
                    "opacity": 0.8,
                    "line": {"width": 1, "color": "#252525"},
                },
                "customdata": np.column_stack(
                    [
                        labels[mask],
                        sub["rank"],
                        sub["score"].round(2),
                        size_values[mask],
                        sub["likelihood"].round(2),
                        sub["impact"].round(2),
                    ]
                ),
                "hovertemplate": (
                    "<b>%{customdata[0]}</b><br>"
                    f"{i18n.t('priorities.col.rank', lang)}: %{{customdata[1]}}<br>"
                    f"{i18n.t('priorities.col.score', lang)}: %{{customdata[2]}}<br>"
                    f"{i18n.t('priorities.chart.likelihood', lang)}: %{{customdata[4]}}<br>"
                    f"{i18n.t('priorities.chart.impact', lang)}: %{{customdata[5]}}<br>"
                    f"{size_title}: %{{customdata[3]:,.0f}}<extra></extra>"
                ),
            }
        )
    ticks = {"tickmode": "array", "tickvals": list(cells), "range": [0.5, 5.5], "showgrid": False}
    return _figure(
        traces,
        {
            "xaxis": {**ticks, "zeroline": False},
            "yaxis": {**ticks, "zeroline": False, "scaleanchor": "x", "scaleratio": 1},
            "height": 560,
        },
        i18n.t("priorities.chart.matrix_title", lang, size=size_title),
        i18n.t("priorities.chart.likelihood_axis", lang),
        i18n.t("priorities.chart.impact_axis", lang),
    )


def contributions_chart(
    ranking: Ranking, *, lang: str = i18n.DEFAULT_LANGUAGE, top: int = 15
) -> go.Figure:
    """Why each problem has its rank: its score split into the contribution of every criterion.

    Horizontal stacked bars, best-ranked problem on top; negative contributions
    (a falling trend, rounding down to the grid) extend to the left. Criteria of
    the same group share a colour family (harm: reds, likelihood: blues,
    position: greens; the method's constant base: grey). A criterion that rests
    on a forecast (the likely development) is hatched, and its whiskers span its
    contribution at both ends of the forecast's 80 % interval: the uncertainty of
    the forecast, shown where it enters the score.

    Parameters
    ----------
    ranking
        Output of :func:`ilp_core.decide.priorities.score`.
    lang
        Language of every label.
    top
        Problems shown (the best ranked).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per criterion (and one for the base, and the rounding when
        there is one).

    Examples
    --------
    >>> from ilp_core.decide.priorities import make_scheme, score
    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting"], "volume": [20, 400],
    ...                   "harm": [7300.0, 1000.0]})
    >>> fig = contributions_chart(score(t, make_scheme("weighted_sum", {"harm": 1, "volume": 1})))
    >>> [tr.name for tr in fig.data]
    ['Harm (days of custody)', 'Volume (incidents)']
    """
    t = ranking.table.head(top)
    labels = problem_labels(t, lang)
    criteria_cfg = settings().criteria
    used: dict[str, int] = {}
    series: list[tuple[str, str, str]] = []
    for key in ranking.criteria:
        group = criteria_cfg[key].group if key in criteria_cfg else "harm"
        shades = _GROUP_SHADES[group]
        colour = shades[used.get(group, 0) % len(shades)]
        used[group] = used.get(group, 0) + 1
        series.append((f"contrib_{key}", criterion_label(key, lang), colour))
    order = {g: i for i, g in enumerate(("harm", "likelihood", "position"))}
    series.sort(
        key=lambda s: order.get(criteria_cfg[s[0][8:]].group if s[0][8:] in criteria_cfg else "", 9)
    )
    if t["contrib_base"].abs().sum() > 0:
        series.append(("contrib_base", i18n.t("priorities.col.contrib_base", lang), _GREY))
    if "contrib_rounding" in t.columns and t["contrib_rounding"].abs().sum() > 0:
        series.append(
            ("contrib_rounding", i18n.t("priorities.col.contrib_rounding", lang), "#d9d9d9")
        )
    traces = [
        _contribution_trace(t, labels, col, name, colour, lang) for col, name, colour in series
    ]
    # Up to 20 criteria: the legend goes to the right, one per line, not under the bars.
    layout = {
        "yaxis": {"autorange": "reversed"},
        "barmode": "relative",
        "height": max(420, 28 * len(t) + 160, 22 * len(series) + 120),
        "legend": {"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top", "font": {"size": 11}},
        "margin": {"r": 260},
    }
    title = i18n.t("priorities.chart.contrib_title", lang)
    return _figure(traces, layout, title, i18n.t("priorities.col.score", lang), "")


def _contribution_trace(
    t: pd.DataFrame, labels: pd.Series, col: str, name: str, colour: str, lang: str
) -> dict[str, Any]:
    """One criterion's bars; hatched with whiskers when the criterion comes with an interval."""
    trace: dict[str, Any] = {
        "type": "bar",
        "y": labels,
        "x": t[col].to_numpy(),
        "name": name,
        "orientation": "h",
        "marker": {"color": colour, "line": {"width": 0.5, "color": "white"}},
        "hovertemplate": f"%{{y}}<br>{name}: %{{x:.2f}}<extra></extra>",
    }
    if f"lower_{col}" not in t.columns:
        return trace
    x = t[col].to_numpy(dtype=float)
    low = t[f"lower_{col}"].to_numpy(dtype=float)
    high = t[f"upper_{col}"].to_numpy(dtype=float)
    between = i18n.t("development.chart.interval", lang)
    trace["name"] = i18n.t("development.chart.legend", lang, criterion=name)
    trace["marker"]["pattern"] = {"shape": "/", "fgcolor": "white", "size": 6}
    trace["error_x"] = {
        "type": "data",
        "symmetric": False,
        "array": np.maximum(high - x, 0.0),
        "arrayminus": np.maximum(x - low, 0.0),
        "color": "#252525",
        "thickness": 1.5,
        "width": 4,
    }
    trace["customdata"] = np.column_stack([low, high])
    trace["hovertemplate"] = (
        f"%{{y}}<br>{name}: %{{x:.2f}}<br>{between}: %{{customdata[0]:.2f}} – "
        "%{customdata[1]:.2f}<extra></extra>"
    )
    return trace


def count_harm_chart(
    comparison: pd.DataFrame, *, lang: str = i18n.DEFAULT_LANGUAGE, top: int | None = 20
) -> go.Figure:
    """Rank by count next to rank by harm, a line per problem: who rises when harm counts.

    Lines that rise (the problem ranks higher by harm than by count) are red and
    solid, those that fall blue and dashed, unchanged ones grey.

    Parameters
    ----------
    comparison
        Output of :func:`ilp_core.decide.priorities.count_vs_harm`.
    lang
        Language of every label.
    top
        Keep the problems in the top ``top`` of either ranking (default 20;
        ``None``: all).

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per direction (rising, falling, unchanged) present.

    Examples
    --------
    >>> from ilp_core.decide.priorities import count_vs_harm
    >>> cmp = count_vs_harm(pd.DataFrame({"problem": ["Shoplifting", "Robbery"],
    ...                                   "volume": [100, 2], "harm": [250.0, 730.0]}))
    >>> len(count_harm_chart(cmp).data)  # one rising, one falling
    2
    """
    # Tied ranks would print their labels on top of each other: lines start and end at
    # the ordinal position (ties ordered by name); the hover shows the rank itself.
    t = comparison.assign(
        _y_count=_ordinal(comparison["count_rank"], comparison["problem"]),
        _y_harm=_ordinal(comparison["harm_rank"], comparison["problem"]),
    )
    if top is not None:
        t = t.loc[(t["count_rank"] <= top) | (t["harm_rank"] <= top)]
    labels = problem_labels(t, lang) if "kind" in t.columns else t["problem"].astype(str)
    x_left = i18n.t("priorities.chart.by_count", lang)
    x_right = i18n.t("priorities.chart.by_harm", lang)
    hover = (
        f"<b>%{{customdata[0]}}</b><br>{i18n.t('priorities.col.rank', lang)}: "
        "%{customdata[3]}<br>"
        f"{i18n.t('priorities.col.volume', lang)}: "
        f"%{{customdata[1]:,.0f}}<br>{i18n.t('priorities.col.harm', lang)}: "
        "%{customdata[2]:,.0f}<extra></extra>"
    )
    change = t["rank_change"].to_numpy()
    traces = []
    # One trace per direction (lines separated by gaps), not one per problem: a figure
    # of 3 traces builds in a few milliseconds, one of 20 in tens.
    for mask, colour, dash in (
        (change > 0, _RED, "solid"),
        (change < 0, _BLUE, "dash"),
        (change == 0, _GREY, "dot"),
    ):
        if not mask.any():
            continue
        sub, names = t.loc[mask], list(labels[mask])
        xs, ys, texts, positions, custom = [], [], [], [], []
        for (_, row), label in zip(sub.iterrows(), names, strict=True):
            xs += [x_left, x_right, None]
            ys += [row["_y_count"], row["_y_harm"], None]
            texts += [f"{label} ", f" {label}", ""]
            positions += ["middle left", "middle right", "middle left"]
            custom += [
                [label, row["volume"], row["harm"], row["count_rank"]],
                [label, row["volume"], row["harm"], row["harm_rank"]],
                [None, None, None, None],
            ]
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines+markers+text",
                "text": texts,
                "textposition": positions,
                "line": {"color": colour, "dash": dash, "width": 2},
                "marker": {"size": 8, "color": colour},
                "showlegend": False,
                "customdata": custom,
                "hovertemplate": hover,
                "connectgaps": False,
            }
        )
    n = int(max(t["_y_count"].max(), t["_y_harm"].max())) if len(t) else 1
    layout = {
        "yaxis": {"autorange": "reversed", "range": [n + 0.5, 0.5], "dtick": 1},
        "xaxis": {"range": [-0.9, 1.9]},
        "height": max(360, 26 * n + 120),
    }
    title = i18n.t("priorities.chart.count_harm_title", lang)
    return _figure(traces, layout, title, "", i18n.t("priorities.col.rank", lang))


def _ordinal(ranks: pd.Series, names: pd.Series) -> np.ndarray:
    """Positions 1..n in the order of ``ranks``, ties broken by name."""
    order = np.lexsort((names.astype(str).to_numpy(), ranks.to_numpy()))
    out = np.empty(len(order), dtype=np.int64)
    out[order] = np.arange(1, len(order) + 1)
    return out


def stability_chart(
    stability: Stability,
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    top: int = 30,
) -> go.Figure:
    """How often each problem stays in the top k when weights and entered values vary.

    One bar per problem (in the order of the ranking): the share of draws in the
    top k. Fragile problems are drawn hatched and orange, robust ones solid; the
    dotted lines mark the robustness thresholds.

    Parameters
    ----------
    stability
        Output of :func:`ilp_core.decide.priorities.rank_stability`.
    labels
        Problem id to the name to show (e.g. from :func:`problem_labels`).
    lang
        Language of every label.
    top
        Problems shown (the best ranked).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace.

    Examples
    --------
    >>> from ilp_core.decide.priorities import make_scheme, rank_stability
    >>> t = pd.DataFrame({"problem": ["A", "B"], "volume": [20, 400], "harm": [7300.0, 10.0]})
    >>> s = rank_stability(t, make_scheme("weighted_sum", {"harm": 1, "volume": 1}),
    ...                    top_k=1, draws=100, seed=1)
    >>> len(stability_chart(s).data[0].x)
    2
    """
    t = stability.table.head(top)
    names = [labels.get(p, p) if labels else p for p in t["problem"]]
    fragile = t["fragile"].to_numpy(dtype=bool)
    yes, no = i18n.t("priorities.yes", lang), i18n.t("priorities.no", lang)
    bars = {
        "type": "bar",
        "x": t["p_top_k"].to_numpy(),
        "y": names,
        "orientation": "h",
        "marker": {
            "color": np.where(fragile, "#e08214", "#4d4d4d"),
            "pattern": {"shape": np.where(fragile, "/", "").tolist()},
        },
        "customdata": np.column_stack(
            [t["rank"], t["rank_low"], t["rank_high"], np.where(fragile, yes, no)]
        ),
        "hovertemplate": (
            "<b>%{y}</b><br>"
            f"{i18n.t('priorities.col.p_top_k', lang, k=stability.top_k)}: %{{x:.0%}}<br>"
            f"{i18n.t('priorities.col.rank', lang)}: %{{customdata[0]}} "
            f"(%{{customdata[1]}}-%{{customdata[2]}})<br>"
            f"{i18n.t('priorities.col.fragile', lang)}: %{{customdata[3]}}<extra></extra>"
        ),
        "showlegend": False,
    }
    layout = {
        "shapes": [
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"dash": "dot", "color": _GREY},
            }
            for x in (1.0 - stability.robust_share, stability.robust_share)
        ],
        "xaxis": {"range": [0, 1], "tickformat": ".0%"},
        "yaxis": {"autorange": "reversed"},
        "height": max(320, 26 * len(t) + 140),
    }
    return _figure(
        [bars],
        layout,
        i18n.t("priorities.chart.stability_title", lang, k=stability.top_k, draws=stability.draws),
        i18n.t("priorities.chart.p_top_k_axis", lang, k=stability.top_k),
        "",
    )
