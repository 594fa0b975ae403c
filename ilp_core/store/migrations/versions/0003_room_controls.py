"""Room controls: a room's name, revealed steps and reset rounds; a nickname shown by choice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-02

``rooms.name`` is what the trainer calls the room (the projector's title);
``rooms.revealed_steps`` lists the steps whose scored answer the projector shows;
``rooms.rounds`` counts, per step, how often the trainer reset it (a participant's
form starts blank again). ``room_answers.show_name`` is true only when the
participant chose to show their nickname beside that answer (the projector shows
no name otherwise). Existing rooms get an empty name, nothing revealed, no resets,
and every existing answer stays anonymous.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the room's name, revealed steps and rounds, and each answer's ``show_name``."""
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(sa.Column("name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("revealed_steps", sa.Text(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("rounds", sa.Text(), nullable=False, server_default="{}"))
    with op.batch_alter_table("room_answers") as batch:
        batch.add_column(
            sa.Column("show_name", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Remove the columns added by :func:`upgrade`."""
    with op.batch_alter_table("room_answers") as batch:
        batch.drop_column("show_name")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_column("rounds")
        batch.drop_column("revealed_steps")
        batch.drop_column("name")
