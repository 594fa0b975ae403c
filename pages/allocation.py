"""Resource allocation: spend the officer-hours on the priorities and places found."""

import streamlit as st

from ilp_core import figures
from ilp_core.decide import allocation
from ilp_core.figures import allocation as charts
from ui import allocation as page
from ui import cache, state, tables, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

lang = state.lang()
view = state.view()
data = view.dataset
st.title(tr("allocation.title"))
st.markdown(tr("allocation.purpose"))

has_districts = data.districts is not None or view.incidents["district"].notna().any()
kinds = ["districts", "cells"] if has_districts else ["cells"]
left, right = st.columns([1, 2], gap="large")

# -- Inputs ---------------------------------------------------------------------------
with left:
    kind = st.radio(
        tr("allocation.areas"),
        kinds,
        format_func=state.label("allocation.areas."),
        key="p.allocation.areas",
        horizontal=True,
    )
    state.default("p.allocation.top_n", allocation.DEFAULT_TOP_N)
    top_n = st.number_input(
        tr("allocation.top_n"),
        5,
        2000,
        step=5,
        key="p.allocation.top_n",
        help=tr("allocation.top_n_help"),
        disabled=kind != "cells",
    )
    measure = st.radio(
        tr("allocation.measure"),
        page.measures(),
        horizontal=True,
        format_func=state.label("allocation.measure."),
        key="p.allocation.measure",
        help=tr("allocation.measure_help"),
    )
    state.default("p.allocation.method", allocation.DEFAULT_METHOD)
    method = st.radio(
        tr("allocation.method"),
        allocation.METHODS,
        key="p.allocation.method",
        format_func=state.label("allocation.method."),
        captions=[tr(f"allocation.method_help.{m}") for m in allocation.METHODS],
    )
    if kind == "districts":
        areas = cache.compute(allocation.district_demand, view.key, view.incidents, data.districts)
        with st.expander(tr("allocation.current_title")):
            st.caption(tr("allocation.current_help"))
            current = page.current_allocation(areas["area"].tolist(), data.allocation, view.key)
    else:
        current = None
    n_areas = len(areas) if kind == "districts" else int(top_n)
    settings = page.constraint_inputs(kind, current, n_areas)

# -- The scenario, run as the report runs it ------------------------------------------
scenario = widgets.attempt(
    allocation.Scenario,
    areas=kind,
    measure=measure,
    top_n=int(top_n),
    method=method,
    current_hours=None if current is None else current.to_dict(),
    **settings,
)
run = scenario and widgets.attempt(page.run, view, scenario)
if run is not None:
    st.session_state[page.LAST] = (run, scenario.to_dict())
elif page.LAST in st.session_state:
    st.info(tr("allocation.showing_last"), icon=":material/history:")
if page.LAST not in st.session_state:
    st.stop()
run, scenario = st.session_state[page.LAST]
result = run.allocation

# -- Result ---------------------------------------------------------------------------
with right:
    page.show_summary(result, scenario.get("measure"))
    if run.polygons is not None and len(run.polygons):
        widgets.show_map(
            figures.allocation.change_map(run.polygons, result, lang=lang, tiles=widgets.tiles()),
            height=460,
        )
    else:
        st.plotly_chart(charts.hours_figure(result, lang=lang), width="stretch")
    st.caption(tr("allocation.map_caption"))
    tables.show(page.shown_table(result), page.number_specs())
    st.caption(tr(f"allocation.table_caption.{result.method}"))

st.subheader(tr("allocation.coverage_title"))
curve = allocation.coverage_curve(result)
st.plotly_chart(charts.coverage_figure(curve, lang=lang), width="stretch")
st.caption(page.coverage_caption(curve))

# -- Scenarios ------------------------------------------------------------------------
st.subheader(tr("allocation.scenarios_title"))
saved = page.scenarios()
cols = st.columns([3, 1])
name = cols[0].text_input(
    tr("allocation.scenario_name"),
    key="p.allocation.scenario_name",
    placeholder=tr("allocation.scenario_placeholder", n=len(saved) + 1),
)
if cols[1].button(tr("allocation.save_scenario"), key="allocation.save", icon=":material/save:"):
    saved[name.strip() or tr("allocation.scenario_placeholder", n=len(saved) + 1)] = (
        result,
        scenario,
    )
if len(saved) >= 2:
    names = list(saved)
    pick = st.columns(2)
    first = pick[0].selectbox(tr("allocation.first"), names, 0, key="allocation.first")
    second = pick[1].selectbox(tr("allocation.second"), names, 1, key="allocation.second")
    comparison = widgets.attempt(allocation.compare_scenarios, saved[first][0], saved[second][0])
    metrics = page.metrics_table({first: saved[first], second: saved[second]})
    st.dataframe(metrics, width="stretch", height=35 * (len(metrics) + 1) + 3)
    if comparison is not None:
        st.plotly_chart(
            charts.scenario_figure(comparison, (first, second), lang=lang), width="stretch"
        )
else:
    st.caption(tr("allocation.scenarios_help", n=len(saved)))

# -- Hot-spot patrol plan -------------------------------------------------------------
st.subheader(tr("allocation.patrol_title"))
st.markdown(tr("allocation.patrol_purpose"))
if st.toggle(tr("allocation.patrol_show"), key="p.allocation.patrol.show"):
    page.patrol_section(view, run.weights)

# -- Notes and downloads --------------------------------------------------------------
st.subheader(tr("allocation.notes_title"))
st.markdown(tr("allocation.notes"))
with st.expander(tr("allocation.methods_title"), expanded=True):
    for name in sorted(allocation.METHODS, key=lambda m: m != result.method):  # used first
        st.markdown(tr(f"allocation.method_doc.{name}"))
widgets.download_table(page.shown_table(result), "allocation", key="allocation.dl", excel=True)
st.download_button(
    tr("allocation.download_settings"),
    page.settings_json(scenario),
    "allocation-scenario.json",
    "application/json",
    key="allocation.dl.json",
    icon=":material/download:",
)
