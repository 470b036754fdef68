"""Passkeys (WebAuthn, with the `webauthn` package): signing up with one, adding one later,
signing in with one (a discoverable credential: no email asked), confirming it's you with
one, and removing one while keeping a way in.

Every ceremony starts with a challenge kept in `passkey_ceremony` for a few minutes. The
first answer takes it (deletes it), right or wrong, so no answer can be replayed; one bound
to an account can only be taken by that account. The answer must come from the app's own
origin (PUBLIC_BASE_URL) for its relying-party id, with the user verified by the device
(a PIN, fingerprint or face)."""

import json
import secrets
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.accounts import attempts
from app.accounts.attempts import AttemptKind, Claim
from app.accounts.devices import device_name
from app.accounts.models import Passkey, PasskeyCeremony, User
from app.accounts.service import registration_limit, sign_in_limits
from app.core import clock
from app.core.config import Settings
from app.core.errors import Problem


class PasskeyPurpose(StrEnum):
    sign_up = "sign_up"
    add = "add"
    sign_in = "sign_in"
    confirm = "confirm"


CEREMONY_GONE = "This passkey request has run out of time or was already used. Please start again."
UNKNOWN_PASSKEY = (
    "This passkey isn't registered here (it may have been removed). Sign in another way, "
    "or use 'Forgot password?'."
)
NOT_YOUR_PASSKEY = "That passkey isn't one of this account's. Choose one you added here."
ALREADY_REGISTERED = "This passkey is already registered here."
SIGN_UP_EMAIL_IN_USE = (
    "We couldn't make an account with this email. If you already have an account with it, "
    "sign in instead, or use 'Forgot password?' to get back in."
)
LAST_WAY_IN = (
    "This is your only passkey and your account has no password, so removing it would "
    "leave you no way to sign in. Add another passkey first, or set a password with "
    "'Forgot password?'."
)
NO_SUCH_PASSKEY = "No passkey of yours has this id. It may have been removed already."
NO_PASSKEYS = "Your account has no passkey yet. Confirm it's you with your password instead."
_USER_HANDLE_MISMATCH = "This passkey's answer names another account. Please start again."


def _refusal(error: Exception, settings: Settings) -> str:
    """Why the library refused an answer, in words a person can act on."""
    reason = str(error).lower()
    if "origin" in reason or "rp id" in reason:
        return (
            "This passkey answer was made for another website. Use the app at "
            f"{settings.public_origin}."
        )
    if "user verification" in reason or "user was not verified" in reason:
        return (
            "Your device didn't check that it's you (with a PIN, fingerprint or face), and "
            "passkeys here need that. Please try again."
        )
    if "challenge" in reason:
        return "This passkey answer is for another request. Please start again."
    return "Your passkey's answer couldn't be checked. Please try again."


# What a malformed answer makes the library's parsers raise, besides its own errors.
_BAD_ANSWER = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


def _start(session: Session, purpose: PasskeyPurpose, settings: Settings, **bound: Any):
    ceremony = PasskeyCeremony(
        purpose=purpose,
        challenge=secrets.token_bytes(32),
        expires_at=clock.utcnow() + timedelta(minutes=settings.passkey_ceremony_minutes),
        **bound,
    )
    session.add(ceremony)
    session.commit()
    return ceremony


def _take(
    session: Session,
    ceremony_id: uuid.UUID,
    purpose: PasskeyPurpose,
    user_id: uuid.UUID | None = None,
) -> PasskeyCeremony:
    """The ceremony, deleted as it is taken so no second answer can use it; 410 when it is
    unknown, used, expired, for something else, or bound to another account."""
    bound = [] if user_id is None else [PasskeyCeremony.user_id == user_id]
    taken = session.execute(
        delete(PasskeyCeremony)
        .where(
            PasskeyCeremony.id == ceremony_id,
            PasskeyCeremony.purpose == purpose,
            PasskeyCeremony.expires_at > clock.utcnow(),
            *bound,
        )
        .returning(*PasskeyCeremony.__table__.columns)
    ).one_or_none()
    session.commit()
    if taken is None:
        raise Problem(410, CEREMONY_GONE)
    return PasskeyCeremony(**taken._mapping)


def _timeout_ms(settings: Settings) -> int:
    return settings.passkey_ceremony_minutes * 60_000


def _registration_options(
    settings: Settings, ceremony: PasskeyCeremony, email: str, display_name: str, exclude: list
) -> dict:
    options = generate_registration_options(
        rp_id=settings.relying_party_id,
        rp_name=settings.webauthn_rp_name,
        user_name=email,
        user_id=ceremony.user_id.bytes,
        user_display_name=display_name,
        challenge=ceremony.challenge,
        timeout=_timeout_ms(settings),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))
            for credential_id in exclude
        ],
    )
    return {"ceremony_id": ceremony.id, "public_key": json.loads(options_to_json(options))}


