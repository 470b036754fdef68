"""Which crisis-plan field a heading in someone else's document is about, read by meaning.

Documents from other systems word their headings in their own way ("Medication I'm happy
to take", "Who speaks for me", "Things that make it worse"). A heading is read as words,
not matched against a list of whole phrases: each word is cut to its stem, the heading's
topic (medicines, treatment, place, people, what helps, …) comes from the stems it holds,
and its leaning (wanted or refused) from words such as prefer / happy / helps against
refuse / avoid / do not want, with "not" turning a word round ("don't mind" leans towards,
"does not help" away). What names no field is kept as "other" with its heading, and the
person can move any part to another field when they accept it.

A refusal must never become a preference: a paragraph that refuses something ("Do not
give me haloperidol") goes to the refusing field even under a heading that leans towards,
and a topic heading that leans neither way ("Medication") sends each paragraph by its own
words, or to "other" when they do not say.
"""

import re
from dataclasses import dataclass

from app.core.words import normalise
from app.plans.templates import CRISIS_FIELDS

OTHER = "other"

# The stems a word is cut to are prefixes: "refus" matches refuse, refused, refusal.
_MEDICINE = (
    "medic",
    "meds=",
    "drug",
    "tablet",
    "pill=",
    "pills=",
    "inject",
    "depot",
    "prescri",
    "dose",
    "dosage",
    "antipsychotic",
    "antidepressant",
    "sedat",
    "benzodiazepine",
    "tranquil",
    "prn=",
)
_ALLERGY = ("allerg", "anaphyla", "intoleran", "hypersensitiv")
_TREATMENT = (
    "treat",
    "therap",
    "ect=",
    "electroconvulsive",
    "restrain",
    "seclu",
    "intervention",
    "procedure",
)
_PLACE = ("where=", "place", "hospital", "ward", "unit=", "units=", "setting", "admi", "location")
_PEOPLE = (
    "who=",
    "contact",
    "people=",
    "person=",
    "persons=",
    "network",
    "supporter",
    "nominat",
    "agent",
    "advocat",
    "representativ",
    "proxy",
    "attorney",
    "kin=",
    "family",
    "friend",
    "relativ",
    "carer",
    "visitor",
    "involv",
    "notif",
    "tell=",
    "told=",
    "speak",
    "spokes",
)
_HELPS = (
    "help",
    "unhelp",
    "worse",
    "trigger",
    "calm",
    "comfort",
    "sooth",
    "upset",
    "distress",
    "approach",
)
_PRACTICAL = (
    "practical",
    "child",
    "kid=",
    "kids=",
    "pet=",
    "pets=",
    "dog",
    "cat=",
    "cats=",
    "animal",
    "house",
    "flat=",
    "bill=",
    "bills=",
    "rent=",
    "mortgage",
    "money",
    "financ",
    "job",
    "work=",
    "employ",
    "depend",
    "caring",
    "responsib",
    "arrangement",
    "post=",
    "mail",
    "plant",
    "key=",
    "keys=",
)
_SIGNS = (
    "sign",
    "warning",
    "indicator",
    "symptom",
    "relaps",
    "unwell",
    "ill=",
    "illness",
    "struggl",
)
_STATEMENT = (
    "statement",
    "declar",
    "signatur",
    "signed",
    "witness",
    "review",
    "capacity",
)

# Leaning: towards (wanted) or away (refused); "not" before a word turns it round.
_TOWARDS = (
    "prefer",
    "like=",
    "likes=",
    "want",
    "wish",
    "happy",
    "help",
    "work",
    "choose",
    "choice",
    "accept",
    "agree",
    "consent",
    "ok=",
    "okay=",
    "fine=",
    "good=",
    "benefit",
    "useful",
    "calm",
    "comfort",
    "sooth",
    "support",
    "best=",
    "rather",
    "suit",
    "give=",
)
_AWAY = (
    "refus",
    "avoid",
    "declin",
    "object",
    "reject",
    "unwant",
    "unhelp",
    "against",
    "worse",
    "bad=",
    "harm",
    "dislik",
    "hate",
    "trigger",
    "upset",
    "distress",
    "mind=",
    "stop",
    "exclud",
)
_ALL_STEMS = (
    _MEDICINE + _ALLERGY + _TREATMENT + _PLACE + _PEOPLE + _HELPS + _PRACTICAL + _SIGNS + _STATEMENT
)
_ALL_STEMS += _TOWARDS + _AWAY + (
    "well", "statement", "plan", "signs", "early", "preferred", "crisis", "involved",
    "practical", "reactions", "adverse", "longer", "again", "others", "over", "things",
    "prefer", "places", "treated", "arrangements", "worse", "make", "makes", "care",
    "advance", "decision", "know", "need", "plan", "take", "speaks", "nominated",
    "normal", "usual", "coping",
)  # fmt: skip
_NOT = ("not", "no", "never", "nor", "without", "cannot", "nobody", "none")
_NOT_REACH = 4  # a "not" turns round a leaning word up to this many words after it


