"""FHIR R4 crisis statements: a `document` Bundle, a bare Composition, or a CarePlan.

Validation uses `fhir.resources.R4B` (FHIR 4.3.0, the R4 technical correction): the
library's pydantic-2 releases carry no separate 4.0.1 package, and every element read
or written here (Bundle, Composition, Patient, RelatedPerson, Consent, Goal, CarePlan,
Binary, DocumentReference) has the same shape in 4.0.1 and 4.3.0.

A mental health advance directive (HL7 PACIO ADI) is a Composition of LOINC type
104144-1; each section's narrative becomes parts, section entries naming people
(RelatedPerson, also via a Consent) become "who helps" parts, and an embedded source
document (Binary, DocumentReference) is kept as an attachment.
"""

import base64
import json
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from app.imports.parsers.base import EmbeddedFile, ParsedDocument, unreadable
from app.imports.parsers.fields import OTHER, field_for_code, field_for_heading
from app.imports.parsers.outline import Outline

LOINC = "http://loinc.org"
MHAD_TYPE = ("104144-1", "Mental health Advance directives")
ADVANCE_DIRECTIVES_CATEGORY = ("42348-3", "Advance healthcare directives")
HEALTHCARE_AGENT_SECTION = ("81335-2", "Healthcare agent")
# Our own code systems: a crisis-plan field key, and a plan section key, as section codes.
CRISIS_FIELD_SYSTEM = "urn:wellbeing-plans:crisis-plan-field"
PLAN_SECTION_SYSTEM = "urn:wellbeing-plans:plan-section"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"

READABLE_TYPES = ("Bundle", "Composition", "CarePlan")
MAX_REPORTED_ERRORS = 20
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LEAF_BLOCKS = {"p", "li", "dt", "dd", "pre", "caption"}
_BLOCKS = (
    _HEADINGS
    | _LEAF_BLOCKS
    | {
        "div",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "blockquote",
    }
)


def parse(data: bytes) -> ParsedDocument:
    raw = _load_json(data)
    resource = _validate(raw)
    resource_type = resource.get_resource_type()
    if resource_type == "Bundle":
        return _read_bundle(resource)
    document = ParsedDocument(format="fhir", parts=[])
    index = _Index(contained=resource)
    if resource_type == "Composition":
        _read_composition(document, resource, "Composition", index)
    else:
        _read_care_plan(document, resource, index)
    return document


# ---- loading and validating ---------------------------------------------------------------


