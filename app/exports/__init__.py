"""The person's plan for other systems and for paper: FHIR R4 and printable PDF."""

from typing import Any

from app.plans.templates import CRISIS_FIELDS


def crisis_entries_by_field(
    entries: list[dict[str, Any]],
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(field key, label, entries) for each crisis-plan field with entries, in the plan's
    field order; an entry with no known field goes under "other". The FHIR export and the
    printed card must agree on this."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        prompt = entry.get("prompt")
        by_field.setdefault(prompt if prompt in CRISIS_FIELDS else "other", []).append(entry)
    return [(key, label, by_field[key]) for key, label in CRISIS_FIELDS.items() if key in by_field]
