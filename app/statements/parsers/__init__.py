"""Reading a crisis statement from someone else's system into proposed parts.

Each parser turns one file into a `ParsedDocument`: parts mapped to crisis-plan fields,
plus what the document says about itself (title, author, who it is about). Parsers only
read; they raise `Problem` (4xx) naming what is wrong and where, and store nothing.
Limits are documented in docs/imports.md.
"""

from pathlib import PurePosixPath

from app.statements.parsers import documents, fhir
from app.statements.parsers.base import (
    DOCX_TYPE,
    PDF_TYPE,
    SUPPORTED,
    TEXT_EXTENSIONS,
    ParsedDocument,
    ParsedPart,
    check_parts,
    unreadable,
)


def detect_format(data: bytes, file_name: str, content_type: str) -> str:
    """'fhir', 'docx', 'pdf' or 'text', judged by the bytes, checked against the name."""
    if not data.strip():
        raise unreadable("The file is empty. Choose the file again and send it.", "whole file")
    suffix = PurePosixPath(file_name.lower()).suffix
    content_type = content_type.split(";")[0].strip().lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix in {".docx", ""} or content_type == DOCX_TYPE:
            return "docx"
        raise unreadable(
            f"This is a zip file, not a document we can read. Send {SUPPORTED}.",
            "whole file",
            415,
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise unreadable(
            "This is an older Word (.doc) file. Save it as .docx or PDF and send it again.",
            "whole file",
            415,
        )
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "fhir"
    claimed = {".pdf": "PDF", ".docx": "Word .docx", ".json": "JSON"}.get(suffix) or (
        "PDF" if content_type == PDF_TYPE else "Word .docx" if content_type == DOCX_TYPE else None
    )
    if claimed:
        raise unreadable(
            f"The file is called a {claimed} file but its contents are not; it may be damaged. "
            "Export it again from the system it came from.",
            "start of file",
        )
    if b"\x00" in data[:8192] or suffix not in TEXT_EXTENSIONS:
        raise unreadable(f"We can't read this kind of file. Send {SUPPORTED}.", "whole file", 415)
    return "text"


def parse_upload(
    data: bytes, file_name: str, content_type: str, kind: str | None = None
) -> ParsedDocument:
    """`kind` is `detect_format`'s answer, when the caller already has it."""
    kind = kind or detect_format(data, file_name, content_type)
    if kind == "fhir":
        parsed = fhir.parse(data)
    elif kind == "docx":
        parsed = documents.parse_docx(data)
    elif kind == "pdf":
        parsed = documents.parse_pdf(data)
    else:
        parsed = documents.parse_text(
            data, markdown=file_name.lower().endswith((".md", ".markdown"))
        )
    parsed.parts = _without_repeats(parsed.parts)
    check_parts(parsed.parts)
    return parsed


def _without_repeats(parts: list[ParsedPart]) -> list[ParsedPart]:
    """The same words for the same field once (documents often repeat a narrative), without
    NUL characters (never meant in a statement, and PostgreSQL text cannot hold them)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for part in parts:
        part.text = part.text.replace("\x00", "")
        if (part.field, part.text) not in seen:
            seen.add((part.field, part.text))
            kept.append(part)
    return kept
