"""The database failing under a request: the caller gets a 503 to retry, nothing
acknowledged is lost, and nothing is half-written.

Faults are injected with an engine event that raises the driver's own OperationalError at a
chosen statement (as a dropped connection does); on PostgreSQL the app's connection is also
killed for real with pg_terminate_backend, mid-request and between requests."""

import contextlib
import logging
import re

import psycopg
import pytest
from sqlalchemy import event

from app.core.driver import EventLoopDriver
from app.main import database_engines
from tests.helpers.faults import (
    PLAN_READ,
    PLAN_UPDATE,
    REVISION_INSERT,
    admin_connection,
    backend_pid,
    on_postgresql,
    terminate_connections,
)
from tests.helpers.problems import PROBLEM, assert_unavailable
from tests.helpers.sharing import access_log, share_with


def crisis_entries(owner, plan_id: str) -> list[str]:
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    section = next(s for s in plan["sections"] if s["key"] == "crisis")
    return [entry["text"] for entry in section["entries"]]


def plan_state(owner, plan_id: str) -> tuple[int, list[str], list[int]]:
    """Version, the crisis entries and the revision numbers, as the owner sees them."""
    plan = owner.get(f"/api/v1/plans/{plan_id}")
    assert plan.status_code == 200, plan.text
    revisions = owner.get(f"/api/v1/plans/{plan_id}/revisions")
    assert revisions.status_code == 200, revisions.text
    numbers = [revision["number"] for revision in revisions.json()]
    return plan.json()["version"], crisis_entries(owner, plan_id), sorted(numbers)


def add_crisis_entry(owner, plan_id: str, text: str):
    return owner.post(f"/api/v1/plans/{plan_id}/sections/crisis/entries", json={"text": text})


def test_database_gone_mid_edit_answers_503_and_keeps_every_acknowledged_edit(
    owner, green_book, fault
):
    plan_id = green_book["id"]
    acknowledged = add_crisis_entry(owner, plan_id, "Call my sister Ana")
    assert acknowledged.status_code == 201, acknowledged.text
    before = plan_state(owner, plan_id)

    injected = fault(PLAN_UPDATE)
    failed = add_crisis_entry(owner, plan_id, "Lost in the outage")
    assert injected.fired
    assert_unavailable(failed)

    assert plan_state(owner, plan_id) == before
    assert "Call my sister Ana" in before[1]
    # Retrying, as the 503 says, works once the database is back.
    retried = add_crisis_entry(owner, plan_id, "Lost in the outage")
    assert retried.status_code == 201, retried.text
    assert crisis_entries(owner, plan_id) == ["Call my sister Ana", "Lost in the outage"]


@pytest.mark.parametrize("read", ["first read", "read again"])
def test_database_gone_while_reading_answers_503(owner, green_book, fault, read):
    """Read again, the plan's sections are remembered and the read is one statement, run
    on the driver's own cursor (app/core/driver.py)."""
    if read == "read again":
        assert owner.get(f"/api/v1/plans/{green_book['id']}").status_code == 200
    injected = fault(PLAN_READ)
    response = owner.get(f"/api/v1/plans/{green_book['id']}")
    assert injected.fired
    assert_unavailable(response)
    assert owner.get(f"/api/v1/plans/{green_book['id']}").status_code == 200


def test_database_unreachable_for_a_new_connection_answers_503(app, owner, green_book):
    """The read opens a connection (none is pooled) and the database cannot be reached:
    on SQLite through the read engine, on PostgreSQL through the event loop's own
    connections (app/core/driver.py)."""
    plan_url = f"/api/v1/plans/{green_book['id']}"
    assert owner.get(plan_url).status_code == 200
    read_engine = app.state.read_engine
    driver = read_engine.dialect.loaded_dbapi

    def unreachable(*_args, **_kwargs):
        raise driver.OperationalError("connection refused")

    async def unreachable_from_the_loop(*_args, **_kwargs):
        unreachable()

    read_engine.pool.dispose()
    owner.client.portal.call(app.state.awaited_driver.close)
    event.listen(read_engine, "do_connect", unreachable)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                psycopg.AsyncConnection, "connect", classmethod(unreachable_from_the_loop)
            )
            assert_unavailable(owner.get(plan_url))
    finally:
        event.remove(read_engine, "do_connect", unreachable)
    assert owner.get(plan_url).status_code == 200


