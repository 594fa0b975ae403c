"""Datasets and their versions: save a load, open a version, list, share, delete.

A version is written in one transaction (its row, every chunk of its Parquet files,
the audit row): until the commit no other session sees any of it, and a process
killed half-way leaves nothing behind. Versions never change once written.

Opening a version reads its incidents once per machine: the first open writes them
as an uncompressed Arrow IPC file under ``<data_dir>/cache``; every later open, in
this or another process, maps that file into memory, so all sessions share one copy
of the pages. Within a process the opened version is kept (a few, least recently
used first out), so a second open returns the very same objects.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ilp_core.data import schema
from ilp_core.data.dataset import Dataset
from ilp_core.data.ingest import ColumnMapping
from ilp_core.errors import IlpInputError
from ilp_core.store import _codec
from ilp_core.store import _schema as t
from ilp_core.store._access import (
    SHARE_KINDS,
    Actor,
    ShareKind,
    owns_or_administers,
    require,
    visible,
)
from ilp_core.store._base import StoreBase, new_id

#: Opened versions kept per process (each maps its incidents; a few cost little memory).
OPENED_PER_PROCESS: Final[int] = 6
_OPENED: OrderedDict[tuple[str, str], StoredDataset] = OrderedDict()
_TABLES: OrderedDict[tuple[str, str], pa.Table] = OrderedDict()
_OPENED_LOCK = threading.Lock()


@dataclass(frozen=True)
class Share:
    """A dataset shared with every holder of a role, every member of a unit, or one user."""

    kind: ShareKind
    value: str

    def __post_init__(self) -> None:
        if self.kind not in SHARE_KINDS:
            raise IlpInputError(
                "store.bad_share", value=str(self.kind), allowed=", ".join(SHARE_KINDS)
            )
        if not isinstance(self.value, str) or not self.value.strip() or len(self.value) > 255:
            raise IlpInputError("store.bad_share_value", value=str(self.value)[:80])


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset as the dataset list shows it (its newest version's figures).

    Attributes
    ----------
    id, name, description
        Identifier, name (the file's, or given), the analyst's description.
    owner, unit
        Who loaded it first, and their unit.
    created_at, retention_until
        First load; the day its data will be deleted (UTC).
    versions, latest_version, rows
        How many loads; the newest's number and incident count.
    shares
        Whom it is shared with besides its owner.
    """

    id: str
    name: str
    description: str
    owner: str
    unit: str | None
    created_at: dt.datetime
    retention_until: dt.datetime
    versions: int
    latest_version: int
    rows: int
    shares: tuple[Share, ...]


@dataclass(frozen=True)
class VersionInfo:
    """One load of a dataset (immutable).

    Attributes
    ----------
    id
        The version's identifier (the key of caches and of its Arrow file).
    dataset_id, number
        Its dataset, and its number there (1, 2, ...).
    name
        The dataset's name at that load.
    created_at, created_by
        When and by whom it was loaded.
    rows, rejects
        Incidents stored, rows rejected at ingest.
    fingerprint
        :attr:`ilp_core.data.dataset.Dataset.fingerprint` of the incidents.
    incidents_bytes
        Size of the stored Parquet file of the incidents.
    """

    id: str
    dataset_id: str
    number: int
    name: str
    created_at: dt.datetime
    created_by: str
    rows: int
    rejects: int
    fingerprint: str
    incidents_bytes: int


@dataclass(frozen=True, eq=False)
class StoredDataset:
    """An opened version: the :class:`~ilp_core.data.dataset.Dataset` and how it was loaded.

    Attributes
    ----------
    version
        The version opened.
    dataset
        Incidents, districts, allocation, quality report and rejects, as loaded.
    mapping
        The column mapping used, or ``None``.
    classification
        The offence classification used (plain JSON values), or ``None``.
    privacy_actions
        What was done to personal columns before storage
        (``privacy.ProtectedFrame.codes``).
    """

    version: VersionInfo
    dataset: Dataset
    mapping: ColumnMapping | None
    classification: Mapping[str, Any] | None
    privacy_actions: tuple[str, ...]


