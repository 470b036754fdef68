import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from app.core.schemas import ChangeInput, OptionalText, StrictInput, Text, trimmed_text
from app.plans.schemas import PlanRead, SectionKey
from app.sharing.models import Permission, ShareLabel, SuggestionAction

CommentText = trimmed_text(4000)


# ---- requests --------------------------------------------------------------------------


class ShareCreate(StrictInput):
    sections: list[SectionKey] = Field(min_length=1, max_length=100)
    permission: Permission
    label: ShareLabel
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the share ends by itself; leave out for no end date"
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"sections": ["crisis"], "permission": "view", "label": "carer"}]
        }
    }


class ShareUpdate(ChangeInput):
    clearable = frozenset({"expires_at"})
    sections: list[SectionKey] | None = Field(default=None, min_length=1, max_length=100)
    permission: Permission | None = None
    label: ShareLabel | None = None
    expires_at: AwareDatetime | None = Field(
        default=None, description="A new end date; send null to remove the end date"
    )


class InviteAcceptance(StrictInput):
    code: str = Field(min_length=1, max_length=100, description="The invite code or link code")


class SharingSwitchUpdate(StrictInput):
    enabled: bool


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


class CrisisCardCreate(StrictInput):
    expires_at: AwareDatetime | None = Field(
        default=None, description="Defaults to 90 days from now; at most two years ahead"
    )


# ---- responses -------------------------------------------------------------------------


class SectionName(BaseModel):
    key: str
    title: str | None = Field(description="Empty when the section was removed from the plan")


class SharedSection(SectionName):
    hidden: bool = Field(description="Hidden sections are not shown to anyone you share with")


class Person(BaseModel):
    display_name: str
    role: str | None = None
    organisation: str | None = None


class ShareRead(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    status: str = Field(
        description="waiting (invite not accepted yet), active, invite_expired, expired, "
        "revoked, sharing_switched_off, plan_deleted (the plan was restored without its "
        "sharing), account_closed"
    )
    summary: str = Field(description="Who can see what, until when, in plain words")
    grantee: Person | None
    label: ShareLabel
    permission: Permission
    sections: list[SharedSection]
    created_at: datetime
    invite_expires_at: datetime
    accepted_at: datetime | None
    expires_at: datetime | None
    ended_at: datetime | None


class ShareCreated(ShareRead):
    invite_code: str = Field(description="Shown once: give it to the person you share with")
    invite_link: str = Field(description="A link path holding the code, for the app")


class ShareRevoked(ShareRead):
    message: str


class SharingSwitchRead(BaseModel):
    enabled: bool
    changed_at: datetime | None
    message: str


class SharedWithMe(BaseModel):
    share_id: uuid.UUID
    plan_id: uuid.UUID
    plan_title: str
    person: Person
    label: ShareLabel
    permission: Permission
    sections: list[SectionName]
    since: datetime
    until: datetime | None
    plan_version: int
    last_viewed_at: datetime | None = Field(description="When you last opened it, to the minute")
    last_viewed_version: int | None
    changed_since_last_view: bool
    changed_sections: list[str] = Field(description="Keys of shared sections changed since")
    summary: str


class SharedWithMeList(BaseModel):
    shares: list[SharedWithMe]
    total: int
    limit: int
    offset: int


class ShareGrant(BaseModel):
    share_id: uuid.UUID
    permission: Permission
    until: datetime | None


class ScopedPlan(PlanRead):
    share: ShareGrant


class CommentRead(BaseModel):
    id: uuid.UUID
    section: SectionName
    text: str
    written_by: Person
    by_plan_owner: bool
    created_at: datetime
    replies: list["CommentRead"] = []


class SuggestionRead(BaseModel):
    id: uuid.UUID
    status: str
    summary: str
    suggested_by: Person
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


class AccessLogEntry(BaseModel):
    id: int
    at: datetime
    event: str
    summary: str
    who: Person | None
    share_id: uuid.UUID | None
    crisis_card_id: uuid.UUID | None
    sections: list[SectionName]


class AccessLog(BaseModel):
    entries: list[AccessLogEntry]
    next_before: int | None = Field(description="Pass as `before` to read older entries")


class CrisisCardRead(BaseModel):
    id: uuid.UUID
    status: str = Field(description="active, expired or revoked")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    uses: int
    message: str


class CrisisCardCreated(CrisisCardRead):
    url: str = Field(description="Shown once: the link to the card")
    qr_svg: str = Field(description="A QR code of the link, as an SVG image")
