"""Every bad input gets a clear problem+json answer below 500 and changes nothing."""

import pytest

from app.main import close_database_pools, create_app
from app.plans.schemas import Goal
from tests.helpers.plans import add_entry
from tests.helpers.problems import assert_problem


def plan_version(owner, plan_id):
    return owner.get(f"/api/v1/plans/{plan_id}").json()["version"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"text": "unterminated',
        b"",
    ],
)
def test_malformed_json(owner, green_book, body):
    response = owner.post(
        f"/api/v1/plans/{green_book['id']}/sections/triggers/entries",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in {400, 422}
    assert_problem(response, response.status_code)
    assert plan_version(owner, green_book["id"]) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": 5}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": "ok", "prompt": 3}, "prompt"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "ok", "owner_id": "me"}, "owner_id"),
        ([], "body"),
    ],
)
def test_wrong_types_unknown_fields_and_long_text(owner, green_book, body, field):
    response = owner.post(f"/api/v1/plans/{green_book['id']}/sections/triggers/entries", json=body)
    assert_problem(response, 422)
    assert response.json()["errors"][0]["field"] == field
    assert plan_version(owner, green_book["id"]) == 1


def test_unknown_template_and_long_title(owner):
    assert_problem(owner.post("/api/v1/plans", json={"template": "care_plan"}), 422)
    assert_problem(owner.post("/api/v1/plans", json={"template": "wrap", "title": "t" * 201}), 422)
    assert_problem(owner.post("/api/v1/plans", json={}), 422)
    assert owner.get("/api/v1/plans").json() == []


def test_huge_bodies_are_refused(owner, green_book):
    huge = b'{"text": "' + b"x" * 2_000_000 + b'"}'
    response = owner.post(
        f"/api/v1/plans/{green_book['id']}/sections/triggers/entries",
        content=huge,
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 413)
    assert "1,048,576 bytes" in response.json()["detail"]
    assert plan_version(owner, green_book["id"]) == 1


def test_huge_streamed_body_without_length_is_refused(owner, green_book):
    def chunks():
        for _ in range(40):
            yield b"x" * 65_536

    response = owner.post(
        f"/api/v1/plans/{green_book['id']}/sections/triggers/entries",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 413)
    assert plan_version(owner, green_book["id"]) == 1


def test_bad_ids_and_unknown_routes(owner, green_book):
    assert_problem(owner.get("/api/v1/plans/not-a-uuid"), 422)
    assert_problem(owner.get("/api/v1/nothing-here"), 404)
    assert_problem(owner.put(f"/api/v1/plans/{green_book['id']}"), 405)
    entry = add_entry(owner, green_book["id"], "triggers", "x")
    assert_problem(
        owner.patch(
            f"/api/v1/plans/{green_book['id']}/sections/Bad-Key/entries/{entry['id']}",
            json={"text": "y"},
        ),
        422,
    )


def test_security_headers_on_every_response(client, owner):
    for response in [client.get("/"), client.get("/healthz"), owner.get("/api/v1/nope")]:
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


# As sent on the wire: header bytes, read by the server as Latin-1 (so "²" arrives as itself,
# and UTF-8 digits from other scripts as other characters).
@pytest.mark.parametrize(
    "if_match",
    ["²", '"³"', 'W/"1²"', "¹", "٣", '"٣"', "３", "1 2", ""],
    ids=[
        "superscript",
        "quoted",
        "weak",
        "one",
        "arabic-indic",
        "quoted-arabic",
        "fullwidth",
        "space",
        "empty",
    ],
)
def test_if_match_with_digits_other_than_ascii_is_a_bad_request(owner, green_book, if_match):
    url = f"/api/v1/plans/{green_book['id']}"
    try:
        sent = if_match.encode("latin-1")
    except UnicodeEncodeError:
        sent = if_match.encode()
    headers = {"If-Match": sent}
    for response in (
        owner.patch(url, json={"title": "Changed"}, headers=headers),
        owner.post(f"{url}/sections/triggers/entries", json={"text": "x"}, headers=headers),
        owner.delete(f"{url}/sections/triggers", headers=headers),
    ):
        assert_problem(response, 400)
        assert "If-Match" in response.json()["detail"]
    assert plan_version(owner, green_book["id"]) == 1


def test_booleans_integers_and_dates_must_be_sent_as_the_schema_says(owner, green_book):
    """JSON 0, "true", "1" or a number for a date are refused, not converted."""
    url = f"/api/v1/plans/{green_book['id']}"
    entries = f"{url}/sections/goals/entries"
    sharing = owner.get("/api/v1/me/sharing").json()["enabled"]
    for method, address, body in [
        ("PUT", "/api/v1/me/sharing", {"enabled": 0}),
        ("PUT", "/api/v1/me/sharing", {"enabled": "true"}),
        ("PATCH", url, {"archived": 1}),
        ("PATCH", f"{url}/sections/triggers", {"hidden": "false"}),
        ("POST", entries, {"text": "Walk", "goal": {"way": "be_active", "progress": "1"}}),
        ("POST", entries, {"text": "Walk", "goal": {"way": "be_active", "progress": True}}),
        ("POST", entries, {"text": "Walk", "goal": {"way": "be_active", "by_when": 0}}),
        ("POST", f"{url}/crisis-card", {"expires_at": 1900000000}),
    ]:
        assert_problem(owner.request(method, address, json=body), 422)
    assert owner.get("/api/v1/me/sharing").json()["enabled"] is sharing
    assert plan_version(owner, green_book["id"]) == 1
    # 1.0 is a JSON integer.
    added = owner.post(
        entries, json={"text": "Walk", "goal": {"way": "be_active", "progress": 1.0}}
    )
    assert added.status_code == 201, added.text
    assert added.json()["goal"]["progress"] == 1


def test_lengths_count_the_text_as_sent(owner, green_book):
    url = f"/api/v1/plans/{green_book['id']}"
    padded = "My plan" + " " * 200
    assert_problem(owner.patch(url, json={"title": padded}), 422)
    assert_problem(owner.patch(url, json={"title": "   "}), 422)
    assert_problem(owner.patch("/api/v1/me", json={"display_name": "Sam" + " " * 100}), 422)
    assert_problem(owner.patch("/api/v1/me", json={"display_name": " \t "}), 422)
    assert plan_version(owner, green_book["id"]) == 1
    kept = owner.patch(url, json={"title": "  My plan  "})
    assert kept.status_code == 200, kept.text
    assert owner.get(url).json()["title"] == "My plan"


def test_making_the_app_again_leaves_input_checks_as_they_were(settings):
    """Each app (a test's, a worker process's) builds its routes' validators and its OpenAPI
    schema from the same schema classes: the exact-type checks must be added to them once,
    not once more each time (they nested until validation overflowed the stack)."""

    def described() -> str:
        return repr(Goal.__pydantic_core_schema__)

    before = described()
    for _ in range(3):
        application = create_app(settings)
        assert application.openapi()["paths"]
        close_database_pools(application)
    assert described() == before
