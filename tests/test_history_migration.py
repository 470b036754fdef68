"""Migration 0013 turns whole-copy revisions into changes and plan bodies into entry rows:
every version of every plan reads back exactly as it did, and downgrading gives the whole
copies back."""

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.db import build_engine
from app.core.encryption import EncryptedJSON, EncryptedText
from app.main import create_app
from app.plans import history
from app.plans.models import Plan
from app.plans.schemas import Section
from app.plans.templates import Template, new_plan_sections
from tests.helpers.accounts import PASSWORD, sign_in
from tests.helpers.database import migrate

_OLD_PLAN = sa.table(
    "plan",
    sa.column("id", sa.Uuid()),
    sa.column("owner_id", sa.Uuid()),
    sa.column("generation", sa.Uuid()),
    sa.column("template", sa.String()),
    sa.column("title", EncryptedText("plan.title")),
    sa.column("version", sa.Integer()),
    sa.column("sections", EncryptedJSON("plan.sections")),
    sa.column("created_at", sa.DateTime()),
    sa.column("updated_at", sa.DateTime()),
)
_OLD_REVISION = sa.table(
    "plan_revision",
    sa.column("plan_id", sa.Uuid()),
    sa.column("owner_id", sa.Uuid()),
    sa.column("number", sa.Integer()),
    sa.column("title", EncryptedText("plan_revision.title")),
    sa.column("sections", EncryptedJSON("plan_revision.sections")),
    sa.column("summary", EncryptedText("plan_revision.summary")),
    sa.column("author_name", sa.String()),
    sa.column("created_at", sa.DateTime()),
)


def _text(sections) -> str:
    return json.dumps(sections, ensure_ascii=False)


def _as_answered(sections: list[dict]) -> list[dict]:
    return [Section.model_validate(s).model_dump(mode="json") for s in sections]


def _client_of(settings, url):
    return TestClient(create_app(settings.model_copy(update={"database_url": url})))


def _register(client: TestClient, name: str) -> dict[str, str]:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org"
    made = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name},
    )
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {sign_in(client, email)['access_token']}"}


def _every_version(client: TestClient, person: dict, plan_id: str) -> dict[int, tuple]:
    history = client.get(f"/api/v1/plans/{plan_id}/revisions", headers=person).json()
    versions = {}
    for listed in history:
        revision = client.get(
            f"/api/v1/plans/{plan_id}/revisions/{listed['number']}", headers=person
        ).json()
        versions[listed["number"]] = (revision["title"], _text(revision["sections"]))
    return versions


def _an_old_history(rng: random.Random) -> list[list[dict]]:
    """Whole copies as the old code stored them, changed in every way it could: entries
    added, edited, removed, moved between sections and reordered; sections hidden, given
    fields after their entries, added and removed."""
    sections = new_plan_sections(Template.green_book)
    versions = [json.loads(json.dumps(sections))]
    for step in range(120):
        section = rng.choice(sections)
        entries = section["entries"]
        choice = rng.random()
        if choice < 0.4 or not entries:
            at = f"2026-01-01T00:{step // 60:02d}:{step % 60:02d}Z"
            entries.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "text": f"Words {step} \u2014 \u201cquoted\u201d \U0001f331",
                    "prompt": None,
                    "goal": None,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        elif choice < 0.6:
            rng.choice(entries)["text"] = f"Changed at {step}"
        elif choice < 0.7:
            entries.remove(rng.choice(entries))
        elif choice < 0.8:
            rng.shuffle(entries)
        elif choice < 0.85:
            moved = entries.pop()
            rng.choice(sections)["entries"].append(moved)
        elif choice < 0.9:
            section["kept_contradictions"] = [f"medicine:{step:032x}"]
        elif choice < 0.95:
            section["hidden"] = not section["hidden"]
        else:
            sections.append(
                {
                    "key": f"custom_{step:08x}",
                    "title": f"Mine {step}",
                    "description": "",
                    "kind": "list",
                    "today": None,
                    "prompts": [],
                    "hidden": False,
                    "custom": True,
                    "entries": [],
                }
            )
            if step % 3 == 0:
                sections.remove(rng.choice([s for s in sections if s["custom"]]))
        versions.append(json.loads(json.dumps(sections)))
    return versions


