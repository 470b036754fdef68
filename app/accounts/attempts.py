"""Abuse limits (sign-ins, invite codes, registrations) per subject and per client address,
counted in the database so that every app process enforces the same limits.

Each (kind, subject) has one counter row. An attempt claims a place in its counter before
any password or code is checked, with one statement that counts and decides together (an
upsert whose update only happens while the counter has room): on PostgreSQL the row lock
makes parallel claims wait for each other and see each other's count, and SQLite writes one
statement at a time, so N parallel attempts never check more than the limit. An attempt
that succeeds gives its place back; a failed one keeps it until the window ends.

Windows are fixed: a counter's window starts at the first attempt after the last one ended,
so across a window's end up to twice the limit can be tried in quick succession. A limit
with a lockout (sign-ins per email) also starts the lockout when the limit is reached;
attempts before a lockout no longer count once it ends."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fastapi import Request
from sqlalchemy import and_, bindparam, case, delete, literal_column, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.accounts.models import ATTEMPT_SUBJECT_LENGTH, CLIENT_ADDRESS_LENGTH, AttemptCounter
from app.core import clock
from app.core.config import Settings
from app.core.driver import DriverRead, read_in, write_in
from app.core.errors import Problem
from app.core.types import UTCDateTime


class AttemptKind(StrEnum):
    sign_in_email = "sign_in_email"
    sign_in_address = "sign_in_address"
    invite_account = "invite_account"
    invite_address = "invite_address"
    registration_address = "registration_address"
    reset_email = "reset_email"
    reset_address = "reset_address"


@dataclass(frozen=True)
class Limit:
    kind: AttemptKind
    max_attempts: int
    window: timedelta
    # Said in the 429 when the limit refuses an attempt.
    detail: str
    # How long reaching the limit shuts the subject out, from the attempt that reached it.
    lockout: timedelta | None = None


@dataclass(frozen=True)
class Claim:
    """A place taken in one counter, to give back if the attempt succeeds."""

    kind: AttemptKind
    subject: str
    window_started_at: datetime


def client_address_of(request: Request) -> str:
    """Who is asking, as far as the network says: uvicorn takes it from X-Forwarded-For
    only when the proxy is trusted (FORWARDED_ALLOW_IPS)."""
    host = request.client.host if request.client else "unknown"
    return host[:CLIENT_ADDRESS_LENGTH]


def wait_in_words(seconds: int) -> str:
    """How long to wait, as a person would say it: "about 10 minutes", "a minute"."""
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "a minute"
    if minutes < 90:
        return f"about {minutes} minutes"
    return f"about {math.ceil(minutes / 60)} hours"


def too_many(detail: str, until: datetime) -> Problem:
    """429 with Retry-After: the whole seconds left until `until`; "{wait}" in `detail`
    becomes that time in words."""
    seconds = max(1, math.ceil((until - clock.utcnow()).total_seconds()))
    return Problem(
        429,
        detail.format(wait=wait_in_words(seconds)),
        headers={"Retry-After": str(seconds)},
        retry_after_seconds=seconds,
    )


_counter = AttemptCounter.__table__.c


def claim(session: Session, limit: Limit, subject: str) -> Claim:
    """Takes a place in the subject's counter and commits it, or refuses with a 429 when
    the counter is full or locked. Counting and deciding are one statement."""
    return claim_all(session, (limit, subject))[0]


def claim_all(session: Session, *wanted: tuple[Limit, str]) -> list[Claim]:
    """Takes a place under each (limit, subject) in turn, and commits them together; when
    one refuses (429), the places already taken are given back before the refusal goes on.
    When the database was lost instead (a 503), nothing is counted. Every caller names its
    counters in the same order of kinds, so two requests never wait for each other's."""
    claims: list[Claim] = []
    for limit, subject in wanted:
        # No email that long has an account; it still counts, under its first characters.
        subject = subject[:ATTEMPT_SUBJECT_LENGTH]
        window_started_at = _take_place(session, limit, subject)
        if window_started_at is None:
            give_back(session, *claims)
            raise too_many(limit.detail, _refused_until(session, limit, subject))
        claims.append(Claim(limit.kind, subject, window_started_at))
    session.commit()
    return claims


def _take_place(session: Session, limit: Limit, subject: str) -> datetime | None:
    """The counter's window start once a place is taken in it; None when it is full or
    locked. Not committed."""
    now = clock.utcnow()
    values = {
        "kind": limit.kind.value,
        "subject": subject,
        "now": now,
        "window_ended_by": now - limit.window,
        "max_attempts": limit.max_attempts,
    }
    taken = read_in(session, _UPSERTS[session.get_bind().dialect.name], values)
    return None if taken is None else taken.window_started_at


