import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedJSON
from app.core.types import UTCDateTime, now_column
from app.plans.models import Plan, owner_id_column, plan_id_column


class Permission(StrEnum):
    """Ordered: each level includes the ones before it."""

    view = "view"
    comment = "comment"
    suggest = "suggest"


PERMISSION_ORDER = list(Permission)


class ShareLabel(StrEnum):
    link_worker = "link_worker"
    clinician = "clinician"
    carer = "carer"
    peer_worker = "peer_worker"
    other = "other"


class EndReason(StrEnum):
    revoked = "revoked"
    sharing_switched_off = "sharing_switched_off"
    # The plan was deleted, then restored without its sharing.
    plan_deleted = "plan_deleted"


class Share(SQLModel, table=True):
    """A grant from a plan's owner: which sections, what the grantee may do, until when.
    It starts as an invite (only the code's digest is stored) and is taken by whoever
    accepts the code while signed in."""

    __tablename__ = "share"
    __table_args__ = (
        Index("ix_share_grantee_live", "grantee_id", "ended_at"),
        Index("ix_share_plan_created", "plan_id", "created_at"),
        Index("ix_share_owner_live", "owner_id", "ended_at"),
        # "Shared with me" pages through a grantee's open shares newest plan first, straight
        # from this index: no sorting, and only the page's plans are looked up.
        Index(
            "ix_share_grantee_listing",
            "grantee_id",
            "plan_updated_at",
            "id",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    grantee_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
    # Section keys: custom sections made by earlier versions have keys made from their
    # titles, the person's words.
    sections: list[str] = Field(sa_column=Column(EncryptedJSON("share.sections"), nullable=False))
    permission: str = Field(sa_column=Column(String(10), nullable=False))
    label: str = Field(sa_column=Column(String(20), nullable=False))
    invite_digest: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    invite_expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = now_column()
    # Copies of the plan's updated_at (kept while the share is open by a trigger on the
    # plan table, migrations/versions/0014) and deleted_at (kept by plans.soft_delete and
    # restore_deleted, through sharing/plan_copies.py), so "shared with me"
    # can order and count a grantee's shares without reading every plan.
    plan_updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    plan_deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    end_reason: str | None = Field(default=None, sa_column=Column(String(30)))
    # What the grantee saw last time, so "shared with me" can say what changed since.
    last_viewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_viewed_version: int | None = Field(default=None, sa_column=Column(Integer))
    seen_digests: dict[str, str] | None = Field(
        default=None, sa_column=Column(EncryptedJSON("share.seen_digests"))
    )


# "Shared with me" joins a grantee's shares to their plans. This index holds the plan
# columns that list filters and sorts on, so the join is index lookups; without it
# PostgreSQL prefers scanning every plan over a thousand lookups by id. (The title is
# encrypted, so copying it into an index would gain nothing.)
Index("ix_plan_shared_listing", Plan.id, Plan.deleted_at, Plan.updated_at, Plan.version)


class SharingSwitch(SQLModel, table=True):
    """The person's one switch for all sharing; no row means sharing is on."""

    __tablename__ = "sharing_switch"

    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    enabled: bool = Field(sa_column=Column(Boolean, nullable=False))
    changed_at: datetime = now_column()


class CrisisCard(SQLModel, table=True):
    """An expiring, revocable link that shows only the crisis plan to whoever holds it.
    Its table is here, beside the shares, because the sharing switch ends both at once;
    what the card does is in app/crisis_card."""

    __tablename__ = "crisis_card"
    __table_args__ = (Index("ix_crisis_card_plan", "plan_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    token_digest: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = now_column()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
