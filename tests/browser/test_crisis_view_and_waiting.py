"""The crisis view says little, in order: whom to call (tap to call), what helps, what not to
do, medicines to avoid, then the rest of what is written; it is one tap from every screen,
also with no signal. What waits for the person is counted on the Sharing tab and My plan."""

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import check_screen, sign_in, wait_for_service_worker, wait_synced
from tests.helpers.layout import (
    PHONE_320,
    PHONE_390,
    broken_words,
    scrolls_sideways,
    text_at_200_percent,
)

pytestmark = pytest.mark.browser

CRISIS = [
    ("who_helps", "My sister Jo on 07700 900123: stay with me"),
    ("what_helps", "A quiet room and a cup of tea"),
    ("what_does_not_help", "Being told to calm down"),
    ("medicines_avoid", "Haloperidol"),
    ("allergies", "Penicillin"),
    ("treatments_refused", "No sedation if I can avoid it"),
]


def seed(person) -> dict:
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    entries = f"/plans/{plan['id']}/sections"
    for prompt, text in CRISIS:
        person.call("POST", f"{entries}/crisis/entries", json={"text": text, "prompt": prompt})
    person.call(
        "POST",
        f"{entries}/support_agreed/entries",
        json={"text": "Sam from the group: ring 0161 496 0000 any evening"},
    )
    return plan


def test_the_crisis_view_comes_first_with_whom_to_call(phone, person):
    seed(person)
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Crisis").click()
    expect(page.get_by_role("heading", name="My crisis plan", level=1)).to_be_visible()

    headings = page.locator("main h2").all_inner_texts()
    assert headings == [
        "People to call",
        "What helps",
        "What doesn't help",
        "Medicines to avoid",
        "Treatments I do not want",
    ]
    # Prompts with nothing written are not shown at all.
    expect(page.get_by_text("Not written yet")).to_have_count(0)
    expect(page.get_by_role("heading", name="Where I'd like to be treated")).to_have_count(0)

    call = page.get_by_role("region", name="People to call")
    expect(call.get_by_role("link", name="07700 900123")).to_have_attribute(
        "href", "tel:07700900123"
    )
    expect(call.get_by_role("link", name="0161 496 0000")).to_have_attribute(
        "href", "tel:01614960000"
    )
    medicines = page.get_by_role("region", name="Medicines to avoid")
    expect(medicines).to_contain_text("Haloperidol")
    expect(medicines).to_contain_text("Medicines I am allergic to")
    expect(medicines).to_contain_text("Penicillin")
    check_screen(page, "crisis-view")
    assert page.evaluate("document.documentElement.scrollHeight") < 2600

    page.get_by_role("link", name="Change my crisis plan").click()
    expect(page.get_by_role("heading", name="My crisis plan", level=1)).to_be_visible()
    expect(page.get_by_text("Add to “Where I'd like to be treated”")).to_be_visible()


def test_the_crisis_tab_is_on_every_screen_and_works_with_no_signal(phone, person):
    seed(person)
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    wait_for_service_worker(page)
    page.context.set_offline(True)
    for path, heading in [
        ("plan", "Green Book"),
        ("plan/triggers", "Triggers"),
        ("today", "How are you today?"),
        ("sharing", "Who can see your plan"),
        ("more", "More"),
        ("history", "Your plan's history"),
    ]:
        page.goto(f"/#/{path}")
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        crisis_tab = page.get_by_role("navigation", name="Main").get_by_role("link", name="Crisis")
        crisis_tab.click()
        expect(page.get_by_role("heading", name="My crisis plan", level=1)).to_be_visible()
        expect(page.get_by_text("My sister Jo on 07700 900123")).to_be_visible()
        expect(crisis_tab).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("viewport", [PHONE_390, PHONE_320], ids=["390 px", "320 px"])
def test_the_crisis_view_fits_at_200_percent_text(phone, person, viewport):
    seed(person)
    page = phone(viewport)
    sign_in(page, person.email)
    wait_synced(page)
    text_at_200_percent(page)
    page.goto("/#/crisis")
    expect(page.get_by_role("region", name="People to call")).to_be_visible()
    assert not scrolls_sideways(page)
    assert broken_words(page, "main h2, #tabs a") == []
    check_screen(page, f"crisis-view-{viewport['width']}-200-percent")


def test_an_empty_crisis_plan_says_so_in_a_line(phone, person):
    person.call("POST", "/plans", json={"template": "wrap"})
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/crisis")
    expect(page.get_by_text("Nothing is written here yet.")).to_be_visible()
    expect(page.locator("main h2")).to_have_count(0)
    expect(page.get_by_role("link", name="Change my crisis plan")).to_be_visible()


def test_waiting_things_are_counted_on_the_tab_and_my_plan(phone, person, everyone):
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    wait_for_service_worker(page)
    tab = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Sharing 3 waiting for you: 1 suggestion, 1 comment and 1 imported statement"
    )
    expect(tab).to_be_visible()
    expect(tab.locator(".tab-count")).to_have_text("3")
    line = page.locator("#waiting-line")
    expect(line).to_contain_text("1 suggestion, 1 comment and 1 imported statement wait for you")
    check_screen(page, "plan-with-waiting")

    # With no signal the last counts this phone saw still show.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#waiting-line")).to_contain_text("1 suggestion, 1 comment")
    expect(page.locator("#sharing-tab .tab-count")).to_have_text("3")
    page.context.set_offline(False)

    line.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Suggestions and imports")).to_be_visible()
    page.get_by_role("button", name="Accept").first.click()
    expect(page.get_by_text("Added to your plan.")).to_be_visible()
    expect(page.locator("#sharing-tab .tab-count")).to_have_text("2")
    page.goto("/#/plan")
    expect(page.locator("#waiting-line")).to_contain_text("1 comment and 1 imported statement")
