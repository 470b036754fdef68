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


class SignInFailure(SQLModel, table=True):
    """Recent failed sign-ins per email, kept in the database so every app process sees them."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_email_at", "email", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    failed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
