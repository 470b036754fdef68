"""On a 390 px phone: a clinician's words are reviewed part by part with nothing chosen for
the person; contradictions in the crisis plan are shown, resolved or kept knowingly; the
crisis card shows every entry, whose words each is, the person's notes and tap-to-call
numbers, and opens again with no signal."""

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Error as BrowserError
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    ARTIFACTS,
    Api,
    check_screen,
    edit_entry,
    share_for_suggestions,
    sign_in,
    wait_synced,
)

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}

STATEMENT = b"""# Joint crisis plan

## Who I want to help

My sister Priya, who can talk to the ward for me.

## Medicines I prefer

Lorazepam when I cannot sleep.

## Treatments I do not want

No sedation if it can be avoided.

## Practical things

Feed the cat, Biscuit.

## Anything else

Please call my GP on 0161 496 0000.
"""


@pytest.fixture
def phone_390(browser, server) -> Iterator:
    """A fresh 390 x 844 phone browser (own storage and service worker) per call; fails the
    test on a page error or a content security policy report."""
    contexts, problems = [], []

    def open_phone(url: str = "/") -> Page:
        context = browser.new_context(viewport=PHONE_390, base_url=server.url)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(url)
        return page

    yield open_phone
    for context in contexts:
        context.close()
    assert problems == []


def crisis_plan_with_import(person: Api, server, entries) -> tuple[dict, dict]:
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    for prompt, text in entries:
        person.call(
            "POST",
            f"/plans/{plan['id']}/sections/crisis/entries",
            json={"text": text, "prompt": prompt},
        )
    clinician = Api(server, server.create_professional("Dr Lee", "clinician"))
    share_for_suggestions(person, plan["id"], clinician, ["crisis"], "clinician")
    imported = clinician.call(
        "POST",
        f"/plans/{plan['id']}/imports",
        files={"file": ("crisis-plan.md", STATEMENT, "text/markdown")},
    )
    return plan, imported


def look(page: Page, name: str) -> None:
    """The phone-sized screenshot and accessibility check, and the whole screen scrolled."""
    check_screen(page, name)
    page.screenshot(path=ARTIFACTS / f"{name}-whole.png", full_page=True)


def crisis_entries(person: Api) -> list[dict]:
    plan = person.only_plan()
    return next(s for s in plan["sections"] if s["key"] == "crisis")["entries"]


def part(page: Page, label: str):
    return page.locator("fieldset.part", has=page.locator("legend", has_text=label))


def test_a_clinicians_words_are_reviewed_part_by_part(phone_390, person, server):
    plan, imported = crisis_plan_with_import(person, server, [("not_involved", "Priya Shah")])
    page = phone_390()
    sign_in(page, person.email)
    wait_synced(page)
    page.goto(f"/#/imports/{imported['id']}")

    expect(page.get_by_role("heading", name="An imported crisis statement")).to_be_visible()
    expect(page.locator("fieldset.part")).to_have_count(5)
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    expect(page.get_by_role("button", name="Add all 5 parts")).to_be_visible()
    # Adding Priya would clash with "Priya Shah" under "Who I do not want involved".
    helpers = part(page, "Who I want to help")
    expect(helpers.locator(".contradiction")).to_contain_text("may be the same person")
    expect(page.locator("#import-contradictions")).to_contain_text("Priya Shah")
    look(page, "review-nothing-chosen")

    part(page, "Medicines I prefer").get_by_label("Add these words to my crisis plan").check()
    practical = part(page, "Practical things")
    practical.get_by_label("Change them, then add them").check()
    practical.get_by_label("My changes to the words").fill("Feed Biscuit twice a day.")
    helpers.get_by_label("Leave them out").check()
    refused = part(page, "Treatments I do not want")
    expect(refused.get_by_role("textbox", name="Why I disagree")).to_be_hidden()
    refused.get_by_label("Keep them, and say why I disagree").check()
    expect(refused.get_by_role("textbox", name="Why I disagree")).to_have_value(
        "I disagree because "
    )
    expect(refused.get_by_role("textbox", name="Why I disagree")).to_be_focused()
    page.keyboard.type("a quiet room works better.")
    look(page, "review-choices-made")
    page.get_by_role("button", name="Save my choices").click()

    expect(page.locator(".flash")).to_have_text(
        "Saved your choices for 4 parts. 1 part still waits for you."
    )
    expect(page.locator("fieldset.part")).to_have_count(1)
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    page.get_by_role("button", name="Add the 1 part left").click()
    expect(
        page.get_by_text("Add the 1 part left to your crisis plan, exactly as it is")
    ).to_be_visible()
    look(page, "review-add-all-asks-once")
    page.get_by_role("button", name="Yes, add it").click()
    expect(page.get_by_role("heading", name="My crisis plan")).to_be_visible()

    entries = {e["text"]: e for e in crisis_entries(person)}
    assert set(entries) == {
        "Priya Shah",
        "Lorazepam when I cannot sleep.",
        "Feed Biscuit twice a day.",
        "No sedation if it can be avoided.",
        "Please call my GP on 0161 496 0000.",
    }
    assert entries["Feed Biscuit twice a day."]["source"]["edited"] is True
    assert (
        entries["No sedation if it can be avoided."]["source"]["note"]
        == "I disagree because a quiet room works better."
    )
    assert all(
        e["source"]["imported_by"] == "Dr Lee" for t, e in entries.items() if t != "Priya Shah"
    )


