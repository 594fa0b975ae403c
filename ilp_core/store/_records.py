"""Saved work: assessments, the intelligence log, products, scenarios, reports and drafts.

A record is one piece of work with a kind (``intel_log``, ``assessment``...), an
optional dataset it belongs to and a name; one record exists per (kind, dataset,
name), shared by everyone who may open the dataset, while a ``draft`` (and any
record without a dataset) belongs to its owner alone. Its body is JSON, or bytes
for a generated report.

Concurrent edits never overwrite each other silently: each save names the version
it started from (``expected_version``; 0 for a new record), and a save from a
stale version raises ``store.conflict`` saying who changed the record and when.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ilp_core.errors import IlpInputError
from ilp_core.store import _schema as t
from ilp_core.store._access import Actor, policy, require, visible
from ilp_core.store._base import StoreBase, new_id

#: Records that belong to their owner alone and are not audited (unsaved edits).
DRAFT: Final[str] = "draft"
#: Largest record body, in bytes (a report PDF or a long log fits many times over).
MAX_BODY_BYTES: Final[int] = 64 * 1024 * 1024


@dataclass(frozen=True)
class RecordInfo:
    """A record without its body (as lists show it).

    Attributes
    ----------
    id, kind, dataset_id, name
        Identifier; kind (``roles.yaml``'s ``record_kinds``); dataset or ``None``;
        name (``""`` for the one record of a kind per dataset).
    owner
        Who created it (a draft or a record without dataset is theirs alone).
    version
        Increases by one at every save: pass it back as ``expected_version``.
    created_at, created_by, updated_at, updated_by
        First and last save.
    """

    id: str
    kind: str
    dataset_id: str | None
    name: str
    owner: str
    version: int
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


@dataclass(frozen=True)
class Record:
    """A record with its body: ``body`` (JSON values) or ``data`` (bytes), the other ``None``."""

    info: RecordInfo
    body: Any
    data: bytes | None


class RecordsMixin(StoreBase):
    """Records and drafts (see :class:`ilp_core.store.Store`)."""

    def save_record(
        self,
        actor: Actor,
        kind: str,
        *,
        body: Any = None,
        data: bytes | None = None,
        dataset_id: str | None = None,
        name: str = "",
        expected_version: int | None = 0,
    ) -> RecordInfo:
        """Create or change the record (``kind``, ``dataset_id``, ``name``).

        Parameters
        ----------
        actor
            Needs the permission of ``kind`` (``roles.yaml``) and, with a dataset,
            to see that dataset.
        kind
            One of ``roles.yaml``'s ``record_kinds``.
        body, data
            JSON values, or bytes (a report file); exactly one of them.
        dataset_id, name
            Which record: one per kind, dataset and name.
        expected_version
            The version the edit started from: 0 for a new record, ``record.version``
            for a change. ``None`` overwrites whatever is stored (drafts).

        Returns
        -------
        RecordInfo
            The record as saved (its new ``version``). Audited as ``change``
            (drafts are not).

        Raises
        ------
        IlpInputError
            ``store.conflict`` when someone saved it since ``expected_version``
            (or created it first), naming who and when.
        """
        text, payload = _payload(body, data)
        private = _private(kind, dataset_id)
        name = _name(name)
        now = t.now()
        r = t.records.c
        with self._tx(write=True) as conn:
            self._check_record_access(conn, actor, kind, dataset_id, write=True)
            scope = _scope(kind, dataset_id, actor.id if private else None, name)
            current = conn.execute(sa.select(t.records).where(r.scope == scope)).first()
            if current is None:
                if expected_version not in (0, None):
                    raise IlpInputError("store.record_gone", kind=kind)
                record_id, version = new_id(), 1
                try:
                    with conn.begin_nested():
                        conn.execute(
                            t.records.insert().values(
                                id=record_id,
                                kind=kind,
                                dataset_id=dataset_id,
                                owner=actor.id,
                                name=name,
                                scope=scope,
                                body=text,
                                data=payload,
                                version=1,
                                created_at=now,
                                created_by=actor.id,
                                updated_at=now,
                                updated_by=actor.id,
                            )
                        )
                except IntegrityError:  # created by another session since we looked
                    raise self._conflict(conn, scope) from None
                created = (now, actor.id)
            else:
                record_id, version = current.id, current.version + 1
                condition = r.id == current.id
                if expected_version is not None:
                    condition = sa.and_(condition, r.version == int(expected_version))
                done = conn.execute(
                    t.records.update()
                    .where(condition)
                    .values(
                        body=text,
                        data=payload,
                        version=r.version + 1,
                        updated_at=now,
                        updated_by=actor.id,
                    )
                )
                if done.rowcount != 1:
                    raise self._conflict(conn, scope)
                if expected_version is None:  # re-read: another writer may have gone first
                    version = conn.execute(
                        sa.select(r.version).where(r.id == record_id)
                    ).scalar_one()
                created = (current.created_at, current.created_by)
            if kind != DRAFT:
                self._audit(
                    conn,
                    actor,
                    "change",
                    "record",
                    record_id,
                    {"kind": kind, "dataset": dataset_id, "name": name, "version": version},
                    at=now,
                )
        return RecordInfo(
            id=record_id,
            kind=kind,
            dataset_id=dataset_id,
            name=name,
            owner=actor.id if current is None else current.owner,
            version=version,
            created_at=created[0],
            created_by=created[1],
            updated_at=now,
            updated_by=actor.id,
        )

    def _conflict(self, conn: Connection, scope: str) -> IlpInputError:
        row = conn.execute(
            sa.select(t.records.c.updated_by, t.records.c.updated_at, t.records.c.kind).where(
                t.records.c.scope == scope
            )
        ).first()
        if row is None:
            return IlpInputError("store.record_gone", kind=scope.split("|", 1)[0])
        user = conn.execute(sa.select(t.users.c.name).where(t.users.c.id == row.updated_by)).first()
        who = user.name if user is not None and user.name else row.updated_by
        when = row.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return IlpInputError("store.conflict", kind=row.kind, who=who, when=when)

    def _check_record_access(
        self, conn: Connection, actor: Actor, kind: str, dataset_id: str | None, *, write: bool
    ) -> None:
        kinds = policy().record_kinds
        if kind not in kinds:
            raise IlpInputError("store.bad_kind", value=str(kind), allowed=", ".join(kinds))
        require(actor, kinds[kind] if write else "open", "record")
        if dataset_id is not None:
            self._dataset_visible(conn, actor, dataset_id)

    def _dataset_visible(self, conn: Connection, actor: Actor, dataset_id: str) -> None:
        row = conn.execute(
            sa.select(t.datasets.c.id, visible(actor).label("seen")).where(
                t.datasets.c.id == str(dataset_id), t.datasets.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise IlpInputError("store.not_found", object="dataset")
        if not row.seen:
            raise IlpInputError("store.forbidden", action="open", object="dataset")

    def get_record(
        self, actor: Actor, kind: str, *, dataset_id: str | None = None, name: str = ""
    ) -> Record | None:
        """The record (``kind``, ``dataset_id``, ``name``) with its body, or ``None``.

        A draft is the actor's own. Audited as ``open`` (drafts are not).
        """
        name = _name(name)
        private = _private(kind, dataset_id)
        with self._tx(write=kind != DRAFT) as conn:
            self._check_record_access(conn, actor, kind, dataset_id, write=False)
            scope = _scope(kind, dataset_id, actor.id if private else None, name)
            row = conn.execute(sa.select(t.records).where(t.records.c.scope == scope)).first()
            if row is not None and kind != DRAFT:
                self._audit(
                    conn,
                    actor,
                    "open",
                    "record",
                    row.id,
                    {"kind": kind, "dataset": dataset_id, "name": name, "version": row.version},
                )
        return None if row is None else _record(row)

    def list_records(
        self, actor: Actor, *, kind: str | None = None, dataset_id: str | None = None
    ) -> list[RecordInfo]:
        """Records ``actor`` may read (of a kind, of a dataset), newest change first.

        Shared records of the datasets the actor sees, and the actor's own private
        ones (an administrator sees every shared record). Not audited (names only).
        """
        r = t.records.c
        mine = sa.and_(r.owner == actor.id, sa.or_(r.kind == DRAFT, r.dataset_id.is_(None)))
        shared = sa.and_(
            r.kind != DRAFT,
            r.dataset_id.in_(sa.select(t.datasets.c.id).where(visible(actor))),
        )
        query = sa.select(*[c for c in t.records.c if c.name not in ("body", "data", "scope")])
        query = query.where(sa.or_(mine, shared) if actor.may("open") else mine)
        if kind is not None:
            query = query.where(r.kind == kind)
        if dataset_id is not None:
            query = query.where(r.dataset_id == dataset_id)
        with self._tx(write=False) as conn:
            rows = conn.execute(query.order_by(r.updated_at.desc())).all()
        return [_info(row) for row in rows]

    def delete_record(self, actor: Actor, record_id: str, expected_version: int | None) -> None:
        """Delete a record (with the permission of its kind; a private one: its owner).

        ``expected_version`` as in :meth:`save_record`. Audited as ``delete``
        (drafts are not).
        """
        with self._tx(write=True) as conn:
            row = conn.execute(sa.select(t.records).where(t.records.c.id == str(record_id))).first()
            if row is None:
                raise IlpInputError("store.not_found", object="record")
            self._check_record_access(conn, actor, row.kind, row.dataset_id, write=True)
            if _private(row.kind, row.dataset_id) and row.owner != actor.id:
                raise IlpInputError("store.forbidden", action="delete", object="record")
            condition = t.records.c.id == row.id
            if expected_version is not None:
                condition = sa.and_(condition, t.records.c.version == int(expected_version))
            if conn.execute(t.records.delete().where(condition)).rowcount != 1:
                raise self._conflict(conn, row.scope)
            if row.kind != DRAFT:
                self._audit(
                    conn,
                    actor,
                    "delete",
                    "record",
                    row.id,
                    {"kind": row.kind, "dataset": row.dataset_id, "name": row.name},
                )

    # -- drafts: unsaved edits that survive a reload, a restart, another browser -----------

    def save_draft(self, actor: Actor, body: Any, *, dataset_id: str | None, name: str) -> None:
        """Keep ``actor``'s unsaved edit of ``name`` (a page, a table) on a dataset."""
        self.save_record(
            actor, DRAFT, body=body, dataset_id=dataset_id, name=name, expected_version=None
        )

    def load_draft(self, actor: Actor, *, dataset_id: str | None, name: str) -> Any:
        """``actor``'s draft of ``name`` on the dataset, or ``None``."""
        found = self.get_record(actor, DRAFT, dataset_id=dataset_id, name=name)
        return None if found is None else found.body

    def discard_draft(self, actor: Actor, *, dataset_id: str | None, name: str) -> None:
        """Forget ``actor``'s draft (after a save); nothing happens when there is none."""
        scope = _scope(DRAFT, dataset_id, actor.id, _name(name))
        with self._tx(write=True) as conn:
            conn.execute(t.records.delete().where(t.records.c.scope == scope))


def table_body(frame: pd.DataFrame) -> dict[str, Any]:
    """A product table (intelligence log, requirements...) as a JSON record body.

    Dates become ``YYYY-MM-DD`` text and missing values ``null``, as in a saved
    workspace; :func:`body_table` reads it back.

    Examples
    --------
    >>> body = table_body(pd.DataFrame({"item": ["a"], "due": [pd.Timestamp("2024-05-01")]}))
    >>> body
    {'columns': ['item', 'due'], 'rows': [['a', '2024-05-01']]}
    >>> body_table(body).to_dict(orient="records")
    [{'item': 'a', 'due': '2024-05-01'}]
    """
    rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def body_table(body: Any) -> pd.DataFrame:
    """Inverse of :func:`table_body` (values as JSON keeps them: text, numbers, ``None``)."""
    if not isinstance(body, dict) or "columns" not in body or "rows" not in body:
        raise IlpInputError("store.bad_body")
    return pd.DataFrame(body["rows"], columns=body["columns"])


def _plain(value: Any) -> Any:
    if value is pd.NaT:  # a datetime too, to isinstance
        return None
    if isinstance(value, dt.datetime):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if pd.isna(value):
        return None
    return str(value)


def _payload(body: Any, data: bytes | None) -> tuple[str | None, bytes | None]:
    if (body is None) == (data is None):
        raise IlpInputError("store.bad_body")
    if data is not None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise IlpInputError("store.bad_body")
        payload = bytes(data)
        if len(payload) > MAX_BODY_BYTES:
            raise IlpInputError("store.body_too_large", mb=MAX_BODY_BYTES // 2**20)
        return None, payload
    try:
        text = t.dumps(body)
    except (TypeError, ValueError):
        raise IlpInputError("store.bad_body") from None
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise IlpInputError("store.body_too_large", mb=MAX_BODY_BYTES // 2**20)
    return text, None


def _name(name: str) -> str:
    if not isinstance(name, str) or len(name) > 255 or "|" in name:
        raise IlpInputError("store.bad_record_name", value=str(name)[:80])
    return name.strip()


def _private(kind: str, dataset_id: str | None) -> bool:
    return kind == DRAFT or dataset_id is None


def _scope(kind: str, dataset_id: str | None, owner: str | None, name: str) -> str:
    return f"{kind}|{dataset_id or '-'}|{owner or '*'}|{name}"


def _info(row: sa.Row[Any]) -> RecordInfo:
    return RecordInfo(
        id=row.id,
        kind=row.kind,
        dataset_id=row.dataset_id,
        name=row.name,
        owner=row.owner,
        version=int(row.version),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _record(row: sa.Row[Any]) -> Record:
    body = None if row.body is None else json.loads(row.body)
    return Record(info=_info(row), body=body, data=None if row.data is None else bytes(row.data))