def _assertion_options(settings: Settings, ceremony: PasskeyCeremony, allow: list[str]) -> dict:
    options = generate_authentication_options(
        rp_id=settings.relying_party_id,
        challenge=ceremony.challenge,
        timeout=_timeout_ms(settings),
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))
            for credential_id in allow
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return {"ceremony_id": ceremony.id, "public_key": json.loads(options_to_json(options))}


def _new_passkey(
    session: Session,
    settings: Settings,
    ceremony: PasskeyCeremony,
    credential: dict,
    user_agent: str | None,
) -> Passkey:
    """A passkey for the ceremony's account from a checked registration answer (not yet
    committed)."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=settings.relying_party_id,
            expected_origin=settings.public_origin,
            require_user_verification=True,
        )
    except _BAD_ANSWER as error:
        raise Problem(400, _refusal(error, settings)) from None
    passkey = Passkey(
        user_id=ceremony.user_id,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=device_name(user_agent),
    )
    session.add(passkey)
    return passkey


def _parsed_assertion(credential: dict, settings: Settings) -> AuthenticationCredential:
    try:
        return parse_authentication_credential_json(credential)
    except _BAD_ANSWER as error:
        raise Problem(400, _refusal(error, settings)) from None


def _check_assertion(
    session: Session,
    settings: Settings,
    ceremony: PasskeyCeremony,
    passkey: Passkey,
    credential: AuthenticationCredential,
    status: int,
) -> None:
    """Checks a signed challenge against the passkey's public key (refusing with `status`),
    then notes the use. Commits."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=settings.relying_party_id,
            expected_origin=settings.public_origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except _BAD_ANSWER as error:
        raise Problem(status, _refusal(error, settings)) from None
    user_handle = credential.response.user_handle
    if user_handle is not None and user_handle != passkey.user_id.bytes:
        raise Problem(status, _USER_HANDLE_MISMATCH)
    session.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id)
        .values(sign_count=verified.new_sign_count, last_used_at=clock.utcnow())
    )
    session.commit()


def _credential_ids(session: Session, user_id: uuid.UUID) -> list[str]:
    return list(
        session.execute(select(Passkey.credential_id).where(Passkey.user_id == user_id)).scalars()
    )


# ---- signing up -------------------------------------------------------------------------


def start_sign_up(
    session: Session, email: str, display_name: str, settings: Settings, client_address: str
) -> dict:
    """Options for making an account's first passkey. Answers the same whether or not the
    email has an account; each start counts as a registration from the client address."""
    attempts.claim(session, registration_limit(settings), client_address)
    ceremony = _start(
        session,
        PasskeyPurpose.sign_up,
        settings,
        user_id=uuid.uuid4(),
        email=email,
        display_name=display_name,
    )
    return _registration_options(settings, ceremony, email, display_name, exclude=[])


