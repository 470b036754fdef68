"""PWA benchmark: the app shell's transfer size, offline cold start to a usable plan, and how
many requests it takes to sync 200 edits queued offline.

    .venv/bin/python bench/pwa_bench.py [--quick]

Starts the app on a throwaway SQLite database and drives Debian's headless Chromium
(/usr/bin/chromium). Budgets: shell (HTML + JS + CSS, gzip) <= 100 KB; offline cold start
< 1 s (median), to the plan and to the crisis view, the crisis view also with the CPU slowed
4x; 200 queued edits synced in <= 3 requests. Exits 1 if a budget is missed.
Figures are printed and written to bench/results/pwa.json."""

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server import running_server, save_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
EMAIL, PASSWORD = "bench@example.org", "a long benchmark passphrase"
SHELL_BUDGET_BYTES = 100 * 1024
COLD_START_BUDGET_MS = 1000
SYNC_REQUEST_BUDGET = 3
QUEUED_EDITS = 200
CRISIS_RUNS = 5  # the crisis view's budget is on the median of 5, quick or not


def shell_size() -> dict:
    """What the service worker precaches, counting the HTML, JS and CSS, gzip-compressed."""
    listed = re.findall(r'"(/[^"]+)"', (FRONTEND / "sw.js").read_text().split("SHELL = [")[1])
    files = [FRONTEND / p.lstrip("/") for p in listed if p.endswith((".html", ".js", ".css"))]
    files.append(FRONTEND / "sw.js")
    raw = sum(len(f.read_bytes()) for f in files)
    compressed = sum(len(gzip.compress(f.read_bytes(), compresslevel=6)) for f in files)
    return {"files": len(files), "raw_bytes": raw, "gzip_bytes": compressed}


def seed(url: str) -> None:
    """A person with a Green Book holding 40 entries, like a plan in real use."""
    api = httpx.Client(base_url=f"{url}/api/v1")
    api.post("/auth/register", json={"email": EMAIL, "password": PASSWORD, "display_name": "Sam"})
    token = api.post("/auth/token", data={"username": EMAIL, "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    plan = api.post("/plans", json={"template": "green_book"}).json()
    for n in range(40):
        section = ["keeping_well", "triggers", "early_warning_signs", "bad_days", "crisis"][n % 5]
        api.post(
            f"/plans/{plan['id']}/sections/{section}/entries",
            json={"text": f"Something I wrote, number {n}, in my own words."},
        )


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/#/signin")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sync-status")).to_have_text("Everything is saved and synced")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def cold_starts(
    playwright,
    url: str,
    runs: int,
    screen: str = "plan",
    shown: str = ".section-card",
    cpu_slowdown: int = 1,
) -> list[float]:
    """Milliseconds from navigation start to `screen` on screen (`shown` is there), in a freshly
    started browser with no network (the app shell from the service worker, the plan from
    IndexedDB); with `cpu_slowdown`, the CPU emulated that many times slower (a cheap phone)."""
    with tempfile.TemporaryDirectory() as profile:
        first = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, viewport=PHONE
        )
        sign_in(first.pages[0] if first.pages else first.new_page(), url)
        first.close()
        timings = []
        for _ in range(runs):
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=ARGS, viewport=PHONE, offline=True
            )
            page = context.pages[0] if context.pages else context.new_page()
            if cpu_slowdown > 1:
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
            page.goto(f"{url}/#/{screen}")
            page.wait_for_selector(shown)
            # The app marks the moment its first screen is on the page (after IndexedDB).
            timings.append(
                page.evaluate("performance.getEntriesByName('first-screen-shown')[0].startTime")
            )
            context.close()
        return timings


