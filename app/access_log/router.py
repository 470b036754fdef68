from typing import Annotated

from fastapi import APIRouter, Query

from app.access_log import service
from app.access_log.schemas import AccessLog
from app.accounts.dependencies import DbSession
from app.core.schemas import MAX_STORED_INT
from app.plans.dependencies import OwnedPlan

router = APIRouter(prefix="/api/v1", tags=["sharing"])


@router.get("/plans/{plan_id}/access-log", response_model=AccessLog)
def read_access_log(
    plan: OwnedPlan,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_STORED_INT, description="next_before from the last page")
    ] = None,
):
    """Every time someone else opened your plan, what they saw and when; and every change
    to your sharing. Newest first."""
    return service.access_log(session, plan, limit, before)