def _matches(word: str, stems: tuple[str, ...]) -> bool:
    """A stem ending in "=" is a whole word ("cat=" is not "category")."""
    return any(word == stem[:-1] if stem.endswith("=") else word.startswith(stem) for stem in stems)


def _has(words: list[str], stems: tuple[str, ...]) -> bool:
    return any(_matches(word, stems) for word in words)


def _phrase(padded: str, *phrases: str) -> bool:
    return any(f" {phrase} " in padded for phrase in phrases)


def leaning(text: str) -> int:
    """+1 leans towards (wanted, helps), -1 away (refused, avoid), 0 neither or both.
    A towards word just before an away word is governed by it ("want to avoid")."""
    words = normalise(text).split()
    signs: list[tuple[int, int]] = []  # (position, +1 or -1)
    not_at: int | None = None
    for index, word in enumerate(words):
        if word in _NOT:
            not_at = index
            continue
        if _matches(word, _TOWARDS) and not word.startswith(("unhelp", "workplace", "worker")):
            sign = 1
        elif _matches(word, _AWAY) or (
            word == "side" and words[index + 1 : index + 2] == ["effects"]
        ):
            sign = -1
        else:
            continue
        if not_at is not None and index - not_at <= _NOT_REACH:
            sign, not_at = -sign, None
        if sign < 0 and signs and signs[-1][1] > 0 and index - signs[-1][0] <= 3:
            signs.pop()
        signs.append((index, sign))
    if not_at is not None:
        signs.append((not_at, -1))
    if re.search(r"\bkeep\b.*\b(out|away)\b", " ".join(words)):
        signs.append((0, -1))  # a "not" with nothing to turn round: "Do not give"
    towards = any(sign > 0 for _, sign in signs)
    away = any(sign < 0 for _, sign in signs)
    if towards == away:
        return 0
    return 1 if towards else -1


@dataclass(frozen=True)
class Topic:
    """A pair of fields, one wanted and one refused, that a heading's leaning chooses from."""

    towards: str
    away: str


MEDICINES = Topic("medicines_preferred", "medicines_avoid")
TREATMENTS = Topic("treatments_wanted", "treatments_refused")
PLACES = Topic("where_treated", "where_not_treated")
HELPS = Topic("what_helps", "what_does_not_help")
PEOPLE = Topic("who_helps", "not_involved")
_TOPIC_OF_FIELD = {
    field: topic
    for topic in (MEDICINES, TREATMENTS, PLACES, HELPS, PEOPLE)
    for field in (topic.towards, topic.away)
}


@dataclass(frozen=True)
class Meaning:
    """What a heading says: its field (None when it names none), and the topic whose pair
    of fields each paragraph under it may choose between by its own words."""

    field: str | None
    topic: Topic | None = None
    lean: int = 0


