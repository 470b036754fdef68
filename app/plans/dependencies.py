"""What a route needs to act on a plan as its owner, stated in the route's signature: a route
that takes one of these cannot run for anyone but the plan's owner.

`OwnedPlan` loads the plan; `OwnedPlanChange` changes it, the load included. The two reads
every device makes most take the owner's answer itself (`OwnedPlanDocument`,
`OwnedPlanList`): the sign-in check and the ownership check are then part of their one
query (app/plans/queries.py)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from app.accounts.dependencies import BearerToken, DbSession, SignedIn
from app.accounts.models import User
from app.core.config import Settings
from app.core.db import in_session
from app.plans import queries, service
from app.plans.document import Sections
from app.plans.draft import PlanDraft
from app.plans.models import Plan

T = TypeVar("T")
P = ParamSpec("P")


async def _owned_plan(
    plan_id: uuid.UUID, request: Request, token: BearerToken, session: DbSession
) -> Plan:
    # `plan_id` is the route's path parameter of that name.
    return await run_in_threadpool(_load_owned_plan, plan_id, request, token, session)


def _load_owned_plan(
    plan_id: uuid.UUID, request: Request, token: str | None, session: Session
) -> Plan:
    # The sign-in check and the plan's load are one query; `CurrentUser` then finds the
    # user without another (`signed_in_for`).
    signed_in = getattr(request.state, "signed_in", None)
    if signed_in is not None:
        return service.get_owned_plan(session, signed_in.user, plan_id)
    settings = request.app.state.settings
    user, session_id, plan = queries.signed_in_owners_plan(
        session, token, plan_id, settings, _entry_in_path(request)
    )
    request.state.signed_in = SignedIn(user, session_id)
    return plan


@dataclass(frozen=True)
class PlanWork:
    """Work on the signed-in owner's plan, awaited as `work(function, *args)`: the sign-in
    check, the plan's load and `function(session, owner, plan, *args)` in one step
    (`in_session`: on the event loop on PostgreSQL, else in one worker thread)."""

    plan_id: uuid.UUID
    request: Request
    token: str | None

    async def __call__(
        self, function: Callable[Concatenate[Session, User, Plan, P], T], *args: P.args
    ) -> T:
        return await in_session(self.request, self._run, function, *args)

    def _run(self, session: Session, function: Callable[..., T], *args: Any) -> T:
        plan = _load_owned_plan(self.plan_id, self.request, self.token, session)
        return function(session, self.request.state.signed_in.user, plan, *args)


@dataclass(frozen=True)
class PlanChange:
    """Changes the signed-in owner's plan as one new version (`service.change_plan`), as
    one `PlanWork`."""

    work: PlanWork

    async def __call__(
        self,
        summary: str | Callable[[Sections], str],
        change: Callable[[PlanDraft], T],
        if_match: str | None,
    ) -> tuple[Plan, T]:
        settings = self.work.request.app.state.settings
        return await self.work(change_owned_plan, settings, if_match, summary, change)


def change_owned_plan(
    session: Session,
    owner: User,
    plan: Plan,
    settings: Settings,
    if_match: str | None,
    summary: str | Callable[[Sections], str],
    change: Callable[[PlanDraft], T],
) -> tuple[Plan, T]:
    """`service.change_plan` by the owner, expecting the version `if_match` names."""
    return service.change_plan(
        session,
        plan,
        author=owner,
        summary=summary,
        expected_version=service.parse_if_match(if_match),
        change=change,
        retention_days=settings.deleted_plan_retention_days,
    )


async def _plan_work(plan_id: uuid.UUID, request: Request, token: BearerToken) -> PlanWork:
    return PlanWork(plan_id, request, token)


async def _plan_change(work: Annotated[PlanWork, Depends(_plan_work)]) -> PlanChange:
    return PlanChange(work)


def _entry_in_path(request: Request) -> tuple[str, uuid.UUID] | None:
    """The (section key, entry id) a route's path names, when it names one: read with the
    plan, it spares the change a round trip."""
    key, entry_id = request.path_params.get("key"), request.path_params.get("entry_id")
    try:
        return (key, uuid.UUID(entry_id)) if key and entry_id else None
    except ValueError:
        return None  # the route refuses it (422)


async def _owned_plan_document(
    plan_id: uuid.UUID, request: Request, token: BearerToken
) -> tuple[str, str]:
    # Awaited on the event loop (EventLoopDriver) or each query handed to a worker thread.
    return await queries.read_owned_plan_json(
        request.app.state.awaited_driver, token, plan_id, request.app.state.settings
    )


async def _owned_plan_list(
    request: Request, token: BearerToken, deleted: bool = False
) -> list[dict[str, Any]]:
    # One hand-off to a worker thread for the one query.
    return await run_in_threadpool(
        queries.list_owned_plans,
        request.app.state.read_engine,
        token,
        deleted,
        request.app.state.settings,
    )


OwnedPlan = Annotated[Plan, Depends(_owned_plan)]
# Awaited with a function of (session, owner, plan, ...) to run it on the owner's plan.
OwnedPlanWork = Annotated[PlanWork, Depends(_plan_work)]
# Awaited with a change (app/plans/changes.py) to make it to the owner's plan.
OwnedPlanChange = Annotated[PlanChange, Depends(_plan_change)]
# The owner's plan as its JSON document, and its ETag.
OwnedPlanDocument = Annotated[tuple[str, str], Depends(_owned_plan_document)]
# The owner's plans as summaries; `deleted=true` lists the deleted ones instead.
OwnedPlanList = Annotated[list[dict[str, Any]], Depends(_owned_plan_list)]