# In the SQL itself: the driver is given only the values named by bindparam.
_ONE = literal_column("1")


def _built_upsert(dialect_name: str) -> DriverRead:
    # A counter starts again once its lockout has run out, or (never locked) its window has.
    now = bindparam("now", type_=UTCDateTime)
    ended = or_(
        and_(_counter.locked_until.is_not(None), _counter.locked_until <= now),
        and_(
            _counter.locked_until.is_(None),
            _counter.window_started_at <= bindparam("window_ended_by", type_=UTCDateTime),
        ),
    )
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(AttemptCounter.__table__).values(
        kind=bindparam("kind"),
        subject=bindparam("subject"),
        window_started_at=now,
        attempts=_ONE,
        locked_until=null(),
    )
    has_room = and_(_counter.locked_until.is_(None), _counter.attempts < bindparam("max_attempts"))
    upsert = insert.on_conflict_do_update(
        index_elements=[_counter.kind, _counter.subject],
        set_={
            "attempts": case((ended, _ONE), else_=_counter.attempts + _ONE),
            "window_started_at": case((ended, now), else_=_counter.window_started_at),
            "locked_until": case((ended, null()), else_=_counter.locked_until),
        },
        where=or_(ended, has_room),
    ).returning(_counter.window_started_at)
    return DriverRead(upsert)


# Built once per database and compiled once for the driver (app/core/driver.py): building
# and compiling them anew cost more than running them, for every sign-in and invite code.
_UPSERTS = {name: _built_upsert(name) for name in ("postgresql", "sqlite")}
# Named apart from the columns: an UPDATE keeps the columns' names for its values.
_GIVE_BACK = (
    update(AttemptCounter.__table__)
    .where(
        _counter.kind == bindparam("of_kind"),
        _counter.subject == bindparam("of_subject"),
        _counter.window_started_at == bindparam("of_window", type_=UTCDateTime),
        _counter.attempts > literal_column("0"),
    )
    .values(attempts=_counter.attempts - _ONE)
)


def _refused_until(session: Session, limit: Limit, subject: str) -> datetime:
    row = session.execute(
        select(_counter.window_started_at, _counter.locked_until).where(
            _counter.kind == limit.kind, _counter.subject == subject
        )
    ).one_or_none()
    if row is None:  # a success cleared the counter just now: worth trying again at once
        return clock.utcnow()
    return row.locked_until or row.window_started_at + limit.window


def _same_window(claimed: Claim):
    return and_(
        _counter.kind == claimed.kind,
        _counter.subject == claimed.subject,
        _counter.window_started_at == claimed.window_started_at,
    )


def give_back(session: Session, *claimed: Claim) -> None:
    """The attempt succeeded (or was refused for another reason): its places are free
    again. Commits."""
    for claim in claimed:
        values = {"of_kind": claim.kind.value, "of_subject": claim.subject}
        write_in(session, _GIVE_BACK, values | {"of_window": claim.window_started_at})
    session.commit()


def lock_when_full(session: Session, limit: Limit, claimed: Claim) -> None:
    """After a failure: if it filled the counter, the lockout starts now. Commits."""
    session.execute(
        update(AttemptCounter)
        .where(
            _same_window(claimed),
            _counter.attempts >= limit.max_attempts,
            _counter.locked_until.is_(None),
        )
        .values(locked_until=clock.utcnow() + limit.lockout)
    )
    session.commit()


def forget(session: Session, kind: AttemptKind, subject: str) -> bool:
    """Drops the subject's counter of this kind and commits; whether there was one."""
    removed = session.execute(
        delete(AttemptCounter).where(
            _counter.kind == kind, _counter.subject == subject[:ATTEMPT_SUBJECT_LENGTH]
        )
    ).rowcount
    session.commit()
    return removed > 0


def prune_failed_attempts(session: Session, settings: Settings) -> int:
    """Drops counters whose window and lockout have both ended (runs hourly), so that the
    table cannot grow without end."""
    now = clock.utcnow()
    longest = timedelta(
        minutes=max(
            settings.login_window_minutes,
            settings.invite_window_minutes,
            settings.registration_window_minutes,
            settings.reset_window_minutes,
        )
    )
    removed = session.execute(
        delete(AttemptCounter).where(
            _counter.window_started_at < now - longest,
            or_(_counter.locked_until.is_(None), _counter.locked_until < now),
        )
    ).rowcount
    session.commit()
    return removed
