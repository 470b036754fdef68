"""Whose words an entry holds, in one wording for the crisis card (page and PDF) and the
printed booklet: words brought in from a clinician's document name who wrote them, who
brought them in and when the person accepted them. The organisation is named as the
author's, never as the person's. Likewise what the person decided about a contradiction."""

from datetime import datetime
from typing import Any

from app.core.clock import day


def _on(moment: str | None) -> str:
    return f" on {day(datetime.fromisoformat(moment))}" if moment else ""


def imported_words(entry: dict[str, Any], owner_name: str) -> str | None:
    """For words from someone else: "From Dr Ana Okafor (Riverside Mental Health Trust),
    brought in by Dr Lee on 3 May 2026, accepted by Sam on 4 May 2026." None for the
    person's own words."""
    source = entry.get("source")
    if not source:
        return None
    author = source.get("author") or "someone else"
    if source.get("organisation"):
        author += f" ({source['organisation']})"
    # An imported entry is made when the person accepts it, so it was made on that day.
    label = (
        f"From {author}, brought in by {source.get('imported_by') or 'someone else'}"
        f"{_on(source.get('imported_at'))}, accepted by {owner_name}"
        f"{_on(entry.get('created_at'))}."
    )
    if source.get("edited"):
        label += f" {owner_name} changed the words when accepting them."
    return label


def own_note(entry: dict[str, Any], owner_name: str) -> str | None:
    """The person's own note kept beside words from someone else ("I disagree because …")."""
    note = (entry.get("source") or {}).get("note")
    return f"{owner_name}\u2019s own note: {note}" if note else None


def contradiction_decision(contradiction: dict[str, Any], owner_name: str) -> str:
    """What the person decided about a contradiction in their crisis plan, for its reader."""
    if contradiction["kept"]:
        return f"{owner_name} has seen this and chose to keep both."
    return f"{owner_name} has not decided about this yet. Ask {owner_name} if you can."
