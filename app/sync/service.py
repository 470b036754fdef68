"""Sync: apply a device's queued changes through the plan service, each exactly once, and send
back the plans that changed since the device's cursor.

A queued change names the plan version the device had (`base_version`) and, for edits, what
the device's copy said before it (`base`). A field someone else changed since then is not
overwritten: the result is a conflict holding both versions, so the person chooses. Changes to
other entries or fields of the same plan merge. A device's changes to one plan are saved as
one new version, through `change_plan`, so history stays whole."""

import uuid
from collections.abc import Callable, Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts.models import User
from app.core import clock
from app.core.db import read_outside_a_transaction
from app.core.driver import write_in
from app.core.errors import Problem
from app.core.json_text import JSONText, encoded
from app.plans import changes as plan_changes
from app.plans import service as plans
from app.plans.draft import PlanDraft
from app.plans.models import Plan
from app.plans.schemas import CLEARABLE_FIELDS, Goal, stored_page
from app.sync.cursor import changes_since
from app.sync.models import SyncedOperation
from app.sync.schemas import (
    AddEntry,
    CreatePlan,
    EditEntry,
    EditSection,
    Operation,
    PlanOperation,
    RemoveEntry,
    RenamePlan,
    ReorderEntries,
    ReorderSections,
    SyncRequest,
)

MISSING = object()
ENTRY_FIELDS = ("text", "prompt", "goal", "page")
_RUN_ATTEMPTS = 3

Result = dict[str, Any]


class _NothingToSave(Exception):
    """Every change in a run was already there, in conflict or refused: no new version."""

    def __init__(self, results: list[Result]) -> None:
        super().__init__("nothing to save")
        self.results = results


def synchronise(session: Session, user: User, request: SyncRequest, retention_days: int) -> str:
    """The device's changes applied, and the answer (a SyncResponse) as JSON text."""
    results = []
    written: dict[uuid.UUID, Plan] = {}
    for _, run in groupby(_one_per_op_id(request.operations), key=_run_key):
        results.extend(_apply_run(session, user, list(run), retention_days, written))
    by_op = {r["op_id"]: r for r in results}
    # The changes are committed: what changed since the cursor is read as it now stands.
    read_outside_a_transaction(session)
    plans_changed, removed, cursor = changes_since(
        session, user, request.cursor, retention_days, written
    )
    return encoded(
        {
            "results": [by_op[str(op.op_id)] for op in request.operations],
            "plans": JSONText(f"[{', '.join(plans_changed)}]"),
            "removed": removed,
            "cursor": cursor,
        }
    )


def _one_per_op_id(operations: list[Operation]) -> Iterator[Operation]:
    seen = set()
    for op in operations:
        if op.op_id not in seen:
            seen.add(op.op_id)
            yield op


def _run_key(op: Operation) -> tuple[str, uuid.UUID]:
    # Consecutive changes to one plan are saved together; creating a plan stands alone.
    return ("create", op.op_id) if isinstance(op, CreatePlan) else ("change", op.plan_id)


def _apply_run(
    session: Session,
    user: User,
    run: list[Operation],
    retention_days: int,
    written: dict[uuid.UUID, Plan],
) -> list[Result]:
    for _ in range(_RUN_ATTEMPTS):
        known = _known_results(session, user, run)
        pending = [op for op in run if str(op.op_id) not in known]
        if not pending:
            return [known[str(op.op_id)] for op in run]
        try:
            if isinstance(pending[0], CreatePlan):
                fresh = [_create_plan(session, user, pending[0])]
            else:
                fresh = _change_plan(session, user, pending, retention_days, written)
        except IntegrityError:
            # The same changes arrived twice at once (a retried request): the other copy won.
            session.rollback()
            continue
        known.update((r["op_id"], r) for r in fresh)
        return [known[str(op.op_id)] for op in run]
    raise Problem(409, "These changes are being saved by another request right now. Try again.")


def _known_results(session: Session, user: User, run: list[Operation]) -> dict[str, Result]:
    rows = session.execute(
        select(SyncedOperation.op_id, SyncedOperation.result).where(
            SyncedOperation.owner_id == user.id,
            SyncedOperation.op_id.in_([op.op_id for op in run]),
        )
    ).all()
    return {str(op_id): result for op_id, result in rows}


_SYNCED = SyncedOperation.__table__
# Built once and compiled once for the driver (app/core/driver.py): every change a device
# sends writes one.
_REMEMBER = insert(_SYNCED).values(
    {name: bindparam(name, type_=column.type) for name, column in _SYNCED.c.items()}
)


def _remember(session: Session, owner_id: uuid.UUID, op: Operation, result: Result) -> None:
    values = {"owner_id": owner_id, "op_id": op.op_id, "plan_id": op.plan_id, "result": result}
    write_in(session, _REMEMBER, values | {"synced_at": clock.utcnow()})


