import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class SectionName(BaseModel):
    key: str
    title: str | None = Field(description="Empty when the section was removed from the plan")


class PersonRead(BaseModel):
    """Who someone is, as the people they deal with are shown them."""

    display_name: str
    role: str | None = None
    organisation: str | None = None


class AccessLogEntry(BaseModel):
    id: int
    at: datetime
    event: str
    summary: str
    who: PersonRead | None
    share_id: uuid.UUID | None
    crisis_card_id: uuid.UUID | None
    sections: list[SectionName]


class AccessLog(BaseModel):
    entries: list[AccessLogEntry]
    next_before: int | None = Field(description="Pass as `before` to read older entries")
