"""Plans: every change is a compare-and-swap on the plan's version plus a full revision,
so two devices never overwrite each other silently and nothing is lost by editing."""

import json
import secrets
import uuid
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.accounts.models import AuthSession, User
from app.accounts.service import LIVE_SESSION, sign_in_required, signed_in_claims
from app.core import caches, clock
from app.core.config import Settings
from app.core.db import retried_on_stale_connection
from app.core.driver import AwaitedDriver, DriverRead
from app.core.encryption import decrypted_json_text
from app.core.errors import Problem
from app.plans.models import Plan, PlanRevision, UsedPlanId
from app.plans.templates import TEMPLATES, Template, new_plan_sections
from app.sharing.models import CrisisCard, EndReason, Share

T = TypeVar("T")
_CONCURRENT_RETRIES = 20


@dataclass
class PlanDraft:
    """The editable part of a plan, handed to a change function."""

    title: str
    sections: list[dict[str, Any]]


# ---- reading ---------------------------------------------------------------------------


def etag(plan: Plan) -> str:
    return f'"{plan.version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names; None when absent or '*'."""
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise Problem(
            400,
            'If-Match must be the ETag the plan was read with, for example "3".',
        )
    return int(value)


def purge_after(plan: Plan, retention_days: int) -> datetime | None:
    return plan.deleted_at + timedelta(days=retention_days) if plan.deleted_at else None


def plan_summary(plan: Plan | Row, retention_days: int) -> dict[str, Any]:
    return {
        "id": str(plan.id),
        "title": plan.title,
        "template": plan.template,
        "version": plan.version,
        "archived": plan.archived_at is not None,
        "created_at": clock.isoformat(plan.created_at),
        "updated_at": clock.isoformat(plan.updated_at),
        "deleted_at": clock.isoformat(plan.deleted_at),
        "purge_after": clock.isoformat(purge_after(plan, retention_days)),
    }


def plan_document(plan: Plan, retention_days: int) -> dict[str, Any]:
    return plan_summary(plan, retention_days) | {"sections": plan.sections}


NOT_FOUND = "There is no plan with this id in your plans."


def get_owned_plan(session: Session, owner: User, plan_id: uuid.UUID) -> Plan:
    """The owner's plan; any other plan is a 404, so nobody learns that it exists."""
    plan = _owners_plan(session, owner, plan_id)
    _check_owned_and_live(plan, owner.id)
    return plan


def _owners_plan(session: Session, owner: User, plan_id: uuid.UUID) -> Plan | None:
    # By owner too, as every plan query: on a database distributed by owner it is then
    # answered by one node.
    return session.execute(
        select(Plan).where(Plan.id == plan_id, Plan.owner_id == owner.id)
    ).scalar_one_or_none()


def _check_owned_and_live(plan: Plan | Row | None, owner_id: uuid.UUID) -> None:
    if plan is None or plan.owner_id != owner_id:
        raise Problem(404, NOT_FOUND)
    if plan.deleted_at is not None:
        raise Problem(404, "This plan is deleted. Restore it from your deleted plans first.")


# What `plan_summary` reads of a plan, as plain columns, for reads that load no objects.
PLAN_SUMMARY_COLUMNS = (
    Plan.id,
    Plan.owner_id,
    Plan.generation,
    Plan.title,
    Plan.template,
    Plan.version,
    Plan.archived_at,
    Plan.created_at,
    Plan.updated_at,
    Plan.deleted_at,
)


def _live_session_and_plans(which_plans):
    """The signed-in check and the caller's plans matching `which_plans`, in one query of
    plain columns rather than Plan objects: a live session with no such plan is one row
    of NULLs, a session that is not live no row at all."""
    return (
        select(*PLAN_SUMMARY_COLUMNS)
        .select_from(AuthSession)
        .outerjoin(Plan, and_(Plan.owner_id == bindparam("user_id"), which_plans))
        .where(LIVE_SESSION)
    )


# Built once: reads are the hot path, and building a statement costs more than running it.
_LIVE_SESSION_AND_PLAN = DriverRead(_live_session_and_plans(Plan.id == bindparam("plan_id")))
_LIVE_SESSION_AND_PLANS = {
    deleted: _live_session_and_plans(
        Plan.deleted_at.is_not(None) if deleted else Plan.deleted_at.is_(None)
    ).order_by(Plan.updated_at.desc())
    for deleted in (False, True)
}


