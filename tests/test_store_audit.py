"""The audit trail records every logged action and cannot be changed, not even with raw SQL.

Each test runs on SQLite and on PostgreSQL (``store`` fixture).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ilp_core.errors import IlpInputError
from ilp_core.store import AUDIT_COLUMNS, Actor, Share

ANA = Actor("ana", roles={"analyst"}, unit="North")
MEG = Actor("meg", roles={"manager"}, unit="North")
ADMIN = Actor("ada", roles={"administrator"})


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET actor = 'nobody'",
        "UPDATE audit SET details = '{}' WHERE action = 'login'",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
    ],
)
def test_raw_sql_cannot_change_or_delete_audit_rows(store, statement):
    store.login_local()
    engine = sa.create_engine(store.config.url)  # not the store's: a plain client
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT actor FROM audit").scalars().all() == ["local"]
        if store.dialect == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.exec_driver_sql("TRUNCATE audit")
    finally:
        engine.dispose()


def test_every_store_action_is_audited(store, upload):
    store.login("meg", name="Meg", email="meg@example.org", roles=["manager"], unit="North")
    ana = store.login("ana", name="Ana", roles=["analyst"], unit="North")
    v = store.save_dataset(ana, upload)
    ds = v.dataset_id
    store.share_dataset(ana, ds, [Share("user", "meg")])
    store.open_dataset(MEG, ds)
    store.save_record(ana, "intel_log", body={"rows": []}, dataset_id=ds)
    store.get_record(MEG, "intel_log", dataset_id=ds)
    store.audit_event(MEG, "export", "dataset", ds, {"format": "csv"})
    store.set_retention(ana, ds, dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    record = store.save_record(ana, "swot", body={}, dataset_id=ds)
    store.delete_record(ana, record.id, expected_version=1)
    store.save_draft(ana, {"x": 1}, dataset_id=ds, name="page")  # drafts: not audited
    store.set_user(ADMIN, "meg", roles=["manager", "trainer"])
    room = store.create_room(Actor("meg", roles={"trainer"}), language="ru", steps=["where"])
    store.delete_dataset(ana, ds)
    trail = store.query_audit(ADMIN).iloc[::-1]  # oldest first
    assert list(trail.columns) == list(AUDIT_COLUMNS)
    got = list(zip(trail["actor"], trail["action"], trail["object_type"], strict=True))
    assert got == [
        ("meg", "login", "session"),
        ("ana", "login", "session"),
        ("ana", "load", "dataset"),
        ("ana", "share", "dataset"),
        ("meg", "open", "dataset"),
        ("ana", "change", "record"),
        ("meg", "open", "record"),
        ("meg", "export", "dataset"),
        ("ana", "retention", "dataset"),
        ("ana", "change", "record"),
        ("ana", "delete", "record"),
        ("ada", "users", "user"),
        ("meg", "create", "room"),
        ("ana", "delete", "dataset"),
    ]
    load = trail[trail["action"] == "load"].iloc[0]
    assert load["object_id"] == ds and load["actor_roles"] == "analyst"
    assert load["actor_unit"] == "North"
    assert '"rows":5' in load["details"] and '"name":"upload.csv"' in load["details"]
    assert trail["at"].is_monotonic_increasing and str(trail["at"].dt.tz) == "UTC"
    assert room.code in trail["details"].iloc[-2]


def test_a_failed_action_leaves_no_audit_row_and_no_change(store, upload):
    ds = store.save_dataset(ANA, upload).dataset_id
    before = len(store.query_audit(ADMIN))
    with pytest.raises(IlpInputError):
        store.open_dataset(MEG, ds)
    with pytest.raises(IlpInputError):
        store.save_record(ANA, "intel_log", body={}, dataset_id=ds, expected_version=4)
    assert len(store.query_audit(ADMIN)) == before


def test_audit_filters_and_the_csv_export(store, upload):
    ds = store.save_dataset(ANA, upload).dataset_id
    store.open_dataset(ANA, ds)
    store.audit_event(ANA, "export", "dataset", "=cmd|' /C calc'!A0", {"format": "csv"})
    store.login("zed", name="Zed")
    assert store.query_audit(ADMIN, action="open")["actor"].tolist() == ["ana"]
    assert len(store.query_audit(ADMIN, object_id=ds)) == 2
    assert len(store.query_audit(ADMIN, actor_id="zed")) == 1
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert store.query_audit(ADMIN, since=future).empty
    assert len(store.query_audit(ADMIN, until=future)) == 4
    assert len(store.query_audit(ADMIN, limit=2)) == 2
    with pytest.raises(IlpInputError):
        store.query_audit(ADMIN, since=dt.datetime(2024, 1, 1))  # no time zone
    data = store.audit_csv(ADMIN, object_type="dataset")
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert len(table) == 3 and list(table.columns) == list(AUDIT_COLUMNS)
    assert table["object_id"].iloc[0] == "'=cmd|' /C calc'!A0"  # a text, not a formula
    exported = store.query_audit(ADMIN, action="export", object_type="audit")
    assert len(exported) == 1 and '"rows":3' in exported["details"].iloc[0]


def test_the_audit_refuses_unknown_actions(store):
    with pytest.raises(IlpInputError) as err:
        store.audit_event(ANA, "peek", "dataset", "x")
    assert err.value.message.key == "store.bad_audit_action"
    with pytest.raises(IlpInputError) as err:
        store.audit_event(ANA, "open", "planet", "x")
    assert err.value.message.key == "store.bad_object_type"
