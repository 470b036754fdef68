"""Sharing the person controls. Every grantee request is checked against the database
(share live, not expired, owner's sharing on, plan not deleted), so ending a share takes
effect at once, whatever tokens anyone still holds. Every read by anyone but the owner
writes exactly one access-log line, committed before the answer is sent."""

import hashlib
import io
import json
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import segno
from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.accounts import attempts
from app.accounts.attempts import AttemptKind
from app.accounts.models import AuthSession, User
from app.accounts.service import (
    LIVE_SESSION,
    sign_in_required,
    signed_in_claims,
    signed_in_user,
)
from app.core import caches, clock
from app.core.config import Settings
from app.core.db import retried_on_stale_connection
from app.core.driver import AwaitedDriver, Write
from app.core.encryption import active_keyring, as_stored, decrypt_stored
from app.core.errors import Problem
from app.core.group_commit import GroupCommit
from app.core.security import new_opaque_token, token_digest
from app.plans import service as plans
from app.plans.models import Plan
from app.plans.templates import CRISIS_SECTION
from app.sharing.models import (
    PERMISSION_ORDER,
    AccessEvent,
    Attributed,
    Comment,
    CrisisCard,
    EndReason,
    Permission,
    Share,
    ShareLabel,
    SharingSwitch,
    Suggestion,
    SuggestionAction,
    SuggestionStatus,
)
from app.sharing.schemas import (
    CommentCreate,
    CrisisCardCreate,
    ShareCreate,
    SuggestionCreate,
)

INVITE_DAYS = 7
LAST_VIEWED_PRECISION = timedelta(minutes=1)
CRISIS_CARD_DAYS = 90
CRISIS_CARD_MAX_DAYS = 730
# Crockford base32: no I, L, O or U, so a code read out over the phone is hard to mistype.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 20  # 100 bits

LABEL_WORDS = {
    ShareLabel.link_worker: "link worker",
    ShareLabel.clinician: "clinician",
    ShareLabel.carer: "carer",
    ShareLabel.peer_worker: "peer worker",
    ShareLabel.other: "someone you chose",
}
PERMISSION_WORDS = {
    Permission.view: "see",
    Permission.comment: "see and comment on",
    Permission.suggest: "see, comment on and suggest changes to",
}
CARD_HOLDER = "Someone holding your crisis card"
NOT_SHARED_WITH_YOU = (
    "Nothing is shared with you under this id. Your list is at /api/v1/shared-with-me."
)


# ---- words -----------------------------------------------------------------------------


# Spelt out rather than from strftime("%B"), which follows the server's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _titles(sections: list[dict[str, Any]]) -> str:
    names = [s["title"] or f"a removed section ({s['key']})" for s in sections]
    if not names:
        return "no sections"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _person(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"display_name": "Someone whose account is closed"}
    return {
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation,
    }


def _author(record: Attributed) -> dict[str, Any]:
    return {
        "display_name": record.author_name,
        "role": record.author_role,
        "organisation": record.author_organisation,
    }


def _who(name: str, label: str | None, organisation: str | None) -> str:
    details = [d for d in (LABEL_WORDS.get(label) if label else None, organisation) if d]
    return f"{name} ({', '.join(details)})" if details else name


def section_names(plan: Plan, keys: list[str]) -> list[dict[str, Any]]:
    """The named sections, in the plan's order, then any the plan no longer has."""
    by_key = {s["key"]: s for s in plan.sections}
    present = [s for s in plan.sections if s["key"] in keys]
    names = [{"key": s["key"], "title": s["title"], "hidden": s["hidden"]} for s in present]
    return names + [{"key": k, "title": None, "hidden": False} for k in keys if k not in by_key]


def visible_sections(sections: list[dict[str, Any]], keys: Collection[str]) -> list[dict[str, Any]]:
    """What a grantee is shown: the shared sections the plan still has and does not hide."""
    return [s for s in sections if s["key"] in keys and not s["hidden"]]


def _names(sections: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"key": s["key"], "title": s["title"]} for s in sections]


def _section_digest(section: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(section, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Outline:
    """What "shared with me" needs of a section, without the section's words."""

    key: str
    title: str
    hidden: bool
    digest: str

    def name(self) -> dict[str, str]:
        """The section as lists and the access log name it."""
        return {"key": self.key, "title": self.title}


def _outline(sections: list[dict]) -> list[Outline]:
    return [Outline(s["key"], s["title"], s["hidden"], _section_digest(s)) for s in sections]


def _outlines(
    session: Session | Connection, plan_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[Outline]]:
    rows = session.execute(select(Plan.id, Plan.sections).where(Plan.id.in_(plan_ids)))
    return {plan_id: _outline(sections) for plan_id, sections in rows}


def _scoped_sections(connection: Connection, row) -> tuple[list[Outline], str] | None:
    """The outlines and the JSON of the sections this share shows of this plan version;
    None once the plan has moved on from that version."""
    sections_json = plans.sections_json_of(connection, row)
    if sections_json is None:
        return None
    shown = visible_sections(json.loads(sections_json), row.shared_keys)
    return _outline(shown), json.dumps(shown, ensure_ascii=False)


def _shown(outline: list[Outline], keys: list[str]) -> list[Outline]:
    return [o for o in outline if o.key in keys and not o.hidden]


# ---- the access log --------------------------------------------------------------------


# The table's own insert, not the model's: the ORM's bulk-insert path costs several times
# more, and this runs on every grantee read. Inline: no new id is read back, none is needed.
_INSERT_ACCESS_EVENT = insert(AccessEvent.__table__).inline()


class Person(NamedTuple):
    """Who did something, as the access log records them."""

    id: uuid.UUID
    display_name: str
    role: str
    organisation: str | None


def access_event(
    *,
    owner_id: uuid.UUID,
    plan_id: uuid.UUID | None,
    event: str,
    summary: str,
    by: User | Person | None = None,
    by_name: str = "",
    share_id: uuid.UUID | None = None,
    card_id: uuid.UUID | None = None,
    sections: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One access-log line, as values for `_INSERT_ACCESS_EVENT`."""
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
        "sections": _names(sections or []),
    }


def log_event(session: Session | Connection, **line: Any) -> None:
    """Writes one access-log line (see `access_event`) in the caller's transaction."""
    session.execute(_INSERT_ACCESS_EVENT, [access_event(**line)])


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
                "who": _author(e),
                "share_id": e.share_id,
                "crisis_card_id": e.crisis_card_id,
                "sections": e.sections or [],
            }
            for e in events
        ],
        "next_before": events[-1].id if more else None,
    }


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


