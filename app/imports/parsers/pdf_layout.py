"""A PDF's text layer read as a layout: lines with their type size and weight, and tables.

pdfplumber (on pdfminer.six) gives every word's position, font name and size, and finds
ruled tables from the lines drawn around their cells. That is what a heading is in a PDF
(bold or larger type on a line of its own) and what keeps a table row together (a
person's name and number in one part); pypdf's plain text has neither, and its text
visitor reports sizes before the text matrix is applied, so it would need a layout engine
of our own. pypdf still checks the file first (damage, password, page count).
"""

import re
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pdfplumber

from app.core.errors import Problem
from app.imports.parsers.base import MAX_TEXT_CHARS, unreadable
from app.imports.parsers.outline import (
    BULLETS,
    HEADING_MAX_CHARS,
    HEADING_MAX_WORDS,
    Outline,
    looks_like_heading,
)

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_LIST_START = re.compile(r"^(?:[-*+\u2022\u25aa\u25cf\u2013\u25e6]|\d{1,3}[.)])\s")
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,3}(\s*(of|/)\s*\d{1,3})?$", re.IGNORECASE)
_SAME_LINE = 2.5  # points: words whose tops differ by less sit on one line


@dataclass
class Line:
    text: str
    size: float
    bold: bool
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    number: int

    @property
    def where(self) -> str:
        return f"page {self.page}, line {self.number}"


@dataclass
class TableBlock:
    rows: list[list[str]]
    header_bold: bool
    top: float
    page: int


def read_blocks(data: bytes, damaged: Problem) -> list[Line | TableBlock]:
    """Every page's lines and tables, in reading order (top to bottom)."""
    blocks: list[Line | TableBlock] = []
    characters = 0
    try:
        pdf = pdfplumber.open(BytesIO(data))
    except Exception as error:  # pdfminer raises many kinds of error on a damaged file
        raise damaged from error
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                page_blocks = _page_blocks(page, number)
            except Exception as error:  # as above: a damaged page stream
                raise unreadable(
                    "A page of this PDF is damaged and can't be read. Export it again.",
                    f"page {number}",
                ) from error
            finally:
                page.close()  # pdfplumber keeps every page's characters until told
            characters += sum(
                len(b.text) if isinstance(b, Line) else sum(map(len, sum(b.rows, [])))
                for b in page_blocks
            )
            if characters > MAX_TEXT_CHARS:
                raise unreadable(
                    f"This PDF has more than {MAX_TEXT_CHARS:,} characters of text; an import "
                    "takes a crisis statement, not a whole record. Send the crisis plan pages "
                    "on their own.",
                    f"page {number}",
                    413,
                )
            blocks += page_blocks
    return blocks


def _page_blocks(page: Any, number: int) -> list[Line | TableBlock]:
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    tables = []
    for table in page.find_tables():
        rows = [[cell or "" for cell in row] for row in table.extract()]
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if len(rows) < 1 or max(len(row) for row in rows) < 2:
            continue  # a box drawn round text, not a table
        first = table.rows[0].bbox
        header_words = [w for w in words if _inside(w, first)]
        header_bold = bool(header_words) and all(_BOLD.search(w["fontname"]) for w in header_words)
        tables.append((table.bbox, TableBlock(rows, header_bold, table.bbox[1], number)))
    loose = [w for w in words if not any(_inside(w, bbox) for bbox, _ in tables)]
    blocks: list[Line | TableBlock] = [block for _, block in tables]
    blocks += _lines(loose, number)
    return sorted(blocks, key=lambda block: block.top)


def _inside(word: dict, bbox: tuple[float, float, float, float]) -> bool:
    middle_x, middle_y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return bbox[0] <= middle_x <= bbox[2] and bbox[1] <= middle_y <= bbox[3]


