"""Ready for a database distributed by owner (docs/scaling.md): every statement an owner's
requests on their own plans make on a plan-owned table names the owner, so a node holding
that owner's rows can answer it alone, and tables are joined on the owner too.

The statements are captured as the driver receives them, from real requests."""

import re

from sqlmodel import SQLModel

# Distributed by owner_id: every table with that column (docs/scaling.md lists the same).
OWNED_TABLES = {
    table.name for table in SQLModel.metadata.sorted_tables if "owner_id" in table.columns
}
PARAMETER = r"(\?|%\(\w+\)s)"


def _owned_tables_in(statement: str) -> set[str]:
    named = re.findall(r'\b(?:FROM|JOIN|UPDATE|INTO|DELETE FROM)\s+"?(\w+)"?', statement, re.I)
    return OWNED_TABLES & set(named)


def unrouted(statements: list[str]) -> list[str]:
    """The statements on owned tables that do not pin an owner, or that join an owned
    table without its owner."""
    wrong = []
    for statement in statements:
        tables = _owned_tables_in(statement)
        if not tables or re.match(r"\s*INSERT\b", statement, re.I):
            # An insert names its owner in its values: it routes by them.
            continue
        pinned = re.search(rf'"?(\w+)"?\.owner_id\s*(=|IN)\s*\(?{PARAMETER}', statement, re.I)
        every_table_by_owner = all(
            re.search(rf'\b"?{table}"?\.owner_id\b', statement) for table in tables
        )
        if not (pinned and every_table_by_owner):
            wrong.append(statement)
    return wrong


def test_an_owners_requests_on_their_own_plans_each_name_the_owner(owner, statements):
    created = owner.post("/api/v1/plans", json={"template": "wrap", "title": "Mine"})
    assert created.status_code == 201
    plan = created.json()
    url = f"/api/v1/plans/{plan['id']}"
    entries = f"{url}/sections/triggers/entries"

    added = owner.post(
        entries, json={"text": "Loud rooms"}, headers={"If-Match": f'"{plan["version"]}"'}
    )
    assert added.status_code == 201, added.text
    read = owner.get(url)
    assert read.status_code == 200
    etag = read.headers["ETag"]
    (triggers,) = [s for s in read.json()["sections"] if s["key"] == "triggers"]
    entry_id = triggers["entries"][0]["id"]
    for method, path, body in [
        ("PATCH", url, {"title": "Still mine"}),
        ("PATCH", f"{entries}/{entry_id}", {"text": "Loud, crowded rooms"}),
        ("POST", f"{url}/revisions/1/restore", None),
        ("POST", f"{url}/sections", {"title": "Walks"}),
        ("PATCH", url, {"archived": True}),
        ("PATCH", url, {"archived": False}),
    ]:
        response = owner.request(method, path, json=body, headers={"If-Match": etag})
        assert response.status_code in (200, 201), (path, response.text)
        etag = response.headers["ETag"]
    for path in [url, "/api/v1/plans", f"{url}/revisions", f"{url}/access-log"]:
        assert owner.get(path).status_code == 200, path
    assert owner.delete(url).status_code == 204
    assert owner.post(f"{url}/restore").status_code == 200

    assert statements.seen, "no statement was captured"
    assert unrouted(statements.seen) == []


def test_the_check_itself_finds_a_plan_read_by_id_alone():
    assert unrouted(["SELECT plan.title FROM plan WHERE plan.id = ?"]) != []
    assert (
        unrouted(
            [
                "SELECT plan.title FROM share JOIN plan ON plan.id = share.plan_id "
                "WHERE share.owner_id = %(owner_id)s"
            ]
        )
        != []
    )
    assert unrouted(["SELECT plan.title FROM plan WHERE plan.owner_id = ? AND plan.id = ?"]) == []
