"""What changed since a device's last sync. Its cursor lists the version (and archived
mark) of every plan the device holds. Comparing it with the plans as they are now can't
miss a change the way a timestamp can (clocks and commits don't always agree on order),
and tells the device which plans to drop."""

import base64
import binascii
import uuid

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.accounts.models import User
from app.core.driver import DriverRead, read_all_in
from app.core.errors import Problem
from app.core.json_text import JSONText
from app.plans import service as plans
from app.plans.models import Plan

CURSOR_FORMAT = "1."
BAD_CURSOR = (
    "This cursor was not made by this app. Send the cursor from your last sync, "
    "or leave it out to get all your plans again."
)


def _plan_state(version: int, archived: bool) -> str:
    return f"{version}a" if archived else str(version)


def _state_of(plan: Plan) -> str:
    return _plan_state(plan.version, plan.archived_at is not None)


def encode_cursor(states: dict[str, str]) -> str:
    raw = ",".join(f"{plan_id}:{state}" for plan_id, state in sorted(states.items()))
    return CURSOR_FORMAT + base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    if not cursor.startswith(CURSOR_FORMAT):
        raise Problem(422, BAD_CURSOR)
    try:
        raw = base64.b64decode(
            cursor.removeprefix(CURSOR_FORMAT), altchars=b"-_", validate=True
        ).decode()
        pairs = [item.split(":") for item in raw.split(",")] if raw else []
        states = {uuid.UUID(hex=plan_id).hex: state for plan_id, state in pairs}
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Problem(422, BAD_CURSOR) from None
    if not all(state.removesuffix("a").isdigit() for state in states.values()):
        raise Problem(422, BAD_CURSOR)
    return states


# Built once and compiled once for the driver (app/core/driver.py): every sync reads it.
_LIVE_PLAN_STATES = DriverRead(
    select(Plan.id, Plan.version, Plan.archived_at).where(
        Plan.owner_id == bindparam("owner_id"), Plan.deleted_at.is_(None)
    )
)


def changes_since(
    session: Session,
    user: User,
    cursor: str | None,
    retention_days: int,
    written: dict[uuid.UUID, Plan],
) -> tuple[list[JSONText], list[str], str]:
    """The plans that differ from the device's copy, the ones it should drop, and the cursor
    describing the device's copy once it has taken them. A plan this request wrote is not
    read again while it is still as written: every change to a plan moves its version, and
    archiving it is in the state compared."""
    held = decode_cursor(cursor)
    rows = read_all_in(session, _LIVE_PLAN_STATES, {"owner_id": user.id})
    now = {
        plan_id.hex: _plan_state(version, archived is not None)
        for plan_id, version, archived in rows
    }
    differing = [
        uuid.UUID(hex=plan_id) for plan_id, state in now.items() if held.get(plan_id) != state
    ]
    changed = [
        written[plan_id]
        for plan_id in differing
        if plan_id in written and _state_of(written[plan_id]) == now[plan_id.hex]
    ]
    as_written = {plan.id for plan in changed}
    unread = [plan_id for plan_id in differing if plan_id not in as_written]
    if unread:
        changed += session.execute(
            select(Plan).where(
                Plan.id.in_(unread), Plan.owner_id == user.id, Plan.deleted_at.is_(None)
            )
        ).scalars()
    changed.sort(key=lambda plan: plan.updated_at, reverse=True)
    sent = {plan.id.hex for plan in changed}
    for plan_id in differing:
        if plan_id.hex not in sent:
            # Deleted between the two reads: describe what the device still holds, so the
            # next sync tells it to drop that (or sends it again if it is restored).
            now.pop(plan_id.hex)
            if plan_id.hex in held:
                now[plan_id.hex] = held[plan_id.hex]
    # Each document first: one that changed since it was listed is sent, and described, as
    # it is now.
    documents = [plans.plan_document_json(session, plan, retention_days) for plan in changed]
    for plan in changed:
        now[plan.id.hex] = _state_of(plan)
    removed = [str(uuid.UUID(hex=plan_id)) for plan_id in held if plan_id not in now]
    return documents, removed, encode_cursor(now)
