"""Every page of the running app opens in Chromium without error; sidebar filters work."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

PAGES = [
    "data", "patterns_where", "patterns_concentration", "patterns_when", "near_repeat", "outlook",
    "priorities", "allocation", "intelligence", "strategy", "report", "workshop",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_page_opens_without_error(server, page, path):
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    settle(page)
    assert_no_error(page)
    assert page.locator("h1").count() >= 1


def test_sidebar_offence_filter_changes_the_figures(server, page):
    page.goto(server, wait_until="domcontentloaded")
    settle(page)
    before = page.get_by_test_id("stMetricValue").first.inner_text()
    _choose_offence(page, "Robbery")
    settle(page)
    after = page.get_by_test_id("stMetricValue").first.inner_text()
    assert_no_error(page)
    assert int(re.sub(r"\D", "", after)) < int(re.sub(r"\D", "", before))


def test_language_switch_translates_and_keeps_the_filters(server, page):
    page.goto(server, wait_until="domcontentloaded")
    settle(page)
    _choose_offence(page, "Robbery")
    settle(page)
    robbery = page.get_by_test_id("stMetricValue").first.inner_text()
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.keyboard.type("Русский")
    page.keyboard.press("Enter")
    settle(page)
    assert_no_error(page)
    assert "стратегическая оценка угроз" in page.inner_text("h1")
    assert re.sub(r"\D", "", page.get_by_test_id("stMetricValue").first.inner_text()) == re.sub(
        r"\D", "", robbery
    )


def _choose_offence(page, offence: str) -> None:
    """Pick one offence type in the sidebar's multiselect, as a user types it."""
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").click()
    page.keyboard.type(offence)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
