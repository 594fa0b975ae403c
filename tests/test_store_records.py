"""Saved work survives, and two people editing the same record never overwrite each other.

Each test runs on SQLite and on PostgreSQL (``store`` fixture).
"""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence
from ilp_core.store import Actor, Share, body_table, open_store, table_body

ANA = Actor("ana", roles={"analyst"}, unit="North")
BOB = Actor("bob", roles={"analyst"}, unit="North")


@pytest.fixture
def ds(store, upload):
    return store.save_dataset(ANA, upload, shares=[Share("unit", "North")]).dataset_id


def test_the_second_of_two_writers_gets_a_conflict(store, ds):
    store.login("bob", name="Bob Builder")
    created = store.save_record(ANA, "intel_log", body={"rows": [1]}, dataset_id=ds)
    # both open version 1 ...
    a = store.get_record(ANA, "intel_log", dataset_id=ds)
    b = store.get_record(BOB, "intel_log", dataset_id=ds)
    assert a.info.version == b.info.version == created.version == 1
    # ... bob saves first, ana's save from the stale version is refused
    saved = store.save_record(
        BOB, "intel_log", body={"rows": [1, 2]}, dataset_id=ds, expected_version=b.info.version
    )
    assert saved.version == 2 and saved.updated_by == "bob"
    with pytest.raises(IlpInputError) as err:
        store.save_record(
            ANA, "intel_log", body={"rows": [1, 3]}, dataset_id=ds, expected_version=a.info.version
        )
    assert err.value.message.key == "store.conflict"
    assert err.value.message.params["who"] == "Bob Builder"  # the name, when the user is known
    when = dt.datetime.strptime(err.value.message.params["when"], "%Y-%m-%d %H:%M:%S UTC")
    assert abs(when.replace(tzinfo=dt.UTC) - saved.updated_at) < dt.timedelta(seconds=1)
    assert "intelligence log" in str(err.value)
    assert store.get_record(ANA, "intel_log", dataset_id=ds).body == {"rows": [1, 2]}  # bob's kept
    # ana reloads and saves again from the new version
    again = store.save_record(
        ANA, "intel_log", body={"rows": [1, 2, 3]}, dataset_id=ds, expected_version=2
    )
    assert again.version == 3


def test_two_sessions_creating_the_same_record_at_once(store, ds):
    errors, done = [], []
    barrier = threading.Barrier(2)

    def create(actor, rows):
        barrier.wait()
        try:
            done.append(store.save_record(actor, "assessment", body=rows, dataset_id=ds))
        except IlpInputError as exc:
            errors.append(exc.message.key)

    threads = [threading.Thread(target=create, args=(a, [a.id])) for a in (ANA, BOB)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(done) == 1 and errors == ["store.conflict"]
    assert store.get_record(ANA, "assessment", dataset_id=ds).body == [done[0].created_by]


def test_many_writers_lose_no_update(store, ds):
    """Eight threads each add one item with read-modify-write and retry on conflict."""
    store.save_record(ANA, "intel_log", body=[], dataset_id=ds)

    def add(item):
        for _ in range(50):
            current = store.get_record(ANA, "intel_log", dataset_id=ds)
            try:
                store.save_record(
                    ANA,
                    "intel_log",
                    body=[*current.body, item],
                    dataset_id=ds,
                    expected_version=current.info.version,
                )
                return
            except IlpInputError as exc:
                assert exc.message.key == "store.conflict"
        raise AssertionError("never saved")

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    final = store.get_record(ANA, "intel_log", dataset_id=ds)
    assert sorted(final.body) == list(range(8)) and final.info.version == 9


def test_a_stale_delete_and_a_save_after_delete_are_refused(store, ds):
    first = store.save_record(ANA, "swot", body={"s": 1}, dataset_id=ds)
    store.save_record(BOB, "swot", body={"s": 2}, dataset_id=ds, expected_version=1)
    with pytest.raises(IlpInputError) as err:
        store.delete_record(ANA, first.id, expected_version=1)
    assert err.value.message.key == "store.conflict"
    store.delete_record(ANA, first.id, expected_version=2)
    with pytest.raises(IlpInputError) as err:
        store.save_record(ANA, "swot", body={"s": 3}, dataset_id=ds, expected_version=2)
    assert err.value.message.key == "store.record_gone"


def test_work_and_drafts_survive_a_restart(store_config, upload):
    store = open_store(store_config)
    ds = store.save_dataset(ANA, upload).dataset_id
    log = intelligence.empty_log()
    store.save_record(ANA, "intel_log", body=table_body(log), dataset_id=ds)
    store.save_draft(ANA, {"editing": "row 3"}, dataset_id=ds, name="intelligence")
    store.save_draft(ANA, {"editing": "row 4"}, dataset_id=ds, name="intelligence")  # overwrites
    store.save_record(ANA, "report", data=b"%PDF-1.7 binary\x00\xff", dataset_id=ds, name="Q1")
    store.close()  # the server stops; a new process opens the same database
    reopened = open_store(store_config)
    assert reopened.load_draft(ANA, dataset_id=ds, name="intelligence") == {"editing": "row 4"}
    got = reopened.get_record(ANA, "intel_log", dataset_id=ds)
    assert list(body_table(got.body).columns) == list(log.columns)
    assert reopened.get_record(ANA, "report", dataset_id=ds, name="Q1").data == (
        b"%PDF-1.7 binary\x00\xff"
    )
    reopened.discard_draft(ANA, dataset_id=ds, name="intelligence")
    assert reopened.load_draft(ANA, dataset_id=ds, name="intelligence") is None
    reopened.close()


def test_a_product_table_round_trips_through_a_record(store, ds):
    frame = pd.DataFrame(
        {
            "item": ["=1+1", "Burglary rise"],
            "received": [pd.Timestamp("2024-05-01"), pd.NaT],
            "score": [1.5, float("nan")],
        }
    )
    store.save_record(ANA, "requirements", body=table_body(frame), dataset_id=ds)
    body = store.get_record(ANA, "requirements", dataset_id=ds).body
    assert body["rows"] == [["=1+1", "2024-05-01", 1.5], ["Burglary rise", None, None]]
    back = body_table(body)
    assert back["item"].tolist() == ["=1+1", "Burglary rise"]  # as entered: downloads neutralise
    assert back["received"].iloc[0] == "2024-05-01" and pd.isna(back["received"].iloc[1])
    assert back["score"].iloc[0] == 1.5 and pd.isna(back["score"].iloc[1])


def test_bad_bodies_names_and_kinds_are_refused(store, ds):
    for kwargs, key in (
        ({"body": {"x": 1}, "data": b"x"}, "store.bad_body"),
        ({}, "store.bad_body"),
        ({"body": {"x": object()}}, "store.bad_body"),
        ({"body": {"x": float("nan")}}, "store.bad_body"),
        ({"body": 1, "name": "a|b"}, "store.bad_record_name"),
    ):
        with pytest.raises(IlpInputError) as err:
            store.save_record(ANA, "intel_log", dataset_id=ds, **kwargs)
        assert err.value.message.key == key, kwargs
    with pytest.raises(IlpInputError) as err:
        store.save_record(ANA, "poem", body=1)
    assert err.value.message.key == "store.bad_kind"
