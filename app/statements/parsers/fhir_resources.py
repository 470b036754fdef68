"""What a FHIR resource says, as the statement reader (app/statements/parsers/fhir.py) needs
it: the resource a Reference points to, a section's field, a Consent naming a healthcare
agent, attesters, names and roles, our own export's Provenance, embedded files."""

import base64
import re
from datetime import datetime
from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from app.core import clock
from app.core.fhir_codes import (
    ACT_REASON,
    CONSENT_CATEGORY,
    CRISIS_FIELD_SYSTEM,
    HEALTHCARE_AGENT_SCOPE,
    HEALTHCARE_AGENT_SECTION,
    LOINC,
    OWN_NOTE_EXTENSION,
    PARTICIPATION_TYPE,
    PLAN_SECTION_SYSTEM,
    WITNESS_AND_NOTARY_SECTION,
    WORDS_CHANGED_EXTENSION,
)
from app.statements.parsers.base import EmbeddedFile
from app.statements.parsers.fields import field_for_code, field_for_heading

_REPORTED = re.compile(r"\s*(\[reported\]|-\s*reported)\s*$", re.IGNORECASE)


def has_code(concept: Any, system: str, code: str) -> bool:
    return any(
        coding.system == system and coding.code == code
        for coding in (getattr(concept, "coding", None) or [])
    )


# ---- references between resources --------------------------------------------------------


class ResourceIndex:
    """Finds the resource a Reference points to, inside the Bundle or the resource."""

    def __init__(self, *, contained: FHIRAbstractModel | None = None) -> None:
        self.by_reference: dict[str, tuple[FHIRAbstractModel, str]] = {}
        for item in (getattr(contained, "contained", None) or []) if contained else []:
            if item.id:
                self.by_reference[f"#{item.id}"] = (item, f"#{item.id}")

    def add(self, resource: FHIRAbstractModel, full_url: str | None, where: str) -> None:
        if full_url:
            self.by_reference[full_url] = (resource, where)
        if getattr(resource, "id", None):
            key = f"{resource.get_resource_type()}/{resource.id}"
            self.by_reference.setdefault(key, (resource, where))

    def resolve(self, reference: Any) -> tuple[FHIRAbstractModel | None, str | None]:
        target = getattr(reference, "reference", None)
        if not target:
            return None, None
        if target in self.by_reference:
            return self.by_reference[target]
        # "http://server/fhir/Patient/1" and "Patient/1" name the same resource.
        tail = "/".join(target.rstrip("/").split("/")[-2:])
        return self.by_reference.get(tail, (None, None))


# ---- what the resources say ---------------------------------------------------------------


def _our_field(section: Any) -> str | None:
    for coding in getattr(section.code, "coding", None) or []:
        if coding.system == CRISIS_FIELD_SYSTEM and field_for_code(coding.code):
            return coding.code
    return None


def section_repeats(section: Any) -> bool:
    """A section of our own export that says again, for other systems, what its crisis-plan
    field sections say (the healthcare agent, the printed form, the whole plan)."""
    codings = getattr(section.code, "coding", None) or []
    return any(c.system == PLAN_SECTION_SYSTEM for c in codings) and not _our_field(section)


def section_field(section: Any, inherited: str) -> tuple[str, bool]:
    """The section's field, and whether its code fixes it (rather than a guess by title)."""
    if ours := _our_field(section):
        return ours, True
    if has_code(section.code, LOINC, HEALTHCARE_AGENT_SECTION[0]):
        return "who_helps", True
    if has_code(section.code, LOINC, WITNESS_AND_NOTARY_SECTION[0]):
        return "statement", True
    return field_for_heading(section.title) or inherited, False


def provisions(provision: Any) -> list[Any]:
    """A provision and the provisions nested in it, outermost first."""
    if provision is None:
        return []
    found = [provision]
    for child in provision.provision or []:
        found += provisions(child)
    return found


def is_agent_consent(consent: FHIRAbstractModel) -> bool:
    """PACIO's healthcare agent Consent: its scope, category or power-of-attorney purpose."""
    return (
        has_code(consent.scope, LOINC, HEALTHCARE_AGENT_SCOPE[0])
        or any(has_code(c, CONSENT_CATEGORY, "acd") for c in consent.category or [])
        or any(
            p.system == ACT_REASON and p.code == "PWATRNY"
            for provision in provisions(consent.provision)
            for p in provision.purpose or []
        )
    )


def attests(person: FHIRAbstractModel) -> bool:
    """A witness or notary (PACIO ADI's profiles, or the relationship says so)."""
    profiles = " ".join(str(p) for p in (person.meta.profile or [] if person.meta else []))
    if "ADI-Notary" in profiles or "ADI-Witness" in profiles:
        return True
    if any(
        "notaryinformation" in (e.url or "").lower() or "witness-information" in (e.url or "")
        for e in person.extension or []
    ):
        return True
    return attester_role(person) is not None