def _require_sharing_on(session: Session, owner: User) -> None:
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
        ended_shares = session.execute(
            update(Share)
            .where(Share.owner_id == owner.id, Share.ended_at.is_(None))
            .values(ended_at=now, end_reason=EndReason.sharing_switched_off)
        ).rowcount
        ended_cards = session.execute(
            update(CrisisCard)
            .where(CrisisCard.owner_id == owner.id, CrisisCard.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
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


def _share_summary(share: Share, status: str, grantee: User | None, titles: str) -> str:
    can = PERMISSION_WORDS[Permission(share.permission)]
    until = f"until {day(share.expires_at)}" if share.expires_at else "until you end it"
    if status == "waiting":
        return (
            f"Invite for your {LABEL_WORDS[ShareLabel(share.label)]}, not accepted yet "
            f"(the code works until {day(share.invite_expires_at)}). Whoever accepts it can "
            f"{can}: {titles}, {until}."
        )
    if status == "invite_expired":
        return f"Invite not accepted in time; it ended on {day(share.invite_expires_at)}."
    who = _who(
        grantee.display_name if grantee else "Someone whose account is closed",
        share.label,
        grantee.organisation if grantee else None,
    )
    if status == "active":
        return f"{who} can {can}: {titles}. Since {day(share.accepted_at)}, {until}."
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
    return f"{who} could {can}: {titles}. This share has ended: {ended}."


def share_view(share: Share, plan: Plan, grantee: User | None) -> dict[str, Any]:
    status = share_status(share, clock.utcnow())
    sections = section_names(plan, share.sections)
    return {
        "id": share.id,
        "plan_id": share.plan_id,
        "status": status,
        "summary": _share_summary(share, status, grantee, _titles(sections)),
        "grantee": _person(grantee) if share.accepted_at else None,
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
    by_key = {s["key"]: s for s in plan.sections}
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


def _check_end_date(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= clock.utcnow():
        raise Problem(422, "The end date is in the past. Choose a date and time still to come.")


def create_share(session: Session, owner: User, plan: Plan, body: ShareCreate) -> dict[str, Any]:
    _require_sharing_on(session, owner)
    keys = _check_sections(plan, body.sections)
    _check_end_date(body.expires_at)
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
        f"{PERMISSION_WORDS[body.permission]}: {_titles(sections)}.",
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
        changes.append(f"sections now {_titles(section_names(plan, share.sections))}")
    if "permission" in fields:
        share.permission = fields["permission"]
        changes.append(f"they may now {PERMISSION_WORDS[Permission(share.permission)]} them")
    if "label" in fields:
        share.label = fields["label"]
        changes.append(f"labelled {LABEL_WORDS[ShareLabel(share.label)]}")
    if "expires_at" in fields:
        _check_end_date(fields["expires_at"])
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
        for claim in claims:
            attempts.give_back(session, claim)
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
    claimed = session.execute(
        update(Share)
        .where(Share.id == share.id, Share.accepted_at.is_(None), Share.ended_at.is_(None))
        .values(grantee_id=user.id, accepted_at=now)
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise Problem(409, "This invite has just been used or ended. Ask for a new one.")
    session.refresh(share)
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
        summary=f"{_who(user.display_name, share.label, user.organisation)} accepted your "
        f"invite and can now {PERMISSION_WORDS[Permission(share.permission)]}: "
        f"{_titles(sections)}.",
    )
    session.commit()
    return _grantee_view(session, share)


def _grantee_view(session: Session, share: Share) -> dict[str, Any]:
    rows = session.execute(_ONE_LISTED, _live(share.grantee_id, share_id=share.id)).all()
    listed = _listed_json(session, rows)
    if not listed:
        raise Problem(410, "This share has ended, so the plan is no longer shared with you.")
    return json.loads(listed[0])


# What a listed share is built from. Its encrypted columns are read as stored and
# decrypted only for a share not listed before in that form (caches.LISTED_SHARES).
_LISTED_ENCRYPTED = {
    "sections": Share.sections,
    "seen_digests": Share.seen_digests,
    "title": Plan.title,
}
_LISTED = (
    Share.owner_id,
    Share.id,
    Share.plan_id,
    Plan.generation,
    as_stored(Share.sections).label("sections"),
    as_stored(Share.seen_digests).label("seen_digests"),
    Share.permission,
    Share.label,
    Share.accepted_at,
    Share.expires_at,
    Share.last_viewed_at,
    Share.last_viewed_version,
    as_stored(Plan.title).label("title"),
    Plan.version,
)


class ListedShare(NamedTuple):
    """A row of `_LISTED` (decrypted) and the owner's name, as a plain tuple."""

    owner_id: uuid.UUID
    id: uuid.UUID
    plan_id: uuid.UUID
    generation: uuid.UUID
    sections: list[str]
    seen_digests: dict[str, str] | None
    permission: str
    label: str
    accepted_at: datetime
    expires_at: datetime | None
    last_viewed_at: datetime | None
    last_viewed_version: int | None
    title: str
    version: int
    display_name: str


def _open_shares(*columns):
    """A grantee's shares that work right now (parameters grantee_id and now), with these
    columns of the share. Built once: a grantee's every request runs one."""
    return (
        select(*columns)
        .select_from(Share)
        .outerjoin(SharingSwitch, SharingSwitch.owner_id == Share.owner_id)
        .where(
            Share.grantee_id == bindparam("grantee_id"),
            Share.ended_at.is_(None),
            Share.accepted_at.is_not(None),
            or_(Share.expires_at.is_(None), Share.expires_at > bindparam("now")),
            Share.plan_deleted_at.is_(None),
            or_(SharingSwitch.enabled.is_(None), SharingSwitch.enabled.is_(True)),
        )
    )


def _with_plans(shares):
    return shares.join(Plan, and_(Plan.owner_id == Share.owner_id, Plan.id == Share.plan_id))


_plan_owner = User.__table__.alias("plan_owner")


def _with_owners_names(shares):
    return shares.add_columns(_plan_owner.c.display_name).join(
        _plan_owner, _plan_owner.c.id == Share.owner_id
    )


def _live_shares(*columns):
    """`_open_shares` joined to their plans, with the plan owner's name."""
    return _with_owners_names(_with_plans(_open_shares(*columns)))


_GRANT = _live_shares(Share, Plan).where(Share.id == bindparam("share_id"))
_PLAN_GRANTS = (
    _live_shares(Share, Plan)
    .where(Share.plan_id == bindparam("plan_id"))
    .order_by(Share.accepted_at)
)
# A page's shares come first, on their own, in index order (ix_share_grantee_listing);
# only then are their plans and owners joined, for the page's rows alone. Joined in one
# query, PostgreSQL misjudges how many rows the joins keep and joins all the grantee's
# shares before sorting them. The total is counted apart.
_NEWEST_FIRST = (Share.plan_updated_at.desc(), Share.id.desc())
_PAGE_OF_SHARES = (
    _open_shares(Share.owner_id, Share.id)
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
    .subquery("page")
)
_PAGE = _with_owners_names(
    _with_plans(
        select(*_LISTED)
        .select_from(_PAGE_OF_SHARES)
        .join(
            Share,
            and_(Share.owner_id == _PAGE_OF_SHARES.c.owner_id, Share.id == _PAGE_OF_SHARES.c.id),
        )
    )
).order_by(*_NEWEST_FIRST)
_ONE_LISTED = _live_shares(*_LISTED).where(Share.id == bindparam("share_id"))
_COUNT = _open_shares(func.count())


def _live(grantee_id: uuid.UUID, **params) -> dict[str, Any]:
    return {"grantee_id": grantee_id, "now": clock.utcnow(), **params}


def _shared_with_me_item(row: ListedShare, outline: list[Outline]) -> dict[str, Any]:
    shown = _shown(outline, row.sections)
    seen = row.seen_digests
    changed = [o.key for o in shown if seen is None or seen.get(o.key) != o.digest]
    names = [o.name() for o in shown]
    can = PERMISSION_WORDS[row.permission]
    until = f"until {day(row.expires_at)}" if row.expires_at else "with no end date"
    if seen is None:
        news = "You haven't opened it yet."
    elif changed:
        titles = _titles([n for n in names if n["key"] in changed])
        news = f"Changed since you last looked: {titles}."
    else:
        news = "Nothing you can see has changed since you last looked."
    return {
        "share_id": str(row.id),
        "plan_id": str(row.plan_id),
        "plan_title": row.title,
        "person": {"display_name": row.display_name},
        "label": row.label,
        "permission": row.permission,
        "sections": names,
        "since": clock.isoformat(row.accepted_at),
        "until": clock.isoformat(row.expires_at),
        "plan_version": row.version,
        "last_viewed_at": clock.isoformat(row.last_viewed_at),
        "last_viewed_version": row.last_viewed_version,
        "changed_since_last_view": bool(changed) or seen is None,
        "changed_sections": changed,
        "summary": f"{row.display_name} shared {_titles(names)} with you: you can {can} them, "
        f"since {day(row.accepted_at)}, {until}. {news}",
    }


# A page is a hundred of them, sent to phones: no spaces.
_COMPACT_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


def _decrypted(row) -> ListedShare:
    stored = row._asdict()
    for name, column in _LISTED_ENCRYPTED.items():
        stored[name] = decrypt_stored(column, stored[name])
    return ListedShare(**stored)


def _listed_json(session: Session | Connection, found) -> list[str]:
    """Each share in `found` (rows of `_LISTED` and the owner's name) as its item's JSON."""
    keyring = active_keyring()
    keyed = [((keyring, *row), row) for row in found]
    items = {key: item for key, _ in keyed if (item := caches.LISTED_SHARES.get(key)) is not None}
    new = {key: _decrypted(row) for key, row in keyed if key not in items}
    if new:
        outlines = _outlines(session, {row.plan_id for row in new.values()})
        for key, row in new.items():
            item = json.dumps(_shared_with_me_item(row, outlines[row.plan_id]), **_COMPACT_JSON)
            items[key] = caches.LISTED_SHARES.put(
                key, item, owner_id=row.owner_id, plan_id=row.plan_id
            )
    return [items[key] for key, _ in keyed]


# The caller's live shares counted, with the signed-in check: no row at all when the
# session is not live.
_SIGNED_IN_COUNT = select(_COUNT.scalar_subquery()).select_from(AuthSession).where(LIVE_SESSION)


@retried_on_stale_connection
def shared_with_me(
    engine: Engine, token: str | None, limit: int, offset: int, settings: Settings
) -> str:
    """The page, as JSON. Live shares only, most recently updated plan first. Listing is
    not logged as a read: it shows names, section titles and dates, never the plan's words.
    Opened by every link worker's device, so the signed-in check comes with the count, not
    as a query of its own, and no objects are loaded."""
    user_id, session_id = signed_in_claims(token, settings)
    with engine.connect() as connection:
        total = connection.execute(
            _SIGNED_IN_COUNT, _live(user_id, user_id=user_id, session_id=session_id)
        ).scalar_one_or_none()
        if total is None:
            raise sign_in_required()
        rows = connection.execute(_PAGE, _live(user_id, limit=limit, offset=offset)).all()
        shares = _listed_json(connection, rows)
    counts = json.dumps({"total": total, "limit": limit, "offset": offset}, **_COMPACT_JSON)
    return f'{{"shares":[{",".join(shares)}],{counts[1:]}'


@dataclass(frozen=True)
class Grant:
    """A live share, checked for this request."""

    share: Share
    plan: Plan
    owner_name: str

    def allows(self, need: Permission) -> bool:
        rank = PERMISSION_ORDER.index
        return rank(Permission(self.share.permission)) >= rank(need)

    def shown(self) -> list[dict[str, Any]]:
        return visible_sections(self.plan.sections, self.share.sections)

    def section(self, key: str) -> dict[str, Any]:
        shown = self.shown()
        for section in shown:
            if section["key"] == key:
                return section
        raise Problem(
            404,
            f"This share doesn't include a section '{key}'. It includes: "
            f"{', '.join(s['key'] for s in shown) or 'nothing you can see right now'}.",
        )


def grant_for(session: Session, user: User, share_id: uuid.UUID, need: Permission) -> Grant:
    """The caller's live share, or a refusal: 404 if it was never theirs, 410 once it has
    ended for any reason, 403 if it does not allow `need`."""
    found = session.execute(_GRANT, _live(user.id, share_id=share_id)).first()
    if found is None:
        share = session.get(Share, share_id)
        if share is None or share.grantee_id != user.id:
            raise Problem(404, NOT_SHARED_WITH_YOU)
        raise Problem(
            410,
            "This share has ended (it was revoked, reached its end date, or sharing was "
            "switched off), so the plan is no longer shared with you.",
        )
    grant = Grant(*found)
    if not grant.allows(need):
        raise Problem(
            403,
            f"This share lets you {PERMISSION_WORDS[Permission(grant.share.permission)]} "
            f"the plan, not {need.value}. Ask {grant.owner_name} if you need more.",
        )
    return grant


def live_grants_for_plan(session: Session, user: User, plan_id: uuid.UUID) -> list[Grant]:
    """The caller's shares of this plan that work right now (none for anyone else), for
    features reached by plan id, such as clinicians' imports."""
    rows = session.execute(_PLAN_GRANTS, _live(user.id, plan_id=plan_id)).all()
    return [Grant(*row) for row in rows]


def _log_read(session: Session, grant: Grant, user: User, event: str, sections, what: str):
    log_event(
        session,
        owner_id=grant.plan.owner_id,
        plan_id=grant.plan.id,
        event=event,
        by=user,
        share_id=grant.share.id,
        sections=sections,
        summary=f"{_who(user.display_name, grant.share.label, user.organisation)} {what}",
    )


_reader = User.__table__.alias("reader")
# The share's sections as stored: comparing them tells whether they were written since a read.
_stored_share_sections = as_stored(Share.sections)
# A grantee's plan read, sign-in check included, in one query: the reader while the access
# token's session is live, their live share, its plan (as columns, not objects). Bound to
# grantee_id and user_id (both the reader), session_id, share_id and now.
_SCOPED_READ = (
    _with_plans(
        _open_shares(
            *plans.PLAN_SUMMARY_COLUMNS,
            Share.id.label("share_id"),
            Share.sections.label("shared_keys"),
            _stored_share_sections.label("stored_sections"),
            Share.permission,
            Share.label,
            Share.expires_at,
            Share.last_viewed_at,
            Share.last_viewed_version,
            Share.seen_digests,
            _reader.c.display_name.label("reader_name"),
            _reader.c.role.label("reader_role"),
            _reader.c.organisation.label("reader_organisation"),
        )
    )
    .join(_reader, _reader.c.id == Share.grantee_id)
    .join(AuthSession, AuthSession.user_id == Share.grantee_id)
    .where(Share.id == bindparam("share_id"), LIVE_SESSION)
)
_MARK_VIEWED = (
    update(Share.__table__)
    .where(
        Share.__table__.c.owner_id == bindparam("share_owner_id"),
        Share.__table__.c.id == bindparam("share_id"),
    )
    .values(
        last_viewed_at=bindparam("at"),
        last_viewed_version=bindparam("version"),
        seen_digests=bindparam("digests"),
    )
)
# A log line's values: from `access_event`, except where the share row itself has them
# (so the line goes where its share is, on a database distributed by owner).
_LOG_VALUES = {
    column.name: bindparam(column.name, type_=column.type)
    for column in AccessEvent.__table__.c
    if column.name != "id"
} | {"owner_id": Share.owner_id, "plan_id": Share.plan_id, "share_id": Share.id}
# The log line of a read answered again from memory (`_LastRead`): written only where
# `_SCOPED_READ` still finds the share and each of its columns named in
# caches.LAST_READS.checked_in_sql is as the remembered read found it. Bound to
# `access_event`'s values, `_SCOPED_READ`'s and those columns' (`_LastRead.unchanged`).
_LOG_READ_IF_UNCHANGED = insert(AccessEvent.__table__).from_select(
    list(_LOG_VALUES),
    _SCOPED_READ.with_only_columns(*_LOG_VALUES.values()).where(
        *(
            _SCOPED_READ.selected_columns[name].is_not_distinct_from(
                bindparam(name, type_=_SCOPED_READ.selected_columns[name].type)
            )
            for name in caches.LAST_READS.checked_in_sql
        )
    ),
)


@dataclass(frozen=True)
class _LastRead:
    """A grantee's read as answered and logged, to answer the next read of that share."""

    document: str
    line: dict[str, Any]  # `access_event`'s arguments
    unchanged: dict[str, Any]  # what the answer depends on, for `_LOG_READ_IF_UNCHANGED`
    until: datetime  # when the share's "last viewed" is due to be written again


async def read_scoped_plan(
    database: AwaitedDriver,
    group_commit: GroupCommit,
    token: str | None,
    share_id: uuid.UUID,
    settings: Settings,
) -> str:
    """The owner's plan document holding only the shared sections the plan shows, for the
    grantee holding `token`; logged in the owner's access log, committed before the plan is
    returned: a grantee's read must stay nearly as quick as the owner's. So the read a
    grantee made last is answered again from memory when its log line's insert (awaited,
    its one statement), checking in the same statement, finds the share still working for
    them and nothing the answer shows changed; else the plan is read afresh in a worker
    thread (one query, no objects loaded)."""
    user_id, session_id = signed_in_claims(token, settings)
    last = caches.LAST_READS.get((share_id, user_id))
    if last is not None and clock.utcnow() < last.until:
        line = access_event(**last.line) | last.unchanged
        scoped = _scoped_read_bindings(user_id, session_id, share_id)
        if await database.write_if((_LOG_READ_IF_UNCHANGED, line | scoped)):
            return last.document
    return await run_in_threadpool(
        _read_afresh, database.engine, group_commit, token, user_id, session_id, share_id, settings
    )


def _read_afresh(
    engine: Engine,
    group_commit: GroupCommit,
    token: str | None,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    share_id: uuid.UUID,
    settings: Settings,
) -> str:
    last, writes = _scoped_document_for(engine, token, user_id, session_id, share_id, settings)
    group_commit.write(writes)  # together with other requests' lines
    caches.LAST_READS.put(
        (share_id, user_id), last, owner_id=last.line["owner_id"], plan_id=last.line["plan_id"]
    )
    return last.document


def _scoped_read_bindings(
    user_id: uuid.UUID, session_id: uuid.UUID, share_id: uuid.UUID
) -> dict[str, Any]:
    """The values `_SCOPED_READ` is bound to (and so `_LOG_READ_IF_UNCHANGED`), as of now."""
    return _live(user_id, user_id=user_id, session_id=session_id, share_id=share_id)


@retried_on_stale_connection
def _scoped_document_for(
    engine: Engine,
    token: str | None,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    share_id: uuid.UUID,
    settings: Settings,
) -> tuple[_LastRead, list[Write]]:
    answer = None
    with engine.connect() as connection:
        while answer is None:  # again only if the plan changed between the two reads
            row = connection.execute(
                _SCOPED_READ, _scoped_read_bindings(user_id, session_id, share_id)
            ).first()
            if row is None:
                # Refused: the checks every other grantee route makes say why (401, 404, 410).
                session = Session(bind=connection)
                user = signed_in_user(session, token, settings)[0]
                grant_for(session, user, share_id, Permission.view)
                raise Problem(409, "This share changed while it was being read. Try again.")
            answer = _scoped_document(
                connection, row, user_id, settings.deleted_plan_retention_days
            )
    return answer


def _scoped_document(
    connection: Connection, row, reader_id: uuid.UUID, retention_days: int
) -> tuple[_LastRead, list[Write]] | None:
    """The read, and the writes that must be committed before it is shown; None if the
    plan has moved on from the version in `row`."""
    scoped = _scoped_sections(connection, row)
    if scoped is None:
        return None
    shown, shown_json = scoped
    now = clock.utcnow()
    seen = {o.key: o.digest for o in shown}
    names = [o.name() for o in shown]
    reader = Person(reader_id, row.reader_name, row.reader_role, row.reader_organisation)
    line = {
        "owner_id": row.owner_id,
        "plan_id": row.id,
        "event": "viewed_plan",
        "by": reader,
        "share_id": row.share_id,
        "sections": names,
        "summary": f"{_who(reader.display_name, row.label, reader.organisation)} opened "
        f"your plan and saw: {_titles(names)}.",
    }
    writes: list[Write] = [(_INSERT_ACCESS_EVENT, access_event(**line))]
    # The share remembers what was seen for "what changed since"; rewriting it on every
    # read only to move the time on by seconds would double each read's writes.
    viewed_at = row.last_viewed_at
    if (
        row.seen_digests != seen
        or row.last_viewed_version != row.version
        or viewed_at is None
        or now - viewed_at >= LAST_VIEWED_PRECISION
    ):
        viewed_at = now
        writes.append(
            (
                _MARK_VIEWED,
                {
                    "share_owner_id": row.owner_id,
                    "share_id": row.share_id,
                    "at": now,
                    "version": row.version,
                    "digests": seen,
                },
            )
        )
    document = plans.plan_summary(row, retention_days) | {
        "share": {
            "share_id": str(row.share_id),
            "permission": row.permission,
            "until": clock.isoformat(row.expires_at),
        },
    }
    unchanged = {name: row._mapping[name] for name in caches.LAST_READS.checked_in_sql}
    document_json = plans.with_sections_json(document, shown_json)
    return _LastRead(document_json, line, unchanged, viewed_at + LAST_VIEWED_PRECISION), writes


# ---- comments --------------------------------------------------------------------------


def _comment_view(comment: Comment, titles: dict[str, str], replies=()) -> dict[str, Any]:
    return {
        "id": comment.id,
        "section": {"key": comment.section_key, "title": titles.get(comment.section_key)},
        "text": comment.text,
        "written_by": _author(comment),
        "by_plan_owner": comment.author_id == comment.owner_id,
        "created_at": clock.isoformat(comment.created_at),
        "replies": [_comment_view(r, titles) for r in replies],
    }


def _threads(comments: list[Comment], titles: dict[str, str]) -> list[dict[str, Any]]:
    replies: dict[uuid.UUID, list[Comment]] = {}
    for comment in comments:
        if comment.reply_to_id:
            replies.setdefault(comment.reply_to_id, []).append(comment)
    return [_comment_view(c, titles, replies.get(c.id, ())) for c in comments if not c.reply_to_id]


def _attributed(user: User) -> dict[str, Any]:
    return {
        "author_id": user.id,
        "author_name": user.display_name,
        "author_role": user.role,
        "author_organisation": user.organisation,
    }


def add_comment(session: Session, user: User, grant: Grant, body: CommentCreate) -> dict:
    if not body.acknowledged_visible_to_person:
        raise Problem(
            422,
            f"Your comment was not saved. {grant.owner_name} will read every comment, with "
            "your name and role: send acknowledged_visible_to_person: true to confirm.",
        )
    section = grant.section(body.section)
    comment = Comment(
        plan_id=grant.plan.id,
        owner_id=grant.plan.owner_id,
        share_id=grant.share.id,
        section_key=section["key"],
        text=body.text,
        **_attributed(user),
    )
    session.add(comment)
    session.commit()
    return _comment_view(comment, {section["key"]: section["title"]})


def grantee_comments(session: Session, user: User, grant: Grant) -> list[dict[str, Any]]:
    """Their own comments on sections still shared, with the person's replies; logged."""
    shown = {s["key"]: s["title"] for s in grant.shown()}
    mine = (
        select(Comment.id)
        .where(Comment.share_id == grant.share.id, Comment.reply_to_id.is_(None))
        .where(Comment.section_key.in_(list(shown)))
    )
    comments = list(
        session.execute(
            select(Comment)
            .where(or_(Comment.id.in_(mine), Comment.reply_to_id.in_(mine)))
            .order_by(Comment.created_at, Comment.id)
        ).scalars()
    )
    keys = list(dict.fromkeys(c.section_key for c in comments))
    sections = [{"key": k, "title": shown[k]} for k in keys]
    _log_read(
        session,
        grant,
        user,
        "read_comments",
        sections,
        f"read their comments and your replies on {_titles(sections)}."
        if comments
        else "looked for their comments; there were none.",
    )
    session.commit()
    return _threads(comments, shown)


def _plan_titles(plan: Plan) -> dict[str, str]:
    return {s["key"]: s["title"] for s in plan.sections}


def owner_comments(session: Session, plan: Plan) -> list[dict[str, Any]]:
    comments = list(
        session.execute(
            select(Comment)
            .where(Comment.plan_id == plan.id)
            .order_by(Comment.created_at, Comment.id)
        ).scalars()
    )
    return _threads(comments, _plan_titles(plan))


def _plan_comment(session: Session, plan: Plan, comment_id: uuid.UUID) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.plan_id != plan.id:
        raise Problem(404, "There is no comment with this id on this plan.")
    return comment


def reply(session: Session, owner: User, plan: Plan, comment_id: uuid.UUID, text: str) -> dict:
    comment = _plan_comment(session, plan, comment_id)
    thread = session.get(Comment, comment.reply_to_id) if comment.reply_to_id else comment
    answer = Comment(
        plan_id=plan.id,
        owner_id=plan.owner_id,
        share_id=thread.share_id,
        reply_to_id=thread.id,
        section_key=thread.section_key,
        text=text,
        **_attributed(owner),
    )
    session.add(answer)
    session.commit()
    return _comment_view(answer, _plan_titles(plan))


def delete_comment(session: Session, plan: Plan, comment_id: uuid.UUID) -> None:
    session.delete(_plan_comment(session, plan, comment_id))
    session.commit()


# ---- suggestions -----------------------------------------------------------------------


def _entry(section: dict[str, Any] | None, entry_id: str | None) -> dict[str, Any] | None:
    if section is None or entry_id is None:
        return None
    return next((e for e in section["entries"] if e["id"] == entry_id), None)


def _section_of(plan_sections: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    return next((s for s in plan_sections if s["key"] == key), None)


def _target_changed(suggestion: Suggestion, section: dict[str, Any] | None) -> bool:
    if section is None:
        return True
    if suggestion.action == SuggestionAction.add:
        return False
    entry = _entry(section, suggestion.entry_id)
    return entry is None or entry["text"] != suggestion.text_when_suggested


def _suggested_edit(s: Suggestion, title: str) -> str:
    return {
        SuggestionAction.add: f"adding to {title}: \u201c{s.text}\u201d",
        SuggestionAction.change: f"changing \u201c{s.text_when_suggested}\u201d in {title} to "
        f"\u201c{s.text}\u201d",
        SuggestionAction.remove: f"removing \u201c{s.text_when_suggested}\u201d from {title}",
    }[SuggestionAction(s.action)]


def _suggestion_summary(s: Suggestion, title: str) -> str:
    status = {
        SuggestionStatus.pending: "not decided yet",
        SuggestionStatus.accepted: "accepted",
        SuggestionStatus.rejected: "not accepted",
    }[SuggestionStatus(s.status)]
    return f"{s.author_name} suggested {_suggested_edit(s, title)} ({status})."


def suggestion_view(
    suggestion: Suggestion, plan_sections: list[dict[str, Any]], *, for_owner: bool
) -> dict[str, Any]:
    section = _section_of(plan_sections, suggestion.section_key)
    title = section["title"] if section else suggestion.section_key
    entry = _entry(section, suggestion.entry_id)
    return {
        "id": suggestion.id,
        "status": suggestion.status,
        "summary": _suggestion_summary(suggestion, title),
        "suggested_by": _author(suggestion),
        "section": {"key": suggestion.section_key, "title": title},
        "action": suggestion.action,
        "entry_id": suggestion.entry_id,
        "text": suggestion.text,
        "prompt": suggestion.prompt,
        "note": suggestion.note,
        "text_when_suggested": suggestion.text_when_suggested,
        "current_text": entry["text"] if entry and for_owner else None,
        "target_changed": suggestion.status == SuggestionStatus.pending
        and _target_changed(suggestion, section),
        "created_at": clock.isoformat(suggestion.created_at),
        "decided_at": clock.isoformat(suggestion.decided_at),
        "decision_note": suggestion.decision_note,
    }


def suggest(session: Session, user: User, grant: Grant, body: SuggestionCreate) -> dict:
    section = grant.section(body.section)
    entry_id = str(body.entry_id) if body.entry_id else None
    entry = _entry(section, entry_id)
    if body.action != SuggestionAction.add and entry is None:
        raise Problem(
            404, f"'{section['title']}' has no entry {entry_id}. Read the plan again for ids."
        )
    if body.prompt is not None and body.prompt not in {p["key"] for p in section["prompts"]}:
        raise Problem(
            422,
            f"'{body.prompt}' is not a prompt of '{section['title']}'. Use one of: "
            f"{', '.join(p['key'] for p in section['prompts']) or 'none (leave it out)'}.",
        )
    suggestion = Suggestion(
        plan_id=grant.plan.id,
        owner_id=grant.plan.owner_id,
        share_id=grant.share.id,
        section_key=section["key"],
        action=body.action,
        entry_id=entry_id,
        text=body.text,
        prompt=body.prompt,
        note=body.note,
        text_when_suggested=entry["text"] if entry else None,
        **_attributed(user),
    )
    session.add(suggestion)
    session.commit()
    return suggestion_view(suggestion, grant.shown(), for_owner=False)


def grantee_suggestions(session: Session, user: User, grant: Grant) -> list[dict[str, Any]]:
    """Their own suggestions on sections still shared; logged, as they quote the plan."""
    shown = grant.shown()
    suggestions = list(
        session.execute(
            select(Suggestion)
            .where(
                Suggestion.share_id == grant.share.id,
                Suggestion.section_key.in_([s["key"] for s in shown]),
            )
            .order_by(Suggestion.created_at.desc(), Suggestion.id)
        ).scalars()
    )
    keys = {s.section_key for s in suggestions}
    sections = [s for s in shown if s["key"] in keys]
    _log_read(
        session,
        grant,
        user,
        "read_suggestions",
        sections,
        f"looked at the {_count(len(suggestions), 'change')} they suggested to {_titles(sections)}."
        if suggestions
        else "looked for changes they suggested; there were none.",
    )
    session.commit()
    return [suggestion_view(s, shown, for_owner=False) for s in suggestions]


def owner_suggestions(session: Session, plan: Plan, status: str | None) -> list[dict[str, Any]]:
    query = select(Suggestion).where(Suggestion.plan_id == plan.id)
    if status:
        query = query.where(Suggestion.status == status)
    suggestions = session.execute(
        query.order_by(Suggestion.created_at.desc(), Suggestion.id)
    ).scalars()
    return [suggestion_view(s, plan.sections, for_owner=True) for s in suggestions]


def _pending_suggestion(session: Session, plan: Plan, suggestion_id: uuid.UUID) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.plan_id != plan.id:
        raise Problem(404, "There is no suggestion with this id for this plan.")
    if suggestion.status != SuggestionStatus.pending:
        raise Problem(
            409, f"This suggestion was already {suggestion.status}; it can't be decided again."
        )
    return suggestion


def _edit_for(suggestion: Suggestion, text: str):
    entry_id = uuid.UUID(suggestion.entry_id) if suggestion.entry_id else None
    if suggestion.action == SuggestionAction.add:
        return plans.add_entry(suggestion.section_key, text, suggestion.prompt, None)
    if suggestion.action == SuggestionAction.change:
        return plans.edit_entry(suggestion.section_key, entry_id, {"text": text})
    return plans.remove_entry(suggestion.section_key, entry_id)


def _decided(suggestion: Suggestion, plan: Plan) -> dict[str, Any]:
    return {
        "suggestion": suggestion_view(suggestion, plan.sections, for_owner=True),
        "plan_version": plan.version,
    }


def accept_suggestion(
    session: Session,
    owner: User,
    plan: Plan,
    suggestion_id: uuid.UUID,
    apply_although_changed: bool,
    retention_days: int,
    text: str | None = None,
) -> dict[str, Any]:
    """Applies the suggestion as an ordinary versioned edit: the owner's decision, in their
    name, saying whose suggestion it was. With `text`, the owner's own version of the words
    goes in instead of the suggested ones. The suggestion is marked accepted and logged inside
    that same edit, so both happen or neither does, even when the edit is retried after a
    concurrent change."""
    suggestion = _pending_suggestion(session, plan, suggestion_id)
    if text is not None and suggestion.action == SuggestionAction.remove:
        raise Problem(
            422,
            "This suggestion is to remove an entry, so there are no words to change. Accept it "
            "as it is, or say no to it.",
        )
    changed_first = text is not None and text != suggestion.text
    edit = _edit_for(suggestion, suggestion.text if text is None else text)
    section_title = (_section_of(plan.sections, suggestion.section_key) or {}).get(
        "title", suggestion.section_key
    )

    def apply(draft: plans.PlanDraft) -> Any:
        section = _section_of(draft.sections, suggestion.section_key)
        if section is None:
            raise Problem(
                409,
                f"The section '{suggestion.section_key}' is no longer in your plan, so this "
                "suggestion can't be applied. Your plan is unchanged; you can reject it.",
            )
        if suggestion.action != SuggestionAction.add:
            entry = _entry(section, suggestion.entry_id)
            if entry is None:
                raise Problem(
                    409,
                    f"The entry this suggestion {suggestion.action}s has been removed from "
                    f"'{section['title']}' since {suggestion.author_name} suggested it. Your "
                    "plan is unchanged; you can reject the suggestion.",
                )
            if entry["text"] != suggestion.text_when_suggested and not apply_although_changed:
                raise Problem(
                    409,
                    f"The entry changed since {suggestion.author_name} suggested this: it said "
                    f"\u201c{suggestion.text_when_suggested}\u201d and now says "
                    f"\u201c{entry['text']}\u201d. Your plan is unchanged. To apply it anyway, "
                    "accept again with apply_although_changed: true, or reject it.",
                    current_text=entry["text"],
                )
        result = edit(draft)
        suggestion.status = SuggestionStatus.accepted
        suggestion.decided_at = clock.utcnow()
        if changed_first:
            suggestion.decision_note = "Accepted with changes to the words."
        session.add(suggestion)
        log_event(
            session,
            owner_id=owner.id,
            plan_id=plan.id,
            event="suggestion_accepted",
            by=owner,
            sections=[section],
            summary=f"You accepted {suggestion.author_name}'s suggestion of "
            f"{_suggested_edit(suggestion, section['title'])}.",
        )
        return result

    plan, _ = plans.change_plan(
        session,
        owner,
        plan.id,
        author=owner,
        summary=f"Accepted {suggestion.author_name}'s suggestion of "
        f"{_suggested_edit(suggestion, section_title)}"
        + (", with changes" if changed_first else ""),
        expected_version=None,
        change=apply,
        retention_days=retention_days,
    )
    return _decided(suggestion, plan)


def reject_suggestion(
    session: Session, owner: User, plan: Plan, suggestion_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    suggestion = _pending_suggestion(session, plan, suggestion_id)
    suggestion.status = SuggestionStatus.rejected
    suggestion.decided_at = clock.utcnow()
    suggestion.decision_note = reason
    session.add(suggestion)
    session.commit()
    return _decided(suggestion, plan)


# ---- the crisis card -------------------------------------------------------------------


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
    crisis = _section_of(plan.sections, CRISIS_SECTION)
    if status != "active":
        message = f"This crisis card link is {status}. Make a new one if you need it."
    elif crisis is None or crisis["hidden"]:
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
    _require_sharing_on(session, owner)
    now = clock.utcnow()
    expires_at = body.expires_at or now + timedelta(days=CRISIS_CARD_DAYS)
    _check_end_date(expires_at)
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
        or not sharing_enabled(session, owner.id)
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
