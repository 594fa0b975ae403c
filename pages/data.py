"""Data: load an incident export, map its columns, read the quality report and the rejects."""

import dataclasses

import streamlit as st

from ilp_core import i18n, ingest, maps, schema
from ilp_core.dataset import Dataset
from ui import state, widgets
from ui.state import tr

lang = state.lang()
st.title(tr("data.title"))
st.markdown(tr("data.purpose"))

# -- 1. Upload -------------------------------------------------------------------------
with st.expander(tr("data.load_own"), expanded=True):
    st.caption(tr("data.privacy_note"))
    upload = st.file_uploader(
        tr("data.incidents_file"), type=["csv", "tsv", "txt", "xlsx", "parquet"], key="data.file"
    )
    boundaries_upload = st.file_uploader(
        tr("data.boundaries_file"), type=["geojson", "json", "gpkg", "zip"], key="data.bfile"
    )
    mapping_upload = st.file_uploader(tr("data.mapping_file"), type=["json"], key="data.mfile")

    raw = None
    if upload is not None:
        cached = st.session_state.get("data.raw")
        if cached is None or cached[0] != upload.file_id:
            read = widgets.attempt(ingest.read_table, upload.getvalue(), upload.name)
            st.session_state["data.raw"] = (upload.file_id, read)
        raw = st.session_state["data.raw"][1]

    boundaries = None
    if boundaries_upload is not None:
        boundaries = widgets.attempt(
            ingest.load_boundaries, boundaries_upload.getvalue(), boundaries_upload.name
        )

    if raw is not None:
        st.success(
            tr(
                "data.read_ok",
                name=widgets.plain(raw.filename),
                rows=len(raw.frame),
                cols=raw.frame.shape[1],
            )
        )
        suggested = ingest.suggest_mapping(list(raw.frame.columns))
        if mapping_upload is not None:
            loaded = widgets.attempt(ingest.ColumnMapping.from_json, mapping_upload.getvalue())
            suggested = loaded or suggested
        with st.container(border=True):
            st.markdown(f"**{tr('data.mapping_title')}**")
            st.caption(tr("data.mapping_help"))
            columns = ["", *raw.frame.columns]
            stamp = f"{upload.file_id}.{mapping_upload.file_id if mapping_upload else ''}"
            chosen = {}
            not_mapped = tr("data.not_mapped")
            grid = st.columns(3)
            for i, field in enumerate(schema.MAPPABLE_FIELDS):
                current = suggested.fields.get(field, "")
                chosen[field] = grid[i % 3].selectbox(
                    tr(f"field.{field}"),
                    options=columns,
                    index=columns.index(current) if current in columns else 0,
                    format_func=lambda c: c or not_mapped,
                    key=f"data.map.{stamp}.{field}",
                )
        mapping = dataclasses.replace(suggested, fields={f: c for f, c in chosen.items() if c})
        for question in ingest.questions(raw, mapping):
            if question.key == "epsg":
                epsg = st.number_input(
                    question.message.render(lang),
                    min_value=1024,
                    max_value=999999,
                    value=int(question.default or 4326),
                    step=1,
                    key=f"data.q.{stamp}.epsg",
                )
                mapping = dataclasses.replace(mapping, epsg=int(epsg))
                continue
            options = list(question.options)
            answer = st.radio(
                question.message.render(lang),
                options=options,
                index=options.index(question.default) if question.default in options else None,
                format_func=state.label(f"data.answer.{question.key}."),
                key=f"data.q.{stamp}.{question.key}",
            )
            if answer is not None and question.key == "date_order":
                mapping = dataclasses.replace(mapping, date_order=answer)
            elif answer is not None and question.key == "swap_latlon":
                mapping = dataclasses.replace(mapping, swap_latlon=answer == "swap")
        left, right = st.columns(2)
        right.download_button(
            tr("data.save_mapping"),
            data=mapping.to_json(),
            file_name="column-mapping.json",
            mime="application/json",
            key="data.save_mapping",
            icon=":material/save:",
        )
        if left.button(tr("data.load_button"), type="primary", key="data.load"):
            result = widgets.attempt(ingest.build_incidents, raw, mapping, districts=boundaries)
            if result is not None:
                state.set_upload(
                    Dataset(
                        name=raw.filename,
                        incidents=result.incidents,
                        districts=boundaries,
                        report=result.report,
                        rejects=result.rejects,
                    )
                )
                st.rerun()

# -- 2. Quality report of the active dataset ------------------------------------------
data = state.dataset()
report = data.report
st.header(
    tr(
        "data.report_title",
        name=tr("app.sample_name") if data.is_sample else widgets.plain(data.name),
    )
)
if report is None:
    st.info(tr("data.no_report"))
    st.stop()

cols = st.columns(4)
cols[0].metric(tr("data.rows_read"), i18n.number(report.rows_read, lang))
cols[1].metric(tr("data.accepted"), i18n.number(report.accepted, lang))
cols[2].metric(tr("data.rejected"), i18n.number(report.rejected, lang))
share = report.geolocated / report.accepted if report.accepted else 0.0
cols[3].metric(tr("data.geolocated"), i18n.percent(share, lang, 1))
st.caption(tr("data.metrics_caption", district_only=report.district_only))
if report.period:
    st.markdown(tr("data.period_covered", start=report.period[0], end=report.period[1]))

left, right = st.columns(2)
with left:
    st.subheader(tr("data.per_offence"))
    counts = report.offence_counts.rename_axis("offence").reset_index(name="count")
    counts["offence"] = counts["offence"].map(state.term)
    st.dataframe(
        counts.rename(columns={"offence": tr("field.offence"), "count": tr("data.count")}),
        hide_index=True,
        width="stretch",
    )
with right:
    st.subheader(tr("data.readings"))
    for message in report.readings:
        st.markdown(f"- {widgets.plain(message.render(lang))}")
    st.subheader(tr("data.issues"))
    if not report.issues:
        st.markdown(tr("data.no_issues"))
    for message in report.issues:
        st.markdown(f"- {widgets.plain(message.render(lang))}")

if data.rejects is not None and len(data.rejects):
    st.subheader(tr("data.rejects_title", n=len(data.rejects)))
    shown = ingest.rejects_for_display(data.rejects, lang)
    st.dataframe(shown.head(1000), hide_index=True, width="stretch")
    st.caption(tr("data.rejects_caption"))
    widgets.download_table(shown, "rejected-rows", key="data.rejects")

st.subheader(tr("data.preview_map"))
preview = maps.preview_map(state.view().incidents, data.districts, lang=lang, tiles=widgets.tiles())
if preview is None:
    st.info(tr("data.no_map"))
else:
    widgets.show_map(preview, key="data.map")
    st.caption(tr("data.preview_caption"))
