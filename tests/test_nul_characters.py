"""The NUL character (U+0000), which PostgreSQL text cannot hold: wherever it can reach a
column stored as plain text, the request is refused with a 422 and nothing changes; in
imported files it is dropped. Never a 500 (the fuzzer found one on PostgreSQL)."""

import json

from tests.helpers.accounts import PASSWORD, sign_in
from tests.helpers.problems import assert_problem
from tests.helpers.statement_files import FIXTURES
from tests.helpers.statements import imported, upload


def test_signing_in_with_a_nul_in_the_email_is_refused(client, owner):
    response = client.post(
        "/api/v1/auth/token", data={"username": owner.email + "\x00", "password": PASSWORD}
    )
    assert_problem(response, 422)
    assert "NUL" in response.json()["detail"]
    # Not counted as a failed sign-in of anyone: the owner still signs in.
    assert sign_in(client, owner.email)["access_token"]


def test_registering_with_a_nul_is_refused_and_makes_no_account(client):
    for body in (
        {"email": "nul\x00@example.org", "password": PASSWORD, "display_name": "Nul"},
        {"email": "nul@example.org", "password": PASSWORD, "display_name": "N\x00ul"},
    ):
        assert_problem(client.post("/api/v1/auth/register", json=body), 422)
    credentials = {"username": "nul@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=credentials).status_code == 401


def test_a_display_name_with_a_nul_is_refused(owner):
    before = owner.get("/api/v1/me").json()
    assert_problem(owner.patch("/api/v1/me", json={"display_name": "Sam\x00"}), 422)
    assert owner.get("/api/v1/me").json() == before


def test_an_import_source_with_a_nul_is_refused(owner, green_book):
    data = (FIXTURES / "mhad_bundle.json").read_bytes()
    response = upload(owner, green_book["id"], "bundle.json", data, source_system="EPR\x00")
    assert_problem(response, 422)
    assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []


def _with_nul_in_words(value, key=""):
    """A NUL after the first word of every human-readable string (not the XHTML narrative)."""
    if isinstance(value, str) and " " in value and key != "div":
        return value.replace(" ", "\x00 ", 1)
    if isinstance(value, list):
        return [_with_nul_in_words(item, key) for item in value]
    if isinstance(value, dict):
        return {name: _with_nul_in_words(item, name) for name, item in value.items()}
    return value


def test_nul_characters_in_an_imported_document_are_dropped(owner, green_book):
    bundle = json.loads((FIXTURES / "mhad_bundle.json").read_text())
    plain = imported(owner, green_book["id"], "mhad_bundle.json")
    data = json.dumps(_with_nul_in_words(bundle)).encode()
    with_nul = imported(owner, green_book["id"], "bundle.json", data)
    assert "\\u0000" not in json.dumps(with_nul)
    assert [p["text"] for p in with_nul["parts"]] == [p["text"] for p in plain["parts"]]
