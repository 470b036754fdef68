"""Turning a run of headings, paragraphs and table rows, in document order, into parts.

Every format's reader finds its headings from the file's own structure (styles, bold or
larger type, numbering, underlines, a trailing colon) and hands them here; this module
decides what they mean. A heading that names no field starts an "other" section that keeps
the heading, so the words under it never fall into the field before it.
"""

import re
from dataclasses import dataclass

from app.core.words import normalise
from app.statements.parsers.base import MAX_TEXT_CHARS, ParsedDocument, ParsedPart, unreadable
from app.statements.parsers.fields import (
    OTHER,
    PEOPLE,
    Meaning,
    field_for_part,
    is_heading_phrase,
    kept_as_refusal,
    read_heading,
    refuses,
)

HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 12

_SUBJECT_LABELS = {
    "name",
    "full name",
    "my name",
    "patient",
    "patient name",
    "patients name",
    "patient s name",
    "name of patient",
    "client",
    "client name",
    "service user",
    "service user name",
    "name of service user",
    "person",
    "person s name",
    "persons name",
    "name of person",
    "about",
    "this plan is about",
    "this statement is about",
    "this plan belongs to",
    "this statement belongs to",
    "belongs to",
    "first name",
    "forename",
    "given name",
}
_SURNAME_LABELS = {"surname", "last name", "family name"}
_ABOUT_LABELS = {
    "date of birth": "subject_birth_date",
    "dob": "subject_birth_date",
    "d o b": "subject_birth_date",
    "birth date": "subject_birth_date",
    "born": "subject_birth_date",
    "author": "author",
    "written by": "author",
    "prepared by": "author",
    "completed by": "author",
    "organisation": "organisation",
    "organization": "organisation",
    "service": "organisation",
    "trust": "organisation",
}
_LABELLED = re.compile(r"^([^:]{1,60}):\s*(.*)$", re.DOTALL)
_NUMBERED = re.compile(
    r"^\s*(?:(?:section|part|step)\s+)?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,4})[.):]?\s+(?=\S)",
    re.IGNORECASE,
)
_DOCUMENT_WORDS = ("plan", "statement", "directive", "card", "decision", "wishes", "wrap")
# A name in a title: "Advance statement for Sam Taylor", "Sam Taylor's crisis plan",
# "Crisis plan – Sam Taylor".
_NAME = r"((?:[A-Z\u00c0-\u00de][\w'\u2019-]*\.?)(?:\s+[A-Z\u00c0-\u00de][\w'\u2019-]*\.?){0,3})"
_TITLE_NAMES = (
    re.compile(
        r"\b(?:for|of|about|regarding)\s+(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?" + _NAME + r"\s*$"
    ),
    re.compile(r"^" + _NAME + r"['\u2019]s?\s"),
    re.compile(r"[\u2013\u2014:|-]\s*" + _NAME + r"\s*$"),
    re.compile(r"^" + _NAME + r"\s*[\u2013\u2014:|-]\s"),
)
_NOT_NAMES = {
    "mental", "health", "care", "crisis", "plan", "treatment", "services", "service", "trust",
    "nhs", "team", "hospital", "advance", "statement", "directive", "adults", "adult", "use",
    "emergency", "staff", "wellbeing", "wellness", "recovery", "action", "joint", "my", "the",
    "personal", "information", "details", "decision", "wishes", "card", "draft", "copy",
    "version", "page", "community", "ward", "unit", "clinic", "practice", "council",
}  # fmt: skip


@dataclass
class _Section:
    heading: str | None
    meaning: Meaning
    field: str
    where: str = ""
    parts: int = 0


def heading_text(text: str) -> str:
    """A heading as the person will see it: spaces tidied, numbering and the colon gone."""
    text = _plain(text).rstrip(":").strip()
    return _NUMBERED.sub("", text, count=1).strip() or text


