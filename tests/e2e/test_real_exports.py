"""Real export layouts through Data → Priorities → Allocation → Report in Chromium.

Each fixture of ``tests/fixtures/real_make.py`` (police.uk, Chicago, San Francisco, a
Russian Windows-1251 file with ``;`` and decimal commas, a French Latin-1 file, a
Spanish file) is uploaded as an analyst would, its offences classified (every one
has a suggestion), loaded, and every decision page visited in the same session:
no error, no offence without a class or a harm weight, every row accepted.
"""

from __future__ import annotations

import pytest

from e2e.conftest import ROOT, assert_no_error, settle
from ilp_core import i18n

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

FIXTURES = ROOT / "tests" / "fixtures"
EXPORTS = {  # file: rows in it
    "police_uk_month.csv": 240,
    "chicago_month.csv": 250,
    "sf_month.csv": 260,
    "ru_cp1251.csv": 220,
    "fr_latin1.csv": 200,
    "es_export.csv": 200,
}


def _t(key: str, **params) -> str:
    return i18n.t(key, "en", **params)


def _open_data(server, page) -> None:
    """The root first (a fresh server runs a page's own URL without app.py), then Data."""
    page.goto(server, wait_until="domcontentloaded")
    settle(page)
    _go(page, "nav.data")


def _go(page, nav_key: str) -> None:
    """Open a page through the sidebar, in the same session (the upload stays loaded)."""
    page.get_by_test_id("stSidebarNav").get_by_text(_t(nav_key), exact=True).click()
    settle(page)
    assert_no_error(page)


@pytest.mark.parametrize("name", list(EXPORTS))
def test_a_real_export_goes_from_data_to_report(server, page, name):
    _open_data(server, page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(FIXTURES / name)
    )
    settle(page)
    assert_no_error(page)
    body = page.inner_text("body")
    assert _t("data.classes_title") in body
    assert "Not classified:" not in body  # every offence label has a class
    page.get_by_role("button", name=_t("data.load_button")).click()
    settle(page)
    assert_no_error(page)
    body = page.inner_text("body")
    assert f"Quality report: {name}" in body
    values = page.get_by_test_id("stMetricValue").all_inner_texts()
    rows = f"{EXPORTS[name]:,}"
    assert values[:3] == [rows, rows, "0"]  # read, accepted, rejected: every row where it belongs
    assert "Offence types without a class" not in body

    _go(page, "nav.priorities")
    body = page.inner_text("body")
    assert "name the same offence" not in body
    assert "No harm weight for" not in body  # every offence weighs through its class
    assert _t("priorities.title") in body

    _go(page, "nav.allocation")
    _go(page, "nav.report")
    assert "No harm weight for" not in page.inner_text("body")


def test_police_uk_no_location_rows_read_the_same_on_data_and_where(server, page):
    _open_data(server, page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(FIXTURES / "police_uk_month.csv")
    )
    settle(page)
    page.get_by_role("button", name=_t("data.load_button")).click()
    settle(page)
    assert "Rows with neither coordinates nor a district" in page.inner_text("body")
    _go(page, "nav.patterns_where")
    body = page.inner_text("body")
    assert "9 incidents have neither coordinates nor a district" in body
    assert "still count per district" not in body
