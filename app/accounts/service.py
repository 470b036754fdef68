"""Accounts: registering, signing in and out, rotating refresh tokens, deleting everything."""

import contextlib
import uuid
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import attempts
from app.accounts.attempts import AttemptKind
from app.accounts.devices import device_name
from app.accounts.models import AuthSession, RefreshToken, Role, SignInMethod, User
from app.accounts.passwords import refuse_password_like_email
from app.core import caches, clock
from app.core.config import Settings
from app.core.errors import Problem
from app.core.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    new_opaque_token,
    token_digest,
    verify_password,
)

SIGN_IN_REFUSED = "That email and password don't match an account. Check them and try again."
SIGN_IN_LOCKED = (
    "Sign-in is paused for this email after too many failed attempts. Wait {wait}, or ask "
    "an administrator to unlock it."
)
SIGN_IN_ADDRESS_LIMITED = (
    "Too many failed sign-ins from your network. Wait a few minutes, then try again."
)
REGISTRATION_RECEIVED = (
    "Thank you. If this email is new here, its account is ready: sign in with this email and "
    "password. If it already had an account, sign in with that account's password."
)
REGISTRATIONS_LIMITED = (
    "Too many accounts have been made from your network recently. Wait {wait}, then try again."
)
# Words, not a password.
WRONG_CURRENT_PASSWORD = "That isn't your current password. Check it and try again."  # noqa: S105
NO_SUCH_DEVICE = "No signed-in device of yours has this id. It may have signed out already."


class EmailInUse(Problem):
    def __init__(self) -> None:
        super().__init__(409, "An account with this email already exists. Sign in instead.")


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role = Role.person,
    organisation: str | None = None,
) -> User:
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        role=role,
        organisation=organisation,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailInUse() from None
    return user


def register(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    settings: Settings,
    client_address: str,
) -> None:
    """Makes a person's account, unless the email has one already: both end the same way,
    after the same work (the password is hashed either way), so the answer cannot tell
    anyone whether an email is registered. Every registration counts towards the address's
    limit."""
    attempts.claim(session, registration_limit(settings), client_address)
    with contextlib.suppress(EmailInUse):
        create_user(session, email=email, password=password, display_name=display_name)


def registration_limit(settings: Settings) -> attempts.Limit:
    return attempts.Limit(
        AttemptKind.registration_address,
        settings.registration_max_per_address,
        timedelta(minutes=settings.registration_window_minutes),
        REGISTRATIONS_LIMITED,
    )


def sign_in_limits(settings: Settings) -> tuple[attempts.Limit, attempts.Limit]:
    window = timedelta(minutes=settings.login_window_minutes)
    per_email = attempts.Limit(
        AttemptKind.sign_in_email,
        settings.login_max_failures,
        window,
        SIGN_IN_LOCKED,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )
    per_address = attempts.Limit(
        AttemptKind.sign_in_address,
        settings.login_max_failures_per_address,
        window,
        SIGN_IN_ADDRESS_LIMITED,
    )
    return per_email, per_address


def _checked_password(
    session: Session, email: str, password: str, settings: Settings, client_address: str
) -> User | None:
    """The account whose email and password these are, or None. Each check first takes a
    place under the email's and the address's limits (429 when either is full), so parallel
    guesses check no more passwords than the limits allow. The email counts whether or not
    it has an account, so the answer reveals nothing about that. A right password frees the
    email's count and its own place under the address's."""
    per_email, per_address = sign_in_limits(settings)
    email_claim, address_claim = attempts.claim_all(
        session, (per_email, email), (per_address, client_address)
    )
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password):
        attempts.lock_when_full(session, per_email, email_claim)
        return None
    attempts.forget(session, AttemptKind.sign_in_email, email)
    attempts.give_back(session, address_claim)
    return user


def sign_in(
    session: Session, email: str, password: str, settings: Settings, client_address: str
) -> User:
    """The account for these credentials; refuses while the email is locked out or the
    client address has failed too often."""
    email = email.strip().lower()
    if "\x00" in email:
        # No stored address holds one, so there is nothing to look up or count against.
        raise Problem(422, "Remove the NUL character (U+0000) from the email address.")
    user = _checked_password(session, email, password, settings, client_address)
    if user is None:
        raise Problem(401, SIGN_IN_REFUSED, headers={"WWW-Authenticate": "Bearer"})
    return user


