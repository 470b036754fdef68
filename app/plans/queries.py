"""The plan read model: the owner's hottest reads, and the pieces a grantee's read shares
with them, over the driver layer (app/core/driver.py) and the plan caches
(app/core/caches.py). Everything here reads; the rules for changing a plan are in
`service`.

The plan read and the plan list are the requests every device makes most, so each is one
query of plain columns (the sign-in check included, no objects loaded), built once, and the
sections are spliced into the answer as JSON text: building a statement, loading objects
and re-encoding the sections would each cost more than the database's own work."""

import json
import uuid
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, select
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, User
from app.accounts.service import LIVE_SESSION, sign_in_required, signed_in_claims
from app.core import caches
from app.core.config import Settings
from app.core.db import retried_on_stale_connection
from app.core.driver import AwaitedDriver, DriverRead
from app.plans.document import assembled_from_rows
from app.plans.draft import keep_entry_read_with_plan
from app.plans.models import Plan, PlanEntry
from app.plans.service import check_owned_and_live, etag, plan_summary

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


# By generation and version too: the plan may have changed since its summary was read, and
# a version's sections are kept under that version of that row (caches.SECTIONS_JSON).
# Each statement reads as of one moment, and every change moves the version, so an outline
# and entries both read at one version belong together.
_AT_VERSION = and_(
    Plan.owner_id == bindparam("owner_id"),
    Plan.id == bindparam("plan_id"),
    Plan.generation == bindparam("generation"),
    Plan.version == bindparam("version"),
)
_OUTLINE_READ = DriverRead(select(Plan.outline).where(_AT_VERSION))
# No row once the plan has moved on; one row of NULLs for a plan with no entries.
_ENTRIES_READ = DriverRead(
    select(PlanEntry.section_key, PlanEntry.content)
    .select_from(Plan)
    .outerjoin(PlanEntry, and_(PlanEntry.owner_id == Plan.owner_id, PlanEntry.plan_id == Plan.id))
    .where(_AT_VERSION)
    .order_by(PlanEntry.section_key, PlanEntry.position)
)


async def read_owned_plan_json(
    database: AwaitedDriver, token: str | None, plan_id: uuid.UUID, settings: Settings
) -> tuple[str, str]:
    """The plan as the JSON document (and its ETag), for its owner holding `token`: one
    query awaited on the driver, then the sections from memory or a second query."""
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
        sections_json = caches.SECTIONS_JSON.get(_sections_key(plan))
        if sections_json is None:
            values = _sections_json_values(plan)
            outline = await database.first(_OUTLINE_READ, values)
            entries = await database.all(_ENTRIES_READ, values) if outline else []
            sections_json = _kept_sections_json(plan, outline, entries)
    summary = plan_summary(plan, settings.deleted_plan_retention_days)
    return with_sections_json(summary, sections_json), etag(plan)


def sections_json_of(connection: Connection | Session, plan: Row) -> str | None:
    """The sections of the plan version in `plan` (its id, owner_id, generation and
    version) as JSON text; None once the plan has moved on from that version."""
    return sections_json_at(connection, plan.owner_id, plan.id, plan.generation, plan.version)


def sections_json_at(
    connection: Connection | Session,
    owner_id: uuid.UUID,
    plan_id: uuid.UUID,
    generation: uuid.UUID,
    version: int,
) -> str | None:
    plan = _PlanVersion(owner_id, plan_id, generation, version)
    if (kept := caches.SECTIONS_JSON.get(_sections_key(plan))) is not None:
        return kept
    values = _sections_json_values(plan)
    outline = connection.execute(_OUTLINE_READ.select, values).first()
    entries = connection.execute(_ENTRIES_READ.select, values).all() if outline else []
    return _kept_sections_json(plan, outline, entries)


def current_sections_json(
    connection: Connection | Session, owner_id: uuid.UUID, plan_id: uuid.UUID
) -> str:
    """The plan's sections as they are now, as JSON text."""
    while True:  # again only if the plan changed between the two reads
        generation, version = connection.execute(
            select(Plan.generation, Plan.version).where(
                Plan.owner_id == owner_id, Plan.id == plan_id
            )
        ).one()
        found = sections_json_at(connection, owner_id, plan_id, generation, version)
        if found is not None:
            return found


class _PlanVersion(NamedTuple):
    owner_id: uuid.UUID
    id: uuid.UUID
    generation: uuid.UUID
    version: int


def _sections_json_values(plan: Row) -> dict[str, Any]:
    return {
        "owner_id": plan.owner_id,
        "plan_id": plan.id,
        "generation": plan.generation,
        "version": plan.version,
    }


def _sections_key(plan: Row) -> tuple:
    return (plan.owner_id, plan.id, plan.generation, plan.version)


def _kept_sections_json(plan: Row, outline: Row | None, entries: list[Row]) -> str | None:
    if outline is None or not entries:
        return None
    sections = assembled_from_rows(outline.outline, entries)
    sections_json = json.dumps(sections, ensure_ascii=False)
    return caches.SECTIONS_JSON.put(
        _sections_key(plan), sections_json, owner_id=plan.owner_id, plan_id=plan.id
    )


def with_sections_json(document: dict[str, Any], sections_json: str) -> str:
    """The document as JSON with `sections` spliced in as given, already encoded."""
    encoded = json.dumps(document, ensure_ascii=False)
    return f'{encoded[:-1]}, "sections": {sections_json}}}'


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
