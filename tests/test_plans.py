"""Plans: templates, sections and entries in the person's own words, archive, delete, restore."""

import re
from datetime import timedelta

import pytest

from tests.helpers.plans import add_entry, random_uuid, section


@pytest.mark.parametrize("template", ["green_book", "wrap"])
def test_templates_have_the_shared_sections(owner, template):
    response = owner.post("/api/v1/plans", json={"template": template, "title": "Mine"})
    assert response.status_code == 201
    plan = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/v1/plans/{plan['id']}"
    assert plan["version"] == 1 and plan["title"] == "Mine"
    keys = [s["key"] for s in plan["sections"]]
    assert {"triggers", "early_warning_signs", "crisis"} <= set(keys)
    assert all(s["entries"] == [] for s in plan["sections"])
    crisis_prompts = {p["key"] for p in section(plan, "crisis")["prompts"]}
    assert {"not_involved", "medicines_avoid", "treatments_refused", "statement"} <= crisis_prompts
    today = {s["today"] for s in plan["sections"] if s["today"]}
    assert today == {"well", "triggered", "early_warning_signs", "breaking_down", "crisis"}


def test_green_book_and_wrap_differ_where_they_should(owner):
    book = owner.post("/api/v1/plans", json={"template": "green_book"}).json()
    wrap = owner.post("/api/v1/plans", json={"template": "wrap"}).json()
    assert book["title"] == "Green Book"
    assert section(book, "goals")["kind"] == "goals"
    assert {"wellness_toolbox", "daily_maintenance", "post_crisis"} <= {
        s["key"] for s in wrap["sections"]
    }


def test_templates_are_described(client):
    templates = client.get("/api/v1/templates").json()
    assert set(templates) == {"green_book", "wrap", "safety_plan"}
    assert templates["green_book"]["about"]


def test_list_plans_shows_only_mine(owner, stranger, green_book):
    stranger.post("/api/v1/plans", json={"template": "wrap", "title": "Theirs"})
    mine = owner.get("/api/v1/plans").json()
    assert [p["id"] for p in mine] == [green_book["id"]]
    assert "sections" not in mine[0]


def test_a_plan_that_is_not_yours_is_not_found(client, owner, stranger, green_book):
    plan_id = green_book["id"]
    add_entry(owner, plan_id, "triggers", "Crowded buses")
    for response in [
        stranger.get(f"/api/v1/plans/{plan_id}"),
        stranger.patch(f"/api/v1/plans/{plan_id}", json={"title": "Hijacked"}),
        stranger.post(f"/api/v1/plans/{plan_id}/sections/triggers/entries", json={"text": "x"}),
        stranger.delete(f"/api/v1/plans/{plan_id}"),
        stranger.get(f"/api/v1/plans/{plan_id}/revisions"),
        stranger.get(f"/api/v1/plans/{random_uuid()}"),
    ]:
        assert response.status_code == 404
        assert "Crowded buses" not in response.text
    assert client.get(f"/api/v1/plans/{plan_id}").status_code == 401
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["title"] == "My book"


def test_entries_in_my_own_words(owner, green_book):
    plan_id = green_book["id"]
    first = add_entry(owner, plan_id, "triggers", "  Crowded buses  ", prompt="trigger")
    assert first["text"] == "Crowded buses"
    assert first["plan_version"] == 2
    second = add_entry(owner, plan_id, "triggers", "Get off a stop early and walk", prompt="action")

    edited = owner.patch(
        f"/api/v1/plans/{plan_id}/sections/triggers/entries/{first['id']}",
        json={"text": "Crowded buses at rush hour"},
    )
    assert edited.status_code == 200
    assert edited.json()["text"] == "Crowded buses at rush hour"
    assert edited.json()["prompt"] == "trigger"

    reordered = owner.put(
        f"/api/v1/plans/{plan_id}/sections/triggers/entry-order",
        json={"entry_ids": [second["id"], first["id"]]},
    )
    assert [e["id"] for e in reordered.json()["entries"]] == [second["id"], first["id"]]

    removed = owner.delete(f"/api/v1/plans/{plan_id}/sections/triggers/entries/{second['id']}")
    assert removed.status_code == 204
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    assert [e["text"] for e in section(plan, "triggers")["entries"]] == [
        "Crowded buses at rush hour"
    ]
    assert plan["version"] == 6


