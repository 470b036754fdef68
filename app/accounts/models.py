import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String
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
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=100)
    role: str = Field(default=Role.person, max_length=20)
    organisation: str | None = Field(default=None, max_length=200)
    created_at: datetime = now_column()


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
