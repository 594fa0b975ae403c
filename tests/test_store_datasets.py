"""The store keeps a loaded dataset exactly: every part of a version comes back as it was saved.

Each test runs on SQLite and on PostgreSQL (``store`` fixture).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from store_fixtures import renamed, upload_mapping

from ilp_core.data.dataset import Dataset, fingerprint, load_sample
from ilp_core.data.schema import example_incidents
from ilp_core.errors import IlpInputError
from ilp_core.store import Actor, Share, StoreConfig, _datasets, open_store

ANALYST = Actor("ana", roles={"analyst"}, unit="North")


def _forget_process_cache():
    _datasets._OPENED.clear()
    _datasets._TABLES.clear()


def _mappings_of(path):
    """Address ranges where this process has ``path`` memory-mapped (Linux /proc)."""
    ranges = []
    for line in Path("/proc/self/maps").read_text(encoding="utf-8").splitlines():
        if line.rstrip().endswith(str(path)):
            lo, hi = line.split()[0].split("-")
            ranges.append((int(lo, 16), int(hi, 16)))
    return ranges


def test_a_version_comes_back_as_it_was_saved(store, upload):
    classification = {"Robbery": "violence", "Residential burglary": "acquisitive"}
    saved = store.save_dataset(
        ANALYST,
        upload,
        mapping=upload_mapping(),
        classification=classification,
        privacy_actions=("drop:Name", "pseudonymise:Address"),
        description="March–April export",
    )
    _forget_process_cache()
    store.cache_path(saved.id).unlink()  # read from the database, not from the saving copy
    opened = store.open_dataset(ANALYST, saved.dataset_id)
    got = opened.dataset
    pd.testing.assert_frame_equal(got.incidents, upload.incidents)  # values and dtypes
    assert list(got.incidents["precision"].cat.categories) == ["minute", "day", "month"]
    assert list(got.incidents["duplicate"].cat.categories) == ["id", "event"]
    pd.testing.assert_frame_equal(got.rejects, upload.rejects)
    pd.testing.assert_frame_equal(got.allocation, upload.allocation)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.districts.drop(columns="geometry")),
        pd.DataFrame(upload.districts.drop(columns="geometry")),
    )
    assert got.districts.geometry.geom_equals_exact(upload.districts.geometry, 0).all()
    assert got.districts.crs.to_epsg() == 4326
    # the fingerprint recomputed from what came back equals the one saved
    assert fingerprint(got.incidents, got.districts) == upload.fingerprint == got.fingerprint
    report, want = got.report, upload.report
    for field in dataclasses.fields(want):
        a, b = getattr(report, field.name), getattr(want, field.name)
        if isinstance(b, pd.Series):
            assert a.to_dict() == b.to_dict() and a.name == b.name, field.name
        else:
            assert a == b, field.name
    assert report.issues[0].render("ru") == want.issues[0].render("ru")
    assert opened.mapping == upload_mapping()
    assert opened.classification == classification
    assert opened.privacy_actions == ("drop:Name", "pseudonymise:Address")
    assert opened.version.rows == 5 and opened.version.rejects == 1
    assert store.list_datasets(ANALYST)[0].description == "March–April export"


def test_a_dataset_without_districts_allocation_or_report(store):
    bare = Dataset(name="bare.csv", incidents=example_incidents())
    saved = store.save_dataset(ANALYST, bare)
    got = store.open_dataset(ANALYST, saved.dataset_id).dataset
    assert got.districts is None and got.allocation is None and got.report is None
    assert got.rejects is None
    pd.testing.assert_frame_equal(got.incidents, bare.incidents)


def test_each_load_is_a_new_immutable_version(store, upload):
    first = store.save_dataset(ANALYST, upload)
    fewer = dataclasses.replace(
        upload, incidents=upload.incidents.iloc[:2].reset_index(drop=True), fingerprint=""
    )
    second = store.save_dataset(
        ANALYST, renamed(fewer, "upload-v2.csv"), dataset_id=first.dataset_id
    )
    assert (first.number, second.number) == (1, 2)
    assert [v.number for v in store.list_versions(ANALYST, first.dataset_id)] == [2, 1]
    assert len(store.open_dataset(ANALYST, first.dataset_id).dataset.incidents) == 2
    old = store.open_dataset(ANALYST, first.dataset_id, version=1)
    pd.testing.assert_frame_equal(old.dataset.incidents, upload.incidents)
    [info] = store.list_datasets(ANALYST)
    assert (info.versions, info.latest_version, info.rows, info.name) == (2, 2, 2, "upload-v2.csv")
    with pytest.raises(IlpInputError) as err:
        store.open_dataset(ANALYST, first.dataset_id, version=3)
    assert err.value.message.key == "store.not_found"


def test_two_opens_in_one_process_share_one_memory_mapped_copy(store, upload):
    saved = store.save_dataset(ANALYST, upload)
    path = store.cache_path(saved.id)
    assert path.exists()  # written by the saving process, ready for every session
    _forget_process_cache()
    first = store.open_table(ANALYST, saved.dataset_id)
    second = store.open_table(ANALYST, saved.dataset_id)
    buffers = [b.address for b in first.column("lat").chunk(0).buffers() if b is not None]
    again = [b.address for b in second.column("lat").chunk(0).buffers() if b is not None]
    assert buffers == again  # the same pages, not a copy
    assert any(lo <= buffers[-1] < hi for lo, hi in _mappings_of(path))  # pages of the file
    a = store.open_dataset(ANALYST, saved.dataset_id)
    b = store.open_dataset(ANALYST, saved.dataset_id)
    assert a.dataset is b.dataset  # a second open builds nothing
    store.delete_dataset(ANALYST, saved.dataset_id)
    assert not path.exists()


def test_the_cache_file_is_removed_on_purge(store, upload):
    saved = store.save_dataset(ANALYST, upload, retention_days=1)
    path = store.cache_path(saved.id)
    store.open_dataset(ANALYST, saved.dataset_id)
    assert path.exists()
    store.purge(Actor.local(), now=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    assert not path.exists()


def test_a_large_version_is_stored_in_several_chunks(store, monkeypatch):
    rng = np.random.default_rng(7)
    n = 20_000
    incidents = example_incidents(
        ["Robbery"] * n,
        lat=rng.uniform(45, 46, n),
        lon=rng.uniform(-31, -30, n),
        occurred_at=pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), "s"),
    )
    monkeypatch.setattr("ilp_core.store._codec.chunks.__defaults__", (16 * 1024,))
    saved = store.save_dataset(ANALYST, Dataset(name="big", incidents=incidents))
    import sqlalchemy as sa

    from ilp_core.store import _schema as t

    with store._tx(write=False) as conn:
        pieces = conn.execute(
            sa.select(sa.func.count()).where(t.dataset_chunks.c.version_id == saved.id)
        ).scalar_one()
    assert pieces > 3
    _forget_process_cache()
    store.cache_path(saved.id).unlink()
    got = store.open_dataset(ANALYST, saved.dataset_id).dataset.incidents
    pd.testing.assert_frame_equal(got, incidents)


def test_the_sample_region_and_non_canonical_tables_are_refused(store, upload):
    with pytest.raises(IlpInputError) as err:
        store.save_dataset(ANALYST, dataclasses.replace(upload, is_sample=True))
    assert err.value.message.key == "store.sample_not_stored"
    broken = dataclasses.replace(upload, incidents=upload.incidents.drop(columns="offence"))
    with pytest.raises(IlpInputError) as err:
        store.save_dataset(ANALYST, broken)
    assert err.value.message.key == "store.not_incidents"
    assert err.value.columns == ("offence",)
    assert store.list_datasets(ANALYST) == []


def test_shares_given_at_load_are_listed(store, upload):
    saved = store.save_dataset(ANALYST, upload, shares=[Share("role", "manager")])
    [info] = store.list_datasets(ANALYST)
    assert info.id == saved.dataset_id and info.shares == (Share("role", "manager"),)
    assert info.owner == "ana" and info.unit == "North"
    days = (info.retention_until - info.created_at).days
    assert days == store.config.retention_days == 365


def test_analyses_run_unchanged_on_an_opened_version(tmp_path):
    """The memory-mapped, read-only frames give the same report as the frames in memory.

    On SQLite only: what is opened does not depend on the database.
    """
    from ilp_core.products import report

    store = open_store(StoreConfig(url=f"sqlite:///{tmp_path}/ilp.sqlite3", data_dir=tmp_path))
    sample = load_sample()
    saved = store.save_dataset(ANALYST, dataclasses.replace(sample, is_sample=False))
    _forget_process_cache()
    opened = store.open_dataset(ANALYST, saved.dataset_id).dataset
    sections = ("data", "where", "when", "allocation")
    want = report.build_report(sample, lang="en", sections=sections)
    got = report.build_report(opened, lang="en", sections=sections)
    tables = list(zip(got.blocks(report.Table), want.blocks(report.Table), strict=True))
    assert len(tables) > 5
    for a, b in tables:
        assert (a.key, a.rows) == (b.key, b.rows)  # every figure the report prints
    texts = [x.text for x in got.blocks(report.Text)]
    assert texts == [x.text for x in want.blocks(report.Text)]
    store.close()
