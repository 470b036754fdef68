"""Where a plan's body is kept: the sections' fields in the plan row's `outline`, each entry
in its own `plan_entry` row (app/plans/models.py). A change's steps
(app/plans/document.py) are written as the few rows they touch, so an edit of one entry
costs the same in a plan of 6 entries or 600. Read back, a version's body is assembled once
and kept as JSON text (caches.SECTIONS_JSON): from a version kept a little before it and
the changes since, as its revisions hold them (app/plans/history.py), or else from its rows.
A change reads and decrypts a row per version, the rows one per entry."""

import logging
import uuid
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, func, insert, literal_column, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from app.core import caches
from app.core.driver import DriverRead, read_in, write_in
from app.core.json_text import from_json_text, json_text
from app.plans.document import Sections, Step, apply_in_place, assembled_from_rows
from app.plans.models import Plan, PlanEntry, PlanRevision

logger = logging.getLogger(__name__)

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


# ---- a version's body as JSON text ------------------------------------------------------

# By generation and version too: the plan may have changed since its summary was read, and
# a version's sections are kept under that version of that row (caches.SECTIONS_JSON).
# Each statement reads as of one moment, and every change moves the version, so an outline
# and entries both read at one version belong together.
_AT_VERSION = and_(
    Plan.owner_id == bindparam("owner_id"),
    Plan.id == bindparam("plan_id"),
    Plan.generation == bindparam("generation"),
    Plan.version == bindparam("version"),
)
OUTLINE_AT_VERSION = DriverRead(select(Plan.outline).where(_AT_VERSION))
# No row once the plan has moved on; one row of NULLs for a plan with no entries.
ENTRIES_AT_VERSION = DriverRead(
    select(PlanEntry.section_key, PlanEntry.content)
    .select_from(Plan)
    .outerjoin(PlanEntry, and_(PlanEntry.owner_id == Plan.owner_id, PlanEntry.plan_id == Plan.id))
    .where(_AT_VERSION)
    .order_by(PlanEntry.section_key, PlanEntry.position)
)


def sections_json_of(connection: Connection | Session, plan: Row) -> str | None:
    """The sections of the plan version in `plan` (its id, owner_id, generation and
    version) as JSON text; None once the plan has moved on from that version."""
    return sections_json_at(connection, plan.owner_id, plan.id, plan.generation, plan.version)


def sections_json_at(
    connection: Connection | Session,
    owner_id: uuid.UUID,
    plan_id: uuid.UUID,
    generation: uuid.UUID,
    version: int,
) -> str | None:
    plan = _PlanVersion(owner_id, plan_id, generation, version)
    if (kept := cached_sections_json(plan)) is not None:
        return kept
    if (before := kept_version_before(plan)) is not None:
        changes = connection.execute(CHANGES_SINCE.select, changes_values(plan, before)).all()
        if (found := kept_sections_json_from_changes(plan, before, changes)) is not None:
            return found
    values = version_values(plan)
    outline = connection.execute(OUTLINE_AT_VERSION.select, values).first()
    entries = connection.execute(ENTRIES_AT_VERSION.select, values).all() if outline else []
    return kept_sections_json(plan, outline, entries)


def current_sections_json(
    connection: Connection | Session, owner_id: uuid.UUID, plan_id: uuid.UUID
) -> str:
    """The plan's sections as they are now, as JSON text."""
    while True:  # again only if the plan changed between the two reads
        generation, version = connection.execute(
            select(Plan.generation, Plan.version).where(
                Plan.owner_id == owner_id, Plan.id == plan_id
            )
        ).one()
        found = sections_json_at(connection, owner_id, plan_id, generation, version)
        if found is not None:
            return found


class _PlanVersion(NamedTuple):
    owner_id: uuid.UUID
    id: uuid.UUID
    generation: uuid.UUID
    version: int


def version_values(plan: Row) -> dict[str, Any]:
    return {
        "owner_id": plan.owner_id,
        "plan_id": plan.id,
        "generation": plan.generation,
        "version": plan.version,
    }


