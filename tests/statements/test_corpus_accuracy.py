"""Every document of the import corpus (tests/statements/corpus/), imported through the API
by the person it is about, and each fact it holds looked for in the proposed parts.

A fact is **right** when a part of its field holds it (for "other", under its heading);
**anything else with heading** when it was meant for a real field but is offered under
"Anything else" with the heading the document gave it (the person can still place it);
**wrong** when only a part of another field holds it; **lost** when no part holds it.
A wrong or lost fact would put the wrong words, or none, on someone's crisis card.
"""

import json
from collections import Counter
from pathlib import Path

from tests.helpers.statements import upload

CORPUS = Path(__file__).parent / "corpus"
HELD_OUT = CORPUS / "held_out"
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".md": "text/markdown",
    ".txt": "text/plain",
    ".json": "application/fhir+json",
}
KINDS = ("right", "anything else with heading", "wrong", "lost")


def _documents() -> list[tuple[Path, dict]]:
    documents = []
    for expected_file in sorted(CORPUS.rglob("*.expected.json")):
        stem = expected_file.name.removesuffix(".expected.json")
        (document,) = [
            path
            for path in expected_file.parent.glob(f"{stem}.*")
            if path != expected_file and path.suffix in CONTENT_TYPES
        ]
        documents.append((document, json.loads(expected_file.read_text())))
    return documents


def _plain(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def classify(fact: dict, parts: list[dict]) -> str:
    holding = [part for part in parts if _plain(fact["text"]) in _plain(part["text"])]
    if fact["field"] == "other":
        wanted = _plain(fact["heading"])
        right = [p for p in holding if p["field"] == "other" and _plain(p["heading"]) == wanted]
    else:
        right = [p for p in holding if p["field"] == fact["field"]]
    if right:
        return "right"
    if not holding:
        return "lost"
    if fact["field"] != "other" and all(p["field"] == "other" and p["heading"] for p in holding):
        return "anything else with heading"
    return "wrong"


def test_the_corpus_is_read_into_the_right_fields(make_account):
    documents = _documents()
    assert len([d for d, e in documents if e["format"] != "fhir"]) >= 30
    someone_else = make_account("Alex Morgan")
    their_plan = someone_else.post(
        "/api/v1/plans", json={"template": "green_book", "title": "Alex's book"}
    ).json()
    counts: dict[str, Counter] = {}
    misread: list[str] = []
    held_out: Counter = Counter()  # written after the parsers, by an outside tester
    for document, expected in documents:
        data = document.read_bytes()
        content_type = CONTENT_TYPES[document.suffix]
        person = make_account(expected["about"] or "Sam Taylor")
        plan = person.post("/api/v1/plans", json={"template": "green_book", "title": "Mine"}).json()
        response = upload(person, plan["id"], document.name, data, content_type)
        assert response.status_code == 201, (document.name, response.text)
        result = response.json()
        assert result["source"]["format"] == expected["format"], document.name
        if expected["about"]:
            # The document names its person, wherever and however it does so...
            assert _plain(expected["about"]) in _plain(result["about"]["name"]), (
                document.name,
                result["about"],
            )
            assert [w for w in result["warnings"] if w["code"] == "different_name"] == [], (
                document.name
            )
            # ...so the wrong person's plan refuses it until they confirm.
            refused = upload(someone_else, their_plan["id"], document.name, data, content_type)
            assert refused.status_code == 422, (document.name, refused.text)
            assert refused.json()["warnings"][0]["code"] == "different_name"
        tally = counts.setdefault(expected["format"], Counter())
        for fact in expected["facts"]:
            kind = classify(fact, result["parts"])
            tally[kind] += 1
            if HELD_OUT in document.parents:
                held_out[kind] += 1
            if kind != "right":
                misread.append(f"{document.name}: {kind}: {fact['field']}: {fact['text']}")

    total = sum(counts.values(), Counter())
    print("\nformat     " + "".join(f"{kind:>28}" for kind in KINDS) + f"{'right %':>10}")
    for name, tally in [*sorted(counts.items()), ("all", total), ("held out", held_out)]:
        share = 100 * tally["right"] / max(sum(tally.values()), 1)
        print(f"{name:<11}" + "".join(f"{tally[k]:>28}" for k in KINDS) + f"{share:>9.1f}%")
    print("\n".join(misread))
    assert total["wrong"] == 0, misread
    assert total["lost"] == 0, misread
    assert total["right"] >= 0.9 * sum(total.values()), misread
