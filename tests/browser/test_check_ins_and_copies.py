"""Check-ins kept offline and synced, looked back on as charts with tables; reminders for
the phone's calendar; every copy of the plan one tap away, and a copy brought back after a
preview; the safety plan's people shown from its crisis plan."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from app.core import clock
from tests.helpers.browser import (
    axe_violations,
    screenshot,
    sign_in,
    wait_for_service_worker,
    wait_synced,
)

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}


def named(action: str, section: str) -> re.Pattern:
    """A button's name: what it does, then (for screen readers) which section."""
    return re.compile(f"^{action}\\W+{re.escape(section)}$")


def open_signed_in(phone, person, viewport=PHONE_390) -> Page:
    page = phone(viewport)
    # Waits for the app's first screen: a test's own page.goto must come after it.
    sign_in(page, person.email)
    wait_synced(page)
    return page


def check_in_offline(page: Page, answer: str) -> None:
    """With no signal, answer "How are you today?"; the check-in is kept on the phone."""
    wait_for_service_worker(page)
    page.context.set_offline(True)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    page.get_by_role("link", name=answer).click()
    expect(page.get_by_text("Kept in your check-ins")).to_be_visible()


def looked_at(page: Page, name: str) -> None:
    """A screenshot to look at, and no accessibility findings at all."""
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert axe_violations(page) == [], name


