"""Where a plan's body is kept: the sections' fields in the plan row's `outline`, each entry
in its own `plan_entry` row (app/plans/models.py). A change's steps
(app/plans/document.py) are written as the few rows they touch, so an edit of one entry
costs the same in a plan of 6 entries or 600."""

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.plans.document import Sections, Step
from app.plans.models import Plan, PlanEntry


def _of_plan(plan: Plan) -> tuple:
    return (PlanEntry.owner_id == plan.owner_id, PlanEntry.plan_id == plan.id)


def read_entry(session: Session, plan: Plan, key: str, entry_id: str) -> dict[str, Any] | None:
    return session.execute(
        select(PlanEntry.content).where(
            *_of_plan(plan), PlanEntry.section_key == key, PlanEntry.id == uuid.UUID(entry_id)
        )
    ).scalar_one_or_none()


def write_body(session: Session, plan: Plan, sections: Sections) -> None:
    """The entry rows of a new plan whose outline is set already."""
    rows = [
        _entry_row(plan, section["key"], entry, position)
        for section in sections
        for position, entry in enumerate(section["entries"], start=1)
    ]
    if rows:
        session.execute(insert(PlanEntry), rows)


def write_changes(session: Session, plan: Plan, steps: list[Step]) -> None:
    """Writes `steps`, as `document.apply_changes` would make them, to the plan's rows.
    A new outline is written by the caller with the plan row."""
    for step in steps:
        kind, key = step[0], step[1]
        if kind == "outline":
            kept = [section["key"] for section in key]
            session.execute(
                delete(PlanEntry).where(*_of_plan(plan), PlanEntry.section_key.not_in(kept))
            )
        elif kind == "add":
            session.execute(
                insert(PlanEntry).values(
                    **_entry_row(plan, key, step[2], _next_position(plan, key))
                )
            )
        elif kind == "put":
            session.execute(
                update(PlanEntry)
                .where(*_in_section(plan, key, step[2]["id"]))
                .values(content=step[2])
            )
        elif kind == "drop":
            session.execute(delete(PlanEntry).where(*_in_section(plan, key, step[2])))
        elif kind == "order":
            for position, entry_id in enumerate(step[2], start=1):
                session.execute(
                    update(PlanEntry)
                    .where(*_in_section(plan, key, entry_id))
                    .values(position=position)
                )


def _in_section(plan: Plan, key: str, entry_id: str) -> tuple:
    return (*_of_plan(plan), PlanEntry.section_key == key, PlanEntry.id == uuid.UUID(entry_id))


def _next_position(plan: Plan, key: str):
    return (
        select(func.coalesce(func.max(PlanEntry.position), 0) + 1)
        .where(*_of_plan(plan), PlanEntry.section_key == key)
        .scalar_subquery()
    )


def _entry_row(plan: Plan, key: str, entry: dict[str, Any], position: Any) -> dict[str, Any]:
    return {
        "plan_id": plan.id,
        "owner_id": plan.owner_id,
        "section_key": key,
        "id": uuid.UUID(entry["id"]),
        "position": position,
        "content": entry,
    }
