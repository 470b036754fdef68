"""Makes the FHIR documents of the import corpus, each beside what it says (NAME.json and
NAME.expected.json, the contract in tests/statements/corpus). Run from the repository root:

    .venv/bin/python tests/statements/corpus/fhir/make_fhir_corpus.py

Written here, in varied shapes and wordings, the way other systems send them: document
Bundles with and without narrative, collection Bundles, a bare CarePlan and Consent,
medicines, allergies, contacts, witnesses and notaries, and an export of this app."""

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[3]))

# Run as a script: the repository root is on the path only from here.
from tests.statements.corpus.facts import Facts  # noqa: E402

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
XHTML = "http://www.w3.org/1999/xhtml"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONSENT_CATEGORY = "http://terminology.hl7.org/CodeSystem/consentcategorycodes"
HCA_DECISIONS = "http://hl7.org/fhir/us/pacio-adi/CodeSystem/ADIHCADecisionsCS"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"


def div(*html: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{"".join(html)}</div>'}


def additional(*html: str) -> dict[str, str]:
    return div(*html) | {"status": "additional"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {
        "coding": [{"system": system, "code": code} | ({"display": display} if display else {})]
    }


def patient(pid: str, given: str, family: str, born: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"given": given.split(), "family": family}],
        "birthDate": born,
    }


def person(pid: str, given: str, family: str, patient_ref: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "RelatedPerson",
        "id": pid,
        "patient": {"reference": patient_ref},
        "name": [{"given": [given], "family": family}],
    } | extra


def phone(value: str) -> dict[str, str]:
    return {"system": "phone", "value": value}


def email(value: str) -> dict[str, str]:
    return {"system": "email", "value": value}


def bundle(kind: str, resources: list[dict[str, Any]], system: str | None = None) -> dict:
    result: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(resources[0], sort_keys=True))),
        "type": kind,
        "timestamp": "2026-11-03T09:41:00+00:00",
        "entry": [
            {
                "fullUrl": f"http://fhir.example.org/{r['resourceType']}/{r['id']}",
                "resource": r,
            }
            for r in resources
        ],
    }
    if system:
        result["identifier"] = {"system": system, "value": result["id"]}
    return result


def composition(title: str, subject: str, sections: list[dict], **extra: Any) -> dict:
    return {
        "resourceType": "Composition",
        "id": "doc",
        "status": "final",
        "type": coding(LOINC, "104144-1", "Mental health Advance directives"),
        "subject": {"reference": subject},
        "date": "2026-10-28T14:00:00+00:00",
        "author": [{"display": "Community mental health team"}],
        "title": title,
        "section": sections,
    } | extra


# ---- the documents ------------------------------------------------------------------------


