"""The person's plan for other systems and for paper: FHIR R4 and printable PDF."""
