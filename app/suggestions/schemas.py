import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.access_log.schemas import PersonRead, SectionName
from app.core.schemas import OptionalText, StrictInput, Text
from app.plans.schemas import SectionKey
from app.suggestions.models import SuggestionAction

# What _fits_action below requires, by action, in the schema.
_FITS_ACTION = [
    {
        "properties": {
            "action": {"const": "add"},
            "text": {"type": "string"},
            "entry_id": {"type": "null"},
        },
        "required": ["text"],
    },
    {
        "properties": {
            "action": {"const": "change"},
            "text": {"type": "string"},
            "entry_id": {"type": "string"},
            "prompt": {"type": "null"},
        },
        "required": ["text", "entry_id"],
    },
    {
        "properties": {
            "action": {"const": "remove"},
            "text": {"type": "null"},
            "entry_id": {"type": "string"},
            "prompt": {"type": "null"},
        },
        "required": ["entry_id"],
    },
]


class SuggestionCreate(StrictInput):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": _FITS_ACTION})

    section: SectionKey
    action: SuggestionAction
    entry_id: uuid.UUID | None = Field(default=None, description="For change and remove")
    text: Text | None = Field(default=None, description="The suggested words, for add and change")
    prompt: SectionKey | None = Field(default=None, description="For add: which prompt it answers")
    note: OptionalText = Field(default="", description="Why you suggest it, for the person")

    @model_validator(mode="after")
    def _fits_action(self):
        if self.action == SuggestionAction.add and (self.text is None or self.entry_id):
            raise ValueError("to suggest adding an entry, send its text and no entry_id")
        if self.action == SuggestionAction.change and (self.text is None or not self.entry_id):
            raise ValueError("to suggest changing an entry, send its entry_id and the new text")
        if self.action == SuggestionAction.remove and (not self.entry_id or self.text):
            raise ValueError("to suggest removing an entry, send its entry_id and no text")
        if self.prompt is not None and self.action != SuggestionAction.add:
            raise ValueError("prompt is only for suggesting a new entry")
        return self


class SuggestionAcceptance(StrictInput):
    apply_although_changed: bool = Field(
        default=False,
        description="Apply a change even though the entry changed after it was suggested",
    )
    text: Text | None = Field(
        default=None,
        description="For add and change: the owner's own version of the suggested words, "
        "put in the plan instead of them (changing it first)",
    )


class SuggestionRejection(StrictInput):
    reason: OptionalText = Field(default="", description="Shown to the person who suggested it")


class SuggestionRead(BaseModel):
    id: uuid.UUID
    status: str
    summary: str
    suggested_by: PersonRead
    section: SectionName
    action: SuggestionAction
    entry_id: uuid.UUID | None
    text: str | None
    prompt: str | None
    note: str
    text_when_suggested: str | None
    current_text: str | None = Field(description="The entry's words now (owner's view only)")
    target_changed: bool = Field(description="The entry changed or went after the suggestion")
    created_at: datetime
    decided_at: datetime | None
    decision_note: str


class SuggestionDecided(BaseModel):
    suggestion: SuggestionRead
    plan_version: int
