"""Opening a page by its address (bookmark, shared link, reload) shows it inside the app."""

from __future__ import annotations

import pytest

from .conftest import assert_no_error, running_app, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server


def test_a_deep_link_as_first_visit_runs_the_page_inside_the_app(browser, tmp_path):
    # A fresh server: the bug showed only when a page's address was the server's first visit.
    with running_app(tmp_path / "streamlit.log") as (base, _proc):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.script_errors = []
        page.on("pageerror", lambda e: page.script_errors.append(str(e)))
        for name, title in [
            ("workshop", "Workshop: the ILP cycle"),
            ("allocation", "Resource allocation"),
        ]:
            page.goto(f"{base}/{name}")
            settle(page)
            assert_no_error(page)
            side = page.inner_text('[data-testid="stSidebar"]')
            lines = [line.strip().lower() for line in side.splitlines() if line.strip()]
            assert "app" not in lines  # Streamlit's bare list of page files names the entry 'app'
            assert page.query_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
            assert title.lower() in page.inner_text("h1").lower()  # the chosen page is kept
            assert page.url.rstrip("/").endswith(name)
        page.reload()  # a reload keeps the page too
        settle(page)
        assert "resource allocation" in page.inner_text("h1").lower()
        context.close()