def attester_role(party: FHIRAbstractModel | None) -> str | None:
    if party is None or party.get_resource_type() != "RelatedPerson":
        return None
    for relationship in party.relationship or []:
        if has_code(relationship, PARTICIPATION_TYPE, "NOTARY"):
            return "notary"
        if has_code(relationship, PARTICIPATION_TYPE, "WIT"):
            return "witness"
        words = (concept_text(relationship) or "").lower()
        for role in ("notary", "witness"):
            if role in words:
                return role
    return None


def provenance_of(provenance: FHIRAbstractModel, index: ResourceIndex) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for agent in provenance.agent or []:
        codes = {c.code for c in (agent.type.coding if agent.type else []) or []}
        name = referenced_name(index, agent.who)
        if "author" in codes:
            found["author"] = name
            found["organisation"] = referenced_name(index, agent.onBehalfOf)
        elif "enterer" in codes:
            found["imported_by"] = name
    for entity in provenance.entity or []:
        if entity.role == "source" and entity.what is not None and entity.what.display:
            found["file_name"] = entity.what.display
    started = provenance.occurredPeriod.start if provenance.occurredPeriod else None
    if isinstance(started, datetime) and started.tzinfo is not None:
        found["imported_at"] = clock.isoformat(started)
    kept = {key: value[:300] for key, value in found.items() if value}
    for extension in provenance.extension or []:
        if extension.url == OWN_NOTE_EXTENSION and extension.valueString:
            kept["note"] = extension.valueString[:2000]
        elif extension.url == WORDS_CHANGED_EXTENSION and extension.valueBoolean is True:
            kept["edited"] = True
    return kept


def clean_role(role: str | None) -> str | None:
    return _REPORTED.sub("", role).strip() or None if role else None


def first_code(concept: Any) -> str | None:
    codings = getattr(concept, "coding", None) or []
    return codings[0].code if codings else None


def joined(name: str | None, words: str | None) -> str:
    """A name and what is said about it, without saying the name twice."""
    if name and words and name.casefold() not in words.casefold():
        return f"{name}: {words}"
    return words or name or ""


def referenced_medicine(index: ResourceIndex, reference: Any) -> str | None:
    medicine, _ = index.resolve(reference)
    if medicine is not None and medicine.get_resource_type() == "Medication":
        return concept_text(medicine.code)
    return getattr(reference, "display", None) if reference is not None else None


# ---- small readers ------------------------------------------------------------------------


def concept_text(concept: Any) -> str | None:
    if concept is None:
        return None
    if isinstance(concept, list):
        return ", ".join(filter(None, (concept_text(c) for c in concept))) or None
    if concept.text:
        return concept.text
    displays = [c.display or c.code for c in concept.coding or [] if c.display or c.code]
    return ", ".join(displays) or None


def human_name(names: Any) -> str | None:
    for name in names or []:
        if name.text:
            return name.text
        parts = [*(name.given or []), name.family or ""]
        if any(parts):
            return " ".join(p for p in parts if p)
    return None


def referenced_name(index: ResourceIndex, reference: Any) -> str | None:
    """A person's or organisation's name, from the resource or the reference's display."""
    if reference is None:
        return None
    resource, _ = index.resolve(reference)
    if resource is not None:
        name = getattr(resource, "name", None)
        if isinstance(name, str):
            return name
        if (found := human_name(name)) is not None:
            return found
    return getattr(reference, "display", None) or None


def describe_person(person: FHIRAbstractModel, roles: list[str]) -> str:
    """Name, relationship and role together with how to reach them, as one fact."""
    relationship = concept_text(person.relationship)
    telecom = ", ".join(t.value for t in person.telecom or [] if t.value)
    described = human_name(person.name) or "Someone named in the document"
    extras = [x for x in (relationship, *roles) if x]
    if extras:
        described += f" ({'; '.join(extras)})"
    return described + (f": {telecom}" if telecom else "")


def embedded_files(resource: FHIRAbstractModel, where: str) -> list[EmbeddedFile]:
    kind = resource.get_resource_type()
    if kind == "Binary":
        if not resource.data:
            return []
        name = f"source-document-{resource.id or 'binary'}{_extension(resource.contentType)}"
        return [EmbeddedFile(name, resource.contentType, _bytes(resource.data))]
    files = []
    for number, content in enumerate(resource.content or []):
        attachment = content.attachment
        if attachment is not None and attachment.data:
            content_type = attachment.contentType or "application/octet-stream"
            name = attachment.title or f"source-document-{number + 1}"
            if "." not in name:
                name += _extension(content_type)
            files.append(EmbeddedFile(name, content_type, _bytes(attachment.data)))
    return files


def _bytes(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else base64.b64decode(data)


def _extension(content_type: str | None) -> str:
    return {"application/pdf": ".pdf", "text/plain": ".txt", "text/html": ".html"}.get(
        (content_type or "").split(";")[0], ""
    )
