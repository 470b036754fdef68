"""Making, accepting, listing, changing and revoking shares, and the one sharing switch."""

from datetime import timedelta

from sqlmodel import Session, select

from app.core import clock
from app.sharing.models import Share
from tests.helpers.accounts import PASSWORD
from tests.helpers.sharing import create_share, share_with

CRISIS_AND_TRIGGERS = ["crisis", "triggers"]


def _shares(owner, plan_id) -> list[dict]:
    response = owner.get(f"/api/v1/plans/{plan_id}/shares")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_share_is_an_invite_until_someone_accepts_it(app, owner, marked_plan, link_worker):
    share = create_share(owner, marked_plan.id, CRISIS_AND_TRIGGERS, "comment")
    assert share["status"] == "waiting"
    assert share["invite_link"].endswith(share["invite_code"])
    assert share["grantee"] is None
    assert "not accepted yet" in share["summary"]
    # Only a digest of the code is kept, and listing never shows the code again.
    with Session(app.state.engine) as session:
        stored = session.exec(select(Share)).one()
        assert share["invite_code"] not in str(stored.model_dump())
    assert "invite_code" not in _shares(owner, marked_plan.id)[0]

    # Codes are forgiving: lower case, no dashes.
    typed = share["invite_code"].lower().replace("-", "")
    accepted = link_worker.post("/api/v1/shares/accept", json={"code": typed})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["plan_id"] == marked_plan.id
    assert [s["key"] for s in accepted.json()["sections"]] == ["triggers", "crisis"]

    listed = _shares(owner, marked_plan.id)[0]
    assert listed["status"] == "active"
    assert listed["grantee"]["display_name"] == "Jo Link"
    for words in ("Jo Link", "Riverside", "see and comment on", "until you end it"):
        assert words in listed["summary"]
    for marker in (marked_plan.markers["crisis"][0], marked_plan.markers["triggers"][0]):
        assert marker in listed["summary"]


def test_an_invite_works_once_for_one_other_person(owner, marked_plan, link_worker, stranger):
    share = create_share(owner, marked_plan.id, ["crisis"])
    own = owner.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert own.status_code == 409
    assert "your own plan" in own.json()["detail"]
    assert link_worker.post("/api/v1/shares/accept", json={"code": share["invite_code"]}).is_success
    # Accepting again is harmless for the grantee, refused for anyone else.
    again = link_worker.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert again.status_code == 200
    taken = stranger.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert taken.status_code == 409
    assert stranger.get("/api/v1/shared-with-me").json()["total"] == 0
    wrong = stranger.post("/api/v1/shares/accept", json={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404
    assert wrong.headers["content-type"] == "application/problem+json"
    assert owner.client.post("/api/v1/shares/accept", json={"code": "x"}).status_code == 401


def test_an_invite_not_accepted_in_a_week_expires(owner, marked_plan, link_worker, move_clock):
    share = create_share(owner, marked_plan.id, ["crisis"])
    move_clock(timedelta(days=8))
    owner.sign_in_again()
    link_worker.sign_in_again()
    late = link_worker.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert late.status_code == 410
    assert "Ask for a new one" in late.json()["detail"]
    assert _shares(owner, marked_plan.id)[0]["status"] == "invite_expired"


def test_creating_a_share_checks_what_is_asked(owner, marked_plan, stranger):
    url = f"/api/v1/plans/{marked_plan.id}/shares"
    good = {"sections": ["crisis"], "permission": "view", "label": "carer"}
    unknown = owner.post(url, json=good | {"sections": ["nope"]})
    assert unknown.status_code == 409
    assert "no section 'nope'" in unknown.json()["detail"]
    past = (clock.utcnow() - timedelta(days=1)).isoformat()
    assert owner.post(url, json=good | {"expires_at": past}).status_code == 422
    assert owner.post(url, json=good | {"permission": "edit"}).status_code == 422
    assert owner.post(url, json=good | {"grantee": "x"}).status_code == 422
    assert owner.post(url, json=good | {"sections": []}).status_code == 422
    owner.patch(f"/api/v1/plans/{marked_plan.id}/sections/goals", json={"hidden": True})
    hidden = owner.post(url, json=good | {"sections": ["goals"]})
    assert hidden.status_code == 409
    assert "hidden" in hidden.json()["detail"]
    assert stranger.post(url, json=good).status_code == 404
    assert owner.client.post(url, json=good).status_code == 401
    assert _shares(owner, marked_plan.id) == []


def test_changing_a_share_takes_effect_at_once(owner, marked_plan, link_worker, stranger):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    url = f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}"
    until = (clock.utcnow() + timedelta(days=30)).isoformat()
    changed = owner.patch(url, json={"sections": ["goals"], "expires_at": until})
    assert changed.status_code == 200, changed.text
    assert [s["key"] for s in changed.json()["sections"]] == ["goals"]
    assert changed.json()["expires_at"] is not None

    seen = link_worker.get(f"/api/v1/shared-with-me/{share['id']}").json()
    assert [s["key"] for s in seen["sections"]] == ["goals"]
    assert marked_plan.markers["crisis"][1] not in str(seen)

    assert owner.patch(url, json={"expires_at": None}).json()["expires_at"] is None
    assert owner.patch(url, json={"permission": "suggest"}).json()["permission"] == "suggest"
    assert owner.patch(url, json={}).status_code == 422
    assert owner.patch(url, json={"sections": None}).status_code == 422
    assert owner.patch(url, json={"sections": ["nope"]}).status_code == 409
    assert stranger.patch(url, json={"label": "carer"}).status_code == 404
    assert link_worker.patch(url, json={"label": "carer"}).status_code == 404


def test_revoking_ends_access_at_once_and_says_what_it_cannot_undo(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    scoped = f"/api/v1/shared-with-me/{share['id']}"
    assert link_worker.get(scoped).status_code == 200

    revoked = owner.delete(f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert "cannot unsee what was already seen" in revoked.json()["message"]

    # The grantee's access token is still valid; the share is checked on every request.
    gone = link_worker.get(scoped)
    assert gone.status_code == 410
    assert marked_plan.markers["crisis"][1] not in gone.text
    assert link_worker.get("/api/v1/shared-with-me").json()["shares"] == []
    again = owner.delete(f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}")
    assert "already ended" in again.json()["message"]
    ended = owner.patch(
        f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}", json={"label": "carer"}
    )
    assert ended.status_code == 409


def test_a_share_ends_on_its_end_date(owner, marked_plan, link_worker, move_clock):
    until = (clock.utcnow() + timedelta(hours=1)).isoformat()
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], expires_at=until)
    assert link_worker.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 200
    move_clock(timedelta(hours=2))
    owner.sign_in_again()
    link_worker.sign_in_again()
    assert link_worker.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 410
    listed = _shares(owner, marked_plan.id)[0]
    assert listed["status"] == "expired"
    assert "reached its end date" in listed["summary"]


