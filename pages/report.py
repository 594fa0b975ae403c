"""Report: export the strategic assessment as one offline HTML file and a PDF."""

import streamlit as st

from ilp_core import i18n
from ilp_core.products import report
from ui import products, progress, shared, state, widgets
from ui import report as ui
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

view = state.view()
lang = state.lang()
work = products.current_workspace(view)  # the session's work: all a report is built from
st.title(tr("report.page.title"))
st.markdown(tr("report.page.purpose"))

# -- Options ----------------------------------------------------------------------------
with st.expander(tr("report.page.options"), expanded=True, icon=":material/tune:"):
    left, right = st.columns([2, 1])
    state.default("p.report.sections", list(report.SECTIONS))
    sections = left.multiselect(
        tr("report.page.sections"), report.SECTIONS, format_func=state.label("report.section."),
        key="p.report.sections",
    )  # fmt: skip
    wider = right.toggle(
        tr("report.page.wider"), key="p.report.wider", help=tr("report.page.wider_help")
    )
    state.default("p.report.k", 5)
    k = right.number_input(
        tr("report.page.k"), min_value=2, max_value=100, step=1, key="p.report.k",
        disabled=not wider, help=tr("report.page.k_help"),
    )  # fmt: skip
    st.caption(tr("report.page.language_note", language=i18n.LANGUAGES[lang]))

options = {"lang": lang, "sections": list(sections), "wider": bool(wider), "k": int(k)}
if st.button(
    tr("report.page.build"), type="primary", key="report.build", icon=":material/description:",
    disabled=not sections or work is None,
):  # fmt: skip
    label = tr("report.page.building")
    built = progress.run(
        "report", ui.build_with_progress, view.dataset, work, label=label, **options
    )
    if built is not None:
        st.session_state[ui.LAST] = built
progress.stopped("report")  # after a Stop: no file was kept

# -- The files ---------------------------------------------------------------------------
files = st.session_state.get(ui.LAST)
if files is None:
    st.info(tr("report.page.press_build"), icon=":material/info:")
    st.stop()
if work is None or files.stamp != ui.stamp(view.dataset, work, **options):
    st.warning(tr("report.page.stale"), icon=":material/history:")
if files.wider_release:
    st.success(tr("report.page.wider_on", k=str(files.k)), icon=":material/public:")
else:
    st.warning(tr("report.page.internal_on"), icon=":material/lock:")
left, right = st.columns(2)
left.download_button(
    tr("report.page.download_html"), files.html, f"{ui.file_stem(files)}.html", "text/html",
    key="report.download_html", icon=":material/download:", type="primary",
    on_click=shared.audit_download(f"{ui.file_stem(files)}.html"),  # written to the audit
)  # fmt: skip
right.download_button(
    tr("report.page.download_pdf"), files.pdf, f"{ui.file_stem(files)}.pdf", "application/pdf",
    key="report.download_pdf", icon=":material/picture_as_pdf:",
    on_click=shared.audit_download(f"{ui.file_stem(files)}.pdf"),
)  # fmt: skip

# -- Preview: the key findings, and the whole report on demand -----------------------------
st.subheader(tr("report.page.findings"))
for finding in files.findings:
    st.markdown(f"- {widgets.as_markdown(finding)}")
st.caption(tr("report.page.caption"))
if st.toggle(tr("report.page.show_preview"), key="p.report.preview"):
    widgets.show_html(files.html, height=900)  # escaped, and sandboxed from the app
