"""passkeys and password resets: an account may have no password (it signs in with
passkeys); passkey (WebAuthn credentials), passkey_ceremony (single-use challenges),
password_reset (digests of emailed links); auth_session says how each sign-in began.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Not an argon2 hash, so no password matches it.
NO_PASSWORD = "!"


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "password_hash",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
            nullable=True,
        )
    # What a downgrade below this revision left in place of no password.
    op.execute(
        f"UPDATE user_account SET password_hash = NULL WHERE password_hash = '{NO_PASSWORD}'"
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sign_in_method",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="password",
            )
        )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.alter_column(
            "sign_in_method",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
            server_default=None,
        )
    op.create_table(
        "passkey",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.String(length=1364), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.create_index("ix_passkey_user_id", ["user_id"], unique=False)
    op.create_table(
        "passkey_ceremony",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("claimed_subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "claimed_window_started_at", app.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("expires_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("passkey_ceremony", schema=None) as batch_op:
        batch_op.create_index("ix_passkey_ceremony_expires_at", ["expires_at"], unique=False)
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_digest"),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index("ix_password_reset_user_id", ["user_id"], unique=False)
        batch_op.create_index("ix_password_reset_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("password_reset")
    op.drop_table("passkey_ceremony")
    op.drop_table("passkey")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("sign_in_method")
    # The older schema needs a password: an account without one keeps its plans under one
    # nobody knows, and upgrading again makes it an account without a password once more.
    op.execute(
        f"UPDATE user_account SET password_hash = '{NO_PASSWORD}' WHERE password_hash IS NULL"
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "password_hash",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
            nullable=False,
        )
