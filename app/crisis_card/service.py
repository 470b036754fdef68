import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import segno
from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from app.access_log.models import AccessEvent
from app.access_log.service import log_event
from app.accounts.models import User
from app.core import clock
from app.core.clock import day
from app.core.errors import Problem
from app.core.security import new_opaque_token, token_digest
from app.crisis_card.schemas import CrisisCardCreate
from app.plans.models import Plan
from app.plans.templates import CRISIS_SECTION
from app.sharing import service as sharing
from app.sharing.models import CrisisCard
from app.sharing.words import visible_sections

CRISIS_CARD_DAYS = 90
CRISIS_CARD_MAX_DAYS = 730
CARD_HOLDER = "Someone holding your crisis card"


def _card_status(card: CrisisCard, now: datetime) -> str:
    if card.revoked_at is not None:
        return "revoked"
    return "expired" if card.expires_at <= now else "active"


def _card_view(session: Session, card: CrisisCard, plan: Plan) -> dict[str, Any]:
    status = _card_status(card, clock.utcnow())
    uses = session.execute(
        select(func.count())
        .select_from(AccessEvent)
        .where(AccessEvent.crisis_card_id == card.id, AccessEvent.event == "crisis_card_used")
    ).scalar_one()
    if status != "active":
        message = f"This crisis card link is {status}. Make a new one if you need it."
    elif not visible_sections(plan.sections, [CRISIS_SECTION]):
        message = (
            "Your crisis plan is hidden or missing, so the card shows nothing until you show it."
        )
    else:
        message = (
            f"Anyone holding the link or QR code can read your crisis plan, until "
            f"{day(card.expires_at)} or until you turn it off. Every use is in your access log."
        )
    return {
        "id": card.id,
        "status": status,
        "created_at": clock.isoformat(card.created_at),
        "expires_at": clock.isoformat(card.expires_at),
        "revoked_at": clock.isoformat(card.revoked_at),
        "uses": uses,
        "message": message,
    }


def _latest_card(session: Session, plan: Plan) -> CrisisCard | None:
    return session.execute(
        select(CrisisCard)
        .where(CrisisCard.plan_id == plan.id)
        .order_by(CrisisCard.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def create_crisis_card(
    session: Session, owner: User, plan: Plan, body: CrisisCardCreate, base_url: str
) -> dict[str, Any]:
    """One card per plan: a new card turns the previous link off."""
    sharing.require_sharing_on(session, owner)
    now = clock.utcnow()
    expires_at = body.expires_at or now + timedelta(days=CRISIS_CARD_DAYS)
    sharing.check_end_date(expires_at)
    if expires_at > now + timedelta(days=CRISIS_CARD_MAX_DAYS):
        raise Problem(422, "A crisis card can last at most two years. Choose an earlier date.")
    session.execute(
        update(CrisisCard)
        .where(CrisisCard.plan_id == plan.id, CrisisCard.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = new_opaque_token()
    card = CrisisCard(
        plan_id=plan.id,
        owner_id=owner.id,
        token_digest=token_digest(token),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(card)
    log_event(
        session,
        owner_id=owner.id,
        plan_id=plan.id,
        event="crisis_card_created",
        by=owner,
        card_id=card.id,
        sections=[s for s in plan.sections if s["key"] == CRISIS_SECTION],
        summary=f"You made a crisis card link, working until {day(expires_at)}. Any earlier "
        "crisis card link for this plan stopped working.",
    )
    session.commit()
    url = f"{base_url.rstrip('/')}/c/{token}"
    return _card_view(session, card, plan) | {
        "url": url,
        "qr_svg": _qr_svg(url),
    }


def _qr_svg(url: str) -> str:
    """A standalone SVG document (with its namespace), usable inline or as an image file."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", xmldecl=False, scale=4, border=4, title="Crisis card link", nl=False
    )
    return out.getvalue().decode()


def crisis_card(session: Session, plan: Plan) -> dict[str, Any]:
    card = _latest_card(session, plan)
    if card is None:
        raise Problem(
            404,
            f"This plan has no crisis card. Make one: POST /api/v1/plans/{plan.id}/crisis-card.",
        )
    return _card_view(session, card, plan)


def revoke_crisis_card(session: Session, owner: User, plan: Plan) -> dict[str, Any]:
    card = _latest_card(session, plan)
    if card is None or card.revoked_at is not None:
        raise Problem(404, "This plan has no crisis card link turned on, so nothing changed.")
    card.revoked_at = clock.utcnow()
    session.add(card)
    log_event(
        session,
        owner_id=owner.id,
        plan_id=plan.id,
        event="crisis_card_revoked",
        by=owner,
        card_id=card.id,
        summary="You turned your crisis card link off. It stops future views; it cannot "
        "unsee what was already seen.",
    )
    session.commit()
    return _card_view(session, card, plan)


@dataclass(frozen=True)
class CardPage:
    owner_name: str
    crisis: dict[str, Any] | None
    updated_at: datetime
    expires_at: datetime


def use_crisis_card(session: Session, token: str, *, printed: bool = False) -> CardPage:
    """What the public card (page or PDF) shows; the use is logged. 404 for an unknown
    link, 410 once it is turned off, expired, or sharing is off."""
    row = session.execute(
        select(CrisisCard, Plan, User)
        .join(Plan, and_(Plan.owner_id == CrisisCard.owner_id, Plan.id == CrisisCard.plan_id))
        .join(User, User.id == CrisisCard.owner_id)
        .where(CrisisCard.token_digest == token_digest(token))
    ).one_or_none()
    if row is None:
        raise Problem(404, "There is no crisis card at this address. Check the link.")
    card, plan, owner = row
    if (
        _card_status(card, clock.utcnow()) != "active"
        or plan.deleted_at is not None
        or not sharing.sharing_enabled(session, owner.id)
    ):
        raise Problem(410, "This crisis card link has been turned off or has expired.")
    crisis = next(iter(visible_sections(plan.sections, [CRISIS_SECTION])), None)
    did = "printed your crisis card from its link" if printed else "opened your crisis card link"
    log_event(
        session,
        owner_id=owner.id,
        plan_id=plan.id,
        event="crisis_card_used",
        by_name=CARD_HOLDER,
        card_id=card.id,
        sections=[crisis] if crisis else [],
        summary=f"Someone {did} and saw "
        + (f"{crisis['title']}." if crisis else "nothing, as your crisis plan is hidden."),
    )
    session.commit()
    return CardPage(owner.display_name, crisis, plan.updated_at, card.expires_at)
