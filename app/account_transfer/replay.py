"""A plan's history as an export file gives it (format 2: the first revision whole, later
ones whole or as their changes), played forward one revision at a time, each change
checked against the plan as it stands before it.

A file's changes are untrusted and may be many. Each check and each change here costs what
the change itself holds (entries by id, prompts in use counted), never the whole plan: a
file of many small changes to a large plan costs in proportion to its size, not to its
size times the plan's. The whole body is built only when asked for."""

from collections import Counter
from typing import Any

from app.plans.document import Sections, Step


class BrokenChange(ValueError):
    """A change that does not apply to the plan as it stands."""


class _Section:
    def __init__(self, fields: dict[str, Any], entries: list[dict[str, Any]]) -> None:
        self.fields = fields
        self.prompts = {prompt["key"] for prompt in fields["prompts"]}
        self.entries = {entry["id"]: entry for entry in entries}  # in the section's order
        # How many of its entries name each prompt (none at zero).
        self.prompts_used = Counter(entry["prompt"] for entry in entries if entry["prompt"])

    def change_fields(self, fields: dict[str, Any]) -> None:
        prompts = {prompt["key"] for prompt in fields["prompts"]}
        lost = self.prompts_used.keys() - prompts
        if lost:
            raise BrokenChange(
                f"section '{fields['key']}' would lose the prompt '{sorted(lost)[0]}' that "
                "its entries name"
            )
        self.fields, self.prompts = fields, prompts

    def put(self, entry: dict[str, Any]) -> None:
        """Adds `entry` at the end, or replaces the entry of its id where it stands."""
        if entry["prompt"] is not None and entry["prompt"] not in self.prompts:
            raise BrokenChange(
                f"entry {entry['id']} names a prompt '{entry['prompt']}' that section "
                f"'{self.fields['key']}' does not have"
            )
        self._forget_prompt(self.entries.get(entry["id"]))
        self.entries[entry["id"]] = entry  # a dict keeps a replaced key's place
        if entry["prompt"]:
            self.prompts_used[entry["prompt"]] += 1

    def drop(self, entry_id: str) -> None:
        self._forget_prompt(self.entries.pop(entry_id))

    def _forget_prompt(self, entry: dict[str, Any] | None) -> None:
        if entry is not None and entry["prompt"]:
            self.prompts_used[entry["prompt"]] -= 1
            if not self.prompts_used[entry["prompt"]]:
                del self.prompts_used[entry["prompt"]]


class Replay:
    """The plan as it stands at the last revision played."""

    def __init__(self, sections: Sections) -> None:
        self._sections: dict[str, _Section] = {}
        self.start(sections)

    def start(self, sections: Sections) -> None:
        """From a revision given whole (checked by the file's schema already)."""
        self._sections = {
            section["key"]: _Section({**section, "entries": None}, section["entries"])
            for section in sections
        }

    def body(self) -> Sections:
        return [
            {**section.fields, "entries": list(section.entries.values())}
            for section in self._sections.values()
        ]

    def apply(self, steps: list[Step]) -> None:
        """`steps` (document.py's format, as the file's schema parsed them) applied in
        order; BrokenChange, saying which and why, at the first that does not apply."""
        for number, step in enumerate(steps, start=1):
            try:
                self._apply(step)
            except BrokenChange as broken:
                raise BrokenChange(f"change {number} ({step[0]}): {broken}") from None

    def _apply(self, step: Step) -> None:
        kind = step[0]
        if kind == "outline":
            self._outline(step[1])
            return
        section = self._sections.get(step[1])
        if section is None:
            raise BrokenChange(f"there is no section '{step[1]}' at this point")
        if kind == "add":
            if step[2]["id"] in section.entries:
                raise BrokenChange(f"section '{step[1]}' already has entry {step[2]['id']}")
            section.put(step[2])
        elif kind == "put":
            if step[2]["id"] not in section.entries:
                raise BrokenChange(f"section '{step[1]}' has no entry {step[2]['id']}")
            section.put(step[2])
        elif kind == "drop":
            if step[2] not in section.entries:
                raise BrokenChange(f"section '{step[1]}' has no entry {step[2]}")
            section.drop(step[2])
        elif kind == "order":
            if len(step[2]) != len(section.entries) or set(step[2]) != section.entries.keys():
                raise BrokenChange(
                    f"the order given for section '{step[1]}' does not list each of its "
                    "entries once"
                )
            section.entries = {entry_id: section.entries[entry_id] for entry_id in step[2]}

    def _outline(self, outline: Sections) -> None:
        sections = {}
        for fields in outline:
            section = self._sections.get(fields["key"])
            if section is None:
                section = _Section(fields, [])
            else:
                section.change_fields(fields)
            sections[fields["key"]] = section
        self._sections = sections
