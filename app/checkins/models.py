import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedText
from app.core.types import UTCDateTime, now_column
from app.plans.models import owner_id_column, plan_id_column


class CheckIn(SQLModel, table=True):
    """One answer to "How are you today?". Its id is made by the device that recorded it,
    so sending it again after a lost connection keeps one copy."""

    __tablename__ = "check_in"
    __table_args__ = (Index("ix_check_in_owner_plan_at", "owner_id", "plan_id", "at"),)

    # By owner first, as every table of plan data: one person's ids never meet another's.
    owner_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    id: uuid.UUID = Field(primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    state: str = Field(sa_column=Column(String(30), nullable=False))
    # The person's own words: what helped, or anything they want to remember.
    note: str = Field(sa_column=Column(EncryptedText("check_in.note"), nullable=False))
    # When the person checked in, as their device says: it may reach us much later.
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_at: datetime = now_column()


class CheckInSettings(SQLModel, table=True):
    """What the person chose for one plan's check-ins: whether people they share the plan
    with may see them, and how often to be reminded to check in."""

    __tablename__ = "check_in_settings"

    plan_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    )
    owner_id: uuid.UUID = owner_id_column()
    shared: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    rhythm: str = Field(default="none", sa_column=Column(String(10), nullable=False))
    # "19:00", on the person's own clock wherever they are (a floating time in the calendar).
    remind_at: str = Field(default="19:00", sa_column=Column(String(5), nullable=False))
    # 0 Monday … 6 Sunday, for a weekly rhythm.
    weekday: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    updated_at: datetime = now_column()
