"""The crisis card: an expiring, revocable link (and QR code) showing only the crisis plan."""

import io
import re
from datetime import timedelta
from html import escape

import pytest
from pypdf import PdfReader

from app.accounts.models import Role
from app.core import clock
from app.core.clock import day
from app.plans.templates import CRISIS_FIELDS
from tests.helpers.sharing import access_log, share_with


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
    # One script, our own file (it keeps the card for reading with no signal); nothing inline.
    assert html.count("<script") == 1 and '<script src="/card-offline.js"></script>' in html
    assert "style=" not in html and "<style" not in html
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


# ---- a complete card: notes, whose words, phone numbers, contradictions, paper ----------

STATEMENT = b"""# Joint crisis plan

## Who I want to help

My sister Priya Shah, on 0113 496 0000.

## Treatments I do not want

No sedation if it can be avoided.
"""


def _imported_and_accepted(owner, plan_id: str, clinician) -> None:
    share_with(owner, plan_id, clinician, ["crisis"], "suggest", label="clinician")
    sent = clinician.post(
        f"/api/v1/plans/{plan_id}/imports",
        files={"file": ("crisis.md", STATEMENT, "text/markdown")},
    )
    assert sent.status_code == 201, sent.text
    parts = {p["field"]: p["id"] for p in sent.json()["parts"]}
    decided = owner.post(
        f"/api/v1/plans/{plan_id}/imports/{sent.json()['id']}/decisions",
        json={
            "decisions": [
                {"part_id": parts["who_helps"], "action": "accept"},
                {
                    "part_id": parts["treatments_refused"],
                    "action": "accept",
                    "note": "I disagree because a quiet room works better.",
                },
            ]
        },
    )
    assert decided.status_code == 200, decided.text


@pytest.fixture
def clinician(make_account):
    return make_account("Dr Ana Okafor", role=Role.clinician, organisation="Riverside Trust")