def mhad_structured() -> tuple[dict, str, list]:
    """A PACIO-style MHAD: every section holds data, and a generated narrative repeats it."""
    fact = Facts()
    pat = "Patient/rd"
    agent_consent = {
        "resourceType": "Consent",
        "id": "hca",
        "status": "active",
        "scope": coding(LOINC, "81377-4"),
        "category": [coding(CONSENT_CATEGORY, "acd", "Advance Directive")],
        "patient": {"reference": pat},
        "dateTime": "2026-10-28",
        "provision": {
            "type": "permit",
            "actor": [
                {
                    "role": coding(LOINC, "75783-1", "Primary healthcare agent [Reported]"),
                    "reference": {"reference": "RelatedPerson/luis"},
                },
                {
                    "role": coding(LOINC, "75784-9", "First alternate healthcare agent [Reported]"),
                    "reference": {"reference": "RelatedPerson/ines"},
                },
            ],
            "action": [
                coding(HCA_DECISIONS, "antibiotics", "Antibiotics"),
                coding(HCA_DECISIONS, "iv-fluid-and-support", "IV fluid and support"),
            ],
            "purpose": [
                {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "PWATRNY"}
            ],
            "provision": [
                {
                    "type": "deny",
                    "action": [coding(HCA_DECISIONS, "cpr", "Cardiopulmonary Resuscitation (CPR)")],
                }
            ],
        },
    }
    fact("who_helps", "Luis Delgado (brother; Primary healthcare agent): 07700 900461")
    fact(
        "who_helps",
        "Ines Moreau (friend; First alternate healthcare agent): ines.moreau@example.org",
    )
    fact("who_helps", "may decide about: Antibiotics, IV fluid and support")
    fact("who_helps", "may not decide about: Cardiopulmonary Resuscitation (CPR)")
    luis = person(
        "luis",
        "Luis",
        "Delgado",
        pat,
        relationship=[coding(ROLE_CODE, "BRO", "brother")],
        telecom=[phone("07700 900461")],
    )
    ines = person(
        "ines",
        "Ines",
        "Moreau",
        pat,
        relationship=[{"text": "friend"}],
        telecom=[email("ines.moreau@example.org")],
    )
    notary = person(
        "notary",
        "Harriet",
        "Quill",
        pat,
        relationship=[coding(PARTICIPATION, "NOTARY", "notary public")],
        telecom=[phone("020 7946 0018")],
    )
    quetiapine = {
        "resourceType": "MedicationStatement",
        "id": "quet",
        "status": "active",
        "medicationCodeableConcept": {"text": "Quetiapine"},
        "subject": {"reference": pat},
        "dosage": [{"text": "50 mg at bedtime"}],
        "note": [{"text": "It settles me without knocking me out."}],
    }
    fact("medicines_preferred", "Quetiapine: 50 mg at bedtime")
    fact("medicines_preferred", "It settles me without knocking me out.")
    haloperidol = {
        "resourceType": "MedicationStatement",
        "id": "halo",
        "status": "stopped",
        "statusReason": [{"text": "severe muscle stiffness in 2021"}],
        "medicationCodeableConcept": coding(SNOMED, "386837002", "Haloperidol"),
        "subject": {"reference": pat},
    }
    fact("medicines_avoid", "Haloperidol (stopped: severe muscle stiffness in 2021)")
    latex = {
        "resourceType": "AllergyIntolerance",
        "id": "pen",
        "clinicalStatus": coding(ALLERGY_CLINICAL, "active"),
        "verificationStatus": coding(ALLERGY_VERIFICATION, "confirmed"),
        "type": "allergy",
        "code": {"text": "Co-amoxiclav"},
        "patient": {"reference": pat},
        "reaction": [{"manifestation": [{"text": "hives and swollen lips"}]}],
    }
    fact("allergies", "Co-amoxiclav: hives and swollen lips")
    care_plan = {
        "resourceType": "CarePlan",
        "id": "wishes",
        "status": "active",
        "intent": "plan",
        "subject": {"reference": pat},
        "activity": [
            {
                "detail": {
                    "status": "not-started",
                    "doNotPerform": True,
                    "code": coding(SNOMED, "23835007", "Electroconvulsive therapy"),
                    "description": "Not under any circumstances, even if I seem to agree "
                    "at the time.",
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "code": {"text": "Seclusion"},
                    "doNotPerform": True,
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "code": {"text": "Home treatment team visits"},
                    "description": "Twice a day for the first week rather than admission.",
                }
            },
        ],
    }
    fact(
        "treatments_refused",
        "Electroconvulsive therapy: Not under any circumstances, even if I seem to agree",
    )
    fact("treatments_refused", "Seclusion")
    fact("other", "Home treatment team visits: Twice a day", "Home treatment team visits")
    sections = [
        {
            "title": "Healthcare agents",
            "code": coding(LOINC, "81335-2", "Healthcare Agent"),
            "text": div("<p>Luis Delgado, brother, primary agent. Ines Moreau, alternate.</p>"),
            "entry": [
                {"reference": "RelatedPerson/notary"},
                {"reference": "RelatedPerson/luis"},
                {"reference": "RelatedPerson/ines"},
                {"reference": "Consent/hca"},
            ],
        },
        {
            "title": "Medication",
            "text": div("<table><tr><td>Quetiapine</td><td>active</td></tr></table>"),
            "entry": [
                {"reference": "MedicationStatement/quet"},
                {"reference": "MedicationStatement/halo"},
                {"reference": "AllergyIntolerance/pen"},
            ],
        },
        {
            "title": "Goals, preferences and priorities for care",
            "code": coding(LOINC, "107905-2"),
            "text": div("<ul><li>No ECT.</li><li>No seclusion.</li></ul>"),
            "entry": [{"reference": "CarePlan/wishes"}],
        },
        {
            "title": "Early warning signs",
            "text": additional(
                "<p>",
                fact("others_take_over", "I stop replying to messages and pace at night"),
                ".</p>",
            ),
        },
    ]
    resources = [
        composition(
            "Mental health advance directive",
            pat,
            sections,
            attester=[
                {"mode": "personal", "party": {"reference": pat}},
                {"mode": "legal", "party": {"reference": "RelatedPerson/notary"}},
            ],
        ),
        patient("rd", "Rosa", "Delgado", "1984-02-19"),
        luis,
        ines,
        notary,
        agent_consent,
        quetiapine,
        haloperidol,
        latex,
        care_plan,
    ]
    return (
        bundle("document", resources, "https://ehr.northfield.example/fhir"),
        "Rosa Delgado",
        fact.facts,
    )


