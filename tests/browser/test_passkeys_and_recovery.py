"""Passkeys and getting back in, at 390 px in Chromium with a virtual authenticator (CDP's
WebAuthn domain: a platform passkey store that verifies the user): making an account with
a passkey, signing out and in with it, adding and removing passkeys, deleting the account
after confirming it's you; and "Forgot password?" end to end, the link read from the email
a real SMTP server (aiosmtpd) received.

Passkeys need a name for the app's host, not an IP address, so this module runs its own
server at http://localhost:PORT (PUBLIC_BASE_URL, and so the relying party id, follow)."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.helpers.accounts import PASSWORD
from tests.helpers.browser import (
    check_screen,
    running_server,
    sign_in,
    unique_email,
    wait_synced,
)
from tests.helpers.mailbox import link_in, running_mailbox

pytestmark = pytest.mark.browser

WIDE_PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "a fresh passphrase of my own"
SIGN_IN_SCREEN = re.compile(r"#/signin$")


@pytest.fixture(scope="module")
def mail_and_smtp_url():
    with running_mailbox() as running:
        yield running


@pytest.fixture(scope="module")
def server(database_url, mail_and_smtp_url):
    with running_server(
        database_url,
        host="localhost",
        registration_max_per_address="10000",
        smtp_url=mail_and_smtp_url[1],
    ) as started:
        yield started


@pytest.fixture
def mailbox(mail_and_smtp_url):
    return mail_and_smtp_url[0]


def with_authenticator(page: Page):
    """Gives the page a phone's passkey store; the CDP session and the store's id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def stored_passkeys(cdp, authenticator_id: str) -> list[dict]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def api_sign_in(server, email: str, password: str) -> int:
    return httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": email, "password": password}
    ).status_code


def open_more(page: Page) -> None:
    page.goto("/#/more")
    expect(page.get_by_role("heading", name="Your passkeys")).to_be_visible()


def sign_out(page: Page) -> None:
    open_more(page)
    page.locator("#sign-out").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()


def open_link(phone, link: str) -> Page:
    """A new phone that follows the link (once the app has opened its first screen, which
    would otherwise replace the link's address with its own)."""
    page = phone(WIDE_PHONE)
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.goto(link)
    return page


def test_making_an_account_with_a_passkey_then_signing_in_with_it(phone, server):
    page = phone(WIDE_PHONE)
    cdp, authenticator = with_authenticator(page)
    email = unique_email("Kim")
    page.get_by_role("link", name="Make an account").click()
    page.get_by_label("What should we call you?").fill("Kim")
    page.get_by_label("Email").fill(email)
    check_screen(page, "passkeys-sign-up")
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    [passkey] = stored_passkeys(cdp, authenticator)
    assert passkey["isResidentCredential"] is True
    # No password was made: none opens the account.
    assert api_sign_in(server, email, PASSWORD) == 401

    sign_out(page)
    check_screen(page, "passkeys-sign-in")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page).not_to_have_url(SIGN_IN_SCREEN)

    open_more(page)
    expect(page.get_by_text(f"Signed in as Kim ({email}).")).to_be_visible()
    expect(page.locator(".devices li").filter(has_text="this device")).to_contain_text(
        "with a passkey"
    )
    expect(page.get_by_text("You sign in with a passkey, so you have no password.")).to_be_visible()
    # The only way in cannot be removed.
    passkeys = page.locator("#passkeys li")
    expect(passkeys).to_have_count(1)
    expect(passkeys).to_contain_text("Chrome on Linux")
    passkeys.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("alert")).to_contain_text("leave you no way to sign in")
    expect(page.locator("#passkeys li")).to_have_count(1)
    page.get_by_role("heading", name="Your passkeys").scroll_into_view_if_needed()
    check_screen(page, "passkeys-account")

    # Deleting the account: confirmed with the passkey.
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-question")).to_contain_text("confirm it's you with your passkey")
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("isn't registered here")


def test_adding_and_removing_a_passkey_on_an_account_with_a_password(phone, person, server):
    page = phone(WIDE_PHONE)
    cdp, authenticator = with_authenticator(page)
    sign_in(page, person.email)
    wait_synced(page)
    open_more(page)
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("textbox", name="Enter your password")).to_be_focused()
    page.get_by_role("textbox", name="Enter your password").fill("not my password")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That isn't your current password. Check it and try again."
    )
    assert stored_passkeys(cdp, authenticator) == []
    page.get_by_role("textbox", name="Enter your password").fill(PASSWORD)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator(".flash")).to_have_text(
        "Your passkey is added. Next time you can sign in with it: no password needed."
    )
    expect(page.locator("#passkeys li")).to_have_count(1)
    expect(page.locator("#passkeys li")).to_contain_text("not used to sign in yet")
    assert len(stored_passkeys(cdp, authenticator)) == 1

    sign_out(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).not_to_have_url(SIGN_IN_SCREEN)
    open_more(page)
    expect(page.locator("#passkeys li")).to_contain_text("last used")
    page.locator("#passkeys li").get_by_role("button", name="Remove").click()
    expect(page.locator(".flash")).to_contain_text("is removed")
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    assert person.call("GET", "/me/passkeys") == []


def test_deleting_the_account_asks_for_the_password(phone, person, server):
    page = phone(WIDE_PHONE)
    sign_in(page, person.email)
    wait_synced(page)
    open_more(page)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("textbox", name="Enter your password")).to_be_focused()
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.get_by_role("alert")).to_have_text("Enter your password first.")
    page.get_by_role("textbox", name="Enter your password").fill("not my password")
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That isn't your current password. Check it and try again."
    )
    check_screen(page, "passkeys-delete-account")
    assert api_sign_in(server, person.email, PASSWORD) == 200
    page.get_by_role("textbox", name="Enter your password").fill(PASSWORD)
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert api_sign_in(server, person.email, PASSWORD) == 401


def test_forgot_password_through_the_emailed_link(phone, person, server, mailbox):
    page = phone(WIDE_PHONE)
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill(person.email)
    check_screen(page, "passkeys-forgot-password")
    page.get_by_role("button", name="Send me a link").click()
    expect(
        page.get_by_role("status").filter(has_text="If an account has this email")
    ).to_be_visible()

    link = link_in(mailbox.wait_for_mail_to(person.email))
    assert link.startswith(f"{server.url}/#/reset-password/")
    fresh = open_link(phone, link)
    expect(fresh.get_by_role("heading", name="Choose a new password")).to_be_visible()
    fresh.get_by_label("New password").fill("password1")
    fresh.get_by_role("button", name="Save my new password").click()
    expect(fresh.get_by_role("alert")).to_have_text(
        "That password is too common; choose another one."
    )
    check_screen(fresh, "passkeys-reset-password")
    fresh.get_by_label("New password").fill(NEW_PASSWORD)
    fresh.get_by_role("button", name="Save my new password").click()
    expect(fresh.get_by_role("navigation", name="Main")).to_be_visible()
    expect(fresh.locator(".flash")).to_have_text(
        "Your new password is set. Any other device you were signed in on is now signed out."
    )
    assert api_sign_in(server, person.email, NEW_PASSWORD) == 200
    assert api_sign_in(server, person.email, PASSWORD) == 401

    # The link works once.
    used = open_link(phone, link)
    used.get_by_label("New password").fill("yet another passphrase")
    used.get_by_role("button", name="Save my new password").click()
    expect(used.get_by_role("alert")).to_contain_text("already used")
