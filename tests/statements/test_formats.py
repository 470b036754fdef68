"""Each supported format, imported through the API and read back field by field."""

import json

import pytest

from tests.helpers.statement_files import (
    ABOUT,
    FIXTURES,
    TITLE,
    build_docx,
    build_pdf,
    expected_parts,
)
from tests.helpers.statements import crisis_entries, fields_and_texts, imported, upload

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("name", "build", "content_type", "source_format"),
    [
        (
            "crisis_plan.md",
            lambda: (FIXTURES / "crisis_plan.md").read_bytes(),
            "text/markdown",
            "markdown",
        ),
        ("crisis plan.docx", build_docx, DOCX_TYPE, "docx"),
        ("crisis plan.pdf", build_pdf, "application/pdf", "pdf"),
    ],
)
def test_documents_map_every_heading_to_its_field(
    owner, green_book, name, build, content_type, source_format
):
    data = build()
    response = upload(owner, green_book["id"], name, data, content_type)
    assert response.status_code == 201, response.text
    result = response.json()

    assert fields_and_texts(result) == expected_parts()
    assert all(part["status"] == "proposed" for part in result["parts"])
    assert result["status"] == "proposed"
    assert result["source"] | {"system": None} == {
        "file_name": name,
        "content_type": content_type,
        "format": source_format,
        "system": None,
        "title": TITLE,
        "author": ABOUT["Written by"],
        "organisation": ABOUT["Organisation"],
    }
    assert result["about"]["name"] == ABOUT["Name"]
    assert result["about"]["birth_date"] == ABOUT["Date of birth"]
    assert result["warnings"] == []
    assert (
        response.headers["location"] == f"/api/v1/plans/{green_book['id']}/imports/{result['id']}"
    )
    # The heading each part was under, as the document wrote it, for the person to see.
    headings = {part["field"]: part["heading"] for part in result["parts"]}
    assert headings["what_does_not_help"] == "Triggers"
    assert headings["other"] == "Favourite music"
    # Nothing is in the plan before the person decides.
    assert crisis_entries(owner, green_book["id"]) == []
    assert owner.get(f"/api/v1/plans/{green_book['id']}").json()["version"] == 1
    # The original file is kept, byte for byte, for the person to open.
    (original,) = result["attachments"]
    assert original["kind"] == "original" and original["size"] == len(data)
    download = owner.get(original["url"])
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"].startswith(content_type)
    assert "attachment" in download.headers["content-disposition"]


