"""AppTest tests of the Stop button of long work: a stopped run says so and keeps nothing.

In the running app a click on Stop ends the script run at the bar's next update and
its callback sets the work's stop flag (``ui.progress.flag``); here the flag is set
before the work starts, so the library's progress callback raises ``Cancelled`` at
its first call: the page must show the translated message and no result.
"""

from __future__ import annotations

from ilp_core import i18n
from ui import progress

STOPPED = i18n.t("progress.stopped")


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_stopped_knox_test_shows_the_message_and_no_result(app):
    at = app("pages/near_repeat.py")
    at.session_state[progress.flag("near_repeat")] = True
    at.button[0].click().run()
    assert not at.exception
    assert STOPPED in _warnings(at)
    assert "near_repeat.result" not in at.session_state
    assert not at.get("plotly_chart")
    assert progress.flag("near_repeat") not in at.session_state  # said once, then cleared
    at.button[0].click().run()  # started again: not cancelled, the result is kept
    assert not at.exception
    assert STOPPED not in _warnings(at)
    assert at.session_state["near_repeat.result"][1].n_events > 0


def test_stop_click_rerun_says_stopped_in_russian(app):
    """What the Stop button's callback leaves for the next run: the message, in the language."""
    at = app("pages/near_repeat.py", lang="ru")
    at.session_state[progress.flag("near_repeat")] = True
    at.run()
    assert i18n.t("progress.stopped", "ru") in _warnings(at)
    assert "near_repeat.result" not in at.session_state


def test_stopped_load_keeps_the_previous_dataset(app):
    at = app("pages/data.py")
    csv = b"offence,date,lat,lon\nTheft,2025-01-02,51.5,-0.12\nBurglary,2025-01-03,51.5,-0.13\n"
    at.file_uploader(key="data.file").set_value(("mine.csv", csv, "text/csv")).run()
    at.session_state[progress.flag("data.load")] = True
    at.button(key="data.load").click().run()
    assert not at.exception
    assert STOPPED in _warnings(at)
    # no dataset was loaded, not even in part (the page says the file is read, not loaded)
    assert not any("mine" in h.value for h in at.header)
    # started again without Stop: the file is loaded
    at.button(key="data.load").click().run()
    assert not at.exception
    assert any("mine" in h.value for h in at.header)  # escaped: mine\\.csv


def test_stopped_report_keeps_no_file(app):
    at = app("pages/report.py")
    at.multiselect(key="p.report.sections").set_value(["data", "findings"]).run()
    at.session_state[progress.flag("report")] = True
    at.button(key="report.build").click().run()
    assert not at.exception
    assert STOPPED in _warnings(at)
    assert "report.last" not in at.session_state
    assert not at.get("download_button")
