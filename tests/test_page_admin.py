"""The Administration page: users and roles, retention dates and purging, all audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from test_shared_workspace import _small_region

from ilp_core.store import Actor, open_store

PAGE = "pages/admin.py"


def _admin_page(app):
    at = app()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _said(at) -> str:
    """The page's messages as read (Markdown's escapes of text from data taken off)."""
    return re.sub(r"\\(.)", r"\1", " ".join(m.value for m in [*at.success, *at.error, *at.info]))


def test_an_administrator_registers_a_user_and_changes_their_roles(app):
    at = _admin_page(app)
    assert at.title[0].value == "Administration"
    at.text_input(key="admin.new_id").input("keycloak|ana")
    at.text_input(key="admin.new_name").input("Ana Petrova")
    at.multiselect(key="admin.new_roles").set_value(["analyst"])
    at.button(key="admin.add").click().run()  # registered before her first login
    assert not at.exception
    assert "keycloak|ana registered" in _said(at)
    users = at.dataframe[0].value
    assert users.set_index("User ID").at["keycloak|ana", "Roles"] == "analyst"

    at.selectbox(key="admin.user").select("keycloak|ana").run()
    at.multiselect(key="admin.roles.keycloak|ana").set_value(["manager", "trainer"]).run()
    at.text_input(key="admin.unit.keycloak|ana").input("North").run()
    at.button(key="admin.save").click().run()
    assert "Roles of keycloak|ana saved" in _said(at)
    store = open_store()
    ana = store.get_user(Actor.local(), "keycloak|ana")
    assert (sorted(ana.roles), ana.unit) == (["manager", "trainer"], "North")
    events = store.query_audit(Actor.local(), action="users")
    assert events["object_id"].tolist() == ["keycloak|ana", "keycloak|ana"]
    # her first login finds the roles given here
    assert sorted(store.login("keycloak|ana", name="Ana").roles) == ["manager", "trainer"]


def test_a_user_without_an_id_is_refused_with_a_message(app):
    at = _admin_page(app)
    at.text_input(key="admin.new_name").input("No id")
    at.button(key="admin.add").click().run()
    assert not at.exception
    assert at.error and "registered" not in _said(at)
    assert open_store().list_users(Actor.local()).empty


def test_retention_date_set_and_a_purge_deletes_what_is_due(app):
    store = open_store()
    kept = store.save_dataset(Actor.local(), _small_region("North.csv")).dataset_id
    due = store.save_dataset(Actor.local(), _small_region("Old.csv")).dataset_id
    at = _admin_page(app)  # the app purges once when it opens the store: before this
    store.set_retention(Actor.local(), due, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    at.run()
    table = at.dataframe[1].value.set_index("Dataset")
    assert table.at["Old.csv", "Days left"] == 0 and table.at["North.csv", "Days left"] > 300
    assert at.metric[0].value == "1"  # due for deletion

    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    at.selectbox(key="admin.dataset").select(kept).run()
    at.date_input(key=f"admin.until.{kept}").set_value(later).run()
    at.button(key="admin.set_retention").click().run()
    assert not at.exception
    [north] = [d for d in store.list_datasets(Actor.local()) if d.id == kept]
    assert north.retention_until.date() == later

    assert at.button(key="admin.purge").disabled  # not before the box is ticked
    at.checkbox(key="admin.purge_ok").check().run()
    at.button(key="admin.purge").click().run()
    assert not at.exception
    assert "Purged: 1 datasets" in _said(at)
    assert [d.id for d in store.list_datasets(Actor.local())] == [kept]
    actions = store.query_audit(Actor.local())["action"].tolist()
    assert "retention" in actions and "purge" in actions


@pytest.mark.parametrize("roles", [["manager"], ["analyst"], ["trainer"]])
def test_only_administrators_manage_users_and_retention(roles):
    page = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    page.session_state["ilp.lang"] = "en"
    page.session_state["ilp.actor"] = Actor("u1", roles=set(roles))
    page.run()
    assert "Only administrators" in " ".join(e.value for e in page.error)
    assert not page.dataframe and not page.button


def test_the_page_in_russian(app):
    at = app(lang="ru")
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Администрирование"
    assert [t.label for t in at.tabs] == ["Пользователи и роли", "Хранение и удаление"]
