"""Writes the Word, PDF, Markdown and plain-text documents of the import corpus, each beside
NAME.expected.json saying what it holds (see test_corpus_accuracy.py).

Run from the repository root: .venv/bin/python -m tests.statements.corpus.make_documents

The statements are in statements.py; here they are laid out the ways other systems and
people do: Word with heading styles, Word with bold lines and no styles, Word as one big
table, PDFs from fpdf2 and from ReportLab (bold or numbered headings, ruled tables),
Markdown, and plain text with headings in capitals, with colons, underlined, or hard-
wrapped and messy.
"""

import json
import textwrap
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import docx
from docx.shared import Pt
from fpdf import FPDF
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.config import get_settings
from tests.statements.corpus.statements import STATEMENTS, Statement

CORPUS = Path(__file__).parent
FONT = Path(get_settings().print_font_dir)
COLUMNS = ("Name", "Relationship", "Phone")


def row_text(row: tuple[str, ...]) -> str:
    return " \u2013 ".join(row)


def named_title(statement: Statement) -> str:
    if statement.person in statement.title:
        return statement.title
    return f"{statement.title} for {statement.person}"


def expected(statement: Statement, format_: str) -> dict:
    facts = []
    for section in statement.sections:
        texts = section.items + [row_text(row) for row in section.rows]
        for text in texts:
            field = section.moved.get(text) or section.field or "other"
            fact = {"text": text, "field": field}
            if field == "other":
                fact["heading"] = section.heading
            facts.append(fact)
    return {"format": format_, "about": statement.person, "facts": facts}


# ---- Word ---------------------------------------------------------------------------------


def _saved(document: docx.Document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_rows(document: docx.Document, rows: list[tuple[str, ...]], bold_header: bool) -> None:
    table = document.add_table(rows=len(rows) + 1, cols=len(rows[0]))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=False):
        cell.paragraphs[0].add_run(name).bold = bold_header
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value


def docx_styled(statement: Statement) -> bytes:
    """Title and Heading 2 styles, bulleted and numbered lists, a ruled contacts table."""
    document = docx.Document()
    document.add_paragraph(statement.title, style="Title")
    document.add_paragraph(f"Name: {statement.person}")
    for number, section in enumerate(statement.sections):
        document.add_paragraph(section.heading, style="Heading 2")
        style = "List Number" if number % 2 else "List Bullet"
        for item in section.items:
            document.add_paragraph(item, style=style if len(section.items) > 1 else None)
        if section.rows:
            _docx_rows(document, section.rows, bold_header=True)
    return _saved(document)


def docx_bold(statement: Statement) -> bytes:
    """No styles at all: a bold, larger title naming the person, bold headings, bullets typed
    as characters, a contacts table without a bold header."""
    document = docx.Document()
    title = document.add_paragraph().add_run(named_title(statement))
    title.bold, title.font.size = True, Pt(16)
    for section in statement.sections:
        document.add_paragraph().add_run(section.heading).bold = True
        for item in section.items:
            document.add_paragraph(("\u2022 " if len(section.items) > 1 else "") + item)
        if section.rows:
            _docx_rows(document, section.rows, bold_header=False)
    return _saved(document)


