"""Migrations build the schema from nothing and take it away again; the app refuses unsafe
settings; the admin command creates professional accounts; the API is documented; the
connection pool keeps the connections it opens."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import event, inspect, text
from sqlmodel import SQLModel

from app.__main__ import main as admin_command
from app.core.config import Settings
from app.core.db import build_engine
from app.main import close_database_pools, create_app, database_engines
from tests.helpers.accounts import PASSWORD, sign_in, sign_up_with_passkey
from tests.helpers.authenticator import Authenticator
from tests.helpers.database import migrate


def test_upgrade_from_empty_to_head_and_back(scratch_database_url):
    engine = build_engine(scratch_database_url)
    assert inspect(engine).get_table_names() == []
    migrate(scratch_database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"user_account", "plan", "plan_revision", "refresh_token"} <= tables
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            SQLModel.metadata,
        )
    assert differences == [], "models and migrations disagree: add a migration"
    migrate(scratch_database_url, "base", down=True)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(scratch_database_url)
    engine.dispose()


def test_upgrading_shares_copies_their_plans_dates(scratch_database_url, settings):
    """Revision 0007 gives existing shares their plan's updated and deleted dates, so
    "shared with me" keeps its order and still leaves out deleted plans."""
    migrate(scratch_database_url)
    on_scratch = create_app(settings.model_copy(update={"database_url": scratch_database_url}))

    def listed(client: TestClient, worker: dict) -> list[str]:
        response = client.get("/api/v1/shared-with-me", headers=worker)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(response.json()["shares"])
        return [s["person"]["display_name"] for s in response.json()["shares"]]

    with TestClient(on_scratch) as client:
        worker = _registered(client, "Jo")
        plans = {}
        for name in ("Ann", "Ben", "Cat"):
            person = _registered(client, name)
            plan = client.post(
                "/api/v1/plans", json={"template": "wrap", "title": "Mine"}, headers=person
            ).json()
            invite = client.post(
                f"/api/v1/plans/{plan['id']}/shares",
                json={"sections": ["crisis"], "permission": "view", "label": "carer"},
                headers=person,
            ).json()
            code = {"code": invite["invite_code"]}
            assert client.post("/api/v1/shares/accept", json=code, headers=worker).is_success
            plans[name] = (person, plan["id"])
        ann, ann_plan = plans["Ann"]
        edit = {"text": "Tea"}
        url = f"/api/v1/plans/{ann_plan}/sections/crisis/entries"
        assert client.post(url, json=edit, headers=ann).is_success
        cat, cat_plan = plans["Cat"]
        assert client.delete(f"/api/v1/plans/{cat_plan}", headers=cat).is_success
        assert listed(client, worker) == ["Ann", "Ben"]

        migrate(scratch_database_url, "0006", down=True)
        migrate(scratch_database_url)
        assert listed(client, worker) == ["Ann", "Ben"]
    close_database_pools(on_scratch)


def test_upgrading_gives_existing_plans_a_generation_and_keeps_their_ids_used(
    scratch_database_url, settings
):
    """Revision 0008 gives every existing plan its own random generation and records its id
    as used, so after the upgrade the plans read as before and their ids can't be taken."""
    migrate(scratch_database_url)
    on_scratch = create_app(settings.model_copy(update={"database_url": scratch_database_url}))
    with TestClient(on_scratch) as client:
        person = _registered(client, "Ann")
        made = [
            client.post("/api/v1/plans", json={"template": t}, headers=person).json()
            for t in ("wrap", "green_book")
        ]
        assert client.delete(f"/api/v1/plans/{made[1]['id']}", headers=person).is_success

        migrate(scratch_database_url, "0007", down=True)
        migrate(scratch_database_url)

        again = client.get(f"/api/v1/plans/{made[0]['id']}", headers=person)
        assert again.status_code == 200 and again.json()["sections"] == made[0]["sections"]
        for plan in made:
            create = {
                "op_id": str(uuid.uuid4()),
                "kind": "create_plan",
                "plan_id": plan["id"],
                "template": "wrap",
            }
            body = client.post("/api/v1/sync", json={"operations": [create]}, headers=person)
            assert body.json()["results"][0]["status_code"] == 404
        with on_scratch.state.engine.connect() as connection:
            generations = connection.execute(text('SELECT generation FROM "plan"')).scalars()
            assert len(set(generations)) == 2
    close_database_pools(on_scratch)


