"""The sidebar: language, active dataset, period and offence filters (they apply on every page)."""

from __future__ import annotations

import streamlit as st

from ilp_core import i18n
from ui import state
from ui.state import tr

_PERIOD_FOR = "ilp.period_for"


def render() -> None:
    """Draw the sidebar and keep the filters consistent with the active dataset."""
    with st.sidebar:
        st.selectbox(
            tr("app.language"),
            options=list(i18n.LANGUAGES),
            format_func=i18n.LANGUAGES.__getitem__,
            key=state.LANG,
        )
        if st.session_state.get(state.UPLOAD) is not None:
            st.radio(
                tr("app.dataset"),
                options=["sample", "upload"],
                format_func=_source_label,
                key=state.SOURCE,
            )
        data = state.dataset()
        if not st.session_state.get(state.UPLOAD):
            st.caption(tr("app.dataset_is", name=_dataset_name(data)))
        if st.session_state.get(_PERIOD_FOR) != data.fingerprint:
            st.session_state[state.PERIOD] = data.period
            st.session_state[state.OFFENCES] = []
            st.session_state[_PERIOD_FOR] = data.fingerprint
        if data.period is not None:
            st.date_input(
                tr("app.period"),
                min_value=data.period[0],
                max_value=data.period[1],
                key=state.PERIOD,
                format=tr("app.date_input_format"),
                help=tr("app.period_help"),
            )
        st.multiselect(
            tr("app.offences"),
            options=data.offences,
            format_func=state.term,
            key=state.OFFENCES,
            placeholder=tr("app.offences_all"),
        )
        view = state.view()
        st.caption(tr("app.in_view", n=len(view.incidents), total=len(data.incidents)))


def _dataset_name(data: object) -> str:
    name = getattr(data, "name", "")
    return tr("app.sample_name") if getattr(data, "is_sample", False) else str(name)


def _source_label(source: str) -> str:
    if source == "sample":
        return tr("app.sample_name")
    upload = st.session_state.get(state.UPLOAD)
    return tr("app.upload_name", name=getattr(upload, "name", ""))
