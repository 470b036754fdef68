"""Export everything, import it into a fresh account, nothing lost."""

import copy

from tests.helpers.plans import add_entry


def _without_ids(export: dict) -> dict:
    data = copy.deepcopy(export)
    data.pop("exported_at")
    data.pop("account")
    for plan in data["plans"]:
        plan.pop("id")
    return data


def test_export_then_import_round_trip(owner, make_account, green_book):
    plan_id = green_book["id"]
    add_entry(owner, plan_id, "triggers", "Money worries", prompt="trigger")
    add_entry(
        owner,
        plan_id,
        "goals",
        "Swim again",
        goal={"way": "be_active", "steps": "Tuesday early swim", "progress": 0},
    )
    owner.post(f"/api/v1/plans/{plan_id}/sections", json={"title": "Poems ✍️ that help"})
    owner.patch(f"/api/v1/plans/{plan_id}/sections/bad_days", json={"hidden": True})
    wrap = owner.post("/api/v1/plans", json={"template": "wrap", "title": "WRAP"}).json()
    owner.patch(f"/api/v1/plans/{wrap['id']}", json={"archived": True})

    export = owner.get("/api/v1/export")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    exported = export.json()
    assert exported["format"] == "wellbeing-plans-export"
    assert len(exported["plans"]) == 2
    assert len(exported["plans"][0]["revisions"]) == 5

    fresh = make_account("Sam Again")
    imported = fresh.post("/api/v1/import", json=exported)
    assert imported.status_code == 201
    assert len(imported.json()["imported_plans"]) == 2

    again = fresh.get("/api/v1/export").json()
    assert _without_ids(again) == _without_ids(exported)
    # The imported plans work as plans: history restores, edits version on.
    new_id = imported.json()["imported_plans"][0]
    assert fresh.post(f"/api/v1/plans/{new_id}/revisions/1/restore").json()["version"] == 6
    # The original is untouched and still only the original owner's.
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == 5


def test_import_with_an_error_adds_nothing(owner, make_account, green_book):
    add_entry(owner, green_book["id"], "triggers", "Noise")
    exported = owner.get("/api/v1/export").json()
    fresh = make_account("Robin")

    broken = copy.deepcopy(exported)
    broken["plans"][0]["sections"][1]["entries"][0]["prompt"] = "not_a_prompt"
    response = fresh.post("/api/v1/import", json=broken)
    assert response.status_code == 422
    assert "not_a_prompt" in response.json()["detail"]

    for bad in [
        {**exported, "format": "something-else"},
        {**exported, "format_version": 2},
        {**exported, "surprise": 1},
        {"plans": []},
        # Beyond what the database stores: a 32-bit version, a NUL in a plain-text column.
        {**exported, "plans": [{**exported["plans"][0], "version": 2**31}]},
        {
            **exported,
            "plans": [
                {
                    **exported["plans"][0],
                    "revisions": [
                        {**exported["plans"][0]["revisions"][0], "author_name": "Sam\x00"}
                    ],
                }
            ],
        },
    ]:
        assert fresh.post("/api/v1/import", json=bad).status_code == 422
    assert fresh.get("/api/v1/plans").json() == []


def test_export_and_import_need_sign_in(client, owner, green_book):
    assert client.get("/api/v1/export").status_code == 401
    exported = owner.get("/api/v1/export").json()
    assert client.post("/api/v1/import", json=exported).status_code == 401


def test_export_holds_only_my_plans(owner, stranger, green_book):
    add_entry(owner, green_book["id"], "triggers", "Private words")
    assert "Private words" not in stranger.get("/api/v1/export").text
    assert stranger.get("/api/v1/export").json()["plans"] == []
