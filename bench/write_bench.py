"""Write benchmark: what a plan edit costs next to the cheapest write on the same server,
whether that cost grows with the plan, what each edit adds to the database, and how long a
device's sync of 200 queued edits takes. The real server (uvicorn, one worker) runs the app
plus a bare write endpoint (bench/write_app.py: one INSERT into a bench-only table through
the app's own session dependency, and a commit), on a SQLite file and, when given, on
PostgreSQL. Plans are Green Books of 60 and of 600 entries, seeded through POST /sync.

  - bare write     POST  /bench/bare-write
  - add entry      POST  /api/v1/plans/{id}/sections/triggers/entries
  - edit entry     PATCH /api/v1/plans/{id}/sections/{key}/entries/{entry_id}, the next entry
                   and new text each time
    All three by wrk (bench/write_bench.lua) at 16 connections, each one writer with its own
    person and plan, sending the ETag of its last answer as If-Match (not with
    --no-if-match). A round runs bare, the edits, then the adds; adds grow the plans, so the
    entries they added are removed before the next round.
  - storage        the database's size before and after 1,000 edits of one entry each, over
                   4 plans, at 60 and at 600 entries. SQLite: page_count * page_size after
                   a WAL checkpoint (TRUNCATE). PostgreSQL: pg_total_relation_size (tables
                   with their indexes and TOAST) summed over the public schema, after a
                   plain ANALYZE and no VACUUM, so dead rows count as on a live server.
                   And the same edits' growth of those people's exports (GET /api/v1/export,
                   every plan with its whole history).
  - sync           one POST /api/v1/sync of 200 edit_entry ops to one 60-entry plan, fresh
                   op_ids each time; the median loopback round trip (the app sends no
                   Server-Timing header, so this is an upper bound of the server's time).

Targets from issue 22: add and edit (60 entries) >= 50% of the bare write's throughput with
p99 <= 3x its p99; at 600 entries >= 80% of the 60-entry rate; <= 2 KB per edit; sync under
300 ms. Each is printed as met or not; nothing is asserted.

    .venv/bin/python bench/write_bench.py --quick                    # SQLite only
    .venv/bin/python bench/write_bench.py --quick --database-url postgresql://.../db --reset
    .venv/bin/python bench/write_bench.py --database-url URL --reset # 3 rounds of 10 s

--sqlite-only skips PostgreSQL even with a URL. With --database-url the database must be
empty, or pass --reset to drop its public schema. Figures go to bench/results/write.json.
"""

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.db import build_engine  # noqa: E402
from bench.plan_read_bench import THOUGHTS, summary  # noqa: E402
from bench.server import empty_database, running_server, save_result, sign_in, wrk  # noqa: E402

WRITERS = 16
QUICK = {"rounds": 3, "seconds": 3, "syncs": 3}
FULL = {"rounds": 3, "seconds": 10, "syncs": 5}
SIZES = (60, 600)
MEASURED = ("bare", "edit_60", "edit_600", "add_60", "add_600")
STORAGE_PLANS = 4
STORAGE_EDITS = 1_000
SYNC_EDITS = 200
SYNC_BATCH = 300  # seeding and clearing ops per sync (the API takes up to 500)
ADDED = "Added by the write benchmark"  # how write_bench.lua starts the entries it adds
LUA = Path(__file__).with_name("write_bench.lua")
PASSWORD = "a long benchmark passphrase"
# Every writer registers from the one loopback address.
SERVER_ENV = {"REGISTRATION_MAX_PER_ADDRESS": "1000"}
TARGETS = {
    "of_bare": 0.5,
    "p99_of_bare": 3,
    "600_of_60": 0.8,
    "bytes_per_edit": 2048,
    "sync_ms": 300,
}
SIZE_MEASURED = {
    "sqlite": "page_count * page_size after PRAGMA wal_checkpoint(TRUNCATE)",
    "postgresql": "pg_total_relation_size summed over the public tables; ANALYZE, no VACUUM",
}


@dataclass
class Writer:
    api: httpx.Client
    token: str
    plans: dict[int, str]  # entries seeded -> plan id


def entries_of(plan: dict) -> list[tuple[str, str, str]]:
    """(section key, entry id, text) of every entry, in order."""
    return [(s["key"], e["id"], e["text"]) for s in plan["sections"] for e in s["entries"]]


