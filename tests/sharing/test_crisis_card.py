"""The crisis card: an expiring, revocable link (and QR code) showing only the crisis plan."""

from datetime import timedelta

from app.core import clock
from tests.sharing.conftest import access_log


def _card(owner, plan_id, **body) -> dict:
    response = owner.post(f"/api/v1/plans/{plan_id}/crisis-card", json=body or None)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_card_shows_only_the_crisis_plan_plainly(owner, marked_plan, settings):
    owner.post(
        f"/api/v1/plans/{marked_plan.id}/sections/crisis/entries",
        json={"text": "<script>alert(1)</script> & penicillin", "prompt": "allergies"},
    )
    card = _card(owner, marked_plan.id)
    assert card["status"] == "active"
    assert card["url"].startswith(f"{settings.base_url}/c/")
    assert (
        card["qr_svg"].startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in card["qr_svg"]
    )
    expires = card["expires_at"][:10]
    assert expires == (clock.utcnow() + timedelta(days=90)).date().isoformat()

    page = owner.client.get(card["url"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert marked_plan.markers["crisis"][1] in html
    assert marked_plan.leaked(html, {"crisis"}) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; penicillin" in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "Medicines I am allergic to" in html
    assert '<link rel="stylesheet" href="/crisis-card.css">' in html
    assert owner.client.get("/crisis-card.css").status_code == 200

    uses = [e for e in access_log(owner, marked_plan.id) if e["event"] == "crisis_card_used"]
    assert len(uses) == 1
    assert uses[0]["crisis_card_id"] == card["id"]
    assert [s["key"] for s in uses[0]["sections"]] == ["crisis"]
    assert owner.get(f"/api/v1/plans/{marked_plan.id}/crisis-card").json()["uses"] == 1


def test_a_card_stops_working_when_revoked_replaced_or_expired(owner, marked_plan, move_clock):
    first = _card(owner, marked_plan.id)
    second = _card(owner, marked_plan.id)
    replaced = owner.client.get(first["url"])
    assert replaced.status_code == 410
    assert "turned off or has expired" in replaced.text
    assert marked_plan.markers["crisis"][1] not in replaced.text
    assert owner.client.get(second["url"]).status_code == 200

    revoked = owner.delete(f"/api/v1/plans/{marked_plan.id}/crisis-card")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert owner.client.get(second["url"]).status_code == 410
    assert owner.delete(f"/api/v1/plans/{marked_plan.id}/crisis-card").status_code == 404

    soon = (clock.utcnow() + timedelta(days=1)).isoformat()
    third = _card(owner, marked_plan.id, expires_at=soon)
    move_clock(timedelta(days=2))
    owner.sign_in_again()
    assert owner.client.get(third["url"]).status_code == 410
    status = owner.get(f"/api/v1/plans/{marked_plan.id}/crisis-card").json()
    assert status["status"] == "expired"
    unknown = owner.client.get("/c/no-such-card")
    assert unknown.status_code == 404
    assert "no crisis card at this address" in unknown.text


def test_a_hidden_crisis_plan_is_not_shown_on_the_card(owner, marked_plan):
    card = _card(owner, marked_plan.id)
    owner.patch(f"/api/v1/plans/{marked_plan.id}/sections/crisis", json={"hidden": True})
    page = owner.client.get(card["url"])
    assert page.status_code == 200
    assert "nothing to show" in page.text
    assert marked_plan.leaked(page.text, set()) == []
    status = owner.get(f"/api/v1/plans/{marked_plan.id}/crisis-card").json()
    assert "hidden" in status["message"]


def test_who_may_make_a_card_and_for_how_long(owner, marked_plan, stranger):
    url = f"/api/v1/plans/{marked_plan.id}/crisis-card"
    assert stranger.post(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert stranger.delete(url).status_code == 404
    assert owner.client.post(url).status_code == 401
    assert owner.get(url).status_code == 404  # none made yet
    far = (clock.utcnow() + timedelta(days=800)).isoformat()
    assert owner.post(url, json={"expires_at": far}).status_code == 422
    past = (clock.utcnow() - timedelta(days=1)).isoformat()
    assert owner.post(url, json={"expires_at": past}).status_code == 422
    assert owner.post(url, json={"expires_at": "2030-01-01T00:00:00"}).status_code == 422
