"""Check-ins kept, read back, shared only when the person chooses; goal progress over time;
reminders as calendar events."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import text

from app.accounts.models import Role
from app.core import clock
from tests.helpers.plans import random_uuid


def _at(minutes_ago: int = 0) -> str:
    return clock.isoformat(clock.utcnow() - timedelta(minutes=minutes_ago))


def _check_in(state: str = "well", note: str = "", minutes_ago: int = 0) -> dict:
    return {"id": random_uuid(), "state": state, "note": note, "at": _at(minutes_ago)}


def _keep(account, plan_id: str, *check_ins: dict):
    return account.post(f"/api/v1/plans/{plan_id}/check-ins", json={"check_ins": list(check_ins)})


def _kept(account, plan_id: str, **params) -> list[dict]:
    response = account.get(f"/api/v1/plans/{plan_id}/check-ins", params=params)
    assert response.status_code == 200, response.text
    return response.json()["check_ins"]


def _share(owner, plan_id: str, grantee, sections, **extra) -> str:
    body = {"sections": sections, "permission": "view", "label": "link_worker"} | extra
    made = owner.post(f"/api/v1/plans/{plan_id}/shares", json=body)
    assert made.status_code == 201, made.text
    accepted = grantee.post("/api/v1/shares/accept", json={"code": made.json()["invite_code"]})
    assert accepted.status_code == 200, accepted.text
    return made.json()["id"]


def test_check_ins_are_kept_with_their_notes_and_read_back_oldest_first(owner, green_book, app):
    plan_id = green_book["id"]
    earlier = _check_in("triggered", "A walk by the river helped", minutes_ago=60)
    later = _check_in("well")
    response = _keep(owner, plan_id, later, earlier)
    assert response.status_code == 200, response.text
    assert [c["id"] for c in response.json()] == [later["id"], earlier["id"]]
    kept = _kept(owner, plan_id)
    assert [(c["id"], c["state"], c["note"]) for c in kept] == [
        (earlier["id"], "triggered", "A walk by the river helped"),
        (later["id"], "well", ""),
    ]
    with app.state.engine.connect() as connection:
        stored = connection.execute(text("SELECT note FROM check_in")).scalars().all()
    assert all(note.startswith("v1.") for note in stored)
    assert not any("river" in note for note in stored)


def test_sending_a_check_in_again_keeps_one_copy_with_the_note_sent_last(owner, green_book):
    plan_id = green_book["id"]
    first = _check_in("early_warning_signs", "", minutes_ago=5)
    assert _keep(owner, plan_id, first).status_code == 200
    noted = first | {"note": "Sleeping badly", "state": "well", "at": _at()}
    again = _keep(owner, plan_id, noted, noted)
    assert again.status_code == 200
    [kept] = _kept(owner, plan_id)
    assert (kept["state"], kept["note"]) == ("early_warning_signs", "Sleeping badly")
    assert kept["at"] == first["at"]


def test_only_the_period_asked_for_is_read(owner, green_book, move_clock):
    plan_id = green_book["id"]
    _keep(owner, plan_id, _check_in("crisis"))
    move_clock(timedelta(days=40))
    owner.sign_in_again()
    _keep(owner, plan_id, _check_in("well"))
    assert [c["state"] for c in _kept(owner, plan_id, days=30)] == ["well"]
    assert [c["state"] for c in _kept(owner, plan_id, days=90)] == ["crisis", "well"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"state": "fine"}, "state"),
        ({"at": "2026-03-31T09:00:00"}, "time zone"),
        ({"note": "x" * 10_001}, "note"),
        ({"at": "later"}, "date and time"),
        ({"mood": 3}, "mood"),
    ],
)
def test_a_bad_check_in_is_refused_and_keeps_nothing(owner, green_book, change, words):
    plan_id = green_book["id"]
    good = _check_in("well")
    response = _keep(owner, plan_id, good, _check_in("well") | change)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.text
    assert _kept(owner, plan_id) == []


def test_a_check_in_in_the_future_is_refused(owner, green_book):
    tomorrow = clock.isoformat(clock.utcnow() + timedelta(days=1))
    response = _keep(owner, green_book["id"], _check_in() | {"at": tomorrow})
    assert response.status_code == 422
    assert "future" in response.json()["detail"]
    assert (
        owner.post(
            f"/api/v1/plans/{green_book['id']}/check-ins", json={"check_ins": []}
        ).status_code
        == 422
    )
    assert _kept(owner, green_book["id"]) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "check-ins"),
        ("GET", "check-ins"),
        ("PATCH", "check-in-settings"),
        ("GET", "goal-progress"),
        ("GET", "reminders.ics"),
    ],
)
def test_only_the_owner_reaches_a_plans_check_ins(
    owner, green_book, stranger, make_account, method, path
):
    plan_id = green_book["id"]
    _keep(owner, plan_id, _check_in("triggered", "Private words"))
    owner.patch(f"/api/v1/plans/{plan_id}/check-in-settings", json={"shared": True})
    grantee = make_account("Jo Link", Role.link_worker)
    _share(owner, plan_id, grantee, ["triggers", "crisis"])
    body = {
        "POST": {"json": {"check_ins": [_check_in("well")]}},
        "PATCH": {"json": {"rhythm": "daily"}},
    }.get(method, {})
    url = f"/api/v1/plans/{plan_id}/{path}"
    for caller in (stranger, grantee):
        refused = caller.request(method, url, **body)
        assert refused.status_code == 404, refused.text
        assert "Private words" not in refused.text
    assert owner.client.request(method, url, **body).status_code == 401
    assert owner.request(method, url, **body).status_code == 200
    assert [c["state"] for c in _kept(owner, plan_id)] == (
        ["triggered", "well"] if method == "POST" else ["triggered"]
    )


def test_check_ins_are_shared_only_when_chosen_and_only_within_a_shares_sections(
    owner, green_book, make_account, stranger, move_clock
):
    plan_id = green_book["id"]
    _keep(
        owner,
        plan_id,
        _check_in("well", "Saw my sister", minutes_ago=30),
        _check_in("triggered", "Crowded bus", minutes_ago=20),
        _check_in("crisis", "Called the crisis line", minutes_ago=10),
    )
    in_scope = make_account("Jo Link", Role.link_worker)
    out_of_scope = make_account("Kim Goals", Role.link_worker)
    revoked = make_account("Ren Gone", Role.link_worker)
    expiring = make_account("Eli Soon", Role.link_worker)
    shares = {
        "in_scope": _share(owner, plan_id, in_scope, ["triggers", "crisis"]),
        "out_of_scope": _share(owner, plan_id, out_of_scope, ["goals"]),
        "revoked": _share(owner, plan_id, revoked, ["triggers", "crisis"]),
        "expiring": _share(
            owner,
            plan_id,
            expiring,
            ["triggers", "crisis"],
            expires_at=clock.isoformat(clock.utcnow() + timedelta(hours=1)),
        ),
    }

    def shared(account, name):
        return account.get(f"/api/v1/shared-with-me/{shares[name]}/check-ins")

    not_chosen = shared(in_scope, "in_scope")
    assert not_chosen.status_code == 200
    assert not_chosen.json() == {"shared": False, "check_ins": []}

    chosen = owner.patch(f"/api/v1/plans/{plan_id}/check-in-settings", json={"shared": True})
    assert chosen.status_code == 200 and chosen.json()["shared"] is True
    seen = shared(in_scope, "in_scope").json()
    assert seen["shared"] is True
    assert [(c["state"], c["note"]) for c in seen["check_ins"]] == [
        ("triggered", "Crowded bus"),
        ("crisis", "Called the crisis line"),
    ]
    assert "Saw my sister" not in shared(in_scope, "in_scope").text
    assert shared(out_of_scope, "out_of_scope").json() == {"shared": True, "check_ins": []}
    assert owner.delete(f"/api/v1/plans/{plan_id}/shares/{shares['revoked']}").is_success
    assert shared(revoked, "revoked").status_code == 410
    assert shared(stranger, "in_scope").status_code == 404
    assert (
        owner.client.get(f"/api/v1/shared-with-me/{shares['in_scope']}/check-ins").status_code
        == 401
    )
    move_clock(timedelta(hours=2))
    expiring.sign_in_again()
    gone = shared(expiring, "expiring")
    assert gone.status_code == 410 and "Crowded bus" not in gone.text

    owner.sign_in_again()
    log = owner.get(f"/api/v1/plans/{plan_id}/access-log").json()["entries"]
    reads = [line for line in log if line["event"] == "viewed_check_ins"]
    assert len(reads) == 2  # the two reads that showed check-ins; none for empty answers
    assert reads[0]["summary"] == "Jo Link looked at your check-ins"

    stopped = owner.patch(f"/api/v1/plans/{plan_id}/check-in-settings", json={"shared": False})
    assert stopped.json()["shared"] is False
    in_scope.sign_in_again()
    assert shared(in_scope, "in_scope").json() == {"shared": False, "check_ins": []}


def test_settings_are_checked_and_a_bad_change_changes_nothing(owner, green_book):
    url = f"/api/v1/plans/{green_book['id']}/check-in-settings"
    defaults = owner.get(f"/api/v1/plans/{green_book['id']}/check-ins").json()["settings"]
    assert defaults == {"shared": False, "rhythm": "none", "remind_at": "19:00", "weekday": 0}
    for bad in ({}, {"rhythm": "hourly"}, {"remind_at": "25:00"}, {"weekday": 7}, {"shared": None}):
        response = owner.patch(url, json=bad)
        assert response.status_code == 422, bad
        assert response.json()["detail"]
    after = owner.get(f"/api/v1/plans/{green_book['id']}/check-ins").json()["settings"]
    assert after == defaults


def _add_goal(owner, plan_id, text, progress):
    response = owner.post(
        f"/api/v1/plans/{plan_id}/sections/goals/entries",
        json={"text": text, "goal": {"progress": progress, "review_date": "2027-03-01"}},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _set_progress(owner, plan_id, entry_id, progress):
    response = owner.patch(
        f"/api/v1/plans/{plan_id}/sections/goals/entries/{entry_id}",
        json={"goal": {"progress": progress, "review_date": "2027-03-01"}},
    )
    assert response.status_code == 200, response.text


def test_goal_progress_over_time_comes_from_the_plans_history(owner, green_book, move_clock):
    plan_id = green_book["id"]
    walking = _add_goal(owner, plan_id, "Walk to the park", -1)
    move_clock(timedelta(days=50))
    owner.sign_in_again()
    _set_progress(owner, plan_id, walking, 0)
    owner.patch(
        f"/api/v1/plans/{plan_id}/sections/goals/entries/{walking}",
        json={"text": "Walk to the park and back"},
    )  # words changed, progress not: no new point
    _set_progress(owner, plan_id, walking, 2)
    reading = _add_goal(owner, plan_id, "Read a chapter a week", None)

    goals = owner.get(f"/api/v1/plans/{plan_id}/goal-progress", params={"days": 30}).json()
    assert [g["goal"] for g in goals] == ["Walk to the park and back", "Read a chapter a week"]
    assert [p["progress"] for p in goals[0]["points"]] == [-1, 0, 2]  # from where it stood
    assert goals[0]["review_date"] == "2027-03-01"
    assert goals[1]["points"] == []
    whole = owner.get(f"/api/v1/plans/{plan_id}/goal-progress", params={"days": 90}).json()
    assert [p["progress"] for p in whole[0]["points"]] == [-1, 0, 2]
    times = [datetime.fromisoformat(p["at"]) for p in whole[0]["points"]]
    assert times == sorted(times) and times[1] - times[0] >= timedelta(days=49)
    assert reading == goals[1]["entry_id"]
    assert (
        owner.get(f"/api/v1/plans/{plan_id}/goal-progress", params={"days": 0}).status_code == 422
    )


def test_reminders_are_calendar_events_with_alarms_and_without_the_persons_words(owner, green_book):
    plan_id = green_book["id"]
    _add_goal(owner, plan_id, "Swim on Fridays with Dana", 0)
    chosen = owner.patch(
        f"/api/v1/plans/{plan_id}/check-in-settings",
        json={"rhythm": "weekly", "weekday": 4, "remind_at": "08:30"},
    )
    assert chosen.status_code == 200, chosen.text
    response = owner.get(f"/api/v1/plans/{plan_id}/reminders.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    assert "Swim" not in response.text and "Dana" not in response.text
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    check_in = events["How are you today?"]
    rule = check_in["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["FR"]
    start = check_in.decoded("dtstart")
    assert start.tzinfo is None and (start.hour, start.minute) == (8, 30)
    assert start.weekday() == 4
    review = events["Look at a goal in my plan again"]
    assert review.decoded("dtstart") == date(2027, 3, 1)
    for event in events.values():
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and str(alarms[0]["action"]) == "DISPLAY"
    again = Calendar.from_ical(owner.get(f"/api/v1/plans/{plan_id}/reminders.ics").content)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {
        str(e["uid"]) for e in calendar.walk("VEVENT")
    }


def test_no_rhythm_chosen_means_no_check_in_event(owner, green_book):
    response = owner.get(f"/api/v1/plans/{green_book['id']}/reminders.ics")
    assert response.status_code == 200
    assert Calendar.from_ical(response.content).walk("VEVENT") == []


def test_times_are_kept_in_utc(owner, green_book):
    sent = _check_in("well") | {"at": "2026-06-01T10:00:00+02:00"}
    kept = _keep(owner, green_book["id"], sent).json()[0]
    assert datetime.fromisoformat(kept["at"]) == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
