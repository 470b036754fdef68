"""Plans: every change is a compare-and-swap on the plan's version plus a full revision,
so two devices never overwrite each other silently and nothing is lost by editing."""

import secrets
import uuid
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.accounts.models import AuthSession, User
from app.accounts.service import LIVE_SESSION, sign_in_required, signed_in_claims
from app.core import caches, clock, plan_events
from app.core.config import Settings
from app.core.driver import write_in
from app.core.errors import Problem
from app.core.plan_events import PlanEvent
from app.plans import history, storage
from app.plans.document import Sections, Step, apply_changes, changes_between, outline_of
from app.plans.models import Plan, PlanEntry, PlanRevision, UsedPlanId, body_of
from app.plans.schemas import stored_page
from app.plans.storage import read_entry
from app.plans.templates import TEMPLATES, Template, new_plan_sections

T = TypeVar("T")
_CONCURRENT_RETRIES = 20


class PlanDraft:
    """The plan handed to a change function, to change in place.

    The entry methods (`section`, `entry`, `add_entry`, `entry_changed`, `remove_entry`)
    read and write only the entries they name: the changes people make most cost the
    same in any size of plan. `sections` is the whole body, read on first use; the
    change is then found by comparing it with the body as it was."""

    def __init__(self, session: Session, plan: Plan) -> None:
        self.title = plan.title
        self._session = session
        self._plan = plan
        self._outline = plan.outline
        self._steps: list[Step] = []  # the entry methods' changes, before `sections`
        self._entries: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._stored_body: Sections | None = None
        self._body: Sections | None = None

    @property
    def sections(self) -> Sections:
        if self._body is None:
            self._stored_body = body_of(self._session, self._plan)
            self._body = apply_changes(self._stored_body, self._steps)
        return self._body

    @sections.setter
    def sections(self, sections: Sections) -> None:
        if self._body is None:
            self._stored_body = body_of(self._session, self._plan)
        self._body = sections

    def changes(self) -> list[Step]:
        if self._stored_body is None:
            return self._steps
        return changes_between(self._stored_body, self._body)

    def outline(self) -> Sections:
        """The sections as they are now; their `entries` may not be loaded."""
        return self._body if self._body is not None else self._outline

    def section(self, key: str) -> dict[str, Any] | None:
        """The section, for reading its fields; change one through `sections`."""
        return next((s for s in self.outline() if s["key"] == key), None)

    def entry(self, key: str, entry_id: str) -> dict[str, Any] | None:
        """The entry, to change in place and then pass to `entry_changed`."""
        if self._body is not None:
            section = self.section(key)
            entries = section["entries"] if section else []
            return next((e for e in entries if e["id"] == entry_id), None)
        if (key, entry_id) not in self._entries:
            read = self._session.info.get(_READ_WITH_PLAN, {})
            at_version = (self._plan.id, self._plan.version, key, entry_id)
            self._entries[key, entry_id] = (
                read[at_version]
                if at_version in read
                else read_entry(self._session, self._plan, key, entry_id)
            )
        return self._entries[key, entry_id]

    def add_entry(self, key: str, entry: dict[str, Any]) -> None:
        if self._body is not None:
            self.section(key)["entries"].append(entry)
            return
        self._entries[key, entry["id"]] = entry
        self._steps.append(["add", key, entry])

    def entry_changed(self, key: str, entry: dict[str, Any]) -> None:
        if self._body is not None:
            return  # found by comparing
        # An entry changed again, or added and then changed, is written once as it ends.
        if not any(step[1] == key and step[2] is entry for step in self._steps):
            self._steps.append(["put", key, entry])

    def remove_entry(self, key: str, entry_id: str) -> None:
        if self._body is not None:
            section = self.section(key)
            section["entries"] = [e for e in section["entries"] if e["id"] != entry_id]
            return
        added_here = any(
            step[0] == "add" and step[1] == key and step[2]["id"] == entry_id
            for step in self._steps
        )
        self._steps = [
            step
            for step in self._steps
            if not (step[0] in ("add", "put") and step[1] == key and step[2]["id"] == entry_id)
        ]
        if not added_here:
            self._steps.append(["drop", key, entry_id])
        self._entries[key, entry_id] = None


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
    """The owner's plan; any other plan is a 404, so nobody learns that it exists. Routes
    take it as `OwnedPlan` (app/plans/dependencies.py)."""
    return _live_plan_of(session, owner.id, plan_id)


# The sign-in check and the owner's plan in one query, built once: the live session's
# user, with their plan of this id (NULLs when they have none).
_USER_AND_PLAN = (
    select(User, Plan)
    .join(AuthSession, AuthSession.user_id == User.id)
    .outerjoin(Plan, and_(Plan.owner_id == bindparam("user_id"), Plan.id == bindparam("plan_id")))
    .where(LIVE_SESSION)
)


