"""The phone keeps the plan private, at 390 px: the offline copy in IndexedDB is encrypted
(with or without an app lock); a PIN locks the app, on reload, after the chosen idle time and
after that long in the background; wrong PINs are explained and the fifth in a row wipes the
phone's copy (the plan comes back on signing in); the crisis plan shows on the lock screen
only when chosen; signing out wipes the copy and its keys."""

import json

import pytest
from playwright.sync_api import Page, expect

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

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
PIN = "482916"

# Every store of the app's database, as stored: binary values (the sealed records, wrapped
# keys) decoded as UTF-8 so that any words kept in the clear would show.
STORED = """async () => {
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("wellbeing-plans");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const stores = {};
    for (const name of db.objectStoreNames) {
        stores[name] = await new Promise((resolve) => {
            const request = db.transaction(name).objectStore(name).getAll();
            request.onsuccess = () => resolve(request.result);
        });
    }
    db.close();
    const bytes = (v) => new TextDecoder().decode(v);
    return JSON.stringify(stores, (_key, value) =>
        value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? bytes(value)
        : value instanceof CryptoKey
        ? {cryptoKey: value.algorithm.name, extractable: value.extractable}
        : value);
}"""


def stored(page: Page) -> dict:
    return json.loads(page.evaluate(STORED))


def words_in_the_clear(page: Page, words: list[str]) -> list[str]:
    everything = page.evaluate(STORED)
    return [word for word in words if word in everything]


def open_app_lock(page: Page) -> None:
    page.goto("/#/more")
    page.get_by_role("link", name="Lock the app with a PIN").click()
    expect(page.get_by_role("heading", name="App lock", level=1)).to_be_visible()


def turn_on_the_lock(page: Page, pin: str = PIN, after: str = "5 minutes without using it") -> None:
    open_app_lock(page)
    page.get_by_label("Choose a PIN").fill(pin)
    page.get_by_label("Type the same PIN again").fill(pin)
    page.get_by_label("Lock the app after").select_option(label=after)
    page.get_by_role("button", name="Turn on the app lock").click()
    expect(page.locator(".flash")).to_have_text(
        "Your PIN is set. From now on the app asks for it on this phone."
    )


