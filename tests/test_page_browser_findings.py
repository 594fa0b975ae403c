"""AppTest tests of what managers, participants and analysts met in the browser (issue 15)."""

from __future__ import annotations

from test_pages import MESSY


def _load_messy(at):
    at.file_uploader(key="data.file").set_value(("export.csv", MESSY, "text/csv")).run()
    at.button(key="data.load").click().run()
    return at


def test_loading_the_data_a_second_time_does_not_crash(app):
    # Analysts press "Load the data" again after correcting the mapping; the sidebar's
    # dataset choice already exists then, and setting it raised
    # StreamlitWidgetAlreadyInstantiatedError.
    at = _load_messy(app("pages/data.py"))
    assert not at.exception
    at.button(key="data.load").click().run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.session_state["ilp.source"] == "upload"
    assert [m.value for m in at.metric][:3] == ["4", "2", "2"]
