"""FHIR R4 crisis statements, read as data: a `document` or `collection` Bundle, or a bare
Composition, CarePlan or Consent.

Validation uses `fhir.resources.R4B` (FHIR 4.3.0, the R4 technical correction): the
library's pydantic-2 releases carry no separate 4.0.1 package, and every element read
or written here has the same shape in 4.0.1 and 4.3.0.

What decides a part's field, strongest first: the resource (a CarePlan activity with
`doNotPerform`, a MedicationStatement's status, an AllergyIntolerance, a Consent naming a
healthcare agent), then the section's code (our own field codes, LOINC), then its title.
Narrative is read only where there is no structured data beside it (or the narrative says
it adds to it, status `additional`), so no fact is proposed twice. Witnesses, notaries and
other attesters are kept as the document's provenance, never proposed as helpers. Our own
export's `Provenance` resources give the parts they point to their original authorship.
"""

from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from app.core.fhir_codes import (
    LOINC,
    MHAD_TYPE,
    TARGET_ELEMENT,
)
from app.statements.parsers.base import EmbeddedFile, ParsedDocument, unreadable
from app.statements.parsers.fhir_loading import load_json, validated
from app.statements.parsers.fhir_narrative import read_narrative
from app.statements.parsers.fhir_resources import (
    ResourceIndex,
    attester_role,
    attests,
    clean_role,
    concept_text,
    describe_person,
    embedded_files,
    first_code,
    has_code,
    human_name,
    is_agent_consent,
    joined,
    provenance_of,
    provisions,
    referenced_medicine,
    referenced_name,
    section_field,
    section_repeats,
)
from app.statements.parsers.fields import OTHER, field_for_heading
from app.statements.parsers.outline import Outline

READABLE_BUNDLES = ("document", "collection")
# Read as data wherever they sit in a Bundle, in this order: a Consent first, so that the
# person it names keeps their role when they are also listed on their own.
DATA_TYPES = (
    "CarePlan",
    "Consent",
    "MedicationStatement",
    "MedicationRequest",
    "AllergyIntolerance",
    "Goal",
    "RelatedPerson",
)
# Resources that only support others (who, where, the source file): never "left unread".
SUPPORTING_TYPES = {
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Medication",
    "Binary",
    "DocumentReference",
    "Provenance",
    "Composition",
    "Device",
    "Endpoint",
}
MEDICINE_FIELDS = {"medicines_preferred", "medicines_avoid", "allergies"}
# What a statement's status says about the medicine, for a crisis plan.
MEDICINE_STATUS_FIELDS = {
    "active": "medicines_preferred",
    "intended": "medicines_preferred",
    "not-taken": "medicines_avoid",
    "stopped": "medicines_avoid",
}
MEDICINE_STATUS_WORDS = {
    "active": "taking now",
    "intended": "to be taken",
    "completed": "course finished",
    "on-hold": "on hold",
    "not-taken": "not taken",
    "stopped": "stopped",
    "unknown": "status unknown",
}
NOT_CURRENT = {"entered-in-error", "revoked", "cancelled", "refuted", "inactive", "resolved"}
ATTESTER_MODES = {
    "personal": "signed it",
    "professional": "attested it professionally",
    "legal": "attested it legally",
    "official": "attested it for an organisation",
}


def parse(data: bytes) -> ParsedDocument:
    resource = validated(load_json(data))
    kind = resource.get_resource_type()
    if kind == "Bundle":
        return _read_bundle(resource)
    reader = _Reader(ParsedDocument(format="fhir", parts=[]), ResourceIndex(contained=resource))
    if kind == "Composition":
        reader.read_composition(resource, "Composition")
    else:
        reader.mark_not_helpers([(resource, kind)])
        reader.read_resource(resource, kind)
    return reader.finish(kind, kind)


# ---- Bundle -------------------------------------------------------------------------------


