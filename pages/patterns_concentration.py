"""Concentration: how few places hold most crime, repeat locations, and forecast accuracy."""

import datetime as dt

import streamlit as st

from ilp_core import figures, i18n
from ilp_core.analysis import hotspots
from ui import cache, patterns, state, tables, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
lang = state.lang()
districts = view.dataset.districts
st.title(tr("concentration.title"))
st.markdown(tr("concentration.purpose"))
settings = patterns.spatial_settings()
tab_lorenz, tab_repeat, tab_accuracy = st.tabs(
    [
        tr("concentration.tab_lorenz"),
        tr("concentration.tab_repeat"),
        tr("concentration.tab_accuracy"),
    ]
)

with tab_lorenz:
    unit = st.radio(
        tr("concentration.unit"), ("cell", "district", "location"), horizontal=True,
        format_func=state.label("hotspots.unit."), key="p.concentration.unit",
    )  # fmt: skip
    result = widgets.attempt(
        cache.compute, hotspots.concentration, view.key, view.incidents, districts,
        unit=unit, cell_size=settings["cell_size"],
    )  # fmt: skip
    if result is not None:
        cols = st.columns(3)
        cols[0].metric(tr("concentration.gini"), i18n.number(result.gini, lang, 2))
        cols[1].metric(tr("concentration.share_50"), i18n.percent(result.share_units_50, lang, 1))
        cols[2].metric(tr("concentration.share_80"), i18n.percent(result.share_units_80, lang, 1))
        st.caption(
            tr(
                "concentration.explain", share50=i18n.percent(result.share_units_50, lang, 1),
                share80=i18n.percent(result.share_units_80, lang, 1), units=result.n_units,
                empty=result.n_empty_units, unit=tr(f"hotspots.unit.{result.unit}"),
            )
        )  # fmt: skip
        st.plotly_chart(figures.where.lorenz_chart(result, lang), key="concentration.chart")
        patterns.show_messages(result.warnings)
        widgets.download_table(result.lorenz, "lorenz-curve", key="concentration.lorenz")

with tab_repeat:
    repeats = widgets.attempt(cache.compute, hotspots.repeat_locations, view.key, view.incidents)
    if repeats is not None:
        st.markdown(tr("concentration.repeat_intro", n=len(repeats)))
        shown = repeats.head(200)  # the 200 shown, not every repeat location, translated
        tables.show(shown.assign(top_offence=shown["top_offence"].map(state.term)))
        widgets.download_table(repeats, "repeat-locations", key="concentration.repeat", excel=True)

with tab_accuracy:
    st.markdown(tr("concentration.accuracy_intro"))
    if view.start and view.end:
        default_split = max(view.start + dt.timedelta(days=1), view.end - dt.timedelta(days=90))
        state.default("p.concentration.split", default_split, within=(view.start, view.end))
        state.default("p.concentration.coverage", 5)
        c = st.columns(3)
        split = c[0].date_input(
            tr("concentration.split"), min_value=view.start, max_value=view.end,
            key="p.concentration.split", format=tr("app.date_input_format"),
        )  # fmt: skip
        coverage = c[1].slider(
            tr("concentration.coverage"), 1, 30, key="p.concentration.coverage", format="%d %%"
        )
        surface = c[2].radio(
            tr("concentration.surface"), ("kde", "counts"), key="p.concentration.surface",
            format_func=state.label("concentration.surface_"),
        )  # fmt: skip
        acc = widgets.attempt(
            cache.compute, hotspots.forecast_accuracy_at, view.key, view.incidents, districts,
            split=split, coverage=coverage / 100, surface=surface, kernel=settings["kernel"],
            rule=settings["rule"], bandwidth=settings["bandwidth"], cell_size=settings["cell_size"],
        )  # fmt: skip
        if acc is not None:
            cols = st.columns(3)
            cols[0].metric(tr("concentration.hit_rate"), i18n.percent(acc.hit_rate, lang, 1))
            cols[1].metric(tr("concentration.pai"), i18n.number(acc.pai, lang, 1))
            rri = "–" if acc.rri != acc.rri else i18n.number(acc.rri, lang, 2)
            cols[2].metric(tr("concentration.rri"), rri)
            st.caption(
                tr(
                    "concentration.accuracy_explain", hit=i18n.percent(acc.hit_rate, lang, 1),
                    area=i18n.percent(acc.area_share, lang, 1), pai=i18n.number(acc.pai, lang, 1),
                    train=acc.n_train, test=acc.n_test,
                )
            )  # fmt: skip
            patterns.show_messages(acc.warnings)
            widgets.download_table(
                acc.table.drop(columns="geometry"),
                "forecast-accuracy-cells",
                key="concentration.acc",
            )
