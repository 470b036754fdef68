"""Accounts: register, sign in, refresh rotation, sign out, rate limits, deleting everything."""

from datetime import timedelta

import argon2
from sqlmodel import Session, select

from app.accounts.models import User
from app.core import security
from tests.helpers.accounts import PASSWORD, PRODUCTION_PASSWORD_HASHER, sign_in


def register(client, email="kim@example.org", password=PASSWORD, name="Kim", **extra):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": password, "display_name": name, **extra},
    )


def test_register_then_sign_in_and_read_me(client):
    response = register(client, email="  Kim@Example.ORG ")
    assert response.status_code == 201
    assert response.json()["email"] == "kim@example.org"
    assert PASSWORD not in response.text
    assert "token" not in response.text  # the app signs in next, with the same credentials

    tokens = sign_in(client, "kim@example.org")
    assert tokens["token_type"] == "bearer"
    assert tokens["refresh_token"] and tokens["access_token"]
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert me["display_name"] == "Kim"
    assert me["role"] == "person"


def test_passwords_are_stored_as_argon2id_at_full_cost(app, client, monkeypatch):
    monkeypatch.setattr(security, "_password_hasher", PRODUCTION_PASSWORD_HASHER)
    assert register(client).status_code == 201
    with Session(app.state.engine) as session:
        stored = session.exec(select(User.password_hash)).one()
    assert PASSWORD not in stored
    assert argon2.extract_parameters(stored) == argon2.profiles.RFC_9106_LOW_MEMORY
    assert sign_in(client, "kim@example.org")["access_token"]


def test_registering_a_used_email_answers_exactly_as_a_new_one(app, client):
    new = register(client)
    used = register(client, email="KIM@example.org", password="someone else's guess", name="Mo")
    assert new.status_code == used.status_code == 201
    assert new.headers["content-type"] == used.headers["content-type"] == "application/json"
    assert new.json() == used.json()
    # Nothing changed for the account that was there: its password and name stand, and the
    # second registration's password signs in to nothing.
    owner_headers = sign_in_headers(client, "kim@example.org")
    assert client.get("/api/v1/me", headers=owner_headers).json()["display_name"] == "Kim"
    refused = client.post(
        "/api/v1/auth/token",
        data={"username": "kim@example.org", "password": "someone else's guess"},
    )
    assert refused.status_code == 401
    assert "don't match an account" in refused.json()["detail"]
    with Session(app.state.engine) as session:
        assert len(session.exec(select(User)).all()) == 1


def test_register_rejects_bad_input(client):
    cases = [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password"}, "password"),
        ({"password": "12345678"}, "password"),
        ({"password": "Sunshine"}, "password"),
        ({"password": "x" * 257}, "password"),
        ({"password": "kim@example.org"}, "body"),
        ({"name": "Kim\u202eredlof"}, "display_name"),
        ({"name": "K\u200bim"}, "display_name"),
        ({"name": ""}, "display_name"),
        ({"name": "x" * 101}, "display_name"),
        ({"is_admin": True}, "is_admin"),
    ]
    for overrides, field in cases:
        kwargs = {k: v for k, v in overrides.items() if k in {"email", "password", "name"}}
        extra = {k: v for k, v in overrides.items() if k not in kwargs}
        response = register(client, **kwargs, **extra)
        assert response.status_code == 422, overrides
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field
        assert field in response.json()["detail"]
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": "kim@example.org", "password": PASSWORD}
        ).status_code
        == 401
    )


def test_wrong_password_and_unknown_email_get_the_same_answer(client, owner):
    wrong = client.post(
        "/api/v1/auth/token", data={"username": owner.email, "password": "nope!!!!"}
    )
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.org", "password": "nope!!!!"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_repeated_failures_are_limited_then_released(client, owner, move_clock):
    for _ in range(5):
        bad = client.post("/api/v1/auth/token", data={"username": owner.email, "password": "x"})
        assert bad.status_code == 401
    limited = client.post(
        "/api/v1/auth/token", data={"username": owner.email, "password": PASSWORD}
    )
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    move_clock(timedelta(minutes=16))
    assert sign_in(client, owner.email)["access_token"]


def test_refresh_rotates_and_reuse_ends_the_session(client, owner):
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != owner.refresh_token

    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert reused.status_code == 401
    # The reuse revoked the whole family: the rotated token and its access token stop too.
    assert (
        client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    ).status_code == 401
    headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    # Other sign-ins of the same person are untouched.
    assert client.get("/api/v1/me", headers=sign_in_headers(client, owner.email)).status_code == 200


def sign_in_headers(client, email):
    return {"Authorization": f"Bearer {sign_in(client, email)['access_token']}"}


def test_refresh_refuses_garbage_and_expired_tokens(client, owner, move_clock):
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": "nope"}).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={}).status_code == 422
    move_clock(timedelta(days=31))
    expired = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert expired.status_code == 401


def test_access_token_expires(client, owner, move_clock):
    assert owner.get("/api/v1/me").status_code == 200
    move_clock(timedelta(minutes=16))
    assert owner.get("/api/v1/me").status_code == 401


def test_sign_out_revokes_access_and_refresh_tokens(client, owner):
    assert owner.post("/api/v1/auth/logout").status_code == 204
    assert owner.get("/api/v1/me").status_code == 401
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert again.status_code == 401


def test_sign_out_with_only_a_refresh_token(client, owner):
    response = client.post("/api/v1/auth/logout", json={"refresh_token": owner.refresh_token})
    assert response.status_code == 204
    assert owner.get("/api/v1/me").status_code == 401


def test_sign_out_without_any_token(client):
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 401


def test_me_needs_a_valid_token(client):
    assert client.get("/api/v1/me").status_code == 401
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"


def test_update_display_name(owner, stranger):
    response = owner.patch("/api/v1/me", json={"display_name": "Sam R"})
    assert response.status_code == 200
    assert owner.get("/api/v1/me").json()["display_name"] == "Sam R"
    assert stranger.get("/api/v1/me").json()["display_name"] == "Alex"
    assert owner.patch("/api/v1/me", json={"email": "x@example.org"}).status_code == 422


def test_delete_account_removes_everything(client, owner, stranger, green_book):
    stranger_plan = stranger.post("/api/v1/plans", json={"template": "wrap", "title": "Mine"})
    assert owner.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    assert owner.get("/api/v1/me").status_code == 401
    assert (
        client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    ).status_code == 401
    # The same email can start again, with nothing left over.
    assert register(client, email=owner.email).status_code == 201
    fresh = sign_in_headers(client, owner.email)
    assert client.get("/api/v1/plans", headers=fresh).json() == []
    assert client.get(f"/api/v1/plans/{green_book['id']}", headers=fresh).status_code == 404
    # Nobody else's data is touched.
    assert stranger.get(f"/api/v1/plans/{stranger_plan.json()['id']}").status_code == 200


def test_delete_account_needs_sign_in(client, owner):
    assert client.delete("/api/v1/me").status_code == 401
    assert owner.get("/api/v1/me").status_code == 200
