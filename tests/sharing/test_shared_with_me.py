"""What a grantee sees: their list of shared plans, and a plan holding only what is shared."""

import uuid
from datetime import timedelta

import pytest

from app.core import caches, clock
from tests.helpers.plans import make_marked_plan
from tests.helpers.sharing import share_with
from tests.helpers.watchers import EditBetweenReads


def _list(account, **params) -> dict:
    response = account.get("/api/v1/shared-with-me", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_shared_with_me_says_who_what_and_until_when(owner, marked_plan, link_worker):
    until = clock.utcnow() + timedelta(days=90)
    share = share_with(
        owner, marked_plan.id, link_worker, ["crisis"], "comment", expires_at=until.isoformat()
    )
    listed = _list(link_worker)
    assert listed["total"] == 1
    item = listed["shares"][0]
    assert item["share_id"] == share["id"]
    assert item["person"] == {"display_name": "Sam"}
    assert item["plan_title"] == "My book"
    assert item["sections"] == [{"key": "crisis", "title": f"My crisis plan {_title(marked_plan)}"}]
    assert item["permission"] == "comment"
    assert item["since"] and item["until"].startswith(until.date().isoformat())
    assert item["changed_since_last_view"] is True
    assert item["last_viewed_version"] is None
    assert "haven't opened it yet" in item["summary"]
    # Titles only: the list never holds the plan's words.
    assert marked_plan.markers["crisis"][1] not in str(listed)
    for key in marked_plan.markers.keys() - {"crisis"}:
        assert not any(mark in str(listed) for mark in marked_plan.markers[key])


def _title(plan) -> str:
    return plan.markers["crisis"][0]


def test_what_changed_since_the_last_look_counts_only_shared_sections(
    owner, marked_plan, link_worker
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    opened = link_worker.get(f"/api/v1/shared-with-me/{share['id']}").json()
    item = _list(link_worker)["shares"][0]
    assert item["changed_since_last_view"] is False
    assert item["last_viewed_version"] == opened["version"] == item["plan_version"]
    assert "Nothing you can see has changed" in item["summary"]

    # A change to a section that is not shared is not news to the grantee.
    owner.post(f"/api/v1/plans/{marked_plan.id}/sections/goals/entries", json={"text": "Swim"})
    item = _list(link_worker)["shares"][0]
    assert item["plan_version"] == opened["version"] + 1
    assert item["changed_since_last_view"] is False
    assert item["changed_sections"] == []

    owner.post(f"/api/v1/plans/{marked_plan.id}/sections/crisis/entries", json={"text": "Tea"})
    item = _list(link_worker)["shares"][0]
    assert item["changed_since_last_view"] is True
    assert item["changed_sections"] == ["crisis"]
    assert "Changed since you last looked" in item["summary"]


def test_the_scoped_plan_has_the_owners_shape_and_only_shared_sections(
    owner, marked_plan, link_worker
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis", "triggers"])
    response = link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    assert response.status_code == 200
    scoped = response.json()
    own = owner.get(f"/api/v1/plans/{marked_plan.id}").json()
    assert set(scoped) == set(own) | {"share"}
    assert scoped["share"] == {"share_id": share["id"], "permission": "view", "until": None}
    assert scoped["version"] == own["version"]
    shared = [s for s in own["sections"] if s["key"] in {"crisis", "triggers"}]
    assert scoped["sections"] == shared
    assert marked_plan.leaked(response.text, {"crisis", "triggers"}) == []

    # A section the owner hides is not shown, even though it is shared.
    owner.patch(f"/api/v1/plans/{marked_plan.id}/sections/triggers", json={"hidden": True})
    scoped = link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    assert [s["key"] for s in scoped.json()["sections"]] == ["crisis"]
    assert marked_plan.leaked(scoped.text, {"crisis"}) == []


def test_a_grantee_reaches_only_their_own_shares(owner, marked_plan, link_worker, make_account):
    other = make_account("Pat")
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    refused = other.get(f"/api/v1/shared-with-me/{share['id']}")
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert owner.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 404
    assert owner.client.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 401
    assert other.get("/api/v1/shared-with-me/not-an-id").status_code == 422
    assert _list(other)["total"] == 0


def test_a_deleted_plan_is_not_shared(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    owner.delete(f"/api/v1/plans/{marked_plan.id}")
    assert link_worker.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 410
    assert _list(link_worker)["total"] == 0


def test_shared_with_me_pages_through_many_people(make_account, link_worker):
    for name in ("Ann", "Ben", "Cat"):
        person = make_account(name)
        plan = make_marked_plan(person, keys={"crisis"})
        share_with(person, plan.id, link_worker, ["crisis"])
    first = _list(link_worker, limit=2)
    assert first["total"] == 3 and len(first["shares"]) == 2
    rest = _list(link_worker, limit=2, offset=2)
    assert len(rest["shares"]) == 1
    names = {s["person"]["display_name"] for s in first["shares"] + rest["shares"]}
    assert names == {"Ann", "Ben", "Cat"}
    # Most recently updated plan first.
    assert [s["person"]["display_name"] for s in first["shares"]] == ["Cat", "Ben"]
    assert link_worker.get("/api/v1/shared-with-me", params={"limit": 0}).status_code == 422
    assert link_worker.get("/api/v1/shared-with-me", params={"limit": 5000}).status_code == 422


def test_an_edit_brings_a_plan_to_the_top_and_a_restored_plan_comes_back(make_account, link_worker):
    people = {}
    for name in ("Ann", "Ben"):
        person = make_account(name)
        plan = make_marked_plan(person, keys={"crisis"})
        people[name] = (person, plan, share_with(person, plan.id, link_worker, ["crisis"]))

    def listed_names() -> list[str]:
        return [s["person"]["display_name"] for s in _list(link_worker)["shares"]]

    assert listed_names() == ["Ben", "Ann"]
    ann, ann_plan, ann_share = people["Ann"]
    ann.post(f"/api/v1/plans/{ann_plan.id}/sections/crisis/entries", json={"text": "Tea"})
    assert listed_names() == ["Ann", "Ben"]

    ann.delete(f"/api/v1/plans/{ann_plan.id}")
    assert listed_names() == ["Ben"] and _list(link_worker)["total"] == 1
    assert link_worker.get(f"/api/v1/shared-with-me/{ann_share['id']}").status_code == 410

    assert (
        ann.post(f"/api/v1/plans/{ann_plan.id}/restore", json={"with_sharing": True}).status_code
        == 200
    )
    assert listed_names() == ["Ann", "Ben"] and _list(link_worker)["total"] == 2
    assert link_worker.get(f"/api/v1/shared-with-me/{ann_share['id']}").status_code == 200


@pytest.mark.parametrize("sections_from", ["the rows", "the version before"])
def test_a_grantee_read_meeting_an_edit_answers_one_whole_version(
    app, owner, green_book, link_worker, sections_from
):
    share = share_with(owner, green_book["id"], link_worker, ["crisis"])
    # A version nobody has read yet (adding an entry answers with the entry alone), so the
    # read fetches its sections: from its rows, or from the version before (kept in memory)
    # and its change.
    if sections_from == "the rows":
        caches.forget_plan(uuid.UUID(owner.id), uuid.UUID(green_book["id"]))
    added = owner.post(
        f"/api/v1/plans/{green_book['id']}/sections/triggers/entries", json={"text": "Noise"}
    )
    assert added.status_code == 201, added.text
    with EditBetweenReads(app, green_book["id"], "Ring the crisis team") as race:
        response = link_worker.get(f"/api/v1/shared-with-me/{share['id']}")
    assert race.fired
    assert response.status_code == 200, response.text
    plan = response.json()
    crisis_texts = [e["text"] for e in plan["sections"][0]["entries"]]
    if sections_from == "the rows":  # read again at the newer version
        assert plan["version"] == 3 and crisis_texts == ["Ring the crisis team"]
    else:  # the changes up to the version read, not past it
        assert plan["version"] == 2 and crisis_texts == []
    again = link_worker.get(f"/api/v1/shared-with-me/{share['id']}").json()
    assert again["version"] == 3
    assert [e["text"] for e in again["sections"][0]["entries"]] == ["Ring the crisis team"]


def test_the_list_shows_every_change_at_once(owner, marked_plan, link_worker):
    """The list's items are kept from one request to the next; each change must still show
    in the very next listing."""
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    share_url = f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}"
    first = _list(link_worker)["shares"][0]
    assert _list(link_worker)["shares"][0] == first

    assert owner.patch("/api/v1/me", json={"display_name": "Samira"}).status_code == 200
    assert _list(link_worker)["shares"][0]["person"] == {"display_name": "Samira"}

    assert owner.patch(share_url, json={"label": "peer_worker"}).status_code == 200
    assert _list(link_worker)["shares"][0]["label"] == "peer_worker"

    assert owner.patch(share_url, json={"permission": "comment"}).status_code == 200
    assert _list(link_worker)["shares"][0]["permission"] == "comment"

    until = clock.utcnow() + timedelta(days=30)
    assert owner.patch(share_url, json={"expires_at": until.isoformat()}).status_code == 200
    assert _list(link_worker)["shares"][0]["until"].startswith(until.date().isoformat())

    assert owner.patch(share_url, json={"sections": ["crisis", "goals"]}).status_code == 200
    keys = {s["key"] for s in _list(link_worker)["shares"][0]["sections"]}
    assert keys == {"crisis", "goals"}

    renamed = owner.patch(f"/api/v1/plans/{marked_plan.id}", json={"title": "Book of days"})
    assert renamed.status_code == 200
    item = _list(link_worker)["shares"][0]
    assert (item["plan_title"], item["plan_version"]) == ("Book of days", renamed.json()["version"])

    assert link_worker.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 200
    item = _list(link_worker)["shares"][0]
    assert item["changed_since_last_view"] is False
    assert item["last_viewed_version"] == renamed.json()["version"]
    assert (
        "Samira shared" in item["summary"] and "Nothing you can see has changed" in item["summary"]
    )
