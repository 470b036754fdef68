"""Load benchmark: 200 people using the app at once for 60 s against uvicorn + PostgreSQL,
then, in the same run and on the same server, the same 200 clients against a bare endpoint.

Each simulated person (asyncio + httpx, loopback only; the people are spread over
CLIENT_PROCESSES processes, each with one client and its share of CONNECTIONS connections)
signs in, then, until the time is up, picks one of:
  - read their plan                          GET  /api/v1/plans/{id}
  - edit it from the web (If-Match)          POST .../sections/{key}/entries, or PATCH one of
                                             their entries; on 409 re-read and retry
  - edit while their phone syncs             the edit above and, at the same moment,
                                             POST /api/v1/sync with an add_entry (so the
                                             edit can meet a 409 for real)
  - share                                    share the crisis plan with the next person of
                                             the same process, who accepts the invite
  - read what is shared with them            GET /api/v1/shared-with-me, then the shared plan
No pauses between actions: this measures how much the server carries, not a day's use.
Errors (any other status, or a failed connection) are counted; none are expected. After the
run, every acknowledged edit (entry id and text, from a 201/200 or an "applied" sync
result) is looked for in the plan, read back through the API.

Then the same 200 clients read GET /bench/bare-plan (bench/plan_read_app.py: person0's
plan JSON from memory, no database) for as long. Reported: throughput and p50/p99 for both,
and their ratio. The load generator runs on the same machine and is Python: on a small
machine it is part of what is measured, the bare figures most of all, so the bare endpoint
is also measured with wrk at 200 connections for scale.

    .venv/bin/python bench/load_bench.py --database-url URL          # seeded by seed.py
    .venv/bin/python bench/load_bench.py --database-url URL --seed --quick   # CI
    .venv/bin/python bench/load_bench.py --sqlite                    # temporary SQLite

The server runs WEB_CONCURRENCY uvicorn workers (default 1). Figures are printed and
written to bench/results/load.json (with the date, and whether the run was quick).
"""

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import seed  # noqa: E402
from bench.server import running_server, save_result, timing_summary, wrk  # noqa: E402

PEOPLE = 200
# One client process is its own ceiling (it got a tenth of what wrk gets from the bare
# endpoint), so the people are spread over several, each with its share of connections.
CLIENT_PROCESSES = 4
CONNECTIONS = 100
POOL = CONNECTIONS // CLIENT_PROCESSES  # each client process's connections
SQLITE_PEOPLE = 1_000
SECTIONS = ["triggers", "early_warning_signs", "crisis"]  # in both templates
ACTIONS = {"read": 30, "edit": 30, "edit_while_syncing": 20, "share": 5, "shared_read": 15}
EDIT_ATTEMPTS = 10
# People arrive a few at a time: argon2 takes tens of milliseconds of CPU and 64 MiB a
# sign-in on purpose, and 200 at the same instant is a password-guessing attack, not a day.
SIGNING_IN_AT_ONCE = 8


@dataclass
class Person:
    number: int
    token: str = ""
    plan_id: str = ""
    etag: str = ""
    cursor: str | None = None
    # Acknowledged edits: entry id -> (section key, text the server said it saved).
    saved: dict[str, tuple[str, str]] = field(default_factory=dict)
    shares_received: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def version(self) -> int:
        return int(self.etag.strip('"'))


