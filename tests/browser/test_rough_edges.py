"""The rough edges a new person met on a 390 px phone, each fixed: checkboxes and words that
broke mid-word, an invite lost at sign-in, focus hidden under the tab bar, internal words on
screen, history crediting a supporter for the person's own decision, a noisy access log, an
entry split across a printed page, and a supporter's scattered "Suggest…" links."""

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.accounts import PASSWORD
from tests.helpers.browser import (
    Api,
    check_screen,
    register,
    share_for_suggestions,
    sign_in,
    wait_for_service_worker,
    wait_synced,
)
from tests.helpers.layout import (
    PHONE_320,
    PHONE_390,
    broken_words,
    focus_hidden_by_bars,
    scrolls_sideways,
    text_at_200_percent,
)

pytestmark = pytest.mark.browser


def full_crisis_plan(person: Api) -> dict:
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    crisis = next(s for s in plan["sections"] if s["key"] == "crisis")
    for prompt in crisis["prompts"]:
        for n in (1, 2):
            person.call(
                "POST",
                f"/plans/{plan['id']}/sections/crisis/entries",
                json={"text": f"{prompt['text']}: my words, number {n}", "prompt": prompt["key"]},
            )
    return plan


def test_checkboxes_are_small_and_their_labels_whole(phone, person, server):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    page = phone(PHONE_320)
    sign_in(page, person.email)
    wait_synced(page)
    text_at_200_percent(page)
    page.goto("/#/sharing/new")
    boxes = page.locator("fieldset.checks input[type=checkbox]")
    expect(boxes).to_have_count(len(plan["sections"]))
    for box in boxes.all():
        size = box.bounding_box()
        assert size["width"] < 60 and size["height"] < 60, size
    assert broken_words(page, "fieldset label") == []
    assert not scrolls_sideways(page)
    check_screen(page, "share-form-320-200-percent")


def test_an_invite_opened_signed_out_survives_a_professionals_sign_in(phone, person, server):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    made = person.call(
        "POST",
        f"/plans/{plan['id']}/shares",
        json={"sections": ["crisis"], "permission": "view", "label": "link_worker"},
    )
    worker_email = server.create_professional("Riley", "link_worker")
    page = phone(PHONE_390)
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.goto(made["invite_link"])
    expect(page.get_by_role("heading", name="Someone shared their plan with you")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(worker_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Accept a shared plan")).to_be_visible()
    expect(page.get_by_label("Invite code")).to_have_value(made["invite_code"])
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name="Sam's plan")).to_be_visible()


@pytest.mark.parametrize("larger", [False, True], ids=["usual text", "text at 200%"])
def test_keyboard_focus_is_never_under_the_tab_bar(phone, person, larger):
    full_crisis_plan(person)
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    if larger:
        text_at_200_percent(page)
    for path in ["plan/crisis", "crisis", "plan", "sharing/new"]:
        page.goto(f"/#/{path}")
        page.locator("main h1").wait_for()
        assert focus_hidden_by_bars(page, 60) == [], path


def test_tab_labels_stay_whole_at_200_percent_text(phone, person):
    person.call("POST", "/plans", json={"template": "green_book"})
    for viewport in (PHONE_390, PHONE_320):
        page = phone(viewport)
        sign_in(page, person.email)
        wait_synced(page)
        text_at_200_percent(page)
        page.goto("/#/today")
        expect(page.get_by_role("heading", name="How are you today?")).to_be_visible()
        assert broken_words(page, "#tabs a") == []
        assert not scrolls_sideways(page)
        # Every tab is on the screen, and the page can scroll clear of the bar.
        for tab in page.locator("#tabs a:visible").all():
            box = tab.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
    check_screen(page, "tabs-320-200-percent")


def test_an_entry_stays_whole_on_a_printed_page(phone, person):
    full_crisis_plan(person)
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/print")
    expect(page.locator(".answers .entries li").first).to_be_visible()
    page.emulate_media(media="print")
    kept_whole = page.evaluate(
        """() => [...document.querySelectorAll(".answers .entries li")]
            .every((li) => getComputedStyle(li).breakInside === "avoid")"""
    )
    assert kept_whole
    heading_with_its_words = page.evaluate(
        "getComputedStyle(document.querySelector('.answers h3')).breakAfter"
    )
    assert heading_with_its_words == "avoid"


def words_on_screen(page: Page) -> str:
    return page.locator("body").inner_text()


INTERNAL = ["Retry-After", "confirm_person", "'keeping_well'", "(waiting for the person", ".."]


