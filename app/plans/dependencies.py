"""What a route needs to act on a plan as its owner, stated in the route's signature: a route
that takes one of these cannot run for anyone but the plan's owner.

`OwnedPlan` loads the plan. The two reads every device makes most take the owner's answer
itself (`OwnedPlanDocument`, `OwnedPlanList`): the sign-in check and the ownership check
are then part of their one query (app/plans/queries.py)."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from app.accounts.dependencies import BearerToken, DbSession, SignedIn
from app.plans import queries
from app.plans.models import Plan
from app.plans.service import get_owned_plan


async def _owned_plan(
    plan_id: uuid.UUID, request: Request, token: BearerToken, session: DbSession
) -> Plan:
    # `plan_id` is the route's path parameter of that name. The sign-in check and the
    # plan's load are one query in one worker thread; `CurrentUser` then finds the user
    # without another (`signed_in_for`).
    def load() -> Plan:
        signed_in = getattr(request.state, "signed_in", None)
        if signed_in is not None:
            return get_owned_plan(session, signed_in.user, plan_id)
        settings = request.app.state.settings
        user, session_id, plan = queries.signed_in_owners_plan(
            session, token, plan_id, settings, _entry_in_path(request)
        )
        request.state.signed_in = SignedIn(user, session_id)
        return plan

    return await run_in_threadpool(load)


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
# The owner's plan as its JSON document, and its ETag.
OwnedPlanDocument = Annotated[tuple[str, str], Depends(_owned_plan_document)]
# The owner's plans as summaries; `deleted=true` lists the deleted ones instead.
OwnedPlanList = Annotated[list[dict[str, Any]], Depends(_owned_plan_list)]
