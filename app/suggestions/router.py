import uuid
from typing import Literal

from fastapi import APIRouter

from app.accounts.dependencies import CurrentUser, DbSession
from app.core.config import AppSettings
from app.core.errors import problem_responses
from app.plans.dependencies import OwnedPlan
from app.sharing.dependencies import SuggestingGrant
from app.suggestions import service
from app.suggestions.schemas import (
    SuggestionAcceptance,
    SuggestionCreate,
    SuggestionDecided,
    SuggestionRead,
    SuggestionRejection,
)

router = APIRouter(prefix="/api/v1", tags=["sharing"])


# ---- the grantee -----------------------------------------------------------------------


@router.get(
    "/shared-with-me/{share_id}/suggestions",
    response_model=list[SuggestionRead],
    responses=problem_responses(403, 410),
)
def read_my_suggestions(grant: SuggestingGrant, user: CurrentUser, session: DbSession):
    return service.grantee_suggestions(session, user, grant)


@router.post(
    "/shared-with-me/{share_id}/suggestions",
    response_model=SuggestionRead,
    status_code=201,
    responses=problem_responses(403, 410),
)
def make_suggestion(
    grant: SuggestingGrant, body: SuggestionCreate, user: CurrentUser, session: DbSession
):
    """Suggest adding, changing or removing an entry in a shared section. Nothing changes
    until the person accepts it."""
    return service.suggest(session, user, grant, body)


# ---- the owner -------------------------------------------------------------------------


@router.get("/plans/{plan_id}/suggestions", response_model=list[SuggestionRead])
def read_suggestions(
    plan: OwnedPlan,
    session: DbSession,
    status: Literal["pending", "accepted", "rejected"] | None = None,
):
    """Changes people suggested to your plan, newest first."""
    return service.owner_suggestions(session, plan, status)


@router.post(
    "/plans/{plan_id}/suggestions/{suggestion_id}/accept",
    response_model=SuggestionDecided,
    responses=problem_responses(409),
)
def accept_suggestion(
    plan: OwnedPlan,
    suggestion_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    body: SuggestionAcceptance | None = None,
):
    """Apply a suggestion as a new version of your plan, in your name, saying whose suggestion
    it was; with `text`, your own version of their words goes in instead. You can restore the
    earlier version from the plan's history."""
    return service.accept_suggestion(
        session,
        user,
        plan,
        suggestion_id,
        body.apply_although_changed if body else False,
        settings.deleted_plan_retention_days,
        text=body.text if body else None,
    )


@router.post(
    "/plans/{plan_id}/suggestions/{suggestion_id}/reject",
    response_model=SuggestionDecided,
    responses=problem_responses(409),
)
def reject_suggestion(
    plan: OwnedPlan,
    suggestion_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    body: SuggestionRejection | None = None,
):
    """Say no to a suggestion. Your plan does not change."""
    return service.reject_suggestion(
        session, user, plan, suggestion_id, body.reason if body else ""
    )
