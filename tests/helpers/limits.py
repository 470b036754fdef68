"""Sending many requests at once: for tests of the abuse limits, and of the database pool."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

AT_ONCE = 40


def all_at_once(send: Callable[[int], int], at_once: int = AT_ONCE) -> Counter:
    """Runs send(0) … send(at_once - 1) in as many threads, released together; counts the
    statuses they answered."""
    barrier = threading.Barrier(at_once)

    def released(n: int) -> int:
        barrier.wait()
        return send(n)

    with ThreadPoolExecutor(at_once) as pool:
        return Counter(pool.map(released, range(at_once)))


def try_password(client: TestClient, email: str, password: str) -> int:
    """The status of one sign-in attempt."""
    form = {"username": email, "password": password}
    return client.post("/api/v1/auth/token", data=form).status_code
