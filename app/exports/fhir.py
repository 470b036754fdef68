"""A plan as a FHIR R4 `document` Bundle that is a PACIO ADI Mental Health Advance
Directive (HL7 PACIO ADI: Composition type LOINC 104144-1, profile ADI Person-Authored
Composition), validated with fhir.resources (R4B models, see app/statements/parsers/fhir.py
for why).

The Bundle's first entry is the directive's Composition: one section per crisis-plan
field, coded with the field's key so that our importer reads every field back where it
was, each entry a paragraph whose id a Provenance can point to; the healthcare agent
section (LOINC 81335-2), with a Consent and a RelatedPerson for each person named to
speak for the person, or an emptyReason; the source-form section, pointing to the printed
crisis card as a PDF Binary; and a section pointing to the whole plan, a second
Composition with a section per plan section and a Goal per goal.

Every crisis-plan entry that came from someone else has a Provenance: its author, who
brought it in, when the person accepted it and from which file. The person's own words
have none: the person is the document's author.
"""

import base64
import re
import uuid
from html import escape
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from app.core import clock
from app.core.fhir_codes import (
    ACT_REASON,
    ADVANCE_DIRECTIVES_CATEGORY,
    ALTERNATE_AGENT_ROLE,
    CONSENT_CATEGORY,
    CRISIS_FIELD_SYSTEM,
    HEALTHCARE_AGENT_SCOPE,
    HEALTHCARE_AGENT_SECTION,
    LOINC,
    MHAD_TYPE,
    OWN_NOTE_EXTENSION,
    PLAN_SECTION_SYSTEM,
    PRIMARY_AGENT_ROLE,
    PROVENANCE_PARTICIPANT,
    SOURCE_FORM_SECTION,
    TARGET_ELEMENT,
    WORDS_CHANGED_EXTENSION,
    XHTML_NAMESPACE,
)
from app.exports import crisis_entries_by_field
from app.plans.models import Plan
from app.plans.speaking_for_me import SPEAKS_FOR_ME, names_someone_to_speak_for_me
from app.plans.templates import CRISIS_SECTION, FIVE_WAYS_TO_WELLBEING, TEMPLATES

SERVICE_NAME = "Wellbeing plans"
LANGUAGE = "en-GB"
LIST_EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
GOAL_NOTES = {
    "steps": "Steps",
    "who_can_help": "Who can help",
    "how_ill_know": "How I'll know",
}
_FILLER_BEFORE = re.compile(
    r"^\s*(i want|i would like|i choose|i appoint|please let|please ask|ask|is|are)\b\s*", re.I
)
_FILLER_AFTER = re.compile(r"\s*\b(will|to|can|should|shall|may|is|who|my)\s*$", re.I)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\+?\d[\d ()-]{6,}\d")


def _id(plan: Plan, name: str) -> str:
    """Stable ids: the same plan version always exports the same resource ids."""
    return str(uuid.uuid5(plan.id, f"{plan.version}/{name}"))


def _url(resource: dict[str, Any]) -> str:
    return f"urn:uuid:{resource['id']}"


def _narrative(paragraphs: list[str], ids: list[str] | None = None) -> dict[str, str]:
    """XHTML paragraphs; `ids` name each one, so that a Provenance can point to it."""
    body = ""
    for number, text in enumerate(paragraphs):
        marked = f' id="{ids[number]}"' if ids else ""
        body += f"<p{marked}>{escape(text).replace(chr(10), '<br/>')}</p>"
    return {"status": "generated", "div": f'<div xmlns="{XHTML_NAMESPACE}">{body}</div>'}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    return {"system": system, "code": code} | ({"display": display} if display else {})


def _paragraph_id(entry: dict[str, Any]) -> str:
    return f"entry-{entry['id']}"


