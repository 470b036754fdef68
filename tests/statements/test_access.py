"""Who may import, read imports and attachments, decide, and export. (Every route is also
in the authorisation matrix, tests/sharing/test_authorisation_matrix.py.)"""

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.core import clock
from tests.conftest import sign_in
from tests.sharing.conftest import access_log, share_with
from tests.statements.conftest import crisis_entries, decide, imported, upload
from tests.statements.fixtures.statement import FIXTURES

STATEMENT = (FIXTURES / "composition.json").read_bytes()


def _send(account, plan_id):
    return upload(account, plan_id, "composition.json", STATEMENT, "application/fhir+json")


def test_a_clinician_with_a_suggesting_share_imports(owner, green_book, clinician, clinician_share):
    plan_id = green_book["id"]
    response = _send(clinician, plan_id)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["imported_by"] == {
        "display_name": "Dr Ana Okafor",
        "role": "clinician",
        "organisation": "Riverside Mental Health Trust",
    }
    assert result["summary"].startswith("You brought in")
    # The clinician is never shown the person's plan through the import.
    assert all(part["current"] is None for part in result["parts"])

    # The person sees it, named, with its provenance, and it is in their access log.
    seen = owner.get(f"/api/v1/plans/{plan_id}/imports/{result['id']}").json()
    assert seen["summary"].startswith(
        "Dr Ana Okafor (clinician, Riverside Mental Health Trust) brought in "
        "\u201ccomposition.json\u201d"
    )
    assert all(part["current"] == [] for part in seen["parts"])
    (event,) = [e for e in access_log(owner, plan_id) if e["event"] == "import_proposed"]
    assert "Nothing is in your plan until you accept it." in event["summary"]

    # The clinician can follow their import and open the file they sent...
    assert clinician.get(f"/api/v1/plans/{plan_id}/imports/{result['id']}").status_code == 200
    assert [i["id"] for i in clinician.get(f"/api/v1/plans/{plan_id}/imports").json()] == [
        result["id"]
    ]
    assert clinician.get(result["attachments"][0]["url"]).content == STATEMENT
    # ...but only the person decides.
    part = result["parts"][0]["id"]
    refused = decide(clinician, plan_id, result["id"], [{"part_id": part, "action": "accept"}])
    assert refused.status_code == 404
    assert crisis_entries(owner, plan_id) == []
    accepted = decide(owner, plan_id, result["id"], [{"part_id": part, "action": "accept"}])
    assert accepted.status_code == 200
    (entry,) = crisis_entries(owner, plan_id)
    assert entry["source"]["imported_by"] == "Dr Ana Okafor"
    assert entry["source"]["author"] == "Jo Banks, care coordinator"


def test_a_grantee_sees_only_their_own_imports_and_files(
    owner, green_book, clinician, clinician_share
):
    plan_id = green_book["id"]
    owners_import = imported(owner, plan_id, "careplan.json")
    own = _send(clinician, plan_id).json()

    assert (
        clinician.get(f"/api/v1/plans/{plan_id}/imports/{owners_import['id']}").status_code == 404
    )
    attachment = owners_import["attachments"][0]["url"]
    refused = clinician.get(attachment)
    assert refused.status_code == 404
    assert refused.json()["detail"] == "This plan has no attachment with this id."
    assert [i["id"] for i in clinician.get(f"/api/v1/plans/{plan_id}/imports").json()] == [
        own["id"]
    ]
    assert len(owner.get(f"/api/v1/plans/{plan_id}/imports").json()) == 2


def test_a_grantee_cannot_open_another_persons_attachment(
    owner, green_book, clinician, clinician_share, make_account
):
    other = make_account("Robin")
    other_plan = other.post("/api/v1/plans", json={"template": "wrap"}).json()
    share_with(other, other_plan["id"], clinician, ["crisis"], "suggest")
    theirs = imported(other, other_plan["id"], "careplan.json", confirm_person="true")
    url = theirs["attachments"][0]["url"]
    # Through the plan it belongs to (a share, but not their file) and through another plan.
    assert clinician.get(url).status_code == 404
    wrong_plan = url.replace(other_plan["id"], green_book["id"])
    assert clinician.get(wrong_plan).status_code == 404
    assert owner.get(wrong_plan).status_code == 404


@pytest.mark.parametrize(
    ("sections", "permission"),
    [(["crisis"], "view"), (["crisis"], "comment"), (["goals", "triggers"], "suggest")],
    ids=["view only", "comment only", "suggest, but not on the crisis plan"],
)
def test_grantees_without_suggest_on_the_crisis_plan_cannot_import(
    owner, green_book, make_account, sections, permission
):
    grantee = make_account("Jo Link", role=Role.link_worker)
    share_with(owner, green_book["id"], grantee, sections, permission)
    response = _send(grantee, green_book["id"])
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no plan with this id in your plans."
    assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []


