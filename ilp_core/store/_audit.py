"""The audit trail: who logged in, loaded, opened, changed, exported or deleted what, and when.

Rows are only ever added: the store writes them through :meth:`AuditMixin.audit_event`
and inside its own actions, and database triggers reject any UPDATE or DELETE of
the table (PostgreSQL also TRUNCATE), whoever sends it. Administrators read it
with filters, as a table or as a formula-safe CSV file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from ilp_core.errors import IlpInputError
from ilp_core.products import export
from ilp_core.store import _schema as t
from ilp_core.store._access import Actor, require
from ilp_core.store._base import StoreBase

#: Columns of :meth:`AuditMixin.query_audit`, in order.
AUDIT_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "at",
    "actor",
    "actor_roles",
    "actor_unit",
    "action",
    "object_type",
    "object_id",
    "details",
)
#: Most rows one query returns (the newest first); narrow the filters for older ones.
MAX_AUDIT_ROWS: Final[int] = 100_000


class AuditMixin(StoreBase):
    """The audit trail (see :class:`ilp_core.store.Store`)."""

    def audit_event(
        self,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Add one row to the audit trail, for what happens outside the store.

        The app calls it for a login without a store action, and for every download
        (``export`` of a dataset, a product or a report); the store audits its own
        actions itself. ``action`` is one of ``AUDIT_ACTIONS``, ``object_type`` one of
        ``OBJECT_TYPES``; ``details`` are small JSON values (no data).
        """
        with self._tx(write=True) as conn:
            self._audit(conn, actor, action, object_type, object_id, details)

    def query_audit(
        self,
        actor: Actor,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        actor_id: str | None = None,
        action: str | None = None,
        object_type: str | None = None,
        object_id: str | None = None,
        limit: int = MAX_AUDIT_ROWS,
    ) -> pd.DataFrame:
        """The audit rows matching every filter given, newest first (administrators only).

        Returns a frame with :data:`AUDIT_COLUMNS`; ``at`` in UTC, ``details`` as
        JSON text. ``since`` is inclusive, ``until`` exclusive.
        """
        require(actor, "administer", "audit")
        a = t.audit.c
        query = sa.select(*[a[c] for c in AUDIT_COLUMNS])
        for value, column in (
            (actor_id, a.actor),
            (action, a.action),
            (object_type, a.object_type),
            (object_id, a.object_id),
        ):
            if value:
                query = query.where(column == str(value))
        for value, name in ((since, "since"), (until, "until")):
            if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
                raise IlpInputError("store.bad_time", value=f"{name}={value}")
        if since is not None:
            query = query.where(a.at >= since)
        if until is not None:
            query = query.where(a.at < until)
        limit = max(1, min(int(limit), MAX_AUDIT_ROWS))
        with self._tx(write=False) as conn:
            rows = conn.execute(query.order_by(a.id.desc()).limit(limit)).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(AUDIT_COLUMNS))
        frame["id"] = frame["id"].astype("int64")
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        for column in AUDIT_COLUMNS[2:]:
            frame[column] = frame[column].astype("str").where(frame[column].notna())
        return frame

    def audit_csv(self, actor: Actor, **filters: Any) -> bytes:
        """The filtered audit trail as CSV (UTF-8, formula-safe), itself audited as ``export``."""
        frame = self.query_audit(actor, **filters)
        out = frame.assign(at=frame["at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.audit_event(
            actor,
            "export",
            "audit",
            "",
            {
                "rows": len(out),
                "filters": json.loads(t.dumps({k: str(v) for k, v in filters.items()})),
            },
        )
        return export.csv_bytes(out)
