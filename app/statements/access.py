"""Who may do what with a plan's imported crisis statements: the owner, or a grantee whose
live share covers the crisis plan; a grantee's reads go in the person's access log."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.access_log.service import log_event
from app.accounts.models import User
from app.core.errors import Problem
from app.plans import service as plans
from app.plans.models import Plan
from app.plans.templates import CRISIS_SECTION
from app.sharing.grants import Grant, live_grants_for_plan
from app.sharing.models import Permission


@dataclass(frozen=True)
class Access:
    """Who asks, the plan, and the live share they use (None: they own the plan)."""

    user: User
    plan: Plan
    grant: Grant | None

    @property
    def is_owner(self) -> bool:
        return self.grant is None


def _access(
    session: Session, user: User, plan_id: uuid.UUID, grant_may: Callable[[Grant], bool]
) -> Access:
    """The owner, or a grantee whose live share passes `grant_may`. Anyone else gets the
    same 404 as for a plan that does not exist."""
    plan = session.get(Plan, plan_id)
    if plan is not None and plan.owner_id == user.id:
        return Access(user, plans.get_owned_plan(session, user, plan_id), None)
    for grant in live_grants_for_plan(session, user, plan_id):
        if grant_may(grant):
            return Access(user, grant.plan, grant)
    raise Problem(404, plans.NOT_FOUND)


def shown_crisis(grant: Grant) -> list[dict[str, Any]]:
    """The crisis section, which every import proposes parts for, if the share shows it."""
    return [s for s in grant.shown() if s["key"] == CRISIS_SECTION]


def _may_suggest_on_crisis(grant: Grant) -> bool:
    return grant.allows(Permission.suggest) and bool(shown_crisis(grant))


def importer_access(session: Session, user: User, plan_id: uuid.UUID) -> Access:
    """The owner, or a grantee whose live share lets them suggest changes to the crisis
    plan."""
    return _access(session, user, plan_id, _may_suggest_on_crisis)


def reader_access(session: Session, user: User, plan_id: uuid.UUID) -> Access:
    """The owner, or a grantee whose live share still shows the crisis plan (who then sees
    only the imports they sent themselves): an import holds the person's decisions on their
    crisis plan, so it is seen only while the share covers what it proposes."""
    return _access(session, user, plan_id, lambda grant: bool(shown_crisis(grant)))


def log_grantee_read(session: Session, access: Access, event: str, what: str) -> None:
    """A grantee's read of an import or its file goes in the person's access log, as every
    read through a share does; the owner's own reads do not."""
    if access.grant is None:
        return
    log_event(
        session,
        owner_id=access.plan.owner_id,
        plan_id=access.plan.id,
        event=event,
        by=access.user,
        share_id=access.grant.share.id,
        sections=shown_crisis(access.grant),
        summary=f"{access.user.display_name} {what}",
    )
    session.commit()
