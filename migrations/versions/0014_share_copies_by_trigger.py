"""share copies of the plan's updated_at kept by the database: a trigger on `plan` copies a
new `updated_at` to the plan's open shares in the same statement, where every edit used to
send an UPDATE of its own (a round trip per edit, also for plans shared with nobody).
Nothing is copied now that was not before: only a plan change (`plans.change_plan`) writes
`updated_at` after a plan is made. Downgrading drops the trigger, so the app of 0013
(which copies it itself) works again.

On SQLite, `batch_alter_table("plan")` in a later migration copies the table and drops its
triggers: such a migration must create this one again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = (
    "UPDATE share SET plan_updated_at = NEW.updated_at "
    "WHERE share.owner_id = NEW.owner_id AND share.plan_id = NEW.id AND share.ended_at IS NULL"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION copy_plan_updated_at_to_shares() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {_COPY}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER plan_updated_at_to_shares AFTER UPDATE OF updated_at ON plan "
            "FOR EACH ROW EXECUTE FUNCTION copy_plan_updated_at_to_shares()"
        )
    else:
        op.execute(
            "CREATE TRIGGER plan_updated_at_to_shares AFTER UPDATE OF updated_at ON plan "
            f"FOR EACH ROW BEGIN {_COPY}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER plan_updated_at_to_shares ON plan")
        op.execute("DROP FUNCTION copy_plan_updated_at_to_shares()")
    else:
        op.execute("DROP TRIGGER plan_updated_at_to_shares")
