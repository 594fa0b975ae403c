"""The sidebar: language, active dataset, period and offence filters (they apply on every page)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ilp_core import i18n, markup
from ui import language, shared, state
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
        language.apply(state.lang())  # <html lang> and Streamlit's own words
        state.apply_chosen_source()
        stored = shared.sidebar()  # who is acting; the stored datasets they may open
        if not stored and st.session_state.get(state.UPLOAD) is not None:
            st.radio(
                tr("app.dataset"),
                options=["sample", "upload"],
                format_func=_source_labeller(),
                key=state.SOURCE,
            )
        data = state.dataset()
        if not st.session_state.get(state.UPLOAD):
            st.caption(tr("app.dataset_is", name=_dataset_name(data)))
        previous = st.session_state.get(_PERIOD_FOR)
        if previous != data.fingerprint:
            if previous is not None or state.PERIOD not in st.session_state:
                st.session_state[state.PERIOD] = data.period
            if previous is not None or state.OFFENCES not in st.session_state:
                st.session_state[state.OFFENCES] = []
            st.session_state[_PERIOD_FOR] = data.fingerprint
        if not isinstance(st.session_state.get(state.PERIOD), tuple | list):
            # A lost widget value (a client that sent no widget states) comes back as the
            # picker's default, one date: the whole period again, not one day.
            st.session_state[state.PERIOD] = data.period
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
            format_func=state.term_label(),
            key=state.OFFENCES,
            placeholder=tr("app.offences_all"),
        )
        view = state.view()
        st.caption(tr("app.in_view", n=len(view.incidents), total=len(data.incidents)))


def _dataset_name(data: object) -> str:
    name = getattr(data, "name", "")
    return tr("app.sample_name") if getattr(data, "is_sample", False) else markup.markdown(name)


def _source_labeller() -> Callable[[str], str]:
    sample = tr("app.sample_name")
    name = getattr(st.session_state.get(state.UPLOAD), "name", "")
    upload = tr("app.upload_name", name=markup.markdown(name))  # radio labels are Markdown
    return lambda source: sample if source == "sample" else upload
