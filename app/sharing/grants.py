"""What a grantee may do through a share, checked against the database on every request:
the share live, not expired, the owner's sharing on and the plan not deleted. Ending a share
takes effect at once, whatever tokens anyone still holds."""

import uuid
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.access_log.service import log_event
from app.accounts.models import User
from app.accounts.service import signed_in_user
from app.core.config import Settings
from app.core.driver import AwaitedDriver
from app.core.errors import Problem
from app.plans.models import Plan
from app.sharing import queries
from app.sharing.models import PERMISSION_ORDER, Permission, Share
from app.sharing.words import PERMISSION_WORDS, visible_sections, who

NOT_SHARED_WITH_YOU = (
    "Nothing is shared with you under this id. Your list is at /api/v1/shared-with-me."
)


@dataclass(frozen=True)
class Grant:
    """A live share, checked for this request."""

    share: Share
    plan: Plan
    owner_name: str

    def allows(self, need: Permission) -> bool:
        rank = PERMISSION_ORDER.index
        return rank(Permission(self.share.permission)) >= rank(need)

    def shown(self) -> list[dict[str, Any]]:
        return visible_sections(self.plan.sections, self.share.sections)

    def section(self, key: str) -> dict[str, Any]:
        shown = self.shown()
        for section in shown:
            if section["key"] == key:
                return section
        raise Problem(
            404,
            f"This share doesn't include a section '{key}'. It includes: "
            f"{', '.join(s['key'] for s in shown) or 'nothing you can see right now'}.",
        )


def grant_for(session: Session, user: User, share_id: uuid.UUID, need: Permission) -> Grant:
    """The caller's live share, or a refusal: 404 if it was never theirs, 410 once it has
    ended for any reason, 403 if it does not allow `need`."""
    found = session.execute(queries.GRANT, queries.live(user.id, share_id=share_id)).first()
    if found is None:
        share = session.get(Share, share_id)
        if share is None or share.grantee_id != user.id:
            raise Problem(404, NOT_SHARED_WITH_YOU)
        raise Problem(
            410,
            "This share has ended (it was revoked, reached its end date, or sharing was "
            "switched off), so the plan is no longer shared with you.",
        )
    grant = Grant(*found)
    if not grant.allows(need):
        raise Problem(
            403,
            f"This share lets you {PERMISSION_WORDS[Permission(grant.share.permission)]} "
            f"the plan, not {need.value}. Ask {grant.owner_name} if you need more.",
        )
    return grant


def live_grants_for_plan(session: Session, user: User, plan_id: uuid.UUID) -> list[Grant]:
    """The caller's shares of this plan that work right now (none for anyone else), for
    features reached by plan id, such as clinicians' imports."""
    rows = session.execute(queries.PLAN_GRANTS, queries.live(user.id, plan_id=plan_id)).all()
    return [Grant(*row) for row in rows]


def log_read_through_share(
    session: Session, grant: Grant, user: User, event: str, sections, what: str
) -> None:
    """Logs, for the owner, that `user` read something of their plan through `grant`:
    "<who> <what>"."""
    log_event(
        session,
        owner_id=grant.plan.owner_id,
        plan_id=grant.plan.id,
        event=event,
        by=user,
        share_id=grant.share.id,
        sections=sections,
        summary=f"{who(user.display_name, grant.share.label, user.organisation)} {what}",
    )


async def read_scoped_plan(
    database: AwaitedDriver,
    token: str | None,
    share_id: uuid.UUID,
    settings: Settings,
) -> str:
    """The plan as shared with the grantee holding `token`, logged (`queries.read_scoped_plan`),
    or the refusal every other grantee route would give."""
    document = await queries.read_scoped_plan(database, token, share_id, settings)
    if document is None:
        await run_in_threadpool(_refuse_read, database.engine, token, share_id, settings)
    return document


def _refuse_read(
    engine: Engine, token: str | None, share_id: uuid.UUID, settings: Settings
) -> NoReturn:
    """Why the share could not be read: the checks every other grantee route makes say it
    (401, 404, 410), or else it changed while it was being read."""
    with Session(engine) as session:
        user = signed_in_user(session, token, settings)[0]
        grant_for(session, user, share_id, Permission.view)
    raise Problem(409, "This share changed while it was being read. Try again.")
