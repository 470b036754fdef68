"""shares carry copies of their plan's updated_at and deleted_at, and
ix_share_grantee_listing pages a grantee's open shares by the first, so "shared with me"
neither sorts every share nor reads every shared plan.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.add_column(
        "share",
        sa.Column("plan_updated_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "share",
        sa.Column("plan_deleted_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
    )
    for column in ("updated_at", "deleted_at"):
        op.execute(
            f"UPDATE share SET plan_{column} = "
            f'(SELECT "plan".{column} FROM "plan" WHERE "plan".id = share.plan_id)'
        )
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.alter_column(
            "plan_updated_at",
            existing_type=app.core.types.UTCDateTime(timezone=True),
            nullable=False,
        )
        batch_op.create_index(
            "ix_share_grantee_listing",
            ["grantee_id", "plan_updated_at", "id"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.drop_index("ix_share_grantee_listing")
        batch_op.drop_column("plan_deleted_at")
        batch_op.drop_column("plan_updated_at")
