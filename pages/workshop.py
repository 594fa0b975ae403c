"""Workshop: a guided walk through the ILP cycle on the sample region, with questions."""

import streamlit as st

from ilp_core.learn import workshop
from ui import state
from ui import workshop as ui
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
cfg = workshop.scenario()
st.title(tr("workshop.title"))
st.markdown(tr("workshop.purpose"))
if cfg.region == "sample" and not view.dataset.is_sample:
    st.warning(tr("workshop.not_sample"), icon=":material/swap_horiz:")

# -- The step: what to look at, why, and the page that shows it ----------------------------
index, step = ui.step_picker(cfg)
ui.step_header(step, index, len(cfg.steps))
if index == 0:
    ui.region_note(view)
ui.links(step)

# -- The participant's work: their own ranking, then the step's questions ------------------
if step.ranking:
    ui.own_ranking(cfg, step, view)
st.subheader(tr("workshop.questions"))
ui.questions(cfg, step, view)
if index == len(cfg.steps) - 1:
    ui.review(cfg)
ui.nav_buttons(cfg, index)

# -- Downloads and the glossary ------------------------------------------------------------
st.divider()
ui.downloads(cfg)
ui.glossary(cfg)
