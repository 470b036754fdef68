"""Documents read by their structure: what outside testers found with crisis statements
written elsewhere, each imported through the API."""

from io import BytesIO
from pathlib import Path

import docx
from fpdf import FPDF

from app.core.config import get_settings
from tests.helpers.statements import fields_and_texts, imported, upload

FONT = Path(get_settings().print_font_dir)
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf(blocks: list[tuple[str, object]]) -> bytes:
    """("title"|"heading"|"text", words) or ("table", rows), laid out as fpdf2 does."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("Sans", "", FONT / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    for kind, value in blocks:
        if kind == "table":
            pdf.set_font("Sans", "", 10)
            with pdf.table() as table:
                for values in value:
                    row = table.row()
                    for cell in values:
                        row.cell(cell)
            continue
        size, style = {"title": (16, "B"), "heading": (12, "B"), "text": (11, "")}[kind]
        if kind == "heading":
            pdf.ln(3)
        pdf.set_font("Sans", style, size)
        pdf.multi_cell(0, size * 0.5, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _fields_of(result: dict, text: str) -> set[str]:
    return {part["field"] for part in result["parts"] if text in part["text"]}


def test_pdf_heading_in_unknown_words_starts_its_own_section(owner, green_book):
    """A bold heading the app has no phrase for no longer falls into the section above:
    a medicine under a heading about preferred treatment is not a refused treatment, and
    the heading line is never a part."""
    data = _pdf(
        [
            ("heading", "Treatments I do not want"),
            ("text", "Electroconvulsive therapy."),
            ("heading", "What I would prefer instead, treatment-wise and medication-wise"),
            ("text", "Olanzapine 10 mg at night."),
            ("heading", "Bits and pieces the ward asked about"),
            ("text", "I take my tea with two sugars."),
        ]
    )
    result = imported(owner, green_book["id"], "statement.pdf", data)

    assert fields_and_texts(result) == [
        ("treatments_refused", "Electroconvulsive therapy."),
        ("medicines_preferred", "Olanzapine 10 mg at night."),
        ("other", "I take my tea with two sugars."),
    ]
    assert result["parts"][2]["heading"] == "Bits and pieces the ward asked about"


def test_common_wordings_for_preferred_treatment_and_medication(owner, green_book):
    """In Word (heading styles) and in PDF (bold lines) alike."""
    headings = [
        ("Preferred treatment", "Home treatment team visits.", "treatments_wanted"),
        ("Medication I am happy to take", "Sertraline.", "medicines_preferred"),
        ("Medicines that help me", "Promethazine at night.", "medicines_preferred"),
        ("Medication that has not helped", "Lithium.", "medicines_avoid"),
        ("Do not give me these medicines", "Haloperidol.", "medicines_avoid"),
        ("Who speaks for me", "My sister Priya, 07700 900123.", "who_helps"),
        ("People who should not be told", "My father.", "not_involved"),
        ("Looking after my dog and the bills", "Moss goes to my mum.", "practical"),
    ]
    word = docx.Document()
    for heading, text, _ in headings:
        word.add_paragraph(heading, style="Heading 2")
        word.add_paragraph(text)
    buffer = BytesIO()
    word.save(buffer)
    pdf = _pdf(
        [(kind, value) for h, t, _ in headings for kind, value in (("heading", h), ("text", t))]
    )
    expected = [(field, text) for _, text, field in headings]
    for name, data in [("plan.docx", buffer.getvalue()), ("plan.pdf", pdf)]:
        assert fields_and_texts(imported(owner, green_book["id"], name, data)) == expected, name


def test_a_refusal_is_never_read_as_a_preference(owner, green_book):
    text = (
        b"TREATMENT PREFERENCES\n"
        b"Talking therapy with someone I know.\n"
        b"Please do not use restraint on me.\n"
        b"\n"
        b"Medication:\n"
        b"Quetiapine 50 mg helps me sleep.\n"
        b"Never give me diazepam.\n"
        b"Fluoxetine 20 mg.\n"
    )
    result = imported(owner, green_book["id"], "plan.txt", text)

    assert fields_and_texts(result) == [
        ("treatments_wanted", "Talking therapy with someone I know."),
        ("treatments_refused", "Please do not use restraint on me."),
        ("medicines_preferred", "Quetiapine 50 mg helps me sleep."),
        ("medicines_avoid", "Never give me diazepam."),
        # "Medication" leans neither way and the line does not say: Anything else.
        ("other", "Fluoxetine 20 mg."),
    ]
    assert result["parts"][4]["heading"] == "Medication"


def test_pdf_contacts_table_keeps_each_person_with_their_number(owner, green_book):
    data = _pdf(
        [
            ("heading", "People to contact"),
            (
                "table",
                [
                    ("Name", "Relationship", "Phone"),
                    ("Priya Shah", "sister", "07700 900123"),
                    ("Jo Banks", "care coordinator", "0161 496 0000"),
                ],
            ),
            ("heading", "Allergies"),
            ("text", "Penicillin."),
        ]
    )
    result = imported(owner, green_book["id"], "contacts.pdf", data)

    assert fields_and_texts(result) == [
        ("who_helps", "Priya Shah \u2013 sister \u2013 07700 900123"),
        ("who_helps", "Jo Banks \u2013 care coordinator \u2013 0161 496 0000"),
        ("allergies", "Penicillin."),
    ]
    assert result["parts"][0]["where"] == "page 1, table row 2"


def _bold_title_docx(title: str) -> bytes:
    word = docx.Document()
    run = word.add_paragraph().add_run(title)
    run.bold = True
    word.add_paragraph().add_run("Who to contact").bold = True
    word.add_paragraph("My sister Priya.")
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def test_wrong_person_check_reads_a_bold_word_title(owner, green_book, make_account):
    """A Word file that starts with a bold title naming someone else stops the import."""
    data = _bold_title_docx("Advance statement for Jordan Lee")
    refused = upload(owner, green_book["id"], "statement.docx", data, DOCX)

    assert refused.status_code == 422
    problem = refused.json()
    assert problem["warnings"][0]["code"] == "different_name"
    assert "Jordan Lee" in problem["detail"] and "Sam" in problem["detail"]
    assert problem["where"] == "paragraph 1"
    assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []

    confirmed = imported(owner, green_book["id"], "statement.docx", data, confirm_person="true")
    assert [w["code"] for w in confirmed["warnings"]] == ["different_name"]
    assert confirmed["about"]["name"] == "Jordan Lee"

    # The person it names can bring it in without a warning.
    jordan = make_account("Jordan Lee")
    plan = jordan.post("/api/v1/plans", json={"template": "green_book", "title": "Mine"}).json()
    assert imported(jordan, plan["id"], "statement.docx", data)["warnings"] == []


def test_wrong_person_check_reads_a_patient_line_and_a_table_pair(owner, green_book):
    pdf = _pdf(
        [
            ("title", "Crisis card"),
            ("text", "Patient: Jordan Lee"),
            ("heading", "Allergies"),
            ("text", "Latex."),
        ]
    )
    markdown = b"| Full name | Jordan Lee |\n| Allergies | Latex |\n"
    for name, data, where in [("card.pdf", pdf, "page 1, line 2"), ("card.md", markdown, "line 1")]:
        refused = upload(owner, green_book["id"], name, data)
        assert refused.status_code == 422, name
        assert refused.json()["where"] == where


def test_a_bold_refusal_with_nothing_under_it_is_kept(owner, green_book):
    """A refusal set in bold for emphasis reads like a heading; with nothing under it, it
    is kept as a part of the refusing field rather than lost."""
    word = docx.Document()
    word.add_paragraph("Medicines I prefer", style="Heading 2")
    word.add_paragraph("Olanzapine helped me.")
    word.add_paragraph().add_run("Never give me haloperidol").bold = True
    word.add_paragraph("Who to contact", style="Heading 2")
    word.add_paragraph("Priya 07700 900123")
    word.add_paragraph().add_run("Do not contact my father").bold = True
    buffer = BytesIO()
    word.save(buffer)
    result = imported(owner, green_book["id"], "plan.docx", buffer.getvalue())

    assert fields_and_texts(result) == [
        ("medicines_preferred", "Olanzapine helped me."),
        ("medicines_avoid", "Never give me haloperidol"),
        ("who_helps", "Priya 07700 900123"),
        ("not_involved", "Do not contact my father"),
    ]


def test_a_page_covered_in_rules_is_read_as_text(owner, green_book):
    """A drawing of thousands of lines is not searched for tables; its text still counts."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("Sans", "", FONT / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    for step in range(1100):
        pdf.line(10 + step * 0.17, 200, 10 + step * 0.17, 280)
        pdf.line(10, 200 + step * 0.07, 200, 200 + step * 0.07)
    pdf.set_font("Sans", "B", 12)
    pdf.multi_cell(0, 6, "Allergies", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 11)
    pdf.multi_cell(0, 6, "Penicillin.", new_x="LMARGIN", new_y="NEXT")
    result = imported(owner, green_book["id"], "drawing.pdf", bytes(pdf.output()))

    assert fields_and_texts(result) == [("allergies", "Penicillin.")]


def test_a_first_heading_naming_a_topic_is_not_taken_for_the_title(owner, green_book):
    """A statement that starts straight in with "Medication" or "Things I do not want", with
    no title above, still has its refusals read as refusals, and a refusal of a medicine the
    plan prefers is shown as a contradiction."""
    plan_id = green_book["id"]
    preferred = owner.post(
        f"/api/v1/plans/{plan_id}/sections/crisis/entries",
        json={"text": "Olanzapine 10 mg at night", "prompt": "medicines_preferred"},
    )
    assert preferred.status_code == 201, preferred.text
    for name, statement, part in [
        ("a.md", "## Medication\n\nNo olanzapine please.\n", "No olanzapine please."),
        ("b.txt", "Things I do not want:\nOlanzapine\n", "Olanzapine"),
    ]:
        result = imported(owner, plan_id, name, statement.encode())
        assert fields_and_texts(result) == [("medicines_avoid", part)], name
        assert [c["kind"] for c in result["contradictions"]] == ["medicine"], name
