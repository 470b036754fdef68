"""POST /api/v1/sync: a device's queued changes are applied once, merged where they don't
collide, returned as conflicts (with both versions) where they do; plans come back
incrementally against the device's cursor."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.accounts.models import Role
from tests.helpers.plans import random_uuid
from tests.helpers.sync import SYNC, add, edit, operation, remove, sync


def entries(account, plan_id, section):
    plan = account.get(f"/api/v1/plans/{plan_id}").json()
    return next(s for s in plan["sections"] if s["key"] == section)["entries"]


def texts(account, plan_id, section):
    return [e["text"] for e in entries(account, plan_id, section)]


def with_entry(account, plan, section, text):
    """The plan after adding one entry through the plain API, and that entry."""
    response = account.post(
        f"/api/v1/plans/{plan['id']}/sections/{section}/entries", json={"text": text}
    )
    assert response.status_code == 201, response.text
    entry = response.json()
    return account.get(f"/api/v1/plans/{plan['id']}").json(), entry


# ---- the owner ----------------------------------------------------------------------------


def test_plan_made_offline_is_created_with_its_entries_in_one_request(owner):
    plan_id, entry_id = random_uuid(), random_uuid()
    create = {
        "op_id": random_uuid(),
        "kind": "create_plan",
        "plan_id": plan_id,
        "template": "wrap",
        "title": "My WRAP",
    }
    new_plan = {"id": plan_id, "version": 1}
    body = sync(
        owner,
        [
            create,
            add(new_plan, "triggers", "Loud rooms", entry_id=entry_id),
            edit(new_plan, "triggers", entry_id, {"text": "Loud, crowded rooms"}),
        ],
    )

    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    [plan] = body["plans"]
    assert plan["id"] == plan_id and plan["title"] == "My WRAP" and plan["template"] == "wrap"
    assert plan["version"] == 2
    triggers = next(s for s in plan["sections"] if s["key"] == "triggers")
    assert [(e["id"], e["text"]) for e in triggers["entries"]] == [
        (entry_id, "Loud, crowded rooms")
    ]
    history = owner.get(f"/api/v1/plans/{plan_id}/revisions").json()
    assert [r["summary"] for r in history] == ["Synced 2 changes from a device", "Plan created"]
    assert history[0]["author"]["display_name"] == "Sam"


def test_two_hundred_queued_edits_are_one_request_and_one_version(owner, green_book):
    operations = [add(green_book, "notes", f"Note {n}") for n in range(200)]
    body = sync(owner, operations)

    assert {r["status"] for r in body["results"]} == {"applied"}
    assert [r["op_id"] for r in body["results"]] == [op["op_id"] for op in operations]
    assert body["plans"][0]["version"] == green_book["version"] + 1
    assert texts(owner, green_book["id"], "notes") == [f"Note {n}" for n in range(200)]


def test_a_replayed_request_is_applied_once_and_answered_the_same(owner, green_book):
    operations = [add(green_book, "triggers", "Crowded buses")]
    first = sync(owner, operations)
    again = sync(owner, operations)
    again_with_more = sync(owner, operations + [add(green_book, "triggers", "Late nights")])

    assert again["results"] == first["results"]
    assert again_with_more["results"][0] == first["results"][0]
    assert texts(owner, green_book["id"], "triggers") == ["Crowded buses", "Late nights"]
    versions = owner.get(f"/api/v1/plans/{green_book['id']}/revisions").json()
    assert len(versions) == 3  # created, first sync, the one new change


def test_the_same_op_id_twice_in_one_request_is_applied_once(owner, green_book):
    operation = add(green_book, "triggers", "Crowded buses")
    body = sync(owner, [operation, operation])

    assert body["results"][0] == body["results"][1]
    assert texts(owner, green_book["id"], "triggers") == ["Crowded buses"]


def test_a_replayed_conflict_or_refusal_is_answered_the_same_without_changing(owner, green_book):
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    owner.patch(
        f"/api/v1/plans/{plan['id']}/sections/triggers/entries/{entry['id']}",
        json={"text": "Crowds, on another phone"},
    )
    operations = [
        edit(plan, "triggers", entry["id"], {"text": "Crowds, on this phone"}),
        add(plan, "no_such_section", "Lost?"),
    ]
    first = sync(owner, operations)
    version = owner.get(f"/api/v1/plans/{plan['id']}").json()["version"]
    again = sync(owner, operations)

    assert [r["status"] for r in first["results"]] == ["conflict", "rejected"]
    assert again["results"] == first["results"]
    assert owner.get(f"/api/v1/plans/{plan['id']}").json()["version"] == version


def test_pulls_only_plans_changed_since_the_cursor(owner, green_book):
    other = owner.post("/api/v1/plans", json={"template": "wrap"}).json()
    everything = sync(owner)
    assert {p["id"] for p in everything["plans"]} == {green_book["id"], other["id"]}
    assert everything["removed"] == []

    nothing_new = sync(owner, cursor=everything["cursor"])
    assert nothing_new["plans"] == [] and nothing_new["removed"] == []
    assert nothing_new["cursor"] == everything["cursor"]

    owner.post(f"/api/v1/plans/{other['id']}/sections/triggers/entries", json={"text": "Noise"})
    changed = sync(owner, cursor=nothing_new["cursor"])
    [plan] = changed["plans"]
    assert plan["id"] == other["id"] and plan["version"] == 2
    assert plan == owner.get(f"/api/v1/plans/{other['id']}").json()
    assert sync(owner, cursor=changed["cursor"])["plans"] == []


def test_archiving_deleting_and_restoring_reach_the_device(owner, green_book):
    cursor = sync(owner)["cursor"]
    plan_url = f"/api/v1/plans/{green_book['id']}"

    owner.patch(plan_url, json={"archived": True})
    archived = sync(owner, cursor=cursor)
    assert [p["archived"] for p in archived["plans"]] == [True]

    owner.delete(plan_url)
    deleted = sync(owner, cursor=archived["cursor"])
    assert deleted["plans"] == [] and deleted["removed"] == [green_book["id"]]
    assert sync(owner, cursor=deleted["cursor"])["removed"] == []

    owner.post(f"{plan_url}/restore")
    restored = sync(owner, cursor=deleted["cursor"])
    assert [p["id"] for p in restored["plans"]] == [green_book["id"]]


def test_edits_to_different_entries_from_two_devices_merge(owner, green_book):
    plan, first = with_entry(owner, green_book, "triggers", "Crowds")
    plan, second = with_entry(owner, plan, "triggers", "Late nights")
    base = plan["version"]

    phone = sync(owner, [edit(plan, "triggers", first["id"], {"text": "Big crowds"})])
    laptop = sync(
        owner,
        [
            edit(plan, "triggers", second["id"], {"text": "Very late nights"}, base_version=base),
            add(plan, "triggers", "Arguments", base_version=base),
        ],
    )

    assert phone["results"][0]["status"] == laptop["results"][0]["status"] == "applied"
    assert texts(owner, plan["id"], "triggers") == ["Big crowds", "Very late nights", "Arguments"]


def test_syncs_and_web_edits_of_one_plan_at_the_same_moment_each_land_once(owner, green_book):
    plan = owner.get(f"/api/v1/plans/{green_book['id']}").json()
    before = {key: texts(owner, plan["id"], key) for key in ("triggers", "crisis")}
    web_url = f"/api/v1/plans/{plan['id']}/sections/crisis/entries"
    phone_changes = [add(plan, "triggers", f"From the phone, {n}") for n in range(6)]

    def phone(op):
        return owner.post(SYNC, json={"cursor": None, "operations": [op]})

    def web(n):
        headers = {"If-Match": f'"{plan["version"]}"'}
        return owner.post(web_url, json={"text": f"From the web, {n}"}, headers=headers)

    with ThreadPoolExecutor(max_workers=6) as pool:
        sent = [(pool.submit(phone, op), pool.submit(web, n)) for n, op in enumerate(phone_changes)]
        synced = [phone_sent.result() for phone_sent, _ in sent]
        written = [web_sent.result() for _, web_sent in sent]

    # Each sync applies its change, whoever it met; of the web edits, all sent with the
    # version they read, at most one is saved and the rest are refused whole.
    assert all(r.status_code == 200 for r in synced), [r.text for r in synced]
    assert [r.json()["results"][0]["status"] for r in synced] == ["applied"] * 6
    assert sorted(r.status_code for r in written) in ([201] + [409] * 5, [409] * 6)
    saved = [r.json()["text"] for r in written if r.status_code == 201]
    phone_texts = [op["text"] for op in phone_changes]
    assert sorted(texts(owner, plan["id"], "triggers")) == sorted(before["triggers"] + phone_texts)
    assert texts(owner, plan["id"], "crisis") == before["crisis"] + saved
    after = owner.get(f"/api/v1/plans/{plan['id']}").json()
    assert after["version"] == plan["version"] + 6 + len(saved)
    history = owner.get(f"/api/v1/plans/{plan['id']}/revisions").json()
    assert len(history) == after["version"]


def test_editing_an_entry_changed_elsewhere_keeps_both_versions(owner, green_book):
    plan, entry = with_entry(owner, green_book, "early_warning_signs", "Sleeping badly")
    base = {"text": "Sleeping badly"}
    phone = edit(plan, "early_warning_signs", entry["id"], {"text": "Sleeping 4 hours"}, base=base)
    laptop = edit(plan, "early_warning_signs", entry["id"], {"text": "Not sleeping"}, base=base)

    assert sync(owner, [phone])["results"][0]["status"] == "applied"
    body = sync(owner, [laptop])

    [result] = body["results"]
    assert result["status"] == "conflict" and result["reason"] == "changed_elsewhere"
    assert result["entry_id"] == entry["id"] and result["section"] == "early_warning_signs"
    assert result["yours"]["text"] == "Not sleeping"
    assert result["theirs"]["text"] == "Sleeping 4 hours"
    assert "choose" in result["detail"]
    assert texts(owner, plan["id"], "early_warning_signs") == ["Sleeping 4 hours"]

    # The person keeps both: their own version as a new entry beside the other.
    current = body["plans"][0]
    kept = sync(owner, [add(current, "early_warning_signs", result["yours"]["text"])])
    assert kept["results"][0]["status"] == "applied"
    assert texts(owner, plan["id"], "early_warning_signs") == ["Sleeping 4 hours", "Not sleeping"]


def test_choosing_your_version_after_a_conflict_applies_it(owner, green_book):
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    owner.patch(
        f"/api/v1/plans/{plan['id']}/sections/triggers/entries/{entry['id']}",
        json={"text": "Crowds (theirs)"},
    )
    body = sync(owner, [edit(plan, "triggers", entry["id"], {"text": "Crowds (mine)"})])
    result = body["results"][0]
    assert result["status"] == "conflict"

    choose_mine = edit(
        body["plans"][0], "triggers", entry["id"], {"text": "Crowds (mine)"}, base=result["theirs"]
    )
    assert sync(owner, [choose_mine])["results"][0]["status"] == "applied"
    assert texts(owner, plan["id"], "triggers") == ["Crowds (mine)"]


def test_a_change_to_another_field_of_the_same_entry_merges(owner, green_book):
    response = owner.post(
        f"/api/v1/plans/{green_book['id']}/sections/goals/entries",
        json={"text": "Join a walking group", "goal": {"way": "be_active", "progress": -1}},
    )
    entry = response.json()
    plan = owner.get(f"/api/v1/plans/{green_book['id']}").json()
    owner.patch(
        f"/api/v1/plans/{plan['id']}/sections/goals/entries/{entry['id']}",
        json={"text": "Join the Tuesday walking group"},
    )
    progress = {"way": "be_active", "progress": 1, "review_date": "2026-03-01"}
    body = sync(owner, [edit(plan, "goals", entry["id"], {"goal": progress})])

    assert body["results"][0]["status"] == "applied"
    [goal] = entries(owner, plan["id"], "goals")
    assert goal["text"] == "Join the Tuesday walking group"
    assert goal["goal"]["progress"] == 1 and goal["goal"]["review_date"] == "2026-03-01"


def test_successive_edits_from_one_device_do_not_conflict_with_each_other(owner, green_book):
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    without_base = sync(
        owner,
        [
            edit(plan, "triggers", entry["id"], {"text": "Crowds 1"}),
            edit(plan, "triggers", entry["id"], {"text": "Crowds 2"}),
        ],
    )
    # A later request from the same device names what its copy said before each edit.
    later = sync(
        owner,
        [edit(plan, "triggers", entry["id"], {"text": "Crowds 3"}, base={"text": "Crowds 2"})],
    )

    assert [r["status"] for r in without_base["results"]] == ["applied", "applied"]
    assert later["results"][0]["status"] == "applied"
    assert texts(owner, plan["id"], "triggers") == ["Crowds 3"]


def test_editing_an_entry_removed_elsewhere_keeps_your_words(owner, green_book):
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    owner.delete(f"/api/v1/plans/{plan['id']}/sections/triggers/entries/{entry['id']}")
    body = sync(owner, [edit(plan, "triggers", entry["id"], {"text": "Crowds on buses"})])

    [result] = body["results"]
    assert result["status"] == "conflict" and result["reason"] == "removed_elsewhere"
    assert result["yours"]["text"] == "Crowds on buses" and result["theirs"] is None
    assert texts(owner, plan["id"], "triggers") == []


def test_removing_an_entry_changed_elsewhere_is_a_conflict(owner, green_book):
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    owner.patch(
        f"/api/v1/plans/{plan['id']}/sections/triggers/entries/{entry['id']}",
        json={"text": "Crowds, and what I do about them"},
    )
    body = sync(owner, [remove(plan, "triggers", entry["id"])])

    [result] = body["results"]
    assert result["status"] == "conflict" and result["yours"] is None
    assert result["theirs"]["text"] == "Crowds, and what I do about them"
    assert texts(owner, plan["id"], "triggers") == ["Crowds, and what I do about them"]


def test_removing_an_unchanged_or_already_removed_entry_applies(owner, green_book):
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    body = sync(owner, [remove(plan, "triggers", entry["id"])])
    again = sync(owner, [remove(plan, "triggers", entry["id"])], cursor=body["cursor"])

    assert body["results"][0]["status"] == again["results"][0]["status"] == "applied"
    assert again["plans"] == []  # nothing changed the second time, so no new version
    history = owner.get(f"/api/v1/plans/{plan['id']}/revisions").json()
    assert history[0]["summary"] == "Removed an entry from \u201cTriggers\u201d"
    assert texts(owner, plan["id"], "triggers") == []


def test_reordering_keeps_entries_added_elsewhere(owner, green_book):
    plan, first = with_entry(owner, green_book, "notes", "First")
    plan, second = with_entry(owner, plan, "notes", "Second")
    with_entry(owner, plan, "notes", "Added on another phone")
    reorder = {
        "op_id": random_uuid(),
        "kind": "reorder_entries",
        "plan_id": plan["id"],
        "base_version": plan["version"],
        "section": "notes",
        "entry_ids": [second["id"], first["id"]],
    }
    assert sync(owner, [reorder])["results"][0]["status"] == "applied"
    assert texts(owner, plan["id"], "notes") == ["Second", "First", "Added on another phone"]


def test_sections_hidden_renamed_and_reordered(owner, green_book):
    keys = [s["key"] for s in green_book["sections"]]
    operations = [
        {
            "op_id": random_uuid(),
            "kind": "edit_section",
            "plan_id": green_book["id"],
            "base_version": 1,
            "section": "notes",
            "changes": {"hidden": True, "title": "Loose leaves"},
        },
        {
            "op_id": random_uuid(),
            "kind": "reorder_sections",
            "plan_id": green_book["id"],
            "base_version": 1,
            "keys": ["crisis", *[k for k in keys if k != "crisis"]],
        },
        {
            "op_id": random_uuid(),
            "kind": "rename_plan",
            "plan_id": green_book["id"],
            "base_version": 1,
            "title": "My wellbeing book",
        },
    ]
    body = sync(owner, operations)

    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    plan = owner.get(f"/api/v1/plans/{green_book['id']}").json()
    assert plan["title"] == "My wellbeing book"
    assert plan["sections"][0]["key"] == "crisis"
    notes = next(s for s in plan["sections"] if s["key"] == "notes")
    assert notes["hidden"] is True and notes["title"] == "Loose leaves"


def test_the_plan_a_sync_answers_with_is_the_version_its_history_rebuilds(owner, green_book):
    # Read after each change, so the version before the sync is the one kept in memory: the
    # answer is built from it and the sync's own changes, the history from the database.
    plan, first = with_entry(owner, green_book, "triggers", "Crowded buses")
    plan, second = with_entry(owner, plan, "triggers", "Late nights")
    keys = [s["key"] for s in plan["sections"]]
    operations = [
        add(plan, "notes", "Walk by the river"),
        edit(plan, "triggers", first["id"], {"text": "Crowded buses and trains"}),
        remove(plan, "triggers", second["id"]),
        operation("edit_section", plan, section="notes", changes={"title": "Loose leaves"}),
        operation("reorder_sections", plan, keys=keys[::-1]),
        operation("rename_plan", plan, title="My wellbeing book"),
    ]
    body = sync(owner, operations)

    assert [r["status"] for r in body["results"]] == ["applied"] * len(operations)
    [answered] = body["plans"]
    kept = owner.get(f"/api/v1/plans/{plan['id']}/revisions/{answered['version']}").json()
    assert answered["title"] == kept["title"] == "My wellbeing book"
    # The revision's answer fills in the fields left empty; what each holds is the same.
    assert _content(answered["sections"]) == _content(kept["sections"])
    assert [s["key"] for s in answered["sections"]] == keys[::-1]
    notes = next(s for s in answered["sections"] if s["key"] == "notes")
    assert notes["title"] == "Loose leaves"
    assert [e["text"] for e in notes["entries"]] == ["Walk by the river"]
    triggers = next(s for s in answered["sections"] if s["key"] == "triggers")
    assert [e["text"] for e in triggers["entries"]][-1] == "Crowded buses and trains"
    assert "Late nights" not in [e["text"] for e in triggers["entries"]]


def _content(sections):
    return [
        (s["key"], s["title"], s["hidden"], [(e["id"], e["text"], e["goal"]) for e in s["entries"]])
        for s in sections
    ]


def test_renaming_a_plan_renamed_elsewhere_is_a_conflict(owner, green_book):
    owner.patch(f"/api/v1/plans/{green_book['id']}", json={"title": "Named on my laptop"})
    body = sync(
        owner,
        [
            {
                "op_id": random_uuid(),
                "kind": "rename_plan",
                "plan_id": green_book["id"],
                "base_version": 1,
                "title": "Named on my phone",
            }
        ],
    )
    [result] = body["results"]
    assert result["status"] == "conflict"
    assert result["yours"] == {"title": "Named on my phone"}
    assert result["theirs"] == {"title": "Named on my laptop"}


def test_refused_changes_say_why_and_the_rest_still_apply(owner, green_book):
    newer = add(green_book, "triggers", "From the future", base_version=99)
    wrong_prompt = add(green_book, "triggers", "Crowds", prompt="no_such_prompt")
    emptied = edit(green_book, "triggers", random_uuid(), {"text": None})
    unknown_entry = edit(green_book, "triggers", random_uuid(), {"text": "Who?"})
    fine = add(green_book, "triggers", "Crowds")
    body = sync(owner, [newer, wrong_prompt, emptied, unknown_entry, fine])

    statuses = [(r["status"], r.get("status_code")) for r in body["results"]]
    assert statuses == [
        ("rejected", 422),
        ("rejected", 409),
        ("rejected", 422),
        ("rejected", 404),
        ("applied", None),
    ]
    assert "newer than the plan" in body["results"][0]["detail"]
    assert "no_such_prompt" in body["results"][1]["detail"]
    assert texts(owner, green_book["id"], "triggers") == ["Crowds"]


def test_adding_to_a_section_removed_elsewhere_keeps_your_words(owner, green_book):
    response = owner.post(f"/api/v1/plans/{green_book['id']}/sections", json={"title": "Music"})
    key = response.json()["key"]
    plan = owner.get(f"/api/v1/plans/{green_book['id']}").json()
    owner.delete(f"/api/v1/plans/{plan['id']}/sections/{key}")

    body = sync(owner, [add(plan, key, "Songs that lift me")])
    [result] = body["results"]
    assert result["status"] == "conflict" and result["reason"] == "removed_elsewhere"
    assert result["yours"]["text"] == "Songs that lift me"


def test_a_plan_id_already_taken_is_refused_as_an_unknown_plan_is(owner, stranger, green_book):
    taken = {
        "op_id": random_uuid(),
        "kind": "create_plan",
        "plan_id": green_book["id"],
        "template": "wrap",
    }
    body = sync(stranger, [taken])

    assert body["results"][0]["status"] == "rejected"
    assert body["results"][0]["status_code"] == 404  # as every other route, never 409
    assert "already exists" not in body["results"][0]["detail"]
    assert body["plans"] == []
    assert owner.get(f"/api/v1/plans/{green_book['id']}").json()["template"] == "green_book"


# ---- everyone else ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.person, Role.link_worker, Role.clinician])
def test_nobody_else_can_change_or_pull_a_plan(owner, green_book, make_account, role):
    other = make_account("Robin", role=role)
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    operations = [
        add(plan, "triggers", "Written by someone else"),
        edit(plan, "triggers", entry["id"], {"text": "Changed by someone else"}),
        remove(plan, "triggers", entry["id"]),
    ]
    body = sync(other, operations)

    assert [(r["status"], r["status_code"]) for r in body["results"]] == [("rejected", 404)] * 3
    assert "no plan with this id in your plans" in body["results"][0]["detail"]
    assert body["plans"] == []
    assert texts(owner, plan["id"], "triggers") == ["Crowds"]
    assert owner.get(f"/api/v1/plans/{plan['id']}").json()["version"] == plan["version"]


def share_with(owner, plan, grantee, permission="suggest"):
    made = owner.post(
        f"/api/v1/plans/{plan['id']}/shares",
        json={"sections": ["triggers", "crisis"], "permission": permission, "label": "carer"},
    )
    assert made.status_code == 201, made.text
    accepted = grantee.post("/api/v1/shares/accept", json={"code": made.json()["invite_code"]})
    assert accepted.status_code == 200, accepted.text
    return made.json()


@pytest.mark.parametrize("revoked", [False, True])
def test_someone_the_plan_is_shared_with_cannot_sync_changes_into_it(
    owner, green_book, make_account, revoked
):
    """Sharing lets them read, comment or suggest, never write: suggestions wait for the
    owner. The sync endpoint only ever touches the signed-in person's own plans."""
    carer = make_account("Jo", role=Role.person)
    plan, entry = with_entry(owner, green_book, "triggers", "Crowds")
    share = share_with(owner, plan, carer)
    if revoked:
        owner.delete(f"/api/v1/plans/{plan['id']}/shares/{share['id']}")
    body = sync(
        carer,
        [
            add(plan, "triggers", "Written by the carer"),
            edit(plan, "triggers", entry["id"], {"text": "Changed by the carer"}),
            {
                "op_id": random_uuid(),
                "kind": "rename_plan",
                "plan_id": plan["id"],
                "base_version": plan["version"],
                "title": "Renamed by the carer",
            },
        ],
    )

    assert [(r["status"], r["status_code"]) for r in body["results"]] == [("rejected", 404)] * 3
    assert body["plans"] == []  # a shared plan is read through sharing, not synced
    current = owner.get(f"/api/v1/plans/{plan['id']}").json()
    assert current["version"] == plan["version"] and current["title"] == plan["title"]
    assert texts(owner, plan["id"], "triggers") == ["Crowds"]


