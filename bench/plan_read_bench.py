"""Plan read benchmark: GET /api/v1/plans/{id} for a full Green Book (about 60 entries)
against a bare FastAPI endpoint returning the same JSON from memory, on the same server
(uvicorn, one worker, SQLite) in the same run, with wrk at 32 connections on this machine.
Rounds alternate (bare, plan, bare, plan, ...) so both see the same machine load.

    .venv/bin/python bench/plan_read_bench.py            # 3 rounds of 10 s each
    .venv/bin/python bench/plan_read_bench.py --quick    # 2 rounds of 3 s (CI)

Targets from the issue, as ratios from one run: plan read throughput >= 50% of the bare
endpoint's, and plan read p99 <= 2x the bare endpoint's p99. Not a test: it reports only.
Figures are printed and written to bench/results/plan_read.json.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server import running_server, save_result, sign_in, wrk  # noqa: E402

EMAIL, PASSWORD = "reader@example.org", "a long benchmark passphrase"
ENTRIES = 60
CONNECTIONS = 32
THOUGHTS = [
    "Walking the dog early, before the streets get busy, and noticing the birds.",
    "A phone call with my sister on Sunday evenings, even a short one.",
    "When I stop answering messages and stay in bed past noon, something is wrong.",
    "Loud rooms and being rushed; people talking about me instead of to me.",
    "Please speak slowly, tell me what is happening, and let me keep my headphones.",
    "Cooking a proper meal for friends, then washing up with the radio on.",
]


def seed_green_book(base: str) -> tuple[str, str]:
    """A person with a Green Book holding ENTRIES entries spread over its sections."""
    api = httpx.Client(base_url=f"{base}/api/v1")
    api.post(
        "/auth/register", json={"email": EMAIL, "password": PASSWORD, "display_name": "Robin"}
    ).raise_for_status()
    token = sign_in(base, EMAIL, PASSWORD)
    api.headers["Authorization"] = f"Bearer {token}"
    plan = api.post("/plans", json={"template": "green_book", "title": "My Green Book"}).json()
    keys = [section["key"] for section in plan["sections"] if section["key"] != "goals"]
    for n in range(ENTRIES):
        key = keys[n % len(keys)]
        text = f"{THOUGHTS[n % len(THOUGHTS)]} ({n + 1})"
        api.post(f"/plans/{plan['id']}/sections/{key}/entries", json={"text": text})
    full = api.get(f"/plans/{plan['id']}").json()
    assert sum(len(s["entries"]) for s in full["sections"]) == ENTRIES  # noqa: S101
    return plan["id"], token


def summary(rounds: list[dict]) -> dict:
    return {
        "rounds": rounds,
        "requests_per_second": round(statistics.mean(r["requests_per_second"] for r in rounds), 1),
        "p50_ms": round(statistics.mean(r["p50_ms"] for r in rounds), 2),
        "p99_ms": round(statistics.mean(r["p99_ms"] for r in rounds), 2),
    }


def run(quick: bool) -> dict:
    rounds_count, seconds = (2, 3) if quick else (3, 10)
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/bench.db"
        with running_server(database_url, app="bench.plan_read_app:app") as base:
            plan_id, token = seed_green_book(base)
            plan_url = f"{base}/api/v1/plans/{plan_id}"
            body = httpx.get(plan_url, headers={"Authorization": f"Bearer {token}"}).json()
            httpx.put(f"{base}/bench/bare-plan", json=body).raise_for_status()
            bare_url = f"{base}/bench/bare-plan"
            bare_body = httpx.get(bare_url).content
            wrk(bare_url, None, 1, CONNECTIONS)  # warm both up before measuring
            wrk(plan_url, token, 1, CONNECTIONS)
            bare, plan = [], []
            for _ in range(rounds_count):
                bare.append(wrk(bare_url, None, seconds, CONNECTIONS))
                plan.append(wrk(plan_url, token, seconds, CONNECTIONS))
    bare_summary, plan_summary = summary(bare), summary(plan)
    return {
        "quick": quick,
        "connections": CONNECTIONS,
        "entries": ENTRIES,
        "response_bytes": len(bare_body),
        "bare_endpoint": bare_summary,
        "plan_read": plan_summary,
        "throughput_ratio": round(
            plan_summary["requests_per_second"] / bare_summary["requests_per_second"], 3
        ),
        "p99_ratio": round(plan_summary["p99_ms"] / bare_summary["p99_ms"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 short rounds (CI)")
    result = run(parser.parse_args().quick)
    bare, plan = result["bare_endpoint"], result["plan_read"]
    print(f"plan read benchmark: {result['entries']} entries, {result['response_bytes']} bytes")
    for name, figures in (("bare endpoint", bare), ("plan read", plan)):
        print(
            f"  {name:<14} {figures['requests_per_second']:>8} req/s"
            f"  p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms"
        )
    print(f"  throughput ratio {result['throughput_ratio']:.0%} (target >= 50%)")
    print(f"  p99 ratio        {result['p99_ratio']}x (target <= 2x)")
    save_result("plan_read", result, quick=result["quick"])


if __name__ == "__main__":
    main()