def _read_bundle(bundle: FHIRAbstractModel) -> ParsedDocument:
    if bundle.type not in READABLE_BUNDLES:
        raise unreadable(
            f"This Bundle is of type '{bundle.type}'. Send a FHIR document Bundle (type "
            "'document', whose first entry is the Composition) or a 'collection' Bundle.",
            "Bundle.type",
        )
    index = ResourceIndex()
    resources: list[tuple[FHIRAbstractModel, str]] = []
    embedded: list[EmbeddedFile] = []
    for number, entry in enumerate(bundle.entry or []):
        if entry.resource is None:
            continue
        where = f"Bundle.entry[{number}].resource"
        index.add(entry.resource, entry.fullUrl, where)
        resources.append((entry.resource, where))
        if entry.resource.get_resource_type() in {"Binary", "DocumentReference"}:
            embedded.extend(embedded_files(entry.resource, where))
    compositions = [(r, w) for r, w in resources if r.get_resource_type() == "Composition"]
    if bundle.type == "document" and not compositions:
        raise unreadable(
            "This Bundle has no Composition, so there is no document to read. A FHIR document "
            "Bundle starts with a Composition.",
            "Bundle.entry",
        )
    document = ParsedDocument(format="fhir", parts=[], embedded=embedded)
    identifier = bundle.identifier
    document.system = (identifier.system if identifier else None) or None
    reader = _Reader(document, index)
    reader.collect_provenance(resources)
    reader.mark_not_helpers(resources)
    # Our own export: its crisis-plan field sections hold every entry, word for word.
    reader.ours = any(section_repeats(s) for c, _ in compositions for s in c.section or [])
    if compositions:
        # The directive is the MHAD Composition wherever it sits (older exports of ours put
        # the whole plan's Composition first).
        mhad = [c for c in compositions if has_code(c[0].type, LOINC, MHAD_TYPE[0])]
        reader.read_composition(*(mhad or compositions)[0])
    if not reader.ours:
        # Resources the Composition does not reach (or all of a collection) are data too.
        for kind in DATA_TYPES:
            for resource, where in resources:
                if resource.get_resource_type() == kind and id(resource) not in reader.seen:
                    reader.read_resource(resource, where)
        reader.note_unread(resources)
    return reader.finish("Bundle", "Bundle.entry")


# ---- the reader ---------------------------------------------------------------------------