def test_contradictions_are_shown_then_resolved_or_kept_knowingly(phone_390, person, server):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    for prompt, text in [
        ("medicines_preferred", "Lorazepam helps me sleep"),
        ("allergies", "lorazepam gives me a rash"),
        ("treatments_wanted", "ECT if nothing else works"),
        ("treatments_refused", "No ECT unless I agree at the time"),
    ]:
        person.call(
            "POST",
            f"/plans/{plan['id']}/sections/crisis/entries",
            json={"text": text, "prompt": prompt},
        )
    page = phone_390()
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/crisis")
    things = page.locator(".contradictions li.contradiction")
    expect(things).to_have_count(2)
    expect(page.locator(".contradictions")).to_contain_text("2 things in your crisis plan")
    look(page, "crisis-contradictions")

    ect = things.filter(has_text="\u201cECT\u201d")
    ect.get_by_role("button", name="Keep both").click()
    expect(ect).to_contain_text("You've seen this and chose to keep both.")
    wait_synced(page)
    kept = person.call("GET", f"/plans/{plan['id']}/contradictions")
    assert {c["kind"]: c["kept"] for c in kept} == {"medicine": False, "treatment": True}

    things.filter(has_text="Lorazepam").get_by_role("link", name="Change or remove one").click()
    edit_entry(page, "lorazepam gives me a rash", "penicillin gives me a rash")
    wait_synced(page)
    page.goto("/#/crisis")
    expect(things).to_have_count(1)
    expect(page.locator(".contradictions")).to_contain_text(
        "You've looked at each of these and chose to keep both."
    )
    look(page, "crisis-contradiction-kept")
    assert [c["kind"] for c in person.call("GET", f"/plans/{plan['id']}/contradictions")] == [
        "treatment"
    ]

    page.goto("/#/crisis-card")
    expect(page.get_by_role("heading", name="On paper")).to_be_visible()
    look(page, "crisis-card-screen")
    with page.expect_download() as download:
        page.get_by_role("button", name="Wallet-sized cards (PDF)").click()
    assert download.value.suggested_filename == "crisis-plan-wallet.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_crisis_card_is_complete_and_opens_with_no_signal(phone_390, person, server):
    plan, imported = crisis_plan_with_import(
        person,
        server,
        [
            ("when_well", "I laugh a lot and cook for friends"),
            ("who_helps", "Mum: call her on 0161 496 0123"),
            ("medicines_preferred", "Diazepam, a low dose"),
            ("medicines_avoid", "No diazepam after 8pm"),
        ],
    )
    parts = {p["field"]: p["id"] for p in imported["parts"]}
    person.call(
        "POST",
        f"/plans/{plan['id']}/imports/{imported['id']}/decisions",
        json={
            "decisions": [
                {"part_id": parts["other"], "action": "accept"},
                {
                    "part_id": parts["treatments_refused"],
                    "action": "accept",
                    "note": "I disagree because a quiet room works better.",
                },
            ]
        },
    )
    card = person.call("POST", f"/plans/{plan['id']}/crisis-card")

    page = phone_390(card["url"])
    expect(page.get_by_role("heading", name="My crisis plan")).to_be_visible()
    expect(page.get_by_text("I laugh a lot and cook for friends")).to_be_visible()
    imported_words = page.locator("li", has_text="No sedation if it can be avoided.")
    expect(imported_words.locator(".from")).to_contain_text(
        "From Dr Lee (Riverside Social Prescribing), brought in by Dr Lee on"
    )
    expect(imported_words.locator(".from")).to_contain_text("accepted by Sam on")
    expect(imported_words.locator(".note")).to_have_text(
        "Sam\u2019s own note: I disagree because a quiet room works better."
    )
    expect(page.locator("li", has_text="I laugh a lot").locator(".from")).to_have_count(0)
    disagree = page.get_by_role("region", name="Things in this plan that may not agree")
    expect(disagree).to_contain_text("\u201cDiazepam\u201d is under both")
    expect(disagree).to_contain_text("Sam has not decided about this yet.")
    expect(page.get_by_role("link", name="0161 496 0123")).to_have_attribute(
        "href", "tel:+441614960123"
    )
    expect(page.get_by_role("link", name="0161 496 0000")).to_have_attribute(
        "href", "tel:+441614960000"
    )
    look(page, "crisis-card-page")

    page.wait_for_function(
        """async (url) => !!(await (await caches.open("crisis-card")).match(url))""",
        arg=card["url"],
    )
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="My crisis plan")).to_be_visible()
    expect(page.locator(".note")).to_contain_text("a quiet room works better")
    expect(page.get_by_role("link", name="0161 496 0123")).to_be_visible()
    expect(page.locator(".about")).to_contain_text("with no signal, your phone shows the copy")
    look(page, "crisis-card-offline")

    # Turned off: the next time it is opened with a signal, the kept copy goes too.
    person.call("DELETE", f"/plans/{plan['id']}/crisis-card")
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_role("heading", name="This crisis card isn't available")).to_be_visible()
    page.context.set_offline(True)
    with pytest.raises(BrowserError, match="ERR_FAILED"):
        page.reload()


