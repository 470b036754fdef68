"""How sharing is put into words (who someone is to the person, what a share lets them do,
which sections it names) and which sections a share shows."""

from collections.abc import Collection
from typing import Any

from app.accounts.models import User
from app.plans.models import Plan
from app.sharing.models import Permission, ShareLabel

LABEL_WORDS = {
    ShareLabel.link_worker: "link worker",
    ShareLabel.clinician: "clinician",
    ShareLabel.carer: "carer",
    ShareLabel.peer_worker: "peer worker",
    ShareLabel.other: "someone you chose",
}
PERMISSION_WORDS = {
    Permission.view: "see",
    Permission.comment: "see and comment on",
    Permission.suggest: "see, comment on and suggest changes to",
}
ACCOUNT_CLOSED = "Someone whose account is closed"


def titles(sections: list[dict[str, Any]]) -> str:
    """The sections' titles as a list in words: "Triggers, Crisis plan and Goals"."""
    names = [s["title"] or f"a removed section ({s['key']})" for s in sections]
    if not names:
        return "no sections"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def who(name: str, label: str | None, organisation: str | None) -> str:
    """Someone as the person knows them: "Sam Lee (link worker, Riverside Trust)"."""
    details = [d for d in (LABEL_WORDS.get(label) if label else None, organisation) if d]
    return f"{name} ({', '.join(details)})" if details else name


def person_view(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"display_name": ACCOUNT_CLOSED}
    return {
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation,
    }


def section_names(plan: Plan, keys: list[str]) -> list[dict[str, Any]]:
    """The named sections, in the plan's order, then any the plan no longer has."""
    by_key = {s["key"]: s for s in plan.outline}
    present = [s for s in plan.outline if s["key"] in keys]
    names = [{"key": s["key"], "title": s["title"], "hidden": s["hidden"]} for s in present]
    return names + [{"key": k, "title": None, "hidden": False} for k in keys if k not in by_key]


def visible_sections(sections: list[dict[str, Any]], keys: Collection[str]) -> list[dict[str, Any]]:
    """What a grantee is shown: the shared sections the plan still has and does not hide."""
    return [s for s in sections if s["key"] in keys and not s["hidden"]]
