import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    Uuid,
    event,
    insert,
    select,
)
from sqlalchemy.orm import Session, object_session
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedJSON, EncryptedText
from app.core.types import UTCDateTime, now_column
from app.plans.document import assembled_from_rows


def plan_id_column() -> Any:
    """The plan a row belongs to; removing the plan removes the row."""
    return Field(sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=False))


def owner_id_column() -> Any:
    """The plan owner, on every table holding plan data (for later distribution by owner)."""
    return Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )


class Plan(SQLModel, table=True):
    """A person's plan. Its body is kept in pieces, so that an edit writes only what it
    changes: the sections' fields in `outline` (app/plans/document.py), each entry in a
    `plan_entry` row. `version` guards every write."""

    __tablename__ = "plan"
    __table_args__ = (Index("ix_plan_owner_updated", "owner_id", "updated_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    # Random, made with the row: what is remembered of a plan in memory is kept under it
    # (app/core/caches.py), so nothing remembered of one row can answer for another.
    generation: uuid.UUID = Field(
        default_factory=uuid.uuid4, sa_column=Column(Uuid, nullable=False, default=uuid.uuid4)
    )
    template: str = Field(sa_column=Column(String(20), nullable=False))
    title: str = Field(sa_column=Column(EncryptedText("plan.title"), nullable=False))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    outline: list[dict[str, Any]] = Field(
        sa_column=Column(EncryptedJSON("plan.outline"), nullable=False)
    )
    # What the history holds since its last full copy (app/plans/history.py), as stored.
    snapshot_size: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    changes_size: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    created_at: datetime = now_column()
    updated_at: datetime = now_column()
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

    @property
    def sections(self) -> list[dict[str, Any]]:
        """The whole body as it stands in this object's session (its own writes included),
        for reading; changes go through `service.change_plan`."""
        return body_of(object_session(self), self)


class PlanEntry(SQLModel, table=True):
    """One entry of a plan's section: an edit rewrites this row, not the plan."""

    __tablename__ = "plan_entry"
    __table_args__ = (
        PrimaryKeyConstraint("plan_id", "section_key", "id", name="pk_plan_entry"),
        Index("ix_plan_entry_order", "plan_id", "section_key", "position"),
    )

    plan_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    )
    section_key: str = Field(sa_column=Column(String(100), nullable=False))
    id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    # Its place in the section: entries are read in this order.
    position: int = Field(sa_column=Column(Integer, nullable=False))
    content: dict[str, Any] = Field(
        sa_column=Column(EncryptedJSON("plan_entry.content"), nullable=False)
    )


def body_of(session: Session, plan: Plan) -> list[dict[str, Any]]:
    """The plan's body as `session` sees it: its outline with each section's entries."""
    rows = session.execute(
        select(PlanEntry.section_key, PlanEntry.content)
        .where(PlanEntry.owner_id == plan.owner_id, PlanEntry.plan_id == plan.id)
        .order_by(PlanEntry.section_key, PlanEntry.position)
    )
    return assembled_from_rows(plan.outline, rows)


class PlanRevision(SQLModel, table=True):
    """One change of the plan: what changed (`changes`, app/plans/document.py), or now and
    then the whole body (`snapshot`), from which later versions are rebuilt
    (app/plans/history.py). Restoring one makes a new change."""

    __tablename__ = "plan_revision"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_revision_number"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    )
    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    number: int = Field(sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(EncryptedText("plan_revision.title"), nullable=False))
    changes: list[list[Any]] | None = Field(
        default=None, sa_column=Column(EncryptedJSON("plan_revision.changes"))
    )
    snapshot: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(EncryptedJSON("plan_revision.snapshot"))
    )
    # Summaries quote section titles ("Added section '...'").
    summary: str = Field(sa_column=Column(EncryptedText("plan_revision.summary"), nullable=False))
    author_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
    # Kept as written so history still names the author after their account is gone.
    author_name: str = Field(sa_column=Column(String(100), nullable=False))
    created_at: datetime = now_column()


class UsedPlanId(SQLModel, table=True):
    """Every plan id ever used, written with the plan and kept after it is deleted, purged
    or its owner's account is gone: a plan id is never used twice, so nobody can make a
    plan under an id that once named someone else's."""

    __tablename__ = "used_plan_id"

    plan_id: uuid.UUID = Field(primary_key=True)


@event.listens_for(Plan, "after_insert")
def _record_used_plan_id(_mapper, connection, plan: Plan) -> None:
    # On the mapper, so every way of making a plan (the API, sync, an imported file) records it.
    connection.execute(insert(UsedPlanId.__table__).values(plan_id=plan.id))
