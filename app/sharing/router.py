import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.accounts.attempts import client_address_of
from app.accounts.dependencies import BearerToken, CurrentUser, DbSession, as_signed_in
from app.core.errors import Problem, problem_responses
from app.core.schemas import MAX_STORED_INT
from app.plans.dependencies import OwnedPlan, OwnedPlanWork
from app.sharing import grants, queries, service
from app.sharing.schemas import (
    InviteAcceptance,
    ScopedPlan,
    ShareCreate,
    ShareCreated,
    SharedWithMe,
    SharedWithMeList,
    ShareRead,
    ShareRevoked,
    ShareUpdate,
    SharingSwitchRead,
    SharingSwitchUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["sharing"])
# The app tries routes one at a time, at several microseconds each, so grantees' two reads
# (requested far more than anything else here) have a router the app tries first.
grantee_reads_router = APIRouter(prefix="/api/v1", tags=["sharing"])


# ---- the grantee -----------------------------------------------------------------------


@router.post(
    "/shares/accept",
    response_model=SharedWithMe,
    responses=problem_responses(404, 409, 410, 429),
)
async def accept_invite(request: Request, body: InviteAcceptance, token: BearerToken):
    """Accept an invite code someone gave you. The person sees that you accepted it. After
    too many wrong or expired codes, every code is refused for a while (429, Retry-After)."""
    address, settings = client_address_of(request), request.app.state.settings
    return await as_signed_in(request, token, service.accept_invite, body.code, address, settings)


@grantee_reads_router.get("/shared-with-me", response_model=SharedWithMeList)
async def shared_with_me(
    request: Request,
    token: BearerToken,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_STORED_INT)] = 0,
):
    """Plans people share with you now: whose, which sections, since and until when, and
    what changed since you last looked. Most recently updated first."""
    # Async, the whole list in one step (on the event loop on PostgreSQL).
    listing = await request.app.state.awaited_driver.read_with(
        queries.shared_with_me, token, limit, offset, request.app.state.settings
    )
    # Built as JSON text: this list can be long and is read often.
    return Response(listing, media_type="application/json")


@grantee_reads_router.get(
    "/shared-with-me/{share_id}", response_model=ScopedPlan, responses=problem_responses(410)
)
async def read_shared_plan(share_id: uuid.UUID, request: Request, token: BearerToken):
    """The plan as shared with you: only the shared sections, at the current version.
    The person sees in their access log that you opened it."""
    # Async, as the owner's read: a read again awaits its log line's insert. Sign-in and the
    # share are checked inside its SQL, not by dependencies, to keep it one round trip.
    state = request.app.state
    body = await grants.read_scoped_plan(state.awaited_driver, token, share_id, state.settings)
    return Response(body, media_type="application/json")


# ---- the owner -------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/shares",
    response_model=ShareCreated,
    status_code=201,
    responses=problem_responses(409),
)
async def create_share(body: ShareCreate, on_plan: OwnedPlanWork):
    """Share some sections of your plan. You get an invite code (shown once) to give to the
    person; it works for 7 days, for one person, who accepts it while signed in."""
    return await on_plan(service.create_share, body)


@router.get("/plans/{plan_id}/shares", response_model=list[ShareRead])
def list_shares(plan: OwnedPlan, session: DbSession):
    """Who can see what, and until when, in plain words; ended shares too, newest first."""
    return service.list_shares(session, plan)


@router.patch(
    "/plans/{plan_id}/shares/{share_id}", response_model=ShareRead, responses=problem_responses(409)
)
def update_share(
    plan: OwnedPlan,
    share_id: uuid.UUID,
    body: ShareUpdate,
    user: CurrentUser,
    session: DbSession,
):
    """Change a share's sections, what they may do, its label or end date (null: no end)."""
    fields = body.model_dump(exclude_unset=True)
    if not fields:
        raise Problem(422, "Nothing to change: send at least one field.")
    if fields.get("sections") is None and "sections" in fields:
        raise Problem(422, "A share needs at least one section. To end it, revoke it instead.")
    for required in ("permission", "label"):
        if required in fields and fields[required] is None:
            raise Problem(422, f"'{required}' can't be empty; leave it out to keep it as it is.")
    return service.update_share(session, user, plan, share_id, fields)


@router.delete("/plans/{plan_id}/shares/{share_id}", response_model=ShareRevoked)
def revoke_share(plan: OwnedPlan, share_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """End a share now. It stops future views; it cannot unsee what was already seen."""
    return service.revoke_share(session, user, plan, share_id)


@router.get("/me/sharing", response_model=SharingSwitchRead)
def read_sharing_switch(user: CurrentUser, session: DbSession):
    return service.sharing_state(session, user)


@router.put("/me/sharing", response_model=SharingSwitchRead)
def set_sharing_switch(body: SharingSwitchUpdate, user: CurrentUser, session: DbSession):
    """The one switch for all your plans. Off ends every share and crisis card at once;
    on again does not bring them back."""
    return service.set_sharing(session, user, body.enabled)
