"""Helpers for the sharing tests: a plan with a unique marker in every section, and shares
made and accepted through the API."""

import uuid
from dataclasses import dataclass, field

import pytest

from tests.conftest import Account


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


@pytest.fixture
def marked_plan(owner) -> MarkedPlan:
    return make_marked_plan(owner)


def create_share(owner: Account, plan_id: str, sections, permission="view", **extra) -> dict:
    body = {"sections": list(sections), "permission": permission, "label": "link_worker"}
    response = owner.post(f"/api/v1/plans/{plan_id}/shares", json=body | extra)
    assert response.status_code == 201, response.text
    return response.json()


def share_with(
    owner: Account, plan_id: str, grantee: Account, sections, permission="view", **extra
) -> dict:
    """A share made by the owner and accepted by the grantee; returns the owner's view."""
    share = create_share(owner, plan_id, sections, permission, **extra)
    accepted = grantee.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
    assert accepted.status_code == 200, accepted.text
    return share


@pytest.fixture
def link_worker(make_account) -> Account:
    from app.accounts.models import Role

    return make_account("Jo Link", role=Role.link_worker, organisation="Riverside")


def access_log(owner: Account, plan_id: str) -> list[dict]:
    response = owner.get(f"/api/v1/plans/{plan_id}/access-log", params={"limit": 500})
    assert response.status_code == 200, response.text
    return response.json()["entries"]
