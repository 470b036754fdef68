"""Encryption at rest: the database file or a dump alone shows none of a plan's words while
the API still returns them; keys rotate without losing anything; altered or misplaced
ciphertext fails loudly; a deployment without a key does not start."""

import glob
import os
import stat
import subprocess
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON as PlainJSON
from sqlalchemy import (
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    bindparam,
    column,
    select,
    table,
    type_coerce,
    update,
)
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from app.__main__ import main as admin_command
from app.core import caches, clock
from app.core.config import Settings, get_settings
from app.core.db import build_engine
from app.core.encryption import new_key_text, use_keyring_of
from app.core.errors import UNDECRYPTABLE_TYPE
from app.core.security import hash_password
from app.core.types import UTCDateTime
from app.main import close_database_pools, create_app
from app.plans.models import Plan, PlanEntry, PlanRevision
from app.plans.templates import new_plan_sections
from tests.helpers.accounts import PASSWORD, TEST_ENCRYPTION_KEY, sign_in
from tests.helpers.database import migrate
from tests.helpers.sharing import share_with
from tests.helpers.statement_files import FIXTURES
from tests.helpers.statements import decide, imported
from tests.helpers.sync import edit, sync

MARK = "Quillfeather"  # in no template, fixture or name, so any trace of it is a leak
ACK = {"acknowledged_visible_to_person": True}


def _marked_words_everywhere(owner, clinician, plan_id: str) -> dict:  # noqa: F811  (not the fixture)
    """The person's, a clinician's and an imported document's words, each carrying MARK,
    put wherever the API keeps words. Returns the ids the checks need."""
    url = f"/api/v1/plans/{plan_id}"
    entry = owner.post(
        f"{url}/sections/crisis/entries", json={"text": f"{MARK}: ring my sister first"}
    ).json()
    custom = owner.post(
        f"{url}/sections", json={"title": f"{MARK} garden", "description": f"{MARK} plot"}
    ).json()
    share = share_with(owner, plan_id, clinician, ["crisis", custom["key"]], "suggest")
    shared = f"/api/v1/shared-with-me/{share['id']}"
    assert clinician.get(shared).status_code == 200  # logged, with the section titles
    comment = clinician.post(
        f"{shared}/comments", json={"section": "crisis", "text": f"{MARK} is a lovely idea"} | ACK
    )
    assert comment.status_code == 201, comment.text
    # Comments keep their section's key in the clear: a custom section's key holds no title.
    on_custom = clinician.post(
        f"{shared}/comments", json={"section": custom["key"], "text": f"{MARK} garden"} | ACK
    )
    assert on_custom.status_code == 201, on_custom.text
    change = clinician.post(
        f"{shared}/suggestions",
        json={
            "section": "crisis",
            "action": "change",
            "entry_id": entry["id"],
            "text": f"{MARK}: ring my sister, then the team",
            "note": f"{MARK} note: you said so last week",
        },
    ).json()
    rejected = owner.post(
        f"{url}/suggestions/{change['id']}/reject", json={"reason": f"{MARK} reason: not yet"}
    )
    assert rejected.status_code == 200, rejected.text

    statement = (FIXTURES / "crisis_plan.md").read_text().replace("Sam Taylor", f"Sam {MARK}")
    statement += f"\n## Who to contact\n\n{MARK} house, the neighbour with a key.\n"
    import_ = imported(owner, plan_id, f"{MARK} statement.md", statement.encode())
    part = next(p for p in import_["parts"] if MARK in p["text"])
    accepted = decide(owner, plan_id, import_["id"], [{"part_id": part["id"], "action": "accept"}])
    assert accepted.status_code == 200, accepted.text

    # A sync conflict keeps both versions of the entry in the remembered result.
    plan = owner.get(url).json()
    owner.patch(f"{url}/sections/crisis/entries/{entry['id']}", json={"text": f"{MARK} (web)"})
    conflict = edit(plan, "crisis", entry["id"], {"text": f"{MARK} (phone)"})
    assert sync(owner, [conflict])["results"][0]["status"] == "conflict"
    return {"share": share, "import": import_, "custom": custom, "conflict": conflict}


