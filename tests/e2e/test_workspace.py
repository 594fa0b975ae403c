"""The shared workspace in a real browser: restarts, two app processes, a real OIDC login.

Each test starts its own app server(s) on its own store (not the shared ``server``):
a restarted server on the same data folder, two processes on one PostgreSQL
(tests/pg_server.py), and an app whose login goes to a local OpenID Connect provider
(the ``oidc-provider-mock`` package, run as a process) with two users of different
roles.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pg_server import TempPostgres, free_port
from test_shared_workspace import PERSONAL_CSV, _small_region

from e2e.conftest import assert_no_error, running_app, settle
from ilp_core import i18n
from ilp_core.store import Actor, Share, StoreConfig, config_from_env, open_store

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server


def _t(key: str, **params) -> str:
    return i18n.t(key, "en", **params)


@contextlib.contextmanager
def _tab(browser):
    """A new browser (its own cookies, its own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda e: page.script_errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def _open(page, base: str) -> None:
    page.goto(base, wait_until="domcontentloaded")
    settle(page)
    assert_no_error(page)


def _sidebar(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def _active(page) -> str:
    """The stored-dataset selector's HTML (its chosen value is not in the visible text)."""
    return page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1).inner_html()


def _load(page, base: str, csv: Path) -> None:
    """Load ``csv`` through the Data page (the suggested mapping, personal columns dropped)."""
    _open(page, base)
    page.get_by_test_id("stSidebarNav").get_by_text(_t("nav.data"), exact=True).click()
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(csv)
    )
    settle(page)
    page.get_by_role("button", name=_t("data.load_button")).click()
    settle(page)
    assert_no_error(page)
    assert f"Quality report: {csv.name}" in page.inner_text("body")


def _csv(tmp_path: Path, name: str = "north.csv") -> Path:
    path = tmp_path / name
    path.write_text(PERSONAL_CSV, encoding="utf-8")
    return path


def test_a_loaded_dataset_survives_a_server_restart(browser, tmp_path):
    env = {"ILP_DATA_DIR": str(tmp_path / "data")}
    csv = _csv(tmp_path)
    with running_app(tmp_path / "first.log", env) as (base, _proc), _tab(browser) as page:
        _load(page, base, csv)
        # unsaved work: the language chosen in this session (kept as the user's draft)
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="Français").click()
        settle(page)
        page.reload(wait_until="domcontentloaded")  # a reload: a new session
        settle(page)
        assert i18n.t("shared.local_mode", "fr") in _sidebar(page)
        assert "north.csv" in _active(page)
    # the server is stopped; a new one starts on the same folder; another browser opens it
    with running_app(tmp_path / "second.log", env) as (base, _proc), _tab(browser) as page:
        _open(page, base)
        sidebar = _sidebar(page)
        assert "north.csv" in _active(page)
        assert i18n.t("shared.local_mode", "fr") in sidebar  # the draft, after the restart
        stored = open_store(config_from_env(env)).list_datasets(Actor.local())
        assert [(d.name, d.versions) for d in stored] == [("north.csv", 1)]
        n = stored[0].rows
        assert i18n.t("app.in_view", "fr", n=n, total=n) in sidebar


def test_two_app_processes_on_one_postgresql(browser, tmp_path):
    postgres = TempPostgres().start()
    try:
        url = postgres.create_database("ilp_two")
        # each machine (here: process) has its own cache folder; the database is shared
        env_a = {"ILP_DATABASE_URL": url, "ILP_DATA_DIR": str(tmp_path / "a")}
        env_b = {"ILP_DATABASE_URL": url, "ILP_DATA_DIR": str(tmp_path / "b")}
        csv = _csv(tmp_path)
        with (
            running_app(tmp_path / "a.log", env_a) as (base_a, _a),
            running_app(tmp_path / "b.log", env_b) as (base_b, _b),
        ):
            with _tab(browser) as page:
                _load(page, base_a, csv)
            with _tab(browser) as page:
                _open(page, base_b)
                assert "north.csv" in _active(page)
                store = open_store(StoreConfig(url=url, data_dir=tmp_path / "test"))
                [info] = store.list_datasets(Actor.local())
                assert _t("app.in_view", n=info.rows, total=info.rows) in _sidebar(page)
                # process b opened it from the database into its own cache folder
                assert list((tmp_path / "b" / "cache").glob("*.arrow"))
                trail = store.query_audit(Actor.local(), object_id=info.id)
                assert trail["action"].tolist().count("open") >= 2
                store.close()
    finally:
        postgres.stop()