def test_old_whole_copies_read_back_identical_after_upgrading(scratch_database_url, settings):
    migrate(scratch_database_url, "0012")
    with _client_of(settings, scratch_database_url) as client:
        person = _register(client, "Ria")
        owner_id = client.get("/api/v1/me", headers=person).json()["id"]
    versions = _an_old_history(random.Random(13))  # noqa: S311  (a repeatable history)
    plan_id = uuid.uuid4()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    engine = build_engine(scratch_database_url)
    with engine.begin() as connection:
        connection.execute(
            _OLD_PLAN.insert().values(
                id=plan_id,
                owner_id=uuid.UUID(owner_id),
                generation=uuid.uuid4(),
                template="green_book",
                title="My Green Book",
                version=len(versions),
                sections=versions[-1],
                created_at=start,
                updated_at=start,
            )
        )
        connection.execute(
            _OLD_REVISION.insert(),
            [
                {
                    "plan_id": plan_id,
                    "owner_id": uuid.UUID(owner_id),
                    "number": number,
                    "title": "My Green Book",
                    "sections": sections,
                    "summary": f"Change {number}",
                    "author_name": "Ria",
                    "created_at": start + timedelta(minutes=number),
                }
                for number, sections in enumerate(versions, start=1)
            ],
        )
    engine.dispose()

    migrate(scratch_database_url)
    with _client_of(settings, scratch_database_url) as client:
        read = client.get(f"/api/v1/plans/{plan_id}", headers=person).json()
        assert _text(read["sections"]) == _text(versions[-1])
        found = _every_version(client, person, str(plan_id))
        assert found == {
            n: ("My Green Book", _text(_as_answered(s))) for n, s in enumerate(versions, 1)
        }
    # Kept exactly, down to the order of every key (answers put keys in the model's order).
    engine = build_engine(scratch_database_url)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        rebuilt = {n: _text(s) for n, s in history.bodies(session, plan, 1, plan.version)}
        assert rebuilt == {n: _text(s) for n, s in enumerate(versions, 1)}
    engine.dispose()
    with _client_of(settings, scratch_database_url) as client:
        # The history goes on from the migrated one, and still rebuilds.
        crisis = f"/api/v1/plans/{plan_id}/sections/crisis/entries"
        assert client.post(crisis, json={"text": "After"}, headers=person).status_code == 201
        after = client.get(f"/api/v1/plans/{plan_id}", headers=person).json()
        latest = _every_version(client, person, str(plan_id))[len(versions) + 1]
        assert latest == (after["title"], _text(_as_answered(after["sections"])))


def test_downgrading_gives_every_whole_copy_back(scratch_database_url, settings):
    migrate(scratch_database_url)
    with _client_of(settings, scratch_database_url) as client:
        person = _register(client, "Ola")
        plan = client.post("/api/v1/plans", json={"template": "wrap"}, headers=person).json()
        base = f"/api/v1/plans/{plan['id']}"
        ids = []
        for n in range(40):
            added = client.post(
                f"{base}/sections/triggers/entries", json={"text": f"Entry {n}"}, headers=person
            )
            assert added.status_code == 201, added.text
            ids.append(added.json()["id"])
            if n % 4 == 3:
                edited = client.patch(
                    f"{base}/sections/triggers/entries/{ids[n // 2]}",
                    json={"text": f"Edited {n}"},
                    headers=person,
                )
                assert edited.status_code == 200, edited.text
        restored = client.post(f"{base}/revisions/10/restore", headers=person)
        assert restored.status_code == 200, restored.text
        before = _every_version(client, person, plan["id"])
        current = client.get(base, headers=person).json()

    migrate(scratch_database_url, "0012", down=True)
    engine = build_engine(scratch_database_url)
    with engine.connect() as connection:
        copies = dict(
            connection.execute(
                sa.select(_OLD_REVISION.c.number, _OLD_REVISION.c.sections).where(
                    _OLD_REVISION.c.plan_id == uuid.UUID(plan["id"])
                )
            ).all()
        )
        body = connection.execute(
            sa.select(_OLD_PLAN.c.sections).where(_OLD_PLAN.c.id == uuid.UUID(plan["id"]))
        ).scalar_one()
    engine.dispose()
    assert {n: _text(_as_answered(s)) for n, s in copies.items()} == {
        n: s for n, (_, s) in before.items()
    }
    assert _text(body) == _text(current["sections"])

    migrate(scratch_database_url)
    with _client_of(settings, scratch_database_url) as client:
        assert _every_version(client, person, plan["id"]) == before