def sync(api: httpx.Client, operations: list[dict], cursor: str | None = None) -> httpx.Response:
    """One POST /sync, whose every operation must have been applied."""
    response = api.post("/sync", json={"cursor": cursor, "operations": operations})
    response.raise_for_status()
    refused = [r for r in response.json()["results"] if r["status"] != "applied"]
    if refused:
        raise RuntimeError(f"{len(refused)} sync operations not applied, first: {refused[0]}")
    return response


def _op(plan: dict, kind: str, **fields) -> dict:
    """A device's queued operation on `plan` as it was read, with a fresh op_id."""
    ids = {"op_id": str(uuid.uuid4()), "plan_id": plan["id"], "base_version": plan["version"]}
    return ids | {"kind": kind} | fields


def add_entries(api: httpx.Client, plan_id: str, count: int) -> None:
    """`count` entries spread over the plan's list sections, as a device's syncs."""
    for start in range(0, count, SYNC_BATCH):
        plan = api.get(f"/plans/{plan_id}").json()
        keys = [s["key"] for s in plan["sections"] if s["kind"] != "goals"]
        ops = [
            _op(plan, "add_entry", section=keys[n % len(keys)], entry_id=str(uuid.uuid4()))
            | {"text": f"{THOUGHTS[n % len(THOUGHTS)]} ({n + 1})"}
            for n in range(start, min(count, start + SYNC_BATCH))
        ]
        sync(api, ops)


def remove_added(api: httpx.Client, plan_id: str) -> None:
    """Takes a plan back to its seeded entries, removing those the add runs wrote."""
    while True:
        plan = api.get(f"/plans/{plan_id}").json()
        added = [(key, id_) for key, id_, said in entries_of(plan) if said.startswith(ADDED)]
        if not added:
            return
        ops = [_op(plan, "remove_entry", section=k, entry_id=i) for k, i in added[:SYNC_BATCH]]
        sync(api, ops)


def seed_writers(base: str) -> list[Writer]:
    writers = []
    for n in range(WRITERS):
        email = f"writer{n}@example.org"
        httpx.post(
            f"{base}/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": f"Writer {n}"},
        ).raise_for_status()
        token = sign_in(base, email, PASSWORD)
        api = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=300
        )
        plans = {}
        for size in SIZES:
            title = f"My Green Book ({size} entries)"
            plan = api.post("/plans", json={"template": "green_book", "title": title}).json()
            add_entries(api, plan["id"], size)
            plans[size] = plan["id"]
        writers.append(Writer(api, token, plans))
    return writers