@contextlib.contextmanager
def _oidc_provider(tmp_path: Path):
    port = free_port()
    log = (tmp_path / "oidc.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/.well-known/openid-configuration", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("the OIDC test provider never started")
        yield base
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def _set_user(provider: str, sub: str, claims: dict) -> None:
    request = urllib.request.Request(
        f"{provider}/users/{sub}",
        data=json.dumps(claims).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10)


def _login(page, base: str, sub: str) -> None:
    _open(page, base)
    assert _t("shared.logged_out") in _sidebar(page)
    page.get_by_role("button", name=_t("shared.login")).click()
    page.wait_for_selector('input[name="sub"]', timeout=60_000)
    page.fill('input[name="sub"]', sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=60_000)
    settle(page)
    assert_no_error(page)


def test_a_real_oidc_login_with_two_roles(browser, tmp_path):
    data = tmp_path / "data"
    with _oidc_provider(tmp_path) as provider:
        _set_user(
            provider, "ana", {"name": "Ana Analyst", "email": "ana@unit", "roles": ["analyst"]}
        )
        _set_user(
            provider, "mia", {"name": "Mia Manager", "email": "mia@unit", "roles": ["manager"]}
        )
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-test-secret-0123456789"\n'
            'client_id = "ilp-dashboard"\n'
            'client_secret = "test-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = {"ILP_DATA_DIR": str(data), "STREAMLIT_SECRETS_FILES": str(secrets)}
        csv = _csv(tmp_path)
        with running_app(tmp_path / "app.log", env) as (base, _proc):
            with _tab(browser) as ana:
                _login(ana, base, "ana")
                assert _t("shared.logged_in", name="Ana Analyst", roles="analyst") in _sidebar(ana)
                nav = ana.get_by_test_id("stSidebarNav").inner_text()
                assert _t("nav.audit") not in nav  # not an administrator
                _load(ana, base, csv)
            store = open_store(config_from_env(env))
            [loaded] = store.list_datasets(Actor("ana", roles={"analyst"}))
            ana_actor = Actor("ana", roles={"analyst"}, name="Ana Analyst")
            hidden = store.save_dataset(ana_actor, _small_region("south-private.csv"))
            with _tab(browser) as mia:
                _login(mia, base, "mia")
                sidebar = _sidebar(mia)
                assert _t("shared.logged_in", name="Mia Manager", roles="manager") in sidebar
                assert "north.csv" not in sidebar + _active(mia)  # not shared with her
                # Ana shares north.csv with the managers; Mia's next visit sees it
                store.share_dataset(ana_actor, loaded.id, [Share("role", "manager")])
                _open(mia, base)
                box = mia.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1)
                box.scroll_into_view_if_needed()
                box.get_by_role("combobox").click()  # the box's edge may not open it
                mia.wait_for_selector('[role="option"]', timeout=30_000)
                options = mia.get_by_role("option").all_inner_texts()
                assert "north.csv" in options and "south-private.csv" not in options
                mia.get_by_role("option", name="north.csv").click()
                settle(mia)
                assert_no_error(mia)
                assert _t("app.in_view", n=loaded.rows, total=loaded.rows) in _sidebar(mia)
                # a manager may not load data: the Data page says why
                nav = mia.get_by_test_id("stSidebarNav").inner_text()
                assert _t("nav.audit") not in nav
            trail = store.query_audit(Actor.system())
            logins = trail[trail["action"] == "login"]["actor"].tolist()
            assert {"ana", "mia"} <= set(logins)
            opened = trail[(trail["action"] == "open") & (trail["object_id"] == loaded.id)]
            assert "mia" in opened["actor"].tolist()
            assert hidden.dataset_id not in set(trail[trail["actor"] == "mia"]["object_id"])
