"""Names other people are shown (display names, organisations) hold one spelling (Unicode
NFC) and no character that hides itself or reorders the text around it, so nobody can make
their name read as someone else's in an owner's access log."""

import unicodedata

import pytest

from app.__main__ import main as admin_command
from app.core.config import get_settings
from tests.helpers.accounts import PASSWORD

HIDDEN = {
    "\u202e": "right-to-left override (U+202E)",
    "\u202a": "left-to-right embedding (U+202A)",
    "\u2066": "left-to-right isolate (U+2066)",
    "\u2069": "pop directional isolate (U+2069)",
    "\u200e": "left-to-right mark (U+200E)",
    "\u200f": "right-to-left mark (U+200F)",
    "\u061c": "arabic letter mark (U+061C)",
    "\u200b": "zero width space (U+200B)",
    "\u200c": "zero width non-joiner (U+200C)",
    "\u200d": "zero width joiner (U+200D)",
    "\u2060": "word joiner (U+2060)",
    "\ufeff": "zero width no-break space (U+FEFF)",
    "\u0007": "control character (U+0007)",
    "\u2028": "line separator (U+2028)",
}


@pytest.mark.parametrize("character", HIDDEN)
def test_a_display_name_with_a_hidden_character_is_refused(owner, character):
    response = owner.patch("/api/v1/me", json={"display_name": f"Sam{character}Smith"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert HIDDEN[character] in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "display_name"
    assert owner.get("/api/v1/me").json()["display_name"] == "Sam"


def test_registering_with_a_spoofing_name_makes_no_account(client):
    body = {"email": "kim@example.org", "password": PASSWORD, "display_name": "Kim\u202eniS"}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert "right-to-left override" in response.json()["detail"]
    signing_in = client.post(
        "/api/v1/auth/token", data={"username": "kim@example.org", "password": PASSWORD}
    )
    assert signing_in.status_code == 401


def test_names_are_stored_in_one_spelling(owner):
    decomposed = "Jose\u0301 Nin\u0303o"
    response = owner.patch("/api/v1/me", json={"display_name": decomposed})
    assert response.status_code == 200
    shown = owner.get("/api/v1/me").json()["display_name"]
    assert shown == unicodedata.normalize("NFC", decomposed) == "José Niño"
    assert len(shown) == 9


def test_names_in_other_scripts_are_kept(owner):
    for name in ["سارا", "Zoë O'Brien-Åberg", "李小龍", "Ngozi 👩🏾"]:
        response = owner.patch("/api/v1/me", json={"display_name": name})
        assert response.status_code == 200, response.text
        assert owner.get("/api/v1/me").json()["display_name"] == name


def _create_professional(settings, monkeypatch, organisation: str) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("NEW_USER_PASSWORD", PASSWORD)
    get_settings.cache_clear()
    try:
        admin_command(
            ["create-user", "--email", "dee@example.org", "--name", "Dee", "--role",
             "link_worker", "--organisation", organisation]
        )  # fmt: skip
    finally:
        get_settings.cache_clear()


def test_an_organisation_with_a_hidden_character_is_refused(client, settings, monkeypatch):
    with pytest.raises(SystemExit, match=r"organisation: .*right-to-left isolate \(U\+2067\)"):
        _create_professional(settings, monkeypatch, "Riverside \u2067Clinic")
    signing_in = client.post(
        "/api/v1/auth/token", data={"username": "dee@example.org", "password": PASSWORD}
    )
    assert signing_in.status_code == 401


def test_an_organisation_is_stored_in_one_spelling(client, settings, monkeypatch):
    _create_professional(settings, monkeypatch, "Cafe\u0301 Recovery Hub")
    tokens = client.post(
        "/api/v1/auth/token", data={"username": "dee@example.org", "password": PASSWORD}
    ).json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["organisation"] == "Café Recovery Hub"
