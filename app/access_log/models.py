import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedJSON, EncryptedText
from app.core.types import now_column
from app.plans.models import owner_id_column


class Attributed(SQLModel):
    """Who wrote or did something, kept as it was so it still reads right after a rename or
    after their account is gone."""

    author_id: uuid.UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL", nullable=True
    )
    author_name: str = Field(max_length=100)
    author_role: str | None = Field(default=None, max_length=20)
    author_organisation: str | None = Field(default=None, max_length=200)


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