def test_a_revoked_share_stops_imports_and_reading(owner, green_book, clinician, clinician_share):
    plan_id = green_book["id"]
    sent = _send(clinician, plan_id).json()
    revoked = owner.delete(f"/api/v1/plans/{plan_id}/shares/{clinician_share['id']}")
    assert revoked.status_code == 200
    assert _send(clinician, plan_id).status_code == 404
    assert clinician.get(f"/api/v1/plans/{plan_id}/imports/{sent['id']}").status_code == 404
    assert clinician.get(sent["attachments"][0]["url"]).status_code == 404
    # The person still has it.
    assert owner.get(f"/api/v1/plans/{plan_id}/imports/{sent['id']}").status_code == 200


def test_an_expired_share_stops_imports(owner, green_book, clinician, client, move_clock):
    ends = (clock.utcnow() + timedelta(days=1)).isoformat()
    share_with(owner, green_book["id"], clinician, ["crisis"], "suggest", expires_at=ends)
    assert _send(clinician, green_book["id"]).status_code == 201
    move_clock(timedelta(days=2))
    clinician.access_token = sign_in(client, clinician.email)["access_token"]
    assert _send(clinician, green_book["id"]).status_code == 404


def test_strangers_and_no_sign_in(owner, green_book, stranger, client):
    plan_id = green_book["id"]
    result = imported(owner, plan_id, "composition.json")
    urls = [
        ("POST", f"/api/v1/plans/{plan_id}/imports"),
        ("GET", f"/api/v1/plans/{plan_id}/imports"),
        ("GET", f"/api/v1/plans/{plan_id}/imports/{result['id']}"),
        ("POST", f"/api/v1/plans/{plan_id}/imports/{result['id']}/decisions"),
        ("GET", result["attachments"][0]["url"]),
        ("GET", f"/api/v1/plans/{plan_id}/fhir"),
        ("GET", f"/api/v1/plans/{plan_id}/print"),
    ]
    body = {"decisions": [{"part_id": result["parts"][0]["id"], "action": "accept"}]}
    for method, url in urls:
        kwargs = {"json": body} if url.endswith("decisions") else {}
        if method == "POST" and url.endswith("imports"):
            kwargs = {"files": {"file": ("c.json", STATEMENT, "application/json")}}
        as_stranger = stranger.request(method, url, **kwargs)
        assert as_stranger.status_code == 404, (url, as_stranger.text)
        assert "Sam" not in as_stranger.text and "Priya" not in as_stranger.text
        signed_out = client.request(method, url, **kwargs)
        assert signed_out.status_code == 401, (url, signed_out.text)
    assert crisis_entries(owner, plan_id) == []
    assert len(owner.get(f"/api/v1/plans/{plan_id}/imports").json()) == 1


def test_exports_are_for_the_owner_only(owner, green_book, clinician, clinician_share):
    plan_id = green_book["id"]
    assert owner.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 200
    assert owner.get(f"/api/v1/plans/{plan_id}/print").status_code == 200
    assert clinician.get(f"/api/v1/plans/{plan_id}/fhir").status_code == 404
    assert clinician.get(f"/api/v1/plans/{plan_id}/print?sections=crisis").status_code == 404


def test_a_deleted_plan_takes_no_imports(owner, green_book):
    owner.delete(f"/api/v1/plans/{green_book['id']}")
    response = _send(owner, green_book["id"])
    assert response.status_code == 404
    assert "Restore it" in response.json()["detail"]


# ---- an import is seen only while the share covers it -------------------------------------

IMPORT_READS = ("imports", "import", "attachment")


def _grantee_reads(account, plan_id: str, sent: dict) -> dict[str, object]:
    """Each way a grantee reads what they sent: the list, the import, its file."""
    return {
        "imports": account.get(f"/api/v1/plans/{plan_id}/imports"),
        "import": account.get(f"/api/v1/plans/{plan_id}/imports/{sent['id']}"),
        "attachment": account.get(sent["attachments"][0]["url"]),
    }


def _import_reads_logged(owner, plan_id: str) -> list[dict]:
    reads = {"listed_imports", "viewed_import", "opened_attachment"}
    return [e for e in access_log(owner, plan_id) if e["event"] in reads]


def _decided_with_a_note(owner, plan_id: str, sent: dict) -> str:
    """The person keeps a part with a note of their own: words the clinician must stop
    seeing once the share no longer covers the crisis plan."""
    note = "I disagree: the ward made things worse (PRIVATE-NOTE-7f3a)"
    part = sent["parts"][0]["id"]
    decided = decide(
        owner, plan_id, sent["id"], [{"part_id": part, "action": "reject", "note": note}]
    )
    assert decided.status_code == 200, decided.text
    return note


