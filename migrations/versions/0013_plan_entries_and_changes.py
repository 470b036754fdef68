"""plan bodies in pieces, history as changes: each plan's entries move from `plan.sections`
into `plan_entry` rows and the sections' fields into `plan.outline`; each revision keeps
what changed since the one before (`changes`) instead of a whole copy, with a whole copy
(`snapshot`) now and then (app/plans/history.py decides when, as for new revisions).
Every version reads back exactly as before (tests/test_history_migration.py). Downgrading
rebuilds every whole copy.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 17:30:00
"""

import uuid
from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from app.core.encryption import EncryptedJSON
from app.plans.document import (
    apply_in_place,
    assembled_from_rows,
    changes_between,
    outline_of,
    same,
)
from app.plans.history import first_sizes, kept_for

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLANS_PER_BATCH = 200

plan = sa.table(
    "plan",
    sa.column("id", sa.Uuid()),
    sa.column("owner_id", sa.Uuid()),
    sa.column("version", sa.Integer()),
    sa.column("sections", EncryptedJSON("plan.sections")),
    sa.column("outline", EncryptedJSON("plan.outline")),
    sa.column("snapshot_size", sa.Integer()),
    sa.column("changes_size", sa.Integer()),
)
revision_table = sa.table(
    "plan_revision",
    sa.column("id", sa.Integer()),
    sa.column("plan_id", sa.Uuid()),
    sa.column("number", sa.Integer()),
    sa.column("sections", EncryptedJSON("plan_revision.sections")),
    sa.column("changes", EncryptedJSON("plan_revision.changes")),
    sa.column("snapshot", EncryptedJSON("plan_revision.snapshot")),
)
entry = sa.table(
    "plan_entry",
    sa.column("plan_id", sa.Uuid()),
    sa.column("section_key", sa.String()),
    sa.column("id", sa.Uuid()),
    sa.column("owner_id", sa.Uuid()),
    sa.column("position", sa.Integer()),
    sa.column("content", EncryptedJSON("plan_entry.content")),
)


def upgrade() -> None:
    op.create_table(
        "plan_entry",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("section_key", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "section_key", "id", name="pk_plan_entry"),
    )
    op.create_index("ix_plan_entry_order", "plan_entry", ["plan_id", "section_key", "position"])
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outline", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("snapshot_size", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("changes_size", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("snapshot", sa.Text(), nullable=True))

    connection = op.get_bind()
    for plans in _batches(connection):
        for row in plans:
            _split_plan(connection, row)

    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.alter_column("outline", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("sections")
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.drop_column("sections")


def _batches(connection):
    ids = connection.execute(sa.select(plan.c.id).order_by(plan.c.id)).scalars().all()
    for start in range(0, len(ids), PLANS_PER_BATCH):
        chosen = ids[start : start + PLANS_PER_BATCH]
        yield connection.execute(
            sa.select(plan.c.id, plan.c.owner_id, plan.c.version, plan.c.sections).where(
                plan.c.id.in_(chosen)
            )
        ).all()


def _split_plan(connection, row) -> None:
    entries = [
        {
            "plan_id": row.id,
            "section_key": section["key"],
            "id": uuid.UUID(item["id"]),
            "owner_id": row.owner_id,
            "position": position,
            "content": item,
        }
        for section in row.sections
        for position, item in enumerate(section["entries"], start=1)
    ]
    if entries:
        connection.execute(entry.insert(), entries)
    sizes = SimpleNamespace(**first_sizes(row.sections))
    before = None
    last_number = None
    revisions = connection.execute(
        sa.select(revision_table.c.id, revision_table.c.number, revision_table.c.sections)
        .where(revision_table.c.plan_id == row.id)
        .order_by(revision_table.c.number)
    ).all()
    for kept_revision in revisions:
        sections = kept_revision.sections
        if before is None:
            kept, new_sizes = {"snapshot": sections}, first_sizes(sections)
        else:
            steps = changes_between(before, sections)
            kept, new_sizes = kept_for(sizes, steps, lambda s=sections: s)
        vars(sizes).update(new_sizes)
        connection.execute(
            revision_table.update()
            .where(revision_table.c.id == kept_revision.id)
            .values(changes=kept.get("changes"), snapshot=kept.get("snapshot"))
        )
        before, last_number = sections, kept_revision.number
    if not (last_number == row.version and same(before, row.sections)):
        sizes.snapshot_size = 0  # the next change is kept whole
    connection.execute(
        plan.update()
        .where(plan.c.id == row.id)
        .values(
            outline=outline_of(row.sections),
            snapshot_size=sizes.snapshot_size,
            changes_size=sizes.changes_size,
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sections", sa.Text(), nullable=True))
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sections", sa.Text(), nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.select(plan.c.id)).scalars().all()
    for plan_id in ids:
        outline = connection.execute(
            sa.select(plan.c.outline).where(plan.c.id == plan_id)
        ).scalar_one()
        rows = connection.execute(
            sa.select(entry.c.section_key, entry.c.content)
            .where(entry.c.plan_id == plan_id)
            .order_by(entry.c.section_key, entry.c.position)
        )
        connection.execute(
            plan.update()
            .where(plan.c.id == plan_id)
            .values(sections=assembled_from_rows(outline, rows))
        )
        body: list = []
        for kept in connection.execute(
            sa.select(
                revision_table.c.id, revision_table.c.changes, revision_table.c.snapshot
            )
            .where(revision_table.c.plan_id == plan_id)
            .order_by(revision_table.c.number)
        ).all():
            if kept.snapshot is not None:
                body = kept.snapshot
            else:
                apply_in_place(body, kept.changes)
            connection.execute(
                revision_table.update()
                .where(revision_table.c.id == kept.id)
                .values(sections=body)
            )
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.alter_column("sections", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("changes")
        batch_op.drop_column("snapshot")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.alter_column("sections", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("changes_size")
        batch_op.drop_column("snapshot_size")
        batch_op.drop_column("outline")
    op.drop_index("ix_plan_entry_order", table_name="plan_entry")
    op.drop_table("plan_entry")