def expect_locked(page: Page) -> None:
    expect(page.get_by_role("heading", name="Your plan is locked")).to_be_visible()
    expect(page.locator("#main")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


def unlock(page: Page, pin: str = PIN) -> None:
    page.get_by_label("Your PIN").fill(pin)
    page.get_by_role("button", name="Unlock", exact=True).click()


def test_the_offline_copy_is_encrypted_without_an_app_lock(phone, server):
    page = phone(PHONE_390)
    email = sign_up(page, "Morgan")
    start_plan(page)
    page.get_by_role("link", name="Triggers").click()
    add_entry(page, "Something that can set me off", "Thunderstorms at night")
    wait_synced(page)
    page.context.set_offline(True)
    edit_entry(page, "Thunderstorms at night", "Thunderstorms and fireworks")
    add_entry(page, "What I'll do", "Headphones and the blue blanket")
    expect(page.locator("#sync-status")).to_contain_text("2 changes waiting")

    kept = stored(page)
    assert [len(kept[name]) for name in ("plans", "outbox")] == [1, 2]
    assert all(set(record) == {"id", "sealed"} for record in kept["plans"])
    [device_key] = [r["key"] for r in kept["device"] if r["name"] == "device-key"]
    assert device_key == {"cryptoKey": "AES-KW", "extractable": False}
    words = ["Thunderstorms", "fireworks", "blue blanket", "Triggers", "Morgan", email]
    assert words_in_the_clear(page, words) == []

    page.context.set_offline(False)
    wait_synced(page)
    assert Api(server, email).texts("triggers") == [
        "Thunderstorms and fireworks",
        "Headphones and the blue blanket",
    ]


def test_a_pin_locks_the_app_and_only_the_right_pin_opens_it(phone, server):
    page = phone(PHONE_390)
    email = sign_up(page)
    start_plan(page)
    page.get_by_role("link", name="Triggers").click()
    add_entry(page, "Something that can set me off", "Crowded buses")
    wait_synced(page)
    wait_for_service_worker(page)

    open_app_lock(page)
    page.get_by_label("Choose a PIN").fill("12")
    page.get_by_label("Type the same PIN again").fill("12")
    page.get_by_role("button", name="Turn on the app lock").click()
    expect(page.get_by_role("alert")).to_have_text("A PIN is numbers only, at least 4 of them.")
    page.get_by_label("Choose a PIN").fill(PIN)
    page.get_by_label("Type the same PIN again").fill("482917")
    page.get_by_role("button", name="Turn on the app lock").click()
    expect(page.get_by_role("alert")).to_have_text("The two PINs aren't the same. Type them again.")
    page.get_by_role("alert").scroll_into_view_if_needed()
    check_screen(page, "app-lock-settings")
    turn_on_the_lock(page)
    expect(page.get_by_label("Crisis plan visible when locked")).not_to_be_checked()
    page.evaluate("scrollTo(0, 0)")
    check_screen(page, "app-lock-on")

    page.context.set_offline(True)
    page.goto("/#/plan/triggers")
    edit_entry(page, "Crowded buses", "Crowded buses and trains")
    add_entry(page, "Something that can set me off", "Loud parties")
    page.reload()
    expect_locked(page)
    expect(page).to_have_title("Locked – Your plan")
    # Not on the screen, nor anywhere in the page.
    assert "Crowded" not in page.content()
    expect(page.get_by_role("button", name="Open my crisis plan")).to_have_count(0)
    assert words_in_the_clear(page, ["Crowded", "Loud parties", "Triggers", email]) == []
    check_screen(page, "lock-screen")

    unlock(page, "000000")
    expect(page.get_by_role("alert")).to_have_text(
        "That PIN isn't right. 4 more tries before this phone forgets your plan."
    )
    expect(page.get_by_label("Your PIN")).to_have_value("")
    check_screen(page, "lock-screen-wrong-pin")
    unlock(page)
    expect(page.get_by_role("heading", name="Triggers", level=1)).to_be_visible()
    expect(page.locator(".entry", has_text="Crowded buses and trains")).to_be_visible()
    expect(page.locator(".entry", has_text="Loud parties")).to_be_visible()
    expect(page.locator("#sync-status")).to_contain_text("2 changes waiting")

    page.context.set_offline(False)
    wait_synced(page)
    assert Api(server, email).texts("triggers") == ["Crowded buses and trains", "Loud parties"]


def test_five_wrong_pins_in_a_row_wipe_the_phone_and_signing_in_brings_the_plan_back(phone):
    page = phone(PHONE_390)
    email = sign_up(page)
    start_plan(page)
    page.get_by_role("link", name="Bad days").click()
    add_entry(page, "What I'll do", "A hot bath and an early night")
    wait_synced(page)
    turn_on_the_lock(page)

    page.reload()
    expect_locked(page)
    for left in (4, 3):
        unlock(page, "1111")
        expect(page.get_by_role("alert")).to_contain_text(f"{left} more tries")
    # The count holds over a reload: closing the app does not give more tries.
    page.reload()
    unlock(page, "2222")
    expect(page.get_by_role("alert")).to_contain_text("2 more tries")
    unlock(page, "3333")
    expect(page.get_by_role("alert")).to_contain_text("1 more try before")
    unlock(page, "4444")

    expect(page.get_by_role("heading", name="This phone has forgotten your plan")).to_be_visible()
    check_screen(page, "lock-screen-wiped")
    assert all(records == [] for records in stored(page).values())

    page.get_by_role("button", name="Sign in again").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    sign_in(page, email)
    page.goto("/#/plan/bad_days")
    expect(page.locator(".entry", has_text="A hot bath and an early night")).to_be_visible()
    # Signed in again, nothing is locked any more and the new copy is encrypted again.
    page.reload()
    expect(page.locator(".entry", has_text="A hot bath and an early night")).to_be_visible()
    assert words_in_the_clear(page, ["hot bath"]) == []


def test_a_right_pin_starts_the_count_again(phone):
    page = phone(PHONE_390)
    sign_up(page)
    start_plan(page)
    wait_synced(page)
    turn_on_the_lock(page)
    page.reload()
    for left in ("4 more tries", "3 more tries", "2 more tries", "1 more try"):
        unlock(page, "9999")
        expect(page.get_by_role("alert")).to_contain_text(f"{left} before")
    unlock(page)
    expect(page.get_by_role("heading", name="App lock", level=1)).to_be_visible()
    page.reload()
    unlock(page, "9999")
    expect(page.get_by_role("alert")).to_contain_text("4 more tries")


def test_the_crisis_plan_shows_on_the_lock_screen_only_when_chosen(phone, person):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    person.call(
        "POST",
        f"/plans/{plan['id']}/sections/crisis/entries",
        json={"text": "My sister Jo: stay with me", "prompt": "who_helps"},
    )
    person.call(
        "POST",
        f"/plans/{plan['id']}/sections/triggers/entries",
        json={"text": "Letters about money", "prompt": "trigger"},
    )
    page = phone(PHONE_390)
    sign_in(page, person.email)
    wait_synced(page)
    turn_on_the_lock(page)
    page.reload()
    expect_locked(page)
    expect(page.get_by_role("button", name="Open my crisis plan")).to_have_count(0)
    unlock(page)

    open_app_lock(page)
    page.get_by_label("Crisis plan visible when locked").check()
    expect(page.locator(".flash")).to_have_text("Your crisis plan now shows on the lock screen.")
    expect(page.get_by_label("Crisis plan visible when locked")).to_be_checked()
    assert words_in_the_clear(page, ["My sister Jo", "Letters about money"]) == []

    page.reload()
    expect_locked(page)
    page.get_by_role("button", name="Open my crisis plan").click()
    expect(page.get_by_role("heading", name="My crisis plan")).to_be_visible()
    expect(page.get_by_text("My sister Jo: stay with me")).to_be_visible()
    assert "Letters about money" not in page.locator("body").inner_text()
    check_screen(page, "lock-screen-crisis-plan")
    page.get_by_role("button", name="Back to unlock").click()
    unlock(page)

    open_app_lock(page)
    page.get_by_label("Crisis plan visible when locked").uncheck()
    expect(page.locator(".flash")).to_have_text(
        "Your crisis plan no longer shows on the lock screen."
    )
    assert not [r for r in stored(page)["device"] if r["name"].startswith("crisis")]
    page.reload()
    expect_locked(page)
    expect(page.get_by_role("button", name="Open my crisis plan")).to_have_count(0)


def _go_to_background(page: Page, hidden: bool) -> None:
    """What the browser does when the person switches to another app (or back)."""
    page.evaluate(
        """(hidden) => {
            Object.defineProperty(document, "visibilityState", {
                configurable: true, get: () => (hidden ? "hidden" : "visible"),
            });
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_it_locks_after_the_idle_time_and_after_that_long_in_the_background(phone):
    page = phone(PHONE_390)
    page.clock.install()
    page.reload()
    sign_up(page)
    start_plan(page)
    wait_synced(page)
    turn_on_the_lock(page, after="1 minute without using it")
    page.goto("/#/plan")
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()

    page.clock.fast_forward("00:30")
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()
    # The page scrolling by itself (a redraw, a sync's status line) is not someone using it.
    page.evaluate("window.scrollTo(0, 200)")
    page.clock.fast_forward("00:31")
    expect_locked(page)
    unlock(page)
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()

    # Away a short while: blank in the app switcher, open again on return.
    _go_to_background(page, hidden=True)
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_hidden()
    page.clock.fast_forward("00:20")
    _go_to_background(page, hidden=False)
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()

    # Away longer than the idle time: locked on return, timers in the background or not.
    _go_to_background(page, hidden=True)
    page.clock.fast_forward("01:05")
    _go_to_background(page, hidden=False)
    expect_locked(page)


def test_words_not_yet_saved_wait_behind_the_lock(phone):
    page = phone(PHONE_390)
    page.clock.install()
    page.reload()
    sign_up(page)
    start_plan(page)
    wait_synced(page)
    turn_on_the_lock(page, after="1 minute without using it")
    page.goto("/#/plan/triggers")
    page.get_by_text("Add to “Something that can set me off”").click()
    page.locator("details[open] form").get_by_role("textbox").first.fill("Half-written thought")

    page.clock.fast_forward("01:01")
    expect_locked(page)
    assert "Half-written" not in page.locator("body").inner_text()
    unlock(page)
    expect(page.locator("details[open] form").get_by_role("textbox").first).to_have_value(
        "Half-written thought"
    )


@pytest.fixture
def phone_with_screen_lock(browser, server):
    """A phone with a fingerprint reader: Chromium's virtual authenticator, with user
    verification and the PRF extension. On `localhost`: WebAuthn refuses an IP address."""
    context = browser.new_context(
        viewport=PHONE_390, base_url=server.url.replace("127.0.0.1", "localhost")
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    authenticators = context.new_cdp_session(page)
    authenticators.send("WebAuthn.enable")
    added = authenticators.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "hasPrf": True,
            }
        },
    )
    page.goto("/")
    yield page, authenticators, added["authenticatorId"]
    context.close()
    assert problems == []


def test_the_phones_screen_lock_can_open_the_app(phone_with_screen_lock):
    page, authenticators, authenticator_id = phone_with_screen_lock
    sign_up(page)
    start_plan(page)
    page.get_by_role("link", name="Triggers").click()
    add_entry(page, "Something that can set me off", "Slamming doors")
    wait_synced(page)
    turn_on_the_lock(page)
    page.get_by_label("Your app PIN").fill("1234")
    page.get_by_role("button", name="Use my phone's screen lock").click()
    expect(page.get_by_role("alert")).to_contain_text("That PIN isn't right.")
    page.get_by_label("Your app PIN").fill(PIN)
    page.get_by_role("button", name="Use my phone's screen lock").click()
    expect(page.locator(".flash")).to_have_text(
        "Your phone's screen lock opens the app now. Your PIN still works too."
    )
    assert words_in_the_clear(page, ["Slamming doors"]) == []

    page.reload()
    expect_locked(page)
    page.get_by_role("button", name="Unlock with your phone's screen lock").click()
    expect(page.get_by_role("heading", name="App lock", level=1)).to_be_visible()
    page.goto("/#/plan/triggers")
    expect(page.locator(".entry", has_text="Slamming doors")).to_be_visible()

    # The person says no to the fingerprint (or it isn't theirs): the PIN still opens it.
    authenticators.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False}
    )
    page.reload()
    page.get_by_role("button", name="Unlock with your phone's screen lock").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Your phone's screen lock didn't open the app. Try again, or type your PIN."
    )
    expect_locked(page)
    check_screen(page, "lock-screen-with-screen-lock")
    unlock(page)
    expect(page.locator(".entry", has_text="Slamming doors")).to_be_visible()
    page.goto("/#/app-lock")
    page.get_by_role("heading", name="Your phone's screen lock").scroll_into_view_if_needed()
    check_screen(page, "app-lock-screen-lock-on")


def test_signing_out_warns_of_unsent_changes_then_wipes_the_copy_and_keys(phone):
    page = phone(PHONE_390)
    email = sign_up(page)
    start_plan(page)
    wait_synced(page)
    turn_on_the_lock(page)
    page.context.set_offline(True)
    page.goto("/#/plan/notes")
    add_entry(page, "A note or page", "Ring the dentist")

    page.goto("/#/more")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("1 change hasn't reached the server yet.")).to_be_visible()
    before = stored(page)
    assert len(before["outbox"]) == 1
    page.get_by_role("button", name="Sign out anyway").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    after = stored(page)
    assert [after[name] for name in ("plans", "outbox", "decisions", "meta")] == [[]] * 4
    # Only a new key is left (the sign-in screen opens one): no PIN, nothing of the old one.
    assert sorted(r["name"] for r in after["device"]) == ["data-key", "device-key"]
    [old_key] = [r["wrapped"] for r in before["device"] if r["name"] == "data-key"]
    [new_key] = [r["wrapped"] for r in after["device"] if r["name"] == "data-key"]
    assert new_key != old_key

    page.context.set_offline(False)
    sign_in(page, email)
    # A new start: no app lock, and a new key for the new copy.
    page.reload()
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()
    assert [r["by"] for r in stored(page)["device"] if r["name"] == "data-key"] == ["device"]


def test_two_tabs_share_one_copy_and_signing_out_in_one_clears_the_other(phone):
    first = phone(PHONE_390)
    sign_up(first)
    start_plan(first)
    wait_synced(first)
    second = first.context.new_page()
    second.goto("/#/plan/notes")
    turn_on_the_lock(first)

    # Setting the PIN wraps the same key again: the other tab goes on working.
    add_entry(second, "A note or page", "Written in the second tab")
    wait_synced(second)
    first.goto("/#/plan/notes")
    expect(first.locator(".entry", has_text="Written in the second tab")).to_be_visible()

    first.goto("/#/more")
    first.get_by_role("button", name="Sign out", exact=True).click()
    expect(first.get_by_role("heading", name="Welcome back")).to_be_visible()
    expect(second.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert "Written in the second tab" not in second.content()
