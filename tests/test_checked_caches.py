"""A cache whose entries are checked in SQL (app/core/caches.py, `checked_in_sql`) checks and
remembers exactly the columns it declares: `unchanged_in` builds the SQL condition from
them and `remembered_values` keeps them. So a grantee's remembered read is answered again
only until any declared column changes, and each change shows in the next read."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select, update

from app.accounts.models import User
from app.core import caches, clock
from app.plans.models import Plan
from tests.helpers.sharing import access_log, share_with

READ_PLAN = select(Plan.id, Plan.version, Plan.archived_at, Plan.updated_at).where(
    Plan.id == bindparam("plan_id")
)
CHECKED = caches.PlanContentCache[str](
    "checked_for_this_test",
    1,
    key=("plan_id",),
    holds="nothing: declared to test the SQL check a declaration builds",
    checked_in_sql=("version", "archived_at"),
)
STILL_AS_READ = READ_PLAN.with_only_columns(Plan.id).where(CHECKED.unchanged_in(READ_PLAN))


def _remembered(app, plan_id: str) -> dict:
    with app.state.engine.connect() as connection:
        row = connection.execute(READ_PLAN, {"plan_id": uuid.UUID(plan_id)}).one()
    return CHECKED.remembered_values(row)


def _still_as_read(app, plan_id: str, remembered: dict) -> bool:
    with app.state.engine.connect() as connection:
        found = connection.execute(
            STILL_AS_READ, {"plan_id": uuid.UUID(plan_id)} | remembered
        ).first()
    return found is not None


def test_the_check_holds_until_a_declared_column_changes_and_ignores_the_rest(
    app, owner, green_book
):
    plan_id, url = green_book["id"], f"/api/v1/plans/{green_book['id']}"
    remembered = _remembered(app, plan_id)
    assert remembered == {"version": 1, "archived_at": None}
    assert _still_as_read(app, plan_id, remembered)

    # archived_at is declared: archiving (which keeps the version) fails the check.
    assert owner.patch(url, json={"archived": True}).status_code == 200
    assert not _still_as_read(app, plan_id, remembered)
    remembered = _remembered(app, plan_id)
    assert remembered["archived_at"] is not None
    assert _still_as_read(app, plan_id, remembered)

    # version is declared: an edit fails the check.
    assert owner.patch(url, json={"title": "Renamed"}).status_code == 200
    assert not _still_as_read(app, plan_id, remembered)
    remembered = _remembered(app, plan_id)
    assert _still_as_read(app, plan_id, remembered)

    # updated_at is read but not declared: changed alone, it is neither kept nor checked.
    with app.state.engine.begin() as connection:
        connection.execute(
            update(Plan)
            .where(Plan.id == uuid.UUID(plan_id))
            .values(updated_at=clock.utcnow() + timedelta(days=1))
        )
    assert _still_as_read(app, plan_id, remembered)


# ---- the grantee's remembered read (caches.LAST_READS) -------------------------------------


def _read(account, share):
    response = account.get(f"/api/v1/shared-with-me/{share['id']}")
    assert response.status_code == 200, response.text
    return response.json()


def _last_view(owner, plan_id) -> dict:
    return next(e for e in access_log(owner, plan_id) if e["event"] == "viewed_plan")


def _as_an_administrator(app, user_id: str, **values) -> None:
    """What only an administrator changes (a professional's role and organisation)."""
    with app.state.engine.begin() as connection:
        connection.execute(update(User).where(User.id == uuid.UUID(user_id)).values(**values))


def _change_the_share(**change):
    def changing(app, owner, plan, share, worker):
        response = owner.patch(f"/api/v1/plans/{plan.id}/shares/{share['id']}", json=change)
        assert response.status_code == 200, response.text

    return changing


SOON = (clock.utcnow() + timedelta(days=30)).replace(microsecond=0)

# For each column LAST_READS declares: a change to it, and what the next read and its log
# line show because of it.
CHANGES = {
    "version": (
        lambda app, owner, plan, share, worker: owner.patch(
            f"/api/v1/plans/{plan.id}/sections/crisis/entries/{plan.entries['crisis']}",
            json={"text": "Ring my sister EDITED"},
        ),
        lambda read, line: "Ring my sister EDITED" in str(read["sections"]),
    ),
    "archived_at": (
        lambda app, owner, plan, share, worker: owner.patch(
            f"/api/v1/plans/{plan.id}", json={"archived": True}
        ),
        lambda read, line: read["archived"] is True,
    ),
    "stored_sections": (
        _change_the_share(sections=["crisis", "triggers"]),
        lambda read, line: [s["key"] for s in read["sections"]] == ["triggers", "crisis"],
    ),
    "expires_at": (
        _change_the_share(expires_at=SOON.isoformat()),
        lambda read, line: (read["share"]["until"] or "").startswith(SOON.date().isoformat()),
    ),
    "permission": (
        _change_the_share(permission="comment"),
        lambda read, line: read["share"]["permission"] == "comment",
    ),
    "label": (
        _change_the_share(label="carer"),
        lambda read, line: line["summary"].startswith("Jo Link (carer, Riverside) opened"),
    ),
    "reader_name": (
        lambda app, owner, plan, share, worker: worker.patch(
            "/api/v1/me", json={"display_name": "Jo Linked"}
        ),
        lambda read, line: line["who"]["display_name"] == "Jo Linked",
    ),
    "reader_role": (
        lambda app, owner, plan, share, worker: _as_an_administrator(
            app, worker.id, role="clinician"
        ),
        lambda read, line: line["who"]["role"] == "clinician",
    ),
    "reader_organisation": (
        lambda app, owner, plan, share, worker: _as_an_administrator(
            app, worker.id, organisation="Hillside"
        ),
        lambda read, line: line["who"]["organisation"] == "Hillside",
    ),
}
# The plan row's generation changes only if the row is made again, which a plan id never
# is (used_plan_id): there is no change to make.
UNCHANGEABLE = {"generation"}


def test_every_declared_column_has_a_change_below():
    assert set(CHANGES) | UNCHANGEABLE == set(caches.LAST_READS.checked_in_sql)


@pytest.mark.parametrize("column", CHANGES)
def test_a_grantees_read_again_shows_a_change_to_each_declared_column(
    app, owner, marked_plan, link_worker, column
):
    change, shown = CHANGES[column]
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"])
    first = _read(link_worker, share)
    assert _read(link_worker, share) == first  # now answered from what was remembered
    assert not shown(first, _last_view(owner, marked_plan.id))

    change(app, owner, marked_plan, share, link_worker)
    assert shown(_read(link_worker, share), _last_view(owner, marked_plan.id))
