import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import service
from app.accounts.attempts import client_address_of
from app.accounts.dependencies import CurrentSignIn, CurrentUser, DbSession, bearer_token
from app.accounts.schemas import (
    Device,
    Me,
    MeUpdate,
    PasswordChange,
    RefreshRequest,
    Registration,
    RegistrationReceived,
    TokenPair,
)
from app.accounts.service import user_for_access_token
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post(
    "/auth/register",
    response_model=RegistrationReceived,
    status_code=201,
    responses=problem_responses(429),
)
def register(request: Request, body: Registration, session: DbSession, settings: AppSettings):
    """Create an account for a person, then sign in with the same email and password.
    An email that already has an account gets the same answer (and no account, and no
    tokens), so registering cannot tell anyone who has an account; signing in then works
    only with that account's own password. Professional accounts are made by an
    administrator."""
    service.register(
        session,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        settings=settings,
        client_address=client_address_of(request),
    )
    return RegistrationReceived(email=body.email, detail=service.REGISTRATION_RECEIVED)


@router.post("/auth/token", response_model=TokenPair, responses=problem_responses(401, 429))
def sign_in(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession
):
    """Sign in with the OAuth2 password form (`username` is the email address)."""
    settings = request.app.state.settings
    user = service.sign_in(
        session, form.username, form.password, settings, client_address_of(request)
    )
    return service.start_session(session, user, settings, request.headers.get("user-agent"))


@router.post("/auth/refresh", response_model=TokenPair, responses=problem_responses(401))
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


@router.post("/me/password", status_code=204, responses=problem_responses(401, 403, 422, 429))
def change_password(
    request: Request,
    body: PasswordChange,
    signed_in: CurrentSignIn,
    session: DbSession,
    settings: AppSettings,
):
    """Change the password. Asks for the current one; every other signed-in device is
    signed out, this one stays signed in."""
    service.change_password(
        session,
        signed_in.user,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session_id=signed_in.session_id,
        settings=settings,
        client_address=client_address_of(request),
    )
    return Response(status_code=204)


@router.post("/me/sign-out-everywhere", status_code=204, responses=problem_responses(401))
def sign_out_everywhere(user: CurrentUser, session: DbSession):
    """Sign out on every device, this one too: every refresh and access token stops working."""
    service.sign_out_everywhere(session, user)
    return Response(status_code=204)


@router.get("/me/devices", response_model=list[Device], responses=problem_responses(401))
def list_devices(signed_in: CurrentSignIn, session: DbSession, settings: AppSettings):
    """Every device signed in to this account, most recently used first."""
    return service.list_devices(session, signed_in.user, signed_in.session_id, settings)


@router.delete("/me/devices/{device_id}", status_code=204, responses=problem_responses(401, 404))
def sign_out_device(
    device_id: uuid.UUID, user: CurrentUser, session: DbSession, settings: AppSettings
):
    """Sign out one device (this one too, if it is this one's id)."""
    service.sign_out_device(session, user, device_id, settings)
    return Response(status_code=204)