def _result(op: Operation, status: str, **details: Any) -> Result:
    return {"op_id": str(op.op_id), "plan_id": str(op.plan_id), "status": status} | details


def _rejected(op: Operation, problem: Problem) -> Result:
    return _result(op, "rejected", status_code=problem.status, detail=problem.detail)


def _create_plan(session: Session, user: User, op: CreatePlan) -> Result:
    """An id that any plan has had (anyone's, live, deleted or long gone) is refused as an
    unknown plan is: 404, whoever it belonged to."""
    if plans.plan_id_is_used(session, op.plan_id):
        result = _rejected(op, Problem(404, plans.USED_ID))
        _remember(session, user.id, op, result)
        session.commit()
        return result
    result = _result(op, "applied")
    _remember(session, user.id, op, result)
    plans.create_plan(session, user, op.template, op.title, plan_id=op.plan_id)  # commits
    return result


def _change_plan(
    session: Session,
    user: User,
    ops: list[PlanOperation],
    retention_days: int,
    written: dict[uuid.UUID, Plan],
) -> list[Result]:
    """`ops` applied to their plan as one new version; the plan, as written, is kept in
    `written` for the answer."""
    plan_id = ops[0].plan_id
    try:
        # Locked until the new version commits: a web edit arriving meanwhile waits, and
        # this write, which has already recorded its outcomes, never loses a race, to be
        # rolled back and made again.
        plan = plans.get_owned_plan(session, user, plan_id, locked=True)
    except Problem as problem:
        return _remember_all(session, user, ops, [_rejected(op, problem) for op in ops])
    batch = _Batch(session, plan)
    # Read now: a write that lost a race is rolled back, which unloads `user`.
    owner_id = user.id

    def change(draft: PlanDraft) -> list[Result]:
        results, saved = batch.apply(draft, ops)
        if not saved:
            raise _NothingToSave(results)
        for op, result in zip(ops, results, strict=True):
            # Added here so the outcomes commit with the new version, or not at all.
            _remember(session, owner_id, op, result)
        return results

    try:
        plan, results = plans.change_plan(
            session,
            plan,
            author=user,
            summary=lambda _outline: batch.summary(),
            expected_version=None,
            change=change,
            retention_days=retention_days,
            answered_whole=True,
        )
    except _NothingToSave as nothing:
        session.rollback()
        return _remember_all(session, user, ops, nothing.results)
    written[plan.id] = plan
    return results


def _remember_all(
    session: Session, user: User, ops: list[Operation], results: list[Result]
) -> list[Result]:
    for op, result in zip(ops, results, strict=True):
        _remember(session, user.id, op, result)
    session.commit()
    return results


def _normal(field: str, value: Any) -> Any:
    """A field's value in the form the plan stores it, so equal values compare equal."""
    if field == "goal" and value is not None:
        goal = value if isinstance(value, Goal) else Goal.model_validate(value)
        return goal.model_dump(mode="json")
    if field == "page":
        return stored_page(value)
    return value


def _changes(model: Any) -> dict[str, Any]:
    fields = {f: _normal(f, getattr(model, f)) for f in model.model_fields_set}
    if not fields:
        raise Problem(422, "Nothing to change: send at least one field in 'changes'.")
    emptied = [f for f, value in fields.items() if value is None and f not in CLEARABLE_FIELDS]
    if emptied:
        raise Problem(
            422, f"'{emptied[0]}' can't be empty. To take an entry out, remove it instead."
        )
    return fields


def _entry_fields(entry: dict[str, Any]) -> dict[str, Any]:
    return {f: entry.get(f) for f in ENTRY_FIELDS}


def _entry_conflict(
    op: AddEntry | EditEntry | RemoveEntry,
    reason: str,
    detail: str,
    yours: dict[str, Any] | None,
    theirs: dict[str, Any] | None,
) -> Result:
    return _result(
        op,
        "conflict",
        reason=reason,
        section=op.section,
        entry_id=str(op.entry_id),
        detail=detail,
        yours=yours,
        theirs=theirs,
    )


def _find(items: list[dict[str, Any]], field: str, value: str) -> dict[str, Any] | None:
    return next((item for item in items if item[field] == value), None)


def _merged_order(current: list[str], wanted: list[str]) -> list[str]:
    """The device's order for what it knew of; anything added elsewhere keeps its place after."""
    known = list(dict.fromkeys(i for i in wanted if i in current))
    return known + [i for i in current if i not in known]


