"""FHIR read as data, through the public import API: each fact of the FHIR corpus in its
field, once; refusals, medicines, allergies, agents and contacts from the resources
themselves; witnesses and notaries as provenance; who it is about, wherever it says."""

import json
from pathlib import Path

import pytest

from tests.helpers.statements import decide, upload

CORPUS = Path(__file__).parent / "corpus" / "fhir"
DOCUMENTS = sorted(p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json"))


def _squashed(text: str) -> str:
    return " ".join(text.split()).casefold()


def _import(account, plan_id: str, name: str, data: bytes, **form) -> dict:
    response = upload(account, plan_id, name, data, "application/fhir+json", **form)
    assert response.status_code == 201, response.text
    return response.json()


def _json(resource: dict) -> bytes:
    return json.dumps(resource).encode()


def test_the_corpus_has_the_documents_the_contract_asks_for():
    assert len(DOCUMENTS) >= 10
    for name in DOCUMENTS:
        expected = json.loads((CORPUS / f"{name}.expected.json").read_text())
        assert expected["format"] == "fhir"
        assert expected["facts"], name


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_fact_lands_in_its_field_once(name, make_account):
    """0 wrong, 0 lost, and never the same fact twice; the person it is about is found."""
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text())
    person = make_account(expected["about"])
    plan = person.post("/api/v1/plans", json={"template": "wrap"}).json()
    result = _import(person, plan["id"], f"{name}.json", (CORPUS / f"{name}.json").read_bytes())

    assert result["about"]["name"] == expected["about"]
    assert not [w for w in result["warnings"] if w["code"] == "different_name"]
    parts = result["parts"]
    for fact in expected["facts"]:
        holding = [p for p in parts if _squashed(fact["text"]) in _squashed(p["text"])]
        assert len(holding) == 1, (fact, [(p["field"], p["text"]) for p in holding])
        assert holding[0]["field"] == fact["field"], (fact, holding[0])
        if fact["field"] == "other":
            assert holding[0]["heading"] == fact["heading"], (fact, holding[0])
    texts = [(p["field"], p["text"]) for p in parts]
    assert len(texts) == len(set(texts))


def test_do_not_perform_is_a_refusal(owner, green_book):
    plan = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "subject": {"display": "Sam Taylor"},
        "activity": [
            {
                "detail": {
                    "status": "not-started",
                    "doNotPerform": True,
                    "code": {"text": "Restraint on the floor"},
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "doNotPerform": True,
                    "productCodeableConcept": {"text": "Haloperidol"},
                    "description": "It made me shake for weeks",
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "productCodeableConcept": {"text": "Diazepam"},
                    "description": "5 mg helps me calm down",
                }
            },
        ],
    }
    result = _import(owner, green_book["id"], "plan.json", _json(plan))
    assert [(p["field"], p["text"]) for p in result["parts"]] == [
        ("treatments_refused", "Restraint on the floor"),
        ("medicines_avoid", "Haloperidol: It made me shake for weeks"),
        ("medicines_preferred", "Diazepam: 5 mg helps me calm down"),
    ]


def test_a_healthcare_agent_keeps_role_and_powers(owner, green_book):
    consent = json.loads((CORPUS / "consent_healthcare_agent.json").read_text())
    consent["contained"][0]["name"] = [{"text": "Sam Chen"}]
    result = _import(owner, green_book["id"], "consent.json", _json(consent))
    assert [(p["field"], p["text"]) for p in result["parts"]] == [
        ("who_helps", "Wei Chen (husband; Person I choose to speak for me): +44 7700 900311"),
        (
            "who_helps",
            "My healthcare agent may decide about: agreeing to a hospital admission, changes "
            "to my medicines.",
        ),
    ]
    # The Consent's narrative only says the same again, so it is not proposed.
    assert not any("appoints" in p["text"] for p in result["parts"])


