"""Turning a run of headings and paragraphs, in document order, into proposed parts."""

import re

from app.imports.parsers.base import MAX_TEXT_CHARS, ParsedDocument, ParsedPart, unreadable
from app.imports.parsers.fields import OTHER, field_for_heading, is_heading_phrase, normalise

HEADING_MAX_CHARS = 80

_ABOUT_LABELS = {
    "name": "subject_name",
    "full name": "subject_name",
    "patient name": "subject_name",
    "person s name": "subject_name",
    "date of birth": "subject_birth_date",
    "dob": "subject_birth_date",
    "birth date": "subject_birth_date",
    "author": "author",
    "written by": "author",
    "prepared by": "author",
    "completed by": "author",
    "organisation": "organisation",
    "organization": "organisation",
    "service": "organisation",
}
_LABELLED = re.compile(r"^([^:]{1,60}):\s*(.*)$")


class Outline:
    """Collects parts as headings and paragraphs arrive, in document order.

    For a whole document (`whole_document`), "Name: …" lines before the first heading say
    who it is about. Inside a section whose field is already known (`fixed`), every
    paragraph stays in that field."""

    def __init__(
        self,
        document: ParsedDocument,
        *,
        field: str = OTHER,
        heading: str | None = None,
        whole_document: bool = True,
        fixed: bool = False,
    ) -> None:
        self.document = document
        self.default_field = field
        self.field = field
        self.heading = heading
        self.whole_document = whole_document
        self.fixed = fixed
        self.seen_heading = not whole_document
        self.titled = False

    def add_heading(self, text: str, *, title: bool = False) -> None:
        """A heading; a `title` that names no field is the document's title instead."""
        text = _plain(text).rstrip(":").strip()
        if not text:
            return
        mapped = field_for_heading(text)
        if self.whole_document and mapped is None and (title or not self.seen_heading):
            self.document.title = self.document.title or text
            self.titled = True
            if title:
                return
        self.seen_heading = True
        if not self.fixed:
            self.heading, self.field = text, mapped or self.default_field

    def may_be_title(self, line: str) -> bool:
        """A first short line, before anything else, that reads like a title."""
        return (
            self.whole_document
            and not self.seen_heading
            and not self.titled
            and not self.document.parts
            and len(line) <= HEADING_MAX_CHARS
            and not _LABELLED.match(line)
            and not line.endswith((".", "!", "?"))
        )

    def labelled_line(self, line: str) -> bool:
        """A "Label: value" line that stands on its own: about the document (before the
        first heading) or naming a field, such as "Allergies: penicillin"."""
        labelled = _LABELLED.match(line)
        if not labelled or not labelled.group(2):
            return False
        label = labelled.group(1)
        about = not self.seen_heading and normalise(label) in _ABOUT_LABELS
        return about or (not self.fixed and field_for_heading(label) is not None)

    def add_paragraph(self, text: str, where: str) -> None:
        text = _plain(text)
        if not text:
            return
        self.document.text_chars += len(text)
        if self.document.text_chars > MAX_TEXT_CHARS:
            raise unreadable(
                f"This document has more than {MAX_TEXT_CHARS:,} characters of text; an import "
                "takes a crisis statement, not a whole record. Send the crisis plan on its own.",
                where,
                413,
            )
        labelled = _LABELLED.match(text)
        if labelled and not self.seen_heading:
            attribute = _ABOUT_LABELS.get(normalise(labelled.group(1)))
            if attribute and labelled.group(2):
                setattr(self.document, attribute, labelled.group(2).strip())
                if attribute.startswith("subject"):
                    self.document.subject_where = where
                return
        if labelled and labelled.group(2) and not self.fixed:
            field = field_for_heading(labelled.group(1))
            if field is not None:
                self._part(field, labelled.group(2).strip(), labelled.group(1).strip(), where)
                return
        self._part(self.field, text, self.heading, where)

    def _part(self, field: str, text: str, heading: str | None, where: str) -> None:
        self.document.parts.append(ParsedPart(field=field, text=text, heading=heading, where=where))


def _plain(text: str) -> str:
    """Runs of spaces made one; line breaks kept."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > HEADING_MAX_CHARS:
        return False
    if stripped.endswith(":") and ":" not in stripped[:-1]:
        return True
    return is_heading_phrase(stripped)
