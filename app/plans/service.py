"""Plans: every change is a compare-and-swap on the plan's version plus a revision of what
changed (app/plans/history.py), so two devices never overwrite each other silently and
nothing is lost by editing. The changes themselves are in `changes`, the draft they are
made on in `draft`."""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.accounts.models import User
from app.core import caches, clock, plan_events
from app.core.driver import write_in
from app.core.errors import Problem
from app.core.json_text import JSONText, encoded
from app.core.plan_events import PlanEvent
from app.plans import history, storage
from app.plans.document import Sections, outline_of
from app.plans.draft import PlanDraft
from app.plans.models import Plan, PlanRevision, UsedPlanId
from app.plans.templates import TEMPLATES, Template, new_plan_sections

T = TypeVar("T")
_CONCURRENT_RETRIES = 20


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


def plan_document_json(session: Session, plan: Plan, retention_days: int) -> JSONText:
    """The plan's document as the owner's read answers it, as JSON text: its sections are
    assembled once per version and kept (storage.sections_json_of), not built afresh."""
    while (sections_json := storage.sections_json_of(session, plan)) is None:
        session.refresh(plan)  # it changed since it was loaded: answer with the newer version
    return document_json(plan_summary(plan, retention_days), sections_json)


def document_json(summary: dict[str, Any], sections_json: str) -> JSONText:
    """A plan's summary with its sections (JSON text already), as JSON text."""
    return JSONText(encoded(summary | {"sections": JSONText(sections_json)}))


NOT_FOUND = "There is no plan with this id in your plans."


def get_owned_plan(
    session: Session, owner: User, plan_id: uuid.UUID, *, locked: bool = False
) -> Plan:
    """The owner's plan; any other plan is a 404, so nobody learns that it exists. Routes
    take it as `OwnedPlan` (app/plans/dependencies.py). `locked`: as `_plan_of`."""
    return _live_plan_of(session, owner.id, plan_id, locked)


def _live_plan_of(
    session: Session, owner_id: uuid.UUID, plan_id: uuid.UUID, locked: bool = False
) -> Plan:
    plan = _plan_of(session, owner_id, plan_id, locked)
    check_owned_and_live(plan, owner_id)
    return plan


def _plan_of(
    session: Session, owner_id: uuid.UUID, plan_id: uuid.UUID, locked: bool = False
) -> Plan | None:
    """`locked`: the row is kept from other writers until this transaction ends (PostgreSQL;
    SQLite has one writer at a time anyway)."""
    # By owner too, as every plan query: on a database distributed by owner it is then
    # answered by one node.
    query = select(Plan).where(Plan.id == plan_id, Plan.owner_id == owner_id)
    return session.execute(query.with_for_update() if locked else query).scalar_one_or_none()


def check_owned_and_live(plan: Plan | Row | None, owner_id: uuid.UUID) -> None:
    if plan is None or plan.owner_id != owner_id:
        raise Problem(404, NOT_FOUND)
    if plan.deleted_at is not None:
        raise Problem(404, "This plan is deleted. Restore it from your deleted plans first.")


# ---- changing --------------------------------------------------------------------------


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
    sections = new_plan_sections(template)
    plan = add_plan(
        session,
        Plan(
            id=plan_id or uuid.uuid4(),
            owner_id=owner.id,
            template=template,
            title=title or TEMPLATES[template]["name"],
            created_at=now,
            updated_at=now,
        ),
        sections,
    )
    session.add(
        PlanRevision(
            plan_id=plan.id,
            owner_id=plan.owner_id,
            number=plan.version,
            title=plan.title,
            snapshot=sections,
            summary="Plan created",
            author_id=owner.id,
            author_name=owner.display_name,
            created_at=now,
        )
    )
    session.commit()
    return plan


