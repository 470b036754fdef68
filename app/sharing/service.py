"""Sharing the person controls: the one switch for all sharing, shares of chosen sections
made as invites, and accepting an invite. What a grantee may then do is in `grants`; their
reads in `queries`. Every sharing change is written to the person's access log."""

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from app.access_log.service import log_event
from app.accounts import attempts
from app.accounts.attempts import AttemptKind
from app.accounts.models import User
from app.core import clock
from app.core.clock import day
from app.core.config import Settings
from app.core.db import read_outside_a_transaction
from app.core.errors import Problem
from app.core.json_text import from_json_text
from app.core.security import token_digest
from app.plans.models import Plan
from app.sharing import queries
from app.sharing.models import (
    CrisisCard,
    EndReason,
    Permission,
    Share,
    ShareLabel,
    SharingSwitch,
)
from app.sharing.schemas import ShareCreate
from app.sharing.words import (
    ACCOUNT_CLOSED,
    LABEL_WORDS,
    PERMISSION_WORDS,
    person_view,
    section_names,
    titles,
    who,
)

INVITE_DAYS = 7
# Crockford base32: no I, L, O or U, so a code read out over the phone is hard to mistype.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 20  # 100 bits


# ---- the sharing switch ----------------------------------------------------------------


def sharing_enabled(session: Session, owner_id: uuid.UUID) -> bool:
    switch = session.get(SharingSwitch, owner_id)
    return switch is None or switch.enabled


def _hold_sharing_switch(session: Session, owner_id: uuid.UUID) -> None:
    """Takes the owner's account row for writing until this transaction ends. Switching
    sharing and making a share or crisis card each take it first, so they happen one after
    the other: a share or card checked while sharing was on and written after the switch
    ended every share would otherwise outlive the switch, and work again once it is on."""
    session.execute(
        update(User.__table__).where(User.__table__.c.id == owner_id).values(id=User.__table__.c.id)
    )


def require_sharing_on(session: Session, owner: User) -> None:
    """Before a share or crisis card is made: 409 while sharing is off, and the switch held
    until the caller's transaction ends."""
    _hold_sharing_switch(session, owner.id)
    if not sharing_enabled(session, owner.id):
        raise Problem(
            409,
            "Sharing is switched off for your account. Switch it on first "
            "(PUT /api/v1/me/sharing with enabled: true), then share again.",
        )


def sharing_state(session: Session, owner: User, message: str = "") -> dict[str, Any]:
    switch = session.get(SharingSwitch, owner.id)
    enabled = switch is None or switch.enabled
    return {
        "enabled": enabled,
        "changed_at": clock.isoformat(switch.changed_at) if switch else None,
        "message": message
        or (
            "Sharing is on: the shares you made work until they end or you revoke them."
            if enabled
            else "Sharing is off: nobody can open your plans through a share or crisis card."
        ),
    }


def set_sharing(session: Session, owner: User, enabled: bool) -> dict[str, Any]:
    """Off ends every share and crisis card at once. On again restores none of them:
    the person makes new shares, so nothing comes back silently."""
    _hold_sharing_switch(session, owner.id)
    now = clock.utcnow()
    switch = session.get(SharingSwitch, owner.id) or SharingSwitch(owner_id=owner.id, enabled=True)
    if switch.enabled == enabled:
        return sharing_state(session, owner)
    switch.enabled, switch.changed_at = enabled, now
    session.add(switch)
    if enabled:
        message = (
            "Sharing is on again. Shares and crisis cards that ended when you switched it off "
            "stay ended; make new ones for the people you want to share with."
        )
        summary = "You switched sharing on again. Shares that had ended stay ended."
    else:
        ended_shares, ended_cards = end_sharing(session, owner.id, EndReason.sharing_switched_off)
        message = (
            f"Sharing is off. {ended_shares} share(s) and {ended_cards} crisis card link(s) "
            "stopped working now. This stops future views; it cannot undo what people have "
            "already seen. Switching sharing on again will not bring these back."
        )
        summary = (
            f"You switched all sharing off: {ended_shares} share(s) and {ended_cards} crisis "
            "card link(s) ended."
        )
    log_event(
        session,
        owner_id=owner.id,
        plan_id=None,
        event="sharing_switched_on" if enabled else "sharing_switched_off",
        by=owner,
        summary=summary,
    )
    session.commit()
    return sharing_state(session, owner, message)


