"""An outside tester's attacks on "nobody sees what they shouldn't", through the public API:
plan ids and content re-used or served from memory, grantee answers remembered across a
change of share, abuse limits under parallel attempts, and tokens after a sign-in ends."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.accounts.models import Role
from app.core import clock
from app.plans.service import purge_deleted_plans
from tests.helpers.accounts import PASSWORD
from tests.helpers.limits import AT_ONCE, all_at_once, try_password
from tests.helpers.plans import make_marked_plan, random_uuid
from tests.helpers.sharing import access_log, share_with

SYNC = "/api/v1/sync"
WRONG = "a wrong guess at it"


def _purge_everything_deleted(app, move_clock) -> None:
    from sqlmodel import Session

    move_clock(timedelta(days=app.state.settings.deleted_plan_retention_days + 1))
    with Session(app.state.engine) as session:
        purge_deleted_plans(session, app.state.settings.deleted_plan_retention_days)


def _create_by_sync(account, plan_id: str) -> dict:
    operation = {
        "op_id": random_uuid(),
        "kind": "create_plan",
        "plan_id": plan_id,
        "template": "green_book",
    }
    response = account.post(SYNC, json={"operations": [operation]})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


@pytest.fixture
def link_worker(make_account):
    return make_account("Jo Link", role=Role.link_worker, organisation="Riverside")


# ---- plan ids and content re-used --------------------------------------------------------


def test_a_whole_account_import_of_a_deleted_persons_plans_gets_new_ids_and_no_old_reader(
    owner, make_account
):
    plan = make_marked_plan(owner, keys={"crisis", "triggers"})
    grantee = make_account("Jo Link", role=Role.link_worker, organisation="Riverside")
    share = share_with(owner, plan.id, grantee, ["crisis"])
    assert grantee.get(f"/api/v1/shared-with-me/{share['id']}").status_code == 200
    exported = owner.get("/api/v1/export").json()
    assert owner.delete("/api/v1/me", json={"password": PASSWORD}).status_code in (200, 204)

    taker = make_account("Alex")
    imported = taker.post("/api/v1/import", json=exported)
    assert imported.status_code == 201, imported.text
    new_ids = imported.json()["imported_plans"]
    assert plan.id not in new_ids
    # The old id answers nobody, and the old share shows nothing of the re-imported words.
    assert taker.get(f"/api/v1/plans/{plan.id}").status_code == 404
    old_read = grantee.get(f"/api/v1/shared-with-me/{share['id']}")
    assert old_read.status_code in (404, 410)
    assert plan.leaked(old_read.text, set()) == []
    listed = grantee.get("/api/v1/shared-with-me").json()
    assert listed["shares"] == [] and plan.leaked(str(listed), set()) == []
    # And the old id stays used, even by the person who now holds its words.
    assert _create_by_sync(taker, plan.id)["status_code"] == 404


def test_a_restore_after_the_purge_brings_nothing_back(app, owner, make_account, move_clock):
    plan = make_marked_plan(owner, keys={"crisis"})
    assert owner.get(f"/api/v1/plans/{plan.id}").status_code == 200
    assert owner.delete(f"/api/v1/plans/{plan.id}").status_code in (200, 204)
    _purge_everything_deleted(app, move_clock)
    owner.sign_in_again()
    for body in (None, {"with_sharing": True}):
        restored = owner.post(f"/api/v1/plans/{plan.id}/restore", json=body)
        assert restored.status_code == 404, restored.text
        assert plan.leaked(restored.text, set()) == []
    for path in ("", "/revisions", "/access-log"):
        response = owner.get(f"/api/v1/plans/{plan.id}{path}")
        assert response.status_code == 404, (path, response.text)
        assert plan.leaked(response.text, set()) == []
    assert _create_by_sync(owner, plan.id)["status_code"] == 404


def test_a_new_plan_like_a_deleted_one_shows_the_grantee_only_its_own_words(owner, link_worker):
    old = make_marked_plan(owner, keys={"crisis"})
    old_share = share_with(owner, old.id, link_worker, ["crisis"])
    assert link_worker.get(f"/api/v1/shared-with-me/{old_share['id']}").status_code == 200
    assert link_worker.get("/api/v1/shared-with-me").status_code == 200
    assert owner.delete(f"/api/v1/plans/{old.id}").status_code in (200, 204)

    new = make_marked_plan(owner, keys={"crisis"})  # same title, same template, same owner
    new_share = share_with(owner, new.id, link_worker, ["crisis"])
    listed = link_worker.get("/api/v1/shared-with-me")
    assert [s["share_id"] for s in listed.json()["shares"]] == [new_share["id"]]
    assert old.leaked(listed.text, set()) == []
    gone = link_worker.get(f"/api/v1/shared-with-me/{old_share['id']}")
    assert gone.status_code == 410 and old.leaked(gone.text, set()) == []
    read = link_worker.get(f"/api/v1/shared-with-me/{new_share['id']}")
    assert read.status_code == 200
    assert old.leaked(read.text, set()) == [] and new.markers["crisis"][1] in read.text


def test_a_plans_history_is_its_own_only(owner, stranger):
    mine = make_marked_plan(owner, keys={"crisis"})
    theirs = make_marked_plan(stranger, keys={"crisis"})
    for path in ("/revisions", "/access-log", "/comments", "/suggestions", "/imports"):
        response = stranger.get(f"/api/v1/plans/{mine.id}{path}")
        assert response.status_code == 404, (path, response.text)
        assert mine.leaked(response.text, set()) == []
    revisions = stranger.get(f"/api/v1/plans/{theirs.id}/revisions").json()
    assert mine.leaked(str(revisions), set()) == []


# ---- a grantee's remembered read after the share changes ---------------------------------


@pytest.fixture
def read_twice(owner, link_worker):
    """A plan shared (crisis and triggers, comment) and read twice, so the second read was
    answered from memory."""
    plan = make_marked_plan(owner, keys={"crisis", "triggers"})
    share = share_with(owner, plan.id, link_worker, ["crisis", "triggers"], "comment")
    url = f"/api/v1/shared-with-me/{share['id']}"
    for _ in range(2):
        read = link_worker.get(url)
        assert read.status_code == 200 and plan.markers["triggers"][1] in read.text
    return plan, share, url


def test_a_remembered_read_follows_a_narrowed_share(owner, link_worker, read_twice):
    plan, share, url = read_twice
    narrowed = owner.patch(
        f"/api/v1/plans/{plan.id}/shares/{share['id']}", json={"sections": ["crisis"]}
    )
    assert narrowed.status_code == 200
    read = link_worker.get(url)
    assert read.status_code == 200 and plan.leaked(read.text, {"crisis"}) == []
    listed = link_worker.get("/api/v1/shared-with-me").text
    assert plan.leaked(listed, {"crisis"}) == []


def test_a_remembered_read_follows_a_lowered_permission(owner, link_worker, read_twice):
    plan, share, url = read_twice
    lowered = owner.patch(
        f"/api/v1/plans/{plan.id}/shares/{share['id']}", json={"permission": "view"}
    )
    assert lowered.status_code == 200
    assert link_worker.get(url).json()["share"]["permission"] == "view"
    comments = link_worker.get(f"{url}/comments")
    assert comments.status_code == 403


def test_a_remembered_read_ends_with_the_clock(owner, link_worker, read_twice, move_clock):
    plan, share, url = read_twice
    ends = (clock.utcnow() + timedelta(seconds=30)).isoformat()
    assert (
        owner.patch(
            f"/api/v1/plans/{plan.id}/shares/{share['id']}", json={"expires_at": ends}
        ).status_code
        == 200
    )
    assert link_worker.get(url).status_code == 200  # remembered again, with the new end date
    move_clock(timedelta(seconds=31))
    ended = link_worker.get(url)
    assert ended.status_code == 410 and plan.leaked(ended.text, set()) == []
    assert link_worker.get("/api/v1/shared-with-me").json()["shares"] == []


@pytest.mark.parametrize("end", ["sharing off", "revoked", "plan deleted", "owner gone"])
def test_a_remembered_read_ends_with_the_share(owner, link_worker, read_twice, end):
    plan, share, url = read_twice
    if end == "sharing off":
        assert owner.put("/api/v1/me/sharing", json={"enabled": False}).status_code == 200
    elif end == "revoked":
        assert owner.delete(f"/api/v1/plans/{plan.id}/shares/{share['id']}").status_code == 200
    elif end == "plan deleted":
        assert owner.delete(f"/api/v1/plans/{plan.id}").status_code in (200, 204)
    else:
        assert owner.delete("/api/v1/me", json={"password": PASSWORD}).status_code in (200, 204)
    ended = link_worker.get(url)
    assert ended.status_code in (404, 410), ended.text
    assert plan.leaked(ended.text, set()) == []
    assert link_worker.get("/api/v1/shared-with-me").json()["shares"] == []


def test_the_access_log_survives_the_grantees_account_and_goes_with_the_owners(
    owner, link_worker, read_twice, make_account
):
    plan, _share, _url = read_twice
    assert link_worker.delete("/api/v1/me", json={"password": PASSWORD}).status_code in (200, 204)
    reads = [e for e in access_log(owner, plan.id) if e["event"] == "viewed_plan"]
    assert len(reads) == 2 and all(e["who"]["display_name"] == "Jo Link" for e in reads)
    assert owner.delete("/api/v1/me", json={"password": PASSWORD}).status_code in (200, 204)
    newcomer = make_account("Sam")
    assert newcomer.get(f"/api/v1/plans/{plan.id}/access-log").status_code == 404


# ---- limits -------------------------------------------------------------------------------


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={"login_max_failures": 5, "login_max_failures_per_address": 7}
    )


def test_parallel_guesses_at_two_emails_from_one_address_check_only_the_address_limit(
    client, owner, stranger
):
    emails = (owner.email, stranger.email)
    statuses = all_at_once(lambda n: try_password(client, emails[n % 2], WRONG))
    assert statuses == {401: 7, 429: AT_ONCE - 7}


def test_parallel_guesses_across_the_window_boundary_check_at_most_twice_the_limit(
    app, client, owner, move_clock
):
    with TestClient(app, client=("198.51.100.7", 1)) as elsewhere:
        assert try_password(elsewhere, "someone@example.org", WRONG) == 401
        window = timedelta(minutes=app.state.settings.login_window_minutes)
        move_clock(window - timedelta(minutes=1))
        before = all_at_once(lambda n: try_password(elsewhere, f"a.{n}@example.org", WRONG))
        move_clock(timedelta(minutes=1, seconds=1))
        after = all_at_once(lambda n: try_password(elsewhere, f"b.{n}@example.org", WRONG))
    assert before[401] == 6 and after[401] == 7


def test_the_password_change_is_no_oracle_once_the_email_is_locked(client, owner):
    change = {"new_password": "a brand new passphrase"}
    for _ in range(5):
        wrong = owner.post("/api/v1/me/password", json=change | {"current_password": WRONG})
        assert wrong.status_code == 403
    right = owner.post("/api/v1/me/password", json=change | {"current_password": PASSWORD})
    wrong = owner.post("/api/v1/me/password", json=change | {"current_password": WRONG})
    assert right.status_code == wrong.status_code == 429
    assert right.json()["detail"] == wrong.json()["detail"]
    assert try_password(client, owner.email, "a brand new passphrase") == 429


def test_the_same_password_as_new_is_no_oracle_without_a_counted_attempt(client, owner):
    for _ in range(5):
        guess = owner.post(
            "/api/v1/me/password", json={"current_password": WRONG, "new_password": WRONG}
        )
        assert guess.status_code == 403
    right = owner.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": PASSWORD}
    )
    assert right.status_code == 429


def test_another_accounts_devices_cannot_be_read_or_ended(client, owner, stranger):
    theirs = stranger.get("/api/v1/me/devices").json()
    assert owner.get("/api/v1/me/devices").json()[0]["id"] not in {d["id"] for d in theirs}
    for device in theirs:
        assert owner.delete(f"/api/v1/me/devices/{device['id']}").status_code == 404
    assert stranger.get("/api/v1/me").status_code == 200


# ---- tokens after a sign-in ends ---------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _reads(client, token: str, plan_id: str, share_id: str) -> dict[str, int]:
    paths = (
        "/api/v1/me",
        f"/api/v1/plans/{plan_id}",
        "/api/v1/shared-with-me",
        f"/api/v1/shared-with-me/{share_id}",
        "/api/v1/export",
    )
    return {path: client.get(path, headers=_bearer(token)).status_code for path in paths}


@pytest.mark.parametrize("ending", ["password changed", "signed out everywhere", "account deleted"])
def test_old_tokens_stop_at_once(client, owner, link_worker, make_account, ending):
    plan = make_marked_plan(owner, keys={"crisis"})
    share = share_with(owner, plan.id, link_worker, ["crisis"])
    other = client.post(
        "/api/v1/auth/token", data={"username": link_worker.email, "password": PASSWORD}
    ).json()
    # Each read once, so a grantee read is remembered for the old token's sign-in.
    assert set(_reads(client, other["access_token"], plan.id, share["id"]).values()) <= {200, 404}
    if ending == "password changed":
        changed = link_worker.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        )
        assert changed.status_code == 204
    elif ending == "signed out everywhere":
        assert link_worker.post("/api/v1/me/sign-out-everywhere").status_code == 204
    else:
        assert link_worker.delete("/api/v1/me", json={"password": PASSWORD}).status_code in (
            200,
            204,
        )
    statuses = _reads(client, other["access_token"], plan.id, share["id"])
    assert set(statuses.values()) == {401}, statuses
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert refreshed.status_code == 401
    if ending != "account deleted":
        assert link_worker.get("/api/v1/me").status_code == (
            200 if ending == "password changed" else 401
        )


# ---- restoring an earlier version -------------------------------------------------------


def test_restoring_an_earlier_version_keeps_hidden_sections_hidden(owner, link_worker):
    plan = make_marked_plan(owner, keys={"crisis", "triggers"})
    share = share_with(owner, plan.id, link_worker, ["crisis", "triggers"])
    before_hiding = owner.get(f"/api/v1/plans/{plan.id}").json()["version"]
    card = owner.post(f"/api/v1/plans/{plan.id}/crisis-card", json={}).json()
    for key in ("triggers", "crisis"):
        hidden = owner.patch(f"/api/v1/plans/{plan.id}/sections/{key}", json={"hidden": True})
        assert hidden.status_code == 200
    url = f"/api/v1/shared-with-me/{share['id']}"
    assert plan.leaked(link_worker.get(url).text, set()) == []

    restored = owner.post(f"/api/v1/plans/{plan.id}/revisions/{before_hiding}/restore")
    assert restored.status_code == 200, restored.text
    hidden_now = {s["key"]: s["hidden"] for s in restored.json()["sections"]}
    assert hidden_now["triggers"] is hidden_now["crisis"] is True
    assert plan.markers["triggers"][1] in restored.text  # the words are back, for the owner
    read = link_worker.get(url)
    assert read.status_code == 200 and plan.leaked(read.text, set()) == []
    assert plan.leaked(link_worker.get("/api/v1/shared-with-me").text, set()) == []
    assert plan.leaked(owner.client.get(card["url"]).text, set()) == []


def test_restoring_an_earlier_version_brings_a_removed_section_back_hidden(owner, link_worker):
    plan_id = make_marked_plan(owner, keys=set()).id
    added = owner.post(
        f"/api/v1/plans/{plan_id}/sections", json={"title": "Money worries", "description": ""}
    )
    assert added.status_code == 201, added.text
    key = added.json()["key"]
    words = "Owes money to DEBT-MARKER-5e1a"
    entry = owner.post(f"/api/v1/plans/{plan_id}/sections/{key}/entries", json={"text": words})
    assert entry.status_code == 201, entry.text
    share = share_with(owner, plan_id, link_worker, [key])
    url = f"/api/v1/shared-with-me/{share['id']}"
    assert words in link_worker.get(url).text
    with_section = entry.json()["plan_version"]
    assert owner.delete(f"/api/v1/plans/{plan_id}/sections/{key}").status_code == 204
    assert words not in link_worker.get(url).text

    restored = owner.post(f"/api/v1/plans/{plan_id}/revisions/{with_section}/restore")
    assert restored.status_code == 200, restored.text
    back = next(s for s in restored.json()["sections"] if s["key"] == key)
    assert back["hidden"] is True and back["entries"][0]["text"] == words
    assert words not in link_worker.get(url).text
    assert "Money worries" not in link_worker.get("/api/v1/shared-with-me").text


def test_a_sign_in_with_the_old_password_in_flight_during_a_change_gets_no_sign_in(
    client, owner, monkeypatch
):
    """The race: someone who knows the old password signs in just as the person changes it.
    Their password is checked before the change and their sign-in would start after the
    change ended every other sign-in, so it would outlive the change. The real check runs;
    the first one is only held until the change is done."""
    from app.accounts import service

    checked, go_on = threading.Event(), threading.Event()
    real_verify = service.verify_password

    def held_once(password_hash, password):
        verified = real_verify(password_hash, password)
        if not checked.is_set():
            checked.set()
            assert go_on.wait(30)
        return verified

    monkeypatch.setattr(service, "verify_password", held_once)
    with ThreadPoolExecutor(1) as pool:
        intruder = pool.submit(
            client.post,
            "/api/v1/auth/token",
            data={"username": owner.email, "password": PASSWORD},
        )
        assert checked.wait(30)
        changed = owner.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        )
        go_on.set()
        answer = intruder.result(30)
    assert changed.status_code == 204
    assert answer.status_code == 401, answer.text
    assert (
        answer.json()["detail"]
        == client.post(
            "/api/v1/auth/token", data={"username": owner.email, "password": WRONG}
        ).json()["detail"]
    )
    assert len(owner.get("/api/v1/me/devices").json()) == 1


# ---- the sharing switch against a share or card being made ------------------------------


@pytest.mark.parametrize("making", ["share", "crisis card"])
def test_a_share_or_card_made_as_sharing_is_switched_off_does_not_outlive_the_switch(
    owner, green_book, monkeypatch, making
):
    """The race: a share (or card) is checked against the switch while sharing is on, and
    written after the switch has ended every share. The real check runs; the first one is
    only held until the switch has had its chance to finish."""
    from app.sharing import service

    checked, go_on = threading.Event(), threading.Event()
    real_check = service.check_end_date

    def held_once(expires_at):
        real_check(expires_at)
        if not checked.is_set():
            checked.set()
            assert go_on.wait(30)

    monkeypatch.setattr(service, "check_end_date", held_once)
    plan_url = f"/api/v1/plans/{green_book['id']}"
    with ThreadPoolExecutor(2) as pool:
        if making == "share":
            body = {"sections": ["crisis"], "permission": "view", "label": "carer"}
            made = pool.submit(owner.post, f"{plan_url}/shares", json=body)
        else:
            made = pool.submit(owner.post, f"{plan_url}/crisis-card", json={})
        assert checked.wait(30)
        switched = pool.submit(owner.put, "/api/v1/me/sharing", json={"enabled": False})
        with contextlib.suppress(TimeoutError):
            switched.result(5)  # on a fixed app it waits for the share or card being made
        go_on.set()
        made, switched = made.result(30), switched.result(30)
    assert switched.status_code == 200, switched.text
    assert made.status_code in (201, 409), made.text
    assert owner.put("/api/v1/me/sharing", json={"enabled": True}).status_code == 200

    if making == "share":
        statuses = [s["status"] for s in owner.get(f"{plan_url}/shares").json()]
        assert "waiting" not in statuses and "active" not in statuses, statuses
    else:
        assert owner.get(f"{plan_url}/crisis-card").json()["status"] != "active"
        if made.status_code == 201:
            assert owner.client.get(made.json()["url"]).status_code == 410
