"""A person's own sign-ins in the app, at 390 px: changing the password, the list of
signed-in devices with signing one out, signing out everywhere, and making an account with
an email that already has one."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.helpers.accounts import PASSWORD
from tests.helpers.browser import check_screen, sign_in, unique_email, wait_synced

pytestmark = pytest.mark.browser

WIDE_PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "a fresh passphrase of my own"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def _signed_in_elsewhere(server, email: str, user_agent: str = "", password: str = PASSWORD):
    """A second device's sign-in, through the API; its access token's headers."""
    response = httpx.post(
        f"{server.url}/api/v1/auth/token",
        data={"username": email, "password": password},
        headers={"User-Agent": user_agent} if user_agent else {},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _still_signed_in(server, headers) -> bool:
    return httpx.get(f"{server.url}/api/v1/me", headers=headers).status_code == 200


def _open_more(phone, email: str):
    page = phone(WIDE_PHONE)
    sign_in(page, email)
    wait_synced(page)
    page.goto("/#/more")
    expect(page.get_by_role("heading", name="Where you're signed in")).to_be_visible()
    return page


def test_changing_the_password_signs_out_the_other_devices(phone, person, server):
    elsewhere = _signed_in_elsewhere(server, person.email, ANDROID)
    page = _open_more(phone, person.email)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_label("Current password")).to_be_focused()
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That isn't your current password. Check it and try again."
    )
    page.evaluate("document.getElementById('current-password').scrollIntoView()")
    check_screen(page, "account-change-password")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".flash")).to_have_text(
        "Your password is changed. Any other device you were signed in on is now signed out."
    )
    assert not _still_signed_in(server, elsewhere)
    expect(page.locator(".devices li")).to_have_count(1)
    expect(page.locator(".devices li")).to_contain_text("Chrome on Linux (this device)")
    assert _signed_in_elsewhere(server, person.email, password=NEW_PASSWORD)


def test_a_too_common_new_password_is_explained(phone, person, server):
    page = _open_more(phone, person.email)
    page.get_by_role("button", name="Change password").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("iloveyou1")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "That password is too common; choose another one"
    )
    assert _signed_in_elsewhere(server, person.email)


def test_the_devices_list_signs_out_one_device(phone, person, server):
    android = _signed_in_elsewhere(server, person.email, ANDROID)
    page = _open_more(phone, person.email)
    devices = page.locator(".devices li")
    # This browser, the Android phone, and the test's own API sign-in.
    expect(devices).to_have_count(3)
    expect(devices.first).to_contain_text("Chrome on Linux (this device)")
    expect(devices.filter(has_text="Chrome on Linux")).not_to_contain_text("Sign out")
    page.evaluate("document.getElementById('devices-heading').scrollIntoView()")
    check_screen(page, "account-devices")

    devices.filter(has_text="Chrome on Android").get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash")).to_have_text("Chrome on Android is signed out.")
    expect(devices).to_have_count(2)
    expect(page.get_by_role("heading", name="Where you're signed in")).to_be_focused()
    assert not _still_signed_in(server, android)
    assert person.http.get("/me").status_code == 200


def test_signing_out_everywhere_asks_first_then_ends_every_sign_in(phone, person, server):
    android = _signed_in_elsewhere(server, person.email, ANDROID)
    page = _open_more(phone, person.email)
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_text("This signs you out on every device, this one too.")).to_be_visible()
    page.locator("#everywhere-yes").scroll_into_view_if_needed()
    check_screen(page, "account-sign-out-everywhere")
    page.get_by_role("button", name="No, go back").click()
    # The question's own "Sign out everywhere" must be gone before the tap that opens it again.
    expect(page.locator("#everywhere-yes")).to_have_count(0)
    assert _still_signed_in(server, android)

    page.get_by_role("button", name="Sign out everywhere").click()
    page.locator("#everywhere-yes").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert not _still_signed_in(server, android)
    assert person.http.get("/me").status_code == 401


def test_making_an_account_with_a_used_email_says_to_sign_in_instead(phone, person, server):
    page = phone(WIDE_PHONE)
    page.get_by_role("link", name="Make an account").click()
    page.get_by_label("What should we call you?").fill("Someone else")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill("another long passphrase")
    page.get_by_role("button", name="Make my account").click()
    expect(page.get_by_role("alert")).to_have_text(
        "We couldn't sign you in with this email and password. If you already have an account "
        "with this email, sign in with that account's password instead."
    )
    check_screen(page, "signup-used-email")
    # The account that was there is untouched.
    assert person.http.get("/me").json()["display_name"] == "Sam"
    assert _signed_in_elsewhere(server, person.email)


def test_making_an_account_signs_in_straight_after(phone):
    page = phone(WIDE_PHONE)
    page.get_by_role("link", name="Make an account").click()
    page.get_by_label("What should we call you?").fill("Robin")
    page.get_by_label("Email").fill(unique_email("Robin"))
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Make my account").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is too common")
    page.get_by_label("Password").fill("robin's own long passphrase")
    page.get_by_role("button", name="Make my account").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
