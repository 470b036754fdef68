"""Sending many requests at once, for tests of the abuse limits."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

AT_ONCE = 40


def all_at_once(send: Callable[[int], int]) -> Counter:
    """Runs send(0) … send(AT_ONCE - 1) in as many threads, released together; counts the
    statuses they answered."""
    barrier = threading.Barrier(AT_ONCE)

    def released(n: int) -> int:
        barrier.wait()
        return send(n)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return Counter(pool.map(released, range(AT_ONCE)))


def try_password(client: TestClient, email: str, password: str) -> int:
    """The status of one sign-in attempt."""
    form = {"username": email, "password": password}
    return client.post("/api/v1/auth/token", data=form).status_code
