"""What waits for the plan's owner, counted in one read: suggestions not decided on, comments
not replied to, imported statements with parts still to decide. (Who may read it: the
authorisation matrix, tests/sharing/test_authorisation_matrix.py.)"""

from app.accounts.models import Role

STATEMENT = b"# Crisis plan\n\n## Who I want to help\n\nMy sister Jo.\n"


def test_counts_follow_what_the_person_decides(owner, make_account, green_book):
    worker = make_account("Riley", Role.clinician)
    plan_url = f"/api/v1/plans/{green_book['id']}"
    made = owner.post(
        f"{plan_url}/shares",
        json={"sections": ["crisis"], "permission": "suggest", "label": "clinician"},
    ).json()
    share = worker.post("/api/v1/shares/accept", json={"code": made["invite_code"]}).json()
    shared = f"/api/v1/shared-with-me/{share['share_id']}"
    assert owner.get(f"{plan_url}/waiting").json() == {
        "suggestions": 0,
        "comments": 0,
        "imports": 0,
    }

    suggestion = worker.post(
        f"{shared}/suggestions",
        json={"section": "crisis", "action": "add", "text": "Ring Jo", "prompt": "who_helps"},
    ).json()
    worker.post(
        f"{shared}/suggestions",
        json={"section": "crisis", "action": "add", "text": "Ring Sam", "prompt": "who_helps"},
    )
    comment = worker.post(
        f"{shared}/comments",
        json={"section": "crisis", "text": "Add a number?", "acknowledged_visible_to_person": True},
    ).json()
    imported = worker.post(
        f"{plan_url}/imports", files={"file": ("plan.md", STATEMENT, "text/markdown")}
    )
    assert imported.status_code == 201, imported.text
    assert owner.get(f"{plan_url}/waiting").json() == {
        "suggestions": 2,
        "comments": 1,
        "imports": 1,
    }

    owner.post(f"{plan_url}/suggestions/{suggestion['id']}/reject", json={"reason": "No"})
    owner.post(f"{plan_url}/comments/{comment['id']}/replies", json={"text": "Yes, soon"})
    parts = owner.get(f"{plan_url}/imports/{imported.json()['id']}").json()["parts"]
    decided = owner.post(
        f"{plan_url}/imports/{imported.json()['id']}/decisions",
        json={"decisions": [{"part_id": p["id"], "action": "reject"} for p in parts]},
    )
    assert decided.status_code == 200, decided.text
    assert owner.get(f"{plan_url}/waiting").json() == {
        "suggestions": 1,
        "comments": 0,
        "imports": 0,
    }
