"""Shared fixtures: the repository root and a helper that runs the app with AppTest."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
# Tests never touch the user's workspace store: the process (and the app servers the
# browser tests start) use a throw-away folder and the embedded database, and each test
# gets its own folder below (`_own_store`).
_SESSION_DATA = tempfile.mkdtemp(prefix="ilp-tests-")
atexit.register(shutil.rmtree, _SESSION_DATA, ignore_errors=True)
os.environ["ILP_DATA_DIR"] = _SESSION_DATA
for _name in ("ILP_DATABASE_URL", "ILP_ADMINS", "ILP_DEFAULT_ROLES", "ILP_RETENTION_DAYS"):
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def _own_store(tmp_path_factory, monkeypatch):
    """Every test: an empty store of its own (ILP_DATA_DIR), never a database server."""
    monkeypatch.setenv("ILP_DATA_DIR", str(tmp_path_factory.mktemp("ilp-data")))
    monkeypatch.delenv("ILP_DATABASE_URL", raising=False)


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


@pytest.fixture
def map_frames():
    """Return a function giving the documents of an AppTest page's map frames.

    A page's other frame is the language frame (ui/language.py, catalog words only).
    """
    return lambda at: [f.proto.srcdoc for f in at.get("iframe") if "L.map(" in f.proto.srcdoc]


# The workspace store's fixtures (a throw-away PostgreSQL server, a store on each database).
from store_fixtures import (  # noqa: E402, F401
    blank_config,
    pg_template,
    postgres,
    store,
    store_config,
    upload,
)