# By generation and version too: the plan may have changed since its summary was read, and
# a version's sections are kept under that version of that row (caches.SECTIONS_JSON).
_SECTIONS_JSON = select(decrypted_json_text(Plan.sections)).where(
    Plan.owner_id == bindparam("owner_id"),
    Plan.id == bindparam("plan_id"),
    Plan.generation == bindparam("generation"),
    Plan.version == bindparam("version"),
)
_SECTIONS_JSON_READ = DriverRead(_SECTIONS_JSON)


async def read_owned_plan_json(
    database: AwaitedDriver, token: str | None, plan_id: uuid.UUID, settings: Settings
) -> tuple[str, str]:
    """The plan as the JSON document (and its ETag), for its owner holding `token`.
    The most frequent request of all, so it is one query, run on the driver (DriverRead),
    and the sections are spliced in as JSON text: parsing and re-encoding them would be
    most of the cost of a read."""
    user_id, session_id = signed_in_claims(token, settings)
    sections_json = None
    while sections_json is None:  # again only if the plan changed between the two reads
        plan = await database.first(
            _LIVE_SESSION_AND_PLAN,
            {"user_id": user_id, "session_id": session_id, "plan_id": plan_id},
        )
        if plan is None:
            raise sign_in_required()
        _check_owned_and_live(plan if plan.id else None, user_id)
        sections_json = caches.SECTIONS_JSON.get(_sections_key(plan))
        if sections_json is None:
            fetched = await database.first(_SECTIONS_JSON_READ, _sections_json_values(plan))
            sections_json = _kept_sections_json(plan, fetched[0] if fetched else None)
    summary = plan_summary(plan, settings.deleted_plan_retention_days)
    return with_sections_json(summary, sections_json), etag(plan)


def sections_json_of(connection: Connection, plan: Row) -> str | None:
    """The sections of the plan version in `plan` (its id, owner_id, generation and
    version) as decrypted JSON text; None once the plan has moved on from that version."""
    if (kept := caches.SECTIONS_JSON.get(_sections_key(plan))) is not None:
        return kept
    fetched = connection.execute(_SECTIONS_JSON, _sections_json_values(plan)).scalar_one_or_none()
    return _kept_sections_json(plan, fetched)


def _sections_json_values(plan: Row) -> dict[str, Any]:
    return {
        "owner_id": plan.owner_id,
        "plan_id": plan.id,
        "generation": plan.generation,
        "version": plan.version,
    }


def _sections_key(plan: Row) -> tuple:
    return (plan.owner_id, plan.id, plan.generation, plan.version)


def _kept_sections_json(plan: Row, fetched: str | None) -> str | None:
    if fetched is None:
        return None
    return caches.SECTIONS_JSON.put(
        _sections_key(plan), fetched, owner_id=plan.owner_id, plan_id=plan.id
    )


def with_sections_json(document: dict[str, Any], sections_json: str) -> str:
    """The document as JSON with `sections` spliced in as given, already encoded."""
    encoded = json.dumps(document, ensure_ascii=False)
    return f'{encoded[:-1]}, "sections": {sections_json}}}'


@retried_on_stale_connection
def list_owned_plans(
    engine: Engine, token: str | None, deleted: bool, settings: Settings
) -> list[dict[str, Any]]:
    """The plans of the owner holding `token`, as summaries. Opened by every device when
    the app starts, so it is one query of plain columns, as the plan read."""
    user_id, session_id = signed_in_claims(token, settings)
    with engine.connect() as connection:
        rows = connection.execute(
            _LIVE_SESSION_AND_PLANS[deleted], {"user_id": user_id, "session_id": session_id}
        ).all()
    if not rows:
        raise sign_in_required()
    retention_days = settings.deleted_plan_retention_days
    return [plan_summary(row, retention_days) for row in rows if row.id is not None]


# ---- changing --------------------------------------------------------------------------


def _record_revision(
    session: Session, plan: Plan, author: User, summary: str, at: datetime
) -> None:
    session.add(
        PlanRevision(
            plan_id=plan.id,
            owner_id=plan.owner_id,
            number=plan.version,
            title=plan.title,
            sections=plan.sections,
            summary=summary,
            author_id=author.id,
            author_name=author.display_name,
            created_at=at,
        )
    )


