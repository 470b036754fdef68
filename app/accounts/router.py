import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import mail, passkeys, recovery, service
from app.accounts.attempts import client_address_of
from app.accounts.confirmation import confirm_it_is_them
from app.accounts.dependencies import CurrentSignIn, CurrentUser, DbSession, bearer_token
from app.accounts.models import SignInMethod
from app.accounts.schemas import (
    Confirmation,
    Device,
    Me,
    MeUpdate,
    NewPasswordFromLink,
    PasskeyAnswer,
    PasskeyOptions,
    PasskeyOut,
    PasskeySignUp,
    PasswordChange,
    PasswordResetRequest,
    PasswordResetRequested,
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


# Optional in the signature so that a request without it gets the 403 that says what to send.
OptionalConfirmation = Annotated[Confirmation | None, Body()]


@router.delete("/me", status_code=204, responses=problem_responses(401, 403, 410, 429))
def delete_me(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    confirmation: OptionalConfirmation = None,
):
    """Delete this account and every plan, history and sign-in that belongs to it, now.
    Confirm it's you first: `{"password": ...}`, or for an account without a password
    `{"passkey": {ceremony_id, credential}}` answering POST /me/confirm/options."""
    confirm_it_is_them(session, user, confirmation, settings, client_address_of(request))
    service.delete_account(session, user)
    return Response(status_code=204)


# ---- passkeys ---------------------------------------------------------------------------


@router.post(
    "/auth/passkeys/sign-up/options",
    response_model=PasskeyOptions,
    responses=problem_responses(429),
)
def passkey_sign_up_options(
    request: Request, body: PasskeySignUp, session: DbSession, settings: AppSettings
):
    """Start making an account that signs in with a passkey and has no password. The same
    answer whether or not the email has an account; counts as a registration."""
    return passkeys.start_sign_up(
        session, body.email, body.display_name, settings, client_address_of(request)
    )


@router.post(
    "/auth/passkeys/sign-up",
    response_model=TokenPair,
    status_code=201,
    responses=problem_responses(400, 409, 410),
)
def passkey_sign_up(
    request: Request, body: PasskeyAnswer, session: DbSession, settings: AppSettings
):
    """Make the account with the new passkey and sign in. 409 if the email already has an
    account (nothing is made)."""
    user_agent = request.headers.get("user-agent")
    user = passkeys.finish_sign_up(session, body.ceremony_id, body.credential, settings, user_agent)
    return service.start_session(session, user, settings, user_agent, SignInMethod.passkey)


@router.post(
    "/auth/passkeys/sign-in/options",
    response_model=PasskeyOptions,
    responses=problem_responses(429),
)
def passkey_sign_in_options(request: Request, session: DbSession, settings: AppSettings):
    """Start signing in with a passkey: any passkey of this site the device holds. Counts
    under the client address's sign-in limit until it succeeds."""
    return passkeys.start_sign_in(session, settings, client_address_of(request))


@router.post(
    "/auth/passkeys/sign-in",
    response_model=TokenPair,
    responses=problem_responses(400, 401, 410, 429),
)
def passkey_sign_in(
    request: Request, body: PasskeyAnswer, session: DbSession, settings: AppSettings
):
    """Sign in with a passkey's answer: the same tokens as a password sign-in."""
    user = passkeys.finish_sign_in(session, body.ceremony_id, body.credential, settings)
    return service.start_session(
        session, user, settings, request.headers.get("user-agent"), SignInMethod.passkey
    )


@router.get("/me/passkeys", response_model=list[PasskeyOut], responses=problem_responses(401))
def list_passkeys(user: CurrentUser, session: DbSession):
    """This account's passkeys, oldest first."""
    return passkeys.list_passkeys(session, user)


@router.post(
    "/me/passkeys/new/options",
    response_model=PasskeyOptions,
    responses=problem_responses(401, 403, 410, 429),
)
def add_passkey_options(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    confirmation: OptionalConfirmation = None,
):
    """Start adding a passkey: another way into the account, so confirm it's you first
    (as for deleting the account)."""
    confirm_it_is_them(session, user, confirmation, settings, client_address_of(request))
    return passkeys.start_adding(session, user, settings)


@router.post(
    "/me/passkeys",
    response_model=PasskeyOut,
    status_code=201,
    responses=problem_responses(400, 401, 409, 410),
)
def add_passkey(
    request: Request,
    body: PasskeyAnswer,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
):
    """Add the passkey the browser made for this account's own ceremony."""
    return passkeys.finish_adding(
        session,
        user,
        body.ceremony_id,
        body.credential,
        settings,
        request.headers.get("user-agent"),
    )


@router.delete(
    "/me/passkeys/{passkey_id}", status_code=204, responses=problem_responses(401, 404, 409)
)
def remove_passkey(passkey_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Remove a passkey; 409 if it is the last way in (no other passkey, no password)."""
    passkeys.remove_passkey(session, user, passkey_id)
    return Response(status_code=204)


@router.post(
    "/me/confirm/options",
    response_model=PasskeyOptions,
    responses=problem_responses(401, 409),
)
def confirm_options(user: CurrentUser, session: DbSession, settings: AppSettings):
    """A challenge for one of this account's passkeys to sign, to confirm it's you."""
    return passkeys.start_confirming(session, user, settings)


# ---- forgot password ----------------------------------------------------------------------


@router.post(
    "/auth/password-reset",
    response_model=PasswordResetRequested,
    status_code=202,
    responses=problem_responses(429),
)
def request_password_reset(
    request: Request,
    body: PasswordResetRequest,
    background: BackgroundTasks,
    session: DbSession,
    settings: AppSettings,
):
    """Email a link to choose a new password. The same answer whether or not the email
    has an account; the email is sent after the answer, so its time tells nothing either."""
    email = recovery.request_reset(session, body.email, settings, client_address_of(request))
    if email is not None:
        background.add_task(mail.send, email, settings)
    return PasswordResetRequested(detail=recovery.reset_requested(settings))


@router.post(
    "/auth/password-reset/new-password",
    response_model=TokenPair,
    responses=problem_responses(410, 422),
)
def reset_password(
    request: Request, body: NewPasswordFromLink, session: DbSession, settings: AppSettings
):
    """Choose a new password with an emailed link. Ends every sign-in of the account and
    signs this device in."""
    return recovery.reset_password(
        session, body.token, body.new_password, settings, request.headers.get("user-agent")
    )


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
