"""The access log: every read by anyone but the owner, once, and every sharing change."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from app.core import clock
from tests.helpers.faults import (
    ACCESS_LOG_INSERT,
    admin_connection,
    on_postgresql,
    terminate_connections,
)
from tests.helpers.problems import assert_unavailable
from tests.helpers.sharing import access_log, share_with


def test_each_read_by_someone_else_is_logged_once_with_what_they_saw(
    owner, marked_plan, link_worker
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis", "triggers"], "suggest")
    before = len(access_log(owner, marked_plan.id))
    seen = link_worker.get(f"/api/v1/shared-with-me/{share['id']}").json()
    owner.get(f"/api/v1/plans/{marked_plan.id}")  # the owner's own reads are not logged
    link_worker.get("/api/v1/shared-with-me")  # the list shows no words of the plan

    log = access_log(owner, marked_plan.id)
    assert len(log) == before + 1
    entry = log[0]
    assert entry["event"] == "viewed_plan"
    assert entry["share_id"] == share["id"]
    assert entry["who"] == {
        "display_name": "Jo Link",
        "role": "link_worker",
        "organisation": "Riverside",
    }
    assert [s["key"] for s in entry["sections"]] == [s["key"] for s in seen["sections"]]
    assert entry["summary"].startswith("Jo Link (link worker, Riverside) opened your plan")
    assert abs(clock.utcnow() - _parse(entry["at"])) < timedelta(minutes=5)

    link_worker.get(f"/api/v1/shared-with-me/{share['id']}/comments")
    link_worker.get(f"/api/v1/shared-with-me/{share['id']}/suggestions")
    events = [e["event"] for e in access_log(owner, marked_plan.id)]
    assert events[:3] == ["read_suggestions", "read_comments", "viewed_plan"]
    assert events.count("viewed_plan") == 1


def test_reads_at_the_same_moment_are_each_logged_once(owner, marked_plan, link_worker):
    # Reads arriving together have their log lines committed together: none may be lost
    # or doubled, and each reader gets the plan only once their line is written.
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    before = len(access_log(owner, marked_plan.id))
    url = f"/api/v1/shared-with-me/{share['id']}"
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: link_worker.get(url).status_code, range(32)))
    assert statuses == [200] * 32
    log = access_log(owner, marked_plan.id)
    assert len(log) == before + 32
    assert {(e["event"], e["share_id"]) for e in log[:32]} == {("viewed_plan", share["id"])}


# Read before: the next read is answered from memory, its log line a checked insert.
@pytest.mark.parametrize("read_before", [False, True], ids=["first read", "read again"])
def test_database_gone_while_logging_a_grantee_read_shows_nothing_and_logs_nothing(
    owner,
    marked_plan,
    link_worker,
    fault,  # noqa: F811 (the fixture)
    read_before,
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    if read_before:
        assert link_worker.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 200
    before = len(access_log(owner, marked_plan.id))

    injected = fault(ACCESS_LOG_INSERT)
    response = link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    assert injected.fired
    assert_unavailable(response)
    # The read is shown only once it is in the owner's log, so neither happened.
    assert marked_plan.markers["crisis"][1] not in response.text
    assert len(access_log(owner, marked_plan.id)) == before

    retried = link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    assert retried.status_code == 200, retried.text
    assert marked_plan.markers["crisis"][1] in retried.text
    assert len(access_log(owner, marked_plan.id)) == before + 1


@on_postgresql
def test_postgresql_restart_between_grantee_reads_loses_no_line(
    database_url, owner, marked_plan, link_worker
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    before = len(access_log(owner, marked_plan.id))
    assert link_worker.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 200
    with admin_connection(database_url) as admin:
        assert terminate_connections(admin) >= 1  # the log's own connection among them
    # The log's connection, found closed, is replaced before anything is written.
    again = link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    assert again.status_code == 200, again.text
    assert len(access_log(owner, marked_plan.id)) == before + 2


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def test_sharing_changes_are_in_the_log_newest_first(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    url = f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}"
    owner.patch(url, json={"sections": ["crisis", "triggers"]})
    owner.delete(url)
    owner.put("/api/v1/me/sharing", json={"enabled": False})
    owner.put("/api/v1/me/sharing", json={"enabled": True})
    log = access_log(owner, marked_plan.id)
    assert [e["event"] for e in log] == [
        "sharing_switched_on",
        "sharing_switched_off",
        "share_revoked",
        "share_changed",
        "share_accepted",
        "share_created",
    ]
    assert [e["id"] for e in log] == sorted((e["id"] for e in log), reverse=True)
    assert "Jo Link" in log[4]["summary"] and "accepted your invite" in log[4]["summary"]
    assert "sections now" in log[3]["summary"]
    assert log[2]["summary"] == "You revoked the share with Jo Link."


def test_the_log_pages_back_in_time(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    for _ in range(3):
        link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    url = f"/api/v1/plans/{marked_plan.id}/access-log"
    first = owner.get(url, params={"limit": 2}).json()
    assert len(first["entries"]) == 2 and first["next_before"]
    rest = owner.get(url, params={"limit": 10, "before": first["next_before"]}).json()
    assert len(rest["entries"]) == 3 and rest["next_before"] is None
    assert owner.get(url, params={"limit": 0}).status_code == 422


def test_only_the_owner_reads_the_log(owner, marked_plan, link_worker, stranger):
    share_with(owner, marked_plan.id, link_worker, ["crisis"])
    url = f"/api/v1/plans/{marked_plan.id}/access-log"
    assert link_worker.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert owner.client.get(url).status_code == 401
