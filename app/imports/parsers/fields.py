"""Which crisis-plan field a heading in someone else's document is about.

Documents from other systems use their own headings ("Who to contact", "Relapse
indicators"). Each field has the phrases that mean it; a heading maps to the field whose
longest phrase it contains. What matches nothing is kept as "other" with its heading, and
the person can move any part to another field when they accept it.
"""

import re
import unicodedata

from app.plans.templates import CRISIS_FIELDS

OTHER = "other"

_PHRASES: dict[str, tuple[str, ...]] = {
    "when_well": (
        "when i am well",
        "what i am like when i am well",
        "when well",
        "me when i am well",
        "about me",
    ),
    "others_take_over": (
        "signs that others should take over",
        "when others should take over",
        "early warning signs",
        "warning signs",
        "relapse signs",
        "relapse indicators",
        "relapse signature",
        "signs i am becoming unwell",
        "signs of crisis",
        "crisis signs",
        "when i am unwell",
    ),
    "who_helps": (
        "who i want to help",
        "who to contact",
        "people to contact",
        "contacts",
        "key contacts",
        "my supporters",
        "supporters",
        "healthcare agent",
        "nominated person",
        "who i would like involved",
    ),
    "not_involved": (
        "who i do not want involved",
        "people i do not want involved",
        "do not contact",
        "who not to contact",
        "not to be involved",
    ),
    "medicines_preferred": (
        "medicines i prefer",
        "medication i prefer",
        "preferred medicines",
        "preferred medication",
        "medication preferences",
        "medicines that help",
        "medication that helps",
    ),
    "medicines_avoid": (
        "medicines i want to avoid",
        "medicines to avoid",
        "medication to avoid",
        "medicines i do not want",
        "medication i do not want",
    ),
    "allergies": (
        "medicines i am allergic to",
        "allergies",
        "allergy",
        "allergies and adverse reactions",
        "drug allergies",
    ),
    "treatments_wanted": (
        "treatments i want",
        "treatment i want",
        "treatment preferences",
        "treatments i would like",
        "treatment i would like",
    ),
    "treatments_refused": (
        "treatments i do not want",
        "treatment i do not want",
        "treatments i refuse",
        "treatment i refuse",
        "refused treatments",
        "treatment refusals",
        "advance decision to refuse treatment",
    ),
    "where_treated": (
        "where i would like to be treated",
        "where i want to be treated",
        "preferred place of treatment",
        "preferred place of care",
        "preferred hospital",
    ),
    "where_not_treated": (
        "where i do not want to be treated",
        "where i would not like to be treated",
        "places to avoid",
        "places i do not want to go",
    ),
    "what_helps": (
        "what helps from the people around me",
        "what helps",
        "things that help",
        "what helps me",
        "how people can help",
        "how others can help",
    ),
    "what_does_not_help": (
        "what does not help",
        "things that do not help",
        "unhelpful",
        "triggers",
        "things that make it worse",
    ),
    "practical": (
        "practical things",
        "practical arrangements",
        "practical matters",
        "children",
        "pets",
        "bills",
        "dependants",
        "caring responsibilities",
    ),
    "no_longer_needed": (
        "how others will know i no longer need this plan",
        "when i no longer need this plan",
        "when this plan ends",
        "signs i am well again",
        "signs of recovery",
    ),
    "statement": (
        "my statement that i made this plan while well",
        "my statement",
        "statement",
        "declaration",
        "signature",
        "signed",
        "witness",
        "review date",
    ),
}

_CONTRACTIONS = {
    "don't": "do not",
    "doesn't": "does not",
    "i'd": "i would",
    "i'm": "i am",
    "i've": "i have",
    "wouldn't": "would not",
    "won't": "will not",
    "can't": "cannot",
}
_SAME_WORD = {"medication": "medicines", "medications": "medicines", "medicine": "medicines"}


def normalise(text: str) -> str:
    """Lower case, contractions spelled out, punctuation gone, one word per meaning."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    text = re.sub(r"[a-z]+'[a-z]+", lambda m: _CONTRACTIONS.get(m.group(0), m.group(0)), text)
    return " ".join(_SAME_WORD.get(word, word) for word in re.sub(r"[^a-z0-9]+", " ", text).split())


def _phrases() -> list[tuple[str, str]]:
    pairs = [(normalise(label), key) for key, label in CRISIS_FIELDS.items()]
    pairs += [(normalise(p), key) for key, phrases in _PHRASES.items() for p in phrases]
    # Longest first, so "treatments i do not want" wins over "treatments i want".
    return sorted(set(pairs), key=lambda pair: -len(pair[0]))


_BY_LENGTH = _phrases()
_ALL_PHRASES = frozenset(phrase for phrase, _ in _BY_LENGTH)


def field_for_heading(heading: str | None) -> str | None:
    """The crisis field a heading names, or None when it names none."""
    if not heading:
        return None
    padded = f" {normalise(heading)} "
    for phrase, key in _BY_LENGTH:
        if f" {phrase} " in padded:
            return key
    return None


def field_for_code(code: str | None) -> str | None:
    """Our own export writes each field's key as its section code."""
    return code if code in CRISIS_FIELDS else None


def is_heading_phrase(line: str) -> bool:
    """A line that is nothing but a known heading, such as "Allergies" on its own."""
    return normalise(line) in _ALL_PHRASES
