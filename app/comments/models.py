import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String
from sqlmodel import Field

from app.access_log.models import Attributed
from app.core.encryption import EncryptedText
from app.core.types import now_column
from app.plans.models import owner_id_column, plan_id_column


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