def test_a_grantee_in_scope_reads_their_import_and_every_read_is_logged(
    owner, green_book, clinician, clinician_share
):
    plan_id = green_book["id"]
    sent = _send(clinician, plan_id).json()
    note = _decided_with_a_note(owner, plan_id, sent)

    reads = _grantee_reads(clinician, plan_id, sent)
    assert {name: r.status_code for name, r in reads.items()} == dict.fromkeys(IMPORT_READS, 200)
    assert note in reads["import"].text  # the clinician follows the person's decision
    assert reads["attachment"].content == STATEMENT

    logged = _import_reads_logged(owner, plan_id)
    assert [e["event"] for e in logged] == ["opened_attachment", "viewed_import", "listed_imports"]
    for event in logged:
        assert event["who"]["display_name"] == "Dr Ana Okafor"
        assert event["share_id"] == clinician_share["id"]
        assert [s["key"] for s in event["sections"]] == ["crisis"]
    assert "composition.json" in logged[1]["summary"]


def test_the_owner_reading_their_imports_is_not_logged_as_a_grantee_read(
    owner, green_book, clinician, clinician_share
):
    plan_id = green_book["id"]
    sent = _send(clinician, plan_id).json()
    reads = _grantee_reads(owner, plan_id, sent)
    assert {name: r.status_code for name, r in reads.items()} == dict.fromkeys(IMPORT_READS, 200)
    assert _import_reads_logged(owner, plan_id) == []


def _unshare_the_crisis_plan(owner, plan_id, share, _clinician, _move_clock):
    url = f"/api/v1/plans/{plan_id}/shares/{share['id']}"
    assert owner.patch(url, json={"sections": ["triggers"]}).status_code == 200


def _hide_the_crisis_plan(owner, plan_id, _share, _clinician, _move_clock):
    hidden = owner.patch(f"/api/v1/plans/{plan_id}/sections/crisis", json={"hidden": True})
    assert hidden.status_code == 200


def _revoke(owner, plan_id, share, _clinician, _move_clock):
    assert owner.delete(f"/api/v1/plans/{plan_id}/shares/{share['id']}").status_code == 200


def _let_it_expire(owner, plan_id, share, clinician, move_clock):
    ends = (clock.utcnow() + timedelta(days=1)).isoformat()
    url = f"/api/v1/plans/{plan_id}/shares/{share['id']}"
    assert owner.patch(url, json={"expires_at": ends}).status_code == 200
    move_clock(timedelta(days=2))
    clinician.sign_in_again()
    owner.sign_in_again()


def _switch_sharing_off(owner, _plan_id, _share, _clinician, _move_clock):
    assert owner.put("/api/v1/me/sharing", json={"enabled": False}).status_code == 200


@pytest.mark.parametrize(
    "narrow",
    [_unshare_the_crisis_plan, _hide_the_crisis_plan, _revoke, _let_it_expire, _switch_sharing_off],
    ids=["crisis unshared", "crisis hidden", "revoked", "expired", "sharing off"],
)
def test_once_the_share_no_longer_covers_the_crisis_plan_the_import_is_out_of_reach(
    owner, green_book, clinician, clinician_share, move_clock, narrow
):
    plan_id = green_book["id"]
    sent = _send(clinician, plan_id).json()
    note = _decided_with_a_note(owner, plan_id, sent)

    narrow(owner, plan_id, clinician_share, clinician, move_clock)

    for name, response in _grantee_reads(clinician, plan_id, sent).items():
        assert response.status_code == 404, (name, response.text)
        assert response.json()["detail"] == "There is no plan with this id in your plans."
        assert note not in response.text and "composition.json" not in response.text
    assert _import_reads_logged(owner, plan_id) == []
    # The person still has it, decisions and all.
    assert note in owner.get(f"/api/v1/plans/{plan_id}/imports/{sent['id']}").text


def test_a_grantee_of_other_sections_never_sees_imports(owner, green_book, clinician, make_account):
    plan_id = green_book["id"]
    share_with(owner, plan_id, clinician, ["crisis"], "suggest")
    sent = _send(clinician, plan_id).json()
    carer = make_account("Jo Carer")
    share_with(owner, plan_id, carer, ["triggers"], "suggest")

    for name, response in _grantee_reads(carer, plan_id, sent).items():
        assert response.status_code == 404, name
    assert _import_reads_logged(owner, plan_id) == []


def test_strangers_and_no_login_cannot_read_a_grantees_import(
    owner, green_book, clinician, clinician_share, stranger, client
):
    plan_id = green_book["id"]
    sent = _send(clinician, plan_id).json()
    for name, response in _grantee_reads(stranger, plan_id, sent).items():
        assert response.status_code == 404, name
        assert "composition.json" not in response.text
    for path in (
        f"/api/v1/plans/{plan_id}/imports",
        f"/api/v1/plans/{plan_id}/imports/{sent['id']}",
        sent["attachments"][0]["url"],
    ):
        assert client.get(path).status_code == 401
    assert _import_reads_logged(owner, plan_id) == []
