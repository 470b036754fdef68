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
    assert plan["entries"] == 3 and plan["versions"] == 4 and plan["check_ins"] == 0
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
    for bad in (broken, {**exported, "format_version": 3}, {"plans": []}):
        response = owner.post("/api/v1/import/preview", json=bad)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
    assert owner.client.post("/api/v1/import/preview", json=exported).status_code == 401


def test_check_ins_go_out_with_their_plan_and_come_back(owner, make_account, green_book):
    sent = {
        "id": "5b0e0c43-5c59-4a43-8e1c-0e8a1c1b6a01",
        "state": "triggered",
        "note": "A walk helped",
        "at": "2026-06-01T10:00:00Z",
    }
    kept = owner.post(f"/api/v1/plans/{green_book['id']}/check-ins", json={"check_ins": [sent]})
    assert kept.status_code == 200, kept.text
    exported = owner.get("/api/v1/export").json()
    assert exported["plans"][0]["check_ins"] == [
        {"state": "triggered", "note": "A walk helped", "at": "2026-06-01T10:00:00Z"}
    ]
    fresh = make_account("Robin")
    assert fresh.post("/api/v1/import/preview", json=exported).json()["plans"][0]["check_ins"] == 1
    for account in (fresh, owner):  # into another account, and back into the same one
        imported = account.post("/api/v1/import", json=exported)
        assert imported.status_code == 201, imported.text
        new_id = imported.json()["imported_plans"][0]
        back = account.get(f"/api/v1/plans/{new_id}/check-ins", params={"days": 366})
        assert [(c["state"], c["note"]) for c in back.json()["check_ins"]] == [
            ("triggered", "A walk helped")
        ]