def _agent_name(text: str) -> str:
    """Who the words name, as well as plain words allow: before a colon, bracket or comma,
    and around the phrase that says they speak for the person ("Priya speaks for me if I
    can't: 0770…" → "Priya"; "My healthcare agent is Tom Reid" → "Tom Reid")."""
    head, *rest = re.split(r"[:(,;]| - ", text, maxsplit=1)
    phrase = SPEAKS_FOR_ME.search(head)
    if phrase:
        before = _FILLER_AFTER.sub("", _FILLER_BEFORE.sub("", head[: phrase.start()]))
        after = _FILLER_BEFORE.sub("", head[phrase.end() :])
        head = before if len(before.split()) > 0 and before.lower() != "my" else after
    if not head.strip(" .") and rest:  # "Power of attorney: Jane Doe"
        return _agent_name(rest[0])
    return head.strip(" .") or text.strip()


def _goal(plan: Plan, entry: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    details = entry.get("goal") or {}
    notes = [f"{label}: {details[key]}" for key, label in GOAL_NOTES.items() if details.get(key)]
    if details.get("progress") is not None:
        notes.append(f"Progress (goal attainment scaling, -2 to +2): {details['progress']:+d}")
    if details.get("review_date"):
        notes.append(f"Review date: {details['review_date']}")
    goal: dict[str, Any] = {
        "resourceType": "Goal",
        "id": _id(plan, f"goal/{entry['id']}"),
        "lifecycleStatus": "active",
        "description": {"text": entry["text"]},
        "subject": subject,
    }
    if details.get("way"):
        goal["category"] = [{"text": FIVE_WAYS_TO_WELLBEING[details["way"]]}]
    if details.get("by_when"):
        goal["target"] = [{"dueDate": details["by_when"]}]
    if notes:
        goal["note"] = [{"text": note} for note in notes]
    return goal


def _whole_plan(plan: Plan, subject: dict, mhad_url: str) -> list[dict[str, Any]]:
    """The whole plan as a Composition with a section per plan section, and its Goals."""
    goals: list[dict[str, Any]] = []
    sections = []
    for section in plan.sections:
        texts = [entry["text"] for entry in section["entries"]]
        item: dict[str, Any] = {
            "title": section["title"],
            "code": {"coding": [_coding(PLAN_SECTION_SYSTEM, section["key"], section["title"])]},
            "text": _narrative(texts or ["Nothing written here yet."]),
        }
        if section["kind"] == "goals" and texts:
            section_goals = [_goal(plan, entry, subject) for entry in section["entries"]]
            item["entry"] = [{"reference": _url(g)} for g in section_goals]
            goals += section_goals
        if section["key"] == CRISIS_SECTION:
            item["entry"] = [{"reference": mhad_url}]
        if not texts and "entry" not in item:
            item["emptyReason"] = {
                "coding": [_coding(LIST_EMPTY_REASON, "notstarted", "Not Started")]
            }
        sections.append(item)
    composition = {
        "resourceType": "Composition",
        "id": _id(plan, "plan"),
        "language": LANGUAGE,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{plan.id}"},
        "status": "final",
        "type": {"text": f"Wellbeing plan ({TEMPLATES[plan.template]['name']})"},
        "subject": subject,
        "date": plan.updated_at.isoformat(),
        "author": [subject],
        "title": plan.title,
        "section": sections,
    }
    return [composition, *goals]


def _agents(
    plan: Plan, entries: list[dict[str, Any]], patient: dict[str, str]
) -> list[dict[str, Any]]:
    """A RelatedPerson for each entry naming someone to speak for the person, and the
    Consent appointing them (PACIO ADI Healthcare Agent Consent, permit)."""
    people = []
    for entry in entries:
        name = _agent_name(entry["text"])
        person: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "id": _id(plan, f"agent/{entry['id']}"),
            "text": _narrative([entry["text"]]),
            "active": True,
            "patient": patient,
            "name": [{"text": name[:200]}],
        }
        contacts = [match.group(0).strip() for match in _CONTACT.finditer(entry["text"])]
        if contacts:
            person["telecom"] = [
                {"system": "email" if "@" in c else "phone", "value": c} for c in contacts
            ]
        people.append(person)
    if not people:
        return []
    actors = [
        {
            # The order the person wrote them in: the first speaks first.
            "role": {
                "coding": [
                    _coding(LOINC, *(PRIMARY_AGENT_ROLE if n == 0 else ALTERNATE_AGENT_ROLE))
                ]
            },
            "reference": {"reference": _url(person)},
        }
        for n, person in enumerate(people)
    ]
    consent = {
        "resourceType": "Consent",
        "id": _id(plan, "agent-consent"),
        "text": _narrative([f"I appoint, to speak for me: {e['text']}" for e in entries]),
        "status": "active",
        "scope": {"coding": [_coding(LOINC, *HEALTHCARE_AGENT_SCOPE)]},
        "category": [{"coding": [_coding(CONSENT_CATEGORY, "acd", "Advance Directive")]}],
        "patient": patient,
        "dateTime": plan.updated_at.isoformat(),
        "policyRule": {"text": "Appointed in the person's own crisis plan, written while well"},
        "provision": {
            "type": "permit",
            "actor": actors,
            "purpose": [_coding(ACT_REASON, "PWATRNY", "power of attorney")],
        },
    }
    return [consent, *people]


