"""What a route needs to act on a plan as its owner, stated in the route's signature: a route
that takes `OwnedPlan` cannot run for anyone but the plan's owner."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.accounts.dependencies import CurrentUser, DbSession
from app.plans.models import Plan
from app.plans.service import get_owned_plan


def _owned_plan(plan_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Plan:
    # `plan_id` is the route's path parameter of that name.
    return get_owned_plan(session, user, plan_id)


OwnedPlan = Annotated[Plan, Depends(_owned_plan)]

