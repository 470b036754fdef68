"""Browser tests' helpers: the real server in a subprocess, the JSON API as one account,
and what a person does in the app (sign up, sign in, add an entry) and checks (axe, screenshots)."""

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

import httpx
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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
AXE_SCRIPT = PROJECT_ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_people = count(1)


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
    # Checked here, not by a string run in the page: the app's CSP refuses to evaluate one
    # whenever the check has to wait.
    page.wait_for_url(lambda url: "#/signin" not in url)


def start_plan(page: Page, template: str = "green_book") -> None:
    page.locator(f"#start-{template}").click()
    expect(page.get_by_role("list", name="Sections of your plan")).to_be_visible()


def add_entry(page: Page, prompt: str, text: str) -> None:
    form = page.locator("details[open] form")
    # Just after an entry is saved (or a plan made), the screen may be drawn again once more
    # as its sync settles; a form opened in those few milliseconds closes with it, before
    # or after it is filled in: open it and fill it in again.
    for _ in range(3):
        page.get_by_text(f"Add to “{prompt}”").click()
        try:
            expect(form).to_be_visible(timeout=3_000)
            form.get_by_role("textbox").first.fill(text, timeout=3_000)
            form.get_by_role("button", name="Save").click(timeout=3_000)
            break
        except (AssertionError, PlaywrightTimeoutError):
            continue
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
    # Awaited in one evaluation, not polled with a string the app's CSP would refuse.
    page.evaluate(
        """navigator.serviceWorker.controller !== null || new Promise((resolve) =>
            navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true),
                                                      { once: true }))"""
    )


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
