"""The export file format, version 1. Its JSON Schema is published in /openapi.json
(component `ExportFile`) and described in docs/export-format.md."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from app.core.schemas import MAX_STORED_INT, StrictInput, Text, Title, WithoutNul
from app.plans.schemas import EntrySource, Goal, InsertedPage, SectionKey
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


class ExportedSection(_Strict):
    key: SectionKey
    title: Title
    description: str = Field(max_length=10_000)
    kind: Literal["list", "goals"]
    today: TodayState | None = None
    prompts: list[ExportedPrompt]
    hidden: bool
    custom: bool
    entries: list[ExportedEntry]


def _check_sections(sections: list[ExportedSection]) -> None:
    keys = [s.key for s in sections]
    if len(keys) != len(set(keys)):
        raise ValueError("section keys must be unique within a plan")
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
    sections: list[ExportedSection]

    @model_validator(mode="after")
    def _consistent(self):
        _check_sections(self.sections)
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
    revisions: list[ExportedRevision] = Field(description="Full history, oldest first")
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
        return self


class ExportedAccount(_Strict):
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=100)


class ExportFile(_Strict):
    format: Literal["wellbeing-plans-export"] = EXPORT_FORMAT
    format_version: Literal[1] = 1
    exported_at: datetime
    account: ExportedAccount
    plans: list[ExportedPlan] = Field(max_length=1000)


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
