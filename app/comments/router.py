import uuid

from fastapi import APIRouter, Response

from app.accounts.dependencies import CurrentUser, DbSession
from app.comments import service
from app.comments.schemas import CommentCreate, CommentRead, ReplyCreate
from app.core.errors import problem_responses
from app.plans.dependencies import OwnedPlan
from app.sharing.dependencies import CommentingGrant

router = APIRouter(prefix="/api/v1", tags=["sharing"])


# ---- the grantee -----------------------------------------------------------------------


@router.get(
    "/shared-with-me/{share_id}/comments",
    response_model=list[CommentRead],
    responses=problem_responses(403, 410),
)
def read_my_comments(grant: CommentingGrant, user: CurrentUser, session: DbSession):
    """Your comments on this plan, with the person's replies."""
    return service.grantee_comments(session, user, grant)


@router.post(
    "/shared-with-me/{share_id}/comments",
    response_model=CommentRead,
    status_code=201,
    responses=problem_responses(403, 410),
)
def write_comment(
    grant: CommentingGrant, body: CommentCreate, user: CurrentUser, session: DbSession
):
    """Comment on a shared section. The person reads it, with your name and role, so
    confirm that with `acknowledged_visible_to_person: true`."""
    return service.add_comment(session, user, grant, body)


# ---- the owner -------------------------------------------------------------------------


@router.get("/plans/{plan_id}/comments", response_model=list[CommentRead])
def read_comments(plan: OwnedPlan, session: DbSession):
    """Comments people you share with wrote on your plan, with your replies."""
    return service.owner_comments(session, plan)


@router.post(
    "/plans/{plan_id}/comments/{comment_id}/replies", response_model=CommentRead, status_code=201
)
def reply_to_comment(
    plan: OwnedPlan,
    comment_id: uuid.UUID,
    body: ReplyCreate,
    user: CurrentUser,
    session: DbSession,
):
    """Reply to a comment; the person who wrote it can read your reply."""
    return service.reply(session, user, plan, comment_id, body.text)


@router.delete("/plans/{plan_id}/comments/{comment_id}", status_code=204)
def delete_comment(plan: OwnedPlan, comment_id: uuid.UUID, session: DbSession):
    """Delete any comment on your plan (a comment's replies go with it)."""
    service.delete_comment(session, plan, comment_id)
    return Response(status_code=204)
