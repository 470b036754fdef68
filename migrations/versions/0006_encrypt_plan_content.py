"""encrypt plan content at rest: the columns holding the person's or a supporter's words,
imported content and personal details become AES-GCM ciphertext (app/core/encryption.py),
written under the current ENCRYPTION_KEY; downgrading decrypts them back. The plan title
leaves ix_plan_shared_listing, as an encrypted title is no use in an index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.encryption import active_keyring, rewrite_stored_values

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (primary key, {column: (type before, nullable)}); every one becomes encrypted text,
# except binary content, which stays binary and is encrypted in place.
ENCRYPTED = {
    "plan": (["id"], {"title": (sa.String(200), False), "sections": (sa.JSON(), False)}),
    "plan_revision": (
        ["id"],
        {
            "title": (sa.String(200), False),
            "sections": (sa.JSON(), False),
            "summary": (sa.String(300), False),
        },
    ),
    "share": (["id"], {"sections": (sa.JSON(), False), "seen_digests": (sa.JSON(), True)}),
    "access_log": (["id"], {"sections": (sa.JSON(), True), "summary": (sa.Text(), False)}),
    "plan_comment": (["id"], {"text": (sa.Text(), False)}),
    "plan_suggestion": (
        ["id"],
        {
            "text": (sa.Text(), True),
            "note": (sa.Text(), False),
            "text_when_suggested": (sa.Text(), True),
            "decision_note": (sa.Text(), False),
        },
    ),
    "plan_import": (
        ["id"],
        {
            "file_name": (sa.String(255), False),
            "document_title": (sa.String(300), True),
            "document_author": (sa.String(300), True),
            "document_organisation": (sa.String(300), True),
            "subject_name": (sa.String(200), True),
            "subject_birth_date": (sa.String(40), True),
            "subject_where": (sa.String(300), True),
            "warnings": (sa.JSON(), False),
        },
    ),
    "plan_import_part": (
        ["id"],
        {
            "heading": (sa.String(300), True),
            "text": (sa.Text(), False),
            "decided_text": (sa.Text(), True),
            "note": (sa.Text(), True),
        },
    ),
    "plan_attachment": (
        ["id"],
        {"file_name": (sa.String(255), False), "content": (sa.LargeBinary(), False)},
    ),
    "synced_operation": (["owner_id", "op_id"], {"result": (sa.JSON(), False)}),
}
SHARED_LISTING = "ix_plan_shared_listing"
SHARED_LISTING_COLUMNS = ["id", "deleted_at", "updated_at", "version"]


def _stored_type(type_before: sa.types.TypeEngine) -> sa.types.TypeEngine:
    return sa.LargeBinary() if isinstance(type_before, sa.LargeBinary) else sa.Text()


def _change_types(*, encrypting: bool) -> None:
    for table_name, (_, columns) in ENCRYPTED.items():
        with op.batch_alter_table(table_name) as batch_op:
            for name, (type_before, nullable) in columns.items():
                if isinstance(type_before, sa.LargeBinary | sa.Text):
                    continue
                new_type, old_type = (sa.Text(), type_before) if encrypting else (type_before, sa.Text())
                # PostgreSQL converts between json and text only when told how.
                converts_json = isinstance(type_before, sa.JSON)
                batch_op.alter_column(
                    name,
                    type_=new_type,
                    existing_type=old_type,
                    existing_nullable=nullable,
                    postgresql_using=f"{name}::{'text' if encrypting else 'json'}"
                    if converts_json
                    else None,
                )


def _rewrite_all(rewrite_value) -> None:
    connection = op.get_bind()
    for table_name, (key, columns) in ENCRYPTED.items():
        stored_types = {name: _stored_type(type_) for name, (type_, _) in columns.items()}

        def rewrite(name: str, value, table_name=table_name, stored_types=stored_types):
            binary = isinstance(stored_types[name], sa.LargeBinary)
            return rewrite_value(f"{table_name}.{name}", value, binary)

        # Batches bound the memory used; the migration is still one transaction.
        for _ in rewrite_stored_values(connection, table_name, key, stored_types, rewrite):
            pass


def _encrypt(purpose: str, value, binary: bool):
    keyring = active_keyring()
    if binary:
        return keyring.encrypt(bytes(value), purpose)
    return keyring.encrypt_text(value, purpose)


def _decrypt(purpose: str, value, binary: bool):
    keyring = active_keyring()
    if binary:
        return keyring.decrypt(bytes(value), purpose)
    return keyring.decrypt_text(value, purpose)


def _check_rebuilding_tables_keeps_rows() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "SQLite foreign keys are on, so rebuilding the plan table would delete every row "
            "that cascades from it. Run migrations through migrations/env.py "
            "(python -m app migrate), which turns them off first."
        )


def upgrade() -> None:
    _check_rebuilding_tables_keeps_rows()
    op.drop_index(SHARED_LISTING, table_name="plan")
    _change_types(encrypting=True)
    _rewrite_all(_encrypt)
    op.create_index(SHARED_LISTING, "plan", SHARED_LISTING_COLUMNS)


def downgrade() -> None:
    _check_rebuilding_tables_keeps_rows()
    op.drop_index(SHARED_LISTING, table_name="plan")
    _rewrite_all(_decrypt)
    _change_types(encrypting=False)
    op.create_index(SHARED_LISTING, "plan", [*SHARED_LISTING_COLUMNS, "title"])
