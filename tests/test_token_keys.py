"""Access-token signing keys rotate: SECRET_KEY signs (its id in the `kid` header), keys in
PREVIOUS_SECRET_KEYS still verify until their tokens expire, anything else is refused."""

import pytest
from fastapi.testclient import TestClient
from jose import jwt

from app.core.config import Settings
from app.core.security import JWT_ALGORITHM, key_id
from app.main import close_database_pools, create_app
from tests.helpers.accounts import TEST_SECRET_KEY

NEW_KEY = "the-next-signing-key-" + "n" * 32
OTHER_KEY = "a-key-this-app-never-had-" + "o" * 32


@pytest.fixture
def app_with_keys(settings):
    """Builds another app on the same database with other signing keys."""
    apps = []

    def build(secret_key: str, previous: str = "") -> TestClient:
        application = create_app(
            settings.model_copy(update={"secret_key": secret_key, "previous_secret_keys": previous})
        )
        apps.append(application)
        return TestClient(application)

    yield build
    for application in apps:
        close_database_pools(application)


def _me(client: TestClient, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _resigned(token: str, key: str, kid: str | None) -> str:
    """The same claims, signed with another key and labelled with another key id."""
    claims = jwt.get_unverified_claims(token)
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM, headers=headers)


def test_tokens_name_the_key_that_signed_them(owner):
    assert jwt.get_unverified_header(owner.access_token)["kid"] == key_id(TEST_SECRET_KEY)
    assert key_id(TEST_SECRET_KEY) not in TEST_SECRET_KEY


def test_a_previous_key_verifies_until_it_is_removed(owner, app_with_keys):
    rotated = app_with_keys(NEW_KEY, previous=f"{OTHER_KEY}, {TEST_SECRET_KEY}")
    assert _me(rotated, owner.access_token) == 200
    fresh = rotated.post(
        "/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token}
    ).json()["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == key_id(NEW_KEY)
    assert _me(rotated, fresh) == 200

    retired = app_with_keys(NEW_KEY)
    assert _me(retired, owner.access_token) == 401
    assert _me(retired, fresh) == 200


def test_unknown_keys_and_wrong_key_ids_are_refused(owner, app_with_keys, client):
    assert _me(client, owner.access_token) == 200
    for forged in [
        _resigned(owner.access_token, OTHER_KEY, key_id(OTHER_KEY)),
        # The current key's id on a token the current key did not sign.
        _resigned(owner.access_token, OTHER_KEY, key_id(TEST_SECRET_KEY)),
        # A real signature under a key id nobody has.
        _resigned(owner.access_token, TEST_SECRET_KEY, "0123456789ab"),
        _resigned(owner.access_token, TEST_SECRET_KEY, None),
    ]:
        refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"


def test_every_previous_key_must_be_long_enough(database_url):
    with pytest.raises(RuntimeError, match="PREVIOUS_SECRET_KEYS"):
        create_app(
            Settings(
                app_env="test",
                database_url=database_url,
                secret_key=NEW_KEY,
                previous_secret_keys=f"{TEST_SECRET_KEY},too-short",
            )
        )
