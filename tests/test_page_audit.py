"""The Audit page: administrators only, filters, a formula-safe CSV, nothing that edits."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from test_shared_workspace import OIDC, _small_region

from ilp_core.store import Actor, open_store


def _audit_page(*, user: dict | None = None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["ilp.lang"] = "en"
    if user is not None:
        at.secrets["auth"] = dict(OIDC)
        at.user = user
    at.run()
    at.switch_page("pages/audit.py").run()
    return at


def _events():
    store = open_store()
    ana = store.login("ana", name="Ana", roles=["analyst"])
    hostile = _small_region('=HYPERLINK("http://evil","x").csv')
    version = store.save_dataset(ana, hostile)
    store.open_dataset(Actor.local(), version.dataset_id)
    return store, version.dataset_id


def test_local_mode_reads_the_trail_and_filters_it():
    store, dataset_id = _events()
    at = _audit_page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Audit trail"
    table = at.dataframe[0].value
    # newest first: this session's login, the local user's open, the analyst's load and login
    assert table["Action"].tolist()[:4] == ["login", "open", "load", "login"]
    assert set(table["Who"]) >= {"ana", "local"}
    at.selectbox(key="audit.action").select("load").run()
    only = at.dataframe[0].value
    assert only["Action"].tolist() == ["load"] and only["Who"].tolist() == ["ana"]
    at.selectbox(key="audit.action").select("").run()
    at.selectbox(key="audit.user").select("ana").run()
    assert set(at.dataframe[0].value["Who"]) == {"ana"}
    at.selectbox(key="audit.user").select("").run()
    at.selectbox(key="audit.dataset").select(dataset_id).run()
    assert at.dataframe[0].value["Action"].tolist() == ["open", "load"]
    # a period before today's events: none
    long_ago = (dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    at.date_input(key="audit.period").set_value(long_ago).run()
    assert at.dataframe[0].value.empty
    assert "0 events" in at.subheader[0].value


def test_nothing_on_the_page_edits_the_trail():
    _events()
    at = _audit_page()
    assert not at.get("data_editor") and not at.button and not at.text_input
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]


def test_the_csv_is_formula_safe_and_its_download_is_audited():
    store, dataset_id = _events()
    data = store.audit_csv(Actor.local(), object_id=dataset_id)  # what the button sends
    frame = pd.read_csv(io.BytesIO(data), dtype=str)
    details = " ".join(frame["details"])
    assert "HYPERLINK" in details
    for column in frame.columns:
        assert not frame[column].dropna().str.match(r"^[=+\-@\t\r]").any(), column
    assert store.query_audit(Actor.local(), action="export", object_type="audit").shape[0] == 1


@pytest.mark.parametrize("roles", [["manager"], ["analyst"], []])
def test_only_administrators_have_the_page(roles):
    user = {"is_logged_in": True, "sub": "u1", "name": "U", "roles": roles}
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        _audit_page(user=user)  # not in their navigation, so no address reaches it
    page = AppTest.from_file(str(ROOT / "pages" / "audit.py"), default_timeout=60)
    page.session_state["ilp.actor"] = Actor("u1", roles=set(roles))
    page.run()
    assert "Only administrators" in " ".join(e.value for e in page.error)
    assert not page.dataframe


def test_an_administrator_logged_in_has_the_page():
    user = {"is_logged_in": True, "sub": "root", "name": "Root", "roles": ["administrator"]}
    at = _audit_page(user=user)
    assert not at.exception
    assert at.title[0].value == "Audit trail"
    assert "login" in at.dataframe[0].value["Action"].tolist()
