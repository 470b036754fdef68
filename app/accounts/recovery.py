"""Getting back in by email ("forgot password"): a link that works once, for
PASSWORD_RESET_MINUTES, to choose a new password. Only its digest is kept. Using it ends
every sign-in of the account and starts one on the device that used it."""

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlmodel import Session

from app.accounts import attempts
from app.accounts.attempts import AttemptKind
from app.accounts.mail import Email
from app.accounts.models import PasswordReset, SignInMethod, User
from app.accounts.passwords import refuse_password_like_email
from app.accounts.service import revoke_sessions, start_session
from app.core import clock
from app.core.config import Settings
from app.core.errors import Problem
from app.core.security import hash_password, new_opaque_token, token_digest

RESETS_LIMITED = (
    "Too many requests for a new password link. Wait {wait}, then try "
    "again, and check your spam folder for the emails already sent."
)
LINK_GONE = (
    "This link has run out of time or was already used. Ask for a new one with "
    "'Forgot password?' on the sign-in screen."
)


def reset_requested(settings: Settings) -> str:
    return (
        "If an account has this email, we've sent it a link to choose a new password. The "
        f"link works once, for {settings.password_reset_minutes} minutes. If nothing arrives, "
        "check your spam folder."
    )


def _reset_limits(settings: Settings) -> tuple[attempts.Limit, attempts.Limit]:
    window = timedelta(minutes=settings.reset_window_minutes)
    return (
        attempts.Limit(
            AttemptKind.reset_email, settings.reset_max_per_email, window, RESETS_LIMITED
        ),
        attempts.Limit(
            AttemptKind.reset_address, settings.reset_max_per_address, window, RESETS_LIMITED
        ),
    )


def _email_text(user: User, link: str, settings: Settings) -> str:
    return (
        f"Hello {user.display_name},\n\n"
        "Someone (we hope you) asked to choose a new password for your wellbeing plan "
        f"account. To choose one, open this link within {settings.password_reset_minutes} "
        f"minutes:\n\n{link}\n\n"
        "The link works once. Using it signs you out on every other device.\n\n"
        "If you didn't ask, you can ignore this email: nothing changes, and your password "
        "stays as it is.\n"
    )


def request_reset(
    session: Session, email: str, settings: Settings, client_address: str
) -> Email | None:
    """A new link for the account with this email, as the email to send, or None when no
    account has it. Every request counts under the email (known or not) and the client
    address, so neither the answer nor the limits tell whether an email has an account."""
    per_email, per_address = _reset_limits(settings)
    attempts.claim_all(session, (per_email, email), (per_address, client_address))
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        return None
    token = new_opaque_token()
    session.add(
        PasswordReset(
            user_id=user.id,
            token_digest=token_digest(token),
            expires_at=clock.utcnow() + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    session.commit()
    # In the fragment: it never reaches a server's or proxy's request log.
    link = f"{settings.base_url}/#/reset-password/{token}"
    return Email(
        to=user.email,
        subject="Choose a new password",
        text=_email_text(user, link, settings),
        link=link,
    )


def reset_password(
    session: Session, token: str, new_password: str, settings: Settings, user_agent: str | None
) -> dict:
    """Sets the new password if the link is live, ends every sign-in of the account (and
    every other link sent to it), and signs this device in: new tokens."""
    found = session.execute(
        select(PasswordReset, User)
        .join(User, User.id == PasswordReset.user_id)
        .where(
            PasswordReset.token_digest == token_digest(token),
            PasswordReset.expires_at > clock.utcnow(),
        )
    ).one_or_none()
    if found is None:
        raise Problem(410, LINK_GONE)
    reset, user = found
    try:
        refuse_password_like_email(new_password, user.email)
    except ValueError as error:
        raise Problem(422, f"{error}.") from None
    new_hash = hash_password(new_password)
    # Taking the link is the deletion: of two uses at once, one finds it gone.
    taken = session.execute(delete(PasswordReset).where(PasswordReset.id == reset.id)).rowcount
    if taken != 1:
        session.rollback()
        raise Problem(410, LINK_GONE)
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    session.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    revoke_sessions(session, user.id)
    session.commit()
    # Whoever holds the email may sign in again at once, even after a lockout.
    attempts.forget(session, AttemptKind.sign_in_email, user.email)
    user.password_hash = new_hash
    return start_session(session, user, settings, user_agent, method=SignInMethod.reset_link)


def prune_password_resets(session: Session) -> int:
    """Drops links that ran out unused (runs hourly)."""
    removed = session.execute(
        delete(PasswordReset).where(PasswordReset.expires_at <= clock.utcnow())
    ).rowcount
    session.commit()
    return removed