def read_heading(heading: str | None) -> Meaning:
    if not heading:
        return Meaning(None)
    text = normalise(heading)
    words = text.split()
    padded = f" {text} "
    if not words:
        return Meaning(None)
    # "If I become unwell, where would I like to be looked after?": the question after the
    # condition says what the heading is about.
    if words[0] in {"if", "when", "should"} and "," in heading:
        asked = read_heading(heading.split(",", 1)[1])
        if asked.field is not None or asked.topic is not None:
            return asked
    plan_ends = "plan" in words and _has(words, ("stop", "end=", "ends=", "finish", "close"))
    if (
        _phrase(padded, "no longer need", "well again", "no longer needed")
        or plan_ends
        or (_has(words, ("recover", "better")) and _has(words, ("sign", "know", "when")))
    ):
        return Meaning("no_longer_needed")
    if _phrase(padded, "anything else") or (
        words[0] in {"other", "additional", "further", "any"}
        and _has(words[1:2], ("thing", "information", "wish", "note", "comment", "detail"))
    ):
        return Meaning(None)  # "Other things I would like people to know"
    # "What helps me when I'm struggling": the words that lead a heading say its topic.
    if words[0] in {"what", "things", "how"} and _has(words[:3], _HELPS):
        return _by_leaning(HELPS, leaning(heading), neutral=HELPS.towards)
    # A "relapse signature" is a sign; a signature alone is the statement's.
    not_coping = _phrase(padded, "not coping", "cannot cope")
    signs = _phrase(padded, "take over", "taking over") or any(
        _matches(word, _SIGNS) and not word.startswith(("signatur", "signed", "signing"))
        for word in words
    )
    if (
        not_coping
        or signs
        and (
            not _has(words, _PEOPLE + _MEDICINE + _TREATMENT)
            or _has(words, ("sign", "warning", "indicator", "symptom", "relaps"))
        )
    ):
        return Meaning("others_take_over")
    if (
        _phrase(
            padded,
            "when i am well",
            "when well",
            "when i feel well",
            "who i am",
            "at my best",
            "my usual self",
            "when i am ok",
            "when i am okay",
            "when things are good",
            "good day",
            "good days",
            "going well",
            "day to day",
        )
        or words[:2] == ["about", "me"]
        or (
            _has(words, ("normal", "usual"))
            and not _has(words, _SIGNS + _PEOPLE + _MEDICINE + _TREATMENT + _PLACE)
        )
        or (
            "well" in words
            and not {"being", "made", "while"} & set(words)
            and not _has(words, _SIGNS + _PEOPLE + _MEDICINE + _TREATMENT + _STATEMENT)
        )
    ):
        return Meaning("when_well")
    if _has(words, _ALLERGY) or _phrase(padded, "adverse reaction", "adverse reactions"):
        return Meaning("allergies")
    lean = leaning(heading)
    if _has(words, _MEDICINE):
        return _by_leaning(MEDICINES, lean)
    # "where" and "place" make a heading about places; a ward or hospital only when the
    # heading is that alone or leans ("Things the ward should know" is not about where).
    place = _has(words, ("where=", "place")) or (
        _has(words, _PLACE) and (lean != 0 or len(words) <= 3)
    )
    if place and not (_has(words, _PEOPLE) and words[0] == "who"):
        return _by_leaning(PLACES, lean)
    if _has(words, _TREATMENT):
        return _by_leaning(TREATMENTS, lean)
    people = _has(words, _PEOPLE)
    if "practical" in words:
        return Meaning("practical")
    helps = _has(words, _HELPS) or _phrase(
        padded, "what works", "that work", "that works", "support me", "supporting me"
    )
    if helps and not (people and words[0] in {"who", "people", "contacts", "my"}):
        return _by_leaning(HELPS, lean, neutral=HELPS.towards)
    # A "key" contact is an important one, not a door key.
    practical_words = {word for word in words if _matches(word, _PRACTICAL)}
    if (practical_words and not (practical_words <= {"key", "keys"} and people)) or _phrase(
        padded, "my home", "look after", "looks after", "looking after", "take care of"
    ):
        return Meaning("practical")
    if people:
        return _by_leaning(PEOPLE, lean, neutral=PEOPLE.towards)
    if _has(words, _STATEMENT) or _phrase(padded, "date of review", "made this plan"):
        return Meaning("statement")
    return Meaning(None, lean=lean)


def _by_leaning(topic: Topic, lean: int, neutral: str | None = None) -> Meaning:
    if lean > 0:
        return Meaning(topic.towards, topic)
    if lean < 0:
        return Meaning(topic.away, topic)
    return Meaning(neutral, topic)


def field_for_heading(heading: str | None) -> str | None:
    """The crisis field a heading names, or None when it names none."""
    return read_heading(heading).field


def field_for_code(code: str | None) -> str | None:
    """Our own export writes each field's key as its section code."""
    return code if code in CRISIS_FIELDS else None


_REFUSING = re.compile(
    r"\b(refus\w*|declin\w*|avoid\w*|never|under no circumstances|against my wish\w*|"
    r"(do|does|did|must|should|will|would|could|can) not (want|like|give|use|take|prescribe|"
    r"administer|offer|try|have|be given|be treated|be admitted|send|admit|put|consent|agree)|"
    r"not (to be |be )?(given|used|treated|admitted|sent|prescribed)|cannot (take|have|tolerate)|"
    r"no longer (want|take)|stop\w* (giving|using|prescribing)|not consent)\b"
)
_REFUSING_AT_START = re.compile(r"^(no|not|never|avoid|stop)\b")
_KEEP_AWAY = re.compile(
    r"\b(do|does|must|should|will|would|please) not (contact|involve|tell|inform|call|phone|ring|"
    r"let \w+ (know|visit|see|in)|share|visit|want \w+ (involved|contacted|told|to know|to visit)|"
    r"want (him|her|them) |be (involved|contacted|told|informed))|"
    r"\bnot (be )?(involved|contacted|told|informed)\b|\bkeep \w+ away\b|\bno contact\b"
)


def refuses(text: str, topic: Topic | None) -> bool:
    """Whether a paragraph refuses or keeps away something (a person, for people)."""
    plain = normalise(text)
    if topic is PEOPLE:
        return bool(_KEEP_AWAY.search(plain))
    return bool(_REFUSING.search(plain) or _REFUSING_AT_START.match(plain))