def test_switching_sharing_off_ends_everything_and_on_again_restores_nothing(
    owner, marked_plan, link_worker, make_account
):
    carer = make_account("Kim")
    first = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    second = share_with(owner, marked_plan.id, carer, ["triggers"])
    waiting = create_share(owner, marked_plan.id, ["goals"])
    card = owner.post(f"/api/v1/plans/{marked_plan.id}/crisis-card").json()
    assert owner.get("/api/v1/me/sharing").json()["enabled"] is True

    off = owner.put("/api/v1/me/sharing", json={"enabled": False})
    assert off.status_code == 200
    assert off.json()["enabled"] is False
    assert "3 share(s) and 1 crisis card" in off.json()["message"]
    assert link_worker.get(f"/api/v1/shared-with-me/{first['id']}").status_code == 410
    assert carer.get(f"/api/v1/shared-with-me/{second['id']}").status_code == 410
    assert owner.client.get(card["url"]).status_code == 410
    late = make_account("Lee").post("/api/v1/shares/accept", json={"code": waiting["invite_code"]})
    assert late.status_code == 410
    refused = owner.post(
        f"/api/v1/plans/{marked_plan.id}/shares",
        json={"sections": ["crisis"], "permission": "view", "label": "carer"},
    )
    assert refused.status_code == 409
    assert "Switch it on first" in refused.json()["detail"]
    assert owner.post(f"/api/v1/plans/{marked_plan.id}/crisis-card").status_code == 409

    on = owner.put("/api/v1/me/sharing", json={"enabled": True})
    assert on.json()["enabled"] is True
    assert "stay ended" in on.json()["message"]
    assert link_worker.get(f"/api/v1/shared-with-me/{first['id']}").status_code == 410
    assert owner.client.get(card["url"]).status_code == 410
    assert {s["status"] for s in _shares(owner, marked_plan.id)} == {"sharing_switched_off"}
    fresh = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    assert link_worker.get(f"/api/v1/shared-with-me/{fresh['id']}").status_code == 200
    assert owner.put("/api/v1/me/sharing", json={"enabled": "maybe"}).status_code == 422


def test_a_grantee_closing_their_account_ends_the_share(owner, marked_plan, link_worker):
    share_with(owner, marked_plan.id, link_worker, ["crisis"])
    assert link_worker.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    listed = _shares(owner, marked_plan.id)[0]
    assert listed["status"] == "account_closed"
    assert "account is closed" in listed["summary"]
