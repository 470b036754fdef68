"""Every change is a version; stale writes are refused with the current copy; nothing is lost."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core import caches
from tests.helpers.plans import add_entry, section
from tests.helpers.watchers import EditBetweenReads


def test_history_lists_every_change_and_restores_any_version(owner, green_book):
    plan_id = green_book["id"]
    entry = add_entry(owner, plan_id, "triggers", "Late nights")
    owner.patch(
        f"/api/v1/plans/{plan_id}/sections/triggers/entries/{entry['id']}",
        json={"text": "Late nights out"},
    )
    owner.delete(f"/api/v1/plans/{plan_id}/sections/triggers/entries/{entry['id']}")

    history = owner.get(f"/api/v1/plans/{plan_id}/revisions").json()
    assert [r["number"] for r in history] == [4, 3, 2, 1]
    assert history[0]["summary"] == "Removed an entry from \u201cTriggers\u201d"
    assert history[-1]["summary"] == "Plan created"
    assert history[0]["author"]["display_name"] == "Sam"

    version_3 = owner.get(f"/api/v1/plans/{plan_id}/revisions/3").json()
    assert section(version_3, "triggers")["entries"][0]["text"] == "Late nights out"

    restored = owner.post(f"/api/v1/plans/{plan_id}/revisions/2/restore")
    assert restored.status_code == 200
    assert restored.json()["version"] == 5
    assert section(restored.json(), "triggers")["entries"][0]["text"] == "Late nights"
    history = owner.get(f"/api/v1/plans/{plan_id}/revisions").json()
    assert history[0]["summary"] == "Restored version 2"
    # Restoring adds a version; the versions after 2 are all still there.
    assert [r["number"] for r in history] == [5, 4, 3, 2, 1]


def test_history_errors_and_privacy(client, owner, stranger, green_book):
    plan_id = green_book["id"]
    assert owner.get(f"/api/v1/plans/{plan_id}/revisions/99").status_code == 404
    assert owner.post(f"/api/v1/plans/{plan_id}/revisions/99/restore").status_code == 404
    assert stranger.get(f"/api/v1/plans/{plan_id}/revisions/1").status_code == 404
    assert stranger.post(f"/api/v1/plans/{plan_id}/revisions/1/restore").status_code == 404
    assert client.get(f"/api/v1/plans/{plan_id}/revisions").status_code == 401
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == 1


def test_stale_write_is_refused_with_the_current_copy(owner, green_book):
    plan_id = green_book["id"]
    url = f"/api/v1/plans/{plan_id}/sections/triggers/entries"
    phone = owner.post(url, json={"text": "From the phone"}, headers={"If-Match": '"1"'})
    assert phone.status_code == 201
    assert phone.headers["etag"] == '"2"'

    laptop = owner.post(url, json={"text": "From the laptop"}, headers={"If-Match": '"1"'})
    assert laptop.status_code == 409
    body = laptop.json()
    assert body["current"]["version"] == 2
    assert laptop.headers["etag"] == '"2"'
    assert [e["text"] for e in section(body["current"], "triggers")["entries"]] == [
        "From the phone"
    ]
    assert body["current"] == owner.get(f"/api/v1/plans/{plan_id}").json()
    # The laptop merges and sends again against the current version.
    merged = owner.post(url, json={"text": "From the laptop"}, headers={"If-Match": '"2"'})
    assert merged.status_code == 201
    texts = [
        e["text"]
        for e in section(owner.get(f"/api/v1/plans/{plan_id}").json(), "triggers")["entries"]
    ]
    assert texts == ["From the phone", "From the laptop"]


def test_if_match_must_be_an_etag(owner, green_book):
    response = owner.patch(
        f"/api/v1/plans/{green_book['id']}", json={"title": "x"}, headers={"If-Match": "banana"}
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["detail"]
    stale_rename = owner.patch(
        f"/api/v1/plans/{green_book['id']}", json={"title": "x"}, headers={"If-Match": '"7"'}
    )
    assert stale_rename.status_code == 409
    assert owner.get(f"/api/v1/plans/{green_book['id']}").json()["title"] == "My book"


def test_two_stale_writers_at_once_exactly_one_wins(owner, green_book):
    plan_id = green_book["id"]
    entry = add_entry(owner, plan_id, "triggers", "Original")
    url = f"/api/v1/plans/{plan_id}/sections/triggers/entries/{entry['id']}"

    def write(text):
        return owner.patch(url, json={"text": text}, headers={"If-Match": '"2"'})

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(write, ["Phone edit", "Laptop edit"]))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409]
    winner = next(r for r in results if r.status_code == 200).json()["text"]
    loser = next(r for r in results if r.status_code == 409).json()
    assert section(loser["current"], "triggers")["entries"][0]["text"] == winner
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    assert plan["version"] == 3


def test_concurrent_additions_without_if_match_are_all_kept(owner, green_book):
    plan_id = green_book["id"]
    texts = [f"Thing {n}" for n in range(12)]

    def write(text):
        return owner.post(
            f"/api/v1/plans/{plan_id}/sections/keeping_well/entries", json={"text": text}
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(write, texts))
    assert all(r.status_code == 201 for r in results)
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    assert sorted(e["text"] for e in section(plan, "keeping_well")["entries"]) == sorted(texts)
    assert plan["version"] == 13
    assert len(owner.get(f"/api/v1/plans/{plan_id}/revisions").json()) == 13


@pytest.mark.parametrize("sections_from", ["the rows", "the version before"])
def test_a_read_meeting_an_edit_answers_one_whole_version(app, owner, green_book, sections_from):
    # The version and its sections come from two statements; an edit between them must
    # not pair the old version (and ETag) with the new words. First a version nobody has
    # read yet (adding an entry answers with the entry alone), so the read fetches it:
    # from its rows, or from the version before (kept in memory) and its change.
    plan_url = f"/api/v1/plans/{green_book['id']}"
    if sections_from == "the rows":
        caches.forget_plan(uuid.UUID(owner.id), uuid.UUID(green_book["id"]))
    assert owner.post(f"{plan_url}/sections/triggers/entries", json={"text": "Noise"}).is_success
    with EditBetweenReads(app, green_book["id"], "Ring the crisis team") as race:
        response = owner.get(plan_url)
    assert race.fired
    assert response.status_code == 200, response.text
    plan = response.json()
    crisis_texts = [e["text"] for e in section(plan, "crisis")["entries"]]
    if sections_from == "the rows":  # read again at the newer version
        assert plan["version"] == 3 and response.headers["ETag"] == '"3"'
        assert crisis_texts == ["Ring the crisis team"]
    else:  # the changes up to the version read, not past it
        assert plan["version"] == 2 and response.headers["ETag"] == '"2"'
        assert crisis_texts == []
        assert [e["text"] for e in section(plan, "triggers")["entries"]][-1] == "Noise"
    # The edit made no revision, so the version after is read from its rows.
    now = owner.get(plan_url).json()
    assert now["version"] == 3
    assert [e["text"] for e in section(now, "crisis")["entries"]] == ["Ring the crisis team"]
    if sections_from == "the rows":
        assert now == plan
