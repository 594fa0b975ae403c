"""The shared workspace in the app (ui/shared.py), driven through AppTest on the real store.

Each test has its own empty store (tests/conftest.py sets ILP_DATA_DIR). AppTest
(Streamlit 1.67) runs app.py at every run, a switched page included. Tests of the
workspace alone go through :func:`_workspace_app`, a script made of what app.py
calls (start, sidebar, the draft after the page), which runs without the pages.
The browser tests (tests/e2e/test_workspace.py) drive the real app.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import ROOT
from pg_server import free_port
from store_fixtures import UPLOAD_CSV
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.runtime.state.session_state_proxy import SessionStateProxy
from streamlit.testing.v1 import AppTest

from ilp_core import markup
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence
from ilp_core.store import Actor, Share, Store, open_store

# The export with two personal columns the Data page offers to drop (the default choice).
_LINES = UPLOAD_CSV.strip().splitlines()
PERSONAL_CSV = (
    "\n".join(
        [_LINES[0] + ",Victim name,Phone"]
        + [f"{line},Ivan Petrov,+7 912 345 67 89" for line in _LINES[1:]]
    )
    + "\n"
)

OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret",
    "client_id": "ilp",
    "client_secret": "s3cret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def _session(page: str | None = None, *, user: dict | None = None, secrets: dict | None = None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["ilp.lang"] = "en"
    if secrets is not None:
        at.secrets["auth"] = secrets
    if user is not None:
        at.user = user
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _load_through_data_page():
    at = _session("pages/data.py")
    at.file_uploader(key="data.file").set_value(("upload.csv", PERSONAL_CSV.encode(), "text/csv"))
    at.run()
    at.button(key="data.load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _workspace_app():
    """app.py's workspace calls, as the main script of an AppTest (every run runs it)."""
    import streamlit as st

    from ui import shared

    shared.start()
    with st.sidebar:
        shared.sidebar()
    shared.save_draft()


def _workspace(**state):
    at = AppTest.from_function(_workspace_app, default_timeout=60)
    at.session_state["ilp.lang"] = "en"
    for key, value in state.items():
        at.session_state[key.replace("__", ".")] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _store():
    return open_store()


def _small_region(name: str = "North.csv") -> Dataset:
    sample = load_sample()
    return Dataset(name=name, incidents=sample.incidents.head(3000), districts=sample.districts)


def _item(summary: str) -> pd.DataFrame:
    return intelligence.add_item(
        intelligence.empty_log(),
        date=dt.date(2025, 1, 6),
        summary=summary,
        problem="",
        area="",
        notes="",
        scheme="5x5x5",
        source="B",
        information="2",
        handling="1",
    )


def test_a_load_on_the_data_page_is_stored_and_a_new_session_restores_it():
    at = _load_through_data_page()
    dataset_id = at.session_state["ilp.dataset_id"]
    [info] = _store().list_datasets(Actor.local())
    assert (info.id, info.name, info.versions) == (dataset_id, "upload.csv", 1)
    # the personal columns were dropped before storage, and the version says so
    opened = _store().open_dataset(Actor.local(), dataset_id)
    assert opened.privacy_actions == tuple(at.session_state["ilp.privacy_actions"])
    assert len(opened.privacy_actions) == 2
    stored = [str(v) for v in opened.dataset.incidents.to_numpy().ravel()]
    assert not [v for v in stored if "Ivan" in v or "912" in v]
    assert len(opened.dataset.incidents) == len(at.session_state["ilp.upload"].incidents)
    # a reload, a new tab, a restart: a new session of the same user continues
    again = _session()
    assert again.session_state["ilp.dataset_id"] == dataset_id
    assert again.session_state["ilp.upload"].fingerprint == opened.dataset.fingerprint
    assert again.sidebar.selectbox(key="ilp.dataset_pick").value == dataset_id
    assert "6 of 6 incidents" not in " ".join(c.value for c in again.sidebar.caption)
    captions = " ".join(c.value for c in again.sidebar.caption)
    assert f"of {len(opened.dataset.incidents)} incidents in view" in captions


