"""A plan id is never used twice, and nothing remembered in memory of one plan can answer
for another: the outside test's reproduction (a deleted person's plan served from memory to
whoever re-created its id) and the tombstones, the cache keys and forgetting behind the fix."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import Session

from app.accounts.models import Role, User
from app.core import caches, clock
from app.plans.models import Plan, UsedPlanId
from app.plans.service import purge_deleted_plans
from tests.helpers.accounts import PASSWORD
from tests.helpers.plans import make_marked_plan, random_uuid
from tests.helpers.sharing import share_with

SYNC = "/api/v1/sync"


def create_op(plan_id: str, template: str = "green_book") -> dict:
    return {"op_id": random_uuid(), "kind": "create_plan", "plan_id": plan_id, "template": template}


def rename_op(plan_id: str, version: int, title: str) -> dict:
    return {
        "op_id": random_uuid(),
        "kind": "rename_plan",
        "plan_id": plan_id,
        "base_version": version,
        "title": title,
    }


def sync(account, operations: list[dict]) -> dict:
    response = account.post(SYNC, json={"operations": operations})
    assert response.status_code == 200, response.text
    return response.json()


def recreate_up_to(account, plan_id: str, version: int) -> list[dict]:
    """The attack: create a plan under the id through sync, then rename it, one sync (so
    one version) at a time, up to `version`. Returns every sync answer."""
    answers = [sync(account, [create_op(plan_id)])]
    for number in range(1, version):
        answers.append(sync(account, [rename_op(plan_id, number, f"Mine {number}")]))
    return answers


@pytest.fixture
def victims_plan(owner, make_account):
    """A shared plan with a marker in every section, an entry removed before the end (so
    only the history holds it), read by the owner and by the grantee, so every cache of
    it is full."""
    plan = make_marked_plan(owner)
    removed = owner.post(
        f"/api/v1/plans/{plan.id}/sections/triggers/entries",
        json={"text": "Removed before deletion REMOVED-ENTRY-91c2"},
    ).json()
    assert owner.delete(
        f"/api/v1/plans/{plan.id}/sections/triggers/entries/{removed['id']}"
    ).is_success
    plan.markers["removed"] = ["REMOVED-ENTRY-91c2"]
    grantee = make_account("Jo Link", role=Role.link_worker, organisation="Riverside")
    share = share_with(owner, plan.id, grantee, list(plan.markers.keys() - {"removed"}))
    read = grantee.get(f"/api/v1/shared-with-me/{share['id']}")
    assert read.status_code == 200 and "ENTRY-crisis" in read.text
    assert grantee.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 200
    assert grantee.get("/api/v1/shared-with-me").status_code == 200
    full = owner.get(f"/api/v1/plans/{plan.id}")
    assert full.status_code == 200
    assert owner.get(f"/api/v1/plans/{plan.id}/revisions").status_code == 200
    return plan, grantee, share, full.json()["version"]


def leaked_words(plan, text: str) -> list[str]:
    return [mark for marks in plan.markers.values() for mark in marks if mark in text]


@pytest.mark.parametrize("attacker", ["grantee", "stranger"])
def test_a_deleted_persons_plan_is_never_served_to_whoever_re_creates_its_id(
    owner, stranger, victims_plan, attacker
):
    plan, grantee, share, version = victims_plan
    assert owner.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    who = grantee if attacker == "grantee" else stranger

    answers = recreate_up_to(who, plan.id, version)
    created = answers[0]["results"][0]
    assert (created["status"], created["status_code"]) == ("rejected", 404)
    for later in answers[1:]:
        assert (later["results"][0]["status"], later["results"][0]["status_code"]) == (
            "rejected",
            404,
        )
    responses = [
        who.get(f"/api/v1/plans/{plan.id}"),
        who.get(f"/api/v1/plans/{plan.id}/revisions"),
        who.get(f"/api/v1/plans/{plan.id}/revisions/2"),
        grantee.get(f"/api/v1/shared-with-me/{share['id']}"),
        grantee.get("/api/v1/shared-with-me"),
        who.get("/api/v1/plans"),
        who.post(SYNC, json={}),  # everything the device should hold
    ]
    assert [r.status_code for r in responses[:4]] == [404, 404, 404, 404]
    assert responses[4].json()["total"] == 0
    for response in responses:
        assert leaked_words(plan, response.text) == [], response.request.url
    for answer in answers:
        assert leaked_words(plan, str(answer)) == []


def test_even_with_its_tombstone_gone_a_re_created_id_is_served_only_its_own_words(
    app, owner, stranger, victims_plan
):
    """As if the account had been deleted by another worker process (so this one still
    remembers the plan) and the database then put back from a copy without the plan's
    tombstone: the caches are keyed by the plan row's own random generation, so nothing
    remembered of the old row answers for the new one, version for version."""
    plan, grantee, _share, version = victims_plan
    with Session(app.state.engine) as session:
        session.execute(delete(User).where(User.id == uuid.UUID(owner.id)))
        session.execute(delete(UsedPlanId).where(UsedPlanId.plan_id == uuid.UUID(plan.id)))
        session.commit()
    assert _remembered(owner.id) >= 3

    answers = recreate_up_to(stranger, plan.id, version)
    assert all(a["results"][0]["status"] == "applied" for a in answers)
    mine = stranger.get(f"/api/v1/plans/{plan.id}")
    assert mine.status_code == 200 and mine.json()["version"] == version
    assert mine.json()["title"] == f"Mine {version - 1}"
    assert leaked_words(plan, mine.text) == []
    history = stranger.get(f"/api/v1/plans/{plan.id}/revisions")
    assert len(history.json()) == version and leaked_words(plan, history.text) == []

    # Shared on with someone else, crisis plan and all: they see the new plan only.
    share = share_with(stranger, plan.id, grantee, ["crisis", "triggers"])
    read = grantee.get(f"/api/v1/shared-with-me/{share['id']}")
    assert read.status_code == 200 and leaked_words(plan, read.text) == []
    listed = grantee.get("/api/v1/shared-with-me")
    assert listed.status_code == 200 and leaked_words(plan, listed.text) == []


# ---- plan ids are never used twice ---------------------------------------------------------


def _refused_like_an_unknown_plan(result: dict) -> None:
    assert (result["status"], result["status_code"]) == ("rejected", 404)


def test_creating_a_plan_under_someone_elses_id_is_refused_like_any_used_id(
    owner, stranger, green_book
):
    theirs = sync(stranger, [create_op(green_book["id"])])["results"][0]
    mine = sync(owner, [create_op(green_book["id"])])["results"][0]
    _refused_like_an_unknown_plan(theirs)
    # Nobody learns whose it is: the answer is the owner's own, word for word.
    assert theirs["detail"] == mine["detail"]
    assert "new id" in theirs["detail"]
    assert owner.get(f"/api/v1/plans/{green_book['id']}").json()["template"] == "green_book"
    assert stranger.get("/api/v1/plans").json() == []


def test_a_deleted_plans_id_stays_used(owner, green_book):
    assert owner.delete(f"/api/v1/plans/{green_book['id']}").status_code == 204
    _refused_like_an_unknown_plan(sync(owner, [create_op(green_book["id"], "wrap")])["results"][0])
    binned = owner.get("/api/v1/plans", params={"deleted": True}).json()
    assert [(p["id"], p["template"]) for p in binned] == [(green_book["id"], "green_book")]


def test_a_purged_plans_id_stays_used(app, owner, stranger, green_book, move_clock):
    assert owner.delete(f"/api/v1/plans/{green_book['id']}").status_code == 204
    move_clock(timedelta(days=31))
    with Session(app.state.engine) as session:
        assert purge_deleted_plans(session, 30) == 1
    owner.sign_in_again()
    stranger.sign_in_again()
    for account in (owner, stranger):
        _refused_like_an_unknown_plan(sync(account, [create_op(green_book["id"])])["results"][0])
        assert account.get(f"/api/v1/plans/{green_book['id']}").status_code == 404


def test_a_new_id_is_still_welcome_and_sending_it_again_changes_nothing(owner):
    operation = create_op(random_uuid(), "wrap")
    first = sync(owner, [operation])["results"][0]
    again = sync(owner, [operation])["results"][0]
    assert first["status"] == again["status"] == "applied"
    assert [p["id"] for p in owner.get("/api/v1/plans").json()] == [operation["plan_id"]]


def test_no_login_cannot_create(client):
    response = client.post(SYNC, json={"operations": [create_op(random_uuid())]})
    assert response.status_code == 401


# ---- what is remembered is forgotten with the plan -----------------------------------------


def _remembered(owner_id: str) -> int:
    return sum(
        1
        for cache in caches.registered()
        for entry_owner, _plan in cache.plans_held()
        if str(entry_owner) == owner_id
    )


def test_every_cache_of_a_plan_is_emptied_when_it_is_deleted(owner, victims_plan):
    plan, *_ = victims_plan
    assert _remembered(owner.id) >= 3  # the sections, the listed share, the grantee's read
    assert owner.delete(f"/api/v1/plans/{plan.id}").status_code == 204
    assert _remembered(owner.id) == 0


def test_every_cache_of_a_persons_plans_is_emptied_when_their_account_is_deleted(
    owner, victims_plan
):
    assert _remembered(owner.id) >= 3
    assert owner.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    assert _remembered(owner.id) == 0


def test_every_cache_of_a_plan_is_emptied_when_it_is_purged(app, owner, victims_plan, move_clock):
    plan, *_ = victims_plan
    with Session(app.state.engine) as session:
        # Deleted straight in the database, as by another worker process: this one still
        # remembers it until the purge.
        session.execute(
            update(Plan).where(Plan.id == uuid.UUID(plan.id)).values(deleted_at=clock.utcnow())
        )
        session.commit()
    assert _remembered(owner.id) >= 3
    move_clock(timedelta(days=31))
    with Session(app.state.engine) as session:
        assert purge_deleted_plans(session, 30) == 1
    assert _remembered(owner.id) == 0
