"""Home: what the dashboard is for, the ILP cycle, and the active dataset at a glance."""

import streamlit as st

from ilp_core import i18n
from ui import state
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
data = view.dataset
lang = state.lang()

st.title(tr("home.title"))
st.markdown(tr("home.purpose"))
if data.is_sample:
    st.info(tr("home.sample_note"), icon=":material/science:")

cols = st.columns([2, 3, 2, 2])  # the period ("01/2024 – 12/2025") needs the room
cols[0].metric(tr("home.incidents_in_view"), i18n.number(len(view.incidents), lang))
if view.start and view.end:
    cols[1].metric(
        tr("home.period"),  # months, not days: "Jan 1, 2024 – …" was cut off
        f"{i18n.date(view.start, lang, tr('tables.month_format'))} – "
        f"{i18n.date(view.end, lang, tr('tables.month_format'))}",
        help=f"{i18n.date(view.start, lang)} – {i18n.date(view.end, lang)}",
    )
cols[2].metric(tr("home.offence_types"), i18n.number(view.incidents["offence"].nunique(), lang))
districts = len(data.districts) if data.districts is not None else 0
cols[3].metric(tr("home.districts"), i18n.number(districts, lang))
st.caption(tr("home.metrics_caption"))

st.subheader(tr("home.cycle_title"))
st.markdown(tr("home.cycle_text"))
st.page_link("pages/data.py", label=tr("home.go_data"), icon=":material/upload_file:")
