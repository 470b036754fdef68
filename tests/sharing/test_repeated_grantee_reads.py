"""A grantee reading a share again is answered with what they were shown last, without
reading the plan, only while nothing that answer shows has changed: the log line's insert
checks it. Every change between two reads shows in the second, every refusal still
refuses, and each read is logged exactly once."""

from datetime import timedelta

import pytest

from app.core import clock
from tests.helpers.sharing import access_log, share_with


def _read(account, share):
    return account.get(f"/api/v1/shared-with-me/{share['id']}")


def _views(owner, plan_id) -> list[dict]:
    return [e for e in access_log(owner, plan_id) if e["event"] == "viewed_plan"]


def test_an_unchanged_plan_read_again_is_answered_the_same_and_logged_each_time(
    owner, marked_plan, link_worker
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis", "triggers"])
    first = _read(link_worker, share)
    assert first.status_code == 200, first.text

    again = _read(link_worker, share)
    assert again.status_code == 200
    assert again.text == first.text

    views = _views(owner, marked_plan.id)
    assert len(views) == 2
    assert views[0]["summary"] == views[1]["summary"]
    assert views[0]["sections"] == views[1]["sections"]


def _edit_a_shared_entry(owner, plan, _share, _worker):
    entry = f"/api/v1/plans/{plan.id}/sections/crisis/entries/{plan.entries['crisis']}"
    assert owner.patch(entry, json={"text": "Ring my sister EDITED"}).status_code == 200


def _archive_the_plan(owner, plan, _share, _worker):
    assert owner.patch(f"/api/v1/plans/{plan.id}", json={"archived": True}).status_code == 200


def _change_the_share(**change):
    def changing(owner, plan, share, _worker):
        response = owner.patch(f"/api/v1/plans/{plan.id}/shares/{share['id']}", json=change)
        assert response.status_code == 200, response.text

    return changing


def _rename_the_reader(_owner, _plan, _share, worker):
    assert worker.patch("/api/v1/me", json={"display_name": "Jo Linked"}).status_code == 200


SOON = (clock.utcnow() + timedelta(days=30)).replace(microsecond=0)

# Each change, and what the next read and its log line show because of it.
CHANGES = {
    "an edited entry": (
        _edit_a_shared_entry,
        lambda read, line: "Ring my sister EDITED" in str(read["sections"]),
    ),
    "the plan archived": (_archive_the_plan, lambda read, line: read["archived"] is True),
    "other sections shared": (
        _change_the_share(sections=["crisis", "triggers"]),
        lambda read, line: (
            [s["key"] for s in read["sections"]] == ["triggers", "crisis"]
            and [s["key"] for s in line["sections"]] == ["triggers", "crisis"]
        ),
    ),
    "an end date set": (
        _change_the_share(expires_at=SOON.isoformat()),
        lambda read, line: (read["share"]["until"] or "").startswith(SOON.date().isoformat()),
    ),
    "more rights given": (
        _change_the_share(permission="comment"),
        lambda read, line: read["share"]["permission"] == "comment",
    ),
    "a new label": (
        _change_the_share(label="carer"),
        lambda read, line: line["summary"].startswith("Jo Link (carer, Riverside) opened"),
    ),
    "the reader renamed": (
        _rename_the_reader,
        lambda read, line: (
            line["summary"].startswith("Jo Linked (link worker")
            and line["who"]["display_name"] == "Jo Linked"
        ),
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_between_two_reads_shows_in_the_second(owner, marked_plan, link_worker, change):
    make, shown = CHANGES[change]
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    first = _read(link_worker, share)
    assert first.status_code == 200
    assert not shown(first.json(), _views(owner, marked_plan.id)[0])

    make(owner, marked_plan, share, link_worker)
    second = _read(link_worker, share)
    assert second.status_code == 200, second.text
    views = _views(owner, marked_plan.id)
    assert len(views) == 2
    assert shown(second.json(), views[0])
    # And a third read, answered as the second was, is logged once more.
    assert _read(link_worker, share).text == second.text
    assert len(_views(owner, marked_plan.id)) == 3


def _revoke(owner, plan, share, _worker):
    assert owner.delete(f"/api/v1/plans/{plan.id}/shares/{share['id']}").status_code == 200


def _switch_sharing_off(owner, _plan, _share, _worker):
    assert owner.put("/api/v1/me/sharing", json={"enabled": False}).status_code == 200


def _delete_the_plan(owner, plan, _share, _worker):
    assert owner.delete(f"/api/v1/plans/{plan.id}").status_code == 204


def _restore_the_plan(owner, plan):
    assert owner.post(f"/api/v1/plans/{plan.id}/restore").status_code == 200


def _sign_the_reader_out(_owner, _plan, _share, worker):
    assert worker.post("/api/v1/auth/logout").status_code == 204


# Each ending, the refusal, and what lets the owner read their log again afterwards.
REFUSALS = {
    "share revoked": (_revoke, 410, None),
    "sharing switched off": (_switch_sharing_off, 410, None),
    "plan deleted": (_delete_the_plan, 410, _restore_the_plan),
    "reader signed out": (_sign_the_reader_out, 401, None),
}


@pytest.mark.parametrize("ending", REFUSALS, ids=list(REFUSALS))
def test_an_ended_share_refuses_the_next_read_and_logs_nothing(
    owner, marked_plan, link_worker, ending
):
    end, status, afterwards = REFUSALS[ending]
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    assert _read(link_worker, share).status_code == 200

    end(owner, marked_plan, share, link_worker)
    refused = _read(link_worker, share)
    assert refused.status_code == status, refused.text
    assert marked_plan.markers["crisis"][1] not in refused.text
    if afterwards:
        afterwards(owner, marked_plan)
    assert len(_views(owner, marked_plan.id)) == 1


def test_a_share_reaching_its_end_date_refuses_the_next_read(
    owner, marked_plan, link_worker, move_clock
):
    soon = clock.utcnow() + timedelta(minutes=10)
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], expires_at=soon.isoformat())
    assert _read(link_worker, share).status_code == 200

    move_clock(timedelta(minutes=11))
    link_worker.sign_in_again()  # the access token's own lifetime is shorter
    refused = _read(link_worker, share)
    assert refused.status_code == 410, refused.text
    assert len(_views(owner, marked_plan.id)) == 1


def test_reads_keep_the_last_viewed_time_within_a_minute(
    owner, marked_plan, link_worker, move_clock
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    _read(link_worker, share)
    listed = link_worker.get("/api/v1/shared-with-me").json()["shares"][0]
    first_viewed = listed["last_viewed_at"]

    move_clock(timedelta(minutes=2))
    link_worker.sign_in_again()
    assert _read(link_worker, share).status_code == 200
    listed = link_worker.get("/api/v1/shared-with-me").json()["shares"][0]
    assert listed["last_viewed_at"] > first_viewed
