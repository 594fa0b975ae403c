"""One database engine per URL per process, short transactions, migrations at open.

SQLite runs in WAL mode (readers never wait for the writer) with foreign keys on
and a busy timeout; a write transaction starts with ``BEGIN IMMEDIATE`` so two
writers queue at its start instead of failing half-way. PostgreSQL gets a
connection pool checked before use (``pool_pre_ping``) and a short connect timeout.
Errors of the connection become one clear :class:`~ilp_core.errors.IlpInputError`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ilp_core.errors import IlpInputError
from ilp_core.store._config import StoreConfig

MIGRATIONS: Final[Path] = Path(__file__).resolve().parent / "migrations"
#: How long a SQLite writer waits for another process's write to finish (the longest
#: write, a 1,000,000-incident version, takes a few seconds).
BUSY_TIMEOUT_SECONDS: Final[int] = 60
#: How long a connection to a database server may take before it is called unreachable.
CONNECT_TIMEOUT_SECONDS: Final[int] = 5
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()
#: Key of PostgreSQL's advisory lock held while migrating (two processes starting
#: together migrate one after the other).
_MIGRATION_LOCK: Final[int] = 0x11F_0016


def engine_for(config: StoreConfig) -> Engine:
    """Return this process's engine for ``config.url`` (created at the first call)."""
    with _LOCK:
        engine = _ENGINES.get(config.url)
        if engine is None:
            engine = _create(config)
            _ENGINES[config.url] = engine
        return engine


def dispose(config: StoreConfig) -> None:
    """Close the pooled connections of ``config.url`` in this process."""
    with _LOCK:
        engine = _ENGINES.pop(config.url, None)
    if engine is not None:
        engine.dispose()


def _create(config: StoreConfig) -> Engine:
    url = make_url(config.url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IlpInputError(
                    "store.unreachable", where=config.where, reason=exc.strerror or str(exc)
                ) from None
        engine = sa.create_engine(
            url, pool_pre_ping=True, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_recycle=1800,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "ilp"},
    )


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Python's sqlite3 would open transactions itself, lazily, at the first write: too
    # late to queue writers. The "begin" listener below opens them instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get("ilp_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def transaction(engine: Engine, where: str, *, write: bool) -> Iterator[Connection]:
    """Run the block in one transaction: committed at its end, rolled back on an error.

    A lost or refused connection raises ``IlpInputError("store.unreachable")``
    naming ``where``; a SQLite database kept busy past the timeout
    ``store.busy``.
    """
    try:
        with engine.connect() as connection:
            if write:
                connection.execution_options(ilp_write=True)
            with connection.begin():
                yield connection
    except (OperationalError, InterfaceError) as exc:
        raise _connection_error(exc, where) from None


def _connection_error(exc: DBAPIError, where: str) -> IlpInputError:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if isinstance(exc.orig, sqlite3.OperationalError) and "locked" in text:
        return IlpInputError("store.busy", where=where)
    first = text.strip().splitlines()[0] if text.strip() else type(exc.orig).__name__
    return IlpInputError("store.unreachable", where=where, reason=first[:200])


def upgrade(engine: Engine, where: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default) with Alembic.

    Nothing happens when it is already there. A database written by a newer version
    of the app (a revision this one does not know) is refused with
    ``store.schema_newer`` rather than changed.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            connection.rollback()
            if current is not None and current not in {
                s.revision for s in scripts.walk_revisions()
            }:
                raise IlpInputError("store.schema_newer", where=where, revision=current)
            if current == (scripts.get_current_head() if revision == "head" else revision):
                return
            if sqlite:  # a table rebuilt by a migration must not cascade-delete its children
                _pragma(connection, "foreign_keys=OFF")
            connection.execution_options(ilp_write=True)
            try:
                with connection.begin():
                    if not sqlite:
                        connection.execute(
                            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                        )
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise RuntimeError("a migration broke a foreign key")
            finally:
                if sqlite:
                    _pragma(connection, "foreign_keys=ON")
    except (OperationalError, InterfaceError) as exc:
        raise _connection_error(exc, where) from None


def _pragma(connection: Connection, setting: str) -> None:
    # outside any transaction (a foreign_keys pragma inside one is silently ignored)
    connection.connection.driver_connection.execute(f"PRAGMA {setting}")
