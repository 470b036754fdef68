"""The FHIR codes and systems this service reads and writes: the crisis statement import
(app/statements/parsers/fhir.py) reads what the export (app/exports/fhir.py) writes, so both
take them from here."""

LOINC = "http://loinc.org"
MHAD_TYPE = ("104144-1", "Mental health Advance directives")
ADVANCE_DIRECTIVES_CATEGORY = ("42348-3", "Advance healthcare directives")
HEALTHCARE_AGENT_SECTION = ("81335-2", "Healthcare agent")
WITNESS_AND_NOTARY_SECTION = ("81339-4", "Witness and notary")
HEALTHCARE_AGENT_SCOPE = ("81377-4", "Healthcare agent appointment")
PRIMARY_AGENT_ROLE = ("75783-1", "Primary healthcare agent")
ALTERNATE_AGENT_ROLE = ("75784-9", "First alternate healthcare agent")
PACIO_ADI = "http://hl7.org/fhir/us/pacio-adi"
SOURCE_FORM_SECTION = (f"{PACIO_ADI}/CodeSystem/adi-temp-cs", "advance_directive_source_form")
CONSENT_CATEGORY = "http://terminology.hl7.org/CodeSystem/consentcategorycodes"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
TARGET_ELEMENT = "http://hl7.org/fhir/StructureDefinition/targetElement"
# Our own code systems: a crisis-plan field key, and a plan section key, as section codes.
CRISIS_FIELD_SYSTEM = "urn:wellbeing-plans:crisis-plan-field"
# On our export's Provenance: the person's own note on someone else's words, and whether
# they changed the words when accepting them, so an import of the export keeps both.
OWN_NOTE_EXTENSION = "urn:wellbeing-plans:own-note"
WORDS_CHANGED_EXTENSION = "urn:wellbeing-plans:words-changed"
PLAN_SECTION_SYSTEM = "urn:wellbeing-plans:plan-section"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
