"""Intelligence log: graded items about the priorities; priorities resting on weak information."""

import streamlit as st

from ilp_core.products import intelligence
from ui import products, shared, state, widgets
from ui.priorities import current_ranking
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

lang = state.lang()
view = state.view()
st.title(tr("intelligence.title"))
st.markdown(tr("intelligence.purpose"))
products.ensure_tables()
ranking = current_ranking(view)
labels = products.problem_labels(ranking)

# -- 1. Add an item, or read a file of items ---------------------------------------------
st.subheader(tr("intelligence.add_title"))
state.default("p.intel.scheme", intelligence.grading().default_scheme)
scheme = st.radio(
    tr("intelligence.scheme_label"),
    list(intelligence.SCHEMES),
    format_func=state.label("intelligence.scheme."),
    key="p.intel.scheme",
    horizontal=True,
    help=tr("intelligence.scheme_help"),
)
products.add_item_form(scheme, labels)
products.log_upload()

# -- 2. The log --------------------------------------------------------------------------
st.subheader(tr("intelligence.log_title", n=len(products.table("intel_log"))))
st.caption(tr("intelligence.log_help"))
log = products.log_editor()
shared.shared_table_panel("intel_log")  # the dataset's log, shared with a version check

# -- 3. Summary: items per priority and per grade -----------------------------------------
summary = intelligence.summarise(log, ranking.table[["problem", "rank", "tier"]])
st.subheader(tr("intelligence.summary_title"))
cols = st.columns(3)
cols[0].metric(tr("intelligence.metric_items"), widgets.fmt_int(summary.n_items))
cols[1].metric(tr("intelligence.metric_weak"), widgets.fmt_int(summary.n_weak))
n_flagged = int(summary.per_problem["flagged"].sum())
cols[2].metric(tr("intelligence.metric_flagged"), widgets.fmt_int(n_flagged))
shown = intelligence.summary_for_display(summary, lang)
st.dataframe(shown, hide_index=True, width="stretch")
widgets.say(st.info, summary.rule, icon=":material/rule:")
st.caption(tr("intelligence.summary_caption"))

st.subheader(tr("intelligence.grades_title"))
if summary.n_items:
    st.dataframe(intelligence.grades_for_display(summary, lang), hide_index=True, width="stretch")
    st.caption(tr("intelligence.grades_caption"))
else:
    st.info(tr("intelligence.no_items"), icon=":material/info:")

# -- 4. Downloads -------------------------------------------------------------------------
st.subheader(tr("intelligence.downloads"))
widgets.download_table(
    intelligence.log_for_display(log, lang), "intelligence-log", key="intelligence.dl_log",
    label=tr("intelligence.download_log"),
)  # fmt: skip
widgets.download_table(
    shown, "intelligence-summary", key="intelligence.dl_summary",
    label=tr("intelligence.download_summary"),
)  # fmt: skip
st.caption(tr("intelligence.download_caption"))