def test_fhir_mental_health_advance_directive_bundle(owner, green_book):
    result = imported(owner, green_book["id"], "mhad_bundle.json")

    assert fields_and_texts(result) == [
        ("who_helps", "I want my sister Priya Shah to speak for me if I cannot."),
        ("who_helps", "Priya Shah (sister; Person who speaks for me): 07700 900123"),
        ("others_take_over", "I stop answering my phone and stay in bed past midday."),
        ("others_take_over", "I start giving my things away."),
        ("other", "These are my wishes about medicines."),
        ("medicines_preferred", "A low dose of the sleeping tablet that helped me in 2023."),
        ("medicines_avoid", "Anything that made me stiff last time;\nthe ward has the list."),
        ("allergies", "Penicillin: Rash"),
        ("treatments_refused", "I do not consent to electroconvulsive therapy."),
        ("practical", "My cat Miso needs feeding twice a day; my sister has a key."),
        ("other", "Quiet piano music helps me settle at night."),
        ("statement", "I made this directive while I was well, on 2 March 2026."),
    ]
    parts = result["parts"]
    # A section coded with our own field key keeps that field whatever its title says.
    assert parts[9]["heading"] == "At home"
    # The RelatedPerson came from the healthcare agent section (LOINC 81335-2), with the
    # role the Consent gives them.
    assert parts[1]["where"] == "Bundle.entry[0].resource.section[0].entry[0]"
    assert parts[8]["heading"] == "Electroconvulsive therapy"
    assert result["source"] == {
        "file_name": "mhad_bundle.json",
        "content_type": "application/fhir+json",
        "format": "fhir",
        "system": "https://records.riverside.example/fhir",
        "title": "Mental health advance directive",
        "author": "Dr Ana Okafor",
        "organisation": "Riverside Mental Health Trust",
    }
    assert result["about"] == {
        "name": "Sam Taylor",
        "birth_date": "1990-05-14",
        "where": "Bundle.entry[1].resource (Patient)",
    }
    # The signed source form inside the Bundle (a Binary PDF) is kept as its own attachment.
    original, source_form = result["attachments"]
    assert (original["kind"], source_form["kind"]) == ("original", "embedded")
    assert source_form["content_type"] == "application/pdf"
    pdf = owner.get(source_form["url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    bundle = json.loads((FIXTURES / "mhad_bundle.json").read_text())
    assert owner.get(original["url"]).json() == bundle


def test_fhir_bare_composition(owner, green_book):
    result = imported(owner, green_book["id"], "composition.json")

    assert fields_and_texts(result) == [
        ("what_does_not_help", "Being touched without warning."),
        ("who_helps", "My sister Priya Shah on 07700 900123."),
        ("where_treated", "At home with the home treatment team."),
        ("what_helps", "Speak slowly and tell me what is happening."),
        ("what_helps", "Let me keep my headphones."),
        ("no_longer_needed", "When I am sleeping through the night and cooking again."),
    ]
    assert [p["heading"] for p in result["parts"][:3]] == [
        "Triggers",
        "Who to contact",
        "Where I'd like to be treated",
    ]
    assert result["source"]["author"] == "Jo Banks, care coordinator"
    assert result["source"]["organisation"] == "Riverside Mental Health Trust"
    assert result["about"] == {
        "name": "Sam Taylor",
        "birth_date": None,
        "where": "Composition.subject",
    }


def test_fhir_care_plan(owner, green_book):
    result = imported(owner, green_book["id"], "careplan.json")

    assert fields_and_texts(result) == [
        ("other", "Agreed with Sam at the review on 2 March 2026."),
        ("what_helps", "Speak slowly and tell me what is happening."),
        ("treatments_refused", "I do not consent to electroconvulsive therapy."),
        ("who_helps", "My sister Priya Shah on 07700 900123."),
        ("other", "Home visit: The home treatment team visits within four hours of a call."),
        ("other", "Sam asked for the plan to be printed as a card."),
    ]
    # The generated narrative only repeats the activities, so it adds no part.
    assert not any("contingency plan for" in text for _, text in fields_and_texts(result))
    assert result["source"]["title"] == "Crisis and contingency plan"
    assert result["about"] == {
        "name": "Sam Taylor",
        "birth_date": "1990-05-14",
        "where": "#p1 (Patient)",
    }


def test_plain_text_with_labelled_lines(owner, green_book):
    text = (
        b"Crisis card\n"
        b"Name: Sam\n"
        b"\n"
        b"Allergies: penicillin\n"
        b"Who to contact:\n"
        b"Priya, my sister\n"
        b"Jo at the crisis team\n"
        b"WHAT DOESN'T HELP\n"
        b"Being rushed\n"
    )
    result = imported(owner, green_book["id"], "card.txt", text)

    assert fields_and_texts(result) == [
        ("allergies", "penicillin"),
        ("who_helps", "Priya, my sister"),
        ("who_helps", "Jo at the crisis team"),
        ("what_does_not_help", "Being rushed"),
    ]
    assert result["source"]["title"] == "Crisis card"
    assert result["source"]["format"] == "text"


def test_the_import_can_be_listed_and_read_again(owner, green_book):
    first = imported(owner, green_book["id"], "composition.json")
    second = imported(owner, green_book["id"], "careplan.json")

    listed = owner.get(f"/api/v1/plans/{green_book['id']}/imports")
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()] == [second["id"], first["id"]]
    assert listed.json()[0]["counts"] == {"proposed": 6, "accepted": 0, "rejected": 0}
    assert listed.json()[0]["summary"].startswith("You brought in \u201ccareplan.json\u201d")
    again = owner.get(f"/api/v1/plans/{green_book['id']}/imports/{first['id']}")
    assert again.status_code == 200
    assert again.json() == first


def test_a_source_document_in_a_document_reference_is_kept(owner, green_book):
    bundle = json.loads((FIXTURES / "mhad_bundle.json").read_text())
    binary = bundle["entry"].pop()
    assert binary["resource"]["resourceType"] == "Binary"
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:source-form",
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "title": "Signed directive.pdf",
                            "data": binary["resource"]["data"],
                        }
                    }
                ],
            },
        }
    )
    result = imported(owner, green_book["id"], "mhad.json", json.dumps(bundle).encode())
    embedded = [a for a in result["attachments"] if a["kind"] == "embedded"]
    assert [(a["file_name"], a["content_type"]) for a in embedded] == [
        ("Signed directive.pdf", "application/pdf")
    ]
    assert owner.get(embedded[0]["url"]).content.startswith(b"%PDF-")
