"""The plan for other systems (FHIR R4) and for paper (PDF)."""

import io

from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from app.plans.templates import CRISIS_FIELDS
from tests.helpers.statements import crisis_entries, decide, fields_and_texts, imported, upload

LOINC = "http://loinc.org"


def _add(owner, plan_id: str, key: str, text: str, prompt: str | None = None, goal=None) -> dict:
    body = {"text": text, "prompt": prompt} | ({"goal": goal} if goal else {})
    response = owner.post(f"/api/v1/plans/{plan_id}/sections/{key}/entries", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _fill_crisis_plan(owner, plan_id: str, per_field: int = 2) -> list[tuple[str, str]]:
    """Entries in every crisis-plan field, with line breaks and markup characters."""
    written = []
    for key in CRISIS_FIELDS:
        texts = (
            f"First thing for {key} <b>&</b> \u201cquoted\u201d",
            f"Line one\nline two ({key})",
        )
        for text in texts[:per_field]:
            _add(owner, plan_id, "crisis", text, key)
            written.append((key, text))
    return written


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_fhir_export_is_a_valid_document(owner, green_book):
    plan_id = green_book["id"]
    _add(owner, plan_id, "triggers", "Crowded buses", "trigger")
    _add(
        owner,
        plan_id,
        "goals",
        "Join the walking group",
        "goal",
        {"way": "be_active", "steps": "Ask at the library", "by_when": "2026-06-01", "progress": 1},
    )
    _add(owner, plan_id, "crisis", "Call Priya", "who_helps")

    response = owner.get(f"/api/v1/plans/{plan_id}/fhir")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = response.json()
    Bundle.model_validate(bundle)  # valid R4 (fhir.resources R4B models)
    assert bundle["type"] == "document"
    assert bundle["identifier"]["system"] == "urn:ietf:rfc:3986"

    # The crisis plan's directive comes first (see test_fhir_export.py); the whole plan beside.
    crisis_composition, plan_composition = _resources(bundle, "Composition")
    assert bundle["entry"][0]["resource"]["id"] == crisis_composition["id"]
    assert plan_composition["title"] == "My book"
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    assert [s["code"]["coding"][0]["code"] for s in plan_composition["section"]] == [
        s["key"] for s in plan["sections"]
    ]
    triggers = next(s for s in plan_composition["section"] if s["title"] == "Triggers")
    assert "Crowded buses" in triggers["text"]["div"]
    empty = next(s for s in plan_composition["section"] if s["title"] == "Things that went well")
    assert empty["emptyReason"]["coding"][0]["code"] == "notstarted"

    (goal,) = _resources(bundle, "Goal")
    assert goal["description"]["text"] == "Join the walking group"
    assert goal["category"] == [{"text": "Be active"}]
    assert goal["target"] == [{"dueDate": "2026-06-01"}]
    assert {"text": "Steps: Ask at the library"} in goal["note"]
    goals_section = next(s for s in plan_composition["section"] if s["title"] == "My goals")
    assert goals_section["entry"] == [{"reference": f"urn:uuid:{goal['id']}"}]

    assert crisis_composition["type"]["coding"][0] == {
        "system": LOINC,
        "code": "104144-1",
        "display": "Mental health Advance directives",
    }
    assert crisis_composition["category"][0]["coding"][0]["code"] == "42348-3"
    who_helps = crisis_composition["section"][0]
    assert who_helps["code"]["coding"][0]["code"] == "who_helps"
    assert "Call Priya" in who_helps["text"]["div"]
    crisis_section = next(s for s in plan_composition["section"] if s["title"] == "My crisis plan")
    assert crisis_section["entry"][0]["reference"] == f"urn:uuid:{crisis_composition['id']}"
    (patient,) = _resources(bundle, "Patient")
    assert patient["name"] == [{"text": owner.display_name}]


def test_export_then_import_keeps_every_crisis_field(owner, green_book):
    plan_id = green_book["id"]
    written = _fill_crisis_plan(owner, plan_id)
    exported = owner.get(f"/api/v1/plans/{plan_id}/fhir").content

    response = upload(owner, plan_id, "my-plan.json", exported, "application/fhir+json")
    assert response.status_code == 201, response.text
    result = response.json()
    assert fields_and_texts(result) == written
    assert {part["field"] for part in result["parts"]} == set(CRISIS_FIELDS)
    assert result["warnings"] == []
    assert result["about"]["name"] == owner.display_name


def test_export_round_trip_into_another_persons_plan(owner, green_book, make_account):
    """What someone exports from here reads back the same in a fresh plan."""
    written = _fill_crisis_plan(owner, green_book["id"])
    exported = owner.get(f"/api/v1/plans/{green_book['id']}/fhir").content
    plan = owner.post("/api/v1/plans", json={"template": "wrap"}).json()
    result = imported(owner, plan["id"], "export.json", exported)
    decisions = [{"part_id": p["id"], "action": "accept"} for p in result["parts"]]
    assert decide(owner, plan["id"], result["id"], decisions).status_code == 200
    assert [(e["prompt"], e["text"]) for e in crisis_entries(owner, plan["id"])] == written


def test_an_empty_crisis_plan_exports_and_has_nothing_to_import(owner, green_book):
    exported = owner.get(f"/api/v1/plans/{green_book['id']}/fhir")
    Bundle.model_validate(exported.json())
    response = upload(owner, green_book["id"], "empty.json", exported.content, "application/json")
    assert response.status_code == 422
    assert "nothing to import" in response.json()["detail"]


def test_print_booklet(owner, green_book):
    plan_id = green_book["id"]
    _add(owner, plan_id, "triggers", "Crowded buses", "trigger")
    owner.patch(f"/api/v1/plans/{plan_id}/sections/notes", json={"hidden": True})
    result = imported(owner, plan_id, "composition.json")
    part = result["parts"][1]
    decide(
        owner, plan_id, result["id"], [{"part_id": part["id"], "action": "accept", "note": "Fine."}]
    )

    response = owner.get(f"/api/v1/plans/{plan_id}/print")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    visible = [s for s in green_book["sections"] if s["key"] != "notes"]
    assert len(reader.pages) == 1 + len(visible)  # a cover, then a page per section
    text = _text(response.content)
    assert "This book belongs to Sam." in text
    assert "Crowded buses" in text
    assert "My sister Priya Shah on 07700 900123." in text
    # The document's author, with their organisation as theirs; who brought the words in,
    # and when the person accepted them.
    assert (
        "From Jo Banks, care coordinator (Riverside Mental Health Trust), brought in by Sam on "
        in text.replace("\n", " ")
    )
    assert ", accepted by Sam on " in text.replace("\n", " ")
    assert "Sam\u2019s own note: Fine." in text
    assert "Nothing written here yet." in text
    assert "My notes and pages" not in text  # hidden


def test_print_chosen_sections(owner, green_book):
    plan_id = green_book["id"]
    _add(owner, plan_id, "triggers", "Crowded buses", "trigger")
    response = owner.get(f"/api/v1/plans/{plan_id}/print", params={"sections": "triggers,goals"})
    assert response.status_code == 200
    text = _text(response.content)
    assert "Crowded buses" in text and "My goals" in text
    assert "My crisis plan" not in text
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 3


def test_print_crisis_card_fits_one_page(owner, green_book):
    plan_id = green_book["id"]
    _fill_crisis_plan(owner, plan_id, per_field=1)
    response = owner.get(f"/api/v1/plans/{plan_id}/print", params={"sections": "crisis"})
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "My crisis plan \u2013 Sam" in text
    assert "If I become very unwell, please read this." in text
    for key, label in CRISIS_FIELDS.items():
        assert label in text.replace("\n", " ")
        assert f"First thing for {key}" in text


def test_a_long_crisis_plan_runs_on_rather_than_losing_words(owner, green_book):
    plan_id = green_book["id"]
    why = "someone who helps, and what I would like them to do if I cannot speak for myself " * 2
    for number in range(45):
        _add(owner, plan_id, "crisis", f"Contact number {number}: {why}", "who_helps")
    response = owner.get(f"/api/v1/plans/{plan_id}/print", params={"sections": "crisis"})
    text = _text(response.content)
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 1
    assert all(f"Contact number {n}:" in text for n in range(45))


def test_print_unknown_section(owner, green_book):
    response = owner.get(
        f"/api/v1/plans/{green_book['id']}/print", params={"sections": "crisis,dreams"}
    )
    assert response.status_code == 409
    assert "'dreams'" in response.json()["detail"]
    assert response.json()["where"] == "sections"


def test_print_without_fonts_says_how_to_set_it_up(owner, green_book, settings, tmp_path):
    settings.print_font_dir = str(tmp_path / "no-fonts-here")
    response = owner.get(f"/api/v1/plans/{green_book['id']}/print")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.json()["detail"]