# The same with one entry of the plan, for the routes that change one.
_USER_PLAN_AND_ENTRY = (
    select(User, Plan, PlanEntry.content)
    .join(AuthSession, AuthSession.user_id == User.id)
    .outerjoin(Plan, and_(Plan.owner_id == bindparam("user_id"), Plan.id == bindparam("plan_id")))
    .outerjoin(
        PlanEntry,
        and_(
            PlanEntry.owner_id == bindparam("user_id"),
            PlanEntry.plan_id == Plan.id,
            PlanEntry.section_key == bindparam("section_key"),
            PlanEntry.id == bindparam("entry_id"),
        ),
    )
    .where(LIVE_SESSION)
)
# Entries read with their plan, for `PlanDraft.entry`, by (plan id, version, key, entry id):
# on a retry after another change came first, the plan's version has moved on.
_READ_WITH_PLAN = "entries read with the plan"


def signed_in_owners_plan(
    session: Session,
    token: str | None,
    plan_id: uuid.UUID,
    settings: Settings,
    entry: tuple[str, uuid.UUID] | None = None,
) -> tuple[User, uuid.UUID, Plan]:
    """The signed-in user behind `token`, their session id and their plan (a 401 without
    a live sign-in, then the 404s of `get_owned_plan`), in one round trip; with the `entry`
    (section key, entry id) a change is about to read, read in that same round trip."""
    user_id, session_id = signed_in_claims(token, settings)
    values = {"user_id": user_id, "session_id": session_id, "plan_id": plan_id}
    if entry is None:
        found = session.execute(_USER_AND_PLAN, values).first()
    else:
        key, entry_id = entry
        values |= {"section_key": key, "entry_id": entry_id}
        found = session.execute(_USER_PLAN_AND_ENTRY, values).first()
    if found is None:
        raise sign_in_required()
    user, plan = found[0], found[1]
    check_owned_and_live(plan, user.id)
    if entry is not None:
        read = session.info.setdefault(_READ_WITH_PLAN, {})
        read[plan.id, plan.version, entry[0], str(entry[1])] = found[2]
    return user, session_id, plan


def _live_plan_of(session: Session, owner_id: uuid.UUID, plan_id: uuid.UUID) -> Plan:
    plan = _plan_of(session, owner_id, plan_id)
    check_owned_and_live(plan, owner_id)
    return plan


def _plan_of(session: Session, owner_id: uuid.UUID, plan_id: uuid.UUID) -> Plan | None:
    # By owner too, as every plan query: on a database distributed by owner it is then
    # answered by one node.
    return session.execute(
        select(Plan).where(Plan.id == plan_id, Plan.owner_id == owner_id)
    ).scalar_one_or_none()


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
        new_plan_sections(template),
    )
    session.add(
        PlanRevision(
            plan_id=plan.id,
            owner_id=plan.owner_id,
            number=plan.version,
            title=plan.title,
            snapshot=plan.sections,
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
    plan: Plan,
    *,
    author: User,
    summary: str | Callable[[Sections], str],
    expected_version: int | None,
    change: Callable[[PlanDraft], T],
    retention_days: int,
) -> tuple[Plan, T]:
    """Apply `change` to the owner's `plan` (as `get_owned_plan` gave it) as one new
    version. With an expected version, a stale write is refused with 409; without one, a
    write racing another is simply re-applied to the newer copy. A callable `summary`,
    called after `change`, words the version from the sections (their outline) as they were
    before it."""
    owner_id, plan_id = plan.owner_id, plan.id
    for _ in range(_CONCURRENT_RETRIES):
        if expected_version is not None and expected_version != plan.version:
            raise conflict(plan, retention_days)
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
        if _swapped_version(session, plan, values):
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
                    "author_id": author.id,
                    "author_name": author.display_name,
                    "created_at": now,
                    **revision,
                },
            )
            plan_events.publish(PlanEvent.changed, session, plan, updated_at=now)
            session.commit()
            return plan, result
        session.rollback()
        session.expire_all()
        plan = _live_plan_of(session, owner_id, plan_id)
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
_SWAPS: dict[tuple[str, ...], Any] = {}


def _swapped_version(session: Session, plan: Plan, values: dict[str, Any]) -> bool:
    """Sets these columns of `plan` if it is still at the version it was read at (by owner
    and id, as every plan query), and keeps the loaded object in step; False if another
    change came first."""
    names = tuple(sorted(values))
    swap = _SWAPS.get(names)
    if swap is None:
        swap = _SWAPS.setdefault(
            names,
            update(_PLANS)
            .where(
                _PLANS.c.owner_id == bindparam("of_owner"),
                _PLANS.c.id == bindparam("of_plan"),
                _PLANS.c.version == bindparam("read_version"),
            )
            .values({name: bindparam(f"new_{name}", type_=_PLANS.c[name].type) for name in names}),
        )
    written = write_in(
        session,
        swap,
        {f"new_{name}": value for name, value in values.items()}
        | {"of_owner": plan.owner_id, "of_plan": plan.id, "read_version": plan.version},
    )
    if written != 1:
        return False
    for name, value in values.items():
        set_committed_value(plan, name, value)
    return True


