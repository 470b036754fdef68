"""An outside tester's attacks on imports following the share: reaching an import or its
file through another plan, or another share, that the sender still has."""

from tests.sharing.conftest import share_with
from tests.statements.conftest import upload
from tests.statements.fixtures.statement import FIXTURES

STATEMENT = (FIXTURES / "composition.json").read_bytes()


def _send(account, plan_id: str) -> dict:
    response = upload(account, plan_id, "composition.json", STATEMENT, "application/fhir+json")
    assert response.status_code == 201, response.text
    return response.json()


def _reads_through(account, plan_id: str, sent: dict) -> dict[str, object]:
    attachment_id = sent["attachments"][0]["url"].rsplit("/", 1)[-1]
    return {
        "imports": account.get(f"/api/v1/plans/{plan_id}/imports"),
        "import": account.get(f"/api/v1/plans/{plan_id}/imports/{sent['id']}"),
        "attachment": account.get(f"/api/v1/plans/{plan_id}/attachments/{attachment_id}"),
    }


def test_an_import_is_not_reached_through_another_plan_still_shared(
    owner, green_book, clinician, clinician_share
):
    sent = _send(clinician, green_book["id"])
    other = owner.post("/api/v1/plans", json={"template": "wrap", "title": "WRAP"}).json()
    share_with(owner, other["id"], clinician, ["crisis"], "suggest", label="clinician")
    revoked = owner.delete(f"/api/v1/plans/{green_book['id']}/shares/{clinician_share['id']}")
    assert revoked.status_code == 200

    reads = _reads_through(clinician, other["id"], sent)
    assert reads["imports"].status_code == 200 and reads["imports"].json() == []
    for name in ("import", "attachment"):
        assert reads[name].status_code == 404, name
        assert "composition.json" not in reads[name].text
    for name, response in _reads_through(clinician, green_book["id"], sent).items():
        assert response.status_code == 404, name


def test_a_second_share_without_the_crisis_plan_reaches_no_import(
    owner, green_book, clinician, clinician_share
):
    sent = _send(clinician, green_book["id"])
    share_with(owner, green_book["id"], clinician, ["triggers"], "suggest", label="clinician")
    narrowed = owner.patch(
        f"/api/v1/plans/{green_book['id']}/shares/{clinician_share['id']}",
        json={"sections": ["triggers"]},
    )
    assert narrowed.status_code == 200
    for name, response in _reads_through(clinician, green_book["id"], sent).items():
        assert response.status_code == 404, name
        assert "composition.json" not in response.text