def _stored_bytes(app) -> bytes:
    """Everything the database holds, as an attacker with the file or a dump would see it."""
    engine = app.state.engine
    url = make_url(app.state.settings.database_url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        files = [url.database, f"{url.database}-wal"]
        return b"".join(open(f, "rb").read() for f in files if os.path.exists(f))  # noqa: SIM115
    pg_dump = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    if pg_dump:
        plain_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return subprocess.run(  # noqa: S603
            [pg_dump[-1], "--dbname", plain_url], check=True, capture_output=True
        ).stdout
    with engine.connect() as connection:
        return "\n".join(
            text
            for name in SQLModel.metadata.tables
            for text in connection.exec_driver_sql(
                f'SELECT row_to_json(t)::text FROM "{name}" t'  # noqa: S608
            ).scalars()
        ).encode()


def test_the_stored_data_shows_no_plan_text_and_the_api_still_does(
    app,
    owner,
    green_book,
    clinician,  # noqa: F811
):
    plan_id = green_book["id"]
    made = _marked_words_everywhere(owner, clinician, plan_id)

    stored = _stored_bytes(app)
    assert owner.email.encode() in stored  # the scan sees the data (emails are not encrypted)
    assert MARK.lower().encode() not in stored.lower()

    url = f"/api/v1/plans/{plan_id}"
    plan = owner.get(url).json()
    crisis = next(s for s in plan["sections"] if s["key"] == "crisis")
    assert [e["text"] for e in crisis["entries"]] == [
        f"{MARK} (web)",
        f"{MARK} house, the neighbour with a key.",
    ]
    assert any(s["title"] == f"{MARK} garden" for s in plan["sections"])
    comments = {c["text"] for c in owner.get(f"{url}/comments").json()}
    assert comments == {f"{MARK} is a lovely idea", f"{MARK} garden"}
    suggestion = owner.get(f"{url}/suggestions").json()[0]
    assert MARK in suggestion["text"] and MARK in suggestion["note"]
    assert owner.get(f"{url}/revisions").json()[0]["title"] == "My book"
    log = owner.get(f"{url}/access-log").json()["entries"]
    assert any(s["title"] == f"{MARK} garden" for e in log for s in e["sections"])
    import_ = owner.get(f"{url}/imports/{made['import']['id']}").json()
    assert import_["about"]["name"] == f"Sam {MARK}"
    assert import_["source"]["file_name"] == f"{MARK} statement.md"
    assert any(part["decision"] and MARK in part["decision"]["text"] for part in import_["parts"])
    original = owner.get(import_["attachments"][0]["url"])
    assert f"{MARK} house".encode() in original.content
    replayed = sync(owner, [made["conflict"]])["results"][0]
    assert replayed["status"] == "conflict" and MARK in str(replayed)


@pytest.fixture
def as_admin(monkeypatch, settings):
    """Runs `python -m app ...` against the suite's database with these encryption keys."""

    def run(*argv: str, key: str, previous: str = "") -> None:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
        monkeypatch.setenv("APP_ENV", "test")
        monkeypatch.setenv("ENCRYPTION_KEY", key)
        monkeypatch.setenv("ENCRYPTION_PREVIOUS_KEYS", previous)
        get_settings.cache_clear()
        try:
            admin_command(list(argv))
        finally:
            get_settings.cache_clear()

    return run


def _client_with_keys(settings, key: str, previous: str = "") -> TestClient:
    keyed = settings.model_copy(
        update={"encryption_key": key, "encryption_previous_keys": previous}
    )
    return TestClient(create_app(keyed))


def test_keys_rotate_without_losing_anything(
    app,
    settings,
    owner,
    green_book,
    clinician,  # noqa: F811  (a fixture)
    as_admin,
    capsys,
):
    """Data written under key A (the suite's); key B becomes current with A still decrypting;
    the re-encryption moves everything to B; then B alone reads it all and A alone cannot."""
    plan_id = green_book["id"]
    made = _marked_words_everywhere(owner, clinician, plan_id)
    url = f"/api/v1/plans/{plan_id}"
    attachment_url = made["import"]["attachments"][0]["url"]
    pages = [url, f"{url}/comments", f"{url}/suggestions", f"{url}/access-log", attachment_url,
             f"{url}/imports/{made['import']['id']}", f"{url}/revisions/2"]  # fmt: skip
    before = {page: owner.get(page).content for page in pages}
    key_a, key_b = TEST_ENCRYPTION_KEY, new_key_text()

    both = _client_with_keys(settings, key_b, previous=key_a)
    assert all(both.get(page, headers=owner.headers).content == before[page] for page in pages)
    close_database_pools(both.app)

    as_admin("reencrypt", key=key_b, previous=key_a)
    rewritten = int(capsys.readouterr().out.split()[1])
    assert rewritten > 20
    as_admin("reencrypt", key=key_b, previous=key_a)
    assert capsys.readouterr().out.startswith("Re-encrypted 0 values")

    only_b = _client_with_keys(settings, key_b)
    assert all(only_b.get(page, headers=owner.headers).content == before[page] for page in pages)
    close_database_pools(only_b.app)

    only_a = _client_with_keys(settings, key_a)
    refused = only_a.get(url, headers=owner.headers)
    close_database_pools(only_a.app)
    assert refused.status_code == 500
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == UNDECRYPTABLE_TYPE
    assert MARK not in refused.text


def test_altered_or_moved_ciphertext_fails_loudly(app, owner, green_book):
    url = f"/api/v1/plans/{green_book['id']}"
    owner.post(f"{url}/sections/triggers/entries", json={"text": f"{MARK} crowds"})
    owner.patch(url, json={"title": f"{MARK} book"})
    plan_id = uuid.UUID(green_book["id"])
    this_plan = Plan.__table__.c.id == plan_id
    this_entry = PlanEntry.__table__.c.plan_id == plan_id
    with app.state.engine.connect() as connection:
        outline, title = connection.execute(
            select(type_coerce(Plan.outline, Text), type_coerce(Plan.title, Text)).where(this_plan)
        ).one()
        content = connection.execute(
            select(type_coerce(PlanEntry.content, Text)).where(this_entry)
        ).scalar_one()
        first_title = connection.execute(
            select(type_coerce(PlanRevision.title, Text)).where(
                PlanRevision.plan_id == plan_id, PlanRevision.number == 1
            )
        ).scalar_one()

    def store(stored_in, where, column_name: str, stored: str) -> None:
        with app.state.engine.begin() as connection:
            connection.execute(
                update(stored_in)
                .where(where)
                .values({column_name: bindparam("stored", stored, type_=Text)})
            )

    def altered(stored: str) -> str:
        return stored[:-5] + ("A" if stored[-5] != "A" else "B") + stored[-4:]

    # A changed byte, and a revision's title copied over the plan's: each refused.
    for stored_in, where, column_name, stored, kept in [
        (Plan.__table__, this_plan, "outline", altered(outline), outline),
        (PlanEntry.__table__, this_entry, "content", altered(content), content),
        (Plan.__table__, this_plan, "title", first_title, title),
    ]:
        store(stored_in, where, column_name, stored)
        caches.forget_plan(uuid.UUID(owner.id), plan_id)  # read from the database again
        response = owner.get(url)
        assert response.status_code == 500, response.text
        assert response.json()["type"] == UNDECRYPTABLE_TYPE
        assert MARK not in response.text and "My book" not in response.text
        store(stored_in, where, column_name, kept)
        assert MARK in owner.get(url).text


def test_a_deployment_without_a_usable_key_refuses_to_start():
    production = {"app_env": "production", "secret_key": "s" * 48}
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEY is not set"):
        create_app(Settings(**production, encryption_key=None))
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEY must be 32 random bytes"):
        create_app(Settings(**production, encryption_key="too-short"))
    with pytest.raises(RuntimeError, match="ENCRYPTION_PREVIOUS_KEYS"):
        create_app(
            Settings(**production, encryption_key=new_key_text(), encryption_previous_keys="x,y")
        )


def test_development_makes_its_key_once_and_keeps_it_private(app, settings, tmp_path):
    key_file = tmp_path / "data" / "encryption.key"
    development = settings.model_copy(
        update={"app_env": "development", "encryption_key": None, "development_key_file": key_file}
    )
    with TestClient(create_app(development)) as first:
        assert not key_file.exists()  # made when plan data is first written, not before
        first.post(
            "/api/v1/auth/register",
            json={"email": "kim@example.org", "password": PASSWORD, "display_name": "Kim"},
        )
        headers = {"Authorization": f"Bearer {sign_in(first, 'kim@example.org')['access_token']}"}
        plan = first.post(
            "/api/v1/plans", json={"template": "wrap", "title": MARK}, headers=headers
        )
        assert plan.status_code == 201, plan.text
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    with TestClient(create_app(development)) as second:
        again = second.get(f"/api/v1/plans/{plan.json()['id']}", headers=headers)
        assert again.json()["title"] == MARK
    assert key_file.read_text() == key


def test_the_migration_encrypts_existing_rows_and_downgrading_decrypts_them(
    scratch_database_url,  # noqa: F811  (a fixture)
    settings,
):
    """Rows written before encryption (revision 0005) are encrypted by the upgrade, read
    through the API, and come back unchanged on downgrade; on SQLite and PostgreSQL."""
    migrate(scratch_database_url, "0005")
    engine = build_engine(scratch_database_url)
    owner_id, plan_id, op_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = clock.utcnow()
    sections = new_plan_sections("wrap")
    sections[0]["entries"].append(
        {"id": str(uuid.uuid4()), "text": f"{MARK} walk", "prompt": None, "goal": None,
         "created_at": clock.isoformat(now), "updated_at": clock.isoformat(now)}
    )  # fmt: skip
    before = {
        "plan": {"title": f"{MARK} plan", "sections": sections},
        "plan_attachment": {"file_name": f"{MARK}.txt", "content": f"{MARK} file".encode()},
        "synced_operation": {"result": {"status": "conflict", "theirs": {"text": MARK}}},
    }
    tables = {
        "user_account": table(
            "user_account",
            *_columns("id", "email", "password_hash", "display_name", "role", "created_at"),
        ),  # fmt: skip
        "plan": table(
            "plan",
            *_columns(
                "id",
                "owner_id",
                "template",
                "title",
                "version",
                "sections",
                "created_at",
                "updated_at",
            ),
        ),  # fmt: skip
        "plan_attachment": table(
            "plan_attachment",
            *_columns(
                "id",
                "plan_id",
                "owner_id",
                "kind",
                "file_name",
                "content_type",
                "size",
                "sha256",
                "content",
                "created_at",
            ),
        ),  # fmt: skip
        "synced_operation": table(
            "synced_operation", *_columns("owner_id", "op_id", "plan_id", "result", "synced_at")
        ),
    }
    with engine.begin() as connection:
        connection.execute(
            tables["user_account"].insert().values(
                id=owner_id, email="lee@example.org", password_hash=hash_password(PASSWORD),
                display_name="Lee", role="person", created_at=now)
        )  # fmt: skip
        connection.execute(
            tables["plan"].insert().values(
                id=plan_id, owner_id=owner_id, template="wrap", version=1, created_at=now,
                updated_at=now, **before["plan"])
        )  # fmt: skip
        connection.execute(
            tables["plan_attachment"].insert().values(
                id=uuid.uuid4(), plan_id=plan_id, owner_id=owner_id, kind="original",
                content_type="text/plain", size=17, sha256="0" * 64, created_at=now,
                **before["plan_attachment"])
        )  # fmt: skip
        connection.execute(
            tables["synced_operation"].insert().values(
                owner_id=owner_id, op_id=op_id, plan_id=plan_id, synced_at=now,
                **before["synced_operation"])
        )  # fmt: skip

    def stored(*, as_written: bool) -> dict:
        """The values in `before` as stored: raw text and bytes, or read as they were written."""

        def read(name: str, column_name: str):
            found = tables[name].c[column_name]
            raw_type = LargeBinary() if column_name == "content" else Text()
            return found if as_written else type_coerce(found, raw_type).label(column_name)

        with engine.connect() as connection:
            return {
                name: dict(connection.execute(select(*(read(name, c) for c in values)))
                           .one()._mapping)
                for name, values in before.items()
            }  # fmt: skip

    use_keyring_of(settings)
    migrate(scratch_database_url, "0012")  # the last revision with these columns as they were
    encrypted = stored(as_written=False)
    for values in encrypted.values():
        for value in values.values():
            raw = value if isinstance(value, bytes) else value.encode()
            assert raw.startswith(b"v1.") and MARK.encode() not in raw
    migrate(scratch_database_url)

    on_scratch = create_app(settings.model_copy(update={"database_url": scratch_database_url}))
    with TestClient(on_scratch) as client:
        token = sign_in(client, "lee@example.org")["access_token"]
        plan = client.get(f"/api/v1/plans/{plan_id}", headers={"Authorization": f"Bearer {token}"})
    close_database_pools(on_scratch)
    assert plan.json()["title"] == f"{MARK} plan"
    assert plan.json()["sections"] == sections

    migrate(scratch_database_url, "0005", down=True)
    assert stored(as_written=True) == before
    engine.dispose()


# Types as revision 0005 stored these columns, before encryption.
_TYPES_BEFORE = {
    "id": Uuid(), "owner_id": Uuid(), "plan_id": Uuid(), "op_id": Uuid(),
    "created_at": UTCDateTime(), "updated_at": UTCDateTime(), "synced_at": UTCDateTime(),
    "sections": PlainJSON(), "result": PlainJSON(), "content": LargeBinary(),
    "version": Integer(), "size": Integer(),
}  # fmt: skip


def _columns(*names: str):
    return [column(name, _TYPES_BEFORE.get(name, String())) for name in names]