def narrative_only() -> tuple[dict, str, list]:
    """A document Bundle whose sections hold only narrative, messily laid out."""
    fact = Facts()
    sections = [
        {
            "title": "About me when I'm well",
            "text": div(
                "<p>",
                fact("when_well", "I walk the dog at 7 every morning and chat to neighbours"),
                ".</p>",
            ),
        },
        {
            "title": "Relapse indicators",
            "text": div(
                "<ul><li>",
                fact("others_take_over", "Sleeping less than four hours"),
                "</li><li>  ",
                fact("others_take_over", "Talking very fast about money"),
                "  </li></ul>",
            ),
        },
        {
            "title": "Treatment preferences",
            "text": div(
                "<p><b>Medication that helps</b></p><p>",
                fact("medicines_preferred", "Lithium kept at my usual level"),
                "</p><p><b>Medicines to avoid</b></p><p>",
                fact("medicines_avoid", "Anything sedating in the daytime"),
                "</p>",
            ),
        },
        {
            "title": "Who not to contact",
            "text": div("<p>", fact("not_involved", "My ex-partner, Craig"), "</p>"),
        },
        {
            "title": "Things that help",
            "text": div(
                "<table><tr><th>What</th><th>Why</th></tr><tr><td>",
                fact("what_helps", "A quiet room"),
                "</td><td>noise makes it worse</td></tr></table>",
            ),
        },
        {
            "title": "Practical arrangements",
            "text": div(
                "<p>",
                fact("practical", "My neighbour Bev has a key and will feed the cat"),
                ".</p>",
            ),
        },
    ]
    resources = [
        composition("Advance statement", "Patient/tn", sections),
        patient("tn", "Tomasz", "Nowak", "1977-08-30"),
    ]
    return bundle("document", resources), "Tomasz Nowak", fact.facts


def collection_care_plan() -> tuple[dict, str, list]:
    """A collection Bundle: a CarePlan and its contacts, no Composition."""
    fact = Facts()
    pat = "Patient/ao"
    plan = {
        "resourceType": "CarePlan",
        "id": "crisis",
        "text": div("<p>Crisis plan for Ade.</p>"),
        "status": "active",
        "intent": "plan",
        "title": "Crisis and contingency plan",
        "subject": {"reference": pat},
        "activity": [
            {
                "detail": {
                    "status": "not-started",
                    "code": {"text": "What does not help"},
                    "description": fact(
                        "what_does_not_help", "Lots of people talking to me at once"
                    ),
                }
            },
            {
                "detail": {
                    "status": "scheduled",
                    "kind": "MedicationRequest",
                    "productCodeableConcept": {"text": "Promethazine"},
                    "description": "25 mg if I cannot sleep",
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "kind": "MedicationRequest",
                    "doNotPerform": True,
                    "productCodeableConcept": {"text": "Lorazepam injection"},
                }
            },
            {
                "detail": {
                    "status": "cancelled",
                    "code": {"text": "Day hospital"},
                    "description": "Three days a week at the day hospital.",
                }
            },
        ],
    }
    fact("medicines_preferred", "Promethazine: 25 mg if I cannot sleep")
    fact("medicines_avoid", "Lorazepam injection")
    resources = [
        patient("ao", "Ade", "Okonkwo", "1995-12-01"),
        plan,
        person(
            "kemi",
            "Kemi",
            "Okonkwo",
            pat,
            relationship=[{"text": "mum"}],
            telecom=[phone("07700 900777"), email("kemi@example.net")],
        ),
    ]
    fact("who_helps", "Kemi Okonkwo (mum): 07700 900777, kemi@example.net")
    return bundle("collection", resources), "Ade Okonkwo", fact.facts


