"""Getting back in by email: the link arrives through a real SMTP server (aiosmtpd), works
once and for 30 minutes, ends every sign-in; asking for an unknown email answers the same
and sends nothing; requests are limited; without SMTP_URL development logs the link and
production sends nothing and logs no link."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import close_database_pools, create_app
from tests.helpers.accounts import PASSWORD, sign_in
from tests.helpers.authenticator import Authenticator
from tests.helpers.mailbox import link_in, running_mailbox

API = "/api/v1"
NEW_PASSWORD = "a fresh passphrase of my own"


@pytest.fixture
def mailbox_and_url():
    with running_mailbox() as running:
        yield running


@pytest.fixture
def settings(settings, mailbox_and_url) -> Settings:
    return settings.model_copy(update={"smtp_url": mailbox_and_url[1]})


@pytest.fixture
def mailbox(mailbox_and_url):
    return mailbox_and_url[0]


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def _ask(client, email: str):
    return client.post(f"{API}/auth/password-reset", json={"email": email})


def _token_from(link: str) -> str:
    fragment = urlsplit(link).fragment
    assert fragment.startswith("/reset-password/")
    return fragment.removeprefix("/reset-password/")


def _choose(client, token: str, password: str = NEW_PASSWORD):
    return client.post(
        f"{API}/auth/password-reset/new-password", json={"token": token, "new_password": password}
    )


def _emailed_token(client, mailbox, email: str, count: int = 1) -> str:
    assert _ask(client, email).status_code == 202
    message = mailbox.wait_for(count)[count - 1]
    assert message["To"] == email
    return _token_from(link_in(message))


def test_the_emailed_link_sets_a_new_password_and_ends_every_sign_in(
    client, owner, mailbox, settings
):
    answer = _ask(client, owner.email)
    assert answer.status_code == 202
    [message] = mailbox.wait_for(1)
    assert message["To"] == owner.email
    assert message["Subject"] == "Choose a new password"
    assert message["From"] == settings.sender_address
    body = message.get_content()
    assert "Hello Sam" in body and "within 30 minutes" in body
    link = link_in(message)
    assert link.startswith(f"{settings.base_url}/#/reset-password/")

    chosen = _choose(client, _token_from(link))
    assert chosen.status_code == 200, chosen.text
    tokens = chosen.json()
    # Every earlier sign-in has ended; this one is live, listed as from the link.
    _problem(owner.get(f"{API}/me"), 401)
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["id"] == owner.id
    devices = client.get(
        f"{API}/me/devices", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert [d["signed_in_with"] for d in devices] == ["reset_link"]
    # The new password works, the old one no longer does, and the link works once.
    assert sign_in(client, owner.email, NEW_PASSWORD)
    _problem(
        client.post(f"{API}/auth/token", data={"username": owner.email, "password": PASSWORD}),
        401,
    )
    used = _choose(client, _token_from(link), "yet another passphrase")
    assert "already used" in _problem(used, 410)["detail"]
    assert sign_in(client, owner.email, NEW_PASSWORD)


def test_an_unknown_email_gets_the_same_answer_and_no_email(client, owner, mailbox):
    unknown = _ask(client, "nobody@example.org")
    known = _ask(client, owner.email)
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert unknown.json()["detail"].startswith("If an account has this email, we've sent it")
    mailbox.wait_for(1)
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.messages) == 1


def test_an_expired_link_changes_nothing(client, owner, mailbox, move_clock):
    token = _emailed_token(client, mailbox, owner.email)
    move_clock(timedelta(minutes=30, seconds=1))
    _problem(_choose(client, token), 410)
    assert sign_in(client, owner.email, PASSWORD)


def test_a_made_up_link_changes_nothing(client, owner):
    assert (
        "run out of time or was already used"
        in _problem(_choose(client, "made-up-token"), 410)["detail"]
    )
    assert sign_in(client, owner.email, PASSWORD)


def test_a_refused_new_password_keeps_the_link(client, owner, mailbox):
    token = _emailed_token(client, mailbox, owner.email)
    _problem(_choose(client, token, "password1"), 422)  # too common
    like_email = _choose(client, token, owner.email)
    _problem(like_email, 422)
    assert sign_in(client, owner.email, PASSWORD)
    assert _choose(client, token).status_code == 200


def test_a_link_used_twice_at_once_works_once(client, owner, mailbox):
    """Two uses of one link in parallel: one sets the password, the other finds it gone."""
    token = _emailed_token(client, mailbox, owner.email)
    barrier = threading.Barrier(2)

    def use(password: str) -> int:
        barrier.wait()
        return _choose(client, token, password).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(use, [NEW_PASSWORD, "another fresh passphrase"]))
    # SQLite may refuse the later writer outright (503, "try again"); never do both work.
    assert statuses in ([200, 410], [200, 503]), statuses


def test_a_newer_link_and_the_older_one_both_end_when_one_is_used(client, owner, mailbox):
    older = _emailed_token(client, mailbox, owner.email, 1)
    newer = _emailed_token(client, mailbox, owner.email, 2)
    assert _choose(client, newer).status_code == 200
    _problem(_choose(client, older, "yet another passphrase"), 410)


def test_a_reset_ends_a_lockout(client, app, owner, mailbox):
    app.state.settings = app.state.settings.model_copy(update={"login_max_failures": 2})
    for _ in range(2):
        client.post(f"{API}/auth/token", data={"username": owner.email, "password": "wrong one"})
    _problem(
        client.post(f"{API}/auth/token", data={"username": owner.email, "password": PASSWORD}),
        429,
    )
    assert _choose(client, _emailed_token(client, mailbox, owner.email)).status_code == 200
    assert sign_in(client, owner.email, NEW_PASSWORD)


def test_requests_are_limited_per_email_known_or_not(client, app, owner, mailbox):
    app.state.settings = app.state.settings.model_copy(update={"reset_max_per_email": 2})
    for email in (owner.email, "nobody@example.org"):
        assert _ask(client, email).status_code == 202
        assert _ask(client, email).status_code == 202
        limited = _problem(_ask(client, email), 429)
        assert limited["detail"].startswith("Too many requests for a new password link")
    assert len(mailbox.wait_for(2)) == 2
    assert mailbox.to("nobody@example.org") == []


def test_requests_are_limited_per_address(client, app, mailbox):
    app.state.settings = app.state.settings.model_copy(update={"reset_max_per_address": 2})
    _ask(client, "one@example.org")
    _ask(client, "two@example.org")
    _problem(_ask(client, "three@example.org"), 429)


def test_bad_requests_are_explained(client):
    _problem(_ask(client, "not an email"), 422)
    _problem(client.post(f"{API}/auth/password-reset", json={}), 422)
    _problem(client.post(f"{API}/auth/password-reset/new-password", json={"token": "x"}), 422)


def test_an_account_made_with_a_passkey_can_get_a_password(client, mailbox, settings):
    device = Authenticator(origin=settings.public_origin)
    options = client.post(
        f"{API}/auth/passkeys/sign-up/options",
        json={"email": "kim@example.org", "display_name": "Kim"},
    ).json()
    made = client.post(
        f"{API}/auth/passkeys/sign-up",
        json={
            "ceremony_id": options["ceremony_id"],
            "credential": device.create(options["public_key"]),
        },
    )
    assert made.status_code == 201
    tokens = _choose(client, _emailed_token(client, mailbox, "kim@example.org")).json()
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["has_password"] is True
    assert sign_in(client, "kim@example.org", NEW_PASSWORD)


def _app_without_smtp(settings: Settings, **changes) -> TestClient:
    return create_app(settings.model_copy(update={"smtp_url": "", **changes}))


def test_development_without_smtp_writes_the_link_to_the_log(settings, owner, caplog):
    application = _app_without_smtp(settings)
    try:
        with TestClient(application) as client, caplog.at_level(logging.WARNING):
            assert _ask(client, owner.email).status_code == 202
    finally:
        close_database_pools(application)
    [record] = [r for r in caplog.records if r.name == "app.accounts.mail"]
    assert "written here instead of sent" in record.getMessage()
    assert f"{settings.base_url}/#/reset-password/" in record.getMessage()


def test_production_without_smtp_sends_nothing_and_logs_no_link(settings, owner, caplog):
    application = _app_without_smtp(
        settings, app_env="production", public_base_url="https://plans.example.org"
    )
    try:
        with TestClient(application) as client, caplog.at_level(logging.DEBUG):
            answer = _ask(client, owner.email)
    finally:
        close_database_pools(application)
    assert answer.status_code == 202
    [record] = [r for r in caplog.records if r.name == "app.accounts.mail"]
    assert record.levelno == logging.ERROR
    assert "SMTP_URL is not set" in record.getMessage()
    everything_logged = " ".join(r.getMessage() for r in caplog.records)
    assert "reset-password" not in everything_logged
    assert owner.email not in everything_logged


def test_an_smtp_url_that_names_no_server_refuses_to_start(settings):
    for smtp_url in ("http://mail.example.org", "smtp://", "mail.example.org:25"):
        with pytest.raises(RuntimeError, match="SMTP_URL must look like"):
            settings.model_copy(update={"smtp_url": smtp_url}).check_safe_to_start()
