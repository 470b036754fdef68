"""The FHIR export as a PACIO ADI Mental Health Advance Directive, with a Provenance for
every entry someone else wrote, and authorship kept when it is imported again.

The profile checks follow the IG's own rules (HL7/fhir-pacio-adi, input/fsh); each names
the profile or invariant it comes from. Base resources are validated with fhir.resources
(R4B models for R4)."""

import base64
import io
import re

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from tests.helpers.sharing import share_with
from tests.helpers.statements import crisis_entries, decide, imported

LOINC = "http://loinc.org"
ADI_TEMP = "http://hl7.org/fhir/us/pacio-adi/CodeSystem/adi-temp-cs"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
TARGET_ELEMENT = "http://hl7.org/fhir/StructureDefinition/targetElement"
# ADINoHealthcareAgentIncludedReasonVS (ValueSets.fsh): data-absent-reason codes.
NO_AGENT_REASONS = {
    "unknown",
    "asked-unknown",
    "temp-unknown",
    "not-asked",
    "asked-declined",
    "not-applicable",
    "unsupported",
}


def _add(account, plan_id: str, text: str, prompt: str) -> dict:
    response = account.post(
        f"/api/v1/plans/{plan_id}/sections/crisis/entries", json={"text": text, "prompt": prompt}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _export(account, plan_id: str) -> dict:
    response = account.get(f"/api/v1/plans/{plan_id}/fhir")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = response.json()
    Bundle.model_validate(bundle)  # valid R4 base resources
    return bundle


def _by_url(bundle: dict) -> dict[str, dict]:
    return {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}


def _codes(concept: dict) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept.get("coding", [])}


def _section(composition: dict, system: str, code: str) -> list[dict]:
    return [s for s in composition["section"] if (system, code) in _codes(s.get("code", {}))]


def _references(value) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def _check_mhad(bundle: dict) -> tuple[dict, dict[str, dict]]:
    """The rules of PACIO ADI's Bundle and Person-Authored Composition profiles that the
    export must meet; returns the Composition and the Bundle's resources by fullUrl."""
    resources = _by_url(bundle)
    # ADIBundle: type = #document; identifier 1..1.
    assert bundle["type"] == "document"
    assert bundle["identifier"]["value"]
    # FHIR documents: the Composition is the first entry; every reference resolves inside.
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert len(resources) == len(bundle["entry"])
    for reference in _references(bundle):
        assert reference in resources, reference
    # MHAD: type LOINC 104144-1; ADICompositionHeader: category 42348-3.
    assert (LOINC, "104144-1") in _codes(composition["type"])
    assert any((LOINC, "42348-3") in _codes(c) for c in composition["category"])
    # ADICompositionHeader: language 1..1, identifier 1..1, status final, confidentiality 0..0.
    assert composition["language"]
    assert composition["identifier"]["value"]
    assert composition["status"] == "final"
    assert "confidentiality" not in composition
    # subject 1..1 only Patient; ADIBundle: exactly one Patient entry.
    patients = [url for url, r in resources.items() if r["resourceType"] == "Patient"]
    assert patients == [composition["subject"]["reference"]]
    # ADIPACPComposition: author only Patient; attester 1..*, mode personal.
    assert [a["reference"] for a in composition["author"]] == patients
    assert composition["attester"]
    for attester in composition["attester"]:
        assert attester["mode"] == "personal"
        assert attester["party"]["reference"] == patients[0]
    # ADICompositionHeader: custodian 1..1, an Organization.
    assert resources[composition["custodian"]["reference"]]["resourceType"] == "Organization"
    # section 1..*, section.text 1..1.
    assert composition["section"]
    for section in composition["section"]:
        assert section["text"]["div"].startswith("<div")
    # HCA-section-cardinality: one healthcare agent section (LOINC 81335-2), with a title.
    (agent,) = _section(composition, LOINC, "81335-2")
    assert agent["title"]
    if agent.get("entry"):
        # HCA-section-entries: the entries include a Consent and a RelatedPerson.
        kinds = {resources[e["reference"]]["resourceType"] for e in agent["entry"]}
        assert {"Consent", "RelatedPerson"} <= kinds
    else:
        # HCA-section-emptyReason-required, from ADINoHealthcareAgentIncludedReasonVS.
        (reason,) = agent["emptyReason"]["coding"]
        assert reason["system"] == DATA_ABSENT_REASON and reason["code"] in NO_AGENT_REASONS
    # ADICompositionHeader: advance_directive_source_form section 1..1, title 1..1, its
    # entries only ADISourceFormInformation (a Binary); ADIBundle: one such entry.
    (source_form,) = _section(composition, ADI_TEMP, "advance_directive_source_form")
    assert source_form["title"]
    (form,) = [resources[e["reference"]] for e in source_form["entry"]]
    assert form["resourceType"] == "Binary"
    assert [r for r in resources.values() if r["resourceType"] == "Binary"] == [form]
    return composition, resources