def add_plan(session: Session, plan: Plan, sections: Sections) -> Plan:
    """Adds `plan` (its row made but not added) with `sections` as its body, and the
    history sizes of a first revision that copies it."""
    plan.outline = outline_of(sections)
    for name, size in history.first_sizes(sections).items():
        setattr(plan, name, size)
    session.add(plan)
    session.flush()
    storage.write_body(session, plan, sections)
    return plan


USED_ID = (
    "This plan id can't be used for a new plan: make a new id (a random UUID) and send the "
    "plan again."
)


def plan_id_is_used(session: Session, plan_id: uuid.UUID) -> bool:
    return session.get(UsedPlanId, plan_id) is not None


def conflict(session: Session, plan: Plan, retention_days: int) -> Problem:
    return Problem(
        409,
        "This plan changed since you last loaded it (now version "
        f"{plan.version}). Your change was not saved: merge it with the current copy "
        "and send it again.",
        headers={"ETag": etag(plan)},
        current=plan_document_json(session, plan, retention_days),
    )


def change_plan(
    session: Session,
    plan: Plan,
    *,
    author: User,
    summary: str | Callable[[Sections], str],
    expected_version: int | None,
    change: Callable[[PlanDraft], T],
    retention_days: int,
    answered_whole: bool = False,
) -> tuple[Plan, T]:
    """Apply `change` to the owner's `plan` (as `get_owned_plan` gave it) as one new
    version. With an expected version, a stale write is refused with 409; without one, a
    write racing another is simply re-applied to the newer copy. A callable `summary`,
    called after `change`, words the version from the sections (their outline) as they were
    before it. `answered_whole`: the caller answers with the whole new version (a sync), so
    its sections are kept now, from the version before and the change, instead of being
    read back (a web edit answers with the entry alone, and keeps its cost to the change)."""
    owner_id, plan_id = plan.owner_id, plan.id
    # Read once: a write that lost a race is rolled back, which unloads `author` too.
    author_id, author_name = author.id, author.display_name
    for _ in range(_CONCURRENT_RETRIES):
        if expected_version is not None and expected_version != plan.version:
            raise conflict(session, plan, retention_days)
        draft = PlanDraft(session, plan)
        outline_before = plan.outline
        result = change(draft)
        said = summary(outline_before) if callable(summary) else summary
        steps = draft.changes()
        kept, sizes = history.kept_for(plan, steps, lambda draft=draft: draft.sections)
        now = clock.utcnow()
        values: dict[str, Any] = {"version": plan.version + 1, "updated_at": now, **sizes}
        if draft.title != plan.title:
            values["title"] = draft.title
        for step in steps:
            if step[0] == "outline":
                values["outline"] = step[1]
        if _write_plan(session, plan, values, at_version=plan.version):
            storage.write_changes(session, plan, steps)
            revision = {"changes": None, "snapshot": None} | kept
            write_in(
                session,
                _ADD_REVISION,
                {
                    "plan_id": plan.id,
                    "owner_id": plan.owner_id,
                    "number": plan.version,
                    "title": plan.title,
                    "summary": said,
                    "author_id": author_id,
                    "author_name": author_name,
                    "created_at": now,
                    **revision,
                },
            )
            session.commit()
            if answered_whole:
                storage.keep_sections_after(plan, steps)
            return plan, result
        session.rollback()
        session.expire_all()
        # Lost a race: the newer copy is read locked, so this write cannot lose again,
        # however many others keep arriving.
        plan = _live_plan_of(session, owner_id, plan_id, locked=True)
    raise Problem(409, "This plan is being changed on another device right now. Try again.")


_PLANS = Plan.__table__
_REVISIONS = PlanRevision.__table__
# Built once and compiled once for the driver (app/core/driver.py), as the plan's entries'
# statements are (storage.py): they are most of what an edit runs.
_ADD_REVISION = insert(_REVISIONS).values(
    {
        name: bindparam(name, type_=column.type)
        for name, column in _REVISIONS.c.items()
        if name != "id"
    }
)
_PLAN_WRITES: dict[tuple[tuple[str, ...], bool], Any] = {}