def _entry_items(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", html)


def test_the_card_shows_every_entry_with_whose_words_notes_and_phone_links(
    owner, green_book, clinician
):
    plan_id = green_book["id"]
    for prompt, text in [
        ("when_well", "I laugh a lot and cook for friends"),
        ("who_helps", "Call Mum on 0161 496 0000 any time"),
        ("not_involved", "Priya Shah"),
        ("practical", "The cat, Biscuit, needs feeding. NHS number 943 476 5919"),
        ("other", "Nothing else for now"),
    ]:
        owner.post(
            f"/api/v1/plans/{plan_id}/sections/crisis/entries",
            json={"text": text, "prompt": prompt},
        )
    _imported_and_accepted(owner, plan_id, clinician)
    card = _card(owner, plan_id)
    html = owner.client.get(card["url"]).text

    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    crisis = next(s for s in plan["sections"] if s["key"] == "crisis")
    for entry in crisis["entries"]:
        assert escape(entry["text"]).split(" on 0")[0] in html
    today = day(clock.utcnow())
    items = _entry_items(html)
    imported = [i for i in items if "My sister Priya Shah" in i or "No sedation" in i]
    assert len(imported) == 2
    for item in imported:
        assert (
            f'<p class="from">From Dr Ana Okafor (Riverside Trust), brought in by Dr Ana Okafor '
            f"on {today}, accepted by Sam on {today}.</p>"
        ) in item
    own = [i for i in items if "I laugh a lot" in i or "Biscuit" in i]
    assert own and all('class="from"' not in i for i in own)
    assert (
        '<p class="note">Sam\u2019s own note: I disagree because a quiet room works better.</p>'
        in html
    )
    assert '<a href="tel:+441614960000">0161 496 0000</a>' in html
    assert "NHS number 943 476 5919" in html  # not a phone number: no link
    assert '<a href="tel:+441134960000">0113 496 0000</a>' in html
    assert "The crisis plan of Sam. These are Sam\u2019s own words, except where a line" in html
    assert "in their own words" not in html
    # The helper Priya Shah is also someone not to involve: shown, not settled.
    assert "Things in this plan that may not agree" in html
    assert "may be the same person" in html
    assert "Sam has not decided about this yet." in html


def test_the_card_says_when_both_were_kept_knowingly(owner, green_book):
    plan_id = green_book["id"]
    for prompt, text in [("medicines_preferred", "Diazepam"), ("medicines_avoid", "diazepam")]:
        owner.post(
            f"/api/v1/plans/{plan_id}/sections/crisis/entries",
            json={"text": text, "prompt": prompt},
        )
    [found] = owner.get(f"/api/v1/plans/{plan_id}/contradictions").json()
    card = _card(owner, plan_id)
    assert "Sam has not decided about this yet." in owner.client.get(card["url"]).text
    owner.patch(
        f"/api/v1/plans/{plan_id}/sections/crisis", json={"kept_contradictions": [found["key"]]}
    )
    html = owner.client.get(card["url"]).text
    assert "\u201cDiazepam\u201d is under both \u201cMedicines I prefer\u201d" in html
    assert "Sam has seen this and chose to keep both." in html
    assert "not decided" not in html


def _pdf_text(content: bytes) -> tuple[int, list[float], str]:
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    return len(reader.pages), [float(box.width), float(box.height)], text


def test_the_card_prints_on_one_a4_page_and_as_wallet_cards(owner, green_book, clinician):
    plan_id = green_book["id"]
    for key in CRISIS_FIELDS:
        owner.post(
            f"/api/v1/plans/{plan_id}/sections/crisis/entries",
            json={"text": f"What I want for {key}, in a sentence or two of my own.", "prompt": key},
        )
    _imported_and_accepted(owner, plan_id, clinician)
    card = _card(owner, plan_id)

    a4 = owner.client.get(card["url"] + "/pdf")
    assert a4.status_code == 200 and a4.headers["content-type"] == "application/pdf"
    assert a4.headers["cache-control"] == "no-store"
    pages, size, text = _pdf_text(a4.content)
    assert pages == 1 and [round(v) for v in size] == [595, 842]
    assert "My crisis plan \u2013 Sam" in text
    for key in CRISIS_FIELDS:
        assert f"What I want for {key}" in text
    assert "brought in by Dr Ana Okafor" in text and "accepted by Sam on" in text
    assert "I disagree because a quiet room works better." in text

    wallet = owner.client.get(card["url"] + "/pdf", params={"layout": "wallet"})
    assert wallet.status_code == 200
    pages, size, text = _pdf_text(wallet.content)
    assert [round(v) for v in size] == [153, 243]  # 54 x 85.6 mm
    for key in CRISIS_FIELDS:
        assert f"What I want for {key}" in text
    assert "brought in by Dr Ana Okafor" in text

    owner_wallet = owner.get(
        f"/api/v1/plans/{plan_id}/print", params={"sections": "crisis", "layout": "wallet"}
    )
    assert owner_wallet.status_code == 200
    assert _pdf_text(owner_wallet.content)[1] == size

    uses = [e for e in access_log(owner, plan_id) if e["event"] == "crisis_card_used"]
    assert len(uses) == 2
    assert all("printed your crisis card" in e["summary"] for e in uses)


def test_printing_a_card_that_is_off_or_unknown_shows_nothing(owner, green_book):
    plan_id = green_book["id"]
    owner.post(
        f"/api/v1/plans/{plan_id}/sections/crisis/entries",
        json={"text": "SECRET-CARD-WORDS", "prompt": "other"},
    )
    card = _card(owner, plan_id)
    bad_layout = owner.client.get(card["url"] + "/pdf", params={"layout": "poster"})
    assert bad_layout.status_code == 422
    assert "SECRET-CARD-WORDS" not in bad_layout.text
    owner.delete(f"/api/v1/plans/{plan_id}/crisis-card")
    off = owner.client.get(card["url"] + "/pdf")
    assert off.status_code == 410 and "SECRET-CARD-WORDS" not in off.text
    assert owner.client.get("/c/no-such-card/pdf").status_code == 404
    # A wallet card is the crisis plan alone: named with another section it is refused...
    booklet_wallet = owner.get(
        f"/api/v1/plans/{plan_id}/print", params={"sections": "crisis,triggers", "layout": "wallet"}
    )
    assert booklet_wallet.status_code == 422
    assert booklet_wallet.json()["where"] == "layout"
    # ...and with no section named it is the crisis plan's wallet card.
    plain_wallet = owner.get(f"/api/v1/plans/{plan_id}/print", params={"layout": "wallet"})
    crisis_wallet = owner.get(
        f"/api/v1/plans/{plan_id}/print", params={"sections": "crisis", "layout": "wallet"}
    )
    assert plain_wallet.status_code == 200
    assert _pdf_text(plain_wallet.content)[1:] == _pdf_text(crisis_wallet.content)[1:]
