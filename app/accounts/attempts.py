"""Counting failed attempts (sign-ins, invite codes) per subject and per client address, in
the database so that every app process enforces the same limits."""

import math
from datetime import datetime, timedelta
from enum import StrEnum

from fastapi import Request
from sqlalchemy import delete, func, select
from sqlmodel import Session

from app.accounts.models import CLIENT_ADDRESS_LENGTH, FailedAttempt
from app.core import clock
from app.core.config import Settings
from app.core.errors import Problem


class AttemptKind(StrEnum):
    sign_in = "sign_in"
    # One row per lockout, at the moment it started; failures before it no longer count.
    sign_in_lockout = "sign_in_lockout"
    invite_accept = "invite_accept"


def client_address_of(request: Request) -> str:
    """Who is asking, as far as the network says: uvicorn takes it from X-Forwarded-For
    only when the proxy is trusted (FORWARDED_ALLOW_IPS)."""
    host = request.client.host if request.client else "unknown"
    return host[:CLIENT_ADDRESS_LENGTH]


def too_many(detail: str, until: datetime) -> Problem:
    """429 with Retry-After: the whole seconds left until `until`."""
    seconds = max(1, math.ceil((until - clock.utcnow()).total_seconds()))
    return Problem(429, detail, headers={"Retry-After": str(seconds)}, retry_after_seconds=seconds)


def recent_failures(
    session: Session,
    kind: AttemptKind,
    since: datetime,
    *,
    subject: str | None = None,
    client_address: str | None = None,
) -> tuple[int, datetime | None]:
    """How many failures of this kind after `since` for the subject or the address, and
    when the oldest of them happened."""
    column, value = (
        (FailedAttempt.subject, subject)
        if subject is not None
        else (FailedAttempt.client_address, client_address)
    )
    count, oldest = session.execute(
        select(func.count(), func.min(FailedAttempt.attempted_at)).where(
            FailedAttempt.kind == kind, column == value, FailedAttempt.attempted_at > since
        )
    ).one()
    return count, oldest


def latest(session: Session, kind: AttemptKind, subject: str) -> datetime | None:
    return session.execute(
        select(func.max(FailedAttempt.attempted_at)).where(
            FailedAttempt.kind == kind, FailedAttempt.subject == subject
        )
    ).scalar_one()


def refuse_when_over_limit(
    session: Session,
    kind: AttemptKind,
    *,
    max_failures: int,
    window: timedelta,
    detail: str,
    subject: str | None = None,
    client_address: str | None = None,
) -> None:
    """429 while the subject (or address) has `max_failures` failures in the sliding window;
    it may try again once the oldest of them leaves the window."""
    count, oldest = recent_failures(
        session,
        kind,
        clock.utcnow() - window,
        subject=subject,
        client_address=client_address,
    )
    if count >= max_failures:
        raise too_many(detail, oldest + window)


def record(
    session: Session,
    kind: AttemptKind,
    subject: str,
    client_address: str,
    at: datetime | None = None,
) -> None:
    """Adds the attempt and commits it: the request that failed is about to be refused, and
    the count must outlive that."""
    session.add(
        FailedAttempt(
            kind=kind,
            subject=subject,
            client_address=client_address,
            attempted_at=at or clock.utcnow(),
        )
    )
    session.commit()


def clear(session: Session, kinds: list[AttemptKind], subject: str) -> int:
    """Forgets the subject's attempts of these kinds (not committed); how many there were."""
    return session.execute(
        delete(FailedAttempt).where(FailedAttempt.kind.in_(kinds), FailedAttempt.subject == subject)
    ).rowcount


def prune_failed_attempts(session: Session, settings: Settings) -> int:
    """Drops attempts too old to count towards any limit (runs hourly), so that failures
    cannot grow the table without end."""
    longest = max(
        settings.login_window_minutes, settings.lockout_minutes, settings.invite_window_minutes
    )
    removed = session.execute(
        delete(FailedAttempt).where(
            FailedAttempt.attempted_at < clock.utcnow() - timedelta(minutes=longest)
        )
    ).rowcount
    session.commit()
    return removed