def _pdf_text(binary: dict) -> str:
    assert binary["contentType"] == "application/pdf"
    pdf = base64.b64decode(binary["data"])
    assert pdf.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_crisis_plan_exports_as_a_pacio_mental_health_advance_directive(owner, green_book):
    plan_id = green_book["id"]
    _add(
        owner,
        plan_id,
        "Priya speaks for me if I can't: 07700 900123, priya@example.org",
        "who_helps",
    )
    _add(owner, plan_id, "Call my friend Ben for a walk", "who_helps")
    _add(owner, plan_id, "No ECT", "treatments_refused")

    composition, resources = _check_mhad(_export(owner, plan_id))

    (agent,) = _section(composition, LOINC, "81335-2")
    named = [resources[e["reference"]] for e in agent["entry"]]
    (consent,) = [r for r in named if r["resourceType"] == "Consent"]
    (person,) = [r for r in named if r["resourceType"] == "RelatedPerson"]
    # ADIHealthcareAgentConsent: text 1..1, status active, scope LOINC 81377-4,
    # HCA-consent-category ('acd'), patient 1..1, provision 1..1 with type and actors 1..*.
    assert consent["text"]["div"]
    assert consent["status"] == "active"
    assert (LOINC, "81377-4") in _codes(consent["scope"])
    assert any(c["code"] == "acd" for cat in consent["category"] for c in cat["coding"])
    assert consent["patient"]["reference"] == composition["subject"]["reference"]
    assert consent["provision"]["type"] == "permit"
    (actor,) = consent["provision"]["actor"]
    assert resources[actor["reference"]["reference"]] is person
    assert (LOINC, "75783-1") in _codes(actor["role"])  # Primary healthcare agent
    # HCA-provision-purpose: PWATRNY when given.
    assert [p["code"] for p in consent["provision"]["purpose"]] == ["PWATRNY"]
    # ADIHealthcareAgentParticipant: text 1..1, patient 1..1, name 1..1, telecom.
    assert person["text"]["div"] and person["patient"] == consent["patient"]
    assert person["name"] == [{"text": "Priya"}]
    assert {t["value"] for t in person["telecom"]} == {"07700 900123", "priya@example.org"}
    # Ben helps but does not speak for the person: not a healthcare agent.
    assert "Ben" not in agent["text"]["div"]
    who_helps = _section(composition, "urn:wellbeing-plans:crisis-plan-field", "who_helps")[0]
    assert "Ben" in who_helps["text"]["div"]

    (source_form,) = _section(composition, ADI_TEMP, "advance_directive_source_form")
    printed = _pdf_text(resources[source_form["entry"][0]["reference"]])
    assert "No ECT" in printed and "Call my friend Ben" in printed


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("Priya speaks for me if I can't", "Priya"),
        ("Tom Jones to speak on my behalf", "Tom Jones"),
        ("My healthcare agent is Tom Reid", "Tom Reid"),
        ("Sam is my advocate (0770 900 111)", "Sam"),
        ("Power of attorney: Jane Doe", "Jane Doe"),
        ("Ana decides for me about medicines", "Ana"),
    ],
)
def test_every_way_the_plan_knows_of_naming_someone_makes_them_the_agent(
    owner, green_book, words, name
):
    """The export names the healthcare agent by the same words the crisis plan's
    contradictions look for (app/plans/speaking_for_me.py)."""
    _add(owner, green_book["id"], words, "who_helps")
    composition, resources = _check_mhad(_export(owner, green_book["id"]))
    (agent,) = _section(composition, LOINC, "81335-2")
    named = [resources[e["reference"]] for e in agent["entry"]]
    (person,) = [r for r in named if r["resourceType"] == "RelatedPerson"]
    assert person["name"] == [{"text": name}]