class DatasetsMixin(StoreBase):
    """Datasets and their versions (see :class:`ilp_core.store.Store`)."""

    def save_dataset(
        self,
        actor: Actor,
        dataset: Dataset,
        *,
        dataset_id: str | None = None,
        description: str = "",
        mapping: ColumnMapping | None = None,
        classification: Mapping[str, Any] | None = None,
        privacy_actions: Sequence[str] = (),
        unit: str | None = None,
        shares: Iterable[Share] = (),
        retention_days: int | None = None,
    ) -> VersionInfo:
        """Store a load as a new dataset, or as the next version of ``dataset_id``.

        The incidents are stored as they are (they hold the canonical columns only:
        personal columns of the upload were dropped or pseudonymised before ingest,
        as ``privacy_actions`` records). The dataset's retention is extended to
        ``retention_days`` (the configured default) from now. Audited as ``load``.

        Raises ``store.forbidden`` without the ``load`` permission (or, for a new
        version, when the dataset is not visible to ``actor``).
        """
        require(actor, "load")
        missing = [c for c in schema.INCIDENT_COLUMNS if c not in dataset.incidents.columns]
        if missing:
            raise IlpInputError("store.not_incidents", columns=missing, missing=", ".join(missing))
        if dataset.is_sample:
            raise IlpInputError("store.sample_not_stored")
        name = str(dataset.name).strip()[:500]
        if not name:
            raise IlpInputError("store.name_empty")
        share_list = [s if isinstance(s, Share) else Share(*s) for s in shares]
        days = self.config.retention_days if retention_days is None else retention_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 36_500:
            raise IlpInputError("store.bad_retention", value=str(days))
        # The heavy part, Parquet encoding, runs before the transaction opens.
        table = _codec.to_arrow(dataset.incidents)
        incidents = _codec.parquet_bytes(table)
        rejects = None
        if dataset.rejects is not None:
            rejects = _codec.parquet_bytes(_codec.to_arrow(dataset.rejects))
        now = t.now()
        version_id = new_id()
        row = {
            "id": version_id,
            "created_at": now,
            "created_by": actor.id,
            "name": name,
            "row_count": len(dataset.incidents),
            "reject_count": 0 if dataset.rejects is None else len(dataset.rejects),
            "fingerprint": dataset.fingerprint,
            "incidents_bytes": len(incidents),
            "mapping": None if mapping is None else mapping.to_json(),
            "classification": _classification_json(classification),
            "quality_report": _codec.report_json(dataset.report),
            "privacy_actions": t.dumps([str(a) for a in privacy_actions]),
            "districts": _codec.districts_json(dataset.districts),
            "allocation": _codec.frame_bytes(dataset.allocation),
        }
        try:
            with self._tx(write=True) as conn:
                dataset_id, number = self._new_version_target(
                    conn, actor, dataset_id, name, description, unit, now, days
                )
                conn.execute(
                    t.dataset_versions.insert().values(dataset_id=dataset_id, number=number, **row)
                )
                self._write_chunks(conn, version_id, "incidents", incidents)
                if rejects is not None:
                    self._write_chunks(conn, version_id, "rejects", rejects)
                for share in share_list:
                    self._put_share(conn, actor, dataset_id, share, now)
                self._audit(
                    conn,
                    actor,
                    "load",
                    "dataset",
                    dataset_id,
                    {"version": number, "name": name, "rows": row["row_count"]},
                    at=now,
                )
        except IntegrityError:  # another session added a version at the same moment
            raise IlpInputError("store.conflict_version", name=name) from None
        info = VersionInfo(
            id=version_id,
            dataset_id=dataset_id,
            number=number,
            name=name,
            created_at=now,
            created_by=actor.id,
            rows=row["row_count"],
            rejects=row["reject_count"],
            fingerprint=dataset.fingerprint,
            incidents_bytes=len(incidents),
        )
        # The loading session opens it next: its Arrow copy is written now, from memory.
        self._write_cache(version_id, table)
        return info

    def _new_version_target(
        self,
        conn: Connection,
        actor: Actor,
        dataset_id: str | None,
        name: str,
        description: str,
        unit: str | None,
        now: dt.datetime,
        days: int,
    ) -> tuple[str, int]:
        until = now + dt.timedelta(days=days)
        if dataset_id is None:
            dataset_id = new_id()
            conn.execute(
                t.datasets.insert().values(
                    id=dataset_id,
                    name=name,
                    description=str(description)[:10_000],
                    owner=actor.id,
                    unit=unit if unit is not None else actor.unit,
                    created_at=now,
                    retention_until=until,
                )
            )
            return dataset_id, 1
        current = self._visible_row(conn, actor, dataset_id)
        number = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(t.dataset_versions.c.number), 0)).where(
                t.dataset_versions.c.dataset_id == dataset_id
            )
        ).scalar_one()
        values: dict[str, Any] = {
            "name": name,
            "retention_until": max(until, current.retention_until),
        }
        if description:
            values["description"] = str(description)[:10_000]
        conn.execute(t.datasets.update().where(t.datasets.c.id == dataset_id).values(**values))
        return dataset_id, int(number) + 1

    def _write_chunks(self, conn: Connection, version_id: str, part: str, data: bytes) -> None:
        for seq, piece in enumerate(_codec.chunks(data)):
            conn.execute(
                t.dataset_chunks.insert().values(
                    version_id=version_id, part=part, seq=seq, data=piece
                )
            )

    def _visible_row(self, conn: Connection, actor: Actor, dataset_id: str) -> sa.Row[Any]:
        """The dataset's row; ``store.not_found`` when gone, ``store.forbidden`` when hidden."""
        row = conn.execute(
            sa.select(t.datasets).where(
                t.datasets.c.id == str(dataset_id), t.datasets.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise IlpInputError("store.not_found", object="dataset")
        seen = conn.execute(
            sa.select(t.datasets.c.id).where(t.datasets.c.id == row.id, visible(actor))
        ).first()
        if seen is None:
            raise IlpInputError("store.forbidden", action="open", object="dataset")
        return row

    def list_datasets(self, actor: Actor) -> list[DatasetInfo]:
        """The datasets ``actor`` may see, newest load first (not audited: names only).

        An actor without the ``open`` permission sees none.
        """
        if not actor.may("open"):
            return []
        d, v = t.datasets, t.dataset_versions
        latest = (
            sa.select(
                v.c.dataset_id,
                sa.func.max(v.c.number).label("latest"),
                sa.func.count().label("versions"),
                sa.func.max(v.c.created_at).label("loaded"),
            )
            .group_by(v.c.dataset_id)
            .subquery()
        )
        query = (
            sa.select(d, latest.c.latest, latest.c.versions, latest.c.loaded, v.c.row_count)
            .join(latest, latest.c.dataset_id == d.c.id)
            .join(v, sa.and_(v.c.dataset_id == d.c.id, v.c.number == latest.c.latest))
            .where(visible(actor))
            .order_by(latest.c.loaded.desc(), d.c.name)
        )
        with self._tx(write=False) as conn:
            rows = conn.execute(query).all()
            shares = self._shares(conn, [r.id for r in rows])
        return [
            DatasetInfo(
                id=r.id,
                name=r.name,
                description=r.description,
                owner=r.owner,
                unit=r.unit,
                created_at=r.created_at,
                retention_until=r.retention_until,
                versions=int(r.versions),
                latest_version=int(r.latest),
                rows=int(r.row_count),
                shares=tuple(shares.get(r.id, ())),
            )
            for r in rows
        ]

    def _shares(self, conn: Connection, ids: Sequence[str]) -> dict[str, list[Share]]:
        out: dict[str, list[Share]] = {}
        if not ids:
            return out
        s = t.dataset_shares
        for row in conn.execute(
            sa.select(s.c.dataset_id, s.c.kind, s.c.value)
            .where(s.c.dataset_id.in_(list(ids)))
            .order_by(s.c.kind, s.c.value)
        ):
            out.setdefault(row.dataset_id, []).append(Share(row.kind, row.value))
        return out

    def list_versions(self, actor: Actor, dataset_id: str) -> list[VersionInfo]:
        """Every version of a dataset ``actor`` may see, newest first."""
        require(actor, "open")
        with self._tx(write=False) as conn:
            self._visible_row(conn, actor, dataset_id)
            rows = conn.execute(
                sa.select(t.dataset_versions)
                .where(t.dataset_versions.c.dataset_id == dataset_id)
                .order_by(t.dataset_versions.c.number.desc())
            ).all()
        return [_version_info(r) for r in rows]

    def open_dataset(
        self, actor: Actor, dataset_id: str, version: int | None = None
    ) -> StoredDataset:
        """Open a version of a dataset (the newest by default), audited as ``open``.

        Raises ``store.not_found`` for an unknown or deleted dataset or version and
        ``store.forbidden`` for one not shared with ``actor``. A second open of the
        same version in this process returns the same objects (nothing is read
        again); every open is checked and audited.
        """
        require(actor, "open")
        with self._tx(write=True) as conn:
            self._visible_row(conn, actor, dataset_id)
            query = sa.select(t.dataset_versions).where(
                t.dataset_versions.c.dataset_id == dataset_id
            )
            if version is None:
                query = query.order_by(t.dataset_versions.c.number.desc()).limit(1)
            else:
                query = query.where(t.dataset_versions.c.number == int(version))
            row = conn.execute(query).first()
            if row is None:
                raise IlpInputError("store.not_found", object="version")
            self._audit(conn, actor, "open", "dataset", dataset_id, {"version": row.number})
        key = (self.config.url, row.id)
        with _OPENED_LOCK:
            opened = _OPENED.get(key)
            if opened is not None:
                _OPENED.move_to_end(key)
                return opened
        opened = self._build(row)
        with _OPENED_LOCK:
            _OPENED[key] = opened
            while len(_OPENED) > OPENED_PER_PROCESS:
                _OPENED.popitem(last=False)
        return opened

    def open_table(self, actor: Actor, dataset_id: str, version: int | None = None) -> pa.Table:
        """The incidents of a version as the shared, memory-mapped Arrow table (audited ``open``).

        For readers that filter before they build a frame (DuckDB scans it in place).
        """
        opened = self.open_dataset(actor, dataset_id, version)
        return self._table(opened.version.id)

    def _build(self, row: sa.Row[Any]) -> StoredDataset:
        info = _version_info(row)
        table = self._table(row.id)
        stored_rejects = self._read_part(row.id, "rejects", missing_ok=True)
        rejects = None
        if stored_rejects:
            rejects = _codec.to_pandas(_codec.read_parquet(stored_rejects))
        dataset = Dataset(
            name=row.name,
            incidents=_codec.to_pandas(table),
            districts=_codec.districts_from_json(row.districts),
            allocation=_codec.frame_from_bytes(row.allocation),
            report=_codec.report_from_json(row.quality_report),
            rejects=rejects,
            fingerprint=row.fingerprint,
        )
        return StoredDataset(
            version=info,
            dataset=dataset,
            mapping=None if row.mapping is None else ColumnMapping.from_json(row.mapping),
            classification=None if row.classification is None else json.loads(row.classification),
            privacy_actions=tuple(json.loads(row.privacy_actions)),
        )

    # -- the shared Arrow copy ---------------------------------------------------------

    def cache_path(self, version_id: str) -> Path:
        """The memory-mapped Arrow IPC file of a version's incidents on this machine."""
        return self.config.cache_dir / f"{version_id}.arrow"

    def _table(self, version_id: str) -> pa.Table:
        key = (self.config.url, version_id)
        with _OPENED_LOCK:
            table = _TABLES.get(key)
            if table is not None:
                _TABLES.move_to_end(key)
                return table
        path = self.cache_path(version_id)
        try:
            table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
        except FileNotFoundError:  # the first open on this machine (or the copy was swept)
            self._write_cache(version_id, _codec.read_parquet(self._read_part(version_id)))
            table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
        with _OPENED_LOCK:
            table = _TABLES.setdefault(key, table)
            while len(_TABLES) > OPENED_PER_PROCESS:
                _TABLES.popitem(last=False)
        return table

    def _write_cache(self, version_id: str, table: pa.Table) -> None:
        path = self.cache_path(version_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside, then renamed: a reader never maps a half-written file
        partial = path.with_name(f"{path.name}.{os.getpid()}.{new_id()[:8]}.partial")
        try:
            with pa.OSFile(str(partial), "wb") as sink:
                table = table.combine_chunks()
                with pa.ipc.new_file(sink, table.schema) as writer:
                    writer.write_table(table, max_chunksize=max(len(table), 1))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def _read_part(
        self, version_id: str, part: str = "incidents", *, missing_ok: bool = False
    ) -> bytes:
        c = t.dataset_chunks.c
        with self._tx(write=False) as conn:
            pieces = conn.execute(
                sa.select(c.data).where(c.version_id == version_id, c.part == part).order_by(c.seq)
            ).scalars()
            data = b"".join(bytes(p) for p in pieces)
        if not data and not missing_ok:
            raise IlpInputError("store.not_found", object="version")
        return data

    # -- sharing, retention, deletion ----------------------------------------------------

    def share_dataset(
        self, actor: Actor, dataset_id: str, shares: Iterable[Share], *, replace: bool = False
    ) -> tuple[Share, ...]:
        """Share a dataset with roles, units or users (``replace``: instead of the current ones).

        Only its owner (with the ``share`` permission) or an administrator may.
        Audited as ``share``; returns the shares now in force.
        """
        share_list = [s if isinstance(s, Share) else Share(*s) for s in shares]
        require(actor, "share")
        now = t.now()
        with self._tx(write=True) as conn:
            row = self._visible_row(conn, actor, dataset_id)
            if not owns_or_administers(actor, row.owner):
                raise IlpInputError("store.forbidden", action="share", object="dataset")
            if replace:
                conn.execute(
                    t.dataset_shares.delete().where(t.dataset_shares.c.dataset_id == dataset_id)
                )
            for share in share_list:
                self._put_share(conn, actor, dataset_id, share, now)
            current = tuple(self._shares(conn, [dataset_id]).get(dataset_id, ()))
            self._audit(
                conn,
                actor,
                "share",
                "dataset",
                dataset_id,
                {"shares": [f"{s.kind}:{s.value}" for s in current]},
                at=now,
            )
        return current

    def _put_share(
        self, conn: Connection, actor: Actor, dataset_id: str, share: Share, now: dt.datetime
    ) -> None:
        s = t.dataset_shares.c
        exists = conn.execute(
            sa.select(s.kind).where(
                s.dataset_id == dataset_id, s.kind == share.kind, s.value == share.value
            )
        ).first()
        if exists is None:
            conn.execute(
                t.dataset_shares.insert().values(
                    dataset_id=dataset_id,
                    kind=share.kind,
                    value=share.value,
                    created_at=now,
                    created_by=actor.id,
                )
            )

    def set_retention(self, actor: Actor, dataset_id: str, until: dt.datetime) -> None:
        """Set the day a dataset's data will be deleted (its owner or an administrator).

        Audited as ``retention``.
        """
        if not isinstance(until, dt.datetime) or until.tzinfo is None:
            raise IlpInputError("store.bad_time", value=str(until))
        with self._tx(write=True) as conn:
            row = self._visible_row(conn, actor, dataset_id)
            if not owns_or_administers(actor, row.owner):
                raise IlpInputError("store.forbidden", action="retention", object="dataset")
            conn.execute(
                t.datasets.update()
                .where(t.datasets.c.id == dataset_id)
                .values(retention_until=until)
            )
            self._audit(
                conn, actor, "retention", "dataset", dataset_id, {"until": until.isoformat()}
            )

    def delete_dataset(self, actor: Actor, dataset_id: str) -> None:
        """Delete a dataset: every version, chunk, record and report of it, and its Arrow files.

        Its owner (with the ``delete`` permission) or an administrator may. The audit
        keeps the fact (``delete``, its name and size), not the data.
        """
        require(actor, "delete")
        now = t.now()
        with self._tx(write=True) as conn:
            row = self._visible_row(conn, actor, dataset_id)
            if not owns_or_administers(actor, row.owner):
                raise IlpInputError("store.forbidden", action="delete", object="dataset")
            # first marked, in its own transaction: invisible at once even if the removal
            # below is interrupted (purge finishes it)
            conn.execute(
                t.datasets.update().where(t.datasets.c.id == dataset_id).values(deleted_at=now)
            )
            self._audit(conn, actor, "delete", "dataset", dataset_id, {"name": row.name}, at=now)
        self._remove_datasets([dataset_id])

    def _remove_datasets(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Remove the rows of datasets (cascading to versions, chunks, shares, records)."""
        removed: list[dict[str, Any]] = []
        for dataset_id in ids:
            with self._tx(write=True) as conn:
                versions = [
                    r.id
                    for r in conn.execute(
                        sa.select(t.dataset_versions.c.id).where(
                            t.dataset_versions.c.dataset_id == dataset_id
                        )
                    )
                ]
                rows = conn.execute(
                    sa.select(
                        sa.func.coalesce(sa.func.sum(t.dataset_versions.c.row_count), 0)
                    ).where(t.dataset_versions.c.dataset_id == dataset_id)
                ).scalar_one()
                n_records = conn.execute(
                    sa.select(sa.func.count()).where(t.records.c.dataset_id == dataset_id)
                ).scalar_one()
                # explicit deletes, children first: the same on every database, whatever
                # its foreign-key settings
                if versions:
                    conn.execute(
                        t.dataset_chunks.delete().where(t.dataset_chunks.c.version_id.in_(versions))
                    )
                conn.execute(t.records.delete().where(t.records.c.dataset_id == dataset_id))
                conn.execute(
                    t.dataset_shares.delete().where(t.dataset_shares.c.dataset_id == dataset_id)
                )
                conn.execute(
                    t.dataset_versions.delete().where(t.dataset_versions.c.dataset_id == dataset_id)
                )
                conn.execute(t.datasets.delete().where(t.datasets.c.id == dataset_id))
            for version_id in versions:
                self._drop_cache(version_id)
            removed.append(
                {
                    "id": dataset_id,
                    "versions": len(versions),
                    "rows": int(rows),
                    "records": int(n_records),
                }
            )
        return removed

    def _drop_cache(self, version_id: str) -> None:
        self.cache_path(version_id).unlink(missing_ok=True)
        with _OPENED_LOCK:
            _OPENED.pop((self.config.url, version_id), None)
            _TABLES.pop((self.config.url, version_id), None)


def _classification_json(classification: Mapping[str, Any] | None) -> str | None:
    if classification is None:
        return None
    try:
        return t.dumps(dict(classification))
    except (TypeError, ValueError):
        raise IlpInputError("store.bad_body") from None


def _version_info(row: sa.Row[Any]) -> VersionInfo:
    return VersionInfo(
        id=row.id,
        dataset_id=row.dataset_id,
        number=int(row.number),
        name=row.name,
        created_at=row.created_at,
        created_by=row.created_by,
        rows=int(row.row_count),
        rejects=int(row.reject_count),
        fingerprint=row.fingerprint,
        incidents_bytes=int(row.incidents_bytes),
    )