def test_no_internal_words_on_screen(phone, server):
    person = register(server, "Sam")
    plan = person.call("POST", "/plans", json={"template": "wrap"})
    person.call(
        "POST",
        f"/plans/{plan['id']}/sections/daily_maintenance/entries",
        json={"text": "A walk by the river", "prompt": "every_day"},
    )
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    wait_for_service_worker(page)

    page.goto("/#/more")
    expect(page.get_by_text("WRAP (Wellness Recovery Action Plan)").first).to_be_visible()
    assert "(WRAP)" not in words_on_screen(page)

    page.goto("/#/history")
    expect(
        page.get_by_role("link", name="Added an entry to “Daily maintenance plan”")
    ).to_be_visible()
    expect(page.get_by_text("By you,").first).to_be_visible()

    page.context.set_offline(True)
    page.goto("/#/sharing")
    expect(
        page.get_by_text("Sharing needs a connection. Your plan itself works offline")
    ).to_be_visible()
    assert "needs a connection needs" not in words_on_screen(page)
    page.context.set_offline(False)

    # A clinician's import naming someone else, then sent anyway.
    clinician = Api(server, server.create_professional("Dr Lee", "clinician"))
    share_for_suggestions(person, plan["id"], clinician, ["crisis"], "clinician")
    doctor = phone(PHONE_390)
    sign_in(doctor, clinician.email)
    doctor.goto(f"/#/import/{plan['id']}")
    doctor.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "plan.md",
                "mimeType": "text/markdown",
                "buffer": b"# Crisis plan for Alex Morgan\n\nName: Alex Morgan\n\n"
                b"## Who I want to help\n\nMy brother.\n",
            }
        ]
    )
    doctor.get_by_role("button", name="Send it for review").click()
    refused = doctor.get_by_role("alert")
    expect(refused).to_contain_text("Nothing was stored")
    for word in INTERNAL:
        assert word not in refused.inner_text()
    doctor.get_by_role("checkbox").check()
    doctor.get_by_role("button", name="Send it for review").click()
    sent = doctor.locator(".flash")
    expect(sent).to_contain_text("Sent.")
    assert ".." not in sent.inner_text()

    # Signing in too often with a wrong password says how long to wait, in words.
    stranger = phone(PHONE_390)
    stranger.goto("/#/signin")
    for _ in range(6):  # one more than the app allows (LOGIN_MAX_FAILURES)
        stranger.get_by_label("Email").fill(person.email)
        stranger.get_by_label("Password").fill("not the password at all")
        with stranger.expect_response("**/api/v1/auth/token"):
            stranger.get_by_role("button", name="Sign in").click()
    expect(stranger.get_by_role("alert").first).to_contain_text("Wait about")
    assert "Retry-After" not in words_on_screen(stranger)


def test_history_credits_the_person_for_their_own_decision(phone, person, everyone):
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/suggestions")
    page.get_by_role("button", name="Accept").first.click()
    expect(page.get_by_text("Added to your plan.")).to_be_visible()
    page.goto("/#/history")
    latest = page.locator(".history li").first
    expect(latest).to_contain_text(
        "Accepted Riley's suggestion of adding to Triggers: “Busy shops”"
    )
    expect(latest).to_contain_text("By you,")
    expect(latest).not_to_contain_text("By Riley")
    assert "'triggers'" not in words_on_screen(page)
    check_screen(page, "history-after-a-suggestion")


def test_repeated_looks_are_one_line_in_the_access_log(phone, person, everyone):
    worker = everyone["worker"]
    shared = f"/shared-with-me/{everyone['worker_share']['share_id']}"
    for _ in range(9):
        worker.call("GET", shared)
        worker.call("GET", f"{shared}/comments")
        worker.call("GET", f"{shared}/suggestions")
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/access-log")
    grouped = page.locator("li.card", has_text="Riley opened your plan 9 times")
    expect(grouped).to_have_count(1)
    assert page.locator("main li.card").count() <= 12
    grouped.get_by_text("Each time (27)").click()
    expect(grouped.locator("details li")).to_have_count(27)
    for word in ["(0)", "no sections"]:
        assert word not in words_on_screen(page)
    check_screen(page, "access-log-grouped")


def test_a_supporter_suggests_with_each_section_and_the_person_can_disagree(
    phone, person, everyone
):
    worker = phone(PHONE_390)
    sign_in(worker, everyone["worker"].email)
    worker.goto(f"/#/shared/{everyone['worker_share']['share_id']}")
    expect(worker.get_by_role("heading", name="Sam's plan")).to_be_visible()
    # One suggest action and one comment action for each shared section, together under it.
    sections = worker.locator("main section.card")
    expect(sections).to_have_count(2)
    for section in sections.all():
        group = section.get_by_role("group", name="Your suggestions and comments on")
        expect(group.locator("summary", has_text="Suggest")).to_have_count(1)
        expect(group.locator("summary", has_text="comment")).to_have_count(1)
    check_screen(worker, "shared-plan-for-a-supporter")

    triggers = sections.filter(has=worker.get_by_role("heading", name="Triggers"))
    triggers.get_by_text("Suggest a change to “Triggers”").click()
    triggers.get_by_label("Change what they wrote").check()
    triggers.get_by_label("Which of their words?").select_option(label="“Letters about money”")
    expect(triggers.get_by_label("Suggested words")).to_have_value("Letters about money")
    triggers.get_by_label("Suggested words").fill("Brown envelopes")
    check_screen(worker, "shared-plan-suggesting")
    triggers.get_by_role("button", name="Send the suggestion").click()
    expect(worker.get_by_text("Your suggestion is sent.")).to_be_visible()

    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/suggestions")
    change = page.locator("li.card", has_text="Brown envelopes")
    change.locator("summary", has_text="Change it first").click()
    change.get_by_label("My version of the words").fill("Brown envelopes from the council")
    check_screen(page, "suggestion-change-first")
    change.get_by_role("button", name="Add my version").click()
    expect(page.get_by_text("Added to your plan.")).to_be_visible()
    wait_synced(page)
    assert "Brown envelopes from the council" in person.texts("triggers")
    assert "Letters about money" not in person.texts("triggers")

    shops = page.locator("li.card", has_text="Busy shops")
    shops.locator("summary", has_text="I disagree").click()
    shops.get_by_label("Why I disagree").press("End")
    shops.get_by_label("Why I disagree").press_sequentially("shops are fine for me")
    shops.get_by_role("button", name="Say no, with my reason").click()
    expect(page.get_by_text("Your plan hasn't changed.")).to_be_visible()
    assert "Busy shops" not in person.texts("triggers")

    worker.reload()
    expect(
        worker.get_by_text("Their answer: I disagree because shops are fine for me")
    ).to_be_visible()
    expect(worker.get_by_text("Their answer: Accepted with changes to the words.")).to_be_visible()
