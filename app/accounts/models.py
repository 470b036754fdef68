import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, LargeBinary, String
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, now_column


class Role(StrEnum):
    person = "person"
    link_worker = "link_worker"
    peer_worker = "peer_worker"
    health_coach = "health_coach"
    clinician = "clinician"


PROFESSIONAL_ROLES = frozenset(Role) - {Role.person}
# Room for IPv6 with a zone, or whatever spelling a proxy hands on.
CLIENT_ADDRESS_LENGTH = 100
ATTEMPT_SUBJECT_LENGTH = 254


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False))
    # None for an account that signs in only with passkeys.
    password_hash: str | None = Field(default=None, max_length=255)
    display_name: str = Field(max_length=100)
    role: str = Field(default=Role.person, max_length=20)
    organisation: str | None = Field(default=None, max_length=200)
    created_at: datetime = now_column()

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


class SignInMethod(StrEnum):
    password = "password"  # noqa: S105 (a name, not a password)
    passkey = "passkey"
    reset_link = "reset_link"


class AuthSession(SQLModel, table=True):
    """One signed-in device: a family of rotating refresh tokens and the access tokens they mint."""

    __tablename__ = "auth_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = now_column()
    # When a refresh token was last swapped (about every access-token lifetime while the
    # device is in use), or the sign-in itself.
    last_used_at: datetime = now_column()
    # The browser and system in plain words ("Chrome on Android"), from the user agent at
    # sign-in; the user agent itself is not kept.
    device_name: str = Field(default="", max_length=100)
    # How the sign-in began (SignInMethod), for the list of devices.
    sign_in_method: str = Field(default=SignInMethod.password, max_length=20)
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("auth_session.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_digest: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class AttemptCounter(SQLModel, table=True):
    """Attempts of one kind by one subject in the current window (app/accounts/attempts.py),
    in the database so every app process counts the same attempts."""

    __tablename__ = "attempt_counter"

    kind: str = Field(max_length=20, primary_key=True)
    # An email for sign-ins (known or not), an account id for invite codes, or a client
    # address.
    subject: str = Field(max_length=ATTEMPT_SUBJECT_LENGTH, primary_key=True)
    window_started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    attempts: int
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


# Room for the longest credential id WebAuthn allows (1,023 bytes), in base64url.
CREDENTIAL_ID_LENGTH = 1364


class Passkey(SQLModel, table=True):
    """A WebAuthn credential registered to an account: its public key and how often the
    authenticator says it has been used."""

    __tablename__ = "passkey"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # base64url, as browsers name credentials.
    credential_id: str = Field(
        sa_column=Column(String(CREDENTIAL_ID_LENGTH), unique=True, nullable=False)
    )
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sign_count: int = 0
    # The browser and system it was added on, in plain words ("Chrome on Android").
    name: str = Field(default="", max_length=100)
    created_at: datetime = now_column()
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class PasskeyCeremony(SQLModel, table=True):
    """One challenge handed to a browser for a passkey to sign: taken (deleted) by the
    first answer, right or wrong, and of no use after `expires_at`."""

    __tablename__ = "passkey_ceremony"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # PasskeyPurpose: what the signed challenge may be used for.
    purpose: str = Field(max_length=20)
    challenge: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # The account it is bound to (adding a passkey, confirming it's you), or the id the
    # account being made will have (signing up).
    user_id: uuid.UUID | None = None
    # Signing up: the account to make.
    email: str | None = Field(default=None, max_length=254)
    display_name: str | None = Field(default=None, max_length=100)
    # Signing in: the place taken under the client address's sign-in limit, given back if
    # the sign-in succeeds.
    claimed_subject: str | None = Field(default=None, max_length=CLIENT_ADDRESS_LENGTH)
    claimed_window_started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class PasswordReset(SQLModel, table=True):
    """A link sent by email to choose a new password: only its digest is kept; it works
    once, until `expires_at`."""

    __tablename__ = "password_reset"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_digest: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = now_column()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
