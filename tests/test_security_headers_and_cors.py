"""Security headers on every kind of response, and CORS closed unless origins are listed."""

import pytest
from fastapi.testclient import TestClient

from app.main import close_database_pools, create_app
from app.sharing import service as sharing_service

LISTED_ORIGIN = "https://plans.example.org"
OTHER_ORIGIN = "https://evil.example.net"


def _assert_secured(response, *, behind_tls: bool = False) -> None:
    policy = response.headers["content-security-policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    if behind_tls:
        assert response.headers["strict-transport-security"].startswith("max-age=")
    else:
        assert "strict-transport-security" not in response.headers


def _every_kind_of_response(client: TestClient, owner, green_book, monkeypatch) -> dict:
    card = owner.post(f"/api/v1/plans/{green_book['id']}/crisis-card", json=None).json()
    card_path = "/c/" + card["url"].rsplit("/c/", 1)[1]
    bearer = owner.headers
    responses = {
        "api json": client.get("/api/v1/plans", headers=bearer),
        "404": client.get("/api/v1/no-such-thing", headers=bearer),
        "401": client.get("/api/v1/plans"),
        "413": client.post("/api/v1/plans", content=b"x" * 1_100_000, headers=bearer),
        "422": client.post("/api/v1/plans", json={"template": "nope"}, headers=bearer),
        "pwa index": client.get("/"),
        "pwa file": client.get("/manifest.webmanifest"),
        "service worker": client.get("/sw.js"),
        "crisis card": client.get(card_path),
        "missing card": client.get("/c/not-a-real-card-token"),
    }

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sharing_service, "use_crisis_card", broken)
    responses["500"] = client.get(card_path)
    return responses


@pytest.mark.parametrize("behind_tls", [False, True], ids=["http", "https"])
def test_every_kind_of_response_carries_the_security_headers(
    app, owner, green_book, monkeypatch, behind_tls
):
    base_url = "https://testserver" if behind_tls else "http://testserver"
    with TestClient(app, base_url=base_url) as client:
        responses = _every_kind_of_response(client, owner, green_book, monkeypatch)
    expected = {"404": 404, "401": 401, "413": 413, "422": 422, "missing card": 404, "500": 500}
    for name, response in responses.items():
        assert response.status_code == expected.get(name, 200), (name, response.text)
        if response.status_code >= 400 and name not in {"missing card"}:
            assert response.headers["content-type"] == "application/problem+json", name
        _assert_secured(response, behind_tls=behind_tls)
    assert "RuntimeError" not in responses["500"].text and "a bug" not in responses["500"].text


def _preflight(client, origin):
    return client.options(
        "/api/v1/plans",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_cors_is_closed_by_default(client, owner):
    preflight = _preflight(client, OTHER_ORIGIN)
    simple = client.get("/api/v1/plans", headers=owner.headers | {"Origin": OTHER_ORIGIN})
    assert simple.status_code == 200
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers


def test_cors_allows_only_the_listed_origins(settings, owner):
    application = create_app(
        settings.model_copy(update={"cors_allow_origins": f" {LISTED_ORIGIN} ,"})
    )
    try:
        with TestClient(application) as client:
            allowed = _preflight(client, LISTED_ORIGIN)
            refused = _preflight(client, OTHER_ORIGIN)
            simple = client.get("/api/v1/plans", headers=owner.headers | {"Origin": LISTED_ORIGIN})
            other = client.get("/api/v1/plans", headers=owner.headers | {"Origin": OTHER_ORIGIN})
    finally:
        close_database_pools(application)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == LISTED_ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert simple.headers["access-control-allow-origin"] == LISTED_ORIGIN
    assert "access-control-allow-credentials" not in simple.headers
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in other.headers
    _assert_secured(allowed)
