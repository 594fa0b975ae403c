"""When: weekly rhythms, trends with control limits, seasonality, and period comparison."""

import datetime as dt

import streamlit as st

from ilp_core import figures, i18n
from ilp_core.analysis import temporal
from ui import cache, patterns, state, tables, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
lang = state.lang()
st.title(tr("when.title"))
st.markdown(tr("when.purpose"))
offences = ["", *view.incidents["offence"].value_counts().index.astype(str)]
offence = st.selectbox(
    tr("when.offence"), offences, key="p.when.offence",
    format_func=state.term_label(tr("charts.all_offences")),
)  # fmt: skip
tab_rhythm, tab_trend, tab_season, tab_compare = st.tabs(
    [tr("when.tab_rhythm"), tr("when.tab_trend"), tr("when.tab_season"), tr("when.tab_compare")]
)

with tab_rhythm:
    rhythm = widgets.attempt(cache.compute, temporal.hour_weekday, view.key, view.incidents)
    if rhythm is not None:
        fig = cache.figure(
            figures.when.hour_weekday_heatmap, rhythm.table, offence=offence or None, lang=lang
        )
        st.plotly_chart(fig, key="when.heatmap")
        st.caption(tr("when.rhythm_caption", used=rhythm.n_used, spread=rhythm.spread_uniformly))
        for reason, n in rhythm.excluded.items():
            st.caption(tr("when.excluded", n=n, reason=tr(f"temporal.excluded.{reason}")))
        widgets.download_table(rhythm.table, "hour-by-weekday", key="when.rhythm")

with tab_trend:
    freq = st.radio(
        tr("when.freq"), ("week", "month"), horizontal=True, key="p.when.freq",
        format_func=state.label("temporal.freq."),
    )  # fmt: skip
    counts = widgets.attempt(
        cache.compute, temporal.period_counts, view.key, view.incidents, freq=freq
    )
    if counts is not None:
        chart = widgets.attempt(temporal.control_limits, counts)
        trend = widgets.attempt(temporal.trend, counts)
        if chart is not None and offence:
            fig = cache.figure(patterns.series_chart, chart, trend, offence=offence, lang=lang)
            st.plotly_chart(fig, key="when.series")
            rate = i18n.percent(chart.alpha, lang, decimals=1)
            st.caption(tr("temporal.caption.control", baseline=chart.baseline, rate=rate))
        elif chart is not None:
            st.info(tr("when.choose_offence"), icon=":material/info:")
        if trend is not None:
            table = patterns.trend_table(trend.table)
            tables.show(table)
            st.caption(tr("temporal.caption.trend", alpha=trend.alpha))
            widgets.download_table(trend.table, f"trend-{freq}", key="when.trend", excel=True)

with tab_season:
    monthly = widgets.attempt(
        cache.compute, temporal.period_counts, view.key, view.incidents, freq="month"
    )
    season = None
    if monthly is not None:
        season = widgets.attempt(cache.by_content, temporal.seasonality, monthly)
    if season is not None:
        chosen = [offence] if offence else None
        st.plotly_chart(
            cache.figure(figures.when.seasonality_chart, season, offences=chosen, lang=lang),
            key="when.season",
        )
        st.caption(tr("when.season_caption"))
        widgets.download_table(season, "seasonality", key="when.season")

with tab_compare:
    last = view.end or dt.date.today()
    a_default, b_default = temporal.quarter_vs_last_year(last)
    state.default("p.when.period_a", tuple(a_default))
    state.default("p.when.period_b", tuple(b_default))
    c = st.columns(2)
    period_a = c[0].date_input(
        tr("when.period_a"), key="p.when.period_a", format=tr("app.date_input_format")
    )
    period_b = c[1].date_input(
        tr("when.period_b"), key="p.when.period_b", format=tr("app.date_input_format")
    )
    by = st.radio(
        tr("when.compare_by"), ("offence", "district"), horizontal=True, key="p.when.by",
        format_func=state.label("charts.group_"),
    )  # fmt: skip
    if len(period_a) == 2 and len(period_b) == 2:
        result = widgets.attempt(
            cache.compute, temporal.compare_periods, view.key, view.incidents,
            period_a=tuple(period_a), period_b=tuple(period_b), by=by,
        )  # fmt: skip
        if result is not None:
            st.plotly_chart(
                cache.figure(figures.when.comparison_chart, result, lang=lang),
                key="when.compare_chart",
            )
            tables.show(patterns.comparison_table(result.table, by))
            st.caption(tr("temporal.caption.compare", alpha=i18n.number(result.alpha, lang, 2)))
            widgets.download_table(
                result.table, "period-comparison", key="when.compare", excel=True
            )
