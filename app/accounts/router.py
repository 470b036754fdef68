from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import service
from app.accounts.attempts import client_address_of
from app.accounts.dependencies import CurrentUser, DbSession, bearer_token
from app.accounts.schemas import Me, MeUpdate, RefreshRequest, Registration, TokenPair
from app.accounts.service import user_for_access_token
from app.core.errors import Problem

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/auth/register", response_model=Me, status_code=201)
def register(body: Registration, session: DbSession):
    """Create an account for a person. Professional accounts are made by an administrator."""
    return service.create_user(
        session, email=body.email, password=body.password, display_name=body.display_name
    )


@router.post("/auth/token", response_model=TokenPair)
def sign_in(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession
):
    """Sign in with the OAuth2 password form (`username` is the email address)."""
    settings = request.app.state.settings
    user = service.sign_in(
        session, form.username, form.password, settings, client_address_of(request)
    )
    return service.start_session(session, user, settings)


@router.post("/auth/refresh", response_model=TokenPair)
def refresh(request: Request, body: RefreshRequest, session: DbSession):
    """Swap a refresh token for a new access and refresh token. Each refresh token works once."""
    return service.refresh_session(session, body.refresh_token, request.app.state.settings)


@router.post("/auth/logout", status_code=204)
def sign_out(
    request: Request,
    session: DbSession,
    token: Annotated[str | None, Depends(bearer_token)],
    body: RefreshRequest | None = None,
):
    """End this sign-in: its refresh token and access tokens stop working at once."""
    found = user_for_access_token(session, token, request.app.state.settings) if token else None
    session_id = found[1] if found else None
    if session_id is None and body is not None:
        session_id = service.session_for_refresh_token(session, body.refresh_token)
    if session_id is None:
        raise Problem(401, "Nothing to sign out of: send your access token or refresh token.")
    service.sign_out(session, session_id)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def read_me(user: CurrentUser):
    return user


@router.patch("/me", response_model=Me)
def update_me(body: MeUpdate, user: CurrentUser, session: DbSession):
    user.display_name = body.display_name
    session.add(user)
    session.commit()
    return user


@router.delete("/me", status_code=204)
def delete_me(user: CurrentUser, session: DbSession):
    """Delete this account and every plan, history and sign-in that belongs to it, now."""
    service.delete_account(session, user)
    return Response(status_code=204)
