"""Intelligence log: graded items about the priorities; priorities resting on weak information."""

import streamlit as st

from ilp_core import intel
from ui import products, state, widgets
from ui.ranking import current_ranking
from ui.state import tr

lang = state.lang()
view = state.view()
st.title(tr("intel.title"))
st.markdown(tr("intel.purpose"))
products.ensure_tables()
ranking = current_ranking(view)
labels = products.problem_labels(ranking)

# -- 1. Add an item, or read a file of items ---------------------------------------------
st.subheader(tr("intel.add_title"))
if "p.intel.scheme" not in st.session_state:
    st.session_state["p.intel.scheme"] = intel.grading().default_scheme
scheme = st.radio(
    tr("intel.scheme_label"),
    list(intel.SCHEMES),
    format_func=state.label("intel.scheme."),
    key="p.intel.scheme",
    horizontal=True,
    help=tr("intel.scheme_help"),
)
products.add_item_form(scheme, labels)
products.log_upload()

# -- 2. The log --------------------------------------------------------------------------
st.subheader(tr("intel.log_title", n=len(products.table("intel_log"))))
st.caption(tr("intel.log_help"))
log = products.log_editor()

# -- 3. Summary: items per priority and per grade -----------------------------------------
summary = intel.summarise(log, ranking.table[["problem", "rank", "tier"]])
st.subheader(tr("intel.summary_title"))
cols = st.columns(3)
cols[0].metric(tr("intel.metric_items"), widgets.fmt_int(summary.n_items))
cols[1].metric(tr("intel.metric_weak"), widgets.fmt_int(summary.n_weak))
n_flagged = int(summary.per_problem["flagged"].sum())
cols[2].metric(tr("intel.metric_flagged"), widgets.fmt_int(n_flagged))
shown = intel.summary_for_display(summary, lang)
st.dataframe(shown, hide_index=True, width="stretch")
st.info(intel.message_text(summary.rule, lang), icon=":material/rule:")
st.caption(tr("intel.summary_caption"))

st.subheader(tr("intel.grades_title"))
if summary.n_items:
    st.dataframe(intel.grades_for_display(summary, lang), hide_index=True, width="stretch")
    st.caption(tr("intel.grades_caption"))
else:
    st.info(tr("intel.no_items"), icon=":material/info:")

# -- 4. Downloads -------------------------------------------------------------------------
st.subheader(tr("intel.downloads"))
widgets.download_table(intel.log_for_display(log, lang), "intelligence-log", key="intel.dl_log")
widgets.download_table(shown, "intelligence-summary", key="intel.dl_summary")
st.caption(tr("intel.download_caption"))