def test_witnesses_and_notaries_are_provenance_never_helpers(make_account):
    person = make_account("Owen Pritchard")
    plan = person.post("/api/v1/plans", json={"template": "wrap"}).json()
    data = (CORPUS / "document_witness_and_notary.json").read_bytes()
    result = _import(person, plan["id"], "directive.json", data)

    assert sorted((a["name"], a["role"]) for a in result["attested_by"]) == [
        ("Dr Alys Rowlands", "attested it professionally"),
        ("Gareth Lloyd", "witness"),
        ("Nia Evans", "notary"),
        ("Owen Pritchard", "signed it"),
    ]
    times = {a["name"]: a["time"] for a in result["attested_by"]}
    assert times["Owen Pritchard"] == times["Nia Evans"] == "2026-10-14"
    assert times["Gareth Lloyd"] is None
    words = " ".join(p["text"] for p in result["parts"])
    for attester in ("Gareth", "Nia Evans", "Alys", "01632"):
        assert attester not in words
    assert [p["field"] for p in result["parts"]] == ["who_helps", "statement"]
    # The list of imports shows the provenance too.
    (listed,) = person.get(f"/api/v1/plans/{plan['id']}/imports").json()
    assert len(listed["attested_by"]) == 4


def test_what_was_left_out_is_said_and_does_not_block_accepting(make_account):
    person = make_account("Bethan Price")
    plan = person.post("/api/v1/plans", json={"template": "wrap"}).json()
    data = (CORPUS / "collection_medicines_and_allergies.json").read_bytes()
    result = _import(person, plan["id"], "meds.json", data)

    (warning,) = result["warnings"]
    assert warning["code"] == "not_current"
    assert "entered in error" in warning["message"] and "refuted" in warning["message"]
    words = " ".join(p["text"] for p in result["parts"])
    assert "Diazepam" not in words and "Aspirin" not in words
    decisions = [{"part_id": p["id"], "action": "accept"} for p in result["parts"]]
    assert decide(person, plan["id"], result["id"], decisions).status_code == 200


def test_other_records_in_a_collection_are_named_not_silently_dropped(make_account):
    person = make_account("Declan Byrne")
    plan = person.post("/api/v1/plans", json={"template": "wrap"}).json()
    data = (CORPUS / "collection_with_other_records.json").read_bytes()
    result = _import(person, plan["id"], "records.json", data)
    (warning,) = result["warnings"]
    assert warning["code"] == "not_read"
    assert "Condition, Observation" in warning["message"]


@pytest.mark.parametrize("kind", ["collection", "document"])
def test_a_bundle_with_nothing_usable_says_so_and_stores_nothing(owner, green_book, kind):
    resources = [
        {"resourceType": "Patient", "id": "p", "name": [{"text": "Sam Taylor"}]},
        {
            "resourceType": "Observation",
            "id": "o",
            "status": "final",
            "code": {"text": "Weight"},
            "valueString": "70 kg",
        },
    ]
    if kind == "document":
        resources.insert(
            0,
            {
                "resourceType": "Composition",
                "id": "c",
                "status": "final",
                "type": {"text": "Letter"},
                "date": "2026-11-01",
                "author": [{"display": "Clinic"}],
                "title": "Letter",
                "subject": {"reference": "Patient/p"},
                "section": [{"title": "Notes", "emptyReason": {"text": "nothing"}}],
            },
        )
    bundle = {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [{"fullUrl": f"urn:x:{r['id']}", "resource": r} for r in resources],
    }
    response = upload(owner, green_book["id"], "b.json", _json(bundle), "application/fhir+json")
    assert response.status_code == 422
    problem = response.json()
    assert "We found nothing to import in this FHIR Bundle" in problem["detail"]
    assert "care plan activities, medicines, allergies" in problem["detail"]
    assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []


def test_a_cancelled_care_plan_alone_is_nothing_to_import_and_says_why(owner, green_book):
    plan = {
        "resourceType": "CarePlan",
        "status": "revoked",
        "intent": "plan",
        "subject": {"display": "Sam Taylor"},
        "activity": [{"detail": {"status": "not-started", "description": "Old plan"}}],
    }
    response = upload(owner, green_book["id"], "p.json", _json(plan), "application/fhir+json")
    assert response.status_code == 422
    assert "still current" in response.json()["detail"]


