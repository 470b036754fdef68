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
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.engine import Connection, Engine, Row

from app.accounts.models import AuthSession
from app.accounts.service import LIVE_SESSION, sign_in_required, signed_in_claims
from app.core import caches
from app.core.config import Settings
from app.core.db import retried_on_stale_connection
from app.core.driver import AwaitedDriver, DriverRead
from app.core.encryption import decrypted_json_text
from app.plans.models import Plan
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
_SECTIONS_JSON = select(decrypted_json_text(Plan.sections)).where(
    Plan.owner_id == bindparam("owner_id"),
    Plan.id == bindparam("plan_id"),
    Plan.generation == bindparam("generation"),
    Plan.version == bindparam("version"),
)
_SECTIONS_JSON_READ = DriverRead(_SECTIONS_JSON)


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
            fetched = await database.first(_SECTIONS_JSON_READ, _sections_json_values(plan))
            sections_json = _kept_sections_json(plan, fetched[0] if fetched else None)
    summary = plan_summary(plan, settings.deleted_plan_retention_days)
    return with_sections_json(summary, sections_json), etag(plan)


def sections_json_of(connection: Connection, plan: Row) -> str | None:
    """The sections of the plan version in `plan` (its id, owner_id, generation and
    version) as decrypted JSON text; None once the plan has moved on from that version."""
    if (kept := caches.SECTIONS_JSON.get(_sections_key(plan))) is not None:
        return kept
    fetched = connection.execute(_SECTIONS_JSON, _sections_json_values(plan)).scalar_one_or_none()
    return _kept_sections_json(plan, fetched)


def _sections_json_values(plan: Row) -> dict[str, Any]:
    return {
        "owner_id": plan.owner_id,
        "plan_id": plan.id,
        "generation": plan.generation,
        "version": plan.version,
    }


def _sections_key(plan: Row) -> tuple:
    return (plan.owner_id, plan.id, plan.generation, plan.version)


def _kept_sections_json(plan: Row, fetched: str | None) -> str | None:
    if fetched is None:
        return None
    return caches.SECTIONS_JSON.put(
        _sections_key(plan), fetched, owner_id=plan.owner_id, plan_id=plan.id
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
