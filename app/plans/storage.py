"""Where a plan's body is kept: the sections' fields in the plan row's `outline`, each entry
in its own `plan_entry` row (app/plans/models.py). A change's steps
(app/plans/document.py) are written as the few rows they touch, so an edit of one entry
costs the same in a plan of 6 entries or 600."""

import uuid
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, literal_column, select, update
from sqlalchemy.orm import Session

from app.core.driver import DriverRead, read_in, write_in
from app.plans.document import Sections, Step
from app.plans.models import Plan, PlanEntry

_ENTRIES = PlanEntry.__table__
# Named apart from the columns: an UPDATE or INSERT keeps the columns' names for its values.
_OF_PLAN = (
    _ENTRIES.c.owner_id == bindparam("of_owner"),
    _ENTRIES.c.plan_id == bindparam("of_plan"),
)
_IN_SECTION = and_(
    *_OF_PLAN,
    _ENTRIES.c.section_key == bindparam("in_section"),
    _ENTRIES.c.id == bindparam("entry_id"),
)
_CONTENT = bindparam("content", type_=_ENTRIES.c.content.type)
# Built once and compiled once for the driver (app/core/driver.py): an edit is a handful
# of these, and building and compiling each anew cost more than running it.
_READ_ENTRY = DriverRead(select(_ENTRIES.c.content).where(_IN_SECTION))
_PUT = update(_ENTRIES).where(_IN_SECTION).values(content=_CONTENT)
_DROP = delete(_ENTRIES).where(_IN_SECTION)
_MOVE = update(_ENTRIES).where(_IN_SECTION).values(position=bindparam("position"))
_ADD = insert(_ENTRIES).values(
    plan_id=bindparam("of_plan"),
    owner_id=bindparam("of_owner"),
    section_key=bindparam("in_section"),
    id=bindparam("entry_id"),
    # Last in its section.
    position=select(
        func.coalesce(func.max(_ENTRIES.c.position), literal_column("0")) + literal_column("1")
    )
    .where(*_OF_PLAN, _ENTRIES.c.section_key == bindparam("in_section"))
    .scalar_subquery(),
    content=_CONTENT,
)
_DROP_SECTIONS_NOT_IN = delete(_ENTRIES).where(
    *_OF_PLAN, _ENTRIES.c.section_key.not_in(bindparam("kept", expanding=True))
)


def _in_section(plan: Plan, key: str, entry_id: str) -> dict[str, Any]:
    return {
        "of_owner": plan.owner_id,
        "of_plan": plan.id,
        "in_section": key,
        "entry_id": uuid.UUID(entry_id),
    }


def read_entry(session: Session, plan: Plan, key: str, entry_id: str) -> dict[str, Any] | None:
    found = read_in(session, _READ_ENTRY, _in_section(plan, key, entry_id))
    return None if found is None else found.content


def write_body(session: Session, plan: Plan, sections: Sections) -> None:
    """The entry rows of a new plan whose outline is set already."""
    rows = [
        {
            "plan_id": plan.id,
            "owner_id": plan.owner_id,
            "section_key": section["key"],
            "id": uuid.UUID(entry["id"]),
            "position": position,
            "content": entry,
        }
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
                _DROP_SECTIONS_NOT_IN, {"of_owner": plan.owner_id, "of_plan": plan.id, "kept": kept}
            )
        elif kind == "add":
            values = _in_section(plan, key, step[2]["id"]) | {"content": step[2]}
            write_in(session, _ADD, values)
        elif kind == "put":
            values = _in_section(plan, key, step[2]["id"]) | {"content": step[2]}
            write_in(session, _PUT, values)
        elif kind == "drop":
            write_in(session, _DROP, _in_section(plan, key, step[2]))
        elif kind == "order":
            for position, entry_id in enumerate(step[2], start=1):
                write_in(session, _MOVE, _in_section(plan, key, entry_id) | {"position": position})