def _load_json(data: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise unreadable(
            "This JSON file is not UTF-8 text. Export it again as UTF-8.", f"byte {error.start}"
        ) from error
    except json.JSONDecodeError as error:
        raise unreadable(
            f"This file is not valid JSON ({error.msg}). Export it again from the system it "
            "came from.",
            f"line {error.lineno}, column {error.colno}",
        ) from error
    except RecursionError as error:
        raise unreadable("This JSON is nested too deeply to read.", "whole file") from error
    if not isinstance(raw, dict) or "resourceType" not in raw:
        raise unreadable(
            "This JSON is not a FHIR resource (it has no resourceType). Send a FHIR R4 "
            "document Bundle, Composition or CarePlan.",
            "resourceType",
        )
    if raw["resourceType"] not in READABLE_TYPES:
        raise unreadable(
            f"A FHIR {raw['resourceType']} is not a crisis statement we can read. Send a "
            "document Bundle, a Composition or a CarePlan.",
            "resourceType",
            415,
        )
    return raw


def _fhir_path(resource_type: str, location: tuple) -> str:
    path = resource_type
    for step in location:
        if step == "root":  # pydantic's name for a wrapped value, not a FHIR element
            continue
        path += f"[{step}]" if isinstance(step, int) else f".{step}"
    return path


def _validate(raw: dict[str, Any]) -> FHIRAbstractModel:
    resource_type = raw["resourceType"]
    try:
        return get_fhir_model_class(resource_type).model_validate(raw)
    except ValidationError as error:
        errors = [
            {"where": _fhir_path(resource_type, e["loc"]), "message": e["msg"]}
            for e in error.errors()[:MAX_REPORTED_ERRORS]
        ]
        first = errors[0]
        raise unreadable(
            f"This is not valid FHIR R4: {first['where']}: {first['message']}. Correct it in "
            "the system it came from and export it again.",
            first["where"],
            errors=errors,
        ) from error
    except (KeyError, ValueError, TypeError) as error:
        # fhir.resources raises KeyError for an unknown resourceType inside the resource.
        raise unreadable(
            f"This is not valid FHIR R4: it names something FHIR R4 does not have ({error}).",
            resource_type,
        ) from error


# ---- references between resources --------------------------------------------------------


class _Index:
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


# ---- Bundle and Composition ---------------------------------------------------------------


def _has_code(concept: Any, system: str, code: str) -> bool:
    return any(
        coding.system == system and coding.code == code
        for coding in (getattr(concept, "coding", None) or [])
    )


def _read_bundle(bundle: FHIRAbstractModel) -> ParsedDocument:
    if bundle.type != "document":
        raise unreadable(
            f"This Bundle is of type '{bundle.type}'. Send a FHIR document Bundle "
            "(type 'document') whose first entry is the Composition.",
            "Bundle.type",
        )
    index = _Index()
    compositions: list[tuple[FHIRAbstractModel, str]] = []
    embedded: list[EmbeddedFile] = []
    for number, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is None:
            continue
        where = f"Bundle.entry[{number}].resource"
        index.add(resource, entry.fullUrl, where)
        kind = resource.get_resource_type()
        if kind == "Composition":
            compositions.append((resource, where))
        elif kind in {"Binary", "DocumentReference"}:
            embedded.extend(_embedded_files(resource, where))
    if not compositions:
        raise unreadable(
            "This Bundle has no Composition, so there is no document to read. A FHIR document "
            "Bundle starts with a Composition.",
            "Bundle.entry",
        )
    # Our own full-plan export carries the crisis plan as a second, MHAD Composition.
    mhad = [c for c in compositions if _has_code(c[0].type, LOINC, MHAD_TYPE[0])]
    composition, where = (mhad or compositions)[0]
    document = ParsedDocument(format="fhir", parts=[], embedded=embedded)
    identifier = bundle.identifier
    document.system = (identifier.system if identifier else None) or None
    _read_composition(document, composition, where, index)
    return document


def _read_composition(
    document: ParsedDocument, composition: FHIRAbstractModel, where: str, index: _Index
) -> None:
    document.title = composition.title
    if not document.system and composition.identifier and composition.identifier.system:
        document.system = composition.identifier.system
    authors = [_referenced_name(index, a) for a in composition.author or []]
    document.author = ", ".join(a for a in authors if a) or None
    document.organisation = _referenced_name(index, composition.custodian)
    _read_subject(document, composition.subject, f"{where}.subject", index)
    seen: set[int] = set()
    for number, section in enumerate(composition.section or []):
        _read_section(document, section, f"{where}.section[{number}]", OTHER, index, seen)


def _section_field(section: Any, inherited: str) -> tuple[str, bool]:
    """The section's field, and whether its code fixes it (rather than a guess by title)."""
    for coding in getattr(section.code, "coding", None) or []:
        if coding.system == CRISIS_FIELD_SYSTEM and field_for_code(coding.code):
            return coding.code, True
    if _has_code(section.code, LOINC, HEALTHCARE_AGENT_SECTION[0]):
        return "who_helps", True
    return field_for_heading(section.title) or inherited, False


def _read_section(
    document: ParsedDocument,
    section: Any,
    where: str,
    inherited: str,
    index: _Index,
    seen: set[int],
) -> None:
    field, fixed = _section_field(section, inherited)
    empty = section.emptyReason is not None and not section.entry and not section.section
    if section.text is not None and not empty:
        outline = Outline(
            document, field=field, heading=section.title, whole_document=False, fixed=fixed
        )
        _read_narrative(outline, section.text.div, f"{where}.text.div")
    for number, reference in enumerate(section.entry or []):
        resource, _ = index.resolve(reference)
        if resource is not None and id(resource) not in seen:
            seen.add(id(resource))
            _read_entry(
                document, resource, field, section.title, f"{where}.entry[{number}]", index, seen
            )
    for number, child in enumerate(section.section or []):
        _read_section(document, child, f"{where}.section[{number}]", field, index, seen)


def _read_entry(
    document: ParsedDocument,
    resource: FHIRAbstractModel,
    field: str,
    heading: str | None,
    where: str,
    index: _Index,
    seen: set[int],
) -> None:
    kind = resource.get_resource_type()
    people = Outline(document, field="who_helps", heading=heading, whole_document=False, fixed=True)
    outline = Outline(document, field=field, heading=heading, whole_document=False, fixed=True)
    if kind == "RelatedPerson":
        people.add_paragraph(_describe_person(resource), where)
    elif kind == "Consent":
        for number, actor in enumerate(getattr(resource.provision, "actor", None) or []):
            person, _ = index.resolve(actor.reference)
            if (
                person is not None
                and person.get_resource_type() == "RelatedPerson"
                and id(person) not in seen
            ):
                seen.add(id(person))
                people.add_paragraph(
                    _describe_person(person, role=_concept_text(actor.role)),
                    f"{where} (Consent).provision.actor[{number}]",
                )
    elif kind == "Goal":
        outline.add_paragraph(_concept_text(resource.description) or "", where)
    elif getattr(resource, "text", None) is not None and kind not in {"Binary", "Composition"}:
        _read_narrative(outline, resource.text.div, f"{where} ({kind}).text.div")


def _read_subject(document: ParsedDocument, subject: Any, where: str, index: _Index) -> None:
    if subject is None:
        return
    patient, patient_where = index.resolve(subject)
    if patient is not None and patient.get_resource_type() == "Patient":
        document.subject_name = _human_name(patient.name)
        document.subject_birth_date = str(patient.birthDate) if patient.birthDate else None
        document.subject_where = f"{patient_where} (Patient)"
    elif subject.display:
        document.subject_name = subject.display
        document.subject_where = where


# ---- CarePlan -----------------------------------------------------------------------------


def _read_care_plan(document: ParsedDocument, plan: FHIRAbstractModel, index: _Index) -> None:
    document.title = plan.title
    document.author = _referenced_name(index, plan.author)
    _read_subject(document, plan.subject, "CarePlan.subject", index)
    before = len(document.parts)
    if plan.description:
        Outline(document, heading="Description", whole_document=False).add_paragraph(
            plan.description, "CarePlan.description"
        )
    for number, activity in enumerate(plan.activity or []):
        detail = activity.detail
        if detail is None:
            continue
        heading = _concept_text(detail.code)
        outline = Outline(
            document,
            field=field_for_heading(heading) or OTHER,
            heading=heading,
            whole_document=False,
        )
        outline.add_paragraph(
            detail.description or heading or "", f"CarePlan.activity[{number}].detail"
        )
    for number, note in enumerate(plan.note or []):
        Outline(document, whole_document=False).add_paragraph(note.text, f"CarePlan.note[{number}]")
    # Generated narrative only repeats the structured content; read it when it adds to it.
    if plan.text is not None and (
        plan.text.status in {"additional", "extensions"} or len(document.parts) == before
    ):
        _read_narrative(Outline(document, whole_document=False), plan.text.div, "CarePlan.text.div")


# ---- narrative XHTML ----------------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _inline_text(element: Element) -> str:
    """The text of an element with <br/> kept as a line break and other spacing collapsed."""
    pieces = [element.text or ""]
    for child in element:
        pieces.append("\n" if _local(child.tag) == "br" else _inline_text(child))
        pieces.append(child.tail or "")
    lines = "".join(pieces).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _has_blocks(element: Element) -> bool:
    return any(_local(child.tag) in _BLOCKS for child in element)


def _only_bold(element: Element) -> bool:
    children = list(element)
    return (
        len(children) == 1
        and _local(children[0].tag) in {"b", "strong"}
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
    )


def _read_narrative(outline: Outline, div: str | None, where: str) -> None:
    if not div:
        return
    try:
        root = ElementTree.fromstring(div)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise unreadable(
            "This FHIR narrative is not valid XHTML, as FHIR R4 requires. Correct it in the "
            "system it came from.",
            where,
        ) from error
    if _local(root.tag) != "div":
        raise unreadable("A FHIR narrative must be one XHTML <div> element.", where)
    _walk(outline, root, where)


def _walk(outline: Outline, element: Element, where: str) -> None:
    if (element.text or "").strip():
        outline.add_paragraph(element.text, where)
    for child in element:
        tag = _local(child.tag)
        if tag in _HEADINGS or (tag == "p" and _only_bold(child)):
            outline.add_heading(_inline_text(child))
        elif tag == "tr":
            cells = [_inline_text(c) for c in child if _local(c.tag) in {"td", "th"}]
            cells = [c for c in cells if c]
            if len(cells) >= 2 and field_for_heading(cells[0]):
                outline.add_paragraph(f"{cells[0]}: {' '.join(cells[1:])}", where)
            elif cells and not all(_local(c.tag) == "th" for c in child):
                outline.add_paragraph(": ".join(cells), where)
        elif tag in _LEAF_BLOCKS and not _has_blocks(child):
            outline.add_paragraph(_inline_text(child), where)
        elif tag in _BLOCKS or _has_blocks(child):
            _walk(outline, child, where)
        else:
            outline.add_paragraph(_inline_text(child), where)
        if (child.tail or "").strip():
            outline.add_paragraph(child.tail, where)


# ---- small readers ------------------------------------------------------------------------


def _concept_text(concept: Any) -> str | None:
    if concept is None:
        return None
    if isinstance(concept, list):
        return ", ".join(filter(None, (_concept_text(c) for c in concept))) or None
    if concept.text:
        return concept.text
    displays = [c.display or c.code for c in concept.coding or [] if c.display or c.code]
    return ", ".join(displays) or None


def _human_name(names: Any) -> str | None:
    for name in names or []:
        if name.text:
            return name.text
        parts = [*(name.given or []), name.family or ""]
        if any(parts):
            return " ".join(p for p in parts if p)
    return None


def _referenced_name(index: _Index, reference: Any) -> str | None:
    """A person's or organisation's name, from the resource or the reference's display."""
    if reference is None:
        return None
    resource, _ = index.resolve(reference)
    if resource is not None:
        name = getattr(resource, "name", None)
        if isinstance(name, str):
            return name
        if (found := _human_name(name)) is not None:
            return found
    return getattr(reference, "display", None) or None


def _describe_person(person: FHIRAbstractModel, role: str | None = None) -> str:
    relationship = _concept_text(person.relationship)
    telecom = ", ".join(t.value for t in person.telecom or [] if t.value)
    described = _human_name(person.name) or "Someone named in the document"
    extras = [x for x in (role, relationship) if x]
    if extras:
        described += f" ({'; '.join(extras)})"
    return described + (f": {telecom}" if telecom else "")


def _embedded_files(resource: FHIRAbstractModel, where: str) -> list[EmbeddedFile]:
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
