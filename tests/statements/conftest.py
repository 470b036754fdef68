"""Helpers for the import and export tests: sending a file, deciding on parts, and a
clinician whose share lets them suggest changes to the crisis plan."""

import pytest

from app.accounts.models import Role
from tests.conftest import Account
from tests.sharing.conftest import share_with
from tests.statements.fixtures.statement import FIXTURES


def upload(
    account: Account,
    plan_id: str,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
    **form: str,
):
    return account.post(
        f"/api/v1/plans/{plan_id}/imports", files={"file": (name, data, content_type)}, data=form
    )


def imported(account: Account, plan_id: str, name: str, data: bytes | None = None, **form) -> dict:
    """Uploads a fixture (or the given bytes) and returns the import as read back."""
    response = upload(account, plan_id, name, data or (FIXTURES / name).read_bytes(), **form)
    assert response.status_code == 201, response.text
    return response.json()


def decide(account: Account, plan_id: str, import_id: str, decisions: list, **extra):
    return account.post(
        f"/api/v1/plans/{plan_id}/imports/{import_id}/decisions",
        json={"decisions": decisions, **extra},
    )


def crisis_entries(account: Account, plan_id: str) -> list[dict]:
    plan = account.get(f"/api/v1/plans/{plan_id}").json()
    return next(s for s in plan["sections"] if s["key"] == "crisis")["entries"]


def fields_and_texts(import_: dict) -> list[tuple[str, str]]:
    return [(part["field"], part["text"]) for part in import_["parts"]]


@pytest.fixture
def clinician(make_account) -> Account:
    return make_account(
        "Dr Ana Okafor", role=Role.clinician, organisation="Riverside Mental Health Trust"
    )


@pytest.fixture
def clinician_share(owner, green_book, clinician) -> dict:
    """The owner lets the clinician suggest changes to the crisis plan."""
    return share_with(owner, green_book["id"], clinician, ["crisis"], "suggest", label="clinician")
