"""Streamlit glue of the Strategy page's emerging issues: offered, then accepted by the user."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_core import markup
from ilp_core.analysis import forecast
from ilp_core.errors import IlpInputError
from ilp_core.products import strategy
from ui import cache, products
from ui.state import View, lang, tr
from ui.widgets import attempt

#: The issues the user picked (a list of ``issue_id``).
PICKED = "strategy.emerging_picked"
#: Where the Outlook page keeps its last scan: ``(stamp, SpaceTimeScan)``.
SCAN = "outlook.scan"


def offer(view: View) -> None:
    """Emerging offences and new clusters of these data, offered to the strategy and requirements.

    Emerging offences are computed as on the Outlook page (the same cached call);
    clusters come from the scan the user ran there on these data, if any (the scan
    is too slow to run unasked).
    """
    st.subheader(tr("strategy.emerging.title"))
    st.caption(tr("strategy.emerging.caption"))
    em = None
    try:
        em = cache.compute(forecast.emerging_offences, view.key, view.incidents)
    except IlpInputError as error:  # e.g. under a year of baseline: say so, it is no fault
        st.caption(error.render(lang(), escape=markup.markdown))
    saved = st.session_state.get(SCAN)
    scan = saved[1] if saved is not None and str(saved[0]).startswith(f"{view.key}|") else None
    issues = strategy.emerging_issues(em, scan, lang=lang())
    if scan is None:
        st.caption(tr("strategy.emerging.no_scan"))
    if issues.empty:
        st.info(tr("strategy.emerging.none"), icon=":material/info:")
        return
    shown = strategy.emerging_for_display(issues, lang())
    wide = {c: st.column_config.TextColumn(width="large") for c in shown.columns[2:]}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=wide)
    names = dict(
        zip(
            issues["issue_id"],
            shown[shown.columns[1]] + " · " + shown[shown.columns[0]],
            strict=True,
        )
    )
    st.session_state[PICKED] = [i for i in st.session_state.get(PICKED) or () if i in names]
    chosen = st.multiselect(
        tr("strategy.emerging.pick"), list(names), format_func=names.get, key=PICKED
    )
    st.button(
        tr("strategy.emerging.accept"),
        key="strategy.emerging_accept",
        type="primary",
        disabled=not chosen,
        on_click=_accept,
        args=(issues,),
        icon=":material/add_task:",
    )


def _accept(issues: pd.DataFrame) -> None:
    chosen = list(st.session_state.get(PICKED) or ())
    new = attempt(
        strategy.accept_emerging,
        products.table("strategy"),
        products.table("requirements"),
        issues,
        chosen,
        owner=tr("strategy.default_owner"),
    )
    if new is not None:
        products.store("strategy", new[0])
        products.store("requirements", new[1])
        st.session_state[PICKED] = []
        st.toast(tr("strategy.emerging.accepted", n=len(chosen)), icon=":material/check:")
