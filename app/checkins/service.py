"""Check-ins kept, shown back as they were, shared only if the person chose; goal progress
over time read from the plan's own history; reminders as calendar events."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.access_log.service import log_event
from app.accounts.models import User
from app.checkins.models import CheckIn, CheckInSettings
from app.checkins.schemas import CheckInsCreate
from app.core import clock
from app.core.errors import Problem
from app.plans import history
from app.plans.models import Plan, PlanRevision
from app.sharing.grants import grant_for
from app.sharing.models import Permission

# A device's clock may run a little fast; a check-in further ahead than this is a mistake.
_CLOCK_SLACK = timedelta(minutes=10)


def check_in_view(check_in: CheckIn) -> dict[str, Any]:
    return {
        "id": str(check_in.id),
        "state": check_in.state,
        "note": check_in.note,
        "at": clock.isoformat(check_in.at),
    }


def save_check_ins(session: Session, plan: Plan, body: CheckInsCreate) -> list[dict[str, Any]]:
    """Keeps each check-in not kept yet. One sent again (a retry, or with a note added)
    keeps its state and time and takes the note sent. All or nothing: a batch with one
    bad check-in keeps none."""
    latest = clock.utcnow() + _CLOCK_SLACK
    for index, sent in enumerate(body.check_ins):
        if sent.at.tzinfo is None:
            raise Problem(
                422,
                "Say which time zone a check-in's time is in, for example 2026-03-31T09:00:00Z.",
                where=f"check_ins.{index}.at",
            )
        if sent.at > latest:
            raise Problem(
                422,
                "A check-in's time can't be in the future. Check the clock on your device.",
                where=f"check_ins.{index}.at",
            )
    ids = list(dict.fromkeys(sent.id for sent in body.check_ins))
    kept = {
        row.id: row
        for row in session.execute(
            select(CheckIn).where(CheckIn.owner_id == plan.owner_id, CheckIn.id.in_(ids))
        ).scalars()
    }
    for sent in body.check_ins:
        if sent.id in kept:
            # A note the person wrote or changed after checking in comes as the same
            # check-in sent again; when and how they were stay as first kept.
            kept[sent.id].note = sent.note
            continue
        row = CheckIn(
            owner_id=plan.owner_id,
            id=sent.id,
            plan_id=plan.id,
            state=sent.state,
            note=sent.note,
            at=sent.at,
        )
        session.add(row)
        kept[sent.id] = row
    session.commit()
    return [check_in_view(kept[i]) for i in ids]


def _since(days: int) -> datetime:
    return clock.utcnow() - timedelta(days=days)


def _check_ins(session: Session, plan: Plan, days: int) -> list[CheckIn]:
    return list(
        session.execute(
            select(CheckIn)
            .where(
                CheckIn.owner_id == plan.owner_id,
                CheckIn.plan_id == plan.id,
                CheckIn.at >= _since(days),
            )
            .order_by(CheckIn.at, CheckIn.id)
        ).scalars()
    )


def settings_of(session: Session, plan: Plan) -> CheckInSettings:
    """The person's choices for this plan; until they make any, nothing is shared and no
    reminder is set."""
    found = session.get(CheckInSettings, plan.id)
    return found or CheckInSettings(plan_id=plan.id, owner_id=plan.owner_id)


def settings_view(settings: CheckInSettings) -> dict[str, Any]:
    return {
        "shared": settings.shared,
        "rhythm": settings.rhythm,
        "remind_at": settings.remind_at,
        "weekday": settings.weekday,
    }


def owners_check_ins(session: Session, plan: Plan, days: int) -> dict[str, Any]:
    return {
        "check_ins": [check_in_view(c) for c in _check_ins(session, plan, days)],
        "settings": settings_view(settings_of(session, plan)),
    }


def update_settings(session: Session, plan: Plan, fields: dict[str, Any]) -> dict[str, Any]:
    settings = settings_of(session, plan)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.updated_at = clock.utcnow()
    session.add(settings)
    session.commit()
    return settings_view(settings)


def shared_check_ins(
    session: Session, user: User, share_id: uuid.UUID, days: int
) -> dict[str, Any]:
    """What a grantee sees: nothing unless the person chose to share check-ins, and then
    only answers whose section (the part of the plan each answer opens) the share includes.
    A read that shows any is logged for the person, as every read of their plan."""
    grant = grant_for(session, user, share_id, Permission.view)
    if not settings_of(session, grant.plan).shared:
        return {"shared": False, "check_ins": []}
    shown = grant.shown()
    states = {s["today"] for s in shown if s.get("today")}
    check_ins = [c for c in _check_ins(session, grant.plan, days) if c.state in states]
    if check_ins:
        log_event(
            session,
            owner_id=grant.plan.owner_id,
            plan_id=grant.plan.id,
            event="viewed_check_ins",
            by=user,
            share_id=grant.share.id,
            sections=[s for s in shown if s.get("today") in {c.state for c in check_ins}],
            summary=f"{user.display_name} looked at your check-ins",
        )
        session.commit()
    return {"shared": True, "check_ins": [check_in_view(c) for c in check_ins]}


# ---- goal progress over time -----------------------------------------------------------


def _goal_progress(sections: list[dict[str, Any]]) -> dict[str, int | None]:
    return {
        entry["id"]: (entry.get("goal") or {}).get("progress")
        for section in sections
        if section["kind"] == "goals"
        for entry in section["entries"]
    }


def goal_progress(session: Session, plan: Plan, days: int) -> list[dict[str, Any]]:
    """Each goal of the plan now, with every change of its progress in the period, read
    from the plan's revisions: every change is one already, however it was made (in the
    app, offline through sync, by accepting a suggestion, by restoring a version), so
    there is no second record to keep in step."""
    since = _since(days)
    of_plan = (PlanRevision.owner_id == plan.owner_id, PlanRevision.plan_id == plan.id)
    before = session.execute(
        select(func.max(PlanRevision.number)).where(*of_plan, PlanRevision.created_at < since)
    ).scalar_one_or_none()
    dates = dict(
        session.execute(
            select(PlanRevision.number, PlanRevision.created_at).where(
                *of_plan, PlanRevision.created_at >= since
            )
        ).all()
    )
    points: dict[str, list[dict[str, Any]]] = {}
    last: dict[str, int | None] = {}
    first = before if before is not None else min(dates, default=plan.version + 1)
    for number, sections in history.bodies(session, plan, first, plan.version):
        progress_now = _goal_progress(sections)
        if number == before:
            for entry_id, progress in progress_now.items():
                last[entry_id] = progress
                if progress is not None:
                    points[entry_id] = [{"at": clock.isoformat(since), "progress": progress}]
            continue
        if number not in dates:  # an imported version dated before the period
            continue
        for entry_id, progress in progress_now.items():
            if last.get(entry_id) != progress:
                points.setdefault(entry_id, []).append(
                    {"at": clock.isoformat(dates[number]), "progress": progress}
                )
            last[entry_id] = progress
    return [
        {
            "entry_id": entry["id"],
            "goal": entry["text"],
            "review_date": (entry.get("goal") or {}).get("review_date"),
            "points": points.get(entry["id"], []),
        }
        for section in plan.sections
        if section["kind"] == "goals"
        for entry in section["entries"]
    ]
