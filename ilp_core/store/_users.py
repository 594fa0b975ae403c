"""Users: who logged in through the identity provider, their roles and unit.

The identity provider says who someone is (its ``sub`` claim, name, e-mail); the
store keeps the user with their roles and unit. Roles come from the provider when
it sends them (a ``roles`` claim the app passes on), otherwise from what an
administrator assigned; a new user gets ``ILP_DEFAULT_ROLES`` (none by default), and
a subject or e-mail listed in ``ILP_ADMINS`` is an administrator.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ilp_core.errors import IlpInputError
from ilp_core.store import _schema as t
from ilp_core.store._access import Actor, check_roles, require
from ilp_core.store._base import StoreBase

_KEEP: Any = object()


@dataclass(frozen=True)
class User:
    """A user as the store knows them (the administrator's users table)."""

    id: str
    name: str
    email: str
    roles: frozenset[str]
    unit: str | None
    created_at: dt.datetime
    last_login: dt.datetime | None

    def actor(self) -> Actor:
        """The :class:`Actor` acting as this user."""
        return Actor(self.id, roles=self.roles, unit=self.unit, name=self.name)


class UsersMixin(StoreBase):
    """Users and logins (see :class:`ilp_core.store.Store`)."""

    def login(
        self,
        subject: str,
        *,
        name: str = "",
        email: str = "",
        roles: Iterable[str] | None = None,
        unit: str | None = None,
    ) -> Actor:
        """Record a login through the identity provider and return the user's :class:`Actor`.

        Parameters
        ----------
        subject
            The provider's stable user id (``st.user.sub``), prefixed with the
            provider's name when several are configured.
        name, email
            As the provider sends them (kept up to date at each login).
        roles, unit
            When the provider sends them: they replace the stored ones. ``None``
            keeps what an administrator assigned.

        Audited as ``login``.
        """
        subject = str(subject).strip()
        if not subject or len(subject) > 255:
            raise IlpInputError("store.bad_actor", value=subject[:80])
        given = None if roles is None else check_roles(roles)
        admins = {a.lower() for a in self.config.admins}
        now = t.now()
        u = t.users.c
        with self._tx(write=True) as conn:
            row = conn.execute(sa.select(t.users).where(u.id == subject)).first()
            if row is None:
                stored = given if given is not None else check_roles(self.config.default_roles)
            else:
                stored = given if given is not None else frozenset(json.loads(row.roles))
            if subject.lower() in admins or (email and email.lower() in admins):
                stored = stored | {"administrator"}
            unit = unit if unit is not None else (None if row is None else row.unit)
            values = {
                "name": str(name)[:255],
                "email": str(email)[:320],
                "roles": t.dumps(sorted(stored)),
                "unit": unit,
                "last_login": now,
            }
            if row is None:
                conn.execute(t.users.insert().values(id=subject, created_at=now, **values))
            else:
                conn.execute(t.users.update().where(u.id == subject).values(**values))
            actor = Actor(subject, roles=stored, unit=unit, name=str(name))
            self._audit(conn, actor, "login", "session", subject, {"new": row is None}, at=now)
        return actor

    def login_local(self) -> Actor:
        """The single-user mode without login: :meth:`Actor.local`, its start audited."""
        actor = Actor.local()
        with self._tx(write=True) as conn:
            self._audit(conn, actor, "login", "session", actor.id, {"mode": "local"})
        return actor

    def list_users(self, actor: Actor) -> pd.DataFrame:
        """Every user (administrators only): id, name, email, roles, unit, created, last login."""
        require(actor, "administer", "user")
        with self._tx(write=False) as conn:
            rows = conn.execute(sa.select(t.users).order_by(t.users.c.name, t.users.c.id)).all()
        frame = pd.DataFrame(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "email": r.email,
                    "roles": ", ".join(json.loads(r.roles)),
                    "unit": r.unit,
                    "created_at": r.created_at,
                    "last_login": r.last_login,
                }
                for r in rows
            ],
            columns=["id", "name", "email", "roles", "unit", "created_at", "last_login"],
        )
        return frame

    def set_user(
        self,
        actor: Actor,
        user_id: str,
        *,
        roles: Iterable[str] | None = None,
        unit: str | None = _KEEP,
    ) -> User:
        """Give a user roles and a unit (administrators only), audited as ``users``.

        ``roles=None`` keeps the roles, an omitted ``unit`` keeps the unit.
        """
        require(actor, "administer", "user")
        values: dict[str, Any] = {}
        if roles is not None:
            values["roles"] = t.dumps(sorted(check_roles(roles)))
        if unit is not _KEEP:
            values["unit"] = None if unit is None else str(unit)[:255]
        with self._tx(write=True) as conn:
            row = conn.execute(sa.select(t.users).where(t.users.c.id == str(user_id))).first()
            if row is None:
                raise IlpInputError("store.not_found", object="user")
            if values:
                conn.execute(t.users.update().where(t.users.c.id == row.id).values(**values))
            row = conn.execute(sa.select(t.users).where(t.users.c.id == row.id)).one()
            self._audit(
                conn,
                actor,
                "users",
                "user",
                row.id,
                {"roles": json.loads(row.roles), "unit": row.unit},
            )
        return _user(row)

    def add_user(
        self,
        actor: Actor,
        user_id: str,
        *,
        name: str = "",
        email: str = "",
        roles: Iterable[str] = (),
        unit: str | None = None,
    ) -> User:
        """Register a user before their first login (administrators only), audited as ``users``.

        ``user_id`` is the identity provider's subject the user will log in with;
        their first login then finds the roles and unit given here. Raises
        ``store.user_exists`` when the store already knows the user.
        """
        require(actor, "administer", "user")
        subject = str(user_id).strip()
        if not subject or len(subject) > 255:
            raise IlpInputError("store.bad_actor", value=subject[:80])
        given = sorted(check_roles(roles))
        now = t.now()
        with self._tx(write=True) as conn:
            if conn.execute(sa.select(t.users.c.id).where(t.users.c.id == subject)).first():
                raise IlpInputError("store.user_exists", user=subject)
            conn.execute(
                t.users.insert().values(
                    id=subject,
                    name=str(name)[:255],
                    email=str(email)[:320],
                    roles=t.dumps(given),
                    unit=None if unit is None else str(unit)[:255],
                    created_at=now,
                    last_login=None,
                )
            )
            row = conn.execute(sa.select(t.users).where(t.users.c.id == subject)).one()
            details = {"new": True, "roles": given, "unit": row.unit}
            self._audit(conn, actor, "users", "user", subject, details, at=now)
        return _user(row)

    def get_user(self, actor: Actor, user_id: str) -> User | None:
        """A user's record: one's own, or anyone's for an administrator."""
        if str(user_id) != actor.id:
            require(actor, "administer", "user")
        with self._tx(write=False) as conn:
            row = conn.execute(sa.select(t.users).where(t.users.c.id == str(user_id))).first()
        return None if row is None else _user(row)


def _user(row: sa.Row[Any]) -> User:
    return User(
        id=row.id,
        name=row.name,
        email=row.email,
        roles=frozenset(json.loads(row.roles)),
        unit=row.unit,
        created_at=row.created_at,
        last_login=row.last_login,
    )
