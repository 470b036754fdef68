"""The API reference at /docs works in a real browser under the app's own Content Security
Policy: Swagger UI comes from the app itself, and every documented operation is listed."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.helpers.browser import screenshot

pytestmark = pytest.mark.browser


def test_docs_render_every_operation_with_no_policy_violation(browser, server):
    operations = sum(
        len(methods) for methods in httpx.get(f"{server.url}/openapi.json").json()["paths"].values()
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    requested_elsewhere: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(server.url) else requested_elsewhere.append(request.url)
        ),
    )
    # Violations are also reported as events, whether or not they reach the console.
    page.add_init_script(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (event) => window.violations.push(event.violatedDirective + ' ' + event.blockedURI));"
    )
    try:
        page.goto(f"{server.url}/docs")
        expect(page.locator(".opblock").first).to_be_visible()
        expect(page.locator(".opblock")).to_have_count(operations)
        expect(page.get_by_text("/api/v1/plans/{plan_id}/crisis-card").first).to_be_visible()
        page.locator(".opblock-summary").first.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "api-docs")
        violations = page.evaluate("window.violations")
    finally:
        context.close()
    assert violations == []
    assert problems == []
    assert requested_elsewhere == []