class Outline:
    """Collects parts as headings and paragraphs arrive, in document order.

    For a whole document (`whole_document`), labelled lines such as "Name: …" before the
    first section about a field say who it is about, and a paragraph that refuses something
    goes to the refusing field whatever its heading leans to. Inside a section whose field
    is already known (`fixed`), every paragraph stays in that field."""

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
        self.whole_document = whole_document
        self.fixed = fixed
        self.section = _Section(heading, Meaning(None if field == OTHER else field), field)
        self.seen_heading = not whole_document
        self.titled = False
        self.subject_from_title = False
        self.subject_from_first_name = False

    @property
    def field(self) -> str:
        return self.section.field

    # ---- headings ---------------------------------------------------------------------

    def add_heading(self, text: str, *, title: bool = False, where: str = "title") -> None:
        """A heading; the document's first one, when it names the document ("Joint crisis
        plan for Sam Taylor") or is marked as a title, is its title too."""
        text = heading_text(text)
        if not text:
            return
        meaning = read_heading(text)
        if self._may_be_title_heading(text, meaning, marked=title):
            self.document.title = self.document.title or text
            self.titled = True
            self._subject_from_title(text, where)
            refuses_treatment = meaning.field == "treatments_refused"
            if title or not refuses_treatment:
                if not self.fixed:
                    self.section = _Section(text, Meaning(None), OTHER)
                return
        self.seen_heading = True
        if not self.fixed:
            self.close()
            self.section = _Section(text, meaning, meaning.field or self.default_field, where)

    def close(self) -> None:
        """Ends the current section. A line taken for a heading (short, bold) that refuses
        something and has nothing under it ("Never give me haloperidol") is kept as a part
        of its own, so the refusal is not lost."""
        section = self.section
        if (
            self.whole_document
            and not self.fixed
            and section.parts == 0
            and section.heading
            and (refuses(section.heading, None) or refuses(section.heading, PEOPLE))
        ):
            self._part(section.meaning, section.heading, section.heading, section.where)

    def _may_be_title_heading(self, text: str, meaning: Meaning, *, marked: bool) -> bool:
        if not self.whole_document or self.seen_heading or self.titled or self._has_field_parts():
            return False
        # Marked as a title or not, a first heading that names a field ("Allergies" in
        # large type) is that field's heading.
        words = normalise(text).split()
        names_document = any(word.startswith(_DOCUMENT_WORDS) for word in words)
        # Nor is one naming a topic or leaning ("Medication", "Things I do not want"), unless
        # the file marks it as the title: the paragraphs under it choose their field by it.
        says_nothing = meaning.topic is None and meaning.lean == 0
        return (
            (meaning.field is None and (marked or says_nothing))
            or meaning.field == "statement"
            or names_document
        )

    def _has_field_parts(self) -> bool:
        return any(part.field != OTHER for part in self.document.parts)

    def _subject_from_title(self, text: str, where: str) -> None:
        if self.document.subject_name:
            return
        for pattern in _TITLE_NAMES:
            found = pattern.search(text)
            if found and not {w.casefold() for w in found.group(1).split()} & _NOT_NAMES:
                self.document.subject_name = found.group(1).strip()
                self.document.subject_where = where
                self.subject_from_title = True
                return

    def may_be_title(self, line: str) -> bool:
        """A first short line, before anything else, that reads like a title."""
        return (
            self.whole_document
            and not self.seen_heading
            and not self.titled
            and not self.document.parts
            and len(line) <= HEADING_MAX_CHARS
            and not _LABELLED.match(line)
            and not line.endswith((".", "!", "?", ","))
        )

    # ---- labelled lines ---------------------------------------------------------------

    def labelled_line(self, line: str) -> bool:
        """A "Label: value" line that stands on its own: about the document or naming a
        field, such as "Allergies: penicillin"."""
        labelled = _LABELLED.match(line)
        if not labelled or not labelled.group(2).strip():
            return False
        label = labelled.group(1)
        return self._about_attribute(label) is not None or (
            not self.fixed and self._names_a_field(label)
        )

    def _names_a_field(self, label: str) -> bool:
        """A label naming a field, or (in a whole document) a topic such as "Medication"
        whose paragraphs choose their field by their own words."""
        meaning = read_heading(label)
        # Outside any field's section, a label that leans ("Specific refusals: I do not
        # consent to being restrained") lets its words choose the topic they name.
        leans_alone = self.section.field == OTHER and meaning.lean != 0
        return meaning.field is not None or (
            self.whole_document and (meaning.topic is not None or leans_alone)
        )

    def _about_open(self) -> bool:
        return self.whole_document and self.section.field in {OTHER, "when_well"}

    def _about_attribute(self, label: str) -> str | None:
        if not self._about_open():
            return None
        # A bilingual form labels in both languages: "Enw / Name", "Dyddiad geni / Date of birth".
        keys = [normalise(label), *(normalise(side) for side in label.split("/"))]
        if any(key in _SUBJECT_LABELS or _is_name_label(key) for key in keys):
            return None if self.document.subject_name and not self.subject_from_title else "name"
        if any(key in _SURNAME_LABELS for key in keys):
            return "surname" if self.subject_from_first_name else None
        return next((_ABOUT_LABELS[key] for key in keys if key in _ABOUT_LABELS), None)

    def _take_about(self, label: str, value: str, where: str) -> bool:
        attribute = self._about_attribute(label)
        value = " ".join(value.split())
        if attribute is None or not value:
            return False
        if attribute == "name":
            self.document.subject_name = value
            self.document.subject_where = where
            self.subject_from_title = False
            self.subject_from_first_name = normalise(label.split("/")[-1]) in {
                "first name",
                "forename",
                "given name",
            }
        elif attribute == "surname":
            self.document.subject_name = f"{self.document.subject_name} {value}"
            self.subject_from_first_name = False
        elif not getattr(self.document, attribute):
            setattr(self.document, attribute, value)
        return True

    # ---- paragraphs and rows ----------------------------------------------------------

    def add_paragraph(self, text: str, where: str) -> None:
        text = _plain(text)
        if not text:
            return
        self._count(text, where)
        labelled = _LABELLED.match(text)
        if labelled and labelled.group(2).strip():
            label, value = labelled.group(1).strip(), labelled.group(2).strip()
            if self._take_about(label, value, where):
                return
            if not self.fixed and self._names_a_field(label) and "\n" not in label:
                self._labelled_part(label, value, where)
                return
        self._part(self.section.meaning, text, self.section.heading, where)

    def add_table(self, rows: list[list[str]], where: list[str], *, header: bool | None) -> None:
        """A table, row by row: each row is one part (a person's name and number stay
        together). A first row of column names (`header`: True when the file marks it, None
        to judge by its words) is not a part; if it names a field, the rows are that field's.
        A row whose first cell names a field ("Allergies | Penicillin") is that field's."""
        rows = [[_plain(cell) for cell in row] for row in rows]
        cells_of = [
            [c for i, c in enumerate(row) if c and (i == 0 or c != row[i - 1])] for row in rows
        ]
        kept = [(cells, at) for cells, at in zip(cells_of, where, strict=True) if cells]
        if not kept:
            return
        if header is None:
            header = _looks_like_header([cells for cells, _ in kept])
        elif header:
            # A bold first row of questions and answers is a row of the form, not column
            # names: dropping it would lose the person's words.
            header = not any(
                len(cell.split()) > 5 or cell.endswith((".", "?")) for cell in kept[0][0]
            )
        records = bool(header) and len(kept) > 1
        if records:
            (names, _), kept = kept[0], kept[1:]
            meaning = read_heading(names[0])
            if not self.fixed and (meaning.field or meaning.topic):
                self.section = _Section(heading_text(names[0]), meaning, meaning.field or OTHER)
        # A table of labels and values (most first cells name a field; under column names,
        # more than half): a row whose label names no field is "other" under that label,
        # never the field of the section the table sits in.
        labelled_rows = [cells for cells, _ in kept if len(cells) >= 2]
        named = 2 * sum(self._names_a_field(cells[0]) for cells in labelled_rows)
        key_value = bool(labelled_rows) and (
            named > len(labelled_rows) if records else named >= len(labelled_rows)
        )
        for cells, at in kept:
            self._count(" ".join(cells), at)
            if len(cells) >= 2 and self._take_about(cells[0], " ".join(cells[1:]), at):
                continue
            if len(cells) >= 2 and key_value and not self.fixed and self._names_a_field(cells[0]):
                for value in cells[1:]:
                    for line in value.split("\n"):
                        self._labelled_part(cells[0], line, at)
            elif len(cells) >= 2 and key_value and not self.fixed:
                text = " ".join(cell.replace("\n", " ") for cell in cells[1:])
                self._part(Meaning(None), text, heading_text(cells[0]), at)
            else:
                text = " \u2013 ".join(cell.replace("\n", " ") for cell in cells)
                self._part(self.section.meaning, text, self.section.heading, at)

    def _labelled_part(self, label: str, value: str, where: str) -> None:
        label = heading_text(label)
        self._part(read_heading(label), value, label, where)

    def _count(self, text: str, where: str) -> None:
        self.document.text_chars += len(text)
        if self.document.text_chars > MAX_TEXT_CHARS:
            raise unreadable(
                f"This document has more than {MAX_TEXT_CHARS:,} characters of text; an import "
                "takes a crisis statement, not a whole record. Send the crisis plan on its own.",
                where,
                413,
            )

    def _part(self, meaning: Meaning, text: str, heading: str | None, where: str) -> None:
        if self.fixed or not self.whole_document:
            field = self.section.field if meaning is self.section.meaning else meaning.field
            field = field or self.default_field
            if not self.fixed:  # a field guessed from a title, not fixed by a code
                field = kept_as_refusal(field, text)
        else:
            field = field_for_part(meaning, text)
        self.document.parts.append(ParsedPart(field=field, text=text, heading=heading, where=where))
        self.section.parts += 1


