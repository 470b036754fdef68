"""Who is asking: the signed-in user behind a bearer access token."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.service import signed_in_user
from app.core.db import get_session

bearer_token = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
DbSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_id: uuid.UUID


BearerToken = Annotated[str | None, Depends(bearer_token)]


def _signed_in(
    request: Request,
    session: DbSession,
    token: BearerToken,
) -> SignedIn:
    return SignedIn(*signed_in_user(session, token, request.app.state.settings))


async def _current_user(signed_in: Annotated[SignedIn, Depends(_signed_in)]) -> User:
    # Async only so that FastAPI does not hand this lookup to a worker thread.
    return signed_in.user


CurrentSignIn = Annotated[SignedIn, Depends(_signed_in)]
CurrentUser = Annotated[User, Depends(_current_user)]