def test_every_subject_in_a_collection_feeds_the_wrong_person_check(owner, green_book):
    """The CarePlan is about the owner; an allergy in the same file is about someone else."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:1",
                "resource": {
                    "resourceType": "Patient",
                    "id": "a",
                    "name": [{"text": "Sam Taylor"}],
                },
            },
            {
                "fullUrl": "urn:uuid:2",
                "resource": {
                    "resourceType": "Patient",
                    "id": "b",
                    "name": [{"text": "Jordan Reeve"}],
                    "birthDate": "1971-07-01",
                },
            },
            {
                "fullUrl": "urn:uuid:3",
                "resource": {
                    "resourceType": "CarePlan",
                    "status": "active",
                    "intent": "plan",
                    "subject": {"reference": "Patient/a"},
                    "activity": [{"detail": {"status": "not-started", "description": "Walks"}}],
                },
            },
            {
                "fullUrl": "urn:uuid:4",
                "resource": {
                    "resourceType": "AllergyIntolerance",
                    "patient": {"reference": "Patient/b"},
                    "code": {"text": "Penicillin"},
                },
            },
        ],
    }
    response = upload(owner, green_book["id"], "b.json", _json(bundle), "application/fhir+json")
    assert response.status_code == 422
    problem = response.json()
    assert "\u201cJordan Reeve\u201d, born 1971-07-01" in problem["detail"]
    assert problem["where"] == "Bundle.entry[1].resource (Patient)"
    assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []

    confirmed = upload(
        owner, green_book["id"], "b.json", _json(bundle), "application/json", confirm_person="true"
    )
    assert confirmed.status_code == 201
    assert [w["code"] for w in confirmed.json()["warnings"]] == ["different_name"]
    assert confirmed.json()["about"]["name"] == "Sam Taylor"


def test_who_someone_is_is_not_proposed_as_crisis_content(owner, green_book):
    """A section that lists the Patient or a Practitioner gives no part from their
    narrative (a name and a birth date are not wishes); the section's own words do."""
    bundle = {
        "resourceType": "Bundle",
        "type": "document",
        "entry": [
            {
                "fullUrl": "urn:uuid:c",
                "resource": {
                    "resourceType": "Composition",
                    "status": "final",
                    "type": {"text": "Crisis plan"},
                    "subject": {"reference": "urn:uuid:p"},
                    "date": "2026-11-01",
                    "author": [{"reference": "urn:uuid:d"}],
                    "title": "Crisis plan",
                    "section": [
                        {
                            "title": "What helps",
                            "text": {
                                "status": "additional",
                                "div": '<div xmlns="http://www.w3.org/1999/xhtml">'
                                "<p>Music and a blanket</p></div>",
                            },
                            "entry": [{"reference": "urn:uuid:p"}, {"reference": "urn:uuid:d"}],
                        }
                    ],
                },
            },
            {
                "fullUrl": "urn:uuid:p",
                "resource": {
                    "resourceType": "Patient",
                    "text": {
                        "status": "generated",
                        "div": '<div xmlns="http://www.w3.org/1999/xhtml">Sam Taylor, born '
                        "1990</div>",
                    },
                    "name": [{"text": "Sam Taylor"}],
                },
            },
            {
                "fullUrl": "urn:uuid:d",
                "resource": {
                    "resourceType": "Practitioner",
                    "text": {
                        "status": "generated",
                        "div": '<div xmlns="http://www.w3.org/1999/xhtml">Dr Lee, GP</div>',
                    },
                    "name": [{"text": "Dr Lee"}],
                },
            },
        ],
    }
    result = _import(owner, green_book["id"], "b.json", _json(bundle))
    assert [(p["field"], p["text"]) for p in result["parts"]] == [
        ("what_helps", "Music and a blanket")
    ]
    assert result["source"]["author"] == "Dr Lee"


def test_an_advance_decision_consent_refuses_treatments(owner, green_book):
    consent = {
        "resourceType": "Consent",
        "contained": [{"resourceType": "Patient", "id": "p", "name": [{"text": "Sam Taylor"}]}],
        "status": "active",
        "scope": {"coding": [{"system": "http://loinc.org", "code": "59284-0"}]},
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/consentcategorycodes",
                        "code": "acd",
                    }
                ]
            }
        ],
        "patient": {"reference": "#p"},
        "policyRule": {"text": "Mental Capacity Act 2005"},
        "provision": {
            "type": "deny",
            "code": [{"text": "Electroconvulsive therapy"}, {"text": "Depot injections"}],
        },
    }
    result = _import(owner, green_book["id"], "adrt.json", _json(consent))
    assert [(p["field"], p["text"]) for p in result["parts"]] == [
        ("treatments_refused", "Electroconvulsive therapy"),
        ("treatments_refused", "Depot injections"),
    ]
    assert result["about"]["where"] == "#p (Patient)"