def docx_table(statement: Statement) -> bytes:
    """The whole plan as one two-column form: label | what the person wrote."""
    document = docx.Document()
    document.add_paragraph(statement.title)
    plain = [s for s in statement.sections if not s.rows]
    table = document.add_table(rows=len(plain) + 1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Full name", statement.person
    for row, section in zip(table.rows[1:], plain, strict=True):
        row.cells[0].text = section.heading
        row.cells[1].text = "\n".join(section.items)
    for section in statement.sections:
        if section.rows:
            document.add_paragraph(section.heading, style="Heading 3")
            _docx_rows(document, section.rows, bold_header=True)
    return _saved(document)


# ---- PDF ----------------------------------------------------------------------------------


def _fpdf(statement: Statement, *, numbered: bool) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("Sans", "", FONT / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT / "DejaVuSans-Bold.ttf")
    pdf.set_title(statement.title)
    pdf.add_page()

    def write(text: str, size: float = 11, style: str = "") -> None:
        pdf.set_font("Sans", style, size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    write(statement.title, 16, "B")
    write(f"Patient: {statement.person}")
    for number, section in enumerate(statement.sections, start=1):
        pdf.ln(3)
        write(f"{number}. {section.heading}" if numbered else section.heading, 12, "B")
        for index, item in enumerate(section.items, start=1):
            marker = (f"{index}. " if numbered else "\u2022 ") if len(section.items) > 1 else ""
            write(marker + item)
        if section.rows:
            pdf.set_font("Sans", "", 10)
            with pdf.table(col_widths=(60, 50, 50)) as table:
                for values in [COLUMNS, *section.rows]:
                    row = table.row()
                    for value in values:
                        row.cell(value)
    return bytes(pdf.output())


def pdf_fpdf(statement: Statement) -> bytes:
    """fpdf2 (as the app prints): bold headings, bullets, wrapped lines, a ruled table."""
    return _fpdf(statement, numbered=False)


def pdf_fpdf_numbered(statement: Statement) -> bytes:
    """fpdf2 with numbered headings and numbered lists."""
    return _fpdf(statement, numbered=True)


def pdf_reportlab(statement: Statement) -> bytes:
    """ReportLab: a title naming the person, larger heading type, bullets, a gridded table
    with a bold header row; Helvetica rather than DejaVu."""
    styles = getSampleStyleSheet()
    story = [Paragraph(named_title(statement), styles["Title"])]
    for section in statement.sections:
        story.append(Paragraph(section.heading, styles["Heading2"]))
        for item in section.items:
            bullet = "\u2022" if len(section.items) > 1 else None
            story.append(
                Paragraph(item.replace("&", "&amp;"), styles["BodyText"], bulletText=bullet)
            )
        if section.rows:
            table = Table([list(COLUMNS), *[list(row) for row in section.rows]])
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ]
                )
            )
            story.append(table)
        story.append(Spacer(1, 6))
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=statement.title).build(story)
    return buffer.getvalue()


