"""Contradictions in the crisis plan: found without inventing matches, shown to the person
(before accepting an import, and on the plan), and kept knowingly only when they say so,
through the normal versioned plan edit (so it syncs). Nothing is ever changed for them."""

import pytest

from app.plans.contradictions import Item, find
from tests.helpers.sharing import share_with


def _add(account, plan_id: str, prompt: str, text: str) -> str:
    response = account.post(
        f"/api/v1/plans/{plan_id}/sections/crisis/entries", json={"text": text, "prompt": prompt}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _contradictions(account, plan_id: str) -> list[dict]:
    response = account.get(f"/api/v1/plans/{plan_id}/contradictions")
    assert response.status_code == 200, response.text
    return response.json()


def _pairs(items: list[Item]) -> set[tuple[str, frozenset[str]]]:
    return {(c.kind, frozenset(i.id for i in c.items)) for c in find(items)}


# ---- what counts as a contradiction ------------------------------------------------------


@pytest.mark.parametrize(
    ("helper", "not_involved"),
    [
        ("My sister Priya: stay with me", "Priya Shah"),
        ("PRIYA SHAH can feed the cat", "priya shah"),
        ("Priya's the one to call", "Priya"),
        ("Dr O\u2019Neill, my GP", "dr oneill"),
        ("Zo\u00eb from next door", "Zoe"),
        ("My mum", "Mum, please"),
    ],
)
def test_the_same_person_is_found_however_their_name_is_written(helper, not_involved):
    items = [Item("a", helper, "who_helps"), Item("b", not_involved, "not_involved")]
    assert _pairs(items) == {("person", frozenset({"a", "b"}))}


@pytest.mark.parametrize(
    ("helper", "not_involved"),
    [
        ("Priya Shah", "Priya Patel"),  # two people called Priya
        ("My sister Priya", "My brother Tom"),
        ("My mum", "My dad"),
        ("Anyone from the crisis team", "The police, please"),
        ("Someone to stay with me at home", "Nobody who shouts at home"),
    ],
)
def test_no_match_is_invented(helper, not_involved):
    items = [Item("a", helper, "who_helps"), Item("b", not_involved, "not_involved")]
    assert _pairs(items) == set()


def test_medicines_treatments_and_who_speaks_for_me():
    items = [
        Item("pref", "Lorazepam 1mg helps me sleep", "medicines_preferred"),
        Item("lithium", "Lithium, the lowest dose", "medicines_preferred"),
        Item("no-lithium", "No lithium please", "medicines_avoid"),
        Item("allergy", "I'm allergic to LORAZEPAM", "allergies"),
        Item("avoid", "Olanzapine tablets make me feel flat", "medicines_avoid"),
        Item("want", "ECT if nothing else works", "treatments_wanted"),
        Item("refuse", "No ECT, ever", "treatments_refused"),
        Item("talk", "Talking therapy", "treatments_wanted"),
        Item("speak1", "My sister Priya can speak for me", "who_helps"),
        Item("speak2", "Tom Jones to speak on my behalf", "other"),
        Item("speak3", "Priya Shah is my nominated person", "other"),
    ]
    assert _pairs(items) == {
        ("medicine", frozenset({"pref", "allergy"})),
        ("medicine", frozenset({"lithium", "no-lithium"})),
        ("treatment", frozenset({"want", "refuse"})),
        ("speaks_for_me", frozenset({"speak1", "speak2"})),
    }


@pytest.mark.parametrize(
    "other_words",
    [
        "My healthcare agent is Tom Reid",
        "Tom is my advocate",
        "Tom Reid decides for me",
        "Power of attorney: Tom Reid",
        "Tom to speak on my behalf",
    ],
)
def test_every_way_of_naming_someone_to_speak_for_me_is_checked(other_words):
    """The same words the FHIR export takes as naming the healthcare agent
    (app/plans/speaking_for_me.py)."""
    items = [
        Item("priya", "My sister Priya speaks for me", "who_helps"),
        Item("tom", other_words, "other"),
    ]
    assert _pairs(items) == {("speaks_for_me", frozenset({"priya", "tom"}))}


def test_everyday_words_in_both_are_not_a_medicine():
    items = [
        Item("a", "Any medicine that helps me sleep, in small doses", "medicines_preferred"),
        Item("b", "Medicines that make me sleepy in the daytime", "medicines_avoid"),
        Item("c", "Haloperidol: I can't sleep after it, and feel flat", "medicines_avoid"),
        Item("d", "Lithium, written in a sentence of my own", "medicines_preferred"),
        Item("e", "Quetiapine keeps me flat, a sentence of my own", "allergies"),
    ]
    assert _pairs(items) == set()


# ---- on the plan -------------------------------------------------------------------------


def test_the_plan_shows_contradictions_and_remembers_keeping_both(owner, green_book):
    plan_id = green_book["id"]
    helper = _add(owner, plan_id, "who_helps", "My sister Priya: stay with me")
    not_involved = _add(owner, plan_id, "not_involved", "Priya Shah")
    _add(owner, plan_id, "medicines_preferred", "Lorazepam helps")
    _add(owner, plan_id, "allergies", "Penicillin")
    version = owner.get(f"/api/v1/plans/{plan_id}").json()["version"]

    [found] = _contradictions(owner, plan_id)
    assert found["kind"] == "person" and found["kept"] is False
    assert {s["id"] for s in found["sides"]} == {helper, not_involved}
    assert {s["origin"] for s in found["sides"]} == {"plan"}
    assert "\u201csister Priya\u201d" in found["message"] and "Priya Shah" in found["message"]
    assert "may be the same person" in found["message"]
    # Reading changes nothing.
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == version

    kept = owner.patch(
        f"/api/v1/plans/{plan_id}/sections/crisis", json={"kept_contradictions": [found["key"]]}
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["kept_contradictions"] == [found["key"]]
    assert kept.json()["plan_version"] == version + 1
    [again] = _contradictions(owner, plan_id)
    assert again["key"] == found["key"] and again["kept"] is True
    history = owner.get(f"/api/v1/plans/{plan_id}/revisions").json()
    assert history[0]["summary"] == "Changed section \u201cMy crisis plan\u201d"

    # Changed words are a new question: the person is asked again.
    owner.patch(
        f"/api/v1/plans/{plan_id}/sections/crisis/entries/{not_involved}",
        json={"text": "Priya Shah, my ex"},
    )
    [changed] = _contradictions(owner, plan_id)
    assert changed["key"] != found["key"] and changed["kept"] is False

    # Resolved by removing an entry: gone.
    owner.delete(f"/api/v1/plans/{plan_id}/sections/crisis/entries/{not_involved}")
    assert _contradictions(owner, plan_id) == []


def test_keeping_both_syncs_from_an_offline_device(owner, green_book):
    plan_id = green_book["id"]
    _add(owner, plan_id, "treatments_wanted", "ECT if nothing else works")
    _add(owner, plan_id, "treatments_refused", "No ECT")
    [found] = _contradictions(owner, plan_id)
    version = owner.get(f"/api/v1/plans/{plan_id}").json()["version"]
    synced = owner.post(
        "/api/v1/sync",
        json={
            "operations": [
                {
                    "op_id": "6f1c0a52-8f67-4a8e-9d0e-1f1f3c1d2a10",
                    "kind": "edit_section",
                    "plan_id": plan_id,
                    "base_version": version,
                    "section": "crisis",
                    "changes": {"kept_contradictions": [found["key"]]},
                    "base": {"kept_contradictions": None},
                }
            ]
        },
    )
    assert synced.status_code == 200, synced.text
    assert synced.json()["results"][0]["status"] == "applied", synced.json()
    assert _contradictions(owner, plan_id)[0]["kept"] is True


@pytest.mark.parametrize(
    "kept",
    [["not-a-key"], ["person:" + "0" * 31], "person:" + "0" * 32, ["PERSON:" + "0" * 32], None],
)
def test_a_bad_kept_list_is_refused_and_changes_nothing(owner, green_book, kept):
    plan_id = green_book["id"]
    before = owner.get(f"/api/v1/plans/{plan_id}").json()["version"]
    response = owner.patch(
        f"/api/v1/plans/{plan_id}/sections/crisis", json={"kept_contradictions": kept}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == before


def test_only_the_owner_reads_the_contradictions(owner, green_book, stranger, make_account):
    plan_id = green_book["id"]
    _add(owner, plan_id, "medicines_preferred", "Lorazepam")
    _add(owner, plan_id, "medicines_avoid", "lorazepam")
    url = f"/api/v1/plans/{plan_id}/contradictions"
    carer = make_account("Cass Carer")
    share = share_with(owner, plan_id, carer, ["crisis"], "suggest", label="carer")
    assert len(owner.get(url).json()) == 1
    assert carer.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert owner.client.get(url).status_code == 401
    owner.delete(f"/api/v1/plans/{plan_id}/shares/{share['id']}")
    assert carer.get(url).status_code == 404
    assert (
        owner.get("/api/v1/plans/00000000-0000-4000-8000-000000000000/contradictions").status_code
        == 404
    )


# ---- before accepting an import ----------------------------------------------------------

STATEMENT = b"""# Joint crisis plan

## Who I want to help

Priya Shah, who can speak for me.

## Medicines I prefer

Lorazepam when I cannot sleep.

## Treatments I do not want

No ECT.

## Who I do not want involved

Nobody from my old school.
"""


def test_the_import_shows_what_accepting_would_contradict(owner, green_book, make_account):
    from app.accounts.models import Role

    plan_id = green_book["id"]
    _add(owner, plan_id, "not_involved", "My sister Priya")
    _add(owner, plan_id, "allergies", "lorazepam (rash)")
    _add(owner, plan_id, "treatments_wanted", "Talking therapy")
    clinician = make_account("Dr Lee", role=Role.clinician, organisation="Riverside Trust")
    share_with(owner, plan_id, clinician, ["crisis"], "suggest", label="clinician")
    sent = clinician.post(
        f"/api/v1/plans/{plan_id}/imports",
        files={"file": ("plan.md", STATEMENT, "text/markdown")},
    )
    assert sent.status_code == 201, sent.text
    import_id = sent.json()["id"]
    # The clinician who sent it does not see the person's plan through it.
    assert sent.json()["contradictions"] is None

    view = owner.get(f"/api/v1/plans/{plan_id}/imports/{import_id}").json()
    parts = {p["field"]: p["id"] for p in view["parts"]}
    found = {
        (c["kind"], frozenset((s["origin"], s["id"]) for s in c["sides"]))
        for c in view["contradictions"]
    }
    plan_entries = {
        e["prompt"]: e["id"]
        for s in owner.get(f"/api/v1/plans/{plan_id}").json()["sections"]
        if s["key"] == "crisis"
        for e in s["entries"]
    }
    assert found == {
        (
            "person",
            frozenset({("import", parts["who_helps"]), ("plan", plan_entries["not_involved"])}),
        ),
        (
            "medicine",
            frozenset(
                {("import", parts["medicines_preferred"]), ("plan", plan_entries["allergies"])}
            ),
        ),
    }
    # Deciding is the person's: nothing in the plan changed by reading it.
    assert _contradictions(owner, plan_id) == []

    decided = owner.post(
        f"/api/v1/plans/{plan_id}/imports/{import_id}/decisions",
        json={"decisions": [{"part_id": parts["medicines_preferred"], "action": "accept"}]},
    )
    assert decided.status_code == 200, decided.text
    [after] = _contradictions(owner, plan_id)
    assert after["kind"] == "medicine" and {s["origin"] for s in after["sides"]} == {"plan"}
    still = owner.get(f"/api/v1/plans/{plan_id}/imports/{import_id}").json()
    assert [c["kind"] for c in still["contradictions"]] == ["person"]
