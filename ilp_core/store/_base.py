"""What every part of the store shares: the engine, transactions and the audit writer.

The audit row of an action is written in the same transaction as the action
itself: a change is never stored without its audit row, and an audit row never
tells of a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final, Literal, get_args

import numpy as np
from sqlalchemy.engine import Connection, Engine

from ilp_core.errors import IlpInputError
from ilp_core.store import _engine
from ilp_core.store import _schema as t
from ilp_core.store._access import Actor
from ilp_core.store._config import StoreConfig

AuditAction = Literal[
    "login",
    "load",
    "open",
    "change",
    "export",
    "delete",
    "share",
    "retention",
    "purge",
    "users",
    "create",
    "join",
    "answer",
]
#: What the audit trail records (``action`` column).
AUDIT_ACTIONS: Final[tuple[str, ...]] = get_args(AuditAction)
ObjectType = Literal["dataset", "record", "user", "room", "audit", "session", "store"]
OBJECT_TYPES: Final[tuple[str, ...]] = get_args(ObjectType)


def new_id() -> str:
    """A new random identifier (32 hex digits): unguessable, unique across processes."""
    return secrets.token_hex(16)


class StoreBase:
    """The engine, the configuration, transactions and the audit writer of a :class:`Store`."""

    def __init__(self, config: StoreConfig, engine: Engine) -> None:
        self.config = config
        self._engine = engine

    @property
    def where(self) -> str:
        """Where the database is, for people (a path, or host:port/name; no password)."""
        return self.config.where

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Connection]:
        with _engine.transaction(self._engine, self.where, write=write) as connection:
            yield connection

    def _audit(
        self,
        conn: Connection,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str = "",
        details: Mapping[str, Any] | None = None,
        *,
        at: dt.datetime | None = None,
    ) -> None:
        if action not in AUDIT_ACTIONS:
            raise IlpInputError(
                "store.bad_audit_action", value=str(action), allowed=", ".join(AUDIT_ACTIONS)
            )
        if object_type not in OBJECT_TYPES:
            raise IlpInputError(
                "store.bad_object_type", value=str(object_type), allowed=", ".join(OBJECT_TYPES)
            )
        conn.execute(
            t.audit.insert().values(
                at=at or t.now(),
                actor=actor.id,
                actor_roles=",".join(sorted(actor.roles)),
                actor_unit=actor.unit,
                action=action,
                object_type=object_type,
                object_id=str(object_id)[:255],
                details=t.dumps(_plain(dict(details or {}))),
            )
        )


def _plain(value: Any) -> Any:
    """JSON-ready copy of ``value``: numpy scalars as Python, dates as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN: JSON has no such number
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
