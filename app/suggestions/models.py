import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String
from sqlmodel import Field

from app.access_log.models import Attributed
from app.core.encryption import EncryptedText
from app.core.types import UTCDateTime, now_column
from app.plans.models import owner_id_column, plan_id_column


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
