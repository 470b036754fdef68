"""check-ins: each "How are you today?" answer the person keeps (its note encrypted, as
the plan), and their choices about sharing them and being reminded.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_in",
        sa.Column(
            "owner_id",
            sa.Uuid(),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), primary_key=True, nullable=False),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_check_in_owner_plan_at", "check_in", ["owner_id", "plan_id", "at"])
    op.create_table(
        "check_in_settings",
        sa.Column(
            "plan_id",
            sa.Uuid(),
            sa.ForeignKey("plan.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        ),
        sa.Column(
            "owner_id",
            sa.Uuid(),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("rhythm", sa.String(10), nullable=False),
        sa.Column("remind_at", sa.String(5), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("check_in_settings")
    op.drop_index("ix_check_in_owner_plan_at", table_name="check_in")
    op.drop_table("check_in")
