"""Contradictions in a crisis plan: the same medicine both preferred and refused (or named as
an allergy), the same treatment both wanted and refused, the same person both a helper and
someone not to involve, and two different people named to speak for the person.

They are only ever shown: the person decides (changes or removes an entry, or keeps both
knowingly, which the crisis section remembers in `kept_contradictions`). Nothing here
changes a plan.

Matching stays on the side of not inventing a match: the same word (whatever its case,
accents or punctuation) names the same medicine; a person is matched by a shared name
("my sister Priya" and "Priya Shah"), or by the same relation when one side gives no name
("my sister" and "my sister Priya": maybe the same person, so it is shown). "Priya Shah"
and "Priya Patel" are two people. It does not know that two brand names are one medicine."""

import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, Literal

from pydantic import BaseModel, Field
from wordfreq import zipf_frequency

from app.plans.speaking_for_me import names_someone_to_speak_for_me
from app.plans.templates import CRISIS_FIELDS

Kind = Literal["medicine", "treatment", "person", "speaks_for_me"]
Origin = Literal["plan", "import"]

# (fields that say yes, fields that say no) for things that cannot be both.
_OPPOSED_FIELDS: dict[Kind, tuple[frozenset[str], frozenset[str]]] = {
    "medicine": (frozenset({"medicines_preferred"}), frozenset({"medicines_avoid", "allergies"})),
    "treatment": (frozenset({"treatments_wanted"}), frozenset({"treatments_refused"})),
    "person": (frozenset({"who_helps"}), frozenset({"not_involved"})),
}


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Common words that are never the name of a medicine, treatment or person.
_COMMON = _word_set(
    """a about above after again against all also always am an and any anyone anything are
    as ask at away back be because been before being best better both but by call calls can
    cannot care come could day days did do does doing done dont don't down during each either
    else even ever every everyone everything few for from further get gets getting give given
    gives go going good had has have having he her here hers him his how i if in instead into
    is it its just keep kept know knows last least less let like little make makes making may
    me might mine more most much must my myself need needs never new next no nobody none nor
    not nothing now of off often ok okay on once one only or other others our ours out over
    own people person please quite rather really right said same say says see seen she should
    since so some someone something sometimes soon still stop such sure take takes taking tell
    tells than thank thanks that the their them then there these they thing things think
    this those though through time times to too try under unless until up upon us use used
    very want wants was way we well were what when where whether which while who whom whose
    why will wish with without would yes yet you your yours
    able again anyway around because bad both feel feeling feels felt happen happens help
    helps helped helping hard home hospital ill instead involve involved involving let lot
    mind okay phone rather ring sit stay stays talk talks understand unwell visit visits
    wait ward watch worse worst
    allergic allergy allergies reaction reactions rash dose doses dosage daily night nights
    morning evening medicine medicines medication medications meds tablet tablets pill pills
    injection injections prescribed prescription side effect effects prefer preferred avoid
    avoided refuse refused treatment treatments therapy therapies sick sleepy drowsy high low
    mg ml weekly monthly depot
    crisis team staff doctor doctors nurse nurses service services plan
    im ive id ill cant wont didnt doesnt isnt wasnt shouldnt wouldnt couldnt theyre youre
    shes hes thats theres"""
)
_TITLES = _word_set("dr doctor mr mrs ms miss mx prof professor rev sir dame")
_RELATIONS = _word_set(
    """mum mom mother mam mummy dad father daddy sister brother son daughter wife husband
    partner boyfriend girlfriend fiance fiancee friend neighbour neighbor aunt auntie aunty
    uncle cousin nan nana nanna gran granny grandma grandmother grandad granddad grandpa
    grandfather niece nephew stepmum stepmom stepdad stepfather stepmother ex flatmate
    housemate landlord landlady carer gp psychiatrist police"""
)
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# Where one person's mention ends and the next begins.
_SEPARATORS = re.compile(r"[,;:.!?()/&\n\u2013\u2014]|\s-\s|\b(?:and|or|but|not|nor)\b", re.I)


def _plain(word: str) -> str:
    """Case, accents and apostrophes folded away: "O'Neill", "ONEILL" and "oneill" agree."""
    word = re.sub(r"['\u2019]s$", "", word)
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return re.sub(r"['\u2019]", "", folded).casefold()


def _words(text: str) -> list[tuple[str, str]]:
    """(word as written, plain word) for each word of the text."""
    return [(m.group(), _plain(m.group())) for m in _WORD.finditer(text.replace("\u2019", "'"))]


