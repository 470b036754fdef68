"""Who is asking: the signed-in user behind a bearer access token."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.service import signed_in_user
from app.core.db import get_session, in_session

P = ParamSpec("P")
T = TypeVar("T")

bearer_token = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
DbSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_id: uuid.UUID


BearerToken = Annotated[str | None, Depends(bearer_token)]


def signed_in_for(request: Request, session: Session, token: str | None) -> SignedIn:
    """The request's signed-in user (a 401 without one), looked up once per request: when a
    dependency found it already (`OwnedPlan` reads it with the plan, in one query),
    `CurrentUser` takes it from there without another query or worker thread."""
    found = getattr(request.state, "signed_in", None)
    if found is None:
        found = SignedIn(*signed_in_user(session, token, request.app.state.settings))
        request.state.signed_in = found
    return found


async def as_signed_in(
    request: Request,
    token: str | None,
    function: Callable[Concatenate[Session, User, P], T],
    *args: P.args,
) -> T:
    """`function(session, user, *args)` for the request's signed-in user (a 401 without
    one), the sign-in check included, in one step (`in_session`)."""
    return await in_session(request, _as_signed_in, request, token, function, *args)


def _as_signed_in(
    session: Session, request: Request, token: str | None, function: Callable[..., T], *args: Any
) -> T:
    return function(session, signed_in_for(request, session, token).user, *args)


async def _signed_in(request: Request, session: DbSession, token: BearerToken) -> SignedIn:
    found = getattr(request.state, "signed_in", None)
    if found is not None:
        return found
    return await run_in_threadpool(signed_in_for, request, session, token)


async def _current_user(signed_in: Annotated[SignedIn, Depends(_signed_in)]) -> User:
    # Async only so that FastAPI does not hand this lookup to a worker thread.
    return signed_in.user


CurrentSignIn = Annotated[SignedIn, Depends(_signed_in)]
CurrentUser = Annotated[User, Depends(_current_user)]