def _sections_key(plan: Row) -> tuple:
    return (plan.owner_id, plan.id, plan.generation, plan.version)


def cached_sections_json(plan: Row) -> str | None:
    """The sections of the plan version in `plan`, when kept in memory."""
    return caches.SECTIONS_JSON.get(_sections_key(plan))


def kept_sections_json(plan: Row, outline: Row | None, entries: list[Row]) -> str | None:
    """The sections assembled from the rows read at `plan`'s version (OUTLINE_AT_VERSION,
    ENTRIES_AT_VERSION), kept; None when those reads found the plan moved on."""
    if outline is None or not entries:
        return None
    return _kept(plan, assembled_from_rows(outline.outline, entries))


def _kept(plan: Row, sections: Sections) -> str:
    sections_json = json_text(sections)
    return caches.SECTIONS_JSON.put(
        _sections_key(plan), sections_json, owner_id=plan.owner_id, plan_id=plan.id
    )


# How far back a kept version is looked for: past that, reading the version's rows is
# about as quick as reading and applying each version's changes.
_VERSIONS_BACK = 16
# The revisions after a kept version, up to the one wanted. A revision is written with its
# version, in one transaction, and never changed, so they are read outside one. Plan ids
# are never used twice, so these are the revisions of the plan row the kept version is of.
CHANGES_SINCE = DriverRead(
    select(PlanRevision.number, PlanRevision.changes, PlanRevision.snapshot)
    .where(
        PlanRevision.owner_id == bindparam("owner_id"),
        PlanRevision.plan_id == bindparam("plan_id"),
        PlanRevision.number > bindparam("kept_version"),
        PlanRevision.number <= bindparam("version"),
    )
    .order_by(PlanRevision.number)
)


def kept_version_before(plan: Row) -> tuple[int, str] | None:
    """The newest version before `plan`'s (not too far back) whose sections are kept, and
    their JSON text."""
    for version in range(plan.version - 1, max(plan.version - 1 - _VERSIONS_BACK, 0), -1):
        kept = caches.SECTIONS_JSON.get((plan.owner_id, plan.id, plan.generation, version))
        if kept is not None:
            return version, kept
    return None


def changes_values(plan: Row, before: tuple[int, str]) -> dict[str, Any]:
    return {
        "owner_id": plan.owner_id,
        "plan_id": plan.id,
        "kept_version": before[0],
        "version": plan.version,
    }


def keep_sections_after(plan: Row, steps: list[Step]) -> None:
    """Once `steps` are committed as `plan`'s version: its sections, kept when the version
    before it is, as reading its revision back (CHANGES_SINCE) would keep them."""
    before = plan.version - 1
    kept = caches.SECTIONS_JSON.get((plan.owner_id, plan.id, plan.generation, before))
    if kept is not None:
        written = CHANGES_SINCE.row(number=plan.version, changes=steps, snapshot=None)
        kept_sections_json_from_changes(plan, (before, kept), [written])


def kept_sections_json_from_changes(
    plan: Row, before: tuple[int, str], revisions: list[Row]
) -> str | None:
    """The sections at `plan`'s version, from the kept version `before` and the revisions
    read after it (CHANGES_SINCE), kept; None unless every version between was read. Each
    revision's changes turn the body before it into the body as its rows then held
    (history.kept_for writes them with the rows, in one transaction), or it holds the body."""
    kept_version, kept_json = before
    if [revision.number for revision in revisions] != list(
        range(kept_version + 1, plan.version + 1)
    ):
        return None
    sections: Sections = from_json_text(kept_json)
    try:
        for revision in revisions:
            if revision.snapshot is not None:
                sections = revision.snapshot
            else:
                apply_in_place(sections, revision.changes)
    except (KeyError, StopIteration, ValueError):
        # The rows are what the plan holds: read them instead, and say so, as a bug.
        logger.exception("a plan's changes did not apply to its version before; read its rows")
        return None
    return _kept(plan, sections)
