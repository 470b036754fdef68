import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String
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


class FailedAttempt(SQLModel, table=True):
    """Recent failed sign-ins and invite acceptances, and sign-in lockouts, kept in the
    database so every app process counts the same attempts."""

    __tablename__ = "failed_attempt"
    __table_args__ = (
        Index("ix_failed_attempt_subject", "kind", "subject", "attempted_at"),
        Index("ix_failed_attempt_address", "kind", "client_address", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    # The email for sign-ins (known or not), the account id for invite acceptances.
    subject: str = Field(max_length=254)
    client_address: str = Field(max_length=CLIENT_ADDRESS_LENGTH)
    attempted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
