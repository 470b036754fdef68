"""Word (.docx), PDF (text layer), plain text and Markdown crisis statements.

Each becomes a run of headings, paragraphs and table rows, with its headings found from
the file's own structure (styles, bold or larger type, numbering, underlines, a trailing
colon); `Outline` decides what each heading means. Each paragraph, list item or table row
is one proposed part. Titles and lines such as "Name: …" say who the document is about.
"""

import re
import zipfile
from collections import Counter
from io import BytesIO
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from app.statements.parsers import pdf_layout
from app.statements.parsers.base import ParsedDocument, unreadable
from app.statements.parsers.outline import HEADING_MAX_CHARS, Outline, looks_like_heading

PDF_MAX_PAGES = 200

_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022\u25aa\u2013]|\d{1,3}[.)]|\(?[a-z][.)])\s+(.*)$")


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
        _read_lines(outline, lines)
    outline.close()
    return document


def _read_markdown(outline: Outline, lines: list[str]) -> None:
    paragraph: list[str] = []
    paragraph_start = 1
    table: list[tuple[str, str]] = []

    def flush() -> None:
        if paragraph:
            outline.add_paragraph(_unemphasised(" ".join(paragraph)), f"line {paragraph_start}")
            paragraph.clear()
        if table:
            _markdown_table(outline, table)
            table.clear()

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        next_line = lines[number].strip() if number < len(lines) else ""
        atx = re.match(r"^#{1,6}\s+(.*?)\s*#*$", stripped)
        item = _LIST_ITEM.match(line)
        if stripped.startswith("|"):
            if paragraph:
                flush()
            table.append((stripped, f"line {number}"))
            continue
        if table:
            flush()
        if atx:
            flush()
            outline.add_heading(
                _unemphasised(atx.group(1)), title=stripped.startswith("# "), where=f"line {number}"
            )
        elif stripped and not paragraph and not item and re.fullmatch(r"=+|-+", next_line):
            outline.add_heading(
                _unemphasised(stripped), title="=" in next_line, where=f"line {number}"
            )
        elif re.fullmatch(r"=+|-{3,}|\*{3,}|_{3,}", stripped):
            flush()
        elif (
            re.fullmatch(r"(\*\*|__)([^*_]+)\1:?", stripped)
            and not outline.labelled_line(_unemphasised(stripped))
        ) or (not item and looks_like_heading(_unemphasised(stripped))):
            flush()
            outline.add_heading(_unemphasised(stripped), where=f"line {number}")
        elif outline.labelled_line(_unemphasised(stripped)):
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


def _markdown_table(outline: Outline, rows: list[tuple[str, str]]) -> None:
    """A pipe table: the row above the |---| row names the columns."""
    header = len(rows) > 1 and _is_separator_row(rows[1][0])
    kept = [(row, where) for row, where in rows if not _is_separator_row(row)]
    cells = [
        [_unemphasised(c).strip() for c in row.strip().strip("|").split("|")] for row, _ in kept
    ]
    outline.add_table(cells, [where for _, where in kept], header=header)


def _is_separator_row(line: str) -> bool:
    cells = line.strip().strip("|").split("|")
    return line.strip().startswith("|") and all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in cells)