def _provenance(
    plan: Plan, entry: dict[str, Any], mhad_url: str, patient: dict[str, str]
) -> dict[str, Any]:
    source = entry["source"]
    author: dict[str, Any] = {
        "type": {"coding": [_coding(PROVENANCE_PARTICIPANT, "author", "Author")]},
        "who": {"display": source["author"]},
    }
    if source.get("organisation"):
        author["onBehalfOf"] = {"display": source["organisation"]}
    accepted = entry["created_at"]
    changed = " and changed the words" if source.get("edited") else ""
    note = f". Their own note on them: {source['note']}" if source.get("note") else ""
    extensions = [{"url": WORDS_CHANGED_EXTENSION, "valueBoolean": bool(source.get("edited"))}]
    if source.get("note"):
        extensions.append({"url": OWN_NOTE_EXTENSION, "valueString": source["note"]})
    return {
        "resourceType": "Provenance",
        "id": _id(plan, f"provenance/{entry['id']}"),
        "extension": extensions,
        "target": [
            {
                "reference": mhad_url,
                "extension": [{"url": TARGET_ELEMENT, "valueUri": _paragraph_id(entry)}],
            }
        ],
        "occurredPeriod": {"start": source["imported_at"], "end": accepted},
        "recorded": accepted,
        "activity": {
            "text": f"The person accepted these words into their crisis plan{changed}{note}"
        },
        "agent": [
            author,
            {
                "type": {"coding": [_coding(PROVENANCE_PARTICIPANT, "enterer", "Enterer")]},
                "who": {"display": source["imported_by"]},
            },
            {
                "type": {"coding": [_coding(PROVENANCE_PARTICIPANT, "verifier", "Verifier")]},
                "who": patient,
            },
        ],
        "entity": [{"role": "source", "what": {"display": source["file_name"]}}],
    }


