"""The store's life: a crash mid-write, an older schema, retention, an unreachable database.

Each test runs on SQLite and on PostgreSQL unless it names one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import ROOT
from pg_server import free_port

from ilp_core.errors import IlpInputError
from ilp_core.store import Actor, Share, Store, StoreConfig, _codec, _engine, open_store
from ilp_core.store import _schema as t

ANA = Actor("ana", roles={"analyst"}, unit="North")
ADMIN = Actor("ada", roles={"administrator"})

_WRITER = textwrap.dedent(
    """
    import sys, time
    import numpy as np, pandas as pd
    from ilp_core.data.dataset import Dataset
    from ilp_core.data.schema import example_incidents
    from ilp_core.store import Actor, StoreConfig, open_store, _codec
    url, folder = sys.argv[1], sys.argv[2]
    n = 40_000
    rng = np.random.default_rng(1)
    incidents = example_incidents(
        ["Robbery", "Theft"] * (n // 2), lat=rng.uniform(45, 46, n), lon=rng.uniform(-31, -30, n)
    )
    written = [0]
    real_chunks = _codec.chunks

    def slow_chunks(data, size=32 * 1024):
        for piece in real_chunks(data, size):
            yield piece
            written[0] += 1
            if written[0] == 3:  # three chunks sent inside the open transaction: say so, wait
                print("writing", flush=True)
                time.sleep(60)

    _codec.chunks = slow_chunks
    store = open_store(StoreConfig(url=url, data_dir=folder))
    store.save_dataset(Actor("ana", roles={"analyst"}), Dataset(name="big", incidents=incidents))
    print("committed", flush=True)
    """
)


def test_a_writer_killed_mid_write_leaves_no_half_version(store, upload):
    kept = store.save_dataset(ANA, upload)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, store.config.url, str(store.config.data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "writing", child.stderr.read()[-3000:]
        child.send_signal(signal.SIGKILL)  # kill -9 in the middle of the transaction
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    store.close()
    reopened = open_store(store.config)  # opens cleanly
    assert [d.id for d in reopened.list_datasets(ANA)] == [kept.dataset_id]
    with reopened._tx(write=False) as conn:
        for table in (t.datasets, t.dataset_versions):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 1
        chunks = conn.execute(
            sa.select(sa.func.count()).where(t.dataset_chunks.c.version_id != kept.id)
        ).scalar_one()
        assert chunks == 0
        loads = conn.execute(
            sa.select(sa.func.count()).where(t.audit.c.action == "load")
        ).scalar_one()
        assert loads == 1  # the killed load left no audit row either
        if reopened.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    again = reopened.save_dataset(ANA, dataclasses.replace(upload, name="after.csv"))
    assert reopened.open_dataset(ANA, again.dataset_id).version.number == 1
    reopened.close()


def _old_database(config: StoreConfig) -> None:
    """A database left by the first release (revision 0001), with a dataset and a log."""
    engine = _engine.engine_for(config)
    _engine.upgrade(engine, config.where, "0001")
    when = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    incidents = pd.DataFrame(
        {"incident_id": ["a", "b"], "offence": pd.Categorical(["Robbery", "Theft"])}
    )
    data = _codec.parquet_bytes(_codec.to_arrow(incidents))
    with engine.begin() as conn:
        assert "description" not in {
            c["name"] for c in sa.inspect(conn).get_columns("datasets")
        }  # the old shape
        conn.execute(
            sa.text(
                "INSERT INTO datasets (id, name, owner, unit, created_at, retention_until) "
                "VALUES ('d1', 'old.csv', 'ana', 'North', :w, :r)"
            ),
            {"w": when, "r": when + dt.timedelta(days=3650)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO dataset_versions (id, dataset_id, number, created_at, created_by, "
                "name, row_count, reject_count, fingerprint, incidents_bytes, privacy_actions) "
                "VALUES ('v1', 'd1', 1, :w, 'ana', 'old.csv', 2, 0, 'f', :n, '[]')"
            ),
            {"w": when, "n": len(data)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO dataset_chunks (version_id, part, seq, data) "
                "VALUES ('v1', 'incidents', 0, :d)"
            ),
            {"d": data},
        )
        conn.execute(
            sa.text(
                "INSERT INTO records (id, kind, dataset_id, owner, name, scope, body, version, "
                "created_at, created_by, updated_at, updated_by) VALUES ('r1', 'intel_log', 'd1', "
                "'ana', '', 'intel_log|d1|*|', '[1, 2]', 4, :w, 'ana', :w, 'ana')"
            ),
            {"w": when},
        )
    _engine.dispose(config)


def test_an_older_schema_is_migrated_at_open_with_its_data_kept(blank_config):
    store_config = blank_config
    _old_database(store_config)
    store = open_store(store_config)
    with store._tx(write=False) as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    assert revision == t.HEAD == "0003"
    [info] = store.list_datasets(ANA)
    assert (info.id, info.name, info.description, info.rows) == ("d1", "old.csv", "", 2)
    opened = store.open_dataset(ANA, "d1")
    assert opened.dataset.incidents["incident_id"].tolist() == ["a", "b"]
    log = store.get_record(ANA, "intel_log", dataset_id="d1")
    assert log.body == [1, 2] and log.info.version == 4
    store.save_record(ANA, "intel_log", body=[1, 2, 3], dataset_id="d1", expected_version=4)
    store.close()
    assert open_store(store_config).list_datasets(ANA)[0].id == "d1"  # a second open: no-op


def test_the_migrations_build_exactly_the_declared_schema(store):
    with store._tx(write=False) as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert diff == []


def test_a_database_from_a_newer_app_is_refused_unchanged(store_config):
    store = open_store(store_config)
    with store._tx(write=True) as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    store.close()
    with pytest.raises(IlpInputError) as err:
        open_store(store_config)
    assert err.value.message.key == "store.schema_newer"
    assert "0099" in str(err.value)


def test_retention_purges_data_and_keeps_the_fact(store, upload):
    short = store.save_dataset(ANA, upload, retention_days=30, shares=[Share("role", "manager")])
    long = store.save_dataset(ANA, dataclasses.replace(upload, name="kept.csv"))
    store.save_record(ANA, "intel_log", body={"secret": "item"}, dataset_id=short.dataset_id)
    store.save_record(ANA, "report", data=b"%PDF", dataset_id=short.dataset_id, name="Q1")
    store.save_draft(ANA, {"x": 1}, dataset_id=short.dataset_id, name="log")
    store.save_record(ANA, "intel_log", body={"other": 1}, dataset_id=long.dataset_id)
    room = store.create_room(Actor("tim", roles={"trainer"}), language="en", steps=["a"], days=1)
    _, token = store.join_room(room.code)
    store.open_dataset(ANA, short.dataset_id)
    cache = store.cache_path(short.id)
    assert cache.exists()
    # nothing is due yet
    assert store.purge(ADMIN).datasets == ()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    result = store.purge(ADMIN, now=later)
    assert result.datasets == (short.dataset_id,) and result.rooms == (room.id,)
    assert [d.id for d in store.list_datasets(ANA)] == [long.dataset_id]
    assert not cache.exists() and store.cache_path(long.id).exists()
    with store._tx(write=False) as conn:
        for table, column in (
            (t.datasets, t.datasets.c.id),
            (t.dataset_versions, t.dataset_versions.c.dataset_id),
            (t.dataset_shares, t.dataset_shares.c.dataset_id),
            (t.records, t.records.c.dataset_id),
        ):
            n = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(column == short.dataset_id)
            ).scalar_one()
            assert n == 0, table.name
        assert (
            conn.execute(
                sa.select(sa.func.count()).where(t.dataset_chunks.c.version_id == short.id)
            ).scalar_one()
            == 0
        )
        assert conn.execute(sa.select(sa.func.count()).select_from(t.rooms)).scalar_one() == 0
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(t.room_members)).scalar_one() == 0
        )
    assert len(store.list_records(ANA, dataset_id=long.dataset_id)) == 1
    purged = store.query_audit(ADMIN, action="purge")
    assert set(purged["object_type"]) == {"dataset", "room"}
    fact = purged[purged["object_type"] == "dataset"]["details"].iloc[0]
    assert '"reason":"retention"' in fact and '"rows":5' in fact and '"records":3' in fact
    assert "secret" not in "".join(store.query_audit(ADMIN)["details"])  # the fact, not the data
    assert store.purge(ADMIN, now=later).datasets == ()  # nothing left to do
    with pytest.raises(IlpInputError):
        store.participant(room.code, token)


def test_purge_finishes_a_deletion_that_was_interrupted(store, upload):
    saved = store.save_dataset(ANA, upload)
    with store._tx(write=True) as conn:  # a delete marked, then the process died
        conn.execute(t.datasets.update().values(deleted_at=t.now()))
    assert store.list_datasets(ANA) == []
    assert store.purge(Actor.system()).datasets == (saved.dataset_id,)
    purged = store.query_audit(ADMIN, action="purge")
    assert '"reason":"deleted"' in purged["details"].iloc[0]
    assert purged["actor"].iloc[0] == "system"


def test_an_unreachable_server_gives_one_clear_message_without_the_password(tmp_path):
    port = free_port()  # nothing listens there
    config = StoreConfig(url=f"postgresql://ilp:s3cret@127.0.0.1:{port}/ilp", data_dir=tmp_path)
    assert "s3cret" not in repr(config)
    with pytest.raises(IlpInputError) as err:
        open_store(config)
    assert err.value.message.key == "store.unreachable"
    for lang in ("en", "ru", "fr", "es"):
        text = err.value.render(lang)
        assert f"127.0.0.1:{port}/ilp" in text and "s3cret" not in text
    # a server lost after the start: the same message from any call
    with pytest.raises(IlpInputError) as err:
        Store(config, _engine.engine_for(config)).list_datasets(ANA)
    assert err.value.message.key == "store.unreachable"
    _engine.dispose(config)


def test_an_unusable_data_folder_gives_the_same_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    config = StoreConfig(url=f"sqlite:///{blocker / 'sub' / 'ilp.sqlite3'}", data_dir=blocker)
    with pytest.raises(IlpInputError) as err:
        open_store(config)
    assert err.value.message.key == "store.unreachable"
    assert str(blocker / "sub" / "ilp.sqlite3") in str(err.value)
