"""Fixtures of the workspace store's tests: every test runs on SQLite AND on PostgreSQL.

``postgres`` starts one throw-away server per test session (Debian's binaries; the
session fails, never skips, when they are missing), migrates a template database
once, and each test gets a fresh copy of it (``CREATE DATABASE ... TEMPLATE``, ~50 ms),
dropped afterwards. ``store`` is a migrated :class:`ilp_core.store.Store` on either.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pandas as pd
import pytest
from pg_server import TempPostgres

from ilp_core.data import ingest
from ilp_core.data.dataset import SAMPLE_DIR, Dataset
from ilp_core.store import StoreConfig, open_store

_NUMBERS = itertools.count(1)

# A small export with a row ingest rejects (no offence), a repeat, districts, a window.
UPLOAD_CSV = (
    "Crime ID,Date,Date to,Crime type,Latitude,Longitude,District,Location\n"
    "A1,2024-03-01 08:15,,Robbery,45.47,-30.58,Lighthouse Point,L1\n"
    "A2,2024-03-02 22:40,2024-03-03 06:00,Residential burglary,45.49,-30.55,Cathedral Quarter,L2\n"
    "A3,2024-03-02 22:40,2024-03-03 06:00,Residential burglary,45.49,-30.55,Cathedral Quarter,L2\n"
    'A4,2024-03-05,,=HYPERLINK("x"),,,Cathedral Quarter,\n'
    "A5,2024-03-06 12:00,,,45.48,-30.57,Lighthouse Point,L3\n"
    "A6,2024-04-11 17:05,,Shoplifting,45.46,-30.59,Lighthouse Point,L1\n"
)


@pytest.fixture(scope="session")
def postgres():
    try:
        server = TempPostgres().start()
    except RuntimeError as exc:
        pytest.fail(f"the store's PostgreSQL tests need a server: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(postgres, tmp_path_factory):
    """A database migrated to the newest revision, copied for each test."""
    url = postgres.create_database("ilp_template")
    store = open_store(StoreConfig(url=url, data_dir=tmp_path_factory.mktemp("template")))
    store.close()
    return "ilp_template"


def _sqlite_config(folder: Path) -> StoreConfig:
    return StoreConfig(url=f"sqlite:///{folder / 'ilp.sqlite3'}", data_dir=folder)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_config(request, tmp_path):
    """The configuration of a new, empty store on SQLite or on PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_config(tmp_path)
        return
    postgres = request.getfixturevalue("postgres")
    template = request.getfixturevalue("pg_template")
    name = f"t{next(_NUMBERS)}"
    url = postgres.create_database(name, template=template)
    yield StoreConfig(url=url, data_dir=tmp_path)
    from ilp_core.store import _engine

    _engine.dispose(StoreConfig(url=url, data_dir=tmp_path))
    postgres.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_config(request, tmp_path):
    """The configuration of an empty database (no tables yet) on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_config(tmp_path)
        return
    postgres = request.getfixturevalue("postgres")
    name = f"t{next(_NUMBERS)}"
    config = StoreConfig(url=postgres.create_database(name), data_dir=tmp_path)
    yield config
    from ilp_core.store import _engine

    _engine.dispose(config)
    postgres.drop_database(name)


@pytest.fixture
def store(store_config):
    """A migrated, empty store on SQLite or PostgreSQL."""
    s = open_store(store_config)
    yield s
    s.close()


@pytest.fixture(scope="session")
def upload() -> Dataset:
    """A small loaded export: incidents, rejects, quality report, districts, allocation."""
    districts = ingest.load_boundaries(SAMPLE_DIR / "districts.geojson")
    result = ingest.load_incidents(UPLOAD_CSV.encode(), "upload.csv", districts=districts)
    allocation = pd.read_csv(SAMPLE_DIR / "allocation.csv", dtype={"district": "str"})
    return Dataset(
        name="upload.csv",
        incidents=result.incidents,
        districts=districts,
        allocation=allocation,
        report=result.report,
        rejects=result.rejects,
    )


def upload_mapping() -> ingest.ColumnMapping:
    """The mapping :func:`upload` was loaded with."""
    return ingest.suggest_mapping(UPLOAD_CSV.splitlines()[0].split(","))


def renamed(dataset: Dataset, name: str) -> Dataset:
    """The same data under another name (a second dataset in a test)."""
    return dataclasses.replace(dataset, name=name)