def test_with_no_one_named_to_speak_the_agent_section_says_why_it_is_empty(owner, green_book):
    _add(owner, green_book["id"], "Call my friend Ben for a walk", "who_helps")
    composition, resources = _check_mhad(_export(owner, green_book["id"]))
    (agent,) = _section(composition, LOINC, "81335-2")
    assert "entry" not in agent
    assert "not named anyone" in agent["text"]["div"]
    assert not [r for r in resources.values() if r["resourceType"] in {"Consent", "RelatedPerson"}]
    # The person's own words have no Provenance: the person is the document's author.
    assert not [r for r in resources.values() if r["resourceType"] == "Provenance"]


def test_an_empty_plan_is_still_a_valid_directive(owner, green_book):
    _check_mhad(_export(owner, green_book["id"]))


@pytest.fixture
def plan_with_imported_words(owner, green_book, clinician, clinician_share) -> dict:
    """A clinician brings in a statement; the owner accepts two parts (changing one) and
    writes one of their own."""
    plan_id = green_book["id"]
    result = imported(clinician, plan_id, "composition.json")
    first, second = result["parts"][0], result["parts"][1]
    decisions = [
        {"part_id": first["id"], "action": "accept"},
        {"part_id": second["id"], "action": "accept", "text": "My sister Priya, 07700 900123"},
    ]
    assert decide(owner, plan_id, result["id"], decisions).status_code == 200
    _add(owner, plan_id, "I like a hot drink when I'm upset", "what_helps")
    return {"plan_id": plan_id, "import": result}


def test_every_entry_from_someone_else_has_its_provenance(owner, plan_with_imported_words):
    plan_id = plan_with_imported_words["plan_id"]
    entries = {e["text"]: e for e in crisis_entries(owner, plan_id)}
    composition, resources = _check_mhad(_export(owner, plan_id))
    provenances = [r for r in resources.values() if r["resourceType"] == "Provenance"]
    narrative = "".join(s["text"]["div"] for s in composition["section"])

    by_element = {}
    for provenance in provenances:
        (target,) = provenance["target"]
        assert resources[target["reference"]] is composition
        (element,) = [e["valueUri"] for e in target["extension"] if e["url"] == TARGET_ELEMENT]
        by_element[element] = provenance
    imported_entries = [e for e in entries.values() if e.get("source")]
    assert len(imported_entries) == 2
    assert set(by_element) == {f"entry-{e['id']}" for e in imported_entries}
    for entry in imported_entries:
        provenance = by_element[f"entry-{entry['id']}"]
        paragraph = re.search(rf'<p id="entry-{entry["id"]}">([^<]*)</p>', narrative)
        assert paragraph and paragraph.group(1) == entry["text"].replace("'", "&#x27;")
        agents = {a["type"]["coding"][0]["code"]: a for a in provenance["agent"]}
        assert agents["author"]["who"]["display"] == "Jo Banks, care coordinator"
        assert agents["author"]["onBehalfOf"]["display"] == "Riverside Mental Health Trust"
        assert agents["enterer"]["who"]["display"] == "Dr Ana Okafor"
        assert agents["verifier"]["who"]["reference"] == composition["subject"]["reference"]
        assert provenance["recorded"] == entry["created_at"]  # when the person accepted it
        assert provenance["occurredPeriod"]["end"] == entry["created_at"]
        assert provenance["occurredPeriod"]["start"] == entry["source"]["imported_at"]
        assert provenance["entity"] == [{"role": "source", "what": {"display": "composition.json"}}]
    changed = by_element[f"entry-{entries['My sister Priya, 07700 900123']['id']}"]
    assert "changed the words" in changed["activity"]["text"]


