"""The words by which a person names someone to speak or decide for them ("Priya speaks for
me", "Tom is my nominated person", "my healthcare agent is Sam"), defined once: the crisis
plan's contradictions look for two different people named so, and the FHIR export names
the one named so as the healthcare agent. A name found by one and not the other would
make the plan say two things."""

import re

_ACTS = r"(?:speak|speaks|speaking|talk|talks|talking|decide|decides|deciding|decisions?)"
SPEAKS_FOR_ME = re.compile(
    rf"\b{_ACTS}\s+(?:up\s+)?(?:for\s+me|on\s+my\s+behalf|on\s+behalf\s+of\s+me)\b"
    r"|\bon\s+my\s+behalf\b|\bnominated\s+person\b|\bmy\s+advocate\b"
    r"|\bpower\s+of\s+attorney\b|\bhealth\s*care\s+agent\b",
    re.IGNORECASE,
)


def names_someone_to_speak_for_me(text: str) -> bool:
    return SPEAKS_FOR_ME.search(text) is not None
