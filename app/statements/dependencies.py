"""Who may do what with a plan's statements (clinicians' imports) and their attachments,
stated in each route's signature: the route runs only for someone allowed, and everyone
else gets the same 404 as for a plan that does not exist."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.accounts.dependencies import CurrentUser, DbSession
from app.plans.dependencies import OwnedPlan
from app.statements.access import Access, importer_access, reader_access


def _sender(plan_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Access:
    return importer_access(session, user, plan_id)


def _reader(plan_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Access:
    return reader_access(session, user, plan_id)


def _owner(plan: OwnedPlan, user: CurrentUser) -> Access:
    return Access(user, plan, None)


# The owner, or a grantee whose live share lets them suggest changes to the crisis plan.
StatementSender = Annotated[Access, Depends(_sender)]
# The owner, or a grantee whose live share still shows the crisis plan (then only the
# statements they sent themselves).
StatementReader = Annotated[Access, Depends(_reader)]
# The plan's owner alone: deciding what enters the plan.
StatementOwner = Annotated[Access, Depends(_owner)]
