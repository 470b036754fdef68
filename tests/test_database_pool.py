"""More requests at once than the database pool has connections, and than the app has
worker threads (both passes): each waits its turn and is answered. None waits for a
connection kept by a request that is itself waiting for a worker thread, which would hold
everyone until the pool gave up (30 s, then 503s)."""

import pytest

from tests.helpers.limits import all_at_once

POOL_SIZE = 2
# More than the app's 40 worker threads and the pool's connections, bursts included.
AT_ONCE = 120


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"database_pool_size": POOL_SIZE})


def test_more_requests_than_connections_and_threads_are_all_answered(owner, green_book):
    plan = f"/api/v1/plans/{green_book['id']}"

    def send(n: int) -> int:
        # Each loads the plan in one worker thread and reads in the next, or changes it.
        if n % 4:
            return owner.get(f"{plan}/revisions").status_code
        return owner.post(
            f"{plan}/sections/triggers/entries", json={"text": f"note {n}"}
        ).status_code

    statuses = all_at_once(send, AT_ONCE)

    assert statuses == {200: AT_ONCE * 3 // 4, 201: AT_ONCE // 4}
    triggers = next(s for s in owner.get(plan).json()["sections"] if s["key"] == "triggers")
    assert {e["text"] for e in triggers["entries"]} >= {f"note {n}" for n in range(0, AT_ONCE, 4)}
