"""How many things wait for the plan's owner, in one cheap read: the app shows the counts on
its tab bar and on My plan (and keeps the last ones it saw for when there is no signal)."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from app.accounts.dependencies import DbSession
from app.comments.models import Comment
from app.plans.dependencies import OwnedPlan
from app.statements.models import ImportStatus, PlanImport
from app.suggestions.models import Suggestion, SuggestionStatus

router = APIRouter(prefix="/api/v1", tags=["sharing"])


class Waiting(BaseModel):
    suggestions: int
    comments: int
    imports: int


@router.get("/plans/{plan_id}/waiting", response_model=Waiting)
def read_waiting(plan: OwnedPlan, session: DbSession):
    """Suggestions nobody decided on yet, comments the owner hasn't replied to, and imported
    crisis statements with parts still to decide on."""
    reply = aliased(Comment)
    owner_replied = (
        select(reply.id)
        .where(reply.reply_to_id == Comment.id, reply.author_id == plan.owner_id)
        .exists()
    )
    suggestions = select(func.count()).where(
        and_(Suggestion.plan_id == plan.id, Suggestion.status == SuggestionStatus.pending)
    )
    comments = select(func.count()).where(
        Comment.plan_id == plan.id, Comment.reply_to_id.is_(None), ~owner_replied
    )
    imports = select(func.count()).where(
        PlanImport.plan_id == plan.id, PlanImport.status == ImportStatus.proposed
    )
    return {
        "suggestions": session.execute(suggestions.select_from(Suggestion)).scalar_one(),
        "comments": session.execute(comments.select_from(Comment)).scalar_one(),
        "imports": session.execute(imports.select_from(PlanImport)).scalar_one(),
    }
