"""A device's queued changes in tests, as `POST /api/v1/sync` takes them."""

from tests.helpers.plans import random_uuid

SYNC = "/api/v1/sync"


def sync(account, operations=(), cursor=None, status=200):
    response = account.post(SYNC, json={"cursor": cursor, "operations": list(operations)})
    assert response.status_code == status, response.text
    return response.json()


def operation(kind, plan, base_version=None, base=None, **fields):
    op = {
        "op_id": random_uuid(),
        "kind": kind,
        "plan_id": plan["id"],
        "base_version": base_version or plan["version"],
        **fields,
    }
    if base is not None:
        op["base"] = base
    return op


def add(plan, section, text, *, base_version=None, entry_id=None, **extra):
    return operation(
        "add_entry",
        plan,
        base_version,
        section=section,
        entry_id=entry_id or random_uuid(),
        text=text,
        **extra,
    )


def edit(plan, section, entry_id, changes, *, base_version=None, base=None):
    return operation(
        "edit_entry",
        plan,
        base_version,
        base,
        section=section,
        entry_id=entry_id,
        changes=changes,
    )


def remove(plan, section, entry_id, *, base_version=None, base=None):
    return operation("remove_entry", plan, base_version, base, section=section, entry_id=entry_id)