# Streamlit stops a run the user replaced by a click wherever the run reads or writes
# the session state (StopException, raised inside the script): the browser check of a
# restarted server found a session left without its user, so on the sample region.


def _stored_with_draft() -> str:
    """A stored dataset that the local user's draft names (what a new session restores)."""
    store = _store()
    dataset_id = store.save_dataset(Actor.local(), _small_region()).dataset_id
    store.save_draft(Actor.local(), {"dataset_id": dataset_id}, dataset_id=None, name="session")
    return dataset_id


def _stopped_once(monkeypatch, method: str, error: BaseException) -> list[int]:
    """``Store.<method>`` raises ``error`` at its first call, then works; returns its calls."""
    calls: list[int] = []
    real = getattr(Store, method)

    def once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, method, once)
    return calls


def _stopped_at_write(monkeypatch, key: str) -> list[str]:
    """The run stops at the first write of a value (not None) to ``key``, as Streamlit stops it."""
    stops: list[str] = []
    real = SessionStateProxy.__setitem__

    def stop_once(self, name, value):
        if name == key and value is not None and not stops:
            stops.append(name)
            raise StopException()
        real(self, name, value)

    monkeypatch.setattr(SessionStateProxy, "__setitem__", stop_once)
    return stops


def test_a_start_stopped_as_the_user_is_written_logs_in_at_the_next_run(monkeypatch):
    # the failure the browser check of a restarted server saw: stopped at this write
    dataset_id = _stored_with_draft()
    stops = _stopped_at_write(monkeypatch, "ilp.actor")
    at = _workspace()
    assert stops and at.session_state["ilp.dataset_id"] == ""
    at.run()
    assert at.session_state["ilp.actor"] == Actor.local()
    assert at.session_state["ilp.dataset_id"] == dataset_id


@pytest.mark.parametrize("method", ["login_local", "open_dataset"])
def test_a_start_stopped_half_way_starts_over_at_the_next_run(monkeypatch, method):
    dataset_id = _stored_with_draft()
    calls = _stopped_once(monkeypatch, method, StopException())
    at = _workspace()  # stopped in the login, or in the restore of the draft's dataset
    assert len(calls) == 1 and at.session_state["ilp.dataset_id"] == ""
    at.run()
    assert at.session_state["ilp.actor"] == Actor.local()
    assert at.session_state["ilp.dataset_id"] == dataset_id
    assert at.sidebar.selectbox(key="ilp.dataset_pick").value == dataset_id
    at.run()  # done: not started again
    assert len(calls) == 2


def test_a_pick_stopped_in_the_opening_opens_it_at_the_next_run(monkeypatch):
    dataset_id = _store().save_dataset(Actor.local(), _small_region()).dataset_id
    at = _workspace()
    calls = _stopped_once(monkeypatch, "open_dataset", StopException())
    at.session_state["ilp.dataset_request"] = dataset_id  # what the selector's change sets
    at.run()
    assert len(calls) == 1 and at.session_state["ilp.dataset_id"] == ""
    at.run()
    assert at.session_state["ilp.dataset_id"] == dataset_id and len(calls) == 2


def test_a_load_stopped_in_the_opening_is_opened_at_the_next_run(monkeypatch):
    at = _session("pages/data.py")
    at.file_uploader(key="data.file").set_value(("upload.csv", PERSONAL_CSV.encode(), "text/csv"))
    at.run()
    calls = _stopped_once(monkeypatch, "open_dataset", StopException())
    at.button(key="data.load").click().run()
    [info] = _store().list_datasets(Actor.local())  # stored before the stop
    assert len(calls) == 1 and at.session_state["ilp.dataset_id"] == ""
    at.switch_page("pages/home.py").run()  # the next run, whatever it shows
    assert at.session_state["ilp.dataset_id"] == info.id
    assert len(_store().list_datasets(Actor.local())) == 1


