"""plans get a random generation, the identity in-process caches keep them under; every plan
id ever used is recorded in used_plan_id, which outlives the plan, so no id is used twice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 11:30:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1_000


def upgrade() -> None:
    op.create_table(
        "used_plan_id",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    op.execute('INSERT INTO used_plan_id (plan_id) SELECT id FROM "plan"')
    op.add_column("plan", sa.Column("generation", sa.Uuid(), nullable=True))
    plan = sa.table("plan", sa.column("id", sa.Uuid()), sa.column("generation", sa.Uuid()))
    connection = op.get_bind()
    ids = connection.execute(sa.select(plan.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        connection.execute(
            plan.update()
            .where(plan.c.id == sa.bindparam("plan_id"))
            .values(generation=sa.bindparam("new_generation")),
            [
                {"plan_id": plan_id, "new_generation": uuid.uuid4()}
                for plan_id in ids[start : start + BATCH]
            ],
        )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.alter_column("generation", existing_type=sa.Uuid(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("generation")
    op.drop_table("used_plan_id")