def collection_medicines() -> tuple[dict, str, list]:
    """Medicines and allergies as statements, with statuses that matter."""
    fact = Facts()
    pat = {"reference": "Patient/bp"}

    def statement(sid: str, status: str, name: str, **extra: Any) -> dict:
        return {
            "resourceType": "MedicationStatement",
            "id": sid,
            "status": status,
            "medicationCodeableConcept": {"text": name},
            "subject": pat,
        } | extra

    resources = [
        patient("bp", "Bethan", "Price", "1969-05-07"),
        statement("ser", "active", "Sertraline", dosage=[{"text": "100 mg each morning"}]),
        statement(
            "cloz",
            "not-taken",
            "Clozapine",
            note=[{"text": "I had neutropenia on it and must never restart it."}],
        ),
        statement("oldwrong", "entered-in-error", "Diazepam 50 mg"),
        statement("course", "completed", "Amoxicillin", dosage=[{"text": "a week in 2025"}]),
        {
            "resourceType": "AllergyIntolerance",
            "id": "a1",
            "verificationStatus": coding(ALLERGY_VERIFICATION, "confirmed"),
            "code": {"text": "Chlorpromazine"},
            "patient": pat,
            "reaction": [
                {
                    "manifestation": [{"text": "skin rash"}, {"text": "fever"}],
                    "description": "within a day of the first dose",
                }
            ],
        },
        {
            "resourceType": "AllergyIntolerance",
            "id": "a2",
            "type": "intolerance",
            "code": {"text": "Codeine"},
            "patient": pat,
            "note": [{"text": "Makes me very sick."}],
        },
        {
            "resourceType": "AllergyIntolerance",
            "id": "a3",
            "verificationStatus": coding(ALLERGY_VERIFICATION, "refuted"),
            "code": {"text": "Aspirin"},
            "patient": pat,
        },
    ]
    fact("medicines_preferred", "Sertraline: 100 mg each morning")
    fact("medicines_avoid", "Clozapine. I had neutropenia on it")
    fact("other", "Amoxicillin: a week in 2025 (course finished)", "Medicines")
    fact("allergies", "Chlorpromazine: skin rash, fever, within a day of the first dose")
    fact("medicines_avoid", "Codeine. Makes me very sick.")
    return bundle("collection", resources), "Bethan Price", fact.facts


def bare_care_plan() -> tuple[dict, str, list]:
    """A CarePlan on its own, refusals as `doNotPerform`, its narrative generated."""
    fact = Facts()
    plan = {
        "resourceType": "CarePlan",
        "contained": [patient("jh", "Jamal", "Haddad", "1988-03-14")],
        "text": div("<p>Jamal does not want ECT, restraint or depot injections.</p>"),
        "status": "active",
        "intent": "plan",
        "title": "Advance decisions",
        "subject": {"reference": "#jh"},
        "author": {"display": "Dr Sione Tui, consultant psychiatrist"},
        "activity": [
            {
                "detail": {
                    "status": "not-started",
                    "doNotPerform": True,
                    "code": {"text": "Face-down restraint"},
                    "description": "Face-down restraint: it brings back my worst memories.",
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "doNotPerform": True,
                    "kind": "MedicationRequest",
                    "productCodeableConcept": coding(SNOMED, "0", "Depot antipsychotic injection"),
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "code": {"text": "Treatments I want"},
                    "description": fact(
                        "treatments_wanted", "Talking therapy with someone I already know"
                    ),
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "code": {"text": "Where I'd like to be treated"},
                    "description": fact("where_treated", "Ward 4 at St Aidan's if I must go in"),
                }
            },
        ],
    }
    fact("treatments_refused", "Face-down restraint: it brings back my worst memories.")
    fact("medicines_avoid", "Depot antipsychotic injection")
    return plan, "Jamal Haddad", fact.facts


def bare_consent() -> tuple[dict, str, list]:
    """A healthcare agent Consent on its own, with contained people and powers."""
    fact = Facts()
    consent = {
        "resourceType": "Consent",
        "contained": [
            patient("mlc", "Mei Lin", "Chen", "1991-09-09"),
            person(
                "hca1",
                "Wei",
                "Chen",
                "#mlc",
                relationship=[{"text": "husband"}],
                telecom=[phone("+44 7700 900311")],
            ),
        ],
        "text": div("<p>Mei Lin appoints Wei Chen as her healthcare agent.</p>"),
        "status": "active",
        "scope": coding(LOINC, "81377-4"),
        "category": [coding(CONSENT_CATEGORY, "acd")],
        "patient": {"reference": "#mlc"},
        "provision": {
            "type": "permit",
            "actor": [
                {
                    "role": {"text": "Person I choose to speak for me"},
                    "reference": {"reference": "#hca1"},
                }
            ],
            "action": [
                {"text": "agreeing to a hospital admission"},
                {"text": "changes to my medicines"},
            ],
        },
    }
    fact("who_helps", "Wei Chen (husband; Person I choose to speak for me): +44 7700 900311")
    fact("who_helps", "may decide about: agreeing to a hospital admission, changes to my medicines")
    return consent, "Mei Lin Chen", fact.facts