SIGNED_AND_WITNESSED = {
    "resourceType": "Bundle",
    "type": "document",
    "entry": [
        {
            "fullUrl": "urn:uuid:5f0c8a52-6d7e-4b8e-9a51-2f3c1d4e5a60",
            "resource": {
                "resourceType": "Composition",
                "id": "statement",
                "status": "final",
                "type": {"coding": [{"system": "http://loinc.org", "code": "104144-1"}]},
                "date": "2026-03-02",
                "author": [{"display": "Sam"}],
                "title": "Advance statement",
                "attester": [
                    {"mode": "personal", "time": "2026-03-02", "party": {"display": "Sam"}},
                    {
                        "mode": "legal",
                        "time": "2026-03-02",
                        "party": {"reference": "urn:uuid:0d4b7e1c-3a2f-4c55-8e61-7b9a0c2d4e11"},
                    },
                    {"mode": "professional", "party": {"display": "Dr Alys Rowlands"}},
                ],
                "section": [
                    {
                        "title": "Things that help",
                        "text": {
                            "status": "generated",
                            "div": '<div xmlns="http://www.w3.org/1999/xhtml">'
                            "<p>A quiet room and someone I know.</p></div>",
                        },
                    }
                ],
            },
        },
        {
            "fullUrl": "urn:uuid:0d4b7e1c-3a2f-4c55-8e61-7b9a0c2d4e11",
            "resource": {
                "resourceType": "RelatedPerson",
                "id": "witness",
                "patient": {"display": "Sam"},
                "relationship": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "WIT",
                                "display": "witness",
                            }
                        ]
                    }
                ],
                "name": [{"given": ["Irene"], "family": "Walsh"}],
                "telecom": [{"system": "phone", "value": "01632 960321"}],
            },
        },
    ],
}


def test_the_review_says_who_signed_and_witnessed_the_document(phone_390, person, server):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    clinician = Api(server, server.create_professional("Dr Lee", "clinician"))
    share_for_suggestions(person, plan["id"], clinician, ["crisis"], "clinician")
    imported = clinician.call(
        "POST",
        f"/plans/{plan['id']}/imports",
        files={
            "file": (
                "statement.json",
                json.dumps(SIGNED_AND_WITNESSED).encode(),
                "application/fhir+json",
            )
        },
    )
    page = phone_390()
    sign_in(page, person.email)
    wait_synced(page)
    page.goto(f"/#/imports/{imported['id']}")

    expect(page.locator("#import-attested")).to_have_text(
        "Signed by Sam on 2 March 2026; witnessed by Irene Walsh on 2 March 2026; "
        "attested professionally by Dr Alys Rowlands."
    )
    # The people who attested it are its provenance, never offered as helpers.
    expect(page.locator("fieldset.part")).to_have_count(1)
    expect(page.locator("fieldset.part")).not_to_contain_text("Irene Walsh")
    look(page, "review-signed-and-witnessed")
