"""Data: load an incident export, map its columns, read the quality report and the rejects."""

import streamlit as st

from ilp_core import figures, i18n
from ilp_core.data import ingest
from ilp_core.data.dataset import Dataset
from ui import cache, progress, shared, state, widgets
from ui import data as ui_data
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

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

    raw = ui_data.read_upload(upload) if upload is not None else None
    boundaries = None
    if boundaries_upload is not None:
        boundaries = widgets.attempt(
            ingest.load_boundaries, boundaries_upload.getvalue(), boundaries_upload.name
        )

    if raw is not None:
        shape = raw.frame.shape
        widgets.say(st.success, "data.read_ok", name=raw.filename, rows=shape[0], cols=shape[1])
        stamp = f"{upload.file_id}.{mapping_upload.file_id if mapping_upload else ''}"
        raw = ui_data.protect_personal_data(raw, stamp)
        suggested = ingest.suggest_mapping(list(raw.frame.columns))
        if mapping_upload is not None:
            loaded = widgets.attempt(ingest.ColumnMapping.from_json, mapping_upload.getvalue())
            suggested = loaded or suggested
        mapping = ui_data.column_mapping(raw, suggested, stamp, boundaries)
        mapping = ui_data.offence_classes(raw, mapping, stamp)
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
            label = tr("progress.loading", n=shape[0])
            result = progress.run(
                "data.load", ingest.build_incidents, raw, mapping, districts=boundaries, label=label
            )
            if result is not None:
                ui_data.accept_privacy_actions()
                loaded = Dataset(
                    name=raw.filename,
                    incidents=result.incidents,
                    districts=boundaries,
                    report=result.report,
                    rejects=result.rejects,
                    offence_classes=result.offence_classes,
                )
                if shared.load(loaded, mapping):  # a new version in the workspace store
                    st.rerun()
        progress.stopped("data.load")  # after a Stop: nothing was loaded

# -- 2. Quality report of the active dataset ------------------------------------------
data = state.dataset()
if raw is not None and (data.is_sample or data.name != raw.filename):
    st.info(tr("data.not_loaded_yet", name=widgets.plain(raw.filename)), icon=":material/info:")
    st.stop()  # the report below would be another dataset's, under the new file
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
    st.dataframe(ui_data.offence_table(data), hide_index=True, width="stretch")
with right:
    st.subheader(tr("data.readings"))
    for message in report.readings:
        st.markdown(f"- {widgets.as_markdown(message)}")
    st.subheader(tr("data.issues"))
    if not report.issues:
        st.markdown(tr("data.no_issues"))
    for message in report.issues:
        st.markdown(f"- {widgets.as_markdown(message)}")

if data.rejects is not None and len(data.rejects):
    st.subheader(tr("data.rejects_title", n=len(data.rejects)))
    shown = ingest.rejects_for_display(data.rejects, lang)
    st.dataframe(shown.head(1000), hide_index=True, width="stretch")
    st.caption(tr("data.rejects_caption"))
    widgets.download_table(shown, "rejected-rows", key="data.rejects")

st.subheader(tr("data.preview_map"))
view = state.view()
preview = cache.shared(
    figures.maps.preview_map, view.key, view.incidents, data.districts, lang=lang,
    tiles=widgets.tiles(),
)  # fmt: skip
if preview is None:
    st.info(tr("data.no_map"))
else:
    widgets.show_map(preview)
    st.caption(
        tr("data.preview_caption" if data.districts is not None else "data.preview_caption_grid")
    )
