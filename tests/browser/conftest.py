"""Browser tests: the real server in a subprocess (on the suite's SQLite), driven by Debian's
headless Chromium through Playwright. Nothing is downloaded at run time: axe-core comes from
the npm registry with the rest of the test tools (`npm install --prefix tests/browser`)."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CRISIS_STATEMENT,
    PHONE,
    Api,
    Server,
    register,
    running_server,
    share_for_suggestions,
)

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session", autouse=True)
def once_per_run():
    """The PWA is checked in the SQLite pass only: what it asks of the server is the API,
    whose tests run on both databases, and a second pass in the browser cost CI about
    3.5 minutes of its 30."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(
            "the PWA is tested once per run, in the SQLite pass; the API it calls is "
            "tested on PostgreSQL too"
        )


@pytest.fixture(scope="session")
def server(database_url) -> Iterator[Server]:
    """The app, for the whole session, on the suite's SQLite database."""
    # Every browser test registers its people from this one address.
    with running_server(database_url, registration_max_per_address="10000") as started:
        yield started


@pytest.fixture
def person(server) -> Api:
    return register(server, "Sam")


@pytest.fixture
def everyone(person, server):
    """A person with a plan that has entries, a goal, a share with a link worker who
    suggested and commented, and a clinician who imported a crisis statement."""
    plan = person.call("POST", "/plans", json={"template": "green_book"})
    entries = f"/plans/{plan['id']}/sections"
    for section, prompt, text in [
        ("triggers", "trigger", "Crowded buses"),
        ("triggers", "trigger", "Letters about money"),
        ("triggers", "action", "Walk the last stop"),
        ("crisis", "who_helps", "My sister Jo: stay with me"),
    ]:
        person.call("POST", f"{entries}/{section}/entries", json={"text": text, "prompt": prompt})
    goal = {"way": "be_active", "steps": "Find the group", "progress": 0}
    person.call(
        "POST", f"{entries}/goals/entries", json={"text": "Walk with a group", "goal": goal}
    )

    worker = Api(server, server.create_professional("Riley", "link_worker"))
    worker_share = share_for_suggestions(
        person, plan["id"], worker, ["crisis", "triggers"], "link_worker"
    )
    shared = f"/shared-with-me/{worker_share['share_id']}"
    worker.call(
        "POST",
        f"{shared}/suggestions",
        json={"section": "triggers", "action": "add", "text": "Busy shops", "prompt": "trigger"},
    )
    worker.call(
        "POST",
        f"{shared}/comments",
        json={
            "section": "crisis",
            "text": "Shall we add Jo's number?",
            "acknowledged_visible_to_person": True,
        },
    )
    clinician = Api(server, server.create_professional("Dr Lee", "clinician"))
    share_for_suggestions(person, plan["id"], clinician, ["crisis"], "clinician")
    imported = clinician.call(
        "POST",
        f"/plans/{plan['id']}/imports",
        files={"file": ("crisis-plan.md", CRISIS_STATEMENT, "text/markdown")},
    )
    return {
        "plan": plan,
        "worker": worker,
        "worker_share": worker_share,
        "clinician": clinician,
        "import": imported,
    }


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser, server) -> Iterator:
    """Opens the app in a new phone-sized browser (own storage, own service worker).
    Fails the test if the page breaks the content security policy or throws."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def open_phone(viewport: dict[str, int] = PHONE) -> Page:
        context = browser.new_context(viewport=viewport, base_url=server.url)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto("/")
        return page

    yield open_phone
    for context in contexts:
        context.close()
    assert problems == []
