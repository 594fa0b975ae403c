"""Near repeats: after one incident, are neighbours at raised risk for a while? (Knox test)."""

import streamlit as st

from ilp_core import charts, i18n, nearrepeat
from ui import state, widgets
from ui.state import tr

view = state.view()
lang = state.lang()
st.title(tr("nearrepeat_page.title"))
st.markdown(tr("nearrepeat_page.purpose"))
offences = list(view.incidents["offence"].value_counts().index.astype(str))
default = [o for o in offences if "burglary" in o.lower()][:1] or offences[:1]
with st.form("nearrepeat.form"):
    chosen = st.multiselect(
        tr("nearrepeat_page.offences"), offences, default=default, key="p.nr.offences",
        format_func=state.term_label(),
    )  # fmt: skip
    c = st.columns(3)
    spatial_bandwidth = c[0].number_input(
        tr("nearrepeat_page.spatial_bandwidth"), 10, 5000, 100, step=10, key="p.nr.sbw"
    )
    spatial_bands = c[0].number_input(tr("nearrepeat_page.spatial_bands"), 1, 20, 5, key="p.nr.sb")
    temporal_bandwidth = c[1].number_input(
        tr("nearrepeat_page.temporal_bandwidth"), 1, 365, 7, key="p.nr.tbw"
    )
    temporal_bands = c[1].number_input(
        tr("nearrepeat_page.temporal_bands"), 1, 20, 4, key="p.nr.tb"
    )
    metric = c[2].radio(
        tr("nearrepeat_page.metric"), ("euclidean", "manhattan"), key="p.nr.metric",
        format_func=state.label("nearrepeat.metric."),
    )  # fmt: skip
    permutations = c[2].number_input(
        tr("nearrepeat_page.permutations"), 19, 999, 99, key="p.nr.perm"
    )
    seed = c[2].number_input(tr("nearrepeat_page.seed"), 0, 2**31 - 1, 0, key="p.nr.seed")
    run = st.form_submit_button(tr("nearrepeat_page.run"), type="primary")

subset = view.incidents.loc[view.incidents["offence"].astype(str).isin(chosen)]
params = {
    "spatial_bandwidth": float(spatial_bandwidth), "spatial_bands": int(spatial_bands),
    "temporal_bandwidth": int(temporal_bandwidth), "temporal_bands": int(temporal_bands),
    "metric": metric, "permutations": int(permutations), "seed": int(seed),
}  # fmt: skip
stamp = f"{view.key}|{sorted(chosen)}|{sorted(params.items())}"
if run and chosen:
    bar = st.progress(0.0, text=tr("nearrepeat_page.running", n=len(subset)))
    result = widgets.attempt(
        nearrepeat.knox_test, subset, progress=lambda f: bar.progress(min(1.0, f)), **params
    )
    bar.empty()
    if result is not None:
        st.session_state["nearrepeat.result"] = (stamp, result)

saved = st.session_state.get("nearrepeat.result")
if saved is None:
    st.info(tr("nearrepeat_page.press_run"), icon=":material/info:")
else:
    result = saved[1]
    if saved[0] != stamp:
        st.warning(tr("nearrepeat_page.stale"), icon=":material/history:")
    st.plotly_chart(charts.knox_heatmap(result, lang=lang), key="nearrepeat.chart")
    st.caption(tr("nearrepeat.caption"))
    st.caption(
        tr(
            "nearrepeat_page.used", n=result.n_events, pairs=result.n_pairs,
            permutations=result.permutations, seed=result.seed,
            metric=tr(f"nearrepeat.metric.{result.metric}"),
        )
    )  # fmt: skip
    for reason, n in result.excluded.items():
        st.caption(
            tr(
                "nearrepeat_page.excluded",
                n=i18n.number(n, lang),
                reason=tr(f"nearrepeat.excluded.{reason}"),
            )
        )
    widgets.download_table(result.table, "knox-test", key="nearrepeat.download", excel=True)
