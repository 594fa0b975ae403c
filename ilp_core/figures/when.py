"""Plotly figures of the When step.

Hour x weekday, weekly series with control limits, seasonality, and the
comparison of two periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ilp_core import i18n
from ilp_core.analysis.temporal import ControlChart, PeriodComparison, Trend
from ilp_core.errors import IlpInputError
from ilp_core.figures._style import (
    BAND,
    BLUE,
    DARK,
    GREY,
    MID,
    ORANGE,
    RED,
    layout,
    month_names,
    offence_title,
    weekday_names,
)


def hour_weekday_heatmap(
    table: pd.DataFrame, *, offence: str | None = None, lang: str = i18n.DEFAULT_LANGUAGE
) -> go.Figure:
    """Heat map of incidents by hour of day (columns) and weekday (rows, Monday on top).

    Shows at a glance the hours to cover: the bright cells.

    Parameters
    ----------
    table
        ``HourWeekday.table`` from :func:`ilp_core.analysis.temporal.hour_weekday`
        (``offence``, ``weekday``, ``hour``, ``count``).
    offence
        The offence to show; ``None`` adds up all offences.
    lang
        Language of every label.

    Returns
    -------
    plotly.graph_objects.Figure
        One heat-map trace; ``z`` is the 7 x 24 array of counts.

    Raises
    ------
    IlpInputError
        ``charts.unknown_offence`` when ``offence`` is not in the table.

    Examples
    --------
    >>> tab = pd.DataFrame({"offence": "Theft", "weekday": np.repeat(range(7), 24),
    ...                     "hour": np.tile(range(24), 7), "count": 1.0})
    >>> fig = hour_weekday_heatmap(tab, offence="Theft")
    >>> np.asarray(fig.data[0].z).shape
    (7, 24)
    """
    if offence is not None and not (table["offence"] == offence).any():
        raise IlpInputError("charts.unknown_offence", offence=offence)
    tab = table if offence is None else table[table["offence"] == offence]
    grid = tab.groupby(["weekday", "hour"])["count"].sum()
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    z = grid.reindex(full, fill_value=0.0).unstack("hour").to_numpy(dtype=float)
    label = i18n.t("charts.incidents", lang)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"{h:02d}" for h in range(24)],
            y=weekday_names(lang),
            colorscale="Viridis",
            colorbar={"title": {"text": label}},
            hovertemplate=f"%{{y}} %{{x}}:00<br>{label}: %{{z:.1f}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    title = i18n.t("charts.hour_weekday_title", lang, offence=offence_title(offence, lang))
    return layout(
        fig, title, i18n.t("charts.hour_of_day", lang), i18n.t("charts.day_of_week", lang)
    )


def series_chart(
    control: ControlChart,
    *,
    offence: str,
    trend: Trend | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> go.Figure:
    """Weekly (or monthly) counts with their control band, flagged periods and trend line.

    Parameters
    ----------
    control
        Result of :func:`ilp_core.analysis.temporal.control_limits`.
    offence
        The offence to show.
    trend
        Result of :func:`ilp_core.analysis.temporal.trend` on the same counts; adds the
        Theil-Sen trend line when given.
    lang
        Language of every label.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named by role in ``meta``: ``band`` (upper and lower limits),
        ``count``, ``expected``, ``high``, ``low`` and ``trend``.

    Raises
    ------
    IlpInputError
        ``charts.unknown_offence`` when ``offence`` is not in the result.

    Examples
    --------
    >>> import datetime as dt
    >>> from ilp_core.analysis.temporal import PeriodCounts, control_limits
    >>> starts = pd.date_range("2024-01-01", periods=6, freq="7D")
    >>> pc = PeriodCounts(pd.DataFrame({"offence": "Theft", "period_start": starts,
    ...     "period_end": starts + pd.Timedelta(days=6), "days": 7,
    ...     "count": [10, 10, 10, 10, 22, 10], "partial": False}), "week",
    ...     dt.date(2024, 1, 1), dt.date(2024, 2, 11), "drop", {})
    >>> fig = series_chart(control_limits(pc, baseline=4), offence="Theft")
    >>> [t.meta for t in fig.data]
    ['band', 'band', 'count', 'expected', 'high', 'low']
    """
    tab = control.table[control.table["offence"] == offence]
    if tab.empty:
        raise IlpInputError("charts.unknown_offence", offence=offence)
    x = pd.to_datetime(tab["period_start"]).to_list()
    per = "week" if control.freq == "week" else "month"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=tab["lower"].to_numpy(dtype=float),
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
            meta="band",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=tab["upper"].to_numpy(dtype=float),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND,
            name=i18n.t("charts.control_limits", lang),
            meta="band",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=tab["count"].to_numpy(dtype=float),
            mode="lines+markers",
            line={"color": DARK, "width": 1.5},
            marker={"size": 4},
            name=i18n.t("charts.incidents", lang),
            meta="count",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=tab["expected"].to_numpy(dtype=float),
            mode="lines",
            line={"color": MID, "dash": "dash"},
            name=i18n.t(f"charts.expected_{per}", lang, n=control.baseline),
            meta="expected",
        )
    )
    for flag, colour, symbol in (("high", RED, "triangle-up"), ("low", BLUE, "triangle-down")):
        sel = (tab["exceptional"] == flag).to_numpy()
        fig.add_trace(
            go.Scatter(
                x=[v for v, s in zip(x, sel, strict=True) if s],
                y=tab["count"].to_numpy(dtype=float)[sel],
                mode="markers",
                marker={"color": colour, "symbol": symbol, "size": 11},
                name=i18n.t(f"charts.exceptional_{flag}", lang),
                meta=flag,
            )
        )
    if trend is not None:
        row = trend.table[trend.table["offence"] == offence]
        if not row.empty:
            k = np.arange(len(x), dtype=float)
            slope, intercept = float(row["sen_slope"].iloc[0]), float(row["sen_intercept"].iloc[0])
            direction = str(row["direction"].iloc[0])
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=intercept + slope * k,
                    mode="lines",
                    line={"color": ORANGE, "width": 2.5, "dash": "dot"},
                    name=i18n.t(
                        "charts.trend_line",
                        lang,
                        direction=i18n.t(f"temporal.direction.{direction}", lang),
                    ),
                    meta="trend",
                )
            )
    title = i18n.t(f"charts.series_title_{per}", lang, offence=i18n.term(offence, lang))
    return layout(
        fig,
        title,
        i18n.t(f"charts.{per}_starting", lang),
        i18n.t(f"charts.incidents_per_{per}", lang),
    )


def seasonality_chart(
    table: pd.DataFrame,
    *,
    offences: list[str] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> go.Figure:
    """Seasonal index by month, one line per offence, around the reference line 1.

    Parameters
    ----------
    table
        Result of :func:`ilp_core.analysis.temporal.seasonality`.
    offences
        Offences to draw (default all, in the table's order).
    lang
        Language of every label (month names from Babel).

    Returns
    -------
    plotly.graph_objects.Figure
        One line per offence (``meta`` = the offence), ``y`` the 12 indices.

    Examples
    --------
    >>> tab = pd.DataFrame({"offence": "Theft", "month": range(1, 13),
    ...                     "seasonal_index": 1.0, "method": "ratio"})
    >>> seasonality_chart(tab, lang="ru").data[0].x[0]
    'янв.'
    """
    chosen = list(dict.fromkeys(table["offence"].tolist())) if offences is None else offences
    colours = _qualitative(len(chosen))
    months = month_names(lang)
    fig = go.Figure()
    for offence, colour in zip(chosen, colours, strict=True):
        tab = table[table["offence"] == offence].set_index("month")["seasonal_index"]
        y = tab.reindex(range(1, 13)).to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=months,
                y=y,
                mode="lines+markers",
                name=i18n.term(offence, lang),
                line={"color": colour},
                meta=offence,
            )
        )
    fig.add_hline(y=1.0, line={"color": MID, "dash": "dash", "width": 1})
    method = str(table["method"].iloc[0]) if len(table) else "ratio"
    return layout(
        fig,
        i18n.t("charts.seasonality_title", lang),
        i18n.t("charts.month", lang),
        i18n.t(f"charts.seasonal_index_{method}", lang),
    )


def _qualitative(n: int) -> list[str]:
    """``n`` colours spread along viridis (stopping short of its pale yellow end)."""
    import plotly.colors as pc

    if n == 0:
        return []
    return pc.sample_colorscale("Viridis", list(np.linspace(0.0, 0.85, n)))


def comparison_chart(result: PeriodComparison, *, lang: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Horizontal bars of the percentage change per offence or district, significant ones marked.

    Significant increases are red with an up triangle, significant decreases
    blue with a down triangle, changes within chance grey; each bar is labelled
    with the two counts.

    Parameters
    ----------
    result
        Result of :func:`ilp_core.analysis.temporal.compare_periods`.
    lang
        Language of every label.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per verdict (``meta`` = ``increase``, ``decrease``,
        ``no_change``), ``x`` the percentage changes and ``y`` the groups.

    Examples
    --------
    >>> import datetime as dt
    >>> from ilp_core.analysis.temporal import PeriodComparison
    >>> tab = pd.DataFrame({"offence": ["Theft", "Robbery"], "count_a": [10, 20],
    ...     "count_b": [30, 21], "pct_change": [200.0, 5.0],
    ...     "verdict": ["increase", "no_change"]})
    >>> res = PeriodComparison(tab, "offence", (dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ...     (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), 0.05, {})
    >>> [(t.meta, [float(v) for v in t.x]) for t in comparison_chart(res).data]
    [('increase', [200.0]), ('decrease', []), ('no_change', [5.0])]
    """
    tab = result.table
    col = result.by
    fig = go.Figure()
    for verdict, colour, symbol in (
        ("increase", RED, "\u25b2 "),
        ("decrease", BLUE, "\u25bc "),
        ("no_change", GREY, ""),
    ):
        sel = tab[tab["verdict"] == verdict]
        fig.add_trace(
            go.Bar(
                x=sel["pct_change"].to_numpy(dtype=float),
                y=[i18n.term(v, lang) for v in sel[col]],
                orientation="h",
                marker={"color": colour},
                text=[
                    f"{symbol}{i18n.number(a, lang)} \u2192 {i18n.number(b, lang)}"
                    for a, b in zip(sel["count_a"], sel["count_b"], strict=True)
                ],
                textposition="outside",
                name=i18n.t(f"temporal.verdict.{verdict}", lang),
                meta=verdict,
            )
        )
    fig.add_vline(x=0.0, line={"color": MID, "width": 1})
    fig.update_yaxes(categoryorder="array", categoryarray=[i18n.term(v, lang) for v in tab[col]])
    (a0, a1), (b0, b1) = result.period_a, result.period_b
    title = i18n.t(
        f"charts.comparison_title_{col}",
        lang,
        start_a=a0,
        end_a=a1,
        start_b=b0,
        end_b=b1,
    )
    return layout(
        fig, title, i18n.t("charts.pct_change", lang), i18n.t(f"charts.group_{col}", lang)
    )
