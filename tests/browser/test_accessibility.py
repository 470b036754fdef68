"""Every screen, at phone size: a screenshot in test-artifacts/, and no serious or critical
WCAG 2.2 A/AA problems found by axe-core."""

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import check_screen, register, sign_in, wait_synced

pytestmark = pytest.mark.browser


def visit(page: Page, path: str, heading: str) -> None:
    page.goto(f"/#/{path}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_every_screen_is_accessible_at_phone_size(phone, server, person, everyone):
    first_visit = phone()
    expect(first_visit.get_by_role("heading", name="Welcome back")).to_be_visible()
    check_screen(first_visit, "sign-in")
    visit(first_visit, "signup", "Make your account")
    check_screen(first_visit, "sign-up")
    visit(first_visit, "invite/ABCD-EFGH", "Someone shared their plan with you")
    check_screen(first_visit, "invite-signed-out")

    page = phone()
    sign_in(page, person.email)
    wait_synced(page)
    check_screen(page, "plan")
    page.get_by_role("button", name="Change the order").click()
    check_screen(page, "plan-arranging")

    visit(page, "plan/triggers", "Triggers")
    check_screen(page, "section")
    page.locator(".entry", has_text="Crowded buses").get_by_role("button", name="Edit").click()
    check_screen(page, "section-editing")
    page.get_by_role("button", name="Cancel").click()
    page.locator(".entry", has_text="Crowded buses").get_by_role("button", name="Remove").click()
    check_screen(page, "section-removing")
    page.get_by_role("button", name="Keep it").click()

    visit(page, "plan/goals", "My goals")
    page.get_by_text("Add to “Something I want to do”").click()
    check_screen(page, "goals-adding")

    for path, heading, name in [
        ("today", "How are you today?", "today"),
        ("today/triggered", "Something triggered you", "today-triggered"),
        ("today/crisis", "You're in crisis", "today-crisis"),
        ("crisis", "My crisis plan", "crisis-plan"),
        ("history", "Your plan's history", "history"),
        ("history/1", "Version 1", "history-version"),
        ("decisions", "Changes that need your choice", "decisions"),
        ("more", "More", "more"),
        ("print", "Green Book", "print"),
        ("sharing", "Who can see your plan", "sharing"),
        ("sharing/new", "Share with someone", "sharing-new"),
        ("access-log", "Who looked at your plan", "access-log"),
        ("suggestions", "Suggestions and imports", "suggestions"),
        ("invite/ABCD-EFGH", "Accept a shared plan", "invite"),
    ]:
        visit(page, path, heading)
        check_screen(page, name)

    visit(page, "sharing", "Who can see your plan")
    page.get_by_role("link", name="Change what Riley can see").click()
    expect(page.get_by_role("heading", name="Change what Riley can see")).to_be_visible()
    check_screen(page, "sharing-change")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("heading", name="Who can see your plan")).to_be_visible()
    page.get_by_role("button", name="Switch all sharing off").click()
    expect(page.get_by_role("group", name="Switch all sharing off?")).to_be_visible()
    check_screen(page, "sharing-all-off-confirm")

    visit(page, f"imports/{everyone['import']['id']}", "An imported crisis statement")
    check_screen(page, "import-review")

    visit(page, "crisis-card", "Crisis card")
    page.get_by_role("button", name="Make a crisis card").click()
    expect(page.get_by_role("img", name="QR code of your crisis card link")).to_be_visible()
    check_screen(page, "crisis-card")

    worker = phone()
    sign_in(worker, everyone["worker"].email)
    expect(worker.get_by_role("heading", name="Shared with you")).to_be_visible()
    check_screen(worker, "shared-with-me")
    worker.get_by_role("link", name="Sam: Green Book").click()
    expect(worker.get_by_role("heading", name="Sam's plan")).to_be_visible()
    worker.get_by_text("Leave a comment on “My crisis plan”").click()
    check_screen(worker, "shared-plan")

    clinician = phone()
    sign_in(clinician, everyone["clinician"].email)
    visit(clinician, "import", "Import for Sam")  # their only plan to import into
    check_screen(clinician, "import-upload")

    newcomer = phone()
    sign_in(newcomer, register(server, "Kai").email)
    expect(newcomer.get_by_role("heading", name="Let's start your plan")).to_be_visible()
    check_screen(newcomer, "welcome")
