"""AppTest tests of the Report page: it builds both files, offers them, and honours its options."""

from __future__ import annotations

import html

from ilp_core import i18n
from ilp_core.data.dataset import load_sample
from ilp_core.decide import priorities
from ilp_core.products import report, workspace
from ui import report as ui_report

LAST = "report.last"


def _downloads(at):
    return [(b.proto.label, b.key) for b in at.get("download_button")]


def test_report_page_builds_and_offers_html_and_pdf(app):
    at = app("pages/report.py")
    assert not at.exception
    assert at.title[0].value == "Report: the strategic assessment"
    assert not _downloads(at)  # nothing until the user builds
    at.multiselect(key="p.report.sections").set_value(["data", "findings", "priorities"]).run()
    at.button(key="report.build").click().run()
    assert not at.exception
    assert [key for _, key in _downloads(at)] == ["report.download_html", "report.download_pdf"]
    files = at.session_state[LAST]
    assert files.html.startswith("<!DOCTYPE html>")
    assert files.pdf[:5] == b"%PDF-"
    # The ranked table is the session's current ranking (the default one in a fresh session).
    sample = load_sample()
    expected = priorities.rank(sample.incidents, sample.districts).table
    assert files.ranking["problem"].tolist() == expected["problem"].astype(str).tolist()
    assert files.ranking["score"].round(9).tolist() == expected["score"].round(9).tolist()
    # The key findings are previewed, and the internal version says it is internal.
    shown = "\n".join(m.value for m in at.markdown)
    assert "hot spots at 95 % confidence" in shown.replace("\\", "")
    assert any("internal" in w.value for w in at.warning)


def test_wider_release_option_changes_the_report(app):
    at = app("pages/report.py")
    at.multiselect(key="p.report.sections").set_value(["data", "findings"]).run()
    at.button(key="report.build").click().run()
    internal = at.session_state[LAST]
    at.toggle(key="p.report.wider").set_value(True).run()
    assert not at.exception
    stale = i18n.t("report.page.stale", "en")
    assert any(w.value == stale for w in at.warning)  # the options changed since the build
    at.number_input(key="p.report.k").set_value(10).run()
    at.button(key="report.build").click().run()
    assert not at.exception
    wider = at.session_state[LAST]
    assert (internal.wider_release, wider.wider_release, wider.k) == (False, True, 10)
    statement = i18n.t("report.wider_statement", "en", k="10", base="10")
    assert statement in html.unescape(wider.html)
    assert statement not in html.unescape(internal.html)
    assert "≈ 100,000" in wider.html and "≈ 100,000" not in internal.html  # rounded totals
    assert not any(w.value == stale for w in at.warning)
    assert any("wider release" in s.value for s in at.success)
    at.toggle(key="p.report.preview").set_value(True).run()  # the whole report, in the page
    assert not at.exception


def test_report_page_in_russian(app):
    at = app("pages/report.py", lang="ru")
    assert not at.exception
    assert at.title[0].value == "Отчёт: стратегическая оценка"
    assert at.button(key="report.build").label == "Составить отчёт"


def test_the_report_is_built_from_the_saved_session_alone(app):
    at = app("pages/allocation.py")
    at.radio(key="p.allocation.method").set_value("harm_prevented").run()
    at.number_input(key="p.allocation.districts.floor").set_value(80.0).run()
    page_result = at.session_state["allocation.last"][0].allocation.table
    at.switch_page("pages/report.py").run()
    at.multiselect(key="p.report.sections").set_value(["data", "allocation"]).run()
    at.button(key="report.build").click().run()
    assert not at.exception
    files = at.session_state[LAST]
    at.switch_page("pages/strategy.py").run()
    saved = workspace.from_json(at.session_state["strategy.saved"]).workspace
    # The files are keyed on the session's work: the same as the saved session's.
    sample = load_sample()
    options = {"lang": "en", "sections": ["data", "allocation"], "wider": False, "k": 5}
    assert files.stamp == ui_report.stamp(sample, saved, **options)
    # The saved session alone gives the page's allocation.
    built = report.build_report(sample, saved, sections=["allocation"]).table("allocation").data
    assert built["recommended_hours"].tolist() == page_result["recommended_hours"].tolist()
    # A setting that reaches the report (the Where page's grid) makes the files stale.
    stale = i18n.t("report.page.stale", "en")
    at.switch_page("pages/report.py").run()
    at.multiselect(key="p.report.sections").set_value(["data", "allocation"]).run()
    assert not any(w.value == stale for w in at.warning)
    at.session_state["p.where.cell"] = 500
    at.run()
    assert any(w.value == stale for w in at.warning)
