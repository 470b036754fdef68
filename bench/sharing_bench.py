"""Sharing benchmark: "shared with me" latency, and a grantee's plan read throughput
against the owner's (the grantee's read also checks the share and writes the access log).

Starts the real server (uvicorn, 1 worker, which migrates the empty database); seeds it
with 100,000 plans (one person each) and a link worker holding 1,000 shares, plus 50,000
shares held by 50 other workers and 200 ended shares of the worker's, by bulk inserts (not
over HTTP); then measures:
  - GET /api/v1/shared-with-me: p50 and p95 of sequential requests, for the default page
    (100 shares) and for all 1,000 (limit=1000);
  - requests per second with wrk for the owner's GET /api/v1/plans/{id} and the
    grantee's GET /api/v1/shared-with-me/{share_id} of the same plan, four rounds each
    (two with --quick), interleaved, since this machine's speed drifts; and checks every
    grantee read was logged.
Targets from the issue: shared-with-me p50 < 20 ms; grantee >= 80% of the owner's rate.

    .venv/bin/python bench/sharing_bench.py                  # SQLite in a temp dir
    .venv/bin/python bench/sharing_bench.py --quick          # 10,000 plans, short runs (CI)
    .venv/bin/python bench/sharing_bench.py --database-url postgresql://.../empty_db [--reset]

With --database-url the database must be empty, or pass --reset to drop its public schema.
Plan revisions are not seeded (reads never touch them). Not a test: it asserts nothing.
Figures are printed as a table and as JSON, and written to bench/results/.
"""

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select, text
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app.models  # noqa: E402, F401  (every table on the metadata)
from app.access_log.models import AccessEvent  # noqa: E402
from app.core.db import build_engine  # noqa: E402
from app.core.security import hash_password  # noqa: E402
from app.plans.document import outline_of  # noqa: E402
from app.plans.templates import Template, new_plan_sections  # noqa: E402
from bench.seed import entry_rows  # noqa: E402
from bench.server import empty_database, running_server, save_result, sign_in, wrk  # noqa: E402

PASSWORD = "a long benchmark passphrase"
CHUNK = 5_000
CONNECTIONS = 8
FULL = {"plans": 100_000, "shares": 1_000, "other_workers": 50, "other_shares": 50_000}
QUICK = {"plans": 10_000, "shares": 1_000, "other_workers": 10, "other_shares": 5_000}
TABLES = SQLModel.metadata.tables


def _sections() -> list[dict]:
    sections = new_plan_sections(Template.green_book)
    now = datetime.now(UTC).isoformat()
    for section in sections:
        if section["key"] in {"crisis", "triggers", "keeping_well"}:
            section["entries"].append(
                {
                    "id": str(uuid.uuid4()),
                    "text": "Walking the dog early, before it gets busy, and a call with my "
                    "sister on Sundays.",
                    "prompt": section["prompts"][0]["key"],
                    "goal": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return sections


def _insert(connection, table: str, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(TABLES[table]), rows[start : start + CHUNK])


def seed(database_url: str, sizes: dict) -> dict:
    """Bulk inserts; returns the ids the measurements need."""
    engine = build_engine(database_url)
    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    sections = _sections()

    def user(email: str, name: str, role: str = "person", organisation=None) -> dict:
        return {
            "id": uuid.uuid4(),
            "email": email,
            "password_hash": password_hash,
            "display_name": name,
            "role": role,
            "organisation": organisation,
            "created_at": now,
        }

    people = [user(f"person{i}@example.org", f"Person {i}") for i in range(sizes["plans"])]
    worker = user("worker@example.org", "Jo Link", "link_worker", "Riverside")
    others = [
        user(f"worker{i}@example.org", f"Worker {i}", "link_worker", "Riverside")
        for i in range(sizes["other_workers"])
    ]
    plans = [
        {
            "id": uuid.uuid4(),
            "owner_id": person["id"],
            "template": "green_book",
            "title": "My Green Book",
            "version": 1,
            "outline": outline_of(sections),
            "snapshot_size": 0,
            "changes_size": 0,
            "created_at": now - timedelta(minutes=i),
            "updated_at": now - timedelta(minutes=i),
        }
        for i, person in enumerate(people)
    ]

    def share(plan: dict, grantee: dict, ended: bool = False) -> dict:
        return {
            "id": uuid.uuid4(),
            "plan_id": plan["id"],
            "owner_id": plan["owner_id"],
            "grantee_id": grantee["id"],
            "sections": ["crisis", "triggers"],
            "permission": "comment",
            "label": "link_worker",
            "invite_digest": secrets.token_hex(32),
            "invite_expires_at": now + timedelta(days=7),
            "created_at": now - timedelta(days=1),
            "plan_updated_at": plan["updated_at"],
            "accepted_at": now - timedelta(days=1),
            "ended_at": now - timedelta(hours=1) if ended else None,
            "end_reason": "revoked" if ended else None,
        }

    count = sizes["shares"]
    shares = [share(plan, worker) for plan in plans[:count]]
    shares += [share(plan, worker, ended=True) for plan in plans[count : count + 200]]
    rest = plans[count + 200 : count + 200 + sizes["other_shares"]]
    shares += [share(plan, others[i % len(others)]) for i, plan in enumerate(rest)]

    started = time.perf_counter()
    with engine.begin() as connection:
        _insert(connection, "user_account", [*people, worker, *others])
        _insert(connection, "plan", plans)
        entries = [row for p in plans for row in entry_rows(p["id"], p["owner_id"], sections)]
        _insert(connection, "plan_entry", entries)
        _insert(connection, "share", shares)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "owner_email": people[0]["email"],
        "plan_id": str(plans[0]["id"]),
        "share_id": str(shares[0]["id"]),
        "shares_in_table": len(shares),
    }


def latency(base: str, token: str, path: str, runs: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    with httpx.Client(base_url=base, headers=headers) as client:
        for i in range(runs + 10):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if i >= 10:  # warm-up
                timings.append(elapsed)
    timings.sort()
    body = response.json()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "shares_returned": len(body["shares"]),
        "total": body["total"],
        "bytes": len(response.content),
    }


def viewed_plan_rows(database_url: str) -> int:
    engine = build_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(func.count()).select_from(AccessEvent).where(AccessEvent.event == "viewed_plan")
        ).scalar_one()
    engine.dispose()
    return rows


