"""Where the store is and how long it keeps data: one configuration object, from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ilp_core.errors import IlpInputError

#: The environment variables the store reads (documented in the package docstring).
ENV_DATABASE_URL: Final[str] = "ILP_DATABASE_URL"
ENV_DATA_DIR: Final[str] = "ILP_DATA_DIR"
ENV_RETENTION_DAYS: Final[str] = "ILP_RETENTION_DAYS"
ENV_ADMINS: Final[str] = "ILP_ADMINS"
ENV_DEFAULT_ROLES: Final[str] = "ILP_DEFAULT_ROLES"
ENV_ROOM_DAYS: Final[str] = "ILP_ROOM_DAYS"
#: Twelve months: how long a loaded dataset is kept unless its owner or an administrator
#: says otherwise.
DEFAULT_RETENTION_DAYS: Final[int] = 365
#: Days a workshop room and its answers live (a two-day seminar), then purged.
DEFAULT_ROOM_DAYS: Final[int] = 2
#: The embedded database's file name inside the data folder.
SQLITE_FILE: Final[str] = "ilp.sqlite3"
_APP_NAME: Final[str] = "ilp-dashboard"


@dataclass(frozen=True)
class StoreConfig:
    """Where the workspace store lives and its defaults.

    Attributes
    ----------
    url
        SQLAlchemy URL of the database: ``sqlite:///<data_dir>/ilp.sqlite3`` (the
        embedded default) or ``postgresql+psycopg://user:password@host:5432/ilp``.
    data_dir
        Folder for the embedded database and the shared cache of memory-mapped
        incident tables (``<data_dir>/cache``); on a server, each machine's own folder.
    retention_days
        Default retention of a loaded dataset, in days from its last load.
    admins
        Subjects or e-mail addresses given the administrator role at login (to start a
        new installation; later an administrator assigns roles in the app).
    default_roles
        Roles of a user at their first login, before an administrator assigns theirs
        (none by default: such a user sees the sample region only).
    room_days
        Days a workshop room lives (its answers with it) before :meth:`Store.purge`
        deletes it: 1 to 365, default 2.

    Examples
    --------
    >>> c = config_from_env({"ILP_DATA_DIR": "/srv/ilp", "ILP_RETENTION_DAYS": "90"})
    >>> c.url, c.retention_days, c.embedded, c.where
    ('sqlite:////srv/ilp/ilp.sqlite3', 90, True, '/srv/ilp/ilp.sqlite3')
    >>> pg = config_from_env({"ILP_DATABASE_URL": "postgresql://ilp:secret@db.local/ilp"})
    >>> pg.url, pg.where
    ('postgresql+psycopg://ilp:secret@db.local/ilp', 'db.local:5432/ilp')
    """

    url: str
    data_dir: Path
    retention_days: int = DEFAULT_RETENTION_DAYS
    admins: tuple[str, ...] = ()
    default_roles: tuple[str, ...] = ()
    room_days: int = DEFAULT_ROOM_DAYS

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", _normalise_url(self.url))
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if (
            isinstance(self.retention_days, bool)
            or not isinstance(self.retention_days, int)
            or not 1 <= self.retention_days <= 36_500
        ):
            raise IlpInputError("store.bad_retention", value=str(self.retention_days))
        if (
            isinstance(self.room_days, bool)
            or not isinstance(self.room_days, int)
            or not 1 <= self.room_days <= 365
        ):
            raise IlpInputError("store.bad_room_days", value=str(self.room_days))

    @property
    def embedded(self) -> bool:
        """True for the embedded SQLite database (no server)."""
        return self.url.startswith("sqlite")

    @property
    def cache_dir(self) -> Path:
        """Folder of the memory-mapped Arrow copies of the stored incident tables."""
        return self.data_dir / "cache"

    @property
    def where(self) -> str:
        """The database's location for people and messages: a path, or host:port/name.

        Never the password: this text goes into error messages and logs.
        """
        return describe_url(self.url)

    def __repr__(self) -> str:  # the URL may carry a password: never print it
        return (
            f"StoreConfig(where={self.where!r}, data_dir={str(self.data_dir)!r}, "
            f"retention_days={self.retention_days})"
        )


def config_from_env(environ: Mapping[str, str] | None = None) -> StoreConfig:
    """Read the store's configuration from the environment (``os.environ`` by default).

    ``ILP_DATABASE_URL`` selects a database server (``postgresql://...``; the psycopg
    driver is added when missing); without it the embedded SQLite database in
    ``ILP_DATA_DIR`` (default: the user's data folder, e.g.
    ``~/.local/share/ilp-dashboard``) serves, with nothing to set up.
    ``ILP_RETENTION_DAYS`` (365), ``ILP_ROOM_DAYS`` (2), ``ILP_ADMINS`` and
    ``ILP_DEFAULT_ROLES`` (both comma-separated) complete it.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(env.get(ENV_DATA_DIR) or platformdirs.user_data_dir(_APP_NAME)).expanduser()
    url = (env.get(ENV_DATABASE_URL) or "").strip()
    if not url:
        url = URL.create("sqlite", database=str(data_dir / SQLITE_FILE)).render_as_string()
    days_text = (env.get(ENV_RETENTION_DAYS) or "").strip()
    try:
        days = int(days_text) if days_text else DEFAULT_RETENTION_DAYS
    except ValueError:
        raise IlpInputError("store.bad_retention", value=days_text) from None
    room_text = (env.get(ENV_ROOM_DAYS) or "").strip()
    try:
        room_days = int(room_text) if room_text else DEFAULT_ROOM_DAYS
    except ValueError:
        raise IlpInputError("store.bad_room_days", value=room_text) from None
    return StoreConfig(
        url=url,
        data_dir=data_dir,
        retention_days=days,
        admins=_split(env.get(ENV_ADMINS)),
        default_roles=_split(env.get(ENV_DEFAULT_ROLES)),
        room_days=room_days,
    )


def describe_url(url: str) -> str:
    """Return where a database URL points, without user or password.

    Examples
    --------
    >>> describe_url("postgresql+psycopg://ilp:s3cret@10.0.0.5:6432/ilp")
    '10.0.0.5:6432/ilp'
    >>> describe_url("sqlite:////var/lib/ilp/ilp.sqlite3")
    '/var/lib/ilp/ilp.sqlite3'
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "?"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def _normalise_url(url: str) -> str:
    try:
        parsed = make_url(str(url))
    except ArgumentError:
        raise IlpInputError("store.bad_url", where=describe_url(str(url))) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise IlpInputError("store.bad_url", where=describe_url(str(url)))
    return parsed.render_as_string(hide_password=False)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())
