"""Requirements and control strategy: what must be found out and what will be done, per priority."""

import streamlit as st

from ilp_core.products import intelligence, strategy
from ui import emerging, products, shared, state, widgets
from ui.priorities import current_ranking
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

lang = state.lang()
view = state.view()
st.title(tr("strategy.title"))
st.markdown(tr("strategy.purpose"))
st.info(strategy.reminder(lang), icon=":material/balance:")
products.ensure_tables()
ranking = current_ranking(view)
labels = products.problem_labels(ranking)
problems = list(labels)

# -- 1. The priorities in scope and what the analyses say about them ---------------------
high = ranking.table.loc[ranking.table["tier"] == "high", "problem"].tolist()
scope_key = "p.strategy.scope"
state.default(scope_key, (high or problems)[:10])
st.session_state[scope_key] = [p for p in st.session_state[scope_key] if p in labels]
scope = st.multiselect(
    tr("strategy.scope"),
    problems,
    format_func=labels.get,
    key=scope_key,
    help=tr("strategy.scope_help"),
)
scoped = ranking.table[ranking.table["problem"].isin(scope)]
evidence = products.evidence(view, ranking, scope)
summary = intelligence.summarise(
    products.table("intel_log"), ranking.table[["problem", "rank", "tier"]]
)
position = products.position(view)

tabs = st.tabs(
    [tr(f"strategy.tab.{t}") for t in ("requirements", "control", "pestel", "swot", "session")]
)

# -- 2. Intelligence requirements ----------------------------------------------------------
with tabs[0]:
    st.caption(tr("strategy.requirements_help"))
    if st.button(tr("strategy.draft"), key="strategy.draft", icon=":material/edit_note:"):
        draft = strategy.draft_requirements(
            scoped,
            summary,
            evidence=evidence,
            position=position,
            owner=tr("strategy.default_owner"),
            lang=lang,
        )
        products.store(
            "requirements", strategy.merge_requirements(products.table("requirements"), draft)
        )
    products.requirements_editor(problems, labels)
    shared.shared_table_panel("requirements")  # shared with a version check
    st.caption(tr("strategy.requirements_caption"))

# -- 3. Control strategy: suggestions from the analyses, accepted by the user ---------------
with tabs[1]:
    suggestions = strategy.suggest_actions(scoped, evidence, summary, position=position, lang=lang)
    st.subheader(tr("strategy.suggestions_title", n=len(suggestions)))
    shown = strategy.suggestions_for_display(suggestions, lang)
    wide = {c: st.column_config.TextColumn(width="large") for c in shown.columns[2:]}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=wide)
    st.caption(tr("strategy.suggestions_caption"))
    products.pick_suggestions(suggestions)
    emerging.offer(view)
    st.subheader(tr("strategy.control_title"))
    products.strategy_editor(problems, labels)
    st.caption(tr("strategy.control_caption"))

# -- 4. PESTEL and SWOT, linked to the priorities --------------------------------------------
for tab, name in ((tabs[2], "pestel"), (tabs[3], "swot")):
    with tab:
        st.caption(tr(f"strategy.{name}_help"))
        products.factor_editor(name, problems, labels)
        links = products.links_for_display(problems)
        if len(links):
            st.markdown(f"**{tr('strategy.links_title')}**")
            st.dataframe(links, hide_index=True, width="stretch")

# -- 5. Save and load the whole session -------------------------------------------------------
with tabs[4]:
    st.markdown(tr("strategy.session_help"))
    saved = products.current_workspace(view)
    if saved is not None:
        st.session_state["strategy.saved"] = text = saved.to_json()  # as offered (tests read it)
        st.download_button(
            tr("strategy.save"),
            text,
            "ilp-session.json",
            mime="application/json",
            key="strategy.save",
            icon=":material/save:",
            on_click=shared.audit_download("ilp-session.json"),
        )
    products.load_session(view.dataset.fingerprint)
    if st.session_state.get("strategy.restored"):
        widgets.say(st.success, "strategy.restored", dataset=st.session_state["strategy.restored"])
    for line in products.privacy_lines():
        st.markdown(f"- {widgets.as_markdown(line)}")
    st.caption(tr("strategy.session_caption"))