def unlock(session: Session, email: str) -> bool:
    """Ends a lockout at once and forgets the email's failed sign-ins (the administrator's
    command). Whether there was anything to forget."""
    return attempts.forget(session, AttemptKind.sign_in_email, email.strip().lower())


def check_current_password(
    session: Session, user: User, password: str, settings: Settings, client_address: str
) -> None:
    """Refuses (403) unless this is the account's password; checked under the sign-in limits,
    so a stolen access token cannot be used to guess it."""
    if _checked_password(session, user.email, password, settings, client_address) is None:
        raise Problem(403, WRONG_CURRENT_PASSWORD)


def change_password(
    session: Session,
    user: User,
    *,
    current_password: str,
    new_password: str,
    keep_session_id: uuid.UUID,
    settings: Settings,
    client_address: str,
) -> None:
    """Sets a new password once the current one checks out (under the sign-in limits, so a
    stolen access token cannot be used to guess it), and ends every other sign-in."""
    check_current_password(session, user, current_password, settings, client_address)
    if new_password == current_password:
        raise Problem(422, "The new password is the same as the current one; choose another one.")
    try:
        refuse_password_like_email(new_password, user.email)
    except ValueError as error:
        raise Problem(422, f"{error}.") from None
    session.execute(
        update(User).where(User.id == user.id).values(password_hash=hash_password(new_password))
    )
    revoke_sessions(session, user.id, except_id=keep_session_id)
    session.commit()


def _mint_tokens(
    session: Session, user_id: uuid.UUID, session_id: uuid.UUID, settings: Settings
) -> dict:
    refresh_token = new_opaque_token()
    session.add(
        RefreshToken(
            session_id=session_id,
            token_digest=token_digest(refresh_token),
            expires_at=clock.utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    access_token = create_access_token(
        user_id=user_id,
        session_id=session_id,
        secret_key=settings.secret_key,
        minutes=settings.access_token_minutes,
    )
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "bearer",
        "expires_in": settings.access_token_minutes * 60,
    }


def start_session(
    session: Session,
    user: User,
    settings: Settings,
    user_agent: str | None = None,
    method: SignInMethod = SignInMethod.password,
) -> dict:
    auth_session = AuthSession(
        user_id=user.id, device_name=device_name(user_agent), sign_in_method=method
    )
    session.add(auth_session)
    session.flush()
    # The password (or passkey) was checked a while ago (hashing is slow). If the password
    # was changed since, that change ended every sign-in but its own, and this one must not
    # start after it. Locking
    # the account row after writing the new sign-in orders the two: a change under way is
    # waited for and then seen here; a change after this waits, then ends this sign-in too.
    still_the_password = session.execute(
        select(User.id)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .with_for_update(read=True)
    ).first()
    if still_the_password is None:
        session.rollback()
        raise Problem(401, SIGN_IN_REFUSED, headers={"WWW-Authenticate": "Bearer"})
    tokens = _mint_tokens(session, user.id, auth_session.id, settings)
    session.commit()
    return tokens


def _revoke_session(session: Session, session_id: uuid.UUID) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=clock.utcnow())
    )


def refresh_session(session: Session, refresh_token: str, settings: Settings) -> dict:
    """Swap a refresh token for a new pair. Reusing a spent token ends that whole session,
    because it means someone else may hold a copy."""
    refused = Problem(
        401, "This sign-in has ended. Please sign in again.", headers={"WWW-Authenticate": "Bearer"}
    )
    row = session.execute(
        select(RefreshToken, AuthSession)
        .join(AuthSession, AuthSession.id == RefreshToken.session_id)
        .where(RefreshToken.token_digest == token_digest(refresh_token))
    ).one_or_none()
    if row is None:
        raise refused
    token, auth_session = row
    now = clock.utcnow()
    if auth_session.revoked_at is not None or token.expires_at <= now:
        raise refused
    spent = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if spent == 0:
        _revoke_session(session, auth_session.id)
        session.commit()
        raise refused
    session.execute(
        update(AuthSession).where(AuthSession.id == auth_session.id).values(last_used_at=now)
    )
    tokens = _mint_tokens(session, auth_session.user_id, auth_session.id, settings)
    session.commit()
    return tokens


def sign_out(session: Session, session_id: uuid.UUID) -> None:
    _revoke_session(session, session_id)
    session.commit()


