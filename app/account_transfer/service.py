import uuid
from copy import deepcopy
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.account_transfer.schemas import EXPORT_FORMAT, ExportFile
from app.accounts.models import User
from app.checkins.models import CheckIn
from app.core import clock
from app.plans import history
from app.plans.models import Plan, PlanRevision
from app.plans.service import add_plan

_REVISION_FIELDS = (
    PlanRevision.number,
    PlanRevision.title,
    PlanRevision.summary,
    PlanRevision.author_name,
    PlanRevision.created_at,
)


def export_everything(session: Session, user: User) -> dict[str, Any]:
    """Everything the person has: every plan (deleted ones are left out), with full history."""
    plans = session.execute(
        select(Plan)
        .where(Plan.owner_id == user.id, Plan.deleted_at.is_(None))
        .order_by(Plan.created_at, Plan.id)
    ).scalars()
    exported = []
    for plan in plans:
        revisions = session.execute(
            select(*_REVISION_FIELDS)
            .where(PlanRevision.owner_id == plan.owner_id, PlanRevision.plan_id == plan.id)
            .order_by(PlanRevision.number)
        ).all()
        # Each version's body is rebuilt from the one before: a copy of each is kept.
        bodies = {n: deepcopy(b) for n, b in history.bodies(session, plan, 1, plan.version)}
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
                "revisions": [
                    {
                        "number": r.number,
                        "title": r.title,
                        "summary": r.summary,
                        "author_name": r.author_name,
                        "created_at": clock.isoformat(r.created_at),
                        "sections": bodies[r.number],
                    }
                    for r in revisions
                ],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "exported_at": clock.isoformat(clock.utcnow()),
        "account": {"email": user.email, "display_name": user.display_name},
        "plans": exported,
    }


def preview_import(session: Session, user: User, export: ExportFile) -> dict[str, Any]:
    """What importing the file would add, changing nothing."""
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
        versions = [
            (
                {
                    "number": revision.number,
                    "title": revision.title,
                    "summary": revision.summary,
                    "author_id": None,
                    "author_name": revision.author_name,
                    "created_at": revision.created_at,
                },
                [s.model_dump(mode="json") for s in revision.sections],
            )
            for revision in exported.revisions
        ]
        session.add_all(history.imported_revisions(plan, versions, sections))
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
