"""Plans in tests, made and changed through the API: entries, and a plan with a unique
marker in every section."""

import uuid
from dataclasses import dataclass, field

from tests.helpers.accounts import Account


def random_uuid() -> str:
    return str(uuid.uuid4())


def section(plan: dict, key: str) -> dict:
    return next(s for s in plan["sections"] if s["key"] == key)


def add_entry(account, plan_id, key, text, **extra):
    response = account.post(
        f"/api/v1/plans/{plan_id}/sections/{key}/entries", json={"text": text, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


@dataclass
class MarkedPlan:
    """A Green Book whose every section has a marker in its title and in one entry, so a
    test can tell from any response text which sections it reveals."""

    id: str
    owner: Account
    markers: dict[str, list[str]] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)

    def leaked(self, text: str, allowed: set[str]) -> list[str]:
        """The keys of sections outside `allowed` whose markers appear in `text`."""
        return [
            key
            for key, marks in self.markers.items()
            if key not in allowed and any(mark in text for mark in marks)
        ]


def make_marked_plan(owner: Account, keys=None, template: str = "green_book") -> MarkedPlan:
    """`keys` limits the marking to some sections (quicker); the rest stay empty."""
    response = owner.post("/api/v1/plans", json={"template": template, "title": "My book"})
    assert response.status_code == 201, response.text
    plan = MarkedPlan(response.json()["id"], owner)
    for section in response.json()["sections"]:
        if keys is not None and section["key"] not in keys:
            continue
        key, tag = section["key"], uuid.uuid4().hex[:8]
        title_mark, entry_mark = f"TITLE-{key}-{tag}", f"ENTRY-{key}-{tag}"
        renamed = owner.patch(
            f"/api/v1/plans/{plan.id}/sections/{key}",
            json={"title": f"{section['title']} {title_mark}"},
        )
        assert renamed.status_code == 200, renamed.text
        prompt = section["prompts"][0]["key"] if section["prompts"] else None
        added = owner.post(
            f"/api/v1/plans/{plan.id}/sections/{key}/entries",
            json={"text": f"My words {entry_mark}", "prompt": prompt},
        )
        assert added.status_code == 201, added.text
        plan.markers[key] = [title_mark, entry_mark]
        plan.entries[key] = added.json()["id"]
    return plan