class _Reader:
    """Reads resources into the document's parts, remembering what it has read so that no
    resource (and no fact) is proposed twice."""

    def __init__(self, document: ParsedDocument, index: ResourceIndex) -> None:
        self.document = document
        self.index = index
        self.seen: set[int] = set()
        self.ours = False
        # Resources that attest the document (witnesses, notaries): provenance, not helpers.
        self.not_helpers: set[int] = set()
        # Each person a Consent names: their roles, wherever the person is listed.
        self.agent_roles: dict[int, list[str]] = {}
        self.provenance: dict[str, dict[str, Any]] = {}
        self.left_out: list[str] = []
        self.subjects: list[tuple[str, str | None, str]] = []

    # -- before reading

    def collect_provenance(self, resources: list[tuple[FHIRAbstractModel, str]]) -> None:
        """Our export's Provenance: which narrative paragraph (`targetElement`) came from
        whom, so that re-importing it keeps the original authorship."""
        for resource, _ in resources:
            if resource.get_resource_type() != "Provenance":
                continue
            found = provenance_of(resource, self.index)
            for target in resource.target or []:
                for extension in target.extension or []:
                    if extension.url == TARGET_ELEMENT and extension.valueUri:
                        self.provenance[extension.valueUri] = found

    def mark_not_helpers(self, resources: list[tuple[FHIRAbstractModel, str]]) -> None:
        for resource, _ in resources:
            if resource.get_resource_type() == "RelatedPerson" and attests(resource):
                self.not_helpers.add(id(resource))
                name = human_name(resource.name) or "Someone not named"
                self._add_attester(name, attester_role(resource), None)
            if resource.get_resource_type() == "Consent":
                self._note_agents(resource)

    def _note_agents(self, consent: FHIRAbstractModel) -> None:
        agent = is_agent_consent(consent)
        for provision in provisions(consent.provision):
            for actor in provision.actor or []:
                person, _ = self.index.resolve(actor.reference)
                if person is None:
                    continue
                role = clean_role(concept_text(actor.role))
                if agent:
                    role = role or "Healthcare agent"
                if role and role not in self.agent_roles.setdefault(id(person), []):
                    self.agent_roles[id(person)].append(role)

    # -- Composition

    def read_composition(self, composition: FHIRAbstractModel, where: str) -> None:
        document = self.document
        self.seen.add(id(composition))
        document.title = composition.title
        if not document.system and composition.identifier and composition.identifier.system:
            document.system = composition.identifier.system
        authors = [referenced_name(self.index, a) for a in composition.author or []]
        document.author = ", ".join(a for a in authors if a) or None
        document.organisation = referenced_name(self.index, composition.custodian)
        self.read_subject(composition.subject, f"{where}.subject")
        for attester in composition.attester or []:
            party, _ = self.index.resolve(attester.party)
            if party is not None:
                self.not_helpers.add(id(party))
            self._add_attester(
                referenced_name(self.index, attester.party) or "Someone not named",
                attester_role(party) or ATTESTER_MODES.get(attester.mode, attester.mode),
                attester.time.isoformat() if attester.time else None,
            )
        for number, section in enumerate(composition.section or []):
            self._read_section(section, f"{where}.section[{number}]", OTHER)

    def _add_attester(self, name: str, role: str | None, time: str | None) -> None:
        """Once per person: a witness listed on their own and as an attester is one."""
        for known in self.document.attesters:
            if known["name"] == name:
                known["time"] = known["time"] or time
                return
        self.document.attesters.append({"name": name, "role": role, "time": time})

    def _read_section(self, section: Any, where: str, inherited: str) -> None:
        if section_repeats(section):
            return
        field, fixed = section_field(section, inherited)
        empty = section.emptyReason is not None and not section.entry and not section.section
        if empty:
            return
        before = len(self.document.parts)
        structured = False
        for number, reference in enumerate(section.entry or []):
            resource, _ = self.index.resolve(reference)
            if resource is None or id(resource) in self.seen:
                continue
            structured = (
                self.read_resource(
                    resource, f"{where}.entry[{number}]", field, section.title, fixed
                )
                or structured
            )
        from_entries = self.document.parts[before:]
        del self.document.parts[before:]
        narrative = section.text
        if narrative is not None and (not structured or narrative.status == "additional"):
            outline = Outline(
                self.document,
                field=field,
                heading=section.title,
                whole_document=False,
                fixed=fixed,
            )
            self._narrative(outline, narrative.div, f"{where}.text.div")
        self.document.parts.extend(from_entries)
        for number, child in enumerate(section.section or []):
            self._read_section(child, f"{where}.section[{number}]", field)

    # -- one resource

    def read_resource(
        self,
        resource: FHIRAbstractModel,
        where: str,
        field: str | None = None,
        heading: str | None = None,
        fixed: bool = False,
    ) -> bool:
        """Proposes what the resource says; True when it held structured data (so the
        narrative around it would only repeat it)."""
        self.seen.add(id(resource))
        kind = resource.get_resource_type()
        readers = {
            "CarePlan": self._care_plan,
            "Consent": self._consent,
            "MedicationStatement": self._medicine,
            "MedicationRequest": self._medicine,
            "AllergyIntolerance": self._allergy,
            "RelatedPerson": self._related_person,
            "Goal": self._goal,
        }
        if kind in readers:
            return readers[kind](resource, where, field, heading, fixed)
        narrative = getattr(resource, "text", None)
        # Who someone is, or a file, is not part of a crisis plan (nor is another document).
        if narrative is not None and kind not in SUPPORTING_TYPES:
            outline = self._outline(field or OTHER, heading, fixed=True)
            self._narrative(outline, narrative.div, f"{where} ({kind}).text.div")
        return False

    def _outline(self, field: str, heading: str | None, fixed: bool = True) -> Outline:
        return Outline(
            self.document, field=field, heading=heading, whole_document=False, fixed=fixed
        )

    def _add(self, field: str, heading: str | None, text: str, where: str) -> None:
        self._outline(field, heading).add_paragraph(text, where)

    def _current(self, status: str | None, what: str, where: str) -> bool:
        if status in NOT_CURRENT:
            self.left_out.append(f"{what} at {where} (marked {status.replace('-', ' ')})")
            return False
        return True

    def _care_plan(self, plan, where, field, heading, fixed) -> bool:
        if not self._current(plan.status, "a care plan", where):
            return True
        self.document.title = self.document.title or plan.title
        self.document.author = self.document.author or referenced_name(self.index, plan.author)
        self.read_subject(plan.subject, f"{where}.subject")
        before = len(self.document.parts)
        if plan.description:
            self._add(OTHER, "Description", plan.description, f"{where}.description")
        for number, activity in enumerate(plan.activity or []):
            place = f"{where}.activity[{number}]"
            if activity.detail is not None:
                self._activity(activity.detail, f"{place}.detail")
            elif activity.reference is not None:
                target, target_where = self.index.resolve(activity.reference)
                if target is not None and id(target) not in self.seen:
                    self.read_resource(target, target_where or f"{place}.reference")
        for number, note in enumerate(plan.note or []):
            self._add(OTHER, "Notes", note.text, f"{where}.note[{number}]")
        structured = len(self.document.parts) > before
        # Generated narrative only repeats the structured content; read it when it adds to it.
        if plan.text is not None and (
            plan.text.status in {"additional", "extensions"} or not structured
        ):
            self._narrative(
                Outline(self.document, field=field or OTHER, heading=heading, whole_document=False),
                plan.text.div,
                f"{where}.text.div",
            )
        return structured

    def _activity(self, detail: Any, where: str) -> None:
        if not self._current(detail.status, "a care plan activity", where):
            return
        label = concept_text(detail.code)
        product = concept_text(detail.productCodeableConcept) or referenced_name(
            self.index, detail.productReference
        )
        named = field_for_heading(label)
        medicine = bool(product) or detail.kind == "MedicationRequest" or named in MEDICINE_FIELDS
        if detail.doNotPerform:
            field = "medicines_avoid" if medicine else "treatments_refused"
        else:
            field = named or ("medicines_preferred" if product else OTHER)
        # A label that is only a heading ("What helps") is not part of the fact; a name is.
        name = product or (label if not named else None)
        text = joined(name, detail.description)
        if text:
            self._add(field, label or product, text, where)

    def _medicine(self, statement, where, field, heading, fixed) -> bool:
        kind = statement.get_resource_type()
        if kind == "MedicationRequest":
            status = "not-taken" if statement.doNotPerform else statement.status
            dosage = statement.dosageInstruction
        else:
            status, dosage = statement.status, statement.dosage
        if not self._current(status, "a medicine", where):
            return True
        self.read_subject(statement.subject, f"{where}.subject")
        name = concept_text(statement.medicationCodeableConcept) or referenced_medicine(
            self.index, statement.medicationReference
        )
        text = joined(name, "; ".join(d.text for d in dosage or [] if d.text))
        reasons = concept_text(statement.statusReason) if kind != "MedicationRequest" else None
        words = MEDICINE_STATUS_WORDS.get(status or "")
        if reasons or (words and status not in MEDICINE_STATUS_FIELDS):
            text += f" ({words}{': ' + reasons if reasons else ''})"
        notes = [n.text for n in statement.note or [] if n.text]
        if notes:
            text = " ".join([text.rstrip(".") + ".", *notes])
        if field in MEDICINE_FIELDS and field != "allergies" and fixed:
            chosen = field
        else:
            chosen = MEDICINE_STATUS_FIELDS.get(status or "", OTHER)
        self._add(chosen, heading or "Medicines", text, where)
        return True

    def _allergy(self, allergy, where, field, heading, fixed) -> bool:
        verification = first_code(allergy.verificationStatus)
        clinical = first_code(allergy.clinicalStatus)
        if not (
            self._current(verification, "an allergy", where)
            and self._current(clinical, "an allergy", where)
        ):
            return True
        self.read_subject(allergy.patient, f"{where}.patient")
        substance = concept_text(allergy.code) or "Something not named"
        reactions = []
        for reaction in allergy.reaction or []:
            reactions += [concept_text(m) for m in reaction.manifestation or []]
            reactions.append(reaction.description)
        text = substance + (f": {', '.join(r for r in reactions if r)}" if any(reactions) else "")
        notes = [n.text for n in allergy.note or [] if n.text]
        if notes:
            text = " ".join([text.rstrip(".") + ".", *notes])
        chosen = "medicines_avoid" if allergy.type == "intolerance" else "allergies"
        self._add(chosen, heading or "Allergies", text, where)
        return True

    def _consent(self, consent, where, field, heading, fixed) -> bool:
        if not self._current(consent.status, "a consent", where):
            return True
        self.read_subject(consent.patient, f"{where}.patient")
        agent = is_agent_consent(consent)
        before = len(self.document.parts)
        for depth, provision in enumerate(provisions(consent.provision)):
            place = f"{where}.provision" + ".provision" * min(depth, 1)
            deny = provision.type == "deny"
            for number, actor in enumerate(provision.actor or []):
                person, _ = self.index.resolve(actor.reference)
                if person is None or id(person) in self.seen:
                    continue
                if person.get_resource_type() == "RelatedPerson" and id(person) in self.not_helpers:
                    continue
                self.seen.add(id(person))
                described = self._person(person, actor.reference)
                if agent or not deny:
                    self._add("who_helps", heading, described, f"{place}.actor[{number}]")
                else:
                    self._add("not_involved", heading, described, f"{place}.actor[{number}]")
            powers = concept_text(provision.action)
            if powers and agent:
                words = "may not decide about" if deny else "may decide about"
                self._add("who_helps", heading, f"My healthcare agent {words}: {powers}.", place)
            # Each treatment a part of its own, to accept or not on its own.
            for number, code in enumerate(provision.code or []):
                chosen = "treatments_refused" if deny else "treatments_wanted"
                treatment = concept_text(code)
                if treatment:
                    self._add(chosen, heading, treatment, f"{place}.code[{number}]")
        structured = len(self.document.parts) > before
        if not structured and consent.text is not None:
            outline = self._outline(field or ("who_helps" if agent else OTHER), heading)
            self._narrative(outline, consent.text.div, f"{where}.text.div")
        return structured

    def _related_person(self, person, where, field, heading, fixed) -> bool:
        if id(person) in self.not_helpers:
            return True
        if person.active is False:
            self.left_out.append(f"a contact at {where} (marked no longer active)")
            return True
        chosen = "not_involved" if field == "not_involved" else "who_helps"
        self._add(chosen, heading, self._person(person), where)
        return True

    def _goal(self, goal, where, field, heading, fixed) -> bool:
        if not self._current(goal.lifecycleStatus, "a goal", where):
            return True
        self._add(field or OTHER, heading or "Goals", concept_text(goal.description) or "", where)
        return True

    def _person(self, person: FHIRAbstractModel, reference: Any = None) -> str:
        name = referenced_name(self.index, reference) if reference is not None else None
        if person.get_resource_type() != "RelatedPerson":
            return name or "Someone named in the document"
        return describe_person(person, self.agent_roles.get(id(person), []))

    # -- who it is about

    def read_subject(self, subject: Any, where: str) -> None:
        if subject is None:
            return
        patient, patient_where = self.index.resolve(subject)
        if patient is not None and patient.get_resource_type() == "Patient":
            name = human_name(patient.name)
            born = str(patient.birthDate) if patient.birthDate else None
            place = f"{patient_where} (Patient)"
        elif subject.display:
            name, born, place = subject.display, None, where
        else:
            return
        if name and all(name != known for known, _, _ in self.subjects):
            self.subjects.append((name, born, place))

    # -- narrative and the end

    def _narrative(self, outline: Outline, div: str | None, where: str) -> None:
        read_narrative(outline, div, where, self.provenance)

    def note_unread(self, resources: list[tuple[FHIRAbstractModel, str]]) -> None:
        unread = sorted(
            {
                r.get_resource_type()
                for r, _ in resources
                if id(r) not in self.seen
                and r.get_resource_type() not in SUPPORTING_TYPES
                and r.get_resource_type() not in DATA_TYPES
            }
        )
        if unread:
            self.document.warnings.append(
                {
                    "code": "not_read",
                    "message": "This file also holds "
                    + ", ".join(unread)
                    + " records, which are not part of a crisis plan, so nothing was taken "
                    "from them. Open the original file if they matter.",
                    "where": "Bundle.entry",
                }
            )

    def finish(self, kind: str, where: str) -> ParsedDocument:
        document = self.document
        if self.subjects:
            name, born, place = self.subjects[0]
            document.subject_name, document.subject_birth_date = name, born
            document.subject_where = place
            document.more_subjects = [
                {"name": n, "birth_date": b, "where": w} for n, b, w in self.subjects[1:]
            ]
        if self.left_out:
            document.warnings.append(
                {
                    "code": "not_current",
                    "message": "Some things in this file are marked as no longer current, so "
                    "they are not proposed: " + "; ".join(self.left_out) + ".",
                    "where": where,
                }
            )
        if not document.parts:
            raise unreadable(
                f"We found nothing to import in this FHIR {kind}: it has no care plan "
                "activities, medicines, allergies, consents, contacts or narrative text we "
                "could read"
                + (" that are still current" if self.left_out else "")
                + ". Check that you sent the crisis plan itself.",
                where,
            )
        return document
