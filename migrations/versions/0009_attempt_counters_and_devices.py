"""attempt counters and devices: failed_attempt (one row per failure, counted then
decided, which parallel requests could overtake) becomes attempt_counter (one row per kind
and subject, claimed by a single conditional upsert); auth_session gains the device's name
and when it was last used, for the list of signed-in devices.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attempt_counter",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("window_started_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "subject"),
    )
    # Recent failures are not carried over: at worst a subject gets one fresh window.
    with op.batch_alter_table("failed_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_attempt_address")
        batch_op.drop_index("ix_failed_attempt_subject")
    op.drop_table("failed_attempt")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "device_name",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("last_used_at", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE auth_session SET last_used_at = created_at")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.alter_column(
            "last_used_at", existing_type=app.core.types.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.alter_column(
            "device_name",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=100),
            server_default=None,
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("device_name")
    op.create_table(
        "failed_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("attempted_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("failed_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_failed_attempt_subject", ["kind", "subject", "attempted_at"], unique=False
        )
        batch_op.create_index(
            "ix_failed_attempt_address", ["kind", "client_address", "attempted_at"], unique=False
        )
    op.drop_table("attempt_counter")
