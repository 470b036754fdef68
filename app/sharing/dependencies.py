"""What a grantee's route needs, stated in its signature: a route that takes
`CommentingGrant` runs only for the grantee of a live share that allows commenting, and is
given that share and its plan."""

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from app.accounts.dependencies import CurrentUser, DbSession
from app.sharing.grants import Grant, grant_for
from app.sharing.models import Permission


def grant_needing(need: Permission) -> Callable[..., Grant]:
    """A dependency giving the caller's live share `share_id` (the route's path parameter of
    that name) if it allows `need`; else 404, 410 or 403, as `grant_for` says."""

    def granted(share_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Grant:
        return grant_for(session, user, share_id, need)

    return granted


ViewingGrant = Annotated[Grant, Depends(grant_needing(Permission.view))]
CommentingGrant = Annotated[Grant, Depends(grant_needing(Permission.comment))]
SuggestingGrant = Annotated[Grant, Depends(grant_needing(Permission.suggest))]
