"""imports keep their provenance in detail: who attested the document (witnesses,
notaries, the person's own signature), and for each proposed part, who wrote it when the
document says so (our own FHIR export's Provenance), so that accepting it credits them.
Both are encrypted text (app/core/encryption.py); new and empty, so nothing to rewrite.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plan_import", sa.Column("document_attesters", sa.Text(), nullable=True))
    op.add_column("plan_import_part", sa.Column("provenance", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_import_part", schema=None) as batch_op:
        batch_op.drop_column("provenance")
    with op.batch_alter_table("plan_import", schema=None) as batch_op:
        batch_op.drop_column("document_attesters")
