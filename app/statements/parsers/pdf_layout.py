"""A PDF's text layer read as a layout: lines with their type size and weight, and tables.

pdfminer.six interprets each page into characters, each with its position, font name and
size, and the lines and rectangles drawn on it. That is what a heading is in a PDF (bold
or larger type on a line of its own) and what keeps a table row together (a person's name
and number in one part, from the rules drawn between the cells); pypdf's plain text has
neither, and its text visitor reports font sizes before the text matrix is applied.
pdfminer.six is used directly rather than through pdfplumber, which reads the same way
but turns every character into a dictionary first, several times slower on a long PDF
(bench/import_bench.py; figures in bench/results/). pypdf still checks the file first
(damage, password, page count).
"""

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from io import BytesIO

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTCurve, LTFigure, LTLine, LTPage, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from app.core.errors import Problem
from app.statements.parsers.base import MAX_TEXT_CHARS, unreadable
from app.statements.parsers.outline import (
    BULLETS,
    HEADING_MAX_CHARS,
    HEADING_MAX_WORDS,
    Outline,
    looks_like_heading,
)

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_LIST_START = re.compile(r"^(?:[-*+\u2022\u25aa\u25cf\u2013\u25e6]|\d{1,3}[.)])\s")
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,3}(\s*(of|/)\s*\d{1,3})?$", re.IGNORECASE)
_RULE = 2.0  # points: a rectangle this thin is a rule; rules this close are one
_MAX_RULES = 2_000  # rules on one page looked at for tables (pairs are compared)


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


@dataclass
class _Char:
    text: str
    bold: bool
    size: float
    x0: float
    x1: float
    top: float
    bottom: float