def kept_as_refusal(field: str, text: str) -> str:
    """A refusal under a title that leans towards ("Medication preferences": "Please avoid
    olanzapine") goes to the refusing field of the title's topic."""
    topic = _TOPIC_OF_FIELD.get(field)
    if topic is not None and topic is not HELPS and refuses(text, topic):
        return topic.away
    return field


def field_for_part(meaning: Meaning, text: str) -> str:
    """The field a paragraph under a heading goes to. A refusal stays a refusal: it goes to
    the refusing field of its topic whatever the heading leans to; under a topic heading
    that leans neither way, the paragraph's own leaning decides, else "other"."""
    topic = meaning.topic or _TOPIC_OF_FIELD.get(meaning.field or "")
    if topic is None and meaning.field is None and meaning.lean != 0:
        # A heading that leans but names no topic ("Please don't give me"): the paragraph
        # may name it ("Chlorpromazine", "restraint", a person kept away).
        topic = _topic_of_text(text)
        if topic is not None:
            away = meaning.lean < 0 or refuses(text, topic)
            return topic.away if away else topic.towards
    if topic is None or topic is HELPS:
        return meaning.field or OTHER
    if topic is TREATMENTS and _names_a_medicine(text):
        # "Lithium carbonate" under "The way I wish to be treated" is a medicine, so the
        # contradiction check and the crisis card's medicines see it.
        topic = MEDICINES
        as_medicine = {TREATMENTS.towards: MEDICINES.towards, TREATMENTS.away: MEDICINES.away}
        meaning = Meaning(as_medicine.get(meaning.field or ""), topic)
    if topic is MEDICINES and _has(normalise(text).split(), _ALLERGY):
        return "allergies"
    if refuses(text, topic):
        return topic.away
    if meaning.field is not None:
        return meaning.field
    if topic is PEOPLE:
        return topic.towards
    return topic.towards if leaning(text) > 0 else OTHER


# International non-proprietary name stems (WHO) of the medicines crisis plans most often
# name, so a paragraph such as "Chlorpromazine: bad reaction" is known to be about one.
_MEDICINE_NAME_ENDINGS = (
    "azepam", "azolam", "apine", "azine", "idone", "peridol", "pride", "oxetine", "pram",
    "tyline", "ipramine", "faxine", "iclone", "prazole", "ixol", "trigine", "valproate",
    "lithium", "barbital", "codeine", "cillin", "mycin", "profen",
)  # fmt: skip
_DOSE = re.compile(r"\b\d+(\.\d+)? ?(mg|mcg|micrograms?|milligrams?|ml)\b")


def _names_a_medicine(text: str) -> bool:
    """A medicine by its name or a dose ("Lithium carbonate", "sertraline 100 mg")."""
    plain = normalise(text)
    return bool(_DOSE.search(plain)) or any(
        len(w) >= 7 and w.endswith(_MEDICINE_NAME_ENDINGS) and w != "magazine"
        for w in plain.split()
    )


def _topic_of_text(text: str) -> Topic | None:
    plain = normalise(text)
    words = plain.split()
    if _has(words, _MEDICINE) or _names_a_medicine(text):
        return MEDICINES
    if _has(words, _TREATMENT):
        return TREATMENTS
    if _KEEP_AWAY.search(plain):
        return PEOPLE
    return None


_HEADING_WORDS = {
    "i", "me", "my", "mine", "am", "is", "are", "be", "being", "been", "to", "the", "a", "an",
    "of", "for", "in", "on", "at", "with", "by", "from", "when", "what", "how", "who", "whom",
    "whose", "which", "that", "this", "these", "those", "it", "its", "and", "or", "not", "no",
    "do", "does", "did", "things", "thing", "about", "if", "around", "others", "other", "can",
    "could", "will", "would", "should", "may", "might", "must", "have", "has", "having",
    "take", "taking", "taken", "give", "given", "get", "go", "know", "see", "please", "them",
    "they", "their", "you", "your", "we", "us", "our", "someone", "anyone", "any", "some",
    "all", "each", "one", "more", "most", "very", "need", "needs", "needed", "there", "here",
    "like",
}  # fmt: skip


def is_heading_phrase(line: str) -> bool:
    """A short line, worded only as a heading is, whose words name a field ("Allergies",
    "Medication I'm happy to take"); not a line of content such as "My dog needs walking"."""
    stripped = line.strip()
    words = normalise(stripped).split()
    stems = _ALL_STEMS
    return (
        0 < len(words) <= 10
        and ":" not in stripped
        and not stripped.endswith((".", ",", ";", "!", "?"))
        and all(word in _HEADING_WORDS or _matches(word, stems) for word in words)
        and (read_heading(stripped).field or read_heading(stripped).topic) is not None
    )
