"""Word (.docx), PDF (text layer), plain text and Markdown crisis statements.

All three become a run of headings and paragraphs; each paragraph or list item under a
heading is one proposed part for the field that heading names. Lines such as "Name: …"
and "Date of birth: …" before the first heading say who the document is about.
"""

import re
import zipfile
from io import BytesIO

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from app.imports.parsers.base import MAX_TEXT_CHARS, ParsedDocument, unreadable
from app.imports.parsers.fields import field_for_heading
from app.imports.parsers.outline import HEADING_MAX_CHARS, Outline, looks_like_heading

DOCX_MAX_MEMBERS = 1_000
DOCX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
DOCX_MAX_RATIO = 200
PDF_MAX_PAGES = 200

_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022\u25aa\u2013]|\d{1,3}[.)])\s+(.*)$")


# ---- plain text and Markdown ---------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise unreadable(
                "This text file uses a character encoding we can't read. Save it as UTF-8 "
                "and send it again.",
                f"byte {error.start}",
            ) from error


def parse_text(data: bytes, *, markdown: bool) -> ParsedDocument:
    lines = _decode(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    document = ParsedDocument(format="markdown" if markdown else "text", parts=[])
    outline = Outline(document)
    if markdown:
        _read_markdown(outline, lines)
    else:
        _read_lines(outline, [(line, f"line {n}") for n, line in enumerate(lines, start=1)])
    return document


def _read_markdown(outline: Outline, lines: list[str]) -> None:
    paragraph: list[str] = []
    paragraph_start = 1

    def flush() -> None:
        if paragraph:
            outline.add_paragraph(_unemphasised(" ".join(paragraph)), f"line {paragraph_start}")
            paragraph.clear()

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        next_line = lines[number].strip() if number < len(lines) else ""
        atx = re.match(r"^#{1,6}\s+(.*?)\s*#*$", stripped)
        item = _LIST_ITEM.match(line)
        if atx:
            flush()
            title = stripped.startswith("# ")
            outline.add_heading(_unemphasised(atx.group(1)), title=title)
        elif stripped and not paragraph and not item and re.fullmatch(r"=+|-+", next_line):
            outline.add_heading(_unemphasised(stripped), title="=" in next_line)
        elif re.fullmatch(r"=+|-{3,}|\*{3,}|_{3,}", stripped):
            flush()
        elif re.fullmatch(r"(\*\*|__)(.+)\1:?", stripped) or looks_like_heading(stripped):
            flush()
            outline.add_heading(_unemphasised(stripped))
        elif stripped.startswith("|"):
            flush()
            _table_row(outline, stripped, next_line, f"line {number}")
        elif outline.labelled_line(stripped):
            flush()
            outline.add_paragraph(_unemphasised(stripped), f"line {number}")
        elif item:
            flush()
            paragraph.append(item.group(1))
            paragraph_start = number
        elif not stripped:
            flush()
        else:
            if not paragraph:
                paragraph_start = number
            paragraph.append(stripped)
    flush()


def _unemphasised(text: str) -> str:
    return re.sub(r"\*\*|__|`", "", text)


def _read_lines(outline: Outline, lines: list[tuple[str, str]]) -> None:
    """Text with no paragraph marks (plain text, PDF pages), as (line, where) pairs: each
    line is its own part, except that a line continues the one before when that one ran to
    nearly the widest line's width without ending a sentence (wrapped text)."""
    widest = max((len(line.strip()) for line, _ in lines), default=0)
    wrap_width = 0.8 * widest if widest >= 50 else float("inf")
    paragraph: list[str] = []
    paragraph_where = ""
    wrapped = False

    def flush() -> None:
        if paragraph:
            outline.add_paragraph(" ".join(paragraph), paragraph_where)
            paragraph.clear()

    for index, (line, where) in enumerate(lines):
        stripped = line.strip()
        item = _LIST_ITEM.match(line)
        if not stripped:
            flush()
        elif looks_like_heading(stripped):
            flush()
            outline.add_heading(stripped)
        elif outline.may_be_title(stripped) and not item:
            outline.add_heading(stripped, title=True)
        elif stripped.startswith("|"):
            flush()
            _table_row(
                outline, stripped, lines[index + 1][0] if index + 1 < len(lines) else "", where
            )
        elif item or not (paragraph and wrapped):
            flush()
            paragraph.append(item.group(1) if item else stripped)
            paragraph_where = where
        else:
            paragraph.append(stripped)
        wrapped = len(stripped) >= wrap_width and not stripped.endswith((".", "!", "?", ":"))
    flush()


def _is_separator_row(line: str) -> bool:
    cells = line.strip().strip("|").split("|")
    return line.strip().startswith("|") and all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in cells)


def _table_row(outline: Outline, row: str, next_line: str, where: str) -> None:
    """A Markdown table row: "| Allergies | Penicillin |" reads as "Allergies: Penicillin".
    Header rows (followed by the |---| row) and separator rows hold no part."""
    if _is_separator_row(row) or _is_separator_row(next_line):
        return
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    if len(cells) >= 2 and field_for_heading(cells[0]) and any(cells[1:]):
        outline.add_paragraph(f"{cells[0]}: {' '.join(c for c in cells[1:] if c)}", where)
    else:
        outline.add_paragraph(" \u2013 ".join(c for c in cells if c), where)


