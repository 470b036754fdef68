import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.core.schemas import StrictInput, Text
from app.plans.contradictions import ContradictionRead
from app.plans.templates import CRISIS_FIELDS

CrisisField = Literal[tuple(CRISIS_FIELDS)]  # type: ignore[valid-type]


class PartDecisionIn(StrictInput):
    """Your decision on one proposed part.

    - `accept`: the words go into your crisis plan, labelled as imported. Send `text` to
      change the words first, and `field` to put them under another part of your plan.
    - `reject`: nothing goes into your plan.
    - Keeping a part while disagreeing: `accept` with a `note` in your own words, such as
      "I disagree because …". The note is kept beside the imported words, marked as yours.
    """

    part_id: uuid.UUID
    action: Literal["accept", "reject"]
    text: Text | None = Field(default=None, description="Your edit of the words (accept only)")
    field: CrisisField | None = Field(
        default=None, description="Put it under this crisis-plan field instead (accept only)"
    )
    note: Text | None = Field(
        default=None, description="Your own note about this part, e.g. 'I disagree because …'"
    )


class DecisionsIn(StrictInput):
    decisions: list[PartDecisionIn] = Field(min_length=1, max_length=500)
    warnings_seen: bool = Field(
        default=False,
        description="Needed to accept parts of an import with warnings (for example, the "
        "document names someone else): confirms you have read them.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "decisions": [
                        {"part_id": "5f0c6a52-8f67-4a8e-9d0e-1f1f3c1d2a10", "action": "accept"},
                        {
                            "part_id": "0b6f3d8e-2c1a-4a57-b0c4-7d8a2b1f9e33",
                            "action": "accept",
                            "note": "I disagree because this made me feel worse last time.",
                        },
                        {"part_id": "9a7e1c44-3b2d-4f6e-8a19-6c5d4b3a2f11", "action": "reject"},
                    ]
                }
            ]
        }
    }


class Importer(BaseModel):
    """Who sent a statement in: their name, role and organisation as their account says."""

    display_name: str
    role: str | None = None
    organisation: str | None = None


class Attester(BaseModel):
    """Someone who signed, witnessed or notarised the document: its provenance, not a
    helper."""

    name: str
    role: str | None = Field(default=None, description="e.g. 'witness', 'notary', 'signed it'")
    time: str | None = Field(default=None, description="When, as the document says")


class ImportSource(BaseModel):
    file_name: str
    content_type: str
    format: Literal["fhir", "docx", "pdf", "markdown", "text"]
    system: str | None = Field(default=None, description="The system it came from, if known")
    title: str | None = None
    author: str | None = Field(default=None, description="Who wrote it, as the document says")
    organisation: str | None = None


class AboutWhom(BaseModel):
    """Who the document says it is about, as written in it."""

    name: str | None = None
    birth_date: str | None = None
    where: str | None = Field(default=None, description="Where in the file it says so")


class ImportWarning(BaseModel):
    code: str
    message: str
    where: str | None = None


class AttachmentRead(BaseModel):
    id: uuid.UUID
    kind: Literal["original", "embedded"] = Field(
        description="'original': the file that was sent; 'embedded': a file inside it"
    )
    file_name: str
    content_type: str
    size: int
    sha256: str
    url: str
    created_at: datetime


class CurrentEntry(BaseModel):
    id: uuid.UUID
    text: str


class PartDecisionRead(BaseModel):
    text: str | None = None
    field: str | None = None
    note: str | None = None
    entry_id: uuid.UUID | None = None
    decided_at: datetime


class PartRead(BaseModel):
    id: uuid.UUID
    field: str = Field(description="The crisis-plan field it maps to ('other' if none)")
    field_label: str
    heading: str | None = Field(default=None, description="Its heading in the document")
    where: str = Field(description="Where in the file it came from")
    text: str
    status: Literal["proposed", "accepted", "rejected"]
    current: list[CurrentEntry] | None = Field(
        default=None,
        description="What the plan says under the same field now (shown to the owner only)",
    )
    decision: PartDecisionRead | None = None


class ImportSummary(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    status: Literal["proposed", "reviewed"]
    summary: str
    imported_by: Importer
    source: ImportSource
    attested_by: list[Attester] = Field(
        default_factory=list,
        description="Who signed, witnessed or notarised the document, as it says: part of "
        "its provenance, never proposed as helpers",
    )
    warnings: list[ImportWarning]
    counts: dict[str, int]
    created_at: datetime
    reviewed_at: datetime | None = None


class ImportRead(ImportSummary):
    contradictions: list[ContradictionRead] | None = Field(
        default=None,
        description="What accepting the waiting parts would contradict, in your plan or in "
        "the import itself (shown to the owner only)",
    )
    about: AboutWhom
    attachments: list[AttachmentRead]
    parts: list[PartRead]


class ImportDecided(ImportRead):
    plan_version: int
