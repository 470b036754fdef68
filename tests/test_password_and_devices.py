"""A person's own sign-ins: changing the password, signing out everywhere, and the list of
signed-in devices with signing out one of them."""

import uuid
from datetime import datetime, timedelta

import pytest

from tests.helpers.accounts import PASSWORD, sign_in

NEW_PASSWORD = "a fresh passphrase of my own"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
LAPTOP = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)


def _bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _sign_in_on(client, email: str, user_agent: str, password: str = PASSWORD) -> dict:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": email, "password": password},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _works(client, tokens: dict) -> bool:
    return client.get("/api/v1/me", headers=_bearer(tokens)).status_code == 200


def _refreshes(client, tokens: dict) -> bool:
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    return response.status_code == 200


def _tokens_of(account) -> dict:
    return {"access_token": account.access_token, "refresh_token": account.refresh_token}


def _assert_problem(response, status: int, words: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]


def _sign_in_status(client, email: str, password: str) -> int:
    return client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    ).status_code


# ---- changing the password --------------------------------------------------------------


def _change(account, current=PASSWORD, new=NEW_PASSWORD):
    body = {"current_password": current, "new_password": new}
    return account.post("/api/v1/me/password", json=body)


def test_changing_the_password_keeps_this_sign_in_and_ends_the_others(client, owner, stranger):
    phone = _sign_in_on(client, owner.email, PHONE)
    assert _change(owner).status_code == 204
    assert owner.get("/api/v1/me").status_code == 200
    assert _refreshes(client, _tokens_of(owner))
    assert not _works(client, phone)
    assert not _refreshes(client, phone)
    assert _sign_in_status(client, owner.email, PASSWORD) == 401
    assert sign_in(client, owner.email, NEW_PASSWORD)["access_token"]
    # Another account is untouched.
    assert stranger.get("/api/v1/me").status_code == 200
    assert sign_in(client, stranger.email)["access_token"]


def test_a_wrong_current_password_changes_nothing(client, owner):
    phone = _sign_in_on(client, owner.email, PHONE)
    _assert_problem(_change(owner, current="not my password"), 403, "current password")
    assert _works(client, phone)
    assert sign_in(client, owner.email)["access_token"]
    assert _sign_in_status(client, owner.email, NEW_PASSWORD) == 401


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"new_password": "password"}, "too common"),
        ({"new_password": "Iloveyou123"}, "too common"),
        ({"new_password": "short"}, "at least 8"),
        ({"new_password": PASSWORD}, "same as the current"),
        ({"new_password": None}, "new_password"),
        ({"current_password": ""}, "current_password"),
        ({"sign_out_others": False}, "sign_out_others"),
    ],
)
def test_a_bad_new_password_is_refused_and_changes_nothing(client, owner, body, words):
    phone = _sign_in_on(client, owner.email, PHONE)
    response = owner.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD} | body,
    )
    _assert_problem(response, 422, words)
    assert _works(client, phone)
    assert sign_in(client, owner.email)["access_token"]


def test_the_new_password_cannot_be_the_email(client, owner):
    _assert_problem(_change(owner, new=owner.email.upper()), 422, "email address")
    assert sign_in(client, owner.email)["access_token"]


def test_changing_the_password_needs_a_sign_in(client, owner):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    _assert_problem(client.post("/api/v1/me/password", json=body), 401)
    signed_out = {"Authorization": f"Bearer {owner.access_token}"}
    owner.post("/api/v1/auth/logout")
    _assert_problem(client.post("/api/v1/me/password", json=body, headers=signed_out), 401)
    assert _sign_in_status(client, owner.email, NEW_PASSWORD) == 401


# ---- signing out everywhere --------------------------------------------------------------


def test_signing_out_everywhere_ends_every_sign_in_of_the_account(client, owner, stranger):
    phone = _sign_in_on(client, owner.email, PHONE)
    assert owner.post("/api/v1/me/sign-out-everywhere").status_code == 204
    for tokens in (_tokens_of(owner), phone):
        assert not _works(client, tokens)
        assert not _refreshes(client, tokens)
    assert stranger.get("/api/v1/me").status_code == 200
    # The password still works: signing in again starts afresh.
    assert _works(client, sign_in(client, owner.email))


def test_signing_out_everywhere_needs_a_sign_in(client, owner):
    _assert_problem(client.post("/api/v1/me/sign-out-everywhere"), 401)
    bad = {"Authorization": "Bearer not.a.token"}
    _assert_problem(client.post("/api/v1/me/sign-out-everywhere", headers=bad), 401)
    assert owner.get("/api/v1/me").status_code == 200


# ---- signed-in devices -------------------------------------------------------------------


