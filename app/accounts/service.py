"""Accounts: registering, signing in and out, rotating refresh tokens, deleting everything."""

import uuid
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import attempts
from app.accounts.attempts import AttemptKind
from app.accounts.models import AuthSession, RefreshToken, Role, User
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
    "Sign-in is paused for this email after too many failed attempts. Wait until the time "
    "given in Retry-After, or ask an administrator to unlock it."
)
SIGN_IN_ADDRESS_LIMITED = (
    "Too many failed sign-ins from your network. Wait a few minutes, then try again."
)


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
        raise Problem(409, "An account with this email already exists. Sign in instead.") from None
    return user


def _refuse_while_locked(
    session: Session, email: str, client_address: str, settings: Settings
) -> None:
    """429 while the email is locked out or the address has failed too often. The email
    counts whether or not it has an account, so the answer reveals nothing about that."""
    locked_at = attempts.latest(session, AttemptKind.sign_in_lockout, email)
    lockout = timedelta(minutes=settings.lockout_minutes)
    if locked_at is not None and locked_at + lockout > clock.utcnow():
        raise attempts.too_many(SIGN_IN_LOCKED, locked_at + lockout)
    attempts.refuse_when_over_limit(
        session,
        AttemptKind.sign_in,
        client_address=client_address,
        max_failures=settings.login_max_failures_per_address,
        window=timedelta(minutes=settings.login_window_minutes),
        detail=SIGN_IN_ADDRESS_LIMITED,
    )


def _record_failed_sign_in(
    session: Session, email: str, client_address: str, settings: Settings
) -> None:
    """Counts the failure; the one that reaches the limit starts a lockout, and only failures
    after the last lockout count towards the next."""
    now = clock.utcnow()
    attempts.record(session, AttemptKind.sign_in, email, client_address, at=now)
    since = now - timedelta(minutes=settings.login_window_minutes)
    locked_at = attempts.latest(session, AttemptKind.sign_in_lockout, email)
    if locked_at is not None:
        since = max(since, locked_at)
    failures, _ = attempts.recent_failures(session, AttemptKind.sign_in, since, subject=email)
    if failures >= settings.login_max_failures:
        attempts.record(session, AttemptKind.sign_in_lockout, email, client_address, at=now)


def sign_in(
    session: Session, email: str, password: str, settings: Settings, client_address: str
) -> User:
    """The account for these credentials; refuses while the email is locked out or the
    client address has failed too often."""
    email = email.strip().lower()
    if "\x00" in email:
        # No stored address holds one, so there is nothing to look up or count against.
        raise Problem(422, "Remove the NUL character (U+0000) from the email address.")
    _refuse_while_locked(session, email, client_address, settings)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password):
        _record_failed_sign_in(session, email, client_address, settings)
        raise Problem(401, SIGN_IN_REFUSED, headers={"WWW-Authenticate": "Bearer"})
    attempts.clear(session, [AttemptKind.sign_in], email)
    session.commit()
    return user


def unlock(session: Session, email: str) -> bool:
    """Ends a lockout at once and forgets the email's failed sign-ins (the administrator's
    command). Whether there was anything to forget."""
    cleared = attempts.clear(
        session, [AttemptKind.sign_in, AttemptKind.sign_in_lockout], email.strip().lower()
    )
    session.commit()
    return cleared > 0


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


def start_session(session: Session, user: User, settings: Settings) -> dict:
    auth_session = AuthSession(user_id=user.id)
    session.add(auth_session)
    session.flush()
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
    tokens = _mint_tokens(session, auth_session.user_id, auth_session.id, settings)
    session.commit()
    return tokens


def sign_out(session: Session, session_id: uuid.UUID) -> None:
    _revoke_session(session, session_id)
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