def pdf_columns(statement: Statement) -> bytes:
    """fpdf2 with the person named in a bold label, headings in capitals (same size, not
    bold), and contacts laid out in columns with no rules."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("Sans", "", FONT / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    pdf.set_font("Sans", "B", 14)
    pdf.multi_cell(0, 7, statement.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 10)
    pdf.multi_cell(0, 5, f"Name of person: {statement.person}", new_x="LMARGIN", new_y="NEXT")
    for section in statement.sections:
        pdf.ln(4)
        pdf.multi_cell(0, 5, section.heading.upper(), new_x="LMARGIN", new_y="NEXT")
        for item in section.items:
            pdf.multi_cell(0, 5, item, new_x="LMARGIN", new_y="NEXT")
        for row in section.rows:
            for value, width in zip(row, (60, 40, 50), strict=True):
                pdf.cell(width, 5, value)
            pdf.ln(5)
    return bytes(pdf.output())


def docx_sections(statement: Statement) -> bytes:
    """A trust's form: "Section n:" Heading 1 headings, the person in a Patient | name table
    at the top, each item a plain paragraph."""
    document = docx.Document()
    document.add_paragraph(statement.title, style="Heading 1")
    about = document.add_table(rows=2, cols=2)
    about.rows[0].cells[0].text, about.rows[0].cells[1].text = "Patient", statement.person
    about.rows[1].cells[0].text, about.rows[1].cells[1].text = "NHS number", "943 476 5919"
    for number, section in enumerate(statement.sections, start=1):
        document.add_paragraph(f"Section {number}: {section.heading}", style="Heading 1")
        for item in section.items:
            document.add_paragraph(item)
        if section.rows:
            _docx_rows(document, section.rows, bold_header=False)
    return _saved(document)


def markdown_bold(statement: Statement) -> bytes:
    """Markdown with **bold** lines for headings and * bullets, wrapped at 60 columns."""
    lines = [f"**{named_title(statement)}**", ""]
    for section in statement.sections:
        lines += [f"**{section.heading}**", ""]
        for item in section.items:
            wrapped = textwrap.wrap(item, 60)
            if len(section.items) > 1:
                wrapped = [f"* {wrapped[0]}", *["  " + w for w in wrapped[1:]]]
            lines += wrapped
            lines.append("")
        lines += [f"* {row_text(row)}" for row in section.rows]
        lines.append("")
    return "\n".join(lines).encode()


# ---- Markdown and plain text ----------------------------------------------------------------


def markdown(statement: Statement) -> bytes:
    lines = [f"# {statement.title}", "", f"**Name:** {statement.person}", ""]
    for section in statement.sections:
        lines += [f"## {section.heading}", ""]
        lines += [f"- {item}" if len(section.items) > 1 else item for item in section.items]
        if section.rows:
            lines += ["| " + " | ".join(COLUMNS) + " |", "|---|---|---|"]
            lines += ["| " + " | ".join(row) + " |" for row in section.rows]
        lines.append("")
    return "\n".join(lines).encode()


def _text(statement: Statement, heading: Callable[[str], list[str]], about: str) -> list[str]:
    lines = [statement.title, about, ""]
    for section in statement.sections:
        lines += heading(section.heading)
        lines += [f"- {item}" if len(section.items) > 1 else item for item in section.items]
        lines += [row_text(row) for row in section.rows]
        lines.append("")
    return lines


def text_caps(statement: Statement) -> bytes:
    """Headings in capitals, "Name:" line."""
    lines = _text(statement, lambda h: [h.upper()], f"Name: {statement.person}")
    return "\n".join(lines).encode()


def text_colon(statement: Statement) -> bytes:
    """Headings ending in a colon, the person named in the title."""
    lines = _text(statement, lambda h: [f"{h}:"], "")
    lines[0] = named_title(statement)
    return "\n".join(lines).encode()


def text_underlined(statement: Statement) -> bytes:
    """Headings underlined with = or -, Windows line endings, Windows-1252."""
    lines = _text(statement, lambda h: [h, "-" * len(h)], f"Full name: {statement.person}")
    return "\r\n".join(lines).encode("cp1252")


def text_messy(statement: Statement) -> bytes:
    """As typed in a hurry: hard-wrapped at 50 columns, * and \u2022 bullets, headings in
    capitals with a colon, stray spaces and blank lines, an empty section."""
    lines = [statement.title.upper(), f"Patient:   {statement.person}", "", ""]
    for number, section in enumerate(statement.sections):
        lines += [f"{section.heading.upper()}:  ", ""]
        bullet = "*" if number % 2 else "\u2022"
        for item in section.items:
            wrapped = textwrap.wrap(item, 50)
            if len(section.items) > 1:
                wrapped = [f"{bullet} {wrapped[0]}", *["  " + w for w in wrapped[1:]]]
            lines += wrapped
        lines += [row_text(row) for row in section.rows]
        lines += ["", "   "] if number % 3 == 0 else [""]
    return "\n".join(lines).encode()


RENDERERS: dict[str, tuple[str, str, Callable[[Statement], bytes]]] = {
    "docx_styled": ("docx", "docx", docx_styled),
    "docx_bold": ("docx", "docx", docx_bold),
    "docx_table": ("docx", "docx", docx_table),
    "pdf_fpdf": ("pdf", "pdf", pdf_fpdf),
    "pdf_fpdf_numbered": ("pdf", "pdf", pdf_fpdf_numbered),
    "pdf_reportlab": ("pdf", "pdf", pdf_reportlab),
    "pdf_columns": ("pdf", "pdf", pdf_columns),
    "docx_sections": ("docx", "docx", docx_sections),
    "markdown_bold": ("markdown", "md", markdown_bold),
    "markdown": ("markdown", "md", markdown),
    "text_caps": ("text", "txt", text_caps),
    "text_colon": ("text", "txt", text_colon),
    "text_underlined": ("text", "txt", text_underlined),
    "text_messy": ("text", "txt", text_messy),
}
LAYOUTS = {
    "sam": ["docx_styled", "pdf_fpdf", "markdown", "text_caps", "pdf_reportlab"],
    "jordan": ["docx_bold", "pdf_reportlab", "text_colon", "markdown"],
    "aisha": ["docx_table", "pdf_fpdf_numbered", "markdown", "text_messy"],
    "tomasz": ["docx_styled", "pdf_reportlab", "text_underlined", "docx_bold"],
    "bethan": ["docx_bold", "pdf_fpdf", "text_messy", "markdown"],
    "kwame": ["pdf_reportlab", "docx_styled", "text_caps", "pdf_fpdf_numbered"],
    "rosie": ["pdf_fpdf", "docx_table", "markdown", "text_colon"],
    "li": ["pdf_fpdf_numbered", "docx_bold", "text_messy", "pdf_reportlab"],
    "priya": ["docx_sections", "pdf_columns", "markdown_bold", "text_messy"],
    "owen": ["pdf_columns", "docx_sections", "markdown_bold", "pdf_reportlab"],
}


def main() -> None:
    for statement in STATEMENTS:
        for layout in LAYOUTS[statement.slug]:
            format_, extension, render = RENDERERS[layout]
            name = f"{statement.slug}_{layout}"
            data = render(statement)
            (CORPUS / f"{name}.{extension}").write_bytes(data)
            facts = expected(statement, format_)
            (CORPUS / f"{name}.expected.json").write_text(
                json.dumps(facts, indent=1, ensure_ascii=False) + "\n"
            )


if __name__ == "__main__":
    main()
