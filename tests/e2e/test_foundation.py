"""The app as a newcomer meets it: started with `streamlit run`, driven in headless Chromium."""

from __future__ import annotations

import pytest

from e2e.conftest import ROOT, assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

MESSY_CSV = (
    "Номер;Дата;Вид преступления;Широта;Долгота\n"
    "1;03.02.2025 14:10;Грабёж;45,5021;-30,5103\n"
    "2;31.02.2025 10:00;Кража;45,5030;-30,5120\n"
    "3;04.02.2025 09:30;Кража;0;0\n"
    "4;05.02.2025 22:15;Грабёж;45,5010;-30,5090\n"
).encode("cp1251")


def test_home_renders_on_the_sample_region_and_saves_the_readme_screenshot(server, page):
    page.goto(server, wait_until="domcontentloaded")
    settle(page)
    assert_no_error(page)
    body = page.inner_text("body")
    assert "Intelligence-led policing" in body
    assert "Sample region (synthetic)" in body
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))


def test_upload_a_messy_csv_and_read_its_quality_report(server, page, tmp_path):
    upload = tmp_path / "export.csv"
    upload.write_bytes(MESSY_CSV)
    page.goto(server + "/data", wait_until="domcontentloaded")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(upload)
    )
    settle(page)
    page.get_by_role("button", name="Load the data").click()
    settle(page)
    assert_no_error(page)
    body = page.inner_text("body")
    assert "Quality report: export.csv" in body
    assert "Rejected rows (2)" in body
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "4"  # rows read
