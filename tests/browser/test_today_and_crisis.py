""" "How are you today?" opens the person's own words for that moment, at once and offline;
the crisis plan is one tap away from every screen."""

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import sign_in, wait_for_service_worker, wait_synced

pytestmark = pytest.mark.browser


def seed(person) -> dict:
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    entries = [
        ("early_warning_signs", "sign", "I stop answering my phone"),
        ("early_warning_signs", "action", "Text my sister and go for a walk"),
        ("crisis", "who_helps", "My sister Jo: stay with me"),
        ("crisis", "treatments_refused", "No sedation if I can avoid it"),
        ("triggers", "trigger", "Letters about money"),
    ]
    for section, prompt, text in entries:
        person.call(
            "POST",
            f"/plans/{plan['id']}/sections/{section}/entries",
            json={"text": text, "prompt": prompt},
        )
    return plan


def test_today_check_in_shows_my_own_plan_for_how_i_am(phone, person):
    seed(person)
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", name="How are you today?")).to_be_visible()
    page.get_by_role("link", name="I'm noticing early warning signs").click()

    expect(page.get_by_role("heading", name="Early warning signs", level=1)).to_be_visible()
    sign = page.locator(".answers", has=page.get_by_role("heading", name="A sign I notice"))
    expect(sign).to_contain_text("I stop answering my phone")
    plan_for_it = page.locator(".answers", has=page.get_by_role("heading", name="My plan for it"))
    expect(plan_for_it).to_contain_text("Text my sister and go for a walk")
    expect(page.get_by_text("Letters about money")).to_have_count(0)

    page.get_by_role("link", name="Crisis plan", exact=True).click()
    expect(page.get_by_role("heading", name="My crisis plan")).to_be_visible()
    expect(page.get_by_text("My sister Jo: stay with me")).to_be_visible()
    expect(page.get_by_text("No sedation if I can avoid it")).to_be_visible()


def test_check_in_and_crisis_plan_open_with_no_signal(phone, person):
    seed(person)
    page = phone()
    sign_in(page, person.email)
    wait_synced(page)
    wait_for_service_worker(page)

    page.context.set_offline(True)
    page.goto("/#/today/crisis")
    expect(page.get_by_role("heading", name="You're in crisis")).to_be_visible()
    expect(page.get_by_text("My sister Jo: stay with me")).to_be_visible()
    expect(page.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(page.locator("#sync-status")).to_contain_text("Saved on this phone")
