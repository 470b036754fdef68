"""Shares in tests, made and accepted through the API, and the owner's access log."""

from tests.helpers.accounts import Account


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


def access_log(owner: Account, plan_id: str) -> list[dict]:
    response = owner.get(f"/api/v1/plans/{plan_id}/access-log", params={"limit": 500})
    assert response.status_code == 200, response.text
    return response.json()["entries"]
