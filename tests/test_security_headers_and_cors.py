"""Security headers on every kind of response, private answers kept out of caches, links
built from PUBLIC_BASE_URL, OPTIONS and other methods answered by the API, and CORS closed
unless origins are listed."""

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.crisis_card import service as crisis_card_service
from app.main import close_database_pools, create_app

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

    monkeypatch.setattr(crisis_card_service, "use_crisis_card", broken)
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
    public = {"pwa index", "pwa file", "service worker"}
    for name, response in responses.items():
        if name in public:
            assert "no-store" not in response.headers.get("cache-control", ""), name
        else:
            assert response.headers["cache-control"] == "no-store", name
    assert responses["pwa index"].headers["cache-control"] == "no-cache"


def test_a_static_file_asked_for_with_a_token_is_not_stored(client, owner):
    assert client.get("/manifest.webmanifest").headers.get("cache-control") != "no-store"
    asked_signed_in = client.get("/manifest.webmanifest", headers=owner.headers)
    assert asked_signed_in.headers["cache-control"] == "no-store"


def test_api_docs_and_their_files_are_served_by_the_app(client):
    page = client.get("/docs")
    assert page.status_code == 200
    _assert_secured(page)
    assert "https://" not in page.text and "<script>" not in page.text
    for asset in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/start.js"):
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 100, asset
    assert '"/openapi.json"' in client.get("/docs/start.js").text
    assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize(
    "path, allow",
    [
        ("/api/v1/plans", "GET, POST"),
        ("/api/v1/plans/{plan}", "DELETE, GET, PATCH"),
        ("/api/v1/plans/{plan}/restore", "POST"),
        ("/api/v1/plans/{plan}/sections/crisis/entries", "POST"),
        ("/api/v1/me/sharing", "GET, PUT"),
        ("/healthz", "GET"),
    ],
)
def test_options_and_other_methods_are_answered_by_the_api(
    client, owner, stranger, green_book, path, allow
):
    url = path.format(plan=green_book["id"])
    taken = set(allow.split(", "))
    refused_methods = ["OPTIONS"] + [
        m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m not in taken
    ]
    for headers in (owner.headers, stranger.headers, {}):
        for method in refused_methods:
            response = client.request(method, url, headers=headers)
            assert response.status_code == 405, (method, url, response.text)
            assert response.headers["allow"] == allow
            assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_api_path_is_not_found_whatever_the_method(client, owner):
    for method in ("GET", "POST", "OPTIONS", "DELETE"):
        response = client.request(method, "/api/v1/no-such-thing", headers=owner.headers)
        assert response.status_code == 404, method
        assert response.headers["content-type"] == "application/problem+json"
        assert "allow" not in response.headers


def test_a_preflight_is_answered_by_cors_when_origins_are_listed(settings):
    application = create_app(settings.model_copy(update={"cors_allow_origins": LISTED_ORIGIN}))
    try:
        with TestClient(application) as client:
            allowed = _preflight(client, LISTED_ORIGIN)
            plain = client.options("/api/v1/plans")
    finally:
        close_database_pools(application)
    assert allowed.status_code == 200
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert plain.status_code == 405 and plain.headers["allow"] == "GET, POST"


def _card_url(client: TestClient, owner, green_book, **headers) -> str:
    made = client.post(
        f"/api/v1/plans/{green_book['id']}/crisis-card", headers=owner.headers | headers
    )
    assert made.status_code == 201, made.text
    return made.json()["url"]


def test_crisis_card_links_start_with_the_public_base_url_not_the_requests_host(
    settings, owner, green_book
):
    public = settings.model_copy(update={"public_base_url": "https://plans.example.org/"})
    application = create_app(public)
    try:
        with TestClient(application) as client:
            url = _card_url(client, owner, green_book, Host="evil.example.net")
            forwarded = _card_url(
                client, owner, green_book, **{"X-Forwarded-Host": "evil.example.net"}
            )
    finally:
        close_database_pools(application)
    for link in (url, forwarded):
        assert link.startswith("https://plans.example.org/c/")
        assert "evil" not in link


def test_in_development_links_fall_back_to_the_configured_host_and_port(
    settings, owner, green_book
):
    local = settings.model_copy(update={"host": "127.0.0.1", "port": 8123})
    application = create_app(local)
    try:
        with TestClient(application) as client:
            url = _card_url(client, owner, green_book, Host="evil.example.net")
    finally:
        close_database_pools(application)
    assert url.startswith("http://127.0.0.1:8123/c/")


@pytest.mark.parametrize(
    "public_base_url, refusal",
    [
        ("", "PUBLIC_BASE_URL is not set"),
        ("http://plans.example.org", "must be an https:// address"),
        ("https://plans.example.org/?next=1", "must be an https:// address"),
        ("plans.example.org", "must be an https:// address"),
    ],
)
def test_production_refuses_to_start_without_a_usable_public_base_url(
    settings, public_base_url, refusal
):
    production = settings.model_copy(
        update={"app_env": "production", "public_base_url": public_base_url}
    )
    with pytest.raises(RuntimeError, match=refusal):
        create_app(production)


def test_production_starts_with_a_public_base_url(settings):
    production = Settings(
        **settings.model_dump(exclude={"app_env", "public_base_url"}),
        app_env="production",
        public_base_url="https://plans.example.org",
    )
    application = create_app(production)
    close_database_pools(application)
    assert production.base_url == "https://plans.example.org"


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
