"""A plan's history: every version is a revision row holding what changed since the one
before (app/plans/document.py), and now and then the whole body, so any version is
rebuilt from the nearest whole copy at or before it plus the changes after it.

When a whole copy is kept: once the changes stored since the last copy add up to the
size of that copy. The history then takes at most twice the space of its changes, and
rebuilding a version reads at most about twice a copy's size, whatever the plan's size
and however small its edits."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.core.encryption import as_stored
from app.plans.document import Sections, Step, apply_in_place, same
from app.plans.models import Plan, PlanRevision


def kept_for(
    plan: Plan, changes: list[Step], body_after: Callable[[], Sections]
) -> tuple[dict[str, Any], dict[str, int]]:
    """What the plan's next revision keeps (`changes`, or the whole body as `snapshot`) and
    the plan's history sizes after it. `body_after` is called only when a copy is due."""
    size = _json_size(changes)
    if plan.changes_size + size < plan.snapshot_size:
        return {"changes": changes}, {"changes_size": plan.changes_size + size}
    body = body_after()
    return {"snapshot": body}, {"snapshot_size": _json_size(body), "changes_size": 0}


def first_sizes(body: Sections) -> dict[str, int]:
    """The history sizes of a plan whose first revision is a copy of `body`."""
    return {"snapshot_size": _json_size(body), "changes_size": 0}


@dataclass(frozen=True)
class ImportedVersion:
    """A version of an imported history: its revision's fields, the changes since the
    version before (None for the first), and `body` to build the body after them, called
    before the next version is asked for."""

    fields: dict[str, Any]
    changes: list[Step] | None
    body: Callable[[], Sections]


def imported_revisions(
    plan: Plan, versions: Iterable[ImportedVersion], body: Sections
) -> list[PlanRevision]:
    """Revisions of an imported history's versions, oldest first, each kept as `kept_for`
    decides; the plan's history sizes follow them. The next change is kept whole unless
    the last of them is the plan's current version, as `body`."""
    revisions = []
    last = None
    for last in versions:
        if last.changes is None:
            first = last.body()
            kept, sizes = {"snapshot": first}, first_sizes(first)
        else:
            kept, sizes = kept_for(plan, last.changes, last.body)
        for name, size in sizes.items():
            setattr(plan, name, size)
        revisions.append(
            PlanRevision(plan_id=plan.id, owner_id=plan.owner_id, **last.fields, **kept)
        )
    if not (last and last.fields["number"] == plan.version and same(last.body(), body)):
        plan.snapshot_size = 0  # a copy is due
    return revisions


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


_REVISION_CONTENT = (PlanRevision.number, PlanRevision.changes, PlanRevision.snapshot)


def _of_plan(plan: Plan):
    return (PlanRevision.owner_id == plan.owner_id, PlanRevision.plan_id == plan.id)


def sections_at(session: Session, plan: Plan, number: int) -> Sections | None:
    """The body as it was at version `number`; None if the plan has no such version."""
    for version_number, sections in bodies(session, plan, number, number):
        return sections if version_number == number else None
    return None


def bodies(session: Session, plan: Plan, first: int, last: int) -> Iterator[tuple[int, Sections]]:
    """(number, body) of each version from `first` to `last` that the plan has, in order,
    rebuilt from the nearest copy at or before `first`. One body is changed into the
    next: copy one to keep it past the next step."""
    start = session.execute(
        select(func.max(PlanRevision.number)).where(
            *_of_plan(plan),
            PlanRevision.number <= first,
            as_stored(PlanRevision.snapshot).is_not(None),
        )
    ).scalar_one_or_none()
    if start is None:  # a history that starts later (imported): from its first copy
        start = session.execute(
            select(func.min(PlanRevision.number)).where(
                *_of_plan(plan), as_stored(PlanRevision.snapshot).is_not(None)
            )
        ).scalar_one_or_none()
    if start is None:
        return
    rows = session.execute(
        select(*_REVISION_CONTENT)
        .where(*_of_plan(plan), PlanRevision.number >= start, PlanRevision.number <= last)
        .order_by(PlanRevision.number)
    )
    body: Sections = []
    for number, changes, snapshot in rows:
        if snapshot is not None:
            body = snapshot
        else:
            apply_in_place(body, changes)
        if number >= first:
            yield number, body
