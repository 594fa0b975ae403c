"""Workshop rooms: a trainer opens a room with a short code; participants join without an account.

A participant joining gets a random token (kept in their browser's address, so a
reload finds them again with :meth:`RoomsMixin.rejoin`; the store keeps only its
SHA-256), sends answers step by step while the trainer has the step open, and the
trainer's projector view reads every answer of the room. No nickname is ever read
back beside an answer unless its author chose to show it (``show_name``): the
trainer's view cannot reveal who said what. The trainer opens and closes steps,
reveals a step's scored answer, resets a step (its answers deleted, a new round),
and closes and deletes the room (the fact kept in the audit, not the answers).
Rooms expire after ``ILP_ROOM_DAYS`` days (2); :meth:`RetentionMixin.purge` then
deletes them, answers included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from ilp_core.store._config import DEFAULT_ROOM_DAYS

#: Letters of a room code: no 0/O, 1/I/L that read alike on a projector.
CODE_ALPHABET: Final[str] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final[int] = 6
#: Days a room lives when the configuration says nothing (a two-day seminar).
ROOM_DAYS: Final[int] = DEFAULT_ROOM_DAYS
#: Longest room name and nickname kept (characters).
NAME_LENGTH: Final[int] = 100
#: Columns of :meth:`RoomsMixin.room_answers`.
ANSWER_COLUMNS: Final[tuple[str, ...]] = (
    "participant",
    "nickname",
    "step",
    "answers",
    "updated_at",
)


@dataclass(frozen=True)
class Room:
    """A workshop room: its code, name, trainer, language, steps and their state.

    Attributes
    ----------
    open_steps
        Steps participants may answer now.
    revealed_steps
        Steps whose scored answer the projector shows.
    rounds
        Per step, how many times the trainer reset it (0 when never).
    """

    id: str
    code: str
    trainer: str
    language: str
    steps: tuple[str, ...]
    open_steps: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    name: str = ""
    revealed_steps: tuple[str, ...] = ()
    rounds: Mapping[str, int] = field(default_factory=dict)

    def round_of(self, step: str) -> int:
        """How many times ``step`` was reset (a participant's form starts blank each round)."""
        return int(self.rounds.get(step, 0))


@dataclass(frozen=True)
class Membership:
    """A participant found again from their token: who, under which nickname, and their answers.

    ``answers`` maps each step answered to its answers; ``show_name`` says, per step,
    whether the participant chose to show their nickname beside it.
    """

    actor: Actor
    name: str
    answers: Mapping[str, Mapping[str, Any]]
    show_name: Mapping[str, bool]


class RoomsMixin(StoreBase):
    """Workshop rooms (see :class:`ilp_core.store.Store`)."""

    def create_room(
        self,
        actor: Actor,
        *,
        language: str,
        steps: Sequence[str],
        name: str = "",
        days: int | None = None,
    ) -> Room:
        """Open a room for a workshop (``run_rooms`` permission), audited as ``create``.

        ``days`` (1-365) defaults to the configuration's ``room_days`` (``ILP_ROOM_DAYS``).
        """
        require(actor, "run_rooms", "room")
        if language not in i18n.LANGUAGES:
            raise IlpInputError("store.bad_language", value=str(language))
        days = self.config.room_days if days is None else days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            raise IlpInputError("store.bad_room_days", value=str(days))
        steps = [str(s) for s in steps]
        if not steps or len(set(steps)) != len(steps) or any(len(s) > 64 for s in steps):
            raise IlpInputError("store.bad_room_steps", value=", ".join(steps)[:200])
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
                            name=str(name).strip()[:NAME_LENGTH],
                            trainer=actor.id,
                            language=language,
                            steps=t.dumps(steps),
                            open_steps="[]",
                            revealed_steps="[]",
                            rounds="{}",
                            created_at=now,
                            expires_at=now + dt.timedelta(days=days),
                        )
                    )
                    self._audit(conn, actor, "create", "room", room_id, {"code": code}, at=now)
                    return _room(self._room_row(conn, code))
            except IntegrityError:
                continue
        raise IlpInputError("store.busy", where=self.where)  # pragma: no cover

    def trainer_rooms(self, actor: Actor) -> list[Room]:
        """The rooms ``actor`` runs that have not expired, newest first."""
        r = t.rooms.c
        with self._tx(write=False) as conn:
            rows = conn.execute(
                sa.select(t.rooms)
                .where(r.trainer == actor.id, r.expires_at > t.now())
                .order_by(r.created_at.desc())
            ).all()
        return [_room(row) for row in rows]

    def open_steps(self, actor: Actor, code: str, steps: Sequence[str]) -> Room:
        """Set which steps participants may answer now (the room's trainer or an administrator)."""
        return self._set_steps(actor, code, "open_steps", steps)

    def reveal_steps(self, actor: Actor, code: str, steps: Sequence[str]) -> Room:
        """Set the steps whose scored answer the projector shows (the trainer, audited)."""
        return self._set_steps(actor, code, "revealed_steps", steps)

    def _set_steps(self, actor: Actor, code: str, column: str, steps: Sequence[str]) -> Room:
        steps = [str(s) for s in steps]
        with self._tx(write=True) as conn:
            row = self._trainers_room(conn, actor, code)
            known = json.loads(row.steps)
            unknown = [s for s in steps if s not in known]
            if unknown:
                raise IlpInputError("store.bad_step", value=", ".join(unknown)[:200])
            ordered = [s for s in known if s in steps]
            conn.execute(
                t.rooms.update().where(t.rooms.c.id == row.id).values({column: t.dumps(ordered)})
            )
            self._audit(conn, actor, "change", "room", row.id, {column: ordered})
            return _room(self._room_row(conn, code))

    def reset_step(self, actor: Actor, code: str, step: str) -> Room:
        """Delete every answer to ``step`` and start a new round of it (the trainer, audited)."""
        with self._tx(write=True) as conn:
            row = self._trainers_room(conn, actor, code)
            if step not in json.loads(row.steps):
                raise IlpInputError("store.bad_step", value=str(step)[:64])
            a = t.room_answers.c
            gone = conn.execute(
                t.room_answers.delete().where(a.room_id == row.id, a.step == step)
            ).rowcount
            rounds = json.loads(row.rounds)
            rounds[step] = int(rounds.get(step, 0)) + 1
            conn.execute(
                t.rooms.update().where(t.rooms.c.id == row.id).values(rounds=t.dumps(rounds))
            )
            self._audit(conn, actor, "change", "room", row.id, {"reset": step, "answers": gone})
            return _room(self._room_row(conn, code))

    def delete_room(self, actor: Actor, code: str) -> None:
        """Close the room and delete it with its members and answers; the audit keeps the fact."""
        with self._tx(write=True) as conn:
            row = self._trainers_room(conn, actor, code)
            answers = conn.execute(
                t.room_answers.delete().where(t.room_answers.c.room_id == row.id)
            ).rowcount
            members = conn.execute(
                t.room_members.delete().where(t.room_members.c.room_id == row.id)
            ).rowcount
            conn.execute(t.rooms.delete().where(t.rooms.c.id == row.id))
            self._audit(
                conn,
                actor,
                "delete",
                "room",
                row.id,
                {"code": row.code, "members": members, "answers": answers},
            )

    def join_room(self, code: str, name: str = "") -> tuple[Actor, str]:
        """Join a room without an account: the participant's :class:`Actor` and secret token.

        The caller keeps the token (the address of the participant's page) to act
        again as the same participant with :meth:`rejoin`. Audited as ``join``
        (never with the nickname).
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
                    name=str(name).strip()[:NAME_LENGTH],
                    joined_at=now,
                )
            )
            actor = _participant(member_id)
            self._audit(conn, actor, "join", "room", row.id, {"code": row.code}, at=now)
        return actor, token

    def participant(self, code: str, token: str) -> Actor:
        """The participant of a room who holds ``token`` (``store.not_found`` otherwise)."""
        return self.rejoin(code, token).actor

    def rejoin(self, code: str, token: str) -> Membership:
        """The participant holding ``token``, their nickname and their answers so far.

        Raises ``store.room_not_found`` for an unknown or expired room and
        ``store.not_found`` for a token of no member of this room.
        """
        m, a = t.room_members.c, t.room_answers.c
        with self._tx(write=False) as conn:
            room = self._room_row(conn, code)
            row = conn.execute(
                sa.select(m.id, m.name).where(
                    m.room_id == room.id, m.token_hash == _hash(str(token))
                )
            ).first()
            if row is None:
                raise IlpInputError("store.not_found", object="participant")
            answers = conn.execute(
                sa.select(a.step, a.body, a.show_name).where(a.member_id == row.id)
            ).all()
        return Membership(
            actor=_participant(row.id),
            name=row.name,
            answers={r.step: json.loads(r.body) for r in answers},
            show_name={r.step: bool(r.show_name) for r in answers},
        )

    def save_answer(
        self,
        actor: Actor,
        code: str,
        step: str,
        body: Mapping[str, Any],
        *,
        show_name: bool = False,
    ) -> None:
        """A participant's answers to one open step (replacing earlier ones), audited ``answer``.

        ``show_name``: the participant chose to show their nickname beside this
        answer on the projector (anonymous otherwise).
        """
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
                raise IlpInputError("store.step_closed", step=str(step)[:64])
            values = {"body": text, "updated_at": now, "show_name": bool(show_name)}
            done = conn.execute(
                t.room_answers.update()
                .where(a.member_id == member_id, a.step == step)
                .values(values)
            )
            if done.rowcount == 0:
                conn.execute(
                    t.room_answers.insert().values(
                        member_id=member_id, step=step, room_id=room.id, **values
                    )
                )
            self._audit(conn, actor, "answer", "room", room.id, {"step": step}, at=now)

    def room_answers(self, actor: Actor, code: str) -> pd.DataFrame:
        """Every answer in the room (its trainer or an administrator): for the projector view.

        Columns ``participant`` (member id), ``nickname`` (empty unless the answer's
        author chose to show it), ``step``, ``answers`` (dict), ``updated_at``.
        Not audited (read every few seconds while the room runs).
        """
        a, m = t.room_answers.c, t.room_members.c
        with self._tx(write=False) as conn:
            room = self._trainers_room(conn, actor, code)
            rows = conn.execute(
                sa.select(
                    a.member_id,
                    sa.case((a.show_name, m.name), else_=sa.literal("")).label("nickname"),
                    a.step,
                    a.body,
                    a.updated_at,
                )
                .join(t.room_members, m.id == a.member_id)
                .where(a.room_id == room.id)
                .order_by(a.step, a.updated_at, a.member_id)
            ).all()
        return pd.DataFrame(
            [(r.member_id, r.nickname, r.step, json.loads(r.body), r.updated_at) for r in rows],
            columns=list(ANSWER_COLUMNS),
        )

    def room_members(self, actor: Actor, code: str) -> int:
        """How many participants joined the room (its trainer or an administrator)."""
        with self._tx(write=False) as conn:
            room = self._trainers_room(conn, actor, code)
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(t.room_members.c.room_id == room.id)
                ).scalar_one()
            )

    def room(self, code: str) -> Room:
        """The room with ``code`` (anyone holding the code may see its steps)."""
        with self._tx(write=False) as conn:
            return _room(self._room_row(conn, code))

    def _trainers_room(self, conn: Connection, actor: Actor, code: str) -> sa.Row[Any]:
        row = self._room_row(conn, code)
        if not owns_or_administers(actor, row.trainer):
            raise IlpInputError("store.forbidden", action="run_rooms", object="room")
        return row

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
        name=row.name,
        revealed_steps=tuple(json.loads(row.revealed_steps)),
        rounds={str(k): int(v) for k, v in json.loads(row.rounds).items()},
    )
