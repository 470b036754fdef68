"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL names one (`.ci/run` does both)."""

import itertools
import os
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlmodel import Session

from app.accounts.models import Role
from app.accounts.service import create_user
from app.core import clock, security
from app.core.config import Settings
from app.core.db import build_engine
from app.main import close_database_pools, create_app, database_engines
from tests.helpers.accounts import (
    PASSWORD,
    PRODUCTION_PASSWORD_HASHER,
    TEST_ENCRYPTION_KEY,
    TEST_SECRET_KEY,
    Account,
    sign_in,
)
from tests.helpers.database import empty_all_tables, migrate, reset_schema
from tests.helpers.faults import StatementFault
from tests.helpers.plans import MarkedPlan, make_marked_plan
from tests.helpers.sharing import share_with
from tests.helpers.watchers import Statements

_emails = itertools.count(1)


# argon2 is slow on purpose: at its real cost it was a large part of the suite's CPU time
# (an account is made and signed in to for most tests). Tests hash at the lowest cost;
# tests/test_auth.py checks the real cost with PRODUCTION_PASSWORD_HASHER.
@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    security._password_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    security._password_hasher = PRODUCTION_PASSWORD_HASHER


def database_of_worker(url: str, worker_id: str) -> str:
    """The PostgreSQL database `url` names, or, when tests run in parallel (pytest -n), one
    beside it for this worker (made if missing): each worker empties its database between
    tests, so two must never share one."""
    if worker_id == "master":
        return url
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker_id}")
    engine = build_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    """SQLite in this session's (and worker's) temporary folder, or TEST_DATABASE_URL."""
    if postgresql_url := os.environ.get("TEST_DATABASE_URL"):
        url = database_of_worker(postgresql_url, worker_id)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    reset_schema(url)
    migrate(url)
    return url


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(
        app_env="test",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        encryption_key=TEST_ENCRYPTION_KEY,
        # Tests make many accounts from the test client's one address; the registration
        # limit has tests of its own that set it low.
        registration_max_per_address=10_000,
    )


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    empty_all_tables(application.state.engine)
    close_database_pools(application)


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_account(client, app):
    """Registers (or, with a professional role, creates as the admin command does) and signs in."""

    def make(name: str = "Sam", role: Role = Role.person, organisation: str | None = None):
        email = f"{name.lower().replace(' ', '.')}.{next(_emails)}@example.org"
        if role == Role.person:
            response = client.post(
                "/api/v1/auth/register",
                json={"email": email, "password": PASSWORD, "display_name": name},
            )
            assert response.status_code == 201, response.text
            user_id = None  # the answer never says (registering hides who has an account)
        else:
            with Session(app.state.engine) as session:
                user = create_user(
                    session,
                    email=email,
                    password=PASSWORD,
                    display_name=name,
                    role=role,
                    organisation=organisation or "Riverside Social Prescribing",
                )
                user_id = str(user.id)
        tokens = sign_in(client, email)
        if user_id is None:
            me = client.get(
                "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
            user_id = me.json()["id"]
        return Account(
            client, user_id, email, name, tokens["access_token"], tokens["refresh_token"]
        )

    return make


@pytest.fixture
def owner(make_account) -> Account:
    return make_account("Sam")


@pytest.fixture
def stranger(make_account) -> Account:
    return make_account("Alex")


@pytest.fixture
def green_book(owner) -> dict:
    response = owner.post("/api/v1/plans", json={"template": "green_book", "title": "My book"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def move_clock(monkeypatch):
    """Moves the app's clock forward by the given timedelta (cumulative)."""
    offset = timedelta()
    real_utcnow = clock.utcnow

    def now() -> datetime:
        return real_utcnow() + offset

    monkeypatch.setattr(clock, "utcnow", now)

    def move(by: timedelta) -> None:
        nonlocal offset
        offset += by

    return move


@pytest.fixture
def link_worker(make_account) -> Account:
    return make_account("Jo Link", role=Role.link_worker, organisation="Riverside")


@pytest.fixture
def marked_plan(owner) -> MarkedPlan:
    return make_marked_plan(owner)


@pytest.fixture
def clinician(make_account) -> Account:
    return make_account(
        "Dr Ana Okafor", role=Role.clinician, organisation="Riverside Mental Health Trust"
    )


@pytest.fixture
def clinician_share(owner, green_book, clinician) -> dict:
    """The owner lets the clinician suggest changes to the crisis plan."""
    return share_with(owner, green_book["id"], clinician, ["crisis"], "suggest", label="clinician")


@pytest.fixture
def statements(app):
    """Every statement the app sends its database during the test (tests/helpers/watchers.py)."""
    captured = Statements(database_engines(app))
    yield captured
    captured.remove()


@pytest.fixture
def fault(app):
    """`fault(pattern)` arms a driver OperationalError at the next statement matching it,
    on whichever of the app's engines runs it."""
    armed: list[StatementFault] = []
    engines = database_engines(app)

    def arm(pattern: str, error: Exception | None = None) -> StatementFault:
        driver = app.state.engine.dialect.loaded_dbapi
        injected = StatementFault(
            engines,
            pattern,
            error or driver.OperationalError("server closed the connection unexpectedly"),
        )
        armed.append(injected)
        return injected

    yield arm
    for injected in armed:
        injected.remove()


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """A second, empty database beside the suite's: a new SQLite file, or a PostgreSQL
    schema reset (the suite's tables are rebuilt afterwards)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    reset_schema(database_url)
    yield database_url
    reset_schema(database_url)
    migrate(database_url)
