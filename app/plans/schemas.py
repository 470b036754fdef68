import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.core.schemas import (
    MAX_STORED_INT,
    ChangeInput,
    OptionalText,
    StrictInput,
    Text,
    Title,
    WithoutNul,
)
from app.plans.templates import Template, TodayState

SectionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
WayToWellbeing = Literal["connect", "be_active", "take_notice", "learn", "give"]


class Goal(StrictInput):
    """A Five Ways to Wellbeing goal with a SMART action plan; all words are the person's."""

    way: WayToWellbeing | None = None
    steps: OptionalText = ""
    by_when: date | None = None
    who_can_help: OptionalText = ""
    how_ill_know: OptionalText = ""
    progress: int | None = Field(
        default=None, ge=-2, le=2, description="Goal attainment scaling, from -2 to +2"
    )
    review_date: date | None = None


class PageFile(StrictInput):
    """A file kept for an inserted page (POST /plans/{plan_id}/page-files answers this)."""

    id: uuid.UUID
    name: Annotated[str, StringConstraints(min_length=1, max_length=200), WithoutNul]
    media_type: Literal["application/pdf", "image/png", "image/jpeg", "text/plain"]
    size: int = Field(ge=1, le=MAX_STORED_INT)


class InsertedPage(StrictInput):
    """A loose-leaf page in the notes section: the entry's text is the page's text."""

    title: Title
    link: (
        Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://[^\s]+$"), WithoutNul]
        | None
    ) = Field(
        default=None,
        description="A web address, starting https:// or http://",
        exclude_if=lambda link: link is None,
    )
    # Left out when not set, however a page is written out (the plan, sync, an export), so
    # equal pages compare equal.
    file: PageFile | None = Field(default=None, exclude_if=lambda file: file is None)


def stored_page(page: "InsertedPage | dict | None") -> dict | None:
    """A page as the plan keeps it, however it came (the API, sync, an edit)."""
    if page is None:
        return None
    model = page if isinstance(page, InsertedPage) else InsertedPage.model_validate(page)
    return model.model_dump(mode="json")


class EntryCreate(StrictInput):
    text: Text
    prompt: SectionKey | None = Field(default=None, description="Which prompt this answers")
    goal: Goal | None = None
    page: InsertedPage | None = Field(
        default=None, description="Makes the entry an inserted page (notes section only)"
    )

    model_config = {
        "json_schema_extra": {"examples": [{"text": "Walking the dog early, before it's busy"}]}
    }


# In an update, a field left out stays as it is; only these may be sent as null, to clear them.
CLEARABLE_FIELDS = frozenset({"prompt", "goal", "page"})


class EntryUpdate(ChangeInput):
    clearable = CLEARABLE_FIELDS
    text: Text | None = None
    prompt: SectionKey | None = None
    goal: Goal | None = None
    page: InsertedPage | None = None


MAX_ENTRIES_IN_SECTION = 10_000
MAX_SECTIONS = 200


class EntryOrder(StrictInput):
    entry_ids: list[uuid.UUID] = Field(max_length=MAX_ENTRIES_IN_SECTION)


class SectionCreate(StrictInput):
    title: Title
    description: OptionalText = ""

    model_config = {"json_schema_extra": {"examples": [{"title": "Music that lifts me"}]}}


ContradictionKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}:[0-9a-f]{32}$")]
MAX_KEPT_CONTRADICTIONS = 500


class SectionUpdate(ChangeInput):
    title: Title | None = None
    description: OptionalText | None = None
    hidden: bool | None = None
    kept_contradictions: list[ContradictionKey] | None = Field(
        default=None,
        max_length=MAX_KEPT_CONTRADICTIONS,
        description="The contradictions you chose to keep knowingly (their `key`s, from "
        "GET /plans/{plan_id}/contradictions); the whole list, replacing the one before",
    )


class SectionOrder(StrictInput):
    keys: list[SectionKey] = Field(max_length=MAX_SECTIONS)


class PlanCreate(StrictInput):
    template: Template
    title: Title | None = Field(default=None, description="Defaults to the template's name")

    model_config = {
        "json_schema_extra": {"examples": [{"template": "green_book", "title": "My Green Book"}]}
    }


class PlanUpdate(ChangeInput):
    title: Title | None = None
    archived: bool | None = None


class PlanRestore(StrictInput):
    with_sharing: bool = Field(
        default=False,
        description="Also bring back the shares and crisis card link the plan had when it "
        "was deleted. Left out or false, they stay turned off.",
    )

    model_config = {"json_schema_extra": {"examples": [{"with_sharing": False}]}}


class Prompt(BaseModel):
    key: str
    text: str


class EntrySource(BaseModel):
    """Where an entry's words came from when they are not the person's own: an imported
    crisis statement the person accepted. Entries without `source` are the person's words."""

    kind: Literal["import"]
    import_id: uuid.UUID
    part_id: uuid.UUID
    author: str = Field(description="Who wrote these words, as the document says")
    organisation: str | None = None
    imported_by: str = Field(description="Who brought the document in")
    file_name: str
    heading: str | None = Field(default=None, description="The heading it was under")
    imported_at: datetime
    edited: bool = Field(description="The person changed the words when accepting them")
    note: str | None = Field(
        default=None, description="The person's own note on it, e.g. 'I disagree because …'"
    )


class Entry(BaseModel):
    id: uuid.UUID
    text: str
    prompt: str | None = None
    goal: Goal | None = None
    page: InsertedPage | None = None
    source: EntrySource | None = Field(
        default=None, description="Set on imported words; absent on the person's own"
    )
    created_at: datetime
    updated_at: datetime


class EntryWritten(Entry):
    plan_version: int


class Section(BaseModel):
    key: str
    title: str
    description: str
    kind: Literal["list", "goals"]
    today: TodayState | None = None
    prompts: list[Prompt]
    hidden: bool
    custom: bool
    entries: list[Entry]
    kept_contradictions: list[str] = Field(
        default_factory=list, description="Contradictions the person chose to keep knowingly"
    )


class SectionWritten(Section):
    plan_version: int


class PlanSummary(BaseModel):
    id: uuid.UUID
    title: str
    template: Template
    version: int
    archived: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    purge_after: datetime | None = Field(
        default=None, description="When a deleted plan is gone for good"
    )


class PlanRead(PlanSummary):
    sections: list[Section]


class Author(BaseModel):
    id: uuid.UUID
    display_name: str


class RevisionSummary(BaseModel):
    number: int
    title: str
    summary: str
    author: Author | None
    created_at: datetime


class RevisionRead(RevisionSummary):
    sections: list[Section]
