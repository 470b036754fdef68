"""The owner's choices on a suggestion, as on an imported statement: change the words first,
then accept; or say no, with their reason, which the person who suggested it reads."""

import pytest

from tests.helpers.sharing import share_with


@pytest.fixture
def suggested(owner, marked_plan, link_worker):
    """A link worker's suggestion to add to the crisis plan; (plan URL, grantee URL, it)."""
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], "suggest")
    grantee_url = f"/api/v1/shared-with-me/{share['id']}/suggestions"
    made = link_worker.post(
        grantee_url,
        json={"section": "crisis", "action": "add", "text": "Ring Jo", "prompt": "who_helps"},
    )
    assert made.status_code == 201, made.text
    return f"/api/v1/plans/{marked_plan.id}", grantee_url, made.json()


def _crisis_texts(owner, plan_url) -> list[str]:
    plan = owner.get(plan_url).json()
    return [e["text"] for s in plan["sections"] if s["key"] == "crisis" for e in s["entries"]]


def test_the_owner_changes_the_words_first_then_accepts(owner, link_worker, suggested):
    plan_url, grantee_url, suggestion = suggested
    accepted = owner.post(
        f"{plan_url}/suggestions/{suggestion['id']}/accept",
        json={"text": "Ring Jo on 07700 900123, after 6pm"},
    )
    assert accepted.status_code == 200, accepted.text
    texts = _crisis_texts(owner, plan_url)
    assert "Ring Jo on 07700 900123, after 6pm" in texts
    assert "Ring Jo" not in texts
    [latest, *_] = owner.get(f"{plan_url}/revisions").json()
    assert latest["author"]["id"] == owner.id
    assert latest["summary"].endswith(", with changes")
    [mine] = link_worker.get(grantee_url).json()
    assert mine["status"] == "accepted"
    assert mine["decision_note"] == "Accepted with changes to the words."


def test_accepting_as_suggested_keeps_their_words(owner, suggested):
    plan_url, _, suggestion = suggested
    accepted = owner.post(
        f"{plan_url}/suggestions/{suggestion['id']}/accept", json={"text": "Ring Jo"}
    )
    assert accepted.status_code == 200, accepted.text
    assert "Ring Jo" in _crisis_texts(owner, plan_url)
    assert accepted.json()["suggestion"]["decision_note"] == ""


def test_saying_no_with_a_reason_reaches_who_suggested_it(owner, link_worker, suggested):
    plan_url, grantee_url, suggestion = suggested
    before = _crisis_texts(owner, plan_url)
    rejected = owner.post(
        f"{plan_url}/suggestions/{suggestion['id']}/reject",
        json={"reason": "I disagree because Jo works nights"},
    )
    assert rejected.status_code == 200, rejected.text
    assert _crisis_texts(owner, plan_url) == before
    [mine] = link_worker.get(grantee_url).json()
    assert mine["status"] == "rejected"
    assert mine["decision_note"] == "I disagree because Jo works nights"
    assert "(not accepted)" in mine["summary"]


def test_words_for_a_removal_are_refused_and_change_nothing(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], "suggest")
    removal = link_worker.post(
        f"/api/v1/shared-with-me/{share['id']}/suggestions",
        json={"section": "crisis", "action": "remove", "entry_id": marked_plan.entries["crisis"]},
    ).json()
    plan_url = f"/api/v1/plans/{marked_plan.id}"
    before = owner.get(plan_url).json()["version"]
    refused = owner.post(
        f"{plan_url}/suggestions/{removal['id']}/accept", json={"text": "Something else"}
    )
    assert refused.status_code == 422
    assert "no words to change" in refused.json()["detail"]
    assert owner.get(plan_url).json()["version"] == before
    pending = owner.get(f"{plan_url}/suggestions", params={"status": "pending"}).json()
    assert [s["id"] for s in pending] == [removal["id"]]


def test_only_the_owner_decides(owner, link_worker, stranger, client, suggested):
    plan_url, _, suggestion = suggested
    accept = f"{plan_url}/suggestions/{suggestion['id']}/accept"
    assert link_worker.post(accept, json={"text": "Mine now"}).status_code == 404
    assert stranger.post(accept, json={"text": "Mine now"}).status_code == 404
    assert client.post(accept, json={"text": "Mine now"}).status_code == 401
    assert "Mine now" not in _crisis_texts(owner, plan_url)