def set_archived(session: Session, plan: Plan, archived: bool) -> Plan:
    if archived != (plan.archived_at is not None):
        _write_plan(session, plan, archived_at=clock.utcnow() if archived else None)
        session.commit()
    return plan


def soft_delete(session: Session, plan: Plan) -> None:
    _write_plan(session, plan, deleted_at=clock.utcnow())
    plan_events.publish(PlanEvent.deleted, session, plan)
    session.commit()
    caches.forget_plan(plan.owner_id, plan.id)


def _write_plan(session: Session, plan: Plan, *conditions, **values) -> bool:
    """Sets these columns of `plan` where it still meets `conditions`, by owner and id (as
    every plan query, see `_plan_of`), and keeps the loaded object in step; False if
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
    _write_plan(session, plan, deleted_at=None)
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


# ---- sections and entries (change functions for change_plan) ---------------------------


def section_title(sections: list[dict[str, Any]], key: str) -> str:
    """A section as the plan's history names it: its title, in quotes, as people see it."""
    title = next((s["title"] for s in sections if s["key"] == key), key)
    return f"\u201c{title}\u201d"


def find_section(draft: PlanDraft, key: str) -> dict[str, Any]:
    """The section with its entries, to change."""
    for section in draft.sections:
        if section["key"] == key:
            return section
    raise Problem(404, _NO_SECTION.format(key=key))


_NO_SECTION = "This plan has no section '{key}'."


def _section_fields(draft: PlanDraft, key: str) -> dict[str, Any]:
    """The section's fields, to read: its entries may not be loaded."""
    section = draft.section(key)
    if section is None:
        raise Problem(404, _NO_SECTION.format(key=key))
    return section


def _entry(draft: PlanDraft, key: str, entry_id: uuid.UUID) -> dict[str, Any]:
    entry = draft.entry(key, str(entry_id))
    if entry is None:
        raise Problem(404, f"The section '{key}' has no entry {entry_id}.")
    return entry


PAGES_SECTION = "notes"


def _check_entry_fields(
    section: dict[str, Any], prompt: str | None, goal: Any, page: Any = None
) -> None:
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
    if page is not None and section["key"] != PAGES_SECTION:
        raise Problem(
            409, f"Pages go in your notes section ('{PAGES_SECTION}'), not '{section['key']}'."
        )


def add_entry(
    key: str,
    text: str,
    prompt: str | None,
    goal: dict | None,
    entry_id: uuid.UUID | None = None,
    page: dict | None = None,
):
    """`entry_id` lets an offline device name the entry it made before it could sync."""

    def change(draft: PlanDraft) -> dict[str, Any]:
        section = _section_fields(draft, key)
        _check_entry_fields(section, prompt, goal, page)
        now = clock.isoformat(clock.utcnow())
        entry = {
            "id": str(entry_id or uuid.uuid4()),
            "text": text,
            "prompt": prompt,
            "goal": goal,
            "created_at": now,
            "updated_at": now,
        }
        if page is not None:  # only pages carry it: the stored form of other entries stays
            entry["page"] = stored_page(page)
        draft.add_entry(key, entry)
        return entry

    return change


def edit_entry(key: str, entry_id: uuid.UUID, fields: dict[str, Any]):
    def change(draft: PlanDraft) -> dict[str, Any]:
        section = _section_fields(draft, key)
        entry = _entry(draft, key, entry_id)
        _check_entry_fields(section, fields.get("prompt"), fields.get("goal"), fields.get("page"))
        entry.update(fields)
        if "page" in fields:
            entry["page"] = stored_page(fields["page"])
        entry["updated_at"] = clock.isoformat(clock.utcnow())
        draft.entry_changed(key, entry)
        return entry

    return change


def remove_entry(key: str, entry_id: uuid.UUID):
    def change(draft: PlanDraft) -> None:
        _section_fields(draft, key)
        _entry(draft, key, entry_id)
        draft.remove_entry(key, str(entry_id))

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


def restore_revision(title: str, sections: Sections):
    """An earlier version's words, not its visibility: hiding a section is how the person
    keeps it from everyone they share with, so each section stays hidden or shown as it is
    now, and a section the restore brings back (removed since) comes back hidden."""

    def change(draft: PlanDraft) -> None:
        hidden_now = {s["key"]: s["hidden"] for s in draft.outline()}
        draft.title = title
        draft.sections = deepcopy(sections)
        for section in draft.sections:
            section["hidden"] = hidden_now.get(section["key"], True)

    return change