def contacts() -> tuple[dict, str, list]:
    """A contacts section of RelatedPersons: one inactive, one a notary (not a helper)."""
    fact = Facts()
    pat = "Patient/gm"
    sections = [
        {
            "title": "Key contacts",
            "text": div("<p>See the contacts below.</p>"),
            "entry": [
                {"reference": "RelatedPerson/kwame"},
                {"reference": "RelatedPerson/old"},
                {"reference": "RelatedPerson/notary"},
                {"reference": "RelatedPerson/efua"},
            ],
        },
        {
            "title": "What helps",
            "text": div("<p>", fact("what_helps", "Sit with me and don't rush me"), "</p>"),
        },
    ]
    resources = [
        composition("My crisis contacts", pat, sections),
        patient("gm", "Grace", "Mensah", "1979-06-21"),
        person(
            "kwame",
            "Kwame",
            "Mensah",
            pat,
            relationship=[{"text": "son"}],
            telecom=[phone("07700 900150")],
        ),
        person("old", "Doreen", "Pike", pat, active=False, telecom=[phone("01632 960001")]),
        person(
            "notary",
            "Peter",
            "Seal",
            pat,
            meta={"profile": ["http://hl7.org/fhir/us/pacio-adi/StructureDefinition/ADI-Notary"]},
            relationship=[{"text": "Notary public"}],
            telecom=[phone("01632 960099")],
        ),
        person(
            "efua",
            "Efua",
            "Boateng",
            pat,
            relationship=[{"text": "best friend"}],
            telecom=[phone("07700 900286"), email("efua.b@example.com")],
        ),
    ]
    fact("who_helps", "Kwame Mensah (son): 07700 900150")
    fact("who_helps", "Efua Boateng (best friend): 07700 900286, efua.b@example.com")
    return bundle("document", resources), "Grace Mensah", fact.facts


def attesters() -> tuple[dict, str, list]:
    """Signed by the person, witnessed and notarised: provenance, never helpers."""
    fact = Facts()
    pat = "Patient/op"
    sections = [
        {
            "title": "Who I want to help",
            "text": div("<p>", fact("who_helps", "My partner Sion, on 07700 900522"), "</p>"),
        },
        {
            "title": "Witness and notary",
            "code": coding(LOINC, "81339-4"),
            "text": additional(
                "<p>",
                fact("statement", "Signed while well on 14 October 2026"),
                ", in front of two witnesses.</p>",
            ),
            "entry": [{"reference": "RelatedPerson/w1"}, {"reference": "RelatedPerson/w2"}],
        },
    ]
    resources = [
        composition(
            "Mental health advance directive",
            pat,
            sections,
            attester=[
                {"mode": "personal", "time": "2026-10-14", "party": {"reference": pat}},
                {"mode": "professional", "party": {"reference": "Practitioner/gp"}},
                {"mode": "legal", "time": "2026-10-14", "party": {"reference": "RelatedPerson/w2"}},
            ],
        ),
        patient("op", "Owen", "Pritchard", "1965-01-31"),
        {"resourceType": "Practitioner", "id": "gp", "name": [{"text": "Dr Alys Rowlands"}]},
        person(
            "w1",
            "Gareth",
            "Lloyd",
            pat,
            relationship=[coding(PARTICIPATION, "WIT", "witness")],
            telecom=[phone("01632 960321")],
        ),
        person(
            "w2",
            "Nia",
            "Evans",
            pat,
            relationship=[coding(PARTICIPATION, "NOTARY", "notary")],
            telecom=[phone("01632 960322")],
        ),
    ]
    return bundle("document", resources), "Owen Pritchard", fact.facts


