"""Abuse limits hold when the attempts arrive all at once: 40 requests released together
(threads behind a barrier, against the app's real thread pool and database) check no more
passwords, invite codes or registrations than the limit allows, on SQLite and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient

from tests.helpers.accounts import PASSWORD, sign_in
from tests.helpers.limits import AT_ONCE, all_at_once, try_password

ELSEWHERE = ("198.51.100.23", 40000)
WRONG = "a wrong guess at it"


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={
            "login_max_failures": 5,
            "login_max_failures_per_address": 7,
            "invite_max_failures": 5,
            "invite_max_failures_per_address": 20,
            "registration_max_per_address": 6,
        }
    )


def test_parallel_wrong_passwords_for_one_email_check_only_the_limit(app, client, owner):
    statuses = all_at_once(lambda _n: try_password(client, owner.email, WRONG))
    assert statuses == {401: 5, 429: AT_ONCE - 5}
    # Locked now: the right password is refused too, from here and from anywhere else.
    assert try_password(client, owner.email, PASSWORD) == 429
    with TestClient(app, client=ELSEWHERE) as elsewhere:
        assert try_password(elsewhere, owner.email, PASSWORD) == 429


def test_parallel_wrong_passwords_from_one_address_check_only_its_limit(app, client, owner):
    statuses = all_at_once(lambda n: try_password(client, f"guess.{n}@example.org", WRONG))
    assert statuses == {401: 7, 429: AT_ONCE - 7}
    assert try_password(client, owner.email, PASSWORD) == 429
    with TestClient(app, client=ELSEWHERE) as elsewhere:
        assert sign_in(elsewhere, owner.email)["access_token"]


def test_parallel_wrong_current_passwords_are_limited_like_sign_ins(client, owner):
    statuses = all_at_once(
        lambda _n: (
            owner.post(
                "/api/v1/me/password",
                json={"current_password": WRONG, "new_password": "a brand new passphrase"},
            ).status_code
        )
    )
    assert statuses == {403: 5, 429: AT_ONCE - 5}
    assert try_password(client, owner.email, PASSWORD) == 429


def _waiting_invite(owner, plan_id: str) -> dict:
    body = {"sections": ["crisis"], "permission": "view", "label": "carer"}
    response = owner.post(f"/api/v1/plans/{plan_id}/shares", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_parallel_wrong_invite_codes_check_only_the_limit(owner, stranger, green_book):
    share = _waiting_invite(owner, green_book["id"])
    statuses = all_at_once(
        lambda n: (
            stranger.post("/api/v1/shares/accept", json={"code": f"WXYZ-{n:04d}-ABCD"}).status_code
        )
    )
    assert statuses == {404: 5, 429: AT_ONCE - 5}
    refused = stranger.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert refused.status_code == 429
    shares = owner.get(f"/api/v1/plans/{green_book['id']}/shares").json()
    assert [s["status"] for s in shares] == ["waiting"]


def test_parallel_registrations_from_one_address_make_only_the_limit(app, client, owner):
    # The owner's registration was the first of this address's six.
    def register(n: int) -> int:
        body = {"email": f"new.{n}@example.org", "password": PASSWORD, "display_name": "New"}
        return client.post("/api/v1/auth/register", json=body).status_code

    statuses = all_at_once(register)
    assert statuses == {201: 5, 429: AT_ONCE - 5}
    # Each checked from an address of its own, under that address's sign-in limit.
    made = [
        n
        for n in range(AT_ONCE)
        if try_password(
            TestClient(app, client=(f"203.0.113.{n + 1}", 40000)), f"new.{n}@example.org", PASSWORD
        )
        == 200
    ]
    assert len(made) == 5
