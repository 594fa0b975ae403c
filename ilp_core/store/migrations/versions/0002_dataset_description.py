"""A description per dataset: what the export is, written by the analyst who loaded it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-16

Existing datasets get an empty description.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``datasets.description`` (empty for the datasets already stored)."""
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Remove ``datasets.description``."""
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("description")
