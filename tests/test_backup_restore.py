"""Backup and restore as docs/operations.md describes them: varied data, a backup taken
while the app runs, a restore into a fresh database, and the owner sees exactly the same
things afterwards (their export, and the shares, comments, suggestions, imports and access
log of each plan). SQLite always; PostgreSQL with pg_dump / pg_restore when the suite runs
on PostgreSQL."""

import glob
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.core.config import PROJECT_ROOT
from app.main import close_database_pools, create_app
from tests.helpers.accounts import Account
from tests.helpers.sharing import share_with

PLAN_VIEWS = ["shares", "comments", "suggestions", "imports", "access-log"]


def make_varied_data(owner: Account, worker: Account) -> None:
    """Two plans with history, an archived and a deleted one, a share with a comment, a reply
    and a suggestion, an imported statement with its file, and a crisis card."""
    book = owner.post("/api/v1/plans", json={"template": "green_book", "title": "My book"}).json()
    base = f"/api/v1/plans/{book['id']}"
    entry = owner.post(f"{base}/sections/crisis/entries", json={"text": "Call my sister Ana"})
    assert entry.status_code == 201, entry.text
    edited = owner.patch(
        f"{base}/sections/crisis/entries/{entry.json()['id']}",
        json={"text": "Call my sister Ana (07700 900123)"},
    )
    assert edited.status_code == 200, edited.text
    assert owner.patch(base, json={"title": "My green book"}).status_code == 200

    share = share_with(owner, book["id"], worker, ["crisis", "triggers"], "suggest")
    shared = f"/api/v1/shared-with-me/{share['id']}"
    assert worker.get(shared).status_code == 200
    comment = worker.post(
        f"{shared}/comments",
        json={"section": "crisis", "text": "Good plan", "acknowledged_visible_to_person": True},
    )
    assert comment.status_code == 201, comment.text
    reply = owner.post(f"{base}/comments/{comment.json()['id']}/replies", json={"text": "Thanks"})
    assert reply.status_code == 201, reply.text
    suggestion = worker.post(
        f"{shared}/suggestions", json={"section": "crisis", "action": "add", "text": "A walk"}
    )
    assert suggestion.status_code == 201, suggestion.text
    statement = owner.post(
        f"{base}/imports",
        files={"file": ("statement.txt", b"What helps\nA quiet room.\n", "text/plain")},
    )
    assert statement.status_code == 201, statement.text
    assert owner.post(f"{base}/crisis-card").status_code == 201

    wrap = owner.post("/api/v1/plans", json={"template": "wrap", "title": "WRAP"}).json()
    assert owner.patch(f"/api/v1/plans/{wrap['id']}", json={"archived": True}).status_code == 200
    gone = owner.post("/api/v1/plans", json={"template": "wrap", "title": "Old"}).json()
    assert owner.delete(f"/api/v1/plans/{gone['id']}").status_code == 204


def owner_view(owner: Account) -> dict:
    """Everything the owner can read about their data, minus the export's own timestamp."""
    export = owner.get("/api/v1/export")
    assert export.status_code == 200, export.text
    view = {"export": export.json() | {"exported_at": None}}
    view["deleted"] = owner.get("/api/v1/plans", params={"deleted": True}).json()
    for plan in view["export"]["plans"]:
        for name in PLAN_VIEWS:
            response = owner.get(f"/api/v1/plans/{plan['id']}/{name}")
            assert response.status_code == 200, response.text
            view[f"{plan['id']}/{name}"] = response.json()
        for statement in view[f"{plan['id']}/imports"]:
            for attachment in owner.get(
                f"/api/v1/plans/{plan['id']}/imports/{statement['id']}"
            ).json()["attachments"]:
                file = owner.get(f"/api/v1/plans/{plan['id']}/attachments/{attachment['id']}")
                view[attachment["id"]] = file.content
    return view


def view_on(app, owner: Account) -> dict:
    """The owner's view, read through another app (the restored one) with the same sign-in."""
    with TestClient(app) as other:
        return owner_view(replace(owner, client=other))


@pytest.fixture
def worker(make_account):
    from app.accounts.models import Role

    return make_account("Jo Link", role=Role.link_worker, organisation="Riverside")


def run(*command, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own CLI and PostgreSQL's tools, fixed arguments)
        [str(part) for part in command],
        cwd=PROJECT_ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_backup_command(database_url: str, destination: Path) -> subprocess.CompletedProcess:
    return run(sys.executable, "-m", "app", "backup", destination, DATABASE_URL=database_url)


def test_sqlite_backup_while_serving_restores_identically(
    settings, database_url, owner, worker, tmp_path
):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the SQLite backup command is for SQLite databases")
    make_varied_data(owner, worker)
    before = owner_view(owner)
    backup = tmp_path / "backups" / "plans.db"
    backup.parent.mkdir()

    made = run_backup_command(database_url, backup)
    assert made.returncode == 0, made.stderr
    assert backup.is_file()
    assert not list(backup.parent.glob("*.partial"))
    # Changes after the backup are not in it.
    assert owner.post("/api/v1/plans", json={"template": "wrap"}).status_code == 201

    # Restore as documented: the backup file becomes the database file of a stopped app.
    restored = tmp_path / "restored" / "plans.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    with sqlite3.connect(restored) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored_app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{restored}"}))
    try:
        assert view_on(restored_app, owner) == before
    finally:
        close_database_pools(restored_app)


def test_backup_command_never_overwrites_and_explains_postgresql(database_url, tmp_path):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    if make_url(database_url).get_backend_name() == "sqlite":
        refused = run_backup_command(database_url, existing)
        assert refused.returncode != 0
        assert "already exists" in refused.stderr
        assert existing.read_bytes() == b"keep me"
    elsewhere = run_backup_command("postgresql://someone@db.internal/plans", tmp_path / "x.db")
    assert elsewhere.returncode != 0
    assert "pg_dump" in elsewhere.stderr
    assert not (tmp_path / "x.db").exists()


def _postgresql_tools() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_restore"), key=_major_version)
    return Path(found[-1]).parent if found else None


def _major_version(path: str) -> int:
    return int(Path(path).parts[-3])


def _libpq_url(url, database: str | None = None) -> str:
    url = url.set(drivername="postgresql")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def test_postgresql_dump_restores_identically(settings, database_url, owner, worker, tmp_path):
    url = make_url(database_url)
    tools = _postgresql_tools()
    if not url.get_backend_name().startswith("postgresql") or tools is None:
        pytest.skip("needs the suite on PostgreSQL and pg_dump/pg_restore installed")
    import psycopg

    make_varied_data(owner, worker)
    before = owner_view(owner)
    dump = tmp_path / "plans.dump"
    dumped = run(tools / "pg_dump", "--format=custom", f"--file={dump}", _libpq_url(url))
    assert dumped.returncode == 0, dumped.stderr
    scratch = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq_url(url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    restored_app = None
    try:
        restored = run(
            tools / "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_libpq_url(url, scratch)}",
            dump,
        )
        assert restored.returncode == 0, restored.stderr
        restored_url = url.set(database=scratch).render_as_string(hide_password=False)
        restored_app = create_app(settings.model_copy(update={"database_url": restored_url}))
        assert view_on(restored_app, owner) == before
    finally:
        if restored_app is not None:
            close_database_pools(restored_app)
        with psycopg.connect(_libpq_url(url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
