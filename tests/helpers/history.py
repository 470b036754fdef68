"""A plan's history as its owner saw it: the plan read after each change, kept by version,
and the checks that every revision reads back as exactly that."""

import json
import uuid
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from app.core import caches
from app.plans.schemas import Section
from tests.helpers.accounts import Account

PLANS = "/api/v1/plans"


def encoded(value: Any) -> str:
    """JSON text keeping the order given: equal only when every key, entry and character
    is the same and in the same place."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def as_revision_read_shows(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan read sends the sections as stored; the revision read answers through its
    response model, which also writes out the fields left empty (an entry's `page` and
    `source`, a section's `kept_contradictions`). This is the plan read in that form."""
    return [Section.model_validate(s).model_dump(mode="json") for s in sections]


def restored_sections(
    revision: list[dict[str, Any]], sections_now: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What restoring `revision` makes of the plan: its words, but each section hidden or
    shown as it is now, and one that had been removed since comes back hidden."""
    hidden_now = {s["key"]: s["hidden"] for s in sections_now}
    restored = deepcopy(revision)
    for section in restored:
        section["hidden"] = hidden_now.get(section["key"], True)
    return restored


@dataclass(frozen=True)
class Seen:
    """The plan as its owner's plan read showed it at one version."""

    title: str
    sections: list[dict[str, Any]]
    sections_json: str


class PlanHistory:
    """Records the owner's plan read by version, and compares the revisions with it."""

    def __init__(self, owner: Account, plan_id: str) -> None:
        self.owner = owner
        self.plan_id = plan_id
        self.url = f"{PLANS}/{plan_id}"
        self.seen: dict[int, Seen] = {}
        # Version made by a restore -> the version it restored.
        self.restores: dict[int, int] = {}
        self.latest: dict[str, Any] = {}
        self.latest_text = ""
        self.read()

    @property
    def version(self) -> int:
        return self.latest["version"]

    def read(self) -> dict[str, Any]:
        """The owner's plan read, recorded under its version (the same version read twice
        must show the same). Read twice: the first read makes a version nobody has read yet
        from a version kept in memory before it and the changes since, when there is one;
        the second, with nothing kept, from the version's rows, the plan's own copy."""
        plan = self._read_once()
        caches.forget_plan(uuid.UUID(self.owner.id), uuid.UUID(self.plan_id))
        self._read_once()
        return plan

    def _read_once(self) -> dict[str, Any]:
        response = self.owner.get(self.url)
        assert response.status_code == 200, response.text
        plan = response.json()
        seen = Seen(plan["title"], plan["sections"], encoded(plan["sections"]))
        earlier = self.seen.setdefault(plan["version"], seen)
        assert earlier == seen, f"version {plan['version']} read twice showed two plans"
        self.latest, self.latest_text = plan, response.text
        return plan

    def changed(self, response, version_before: int, status: int = 200) -> dict[str, Any]:
        """After a change the API accepted: it made exactly one new version."""
        assert response.status_code == status, response.text
        assert response.headers["etag"] == f'"{version_before + 1}"'
        plan = self.read()
        assert plan["version"] == version_before + 1
        return plan

    def unchanged(self, response, status: int) -> None:
        """After a change the API refused: no new version, the plan reads as before."""
        assert response.status_code == status, response.text
        text_before = self.latest_text
        self.read()
        assert self.latest_text == text_before

    def restore(self, number: int, **request: Any) -> dict[str, Any]:
        """Restores revision `number`: a new version holding its words."""
        before, sections_now = self.version, self.latest["sections"]
        response = self.owner.post(f"{self.url}/revisions/{number}/restore", **request)
        plan = self.changed(response, before)
        self.restores[plan["version"]] = number
        expected = restored_sections(self.seen[number].sections, sections_now)
        assert plan["title"] == self.seen[number].title
        assert plan["sections"] == expected
        assert encoded(plan["sections"]) == encoded(expected)
        return plan

    def check_revision(self, number: int, url: str | None = None) -> None:
        """Revision `number` of this plan, or of its copy at `url`, reads as seen."""
        response = self.owner.get(f"{url or self.url}/revisions/{number}")
        assert response.status_code == 200, response.text
        revision = response.json()
        seen = self.seen[number]
        expected = as_revision_read_shows(seen.sections)
        assert revision["number"] == number
        assert revision["title"] == seen.title, f"revision {number}'s title"
        assert revision["sections"] == expected, f"revision {number}'s sections"
        assert encoded(revision["sections"]) == encoded(expected), f"revision {number}'s text"

    def check_history_list(self) -> None:
        """Every version from 1 to the current one listed once, newest first; each restore
        listed as its own version."""
        response = self.owner.get(f"{self.url}/revisions")
        assert response.status_code == 200, response.text
        listed = response.json()
        assert [r["number"] for r in listed] == list(range(self.version, 0, -1))
        summaries = {r["number"]: r["summary"] for r in listed}
        for made, restored in self.restores.items():
            assert summaries[made] == f"Restored version {restored}"

    def check_every_revision(self) -> None:
        self.check_history_list()
        assert set(self.seen) == set(range(1, self.version + 1))
        for number in range(1, self.version + 1):
            self.check_revision(number)

    def check_exported_and_imported(self) -> None:
        """The plan exported (its history as changes) and imported again, as a copy: each
        revision of the copy whose version was seen reads back as the owner saw it."""
        exported = self.owner.get("/api/v1/export").json()
        plan = next(p for p in exported["plans"] if p["id"] == self.plan_id)
        imported = self.owner.post("/api/v1/import", json={**exported, "plans": [plan]})
        assert imported.status_code == 201, imported.text
        copy_url = f"{PLANS}/{imported.json()['imported_plans'][0]}"
        copy = self.owner.get(copy_url).json()
        assert (copy["version"], copy["sections"]) == (self.version, self.latest["sections"])
        for number in sorted(self.seen):
            self.check_revision(number, copy_url)
