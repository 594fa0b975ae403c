"""Near repeats: after one incident, are neighbours at raised risk for a while? (Knox test)."""

import streamlit as st

from ilp_core import figures, i18n
from ilp_core.analysis import near_repeat
from ui import progress, state, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
lang = state.lang()
st.title(tr("near_repeat_page.title"))
st.markdown(tr("near_repeat_page.purpose"))
offences = list(view.incidents["offence"].value_counts().index.astype(str))
state.default("p.nr.offences", [o for o in offences if "burglary" in o.lower()][:1] or offences[:1])
state.default("p.nr.sbw", 100)
state.default("p.nr.sb", 5)
state.default("p.nr.tbw", 7)
state.default("p.nr.tb", 4)
state.default("p.nr.perm", 99)
state.default("p.nr.seed", 0)
with st.form("near_repeat.form"):
    chosen = st.multiselect(
        tr("near_repeat_page.offences"), offences, key="p.nr.offences",
        format_func=state.term_label(),
    )  # fmt: skip
    c = st.columns(3)
    spatial_bandwidth = c[0].number_input(
        tr("near_repeat_page.spatial_bandwidth"), 10, 5000, step=10, key="p.nr.sbw"
    )
    spatial_bands = c[0].number_input(tr("near_repeat_page.spatial_bands"), 1, 20, key="p.nr.sb")
    temporal_bandwidth = c[1].number_input(
        tr("near_repeat_page.temporal_bandwidth"), 1, 365, key="p.nr.tbw"
    )
    temporal_bands = c[1].number_input(tr("near_repeat_page.temporal_bands"), 1, 20, key="p.nr.tb")
    metric = c[2].radio(
        tr("near_repeat_page.metric"), ("euclidean", "manhattan"), key="p.nr.metric",
        format_func=state.label("near_repeat.metric."),
    )  # fmt: skip
    permutations = c[2].number_input(tr("near_repeat_page.permutations"), 19, 999, key="p.nr.perm")
    seed = c[2].number_input(tr("near_repeat_page.seed"), 0, 2**31 - 1, key="p.nr.seed")
    run = st.form_submit_button(tr("near_repeat_page.run"), type="primary")

params = {
    "spatial_bandwidth": float(spatial_bandwidth), "spatial_bands": int(spatial_bands),
    "temporal_bandwidth": int(temporal_bandwidth), "temporal_bands": int(temporal_bands),
    "metric": metric, "permutations": int(permutations), "seed": int(seed),
}  # fmt: skip
stamp = f"{view.key}|{sorted(chosen)}|{sorted(params.items())}"
if run and chosen:  # the subset only now: at 10,000,000 incidents it took 1.8 s a rerun
    subset = view.incidents.loc[view.incidents["offence"].isin(chosen)]
    label = tr("near_repeat_page.running", n=len(subset))
    result = progress.run("near_repeat", near_repeat.knox_test, subset, label=label, **params)
    if result is not None:  # the settings go into the session's work: the report runs them
        settings = {"offences": sorted(chosen), **params}
        st.session_state["near_repeat.result"] = (stamp, result, settings)

progress.stopped("near_repeat")  # after a Stop: say so (nothing of that run was kept)
saved = st.session_state.get("near_repeat.result")
if saved is None:
    st.info(tr("near_repeat_page.press_run"), icon=":material/info:")
else:
    result = saved[1]
    if saved[0] != stamp:
        st.warning(tr("near_repeat_page.stale"), icon=":material/history:")
    st.plotly_chart(figures.near_repeat.knox_heatmap(result, lang=lang), key="near_repeat.chart")
    st.caption(tr("near_repeat.caption"))
    st.caption(
        tr(
            "near_repeat_page.used", n=result.n_events, pairs=result.n_pairs,
            permutations=result.permutations, seed=result.seed,
            metric=tr(f"near_repeat.metric.{result.metric}"),
        )
    )  # fmt: skip
    for reason, n in result.excluded.items():
        st.caption(
            tr(
                "near_repeat_page.excluded",
                n=i18n.number(n, lang),
                reason=tr(f"near_repeat.excluded.{reason}"),
            )
        )
    widgets.download_table(result.table, "knox-test", key="near_repeat.download", excel=True)
