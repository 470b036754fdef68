"""Bringing back a deleted plan: its words come back; the people it was shared with and its
crisis card link only if the person ticks the box that says so."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.helpers.browser import check_screen, register, sign_in, wait_synced

pytestmark = pytest.mark.browser

BOX = "Also let the people I shared it with see it again, and turn its crisis card link back on"


@pytest.fixture
def shared_and_deleted(person, server):
    """Two deleted plans, each shared with a link worker and on a crisis card."""
    worker = register(server, "Riley")
    made = []
    for title in ("Spring plan", "Winter plan"):
        plan = person.call("POST", "/plans", json={"template": "green_book", "title": title})
        person.call(
            "POST",
            f"/plans/{plan['id']}/sections/crisis/entries",
            json={"text": "Call my sister Jo first"},
        )
        share = person.call(
            "POST",
            f"/plans/{plan['id']}/shares",
            json={"sections": ["crisis"], "permission": "view", "label": "carer"},
        )
        accepted = worker.call("POST", "/shares/accept", json={"code": share["invite_code"]})
        card = person.call("POST", f"/plans/{plan['id']}/crisis-card")
        person.call("DELETE", f"/plans/{plan['id']}")
        made.append((plan, accepted["share_id"], card["url"]))
    return worker, made


def _open_deleted_plans(page, person):
    sign_in(page, person.email)
    wait_synced(page)
    page.goto("/#/more")
    page.get_by_role("link", name="Deleted plans").click()
    expect(page.get_by_role("heading", name="Deleted plans")).to_be_visible()


def _card_works(url: str) -> bool:
    return httpx.get(url).status_code == 200


def test_restoring_leaves_sharing_off_unless_the_box_is_ticked(phone, person, shared_and_deleted):
    worker, [(spring, spring_share, spring_card), (winter, winter_share, winter_card)] = (
        shared_and_deleted
    )
    page = phone()
    page.set_viewport_size({"width": 390, "height": 844})
    _open_deleted_plans(page, person)
    spring_box = page.get_by_role("checkbox", name=BOX).first
    expect(spring_box).not_to_be_checked()  # off unless the person chooses
    check_screen(page, "deleted-plans-390")

    # The box left alone: the plan comes back, nobody else's view of it does.
    page.get_by_role("button", name="Bring this plan back Winter plan").click()
    expect(page.get_by_text("“Winter plan” is back. Nobody else can see it")).to_be_visible()
    assert person.call("GET", f"/plans/{winter['id']}")["title"] == "Winter plan"
    assert worker.http.get(f"/shared-with-me/{winter_share}").status_code == 410
    assert not _card_works(winter_card)

    # The box ticked: the shares and the crisis card link work again.
    page.goto("/#/deleted")
    page.get_by_role("checkbox", name=BOX).check()
    page.get_by_role("button", name="Bring this plan back Spring plan").click()
    expect(
        page.get_by_text("“Spring plan” is back, and the people you shared it with")
    ).to_be_visible()
    read = worker.http.get(f"/shared-with-me/{spring_share}")
    assert read.status_code == 200 and "Call my sister Jo first" in read.text
    assert _card_works(spring_card)
    page.goto("/#/deleted")
    expect(page.get_by_text("You have no deleted plans.")).to_be_visible()
