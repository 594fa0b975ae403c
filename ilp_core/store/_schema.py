"""The store's tables at the newest revision (SQLAlchemy Core), the same on SQLite and PostgreSQL.

The migrations in ``migrations/versions`` build exactly these tables step by step
(a test compares them); this module is what the code reads and writes through.
JSON goes into ``Text`` columns (the same text on both databases), binary payloads
(Parquet files) into ``LargeBinary`` (``BLOB`` / ``bytea``), and every time is UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

#: Alembic revision this schema corresponds to (the newest file in ``migrations/versions``).
HEAD: Final[str] = "0003"


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A point in time, stored in UTC, always read back timezone-aware (UTC).

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the UTC time is
    stored without one and the zone is put back on reading.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store takes timezone-aware times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _id(name: str = "id", *args: Any, **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(32), *args, **kw)


def _who(name: str, **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(255), **kw)


def _when(name: str, nullable: bool = False) -> sa.Column[dt.datetime]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    _who("id", primary_key=True),  # subject from the identity provider, or "local"
    sa.Column("name", sa.String(255), nullable=False, server_default=""),
    sa.Column("email", sa.String(320), nullable=False, server_default=""),
    sa.Column("roles", sa.Text(), nullable=False, server_default="[]"),  # JSON list
    sa.Column("unit", sa.String(255), nullable=True),
    _when("created_at"),
    _when("last_login", nullable=True),
)

datasets = sa.Table(
    "datasets",
    metadata,
    _id(primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("description", sa.Text(), nullable=False, server_default=""),  # revision 0002
    _who("owner", nullable=False),
    sa.Column("unit", sa.String(255), nullable=True),
    _when("created_at"),
    _when("retention_until"),
    _when("deleted_at", nullable=True),
)

dataset_versions = sa.Table(
    "dataset_versions",
    metadata,
    _id(primary_key=True),
    _id("dataset_id", sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    _when("created_at"),
    _who("created_by", nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("row_count", sa.BigInteger(), nullable=False),
    sa.Column("reject_count", sa.BigInteger(), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("incidents_bytes", sa.BigInteger(), nullable=False),
    sa.Column("mapping", sa.Text(), nullable=True),  # ColumnMapping.to_json()
    sa.Column("classification", sa.Text(), nullable=True),  # JSON
    sa.Column("quality_report", sa.Text(), nullable=True),  # JSON
    sa.Column("privacy_actions", sa.Text(), nullable=False, server_default="[]"),  # JSON list
    sa.Column("districts", sa.Text(), nullable=True),  # GeoJSON, EPSG:4326
    sa.Column("allocation", sa.LargeBinary(), nullable=True),  # Parquet file
    sa.UniqueConstraint("dataset_id", "number", name="uq_dataset_versions_number"),
)

dataset_chunks = sa.Table(
    "dataset_chunks",
    metadata,
    _id("version_id", sa.ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("part", sa.String(16), primary_key=True),  # "incidents" | "rejects"
    sa.Column("seq", sa.Integer(), primary_key=True),
    sa.Column("data", sa.LargeBinary(), nullable=False),  # a slice of one Parquet file
)

dataset_shares = sa.Table(
    "dataset_shares",
    metadata,
    _id("dataset_id", sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(8), primary_key=True),  # "role" | "unit" | "user"
    sa.Column("value", sa.String(255), primary_key=True),
    _when("created_at"),
    _who("created_by", nullable=False),
)

records = sa.Table(
    "records",
    metadata,
    _id(primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    _id("dataset_id", sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=True),
    _who("owner", nullable=False),
    sa.Column("name", sa.String(255), nullable=False, server_default=""),
    # kind|dataset|owner of a private record|name: one record per key, enforced here
    sa.Column("scope", sa.String(800), nullable=False, unique=True),
    sa.Column("body", sa.Text(), nullable=True),  # JSON
    sa.Column("data", sa.LargeBinary(), nullable=True),  # bytes (a PDF report...)
    sa.Column("version", sa.Integer(), nullable=False),
    _when("created_at"),
    _who("created_by", nullable=False),
    _when("updated_at"),
    _who("updated_by", nullable=False),
    sa.Index("ix_records_dataset_kind", "dataset_id", "kind"),
)

rooms = sa.Table(
    "rooms",
    metadata,
    _id(primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    _who("trainer", nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("steps", sa.Text(), nullable=False, server_default="[]"),  # JSON list
    sa.Column("open_steps", sa.Text(), nullable=False, server_default="[]"),  # JSON list
    _when("created_at"),
    _when("expires_at"),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),  # revision 0003
    sa.Column("revealed_steps", sa.Text(), nullable=False, server_default="[]"),  # JSON list
    sa.Column("rounds", sa.Text(), nullable=False, server_default="{}"),  # JSON {step: resets}
)

room_members = sa.Table(
    "room_members",
    metadata,
    _id(primary_key=True),
    _id("room_id", sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the token
    sa.Column("name", sa.String(100), nullable=False, server_default=""),
    _when("joined_at"),
)

room_answers = sa.Table(
    "room_answers",
    metadata,
    _id("member_id", sa.ForeignKey("room_members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("step", sa.String(64), primary_key=True),
    _id("room_id", sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),  # JSON {question: answer}
    _when("updated_at"),
    # revision 0003: the author chose to show their nickname beside this answer
    sa.Column("show_name", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Index("ix_room_answers_room", "room_id", "step"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    _when("at"),
    _who("actor", nullable=False),
    sa.Column("actor_roles", sa.String(255), nullable=False, server_default=""),
    sa.Column("actor_unit", sa.String(255), nullable=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("object_id", sa.String(255), nullable=False, server_default=""),
    sa.Column("details", sa.Text(), nullable=False, server_default="{}"),  # JSON
    sa.Index("ix_audit_at", "at"),
    sa.Index("ix_audit_object", "object_type", "object_id"),
    sa.Index("ix_audit_actor", "actor"),
)


def dumps(value: Any) -> str:
    """JSON text of ``value`` as the store writes it (UTF-8 kept, no NaN)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def now() -> dt.datetime:
    """The current time in UTC (timezone-aware), the only clock the store uses."""
    return dt.datetime.now(dt.UTC)