def test_a_run_stopped_as_the_opened_dataset_is_chosen_shows_it_at_the_next(monkeypatch):
    # stopped exactly where Streamlit stops a run: at a write to the session state
    dataset_id = _stored_with_draft()
    stops = _stopped_at_write(monkeypatch, "ilp.source")
    at = _session()
    assert stops and at.session_state["ilp.dataset_id"] == dataset_id
    at.run()
    assert at.session_state["ilp.source"] == "upload"
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "3,000 of 3,000 incidents in view" in captions, captions


def test_a_login_the_store_refused_is_tried_again_at_the_next_run(monkeypatch):
    calls = _stopped_once(monkeypatch, "login_local", IlpInputError("store.busy", where="here"))
    at = _workspace()
    assert at.session_state["ilp.actor"] is None
    assert "busy" in " ".join(e.value for e in at.error)
    at.run()
    assert at.session_state["ilp.actor"] == Actor.local() and not at.error
    assert at.sidebar.selectbox(key="ilp.dataset_pick").value == ""
    at.run()
    assert len(calls) == 2


def test_a_second_load_is_a_new_dataset_and_the_open_is_audited():
    _load_through_data_page()
    _load_through_data_page()
    store = _store()
    assert len(store.list_datasets(Actor.local())) == 2
    trail = store.query_audit(Actor.local())
    assert (trail["action"] == "load").sum() == 2
    assert (trail["action"] == "open").sum() >= 2  # each load is opened by its session


def test_unsaved_work_survives_as_a_draft():
    store = _store()
    dataset_id = store.save_dataset(Actor.local(), _small_region()).dataset_id
    at = _workspace(ilp__dataset_request=dataset_id)
    at.session_state["ilp.intel_log"] = _item("Van seen near the school")
    at.session_state["p.intel.scheme"] = "uk3x5x2"
    at.session_state["ilp.offences"] = ["Robbery"]
    at.run()  # the draft is written after the run (app.py: in a `finally`)
    # a reload, a new tab, a restarted server, another browser: a new session of the user
    again = _session()
    assert again.session_state["ilp.dataset_id"] == dataset_id
    assert again.session_state["ilp.offences"] == ["Robbery"]
    assert again.sidebar.multiselect(key="ilp.offences").value == ["Robbery"]
    again.switch_page("pages/intelligence.py").run()
    assert again.session_state["ilp.intel_log"]["summary"].tolist() == ["Van seen near the school"]
    assert again.session_state["p.intel.scheme"] == "uk3x5x2"
    assert not again.error and not again.exception


def test_a_draft_is_written_only_when_something_changed():
    at = _workspace()
    store = _store()
    before = store.get_record(Actor.local(), "draft", name="session").info.version
    at.run()
    at.run()
    assert store.get_record(Actor.local(), "draft", name="session").info.version == before
    at.session_state["p.where.cell"] = 250
    at.run()
    assert store.get_record(Actor.local(), "draft", name="session").info.version == before + 1


