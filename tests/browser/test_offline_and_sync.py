"""The plan opens and takes edits with no connection, and every edit reaches the server
when the connection returns; an entry edited on two phones keeps both versions."""

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import (
    Api,
    add_entry,
    check_screen,
    edit_entry,
    sign_in,
    sign_up,
    start_plan,
    wait_for_service_worker,
    wait_synced,
)
from tests.helpers.layout import PHONE_390

pytestmark = pytest.mark.browser


def test_edits_made_offline_reach_the_server(phone, server):
    page = phone()
    email = sign_up(page)
    start_plan(page)
    page.get_by_role("link", name="Triggers").click()
    add_entry(page, "Something that can set me off", "Crowded buses")
    add_entry(page, "What I'll do", "Get off a stop early and walk")
    wait_synced(page)
    wait_for_service_worker(page)

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Triggers", level=1)).to_be_visible()
    expect(page.locator(".entry", has_text="Crowded buses")).to_be_visible()
    edit_entry(page, "Crowded buses", "Crowded buses and trains")
    add_entry(page, "Something that can set me off", "Loud parties")
    expect(page.locator("#sync-status")).to_contain_text("Saved on this phone")
    expect(page.locator("#sync-status")).to_contain_text("2 changes waiting")

    page.context.set_offline(False)
    wait_synced(page)
    api = Api(server, email)
    assert api.texts("triggers") == [
        "Crowded buses and trains",
        "Get off a stop early and walk",
        "Loud parties",
    ]
    history = api.call("GET", f"/plans/{api.only_plan()['id']}/revisions")
    assert history[0]["summary"] == "Synced 2 changes from a device"


def test_the_same_entry_edited_on_two_phones_keeps_both(phone, server):
    first = phone()
    email = sign_up(first)
    start_plan(first)
    first.get_by_role("link", name="Early warning signs").click()
    add_entry(first, "A sign I notice", "Sleeping badly")
    wait_synced(first)

    second = phone()
    sign_in(second, email)
    second.get_by_role("link", name="Early warning signs").click()
    expect(second.locator(".entry", has_text="Sleeping badly")).to_be_visible()
    wait_synced(second)

    second.context.set_offline(True)
    edit_entry(second, "Sleeping badly", "Sleeping four hours a night")
    edit_entry(first, "Sleeping badly", "Not sleeping at all")
    wait_synced(first)
    second.context.set_offline(False)

    choice = second.locator("#decisions-link")
    expect(choice).to_have_text("1 change needs your choice")
    api = Api(server, email)
    assert api.texts("early_warning_signs") == ["Not sleeping at all"]

    choice.click()
    decision = second.locator(".decision")
    expect(decision.locator(".version", has_text="Your version")).to_contain_text(
        "Sleeping four hours a night"
    )
    expect(decision.locator(".version", has_text="The other version")).to_contain_text(
        "Not sleeping at all"
    )
    check_screen(second, "conflict")
    decision.get_by_role("button", name="Keep both").click()
    expect(second.get_by_text("Nothing needs your choice")).to_be_visible()
    wait_synced(second)
    assert api.texts("early_warning_signs") == [
        "Not sleeping at all",
        "Sleeping four hours a night",
    ]


def test_a_change_the_server_refuses_does_not_hold_up_the_others(phone, server):
    page = phone()
    email = sign_up(page)
    start_plan(page)
    wait_synced(page)
    page.context.set_offline(True)
    page.evaluate(
        """async () => {
            const store = await import("/js/store.js");
            const plan = await store.currentPlan();
            await store.addEntry(plan, "notes", { text: "x".repeat(10_001) });
            await store.addEntry(plan, "notes", { text: "A note that fits" });
        }"""
    )
    page.context.set_offline(False)

    expect(page.locator("#decisions-link")).to_have_text("1 change needs your choice")
    wait_synced(page)
    assert Api(server, email).texts("notes") == ["A note that fits"]
    page.locator("#decisions-link").click()
    expect(page.get_by_text("This change couldn't be saved", exact=False).first).to_be_visible()


def test_words_typed_while_the_screen_is_being_drawn_again_stay(phone, server):
    """The app draws a screen again when its plan changes (a save, a sync settling). The
    person may start typing while that drawing is under way: what they typed stays, in its
    open form, and saves."""
    page = phone(PHONE_390)
    sign_up(page)
    start_plan(page)
    page.get_by_role("link", name="Triggers").click()
    add_entry(page, "Something that can set me off", "Crowded buses")
    wait_synced(page)
    page.get_by_text("Add to “Something that can set me off”").click()
    form = page.locator("details[open] form")
    expect(form).to_be_visible()
    # The plan changes (as when a save lands), which starts the screen drawing again, and
    # the person types before the drawing is done.
    page.evaluate(
        """async () => {
            const store = await import("/js/store.js");
            store.changed();
            const box = document.querySelector("details[open] form textarea");
            box.value = "Loud music late at night";
            box.dispatchEvent(new Event("input", { bubbles: true }));
        }"""
    )
    # Drawing a screen from this phone's own copy takes milliseconds; a second is plenty.
    page.wait_for_timeout(1_000)
    expect(form.get_by_role("textbox").first).to_have_value("Loud music late at night")
    check_screen(page, "typing-kept-through-a-redraw")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".entry", has_text="Loud music late at night")).to_be_visible()
