"""The read model of sharing: the prebuilt SQL and driver-level code behind a grantee's two
hot reads, "shared with me" and the scoped plan read, and the statements that find a
grantee's live shares. Both reads check sign-in inside their SQL rather than as a query of
their own, load no objects, and keep what they build in the caches declared in
app/core/caches.py."""

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.access_log.models import AccessEvent
from app.access_log.service import INSERT_ACCESS_EVENT, AccessLogPerson, access_event
from app.accounts.models import AuthSession, User
from app.accounts.service import LIVE_SESSION, sign_in_required, signed_in_claims
from app.core import caches, clock
from app.core.clock import day
from app.core.config import Settings
from app.core.driver import AwaitedDriver, Write
from app.core.encryption import active_keyring, as_stored, decrypt_stored
from app.core.json_text import from_json_text, json_text
from app.plans import queries as plan_queries
from app.plans import service as plans
from app.plans import storage as plan_storage
from app.plans.models import Plan
from app.sharing.models import Share, SharingSwitch
from app.sharing.words import PERMISSION_WORDS, titles, visible_sections, who

LAST_VIEWED_PRECISION = timedelta(minutes=1)


# ---- what a grantee is shown of a section ----------------------------------------------


def _section_digest(section: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(section, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SectionOutline:
    """What "shared with me" needs of a section, without the section's words."""

    key: str
    title: str
    hidden: bool
    section: dict[str, Any] = field(repr=False, compare=False)

    def name(self) -> dict[str, str]:
        """The section as lists and the access log name it."""
        return {"key": self.key, "title": self.title}

    @cached_property
    def digest(self) -> str:
        # Worked out on first use: only the sections a share shows are compared, and a
        # plan's outline holds all of them.
        return _section_digest(self.section)


def _outline(sections: list[dict]) -> list[SectionOutline]:
    return [SectionOutline(s["key"], s["title"], s["hidden"], s) for s in sections]


def _outlines(
    session: Session | Connection, rows: Collection["ListedShare"]
) -> dict[tuple[uuid.UUID, int], list[SectionOutline]]:
    """The outline of each listed plan at the version listed, by (plan id, version); of the
    plan as it is now when it has moved on since (see `_listed_json`)."""
    outlines = {}
    for row in rows:
        if (row.plan_id, row.version) not in outlines:
            sections_json = plan_storage.sections_json_at(
                session, row.owner_id, row.plan_id, row.generation, row.version
            ) or plan_storage.current_sections_json(session, row.owner_id, row.plan_id)
            outlines[row.plan_id, row.version] = _outline(from_json_text(sections_json))
    return outlines


def _scoped_sections(connection: Connection, row) -> tuple[list[SectionOutline], str] | None:
    """The outlines and the JSON of the sections this share shows of this plan version;
    None once the plan has moved on from that version."""
    sections_json = plan_storage.sections_json_of(connection, row)
    if sections_json is None:
        return None
    shown = visible_sections(from_json_text(sections_json), row.shared_keys)
    return _outline(shown), json_text(shown)


def _shown(outline: list[SectionOutline], keys: list[str]) -> list[SectionOutline]:
    return [o for o in outline if o.key in keys and not o.hidden]


# ---- a grantee's live shares -----------------------------------------------------------


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


def live(grantee_id: uuid.UUID, **params) -> dict[str, Any]:
    """The values a grantee's live-share statement is bound to, as of now."""
    return {"grantee_id": grantee_id, "now": clock.utcnow(), **params}


# (Share, Plan, owner's name) of a grantee's live share, by share id (bound with `live`).
GRANT = _live_shares(Share, Plan).where(Share.id == bindparam("share_id"))
# The same for each of a grantee's live shares of one plan.
PLAN_GRANTS = (
    _live_shares(Share, Plan)
    .where(Share.plan_id == bindparam("plan_id"))
    .order_by(Share.accepted_at)
)


# ---- "shared with me" ------------------------------------------------------------------


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
# The caller's live shares counted, with the signed-in check: no row at all when the
# session is not live.
_SIGNED_IN_COUNT = select(_COUNT.scalar_subquery()).select_from(AuthSession).where(LIVE_SESSION)


def _shared_with_me_item(row: ListedShare, outline: list[SectionOutline]) -> dict[str, Any]:
    shown = _shown(outline, row.sections)
    seen = row.seen_digests
    changed = [o.key for o in shown if seen is None or seen.get(o.key) != o.digest]
    names = [o.name() for o in shown]
    can = PERMISSION_WORDS[row.permission]
    until = f"until {day(row.expires_at)}" if row.expires_at else "with no end date"
    if seen is None:
        news = "You haven't opened it yet."
    elif changed:
        changed_titles = titles([n for n in names if n["key"] in changed])
        news = f"Changed since you last looked: {changed_titles}."
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
        "summary": f"{row.display_name} shared {titles(names)} with you: you can {can} them, "
        f"since {day(row.accepted_at)}, {until}. {news}",
    }


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
        outlines = _outlines(session, new.values())
        for key, row in new.items():
            outline = outlines[row.plan_id, row.version]
            item = json_text(_shared_with_me_item(row, outline))
            items[key] = caches.LISTED_SHARES.put(
                key, item, owner_id=row.owner_id, plan_id=row.plan_id
            )
    return [items[key] for key, _ in keyed]


def listed_share(session: Session, grantee_id: uuid.UUID, share_id: uuid.UUID) -> str | None:
    """One live share as its "shared with me" item's JSON; None once it has ended."""
    rows = session.execute(_ONE_LISTED, live(grantee_id, share_id=share_id)).all()
    listed = _listed_json(session, rows)
    return listed[0] if listed else None


def shared_with_me(
    connection: Connection, token: str | None, limit: int, offset: int, settings: Settings
) -> str:
    """The page, as JSON. Live shares only, most recently updated plan first. Listing is
    not logged as a read: it shows names, section titles and dates, never the plan's words.
    Opened by every link worker's device, so the signed-in check comes with the count, not
    as a query of its own, and no objects are loaded."""
    user_id, session_id = signed_in_claims(token, settings)
    total = connection.execute(
        _SIGNED_IN_COUNT, live(user_id, user_id=user_id, session_id=session_id)
    ).scalar_one_or_none()
    if total is None:
        raise sign_in_required()
    rows = connection.execute(_PAGE, live(user_id, limit=limit, offset=offset)).all()
    shares = _listed_json(connection, rows)
    counts = json_text({"total": total, "limit": limit, "offset": offset})
    return f'{{"shares":[{",".join(shares)}],{counts[1:]}'


# ---- a grantee's read of the plan ------------------------------------------------------


_reader = User.__table__.alias("reader")
# The share's sections as stored: comparing them tells whether they were written since a read.
_stored_share_sections = as_stored(Share.sections)
# A grantee's plan read, sign-in check included, in one query: the reader while the access
# token's session is live, their live share, its plan (as columns, not objects). Bound to
# grantee_id and user_id (both the reader), session_id, share_id and now.
_SCOPED_READ = (
    _with_plans(
        _open_shares(
            *plan_queries.PLAN_SUMMARY_COLUMNS,
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
# The log line of a read answered again from memory (`RememberedRead`): written only where
# `_SCOPED_READ` still finds the share and each of its columns named in
# caches.LAST_READS.checked_in_sql is as the remembered read found it. Bound to
# `access_event`'s values, `_SCOPED_READ`'s and those columns' (`RememberedRead.unchanged`).
_LOG_READ_IF_UNCHANGED = insert(AccessEvent.__table__).from_select(
    list(_LOG_VALUES),
    _SCOPED_READ.with_only_columns(*_LOG_VALUES.values()).where(
        caches.LAST_READS.unchanged_in(_SCOPED_READ)
    ),
)


@dataclass(frozen=True)
class RememberedRead:
    """A grantee's read as answered and logged, to answer the next read of that share."""

    document: str
    line: dict[str, Any]  # `access_event`'s arguments
    unchanged: dict[str, Any]  # what the answer depends on, for `_LOG_READ_IF_UNCHANGED`
    until: datetime  # when the share's "last viewed" is due to be written again


async def read_scoped_plan(
    database: AwaitedDriver,
    token: str | None,
    share_id: uuid.UUID,
    settings: Settings,
) -> str | None:
    """The owner's plan document holding only the shared sections the plan shows, for the
    grantee holding `token`; logged in the owner's access log, committed before the plan is
    returned; None when the share does not work for them now (`grants.read_scoped_plan`
    says why). A grantee's read must stay nearly as quick as the owner's. So the read a
    grantee made last is answered again from memory when its log line's insert (awaited,
    its one statement), checking in the same statement, finds the share still working for
    them and nothing the answer shows changed; else the plan is read afresh (one query, no
    objects loaded) and its log line committed."""
    user_id, session_id = signed_in_claims(token, settings)
    last = caches.LAST_READS.get((share_id, user_id))
    if last is not None and clock.utcnow() < last.until:
        line = access_event(**last.line) | last.unchanged
        scoped = _scoped_read_bindings(user_id, session_id, share_id)
        if await database.write_if((_LOG_READ_IF_UNCHANGED, line | scoped)):
            return last.document
    found = await database.read_with(_scoped_document_for, user_id, session_id, share_id, settings)
    if found is None:
        return None
    last, writes = found
    await database.write(writes)
    caches.LAST_READS.put(
        (share_id, user_id), last, owner_id=last.line["owner_id"], plan_id=last.line["plan_id"]
    )
    return last.document


def _scoped_read_bindings(
    user_id: uuid.UUID, session_id: uuid.UUID, share_id: uuid.UUID
) -> dict[str, Any]:
    """The values `_SCOPED_READ` is bound to (and so `_LOG_READ_IF_UNCHANGED`), as of now."""
    return live(user_id, user_id=user_id, session_id=session_id, share_id=share_id)


def _scoped_document_for(
    connection: Connection,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    share_id: uuid.UUID,
    settings: Settings,
) -> tuple[RememberedRead, list[Write]] | None:
    answer = None
    while answer is None:  # again only if the plan changed between the two reads
        row = connection.execute(
            _SCOPED_READ, _scoped_read_bindings(user_id, session_id, share_id)
        ).first()
        if row is None:
            return None
        answer = _scoped_document(connection, row, user_id, settings.deleted_plan_retention_days)
    return answer


def _scoped_document(
    connection: Connection, row, reader_id: uuid.UUID, retention_days: int
) -> tuple[RememberedRead, list[Write]] | None:
    """The read, and the writes that must be committed before it is shown; None if the
    plan has moved on from the version in `row`."""
    scoped = _scoped_sections(connection, row)
    if scoped is None:
        return None
    shown, shown_json = scoped
    now = clock.utcnow()
    seen = {o.key: o.digest for o in shown}
    names = [o.name() for o in shown]
    reader = AccessLogPerson(reader_id, row.reader_name, row.reader_role, row.reader_organisation)
    line = {
        "owner_id": row.owner_id,
        "plan_id": row.id,
        "event": "viewed_plan",
        "by": reader,
        "share_id": row.share_id,
        "sections": names,
        "summary": f"{who(reader.display_name, row.label, reader.organisation)} opened "
        f"your plan and saw: {titles(names)}.",
    }
    writes: list[Write] = [(INSERT_ACCESS_EVENT, access_event(**line))]
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
    unchanged = caches.LAST_READS.remembered_values(row)
    document_json = plans.document_json(document, shown_json)
    return RememberedRead(document_json, line, unchanged, viewed_at + LAST_VIEWED_PRECISION), writes
