"""Browser tests: the real server in a subprocess (on the suite's database), driven by Debian's
headless Chromium through Playwright. Nothing is downloaded at run time: axe-core comes from
the npm registry with the rest of the test tools (`npm install --prefix tests/browser`)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import count
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from app.core.config import PROJECT_ROOT
from tests.helpers.accounts import PASSWORD, TEST_SECRET_KEY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_people = count(1)

expect.set_options(timeout=10_000)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    env: dict[str, str]

    def create_professional(self, name: str, role: str) -> str:
        """A professional account, made the way an administrator makes one (the CLI)."""
        email = unique_email(name)
        subprocess.run(  # noqa: S603 (our own CLI, fixed arguments)
            [sys.executable, "-m", "app", "create-user", "--email", email, "--name", name]
            + ["--role", role, "--organisation", "Riverside Social Prescribing"],
            env=self.env | {"NEW_USER_PASSWORD": PASSWORD},
            check=True,
            capture_output=True,
            cwd=PROJECT_ROOT,
        )
        return email


def unique_email(name: str) -> str:
    local = name.lower().replace(" ", ".")
    return f"{local}.browser.{os.getpid()}.{next(_people)}@example.org"


@contextmanager
def running_server(database_url: str, host: str = "127.0.0.1", **settings: str) -> Iterator[Server]:
    """Uvicorn on a free port, on an already migrated database; `settings` as env vars.
    `host` is the name the app is reached by (passkeys need a name such as localhost, not
    an IP address); it listens on 127.0.0.1 either way."""
    port = _free_port()
    url = f"http://{host}:{port}"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "APP_ENV": "test",
        **{name.upper(): value for name, value in settings.items()},
    }
    process = subprocess.Popen(  # noqa: S603 (uvicorn, fixed arguments)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=PROJECT_ROOT,
    )
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the app server did not start")
        yield Server(url, env)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(database_url) -> Iterator[Server]:
    """The app, for the whole session, on the suite's database (SQLite or PostgreSQL)."""
    # Every browser test registers its people from this one address.
    with running_server(database_url, registration_max_per_address="10000") as started:
        yield started


class Api:
    """The JSON API as one signed-in account, for setting up and checking what the server has."""

    def __init__(self, server: Server, email: str) -> None:
        self.email = email
        self.http = httpx.Client(base_url=f"{server.url}/api/v1")
        response = self.http.post("/auth/token", data={"username": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs):
        response = self.http.request(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def only_plan(self) -> dict:
        [summary] = self.call("GET", "/plans")
        return self.call("GET", f"/plans/{summary['id']}")

    def texts(self, section: str) -> list[str]:
        plan = self.only_plan()
        return [e["text"] for s in plan["sections"] if s["key"] == section for e in s["entries"]]


def register(server: Server, name: str) -> Api:
    """A person with an account (registered through the API) and no plan yet."""
    email = unique_email(name)
    response = httpx.post(
        f"{server.url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name},
    )
    assert response.status_code == 201, response.text
    return Api(server, email)


@pytest.fixture
def person(server) -> Api:
    return register(server, "Sam")


CRISIS_STATEMENT = b"""# Joint crisis plan

## Who I want to help

My sister Jo, who can talk to the ward for me.

## Treatments I do not want

No sedation if it can be avoided.
"""


def share_for_suggestions(
    owner: Api, plan_id: str, grantee: Api, sections: list[str], label: str
) -> dict:
    made = owner.call(
        "POST",
        f"/plans/{plan_id}/shares",
        json={"sections": sections, "permission": "suggest", "label": label},
    )
    return grantee.call("POST", "/shares/accept", json={"code": made["invite_code"]})


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


# ---- things a person does in the app --------------------------------------------------


def sign_up(page: Page, name: str = "Sam") -> str:
    email = unique_email(name)
    page.get_by_role("link", name="Make an account").click()
    page.get_by_label("What should we call you?").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Make my account").click()
    return email


def sign_in(page: Page, email: str) -> None:
    page.goto("/#/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.wait_for_function("!location.hash.startsWith('#/signin')")


def start_plan(page: Page, template: str = "green_book") -> None:
    page.locator(f"#start-{template}").click()
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()


def add_entry(page: Page, prompt: str, text: str) -> None:
    page.get_by_text(f"Add to “{prompt}”").click()
    form = page.locator("details[open] form")
    form.get_by_role("textbox").first.fill(text)
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".entry", has_text=text)).to_be_visible()


def edit_entry(page: Page, old: str, new: str) -> None:
    page.locator(".entry", has_text=old).get_by_role("button", name="Edit").click()
    page.get_by_label("Change what you wrote").fill(new)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".entry", has_text=new)).to_be_visible()


def wait_synced(page: Page) -> None:
    expect(page.locator("#sync-status")).to_have_text("Everything is saved and synced")


def wait_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing: run `npm install --prefix {AXE_SCRIPT.parents[2]}`")
    return AXE_SCRIPT.read_text()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA findings on the page as it is now, of any impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
            .violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                     where: v.nodes.map((n) => n.target.join(" "))}))""",
        AXE_TAGS,
    )


def serious_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.2 A/AA findings on the page as it is now."""
    return [v for v in axe_violations(page) if v["impact"] in {"serious", "critical"}]


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def check_screen(page: Page, name: str) -> None:
    """Screenshot at phone size, and no serious or critical accessibility problems."""
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert serious_violations(page) == [], name
