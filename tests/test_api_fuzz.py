"""Schemathesis fuzzes every operation in the app's own OpenAPI schema, in process, signed in
as a plan's owner and as a link worker holding a share of that plan, with every check it has
(as `--checks all`): no response may be a 5xx; every response must be documented (status
code, content type, headers, body schema); a request the schema allows must not be refused
as invalid, and one it forbids must be; a method a path does not take gets 405 and `Allow`.

Each operation gets a fresh plan with history, a share, a comment, a suggestion, an import
and a crisis card, so an operation that deletes or revokes something cannot starve the ones
after it. Generated path parameters are mostly swapped for those real ids (each parameter on
its own, so a real plan is also asked for an unknown section), so requests reach real data.
"""

import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlmodel import Session

from app.accounts.models import Role
from app.accounts.service import create_user
from app.core.db import build_engine
from app.main import app as configured_app
from app.main import close_database_pools, create_app
from tests.helpers.accounts import PASSWORD, sign_in
from tests.helpers.database import empty_all_tables

# Bounded so that each of the two passes takes a couple of minutes on a small machine.
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=12,
    # Not shrinking: a failure is reported as found, which keeps a failing run short too.
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)

# A body over its limit (documented on every operation that reads one) is refused with 413
# before it is read, whether or not the schema allows it: schemathesis's own lists, and 413.
CHECKS_CONFIG = {
    "negative_data_rejection": {
        "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413", "415"]
        + ["422", "428", "429", "5xx"]
    },
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]
    },
}
owner_schema = schemathesis.openapi.from_dict(
    configured_app.openapi(), config=schemathesis.Config.from_dict({"checks": CHECKS_CONFIG})
)
# Most of what a grantee sends is refused before its input is read, so the grantee pass
# skips the coverage phase (boundary values of every field) that the owner pass runs.
grantee_schema = schemathesis.openapi.from_dict(
    configured_app.openapi(),
    config=schemathesis.Config.from_dict(
        {"checks": CHECKS_CONFIG, "phases": {"coverage": {"enabled": False}}}
    ),
)


@dataclass
class Person:
    email: str
    token: str = ""
    # A sync cursor the app made for this person.
    cursor: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Real ids an operation's path parameters can point at, by parameter name."""

    owner: Person
    grantee: Person
    path_values: dict[str, str] = field(default_factory=dict)


def aim_at_real_data(case, world: World) -> None:
    """Point two in three path parameters at the world's real ids, each on its own. The
    generated value decides, so a failing case replays the same way. Path parameters made
    to break the schema are kept as made: a real id would make the request valid."""
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if path is not None and path.mode.is_negative:
        return
    for name, value in (case.path_parameters or {}).items():
        if name in world.path_values and zlib.crc32(repr(value).encode()) % 3:
            case.path_parameters[name] = world.path_values[name]


# Whether an uploaded file holds a crisis statement, or an export file's parts fit together
# (section keys unique in a plan, entries naming prompts of their section), no schema can
# say; nor whether a passkey ceremony or reset link is live, or a passkey's answer is
# signed: for these, a well-formed request the API refuses is not a contract failure.
CONTENT_THE_SCHEMA_CANNOT_DESCRIBE = {
    "POST /api/v1/plans/{plan_id}/imports",
    "POST /api/v1/import",
    "POST /api/v1/auth/passkeys/sign-up",
    "POST /api/v1/auth/passkeys/sign-in",
    "POST /api/v1/me/passkeys",
    "DELETE /api/v1/me",
    "POST /api/v1/me/passkeys/new/options",
    "POST /api/v1/auth/password-reset/new-password",
    "POST /api/v1/import/preview",
    # What a page's file is, is told by its first bytes.
    "POST /api/v1/plans/{plan_id}/page-files",
}


# A file part's bytes are the file: a "null" or a number sent in place of one is a small
# text file, which a page's file may well be, not a value of the wrong type.
ONLY_A_FILE = {"POST /api/v1/plans/{plan_id}/page-files"}


def checks_left_out(case) -> list:
    left_out = []
    if case.operation.label in CONTENT_THE_SCHEMA_CANNOT_DESCRIBE:
        left_out.append(positive_data_acceptance)
    if case.operation.label in ONLY_A_FILE:
        left_out.append(negative_data_rejection)
    return left_out