def queued_sync(playwright, url: str) -> dict:
    """Queue 200 edits offline, come back online, and count the requests sync makes."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, url)
    page.context.set_offline(True)
    page.evaluate(
        """async (count) => {
            const store = await import("/js/store.js");
            for (let n = 0; n < count; n++) {
                const plan = await store.currentPlan();
                const entries = plan.sections.flatMap((s) => s.entries.map((e) => [s.key, e]));
                if (n % 2) await store.addEntry(plan, "notes", { text: `A new note ${n}` });
                else {
                    const [key, entry] = entries[n % entries.length];
                    await store.editEntry(plan, key, entry, { text: `${entry.text} (edit ${n})` });
                }
            }
        }""",
        QUEUED_EDITS,
    )
    queued = page.evaluate("import('/js/store.js').then(async (s) => (await s.outbox()).length)")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/" in r.url else None)
    started = time.perf_counter()
    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("Everything is saved and synced")
    seconds = time.perf_counter() - started
    left = page.evaluate("import('/js/store.js').then(async (s) => (await s.outbox()).length)")
    browser.close()
    sync_requests = [r for r in requests if r.endswith("/api/v1/sync")]
    return {
        "queued": queued,
        "left_unsynced": left,
        "sync_requests": len(sync_requests),
        "api_requests": len(requests),
        "seconds": round(seconds, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 cold starts instead of 5 (CI)")
    args = parser.parse_args()

    results = {"shell": shell_size()}
    with (
        tempfile.TemporaryDirectory() as scratch,
        running_server(f"sqlite:///{scratch}/bench.db") as url,
    ):
        seed(url)
        with sync_playwright() as playwright:
            timings = cold_starts(playwright, url, 3 if args.quick else 5)
            results["cold_start_ms"] = {
                "runs": [round(t) for t in timings],
                "median": round(statistics.median(timings)),
            }
            for name, slowdown in [("crisis_cold_start_ms", 1), ("crisis_cold_start_cpu_4x_ms", 4)]:
                crisis = cold_starts(
                    playwright, url, CRISIS_RUNS, "crisis", ".danger-line", cpu_slowdown=slowdown
                )
                results[name] = {
                    "runs": [round(t) for t in crisis],
                    "median": round(statistics.median(crisis)),
                }
            results["sync"] = queued_sync(playwright, url)

    shell, cold, sync = results["shell"], results["cold_start_ms"], results["sync"]
    checks = {
        "shell_within_budget": shell["gzip_bytes"] <= SHELL_BUDGET_BYTES,
        "cold_start_within_budget": cold["median"] < COLD_START_BUDGET_MS,
        "crisis_cold_start_within_budget": results["crisis_cold_start_ms"]["median"]
        < COLD_START_BUDGET_MS,
        "crisis_cold_start_cpu_4x_within_budget": results["crisis_cold_start_cpu_4x_ms"]["median"]
        < COLD_START_BUDGET_MS,
        "sync_within_budget": sync["sync_requests"] <= SYNC_REQUEST_BUDGET
        and sync["queued"] == QUEUED_EDITS
        and sync["left_unsynced"] == 0,
    }
    results["checks"] = checks
    print(
        f"App shell: {shell['files']} HTML/JS/CSS files, {shell['raw_bytes'] / 1024:.1f} KB, "
        f"{shell['gzip_bytes'] / 1024:.1f} KB gzip (budget 100 KB)"
    )
    print(
        f"Offline cold start to a usable plan: median {cold['median']} ms "
        f"over {len(cold['runs'])} runs {cold['runs']} (budget < 1000 ms)"
    )
    for name, label in [
        ("crisis_cold_start_ms", "Offline cold start to the crisis view"),
        ("crisis_cold_start_cpu_4x_ms", "The same with the CPU slowed 4x"),
    ]:
        crisis = results[name]
        print(
            f"{label}: median {crisis['median']} ms over {len(crisis['runs'])} runs "
            f"{crisis['runs']} (budget < 1000 ms)"
        )
    print(
        f"Syncing {sync['queued']} queued edits: {sync['sync_requests']} sync requests "
        f"({sync['api_requests']} API requests in all), {sync['seconds']} s, "
        f"{sync['left_unsynced']} left unsynced (budget <= 3 requests)"
    )
    save_result("pwa", results, quick=args.quick)
    print("All within budget." if all(checks.values()) else f"Missed: {checks}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
