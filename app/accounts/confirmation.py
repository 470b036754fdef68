"""Confirming it's the person before something that cannot be undone (deleting the account,
adding a way in): their current password, or a fresh passkey answer for an account that
has no password."""

from sqlmodel import Session

from app.accounts import passkeys
from app.accounts.models import User
from app.accounts.schemas import Confirmation
from app.accounts.service import check_current_password
from app.core.config import Settings
from app.core.errors import Problem

CONFIRM_WITH_PASSWORD = "Please confirm it's you: enter your current password."  # noqa: S105
CONFIRM_WITH_PASSKEY = (
    "Please confirm it's you with one of your passkeys (your account has no password)."
)
NO_PASSWORD = "Your account has no password. Confirm it's you with one of your passkeys."  # noqa: S105


def confirm_it_is_them(
    session: Session,
    user: User,
    confirmation: Confirmation | None,
    settings: Settings,
    client_address: str,
) -> None:
    """Refuses (403, saying what to send) unless the confirmation checks out."""
    has_password = user.password_hash is not None
    if confirmation is None or (confirmation.password is None and confirmation.passkey is None):
        raise Problem(403, CONFIRM_WITH_PASSWORD if has_password else CONFIRM_WITH_PASSKEY)
    if confirmation.passkey is not None:
        answer = confirmation.passkey
        passkeys.check_confirmation(session, user, answer.ceremony_id, answer.credential, settings)
    elif not has_password:
        raise Problem(403, NO_PASSWORD)
    else:
        check_current_password(session, user, confirmation.password, settings, client_address)
