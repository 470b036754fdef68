"""A plan as a FHIR R4 `document` Bundle, validated with fhir.resources (R4B models, see
app/imports/parsers/fhir.py for why).

The Bundle's first Composition has one section per plan section, with the entries as
narrative; the goals section also points to a Goal per goal. The crisis section points to
a second Composition in the form of a mental health advance directive (HL7 PACIO ADI:
LOINC type 104144-1), one section per crisis-plan field, each coded with the field's key
so that our importer reads every field back where it was.
"""

import uuid
from html import escape
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from app.core import clock
from app.exports import crisis_entries_by_field
from app.imports.parsers.fhir import (
    ADVANCE_DIRECTIVES_CATEGORY,
    CRISIS_FIELD_SYSTEM,
    HEALTHCARE_AGENT_SECTION,
    LOINC,
    MHAD_TYPE,
    PLAN_SECTION_SYSTEM,
    XHTML_NAMESPACE,
)
from app.plans.models import Plan
from app.plans.templates import CRISIS_SECTION, FIVE_WAYS_TO_WELLBEING, TEMPLATES

LIST_EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
GOAL_NOTES = {
    "steps": "Steps",
    "who_can_help": "Who can help",
    "how_ill_know": "How I'll know",
}


def _id(plan: Plan, name: str) -> str:
    """Stable ids: the same plan version always exports the same resource ids."""
    return str(uuid.uuid5(plan.id, f"{plan.version}/{name}"))


def _narrative(paragraphs: list[str]) -> dict[str, str]:
    body = "".join(f"<p>{escape(text).replace(chr(10), '<br/>')}</p>" for text in paragraphs)
    return {"status": "generated", "div": f'<div xmlns="{XHTML_NAMESPACE}">{body}</div>'}


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


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


def _crisis_composition(
    plan: Plan, crisis: dict[str, Any] | None, subject: dict, author: dict
) -> dict[str, Any]:
    sections = []
    for key, label, entries in crisis_entries_by_field((crisis or {}).get("entries", [])):
        codings = [_coding(CRISIS_FIELD_SYSTEM, key, label)]
        if key == "who_helps":
            codings.append(_coding(LOINC, *HEALTHCARE_AGENT_SECTION))
        texts = [entry["text"] for entry in entries]
        sections.append({"title": label, "code": {"coding": codings}, "text": _narrative(texts)})
    return {
        "resourceType": "Composition",
        "id": _id(plan, "crisis-plan"),
        "status": "final",
        "type": {"coding": [_coding(LOINC, *MHAD_TYPE)]},
        "category": [{"coding": [_coding(LOINC, *ADVANCE_DIRECTIVES_CATEGORY)]}],
        "subject": subject,
        "date": plan.updated_at.isoformat(),
        "author": [author],
        "title": (crisis or {}).get("title") or "My crisis plan",
        "section": sections,
    }


def plan_bundle(plan: Plan, owner_name: str) -> Bundle:
    patient_url = f"urn:uuid:{_id(plan, 'patient')}"
    subject = {"reference": patient_url, "display": owner_name}
    author = {"reference": patient_url, "display": owner_name}
    crisis = next((s for s in plan.sections if s["key"] == CRISIS_SECTION), None)
    mhad = _crisis_composition(plan, crisis, subject, author)
    mhad_url = f"urn:uuid:{mhad['id']}"
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
            item["entry"] = [{"reference": f"urn:uuid:{g['id']}"} for g in section_goals]
            goals += section_goals
        if section["key"] == CRISIS_SECTION:
            item["entry"] = [{"reference": mhad_url, "display": mhad["title"]}]
        if not texts and "entry" not in item:
            item["emptyReason"] = {
                "coding": [_coding(LIST_EMPTY_REASON, "notstarted", "Not Started")]
            }
        sections.append(item)
    composition = {
        "resourceType": "Composition",
        "id": _id(plan, "plan"),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{plan.id}"},
        "status": "final",
        "type": {"text": f"Wellbeing plan ({TEMPLATES[plan.template]['name']})"},
        "subject": subject,
        "date": plan.updated_at.isoformat(),
        "author": [author],
        "title": plan.title,
        "section": sections,
    }
    resources = [
        composition,
        {"resourceType": "Patient", "id": _id(plan, "patient"), "name": [{"text": owner_name}]},
        mhad,
        *goals,
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
            "entry": [
                {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
                for resource in resources
            ],
        }
    )