def test_entry_errors_are_specific(owner, green_book):
    plan_id = green_book["id"]
    entry = add_entry(owner, plan_id, "triggers", "Noise")
    base = f"/api/v1/plans/{plan_id}/sections"
    cases = [
        (owner.post(f"{base}/nope/entries", json={"text": "x"}), 404, "no section 'nope'"),
        (owner.post(f"{base}/triggers/entries", json={"text": "   "}), 422, "text"),
        (owner.post(f"{base}/triggers/entries", json={"text": "x", "prompt": "zzz"}), 409, "zzz"),
        (
            owner.post(f"{base}/triggers/entries", json={"text": "x", "goal": {"way": "give"}}),
            409,
            "goals section",
        ),
        (
            owner.patch(f"{base}/triggers/entries/{random_uuid()}", json={"text": "y"}),
            404,
            "no entry",
        ),
        (owner.patch(f"{base}/triggers/entries/{entry['id']}", json={}), 422, "Nothing to change"),
        (
            owner.put(f"{base}/triggers/entry-order", json={"entry_ids": [random_uuid()]}),
            409,
            "every entry id exactly once",
        ),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.json()["detail"]
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    assert plan["version"] == 2
    assert [e["text"] for e in section(plan, "triggers")["entries"]] == ["Noise"]


def test_goals_on_the_five_ways_with_smart_steps(owner, green_book):
    goal = {
        "way": "connect",
        "steps": "Text my sister on Sundays; go to the walking group once",
        "by_when": "2027-01-31",
        "who_can_help": "My sister; Dee at the group",
        "how_ill_know": "I've been three times",
        "progress": -1,
        "review_date": "2027-02-28",
    }
    entry = add_entry(owner, green_book["id"], "goals", "See people more", goal=goal)
    assert entry["goal"] == goal
    url = f"/api/v1/plans/{green_book['id']}/sections/goals/entries/{entry['id']}"
    better = owner.patch(url, json={"goal": goal | {"progress": 1}})
    assert better.json()["goal"]["progress"] == 1
    for bad in [{"progress": 3}, {"progress": -3}, {"way": "run"}, {"by_when": "soon"}]:
        response = owner.patch(url, json={"goal": goal | bad})
        assert response.status_code == 422, bad
    plan = owner.get(f"/api/v1/plans/{green_book['id']}").json()
    assert section(plan, "goals")["entries"][0]["goal"]["progress"] == 1


def test_sections_rename_hide_add_reorder_remove(owner, green_book):
    plan_id = green_book["id"]
    renamed = owner.patch(
        f"/api/v1/plans/{plan_id}/sections/triggers",
        json={"title": "Things that set me off", "hidden": True},
    )
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Things that set me off"
    assert renamed.json()["hidden"] is True

    added = owner.post(f"/api/v1/plans/{plan_id}/sections", json={"title": "Music that lifts me"})
    assert added.status_code == 201
    key = added.json()["key"]
    # Not made from the title (the person's words): keys are stored in the clear.
    assert re.fullmatch(r"custom_[0-9a-f]{8}", key)
    assert added.json()["custom"] is True
    again = owner.post(f"/api/v1/plans/{plan_id}/sections", json={"title": "Music that lifts me"})
    assert again.status_code == 201 and again.json()["key"] != key
    add_entry(owner, plan_id, key, "Nina Simone")

    keys = [s["key"] for s in owner.get(f"/api/v1/plans/{plan_id}").json()["sections"]]
    new_order = list(reversed(keys))
    reordered = owner.put(f"/api/v1/plans/{plan_id}/section-order", json={"keys": new_order})
    assert [s["key"] for s in reordered.json()["sections"]] == new_order
    assert (
        owner.put(f"/api/v1/plans/{plan_id}/section-order", json={"keys": keys[:-1]}).status_code
        == 409
    )

    second = again.json()["key"]
    assert owner.delete(f"/api/v1/plans/{plan_id}/sections/{second}").status_code == 204
    refused = owner.delete(f"/api/v1/plans/{plan_id}/sections/crisis")
    assert refused.status_code == 409
    assert "hide it instead" in refused.json()["detail"]
    plan = owner.get(f"/api/v1/plans/{plan_id}").json()
    keys_now = [s["key"] for s in plan["sections"]]
    assert second not in keys_now and "crisis" in keys_now
    assert section(plan, key)["entries"][0]["text"] == "Nina Simone"


def test_rename_and_archive_plan(owner, green_book):
    url = f"/api/v1/plans/{green_book['id']}"
    response = owner.patch(url, json={"title": "Book of me", "archived": True})
    assert response.status_code == 200
    assert response.json()["title"] == "Book of me"
    assert response.json()["archived"] is True
    listed = owner.get("/api/v1/plans").json()
    assert listed[0]["archived"] is True
    assert owner.patch(url, json={"archived": False}).json()["archived"] is False
    assert owner.patch(url, json={"title": ""}).status_code == 422
    assert owner.patch(url, json={"colour": "green"}).status_code == 422


def test_several_plans(owner):
    for title in ["Work", "Home", "Crisis only"]:
        owner.post("/api/v1/plans", json={"template": "wrap", "title": title})
    assert sorted(p["title"] for p in owner.get("/api/v1/plans").json()) == [
        "Crisis only",
        "Home",
        "Work",
    ]


def test_deleted_plan_can_be_restored_for_30_days(owner, green_book, move_clock):
    plan_id = green_book["id"]
    add_entry(owner, plan_id, "triggers", "Loud bars")
    assert owner.delete(f"/api/v1/plans/{plan_id}").status_code == 204
    assert owner.get(f"/api/v1/plans/{plan_id}").status_code == 404
    assert owner.get("/api/v1/plans").json() == []
    binned = owner.get("/api/v1/plans", params={"deleted": True}).json()
    assert binned[0]["id"] == plan_id and binned[0]["purge_after"]

    move_clock(timedelta(days=29))
    owner.sign_in_again()
    restored = owner.post(f"/api/v1/plans/{plan_id}/restore")
    assert restored.status_code == 200
    assert section(restored.json(), "triggers")["entries"][0]["text"] == "Loud bars"
    assert owner.post(f"/api/v1/plans/{plan_id}/restore").status_code == 409
    assert _restore_log_line(owner, plan_id)["summary"] == (
        "You restored this plan. It had no shares or crisis card link to bring back."
    )


def test_deleted_plan_is_gone_after_30_days(app, owner, green_book, move_clock):
    from sqlmodel import Session

    from app.plans.service import purge_deleted_plans

    plan_id = green_book["id"]
    owner.delete(f"/api/v1/plans/{plan_id}")
    move_clock(timedelta(days=30, minutes=1))
    owner.sign_in_again()
    assert owner.post(f"/api/v1/plans/{plan_id}/restore").status_code == 404
    with Session(app.state.engine) as session:
        assert purge_deleted_plans(session, 30) == 1
    assert owner.get("/api/v1/plans", params={"deleted": True}).json() == []


def test_stranger_cannot_restore_my_deleted_plan(owner, stranger, green_book):
    owner.delete(f"/api/v1/plans/{green_book['id']}")
    assert stranger.post(f"/api/v1/plans/{green_book['id']}/restore").status_code == 404
    assert stranger.get("/api/v1/plans", params={"deleted": True}).json() == []


# ---- restoring brings back the content; sharing only when asked ----------------------------


@pytest.fixture
def shared_then_deleted(owner, green_book, make_account):
    """A plan shared with a link worker and on a crisis card, then deleted."""
    from app.accounts.models import Role

    plan_id = green_book["id"]
    add_entry(owner, plan_id, "crisis", "Call my sister first")
    worker = make_account("Jo Link", role=Role.link_worker)
    made = owner.post(
        f"/api/v1/plans/{plan_id}/shares",
        json={"sections": ["crisis"], "permission": "view", "label": "link_worker"},
    ).json()
    assert worker.post("/api/v1/shares/accept", json={"code": made["invite_code"]}).is_success
    card = owner.post(f"/api/v1/plans/{plan_id}/crisis-card").json()
    card_path = card["url"].removeprefix("http://testserver")
    assert owner.client.get(card_path).status_code == 200
    assert owner.delete(f"/api/v1/plans/{plan_id}").status_code == 204
    return plan_id, worker, made["id"], card_path


def _restore_log_line(owner, plan_id) -> dict:
    entries = owner.get(f"/api/v1/plans/{plan_id}/access-log").json()["entries"]
    (line,) = [e for e in entries if e["event"] == "plan_restored"]
    return line


@pytest.mark.parametrize("body", [None, {}, {"with_sharing": False}])
def test_restoring_brings_back_the_content_but_not_the_sharing(owner, shared_then_deleted, body):
    plan_id, worker, share_id, card_path = shared_then_deleted
    restored = owner.post(f"/api/v1/plans/{plan_id}/restore", json=body)
    assert restored.status_code == 200, restored.text
    assert section(restored.json(), "crisis")["entries"][0]["text"] == "Call my sister first"

    assert worker.get(f"/api/v1/shared-with-me/{share_id}").status_code == 410
    assert worker.get("/api/v1/shared-with-me").json()["total"] == 0
    assert owner.client.get(card_path).status_code == 410
    (share,) = owner.get(f"/api/v1/plans/{plan_id}/shares").json()
    assert share["status"] == "plan_deleted"
    assert "restored it without its sharing" in share["summary"]
    assert owner.get(f"/api/v1/plans/{plan_id}/crisis-card").json()["status"] == "revoked"
    line = _restore_log_line(owner, plan_id)
    assert line["summary"] == (
        "You restored this plan without its sharing: its 1 share and its crisis card link "
        "stayed turned off. Share it again if you want to."
    )


def test_restoring_with_sharing_brings_back_the_shares_and_the_crisis_card(
    owner, shared_then_deleted
):
    plan_id, worker, share_id, card_path = shared_then_deleted
    restored = owner.post(f"/api/v1/plans/{plan_id}/restore", json={"with_sharing": True})
    assert restored.status_code == 200, restored.text

    read = worker.get(f"/api/v1/shared-with-me/{share_id}")
    assert read.status_code == 200 and "Call my sister first" in read.text
    assert owner.client.get(card_path).status_code == 200
    assert "work again" in _restore_log_line(owner, plan_id)["summary"]


@pytest.mark.parametrize(
    "body",
    [{"with_sharing": "please"}, {"with_sharing": True, "shares": "all"}, [True]],
    ids=["not a yes or no", "an unknown field", "not an object"],
)
def test_a_bad_restore_request_is_refused_and_changes_nothing(owner, shared_then_deleted, body):
    plan_id, *_ = shared_then_deleted
    response = owner.post(f"/api/v1/plans/{plan_id}/restore", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert owner.get(f"/api/v1/plans/{plan_id}").status_code == 404  # still deleted


def test_nobody_else_can_restore_a_plan_or_its_sharing(owner, stranger, shared_then_deleted):
    plan_id, worker, share_id, _card = shared_then_deleted
    for account in (worker, stranger):
        refused = account.post(f"/api/v1/plans/{plan_id}/restore", json={"with_sharing": True})
        assert refused.status_code == 404
        assert refused.json()["detail"] == "There is no plan with this id in your plans."
    assert owner.client.post(f"/api/v1/plans/{plan_id}/restore").status_code == 401
    assert worker.get(f"/api/v1/shared-with-me/{share_id}").status_code == 410
    assert owner.get(f"/api/v1/plans/{plan_id}").status_code == 404