def _devices(client, tokens: dict) -> list[dict]:
    response = client.get("/api/v1/me/devices", headers=_bearer(tokens))
    assert response.status_code == 200, response.text
    return response.json()


def test_devices_are_named_in_plain_words_and_this_one_is_marked(client, owner, move_clock):
    move_clock(timedelta(minutes=5))
    laptop = _sign_in_on(client, owner.email, LAPTOP)
    move_clock(timedelta(minutes=5))
    phone = _sign_in_on(client, owner.email, PHONE)
    listed = _devices(client, phone)
    assert [d["name"] for d in listed] == [
        "Chrome on Android",
        "Safari on a Mac",
        "An unknown device",  # the test client's own sign-in, with no browser's user agent
    ]
    assert [d["this_device"] for d in listed] == [True, False, False]
    assert [d["this_device"] for d in _devices(client, laptop)] == [False, True, False]
    for device in listed:
        assert datetime.fromisoformat(device["signed_in_at"]) <= datetime.fromisoformat(
            device["last_used_at"]
        )
    assert set(listed[0]) == {
        "id",
        "name",
        "signed_in_at",
        "last_used_at",
        "this_device",
        "signed_in_with",
    }
    assert {d["signed_in_with"] for d in listed} == {"password"}


def test_renewing_a_sign_in_updates_when_it_was_last_used(client, owner, move_clock):
    [before] = _devices(client, _tokens_of(owner))
    move_clock(timedelta(minutes=20))
    renewed = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert renewed.status_code == 200
    [after] = _devices(client, renewed.json())
    assert after["id"] == before["id"]
    assert after["signed_in_at"] == before["signed_in_at"]
    gap = datetime.fromisoformat(after["last_used_at"]) - datetime.fromisoformat(
        before["last_used_at"]
    )
    assert gap >= timedelta(minutes=20)


def test_ended_sign_ins_are_not_listed(client, owner, move_clock):
    signed_out = _sign_in_on(client, owner.email, LAPTOP)
    client.post("/api/v1/auth/logout", headers=_bearer(signed_out))
    assert [d["name"] for d in _devices(client, _tokens_of(owner))] == ["An unknown device"]
    move_clock(timedelta(days=31))  # every refresh token has expired
    fresh = _sign_in_on(client, owner.email, PHONE)
    assert [d["name"] for d in _devices(client, fresh)] == ["Chrome on Android"]


def test_nobody_sees_another_accounts_devices(client, owner, stranger):
    _sign_in_on(client, owner.email, PHONE)
    listed = _devices(client, _tokens_of(stranger))
    assert [d["this_device"] for d in listed] == [True]
    assert len(_devices(client, _tokens_of(owner))) == 2


def test_listing_devices_needs_a_sign_in(client):
    _assert_problem(client.get("/api/v1/me/devices"), 401)


def test_signing_out_one_device_ends_only_that_sign_in(client, owner, stranger):
    phone = _sign_in_on(client, owner.email, PHONE)
    phone_id = next(d["id"] for d in _devices(client, phone) if d["this_device"])
    assert owner.delete(f"/api/v1/me/devices/{phone_id}").status_code == 204
    assert not _works(client, phone)
    assert not _refreshes(client, phone)
    assert owner.get("/api/v1/me").status_code == 200
    assert [d["id"] for d in _devices(client, _tokens_of(owner))] != [phone_id]
    assert stranger.get("/api/v1/me").status_code == 200
    # Signed out already: nothing left to sign out.
    _assert_problem(owner.delete(f"/api/v1/me/devices/{phone_id}"), 404, "No signed-in device")


def test_signing_out_this_device_by_its_id_ends_this_sign_in(client, owner):
    [this] = _devices(client, _tokens_of(owner))
    assert owner.delete(f"/api/v1/me/devices/{this['id']}").status_code == 204
    assert owner.get("/api/v1/me").status_code == 401


def test_another_accounts_device_cannot_be_signed_out(client, owner, stranger):
    phone = _sign_in_on(client, owner.email, PHONE)
    phone_id = next(d["id"] for d in _devices(client, phone) if d["this_device"])
    _assert_problem(stranger.delete(f"/api/v1/me/devices/{phone_id}"), 404, "No signed-in device")
    assert _works(client, phone)


def test_signing_out_a_device_refuses_bad_ids_and_no_sign_in(client, owner):
    _assert_problem(owner.delete(f"/api/v1/me/devices/{uuid.uuid4()}"), 404)
    _assert_problem(owner.delete("/api/v1/me/devices/not-an-id"), 422, "device_id")
    [this] = _devices(client, _tokens_of(owner))
    _assert_problem(client.delete(f"/api/v1/me/devices/{this['id']}"), 401)
    assert owner.get("/api/v1/me").status_code == 200
