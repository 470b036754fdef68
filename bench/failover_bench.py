"""The failover drill: the 200-person load of bench/load_bench.py against the app on a
Patroni + etcd cluster (deploy/ha/cluster.py: a primary, its synchronous standby and a
second standby), and SIGKILL to the primary's PostgreSQL (its postmaster) partway through.

The app's DATABASE_URL names every node (target_session_attrs=read-write): nothing tells it
of the failover. Each simulated person does what load_bench.py's do, except that their
phone's changes go through an outbox as the PWA's does: a change stays queued, and is sent
again with the same operation id, until a sync answers that it was applied.

Reported:
  - acknowledged edits lost: every edit a client was told was saved (a 201/200, or an
    "applied" sync result), looked for row by row in the plan read back through the API
    once the load ends (target 0); and outbox changes still waiting at the end (target 0);
  - seconds from the kill until a write succeeds again (target under 30);
  - answers 5xx other than 503 (target 0), 503s, and failed connections;
  - throughput (successful answers a second) before the kill and after writes resumed.

    .venv/bin/python bench/failover_bench.py            # 60 s, the kill at 20 s
    .venv/bin/python bench/failover_bench.py --quick    # 24 s, the kill at 8 s (CI)

Needs Debian's patroni and etcd-server. Figures are printed and written to
bench/results/failover.json (failover-quick.json with --quick).
"""

import argparse
import asyncio
import multiprocessing
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load_bench, seed  # noqa: E402
from bench.load_bench import SECTIONS, Load, Person  # noqa: E402
from bench.server import running_server, save_result  # noqa: E402
from deploy.ha.cluster import Cluster, missing_tools  # noqa: E402

# The load's own mix, its phone edits through the outbox.
ACTIONS = {"read": 30, "edit": 30, "edit_while_syncing": 20, "share": 5, "shared_read": 15}
# What the PWA waits before sending its outbox again after a failed sync (it tries again on
# the next change, when the page is shown, and every minute; here sooner, to keep it busy).
OUTBOX_RETRY_SECONDS = 1
FLUSH_SECONDS = 60  # at most, after the load, for every outbox to empty
WRITE_PATHS = ("/entries", "/sync")

# Set before the client processes are forked: when the load started (wall clock, shared).
_STARTED_AT = multiprocessing.get_context("fork").Value("d", 0.0)


@dataclass
class Outbox:
    """A phone's queued changes, sent again unchanged until applied."""

    waiting: list[dict] = field(default_factory=list)
    applied: int = 0
    retried: int = 0


async def outbox_sync(load: Load, person: Person, outbox: Outbox, rng: random.Random) -> None:
    """Queues one new entry and sends everything queued, as the PWA's sync does."""
    entry_id = str(uuid.uuid4())
    outbox.waiting.append(
        {
            "op_id": str(uuid.uuid4()),
            "kind": "add_entry",
            "plan_id": person.plan_id,
            "base_version": person.version,
            "section": rng.choice(SECTIONS),
            "entry_id": entry_id,
            "text": f"Written on the phone by person {person.number}, {entry_id[:8]}",
        }
    )
    await send_outbox(load, person, outbox)


async def send_outbox(load: Load, person: Person, outbox: Outbox) -> bool:
    """True once the server took everything queued (each change applied, or kept for the
    person to decide)."""
    if len(outbox.waiting) > 1:
        outbox.retried += len(outbox.waiting) - 1
    body = {"cursor": person.cursor, "operations": outbox.waiting}
    response = await load.request("sync", "POST", "/api/v1/sync", json=body, headers=person.headers)
    if response is None:
        return False
    answer = response.json()
    person.cursor = answer["cursor"]
    for operation, result in zip(outbox.waiting, answer["results"], strict=True):
        if result["status"] == "applied":
            person.saved[operation["entry_id"]] = (operation["section"], operation["text"])
            outbox.applied += 1
        else:
            load.errors[f"sync: {result['status']}"] += 1
    outbox.waiting = []
    return True