class ContradictionSide(BaseModel):
    origin: Origin = Field(
        description="'plan': an entry of the plan; 'import': a part of "
        "an import waiting for a decision"
    )
    id: str = Field(description="The entry's id, or the import part's id")
    text: str
    field: str
    field_label: str


class ContradictionRead(BaseModel):
    key: str = Field(
        description="Send it in the crisis section's `kept_contradictions` to "
        "keep both knowingly; it changes when either entry's words change"
    )
    kind: Kind
    message: str
    kept: bool = Field(description="The person chose to keep both knowingly")
    sides: list[ContradictionSide]


@dataclass(frozen=True)
class Item:
    """One entry of the plan, or one part of an import waiting for a decision."""

    id: str
    text: str
    field: str
    origin: Origin = "plan"


@dataclass(frozen=True)
class PersonMention:
    names: tuple[str, ...]
    relation: str | None
    as_written: str

    def may_be(self, other: "PersonMention") -> bool:
        if self.names and other.names:
            if not set(self.names) & set(other.names):
                return False
            # Two full names with different family names are two people.
            both_full = len(self.names) > 1 and len(other.names) > 1
            return not (both_full and self.names[-1] != other.names[-1])
        return self.relation is not None and self.relation == other.relation


@dataclass(frozen=True)
class Contradiction:
    kind: Kind
    items: tuple[Item, Item]
    words: tuple[str, ...]

    @property
    def key(self) -> str:
        """Names these two entries with these very words: if either changes, the person
        is asked again."""
        sides = sorted(f"{item.id}\x00{item.text}" for item in self.items)
        digest = hashlib.sha256("\x01".join([self.kind, *sides]).encode()).hexdigest()
        return f"{self.kind}:{digest[:32]}"


def _label(field: str) -> str:
    return CRISIS_FIELDS.get(field, CRISIS_FIELDS["other"])


# How often a word is met in everyday English (Zipf scale: 3 is once per million words).
# Medicine and treatment names are rarer than this ("lithium" 3.6, "lorazepam" 2.3); words
# people write around them are not ("sleep" 5.0, "sentence" 4.6, "flat" 4.7).
EVERYDAY_WORD = 3.8


def _things(text: str, _known_names: set[str] = frozenset()) -> set[str]:
    """The words that could name a medicine or treatment ("ECT" counts; "tablets" or
    "sleep" not)."""
    return {
        plain
        for written, plain in _words(text)
        if plain not in _COMMON
        and not plain.isdigit()
        and (len(plain) >= 4 or (len(written) >= 2 and written.isupper()))
        and zipf_frequency(plain, "en") < EVERYDAY_WORD
    }


def _name_word(written: str, plain: str, known_names: set[str]) -> bool:
    if plain in _COMMON or plain in _TITLES or plain in _RELATIONS or plain.isdigit():
        return False
    return written[:1].isupper() or plain in known_names


def _people(text: str, known_names: set[str]) -> list[PersonMention]:
    """Each person the text mentions: a run of names, with the relation just before it
    ("my sister Priya Shah"), or a relation alone ("my mum")."""
    mentions = []
    for clause in _SEPARATORS.split(text):
        words = _words(clause)
        relation_at, names_at, names_end = None, None, None
        for index, (written, plain) in enumerate(words):
            if _name_word(written, plain, known_names):
                names_at = index if names_at is None else names_at
                names_end = index + 1
            elif names_at is not None:
                break
            elif plain in _RELATIONS:
                relation_at = index
        if names_at is None and relation_at is None:
            continue
        start = relation_at if relation_at is not None else names_at
        end = names_end if names_end is not None else relation_at + 1
        names = (
            tuple(plain for _, plain in words[names_at:names_end]) if names_at is not None else ()
        )
        mentions.append(
            PersonMention(
                names,
                words[relation_at][1] if relation_at is not None else None,
                " ".join(written for written, _ in words[start:end]),
            )
        )
    return mentions


def _known_names(items: Iterable[Item]) -> set[str]:
    """Words written with a capital as a name somewhere, so "priya" elsewhere is her too."""
    return {
        plain
        for item in items
        for written, plain in _words(item.text)
        if written[:1].isupper() and _name_word(written, plain, set())
    }


def _lookup_keys(kind: Kind, feature) -> set[str]:
    """What an entry is looked up by: its medicine words; or its people's names and
    relations (marked apart)."""
    if kind != "person":
        return feature
    return {
        key
        for mention in feature
        for key in (*mention.names, *([f"~{mention.relation}"] if mention.relation else []))
    }