def test_downgrading_below_passkeys_keeps_accounts_without_a_password(
    scratch_database_url, settings
):
    """Revision 0012 lets an account have no password; going back below it keeps such an
    account and its plans (under a password nobody knows), and coming back up makes it an
    account without a password again."""
    migrate(scratch_database_url)
    on_scratch = create_app(settings.model_copy(update={"database_url": scratch_database_url}))
    with TestClient(on_scratch) as client:
        device = Authenticator(origin=settings.public_origin)
        tokens = sign_up_with_passkey(client, device).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        plan = client.post("/api/v1/plans", json={"template": "wrap"}, headers=headers).json()
        migrate(scratch_database_url, "0010", down=True)
        with on_scratch.state.engine.connect() as connection:
            kept = connection.execute(
                text("SELECT password_hash FROM user_account WHERE email = 'kim@example.org'")
            ).scalar_one()
            assert kept == "!"
            plans = connection.execute(text('SELECT count(*) FROM "plan"')).scalar_one()
            assert plans == 1
        migrate(scratch_database_url)
        assert client.get(f"/api/v1/plans/{plan['id']}", headers=headers).status_code == 200
        assert client.get("/api/v1/me", headers=headers).json()["has_password"] is False
    close_database_pools(on_scratch)


def _registered(client: TestClient, name: str) -> dict[str, str]:
    """Headers of a new person, signed in."""
    email = f"{name.lower()}@example.org"
    account = {"email": email, "password": PASSWORD, "display_name": name}
    assert client.post("/api/v1/auth/register", json=account).status_code == 201
    return {"Authorization": f"Bearer {sign_in(client, email)['access_token']}"}


def test_refuses_to_start_outside_development_with_the_default_secret():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Settings(app_env="production"))
    with pytest.raises(RuntimeError, match="32 characters"):
        create_app(Settings(app_env="production", secret_key="short"))


def test_admin_command_creates_a_professional(client, settings, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("NEW_USER_PASSWORD", PASSWORD)
    from app.core.config import get_settings

    get_settings.cache_clear()
    try:
        admin_command(
            [
                "create-user",
                "--email", "dee@example.org",
                "--name", "Dee",
                "--role", "link_worker",
                "--organisation", "Riverside Social Prescribing",
            ]
        )  # fmt: skip
        with pytest.raises(SystemExit, match="needs --organisation"):
            admin_command(["create-user", "--email", "x@example.org", "--name", "X",
                           "--role", "clinician"])  # fmt: skip
    finally:
        get_settings.cache_clear()
    assert "Created link_worker account dee@example.org" in capsys.readouterr().out
    tokens = sign_in(client, "dee@example.org")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["role"] == "link_worker"
    assert me.json()["organisation"] == "Riverside Social Prescribing"
    # Professionals are people too: they can own a plan.
    plan = client.post(
        "/api/v1/plans",
        json={"template": "wrap"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert plan.status_code == 201


def test_openapi_documents_every_api_route_with_examples(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for route in ["/api/v1/auth/register", "/api/v1/auth/token", "/api/v1/plans/{plan_id}",
                  "/api/v1/plans/{plan_id}/revisions/{number}/restore", "/api/v1/export",
                  "/api/v1/import", "/healthz"]:  # fmt: skip
        assert route in paths
    components = schema["components"]["schemas"]
    assert components["PlanCreate"]["examples"]
    assert components["Registration"]["examples"]
    assert "ExportFile" in components


def test_pwa_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_concurrent_reads_keep_reusing_the_pools_connections(app, owner, green_book):
    """Opening a connection costs more than a read, so requests in flight at once must
    not open one and then close it again: the pool keeps every connection it opens."""
    closed = []
    for engine in database_engines(app):
        event.listen(engine, "close", lambda *_: closed.append(True))
    url = f"/api/v1/plans/{green_book['id']}"
    with ThreadPoolExecutor(32) as threads:
        statuses = set(threads.map(lambda _: owner.get(url).status_code, range(256)))
    assert statuses == {200}
    assert closed == []
