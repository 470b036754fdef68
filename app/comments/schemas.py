import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.access_log.schemas import PersonRead, SectionName
from app.core.schemas import StrictInput, trimmed_text
from app.plans.schemas import SectionKey

CommentText = trimmed_text(4000)


def _acknowledgement_required(schema: dict[str, Any]) -> None:
    # Refused by the service (with why) when left out or false; the schema says so.
    schema["required"] = [*schema.get("required", []), "acknowledged_visible_to_person"]
    acknowledgement = schema["properties"]["acknowledged_visible_to_person"]
    acknowledgement["const"] = True
    del acknowledgement["default"]


class CommentCreate(StrictInput):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_acknowledgement_required)

    section: SectionKey
    text: CommentText
    acknowledged_visible_to_person: bool = Field(
        default=False,
        description="Must be true: you understand the person whose plan it is will read this",
    )


class ReplyCreate(StrictInput):
    text: CommentText


class CommentRead(BaseModel):
    id: uuid.UUID
    section: SectionName
    text: str
    written_by: PersonRead
    by_plan_owner: bool
    created_at: datetime
    replies: list["CommentRead"] = []
