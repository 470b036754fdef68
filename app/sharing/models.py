import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedJSON, EncryptedText
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


class Attributed(SQLModel):
    """Who wrote or did something, kept as it was so it still reads right after a rename or
    after their account is gone."""

    author_id: uuid.UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL", nullable=True
    )
    author_name: str = Field(max_length=100)
    author_role: str | None = Field(default=None, max_length=20)
    author_organisation: str | None = Field(default=None, max_length=200)


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
    # Copies of the plan's updated_at (kept by plans.change_plan while the share is open)
    # and deleted_at (kept by plans.soft_delete and restore_deleted), so "shared with me"
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
    """An expiring, revocable link that shows only the crisis plan to whoever holds it."""

    __tablename__ = "crisis_card"
    __table_args__ = (Index("ix_crisis_card_plan", "plan_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    token_digest: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = now_column()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class AccessEvent(Attributed, table=True):
    """One line of the person's access log: a read by someone else, or a sharing change.
    `plan_id` is empty for account-wide events (the sharing switch)."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_owner_newest", "owner_id", "id"),
        Index("ix_access_log_share", "share_id"),
        Index("ix_access_log_crisis_card", "crisis_card_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = owner_id_column()
    plan_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=True)
    )
    at: datetime = now_column()
    event: str = Field(sa_column=Column(String(30), nullable=False))
    share_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("share.id", ondelete="SET NULL"))
    )
    crisis_card_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("crisis_card.id", ondelete="SET NULL"))
    )
    # [{key, title}] of the sections the reader was shown, titles as they were then.
    sections: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(EncryptedJSON("access_log.sections"))
    )
    # Summaries quote section titles and what was shared.
    summary: str = Field(sa_column=Column(EncryptedText("access_log.summary"), nullable=False))


class Comment(Attributed, table=True):
    """A supporter's comment on a section, or the person's reply to one. Kept apart from the
    plan so a supporter's words are never mixed into the person's own."""

    __tablename__ = "plan_comment"
    __table_args__ = (
        Index("ix_plan_comment_plan", "plan_id", "created_at"),
        Index("ix_plan_comment_share", "share_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    share_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("share.id", ondelete="SET NULL"))
    )
    reply_to_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("plan_comment.id", ondelete="CASCADE"))
    )
    section_key: str = Field(sa_column=Column(String(63), nullable=False))
    text: str = Field(sa_column=Column(EncryptedText("plan_comment.text"), nullable=False))
    created_at: datetime = now_column()


class SuggestionAction(StrEnum):
    add = "add"
    change = "change"
    remove = "remove"


class SuggestionStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class Suggestion(Attributed, table=True):
    """A proposed edit to one shared section. Nothing changes until the owner accepts it."""

    __tablename__ = "plan_suggestion"
    __table_args__ = (
        Index("ix_plan_suggestion_plan", "plan_id", "status", "created_at"),
        Index("ix_plan_suggestion_share", "share_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    share_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("share.id", ondelete="SET NULL"))
    )
    section_key: str = Field(sa_column=Column(String(63), nullable=False))
    action: str = Field(sa_column=Column(String(10), nullable=False))
    entry_id: str | None = Field(default=None, sa_column=Column(String(36)))
    text: str | None = Field(default=None, sa_column=Column(EncryptedText("plan_suggestion.text")))
    prompt: str | None = Field(default=None, sa_column=Column(String(63)))
    note: str = Field(
        default="", sa_column=Column(EncryptedText("plan_suggestion.note"), nullable=False)
    )
    # The entry's words when the suggestion was made, to tell the owner if they changed since.
    text_when_suggested: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_suggestion.text_when_suggested"))
    )
    status: str = Field(
        default=SuggestionStatus.pending, sa_column=Column(String(10), nullable=False)
    )
    created_at: datetime = now_column()
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    decision_note: str = Field(
        default="", sa_column=Column(EncryptedText("plan_suggestion.decision_note"), nullable=False)
    )
