import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.accounts.dependencies import CurrentUser, DbSession
from app.checkins import service
from app.checkins.calendar import plan_calendar
from app.checkins.schemas import (
    CheckInRead,
    CheckInsCreate,
    CheckInSettingsRead,
    CheckInSettingsUpdate,
    CheckInsRead,
    Days,
    GoalProgress,
    SharedCheckInsRead,
)
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses
from app.plans.dependencies import OwnedPlan

router = APIRouter(prefix="/api/v1", tags=["check-ins"])
DaysBack = Annotated[int, Query(ge=1, le=366, description=Days.__metadata__[0].description)]


@router.post("/plans/{plan_id}/check-ins", response_model=list[CheckInRead])
def keep_check_ins(plan: OwnedPlan, body: CheckInsCreate, session: DbSession):
    """Keep check-ins your device made, online or later from its queue. Each has an id
    your device made: sending one again keeps its state and time, and its note becomes the
    one sent (a note written after checking in)."""
    return service.save_check_ins(session, plan, body)


@router.get("/plans/{plan_id}/check-ins", response_model=CheckInsRead)
def read_check_ins(plan: OwnedPlan, session: DbSession, days: DaysBack = 90):
    """Your check-ins of the last `days` days, oldest first, and your choices about them."""
    return service.owners_check_ins(session, plan, days)


@router.patch("/plans/{plan_id}/check-in-settings", response_model=CheckInSettingsRead)
def change_check_in_settings(plan: OwnedPlan, body: CheckInSettingsUpdate, session: DbSession):
    """Share your check-ins (or stop), or choose how often the calendar reminds you.
    Shared, each check-in is seen by whoever your share lets see the section that answer
    opens (an "I've been triggered" by those who see your triggers); nobody else."""
    fields = body.model_dump(exclude_unset=True)
    if not fields:
        raise Problem(422, "Nothing to change: send at least one field.")
    emptied = [name for name, value in fields.items() if value is None]
    if emptied:
        raise Problem(422, f"'{emptied[0]}' can't be empty; leave it out to keep it as it is.")
    return service.update_settings(session, plan, fields)


@router.get("/plans/{plan_id}/goal-progress", response_model=list[GoalProgress])
def read_goal_progress(plan: OwnedPlan, session: DbSession, days: DaysBack = 90):
    """How each goal's progress (-2 to +2) changed over the last `days` days."""
    return service.goal_progress(session, plan, days)


@router.get(
    "/plans/{plan_id}/reminders.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An iCalendar file"}},
)
def download_reminders(plan: OwnedPlan, session: DbSession, settings: AppSettings):
    """Your check-in rhythm and your goals' review dates as calendar events with alarms,
    for your phone's calendar: it reminds you even with the app closed and no signal."""
    body = plan_calendar(plan, service.settings_of(session, plan), settings.base_url)
    return Response(
        body,
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="my-plan-reminders.ics"'},
    )


@router.get(
    "/shared-with-me/{share_id}/check-ins",
    response_model=SharedCheckInsRead,
    responses=problem_responses(410),
)
def read_shared_check_ins(
    share_id: uuid.UUID, user: CurrentUser, session: DbSession, days: DaysBack = 90
):
    """The check-ins shared with you: none unless the person chose to share them, and then
    only those whose section your share includes."""
    return service.shared_check_ins(session, user, share_id, days)