def fits_at_double_text(page: Page, name: str) -> None:
    """At 320 px with text at 200%, nothing needs scrolling sideways."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.wait_for_timeout(50)  # one layout pass, not a timing assertion
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, name)
    assert width <= NARROW["width"], f"{name}: {width} px wide"
    page.evaluate("document.documentElement.style.fontSize = ''")


def with_goal(person) -> dict:
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    goal = {"way": "be_active", "progress": -1, "review_date": "2027-01-10"}
    made = person.call(
        "POST",
        f"/plans/{plan['id']}/sections/goals/entries",
        json={"text": "Walk with a group", "goal": goal},
    )
    person.call(
        "PATCH",
        f"/plans/{plan['id']}/sections/goals/entries/{made['id']}",
        json={"goal": goal | {"progress": 1}},
    )
    return plan


def test_a_check_in_made_offline_is_kept_then_synced_and_looked_back_on(phone, person):
    plan = with_goal(person)
    page = open_signed_in(phone, person)
    check_in_offline(page, "Something triggered me")
    page.get_by_text("Add a note").click()
    page.get_by_label("A note with this check-in").fill("A walk by the river helped")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Your note: “A walk by the river helped”")).to_be_visible()
    looked_at(page, "today-check-in-390")

    page.get_by_role("link", name="How are you today?").click()
    page.get_by_role("link", name="How the last weeks went").click()
    expect(page.get_by_role("heading", name="How the last weeks went")).to_be_visible()
    counts = page.get_by_role("table", name="Check-ins in the last 30 days")
    expect(counts.get_by_role("row", name="Something triggered me 1")).to_be_visible()
    expect(counts.get_by_role("row", name="I'm well 0")).to_be_visible()
    expect(page.get_by_role("img", name="How often, in the last 30 days")).to_be_visible()
    expect(page.locator(".helped")).to_contain_text("A walk by the river helped")
    expect(page.get_by_text("Seeing your goals' progress needs a connection")).to_be_visible()
    assert person.call("GET", f"/plans/{plan['id']}/check-ins")["check_ins"] == []

    page.context.set_offline(False)
    wait_synced(page)
    kept = person.call("GET", f"/plans/{plan['id']}/check-ins")["check_ins"]
    assert [(c["state"], c["note"]) for c in kept] == [("triggered", "A walk by the river helped")]

    page.reload()
    goal = page.locator(".card", has=page.get_by_role("heading", name="Walk with a group"))
    expect(goal.get_by_role("img")).to_have_accessible_name(
        re.compile(r"^How “Walk with a group” went: .*A bit less than I hoped; .*A bit more")
    )
    expect(goal.locator("tbody td")).to_have_text(
        ["A bit less than I hoped", "A bit more than I hoped"]
    )
    page.get_by_role("button", name="Last 90 days").click()
    expect(page.get_by_role("button", name="Last 90 days")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("table", name="Check-ins in the last 90 days")).to_be_visible()
    looked_at(page, "progress-390")


def test_signing_out_counts_check_ins_not_sent_yet(phone, person):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    page = open_signed_in(phone, person)
    check_in_offline(page, "I'm well")

    page.goto("/#/more")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("1 change hasn't reached the server yet.")).to_be_visible()
    page.locator("#sign-out-yes").scroll_into_view_if_needed()
    looked_at(page, "sign-out-unsent-check-in-390")
    page.get_by_role("button", name="No, go back").click()
    expect(page.locator("#sign-out-yes")).to_have_count(0)

    page.context.set_offline(False)
    wait_synced(page)
    kept = person.call("GET", f"/plans/{plan['id']}/check-ins")["check_ins"]
    assert [c["state"] for c in kept] == ["well"]
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()


def test_sharing_check_ins_and_calendar_reminders_are_the_persons_choice(phone, person):
    plan = with_goal(person)
    page = open_signed_in(phone, person)
    page.goto("/#/progress")
    share = page.get_by_label("Let people I share my plan with see my check-ins")
    expect(share).not_to_be_checked()
    share.check()
    expect(page.get_by_text("Your check-ins are now shared, as described.")).to_be_visible()
    assert person.call("GET", f"/plans/{plan['id']}/check-ins")["settings"]["shared"] is True

    page.get_by_label("Once a week", exact=True).check()
    page.get_by_label("Day of the week").select_option("Friday")
    page.get_by_label("At", exact=True).fill("08:30")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save and add to my calendar").click()
    assert download.value.suggested_filename == "my-plan-reminders.ics"
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert events["How are you today?"]["rrule"]["BYDAY"] == ["FR"]
    assert str(events["Look at a goal in my plan again"].decoded("dtstart")) == "2027-01-10"
    expect(page.get_by_text("Your reminders are downloading")).to_be_visible()
    expect(page.get_by_label("Once a week", exact=True)).to_be_checked()
    looked_at(page, "progress-choices-390")


def test_every_copy_is_one_tap_away_and_a_copy_comes_back_after_a_preview(phone, person):
    plan = with_goal(person)
    person.call(
        "POST",
        f"/plans/{plan['id']}/sections/crisis/entries",
        json={"text": "My sister Jo: stay with me", "prompt": "who_helps"},
    )
    page = open_signed_in(phone, person)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="More").click()
    page.get_by_role("link", name="Every way to save, print or bring back a copy").click()
    expect(page.get_by_role("heading", name="Save, print or bring back a copy")).to_be_visible()
    looked_at(page, "copies-390")

    files = {}
    for name, file_name in [
        ("A booklet to print (PDF)", "my-plan.pdf"),
        ("One page for the fridge (PDF)", "crisis-plan.pdf"),
        ("Wallet-sized cards (PDF)", "crisis-plan-wallet.pdf"),
        ("For a health or care service (FHIR document)", "crisis-plan.fhir.json"),
        ("All my plans and their history (JSON)", "my-plans.json"),
    ]:
        with page.expect_download() as download:
            page.get_by_role("button", name=name).click()
        assert download.value.suggested_filename == file_name
        files[file_name] = Path(download.value.path()).read_bytes()
        expect(page.get_by_text(f"Downloaded {file_name}.")).to_be_visible()
    assert all(files[f].startswith(b"%PDF") for f in files if f.endswith(".pdf"))
    assert json.loads(files["crisis-plan.fhir.json"])["resourceType"] == "Bundle"
    assert json.loads(files["my-plans.json"])["plans"][0]["title"] == "Green Book"
    expect(page.get_by_role("link", name="A link and QR code to show people")).to_have_attribute(
        "href", "#/crisis-card"
    )

    page.get_by_label("The file of my saved copy").set_input_files(
        {"name": "my-plans.json", "mimeType": "application/json", "buffer": files["my-plans.json"]}
    )
    expect(page.get_by_role("heading", name="What “my-plans.json” would add")).to_be_focused()
    preview = page.locator(".card", has=page.get_by_role("heading", name="Green Book"))
    expect(preview).to_contain_text("2 things written")
    expect(preview).to_contain_text("You already have this plan here")
    assert len(person.call("GET", "/plans")) == 1  # nothing added yet
    looked_at(page, "copies-preview-390")
    page.get_by_role("button", name="Add this plan").click()
    expect(page.get_by_text("1 plan was added.")).to_be_visible()
    assert len(person.call("GET", "/plans")) == 2

    page.get_by_label("The file of my saved copy").set_input_files(
        {"name": "notes.json", "mimeType": "application/json", "buffer": b"not json"}
    )
    expect(page.get_by_role("alert")).to_contain_text("isn't a copy saved from this app")

    # A copy changed by hand since it was saved: said in plain words, nothing added.
    damaged = json.loads(files["my-plans.json"])
    damaged["plans"][0]["sections"][0]["entries"] = "gone"
    page.get_by_label("The file of my saved copy").set_input_files(
        {
            "name": "my-plans.json",
            "mimeType": "application/json",
            "buffer": json.dumps(damaged).encode(),
        }
    )
    expect(page.get_by_role("alert")).to_have_text(
        "This file can't be brought back. It isn't a whole copy saved from this app: it may "
        "have been changed or damaged since it was saved. Nothing was added. Save a fresh copy "
        "from the app where your plan is, and choose that."
    )
    page.get_by_role("alert").scroll_into_view_if_needed()
    looked_at(page, "copies-damaged-file-390")
    assert len(person.call("GET", "/plans")) == 2


def test_the_safety_plan_shows_the_people_of_its_crisis_plan(phone, person):
    page = open_signed_in(phone, person)
    page.locator("#start-safety_plan").click()
    sections = page.get_by_role("list", name="Sections of your plan")
    expect(sections.get_by_role("link").first).to_contain_text("1. My warning signs")
    wait_synced(page)
    [summary] = person.call("GET", "/plans")
    person.call(
        "POST",
        f"/plans/{summary['id']}/sections/crisis/entries",
        json={"text": "My sister Jo: stay with me", "prompt": "who_helps"},
    )
    page.reload()
    wait_synced(page)
    page.get_by_role("link", name="4. People I can ask for help").click()
    expect(page.get_by_text("My sister Jo: stay with me")).to_be_visible()
    change = page.get_by_role("link", name="Add or change them in “My crisis plan”")
    looked_at(page, "safety-plan-people-390")
    change.click()
    expect(page.get_by_role("heading", name="My crisis plan", level=1)).to_be_visible()


@pytest.mark.parametrize("screen", ["progress", "take-with-you"])
def test_new_screens_fit_a_narrow_phone_at_double_text(phone, person, screen):
    with_goal(person)
    page = open_signed_in(phone, person, NARROW)
    page.goto(f"/#/{screen}")
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    fits_at_double_text(page, f"{screen}-320-200pc")
    assert axe_violations(page) == []


def test_check_in_times_read_back_in_order(phone, person):
    """Check-ins kept on two days come back oldest first in the list, with their notes."""
    plan = person.call("POST", "/plans", json={"template": "wrap"})
    now = clock.utcnow()
    person.call(
        "POST",
        f"/plans/{plan['id']}/check-ins",
        json={
            "check_ins": [
                {
                    "id": "00000000-0000-4000-8000-000000000001",
                    "state": "well",
                    "note": "Lunch with Ama",
                    "at": clock.isoformat(now - timedelta(days=3)),
                },
                {
                    "id": "00000000-0000-4000-8000-000000000002",
                    "state": "crisis",
                    "note": "",
                    "at": clock.isoformat(now - timedelta(days=1)),
                },
            ]
        },
    )
    page = open_signed_in(phone, person)
    page.goto("/#/progress")
    page.get_by_text("Every check-in, as a list").click()
    listed = page.get_by_role("table", name="Every check-in of the last 30 days")
    expect(listed.locator("tbody td:nth-child(2)")).to_have_text(["I'm in crisis", "I'm well"])
    expect(listed.locator("tbody td:nth-child(3)")).to_have_text(["—", "Lunch with Ama"])


def test_sections_are_renamed_hidden_moved_and_added_in_the_app(phone, person):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    page = open_signed_in(phone, person)
    wait_for_service_worker(page)
    page.get_by_role("link", name="Add or rename sections").click()
    expect(page.get_by_role("heading", name="Make the plan your own")).to_be_visible()

    page.context.set_offline(True)
    page.get_by_role("button", name=named("Rename", "Triggers")).click()
    expect(page.get_by_label("New name")).to_be_focused()
    page.get_by_label("New name").fill("Things that set me off")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(
        page.get_by_role("button", name=named("Rename", "Things that set me off"))
    ).to_be_focused()
    page.get_by_role("button", name=named("Hide", "Positive risks I choose to take")).click()
    expect(
        page.get_by_role("button", name=named("Show", "Positive risks I choose to take"))
    ).to_be_visible()
    page.get_by_role("button", name=named("Move up", "Things that set me off")).click()
    order = page.get_by_role("list", name="Your sections, in order").get_by_role("heading")
    expect(order.first).to_have_text("Things that set me off")
    page.get_by_label("Name of the new section").fill("Music that lifts me")
    page.get_by_role("button", name="Add the section").click()
    expect(page.get_by_role("alert")).to_contain_text("needs a connection")

    page.context.set_offline(False)
    wait_synced(page)
    page.get_by_role("button", name="Add the section").click()
    expect(
        page.get_by_text("“Music that lifts me” is added at the end of your plan.")
    ).to_be_visible()
    expect(order.last).to_have_text("Music that lifts me")
    looked_at(page, "arrange-390")

    saved = person.call("GET", f"/plans/{plan['id']}")["sections"]
    assert saved[0]["title"] == "Things that set me off"
    assert next(s for s in saved if s["key"] == "positive_risks")["hidden"] is True
    assert saved[-1]["title"] == "Music that lifts me" and saved[-1]["custom"] is True


def test_a_section_of_my_own_is_removed_in_the_app_after_asking(phone, person):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    plan_url = f"/plans/{plan['id']}"
    added = person.call("POST", f"{plan_url}/sections", json={"title": "Music that lifts me"})
    person.call(
        "POST", f"{plan_url}/sections/{added['key']}/entries", json={"text": "Sunday songs"}
    )
    page = open_signed_in(phone, person)
    wait_for_service_worker(page)
    page.get_by_role("link", name="Add or rename sections").click()
    expect(page.get_by_role("heading", name="Make the plan your own")).to_be_visible()
    # Only the person's own sections can be removed; a template's is hidden instead.
    expect(page.get_by_role("button", name=named("Remove", "Triggers"))).to_have_count(0)

    remove = page.get_by_role("button", name=named("Remove", "Music that lifts me"))
    remove.click()
    question = page.get_by_role("group")
    expect(question).to_contain_text(
        "Remove “Music that lifts me” and the one thing written in it?"
    )
    expect(page.get_by_role("button", name="Remove the section")).to_be_focused()
    looked_at(page, "arrange-remove-question-390")
    page.get_by_role("button", name="No, go back").click()
    expect(question).to_have_count(0)
    expect(remove).to_be_focused()
    assert person.call("GET", plan_url)["sections"][-1]["key"] == added["key"]

    page.context.set_offline(True)
    remove.click()
    page.get_by_role("button", name="Remove the section").click()
    expect(page.get_by_role("status").filter(has_text="needs a connection")).to_be_visible()
    assert person.call("GET", plan_url)["sections"][-1]["key"] == added["key"]

    page.context.set_offline(False)
    wait_synced(page)
    remove.click()
    page.get_by_role("button", name="Remove the section").click()
    said = page.get_by_text("“Music that lifts me” is removed from your plan.")
    expect(said).to_be_visible()
    expect(said).to_be_focused()
    order = page.get_by_role("list", name="Your sections, in order").get_by_role("heading")
    expect(order.filter(has_text="Music that lifts me")).to_have_count(0)
    looked_at(page, "arrange-section-removed-390")

    saved = person.call("GET", plan_url)["sections"]
    assert added["key"] not in [s["key"] for s in saved]
    history = person.call("GET", f"{plan_url}/revisions")
    assert history[0]["summary"] == "Removed section “Music that lifts me”"


def test_a_page_with_a_link_and_a_file_is_inserted_in_my_notes(phone, person):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    page = open_signed_in(phone, person)
    wait_for_service_worker(page)
    page.goto("/#/plan/notes")
    page.get_by_text("Add a page").click()
    page.get_by_label("Title").fill("Walking group")
    page.get_by_label("What's on the page").fill("Tuesdays at 2pm, from the library")
    page.get_by_label("A link (you don't have to)").fill("example.org/walks")
    leaflet = b"%PDF-1.4 The walking group leaflet"
    page.get_by_label("A small file (you don't have to)").set_input_files(
        {"name": "leaflet.pdf", "mimeType": "application/pdf", "buffer": leaflet}
    )
    page.get_by_role("button", name="Save the page").click()
    kept = page.locator(".entry", has_text="Walking group")
    expect(kept).to_contain_text("Tuesdays at 2pm, from the library")
    expect(kept.get_by_role("link", name="https://example.org/walks")).to_be_visible()
    wait_synced(page)
    looked_at(page, "notes-page-390")
    with page.expect_download() as download:
        kept.get_by_role("button", name="Open “leaflet.pdf”").click()
    assert Path(download.value.path()).read_bytes() == leaflet

    # The page's title and link are changed as its words are; its file stays.
    kept.get_by_role("button", name="Edit").click()
    page.get_by_label("Title of the page").fill("Walking group, Tuesdays")
    page.get_by_label("Its link (you don't have to)").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("should be a web address")
    page.get_by_label("Its link (you don't have to)").fill("example.org/walking")
    looked_at(page, "notes-page-edit-390")
    page.get_by_role("button", name="Save", exact=True).click()
    kept = page.locator(".entry", has_text="Walking group, Tuesdays")
    expect(kept.get_by_role("link", name="https://example.org/walking")).to_be_visible()
    expect(kept.get_by_role("button", name="Open “leaflet.pdf”")).to_be_visible()
    wait_synced(page)

    page.context.set_offline(True)
    page.get_by_text("Add a page").click()
    page.get_by_label("Title").fill("Crisis café")
    page.get_by_label("What's on the page").fill("Open every evening")
    page.get_by_role("button", name="Save the page").click()
    expect(page.locator(".entry", has_text="Crisis café")).to_be_visible()
    page.context.set_offline(False)
    wait_synced(page)

    notes = next(s for s in person.only_plan()["sections"] if s["key"] == "notes")
    pages = {e["page"]["title"]: e for e in notes["entries"]}
    assert pages["Walking group, Tuesdays"]["page"]["link"] == "https://example.org/walking"
    assert pages["Walking group, Tuesdays"]["page"]["file"]["name"] == "leaflet.pdf"
    assert pages["Crisis café"]["text"] == "Open every evening"
    # Shown under the section's one prompt, "A note or page", wherever the plan is read.
    assert {e["prompt"] for e in pages.values()} == {"note"}
    assert plan["id"] == person.only_plan()["id"]