def _mhad(
    plan: Plan,
    crisis: dict[str, Any] | None,
    patient: dict[str, str],
    custodian: dict[str, str],
    urls: dict[str, Any],
) -> dict[str, Any]:
    entries = (crisis or {}).get("entries", [])
    sections = []
    for key, label, field_entries in crisis_entries_by_field(entries):
        sections.append(
            {
                "title": label,
                "code": {"coding": [_coding(CRISIS_FIELD_SYSTEM, key, label)]},
                "text": _narrative(
                    [entry["text"] for entry in field_entries],
                    [_paragraph_id(entry) for entry in field_entries],
                ),
            }
        )
    agent = {
        "title": "Who speaks for me",
        "code": {
            "coding": [
                _coding(LOINC, *HEALTHCARE_AGENT_SECTION),
                _coding(PLAN_SECTION_SYSTEM, "healthcare-agent", "Who speaks for me"),
            ]
        },
    }
    if urls["agents"]:
        agent["text"] = _narrative(urls["agent_texts"])
        agent["entry"] = [{"reference": url} for url in urls["agents"]]
    else:
        agent["text"] = _narrative(["I have not named anyone to speak for me."])
        agent["emptyReason"] = {"coding": [_coding(DATA_ABSENT_REASON, "unknown", "Unknown")]}
    sections.append(agent)
    sections.append(
        {
            "title": "My crisis plan as printed",
            "code": {
                "coding": [
                    _coding(*SOURCE_FORM_SECTION, "ADI source form"),
                    _coding(PLAN_SECTION_SYSTEM, "source-form", "My crisis plan as printed"),
                ]
            },
            "text": _narrative(["My crisis plan as I print it, a PDF."]),
            "entry": [{"reference": urls["source_form"]}],
        }
    )
    sections.append(
        {
            "title": "My whole wellbeing plan",
            "code": {"coding": [_coding(PLAN_SECTION_SYSTEM, "whole-plan", "My whole plan")]},
            "text": _narrative([f"The rest of my plan: {plan.title}."]),
            "entry": [{"reference": urls["whole_plan"]}],
        }
    )
    return {
        "resourceType": "Composition",
        "id": _id(plan, "crisis-plan"),
        "language": LANGUAGE,
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{_id(plan, 'crisis-plan')}",
        },
        "status": "final",
        "type": {"coding": [_coding(LOINC, *MHAD_TYPE)]},
        "category": [{"coding": [_coding(LOINC, *ADVANCE_DIRECTIVES_CATEGORY)]}],
        "subject": patient,
        "date": plan.updated_at.isoformat(),
        "author": [patient],
        "title": (crisis or {}).get("title") or "My crisis plan",
        "attester": [{"mode": "personal", "time": plan.updated_at.isoformat(), "party": patient}],
        "custodian": custodian,
        "section": sections,
    }


def plan_bundle(plan: Plan, owner_name: str, printed_crisis_plan: bytes) -> Bundle:
    """`printed_crisis_plan`: the crisis card as a PDF, the directive's source form."""
    patient_resource = {
        "resourceType": "Patient",
        "id": _id(plan, "patient"),
        "name": [{"text": owner_name}],
    }
    patient = {"reference": _url(patient_resource), "display": owner_name}
    organisation = {
        "resourceType": "Organization",
        "id": _id(plan, "custodian"),
        "name": SERVICE_NAME,
    }
    custodian = {"reference": _url(organisation), "display": SERVICE_NAME}
    source_form = {
        "resourceType": "Binary",
        "id": _id(plan, "printed-crisis-plan"),
        "contentType": "application/pdf",
        "data": base64.b64encode(printed_crisis_plan).decode("ascii"),
    }
    crisis = next((s for s in plan.sections if s["key"] == CRISIS_SECTION), None)
    entries = (crisis or {}).get("entries", [])
    mhad_url = f"urn:uuid:{_id(plan, 'crisis-plan')}"
    whole_plan = _whole_plan(plan, patient, mhad_url)
    named = [
        e
        for e in entries
        if e.get("prompt") == "who_helps" and names_someone_to_speak_for_me(e["text"])
    ]
    agents = _agents(plan, named, patient)
    mhad = _mhad(
        plan,
        crisis,
        patient,
        custodian,
        {
            "agents": [_url(r) for r in agents],
            "agent_texts": [e["text"] for e in named],
            "source_form": _url(source_form),
            "whole_plan": _url(whole_plan[0]),
        },
    )
    provenances = [_provenance(plan, e, mhad_url, patient) for e in entries if e.get("source")]
    resources = [
        mhad,
        patient_resource,
        organisation,
        source_form,
        *agents,
        *provenances,
        *whole_plan,
    ]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": _id(plan, "bundle"),
            "identifier": {
                "system": "urn:ietf:rfc:3986",
                "value": f"urn:uuid:{_id(plan, 'bundle')}",
            },
            "type": "document",
            "timestamp": clock.utcnow().isoformat(),
            "entry": [{"fullUrl": _url(resource), "resource": resource} for resource in resources],
        }
    )
