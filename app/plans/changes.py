"""The changes people make to a plan, as change functions for `service.change_plan`: each
checks the change against the plan as it is now (a 404 or 409 otherwise) and makes it on
the draft. Entry changes go through the draft's entry methods, so that they cost the
entries they touch; the others change `draft.sections`."""

import secrets
import uuid
from copy import deepcopy
from typing import Any

from app.core import clock
from app.core.errors import Problem
from app.plans.document import Sections
from app.plans.draft import PlanDraft
from app.plans.schemas import stored_page


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