def finish_sign_up(
    session: Session,
    ceremony_id: uuid.UUID,
    credential: dict,
    settings: Settings,
    user_agent: str | None,
) -> User:
    """Makes the account, with this passkey and no password. An email that already has an
    account gets no new one and no passkey (409): as with a password, making an account
    for an email tells whoever tries whether it is new."""
    ceremony = _take(session, ceremony_id, PasskeyPurpose.sign_up)
    user = User(
        id=ceremony.user_id,
        email=ceremony.email,
        password_hash=None,
        display_name=ceremony.display_name,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Problem(409, SIGN_UP_EMAIL_IN_USE) from None
    _new_passkey(session, settings, ceremony, credential, user_agent)
    _commit_new_passkey(session)
    return user


def _commit_new_passkey(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Problem(409, ALREADY_REGISTERED) from None


# ---- adding and removing ----------------------------------------------------------------


def start_adding(session: Session, user: User, settings: Settings) -> dict:
    """Options for another passkey on this account (the caller has confirmed it's them);
    the account's passkeys are excluded, so one device is not registered twice."""
    ceremony = _start(session, PasskeyPurpose.add, settings, user_id=user.id)
    exclude = _credential_ids(session, user.id)
    return _registration_options(settings, ceremony, user.email, user.display_name, exclude)


def finish_adding(
    session: Session,
    user: User,
    ceremony_id: uuid.UUID,
    credential: dict,
    settings: Settings,
    user_agent: str | None,
) -> Passkey:
    ceremony = _take(session, ceremony_id, PasskeyPurpose.add, user_id=user.id)
    passkey = _new_passkey(session, settings, ceremony, credential, user_agent)
    _commit_new_passkey(session)
    return passkey


def list_passkeys(session: Session, user: User) -> list[Passkey]:
    return list(
        session.execute(
            select(Passkey)
            .where(Passkey.user_id == user.id)
            .order_by(Passkey.created_at, Passkey.id)
        ).scalars()
    )


def remove_passkey(session: Session, user: User, passkey_id: uuid.UUID) -> None:
    """Removes one of the account's passkeys, unless it is the last way in (409)."""
    # PostgreSQL: the account row is locked first, so of two removals at once the second
    # waits, then sees the first's. SQLite: the one statement below decides and deletes
    # together, and writes run one at a time.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    mine = Passkey.user_id == user.id
    other = aliased(Passkey)
    another_way_in = or_(
        exists().where(User.id == user.id, User.password_hash.is_not(None)),
        exists().where(other.user_id == user.id, other.id != passkey_id),
    )
    removed = session.execute(
        delete(Passkey).where(Passkey.id == passkey_id, mine, another_way_in)
    ).rowcount
    if removed == 1:
        session.commit()
        return
    session.rollback()
    if session.execute(select(Passkey.id).where(Passkey.id == passkey_id, mine)).first():
        raise Problem(409, LAST_WAY_IN)
    raise Problem(404, NO_SUCH_PASSKEY)


# ---- signing in ---------------------------------------------------------------------------


def start_sign_in(session: Session, settings: Settings, client_address: str) -> dict:
    """Options for signing in with any passkey of this site the device holds. Each start
    takes a place under the client address's sign-in limit (as a password sign-in does),
    given back when the sign-in succeeds."""
    _per_email, per_address = sign_in_limits(settings)
    claimed = attempts.claim(session, per_address, client_address)
    ceremony = _start(
        session,
        PasskeyPurpose.sign_in,
        settings,
        claimed_subject=claimed.subject,
        claimed_window_started_at=claimed.window_started_at,
    )
    return _assertion_options(settings, ceremony, allow=[])


def _passkey_and_account(
    session: Session, credential: AuthenticationCredential
) -> tuple[Passkey, User] | None:
    found = session.execute(
        select(Passkey, User)
        .join(User, User.id == Passkey.user_id)
        .where(Passkey.credential_id == credential.id)
    ).one_or_none()
    return (found[0], found[1]) if found else None


def finish_sign_in(
    session: Session, ceremony_id: uuid.UUID, credential: dict, settings: Settings
) -> User:
    """The account whose passkey signed the challenge. Counts under the account's email as
    a password sign-in does: a lockout holds for passkeys too, a failure counts towards it,
    and a success clears it."""
    ceremony = _take(session, ceremony_id, PasskeyPurpose.sign_in)
    parsed = _parsed_assertion(credential, settings)
    found = _passkey_and_account(session, parsed)
    if found is None:
        raise Problem(401, UNKNOWN_PASSKEY, headers={"WWW-Authenticate": "Bearer"})
    passkey, user = found
    per_email, _per_address = sign_in_limits(settings)
    email_claim = attempts.claim(session, per_email, user.email)
    try:
        _check_assertion(session, settings, ceremony, passkey, parsed, status=401)
    except Problem as refusal:
        # Only a refused signature counts towards the lockout: after a lost database (a 503)
        # the session can do nothing more, and the place taken stays counted.
        if refusal.status == 401:
            attempts.lock_when_full(session, per_email, email_claim)
        raise
    attempts.forget(session, AttemptKind.sign_in_email, user.email)
    attempts.give_back(
        session,
        Claim(
            AttemptKind.sign_in_address,
            ceremony.claimed_subject,
            ceremony.claimed_window_started_at,
        ),
    )
    return user


# ---- confirming it's you ------------------------------------------------------------------


def start_confirming(session: Session, user: User, settings: Settings) -> dict:
    """Options for signing a challenge with one of this account's passkeys, to confirm it's
    the person (before deleting the account, say)."""
    allow = _credential_ids(session, user.id)
    if not allow:
        raise Problem(409, NO_PASSKEYS)
    ceremony = _start(session, PasskeyPurpose.confirm, settings, user_id=user.id)
    return _assertion_options(settings, ceremony, allow)


def check_confirmation(
    session: Session, user: User, ceremony_id: uuid.UUID, credential: dict, settings: Settings
) -> None:
    """Refuses (403) unless one of the account's own passkeys signed the account's own,
    unused confirmation challenge."""
    ceremony = _take(session, ceremony_id, PasskeyPurpose.confirm, user_id=user.id)
    parsed = _parsed_assertion(credential, settings)
    found = _passkey_and_account(session, parsed)
    if found is None or found[1].id != user.id:
        raise Problem(403, NOT_YOUR_PASSKEY)
    _check_assertion(session, settings, ceremony, found[0], parsed, status=403)


def prune_ceremonies(session: Session) -> int:
    """Drops challenges that ran out unanswered (runs hourly)."""
    removed = session.execute(
        delete(PasskeyCeremony).where(PasskeyCeremony.expires_at <= clock.utcnow())
    ).rowcount
    session.commit()
    return removed
