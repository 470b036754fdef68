"""The PWA's shell lists stay whole: the service worker precaches every file the app needs,
its cache version changes whenever one of them does (so phones get the new version), and
index.html preloads every module the first screens need. No browser needed."""

import hashlib
import re

from app.core.config import PROJECT_ROOT

FRONTEND = PROJECT_ROOT / "frontend"
SERVICE_WORKER = FRONTEND / "sw.js"
# For the public crisis card page, not part of the app shell (the service worker keeps them
# with the last card opened).
NOT_SHELL = {"sw.js", "crisis-card.css", "card-offline.js"}


def precached() -> list[str]:
    listing = SERVICE_WORKER.read_text().split("const SHELL = [")[1].split("];")[0]
    return re.findall(r'"(/[^"]+)"', listing)


def shell_files() -> list[str]:
    return sorted(
        "/" + path.relative_to(FRONTEND).as_posix()
        for path in FRONTEND.rglob("*")
        if path.is_file() and path.name not in NOT_SHELL
    )


def test_the_service_worker_precaches_exactly_the_shell():
    assert sorted(precached()) == shell_files()


def test_the_cache_version_follows_the_shell_contents():
    digest = hashlib.sha256()
    for path in shell_files():
        digest.update(path.encode() + b"\0" + (FRONTEND / path.lstrip("/")).read_bytes())
    expected = digest.hexdigest()[:12]
    [version] = re.findall(r'const VERSION = "([^"]+)";', SERVICE_WORKER.read_text())
    assert version == expected, (
        f'The app shell changed: set VERSION in frontend/sw.js to "{expected}" so installed '
        "copies fetch the new files and offer the update."
    )


# What the app opens to: its home, the check-in and the crisis view. Other screens load when
# first shown, so the first screen doesn't wait for them.
FIRST_SCREENS = {"/js/screens/crisis.js", "/js/screens/plan.js", "/js/screens/today.js"}


def test_index_preloads_every_module_the_first_screens_need():
    preloaded = re.findall(
        r'<link rel="modulepreload" href="([^"]+)">', (FRONTEND / "index.html").read_text()
    )
    modules = [
        path
        for path in shell_files()
        if path.endswith(".js")
        and path != "/js/app.js"
        and (not path.startswith("/js/screens/") or path in FIRST_SCREENS)
    ]
    assert sorted(preloaded) == modules


def test_every_screen_has_a_route_that_loads_it():
    routes = (FRONTEND / "js" / "routes.js").read_text()
    loaded = {
        f"/js/screens/{name}" for name in re.findall(r'import\("\./screens/([^"]+)"\)', routes)
    }
    assert loaded == {path for path in shell_files() if path.startswith("/js/screens/")}
