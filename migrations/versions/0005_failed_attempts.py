"""failed attempts: sign_in_failure becomes failed_attempt, one table for every abuse limit
(failed sign-ins and invite acceptances per subject and per client address, lockouts).

Revision ID: 0005
Revises: 0004_imports
Create Date: 2026-11-24 10:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "0005"
down_revision: str | None = "0004_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    # Keep counting recent failures across the upgrade; their client address was not kept.
    op.execute(
        "INSERT INTO failed_attempt (kind, subject, client_address, attempted_at) "
        "SELECT 'sign_in', email, 'unknown', failed_at FROM sign_in_failure"
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failure_email_at")
    op.drop_table("sign_in_failure")


def downgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("failed_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_failure_email_at", ["email", "failed_at"], unique=False)
    op.execute(
        "INSERT INTO sign_in_failure (email, failed_at) "
        "SELECT subject, attempted_at FROM failed_attempt WHERE kind = 'sign_in'"
    )
    with op.batch_alter_table("failed_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_attempt_address")
        batch_op.drop_index("ix_failed_attempt_subject")
    op.drop_table("failed_attempt")