def database_bytes(database_url: str) -> int:
    engine = build_engine(database_url, pool_size=1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            pages = connection.execute(text("PRAGMA page_count")).scalar_one()
            size = pages * connection.execute(text("PRAGMA page_size")).scalar_one()
        else:
            connection.execute(text("ANALYZE"))
            size = connection.execute(
                text(
                    "SELECT sum(pg_total_relation_size(oid)) FROM pg_class "
                    "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
                )
            ).scalar_one()
    engine.dispose()
    return int(size)


async def _edit_entries(base: str, writer: Writer, plan_id: str, edits: int) -> None:
    entries = entries_of(writer.api.get(f"/plans/{plan_id}").json())
    headers = {"Authorization": f"Bearer {writer.token}"}
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", headers=headers, timeout=300) as api:
        for n in range(edits):
            key, entry_id, _ = entries[n % len(entries)]
            path = f"/plans/{plan_id}/sections/{key}/entries/{entry_id}"
            response = await api.patch(path, json={"text": f"Edited, storage measured ({n})"})
            response.raise_for_status()


def export_bytes(writers: list[Writer]) -> int:
    return sum(len(w.api.get("/export", timeout=300).content) for w in writers)


def storage(base: str, database_url: str, writers: list[Writer], size: int) -> dict:
    """Database and export growth over STORAGE_EDITS edits, over STORAGE_PLANS plans."""
    editing = writers[:STORAGE_PLANS]
    before, exported_before = database_bytes(database_url), export_bytes(editing)

    async def edit_all() -> None:
        each = STORAGE_EDITS // len(editing)
        await asyncio.gather(*(_edit_entries(base, w, w.plans[size], each) for w in editing))

    asyncio.run(edit_all())
    after, exported_after = database_bytes(database_url), export_bytes(editing)
    return {
        "entries": size,
        "edits": STORAGE_EDITS,
        "bytes_before": before,
        "bytes_after": after,
        "growth_bytes": after - before,
        "bytes_per_edit": round((after - before) / STORAGE_EDITS),
        "export_bytes_per_edit": round((exported_after - exported_before) / STORAGE_EDITS),
    }


def sync_timing(writer: Writer, repeats: int) -> dict:
    """SYNC_EDITS queued edits to one plan in one sync, each naming what it changed."""
    plan_id = writer.plans[SIZES[0]]
    cursor = sync(writer.api, []).json()["cursor"]
    round_trips, server_times = [], []
    for repeat in range(repeats):
        plan = writer.api.get(f"/plans/{plan_id}").json()
        entries = entries_of(plan)
        said = {entry_id: words for _, entry_id, words in entries}
        ops = []
        for n in range(SYNC_EDITS):
            key, entry_id, _ = entries[n % len(entries)]
            new = f"Edited offline ({repeat + 1}, {n + 1})"
            base = {"text": said[entry_id]}
            changes = {"text": new}
            ops.append(
                _op(plan, "edit_entry", section=key, entry_id=entry_id, changes=changes, base=base)
            )
            said[entry_id] = new
        response = sync(writer.api, ops, cursor)
        cursor = response.json()["cursor"]
        round_trips.append(round(response.elapsed.total_seconds() * 1000, 1))
        # The server's own time, should it ever say (Server-Timing: app;dur=12.3).
        if said_by_server := re.search(r"dur=([\d.]+)", response.headers.get("Server-Timing", "")):
            server_times.append(float(said_by_server.group(1)))
    median = statistics.median(server_times or round_trips)
    return {
        "edits": SYNC_EDITS,
        "round_trips_ms": round_trips,
        "server_timing_ms": server_times,
        "median_ms": median,
        "measured": "Server-Timing" if server_times else "round trip",
    }


def _lua_table(rows: list[dict]) -> str:
    """The writers as a Lua table for write_bench.lua (JSON strings read as Lua strings)."""

    def row(r: dict) -> str:
        entries = ", ".join(f"{{{json.dumps(k)}, {json.dumps(i)}}}" for k, i in r["entries"])
        fields = ", ".join(f"{name} = {json.dumps(r[name])}" for name in ("token", "plan", "etag"))
        return f"  {{{fields}, entries = {{{entries}}}}}"

    return "return {\n" + ",\n".join(row(r) for r in rows) + "\n}\n"


def wrk_writes(base, writers, kind, size, seconds, if_match, folder) -> dict:
    """One wrk run of `kind` ("bare", "add", "edit"), each connection one writer."""
    rows = []
    for writer in writers:
        read = writer.api.get(f"/plans/{writer.plans[size]}")
        entries = [(key, entry_id) for key, entry_id, _ in entries_of(read.json())]
        plan, etag = writer.plans[size], read.headers["ETag"]
        rows.append({"token": writer.token, "plan": plan, "etag": etag, "entries": entries})
    data = Path(folder) / "writers.lua"
    data.write_text(_lua_table(rows))
    url = f"{base}/bench/bare-write" if kind == "bare" else f"{base}/api/v1/plans"
    arguments = [str(data), kind, "1" if if_match else "0"]
    options = {"threads": WRITERS, "script": LUA, "script_args": arguments}
    return wrk(url, None, seconds, WRITERS, timeout_seconds=120, **options)


def throughput(base, writers, rounds, seconds, if_match, folder) -> dict:
    def run(name: str, seconds: int) -> dict:
        kind, _, size = name.partition("_")
        return wrk_writes(base, writers, kind, int(size or SIZES[0]), seconds, if_match, folder)

    run("bare", 1)  # warm up
    run("edit_60", 1)
    measured: dict[str, list[dict]] = {name: [] for name in MEASURED}
    for round_number in range(rounds):
        if round_number:
            for writer in writers:
                for plan_id in writer.plans.values():
                    remove_added(writer.api, plan_id)
        for name in MEASURED:
            measured[name].append(run(name, seconds))
    return {name: summary(runs) for name, runs in measured.items()}


def measure(database_url: str, runs: dict, if_match: bool) -> dict:
    rounds, seconds = runs["rounds"], runs["seconds"]
    with (
        tempfile.TemporaryDirectory() as folder,
        running_server(database_url, app="bench.write_app:app", env=SERVER_ENV) as base,
    ):
        started = time.perf_counter()
        writers = seed_writers(base)
        print(f"  seeded {WRITERS} writers ({time.perf_counter() - started:.0f} s)", flush=True)
        stored = {size: storage(base, database_url, writers, size) for size in SIZES}
        synced = sync_timing(writers[0], runs["syncs"])
        figures = throughput(base, writers, rounds, seconds, if_match, folder)
    bare = figures["bare"]
    ratios = {
        name: {
            "of_bare": round(f["requests_per_second"] / bare["requests_per_second"], 3),
            "p99_of_bare": round(f["p99_ms"] / bare["p99_ms"], 2),
        }
        for name, f in figures.items()
        if name != "bare"
    }
    for kind in ("add", "edit"):
        small, large = figures[f"{kind}_{SIZES[0]}"], figures[f"{kind}_{SIZES[1]}"]
        ratios[f"{kind}_600_of_60"] = round(
            large["requests_per_second"] / small["requests_per_second"], 3
        )
    database = database_url.split(":", 1)[0].split("+")[0]
    return {
        "database": database,
        "writes": figures,
        "ratios": ratios,
        "storage": stored,
        "storage_measured": SIZE_MEASURED[database],
        "sync": synced,
    }


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def table(result: dict) -> str:
    ratios = result["ratios"]
    lines = [
        f"write benchmark, {result['database']}: {result['writers']} writers (wrk, one "
        f"connection each{', If-Match' if result['if_match'] else ''}), "
        f"{result['rounds']} round(s) of {result['seconds']} s"
    ]
    for name, f in result["writes"].items():
        kind, _, size = name.partition("_")
        label = "bare write" if kind == "bare" else f"{kind}, {size} entries"
        line = f"  {label:<17} {f['requests_per_second']:>7} req/s  p50 {f['p50_ms']:>7} ms"
        line += f"  p99 {f['p99_ms']:>8} ms"
        if name in ratios:
            share, p99 = ratios[name]["of_bare"], ratios[name]["p99_of_bare"]
            line += f"   {share:>5.0%} of bare, p99 {p99}x"
        lines.append(line)
    for name in (f"add_{SIZES[0]}", f"edit_{SIZES[0]}"):
        share, p99 = ratios[name]["of_bare"], ratios[name]["p99_of_bare"]
        lines.append(
            f"  {name.split('_')[0]} / bare: {share:.0%} "
            f"(>= 50%: {_verdict(share >= TARGETS['of_bare'])}), "
            f"p99 {p99}x (<= 3x: {_verdict(p99 <= TARGETS['p99_of_bare'])})"
        )
    for kind in ("add", "edit"):
        share = ratios[f"{kind}_600_of_60"]
        lines.append(
            f"  {kind} at 600 / at 60 entries: {share:.0%} "
            f"(>= 80%: {_verdict(share >= TARGETS['600_of_60'])})"
        )
    for s in result["storage"].values():
        per_edit = s["bytes_per_edit"]
        lines.append(
            f"  storage, {s['entries']} entries: {s['edits']:,} edits grew it "
            f"{s['growth_bytes']:,} bytes, {per_edit:,} per edit "
            f"(<= 2 KB: {_verdict(per_edit <= TARGETS['bytes_per_edit'])}); "
            f"the export grew {s['export_bytes_per_edit']:,} bytes per edit"
        )
    lines.append(f"  (database size: {result['storage_measured']})")
    synced = result["sync"]
    median = synced["median_ms"]
    lines.append(
        f"  sync of {synced['edits']} edits: median {synced['measured']} {median} ms "
        f"(< {TARGETS['sync_ms']} ms: {_verdict(median < TARGETS['sync_ms'])})"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 3 s, 3 syncs (CI)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database, also measured")
    parser.add_argument("--reset", action="store_true", help="empty that database first")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-if-match", action="store_true", help="writes without If-Match")
    args = parser.parse_args()
    if_match = not args.no_if_match
    runs = QUICK if args.quick else FULL
    shared = {"writers": WRITERS, "if_match": if_match} | runs
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure(f"sqlite:///{folder}/write.db", runs, if_match) | shared)
        print(table(results[-1]), flush=True)
    if args.database_url and not args.sqlite_only:
        empty_database(args.database_url, args.reset)
        results.append(measure(args.database_url, runs, if_match) | shared)
        print(table(results[-1]), flush=True)
    save_result("write", {"databases": results, "targets": TARGETS}, quick=args.quick)


if __name__ == "__main__":
    main()
