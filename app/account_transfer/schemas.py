"""The export file format, version 2 (version 1 files still import). Its JSON Schema is
published in /openapi.json (component `ExportFile`) and described in
docs/export-format.md."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from app.core.schemas import MAX_STORED_INT, StrictInput, Text, Title, WithoutNul
from app.plans.schemas import (
    MAX_KEPT_CONTRADICTIONS,
    ContradictionKey,
    EntrySource,
    Goal,
    InsertedPage,
    SectionKey,
)
from app.plans.templates import Template, TodayState

MAX_CHECK_INS_IN_PLAN = 100_000

EXPORT_FORMAT = "wellbeing-plans-export"


class _Strict(StrictInput):
    pass


class ExportedPrompt(_Strict):
    key: SectionKey
    text: Text


class ExportedEntry(_Strict):
    id: uuid.UUID
    text: Text
    prompt: SectionKey | None = None
    goal: Goal | None = None
    # Only inserted pages have a page; other entries round-trip without one.
    page: InsertedPage | None = Field(default=None, exclude_if=lambda page: page is None)
    # Only imported words have a source; the person's own entries round-trip without one.
    source: EntrySource | None = Field(default=None, exclude_if=lambda source: source is None)
    created_at: datetime
    updated_at: datetime


class _SectionFields(_Strict):
    key: SectionKey
    title: Title
    description: str = Field(max_length=10_000)
    kind: Literal["list", "goals"]
    today: TodayState | None = None
    prompts: list[ExportedPrompt]
    hidden: bool
    custom: bool


# Only a section where the person kept a contradiction knowingly has the list.
KeptContradictions = Annotated[
    list[ContradictionKey] | None,
    Field(max_length=MAX_KEPT_CONTRADICTIONS, exclude_if=lambda kept: kept is None),
]


class ExportedSection(_SectionFields):
    entries: list[ExportedEntry]
    kept_contradictions: KeptContradictions = None


class ExportedOutlineSection(_SectionFields):
    """A section's fields in an `outline` change: its entries stay as they were (none for a
    new section)."""

    entries: None
    kept_contradictions: KeptContradictions = None


# What changed from one revision to the next (format 2), in the order applied.
OutlineChange = tuple[Literal["outline"], list[ExportedOutlineSection]]
AddChange = tuple[Literal["add"], SectionKey, ExportedEntry]
PutChange = tuple[Literal["put"], SectionKey, ExportedEntry]
DropChange = tuple[Literal["drop"], SectionKey, uuid.UUID]
OrderChange = tuple[Literal["order"], SectionKey, list[uuid.UUID]]
ExportedChange = OutlineChange | AddChange | PutChange | DropChange | OrderChange


def _check_unique_keys(sections: list[ExportedSection] | list[ExportedOutlineSection]) -> None:
    keys = [s.key for s in sections]
    if len(keys) != len(set(keys)):
        raise ValueError("section keys must be unique within a plan")


def _check_sections(sections: list[ExportedSection]) -> None:
    _check_unique_keys(sections)
    for section in sections:
        prompt_keys = {p.key for p in section.prompts}
        entry_ids = [e.id for e in section.entries]
        if len(entry_ids) != len(set(entry_ids)):
            raise ValueError(f"entry ids repeat in section '{section.key}'")
        for entry in section.entries:
            if entry.prompt is not None and entry.prompt not in prompt_keys:
                raise ValueError(f"entry {entry.id} names an unknown prompt '{entry.prompt}'")


class ExportedRevision(_Strict):
    number: int = Field(ge=1, le=MAX_STORED_INT)
    title: Title
    summary: str = Field(max_length=300)
    author_name: Annotated[str, WithoutNul] = Field(max_length=100)
    created_at: datetime
    sections: list[ExportedSection] | None = Field(
        default=None, description="The whole plan after this change", exclude_if=lambda s: s is None
    )
    changes: list[ExportedChange] | None = Field(
        default=None,
        description="Or (format 2) what changed since the revision before it in the file",
        exclude_if=lambda c: c is None,
    )

    @model_validator(mode="after")
    def _consistent(self):
        if (self.sections is None) == (self.changes is None):
            raise ValueError("a revision holds either its sections or its changes")
        if self.sections is not None:
            _check_sections(self.sections)
        for change in self.changes or []:
            if change[0] == "outline":
                _check_unique_keys(change[1])
        return self


class ExportedCheckIn(_Strict):
    state: TodayState
    note: str = Field(max_length=10_000)
    at: datetime


class ExportedPlan(_Strict):
    id: uuid.UUID = Field(description="The plan's id in the account it was exported from")
    title: Title
    template: Template
    version: int = Field(ge=1, le=MAX_STORED_INT)
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None
    sections: list[ExportedSection]
    revisions: list[ExportedRevision] = Field(
        description="Full history, oldest first: the first revision whole, each later one "
        "whole or as its changes"
    )
    check_ins: list[ExportedCheckIn] = Field(
        default_factory=list,
        max_length=MAX_CHECK_INS_IN_PLAN,
        description="Every check-in kept with the plan, oldest first",
    )

    @model_validator(mode="after")
    def _consistent(self):
        _check_sections(self.sections)
        numbers = [r.number for r in self.revisions]
        if numbers != sorted(set(numbers)):
            raise ValueError("revision numbers must be unique and in ascending order")
        if numbers and numbers[-1] > self.version:
            raise ValueError("a revision number is above the plan's version")
        if self.revisions and self.revisions[0].sections is None:
            raise ValueError("a plan's first revision holds its sections")
        return self


class ExportedAccount(_Strict):
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=100)


class ExportFile(_Strict):
    format: Literal["wellbeing-plans-export"] = EXPORT_FORMAT
    format_version: Literal[1, 2] = 2
    exported_at: datetime
    account: ExportedAccount
    plans: list[ExportedPlan] = Field(max_length=1000)

    @model_validator(mode="after")
    def _consistent(self):
        if self.format_version == 1:
            for plan in self.plans:
                if any(revision.changes is not None for revision in plan.revisions):
                    raise ValueError("format 1 files hold every revision whole")
        return self


class ImportResult(BaseModel):
    imported_plans: list[uuid.UUID] = Field(description="Ids of the new plans, in file order")


class PreviewedSection(BaseModel):
    title: str
    entries: int


class PreviewedPlan(BaseModel):
    title: str
    template: Template
    updated_at: datetime
    versions: int = Field(description="Versions of its history that come with it")
    entries: int
    check_ins: int
    sections: list[PreviewedSection] = Field(description="Its sections that have entries")
    already_here: bool = Field(
        description="This account has the plan the file was made from: importing adds a "
        "second copy beside it"
    )


class ImportPreview(BaseModel):
    exported_at: datetime
    exported_by: str = Field(description="The name on the account the file came from")
    plans: list[PreviewedPlan]
