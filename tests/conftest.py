"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL names one (`.ci/run` does both)."""

import itertools
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (every table on the metadata)
from app.accounts.models import Role
from app.accounts.service import create_user
from app.core import clock, security
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import build_engine
from app.main import close_database_pools, create_app

TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
# Fixed, so the suite never makes a development key in the repository's data/ folder.
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE="
PASSWORD = "correct horse battery staple"
_emails = itertools.count(1)


def migrate(database_url: str, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    engine = build_engine(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def reset_schema(database_url: str) -> None:
    """An empty database: PostgreSQL gets a fresh public schema, SQLite a missing file."""
    engine = build_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# argon2 is slow on purpose: at its real cost it was a large part of the suite's CPU time
# (an account is made and signed in to for most tests). Tests hash at the lowest cost;
# tests/test_auth.py checks the real cost with this hasher.
PRODUCTION_PASSWORD_HASHER = security._password_hasher


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


def _empty_all_tables(engine) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    _empty_all_tables(application.state.engine)
    close_database_pools(application)


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


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


def random_uuid() -> str:
    return str(uuid.uuid4())
