"""What every parser hands back, the limits they share, and their error helper."""

from dataclasses import dataclass, field
from typing import Any

from app.core.errors import Problem
from app.core.schemas import TEXT_MAX_CHARS

MAX_PARTS = 500
MAX_PART_CHARS = TEXT_MAX_CHARS
MAX_TEXT_CHARS = 1_000_000


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown", ""}
SUPPORTED = "FHIR R4 JSON, Word (.docx), PDF with a text layer, plain text or Markdown"


@dataclass
class ParsedPart:
    field: str
    text: str
    heading: str | None
    where: str
    # Who wrote these words when the document itself says (our own FHIR export does).
    provenance: dict[str, Any] | None = None


@dataclass
class EmbeddedFile:
    """A file inside the document, such as the source PDF of a FHIR advance directive."""

    file_name: str
    content_type: str
    content: bytes


@dataclass
class ParsedDocument:
    format: str
    parts: list[ParsedPart]
    title: str | None = None
    author: str | None = None
    organisation: str | None = None
    system: str | None = None
    subject_name: str | None = None
    subject_birth_date: str | None = None
    subject_where: str | None = None
    embedded: list[EmbeddedFile] = field(default_factory=list)
    # Who signed, witnessed or notarised the document: its provenance, never helpers.
    attesters: list[dict[str, str | None]] = field(default_factory=list)
    # Anyone else the document says it is about, for the wrong-person check.
    more_subjects: list[dict[str, str | None]] = field(default_factory=list)
    # What the person should know about the reading: what was left out, and why.
    warnings: list[dict[str, str]] = field(default_factory=list)
    text_chars: int = field(default=0, repr=False)


def unreadable(detail: str, where: str, status: int = 422, **extra: Any) -> Problem:
    """A problem with the file itself: what is wrong, and where in the file."""
    return Problem(status, detail, where=where, **extra)


def check_parts(parts: list[ParsedPart]) -> None:
    if not parts:
        raise unreadable(
            "We found nothing to import in this file. Put each part of the crisis plan under "
            "a heading such as 'Who to contact' or 'Treatments I do not want'.",
            "whole file",
        )
    if len(parts) > MAX_PARTS:
        raise unreadable(
            f"This file has {len(parts)} parts; an import takes at most {MAX_PARTS}. "
            "Split it into smaller files.",
            parts[MAX_PARTS].where,
        )
    for part in parts:
        if len(part.text) > MAX_PART_CHARS:
            raise unreadable(
                f"One part is longer than {MAX_PART_CHARS:,} characters. Break it into "
                "shorter paragraphs.",
                part.where,
            )