def _write_plan(
    session: Session, plan: Plan, values: dict[str, Any], *, at_version: int | None = None
) -> bool:
    """Sets these columns of `plan`, by owner and id (as every plan query, see `_plan_of`),
    and with `at_version` only while the plan is still at that version; keeps the loaded
    object in step. False if it was not written (another change came first). Each shape
    of the statement is built once and compiled for the driver."""
    shape = (tuple(sorted(values)), at_version is not None)
    statement = _PLAN_WRITES.get(shape)
    if statement is None:
        statement = _PLAN_WRITES.setdefault(shape, _plan_write(*shape))
    bound = {f"new_{name}": value for name, value in values.items()}
    bound |= {"of_owner": plan.owner_id, "of_plan": plan.id}
    if at_version is not None:
        bound["read_version"] = at_version
    if write_in(session, statement, bound) != 1:
        return False
    for name, value in values.items():
        set_committed_value(plan, name, value)
    return True


def _plan_write(names: tuple[str, ...], at_version: bool):
    conditions = [_PLANS.c.owner_id == bindparam("of_owner"), _PLANS.c.id == bindparam("of_plan")]
    if at_version:
        conditions.append(_PLANS.c.version == bindparam("read_version"))
    return (
        update(_PLANS)
        .where(*conditions)
        .values({name: bindparam(f"new_{name}", type_=_PLANS.c[name].type) for name in names})
    )


def set_archived(session: Session, plan: Plan, archived: bool) -> Plan:
    if archived != (plan.archived_at is not None):
        _write_plan(session, plan, {"archived_at": clock.utcnow() if archived else None})
        session.commit()
    return plan


def soft_delete(session: Session, plan: Plan) -> None:
    _write_plan(session, plan, {"deleted_at": clock.utcnow()})
    plan_events.publish(PlanEvent.deleted, session, plan)
    session.commit()
    caches.forget_plan(plan.owner_id, plan.id)


def restore_deleted(
    session: Session, owner: User, plan_id: uuid.UUID, retention_days: int, *, with_sharing: bool
) -> Plan:
    """Brings back the plan's content; its sharing comes back only `with_sharing` (see
    app/sharing/plan_copies.py)."""
    plan = _plan_of(session, owner.id, plan_id)
    if plan is None:
        raise Problem(404, NOT_FOUND)
    if plan.deleted_at is None:
        raise Problem(409, "This plan is not deleted, so there is nothing to restore.")
    if purge_after(plan, retention_days) <= clock.utcnow():
        raise Problem(404, NOT_FOUND)
    _write_plan(session, plan, {"deleted_at": None})
    plan_events.publish(PlanEvent.restored, session, plan, by=owner, with_sharing=with_sharing)
    session.commit()
    return plan


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


_REVISION_SUMMARY = (
    PlanRevision.number,
    PlanRevision.title,
    PlanRevision.summary,
    PlanRevision.author_id,
    PlanRevision.author_name,
    PlanRevision.created_at,
)


def _revisions_of(plan: Plan):
    return select(*_REVISION_SUMMARY).where(
        PlanRevision.owner_id == plan.owner_id, PlanRevision.plan_id == plan.id
    )


def list_revisions(session: Session, plan: Plan) -> list[Row]:
    return list(session.execute(_revisions_of(plan).order_by(PlanRevision.number.desc())))


def get_revision(session: Session, plan: Plan, number: int) -> Row:
    """The revision's summary; its body is `history.sections_at`."""
    revision = session.execute(
        _revisions_of(plan).where(PlanRevision.number == number)
    ).one_or_none()
    if revision is None:
        raise Problem(404, f"This plan has no version {number}. Its history lists the versions.")
    return revision


def revision_sections(session: Session, plan: Plan, number: int) -> Sections:
    sections = history.sections_at(session, plan, number)
    if sections is None:
        raise Problem(404, f"This plan has no version {number}. Its history lists the versions.")
    return sections


def revision_summary(revision: Row) -> dict[str, Any]:
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
