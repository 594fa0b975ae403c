"""The Data page's loading steps: read, protect personal data, map columns, classify offences."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from ilp_core import keys
from ilp_core.data import classify, ingest, privacy, schema
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
                    evidence=widgets.as_markdown(column.evidence),
                ),
                options, index=options.index(column.suggested), horizontal=True,
                format_func=state.label("privacy.choice."), key=f"data.pii.{stamp}.{column.name}",
            )  # fmt: skip
    if PRIVACY_KEY not in st.session_state:
        st.session_state[PRIVACY_KEY] = privacy.new_key()
    protected = privacy.protect(raw.frame, decisions, st.session_state[PRIVACY_KEY])
    st.session_state[PENDING_ACTIONS] = protected.codes
    return dataclasses.replace(raw, frame=protected.frame)


def column_mapping(
    raw: ingest.RawTable, suggested: ingest.ColumnMapping, stamp: str, boundaries: Any = None
) -> Any:
    """The editable mapping (one selectbox per field) with the questions ingest asks answered.

    ``boundaries`` (when loaded) sharpen the swap and EPSG questions.
    """
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
    for question in ingest.questions(raw, mapping, districts=boundaries):
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


def offence_classes(
    raw: ingest.RawTable, mapping: ingest.ColumnMapping, stamp: str
) -> ingest.ColumnMapping:
    """The "classify offences" step: the ICCS class of every offence label, confirmed.

    Each label gets the library's suggestion (known export tables, the classes saved
    with a loaded mapping, synonyms); the analyst confirms or corrects it. The choice
    is part of the mapping (saved with it, reused next time). Widget keys come from
    :func:`ilp_core.keys.safe_key`, so labels in any script keep their own widget.
    """
    if "offence" not in mapping.fields or mapping.fields["offence"] not in raw.frame.columns:
        return mapping
    labels = widgets.attempt(ingest.offence_labels, raw, mapping)
    if labels is None or labels.empty:
        return mapping
    current = lang()
    found = classify.suggest_classes(labels, layout=mapping.layout, saved=mapping.offence_classes)
    options: list[str | None] = [None, *classify.iccs_classes(current)["code"]]
    chosen: dict[str, str | None] = {}
    with st.container(border=True):
        st.markdown(f"**{tr('data.classes_title')}**")
        st.caption(tr("data.classes_help"))
        st.dataframe(
            classify.suggestions_for_display(found, current), hide_index=True, width="stretch"
        )
        unsure = bool((found["confidence"] != "exact").any())
        with st.expander(tr("data.classes_correct"), expanded=unsure):
            grid = st.columns(2)
            for i, row in enumerate(found.itertuples(index=False)):
                chosen[row.offence] = grid[i % 2].selectbox(
                    widgets.plain(f"{state.term(row.offence)} ({row.count})"), options,
                    index=options.index(row.code) if row.code in options else 0,
                    format_func=lambda c: classify.class_label(c, current),
                    key=f"data.class.{stamp}.{keys.safe_key(row.offence)}",
                )  # fmt: skip
        missing = [o for o, c in chosen.items() if c is None]
        if missing:
            names = ", ".join(state.term(o) for o in missing)
            widgets.say(st.warning, "data.classes_missing", offences=names, icon=":material/flag:")
    classes = {o: c for o, c in chosen.items() if c is not None}
    return dataclasses.replace(mapping, offence_classes=classes)


def offence_table(data: Any) -> Any:
    """Incidents per offence type of the loaded dataset, with the class each one counts in."""
    counts = data.report.offence_counts
    classes = classify.classes_for(list(counts.index), data.offence_classes)
    current = lang()
    return pd.DataFrame(
        {
            tr("field.offence"): [state.term(o) for o in counts.index],
            tr("data.count"): counts.to_numpy(),
            tr("classify.col.class"): [
                classify.class_label(classes[o], current) for o in counts.index
            ],
        }
    )