def _lines(words: list[dict], page: int) -> list[Line]:
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and abs(word["top"] - rows[-1][0]["top"]) <= _SAME_LINE:
            rows[-1].append(word)
        else:
            rows.append([word])
    rows = [row for row in rows if not _PAGE_NUMBER.match(" ".join(w["text"] for w in row))]
    lines = []
    for number, row in enumerate(rows, start=1):
        row.sort(key=lambda w: w["x0"])
        text = row[0]["text"]
        for before, word in zip(row, row[1:], strict=False):
            # A wide gap on one line separates the cells of a table drawn without rules.
            gap = word["x0"] - before["x1"]
            text += (" \u2013 " if gap > 2 * word["size"] else " ") + word["text"]
        characters = Counter({w["size"]: len(w["text"]) for w in row})
        lines.append(
            Line(
                text=text,
                size=round(characters.most_common(1)[0][0], 1),
                bold=all(_BOLD.search(w["fontname"]) for w in row),
                x0=row[0]["x0"],
                x1=row[-1]["x1"],
                top=min(w["top"] for w in row),
                bottom=max(w["bottom"] for w in row),
                page=page,
                number=number,
            )
        )
    return lines


def read_into(outline: Outline, blocks: list[Line | TableBlock]) -> None:
    """Headings are lines set bolder or larger than the body (or shaped like a heading:
    a colon, capitals, numbering); a line continues the paragraph above when it follows
    at the usual line spacing and the line above ran to nearly the full width."""
    lines = [block for block in blocks if isinstance(block, Line)]
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    left = min((line.x0 for line in lines), default=0.0)
    right = max((line.x1 for line in lines), default=0.0)
    wide = left + 0.75 * (right - left)
    largest_first = max((line.size for line in lines if line.page == 1), default=0.0)

    paragraph: list[str] = []
    paragraph_where = ""
    heading: list[Line] = []  # a heading's lines, held until the next line shows it has ended
    previous: Line | None = None

    def flush() -> None:
        if paragraph:
            outline.add_paragraph(" ".join(paragraph), paragraph_where)
            paragraph.clear()
        if heading:
            first = heading[0]
            title = first.page == 1 and first.size == largest_first and first.size > body
            outline.add_heading(
                " ".join(line.text.strip() for line in heading),
                title=title and not outline.seen_heading,
                where=first.where,
            )
            heading.clear()

    for block in blocks:
        if isinstance(block, TableBlock):
            flush()
            previous = None
            outline.add_table(
                block.rows,
                [f"page {block.page}, table row {n}" for n in range(1, len(block.rows) + 1)],
                header=True if block.header_bold else None,
            )
            continue
        line = block
        text = line.text.strip()
        follows = previous is not None and (
            (previous.page == line.page and line.top - previous.bottom <= 0.8 * line.size)
            or (previous.page + 1 == line.page and line.number == 1)  # text running on
        )
        if _is_heading(line, body, outline):
            last = heading[-1] if heading else None
            wraps_on = (
                last is not None
                and last.page == line.page
                and (last.size, last.bold) == (line.size, line.bold)
                and line.top - last.bottom <= 0.5 * line.size
                and (last.x1 >= wide or line.size >= body * 1.3 or text[0].islower())
            )
            if not wraps_on:
                flush()
            heading.append(line)
            previous = line
            continue
        continues = (
            paragraph
            and follows
            and previous is not None
            and previous.x1 >= wide
            and not _LIST_START.match(text)
            and not outline.labelled_line(text)
        )
        if continues:
            paragraph.append(text)
        else:
            flush()
            if outline.labelled_line(text):
                outline.add_paragraph(text, line.where)
            else:
                paragraph.append(_LIST_START.sub("", text, count=1).strip() or text)
                paragraph_where = line.where
        previous = line
    flush()


def _is_heading(line: Line, body: float, outline: Outline) -> bool:
    text = line.text.strip()
    if len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS:
        return False
    if outline.labelled_line(text):
        return False
    set_apart = line.bold or line.size >= body * 1.15
    if text.endswith((".", "!", "?", ";", ",")) and not line.size > body * 1.15:
        return False
    if text.startswith(BULLETS) or (_LIST_START.match(text) and not set_apart):
        return False  # a list item, unless bold or larger: a numbered heading
    return set_apart or looks_like_heading(text)