def _read_lines(outline: Outline, lines: list[str]) -> None:
    """Plain text: headings from their shape (a colon, capitals, numbering, an underline
    of = or -, or a short line set apart that reads as a heading); each other line is its
    own part, except that a line continues the one before when that one ran to nearly the
    widest line's width without ending a sentence (wrapped text)."""
    widest = max((len(line.strip()) for line in lines), default=0)
    wrap_width = 0.8 * widest if widest >= 30 else float("inf")
    paragraph: list[str] = []
    paragraph_where = ""
    table: list[tuple[str, str]] = []
    wrapped = False

    def flush() -> None:
        if paragraph:
            outline.add_paragraph(" ".join(paragraph), paragraph_where)
            paragraph.clear()
        if table:
            _markdown_table(outline, table)
            table.clear()

    for index, line in enumerate(lines):
        where = f"line {index + 1}"
        stripped = line.strip()
        before = lines[index - 1].strip() if index else ""
        after = lines[index + 1].strip() if index + 1 < len(lines) else ""
        item = _LIST_ITEM.match(line)
        if stripped.startswith("|"):
            if paragraph:
                flush()
            table.append((stripped, where))
            wrapped = False
            continue
        if table:
            flush()
        if not stripped or _UNDERLINE.fullmatch(stripped):
            flush()
        elif (not item or _numbered_capitals(stripped)) and (
            (_UNDERLINE.fullmatch(after) and not paragraph)
            or looks_like_heading(stripped)
            or _set_apart_heading(stripped, before, after)
        ):
            flush()
            outline.add_heading(stripped, where=where)
        elif outline.may_be_title(stripped) and not item:
            outline.add_heading(stripped, title=True, where=where)
        elif outline.labelled_line(stripped):
            flush()
            outline.add_paragraph(stripped, where)
        elif item or not (paragraph and (wrapped or _runs_on(stripped, paragraph[-1], wrap_width))):
            flush()
            paragraph.append(item.group(1) if item else stripped)
            paragraph_where = where
        else:
            paragraph.append(stripped)
        wrapped = len(stripped) >= wrap_width and not stripped.endswith((".", "!", "?", ":"))
    flush()


def _runs_on(line: str, before: str, wrap_width: float) -> bool:
    """A line starting in lower case after a line long enough to have been wrapped, or with
    a number after a line that ended mid-sentence ("…, 0114 496" then "0321."), continues
    the line before. Notes typed all in lower case have short lines of their own."""
    return (line[0].islower() and len(before) >= 0.75 * wrap_width) or (
        line[0].isdigit() and not before.endswith((".", "!", "?", ":"))
    )


def _numbered_capitals(line: str) -> bool:
    """A numbered line in capitals ("1) WHEN I AM WELL") is a heading, not a list item."""
    letters = [c for c in line if c.isalpha()]
    return line[0].isdigit() and len(letters) >= 4 and all(c.isupper() for c in letters)


_UNDERLINE = re.compile(r"={3,}|-{3,}|~{3,}")
_FUNCTION_WORDS = {"i", "me", "my", "to", "the", "of", "for", "when", "what", "how", "who"}
_FUNCTION_WORDS |= {"and", "about", "things", "if", "be", "is", "want", "like", "should"}


def _set_apart_heading(line: str, before: str, after: str) -> bool:
    """A short line after a blank line, leading into text, worded like a heading ("How I
    like to be spoken to"), not like a name, a number or a sentence."""
    words = line.split()
    return (
        not before
        and bool(after)
        and 2 <= len(words) <= 8
        and line[0].isupper()
        and not re.search(r"[\d,;.!?()]", line)
        and bool({w.casefold() for w in words} & _FUNCTION_WORDS)
        and not after[0].islower()  # a sentence wrapped onto the next line
        and (after.endswith((".", "!", "?")) or bool(_LIST_ITEM.match(after)) or len(after) > 60)
    )


# ---- Word .docx -------------------------------------------------------------------------


