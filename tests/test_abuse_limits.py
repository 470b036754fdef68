"""Abuse limits: sign-in lockout (and its unlocking), failed sign-ins per client address, and
guessing invite codes. Counters live in the database, so a second app on the same database
sees the same limits."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.__main__ import main as admin_command
from app.accounts.attempts import prune_failed_attempts
from app.accounts.models import AttemptCounter
from app.core.config import get_settings
from tests.helpers.accounts import PASSWORD, sign_in
from tests.helpers.sharing import create_share

ELSEWHERE = ("198.51.100.9", 40000)
WRONG_GUESS = "not the right one"


@pytest.fixture
def settings(settings):
    # A lockout longer than the counting window, so the two can be told apart.
    return settings.model_copy(
        update={
            "login_max_failures": 3,
            "login_window_minutes": 15,
            "lockout_minutes": 30,
            "login_max_failures_per_address": 6,
            "invite_max_failures": 3,
            "invite_max_failures_per_address": 5,
            "invite_window_minutes": 10,
        }
    )


def _try(client, email, guess=WRONG_GUESS):
    return client.post("/api/v1/auth/token", data={"username": email, "password": guess})


def _fail(client, email, times):
    for _ in range(times):
        assert _try(client, email).status_code == 401


def _assert_too_many(response):
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) == response.json()["retry_after_seconds"] > 0
    assert "access_token" not in response.text


def test_lockout_looks_the_same_for_known_and_unknown_emails(client, owner, move_clock):
    unknown = "nobody.here@example.org"
    _fail(client, owner.email, 3)
    _fail(client, unknown, 3)
    locked, locked_unknown = _try(client, owner.email, PASSWORD), _try(client, unknown)
    _assert_too_many(locked)
    _assert_too_many(locked_unknown)
    assert locked.json()["detail"] == locked_unknown.json()["detail"]
    assert "administrator" in locked.json()["detail"]
    assert "Wait about 30 minutes" in locked.json()["detail"]
    assert "Retry-After" not in locked.json()["detail"]
    for response in (locked, locked_unknown):
        assert 29 * 60 < int(response.headers["retry-after"]) <= 30 * 60


def test_lockout_lasts_lockout_minutes_not_the_counting_window(client, owner, move_clock):
    _fail(client, owner.email, 3)
    move_clock(timedelta(minutes=16))
    _assert_too_many(_try(client, owner.email, PASSWORD))
    move_clock(timedelta(minutes=15))
    _fail(client, owner.email, 1)
    assert sign_in(client, owner.email)["access_token"]


def test_refused_attempts_during_a_lockout_do_not_extend_it(client, owner, move_clock):
    _fail(client, owner.email, 3)
    move_clock(timedelta(minutes=20))
    for _ in range(5):
        _assert_too_many(_try(client, owner.email))
    move_clock(timedelta(minutes=11))
    assert sign_in(client, owner.email)["access_token"]


def test_a_successful_sign_in_clears_the_failures(client, owner):
    _fail(client, owner.email, 2)
    assert sign_in(client, owner.email)["access_token"]
    _fail(client, owner.email, 2)
    assert sign_in(client, owner.email)["access_token"]


def test_an_administrator_unlocks_an_account_at_once(client, owner, settings, monkeypatch, capsys):
    _fail(client, owner.email, 3)
    _assert_too_many(_try(client, owner.email, PASSWORD))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        admin_command(["unlock-account", "--email", owner.email.upper()])
        admin_command(["unlock-account", "--email", "never.seen@example.org"])
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr().out
    assert f"Unlocked {owner.email.upper()}" in printed
    assert "never.seen@example.org was not locked" in printed
    assert sign_in(client, owner.email)["access_token"]


def test_failed_sign_ins_from_one_address_across_emails_are_limited(app, client, owner):
    # Two tries for each of three emails: under the per-email limit, at the per-address one.
    for n in range(3):
        _fail(client, f"someone.{n}@example.org", 2)
    _assert_too_many(_try(client, owner.email, PASSWORD))
    # Another address, e.g. the real person on their own phone, is not held back.
    with TestClient(app, client=ELSEWHERE) as elsewhere:
        assert sign_in(elsewhere, owner.email)["access_token"]


def test_limits_hold_across_app_processes(client, owner, app, settings):
    from app.main import close_database_pools, create_app

    _fail(client, owner.email, 3)
    second = create_app(settings)
    try:
        with TestClient(second, client=ELSEWHERE) as other_process:
            _assert_too_many(_try(other_process, owner.email, PASSWORD))
    finally:
        close_database_pools(second)


# ---- invite codes --------------------------------------------------------------------


def _accept(account, code):
    return account.post("/api/v1/shares/accept", json={"code": code})


def _waiting_invite(owner, green_book) -> dict:
    return create_share(owner, green_book["id"], ["crisis"])


def _share_status(owner, plan_id, share_id) -> str:
    shares = owner.get(f"/api/v1/plans/{plan_id}/shares").json()
    return next(s["status"] for s in shares if s["id"] == share_id)


def test_guessing_invite_codes_is_limited_even_for_a_right_code(
    owner, stranger, green_book, move_clock
):
    share = _waiting_invite(owner, green_book)
    for guess in ["AAAA-BBBB-CCCC", "0000-0000-0000", "ZZZZ-ZZZZ-ZZZZ"]:
        assert _accept(stranger, guess).status_code == 404
    refused = _accept(stranger, share["invite_code"])
    _assert_too_many(refused)
    assert "Wait about 10 minutes, then check the code" in refused.json()["detail"]
    assert _share_status(owner, green_book["id"], share["id"]) == "waiting"
    move_clock(timedelta(minutes=11))
    accepted = _accept(stranger, share["invite_code"])
    assert accepted.status_code == 200, accepted.text
    assert _share_status(owner, green_book["id"], share["id"]) == "active"


def test_expired_codes_count_as_failures(owner, stranger, green_book, move_clock):
    expired = [_waiting_invite(owner, green_book) for _ in range(3)]
    move_clock(timedelta(days=8))
    owner.sign_in_again()
    stranger.sign_in_again()
    for share in expired:
        assert _accept(stranger, share["invite_code"]).status_code == 410
    fresh = _waiting_invite(owner, green_book)
    _assert_too_many(_accept(stranger, fresh["invite_code"]))


def test_a_right_code_does_not_count_against_the_limit(owner, stranger, green_book, make_account):
    for _ in range(4):
        share = _waiting_invite(owner, green_book)
        assert _accept(stranger, share["invite_code"]).status_code == 200


def test_invite_guessing_is_limited_per_address_across_accounts(
    app, owner, green_book, make_account
):
    share = _waiting_invite(owner, green_book)
    first, second = make_account("Kim"), make_account("Lee")
    for _ in range(3):
        assert _accept(first, "AAAA-BBBB-CCCC").status_code == 404
    for _ in range(2):
        assert _accept(second, "AAAA-BBBB-CCCC").status_code == 404
    # Second has only two failures of its own, but this address has five.
    _assert_too_many(_accept(second, share["invite_code"]))
    with TestClient(app, client=ELSEWHERE) as elsewhere:
        accepted = elsewhere.post(
            "/api/v1/shares/accept", json={"code": share["invite_code"]}, headers=second.headers
        )
    assert accepted.status_code == 200, accepted.text


def test_counters_too_old_to_count_are_pruned(app, client, owner, settings, move_clock):
    _fail(client, owner.email, 2)
    move_clock(timedelta(minutes=61))
    # The address's sign-in counter starts a new window; the owner's email and the
    # address's registrations (the owner's, an hour ago) are not tried again.
    _fail(client, "recent@example.org", 1)
    with Session(app.state.engine) as session:
        assert prune_failed_attempts(session, settings) == 2
        remaining = session.execute(select(AttemptCounter.subject)).scalars().all()
    assert sorted(remaining) == ["recent@example.org", "testclient"]


def test_an_email_too_long_for_any_account_is_still_counted(client):
    too_long = "x" * 300 + "@example.org"
    _fail(client, too_long, 3)
    _assert_too_many(_try(client, too_long))