def test_crash_between_the_plan_update_and_its_revision_leaves_neither(owner, green_book, fault):
    plan_id = green_book["id"]
    assert add_crisis_entry(owner, plan_id, "A quiet room").status_code == 201
    version, entries, revisions = plan_state(owner, plan_id)

    # The plan row is updated first; the revision row is the second write of the same edit.
    injected = fault(REVISION_INSERT)
    failed = owner.patch(f"/api/v1/plans/{plan_id}", json={"title": "Half written"})
    assert injected.fired
    assert_unavailable(failed)

    assert plan_state(owner, plan_id) == (version, entries, revisions)
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    assert plan["title"] == green_book["title"]
    assert owner.get(f"/api/v1/plans/{plan_id}").headers["ETag"] == f'"{version}"'
    history = owner.get(f"/api/v1/plans/{plan_id}/revisions/{version}")
    assert history.status_code == 200, history.text
    # The next edit takes the next number: no gap, no duplicate.
    renamed = owner.patch(f"/api/v1/plans/{plan_id}", json={"title": "Whole"})
    assert renamed.status_code == 200, renamed.text
    new_version, _, new_revisions = plan_state(owner, plan_id)
    assert (new_version, new_revisions) == (version + 1, [*revisions, version + 1])


def test_crash_while_creating_a_plan_leaves_no_plan(owner, fault):
    injected = fault(REVISION_INSERT)
    failed = owner.post("/api/v1/plans", json={"template": "wrap", "title": "Half made"})
    assert injected.fired
    assert_unavailable(failed)
    assert owner.get("/api/v1/plans").json() == []


def test_an_integrity_error_is_a_logged_500_not_a_503(app, owner, green_book, fault, caplog):
    driver = app.state.engine.dialect.loaded_dbapi
    fault(PLAN_UPDATE, driver.IntegrityError("duplicate key value"))
    with caplog.at_level(logging.ERROR):
        response = owner.patch(f"/api/v1/plans/{green_book['id']}", json={"title": "Renamed"})
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == PROBLEM
    assert "Retry-After" not in response.headers
    assert any(record.levelno >= logging.ERROR for record in caplog.records)
    assert owner.get(f"/api/v1/plans/{green_book['id']}").json()["title"] == "My book"


# ---- PostgreSQL, for real -----------------------------------------------------------------


@on_postgresql
def test_postgresql_connection_killed_mid_request_answers_503(app, database_url, owner, green_book):
    plan_id = green_book["id"]
    assert add_crisis_entry(owner, plan_id, "Call my sister Ana").status_code == 201
    before = plan_state(owner, plan_id)
    killed = []

    def kill_own_connection(_conn, cursor, statement, *_args) -> None:
        if not killed and re.match(PLAN_UPDATE, statement):
            with admin_connection(database_url) as admin:
                killed.append(terminate_connections(admin, backend_pid(cursor)))

    engines = database_engines(app)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", kill_own_connection)
    try:
        failed = add_crisis_entry(owner, plan_id, "Lost in the outage")
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", kill_own_connection)
    assert killed == [1]
    assert_unavailable(failed)
    assert plan_state(owner, plan_id) == before
    retried = add_crisis_entry(owner, plan_id, "Lost in the outage")
    assert retried.status_code == 201, retried.text


@on_postgresql
def test_postgresql_restart_between_requests_loses_nothing(app, database_url, owner, green_book):
    plan_id = green_book["id"]
    for text in ("Call my sister Ana", "A quiet room"):
        assert add_crisis_entry(owner, plan_id, text).status_code == 201
    with admin_connection(database_url) as admin:
        assert terminate_connections(admin) >= 1
    # The read goes again on a fresh connection, and the write's is checked before use, so
    # nobody notices.
    assert crisis_entries(owner, plan_id) == ["Call my sister Ana", "A quiet room"]
    assert add_crisis_entry(owner, plan_id, "Still here").status_code == 201