# ---- Word .docx -------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    """Refuse zip bombs by the sizes the archive declares, before anything is unpacked."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise unreadable(
            "This Word file is damaged and can't be opened. Save it again and send the new copy.",
            "whole file",
        ) from error
    if len(members) > DOCX_MAX_MEMBERS:
        raise unreadable(
            f"This Word file holds {len(members)} files inside it; we accept at most "
            f"{DOCX_MAX_MEMBERS}.",
            "whole file",
            413,
        )
    unpacked = 0
    for member in members:
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if unpacked > DOCX_MAX_UNPACKED_BYTES or (
            ratio > DOCX_MAX_RATIO and member.file_size > 1024 * 1024
        ):
            raise unreadable(
                f"This Word file unpacks to far more than it weighs (over "
                f"{DOCX_MAX_UNPACKED_BYTES // (1024 * 1024)} MB, or more than {DOCX_MAX_RATIO} "
                "times its packed size), so we did not open it. Save the crisis plan as a "
                "new, plain document and send that.",
                member.filename,
                413,
            )
    if "word/document.xml" not in {member.filename for member in members}:
        raise unreadable(
            "This zip file is not a Word document (it has no word/document.xml).",
            "whole file",
        )


def parse_docx(data: bytes) -> ParsedDocument:
    _check_zip(data)
    try:
        word = docx.Document(BytesIO(data))
    except Exception as error:  # any failure inside python-docx means the file is unreadable
        raise unreadable(
            "This Word file could not be read. Save it again as .docx and send the new copy.",
            "word/document.xml",
        ) from error
    properties = word.core_properties
    document = ParsedDocument(
        format="docx", parts=[], title=properties.title or None, author=properties.author or None
    )
    outline = Outline(document)
    paragraphs = tables = 0
    for block in word.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs += 1
            _docx_paragraph(outline, block, f"paragraph {paragraphs}")
        elif isinstance(block, Table):
            tables += 1
            _docx_table(outline, block, f"table {tables}")
    return document


def _is_heading_style(paragraph: Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return name.startswith("Heading") or name == "Title"


def _docx_paragraph(outline: Outline, paragraph: Paragraph, where: str) -> None:
    text = paragraph.text.strip()
    if not text:
        return
    runs = [run for run in paragraph.runs if run.text.strip()]
    all_bold = bool(runs) and all(run.bold for run in runs)
    if _is_heading_style(paragraph) or (
        len(text) <= HEADING_MAX_CHARS and (all_bold or looks_like_heading(text))
    ):
        title = (paragraph.style is not None and paragraph.style.name == "Title") or False
        outline.add_heading(text, title=title)
    else:
        outline.add_paragraph(text, where)


def _docx_table(outline: Outline, table: Table, where: str) -> None:
    for row_number, row in enumerate(table.rows, start=1):
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if not cells:
            continue
        row_where = f"{where}, row {row_number}"
        if len(cells) >= 2 and field_for_heading(cells[0]):
            for value in cells[1:]:
                for line in value.split("\n"):
                    outline.add_paragraph(f"{cells[0]}: {line}", row_where)
        else:
            outline.add_paragraph(": ".join(cells), row_where)


# ---- PDF --------------------------------------------------------------------------------


def parse_pdf(data: bytes) -> ParsedDocument:
    damaged = unreadable(
        "This PDF is damaged and can't be read. Export it again and send the new copy.",
        "whole file",
    )
    try:
        reader = PdfReader(BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        raise damaged from error
    if locked:
        raise unreadable(
            "This PDF is protected with a password. Send a copy without a password.",
            "whole file",
        )
    try:
        page_count = len(reader.pages)
    except Exception as error:  # as above
        raise damaged from error
    if page_count > PDF_MAX_PAGES:
        raise unreadable(
            f"This PDF has {page_count} pages; we read at most {PDF_MAX_PAGES}. Send the crisis "
            "plan pages on their own.",
            f"page {PDF_MAX_PAGES + 1}",
            413,
        )
    metadata = reader.metadata
    document = ParsedDocument(
        format="pdf",
        parts=[],
        title=(metadata.title if metadata else None) or None,
        author=(metadata.author if metadata else None) or None,
    )
    lines: list[tuple[str, str]] = []
    characters = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as error:  # as above: a damaged page stream
            raise unreadable(
                "A page of this PDF is damaged and can't be read. Export it again.",
                f"page {number}",
            ) from error
        characters += len(text)
        if characters > MAX_TEXT_CHARS:
            raise unreadable(
                f"This PDF has more than {MAX_TEXT_CHARS:,} characters of text; an import takes "
                "a crisis statement, not a whole record. Send the crisis plan pages on their own.",
                f"page {number}",
                413,
            )
        lines += [(line, f"page {number}, line {n}") for n, line in enumerate(text.split("\n"), 1)]
    if not any(line.strip() for line, _ in lines):
        raise unreadable(
            "This PDF has no text we can read; it may be a scan or a photo. Send the document "
            "it was made from, or a PDF with selectable text.",
            "whole file",
        )
    _read_lines(Outline(document), lines)
    return document
