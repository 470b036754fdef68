"""Who is asking: the signed-in user behind a bearer access token."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.service import signed_in_user
from app.core.db import get_session, retried_on_stale_connection

T = TypeVar("T")
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


async def signed_in_read(
    request: Request, token: str | None, read: Callable[[Session, User], T]
) -> T:
    """`read(session, user)` for the bearer of `token`, sign-in check included, in one
    hand-off to a worker thread (FastAPI hands each sync dependency and the endpoint to a
    worker thread in turn; for the pages people open most, one hand-off is quicker). It only
    reads, so it runs on the read engine: on PostgreSQL, outside a transaction."""

    @retried_on_stale_connection
    def signed_in_then_read() -> T:
        with Session(request.app.state.read_engine, expire_on_commit=False) as session:
            user, _ = signed_in_user(session, token, request.app.state.settings)
            return read(session, user)

    return await run_in_threadpool(signed_in_then_read)


CurrentSignIn = Annotated[SignedIn, Depends(_signed_in)]
CurrentUser = Annotated[User, Depends(_current_user)]