def document_with_care_plan() -> tuple[dict, str, list]:
    """A document Bundle whose section points to a CarePlan, and a MedicationStatement the
    Composition does not mention."""
    fact = Facts()
    pat = "Patient/ps"
    plan = {
        "resourceType": "CarePlan",
        "id": "cp",
        "text": div("<p>Plan: sensory room; no PRN by injection.</p>"),
        "status": "active",
        "intent": "plan",
        "subject": {"reference": pat},
        "activity": [
            {
                "detail": {
                    "status": "not-started",
                    "code": {"text": "Sensory room"},
                    "description": "Time in the sensory room when I start to panic",
                }
            },
            {
                "detail": {
                    "status": "not-started",
                    "doNotPerform": True,
                    "code": {"text": "Rapid tranquillisation by injection"},
                }
            },
        ],
        "note": [{"text": fact("other", "Reviewed with Priti on 2 November 2026", "Notes")}],
    }
    fact("other", "Time in the sensory room when I start to panic", "Sensory room")
    fact("treatments_refused", "Rapid tranquillisation by injection")
    sections = [
        {
            "title": "Crisis plan",
            "text": div("<p>Plan: sensory room; no PRN by injection.</p>"),
            "entry": [{"reference": "CarePlan/cp"}],
        },
        {
            "title": "Where I do not want to be treated",
            "text": div("<p>", fact("where_not_treated", "Not the unit at Hollybank"), "</p>"),
        },
    ]
    resources = [
        composition("Crisis plan", pat, sections),
        patient("ps", "Priti", "Sharma", "2001-04-04"),
        plan,
        {
            "resourceType": "MedicationStatement",
            "id": "ms",
            "status": "intended",
            "medicationCodeableConcept": {"text": "Propranolol"},
            "dosage": [{"text": "10 mg when anxious, up to three a day"}],
            "subject": {"reference": pat},
        },
    ]
    fact("medicines_preferred", "Propranolol: 10 mg when anxious, up to three a day")
    return bundle("document", resources), "Priti Sharma", fact.facts


def collection_mixed() -> tuple[dict, str, list]:
    """A collection with records that are not a crisis plan, and a Consent that keeps
    someone out."""
    fact = Facts()
    pat = "Patient/db"
    resources = [
        patient("db", "Declan", "Byrne", "1990-10-10"),
        {
            "resourceType": "Observation",
            "id": "bp",
            "status": "final",
            "code": {"text": "Blood pressure"},
            "subject": {"reference": pat},
            "valueString": "128/82",
        },
        {
            "resourceType": "Condition",
            "id": "dx",
            "code": {"text": "Bipolar affective disorder"},
            "subject": {"reference": pat},
        },
        person("dad", "Martin", "Byrne", pat, relationship=[{"text": "father"}]),
        {
            "resourceType": "Consent",
            "id": "keepout",
            "status": "active",
            "scope": coding(
                "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"
            ),
            "category": [coding(LOINC, "59284-0")],
            "patient": {"reference": pat},
            "policyRule": {"text": "Do not share"},
            "provision": {
                "type": "deny",
                "actor": [
                    {
                        "role": {"text": "family member"},
                        "reference": {"reference": "RelatedPerson/dad"},
                    }
                ],
            },
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
                        "code": {"text": "How others will know I no longer need this plan"},
                        "description": fact(
                            "no_longer_needed", "When I'm back at my allotment most days"
                        ),
                    }
                }
            ],
        },
    ]
    fact("not_involved", "Martin Byrne (father; family member)")
    return bundle("collection", resources), "Declan Byrne", fact.facts


def without_narrative() -> tuple[dict, str, list]:
    """A document Bundle with no narrative anywhere: sections of entries only."""
    fact = Facts()
    pat = "Patient/hk"
    sections = [
        {"title": "Support network", "entry": [{"reference": "RelatedPerson/jo"}]},
        {
            "title": "Medicines",
            "entry": [
                {"reference": "MedicationStatement/m1"},
                {"reference": "AllergyIntolerance/a1"},
            ],
        },
        {"title": "Care plan", "entry": [{"reference": "CarePlan/cp"}]},
    ]
    resources = [
        composition("Crisis plan summary", pat, sections),
        patient("hk", "Hana", "Kobayashi", "1999-11-23"),
        person(
            "jo",
            "Jo",
            "Kobayashi",
            pat,
            relationship=[coding(ROLE_CODE, "SIS", "sister")],
            telecom=[phone("07700 900904")],
        ),
        {
            "resourceType": "MedicationStatement",
            "id": "m1",
            "status": "stopped",
            "statusReason": [{"text": "it made my panic worse"}],
            "medicationCodeableConcept": {"text": "Fluoxetine"},
            "subject": {"reference": pat},
        },
        {
            "resourceType": "AllergyIntolerance",
            "id": "a1",
            "code": {"text": "Lamotrigine"},
            "patient": {"reference": pat},
            "reaction": [{"manifestation": [{"text": "blistering rash"}]}],
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
                        "code": {"text": "What helps"},
                        "description": fact("what_helps", "Text me before you call"),
                    }
                },
                {
                    "detail": {
                        "status": "not-started",
                        "doNotPerform": True,
                        "code": {"text": "Admission to an adult ward"},
                        "description": "I am 18 and an adult ward frightens me",
                    }
                },
            ],
        },
    ]
    fact("who_helps", "Jo Kobayashi (sister): 07700 900904")
    fact("medicines_avoid", "Fluoxetine (stopped: it made my panic worse)")
    fact("allergies", "Lamotrigine: blistering rash")
    fact(
        "treatments_refused",
        "Admission to an adult ward: I am 18 and an adult ward frightens me",
    )
    return bundle("document", resources), "Hana Kobayashi", fact.facts