def test_importing_the_export_keeps_who_wrote_what(owner, plan_with_imported_words):
    plan_id = plan_with_imported_words["plan_id"]
    before = {e["text"]: e for e in crisis_entries(owner, plan_id)}
    exported = owner.get(f"/api/v1/plans/{plan_id}/fhir").content
    fresh = owner.post("/api/v1/plans", json={"template": "wrap"}).json()

    result = imported(owner, fresh["id"], "my-export.json", exported)
    assert result["warnings"] == []
    decisions = [{"part_id": p["id"], "action": "accept"} for p in result["parts"]]
    assert decide(owner, fresh["id"], result["id"], decisions).status_code == 200

    after = {e["text"]: e for e in crisis_entries(owner, fresh["id"])}
    assert set(after) == set(before)
    for text, entry in before.items():
        restored = after[text]["source"]
        if entry.get("source"):
            # Credited to the original author and importer, from the original file.
            for key in ("author", "organisation", "imported_by", "file_name", "imported_at"):
                assert restored[key] == entry["source"][key], key
        else:
            # The person's own words stay the person's.
            assert restored["author"] == owner.display_name
            assert restored["imported_by"] == owner.display_name


def test_the_export_is_the_owners_alone(owner, green_book, make_account, stranger, client):
    plan_id = green_book["id"]
    _add(owner, plan_id, "No ECT", "treatments_refused")
    assert owner.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 200

    supporter = make_account("Robin")
    share = share_with(owner, plan_id, supporter, ["crisis"], "view")
    assert supporter.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 404
    other = make_account("Kit")
    share_with(owner, plan_id, other, ["triggers"], "view")
    assert other.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 404
    owner.delete(f"/api/v1/plans/{plan_id}/shares/{share['id']}")
    assert supporter.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 404
    assert stranger.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 404
    assert client.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 401


def test_without_fonts_the_export_says_how_to_set_it_up(owner, green_book, settings, tmp_path):
    settings.print_font_dir = str(tmp_path / "no-fonts-here")
    response = owner.get(f"/api/v1/plans/{green_book['id']}/fhir")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.json()["detail"]


def test_the_persons_note_and_changed_words_survive_the_export(
    owner, green_book, clinician, clinician_share
):
    """Words accepted with the person's own note ("I disagree because …"), and words they
    changed when accepting, say so again after the plan is exported and imported."""
    plan_id = green_book["id"]
    result = imported(clinician, plan_id, "composition.json")
    first, second = result["parts"][0], result["parts"][1]
    decisions = [
        {"part_id": first["id"], "action": "accept", "note": "I disagree: a quiet room helps"},
        {"part_id": second["id"], "action": "accept", "text": "My sister Priya, 07700 900123"},
    ]
    assert decide(owner, plan_id, result["id"], decisions).status_code == 200
    before = {e["text"]: e["source"] for e in crisis_entries(owner, plan_id)}
    exported = owner.get(f"/api/v1/plans/{plan_id}/fhir")
    fresh = owner.post("/api/v1/plans", json={"template": "wrap"}).json()
    again = imported(owner, fresh["id"], "my-export.json", exported.content)
    accept_all = [{"part_id": p["id"], "action": "accept"} for p in again["parts"]]
    assert decide(owner, fresh["id"], again["id"], accept_all).status_code == 200

    after = {e["text"]: e["source"] for e in crisis_entries(owner, fresh["id"])}
    assert set(after) == set(before)
    for text, source in before.items():
        assert (after[text]["note"], after[text]["edited"]) == (source["note"], source["edited"])
    assert {(s["note"], s["edited"]) for s in after.values()} == {
        ("I disagree: a quiet room helps", False),
        (None, True),
    }
