"""imports: crisis statements brought in from other systems, their proposed parts, and
the files kept with a plan (the original of each import).

Revision ID: 0004_imports
Revises: 0003_sharing
Create Date: 2026-11-23 09:45:35.663179
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types


revision: str = '0004_imports'
down_revision: str | None = '0003_sharing'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan_import',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('imported_by_id', sa.Uuid(), nullable=True),
    sa.Column('imported_by_name', sa.String(length=100), nullable=False),
    sa.Column('imported_by_role', sa.String(length=20), nullable=False),
    sa.Column('imported_by_organisation', sa.String(length=200), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('source_format', sa.String(length=10), nullable=False),
    sa.Column('source_system', sa.String(length=300), nullable=True),
    sa.Column('document_title', sa.String(length=300), nullable=True),
    sa.Column('document_author', sa.String(length=300), nullable=True),
    sa.Column('document_organisation', sa.String(length=300), nullable=True),
    sa.Column('subject_name', sa.String(length=200), nullable=True),
    sa.Column('subject_birth_date', sa.String(length=40), nullable=True),
    sa.Column('subject_where', sa.String(length=300), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_import', schema=None) as batch_op:
        batch_op.create_index('ix_plan_import_plan_created', ['plan_id', 'created_at'], unique=False)

    op.create_table('plan_attachment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('import_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['plan_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_plan_attachment_import', ['import_id'], unique=False)

    op.create_table('plan_import_part',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('import_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=63), nullable=False),
    sa.Column('heading', sa.String(length=300), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_text', sa.Text(), nullable=True),
    sa.Column('decided_field', sa.String(length=63), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('entry_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['plan_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('import_id', 'position', name='uq_import_part_position')
    )


def downgrade() -> None:
    op.drop_table('plan_import_part')
    with op.batch_alter_table('plan_attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_attachment_import')

    op.drop_table('plan_attachment')
    with op.batch_alter_table('plan_import', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_import_plan_created')

    op.drop_table('plan_import')