def test_delete_from_the_sidebar_removes_it_for_everyone():
    store = _store()
    version = store.save_dataset(Actor.local(), _small_region())
    at = _workspace(ilp__dataset_request=version.dataset_id)
    assert at.session_state["ilp.dataset_id"] == version.dataset_id
    button = at.sidebar.button(key=f"shared.delete.{version.dataset_id}")
    assert button.disabled  # until the confirmation is ticked
    at.sidebar.checkbox(key=f"shared.delete_ok.{version.dataset_id}").check().run()
    at.sidebar.button(key=f"shared.delete.{version.dataset_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.list_datasets(Actor.local()) == []
    assert at.session_state["ilp.dataset_id"] == ""
    trail = store.query_audit(Actor.local(), action="delete")
    assert trail["object_id"].tolist() == [version.dataset_id]
    # the next session of the same user falls back to the sample region
    assert _session().session_state["ilp.dataset_id"] == ""


def test_picking_a_dataset_in_the_sidebar_opens_it_and_shares_it():
    store = _store()
    version = store.save_dataset(Actor.local(), _small_region())
    at = _workspace()
    assert at.session_state["ilp.dataset_id"] == ""
    at.sidebar.selectbox(key="ilp.dataset_pick").select(version.dataset_id).run()
    assert at.session_state["ilp.dataset_id"] == version.dataset_id
    assert len(at.session_state["ilp.upload"].incidents) == 3000
    at.sidebar.multiselect(key=f"shared.roles.{version.dataset_id}").select("manager").run()
    at.sidebar.button(key=f"shared.share.{version.dataset_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [info] = store.list_datasets(Actor("mia", roles={"manager"}))
    assert info.shares == (Share("role", "manager"),)


def test_each_role_sees_only_what_is_shared_with_it():
    store = _store()
    ana = store.login("ana", name="Ana", roles=["analyst"])
    shared = store.save_dataset(ana, _small_region("Shared.csv"), shares=[Share("role", "manager")])
    private = store.save_dataset(ana, _small_region("Private.csv"))
    secrets = dict(OIDC)
    manager = _session(
        user={"is_logged_in": True, "sub": "mia", "name": "Mia", "roles": ["manager"]},
        secrets=secrets,
    )
    pick = manager.sidebar.selectbox(key="ilp.dataset_pick")
    assert pick.options == ["Sample region (synthetic)", "Shared.csv"]
    assert "Logged in as Mia (manager)" in " ".join(c.value for c in manager.sidebar.caption)
    analyst = _session(
        user={"is_logged_in": True, "sub": "ana", "name": "Ana", "roles": ["analyst"]},
        secrets=secrets,
    )
    options = analyst.sidebar.selectbox(key="ilp.dataset_pick").options
    assert sorted(options[1:]) == ["Private.csv", "Shared.csv"]
    # a participant (no account needed) and a visitor not logged in: the sample region only
    visitor = _session(secrets=secrets)
    assert "Not logged in" in " ".join(c.value for c in visitor.sidebar.caption)
    assert visitor.session_state["ilp.actor"] is None
    assert [b.label for b in visitor.sidebar.button] == ["Log in"]
    # the Audit page is in the navigation of administrators (and local mode) only
    assert not [s for s in manager.session_state["ilp.actor"].roles if s == "administrator"]
    assert private.dataset_id not in {i.id for i in store.list_datasets(Actor("mia", {"manager"}))}
    assert shared.dataset_id


def test_two_sessions_editing_the_log_no_lost_update():
    store = _store()
    dataset_id = store.save_dataset(Actor.local(), _small_region()).dataset_id
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    first.session_state["ilp.dataset_request"] = dataset_id
    first.run()
    first.switch_page("pages/intelligence.py").run()
    second = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    second.session_state["ilp.dataset_request"] = dataset_id
    second.run()
    second.switch_page("pages/intelligence.py").run()
    assert "version 0" in " ".join(c.value for c in second.caption)
    assert first.session_state["ilp.dataset_id"] == second.session_state["ilp.dataset_id"]

    first.session_state["ilp.intel_log"] = _item("First analyst's item")
    first.run()
    first.button(key="shared.save.intel_log").click().run()
    assert not first.exception and not first.error, [e.value for e in first.error]
    assert first.session_state["ilp.shared_versions"]["intel_log"] == 1

    second.session_state["ilp.intel_log"] = _item("Second analyst's item")
    second.run()
    second.button(key="shared.save.intel_log").click().run()
    assert not second.exception
    message = " ".join(e.value for e in second.error)
    assert "after you opened it" in message and "Your changes were not saved" in message
    # nothing of the second analyst's is lost: their table stays, the store has the first's
    assert second.session_state["ilp.intel_log"]["summary"].tolist() == ["Second analyst's item"]
    stored = store.get_record(Actor.local(), "intel_log", dataset_id=dataset_id)
    assert stored.info.version == 1
    assert stored.body["rows"][0][stored.body["columns"].index("summary")] == (
        "First analyst's item"
    )
    # taking the shared version, then saving on top of it, works
    second.button(key="shared.take.intel_log").click().run()
    assert second.session_state["ilp.intel_log"]["summary"].tolist() == ["First analyst's item"]
    assert second.session_state["ilp.shared_versions"]["intel_log"] == 1


def test_an_unreachable_database_is_said_and_the_sample_region_still_works(monkeypatch):
    monkeypatch.setenv("ILP_DATABASE_URL", f"postgresql://ilp:pw@127.0.0.1:{free_port()}/ilp")
    at = _session()
    # the address comes from the configuration: shown as text (Markdown escaped)
    warning = " ".join(w.value for w in at.sidebar.warning).replace("\\", "")
    assert "cannot be reached" in warning and "127.0.0.1" in warning and "pw" not in warning
    assert "100,000 of 100,000 incidents in view" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("pages/patterns_where.py").run()
    assert not at.exception
    # in Russian too
    ru = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    ru.session_state["ilp.lang"] = "ru"
    ru.run()
    assert "недоступна" in " ".join(w.value for w in ru.sidebar.warning) or ru.sidebar.warning


def test_wrong_login_secrets_give_a_clear_message():
    broken = {"redirect_uri": "http://localhost:8501/callback", "client_id": "ilp"}
    at = _session(secrets=broken)
    message = " ".join(e.value for e in at.sidebar.error)
    assert "cookie_secret" in message and "client_secret" in message
    assert "redirect_uri (…/oauth2callback)" in message
    assert at.session_state["ilp.actor"] is None
    assert "100,000 of 100,000" in " ".join(c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("lang", ["en", "ru", "fr", "es"])
def test_the_local_mode_is_labelled(lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["ilp.lang"] = lang
    at.run()
    from ilp_core import i18n

    assert i18n.t("shared.local_mode", lang) in [c.value for c in at.sidebar.caption]


def test_a_download_is_written_to_the_audit():
    store = _store()
    dataset_id = store.save_dataset(Actor.local(), _small_region()).dataset_id
    at = _workspace(ilp__dataset_request=dataset_id)

    def script():
        from ui import shared

        shared.start()
        shared.audit_download("hotspot-cells.csv")()

    run = AppTest.from_function(script, default_timeout=60)
    for key in ("ilp.actor", "ilp.identity", "ilp.dataset_id"):
        run.session_state[key] = at.session_state[key]
    run.run()
    assert not run.exception, [e.value for e in run.exception]
    trail = store.query_audit(Actor.local(), action="export")
    assert trail["object_id"].tolist() == [dataset_id]
    assert "hotspot-cells.csv" in trail["details"].iloc[0]


def test_the_report_download_shows_in_the_audit():
    at = _session("pages/report.py")
    at.button(key="report.build").click().run()
    button = at.get("download_button")
    [html] = [b for b in button if b.key == "report.download_html"]
    html.click().run()
    assert not at.exception, [e.value for e in at.exception]
    trail = _store().query_audit(Actor.local(), action="export")
    assert trail["details"].str.contains(r"\.html", regex=True).tolist() == [True]


def test_a_name_from_the_identity_provider_is_shown_as_text():
    user = {"is_logged_in": True, "sub": "x1", "name": "![x](http://evil/t.png)", "roles": []}
    at = _session(user=user, secrets=dict(OIDC))
    [caption] = [c.value for c in at.sidebar.caption if c.value.startswith("Logged in as")]
    assert markup.markdown("![x](http://evil/t.png)") in caption  # shown as written
    assert "no role yet" in caption


def test_the_sidebar_names_the_open_dataset_in_full():
    # The selector's box cuts a long file name; the caption under it does not.
    at = _load_through_data_page()
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Open: upload\\.csv, version 1 of 1, " in captions, captions
