"""A person shares part of their plan with a link worker, who sees only that part,
read-only; the person sees that they looked, and can stop it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import check_screen, sign_in, wait_synced

pytestmark = pytest.mark.browser


def test_a_share_shows_only_the_shared_part_until_it_is_stopped(phone, person, server):
    plan = person.call("POST", "/plans", json={"template": "wrap"})
    for section, prompt, text in [
        ("crisis", "who_helps", "My sister Jo: stay with me"),
        ("triggers", "trigger", "Private: letters about money"),
    ]:
        person.call(
            "POST",
            f"/plans/{plan['id']}/sections/{section}/entries",
            json={"text": text, "prompt": prompt},
        )
    owner = phone()
    sign_in(owner, person.email)
    wait_synced(owner)

    owner.get_by_role("navigation", name="Main").get_by_role("link", name="Sharing").click()
    owner.get_by_role("link", name="Share with someone").click()
    expect(owner.get_by_role("checkbox", name="My crisis plan")).to_be_checked()
    expect(owner.get_by_role("checkbox", name="Triggers")).not_to_be_checked()
    owner.get_by_role("button", name="Make the invite").click()
    link = owner.locator("#invite-link").inner_text()

    worker_email = server.create_professional("Riley", "link_worker")
    worker = phone()
    sign_in(worker, worker_email)
    expect(worker.get_by_role("heading", name="Shared with you")).to_be_visible()
    worker.goto(link)
    worker.get_by_role("button", name="Accept").click()

    expect(worker.get_by_role("heading", name="Sam's plan")).to_be_visible()
    expect(worker.get_by_text("My sister Jo: stay with me")).to_be_visible()
    expect(worker.get_by_text("letters about money")).to_have_count(0)
    expect(worker.get_by_role("button", name="Edit")).to_have_count(0)

    owner.get_by_role("link", name="Who can see your plan").click()
    owner.get_by_role("link", name="Who looked at your plan").click()
    expect(owner.locator("main")).to_contain_text("Riley")

    owner.get_by_role("link", name="Who can see your plan").click()
    owner.get_by_role("button", name="Stop sharing").click()
    # The yes in the question, once it is asked (until then the first button is still there).
    question = owner.get_by_role("group", name="Stop sharing now?")
    question.get_by_role("button", name="Stop sharing").click()
    expect(owner.get_by_text("You're not sharing this plan with anyone.")).to_be_visible()

    worker.reload()
    expect(worker.get_by_text("My sister Jo: stay with me")).to_have_count(0)
    expect(worker.get_by_role("alert")).to_be_visible()


def test_suggestions_and_imported_words_wait_for_the_person(phone, person, everyone):
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/suggestions")

    suggestion = page.locator(".card", has_text="Busy shops")
    expect(suggestion).to_contain_text("From Riley")
    assert "Busy shops" not in person.texts("triggers")
    suggestion.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Added to your plan.")).to_be_visible()
    assert "Busy shops" in person.texts("triggers")

    comment = page.locator(".card", has_text="Shall we add Jo's number?")
    comment.get_by_text("Reply", exact=True).click()
    comment.get_by_label("Your reply").fill("Yes please, next time we meet")
    comment.get_by_role("button", name="Send my reply").click()
    expect(page.locator(".card", has_text="Yes please, next time we meet")).to_be_visible()

    page.get_by_role("link", name="From Dr Lee: Joint crisis plan").click()
    who_helps = page.locator("fieldset", has_text="My sister Jo, who can talk to the ward for me.")
    who_helps.get_by_label("Keep them, and say why I disagree").check()
    expect(who_helps.get_by_role("textbox", name="Why I disagree")).to_be_focused()
    page.keyboard.type("Jo works nights now")
    treatments = page.locator("fieldset", has_text="No sedation if it can be avoided.")
    treatments.get_by_label("Leave them out").check()
    page.get_by_role("button", name="Save my choices").click()

    expect(page.get_by_role("heading", name="My crisis plan")).to_be_visible()
    imported = page.locator("li", has_text="My sister Jo, who can talk to the ward for me.")
    expect(imported).to_contain_text("brought in by Dr Lee on")
    expect(imported).to_contain_text("accepted into this plan on")
    expect(imported).to_contain_text("My note: I disagree because Jo works nights now")
    crisis = person.texts("crisis")
    assert "My sister Jo, who can talk to the ward for me." in crisis
    assert "No sedation if it can be avoided." not in crisis


def test_a_link_worker_shown_the_notes_opens_a_pages_file(phone, person, server):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    leaflet = b"%PDF-1.4 The walking group leaflet"
    file = person.call(
        "POST",
        f"/plans/{plan['id']}/page-files",
        files={"file": ("leaflet.pdf", leaflet, "application/pdf")},
    )
    person.call(
        "POST",
        f"/plans/{plan['id']}/sections/notes/entries",
        json={
            "text": "Tuesdays at 2pm",
            "prompt": "note",
            "page": {"title": "Walking group", "file": file},
        },
    )
    invite = person.call(
        "POST",
        f"/plans/{plan['id']}/shares",
        json={"sections": ["notes"], "permission": "view", "label": "link_worker"},
    )
    worker = phone({"width": 390, "height": 844})
    sign_in(worker, server.create_professional("Riley", "link_worker"))
    expect(worker.get_by_role("heading", name="Shared with you")).to_be_visible()
    worker.goto(invite["invite_link"])
    worker.get_by_role("button", name="Accept").click()

    expect(worker.get_by_role("heading", name="Sam's plan")).to_be_visible()
    page_entry = worker.locator("li", has_text="Walking group")
    expect(page_entry).to_contain_text("Tuesdays at 2pm")
    with worker.expect_download() as download:
        page_entry.get_by_role("button", name="Open “leaflet.pdf”").click()
    assert Path(download.value.path()).read_bytes() == leaflet
    check_screen(worker, "shared-page-file-390")

    log = person.call("GET", f"/plans/{plan['id']}/access-log")["entries"]
    assert any(e["event"] == "opened_page_file" for e in log)
