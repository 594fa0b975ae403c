"""Shared controls of the crime-pattern pages: the spatial settings and result notes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import pandas as pd
import streamlit as st

from ilp_core import figures, i18n, markup
from ilp_core.analysis import hotspots
from ilp_core.errors import Message
from ui.state import default, label, lang, term_label, tr


def spatial_settings() -> dict[str, Any]:
    """Cell size, kernel, bandwidth and FDR, kept per session (keys ``p.where.*``)."""
    default("p.where.cell", 0)  # 0, here and for the bandwidth: the library chooses
    default("p.where.bandwidth", 0)
    default("p.where.fdr", True)
    with st.expander(tr("where.settings"), icon=":material/tune:"):
        c = st.columns([2, 2, 4, 2])  # the rule's names are the longest
        cell = c[0].number_input(
            tr("where.cell_size"), min_value=0, max_value=5000, step=50,
            key="p.where.cell", help=tr("where.cell_size_help"),
        )  # fmt: skip
        kernel = c[1].selectbox(
            tr("where.kernel"), hotspots.KERNELS, key="p.where.kernel",
            format_func=label("hotspots.kernel."),
        )  # fmt: skip
        rule = c[2].selectbox(
            tr("where.rule"), ("spatial", "scott", "silverman"), key="p.where.rule",
            format_func=label("hotspots.rule."), help=tr("where.rule_help"),
        )  # fmt: skip
        bandwidth = c[3].number_input(
            tr("where.bandwidth"), min_value=0, max_value=20000, step=50,
            key="p.where.bandwidth", help=tr("where.bandwidth_help"),
        )  # fmt: skip
        fdr = st.toggle(tr("where.fdr"), key="p.where.fdr", help=tr("where.fdr_help"))
    return {
        "cell_size": float(cell) if cell else None,
        "kernel": kernel,
        "rule": rule,
        "bandwidth": float(bandwidth) if bandwidth else None,
        "fdr": bool(fdr),
    }


def show_messages(messages: Iterable[Message]) -> None:
    """Show the analysis' warnings, each once, in the user's language."""
    for text in dict.fromkeys(m.render(lang(), escape=markup.markdown) for m in messages):
        st.warning(text, icon=":material/warning:")


def metres(value: float) -> str:
    """A distance in metres, formatted for the language."""
    return i18n.number(value, lang(), 0)


def where_map(
    counts: hotspots.DistrictCounts | None,
    gi: hotspots.GiStar | None,
    density: hotspots.Density | None,
    lisa: hotspots.LocalMoran | None,
    *,
    measure: str,
    lang: str,
    tiles: figures.maps.Tiles | None,
) -> folium.Map:
    """The "where" map from the page's results (cached and shared by :func:`ui.cache.shared`)."""
    return figures.where.hotspot_map(
        districts=counts.table if counts is not None else None,
        gi=gi, density=density, lisa=lisa, district_value=measure, lang=lang, tiles=tiles,
    )  # fmt: skip


def series_chart(chart: Any, trend: Any, *, offence: str, lang: str) -> Any:
    """The control chart of one offence (for :func:`ui.cache.figure`: the trend is a result)."""
    return figures.when.series_chart(chart, offence=offence, trend=trend, lang=lang)


def trend_table(table: pd.DataFrame) -> pd.DataFrame:
    """The trend table with translated offence names, directions and column headers."""
    shown = table[
        ["offence", "total", "pct_change", "slope_pct_per_year", "p_value", "direction"]
    ].copy()
    shown["offence"] = shown["offence"].map(term_label())
    shown["direction"] = shown["direction"].map(label("temporal.direction."))
    return shown.rename(columns=lambda c: tr(f"temporal.column.{c}"))


def comparison_table(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """The period comparison with translated names, verdicts and column headers."""
    columns = [by, "count_a", "count_b", "difference", "pct_change", "p_fdr", "verdict"]
    shown = table[columns].copy()
    shown[by] = shown[by].map(term_label())
    shown["verdict"] = shown["verdict"].map(label("temporal.verdict."))
    return shown.rename(columns=lambda c: tr(f"temporal.column.{c}"))
