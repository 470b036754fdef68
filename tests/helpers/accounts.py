"""Accounts in tests: the suite's password and keys, and a signed-in account whose
requests carry its access token."""

from dataclasses import dataclass

from fastapi.testclient import TestClient

from app.core import security

TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
# Fixed, so the suite never makes a development key in the repository's data/ folder.
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE="
PASSWORD = "correct horse battery staple"
# The hasher the app runs with; the suite swaps in a quick one (tests/conftest.py).
PRODUCTION_PASSWORD_HASHER = security._password_hasher


@dataclass
class Account:
    """A signed-in account, with request helpers that send its access token."""

    client: TestClient
    id: str
    email: str
    display_name: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def sign_in_again(self) -> None:
        """New tokens, e.g. after moving the clock past the access token's lifetime."""
        tokens = sign_in(self.client, self.email)
        self.access_token, self.refresh_token = tokens["access_token"], tokens["refresh_token"]

    def request(self, method: str, url: str, **kwargs):
        headers = self.headers | kwargs.pop("headers", {})
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs):
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.request("DELETE", url, **kwargs)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def sign_up_with_passkey(
    client: TestClient, device, email: str = "kim@example.org", name: str = "Kim", **request
):
    """Makes a passwordless account with a new passkey on `device` (a
    tests.helpers.authenticator.Authenticator); the sign-up's answer, unchecked."""
    details = {"email": email, "display_name": name}
    return _passkey_ceremony(client, "sign-up", details, device.create, **request)


def sign_in_with_passkey(client: TestClient, device, **request):
    """Asks for a challenge and answers it with `device`'s passkey; the answer, unchecked."""
    return _passkey_ceremony(client, "sign-in", None, device.get, **request)


def _passkey_ceremony(client: TestClient, step: str, details, answer, **request):
    options = client.post(f"/api/v1/auth/passkeys/{step}/options", json=details)
    assert options.status_code == 200, options.text
    options = options.json()
    return client.post(
        f"/api/v1/auth/passkeys/{step}",
        json={"ceremony_id": options["ceremony_id"], "credential": answer(options["public_key"])},
        **request,
    )
