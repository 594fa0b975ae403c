"""Workshop rooms: a trainer opens a room with a short code; participants join without an account.

A participant joining gets a random token (kept by their browser session; the store
keeps only its SHA-256), sends answers step by step while the trainer has the step
open, and the trainer's projector view reads every answer of the room. Rooms expire
after a number of days; :meth:`RetentionMixin.purge` then deletes them, answers
included, and the audit keeps the fact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ilp_core import i18n
from ilp_core.errors import IlpInputError
from ilp_core.store import _schema as t
from ilp_core.store._access import Actor, owns_or_administers, require
from ilp_core.store._base import StoreBase, new_id

#: Letters of a room code: no 0/O, 1/I/L that read alike on a projector.
CODE_ALPHABET: Final[str] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final[int] = 6
#: Days a room lives by default (a two-day seminar).
ROOM_DAYS: Final[int] = 2


@dataclass(frozen=True)
class Room:
    """A workshop room: its code, trainer, language, steps and which are open."""

    id: str
    code: str
    trainer: str
    language: str
    steps: tuple[str, ...]
    open_steps: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime


class RoomsMixin(StoreBase):
    """Workshop rooms (see :class:`ilp_core.store.Store`)."""

    def create_room(
        self, actor: Actor, *, language: str, steps: Sequence[str], days: int = ROOM_DAYS
    ) -> Room:
        """Open a room for a workshop (``run_rooms`` permission), audited as ``create``."""
        require(actor, "run_rooms", "room")
        if language not in i18n.LANGUAGES:
            raise IlpInputError("store.bad_language", value=str(language))
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            raise IlpInputError("store.bad_room_days", value=str(days))
        now = t.now()
        for _ in range(20):  # a clash of two random codes is rare: draw again
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            room_id = new_id()
            try:
                with self._tx(write=True) as conn:
                    conn.execute(
                        t.rooms.insert().values(
                            id=room_id,
                            code=code,
                            trainer=actor.id,
                            language=language,
                            steps=t.dumps([str(s) for s in steps]),
                            open_steps="[]",
                            created_at=now,
                            expires_at=now + dt.timedelta(days=days),
                        )
                    )
                    self._audit(conn, actor, "create", "room", room_id, {"code": code}, at=now)
                    return _room(self._room_row(conn, code))
            except IntegrityError:
                continue
        raise IlpInputError("store.busy", where=self.where)  # pragma: no cover

    def open_steps(self, actor: Actor, code: str, steps: Sequence[str]) -> Room:
        """Set which steps participants may answer now (the room's trainer or an administrator)."""
        with self._tx(write=True) as conn:
            row = self._room_row(conn, code)
            if not owns_or_administers(actor, row.trainer):
                raise IlpInputError("store.forbidden", action="run_rooms", object="room")
            unknown = [s for s in steps if s not in json.loads(row.steps)]
            if unknown:
                raise IlpInputError("store.bad_step", value=", ".join(map(str, unknown)))
            conn.execute(
                t.rooms.update()
                .where(t.rooms.c.id == row.id)
                .values(open_steps=t.dumps(list(steps)))
            )
            return _room(self._room_row(conn, code))

    def join_room(self, code: str, name: str = "") -> tuple[Actor, str]:
        """Join a room without an account: the participant's :class:`Actor` and secret token.

        The caller keeps the token (the browser session) to act again as the same
        participant with :meth:`participant`. Audited as ``join``.
        """
        token = secrets.token_urlsafe(24)
        member_id = new_id()
        now = t.now()
        with self._tx(write=True) as conn:
            row = self._room_row(conn, code)
            conn.execute(
                t.room_members.insert().values(
                    id=member_id,
                    room_id=row.id,
                    token_hash=_hash(token),
                    name=str(name).strip()[:100],
                    joined_at=now,
                )
            )
            actor = _participant(member_id)
            self._audit(conn, actor, "join", "room", row.id, {"code": row.code}, at=now)
        return actor, token

    def participant(self, code: str, token: str) -> Actor:
        """The participant of a room who holds ``token`` (``store.not_found`` otherwise)."""
        m = t.room_members.c
        with self._tx(write=False) as conn:
            room = self._room_row(conn, code)
            row = conn.execute(
                sa.select(m.id).where(m.room_id == room.id, m.token_hash == _hash(str(token)))
            ).first()
        if row is None:
            raise IlpInputError("store.not_found", object="participant")
        return _participant(row.id)

    def save_answer(self, actor: Actor, code: str, step: str, body: Mapping[str, Any]) -> None:
        """A participant's answers to one open step (replacing earlier ones), audited ``answer``."""
        member_id = actor.id.removeprefix("participant:")
        if actor.kind != "participant":
            raise IlpInputError("store.forbidden", action="answer", object="room")
        text = t.dumps(dict(body))
        a = t.room_answers.c
        now = t.now()
        with self._tx(write=True) as conn:
            room = self._room_row(conn, code)
            member = conn.execute(
                sa.select(t.room_members.c.id).where(
                    t.room_members.c.id == member_id, t.room_members.c.room_id == room.id
                )
            ).first()
            if member is None:
                raise IlpInputError("store.not_found", object="participant")
            if step not in json.loads(room.open_steps):
                raise IlpInputError("store.step_closed", step=str(step))
            done = conn.execute(
                t.room_answers.update()
                .where(a.member_id == member_id, a.step == step)
                .values(body=text, updated_at=now)
            )
            if done.rowcount == 0:
                conn.execute(
                    t.room_answers.insert().values(
                        member_id=member_id, step=step, room_id=room.id, body=text, updated_at=now
                    )
                )
            self._audit(conn, actor, "answer", "room", room.id, {"step": step}, at=now)

    def room_answers(self, actor: Actor, code: str) -> pd.DataFrame:
        """Every answer in the room (its trainer or an administrator): for the projector view.

        Columns ``participant`` (member id), ``name``, ``step``, ``answers`` (dict),
        ``updated_at``. Not audited (read every few seconds while the room runs).
        """
        a, m = t.room_answers.c, t.room_members.c
        with self._tx(write=False) as conn:
            room = self._room_row(conn, code)
            if not owns_or_administers(actor, room.trainer):
                raise IlpInputError("store.forbidden", action="run_rooms", object="room")
            rows = conn.execute(
                sa.select(a.member_id, m.name, a.step, a.body, a.updated_at)
                .join(t.room_members, m.id == a.member_id)
                .where(a.room_id == room.id)
                .order_by(a.step, a.updated_at)
            ).all()
        return pd.DataFrame(
            [(r.member_id, r.name, r.step, json.loads(r.body), r.updated_at) for r in rows],
            columns=["participant", "name", "step", "answers", "updated_at"],
        )

    def room(self, code: str) -> Room:
        """The room with ``code`` (anyone holding the code may see its steps)."""
        with self._tx(write=False) as conn:
            return _room(self._room_row(conn, code))

    def _room_row(self, conn: Connection, code: str) -> sa.Row[Any]:
        row = conn.execute(
            sa.select(t.rooms).where(t.rooms.c.code == str(code).strip().upper())
        ).first()
        if row is None or row.expires_at <= t.now():
            raise IlpInputError("store.room_not_found", code=str(code)[:16])
        return row


def _participant(member_id: str) -> Actor:
    return Actor(f"participant:{member_id}", roles=frozenset({"participant"}), kind="participant")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _room(row: sa.Row[Any]) -> Room:
    return Room(
        id=row.id,
        code=row.code,
        trainer=row.trainer,
        language=row.language,
        steps=tuple(json.loads(row.steps)),
        open_steps=tuple(json.loads(row.open_steps)),
        created_at=row.created_at,
        expires_at=row.expires_at,
    )
