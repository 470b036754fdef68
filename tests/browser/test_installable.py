"""The app installs: a complete manifest, real icons, a service worker that controls the page
and keeps every file of the app shell; and the strict security headers hold."""

import re
import shutil
import struct

import httpx
import pytest
from playwright.sync_api import expect

from app.core.config import PROJECT_ROOT
from tests.helpers.browser import PHONE, running_server, wait_for_service_worker

pytestmark = pytest.mark.browser
FRONTEND = PROJECT_ROOT / "frontend"


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


def test_manifest_has_what_installing_needs(server):
    response = httpx.get(f"{server.url}/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()

    assert manifest["name"] and manifest["short_name"] == "Your plan"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    for sizes, purpose in [("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")]:
        icon = httpx.get(f"{server.url}{icons[(sizes, purpose)]}")
        assert icon.headers["content-type"] == "image/png"
        assert png_size(icon.content) == tuple(int(n) for n in sizes.split("x"))


def test_service_worker_controls_the_page_and_keeps_the_whole_shell(phone):
    page = phone()
    wait_for_service_worker(page)

    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    cached = page.evaluate(
        """async () => {
            const [name] = (await caches.keys()).filter((key) => key.startsWith("shell-"));
            const cache = await caches.open(name);
            return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }"""
    )
    shell = {
        "/" + str(path.relative_to(FRONTEND))
        for path in FRONTEND.rglob("*")
        if path.is_file()
        and path.suffix in {".html", ".js", ".css", ".png", ".svg"}
        # the worker, and the public card page's own two files
        and path.name not in {"sw.js", "crisis-card.css", "card-offline.js"}
    } | {"/manifest.webmanifest"}
    assert set(cached) == shell


def test_the_shell_is_served_with_a_strict_content_security_policy(server):
    response = httpx.get(f"{server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-cache"
    html = response.text
    assert "<script>" not in html and "style=" not in html


def test_a_new_version_waits_until_the_person_chooses_to_update(browser, database_url, tmp_path):
    frontend = tmp_path / "frontend"
    shutil.copytree(FRONTEND, frontend)
    with running_server(database_url, frontend_dir=str(frontend)) as server:
        page = browser.new_context(viewport=PHONE, base_url=server.url).new_page()
        page.goto("/")
        wait_for_service_worker(page)
        [first_cache] = page.evaluate("caches.keys()")
        banner = page.locator("#update-banner")
        expect(banner).to_be_hidden()

        worker = frontend / "sw.js"
        worker.write_text(worker.read_text().replace('const VERSION = "', 'const VERSION = "next-'))
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("A new version of the app is ready.")
        # Until the person chooses, the old version goes on serving the page.
        assert page.evaluate("navigator.serviceWorker.controller.state") == "activated"
        assert first_cache in page.evaluate("caches.keys()")

        banner.get_by_role("button", name="Update now").click()
        page.wait_for_function(
            """() => caches.keys().then((keys) =>
                keys.length === 1 && keys[0].startsWith("shell-vnext-"))"""
        )
        expect(page.locator("#update-banner")).to_be_hidden()
        expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
        page.context.close()
