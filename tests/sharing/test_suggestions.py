"""Suggestions: nothing changes until the owner accepts; accepting is a normal, credited,
restorable edit; a target that changed meanwhile is said clearly."""

from tests.helpers.sharing import share_with


def _setup(owner, marked_plan, worker, permission="suggest"):
    share = share_with(owner, marked_plan.id, worker, ["crisis"], permission)
    return share, f"/api/v1/shared-with-me/{share['id']}/suggestions"


def _plan(owner, marked_plan) -> dict:
    return owner.get(f"/api/v1/plans/{marked_plan.id}").json()


def _crisis_texts(owner, marked_plan) -> list[str]:
    crisis = next(s for s in _plan(owner, marked_plan)["sections"] if s["key"] == "crisis")
    return [e["text"] for e in crisis["entries"]]


def _suggest_changing_crisis_entry(owner, marked_plan, worker) -> tuple[str, dict]:
    """The grantee's suggestions URL and their suggestion to change the crisis entry to "New"."""
    _, url = _setup(owner, marked_plan, worker)
    entry = marked_plan.entries["crisis"]
    change = worker.post(
        url, json={"section": "crisis", "action": "change", "entry_id": entry, "text": "New"}
    ).json()
    return url, change


def test_accepting_a_suggestion_is_the_owners_restorable_edit(owner, marked_plan, link_worker):
    _, url = _setup(owner, marked_plan, link_worker)
    before = _plan(owner, marked_plan)
    made = link_worker.post(
        url,
        json={
            "section": "crisis",
            "action": "add",
            "text": "Ring my sister first",
            "prompt": "who_helps",
            "note": "You said this last week",
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending"
    assert _plan(owner, marked_plan)["version"] == before["version"]  # nothing changed yet

    plan_url = f"/api/v1/plans/{marked_plan.id}"
    pending = owner.get(f"{plan_url}/suggestions", params={"status": "pending"}).json()
    assert len(pending) == 1
    assert pending[0]["suggested_by"]["display_name"] == "Jo Link"
    assert "Jo Link suggested adding to" in pending[0]["summary"]
    accepted = owner.post(f"{plan_url}/suggestions/{pending[0]['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["suggestion"]["status"] == "accepted"
    assert accepted.json()["plan_version"] == before["version"] + 1
    assert "Ring my sister first" in _crisis_texts(owner, marked_plan)

    history = owner.get(f"{plan_url}/revisions").json()
    # The decision is the owner's own: the version is theirs, and says whose suggestion it was.
    assert history[0]["author"] == {"id": owner.id, "display_name": "Sam"}
    assert history[0]["summary"].startswith("Accepted Jo Link's suggestion of adding to My crisis")
    assert history[0]["summary"].endswith(": \u201cRing my sister first\u201d")
    restored = owner.post(f"{plan_url}/revisions/{before['version']}/restore")
    assert restored.status_code == 200
    assert "Ring my sister first" not in _crisis_texts(owner, marked_plan)
    log = owner.get(f"{plan_url}/access-log").json()["entries"]
    assert any(e["event"] == "suggestion_accepted" for e in log)
    again = owner.post(f"{plan_url}/suggestions/{pending[0]['id']}/accept")
    assert again.status_code == 409
    mine = link_worker.get(url).json()
    assert mine[0]["status"] == "accepted" and mine[0]["current_text"] is None


def test_changing_and_removing_entries(owner, marked_plan, link_worker):
    url, change = _suggest_changing_crisis_entry(owner, marked_plan, link_worker)
    entry = marked_plan.entries["crisis"]
    plan_url = f"/api/v1/plans/{marked_plan.id}"
    remove = link_worker.post(
        url, json={"section": "crisis", "action": "remove", "entry_id": entry}
    ).json()
    assert change["text_when_suggested"].startswith("My words ENTRY-crisis")
    assert owner.post(f"{plan_url}/suggestions/{change['id']}/accept").status_code == 200
    assert "New" in _crisis_texts(owner, marked_plan)

    # The entry changed after the removal was suggested: say so, change nothing.
    stale = owner.post(f"{plan_url}/suggestions/{remove['id']}/accept")
    assert stale.status_code == 409
    assert "changed since Jo Link suggested this" in stale.json()["detail"]
    assert stale.json()["current_text"] == "New"
    assert "New" in _crisis_texts(owner, marked_plan)
    listed = owner.get(f"{plan_url}/suggestions", params={"status": "pending"}).json()
    assert listed[0]["target_changed"] is True and listed[0]["current_text"] == "New"
    anyway = owner.post(
        f"{plan_url}/suggestions/{remove['id']}/accept", json={"apply_although_changed": True}
    )
    assert anyway.status_code == 200
    assert _crisis_texts(owner, marked_plan) == []


def test_a_suggestion_for_an_entry_that_is_gone_cannot_be_applied(owner, marked_plan, link_worker):
    url, change = _suggest_changing_crisis_entry(owner, marked_plan, link_worker)
    entry = marked_plan.entries["crisis"]
    plan_url = f"/api/v1/plans/{marked_plan.id}"
    owner.delete(f"{plan_url}/sections/crisis/entries/{entry}")
    version = _plan(owner, marked_plan)["version"]
    gone = owner.post(
        f"{plan_url}/suggestions/{change['id']}/accept", json={"apply_although_changed": True}
    )
    assert gone.status_code == 409
    assert "has been removed" in gone.json()["detail"]
    assert _plan(owner, marked_plan)["version"] == version
    rejected = owner.post(
        f"{plan_url}/suggestions/{change['id']}/reject", json={"reason": "Not any more"}
    )
    assert rejected.status_code == 200
    assert rejected.json()["suggestion"]["status"] == "rejected"
    assert link_worker.get(url).json()[0]["decision_note"] == "Not any more"
    assert _plan(owner, marked_plan)["version"] == version


def test_what_a_suggestion_must_hold(owner, marked_plan, link_worker, make_account):
    _, url = _setup(owner, marked_plan, link_worker)
    entry = marked_plan.entries["crisis"]
    bad = [
        {"section": "crisis", "action": "add"},
        {"section": "crisis", "action": "change", "text": "x"},
        {"section": "crisis", "action": "remove", "entry_id": entry, "text": "x"},
        {"section": "crisis", "action": "add", "text": "x", "entry_id": entry},
        {"section": "crisis", "action": "rename", "text": "x"},
        {"section": "crisis", "action": "add", "text": "x", "prompt": "nope"},
    ]
    for body in bad:
        response = link_worker.post(url, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    unshared = link_worker.post(url, json={"section": "goals", "action": "add", "text": "x"})
    assert unshared.status_code == 404
    missing = link_worker.post(
        url,
        json={"section": "crisis", "action": "remove", "entry_id": marked_plan.entries["goals"]},
    )
    assert missing.status_code == 404
    commenter = make_account("Cam")
    _, comment_only = _setup(owner, marked_plan, commenter, "comment")
    refused = commenter.post(comment_only, json={"section": "crisis", "action": "add", "text": "x"})
    assert refused.status_code == 403
    assert owner.get(f"/api/v1/plans/{marked_plan.id}/suggestions").json() == []
