"""Alembic's entry point for the store's migrations (run from ``ilp_core.store``, never by hand).

The store builds Alembic's ``Config`` in code and hands over its open connection in
``config.attributes["connection"]``, so no ``alembic.ini`` is needed at run time.
Developers adding a revision can still use the command line with
``alembic -c ilp_core/store/migrations/alembic.ini revision -m "..."`` (see that file).
"""

from __future__ import annotations

from alembic import context
from alembic.config import Config


def _run(config: Config) -> None:
    from ilp_core.store._schema import metadata

    connection = config.attributes.get("connection")
    if connection is None:  # the command line: connect to sqlalchemy.url of alembic.ini
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.connect() as connection:
            _migrate(connection, metadata)
        return
    _migrate(connection, metadata)


def _migrate(connection: object, metadata: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters a table by copying it
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# pytest imports every module of ilp_core to run its doctests: outside Alembic there is
# no configuration and nothing to run.
_config = getattr(context, "config", None)
if _config is not None:
    _run(_config)
