"""The Outlook page in Chromium: the scan shows its progress, and its cancel button stops it."""

from __future__ import annotations

import time

import pytest

from e2e.conftest import assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server


def _scan(page, permutations: int, *, first: bool = True) -> None:
    """Start the scan with ``permutations`` (first: open the Outlook's clusters and settings)."""
    if first:
        page.get_by_role("tab", name="Emerging clusters").click()
        page.get_by_text("Scan settings").click()
    box = page.get_by_label("Permutations")
    box.fill(str(permutations))
    box.press("Enter")
    page.get_by_role("button", name="Run the scan").click()


def test_the_scan_shows_progress_and_can_be_cancelled(server, page):
    page.goto(f"{server}/outlook", wait_until="domcontentloaded")
    settle(page)
    _scan(page, 9999)  # long enough to press cancel while it runs
    page.get_by_test_id("stProgress").wait_for(timeout=60_000)
    time.sleep(1)
    page.get_by_role("button", name="Cancel the scan").click()
    settle(page)
    assert_no_error(page)
    assert page.get_by_text("The scan was cancelled.").count() == 1
    assert page.get_by_test_id("stProgress").count() == 0
    # A short scan then runs to the end and maps its clusters (the settings stay open).
    _scan(page, 99, first=False)
    settle(page)
    assert_no_error(page)
    assert page.get_by_text("significant clusters").count() >= 1


def _cells(page, testid: str = "stDataFrame") -> list[str]:
    """The text of the table cells the grids draw (their accessible table, not the canvas)."""
    return page.locator(f'[data-testid="{testid}"] [role="gridcell"]').all_inner_texts()


def test_emerging_issues_go_from_the_outlook_into_the_strategy(server, page):
    # The scan is run on the Outlook page, as a manager would; the Strategy page then
    # offers its clusters and the emerging offences, and takes up the ones picked.
    page.goto(f"{server}/outlook", wait_until="domcontentloaded")
    settle(page)
    _scan(page, 99)
    settle(page)
    assert_no_error(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Control strategy", exact=True).click()
    settle(page)
    assert_no_error(page)
    page.get_by_role("tab", name="Control strategy").click()
    assert "once the space-time scan has been run" not in page.inner_text("body")  # it was
    picker = page.get_by_test_id("stMultiSelect").filter(has_text="Emerging issues to take up")
    for _ in range(20):  # the arrow key opens the list (a click on the box does not, here)
        picker.locator("input").first.click()
        page.keyboard.press("ArrowDown")
        if page.get_by_role("option").count():
            break
        time.sleep(0.5)
    options = page.get_by_role("option").all_inner_texts()
    assert "Vehicle crime · Emerging offence" in options, options  # rising beyond its season
    clusters = [o for o in options if o.endswith("New cluster")]
    assert clusters, options  # and the scan's clusters
    before = sum("Vehicle crime" in c for c in _cells(page))
    page.get_by_role("option", name="Vehicle crime · Emerging offence").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add to the strategy and requirements").click()
    settle(page)
    assert_no_error(page)
    toast = page.get_by_test_id("stToast").all_inner_texts()
    assert any("intelligence requirements: 1." in t for t in toast), toast
    # the control strategy and the intelligence requirements each gained the offence's row
    assert sum("Vehicle crime" in c for c in _cells(page)) >= before + 2
