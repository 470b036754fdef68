"""Connection handling that a failover relies on, without a cluster (both passes): a
DATABASE_URL listing several servers, a connection lost during a COMMIT, and one lost as a
request's session closes after its answer."""

import os
import socket
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.main import create_app
from tests.helpers.accounts import sign_in_with_passkey, sign_up_with_passkey
from tests.helpers.authenticator import Authenticator
from tests.helpers.sharing import create_share


class ConnectionLost(Exception):
    """Stands for the driver's error on a dropped connection."""


def lose_connection_once_as_a_transaction_ends(engine) -> None:
    """The next rollback or commit on `engine` fails as a dropped connection: a session
    closing ends the transaction its request left open with either (a commit on
    PostgreSQL when it wrote nothing)."""

    def lost(_connection) -> None:
        for ending in ("rollback", "commit"):
            event.remove(engine, ending, lost)
        raise OperationalError("end of transaction", {}, ConnectionLost())

    for ending in ("rollback", "commit"):
        event.listen(engine, ending, lost)


@contextmanager
def connection_lost_at_commit(engine, number: int):
    """Within: the `number`th COMMIT on `engine` is sent on a connection that is gone
    (closed under it, its transaction rolled back by the server): the driver's own error."""
    dialect, commit = engine.dialect, engine.dialect.do_commit
    commits = []

    def lost_at_number(pooled) -> None:
        commits.append(pooled)
        if len(commits) == number:
            pooled.dbapi_connection.close()
        commit(pooled)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(dialect, "do_commit", lost_at_number)
        yield


def whole_work_engine(app):
    """The engine of the sessions a route's whole work runs in (`in_session`): on the event
    loop once the app has started on PostgreSQL."""
    loop_engine = app.state.event_loop_engine
    return app.state.engine if loop_engine is None else loop_engine.sync_engine


POSTGRESQL_ONLY = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="a server's connection lost mid-commit, and libpq's host lists, are PostgreSQL's",
)


@POSTGRESQL_ONLY
def test_a_commit_whose_connection_is_lost_is_not_reported_saved(app, owner):
    with connection_lost_at_commit(app.state.engine, 1):
        response = owner.patch("/api/v1/me", json={"display_name": "Robin"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["Retry-After"]
    assert "could not confirm whether your change was saved" in response.json()["detail"]
    # This commit never reached the database: the change is not there.
    assert owner.get("/api/v1/me").json()["display_name"] == "Sam"


@POSTGRESQL_ONLY
def test_an_invite_accepted_as_the_connection_is_lost_is_answered_503(
    app, owner, green_book, link_worker
):
    """Accepting first commits a place under the account's limit on codes tried, then one
    under the address's; the second commit is the one lost."""
    share = create_share(owner, green_book["id"], ["crisis"])
    with connection_lost_at_commit(whole_work_engine(app), 2):
        response = link_worker.post("/api/v1/shares/accept", json={"code": share["invite_code"]})

    assert response.status_code == 503, response.text
    assert "could not confirm whether your change was saved" in response.json()["detail"]
    # Nothing was accepted: trying again works.
    again = link_worker.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert again.status_code == 200, again.text


@POSTGRESQL_ONLY
def test_a_passkey_sign_in_as_the_connection_is_lost_is_answered_503(app, client, settings):
    """Asking for a challenge commits twice (a place under the address's limit, the
    challenge); answering it commits the challenge taken, a place under the email's limit,
    then the passkey's use: that fifth commit is the one lost."""
    device = Authenticator(origin=settings.public_origin)
    signed_up = sign_up_with_passkey(client, device)
    assert signed_up.status_code == 201, signed_up.text

    with connection_lost_at_commit(app.state.engine, 5):
        response = sign_in_with_passkey(client, device)

    assert response.status_code == 503, response.text
    assert "could not confirm whether your change was saved" in response.json()["detail"]
    again = sign_in_with_passkey(client, device)
    assert again.status_code == 200, again.text


def test_a_connection_lost_as_the_session_closes_leaves_the_answer_standing(app, owner, caplog):
    lose_connection_once_as_a_transaction_ends(app.state.engine)
    response = owner.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Sam"
    assert "database connection lost while closing a request's session" in caplog.text


@POSTGRESQL_ONLY
def test_a_database_url_listing_several_servers_uses_the_one_that_takes_writes(settings):
    with socket.socket() as probe:  # a port nothing listens on: a server that is down
        probe.bind(("127.0.0.1", 0))
        down = probe.getsockname()[1]
    real = make_url(settings.database_url)
    listed = (
        f"postgresql://{real.username}@127.0.0.1:{down},{real.host}:{real.port or 5432}"
        f"/{real.database}?target_session_attrs=read-write"
    )
    with TestClient(create_app(settings.model_copy(update={"database_url": listed}))) as client:
        account = {"email": "kit@example.org", "password": "a long passphrase for Kit"}
        registered = client.post("/api/v1/auth/register", json=account | {"display_name": "Kit"})
        assert registered.status_code == 201, registered.text
        form = {"username": account["email"], "password": account["password"]}
        token = client.post("/api/v1/auth/token", data=form).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        made = client.post("/api/v1/plans", json={"template": "wrap"}, headers=headers)
        assert made.status_code == 201, made.text
        # The owner's read runs on the event loop's own connections, opened from the URL too.
        read = client.get(f"/api/v1/plans/{made.json()['id']}", headers=headers)
        assert read.status_code == 200
