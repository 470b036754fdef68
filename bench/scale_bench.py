"""Scale benchmark: the real server (uvicorn, one worker, the app) on a database seeded by
bench/seed.py (100,000 people in full), measuring what people do most:

  - list my plans            GET  /api/v1/plans                      (wrk)
  - read a plan              GET  /api/v1/plans/{id}                 (wrk)
  - a bare endpoint          GET  /bench/bare-plan, the same JSON from memory (wrk)
  - write                    POST /api/v1/plans/{id}/sections/{key}/entries with If-Match,
                             WRITERS people each adding to their own plan (httpx, asyncio)
  - shared with me           GET  /api/v1/shared-with-me for worker0, who holds 1,000
                             shares (sequential requests, as sharing_bench.py does)
  - a grantee's read         GET  /api/v1/shared-with-me/{share_id}  (wrk; logged)

The owner's and the grantee's reads are of the same plan (person0's, shared with worker0).
Compared with the targets of the plan and sharing issues: plan read >= 50% of the bare
endpoint's throughput with p99 <= 2x; shared-with-me p50 < 20 ms; grantee read >= 80% of
the owner's. It reports; it asserts nothing.

    .venv/bin/python bench/seed.py --database-url URL --reset        # once (minutes)
    .venv/bin/python bench/scale_bench.py --database-url URL
    .venv/bin/python bench/scale_bench.py --database-url URL --quick --seed   # CI

--seed seeds first (with --reset: the database is emptied), --quick seeds fewer people and
measures for less time. Figures are printed and written to bench/results/scale.json.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import seed  # noqa: E402
from bench.plan_read_bench import summary  # noqa: E402
from bench.server import running_server, save_result, sign_in, timing_summary, wrk  # noqa: E402
from bench.sharing_bench import latency  # noqa: E402

CONNECTIONS = 32
WRITERS = 16
FIRST_WRITER = 10  # person10 onwards write; person0's plan stays as it is for the reads


def _authorised(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def landmarks(base: str) -> dict:
    """person0's Green Book and worker0's share of it, found through the API."""
    owner = sign_in(base, seed.person_email(0), seed.PASSWORD)
    worker = sign_in(base, seed.worker_email(0), seed.PASSWORD)
    plans = httpx.get(f"{base}/api/v1/plans", headers=_authorised(owner)).json()
    listing = httpx.get(
        f"{base}/api/v1/shared-with-me?limit=1000", headers=_authorised(worker), timeout=60
    ).json()
    shares = {item["plan_id"]: item["share_id"] for item in listing["shares"]}
    plan_id = next(plan["id"] for plan in plans if plan["id"] in shares)
    return {
        "owner": owner,
        "worker": worker,
        "plan_id": plan_id,
        "share_id": shares[plan_id],
        "plans_listed": len(plans),
        "worker_shares": listing["total"],
    }


async def _write_loop(client: httpx.AsyncClient, token: str, until: float, timings, refused):
    headers = _authorised(token)
    plans = (await client.get("/api/v1/plans", headers=headers)).json()
    plan = await client.get(f"/api/v1/plans/{plans[0]['id']}", headers=headers)
    url = f"/api/v1/plans/{plans[0]['id']}/sections/triggers/entries"
    etag, n = plan.headers["ETag"], 0
    while time.perf_counter() < until:
        n += 1
        started = time.perf_counter()
        response = await client.post(
            url, json={"text": f"Written under load ({n})"}, headers=headers | {"If-Match": etag}
        )
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            refused.append(response.status_code)
            return
        etag = response.headers["ETag"]


def writes(base: str, seconds: int) -> dict:
    """WRITERS people add entries to their own plans, each sending the ETag it was given."""
    tokens = [
        sign_in(base, seed.person_email(FIRST_WRITER + n), seed.PASSWORD) for n in range(WRITERS)
    ]
    timings: list[float] = []
    refused: list[int] = []

    async def run() -> None:
        limits = httpx.Limits(max_connections=WRITERS)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            until = time.perf_counter() + seconds
            await asyncio.gather(
                *(_write_loop(client, token, until, timings, refused) for token in tokens)
            )

    asyncio.run(run())
    return timing_summary(timings, seconds) | {"writers": WRITERS, "refused": refused}


def run(database_url: str, quick: bool) -> dict:
    rounds, seconds = (1, 3) if quick else (2, 10)
    with running_server(database_url, app="bench.plan_read_app:app") as base:
        found = landmarks(base)
        owner, worker = found["owner"], found["worker"]
        plan_url = f"{base}/api/v1/plans/{found['plan_id']}"
        body = httpx.get(plan_url, headers=_authorised(owner)).json()
        httpx.put(f"{base}/bench/bare-plan", json=body).raise_for_status()
        urls = {
            "bare_endpoint": (f"{base}/bench/bare-plan", None),
            "list_plans": (f"{base}/api/v1/plans", owner),
            "owner_read": (plan_url, owner),
            "grantee_read": (f"{base}/api/v1/shared-with-me/{found['share_id']}", worker),
        }
        for url, token in urls.values():  # warm up
            wrk(url, token, 1, CONNECTIONS)
        measured: dict[str, list[dict]] = {name: [] for name in urls}
        for _ in range(rounds):  # interleaved, so each sees the same machine load
            for name, (url, token) in urls.items():
                measured[name].append(wrk(url, token, seconds, CONNECTIONS))
        figures = {name: summary(r) for name, r in measured.items()}
        figures["write"] = writes(base, seconds * rounds)
        figures["shared_with_me"] = latency(base, worker, "/api/v1/shared-with-me", 50 * rounds)
    bare, read = figures["bare_endpoint"], figures["owner_read"]
    return {
        "database": database_url.split(":", 1)[0],
        "quick": quick,
        "connections": CONNECTIONS,
        "plans_listed": found["plans_listed"],
        "worker_shares": found["worker_shares"],
        "entries_in_plan": sum(len(s["entries"]) for s in body["sections"]),
        **figures,
        "read_to_bare_throughput": round(
            read["requests_per_second"] / bare["requests_per_second"], 3
        ),
        "read_to_bare_p99": round(read["p99_ms"] / bare["p99_ms"], 2),
        "grantee_to_owner": round(
            figures["grantee_read"]["requests_per_second"] / read["requests_per_second"], 3
        ),
    }


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def table(result: dict) -> str:
    rows = []
    for name in ["bare_endpoint", "list_plans", "owner_read", "grantee_read", "write"]:
        f = result[name]
        rows.append(
            (
                name.replace("_", " "),
                f"{f['requests_per_second']} req/s",
                f"p50 {f['p50_ms']} ms",
                f"p99 {f['p99_ms']} ms",
            )
        )
    swm = result["shared_with_me"]
    rows.append(
        ("shared with me (100 of 1,000)", "", f"p50 {swm['p50_ms']} ms", f"p95 {swm['p95_ms']} ms")
    )
    width = max(len(r[0]) for r in rows)
    lines = [
        f"scale benchmark: {result['database']}, person0 has {result['plans_listed']} plans "
        f"({result['entries_in_plan']} entries in the one read), worker0 holds "
        f"{result['worker_shares']:,} live shares, wrk at {result['connections']} connections"
    ]
    lines += [f"  {a:<{width}}  {b:>14}  {c:<16} {d}" for a, b, c, d in rows]
    throughput, p99 = result["read_to_bare_throughput"], result["read_to_bare_p99"]
    ratio = result["grantee_to_owner"]
    lines += [
        f"  plan read / bare: {throughput:.0%} of the throughput (target >= 50%: "
        f"{_verdict(throughput >= 0.5)}), p99 {p99}x (target <= 2x: {_verdict(p99 <= 2)})",
        f"  shared with me p50 {swm['p50_ms']} ms (target < 20 ms: {_verdict(swm['p50_ms'] < 20)})",
        f"  grantee read / owner read: {ratio:.0%} (target >= 80%: {_verdict(ratio >= 0.8)})",
    ]
    if result["write"]["refused"]:
        lines.append(f"  writes refused: {result['write']['refused']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a database seeded by seed.py")
    parser.add_argument("--seed", action="store_true", help="empty the database and seed it")
    parser.add_argument("--quick", action="store_true", help="short runs (and a small seed)")
    args = parser.parse_args()
    if args.seed:
        people = seed.QUICK_PEOPLE if args.quick else seed.FULL_PEOPLE
        seeded = seed.seed(args.database_url, people, reset=True)
        print(f"seeded {people:,} people in {seeded['seconds']} s", flush=True)
    result = run(args.database_url, args.quick)
    print(table(result))
    save_result("scale", result, quick=args.quick)


if __name__ == "__main__":
    main()
