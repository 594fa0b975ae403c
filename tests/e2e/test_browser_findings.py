"""What a manager met in Chromium (issue 15): maps in tabs, the page's language."""

from __future__ import annotations

import time

import pytest

from .conftest import assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server


def _scale_lines(page) -> list[str]:
    lines = []
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        try:
            for el in frame.query_selector_all(".leaflet-control-scale-line"):
                if el.is_visible():
                    lines.append(el.inner_text())
        except Exception:  # a frame detached while reading
            continue
    return lines


def test_the_change_over_time_map_opens_on_the_region(page, server):
    page.goto(f"{server}/patterns_where")
    settle(page)
    page.get_by_role("tab", name="Change over time").click()
    settle(page)
    time.sleep(2)
    assert_no_error(page)
    scales = _scale_lines(page)
    assert scales, "no visible map scale bar"
    # zoom 0 showed a 5,000 km (or 3,000 mi) bar; the region is some 20 km across
    assert all(" km" not in s or int(s.split()[0]) <= 10 for s in scales), scales


def test_the_page_speaks_the_chosen_language_streamlits_own_words_included(page, server):
    page.goto(f"{server}/data")
    settle(page)
    assert page.get_attribute("html", "lang") == "en"
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Русский").click()
    settle(page)
    time.sleep(1)
    assert_no_error(page)
    assert page.get_attribute("html", "lang") == "ru"
    uploader = page.locator('[data-testid="stFileUploaderDropzone"]').first.inner_text()
    assert "Загрузить" in uploader and "на файл" in uploader, uploader
    assert "Upload" not in uploader and "per file" not in uploader, uploader
