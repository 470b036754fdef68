"""Bringing an export file back: a preview of what would be added, before anything changes."""

import copy


def _add(account, plan_id, key, text):
    response = account.post(f"/api/v1/plans/{plan_id}/sections/{key}/entries", json={"text": text})
    assert response.status_code == 201, response.text


def test_the_preview_says_what_would_be_added_and_adds_nothing(owner, make_account, green_book):
    _add(owner, green_book["id"], "triggers", "Loud rooms")
    _add(owner, green_book["id"], "triggers", "Missing sleep")
    _add(owner, green_book["id"], "crisis", "Call my sister")
    exported = owner.get("/api/v1/export").json()
    fresh = make_account("Robin")

    preview = fresh.post("/api/v1/import/preview", json=exported)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["exported_by"] == "Sam"
    [plan] = body["plans"]
    assert plan["title"] == "My book" and plan["template"] == "green_book"
    assert plan["entries"] == 3 and plan["versions"] == 4
    assert plan["sections"] == [
        {"title": "Triggers", "entries": 2},
        {"title": "My crisis plan", "entries": 1},
    ]
    assert plan["already_here"] is False
    assert fresh.get("/api/v1/plans").json() == []

    mine_again = owner.post("/api/v1/import/preview", json=exported).json()
    assert mine_again["plans"][0]["already_here"] is True
    assert len(owner.get("/api/v1/plans").json()) == 1


def test_a_file_the_import_would_refuse_is_refused_by_the_preview_too(owner, green_book):
    _add(owner, green_book["id"], "triggers", "Noise")
    exported = owner.get("/api/v1/export").json()
    broken = copy.deepcopy(exported)
    broken["plans"][0]["sections"][1]["entries"][0]["prompt"] = "not_a_prompt"
    for bad in (broken, {**exported, "format_version": 2}, {"plans": []}):
        response = owner.post("/api/v1/import/preview", json=bad)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
    assert owner.client.post("/api/v1/import/preview", json=exported).status_code == 401
