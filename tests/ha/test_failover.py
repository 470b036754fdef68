"""The primary's PostgreSQL killed (SIGKILL to its postmaster) on a real Patroni + etcd
cluster, under the app as configured in production (DATABASE_URL naming every node): no
acknowledged write is lost, a write caught at the kill is all there or not at all and was
never reported as saved, and the same app, not restarted, writes again on the new primary.
Also a point-in-time restore from a base backup and the archived WAL."""

import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import pytest

from deploy.ha.cluster import restored_to_point_in_time

pytestmark = pytest.mark.cluster

WRITERS = 4
# Writes each writer must have acknowledged after the kill before the test stops them.
WRITES_AFTER_FAILOVER = 5
FAILOVER_TIMEOUT_SECONDS = 60


def new_plan(client, headers) -> dict:
    response = client.post("/api/v1/plans", json={"template": "green_book"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def plan_once_reachable(client, plan_id: str, headers) -> dict:
    """The plan, read again until the service answers (503s while the cluster fails over)."""
    deadline = time.monotonic() + FAILOVER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        response = client.get(f"/api/v1/plans/{plan_id}", headers=headers)
        if response.status_code == 200:
            return response.json() | {"etag": response.headers["ETag"]}
        assert response.status_code == 503, response.text
        time.sleep(0.2)
    raise AssertionError("the plan could not be read again after the failover")


def entries_by_text(plan: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for section in plan["sections"]:
        for entry in section["entries"]:
            found.setdefault(entry["text"], []).append(entry)
    return found


@dataclass
class Writer:
    """Adds entries to its own plan, one after another, as the web page does (If-Match)."""

    client: object
    headers: dict
    plan_id: str
    etag: str
    first_version: int
    acknowledged: dict[str, str] = field(default_factory=dict)  # text -> entry id
    unacknowledged: list[tuple[str, dict]] = field(default_factory=list)  # text, 503 body
    other_statuses: list[int] = field(default_factory=list)
    acknowledged_at: list[float] = field(default_factory=list)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            text = f"A walk by the river, {uuid.uuid4().hex}"
            response = self.client.post(
                f"/api/v1/plans/{self.plan_id}/sections/triggers/entries",
                json={"text": text},
                headers=self.headers | {"If-Match": self.etag},
            )
            if response.status_code == 201:
                self.acknowledged[text] = response.json()["id"]
                self.acknowledged_at.append(time.monotonic())
                self.etag = response.headers["ETag"]
            elif response.status_code == 503:
                assert response.headers["Retry-After"]
                self.unacknowledged.append((text, response.json()))
                self.etag = plan_once_reachable(self.client, self.plan_id, self.headers)["etag"]
            else:
                self.other_statuses.append(response.status_code)
                return


def test_patroni_reports_the_synchronous_standby_zero_bytes_behind(cluster):
    cluster.wait_until_in_sync()
    members = {member["role"]: member for member in cluster.members()}
    assert members["sync_standby"]["lag"] == 0
    assert members["sync_standby"]["state"] == "running"
    # And PostgreSQL agrees: every commit waits for that standby (the other is in reserve).
    states = cluster.psql("SELECT sync_state FROM pg_stat_replication ORDER BY sync_state")
    assert states.split() == ["async", "sync"]


def test_primary_killed_during_writes_loses_no_acknowledged_write(cluster, cluster_client, person):
    writers = []
    for _ in range(WRITERS):
        plan = new_plan(cluster_client, person)
        etag = plan_once_reachable(cluster_client, plan["id"], person)["etag"]
        writers.append(Writer(cluster_client, person, plan["id"], etag, plan["version"]))
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in writers]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        cluster.wait_until_in_sync()  # Patroni: the standby is 0 bytes behind
        killed_at = time.monotonic()
        old_primary = cluster.kill_primary()
        new_primary = cluster.wait_for_leader(other_than=old_primary)

        def written_since_kill(writer: Writer) -> int:
            return sum(at > killed_at for at in writer.acknowledged_at)

        deadline = killed_at + FAILOVER_TIMEOUT_SECONDS
        while any(written_since_kill(w) < WRITES_AFTER_FAILOVER for w in writers):
            assert time.monotonic() < deadline, "writes did not succeed again after the kill"
            assert all(thread.is_alive() for thread in threads), [w.other_statuses for w in writers]
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert new_primary is not old_primary
    for writer in writers:
        assert writer.other_statuses == []  # only 201 or 503: never a 500
        plan = plan_once_reachable(cluster_client, writer.plan_id, person)
        stored = entries_by_text(plan)
        for text, entry_id in writer.acknowledged.items():
            assert [entry["id"] for entry in stored.get(text, [])] == [entry_id]
        for text, _problem in writer.unacknowledged:
            assert len(stored.get(text, [])) <= 1
        # Each entry is one revision of the plan: a write is there with its revision or not
        # at all.
        revisions = cluster_client.get(f"/api/v1/plans/{writer.plan_id}/revisions", headers=person)
        assert len(revisions.json()) == plan["version"]
        mine = [*writer.acknowledged, *(text for text, _ in writer.unacknowledged)]
        assert plan["version"] == writer.first_version + sum(text in stored for text in mine)


def test_a_write_waiting_for_its_commit_at_the_kill_is_not_reported_saved(
    cluster, cluster_client, person
):
    """The standby is held back (its WAL receiver stopped), so a commit on the primary waits
    for it; the primary is killed while the edit's request is waiting."""
    cluster.wait_until_in_sync()
    plan = new_plan(cluster_client, person)
    etag = plan_once_reachable(cluster_client, plan["id"], person)["etag"]
    standby = cluster.sync_standby()
    receiver = int(cluster_psql_on(cluster, standby, "SELECT pid FROM pg_stat_wal_receiver"))
    text = "Call my sister before it gets too much"
    answer = {}

    def edit() -> None:
        answer["response"] = cluster_client.post(
            f"/api/v1/plans/{plan['id']}/sections/triggers/entries",
            json={"text": text},
            headers=person | {"If-Match": etag},
        )

    os.kill(receiver, signal.SIGSTOP)
    editing = threading.Thread(target=edit)
    try:
        editing.start()
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
        deadline = time.monotonic() + 30
        while cluster.psql(waiting) != "1":
            assert time.monotonic() < deadline, "the edit never waited for its commit"
            time.sleep(0.05)
        old_primary = cluster.kill_primary()
        # Its backends notice their postmaster died and end: the request is answered while
        # the standby still holds nothing of the commit.
        editing.join(timeout=30)
        assert not editing.is_alive(), "the edit was not answered after the kill"
    finally:
        os.kill(receiver, signal.SIGCONT)
    editing.join()
    cluster.wait_for_leader(other_than=old_primary)

    response = answer["response"]
    assert response.status_code == 503
    assert "could not confirm whether your change was saved" in response.json()["detail"]
    assert response.headers["Retry-After"]
    after = plan_once_reachable(cluster_client, plan["id"], person)
    stored = entries_by_text(after)
    if text in stored:  # the standby had the commit: all of it, entry and revision
        assert after["version"] == plan["version"] + 1
    else:
        assert after["version"] == plan["version"]
    revisions = cluster_client.get(f"/api/v1/plans/{plan['id']}/revisions", headers=person)
    assert len(revisions.json()) == after["version"]
    cluster.wait_until_in_sync()


def test_the_app_reads_and_writes_after_a_switchover_without_a_restart(
    cluster, cluster_client, person
):
    plan = new_plan(cluster_client, person)
    cluster.wait_until_in_sync()
    cluster.switchover()
    # The first requests after it meet pooled connections to the old primary: they are
    # dropped and the requests served on the new one.
    etag = plan_once_reachable(cluster_client, plan["id"], person)["etag"]
    response = cluster_client.post(
        f"/api/v1/plans/{plan['id']}/sections/triggers/entries",
        json={"text": "Loud music late at night"},
        headers=person | {"If-Match": etag},
    )
    assert response.status_code == 201, response.text
    assert cluster_client.get("/api/v1/plans", headers=person).status_code == 200
    cluster.wait_until_in_sync()


def test_point_in_time_restore_from_a_base_backup_and_archived_wal(cluster):
    folder = cluster.folder / "point-in-time"  # where the postgres user can reach
    cluster.wait_until_in_sync()
    cluster.psql("CREATE TABLE IF NOT EXISTS restore_check (note text)")
    cluster.base_backup(folder / "base")
    cluster.psql("INSERT INTO restore_check VALUES ('before the mistake')")
    time.sleep(1)  # the restore target falls strictly between the two commits
    target = datetime.now(UTC).isoformat(sep=" ")
    time.sleep(1)
    cluster.psql("INSERT INTO restore_check VALUES ('after the mistake')")
    # The segment holding both goes to the archive now, not when full.
    switched = cluster.psql("SELECT pg_walfile_name(pg_switch_wal())")
    wait_for_archive(cluster.archive_dir / switched)

    with (
        restored_to_point_in_time(
            folder / "base", cluster.archive_dir, target, folder / "restored"
        ) as port,
        psycopg.connect(host="127.0.0.1", port=port, user="postgres") as restored,
    ):
        notes = [row[0] for row in restored.execute("SELECT note FROM restore_check")]
    assert notes == ["before the mistake"]


def wait_for_archive(segment) -> None:
    deadline = time.monotonic() + 30
    while not segment.exists():
        assert time.monotonic() < deadline, f"{segment.name} was not archived"
        time.sleep(0.2)


def cluster_psql_on(cluster, node, sql: str) -> str:
    with psycopg.connect(host="127.0.0.1", port=node.pg_port, user="postgres") as connection:
        return str(connection.execute(sql).fetchone()[0])