def app_export() -> tuple[dict, str, list]:
    """This app's own export, with the person's words and words a clinician brought in."""
    from app.core import clock
    from app.exports.fhir import plan_bundle
    from app.exports.printable import crisis_card
    from app.plans.models import Plan
    from app.plans.templates import Template, new_plan_sections

    fact = Facts()
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    sections = new_plan_sections(Template.wrap)
    crisis = next(s for s in sections if s["key"] == "crisis")

    def entry(number: int, prompt: str, text: str, source: dict | None = None) -> None:
        crisis["entries"].append(
            {
                "id": str(uuid.UUID(int=number)),
                "text": fact(prompt, text),
                "prompt": prompt,
                "goal": None,
                "created_at": now.isoformat(),
                "updated_at": now.isoformat(),
            }
            | ({"source": source} if source else {})
        )

    clinician = {
        "kind": "import",
        "import_id": str(uuid.UUID(int=90)),
        "part_id": str(uuid.UUID(int=91)),
        "author": "Dr Femi Adebayo",
        "organisation": "Eastgate Community Mental Health Team",
        "imported_by": "Ruth Marsh, care coordinator",
        "file_name": "Eastgate crisis plan.pdf",
        "heading": "Relapse signature",
        "imported_at": "2026-10-20T15:30:00+00:00",
        "edited": False,
        "note": None,
    }
    entry(1, "who_helps", "My aunt Samira speaks for me if I cannot: 07700 900640")
    entry(2, "others_take_over", "Not eating and pulling out my hair", clinician)
    entry(3, "medicines_avoid", "No olanzapine: weight gain made me stop everything")
    entry(
        4, "what_helps", "Being told what is happening in plain words", clinician | {"edited": True}
    )
    plan = Plan(
        id=uuid.UUID("5b0f1f0e-0000-4000-8000-000000000001"),
        owner_id=uuid.UUID(int=7),
        template=Template.wrap,
        title="My WRAP",
        sections=sections,
        version=3,
        created_at=now,
        updated_at=now,
    )
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    clock.utcnow = lambda: now  # the same bytes every time the corpus is made
    pdf = crisis_card(fonts, "Noor Aziz", crisis, now)
    return (
        json.loads(plan_bundle(plan, "Noor Aziz", pdf).model_dump_json()),
        "Noor Aziz",
        fact.facts,
    )


DOCUMENTS = {
    "mhad_structured_with_generated_narrative": mhad_structured,
    "document_narrative_only": narrative_only,
    "collection_care_plan_and_contacts": collection_care_plan,
    "collection_medicines_and_allergies": collection_medicines,
    "care_plan_do_not_perform": bare_care_plan,
    "consent_healthcare_agent": bare_consent,
    "document_related_person_contacts": contacts,
    "document_witness_and_notary": attesters,
    "document_referencing_a_care_plan": document_with_care_plan,
    "collection_with_other_records": collection_mixed,
    "document_without_narrative": without_narrative,
    "export_of_this_app": app_export,
}


def main() -> None:
    for name, make in DOCUMENTS.items():
        document, about, facts = make()
        (HERE / f"{name}.json").write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        )
        expected = {"format": "fhir", "about": about, "facts": facts}
        (HERE / f"{name}.expected.json").write_text(
            json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
        )
        print(f"{name}: {len(facts)} facts")


if __name__ == "__main__":
    main()
