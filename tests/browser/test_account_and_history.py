"""Taking your plan with you, going back to an earlier version, signing out (which clears the
phone) and deleting your account."""

import json

import httpx
import pytest
from playwright.sync_api import expect

from tests.helpers.accounts import PASSWORD
from tests.helpers.browser import sign_in, wait_synced

pytestmark = pytest.mark.browser

STORED_PLANS = """async () => {
    const db = await new Promise((resolve) => {
        const request = indexedDB.open("wellbeing-plans");
        request.onsuccess = () => resolve(request.result);
    });
    const plans = await new Promise((resolve) => {
        const request = db.transaction("plans").objectStore("plans").getAll();
        request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return plans.length;
}"""


def test_an_earlier_version_can_be_made_current_again(phone, person):
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    entry = person.call(
        "POST", f"/plans/{plan['id']}/sections/triggers/entries", json={"text": "Crowds"}
    )
    person.call(
        "PATCH",
        f"/plans/{plan['id']}/sections/triggers/entries/{entry['id']}",
        json={"text": "Crowds, changed by mistake"},
    )
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="More").click()
    page.get_by_role("link", name="Your plan's history").click()
    page.get_by_role("link", name="Version 2: Added an entry to “Triggers”").click()
    expect(page.get_by_text("Crowds", exact=True)).to_be_visible()
    page.get_by_role("button", name="Make this my current plan").click()

    expect(page.get_by_text("Version 2 is your current plan again.")).to_be_visible()
    assert person.texts("triggers") == ["Crowds"]
    history = person.call("GET", f"/plans/{plan['id']}/revisions")
    assert history[0]["summary"] == "Restored version 2" and len(history) == 4


def test_download_everything_gives_the_export_file(phone, person):
    person.call("POST", "/plans", json={"template": "wrap", "title": "My WRAP"})
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/more")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download everything").click()
    assert download.value.suggested_filename == "my-plans.json"
    exported = json.loads(download.value.path().read_text())
    assert [p["title"] for p in exported["plans"]] == ["My WRAP"]


def test_signing_out_removes_the_plans_from_the_phone(phone, person):
    person.call("POST", "/plans", json={"template": "green_book"})
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)
    assert page.evaluate(STORED_PLANS) == 1

    page.goto("/#/more")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert page.evaluate(STORED_PLANS) == 0
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


def test_deleting_the_account_asks_first_then_removes_everything(phone, person, server):
    person.call("POST", "/plans", json={"template": "green_book"})
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/more")

    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("It can't be undone")).to_be_visible()
    page.get_by_role("button", name="No, go back").click()
    expect(page.get_by_text("It can't be undone")).to_have_count(0)
    assert person.only_plan()["template"] == "green_book"

    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("textbox", name="Enter your password").fill(PASSWORD)
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert page.evaluate(STORED_PLANS) == 0
    refused = httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": person.email, "password": PASSWORD}
    )
    assert refused.status_code == 401