class _Batch:
    """Applies one plan's queued changes to a draft, deciding each: applied, conflict or
    rejected. `change_plan` may call `apply` again on a newer copy if another write raced."""

    def __init__(self, session: Session, plan: Plan) -> None:
        self._session = session
        self._plan = plan
        self._versions: dict[int, tuple[str, list[dict[str, Any]]]] = {}
        self._summaries: list[str] = []
        # (entry id | section key | "title", field) -> value this request wrote, so a later
        # change in the same request is not mistaken for someone else's.
        self._written: dict[tuple[str, str], Any] = {}

    def summary(self) -> str:
        return self._summaries[0] if len(self._summaries) == 1 else "Synced changes"

    def apply(self, draft: PlanDraft, ops: list[PlanOperation]) -> tuple[list[Result], bool]:
        self._written = {}
        self._summaries = []
        results = []
        for op in ops:
            try:
                results.append(self._apply_one(draft, op))
            except Problem as problem:
                results.append(_rejected(op, problem))
        if len(self._summaries) > 1:
            self._summaries = [f"Synced {len(self._summaries)} changes from a device"]
        return results, bool(self._summaries)

    def _saved(self, op: Operation, summary: str) -> Result:
        self._summaries.append(summary)
        return _result(op, "applied")

    def _apply_one(self, draft: PlanDraft, op: PlanOperation) -> Result:
        if op.base_version > self._plan.version:
            raise Problem(
                422,
                f"base_version {op.base_version} is newer than the plan (version "
                f"{self._plan.version}). Send the version your device last had.",
            )
        return self._HANDLERS[type(op)](self, draft, op)

    # ---- what the device's copy said -------------------------------------------------

    def _version(self, number: int) -> tuple[str, list[dict[str, Any]]]:
        """The plan's title and sections at version `number`."""
        if number not in self._versions:
            title = plans.get_revision(self._session, self._plan, number).title
            sections = plans.revision_sections(self._session, self._plan, number)
            self._versions[number] = (title, sections)
        return self._versions[number]

    def _base_section(self, op: PlanOperation, key: str) -> dict[str, Any] | None:
        return _find(self._version(op.base_version)[1], "key", key)

    def _base_entry(self, op: PlanOperation) -> dict[str, Any] | None:
        section = self._base_section(op, op.section)
        return _find(section["entries"], "id", str(op.entry_id)) if section else None

    def _base(self, op: PlanOperation, target: str, field: str, at_base_version: Any) -> Any:
        """What the device's copy held in this field before its change: what it says, else
        what this request wrote, else the plan at its base version, else unknown."""
        if op.base is not None and field in op.base.model_fields_set:
            return _normal(field, getattr(op.base, field))
        if (target, field) in self._written:
            return self._written[(target, field)]
        if at_base_version is None:
            return MISSING
        return _normal(field, at_base_version.get(field))

    def _changed_elsewhere(
        self,
        op: PlanOperation,
        target: str,
        current: dict[str, Any],
        fields: list[str],
        at_base_version: dict[str, Any] | None,
    ) -> bool:
        for field in fields:
            base = self._base(op, target, field, at_base_version)
            if base is not MISSING and base != _normal(field, current.get(field)):
                return True
        return False

    def _write(self, target: str, fields: dict[str, Any]) -> None:
        self._written.update(((target, f), v) for f, v in fields.items())

    # ---- the changes -----------------------------------------------------------------

    def _rename_plan(self, draft: PlanDraft, op: RenamePlan) -> Result:
        if draft.title == op.title:
            return _result(op, "applied")
        base_plan = {"title": self._version(op.base_version)[0]}
        if self._changed_elsewhere(op, "title", {"title": draft.title}, ["title"], base_plan):
            return _result(
                op,
                "conflict",
                reason="changed_elsewhere",
                detail="The plan was renamed on another device. Choose which name to keep.",
                yours={"title": op.title},
                theirs={"title": draft.title},
            )
        plan_changes.rename_plan(op.title)(draft)
        self._write("title", {"title": op.title})
        return self._saved(op, "Renamed the plan")

    def _add_entry(self, draft: PlanDraft, op: AddEntry) -> Result:
        entry_id = str(op.entry_id)
        section = draft.section(op.section)
        fields = {
            "text": op.text,
            "prompt": op.prompt,
            "goal": _normal("goal", op.goal),
            "page": _normal("page", op.page),
        }
        if section is None and self._base_section(op, op.section) is not None:
            return _entry_conflict(
                op,
                "removed_elsewhere",
                "The section you added this to was removed on another device. "
                "Keep your words somewhere else, or let them go.",
                yours=fields,
                theirs=None,
            )
        if section is not None and draft.entry(op.section, entry_id):
            return _result(op, "applied")
        plan_changes.add_entry(
            op.section, op.text, op.prompt, fields["goal"], op.entry_id, fields["page"]
        )(draft)
        self._write(entry_id, fields)
        return self._saved(
            op, f"Added an entry to {plan_changes.section_title(draft.outline(), op.section)}"
        )

    def _edit_entry(self, draft: PlanDraft, op: EditEntry) -> Result:
        entry_id = str(op.entry_id)
        changes = _changes(op.changes)
        entry = draft.entry(op.section, entry_id) if draft.section(op.section) else None
        base_entry = self._base_entry(op)
        if entry is None:
            if base_entry is None and op.base is None and entry_id not in self._written_ids():
                raise Problem(
                    404, f"The section '{op.section}' has no entry {entry_id}, and never had."
                )
            kept = _entry_fields(base_entry) if base_entry else {}
            return _entry_conflict(
                op,
                "removed_elsewhere",
                "This entry was removed on another device after you changed it. "
                "Keep your version, or let it go.",
                yours=kept | changes,
                theirs=None,
            )
        if all(_normal(f, entry.get(f)) == v for f, v in changes.items()):
            return _result(op, "applied")
        if self._changed_elsewhere(op, entry_id, entry, list(changes), base_entry):
            theirs = _entry_fields(entry)
            return _entry_conflict(
                op,
                "changed_elsewhere",
                "This entry was changed on another device too. Both versions are "
                "kept here: choose one, or keep both.",
                yours=theirs | changes,
                theirs=theirs,
            )
        plan_changes.edit_entry(op.section, op.entry_id, changes)(draft)
        self._write(entry_id, changes)
        return self._saved(
            op, f"Edited an entry in {plan_changes.section_title(draft.outline(), op.section)}"
        )

    def _written_ids(self) -> set[str]:
        return {target for target, _ in self._written}

    def _remove_entry(self, draft: PlanDraft, op: RemoveEntry) -> Result:
        entry_id = str(op.entry_id)
        entry = draft.entry(op.section, entry_id) if draft.section(op.section) else None
        if entry is None:
            return _result(op, "applied")
        fields = list(op.base.model_fields_set) if op.base is not None else list(ENTRY_FIELDS)
        if self._changed_elsewhere(op, entry_id, entry, fields, self._base_entry(op)):
            return _entry_conflict(
                op,
                "changed_elsewhere",
                "You removed this entry, but it was changed on another device. "
                "Keep it, or remove it anyway.",
                yours=None,
                theirs=_entry_fields(entry),
            )
        plan_changes.remove_entry(op.section, op.entry_id)(draft)
        return self._saved(
            op, f"Removed an entry from {plan_changes.section_title(draft.outline(), op.section)}"
        )

    def _reorder_entries(self, draft: PlanDraft, op: ReorderEntries) -> Result:
        section = plan_changes.find_section(draft, op.section)
        current = [e["id"] for e in section["entries"]]
        order = _merged_order(current, [str(i) for i in op.entry_ids])
        if order == current:
            return _result(op, "applied")
        plan_changes.reorder_entries(op.section, [uuid.UUID(i) for i in order])(draft)
        return self._saved(
            op, f"Reordered entries in {plan_changes.section_title(draft.outline(), op.section)}"
        )

    def _edit_section(self, draft: PlanDraft, op: EditSection) -> Result:
        changes = _changes(op.changes)
        section = plan_changes.find_section(draft, op.section)
        if all(section.get(f) == v for f, v in changes.items()):
            return _result(op, "applied")
        target = f"section:{op.section}"
        base_section = self._base_section(op, op.section)
        if self._changed_elsewhere(op, target, section, list(changes), base_section):
            return _result(
                op,
                "conflict",
                reason="changed_elsewhere",
                section=op.section,
                detail="This section was changed on another device too. Choose which to keep.",
                yours={f: section.get(f) for f in changes} | changes,
                theirs={f: section.get(f) for f in changes},
            )
        plan_changes.edit_section(op.section, changes)(draft)
        self._write(target, changes)
        return self._saved(
            op, f"Changed section {plan_changes.section_title(draft.outline(), op.section)}"
        )

    def _reorder_sections(self, draft: PlanDraft, op: ReorderSections) -> Result:
        current = [s["key"] for s in draft.sections]
        order = _merged_order(current, op.keys)
        if order == current:
            return _result(op, "applied")
        plan_changes.reorder_sections(order)(draft)
        return self._saved(op, "Reordered sections")

    _HANDLERS: dict[type, Callable[["_Batch", PlanDraft, Any], Result]] = {
        RenamePlan: _rename_plan,
        AddEntry: _add_entry,
        EditEntry: _edit_entry,
        RemoveEntry: _remove_entry,
        ReorderEntries: _reorder_entries,
        EditSection: _edit_section,
        ReorderSections: _reorder_sections,
    }
