"""Held-out documents of the import corpus: written by an outside tester after the parsers
were built, in wordings and layouts the parsers were not developed against. Each is written
beside NAME.expected.json in the corpus contract (see ../../test_corpus_accuracy.py).

Run from the repository root: .venv/bin/python -m tests.statements.corpus.held_out.make_held_out

They imitate how real services and people write: a Welsh bilingual advance statement in
Word heading styles, a joint crisis plan in Word with bold labels run into the text, a
"My crisis plan" booklet as an fpdf2 question-and-answer table, a Scottish advance
statement from ReportLab with numbered headings and lettered lists, someone's own notes
in lower case, Markdown with setext headings and with bold labels in lists, a trust's
contingency plan with a four-column contacts table, and FHIR Bundles with and without
narrative.
"""

import json
import textwrap
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
from docx.shared import Pt
from fpdf import FPDF
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.config import get_settings
from tests.statements.corpus.facts import Facts

HERE = Path(__file__).parent
FONT = Path(get_settings().print_font_dir)
XHTML = "http://www.w3.org/1999/xhtml"
LOINC = "http://loinc.org"


def _saved(document: docx.Document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _fpdf() -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("Sans", "", FONT / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    return pdf


# ---- Word -----------------------------------------------------------------------------------


def welsh_docx_styled(fact: Facts) -> tuple[bytes, str]:
    """A bilingual advance statement: Welsh / English headings in Heading 1, bullets."""
    document = docx.Document()
    document.add_paragraph("Datganiad Ymlaen Llaw / Advance Statement", style="Title")
    document.add_paragraph("Enw / Name: Carys Evans")
    document.add_paragraph("Dyddiad geni / Date of birth: 04/09/1988")
    sections = [
        (
            "Pan fydda i'n iach / When I am well",
            [
                fact(
                    "when_well", "I teach Welsh to adults two evenings a week and I sing in a choir"
                )
            ],
        ),
        (
            "Arwyddion rhybudd / Warning signs that I am becoming unwell",
            [
                fact("others_take_over", "I stop answering the phone, even to my mam"),
                fact("others_take_over", "I become convinced the neighbours are recording me"),
            ],
        ),
        (
            "Meddyginiaeth sy'n helpu / Medication that helps me",
            [fact("medicines_preferred", "Aripiprazole 15 mg in the morning")],
        ),
        (
            "Meddyginiaeth nad ydw i eisiau / Medication I do not want",
            [fact("medicines_avoid", "Risperidone, it made me gain four stone")],
        ),
        ("Alergeddau / Allergies", [fact("allergies", "Codeine makes my throat swell")]),
        (
            "Ble hoffwn i gael triniaeth / Where I would like to be treated",
            [fact("where_treated", "Ward Taliesin at Ysbyty Glan Clwyd, close to home")],
        ),
        (
            "Plant / My children",
            [
                fact("practical", "My sister Ffion will collect Osian and Mali from school"),
            ],
        ),
    ]
    for heading, items in sections:
        document.add_paragraph(heading, style="Heading 1")
        for item in items:
            document.add_paragraph(item, style="List Bullet" if len(items) > 1 else None)
    return _saved(document), "Carys Evans"


def jcp_docx_bold_inline(fact: Facts) -> tuple[bytes, str]:
    """A joint crisis plan typed into Word: bold labels with the answer on the same line,
    and a few labels on their own with lines below."""
    document = docx.Document()
    title = document.add_paragraph().add_run("JOINT CRISIS PLAN")
    title.bold, title.font.size = True, Pt(18)

    def labelled(label: str, text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(" " + text)

    labelled("Name:", "Daniel Okafor")
    labelled("Care coordinator:", "Helen Marsh, Northside CMHT")
    labelled(
        "Signs of a crisis:",
        fact("others_take_over", "I pace at night and accuse my family of plotting against me"),
    )
    labelled(
        "Positive things I can do in a crisis:",
        fact("what_helps", "Go for a long walk by the canal with my brother"),
    )
    labelled(
        "Treatment I would prefer:",
        fact("treatments_wanted", "Home treatment team visits rather than going into hospital"),
    )
    labelled(
        "Specific refusals:",
        fact("treatments_refused", "I do not consent to being restrained face down"),
    )
    labelled(
        "Practical help needed:",
        fact("practical", "Someone to pay my rent to the council on the 1st of the month"),
    )
    document.add_paragraph().add_run("People to contact").bold = True
    document.add_paragraph(fact("who_helps", "Chinedu Okafor (brother) 07700 900611"))
    document.add_paragraph(fact("who_helps", "Dr R. Patel, GP, 0161 496 0732"))
    document.add_paragraph().add_run("Please do not contact").bold = True
    document.add_paragraph(fact("not_involved", "My former employer"))
    return _saved(document), "Daniel Okafor"


def trust_docx_heading3(fact: Facts) -> tuple[bytes, str]:
    """A trust's Word template: Heading 3 headings, a table of details at the top, bold
    sub-labels inside a section and answers as numbered paragraphs."""
    document = docx.Document()
    document.add_paragraph("Crisis and Contingency Plan", style="Heading 1")
    details = document.add_table(rows=3, cols=2)
    details.style = "Table Grid"
    for row, (label, value) in zip(
        details.rows,
        [("Service user", "Marek Zielinski"), ("RiO number", "RX10442"), ("Team", "EIP East")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = label, value
    document.add_paragraph("Relapse signature", style="Heading 3")
    for item in [
        fact("others_take_over", "Marek stops going to the gym and stays in his room"),
        fact("others_take_over", "He hears his late father's voice telling him to leave"),
    ]:
        document.add_paragraph(item, style="List Number")
    document.add_paragraph("Contingency plan", style="Heading 3")
    document.add_paragraph(
        fact("what_helps", "Early contact from the EIP duty worker the same day")
    )
    document.add_paragraph("Medication", style="Heading 3")
    document.add_paragraph(
        fact("medicines_preferred", "Marek would like to stay on paliperidone depot monthly")
    )
    document.add_paragraph(
        fact("medicines_avoid", "He asks that he is not given promethazine injections")
    )
    document.add_paragraph("Places I don't want to go", style="Heading 3")
    document.add_paragraph(fact("where_not_treated", "The PICU at Hollins Park"))
    return _saved(document), "Marek Zielinski"


# ---- PDF ------------------------------------------------------------------------------------


def booklet_pdf_fpdf_table(fact: Facts) -> tuple[bytes, str]:
    """A charity's "My crisis plan" booklet: the questions printed in a ruled table, the
    person's answers typed in the right-hand column."""
    pdf = _fpdf()
    pdf.set_font("Sans", "B", 18)
    pdf.multi_cell(0, 9, "My crisis plan", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 11)
    pdf.multi_cell(0, 6, "This plan belongs to: Leah Goldberg", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    rows = [
        (
            "What am I like when I'm well?",
            fact("when_well", "Chatty, busy with my allotment and baking for everyone"),
        ),
        (
            "What might tell other people I'm not coping?",
            fact("others_take_over", "I give away my belongings and stop washing"),
        ),
        (
            "What helps me when I'm struggling?",
            fact("what_helps", "Someone sitting with me and not asking too many questions"),
        ),
        (
            "What makes things worse?",
            fact("what_does_not_help", "Being told to cheer up or pull myself together"),
        ),
        (
            "Who would I like to be told?",
            fact("who_helps", "My friend Rachel Stein, 07700 900455"),
        ),
        (
            "Is there anyone who should not be told?",
            fact("not_involved", "My father, we are not in contact"),
        ),
        (
            "Anything about my home or pets?",
            fact("practical", "Pepper the rabbit needs fresh hay every day"),
        ),
    ]
    with pdf.table(col_widths=(70, 110)) as table:
        for question, answer in rows:
            row = table.row()
            row.cell(question)
            row.cell(answer)
    return bytes(pdf.output()), "Leah Goldberg"


def scottish_pdf_reportlab(fact: Facts) -> tuple[bytes, str]:
    """A Scottish advance statement: numbered headings, lettered reasons, a named-person
    table, a signature block."""
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph("Advance Statement", styles["Title"]),
        Paragraph(
            "Made under sections 275 and 276 of the Mental Health (Care and Treatment) "
            "(Scotland) Act 2003",
            styles["Italic"],
        ),
        Paragraph("Full name: Euan MacLeod", styles["BodyText"]),
        Paragraph("1. The way I wish to be treated", styles["Heading2"]),
    ]
    for letter, item in zip(
        "ab",
        [
            fact("treatments_wanted", "Talking therapy with a psychologist I already know"),
            fact("medicines_preferred", "Lithium carbonate, kept between 0.6 and 0.8"),
        ],
        strict=True,
    ):
        story.append(Paragraph(f"({letter}) {item}", styles["BodyText"]))
    story.append(Paragraph("2. The way I do not wish to be treated", styles["Heading2"]))
    for letter, item in zip(
        "ab",
        [
            fact("medicines_avoid", "Zuclopenthixol acetate (Acuphase), I was ill for weeks"),
            fact("treatments_refused", "ECT, I have seen what it did to my uncle"),
        ],
        strict=True,
    ):
        story.append(Paragraph(f"({letter}) {item}", styles["BodyText"]))
    story.append(Paragraph("3. My named person", styles["Heading2"]))
    table = Table(
        [
            ["Name", "Address", "Telephone"],
            ["Morag MacLeod", "12 Harbour Road, Ullapool", "01854 613 300"],
        ]
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story.append(table)
    fact("who_helps", "Morag MacLeod")
    story.append(Paragraph("4. Other things I would like people to know", styles["Heading2"]))
    story.append(
        Paragraph(
            fact(
                "other",
                "I speak Gaelic at home and find it calming if staff use a few words",
                heading="Other things I would like people to know",
            ),
            styles["BodyText"],
        )
    )
    story.append(Spacer(1, 12))
    story.append(Paragraph("Signed: Euan MacLeod    Date: 2 March 2026", styles["BodyText"]))
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Advance Statement").build(story)
    return buffer.getvalue(), "Euan MacLeod"


def contingency_pdf_fpdf(fact: Facts) -> tuple[bytes, str]:
    """A trust's crisis plan from fpdf2: lettered section headings in bold, long wrapped
    sentences, a four-column contacts table with a header row."""
    pdf = _fpdf()

    def write(text: str, size: float = 10, style: str = "") -> None:
        pdf.set_font("Sans", style, size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    write("Riverside NHS Foundation Trust", 9)
    write("Crisis Plan", 15, "B")
    write("Patient name: Aaliyah Brooks     NHS no: 485 777 3456")
    pdf.ln(3)
    write("A. My early warning signs", 11, "B")
    write(
        fact(
            "others_take_over",
            "I start cancelling plans with friends and sleeping through the day, and I "
            "stop replying to messages from my support worker",
        )
    )
    pdf.ln(2)
    write("B. What I would like you to do", 11, "B")
    write(fact("what_helps", "Phone my mum first and let her come round before anyone else"))
    pdf.ln(2)
    write("C. What you should avoid doing", 11, "B")
    write(fact("what_does_not_help", "Turning up unannounced with the police"))
    pdf.ln(2)
    write("D. Medicines", 11, "B")
    write(fact("allergies", "Allergic to sulfonamides"))
    write(fact("medicines_preferred", "Sertraline 100 mg suits me"))
    pdf.ln(2)
    write("E. Key contacts", 11, "B")
    pdf.set_font("Sans", "", 9)
    with pdf.table(col_widths=(45, 35, 40, 60)) as table:
        for values in [
            ("Name", "Role", "Phone", "Notes"),
            ("Denise Brooks", "Mother", "07700 900128", "Has a key"),
            ("Tom Greaves", "Support worker", "0113 496 0511", "Weekdays only"),
        ]:
            row = table.row()
            for value in values:
                row.cell(value)
    fact("who_helps", "Denise Brooks")
    fact("who_helps", "Tom Greaves")
    return bytes(pdf.output()), "Aaliyah Brooks"


def question_pdf_reportlab(fact: Facts) -> tuple[bytes, str]:
    """ReportLab: bold questions as paragraphs (not heading styles) and numbered answers."""
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph("Wellbeing and crisis plan: Noor Hussain", styles["Title"]),
    ]
    sections = [
        (
            "If I become unwell, where would I like to be looked after?",
            [fact("where_treated", "At home with the crisis team, if my husband agrees")],
        ),
        (
            "Where would I not want to go?",
            [fact("where_not_treated", "A mixed-sex ward")],
        ),
        (
            "Medicines that have not suited me",
            [
                fact("medicines_avoid", "Mirtazapine made me sleep fourteen hours a day"),
                fact("medicines_avoid", "Venlafaxine gave me night sweats"),
            ],
        ),
        (
            "How will people know I no longer need this plan?",
            [fact("no_longer_needed", "When I am back at work and cooking for the family")],
        ),
    ]
    for question, answers in sections:
        story.append(Paragraph(f"<b>{question}</b>", styles["BodyText"]))
        for number, answer in enumerate(answers, start=1):
            prefix = f"{number}. " if len(answers) > 1 else ""
            story.append(Paragraph(prefix + answer, styles["BodyText"]))
        story.append(Spacer(1, 6))
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue(), "Noor Hussain"


# ---- Markdown and text ----------------------------------------------------------------------


def markdown_setext(fact: Facts) -> bytes:
    lines = [
        "Advance statement of wishes",
        "===========================",
        "",
        "Written by Jamie Fletcher while well.",
        "",
        "Things that keep me well",
        "------------------------",
        "",
        fact("when_well", "Running on Saturday mornings and seeing my nephews"),
        "",
        "If I stop being able to decide for myself",
        "-----------------------------------------",
        "",
        "1. " + fact("treatments_wanted", "Please try a crisis house before a hospital bed"),
        "2. " + fact("who_helps", "Ask my partner Alex to stay with me"),
        "",
        "Things I never want",
        "-------------------",
        "",
        "> " + fact("treatments_refused", "Being secluded in a locked room"),
        "",
        "* " + fact("medicines_avoid", "Haloperidol injections"),
        "",
        "Notes",
        "-----",
        "",
        fact("other", "My pronouns are they/them", heading="Notes"),
        "",
    ]
    return "\n".join(lines).encode()


def markdown_bold_labels(fact: Facts) -> bytes:
    lines = [
        "# Crisis plan - Oluwaseun Adeyemi",
        "",
        "### Medication",
        "",
        "- **Please give:** " + fact("medicines_preferred", "Quetiapine 300 mg at bedtime"),
        "- **Please do not give:** " + fact("medicines_avoid", "Chlorpromazine"),
        "- **Allergies:** " + fact("allergies", "Latex and penicillin"),
        "",
        "### People",
        "",
        "- **Contact:** " + fact("who_helps", "Funmi Adeyemi (wife) 07700 900377"),
        "- **Do not contact:** " + fact("not_involved", "My brother Tunde"),
        "",
        "### At home",
        "",
        fact("practical", "The gas meter key is under the mat; please top it up"),
        "",
    ]
    return "\n".join(lines).encode()


def own_notes_text(fact: Facts) -> bytes:
    """Someone's own notes: lower-case headings with dashes, sentences run together."""
    lines = [
        "my plan for when things go wrong - Ruby Clarke",
        "",
        "what i'm like normally --",
        fact("when_well", "noisy, funny, always at the football with my dad"),
        "",
        "things that DON'T help --",
        fact("what_does_not_help", "people whispering about me in the next room"),
        "",
        "meds --",
        fact("medicines_preferred", "quetiapine works for me at night"),
        fact("medicines_avoid", "no lorazepam please, it knocks me out for days"),
        "",
        "who i want around --",
        fact("who_helps", "my best mate Kayleigh 07700 900212"),
        "",
        "the cats --",
        fact("practical", "Smudge and Tigger need feeding twice a day, food is in the shed"),
        "",
    ]
    return "\n".join(lines).encode()


def numbered_text(fact: Facts) -> bytes:
    """A typed form: numbered capital headings with a closing bracket, lettered answers,
    hard-wrapped at 60 columns."""
    sections = [
        (
            "1) WHEN I AM WELL",
            [
                fact(
                    "when_well",
                    "I volunteer at the food bank and look after my grandchildren on Fridays",
                )
            ],
        ),
        (
            "2) SIGNS I AM BECOMING UNWELL",
            [
                fact("others_take_over", "I stop taking my tablets and say I do not need them"),
                fact("others_take_over", "I spend money I do not have on catalogues"),
            ],
        ),
        (
            "3) TREATMENT I DO NOT WANT",
            [fact("treatments_refused", "Being sent to a hospital out of area")],
        ),
        (
            "4) WHERE I WANT TO BE CARED FOR",
            [fact("where_treated", "The Beeches ward, where I know the staff")],
        ),
    ]
    lines = ["PERSONAL CRISIS PLAN", "Name: Patricia O'Neill", ""]
    for heading, items in sections:
        lines.append(heading)
        for letter, item in zip("abc", items, strict=False):
            wrapped = textwrap.wrap(item, 60)
            lines.append(f"{letter}. {wrapped[0]}")
            lines += ["   " + w for w in wrapped[1:]]
        lines.append("")
    return "\n".join(lines).encode()


# ---- FHIR -----------------------------------------------------------------------------------


def _div(html: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{html}</div>'}


def _ref(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _bundle(resources: list[dict[str, Any]], bundle_id: str) -> bytes:
    bundle = {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "document",
        "timestamp": "2026-11-20T10:00:00+00:00",
        "entry": [{"fullUrl": _ref(f"{bundle_id}-{r['id']}"), "resource": r} for r in resources],
    }
    return (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode()


def fhir_narrative(fact: Facts) -> bytes:
    """A document Bundle of narrative sections with uncoded titles, lists and bold labels,
    signed by the person and witnessed."""
    sections = [
        {
            "title": "Early indicators of relapse",
            "text": _div(
                "<ul><li>"
                + fact("others_take_over", "Writing long letters to the council at night")
                + "</li><li>"
                + fact("others_take_over", "Refusing to eat food I have not cooked myself")
                + "</li></ul>"
            ),
        },
        {
            "title": "Medication preferences",
            "text": _div(
                "<p>"
                + fact("medicines_preferred", "Clozapine has kept me out of hospital")
                + "</p>"
                "<p>" + fact("medicines_avoid", "Please avoid olanzapine, I put on weight") + "</p>"
            ),
        },
        {
            "title": "Care of dependants",
            "text": _div(
                "<p>"
                + fact("practical", "My son Kai goes to his dad's, who knows the routine")
                + "</p>"
            ),
        },
        {
            "title": "What staff should do",
            "text": _div(
                "<p>" + fact("what_helps", "Explain each step slowly and in writing") + "</p>"
            ),
        },
    ]
    composition = {
        "resourceType": "Composition",
        "id": "c1",
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": "104144-1"}]},
        "subject": {"reference": _ref("held-fhir-1-p1")},
        "date": "2026-03-02",
        "author": [{"reference": _ref("held-fhir-1-p1")}],
        "title": "Advance statement",
        "attester": [
            {
                "mode": "personal",
                "time": "2026-03-02",
                "party": {"reference": _ref("held-fhir-1-p1")},
            },
            {"mode": "legal", "time": "2026-03-02", "party": {"reference": _ref("held-fhir-1-w1")}},
        ],
        "section": sections,
    }
    resources = [
        composition,
        {"resourceType": "Patient", "id": "p1", "name": [{"text": "Mina Kovac"}]},
        {
            "resourceType": "RelatedPerson",
            "id": "w1",
            "patient": {"reference": _ref("held-fhir-1-p1")},
            "relationship": [{"text": "witness"}],
            "name": [{"given": ["Irene"], "family": "Walsh"}],
        },
    ]
    return _bundle(resources, "held-fhir-1")


def fhir_entries(fact: Facts) -> bytes:
    """A document Bundle with no narrative: medicines, an allergy, a contact and a care
    plan's wishes as data."""
    pat = _ref("held-fhir-2-p2")
    sections = [
        {
            "title": "Medications",
            "entry": [{"reference": _ref("held-fhir-2-m1")}, {"reference": _ref("held-fhir-2-m2")}],
        },
        {"title": "Allergies", "entry": [{"reference": _ref("held-fhir-2-a1")}]},
        {"title": "Contacts", "entry": [{"reference": _ref("held-fhir-2-r1")}]},
        {"title": "Plan", "entry": [{"reference": _ref("held-fhir-2-cp")}]},
    ]
    resources = [
        {
            "resourceType": "Composition",
            "id": "c2",
            "status": "final",
            "type": {"coding": [{"system": LOINC, "code": "104144-1"}]},
            "subject": {"reference": pat},
            "date": "2026-05-11",
            "author": [{"display": "Dr Ewa Nowak"}],
            "title": "Crisis plan",
            "section": sections,
        },
        {"resourceType": "Patient", "id": "p2", "name": [{"given": ["Callum"], "family": "Reid"}]},
        {
            "resourceType": "MedicationStatement",
            "id": "m1",
            "status": "active",
            "medicationCodeableConcept": {"text": "Lithium carbonate 400 mg"},
            "subject": {"reference": pat},
        },
        {
            "resourceType": "MedicationStatement",
            "id": "m2",
            "status": "stopped",
            "statusReason": [{"text": "tremor"}],
            "medicationCodeableConcept": {"text": "Sodium valproate"},
            "subject": {"reference": pat},
        },
        {
            "resourceType": "AllergyIntolerance",
            "id": "a1",
            "code": {"text": "Carbamazepine"},
            "patient": {"reference": pat},
            "reaction": [{"manifestation": [{"text": "skin peeling"}]}],
        },
        {
            "resourceType": "RelatedPerson",
            "id": "r1",
            "patient": {"reference": pat},
            "relationship": [{"text": "father"}],
            "name": [{"given": ["Ian"], "family": "Reid"}],
            "telecom": [{"system": "phone", "value": "01382 496 221"}],
        },
        {
            "resourceType": "CarePlan",
            "id": "cp",
            "status": "active",
            "intent": "plan",
            "subject": {"reference": pat},
            "activity": [
                {
                    "detail": {
                        "status": "not-started",
                        "doNotPerform": True,
                        "code": {"text": "Admission to hospital in Glasgow"},
                    }
                }
            ],
        },
    ]
    fact("medicines_preferred", "Lithium carbonate 400 mg")
    fact("medicines_avoid", "Sodium valproate")
    fact("allergies", "Carbamazepine")
    fact("who_helps", "Ian Reid")
    fact("treatments_refused", "Admission to hospital in Glasgow")
    return _bundle(resources, "held-fhir-2")


DOCUMENTS = {
    "welsh_docx_styled": ("docx", "docx", welsh_docx_styled),
    "jcp_docx_bold_inline": ("docx", "docx", jcp_docx_bold_inline),
    "trust_docx_heading3": ("docx", "docx", trust_docx_heading3),
    "booklet_pdf_fpdf_table": ("pdf", "pdf", booklet_pdf_fpdf_table),
    "scottish_pdf_reportlab": ("pdf", "pdf", scottish_pdf_reportlab),
    "contingency_pdf_fpdf": ("pdf", "pdf", contingency_pdf_fpdf),
    "question_pdf_reportlab": ("pdf", "pdf", question_pdf_reportlab),
    # Names its person only as its writer, in a sentence: not enough to say whose it is
    # (a clinician writes "Written by" too), so the wrong-person check has nothing to find.
    "markdown_setext": ("markdown", "md", lambda fact: (markdown_setext(fact), None)),
    "markdown_bold_labels": (
        "markdown",
        "md",
        lambda fact: (markdown_bold_labels(fact), "Oluwaseun Adeyemi"),
    ),
    "own_notes_text": ("text", "txt", lambda fact: (own_notes_text(fact), "Ruby Clarke")),
    "numbered_text": ("text", "txt", lambda fact: (numbered_text(fact), "Patricia O'Neill")),
    "fhir_narrative": ("fhir", "json", lambda fact: (fhir_narrative(fact), "Mina Kovac")),
    "fhir_entries": ("fhir", "json", lambda fact: (fhir_entries(fact), "Callum Reid")),
}


def main() -> None:
    for name, (format_, extension, render) in DOCUMENTS.items():
        fact = Facts()
        data, about = render(fact)
        (HERE / f"{name}.{extension}").write_bytes(data)
        expected = {"format": format_, "about": about, "facts": fact.facts}
        (HERE / f"{name}.expected.json").write_text(
            json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
        )
        print(f"{name}: {len(fact.facts)} facts")


if __name__ == "__main__":
    main()
