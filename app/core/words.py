"""Free text brought to one spelling for comparing words: what an imported statement's
headings and lines say (app/statements/parsers) and what an export looks for in a person's
entries (app/exports/fhir.py)."""

import re
import unicodedata

_CONTRACTIONS = {
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "isn't": "is not",
    "aren't": "are not",
    "i'd": "i would",
    "i'm": "i am",
    "i've": "i have",
    "i'll": "i will",
    "wouldn't": "would not",
    "shouldn't": "should not",
    "mustn't": "must not",
    "won't": "will not",
    "can't": "cannot",
}
_SAME_WORD = {"medication": "medicines", "medications": "medicines", "medicine": "medicines"}


def normalise(text: str) -> str:
    """Lower case, contractions spelled out, punctuation gone, one word per meaning."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    text = re.sub(r"[a-z]+'[a-z]+", lambda m: _CONTRACTIONS.get(m.group(0), m.group(0)), text)
    return " ".join(_SAME_WORD.get(word, word) for word in re.sub(r"[^a-z0-9]+", " ", text).split())