def end_sharing(
    session: Session, owner_id: uuid.UUID, reason: EndReason, plan_id: uuid.UUID | None = None
) -> tuple[int, int]:
    """Ends the owner's open shares and turns off their working crisis card links, of one
    plan or of all their plans: how many of each ended."""
    now = clock.utcnow()
    of_plan = [] if plan_id is None else [Share.plan_id == plan_id]
    shares = session.execute(
        update(Share)
        .where(Share.owner_id == owner_id, Share.ended_at.is_(None), *of_plan)
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    card_of_plan = [] if plan_id is None else [CrisisCard.plan_id == plan_id]
    cards = session.execute(
        update(CrisisCard)
        .where(
            CrisisCard.owner_id == owner_id,
            CrisisCard.revoked_at.is_(None),
            CrisisCard.expires_at > now,
            *card_of_plan,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return shares, cards


# ---- shares: the owner's side ----------------------------------------------------------


def _new_invite_code() -> str:
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


def _normalised_code(code: str) -> str:
    code = "".join(c for c in code.upper() if c.isalnum())
    return code.replace("O", "0").replace("I", "1").replace("L", "1")


def share_status(share: Share, now: datetime) -> str:
    if share.ended_at is not None:
        return share.end_reason or EndReason.revoked
    if share.accepted_at is None:
        return "invite_expired" if share.invite_expires_at <= now else "waiting"
    if share.grantee_id is None:
        return "account_closed"
    if share.expires_at is not None and share.expires_at <= now:
        return "expired"
    return "active"


def _share_summary(share: Share, status: str, grantee: User | None, shared: str) -> str:
    can = PERMISSION_WORDS[Permission(share.permission)]
    until = f"until {day(share.expires_at)}" if share.expires_at else "until you end it"
    if status == "waiting":
        return (
            f"Invite for your {LABEL_WORDS[ShareLabel(share.label)]}, not accepted yet "
            f"(the code works until {day(share.invite_expires_at)}). Whoever accepts it can "
            f"{can}: {shared}, {until}."
        )
    if status == "invite_expired":
        return f"Invite not accepted in time; it ended on {day(share.invite_expires_at)}."
    named = who(
        grantee.display_name if grantee else ACCOUNT_CLOSED,
        share.label,
        grantee.organisation if grantee else None,
    )
    if status == "active":
        return f"{named} can {can}: {shared}. Since {day(share.accepted_at)}, {until}."
    if status == "expired":
        ended = f"it reached its end date, {day(share.expires_at)}"
    elif status == EndReason.sharing_switched_off:
        ended = f"you switched sharing off on {day(share.ended_at)}"
    elif status == EndReason.plan_deleted:
        ended = "you deleted the plan, and restored it without its sharing"
    elif status == "account_closed":
        ended = "their account is closed"
    else:
        ended = f"you revoked it on {day(share.ended_at)}"
    return f"{named} could {can}: {shared}. This share has ended: {ended}."


def share_view(share: Share, plan: Plan, grantee: User | None) -> dict[str, Any]:
    status = share_status(share, clock.utcnow())
    sections = section_names(plan, share.sections)
    return {
        "id": share.id,
        "plan_id": share.plan_id,
        "status": status,
        "summary": _share_summary(share, status, grantee, titles(sections)),
        "grantee": person_view(grantee) if share.accepted_at else None,
        "label": share.label,
        "permission": share.permission,
        "sections": sections,
        "created_at": clock.isoformat(share.created_at),
        "invite_expires_at": clock.isoformat(share.invite_expires_at),
        "accepted_at": clock.isoformat(share.accepted_at),
        "expires_at": clock.isoformat(share.expires_at),
        "ended_at": clock.isoformat(share.ended_at),
    }


def _check_sections(plan: Plan, keys: list[str]) -> list[str]:
    by_key = {s["key"]: s for s in plan.outline}
    unknown = [k for k in keys if k not in by_key]
    # 409: which sections there are, and which are hidden, is the plan's state now.
    if unknown:
        raise Problem(
            409,
            f"Your plan has no section '{unknown[0]}'. Choose from: {', '.join(by_key)}.",
        )
    hidden = [by_key[k]["title"] for k in keys if by_key[k]["hidden"]]
    if hidden:
        raise Problem(
            409,
            f"'{hidden[0]}' is hidden in your plan, so it can't be shared. Show it first, "
            "or leave it out.",
        )
    return list(dict.fromkeys(keys))


def check_end_date(expires_at: datetime | None) -> None:
    """A share's or crisis card's end date must be still to come."""
    if expires_at is not None and expires_at <= clock.utcnow():
        raise Problem(422, "The end date is in the past. Choose a date and time still to come.")


def create_share(session: Session, owner: User, plan: Plan, body: ShareCreate) -> dict[str, Any]:
    require_sharing_on(session, owner)
    keys = _check_sections(plan, body.sections)
    check_end_date(body.expires_at)
    code = _new_invite_code()
    now = clock.utcnow()
    share = Share(
        plan_id=plan.id,
        owner_id=owner.id,
        sections=keys,
        permission=body.permission,
        label=body.label,
        invite_digest=token_digest(_normalised_code(code)),
        invite_expires_at=now + timedelta(days=INVITE_DAYS),
        created_at=now,
        plan_updated_at=plan.updated_at,
        expires_at=body.expires_at,
    )
    session.add(share)
    sections = section_names(plan, keys)
    log_event(
        session,
        owner_id=owner.id,
        plan_id=plan.id,
        event="share_created",
        by=owner,
        share_id=share.id,
        sections=sections,
        summary=f"You made an invite for your {LABEL_WORDS[body.label]} to "
        f"{PERMISSION_WORDS[body.permission]}: {titles(sections)}.",
    )
    session.commit()
    return share_view(share, plan, None) | {
        "invite_code": code,
        "invite_link": f"/#accept-share={code}",
    }


def list_shares(session: Session, plan: Plan) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Share, User)
        .outerjoin(User, User.id == Share.grantee_id)
        .where(Share.plan_id == plan.id)
        .order_by(Share.created_at.desc())
    ).all()
    return [share_view(share, plan, grantee) for share, grantee in rows]


def _owned_share(session: Session, plan: Plan, share_id: uuid.UUID) -> tuple[Share, User | None]:
    share = session.get(Share, share_id)
    if share is None or share.plan_id != plan.id:
        raise Problem(
            404,
            "This plan has no share with this id. Its shares are listed at "
            f"/api/v1/plans/{plan.id}/shares.",
        )
    return share, session.get(User, share.grantee_id) if share.grantee_id else None


def update_share(
    session: Session, owner: User, plan: Plan, share_id: uuid.UUID, fields: dict[str, Any]
) -> dict[str, Any]:
    share, grantee = _owned_share(session, plan, share_id)
    if share_status(share, clock.utcnow()) not in {"waiting", "active"}:
        raise Problem(
            409, "This share has ended, so it can't be changed. Make a new share instead."
        )
    changes = []
    if "sections" in fields:
        share.sections = _check_sections(plan, fields["sections"])
        changes.append(f"sections now {titles(section_names(plan, share.sections))}")
    if "permission" in fields:
        share.permission = fields["permission"]
        changes.append(f"they may now {PERMISSION_WORDS[Permission(share.permission)]} them")
    if "label" in fields:
        share.label = fields["label"]
        changes.append(f"labelled {LABEL_WORDS[ShareLabel(share.label)]}")
    if "expires_at" in fields:
        check_end_date(fields["expires_at"])
        share.expires_at = fields["expires_at"]
        changes.append(
            f"ends on {day(share.expires_at)}" if share.expires_at else "no end date now"
        )
    session.add(share)
    who = grantee.display_name if grantee else "your invite"
    log_event(
        session,
        owner_id=owner.id,
        plan_id=plan.id,
        event="share_changed",
        by=owner,
        share_id=share.id,
        sections=section_names(plan, share.sections),
        summary=f"You changed the share with {who}: {'; '.join(changes)}.",
    )
    session.commit()
    return share_view(share, plan, grantee)


def revoke_share(session: Session, owner: User, plan: Plan, share_id: uuid.UUID) -> dict[str, Any]:
    share, grantee = _owned_share(session, plan, share_id)
    who = grantee.display_name if grantee else "an invite nobody had accepted"
    if share.ended_at is None:
        share.ended_at, share.end_reason = clock.utcnow(), EndReason.revoked
        session.add(share)
        log_event(
            session,
            owner_id=owner.id,
            plan_id=plan.id,
            event="share_revoked",
            by=owner,
            share_id=share.id,
            sections=section_names(plan, share.sections),
            summary=f"You revoked the share with {who}.",
        )
        session.commit()
        message = (
            f"Done: the share with {who} has ended, and it can't be used to open your plan "
            "from now on. Revoking stops future views; it cannot unsee what was already seen."
        )
    else:
        message = "This share had already ended; nothing changed."
    return share_view(share, plan, grantee) | {"message": message}


# ---- shares: the grantee's side --------------------------------------------------------


INVITE_ATTEMPTS_LIMITED = (
    "Too many wrong or expired invite codes. Wait {wait}, then check the code with the "
    "person who gave it to you."
)


def _claim_invite_attempt(
    session: Session, user: User, client_address: str, settings: Settings
) -> list[attempts.Claim]:
    """Takes this attempt's place under the account's and the address's limits on wrong or
    expired codes; 429 once either is full, even if this code is right: otherwise the limit
    would not slow guessing down. Parallel guesses check no more codes than the limits."""
    window = timedelta(minutes=settings.invite_window_minutes)
    per_account = attempts.Limit(
        AttemptKind.invite_account, settings.invite_max_failures, window, INVITE_ATTEMPTS_LIMITED
    )
    per_address = attempts.Limit(
        AttemptKind.invite_address,
        settings.invite_max_failures_per_address,
        window,
        INVITE_ATTEMPTS_LIMITED,
    )
    return attempts.claim_all(session, (per_account, str(user.id)), (per_address, client_address))


def accept_invite(
    session: Session, user: User, code: str, client_address: str, settings: Settings
) -> dict[str, Any]:
    claims = _claim_invite_attempt(session, user, client_address, settings)
    share = session.execute(
        select(Share).where(Share.invite_digest == token_digest(_normalised_code(code)))
    ).scalar_one_or_none()
    wrong_or_expired = share is None or (
        user.id not in (share.owner_id, share.grantee_id)
        and share.accepted_at is None
        and share_status(share, clock.utcnow()) != "waiting"
    )
    if not wrong_or_expired:
        attempts.give_back(session, *claims)
    if share is None:
        raise Problem(404, "No invite matches this code. Check it, or ask for a new invite.")
    if share.owner_id == user.id:
        raise Problem(
            409, "This is an invite to your own plan. Give the code to the person you share with."
        )
    if share.grantee_id == user.id:
        return _grantee_view(session, share)
    now = clock.utcnow()
    if share.accepted_at is not None:
        raise Problem(409, "This invite has already been used. Ask for a new one.")
    status = share_status(share, now)
    if status != "waiting":
        raise Problem(410, "This invite has ended or expired. Ask for a new one.")
    # The share as the claim left it, in the same statement: the owner may have changed it
    # since it was read.
    share = session.scalars(
        update(Share)
        .where(Share.id == share.id, Share.accepted_at.is_(None), Share.ended_at.is_(None))
        .values(grantee_id=user.id, accepted_at=now)
        .returning(Share),
        execution_options={"populate_existing": True},
    ).one_or_none()
    if share is None:
        session.rollback()
        raise Problem(409, "This invite has just been used or ended. Ask for a new one.")
    plan = session.get(Plan, share.plan_id)
    sections = section_names(plan, share.sections)
    log_event(
        session,
        owner_id=share.owner_id,
        plan_id=share.plan_id,
        event="share_accepted",
        by=user,
        share_id=share.id,
        sections=sections,
        summary=f"{who(user.display_name, share.label, user.organisation)} accepted your "
        f"invite and can now {PERMISSION_WORDS[Permission(share.permission)]}: "
        f"{titles(sections)}.",
    )
    session.commit()
    return _grantee_view(session, share)


def _grantee_view(session: Session, share: Share) -> dict[str, Any]:
    # After the acceptance's commit (or the attempt's, when it was accepted before).
    read_outside_a_transaction(session)
    listed = queries.listed_share(session, share.grantee_id, share.id)
    if listed is None:
        raise Problem(410, "This share has ended, so the plan is no longer shared with you.")
    return from_json_text(listed)
