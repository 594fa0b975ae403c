"""Priorities: score the problems, see why each ranks where it does, and how firm the ranking is."""

import functools

import streamlit as st

from ilp_core import figures
from ilp_core.decide import priorities
from ui import cache, state, tables, widgets
from ui import priorities as ui
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

lang = state.lang()
view = state.view()
st.title(tr("priorities.title"))
st.markdown(tr("priorities.purpose"))

# -- 1. Settings: a saved assessment, the problems, the method, harm, weights, values -----
ui.load_saved(view.dataset.fingerprint)
by, preset_name = ui.problems_and_method()
st.caption(tr(f"priorities.preset_explain.{priorities.preset(preset_name).method}"))
custom = ui.custom_problems(view.dataset.offences, view.dataset.district_names)
data = widgets.attempt(
    cache.compute,
    priorities.problem_data,
    view.key,
    view.incidents,
    view.dataset.districts,
    by=by,
    custom=custom,
)
if data is None:
    st.stop()
ui.show_unavailable(data.unavailable)
harm_weights, default_days, confirmed = ui.harm_inputs(data.offences)
scheme = ui.weight_inputs(preset_name)
criteria = widgets.attempt(priorities.criteria_table, data, harm_weights, default_days=default_days)
entered = ui.entered_inputs(data.problems, scheme) if scheme is not None else None
top_k = ui.top_k_input(len(data.problems))

# -- 2. Scoring: the settings as an assessment, ranked as every product ranks it ------------
# (the last good result stays on screen when an input is wrong)
result = None
if scheme is not None and criteria is not None:
    assessment = widgets.attempt(
        priorities.make_assessment,
        scheme,
        entered,
        harm_weights=harm_weights,
        default_harm_days=default_days,
        harm_default_confirmed=confirmed,
        by=by,
        custom=custom,
        top_k=min(int(top_k), len(data.problems)),
        fingerprint=view.dataset.fingerprint,
        dataset=view.dataset.name,
        **ui.stability_settings(),
    )
    ranking = assessment and widgets.attempt(
        cache.by_content, priorities.rank_problems, data, assessment
    )
    stability = ranking and widgets.attempt(
        cache.by_content, priorities.assessment_stability, data, assessment
    )
    if ranking is not None and stability is not None:
        result = ui.remember(view.key, by, custom, (ranking, stability, criteria, assessment))
if result is None:
    result = ui.last_result(view.key, by, custom)
    if result is None:
        st.stop()
    st.info(tr("priorities.showing_last"), icon=":material/history:")
ranking, stability, criteria, assessment = result
st.session_state[ui.ASSESSMENT] = (view.key, assessment)  # what the products rank again
ui.show_messages(ranking.warnings)
if not confirmed:
    st.warning(tr("priorities.harm_unconfirmed"), icon=":material/flag:")

# -- 3. The ranked table: the draft control strategy ---------------------------------------
st.subheader(tr("priorities.ranking_title", method=priorities.preset_label(preset_name, lang)))
shown = priorities.ranking_for_display(ranking, lang, stability=stability)
tables.show(shown)
st.caption(tr("priorities.ranking_caption", k=stability.top_k))

# -- 4. Risk matrix ---------------------------------------------------------------------
st.subheader(tr("priorities.matrix_title"))
size_by = st.radio(
    tr("priorities.size_by"),
    ["volume", "harm"],
    format_func=state.label("priorities.size."),
    key="p.priority.size_by",
    horizontal=True,
)
st.plotly_chart(
    cache.figure(figures.priorities.risk_matrix_chart, ranking, size_by=size_by, lang=lang),
    key="priorities.matrix",
)
st.caption(tr("priorities.matrix_caption"))

# -- 5. Why is a problem ranked where it is? ------------------------------------------------
st.subheader(tr("priorities.why_title"))
st.plotly_chart(
    cache.figure(figures.priorities.contributions_chart, ranking, lang=lang),
    key="priorities.contrib",
)
labels = dict(
    zip(ranking.table["problem"], priorities.problem_labels(ranking.table, lang), strict=True)
)
pick = st.selectbox(
    tr("priorities.why_pick"), list(labels), format_func=labels.get, key="priorities.why"
)
tables.show(ui.explain_table(ranking, pick))
ui.development_caption(ranking, pick)
st.caption(tr("priorities.why_caption"))

# -- 6. Count against harm ----------------------------------------------------------------
st.subheader(tr("priorities.count_harm_title"))
comparison = priorities.count_vs_harm(criteria)
st.plotly_chart(
    cache.figure(figures.priorities.count_harm_chart, comparison, lang=lang), key="priorities.ch"
)
st.caption(tr("priorities.count_harm_caption"))

# -- 7. How firm is the ranking? ------------------------------------------------------------
st.subheader(tr("priorities.stability_title"))
st.plotly_chart(
    cache.figure(figures.priorities.stability_chart, stability, labels=labels, lang=lang),
    key="priorities.stab",
)
st.caption(
    tr(
        "priorities.stability_caption",
        k=stability.top_k,
        draws=stability.draws,
        share=round(100 * stability.robust_share),
    )
)
if stability.redrawn:
    st.caption(tr("development.stability_note"))

# -- 8. Downloads: the ranked table and the whole configuration -----------------------------
st.subheader(tr("priorities.downloads"))
full = functools.partial(
    priorities.ranking_for_display, ranking, lang, stability=stability, full=True
)
widgets.download_table(full, "priority-ranking", key="priorities.table", excel=True)
ui.save_buttons(assessment)
st.caption(tr("priorities.save_caption"))