async def live(load: Load, people: list[Person], person: Person, outbox: Outbox, until: float):
    rng = random.Random(person.number)
    names, weights = list(ACTIONS), list(ACTIONS.values())
    while time.time() < until:
        action = rng.choices(names, weights)[0]
        if action == "read":
            await load_bench.read(load, person)
        elif action == "edit":
            await load_bench.edit(load, person, rng)
        elif action == "edit_while_syncing":
            await asyncio.gather(
                load_bench.edit(load, person, rng), outbox_sync(load, person, outbox, rng)
            )
        elif action == "share":
            await load_bench.share(load, people, person)
        else:
            await load_bench.shared_read(load, person, rng)


async def flush(load: Load, person: Person, outbox: Outbox) -> None:
    deadline = time.time() + FLUSH_SECONDS
    while outbox.waiting and time.time() < deadline:
        if not await send_outbox(load, person, outbox):
            await asyncio.sleep(OUTBOX_RETRY_SECONDS)


def _slice(part: int, base: str, seconds: int) -> dict:
    return asyncio.run(_slice_run(part, base, seconds))


async def _slice_run(part: int, base: str, seconds: int) -> dict:
    # Each answer: when its request was sent, when it was answered, method, path, status.
    answers: list[tuple[float, float, str, str, int]] = []

    async def sending(request: httpx.Request) -> None:
        request.extensions["sent_at"] = time.time()

    async def answered(response: httpx.Response) -> None:
        request = response.request
        sent_at = request.extensions["sent_at"]
        answers.append(
            (sent_at, time.time(), request.method, request.url.path, response.status_code)
        )

    async with load_bench._client(base) as client:
        client.event_hooks["request"].append(sending)
        client.event_hooks["response"].append(answered)
        load = Load(client)
        people = load_bench._people_of(part)
        arriving = asyncio.Semaphore(load_bench.SIGNING_IN_AT_ONCE // load_bench.CLIENT_PROCESSES)
        await asyncio.gather(*(load_bench.sign_in(load, p, arriving) for p in people))
        await asyncio.gather(*(load_bench.share(load, people, p) for p in people))
        answers.clear()
        load.errors.clear()
        load_bench._wait_for_everyone()
        if part == 0:
            _STARTED_AT.value = time.time()
        until = time.time() + seconds
        outboxes = {p.number: Outbox() for p in people}
        await asyncio.gather(*(live(load, people, p, outboxes[p.number], until) for p in people))
        await asyncio.gather(*(flush(load, p, outboxes[p.number]) for p in people))
        verified = await load_bench.lost_edits(load, people)
    return {
        "answers": answers,
        "errors": load.errors,
        "verification": verified,
        "outbox_applied": sum(o.applied for o in outboxes.values()),
        "outbox_resent": sum(o.retried for o in outboxes.values()),
        "outbox_waiting": sum(len(o.waiting) for o in outboxes.values()),
    }


def _kill_at(cluster: Cluster, after_seconds: float, killed: dict) -> None:
    while _STARTED_AT.value == 0.0:
        time.sleep(0.05)
    time.sleep(max(0.0, _STARTED_AT.value + after_seconds - time.time()))
    killed["node"] = cluster.kill_primary().name
    killed["at"] = time.time()
    killed["new_primary"] = cluster.wait_for_leader(other_than=cluster.node(killed["node"])).name
    killed["new_primary_after_s"] = round(time.time() - killed["at"], 1)


def _rate(answers: list, start: float, end: float) -> float | None:
    if end <= start:
        return None
    ok = sum(1 for _, at, *_, status in answers if start <= at < end and status < 400)
    return round(ok / (end - start), 1)


def _transport_failure(kind: str) -> bool:
    """An error Load counted for a request that got no answer (named after httpx's error)."""
    return hasattr(httpx, kind.rpartition(": ")[2])


def figures(parts: list[dict], killed: dict, seconds: int) -> dict:
    answers = sorted(answer for part in parts for answer in part["answers"])
    started, killed_at = _STARTED_AT.value, killed["at"]
    ended = started + seconds
    # The first write sent after the kill that succeeded (one sent before may still have
    # committed on the old primary just before it died).
    first_write_after = min(
        (
            at
            for sent_at, at, method, path, status in answers
            if sent_at > killed_at
            and method in ("POST", "PATCH")
            and status < 300
            and path.endswith(WRITE_PATHS)
        ),
        default=None,
    )
    statuses = Counter(status for *_, status in answers)
    errors = sum((part["errors"] for part in parts), Counter())
    verified = [part["verification"] for part in parts]
    return {
        "killed": killed["node"],
        "new_primary": killed["new_primary"],
        "new_primary_after_s": killed["new_primary_after_s"],
        "writes_back_after_s": (
            round(first_write_after - killed_at, 1) if first_write_after else None
        ),
        "acknowledged_edits": sum(v["acknowledged_edits"] for v in verified),
        "acknowledged_edits_lost": sum(v["lost"] for v in verified),
        "lost_examples": [e for v in verified for e in v["examples"]][:5],
        "outbox_changes_applied": sum(part["outbox_applied"] for part in parts),
        "outbox_changes_resent": sum(part["outbox_resent"] for part in parts),
        "outbox_changes_still_waiting": sum(part["outbox_waiting"] for part in parts),
        "answers_5xx_other_than_503": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "answers_503": statuses.get(503, 0),
        "failed_connections": sum(n for kind, n in errors.items() if _transport_failure(kind)),
        "statuses": dict(sorted(statuses.items())),
        "errors": dict(errors),
        "throughput_before_kill": _rate(answers, started, killed_at),
        "throughput_after_writes_back": (
            _rate(answers, first_write_after, ended) if first_write_after else None
        ),
    }


def run(seconds: int, kill_after: int) -> dict:
    with Cluster() as cluster:
        cluster.create_database("plans")
        database_url = cluster.database_url("plans")
        print(f"seeding {load_bench.PEOPLE} people on the cluster", flush=True)
        seed.seed(database_url, load_bench.PEOPLE)
        killed: dict = {}
        killer = threading.Thread(target=_kill_at, args=(cluster, kill_after, killed))
        with running_server(database_url) as base:
            killer.start()
            parts = load_bench._in_processes(_slice, base, seconds)
            killer.join()
        result = figures(parts, killed, seconds)
        cluster.wait_until_in_sync()
    return {"people": load_bench.PEOPLE, "seconds": seconds, "kill_at_s": kill_after} | result


def report(result: dict) -> str:
    return "\n".join(
        [
            f"failover drill: {result['people']} people for {result['seconds']} s, the primary "
            f"({result['killed']}) killed at {result['kill_at_s']} s",
            f"  new primary {result['new_primary']} after {result['new_primary_after_s']} s; "
            f"writes succeed again after {result['writes_back_after_s']} s (target < 30)",
            f"  acknowledged edits: {result['acknowledged_edits']:,}, lost: "
            f"{result['acknowledged_edits_lost']} (target 0)",
            f"  outbox: {result['outbox_changes_applied']:,} changes applied, "
            f"{result['outbox_changes_resent']:,} sent again after a failed sync, "
            f"{result['outbox_changes_still_waiting']} still waiting (target 0)",
            f"  5xx other than 503: {result['answers_5xx_other_than_503']} (target 0); 503: "
            f"{result['answers_503']}; failed connections: {result['failed_connections']}",
            f"  throughput: {result['throughput_before_kill']} answers/s before the kill, "
            f"{result['throughput_after_writes_back']} after writes came back",
            f"  statuses: {result['statuses']}; errors: {result['errors'] or 'none'}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="24 s, the kill at 8 s")
    args = parser.parse_args()
    if missing := missing_tools():
        sys.exit(f"the drill needs {', '.join(missing)}: apt-get install -y patroni etcd-server")
    seconds, kill_after = (24, 8) if args.quick else (60, 20)
    result = run(seconds, kill_after)
    print(report(result))
    save_result("failover", result, quick=args.quick)


if __name__ == "__main__":
    main()
