"""Shared fixtures: the repository root and a helper that runs the app with AppTest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")


@pytest.fixture
def app():
    """Return a function that opens a page of the app in AppTest, run and checked."""
    from streamlit.testing.v1 import AppTest

    def open_page(page: str | None = None, *, lang: str = "en", state: dict | None = None):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["ilp.lang"] = lang
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return open_page


# The workspace store's fixtures (a throw-away PostgreSQL server, a store on each database).
from store_fixtures import (  # noqa: E402, F401
    blank_config,
    pg_template,
    postgres,
    store,
    store_config,
    upload,
)