def revoke_sessions(
    session: Session, user_id: uuid.UUID, except_id: uuid.UUID | None = None
) -> None:
    kept = [] if except_id is None else [AuthSession.id != except_id]
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), *kept)
        .values(revoked_at=clock.utcnow())
    )


def sign_out_everywhere(session: Session, user: User) -> None:
    """Ends every sign-in of the account, this one too."""
    revoke_sessions(session, user.id)
    session.commit()


def _signed_in_devices(user_id: uuid.UUID, settings: Settings):
    """A sign-in is live until it is revoked or its last refresh token has expired."""
    return (
        AuthSession.user_id == user_id,
        AuthSession.revoked_at.is_(None),
        AuthSession.last_used_at > clock.utcnow() - timedelta(days=settings.refresh_token_days),
    )


def list_devices(
    session: Session, user: User, this_session_id: uuid.UUID, settings: Settings
) -> list[dict]:
    sessions = session.execute(
        select(AuthSession)
        .where(*_signed_in_devices(user.id, settings))
        .order_by(AuthSession.last_used_at.desc(), AuthSession.id)
    ).scalars()
    return [
        {
            "id": device.id,
            "name": device.device_name or device_name(None),
            "signed_in_at": device.created_at,
            "last_used_at": device.last_used_at,
            "this_device": device.id == this_session_id,
            "signed_in_with": device.sign_in_method,
        }
        for device in sessions
    ]


def sign_out_device(session: Session, user: User, device_id: uuid.UUID, settings: Settings) -> None:
    """Ends one of the account's sign-ins; 404 for any id that is not a live one of its own."""
    ended = session.execute(
        update(AuthSession)
        .where(AuthSession.id == device_id, *_signed_in_devices(user.id, settings))
        .values(revoked_at=clock.utcnow())
    ).rowcount
    if ended != 1:
        session.rollback()
        raise Problem(404, NO_SUCH_DEVICE)
    session.commit()


def sign_in_required() -> Problem:
    return Problem(
        401,
        "Please sign in: send a current access token as 'Authorization: Bearer <token>'.",
        headers={"WWW-Authenticate": "Bearer"},
    )


# The session an access token names is live: signing out ends it at once, even for access
# tokens that have not expired yet. Bound to `user_id` and `session_id`.
LIVE_SESSION = and_(
    AuthSession.id == bindparam("session_id"),
    AuthSession.user_id == bindparam("user_id"),
    AuthSession.revoked_at.is_(None),
)
# Built once: every signed-in request runs it, and building costs more than running it.
_USER_IN_LIVE_SESSION = (
    select(User).join(AuthSession, AuthSession.user_id == User.id).where(LIVE_SESSION)
)


def signed_in_claims(token: str | None, settings: Settings) -> tuple[uuid.UUID, uuid.UUID]:
    """The user and session ids a valid access token names, or a 401 asking to sign in;
    checking that the session is still live (LIVE_SESSION) is left to the query that reads,
    so a read can do it in the same round trip."""
    claims = decode_access_token(token, settings.access_token_keys) if token else None
    if claims is None:
        raise sign_in_required()
    return claims


def user_for_access_token(
    session: Session, token: str, settings: Settings
) -> tuple[User, uuid.UUID] | None:
    """The signed-in user and their session, only while that session is live (signing out
    ends it at once, even for access tokens that have not expired yet)."""
    claims = decode_access_token(token, settings.access_token_keys)
    if claims is None:
        return None
    user_id, session_id = claims
    user = session.execute(
        _USER_IN_LIVE_SESSION, {"user_id": user_id, "session_id": session_id}
    ).scalar_one_or_none()
    return (user, session_id) if user else None


def signed_in_user(
    session: Session, token: str | None, settings: Settings
) -> tuple[User, uuid.UUID]:
    """The user and session behind a bearer token, or a 401 asking to sign in."""
    found = user_for_access_token(session, token, settings) if token else None
    if found is None:
        raise sign_in_required()
    return found


def session_for_refresh_token(session: Session, refresh_token: str) -> uuid.UUID | None:
    return session.execute(
        select(RefreshToken.session_id).where(
            RefreshToken.token_digest == token_digest(refresh_token)
        )
    ).scalar_one_or_none()


def delete_account(session: Session, user: User) -> None:
    """Removes the account; the database cascades to every plan, revision and session, and
    nothing of their plans stays in this process's memory."""
    session.execute(delete(User).where(User.id == user.id))
    session.commit()
    caches.forget_owner(user.id)