def read_blocks(data: bytes, damaged: Problem) -> list[Line | TableBlock]:
    """Every page's lines and tables, in reading order (top to bottom)."""
    blocks: list[Line | TableBlock] = []
    characters = 0
    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    try:
        pages = list(PDFPage.get_pages(BytesIO(data)))
    except Exception as error:  # pdfminer raises many kinds of error on a damaged file
        raise damaged from error
    for number, page in enumerate(pages, start=1):
        try:
            interpreter.process_page(page)
            page_blocks = _page_blocks(device.get_result(), number)
        except Exception as error:  # as above: a damaged page stream
            raise unreadable(
                "A page of this PDF is damaged and can't be read. Export it again.",
                f"page {number}",
            ) from error
        characters += sum(
            len(b.text) if isinstance(b, Line) else sum(len(c) for row in b.rows for c in row)
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


def _page_blocks(layout: LTPage, number: int) -> list[Line | TableBlock]:
    height = layout.height
    chars: list[_Char] = []
    across: list[tuple[float, float, float]] = []  # rules: (y, x0, x1)
    down: list[tuple[float, float, float]] = []  # rules: (x, top, bottom)

    def collect(items) -> None:
        for item in items:
            if isinstance(item, LTChar):
                chars.append(
                    _Char(
                        item.get_text(),
                        bool(_BOLD.search(item.fontname)),
                        round(item.size, 1),
                        item.x0,
                        item.x1,
                        height - item.y1,
                        height - item.y0,
                    )
                )
            elif isinstance(item, LTFigure):
                collect(item)
            elif isinstance(item, LTRect | LTLine) or (
                isinstance(item, LTCurve) and len(item.pts) == 2
            ):
                x0, x1, top, bottom = item.x0, item.x1, height - item.y1, height - item.y0
                if bottom - top <= _RULE:
                    across.append(((top + bottom) / 2, x0, x1))
                elif x1 - x0 <= _RULE:
                    down.append(((x0 + x1) / 2, top, bottom))
                elif isinstance(item, LTRect):
                    across.extend([(top, x0, x1), (bottom, x0, x1)])
                    down.extend([(x0, top, bottom), (x1, top, bottom)])

    collect(layout)
    tables = _tables(chars, across, down, number)
    loose = [c for c in chars if not any(_inside(c, bbox) for bbox, _ in tables)]
    blocks: list[Line | TableBlock] = [block for _, block in tables]
    blocks += _lines(loose, number)
    return sorted(blocks, key=lambda block: block.top)


def _inside(char: _Char, bbox: tuple[float, float, float, float]) -> bool:
    middle_x, middle_y = (char.x0 + char.x1) / 2, (char.top + char.bottom) / 2
    return bbox[0] <= middle_x <= bbox[2] and bbox[1] <= middle_y <= bbox[3]


def _snapped(values: list[float]) -> list[float]:
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > _RULE:
            merged.append(value)
    return merged


def _tables(
    chars: list[_Char],
    across: list[tuple[float, float, float]],
    down: list[tuple[float, float, float]],
    page: int,
) -> list[tuple[tuple[float, float, float, float], TableBlock]]:
    """Ruled tables: rules that cross one another form a grid, and each grid with at least
    two columns is a table; a character belongs to the grid cell its middle falls in."""
    rules = [("across", r) for r in across] + [("down", r) for r in down]
    if len(rules) > _MAX_RULES:
        return []  # a drawing, not a form: read its text as lines
    group = list(range(len(rules)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    slack = 3.0
    for i, (kind, (y, x0, x1)) in enumerate(rules):
        if kind != "across":
            continue
        for j, (other, (x, top, bottom)) in enumerate(rules):
            if (
                other == "down"
                and x0 - slack <= x <= x1 + slack
                and top - slack <= y <= bottom + slack
            ):
                group[root(i)] = root(j)
    grids: dict[int, list[tuple[str, tuple[float, float, float]]]] = {}
    for i, rule in enumerate(rules):
        grids.setdefault(root(i), []).append(rule)
    found = []
    for grid in grids.values():
        ys = _snapped([r[0] for kind, r in grid if kind == "across"])
        xs = _snapped([r[0] for kind, r in grid if kind == "down"])
        if len(ys) < 2 or len(xs) < 3:
            continue  # not a grid, or a box drawn round text
        bbox = (xs[0], ys[0], xs[-1], ys[-1])
        cells: dict[tuple[int, int], list[_Char]] = {}
        for char in chars:
            if _inside(char, bbox):
                row = bisect_right(ys, (char.top + char.bottom) / 2) - 1
                column = bisect_right(xs, (char.x0 + char.x1) / 2) - 1
                cells.setdefault((row, column), []).append(char)
        rows = [
            [_cell_text(_lines(cells.get((r, c), []), page)) for c in range(len(xs) - 1)]
            for r in range(len(ys) - 1)
        ]
        filled = [r for r in range(len(ys) - 1) if any(rows[r])]
        if not filled:
            continue
        header = [
            char for (r, _), row_chars in cells.items() if r == filled[0] for char in row_chars
        ]
        header_bold = all(char.bold for char in header if char.text.strip())
        found.append((bbox, TableBlock([rows[r] for r in filled], header_bold, bbox[1], page)))
    return found


def _cell_text(lines: list[Line]) -> str:
    """A cell's lines: one starting in lower case is the sentence above wrapped at the
    cell's edge; any other starts a line of its own (an item of a list in the cell)."""
    text = ""
    for line in lines:
        starts_lower = line.text[:1].islower()
        text += (" " if starts_lower else "\n") + line.text if text else line.text
    return text


def _lines(chars: list[_Char], page: int) -> list[Line]:
    rows: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: ((c.top + c.bottom) / 2, c.x0)):
        middle = (char.top + char.bottom) / 2
        if rows:
            last = rows[-1][0]
            if abs(middle - (last.top + last.bottom) / 2) <= 0.4 * max(last.size, char.size):
                rows[-1].append(char)
                continue
        rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        text, before = "", None
        for char in row:
            if before is not None and not char.text.isspace():
                # A gap wider than a space is a space; a wide gap on one line separates the
                # cells of a table drawn without rules.
                gap = char.x0 - before.x1
                if gap > 2 * char.size:
                    text = text.rstrip() + " \u2013 "
                elif gap > 0.15 * char.size and not text.endswith(" "):
                    text += " "
            text += char.text
            before = char
        text = " ".join(text.split())
        if not text or _PAGE_NUMBER.match(text):
            continue
        visible = [c for c in row if not c.text.isspace()]
        sizes = Counter(c.size for c in visible)
        lines.append(
            Line(
                text=text,
                size=sizes.most_common(1)[0][0],
                bold=all(c.bold for c in visible),
                x0=visible[0].x0,
                x1=visible[-1].x1,
                top=min(c.top for c in visible),
                bottom=max(c.bottom for c in visible),
                page=page,
                number=len(lines) + 1,
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
            title = first.page == 1 and first.size == largest_first > body
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
    # A question set in bold on its own is a form's heading ("What helps me?").
    ends_sentence = text.endswith((".", "!", ";", ",")) or (text.endswith("?") and not line.bold)
    if ends_sentence and not line.size > body * 1.15:
        return False
    if text.startswith(BULLETS) or (_LIST_START.match(text) and not set_apart):
        return False  # a list item, unless bold or larger: a numbered heading
    return set_apart or looks_like_heading(text)
