"""A real Patroni + etcd cluster (deploy/ha/cluster.py) for the tests of this folder: one per
module, started in the PostgreSQL pass only, so that a whole run (SQLite, then PostgreSQL)
starts each once."""

import os
import uuid

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from deploy.ha.cluster import Cluster, missing_tools
from tests.helpers.accounts import PASSWORD, TEST_ENCRYPTION_KEY, TEST_SECRET_KEY
from tests.helpers.database import migrate


@pytest.fixture(scope="module")
def cluster():
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("runs once per run, in the PostgreSQL pass (TEST_DATABASE_URL unset)")
    if missing := missing_tools():
        pytest.skip(f"the cluster cannot start here: no {', '.join(missing)} installed")
    with Cluster() as started:
        started.create_database("plans")
        migrate(started.database_url("plans"))
        yield started


@pytest.fixture(scope="module")
def cluster_client(cluster):
    """The app on the cluster's every node (it follows the primary), started once, with its
    lifespan: the connections of all three of its ways to the database are exercised."""
    settings = Settings(
        app_env="test",
        database_url=cluster.database_url("plans"),
        secret_key=TEST_SECRET_KEY,
        encryption_key=TEST_ENCRYPTION_KEY,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def person(cluster_client) -> dict[str, str]:
    """A new person's sign-in headers."""
    email = f"ha.{uuid.uuid4().hex[:12]}@example.org"
    account = {"email": email, "password": PASSWORD, "display_name": "Alex"}
    assert cluster_client.post("/api/v1/auth/register", json=account).status_code == 201
    form = {"username": email, "password": PASSWORD}
    token = cluster_client.post("/api/v1/auth/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}
