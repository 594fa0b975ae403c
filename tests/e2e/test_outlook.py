"""The Outlook page in Chromium: the scan shows its progress, and its cancel button stops it."""

from __future__ import annotations

import time

import pytest

from e2e.conftest import assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server


def test_the_scan_shows_progress_and_can_be_cancelled(server, page):
    page.goto(f"{server}/outlook", wait_until="domcontentloaded")
    settle(page)
    page.get_by_role("tab", name="Emerging clusters").click()
    page.get_by_text("Scan settings").click()
    box = page.get_by_label("Permutations")
    box.fill("9999")  # long enough to press cancel while it runs
    box.press("Enter")
    page.get_by_role("button", name="Run the scan").click()
    page.get_by_test_id("stProgress").wait_for(timeout=60_000)
    time.sleep(1)
    page.get_by_role("button", name="Cancel the scan").click()
    settle(page)
    assert_no_error(page)
    assert page.get_by_text("The scan was cancelled.").count() == 1
    assert page.get_by_test_id("stProgress").count() == 0
    # A short scan then runs to the end and maps its clusters (the settings stay open).
    box = page.get_by_label("Permutations")
    box.fill("99")
    box.press("Enter")
    page.get_by_role("button", name="Run the scan").click()
    settle(page)
    assert_no_error(page)
    assert page.get_by_text("significant clusters").count() >= 1