def _opposed(kind: Kind, items: list[Item], known: set[str]) -> Iterator[Contradiction]:
    """Each (yes, no) pair that names the same thing. The "no" side is looked up by word,
    so a long plan costs what it matches, not every pair."""
    yes_fields, no_fields = _OPPOSED_FIELDS[kind]
    read = _people if kind == "person" else _things
    features = {i.id: read(i.text, known) for i in items if i.field in yes_fields | no_fields}
    by_key: dict[str, list[Item]] = {}
    for item in items:
        if item.field in no_fields:
            for key in _lookup_keys(kind, features[item.id]):
                by_key.setdefault(key, []).append(item)
    for first in (i for i in items if i.field in yes_fields):
        candidates = {
            c.id: c for key in _lookup_keys(kind, features[first.id]) for c in by_key.get(key, [])
        }
        for second in candidates.values():
            if kind == "person":
                words = next(
                    (
                        (a.as_written, b.as_written)
                        for a in features[first.id]
                        for b in features[second.id]
                        if a.may_be(b)
                    ),
                    (),
                )
            else:
                theirs = features[second.id]
                words = tuple(
                    dict.fromkeys(w for w, plain in _words(first.text) if plain in theirs)
                )
            if words:
                yield Contradiction(kind, (first, second), words)


def _speakers(items: list[Item], known: set[str]) -> Iterator[Contradiction]:
    """Each entry naming someone other than the first person named to speak for me."""
    named = [
        (item, mentions)
        for item in items
        if names_someone_to_speak_for_me(item.text) and (mentions := _people(item.text, known))
    ]
    if not named:
        return
    (first, theirs), others = named[0], named[1:]
    for second, mentions in others:
        if not any(a.may_be(b) for a in theirs for b in mentions):
            words = (theirs[0].as_written, mentions[0].as_written)
            yield Contradiction("speaks_for_me", (first, second), words)


# More than anyone could read; it bounds the work a very long plan can ask for.
MAX_CONTRADICTIONS = 200


def find(items: Iterable[Item]) -> list[Contradiction]:
    """The contradictions among these entries (and parts), in a stable order; at most
    MAX_CONTRADICTIONS."""
    items = list(items)
    known = _known_names(items)
    found = chain(*(_opposed(kind, items, known) for kind in _OPPOSED_FIELDS))
    return list(islice(chain(found, _speakers(items, known)), MAX_CONTRADICTIONS))


def describe(contradiction: Contradiction, person: str = "you") -> str:
    """In plain words; `person` is "you" for the plan's owner, or their name for others."""
    first, second = contradiction.items
    words = [f"\u201c{w}\u201d" for w in contradiction.words]
    if contradiction.kind == "speaks_for_me":
        return f"Two different people are named to speak for {person}: {words[0]} and {words[1]}."
    if contradiction.kind == "person":
        return (
            f"{words[0]} (under \u201c{_label(first.field)}\u201d) and {words[1]} (under "
            f"\u201c{_label(second.field)}\u201d) may be the same person."
        )
    return (
        f"{' and '.join(words)} {'is' if len(words) == 1 else 'are'} under both "
        f"\u201c{_label(first.field)}\u201d and \u201c{_label(second.field)}\u201d."
    )


def crisis_items(section: dict[str, Any] | None) -> list[Item]:
    if section is None:
        return []
    return [
        Item(entry["id"], entry["text"], entry.get("prompt") or "other")
        for entry in section["entries"]
    ]


def view(contradiction: Contradiction, kept: Collection[str] = (), person: str = "you") -> dict:
    """As the API and the pages show it."""
    key = contradiction.key  # a digest of both entries' words: worked out once
    return {
        "key": key,
        "kind": contradiction.kind,
        "message": describe(contradiction, person),
        "kept": key in kept,
        "sides": [
            {
                "origin": item.origin,
                "id": item.id,
                "text": item.text,
                "field": item.field,
                "field_label": _label(item.field),
            }
            for item in contradiction.items
        ],
    }


def in_crisis_section(section: dict[str, Any] | None, person: str = "you") -> list[dict]:
    """The contradictions of a crisis section, each saying whether it was kept knowingly."""
    kept = frozenset((section or {}).get("kept_contradictions") or ())
    return [view(c, kept, person) for c in find(crisis_items(section))]
