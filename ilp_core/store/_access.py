"""Who is acting, and what they may do: roles, permissions and the visibility of datasets.

The permissions of each role and the permission each kind of record needs are data
(``ilp_core/config/roles.yaml``). On top of them one rule holds everywhere: a dataset
is seen only by its owner, by the roles, units and users it is shared with, and by
administrators; sharing or deleting it also needs to be its owner or an administrator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, get_args

import sqlalchemy as sa
import yaml

from ilp_core import _yaml, i18n
from ilp_core.errors import IlpInputError, translates_params
from ilp_core.store import _schema as t

Role = Literal["analyst", "manager", "trainer", "participant", "administrator"]
ROLES: Final[tuple[str, ...]] = get_args(Role)
Permission = Literal[
    "load", "open", "edit", "decide", "export", "share", "delete", "run_rooms", "administer"
]
PERMISSIONS: Final[tuple[str, ...]] = get_args(Permission)
ActorKind = Literal["user", "local", "participant", "system"]
ShareKind = Literal["role", "unit", "user"]
SHARE_KINDS: Final[tuple[str, ...]] = get_args(ShareKind)
#: The user id of the single-user local mode (no login configured).
LOCAL_USER: Final[str] = "local"
#: The user id of the app's own scheduled work (the retention purge at start).
SYSTEM_USER: Final[str] = "system"


@dataclass(frozen=True)
class Actor:
    """Who calls the store: a logged-in user, the local user, or a room participant.

    Every store function takes the actor, checks what it may do, and writes its id,
    roles and unit into the audit trail.

    Attributes
    ----------
    id
        The identity provider's subject of a user, ``"local"`` in the single-user
        mode, ``"participant:<member id>"`` for an anonymous room participant.
    roles
        Roles held (:data:`ROLES`).
    unit
        The user's unit (a team, a station), used by datasets shared with a unit.
    name
        Display name, for people (the audit keeps ``id``).
    kind
        ``"user"``, ``"local"``, ``"participant"`` or ``"system"`` (the app's own
        scheduled work, :meth:`system`).

    Examples
    --------
    >>> a = Actor("kc|1234", roles={"manager"}, unit="North")
    >>> a.may("open"), a.may("load"), Actor.local().may("administer")
    (True, False, True)
    """

    id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    unit: str | None = None
    name: str = ""
    kind: ActorKind = "user"

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip() or len(self.id) > 255:
            raise IlpInputError("store.bad_actor", value=str(self.id)[:80])
        roles = frozenset(self.roles)
        unknown = sorted(r for r in roles if r not in ROLES)
        if unknown:
            raise IlpInputError(
                "store.bad_role", value=", ".join(map(str, unknown)), allowed=", ".join(ROLES)
            )
        object.__setattr__(self, "roles", roles)

    @classmethod
    def local(cls) -> Actor:
        """The single user of a desktop installation without login: every role."""
        return cls(LOCAL_USER, roles=frozenset(ROLES), name="", kind="local")

    @classmethod
    def system(cls) -> Actor:
        """The app itself, for scheduled work such as the daily purge: an administrator."""
        return cls(SYSTEM_USER, roles=frozenset({"administrator"}), kind="system")

    def may(self, permission: str) -> bool:
        """Whether one of the actor's roles has ``permission`` (:data:`PERMISSIONS`)."""
        if permission not in PERMISSIONS:
            raise IlpInputError(
                "store.bad_permission", value=str(permission), allowed=", ".join(PERMISSIONS)
            )
        return bool(self.roles & policy().permissions[permission])

    @property
    def is_admin(self) -> bool:
        """Holds the administrator role (sees every dataset, runs retention and the audit)."""
        return "administrator" in self.roles


@dataclass(frozen=True)
class Policy:
    """The roles of each permission and the permission of each record kind (roles.yaml)."""

    permissions: Mapping[str, frozenset[str]]
    record_kinds: Mapping[str, str]


@cache
def policy() -> Policy:
    """Read ``ilp_core/config/roles.yaml`` (once per process), checked.

    Examples
    --------
    >>> sorted(policy().permissions["open"])
    ['administrator', 'analyst', 'manager']
    >>> policy().record_kinds["intel_log"]
    'edit'
    """
    text = (resources.files("ilp_core") / "config" / "roles.yaml").read_text(encoding="utf-8")
    try:
        data = _yaml.load(text)
        permissions = {p: frozenset(data["permissions"][p]) for p in PERMISSIONS}
        kinds = {str(k): str(v) for k, v in data["record_kinds"].items()}
    except (KeyError, TypeError, AttributeError, yaml.YAMLError):
        raise IlpInputError("store.roles_broken") from None
    bad = [r for roles in permissions.values() for r in roles if r not in ROLES]
    bad += [p for p in kinds.values() if p not in PERMISSIONS]
    if bad:
        raise IlpInputError("store.roles_broken")
    return Policy(permissions=permissions, record_kinds=kinds)


def require(actor: Actor, permission: str, object_type: str = "dataset") -> None:
    """Raise ``store.forbidden`` unless ``actor`` has ``permission``."""
    if not actor.may(permission):
        raise IlpInputError("store.forbidden", action=permission, object=object_type)


def check_roles(roles: Iterable[str]) -> frozenset[str]:
    """Return ``roles`` as a set, refusing unknown names."""
    if isinstance(roles, str):
        roles = [roles]
    out = frozenset(str(r).strip() for r in roles if str(r).strip())
    unknown = sorted(r for r in out if r not in ROLES)
    if unknown:
        raise IlpInputError("store.bad_role", value=", ".join(unknown), allowed=", ".join(ROLES))
    return out


def visible(actor: Actor) -> sa.ColumnElement[bool]:
    """SQL condition: the ``datasets`` row is visible to ``actor`` (and not deleted)."""
    alive = t.datasets.c.deleted_at.is_(None)
    if actor.is_admin:
        return alive
    shares = t.dataset_shares
    shared = sa.or_(
        sa.and_(shares.c.kind == "user", shares.c.value == actor.id),
        sa.and_(shares.c.kind == "role", shares.c.value.in_(sorted(actor.roles) or [""])),
        *([sa.and_(shares.c.kind == "unit", shares.c.value == actor.unit)] if actor.unit else []),
    )
    share_exists = (
        sa.select(shares.c.dataset_id)
        .where(shares.c.dataset_id == t.datasets.c.id, shared)
        .exists()
    )
    return sa.and_(alive, sa.or_(t.datasets.c.owner == actor.id, share_exists))


def owns_or_administers(actor: Actor, owner: str) -> bool:
    """The actor owns the object or is an administrator."""
    return actor.is_admin or actor.id == owner


@translates_params("store")
def _translate(params: dict[str, Any], lang: str) -> dict[str, Any]:
    out = dict(params)
    for name in ("action", "object", "kind"):
        value = out.get(name)
        if isinstance(value, str) and i18n.has(f"store.{name}.{value}", lang):
            out[name] = i18n.t(f"store.{name}.{value}", lang)
    return out
