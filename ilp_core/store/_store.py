"""The :class:`Store`: one object per database, opened once per process."""

from __future__ import annotations

from ilp_core.store import _engine
from ilp_core.store._audit import AuditMixin
from ilp_core.store._config import StoreConfig, config_from_env
from ilp_core.store._records import RecordsMixin
from ilp_core.store._retention import RetentionMixin
from ilp_core.store._rooms import RoomsMixin
from ilp_core.store._users import UsersMixin


class Store(RetentionMixin, RecordsMixin, AuditMixin, UsersMixin, RoomsMixin):
    """The shared workspace: datasets, records, users, rooms and the audit trail.

    Get one with :func:`open_store`. It holds no session's state (only the
    database engine and a cache of opened versions), so one instance serves every
    session of a process and several processes can share one database. Every
    method takes the :class:`~ilp_core.store.Actor` it acts for, checks what that
    actor may do, and audits what the issue's data-protection rules ask to log.
    """

    def close(self) -> None:
        """Close this process's connections to the database (a new open reconnects)."""
        _engine.dispose(self.config)


def open_store(config: StoreConfig | None = None) -> Store:
    """Open (and create or upgrade) the store described by ``config`` or the environment.

    Connects, brings the schema to the newest revision (Alembic, in code; an older
    database is migrated with its data kept), and returns the :class:`Store`.

    Raises
    ------
    IlpInputError
        ``store.unreachable`` naming the database (host and port, or path; never
        the password) when it cannot be reached, so the app can say so and go on
        serving the sample region; ``store.schema_newer`` for a database written
        by a newer version of the app.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ilp_core.store import Actor
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> store = open_store(config_from_env({"ILP_DATA_DIR": str(folder)}))
    >>> store.dialect, store.list_datasets(Actor.local())
    ('sqlite', [])
    >>> store.close()
    """
    config = config_from_env() if config is None else config
    engine = _engine.engine_for(config)
    _engine.upgrade(engine, config.where)
    return Store(config, engine)