async def hold_at_once(database: EventLoopDriver, count: int) -> None:
    """Makes the event loop's driver pool `count` connections."""
    async with contextlib.AsyncExitStack() as held:
        for _ in range(count):
            await held.enter_async_context(database.connection())


@on_postgresql
def test_postgresql_restart_with_many_pooled_connections_goes_unnoticed_by_a_plan_read(
    app, database_url, owner, green_book
):
    """The first connection found dead discards the others pooled with it, which died
    with it: the read again takes a fresh one. The plan read runs on the event loop's
    connections, the plan list on the read engine's."""
    plan_id = green_book["id"]
    assert owner.get(f"/api/v1/plans/{plan_id}").status_code == 200
    assert isinstance(app.state.awaited_driver, EventLoopDriver)
    owner.client.portal.call(hold_at_once, app.state.awaited_driver, 3)
    pooled = [app.state.read_engine.raw_connection() for _ in range(3)]
    for connection in pooled:
        connection.close()
    with admin_connection(database_url) as admin:
        assert terminate_connections(admin) >= 6
    response = owner.get(f"/api/v1/plans/{plan_id}")
    assert response.status_code == 200, response.text
    listed = owner.get("/api/v1/plans")
    assert listed.status_code == 200, listed.text
    assert [plan["id"] for plan in listed.json()] == [plan_id]


@on_postgresql
def test_postgresql_restart_goes_unnoticed_by_each_of_the_quickest_reads(
    app, database_url, owner, green_book, make_account
):
    """The reads people make most use connections not checked before use; a connection
    found dead is read on again, fresh, once."""
    plan_id = green_book["id"]
    assert add_crisis_entry(owner, plan_id, "Call my sister Ana").status_code == 201
    worker = make_account("Jo Link")
    share = share_with(owner, plan_id, worker, ["crisis"])
    reads = {
        "plan": (owner, f"/api/v1/plans/{plan_id}"),
        "plan list": (owner, "/api/v1/plans"),
        "shared with me": (worker, "/api/v1/shared-with-me"),
        "shared plan": (worker, f"/api/v1/shared-with-me/{share['id']}"),
    }
    before = {name: caller.get(path).json() for name, (caller, path) in reads.items()}
    grantee_reads_logged = len(access_log(owner, plan_id))
    for name, (caller, path) in reads.items():
        with admin_connection(database_url) as admin:
            assert terminate_connections(admin) >= 1
        response = caller.get(path)
        assert response.status_code == 200, (name, response.text)
        if name != "shared with me":  # which records when the worker last looked
            assert response.json() == before[name], name
    # The shared plan's read after the restart is logged once, as the one before it.
    assert len(access_log(owner, plan_id)) == grantee_reads_logged + 1


@on_postgresql
def test_postgresql_read_whose_fresh_connection_dies_too_answers_503(
    app, database_url, owner, green_book
):
    plan_id = green_book["id"]
    killed = []

    def kill_own_connection_twice(_conn, cursor, statement, *_args) -> None:
        if len(killed) < 2 and re.match(PLAN_READ, statement, re.IGNORECASE | re.DOTALL):
            with admin_connection(database_url) as admin:
                killed.append(terminate_connections(admin, backend_pid(cursor)))

    event.listen(app.state.read_engine, "before_cursor_execute", kill_own_connection_twice)
    try:
        failed = owner.get(f"/api/v1/plans/{plan_id}")
    finally:
        event.remove(app.state.read_engine, "before_cursor_execute", kill_own_connection_twice)
    assert killed == [1, 1]  # the read, and the one read again
    assert_unavailable(failed)
    assert owner.get(f"/api/v1/plans/{plan_id}").status_code == 200