def create_plan(
    session: Session,
    owner: User,
    template: Template,
    title: str | None,
    *,
    plan_id: uuid.UUID | None = None,
) -> Plan:
    """`plan_id` lets an offline device name the plan it made before it could sync; an id
    any plan has ever had, anyone's, is refused as an unknown plan id is (404)."""
    if plan_id is not None and plan_id_is_used(session, plan_id):
        raise Problem(404, USED_ID)
    now = clock.utcnow()
    plan = Plan(
        id=plan_id or uuid.uuid4(),
        owner_id=owner.id,
        template=template,
        title=title or TEMPLATES[template]["name"],
        sections=new_plan_sections(template),
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    _record_revision(session, plan, owner, "Plan created", now)
    session.commit()
    return plan


USED_ID = (
    "This plan id can't be used for a new plan: make a new id (a random UUID) and send the "
    "plan again."
)


def plan_id_is_used(session: Session, plan_id: uuid.UUID) -> bool:
    return session.get(UsedPlanId, plan_id) is not None


def conflict(plan: Plan, retention_days: int) -> Problem:
    return Problem(
        409,
        "This plan changed since you last loaded it (now version "
        f"{plan.version}). Your change was not saved: merge it with the current copy "
        "and send it again.",
        headers={"ETag": etag(plan)},
        current=plan_document(plan, retention_days),
    )


def change_plan(
    session: Session,
    owner: User,
    plan_id: uuid.UUID,
    *,
    author: User,
    summary: str | Callable[[list[dict[str, Any]]], str],
    expected_version: int | None,
    change: Callable[[PlanDraft], T],
    retention_days: int,
) -> tuple[Plan, T]:
    """Apply `change` as one new version. With an expected version, a stale write is refused
    with 409; without one, a write racing another is simply re-applied to the newer copy.
    A callable `summary` words the version from the sections as they were before it."""
    for _ in range(_CONCURRENT_RETRIES):
        plan = get_owned_plan(session, owner, plan_id)
        if expected_version is not None and expected_version != plan.version:
            raise conflict(plan, retention_days)
        draft = PlanDraft(title=plan.title, sections=deepcopy(plan.sections))
        said = summary(plan.sections) if callable(summary) else summary
        result = change(draft)
        now = clock.utcnow()
        swapped = _write_plan(
            session,
            plan,
            Plan.version == plan.version,
            title=draft.title,
            sections=draft.sections,
            version=plan.version + 1,
            updated_at=now,
        )
        if swapped:
            _record_revision(session, plan, author, said, now)
            _copy_to_shares(session, plan, open_only=True, plan_updated_at=now)
            session.commit()
            return plan, result
        session.rollback()
        session.expire_all()
        if expected_version is not None:
            raise conflict(get_owned_plan(session, owner, plan_id), retention_days)
    raise Problem(409, "This plan is being changed on another device right now. Try again.")


def set_archived(session: Session, plan: Plan, archived: bool) -> Plan:
    if archived != (plan.archived_at is not None):
        _write_plan(session, plan, archived_at=clock.utcnow() if archived else None)
        session.commit()
    return plan


def soft_delete(session: Session, plan: Plan) -> None:
    _write_plan(session, plan, deleted_at=clock.utcnow())
    _copy_to_shares(session, plan, plan_deleted_at=plan.deleted_at)
    session.commit()
    caches.forget_plan(plan.owner_id, plan.id)


def _write_plan(session: Session, plan: Plan, *conditions, **values) -> bool:
    """Sets these columns of `plan` where it still meets `conditions`, by owner and id (as
    every plan query, see `_owners_plan`), and keeps the loaded object in step; False if
    the plan no longer met them."""
    written = session.execute(
        update(Plan)
        .where(Plan.owner_id == plan.owner_id, Plan.id == plan.id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if written != 1:
        return False
    for name, value in values.items():
        set_committed_value(plan, name, value)
    return True


def _copy_to_shares(session: Session, plan: Plan, *, open_only: bool = False, **copies) -> None:
    """Shares keep copies of some plan columns (see the Share model): they change with it."""
    shares = update(Share).where(Share.owner_id == plan.owner_id, Share.plan_id == plan.id)
    if open_only:
        shares = shares.where(Share.ended_at.is_(None))
    session.execute(shares.values(**copies).execution_options(synchronize_session=False))


def restore_deleted(
    session: Session, owner: User, plan_id: uuid.UUID, retention_days: int, *, with_sharing: bool
) -> Plan:
    """Brings back the plan's content. Its shares and crisis card link come back only
    `with_sharing`: otherwise they end now, so a restore never quietly reopens the plan to
    anyone the person may have deleted it to shut out."""
    plan = _owners_plan(session, owner, plan_id)
    if plan is None:
        raise Problem(404, NOT_FOUND)
    if plan.deleted_at is None:
        raise Problem(409, "This plan is not deleted, so there is nothing to restore.")
    if purge_after(plan, retention_days) <= clock.utcnow():
        raise Problem(404, NOT_FOUND)
    _write_plan(session, plan, deleted_at=None)
    _copy_to_shares(session, plan, plan_deleted_at=None)
    if with_sharing:
        summary = (
            "You restored this plan with its sharing: the shares and crisis card link it "
            "had when you deleted it work again."
        )
    else:
        summary = _restored_without_sharing(*_end_sharing(session, plan))
    # Here, not at the top: the sharing service builds its queries from this module's.
    from app.sharing.service import log_event

    log_event(
        session,
        owner_id=owner.id,
        plan_id=plan.id,
        event="plan_restored",
        by=owner,
        summary=summary,
    )
    session.commit()
    return plan


def _end_sharing(session: Session, plan: Plan) -> tuple[int, bool]:
    """Ends the plan's open shares and turns its crisis card link off: how many shares
    ended, and whether a working card link did."""
    now = clock.utcnow()
    shares = session.execute(
        update(Share)
        .where(Share.owner_id == plan.owner_id, Share.plan_id == plan.id, Share.ended_at.is_(None))
        .values(ended_at=now, end_reason=EndReason.plan_deleted)
        .execution_options(synchronize_session=False)
    ).rowcount
    cards = session.execute(
        update(CrisisCard)
        .where(
            CrisisCard.owner_id == plan.owner_id,
            CrisisCard.plan_id == plan.id,
            CrisisCard.revoked_at.is_(None),
            CrisisCard.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return shares, cards > 0


def _restored_without_sharing(shares: int, card: bool) -> str:
    ended = [f"its {shares} share{'' if shares == 1 else 's'}"] if shares else []
    ended += ["its crisis card link"] if card else []
    if not ended:
        return "You restored this plan. It had no shares or crisis card link to bring back."
    return (
        f"You restored this plan without its sharing: {' and '.join(ended)} stayed turned "
        "off. Share it again if you want to."
    )


def purge_deleted_plans(session: Session, retention_days: int) -> int:
    """Deleted plans are gone for good once their restore window has passed. Their ids stay
    used (`used_plan_id`)."""
    cutoff = clock.utcnow() - timedelta(days=retention_days)
    doomed = session.execute(select(Plan.owner_id, Plan.id).where(Plan.deleted_at < cutoff)).all()
    for owner_id, plan_id in doomed:
        session.execute(delete(Plan).where(Plan.owner_id == owner_id, Plan.id == plan_id))
    session.commit()
    for owner_id, plan_id in doomed:
        caches.forget_plan(owner_id, plan_id)
    return len(doomed)


def list_revisions(session: Session, plan: Plan) -> list[PlanRevision]:
    return list(
        session.execute(
            select(PlanRevision)
            .where(PlanRevision.owner_id == plan.owner_id, PlanRevision.plan_id == plan.id)
            .order_by(PlanRevision.number.desc())
        ).scalars()
    )


def get_revision(session: Session, plan: Plan, number: int) -> PlanRevision:
    revision = session.execute(
        select(PlanRevision).where(
            PlanRevision.owner_id == plan.owner_id,
            PlanRevision.plan_id == plan.id,
            PlanRevision.number == number,
        )
    ).scalar_one_or_none()
    if revision is None:
        raise Problem(404, f"This plan has no version {number}. Its history lists the versions.")
    return revision


def revision_summary(revision: PlanRevision) -> dict[str, Any]:
    author = (
        {"id": str(revision.author_id), "display_name": revision.author_name}
        if revision.author_id
        else None
    )
    return {
        "number": revision.number,
        "title": revision.title,
        "summary": revision.summary,
        "author": author,
        "created_at": clock.isoformat(revision.created_at),
    }


# ---- sections and entries (change functions for change_plan) ---------------------------


def section_title(sections: list[dict[str, Any]], key: str) -> str:
    """A section as the plan's history names it: its title, in quotes, as people see it."""
    title = next((s["title"] for s in sections if s["key"] == key), key)
    return f"\u201c{title}\u201d"


def find_section(draft: PlanDraft, key: str) -> dict[str, Any]:
    for section in draft.sections:
        if section["key"] == key:
            return section
    raise Problem(404, f"This plan has no section '{key}'.")


def find_entry(section: dict[str, Any], entry_id: uuid.UUID) -> dict[str, Any]:
    for entry in section["entries"]:
        if entry["id"] == str(entry_id):
            return entry
    raise Problem(404, f"The section '{section['key']}' has no entry {entry_id}.")


def _check_entry_fields(section: dict[str, Any], prompt: str | None, goal: Any) -> None:
    prompt_keys = [p["key"] for p in section["prompts"]]
    # 409: a section's prompts and kind are the plan's state now.
    if prompt is not None and prompt not in prompt_keys:
        raise Problem(
            409,
            f"'{prompt}' is not a prompt of the section '{section['key']}'. "
            f"Use one of: {', '.join(prompt_keys) or 'none (leave prompt out)'}.",
        )
    if goal is not None and section["kind"] != "goals":
        raise Problem(
            409, f"Goal details belong in a goals section; '{section['key']}' is not one."
        )


def add_entry(
    key: str, text: str, prompt: str | None, goal: dict | None, entry_id: uuid.UUID | None = None
):
    """`entry_id` lets an offline device name the entry it made before it could sync."""

    def change(draft: PlanDraft) -> dict[str, Any]:
        section = find_section(draft, key)
        _check_entry_fields(section, prompt, goal)
        now = clock.isoformat(clock.utcnow())
        entry = {
            "id": str(entry_id or uuid.uuid4()),
            "text": text,
            "prompt": prompt,
            "goal": goal,
            "created_at": now,
            "updated_at": now,
        }
        section["entries"].append(entry)
        return entry

    return change


def edit_entry(key: str, entry_id: uuid.UUID, fields: dict[str, Any]):
    def change(draft: PlanDraft) -> dict[str, Any]:
        section = find_section(draft, key)
        entry = find_entry(section, entry_id)
        _check_entry_fields(section, fields.get("prompt"), fields.get("goal"))
        entry.update(fields)
        entry["updated_at"] = clock.isoformat(clock.utcnow())
        return entry

    return change


def remove_entry(key: str, entry_id: uuid.UUID):
    def change(draft: PlanDraft) -> None:
        section = find_section(draft, key)
        section["entries"].remove(find_entry(section, entry_id))

    return change


def _reordered(items: list[dict], ids: list[str], id_field: str, what: str) -> list[dict]:
    by_id = {item[id_field]: item for item in items}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        # 409: what must be listed is what the plan holds now.
        raise Problem(
            409,
            f"To reorder, list every {what} exactly once. Expected: {', '.join(by_id) or 'none'}.",
        )
    return [by_id[i] for i in ids]


def reorder_entries(key: str, entry_ids: list[uuid.UUID]):
    def change(draft: PlanDraft) -> dict[str, Any]:
        section = find_section(draft, key)
        section["entries"] = _reordered(
            section["entries"], [str(i) for i in entry_ids], "id", "entry id"
        )
        return section

    return change


def _custom_section_key(taken: set[str]) -> str:
    """A new custom section's key: random, not made from its title, because keys are stored
    in the clear (in comments, suggestions and the access log) and a title is the person's
    words. Keys of sections made earlier stay as they were: keys are stable."""
    while (key := f"custom_{secrets.token_hex(4)}") in taken:
        pass
    return key


def add_section(title: str, description: str):
    def change(draft: PlanDraft) -> dict[str, Any]:
        section = {
            "key": _custom_section_key({s["key"] for s in draft.sections}),
            "title": title,
            "description": description,
            "kind": "list",
            "today": None,
            "prompts": [],
            "hidden": False,
            "custom": True,
            "entries": [],
        }
        draft.sections.append(section)
        return section

    return change


def edit_section(key: str, fields: dict[str, Any]):
    def change(draft: PlanDraft) -> dict[str, Any]:
        section = find_section(draft, key)
        section.update(fields)
        return section

    return change


def remove_section(key: str):
    def change(draft: PlanDraft) -> None:
        section = find_section(draft, key)
        if not section["custom"]:
            raise Problem(
                409,
                f"'{section['title']}' comes with the plan and can't be removed. "
                "You can hide it instead.",
            )
        draft.sections.remove(section)

    return change


def reorder_sections(keys: list[str]):
    def change(draft: PlanDraft) -> list[dict[str, Any]]:
        draft.sections = _reordered(draft.sections, keys, "key", "section key")
        return draft.sections

    return change


def rename_plan(title: str):
    def change(draft: PlanDraft) -> None:
        draft.title = title

    return change


def restore_revision(revision: PlanRevision):
    """An earlier version's words, not its visibility: hiding a section is how the person
    keeps it from everyone they share with, so each section stays hidden or shown as it is
    now, and a section the restore brings back (removed since) comes back hidden."""

    def change(draft: PlanDraft) -> None:
        hidden_now = {s["key"]: s["hidden"] for s in draft.sections}
        draft.title = revision.title
        draft.sections = deepcopy(revision.sections)
        for section in draft.sections:
            section["hidden"] = hidden_now.get(section["key"], True)

    return change
