import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlmodel import Session

from app.account_transfer.replay import BrokenChange, Replay
from app.account_transfer.schemas import (
    EXPORT_FORMAT,
    ExportedChange,
    ExportedPlan,
    ExportFile,
)
from app.accounts.models import User
from app.checkins.models import CheckIn
from app.core import clock
from app.core.errors import Problem
from app.plans import history
from app.plans.document import changes_between
from app.plans.models import Plan, PlanRevision
from app.plans.service import add_plan

_REVISION_FIELDS = (
    PlanRevision.number,
    PlanRevision.title,
    PlanRevision.summary,
    PlanRevision.author_name,
    PlanRevision.created_at,
    PlanRevision.changes,
    PlanRevision.snapshot,
)
EXPORT_FORMAT_VERSION = 2
# The end of every refusal of a file a person chose: what happened, and what to do instead.
NOTHING_ADDED = (
    "Nothing was added. Save a fresh copy from the app where your plan is, and choose that."
)
_CHANGES = TypeAdapter(list[ExportedChange])


def export_everything(session: Session, user: User) -> dict[str, Any]:
    """Everything the person has: every plan (deleted ones are left out), with full history,
    each revision as the history keeps it (its changes, now and then the whole plan), so
    the file grows with what was changed, not with the plan's size times its versions."""
    plans = session.execute(
        select(Plan)
        .where(Plan.owner_id == user.id, Plan.deleted_at.is_(None))
        .order_by(Plan.created_at, Plan.id)
    ).scalars()
    exported = []
    for plan in plans:
        exported.append(
            {
                "id": str(plan.id),
                "title": plan.title,
                "template": plan.template,
                "version": plan.version,
                "created_at": clock.isoformat(plan.created_at),
                "updated_at": clock.isoformat(plan.updated_at),
                "archived_at": clock.isoformat(plan.archived_at),
                "sections": plan.sections,
                "check_ins": [
                    {"state": c.state, "note": c.note, "at": clock.isoformat(c.at)}
                    for c in session.execute(
                        select(CheckIn)
                        .where(CheckIn.owner_id == user.id, CheckIn.plan_id == plan.id)
                        .order_by(CheckIn.at, CheckIn.id)
                    ).scalars()
                ],
                "revisions": _exported_revisions(session, plan),
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": clock.isoformat(clock.utcnow()),
        "account": {"email": user.email, "display_name": user.display_name},
        "plans": exported,
    }


def _exported_revisions(session: Session, plan: Plan) -> list[dict[str, Any]]:
    revisions = []
    for number, title, summary, author_name, created_at, changes, snapshot in session.execute(
        select(*_REVISION_FIELDS)
        .where(PlanRevision.owner_id == plan.owner_id, PlanRevision.plan_id == plan.id)
        .order_by(PlanRevision.number)
    ):
        if snapshot is not None:
            content = {"sections": snapshot}
        elif revisions:
            content = {"changes": changes}
        else:  # a file's first revision is whole: each later one changes the one before
            content = {"sections": history.sections_at(session, plan, number)}
        revisions.append(
            {
                "number": number,
                "title": title,
                "summary": summary,
                "author_name": author_name,
                "created_at": clock.isoformat(created_at),
                **content,
            }
        )
    return revisions


def preview_import(session: Session, user: User, export: ExportFile) -> dict[str, Any]:
    """What importing the file would add, changing nothing; refused as the import would be
    if a history's changes do not apply."""
    for exported in export.plans:
        for _version in _versions(exported):
            pass
    here = set(
        session.execute(
            select(Plan.id).where(
                Plan.owner_id == user.id,
                Plan.deleted_at.is_(None),
                Plan.id.in_([p.id for p in export.plans]),
            )
        ).scalars()
    )
    return {
        "exported_at": export.exported_at,
        "exported_by": export.account.display_name,
        "plans": [
            {
                "title": plan.title,
                "template": plan.template,
                "updated_at": plan.updated_at,
                "versions": len(plan.revisions),
                "entries": sum(len(s.entries) for s in plan.sections),
                "check_ins": len(plan.check_ins),
                "sections": [
                    {"title": s.title, "entries": len(s.entries)}
                    for s in plan.sections
                    if s.entries
                ],
                "already_here": plan.id in here,
            }
            for plan in export.plans
        ],
    }


def import_everything(session: Session, user: User, export: ExportFile) -> list[Plan]:
    """Adds every plan in the file, with its history, as new plans of this account.
    All or nothing: one transaction."""
    created = []
    for exported in export.plans:
        sections = [s.model_dump(mode="json") for s in exported.sections]
        plan = add_plan(
            session,
            Plan(
                owner_id=user.id,
                template=exported.template,
                title=exported.title,
                version=exported.version,
                created_at=exported.created_at,
                updated_at=exported.updated_at,
                archived_at=exported.archived_at,
            ),
            sections,
        )
        session.add_all(history.imported_revisions(plan, _versions(exported), sections))
        # New ids: a check-in's id only spares a device sending it twice.
        session.add_all(
            CheckIn(
                owner_id=user.id,
                id=uuid.uuid4(),
                plan_id=plan.id,
                state=c.state,
                note=c.note,
                at=c.at,
            )
            for c in exported.check_ins
        )
        created.append(plan)
    session.commit()
    return created


def _versions(exported: ExportedPlan) -> Iterator[history.ImportedVersion]:
    """The plan's history as the file gives it, each revision after the first as its changes
    (a file's are checked against the plan as it stands, `Replay`: a 422 naming the first
    that does not apply; a whole revision's are found by comparing)."""
    replay = None
    for revision in exported.revisions:
        fields = {
            "number": revision.number,
            "title": revision.title,
            "summary": revision.summary,
            "author_id": None,
            "author_name": revision.author_name,
            "created_at": revision.created_at,
        }
        if revision.sections is not None:
            sections = [s.model_dump(mode="json") for s in revision.sections]
            if replay is None:
                replay = Replay(sections)
                yield history.ImportedVersion(fields, None, replay.body)
                continue
            changes = changes_between(replay.body(), sections)
            replay.start(sections)
            yield history.ImportedVersion(fields, changes, replay.body)
            continue
        changes = _CHANGES.dump_python(revision.changes, mode="json")
        try:
            replay.apply(changes)
        except BrokenChange as broken:
            raise Problem(
                422,
                f"The history of \u201c{exported.title}\u201d in it doesn't fit together at "
                f"version {revision.number}: the file may have been changed or damaged since "
                f"it was saved. {NOTHING_ADDED}",
                problem_in_file=f"Revision {revision.number} does not follow from the one "
                f"before it: {broken}",
            ) from None
        yield history.ImportedVersion(fields, changes, replay.body)