def run(database_url: str, sizes: dict, quick: bool, reset: bool) -> dict:
    empty_database(database_url, reset)
    with running_server(database_url) as base:
        seeded = seed(database_url, sizes)
        print(
            f"seeded {sizes['plans']:,} plans and {seeded['shares_in_table']:,} shares "
            f"in {seeded['seconds']} s",
            flush=True,
        )
        worker = sign_in(base, "worker@example.org", PASSWORD)
        owner = sign_in(base, seeded["owner_email"], PASSWORD)
        runs = 50 if quick else 200
        page = latency(base, worker, "/api/v1/shared-with-me", runs)
        everything = latency(base, worker, "/api/v1/shared-with-me?limit=1000", runs // 2)
        seconds = 3 if quick else 8
        owner_url = f"{base}/api/v1/plans/{seeded['plan_id']}"
        grantee_url = f"{base}/api/v1/shared-with-me/{seeded['share_id']}"
        logged_before = viewed_plan_rows(database_url)
        rounds = {"owner": [], "grantee": []}
        for _ in range(2 if quick else 4):
            rounds["owner"].append(wrk(owner_url, owner, seconds, CONNECTIONS))
            rounds["grantee"].append(wrk(grantee_url, worker, seconds, CONNECTIONS))
        logged = viewed_plan_rows(database_url) - logged_before
    owner_rate = statistics.mean(r["requests_per_second"] for r in rounds["owner"])
    grantee_rate = statistics.mean(r["requests_per_second"] for r in rounds["grantee"])
    grantee_requests = sum(r["requests"] for r in rounds["grantee"])
    return {
        "database": build_engine(database_url).dialect.name,
        "quick": quick,
        "sizes": sizes,
        "seed_seconds": seeded["seconds"],
        "shared_with_me_page_of_100": page,
        "shared_with_me_all_1000": everything,
        "owner_read": {"rounds": rounds["owner"], "requests_per_second": round(owner_rate, 1)},
        "grantee_read": {
            "rounds": rounds["grantee"],
            "requests_per_second": round(grantee_rate, 1),
            "access_log_rows_written": logged,
            # wrk counts completed requests only; a few may still be in flight at the end.
            "requests_completed": grantee_requests,
        },
        "grantee_to_owner_ratio": round(grantee_rate / owner_rate, 3),
    }


def table(result: dict) -> str:
    page, everything = result["shared_with_me_page_of_100"], result["shared_with_me_all_1000"]
    rows = [
        ("shared-with-me, 100 of 1,000 shares", f"p50 {page['p50_ms']} ms", "target < 20 ms"),
        ("", f"p95 {page['p95_ms']} ms", ""),
        ("shared-with-me, all 1,000 shares", f"p50 {everything['p50_ms']} ms", ""),
        ("", f"p95 {everything['p95_ms']} ms", ""),
        ("owner plan read", f"{result['owner_read']['requests_per_second']} req/s", ""),
        (
            "grantee plan read (+ access log)",
            f"{result['grantee_read']['requests_per_second']} req/s",
            "",
        ),
        ("grantee / owner", f"{result['grantee_to_owner_ratio']:.0%}", "target >= 80%"),
        (
            "grantee reads logged",
            f"{result['grantee_read']['access_log_rows_written']:,} rows",
            f"{result['grantee_read']['requests_completed']:,} completed",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{result['database']}, {result['sizes']['plans']:,} plans"]
    lines += [f"  {a:<{width}}  {b:<16} {c}" for a, b, c in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="also run on this (empty) PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="empty --database-url first")
    parser.add_argument("--quick", action="store_true", help="small numbers, about 30 s")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(run(f"sqlite:///{folder}/bench.db", sizes, args.quick, reset=False))
    if args.database_url:
        results.append(run(args.database_url, sizes, args.quick, args.reset))
    for result in results:
        print(table(result))
    print(json.dumps(results, indent=2))
    save_result("sharing", results, quick=args.quick)


if __name__ == "__main__":
    main()
