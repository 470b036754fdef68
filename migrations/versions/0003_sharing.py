"""sharing: shares, the sharing switch, crisis cards, the access log, comments, suggestions

ix_share_grantee_live and ix_plan_shared_listing keep "shared with me" fast for a worker
holding many shares.

Revision ID: 0003_sharing
Revises: 0002_sync_operations
Create Date: 2026-11-23 09:41:55.946210
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types


revision: str = "0003_sharing"
down_revision: str | None = "0002_sync_operations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_shared_listing",
            ["id", "deleted_at", "updated_at", "version", "title"],
            unique=False,
        )
    op.create_table(
        "sharing_switch",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("owner_id"),
    )
    op.create_table(
        "crisis_card",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_digest"),
    )
    with op.batch_alter_table("crisis_card", schema=None) as batch_op:
        batch_op.create_index("ix_crisis_card_plan", ["plan_id", "created_at"], unique=False)

    op.create_table(
        "share",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("grantee_id", sa.Uuid(), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("permission", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("invite_digest", sa.String(length=64), nullable=False),
        sa.Column("invite_expires_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=30), nullable=True),
        sa.Column("last_viewed_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_viewed_version", sa.Integer(), nullable=True),
        sa.Column("seen_digests", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["grantee_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invite_digest"),
    )
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.create_index("ix_share_grantee_live", ["grantee_id", "ended_at"], unique=False)
        batch_op.create_index("ix_share_owner_live", ["owner_id", "ended_at"], unique=False)
        batch_op.create_index("ix_share_plan_created", ["plan_id", "created_at"], unique=False)

    op.create_table(
        "access_log",
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column(
            "author_organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=True),
        sa.Column("crisis_card_id", sa.Uuid(), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["crisis_card_id"], ["crisis_card.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_owner_newest", ["owner_id", "id"], unique=False)
        batch_op.create_index("ix_access_log_share", ["share_id"], unique=False)
        batch_op.create_index("ix_access_log_crisis_card", ["crisis_card_id"], unique=False)

    op.create_table(
        "plan_comment",
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column(
            "author_organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=True),
        sa.Column("reply_to_id", sa.Uuid(), nullable=True),
        sa.Column("section_key", sa.String(length=63), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reply_to_id"], ["plan_comment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_comment", schema=None) as batch_op:
        batch_op.create_index("ix_plan_comment_plan", ["plan_id", "created_at"], unique=False)
        batch_op.create_index("ix_plan_comment_share", ["share_id"], unique=False)

    op.create_table(
        "plan_suggestion",
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column(
            "author_organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=True),
        sa.Column("section_key", sa.String(length=63), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("prompt", sa.String(length=63), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("text_when_suggested", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_suggestion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_suggestion_plan", ["plan_id", "status", "created_at"], unique=False
        )
        batch_op.create_index("ix_plan_suggestion_share", ["share_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_shared_listing")
    with op.batch_alter_table("plan_suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_suggestion_share")
        batch_op.drop_index("ix_plan_suggestion_plan")

    op.drop_table("plan_suggestion")
    with op.batch_alter_table("plan_comment", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_comment_share")
        batch_op.drop_index("ix_plan_comment_plan")

    op.drop_table("plan_comment")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_crisis_card")
        batch_op.drop_index("ix_access_log_share")
        batch_op.drop_index("ix_access_log_owner_newest")

    op.drop_table("access_log")
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.drop_index("ix_share_plan_created")
        batch_op.drop_index("ix_share_owner_live")
        batch_op.drop_index("ix_share_grantee_live")

    op.drop_table("share")
    with op.batch_alter_table("crisis_card", schema=None) as batch_op:
        batch_op.drop_index("ix_crisis_card_plan")

    op.drop_table("crisis_card")
    op.drop_table("sharing_switch")
