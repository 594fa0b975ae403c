"""One app server for all browser tests, driven by Playwright in Debian's headless Chromium.

A missing browser is a failure, not a skip: CI installs Debian's ``chromium``
(see .ci/run), and no browser download works on the project's network.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def running_app(log_path: Path, env: dict[str, str] | None = None):
    """Start ``streamlit run app.py`` on a free localhost port; yield (base URL, process)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **(env or {}))
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app server never became healthy")
        yield base, proc
    finally:
        log.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server_data(tmp_path_factory) -> Path:
    """The workspace folder (ILP_DATA_DIR) of the shared app server."""
    return tmp_path_factory.mktemp("server-data")


@pytest.fixture(scope="session")
def server(tmp_path_factory, server_data):
    """Start ``streamlit run app.py`` on a free localhost port; yield its base URL."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with running_app(log, env={"ILP_DATA_DIR": str(server_data)}) as (base, _proc):
        yield base


@pytest.fixture(autouse=True)
def _no_draft_from_an_earlier_test(request):
    """Each browser test starts as a first visit of the shared server's local user.

    In local mode one user's work follows them into every new browser (their draft:
    language, open dataset, filters, logs): without this, a test that switched to
    Russian or loaded an export would hand that to the tests after it.
    """
    if "server" in request.fixturenames:
        from ilp_core.store import Actor
        from ui.shared import DRAFT_NAME

        store = request.getfixturevalue("server_store")
        store.discard_draft(Actor.local(), dataset_id=None, name=DRAFT_NAME)


@pytest.fixture(scope="session")
def server_store(server_data):
    """The shared app server's workspace store, opened by the tests (same database)."""
    from ilp_core.store import config_from_env, open_store

    return open_store(config_from_env({"ILP_DATA_DIR": str(server_data)}))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; fails when it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (its own Streamlit session) that records script errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.script_errors = []
    pg.on("pageerror", lambda e: pg.script_errors.append(str(e)))
    yield pg
    context.close()


def settle(page, timeout: float = 120) -> None:
    """Wait until the script has finished running and the page has stopped changing."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    # Before the first run Streamlit shows only its default page list; the script has
    # run once the main area holds an element.
    page.wait_for_selector(
        '[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout * 1000
    )
    start, quiet = time.time(), 0
    while time.time() - start < timeout:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        busy = state != "notRunning" or page.query_selector('[data-testid="stSkeleton"]')
        quiet = 0 if busy else quiet + 1
        if quiet >= 4:  # 1 s without a run: a click's rerun starts within milliseconds
            return
        time.sleep(0.25)
    pytest.fail("the page kept running for too long")


def assert_no_error(page) -> None:
    """No Streamlit exception box, no traceback, no script error."""
    exceptions = page.query_selector_all('[data-testid="stException"]')
    assert not exceptions, exceptions[0].inner_text()[:500]
    assert "Traceback (most recent call last)" not in page.inner_text("body")
    assert not page.script_errors, page.script_errors[:3]
