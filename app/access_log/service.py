"""Writing a line of the access log (in the caller's transaction) and reading the log for
the plan's owner."""

import uuid
from typing import Any, NamedTuple

from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.access_log.models import AccessEvent, Attributed
from app.accounts.models import User
from app.core import clock
from app.plans.models import Plan

# The table's own insert, not the model's: the ORM's bulk-insert path costs several times
# more, and this runs on every grantee read. Inline: no new id is read back, none is needed.
INSERT_ACCESS_EVENT = insert(AccessEvent.__table__).inline()


class AccessLogPerson(NamedTuple):
    """Who did something, as the access log records them."""

    id: uuid.UUID
    display_name: str
    role: str
    organisation: str | None


def attributed_to(user: User) -> dict[str, Any]:
    """An `Attributed` row's values for something `user` writes."""
    return {
        "author_id": user.id,
        "author_name": user.display_name,
        "author_role": user.role,
        "author_organisation": user.organisation,
    }


def author_view(record: Attributed) -> dict[str, Any]:
    """Who wrote or did it, as they were named then."""
    return {
        "display_name": record.author_name,
        "role": record.author_role,
        "organisation": record.author_organisation,
    }


def _section_names(sections: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"key": s["key"], "title": s["title"]} for s in sections]


def access_event(
    *,
    owner_id: uuid.UUID,
    plan_id: uuid.UUID | None,
    event: str,
    summary: str,
    by: User | AccessLogPerson | None = None,
    by_name: str = "",
    share_id: uuid.UUID | None = None,
    card_id: uuid.UUID | None = None,
    sections: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One access-log line, as values for `INSERT_ACCESS_EVENT`."""
    return {
        "owner_id": owner_id,
        "plan_id": plan_id,
        "at": clock.utcnow(),
        "event": event,
        "summary": summary,
        "author_id": by.id if by else None,
        "author_name": by.display_name if by else by_name,
        "author_role": by.role if by else None,
        "author_organisation": by.organisation if by else None,
        "share_id": share_id,
        "crisis_card_id": card_id,
        "sections": _section_names(sections or []),
    }


def log_event(session: Session | Connection, **line: Any) -> None:
    """Writes one access-log line (see `access_event`) in the caller's transaction."""
    session.execute(INSERT_ACCESS_EVENT, [access_event(**line)])


def access_log(session: Session, plan: Plan, limit: int, before: int | None) -> dict[str, Any]:
    """Newest first: this plan's lines and the account-wide ones (the sharing switch)."""
    query = (
        select(AccessEvent)
        .where(
            AccessEvent.owner_id == plan.owner_id,
            or_(AccessEvent.plan_id == plan.id, AccessEvent.plan_id.is_(None)),
        )
        .order_by(AccessEvent.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(AccessEvent.id < before)
    events = list(session.execute(query).scalars())
    more = len(events) > limit
    events = events[:limit]
    return {
        "entries": [
            {
                "id": e.id,
                "at": clock.isoformat(e.at),
                "event": e.event,
                "summary": e.summary,
                "who": author_view(e),
                "share_id": e.share_id,
                "crisis_card_id": e.crisis_card_id,
                "sections": e.sections or [],
            }
            for e in events
        ],
        "next_before": events[-1].id if more else None,
    }
