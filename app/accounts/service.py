"""Accounts: registering, signing in and out, rotating refresh tokens, deleting everything."""

import uuid
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts.models import AuthSession, RefreshToken, Role, SignInFailure, User
from app.core import clock
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


def _recent_failures(session: Session, email: str, settings: Settings):
    since = clock.utcnow() - timedelta(minutes=settings.login_window_minutes)
    return session.execute(
        select(func.count(), func.min(SignInFailure.failed_at)).where(
            SignInFailure.email == email, SignInFailure.failed_at > since
        )
    ).one()


def sign_in(session: Session, email: str, password: str, settings: Settings) -> User:
    """The account for these credentials; refuses while too many recent attempts failed."""
    email = email.strip().lower()
    failures, oldest = _recent_failures(session, email, settings)
    if failures >= settings.login_max_failures:
        window = timedelta(minutes=settings.login_window_minutes)
        retry_after = max(1, int((oldest + window - clock.utcnow()).total_seconds()) + 1)
        raise Problem(
            429,
            "Too many sign-in attempts for this account. Wait a few minutes, then try again.",
            headers={"Retry-After": str(retry_after)},
            retry_after_seconds=retry_after,
        )
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password):
        session.add(SignInFailure(email=email, failed_at=clock.utcnow()))
        session.commit()
        raise Problem(401, SIGN_IN_REFUSED, headers={"WWW-Authenticate": "Bearer"})
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))
    session.commit()
    return user


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


def user_for_access_token(
    session: Session, token: str, settings: Settings
) -> tuple[User, uuid.UUID] | None:
    """The signed-in user and their session, only while that session is live (signing out
    ends it at once, even for access tokens that have not expired yet)."""
    claims = decode_access_token(token, settings.secret_key)
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
    """Removes the account; the database cascades to every plan, revision and session."""
    session.execute(delete(User).where(User.id == user.id))
    session.commit()