_NAME_LABEL_WORDS = {"name", "full", "first", "patient", "patients", "s", "person", "persons"}
_NAME_LABEL_WORDS |= {"client", "service", "user", "my", "legal", "of", "the", "preferred"}


def _is_name_label(key: str) -> bool:
    words = set(key.split())
    return "name" in words and words <= _NAME_LABEL_WORDS


_COLUMN_WORDS = {
    "name", "who", "relationship", "relation", "role", "phone", "telephone", "tel", "mobile",
    "number", "contact", "details", "email", "address", "medicines", "drug", "dose", "reason",
    "why", "notes", "note", "comments", "what", "when", "how", "date", "item", "response",
    "answer", "question", "type", "organisation", "service", "section", "value", "my", "wishes",
    "and", "or", "of", "the", "s", "to", "for", "i", "a", "their", "can", "help",
}  # fmt: skip


def _looks_like_header(rows: list[list[str]]) -> bool:
    """Column names: short cells without digits, in words that name columns or fields."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    for cell in rows[0]:
        words = normalise(cell).split()
        if not words or len(words) > 5 or re.search(r"\d", cell) or cell.endswith("."):
            return False
        if not (
            set(words) <= _COLUMN_WORDS or read_heading(cell).topic or read_heading(cell).field
        ):
            return False
    return True


def _plain(text: str) -> str:
    """Runs of spaces made one; line breaks kept."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def looks_like_heading(line: str) -> bool:
    """A line whose own shape says heading, in text without styles: a short line ending in
    a colon, in capitals, or numbered ("3. Medication"), or a short line whose words name a
    field. List bullets are never headings."""
    stripped = " ".join(line.split())
    if not stripped or len(stripped) > HEADING_MAX_CHARS or stripped.startswith(BULLETS):
        return False
    words = stripped.split()
    if len(words) > HEADING_MAX_WORDS:
        return False
    if stripped.endswith(":") and ":" not in stripped[:-1]:
        return True
    letters = [c for c in stripped if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    numbered = _NUMBERED.match(stripped)
    rest = stripped[numbered.end() :] if numbered else stripped
    if numbered and re.match(r"^\s*(section|part)\b|^\s*\d+\.\d", stripped, re.IGNORECASE):
        return not rest.endswith((".", ";", ","))
    return is_heading_phrase(rest)


BULLETS = ("-", "*", "+", "\u2022", "\u25aa", "\u25cf", "\u2013", "\u25e6", "\u2023", "\u00b7")
