import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedJSON
from app.core.types import now_column


class SyncedOperation(SQLModel, table=True):
    """The outcome of one queued change a device sent, kept so a replay returns it again
    instead of applying the change twice."""

    __tablename__ = "synced_operation"

    owner_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    op_id: uuid.UUID = Field(primary_key=True)
    # No foreign key: a device may name a plan that was never created or is gone by now.
    plan_id: uuid.UUID
    # A conflict's result holds both versions of an entry, so the person's words.
    result: dict[str, Any] = Field(
        sa_column=Column(EncryptedJSON("synced_operation.result"), nullable=False)
    )
    synced_at: datetime = now_column()
