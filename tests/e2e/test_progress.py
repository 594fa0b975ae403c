"""The Stop button in Chromium: a click during long work stops it, says so and keeps nothing."""

from __future__ import annotations

import time

import pytest

from e2e.conftest import assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

STOPPED = "Stopped: nothing was kept from this run."


def _stop_while_running(page) -> float:
    """Click Stop as soon as it shows; return the seconds until the page is quiet again."""
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible", timeout=60_000)
    page.wait_for_selector('[data-testid="stProgress"]', timeout=10_000)
    start = time.perf_counter()
    stop.click()
    settle(page, timeout=120)
    seconds = time.perf_counter() - start
    print(f"stopped and quiet after {seconds:.1f} s")
    return seconds


def test_stop_the_report_build(server, page):
    page.goto(f"{server}/report", wait_until="domcontentloaded")
    settle(page)
    page.get_by_role("button", name="Build the report").click()
    assert _stop_while_running(page) < 30  # the work stopped: a whole build takes longer
    assert_no_error(page)
    assert STOPPED in page.inner_text("body")
    assert page.get_by_role("button", name="Download HTML (interactive, offline)").count() == 0
    assert page.get_by_role("button", name="Stop").count() == 0  # the bar and its button are gone


def test_stop_the_knox_test(server, page):
    page.goto(f"{server}/near_repeat", wait_until="domcontentloaded")
    settle(page)
    # a long test: the widest bands and the most simulations
    page.get_by_label("Distance band (m)").fill("5000")  # 13 s whole, measured
    page.get_by_label("Simulations (date shuffles)").fill("999")
    page.get_by_role("button", name="Run the test").click()
    assert _stop_while_running(page) < 10  # stopped, not finished
    assert_no_error(page)
    assert STOPPED in page.inner_text("body")
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0  # no result kept
