"""Retention: datasets past their date, deleted ones and expired rooms are removed for good.

:meth:`RetentionMixin.purge` deletes every row of such a dataset (versions, chunks of
incidents and rejects, shares, its records and stored reports) and the Arrow files
of its versions on this machine, and the rooms past their expiry with their members
and answers. For each it writes the fact to the audit trail (``purge``: what, how
large, why), never the data. It is safe to run from several processes at once and
again after an interruption; the app may run it at start and daily, a command line
on a schedule.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ilp_core.errors import IlpInputError
from ilp_core.store import _schema as t
from ilp_core.store._access import Actor, require
from ilp_core.store._datasets import DatasetsMixin


@dataclass(frozen=True)
class PurgeResult:
    """What one purge removed: dataset ids, room ids, and stray Arrow files."""

    datasets: tuple[str, ...]
    rooms: tuple[str, ...]
    cache_files: int


class RetentionMixin(DatasetsMixin):
    """Retention and purging (see :class:`ilp_core.store.Store`)."""

    def purge(self, actor: Actor, now: dt.datetime | None = None) -> PurgeResult:
        """Remove datasets past retention or deleted, and expired rooms (administrators).

        ``now`` (UTC; default: the clock) is the moment compared with each
        dataset's ``retention_until`` and each room's ``expires_at``.
        """
        require(actor, "administer", "store")
        if now is None:
            now = t.now()
        elif not isinstance(now, dt.datetime) or now.tzinfo is None:
            raise IlpInputError("store.bad_time", value=str(now))
        d, r = t.datasets.c, t.rooms.c
        with self._tx(write=False) as conn:
            due = conn.execute(
                sa.select(d.id, d.name, d.deleted_at, d.retention_until)
                .where(sa.or_(d.deleted_at.is_not(None), d.retention_until <= now))
                .order_by(d.created_at)
            ).all()
            rooms = conn.execute(sa.select(r.id, r.code).where(r.expires_at <= now)).all()
        done: list[str] = []
        for row in due:
            with self._tx(write=True) as conn:  # marked first: invisible from now on
                conn.execute(
                    t.datasets.update()
                    .where(d.id == row.id, d.deleted_at.is_(None))
                    .values(deleted_at=now)
                )
            for removed in self._remove_datasets([row.id]):
                reason = "deleted" if row.deleted_at is not None else "retention"
                with self._tx(write=True) as conn:
                    self._audit(
                        conn,
                        actor,
                        "purge",
                        "dataset",
                        row.id,
                        {"name": row.name, "reason": reason, **removed},
                    )
                done.append(row.id)
        for room in rooms:
            with self._tx(write=True) as conn:
                answers = conn.execute(
                    sa.select(sa.func.count()).where(t.room_answers.c.room_id == room.id)
                ).scalar_one()
                members = conn.execute(
                    sa.select(sa.func.count()).where(t.room_members.c.room_id == room.id)
                ).scalar_one()
                conn.execute(t.room_answers.delete().where(t.room_answers.c.room_id == room.id))
                conn.execute(t.room_members.delete().where(t.room_members.c.room_id == room.id))
                conn.execute(t.rooms.delete().where(r.id == room.id))
                self._audit(
                    conn,
                    actor,
                    "purge",
                    "room",
                    room.id,
                    {"code": room.code, "members": int(members), "answers": int(answers)},
                )
        return PurgeResult(
            datasets=tuple(done),
            rooms=tuple(r.id for r in rooms),
            cache_files=self._sweep_cache(),
        )

    def _sweep_cache(self) -> int:
        """Delete Arrow files of versions no longer stored, and files left half-written."""
        folder = self.config.cache_dir
        if not folder.is_dir():
            return 0
        with self._tx(write=False) as conn:
            known = set(conn.execute(sa.select(t.dataset_versions.c.id)).scalars())
        removed = 0
        for path in folder.iterdir():
            # young files are left alone: another process may be writing or have just written
            # the copy of a version committed after the query above
            if _age_seconds(path) < 3600:
                continue
            if path.name.endswith(".partial") or (
                path.suffix == ".arrow" and path.stem not in known
            ):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _age_seconds(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