class Load:
    """The shared client, what every request took, and what went wrong."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        # Requests beyond the pool's connections wait here, not in httpx's pool: its queue
        # scans every waiting request against every connection each time one is handed
        # back, and that cost, growing with the server's latency, would be measured as the
        # server's.
        self.connection_free = asyncio.Semaphore(POOL)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.conflicts = 0
        self.recording = False

    async def request(self, kind: str, method: str, url: str, expected=(200,), **options):
        started = time.perf_counter()
        try:
            async with self.connection_free:
                response = await self.client.request(method, url, **options)
        except httpx.HTTPError as error:
            self.errors[f"{kind}: {type(error).__name__}"] += 1
            return None
        if self.recording:
            self.timings[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code == 409 and 409 in expected:
            self.conflicts += 1
        elif response.status_code not in expected:
            self.errors[f"{kind}: {response.status_code}"] += 1
            return None
        return response


async def sign_in(load: Load, person: Person, arriving: asyncio.Semaphore) -> None:
    form = {"username": seed.person_email(person.number), "password": seed.PASSWORD}
    async with arriving:
        response = await load.request("sign_in", "POST", "/api/v1/auth/token", data=form)
    if response is None:
        raise RuntimeError(f"person {person.number} could not sign in: {dict(load.errors)}")
    person.token = response.json()["access_token"]
    plans = await load.request("list", "GET", "/api/v1/plans", headers=person.headers)
    person.plan_id = plans.json()[0]["id"]
    await read(load, person)


async def read(load: Load, person: Person) -> None:
    url = f"/api/v1/plans/{person.plan_id}"
    response = await load.request("read", "GET", url, headers=person.headers)
    if response is not None:
        person.etag = response.headers["ETag"]


async def edit(load: Load, person: Person, rng: random.Random) -> None:
    """Adds an entry, or changes one of the person's own, with If-Match; a 409 means the plan
    changed meanwhile (their phone synced): read it again and retry."""
    plan_url = f"/api/v1/plans/{person.plan_id}"
    text = f"Written on the web by person {person.number}, {uuid.uuid4().hex[:8]}"
    for _ in range(EDIT_ATTEMPTS):
        headers = person.headers | {"If-Match": person.etag}
        if person.saved and rng.random() < 0.3:
            entry_id = rng.choice(list(person.saved))
            key = person.saved[entry_id][0]
            url = f"{plan_url}/sections/{key}/entries/{entry_id}"
            response = await load.request(
                "edit", "PATCH", url, (200, 409), json={"text": text}, headers=headers
            )
        else:
            key = rng.choice(SECTIONS)
            url = f"{plan_url}/sections/{key}/entries"
            response = await load.request(
                "edit", "POST", url, (201, 409), json={"text": text}, headers=headers
            )
        if response is None:
            return
        if response.status_code != 409:
            person.etag = response.headers["ETag"]
            person.saved[response.json()["id"]] = (key, text)
            return
        await read(load, person)
    load.errors["edit: still conflicting after retries"] += 1


async def sync(load: Load, person: Person, rng: random.Random) -> None:
    """The phone sends one queued new entry and takes what changed."""
    entry_id, key = str(uuid.uuid4()), rng.choice(SECTIONS)
    text = f"Written on the phone by person {person.number}, {entry_id[:8]}"
    operation = {
        "op_id": str(uuid.uuid4()),
        "kind": "add_entry",
        "plan_id": person.plan_id,
        "base_version": person.version,
        "section": key,
        "entry_id": entry_id,
        "text": text,
    }
    body = {"cursor": person.cursor, "operations": [operation]}
    response = await load.request("sync", "POST", "/api/v1/sync", json=body, headers=person.headers)
    if response is None:
        return
    answer = response.json()
    person.cursor = answer["cursor"]
    if answer["results"][0]["status"] == "applied":
        person.saved[entry_id] = (key, text)
    else:
        load.errors[f"sync: {answer['results'][0]['status']}"] += 1


async def share(load: Load, people: list[Person], person: Person) -> None:
    """Shares the crisis plan with the next person, who accepts the invite."""
    partner = people[(people.index(person) + 1) % len(people)]
    invite = {"sections": ["crisis"], "permission": "view", "label": "carer"}
    url = f"/api/v1/plans/{person.plan_id}/shares"
    made = await load.request("share", "POST", url, (201,), json=invite, headers=person.headers)
    if made is None:
        return
    code = {"code": made.json()["invite_code"]}
    accepted = await load.request(
        "accept", "POST", "/api/v1/shares/accept", json=code, headers=partner.headers
    )
    if accepted is not None:
        partner.shares_received.append(accepted.json()["share_id"])


async def shared_read(load: Load, person: Person, rng: random.Random) -> None:
    await load.request("shared_with_me", "GET", "/api/v1/shared-with-me", headers=person.headers)
    if person.shares_received:
        url = f"/api/v1/shared-with-me/{rng.choice(person.shares_received)}"
        await load.request("grantee_read", "GET", url, headers=person.headers)


async def live(load: Load, people: list[Person], person: Person, until: float) -> None:
    rng = random.Random(person.number)
    names, weights = list(ACTIONS), list(ACTIONS.values())
    while time.perf_counter() < until:
        action = rng.choices(names, weights)[0]
        if action == "read":
            await read(load, person)
        elif action == "edit":
            await edit(load, person, rng)
        elif action == "edit_while_syncing":
            await asyncio.gather(edit(load, person, rng), sync(load, person, rng))
        elif action == "share":
            await share(load, people, person)
        else:
            await shared_read(load, person, rng)


async def lost_edits(load: Load, people: list[Person]) -> dict:
    """Every acknowledged edit, looked for in the plan as the API returns it."""
    missing, checked = [], 0
    for person in people:
        response = await load.request(
            "verify", "GET", f"/api/v1/plans/{person.plan_id}", headers=person.headers
        )
        stored = {e["id"]: e["text"] for s in response.json()["sections"] for e in s["entries"]}
        for entry_id, (_, text) in person.saved.items():
            checked += 1
            if stored.get(entry_id) != text:
                missing.append({"person": person.number, "entry_id": entry_id, "text": text})
    return {"acknowledged_edits": checked, "lost": len(missing), "examples": missing[:5]}


async def bare_client(load: Load, until: float) -> None:
    while time.perf_counter() < until:
        await load.request("bare", "GET", "/bench/bare-plan")


def _client(base: str) -> httpx.AsyncClient:
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends: reusing one the
    # server is closing at that moment fails the request on the client's side.
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL, keepalive_expiry=2)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=120)


# Set before the client processes are forked, so each has it.
_START_TOGETHER = None


def _wait_for_everyone() -> None:
    """Every client process has signed its people in: start the clock together."""
    _START_TOGETHER.wait()


def _in_processes(slice_work, *args) -> list[dict]:
    """`slice_work(part, *args)` for each of CLIENT_PROCESSES parts of the people, each in a
    process of its own (forked, so each has its own client and event loop)."""
    global _START_TOGETHER
    context = multiprocessing.get_context("fork")
    _START_TOGETHER = context.Barrier(CLIENT_PROCESSES)
    with context.Pool(CLIENT_PROCESSES) as pool:
        return pool.starmap(slice_work, [(part, *args) for part in range(CLIENT_PROCESSES)])


def _people_of(part: int) -> list[Person]:
    return [Person(number) for number in range(part, PEOPLE, CLIENT_PROCESSES)]


def _app_slice(part: int, base: str, seconds: int, bare_plan_file: Path) -> dict:
    return asyncio.run(_app_slice_run(part, base, seconds, bare_plan_file))


async def _app_slice_run(part: int, base: str, seconds: int, bare_plan_file: Path) -> dict:
    async with _client(base) as client:
        load = Load(client)
        people = _people_of(part)
        load.recording = True  # sign-ins are timed apart from the run
        arriving = asyncio.Semaphore(SIGNING_IN_AT_ONCE // CLIENT_PROCESSES)
        await asyncio.gather(*(sign_in(load, person, arriving) for person in people))
        signing_in = load.timings.pop("sign_in")
        # Everyone starts with one share from the person before them, to read from the start.
        await asyncio.gather(*(share(load, people, person) for person in people))
        load.timings.clear()
        _wait_for_everyone()
        started = time.perf_counter()
        await asyncio.gather(*(live(load, people, p, started + seconds) for p in people))
        elapsed = time.perf_counter() - started
        load.recording = False
        verified = await lost_edits(load, people)
        if part == 0:
            owner = people[0]
            plan = await client.get(f"/api/v1/plans/{owner.plan_id}", headers=owner.headers)
            bare_plan_file.write_bytes(plan.content)
    return {
        "sign_in": signing_in,
        "timings": dict(load.timings),
        "elapsed": elapsed,
        "errors": load.errors,
        "conflicts": load.conflicts,
        "shares_made": sum(len(p.shares_received) for p in people),
        "verification": verified,
    }


def measure_app(base: str, seconds: int, bare_plan_file: Path) -> dict:
    parts = _in_processes(_app_slice, base, seconds, bare_plan_file)
    elapsed = max(part["elapsed"] for part in parts)
    timings: dict[str, list[float]] = defaultdict(list)
    for part in parts:
        for kind, values in part["timings"].items():
            timings[kind] += values
    everything = [t for kind in timings.values() for t in kind]
    signing_in = timing_summary([t for part in parts for t in part["sign_in"]], 1)
    verified = [part["verification"] for part in parts]
    return {
        "sign_in": {"p50_ms": signing_in["p50_ms"], "p99_ms": signing_in["p99_ms"]},
        "app": timing_summary(everything, elapsed)
        | {
            "by_request": {k: timing_summary(v, elapsed) for k, v in timings.items()},
            "conflicts_retried": sum(part["conflicts"] for part in parts),
            "shares_made": sum(part["shares_made"] for part in parts),
        },
        "errors": dict(sum((part["errors"] for part in parts), Counter())),
        "verification": {
            "acknowledged_edits": sum(v["acknowledged_edits"] for v in verified),
            "lost": sum(v["lost"] for v in verified),
            "examples": [e for v in verified for e in v["examples"]][:5],
        },
    }


def _bare_slice(part: int, base: str, seconds: int) -> dict:
    return asyncio.run(_bare_slice_run(part, base, seconds))


async def _bare_slice_run(part: int, base: str, seconds: int) -> dict:
    """This process's share of the same number of clients, through a fresh pool."""
    async with _client(base) as client:
        load = Load(client)
        load.recording = True
        _wait_for_everyone()
        started = time.perf_counter()
        clients = len(_people_of(part))
        await asyncio.gather(*(bare_client(load, started + seconds) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"timings": load.timings["bare"], "elapsed": elapsed, "errors": load.errors}


def measure_bare(base: str, seconds: int) -> dict:
    parts = _in_processes(_bare_slice, base, seconds)
    timings = [t for part in parts for t in part["timings"]]
    return {
        "bare_endpoint": timing_summary(timings, max(part["elapsed"] for part in parts)),
        "bare_errors": dict(sum((part["errors"] for part in parts), Counter())),
    }


def run(database_url: str, seconds: int, workers: int, quick: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        bare_plan_file = Path(folder) / "bare-plan.json"
        env = {
            "BENCH_BARE_PLAN_FILE": str(bare_plan_file),
            # The 200 people all reach the server from this machine's one address; the limit
            # on invite codes tried at once from an address is for one person guessing.
            "INVITE_MAX_FAILURES_PER_ADDRESS": str(PEOPLE),
        }
        with running_server(database_url, "bench.plan_read_app:app", env, workers) as base:
            figures = measure_app(base, seconds, bare_plan_file)
            figures |= measure_bare(base, seconds)
            # What the server does for the bare endpoint with a load generator that is not
            # Python, for scale: on a small machine the Python clients above are part of
            # what they measure.
            figures["bare_endpoint_wrk"] = wrk(f"{base}/bench/bare-plan", None, seconds, PEOPLE)
    app, bare = figures["app"], figures["bare_endpoint"]
    return {
        "database": database_url.split(":", 1)[0],
        "quick": quick,
        "people": PEOPLE,
        "connections": CONNECTIONS,
        "workers": workers,
        "seconds": seconds,
        **figures,
        "app_to_bare_throughput": round(
            app["requests_per_second"] / bare["requests_per_second"], 3
        ),
        "app_to_bare_p99": round(app["p99_ms"] / bare["p99_ms"], 2),
    }


def report(result: dict) -> str:
    app, bare, verified = result["app"], result["bare_endpoint"], result["verification"]
    lines = [
        f"load benchmark: {result['people']} people for {result['seconds']} s, "
        f"{result['database']}, {result['workers']} worker(s), pool of "
        f"{result['connections']} connections",
        f"  sign-in (argon2)   p50 {result['sign_in']['p50_ms']} ms  p99 "
        f"{result['sign_in']['p99_ms']} ms",
    ]
    rows = [("app, all requests", app), *app["by_request"].items(), ("bare", bare)]
    for name, f in [*rows, ("bare, wrk", result["bare_endpoint_wrk"])]:
        lines.append(
            f"  {name:<18} {f['requests_per_second']:>8} req/s  p50 {f['p50_ms']} ms  "
            f"p99 {f['p99_ms']} ms  ({f['requests']:,} requests)"
        )
    lines += [
        f"  app / bare: {result['app_to_bare_throughput']:.0%} of the throughput, "
        f"p99 {result['app_to_bare_p99']}x",
        f"  409s met and retried: {app['conflicts_retried']}; shares made and accepted: "
        f"{app['shares_made']}",
        f"  errors: {sum(result['errors'].values())} {result['errors'] or ''}; against the "
        f"bare endpoint: {sum(result['bare_errors'].values())} {result['bare_errors'] or ''}",
        f"  acknowledged edits: {verified['acknowledged_edits']:,}, lost: {verified['lost']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database-url", help="PostgreSQL seeded by seed.py")
    where.add_argument("--sqlite", action="store_true", help="a temporary SQLite, seeded here")
    parser.add_argument("--seed", action="store_true", help="empty --database-url, seed it")
    parser.add_argument("--quick", action="store_true", help="10 s each instead of 60 s")
    args = parser.parse_args()
    seconds = 10 if args.quick else 60
    workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/load.db" if args.sqlite else args.database_url
        if args.sqlite or args.seed:
            people = SQLITE_PEOPLE if args.sqlite else seed.QUICK_PEOPLE
            print(f"seeding {people:,} people", flush=True)
            seed.seed(database_url, people, reset=True)
        result = run(database_url, seconds, workers, args.quick)
    print(report(result))
    save_result("load", result, quick=args.quick)


if __name__ == "__main__":
    main()