def _require_word_document(data: bytes) -> None:
    """Refuse a zip that is not a Word document. Damage, size and zip-bomb limits are
    checked before any parser runs, by `app.statements.safe_files.check_zip` (see
    `app.statements.containment`), so the zip opens here and its declared sizes are true."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = set(archive.namelist())
    if "word/document.xml" not in names:
        raise unreadable(
            "This zip file is not a Word document (it has no word/document.xml).",
            "whole file",
        )


def parse_docx(data: bytes) -> ParsedDocument:
    _require_word_document(data)
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
    blocks = list(word.iter_inner_content())
    body_size = _docx_body_size([b for b in blocks if isinstance(b, Paragraph)])
    paragraphs = tables = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            paragraphs += 1
            _docx_paragraph(outline, block, f"paragraph {paragraphs}", body_size)
        elif isinstance(block, Table):
            tables += 1
            _docx_table(outline, block, f"table {tables}")
    outline.close()
    return document


def _style_chain(paragraph: Paragraph) -> list[Any]:
    styles, style = [], paragraph.style
    while style is not None and len(styles) < 10:
        styles.append(style)
        style = style.base_style
    return styles


def _is_heading_style(paragraph: Paragraph) -> bool:
    """A Heading or Title style (or one based on them), or an outline level set by hand."""
    for style in _style_chain(paragraph):
        name = (style.name or "").casefold()
        if name.startswith(("heading", "title", "subtitle")):
            return True
    return bool(paragraph._p.xpath("./w:pPr/w:outlineLvl"))


def _is_title_style(paragraph: Paragraph) -> bool:
    return any((style.name or "").casefold() == "title" for style in _style_chain(paragraph))


def _run_bold(run: Any, paragraph: Paragraph) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    for style in ([run.style] if run.style is not None else []) + _style_chain(paragraph):
        if style.font.bold is not None:
            return bool(style.font.bold)
    return False


def _run_size(run: Any, paragraph: Paragraph) -> float | None:
    if run.font.size is not None:
        return run.font.size.pt
    for style in _style_chain(paragraph):
        if style.font.size is not None:
            return style.font.size.pt
    return None


def _docx_body_size(paragraphs: list[Paragraph]) -> float | None:
    """The size most of the document's text is set in."""
    sizes: Counter[float] = Counter()
    for paragraph in paragraphs:
        for run in paragraph.runs:
            size = _run_size(run, paragraph)
            if size is not None and run.text.strip():
                sizes[size] += len(run.text)
    return sizes.most_common(1)[0][0] if sizes else None


def _is_list_paragraph(paragraph: Paragraph) -> bool:
    return bool(paragraph._p.xpath("./w:pPr/w:numPr")) or any(
        (style.name or "").casefold().startswith("list") for style in _style_chain(paragraph)
    )


def _docx_paragraph(
    outline: Outline, paragraph: Paragraph, where: str, body_size: float | None
) -> None:
    text = paragraph.text.strip()
    if not text:
        return
    runs = [run for run in paragraph.runs if run.text.strip()]
    short = len(text) <= HEADING_MAX_CHARS and "\n" not in text
    bold = bool(runs) and all(_run_bold(run, paragraph) for run in runs)
    sizes = [_run_size(run, paragraph) for run in runs]
    larger = (
        bool(sizes)
        and body_size is not None
        and all(size is not None and size >= body_size + 1.5 for size in sizes)
    )
    labelled = outline.labelled_line(text)
    styled = _is_heading_style(paragraph)
    if styled or (
        short
        and not labelled
        and not text.endswith((".", "!", "?", ";", ","))
        and (bold or larger or (not _is_list_paragraph(paragraph) and looks_like_heading(text)))
    ):
        outline.add_heading(text, title=_is_title_style(paragraph), where=where)
    else:
        outline.add_paragraph(text, where)


def _docx_table(outline: Outline, table: Table, where: str) -> None:
    rows, wheres = [], []
    first_row_bold: bool | None = None
    for number, row in enumerate(table.rows, start=1):
        rows.append([cell.text.strip() for cell in row.cells])
        wheres.append(f"{where}, row {number}")
        if number == 1:
            runs = [
                (run, paragraph)
                for cell in row.cells
                for paragraph in cell.paragraphs
                for run in paragraph.runs
                if run.text.strip()
            ]
            marked = bool(row._tr.xpath("./w:trPr/w:tblHeader"))
            all_bold = bool(runs) and all(_run_bold(run, paragraph) for run, paragraph in runs)
            first_row_bold = True if marked or all_bold else None
    outline.add_table(rows, wheres, header=first_row_bold)


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
    blocks = pdf_layout.read_blocks(data, damaged)
    if not any(isinstance(block, pdf_layout.Line) for block in blocks) and not any(
        isinstance(block, pdf_layout.TableBlock) for block in blocks
    ):
        raise unreadable(
            "This PDF has no text we can read; it may be a scan or a photo. Send the document "
            "it was made from, or a PDF with selectable text.",
            "whole file",
        )
    outline = Outline(document)
    pdf_layout.read_into(outline, blocks)
    outline.close()
    return document