def fit_what_the_schema_cannot_say(case, caller: Person) -> None:
    """An end date must be after now (and a crisis card's within two years), a check-in's
    time not after now, and a sync cursor one the app made for the caller, which no schema
    can say: a request made to fit the schema gets an end date a month ahead, check-ins
    made now and the caller's own cursor."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if not isinstance(case.body, dict):
        return
    if isinstance(case.body.get("expires_at"), str):
        case.body["expires_at"] = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    if isinstance(case.body.get("cursor"), str):
        case.body["cursor"] = caller.cursor
    # A check-in's time can't be in the future.
    for check_in in case.body.get("check_ins") or []:
        if isinstance(check_in, dict) and isinstance(check_in.get("at"), str):
            check_in["at"] = datetime.now(UTC).isoformat()


@pytest.fixture(scope="module")
def people(database_url):
    """The owner and the link worker, kept across operations (a fresh account per
    operation would cost two password hashes each); the tables are emptied at the end."""
    yield {}
    engine = build_engine(database_url)
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def fuzz_app(settings):
    application = create_app(settings)
    yield application
    close_database_pools(application)


def _signed_in(client: TestClient, app, people: dict[str, Person], name: str, role: Role) -> Person:
    """The module's owner or link worker, registered and signed in again if an earlier
    operation deleted the account or ended its sign-in."""
    person = people.get(name)
    if person is not None and client.get("/api/v1/me", headers=person.headers).status_code == 200:
        return person
    email = f"fuzz.{name}.{uuid.uuid4().hex[:8]}@example.org"
    with Session(app.state.engine) as session:
        create_user(
            session,
            email=email,
            password=PASSWORD,
            display_name=name.title(),
            role=role,
            organisation=None if role == Role.person else "Riverside",
        )
    person = Person(email, sign_in(client, email)["access_token"])
    people[name] = person
    return person


def _made(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
def world(fuzz_app, people) -> World:
    # Set up from an address of its own: fuzzed invite codes may have the fuzzer's address
    # refused for a while (429), which must not stop the next operation's setup.
    client = TestClient(fuzz_app, client=("192.0.2.1", 50000))
    owner = _signed_in(client, fuzz_app, people, "owner", Role.person)
    grantee = _signed_in(client, fuzz_app, people, "grantee", Role.link_worker)

    def as_owner(method: str, url: str, **kwargs) -> dict:
        return _made(client.request(method, url, headers=owner.headers, **kwargs))

    def as_grantee(method: str, url: str, **kwargs) -> dict:
        return _made(client.request(method, url, headers=grantee.headers, **kwargs))

    as_owner("PUT", "/api/v1/me/sharing", json={"enabled": True})
    plan = as_owner("POST", "/api/v1/plans", json={"template": "green_book", "title": "My book"})
    base = f"/api/v1/plans/{plan['id']}"
    entry = as_owner("POST", f"{base}/sections/crisis/entries", json={"text": "Call my sister"})
    as_owner("PATCH", base, json={"title": "My green book"})
    share = as_owner(
        "POST",
        f"{base}/shares",
        json={"sections": ["crisis", "triggers"], "permission": "suggest", "label": "link_worker"},
    )
    accepted = client.post(
        "/api/v1/shares/accept", headers=grantee.headers, json={"code": share["invite_code"]}
    )
    if accepted.status_code == 429:
        # The grantee guessed too many codes in an earlier operation: a new link worker.
        del people["grantee"]
        grantee = _signed_in(client, fuzz_app, people, "grantee", Role.link_worker)
        accepted = client.post(
            "/api/v1/shares/accept", headers=grantee.headers, json={"code": share["invite_code"]}
        )
    _made(accepted)
    comment = as_grantee(
        "POST",
        f"/api/v1/shared-with-me/{share['id']}/comments",
        json={"section": "crisis", "text": "Well done", "acknowledged_visible_to_person": True},
    )
    suggestion = as_grantee(
        "POST",
        f"/api/v1/shared-with-me/{share['id']}/suggestions",
        json={"section": "crisis", "action": "add", "text": "A walk helps"},
    )
    statement = as_grantee(
        "POST",
        f"{base}/imports",
        files={"file": ("statement.txt", b"What helps\nA quiet room.\n", "text/plain")},
    )
    as_owner("POST", f"{base}/crisis-card")
    owner.cursor = as_owner("POST", "/api/v1/sync", json={})["cursor"]
    grantee.cursor = as_grantee("POST", "/api/v1/sync", json={})["cursor"]
    return World(
        owner,
        grantee,
        {
            "plan_id": plan["id"],
            "key": "crisis",
            "entry_id": entry["id"],
            "number": "2",
            "share_id": share["id"],
            "comment_id": comment["id"],
            "suggestion_id": suggestion["id"],
            "import_id": statement["id"],
            "attachment_id": statement["attachments"][0]["id"],
        },
    )


@owner_schema.parametrize()
@FUZZ_SETTINGS
def test_owner_gets_only_documented_answers(case, world, fuzz_app):
    aim_at_real_data(case, world)
    fit_what_the_schema_cannot_say(case, world.owner)
    case.call_and_validate(
        app=fuzz_app, headers=world.owner.headers, excluded_checks=checks_left_out(case)
    )


@grantee_schema.parametrize()
@FUZZ_SETTINGS
def test_grantee_gets_only_documented_answers(case, world, fuzz_app):
    aim_at_real_data(case, world)
    fit_what_the_schema_cannot_say(case, world.grantee)
    case.call_and_validate(
        app=fuzz_app, headers=world.grantee.headers, excluded_checks=checks_left_out(case)
    )


# ---- what the fuzzer found, pinned down ----------------------------------------------------


def test_numbers_beyond_an_integer_column_are_refused(owner, green_book):
    plan = f"/api/v1/plans/{green_book['id']}"
    largest = 2**31 - 1
    paged = (f"{plan}/access-log?before=", f"{plan}/revisions/", "/api/v1/shared-with-me?offset=")
    for url in paged:
        assert owner.get(f"{url}{largest}").status_code in (200, 404), url
        refused = owner.get(f"{url}{largest + 1}")
        assert refused.status_code == 422, url
        assert refused.headers["content-type"] == "application/problem+json"


def test_null_for_a_field_that_cannot_be_empty_changes_nothing(owner, green_book):
    plan = f"/api/v1/plans/{green_book['id']}"
    for url, body in (
        (plan, {"title": None}),
        (plan, {"archived": None}),
        (f"{plan}/sections/crisis", {"hidden": None}),
        (f"{plan}/sections/crisis", {"title": None}),
    ):
        refused = owner.patch(url, json=body)
        assert refused.status_code == 422, (url, body)
        assert "can't be empty" in refused.json()["detail"]
    after = owner.get(plan).json()
    assert after["version"] == green_book["version"]
    assert all(isinstance(section["hidden"], bool) for section in after["sections"])