def test_another_account_reusing_an_op_id_gets_its_own_outcome(owner, stranger, green_book):
    operation = add(green_book, "triggers", "Crowds")
    assert sync(owner, [operation])["results"][0]["status"] == "applied"

    theirs = sync(stranger, [operation])["results"][0]
    assert theirs["status"] == "rejected" and theirs["status_code"] == 404


def test_a_cursor_cannot_reveal_another_persons_plans(owner, stranger, green_book):
    owner_cursor = sync(owner)["cursor"]
    body = sync(stranger, cursor=owner_cursor)
    assert body["plans"] == []
    assert body["removed"] == [green_book["id"]]  # only echoes back what the cursor named


def test_no_login_is_refused(client, owner, green_book):
    response = client.post(SYNC, json={"operations": [add(green_book, "triggers", "Crowds")]})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "sign in" in response.json()["detail"]
    assert texts(owner, green_book["id"], "triggers") == []


# ---- bad requests change nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operations": [{"op_id": "x", "kind": "add_entry"}]}, "operations.0"),
        ({"operations": [{"kind": "paint_it_red", "op_id": str(uuid.uuid4())}]}, "operations.0"),
        ({"operations": [], "surprise": True}, "surprise"),
        ({"operations": [{}] * 501}, "operations"),
    ],
)
def test_malformed_requests_are_refused_whole(owner, green_book, body, field):
    response = owner.post(SYNC, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"].startswith(field)


def test_one_bad_operation_refuses_the_whole_request(owner, green_book):
    good = add(green_book, "triggers", "Crowds")
    bad = add(green_book, "triggers", "")
    response = owner.post(SYNC, json={"operations": [good, bad]})
    assert response.status_code == 422
    assert texts(owner, green_book["id"], "triggers") == []


@pytest.mark.parametrize("cursor", ["nonsense", "1.!!!", "1." + "bm90OmEtdXVpZA=="])
def test_a_cursor_this_app_did_not_make_is_refused(owner, cursor):
    response = owner.post(SYNC, json={"cursor": cursor, "operations": []})
    assert response.status_code == 422
    assert "cursor" in response.json()["detail"]
