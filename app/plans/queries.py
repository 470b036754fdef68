"""The plan read model: the owner's hottest reads, and the pieces a grantee's read shares
with them, over the driver layer (app/core/driver.py) and the plan caches
(app/core/caches.py). Everything here reads; the rules for changing a plan are in
`service`.

The plan read and the plan list are the requests every device makes most, so each is one
query of plain columns (the sign-in check included, no objects loaded), built once, and the
sections are spliced into the answer as JSON text: building a statement, loading objects
and re-encoding the sections would each cost more than the database's own work."""

import uuid
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, User
from app.accounts.service import LIVE_SESSION, sign_in_required, signed_in_claims
from app.core.config import Settings
from app.core.db import retried_on_stale_connection
from app.core.driver import AwaitedDriver, DriverRead
from app.plans import storage
from app.plans.draft import keep_entry_read_with_plan
from app.plans.models import Plan, PlanEntry
from app.plans.service import check_owned_and_live, document_json, etag, plan_summary

# What `plan_summary` reads of a plan, as plain columns, for reads that load no objects.
PLAN_SUMMARY_COLUMNS = (
    Plan.id,
    Plan.owner_id,
    Plan.generation,
    Plan.title,
    Plan.template,
    Plan.version,
    Plan.archived_at,
    Plan.created_at,
    Plan.updated_at,
    Plan.deleted_at,
)


# The sign-in check and the owner's plan in one query, built once: the live session's
# user, with their plan of this id (NULLs when they have none).
_USER_AND_PLAN = (
    select(User, Plan)
    .join(AuthSession, AuthSession.user_id == User.id)
    .outerjoin(Plan, and_(Plan.owner_id == bindparam("user_id"), Plan.id == bindparam("plan_id")))
    .where(LIVE_SESSION)
)
# The same with one entry of the plan, for the routes that change one.
_USER_PLAN_AND_ENTRY = _USER_AND_PLAN.add_columns(PlanEntry.content).outerjoin(
    PlanEntry,
    and_(
        PlanEntry.owner_id == bindparam("user_id"),
        PlanEntry.plan_id == Plan.id,
        PlanEntry.section_key == bindparam("section_key"),
        PlanEntry.id == bindparam("entry_id"),
    ),
)


def signed_in_owners_plan(
    session: Session,
    token: str | None,
    plan_id: uuid.UUID,
    settings: Settings,
    entry: tuple[str, uuid.UUID] | None = None,
) -> tuple[User, uuid.UUID, Plan]:
    """The signed-in user behind `token`, their session id and their plan (a 401 without
    a live sign-in, then the 404s of `get_owned_plan`), in one round trip; with the `entry`
    (section key, entry id) a change is about to read, read in that same round trip."""
    user_id, session_id = signed_in_claims(token, settings)
    values = {"user_id": user_id, "session_id": session_id, "plan_id": plan_id}
    if entry is None:
        found = session.execute(_USER_AND_PLAN, values).first()
    else:
        key, entry_id = entry
        values |= {"section_key": key, "entry_id": entry_id}
        found = session.execute(_USER_PLAN_AND_ENTRY, values).first()
    if found is None:
        raise sign_in_required()
    user, plan = found[0], found[1]
    check_owned_and_live(plan, user.id)
    if entry is not None:
        keep_entry_read_with_plan(session, plan, entry[0], str(entry[1]), found[2])
    return user, session_id, plan


def _live_session_and_plans(which_plans):
    """The signed-in check and the caller's plans matching `which_plans`, in one query of
    plain columns rather than Plan objects: a live session with no such plan is one row
    of NULLs, a session that is not live no row at all."""
    return (
        select(*PLAN_SUMMARY_COLUMNS)
        .select_from(AuthSession)
        .outerjoin(Plan, and_(Plan.owner_id == bindparam("user_id"), which_plans))
        .where(LIVE_SESSION)
    )


_LIVE_SESSION_AND_PLAN = DriverRead(_live_session_and_plans(Plan.id == bindparam("plan_id")))
_LIVE_SESSION_AND_PLANS = {
    deleted: _live_session_and_plans(
        Plan.deleted_at.is_not(None) if deleted else Plan.deleted_at.is_(None)
    ).order_by(Plan.updated_at.desc())
    for deleted in (False, True)
}


async def read_owned_plan_json(
    database: AwaitedDriver, token: str | None, plan_id: uuid.UUID, settings: Settings
) -> tuple[str, str]:
    """The plan as the JSON document (and its ETag), for its owner holding `token`: one
    query awaited on the driver, then the sections from memory, or from a version kept
    before and the changes since, or from the version's rows."""
    user_id, session_id = signed_in_claims(token, settings)
    sections_json = None
    while sections_json is None:  # again only if the plan changed between the two reads
        plan = await database.first(
            _LIVE_SESSION_AND_PLAN,
            {"user_id": user_id, "session_id": session_id, "plan_id": plan_id},
        )
        if plan is None:
            raise sign_in_required()
        check_owned_and_live(plan if plan.id else None, user_id)
        sections_json = storage.cached_sections_json(plan)
        if sections_json is None and (before := storage.kept_version_before(plan)):
            changes = await database.all(
                storage.CHANGES_SINCE, storage.changes_values(plan, before)
            )
            sections_json = storage.kept_sections_json_from_changes(plan, before, changes)
        if sections_json is None:
            values = storage.version_values(plan)
            outline = await database.first(storage.OUTLINE_AT_VERSION, values)
            entries = await database.all(storage.ENTRIES_AT_VERSION, values) if outline else []
            sections_json = storage.kept_sections_json(plan, outline, entries)
    summary = plan_summary(plan, settings.deleted_plan_retention_days)
    return document_json(summary, sections_json), etag(plan)


@retried_on_stale_connection
def list_owned_plans(
    engine: Engine, token: str | None, deleted: bool, settings: Settings
) -> list[dict[str, Any]]:
    """The plans of the owner holding `token`, as summaries, in one query."""
    user_id, session_id = signed_in_claims(token, settings)
    with engine.connect() as connection:
        rows = connection.execute(
            _LIVE_SESSION_AND_PLANS[deleted], {"user_id": user_id, "session_id": session_id}
        ).all()
    if not rows:
        raise sign_in_required()
    retention_days = settings.deleted_plan_retention_days
    return [plan_summary(row, retention_days) for row in rows if row.id is not None]
