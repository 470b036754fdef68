"""The plan as a change function sees it (`service.change_plan`), and what the change
wrote, as steps (app/plans/document.py)."""

from typing import Any

from sqlmodel import Session

from app.plans.document import Sections, Step, apply_changes, changes_between
from app.plans.models import Plan, body_of
from app.plans.storage import read_entry

# Entries read with their plan (`queries.signed_in_owners_plan`), by (plan id, version,
# section key, entry id), in the request session's `info`: on a retry after another change
# came first, the plan's version has moved on and the entry is read again.
_READ_WITH_PLAN = "entries read with the plan"


def keep_entry_read_with_plan(
    session: Session, plan: Plan, key: str, entry_id: str, entry: dict[str, Any] | None
) -> None:
    session.info.setdefault(_READ_WITH_PLAN, {})[plan.id, plan.version, key, entry_id] = entry


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
            if at_version in read:
                self._entries[key, entry_id] = read[at_version]
            else:
                self._entries[key, entry_id] = read_entry(self._session, self._plan, key, entry_id)
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
