"""The Data page's loading steps: read an upload, protect personal data, map the columns."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from ilp_core.data import ingest, privacy, schema
from ui import state, widgets
from ui.state import lang, tr

RAW = "data.raw"
PRIVACY_KEY = "ilp.privacy_key"  # per-session HMAC key: memory only, never saved
PRIVACY_ACTIONS = "ilp.privacy_actions"  # codes of what was done, for the report
PENDING_ACTIONS = "data.privacy_pending"


def read_upload(upload: Any) -> ingest.RawTable | None:
    """The upload read as text (once per file; kept in the session's memory only)."""
    cached = st.session_state.get(RAW)
    if cached is None or cached[0] != upload.file_id:
        read = widgets.attempt(ingest.read_table, upload.getvalue(), upload.name)
        st.session_state[RAW] = (upload.file_id, read)
    return st.session_state[RAW][1]


def protect_personal_data(raw: ingest.RawTable, stamp: str) -> ingest.RawTable:
    """Show the columns that look personal; drop or pseudonymise them as the user chooses."""
    found = privacy.detect_personal_columns(raw.frame)
    st.session_state[PENDING_ACTIONS] = ()
    if not found:
        return raw
    with st.container(border=True):
        st.markdown(f"**{tr('data.personal_title')}**")
        st.caption(tr("data.personal_help"))
        decisions = {}
        options = ("drop", "pseudonymise", "keep")
        for column in found:
            decisions[column.name] = st.radio(
                tr(
                    "data.personal_column", name=widgets.plain(column.name),
                    kind=tr(f"privacy.kind.{column.kind}"),
                    evidence=widgets.plain(column.evidence.render(lang())),
                ),
                options, index=options.index(column.suggested), horizontal=True,
                format_func=state.label("privacy.choice."), key=f"data.pii.{stamp}.{column.name}",
            )  # fmt: skip
    if PRIVACY_KEY not in st.session_state:
        st.session_state[PRIVACY_KEY] = privacy.new_key()
    protected = privacy.protect(raw.frame, decisions, st.session_state[PRIVACY_KEY])
    st.session_state[PENDING_ACTIONS] = protected.codes
    return dataclasses.replace(raw, frame=protected.frame)


def column_mapping(raw: ingest.RawTable, suggested: ingest.ColumnMapping, stamp: str) -> Any:
    """The editable mapping (one selectbox per field) with the questions ingest asks answered."""
    with st.container(border=True):
        st.markdown(f"**{tr('data.mapping_title')}**")
        st.caption(tr("data.mapping_help"))
        columns = ["", *raw.frame.columns]
        not_mapped = tr("data.not_mapped")
        grid = st.columns(3)
        chosen = {}
        for i, field in enumerate(schema.MAPPABLE_FIELDS):
            current = suggested.fields.get(field, "")
            chosen[field] = grid[i % 3].selectbox(
                tr(f"field.{field}"), options=columns,
                index=columns.index(current) if current in columns else 0,
                format_func=lambda c: c or not_mapped, key=f"data.map.{stamp}.{field}",
            )  # fmt: skip
    mapping = dataclasses.replace(suggested, fields={f: c for f, c in chosen.items() if c})
    for question in ingest.questions(raw, mapping):
        if question.key == "epsg":
            epsg = st.number_input(
                question.message.render(lang()), min_value=1024, max_value=999999,
                value=int(question.default or 4326), step=1, key=f"data.q.{stamp}.epsg",
            )  # fmt: skip
            mapping = mapping.answer("epsg", str(int(epsg)))
            continue
        options = list(question.options)
        answer = st.radio(
            question.message.render(lang()), options=options,
            index=options.index(question.default) if question.default in options else None,
            format_func=state.label(f"data.answer.{question.key}."),
            key=f"data.q.{stamp}.{question.key}",
        )  # fmt: skip
        if answer is not None:
            mapping = mapping.answer(question.key, answer)
    return mapping


def accept_privacy_actions() -> None:
    """Record what was done to personal data for the loaded dataset (the report states it)."""
    st.session_state[PRIVACY_ACTIONS] = list(st.session_state.get(PENDING_ACTIONS, ()))
