"""A plan's body as one document, and what changed between two versions of it, with no
database in sight: the storage (`storage.py`) and the history (`history.py`) both speak
this format, and rebuilding a version from an earlier one depends on it being exact.

The body is a list of sections; each section is a dict whose `entries` list holds the
entry dicts. Its outline is the same list with every `entries` set to None, holding the
key's place so that a section's keys come back in the order they were written.

A change between two versions is a list of steps, each a JSON list:

- `["outline", outline]`: the sections' fields, order, additions and removals. Sections
  kept keep their entries; a new section starts empty.
- `["add", key, entry]`: an entry appended to the section.
- `["put", key, entry]`: the entry with this id, replaced where it stands.
- `["drop", key, entry_id]`: the entry taken out.
- `["order", key, entry_ids]`: the section's entries in this order.

`changes_between(a, b)` gives the steps and `apply_changes(a, steps)` turns `a` into a
document equal to `b`, down to the order of every key (tests/plans/test_plan_document.py).
"""

import json
from copy import deepcopy
from typing import Any

Sections = list[dict[str, Any]]
Step = list[Any]


def same(a: Any, b: Any) -> bool:
    """Equal as JSON text, so the order of keys counts (== on dicts ignores it)."""
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def outline_of(sections: Sections) -> Sections:
    return [{**section, "entries": None} for section in sections]


def assembled(outline: Sections, entries: dict[str, list[dict[str, Any]]]) -> Sections:
    """The body from its outline and each section's entries, by section key."""
    return [{**section, "entries": entries.get(section["key"], [])} for section in outline]


def assembled_from_rows(outline: Sections, rows) -> Sections:
    """The body from its outline and (section key, entry) rows in each section's order; a
    row with no key (a plan without entries, outer-joined) adds nothing."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for key, entry in rows:
        if key is not None:
            entries.setdefault(key, []).append(entry)
    return assembled(outline, entries)


def changes_between(before: Sections, after: Sections) -> list[Step]:
    outline: list[Step] = []
    if not same(outline_of(before), outline_of(after)):
        outline.append(["outline", outline_of(after)])
    kept_entries = {section["key"]: section["entries"] for section in before}
    drops: list[Step] = []
    rest: list[Step] = []
    for section in after:
        key = section["key"]
        section_drops, others = _entry_changes(key, kept_entries.get(key, []), section["entries"])
        drops += section_drops
        rest += others
    # Every drop first: an entry moved to another section is taken out before it is added.
    return outline + drops + rest


def _entry_changes(
    key: str, was: list[dict[str, Any]], now: list[dict[str, Any]]
) -> tuple[list[Step], list[Step]]:
    was_by_id = {entry["id"]: entry for entry in was}
    now_ids = [entry["id"] for entry in now]
    still_there = set(now_ids)
    drops: list[Step] = [["drop", key, i] for i in was_by_id if i not in still_there]
    rest: list[Step] = []
    order_after_steps = [entry_id for entry_id in was_by_id if entry_id in still_there]
    for entry in now:
        before = was_by_id.get(entry["id"])
        if before is None:
            rest.append(["add", key, entry])
            order_after_steps.append(entry["id"])
        elif not same(before, entry):
            rest.append(["put", key, entry])
    if order_after_steps != now_ids:
        rest.append(["order", key, now_ids])
    return drops, rest


def apply_changes(sections: Sections, steps: list[Step]) -> Sections:
    """`sections` with `steps` applied; both are left as they were."""
    body = deepcopy(sections)
    apply_in_place(body, deepcopy(steps))
    return body


def apply_in_place(body: Sections, steps: list[Step]) -> None:
    """`body` changed by `steps`, whose values become part of it: for steps nothing else
    holds, such as ones just read from the database."""
    for step in steps:
        _apply(body, step)


def _apply(body: Sections, step: Step) -> None:
    kind = step[0]
    if kind == "outline":
        entries = {section["key"]: section["entries"] for section in body}
        body[:] = assembled(step[1], entries)
        return
    key = step[1]
    section = next(s for s in body if s["key"] == key)
    entries = section["entries"]
    if kind == "add":
        entries.append(step[2])
    elif kind == "put":
        at = next(i for i, entry in enumerate(entries) if entry["id"] == step[2]["id"])
        entries[at] = step[2]
    elif kind == "drop":
        entries[:] = [entry for entry in entries if entry["id"] != step[2]]
    elif kind == "order":
        by_id = {entry["id"]: entry for entry in entries}
        entries[:] = [by_id[entry_id] for entry_id in step[2]]
    else:
        raise ValueError(f"unknown change step {kind!r}")
