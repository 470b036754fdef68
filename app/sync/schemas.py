import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.schemas import TEXT_MAX_CHARS, TITLE_MAX_CHARS, StrictInput, Text, Title
from app.plans.schemas import (
    MAX_ENTRIES_IN_SECTION,
    MAX_KEPT_CONTRADICTIONS,
    MAX_SECTIONS,
    EntryUpdate,
    Goal,
    InsertedPage,
    PlanRead,
    SectionKey,
    SectionUpdate,
)
from app.plans.templates import Template

MAX_OPERATIONS = 500
CURSOR_MAX_CHARS = 100_000
Version = Annotated[int, Field(ge=1, description="The plan version your device last had")]


class _Operation(StrictInput):
    op_id: uuid.UUID = Field(description="Made by your device; sending it again is harmless")
    plan_id: uuid.UUID


class _PlanOperation(_Operation):
    base_version: Version


class CreatePlan(_Operation):
    kind: Literal["create_plan"]
    template: Template
    title: Title | None = None


class TitleBase(StrictInput):
    title: Annotated[str, StringConstraints(max_length=TITLE_MAX_CHARS)]


class RenamePlan(_PlanOperation):
    kind: Literal["rename_plan"]
    title: Title
    base: TitleBase | None = Field(
        default=None, description="The title your device had; defaults to base_version's"
    )


class AddEntry(_PlanOperation):
    kind: Literal["add_entry"]
    section: SectionKey
    entry_id: uuid.UUID = Field(description="Made by your device, so it can edit the entry")
    text: Text
    prompt: SectionKey | None = None
    goal: Goal | None = None
    page: InsertedPage | None = None


class EntryBase(StrictInput):
    """The entry as your device had it before this change (only the fields you change)."""

    text: Annotated[str, StringConstraints(max_length=TEXT_MAX_CHARS)] | None = None
    prompt: SectionKey | None = None
    goal: Goal | None = None
    page: InsertedPage | None = None


# An operation's changes are checked with the operation (a bad one is rejected alone and
# the rest still apply), so the request's schema allows what that check refuses.
_CHECKED_PER_OPERATION = ConfigDict(extra="forbid", json_schema_extra=None)


class EntryChanges(EntryUpdate):
    model_config = _CHECKED_PER_OPERATION


class SectionChanges(SectionUpdate):
    model_config = _CHECKED_PER_OPERATION


class EditEntry(_PlanOperation):
    kind: Literal["edit_entry"]
    section: SectionKey
    entry_id: uuid.UUID
    changes: EntryChanges
    base: EntryBase | None = Field(
        default=None, description="The entry your device changed; defaults to base_version's"
    )


class RemoveEntry(_PlanOperation):
    kind: Literal["remove_entry"]
    section: SectionKey
    entry_id: uuid.UUID
    base: EntryBase | None = None


class ReorderEntries(_PlanOperation):
    kind: Literal["reorder_entries"]
    section: SectionKey
    entry_ids: list[uuid.UUID] = Field(max_length=MAX_ENTRIES_IN_SECTION)


class SectionBase(StrictInput):
    title: Annotated[str, StringConstraints(max_length=TITLE_MAX_CHARS)] | None = None
    description: Annotated[str, StringConstraints(max_length=TEXT_MAX_CHARS)] | None = None
    hidden: bool | None = None
    kept_contradictions: list[str] | None = Field(default=None, max_length=MAX_KEPT_CONTRADICTIONS)


class EditSection(_PlanOperation):
    kind: Literal["edit_section"]
    section: SectionKey
    changes: SectionChanges
    base: SectionBase | None = None


class ReorderSections(_PlanOperation):
    kind: Literal["reorder_sections"]
    keys: list[SectionKey] = Field(max_length=MAX_SECTIONS)


Operation = Annotated[
    CreatePlan
    | RenamePlan
    | AddEntry
    | EditEntry
    | RemoveEntry
    | ReorderEntries
    | EditSection
    | ReorderSections,
    Field(discriminator="kind"),
]
PlanOperation = (
    RenamePlan | AddEntry | EditEntry | RemoveEntry | ReorderEntries | EditSection | ReorderSections
)


class SyncRequest(StrictInput):
    cursor: str | None = Field(
        default=None,
        max_length=CURSOR_MAX_CHARS,
        description="The cursor from your last sync; leave it out to get every plan",
    )
    operations: list[Operation] = Field(default_factory=list, max_length=MAX_OPERATIONS)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "cursor": None,
                    "operations": [
                        {
                            "op_id": "5b0e0c43-5c59-4a43-8e1c-0e8a1c1b6a01",
                            "kind": "add_entry",
                            "plan_id": "0d9b5c1e-8a43-4b4e-9d3c-6f1e2a7b9c10",
                            "base_version": 3,
                            "section": "triggers",
                            "entry_id": "a3f1c2d4-1111-4a4e-9d3c-6f1e2a7b9c10",
                            "text": "Crowded buses",
                        }
                    ],
                }
            ]
        }
    }


class OperationResult(BaseModel):
    op_id: uuid.UUID
    plan_id: uuid.UUID
    status: Literal["applied", "conflict", "rejected"]
    version: int | None = Field(default=None, description="The plan version it was saved in")
    detail: str | None = Field(default=None, description="For a conflict or a rejected change")
    status_code: int | None = Field(default=None, description="Why a change was rejected")
    reason: Literal["changed_elsewhere", "removed_elsewhere"] | None = None
    section: str | None = None
    entry_id: uuid.UUID | None = None
    yours: dict[str, Any] | None = Field(
        default=None, description="Your change, kept so you can choose it (none for a removal)"
    )
    theirs: dict[str, Any] | None = Field(
        default=None, description="What the plan holds now (none when it was removed)"
    )


class SyncResponse(BaseModel):
    results: list[OperationResult]
    plans: list[PlanRead] = Field(description="Plans that changed since your cursor")
    removed: list[uuid.UUID] = Field(description="Plans to drop from your device")
    cursor: str
