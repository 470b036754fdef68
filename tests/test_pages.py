"""Inserted pages in the notes section: a title, the person's text, a link and a small file,
kept encrypted, synced, shared and exported as every entry is."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.accounts.models import Role
from app.core import clock
from app.pages.router import MAX_PAGE_FILE_BYTES
from tests.helpers.sharing import access_log, share_with

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"a small picture of a leaflet"


def _upload(account, plan_id, data=PNG, name="leaflet.png", media_type="image/png"):
    return account.post(
        f"/api/v1/plans/{plan_id}/page-files", files={"file": (name, data, media_type)}
    )


def _add_page(account, plan_id, page, section="notes", words="Tuesdays, 2pm, the library"):
    return account.post(
        f"/api/v1/plans/{plan_id}/sections/{section}/entries", json={"text": words, "page": page}
    )


def _notes(account, plan_id):
    plan = account.get(f"/api/v1/plans/{plan_id}").json()
    return next(s for s in plan["sections"] if s["key"] == "notes")["entries"]


def test_a_page_with_a_link_and_a_file_is_kept_and_the_file_comes_back_as_sent(
    owner, green_book, app
):
    plan_id = green_book["id"]
    uploaded = _upload(owner, plan_id, name="../../Walking group leaflet.png")
    assert uploaded.status_code == 201, uploaded.text
    file = uploaded.json()
    assert file["name"] == "Walking group leaflet.png"
    assert (file["media_type"], file["size"]) == ("image/png", len(PNG))
    page = {"title": "Walking group", "link": "https://example.org/walks", "file": file}
    added = _add_page(owner, plan_id, page)
    assert added.status_code == 201, added.text
    [entry] = _notes(owner, plan_id)
    assert entry["page"] == page and entry["text"] == "Tuesdays, 2pm, the library"

    opened = owner.get(f"/api/v1/plans/{plan_id}/attachments/{file['id']}")
    assert opened.status_code == 200 and opened.content == PNG
    assert opened.headers["content-type"] == "image/png"
    assert opened.headers["content-disposition"].startswith("attachment")
    with app.state.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT content, file_name FROM plan_attachment WHERE kind = 'page'")
        ).one()
    assert b"leaflet" not in bytes(stored.content) and "Walking" not in stored.file_name

    cleared = owner.patch(
        f"/api/v1/plans/{plan_id}/sections/notes/entries/{entry['id']}", json={"page": None}
    )
    assert cleared.status_code == 200 and cleared.json()["page"] is None


@pytest.mark.parametrize(
    ("page", "section", "status", "words"),
    [
        ({"title": "Group"}, "triggers", 409, "notes section"),
        ({"title": "Group", "link": "javascript:alert(1)"}, "notes", 422, "link"),
        ({"title": "Group", "link": "https://example.org/a b"}, "notes", 422, "link"),
        ({"title": "   "}, "notes", 422, "title"),
        ({"title": "Group", "colour": "red"}, "notes", 422, "colour"),
        (
            {"title": "Group", "file": {"id": "x", "name": "a", "media_type": "image/png"}},
            "notes",
            422,
            "file",
        ),
    ],
)
def test_a_bad_page_is_refused_and_changes_nothing(owner, green_book, page, section, status, words):
    response = _add_page(owner, green_book["id"], page, section=section)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.text
    assert owner.get(f"/api/v1/plans/{green_book['id']}").json()["version"] == 1


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"", 422, "empty"),
        (b"MZ\x90\x00\x03" + bytes(range(256)), 415, "can't be added"),
        (b"%PDF-1.7\n" + b"x" * MAX_PAGE_FILE_BYTES, 413, "4 MB"),
    ],
)
def test_a_file_that_is_not_small_or_not_a_page_file_is_refused(
    owner, green_book, app, data, status, words
):
    response = _upload(owner, green_book["id"], data=data, name="thing.bin")
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    with app.state.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM plan_attachment")).scalar() == 0


def test_a_text_file_and_a_pdf_are_told_by_their_contents(owner, green_book):
    note = _upload(owner, green_book["id"], data="Café at 10".encode(), name="/", media_type="x/y")
    assert note.json()["media_type"] == "text/plain" and note.json()["name"] == "page.txt"
    pdf = _upload(owner, green_book["id"], data=b"%PDF-1.4 leaflet", name="a.png")
    assert pdf.json()["media_type"] == "application/pdf"


def test_only_the_owner_adds_a_file(owner, green_book, stranger, make_account):
    grantee = make_account("Jo Link", Role.link_worker)
    made = owner.post(
        f"/api/v1/plans/{green_book['id']}/shares",
        json={"sections": ["notes"], "permission": "suggest", "label": "link_worker"},
    ).json()
    grantee.post("/api/v1/shares/accept", json={"code": made["invite_code"]})
    for caller in (stranger, grantee):
        assert _upload(caller, green_book["id"]).status_code == 404
    assert (
        owner.client.post(
            f"/api/v1/plans/{green_book['id']}/page-files", files={"file": ("a.png", PNG)}
        ).status_code
        == 401
    )


def test_a_page_made_offline_syncs_and_is_shared_and_exported_as_an_entry(
    owner, green_book, make_account
):
    plan_id = green_book["id"]
    page = {"title": "Hearing voices group", "link": "https://example.org/hvn"}
    entry_id = str(uuid.uuid4())
    synced = owner.post(
        "/api/v1/sync",
        json={
            "operations": [
                {
                    "op_id": str(uuid.uuid4()),
                    "kind": "add_entry",
                    "plan_id": plan_id,
                    "base_version": 1,
                    "section": "notes",
                    "entry_id": entry_id,
                    "text": "First Monday of the month",
                    "page": page,
                }
            ]
        },
    )
    assert synced.json()["results"][0]["status"] == "applied", synced.text
    assert _notes(owner, plan_id)[0]["page"] == page

    sees_notes = make_account("Jo Link", Role.link_worker)
    sees_triggers = make_account("Kim Link", Role.link_worker)
    shares = {}
    for grantee, sections in ((sees_notes, ["notes"]), (sees_triggers, ["triggers"])):
        made = owner.post(
            f"/api/v1/plans/{plan_id}/shares",
            json={"sections": sections, "permission": "view", "label": "link_worker"},
        ).json()
        grantee.post("/api/v1/shares/accept", json={"code": made["invite_code"]})
        shares[grantee.display_name] = made["id"]
    assert (
        "Hearing voices group" in sees_notes.get(f"/api/v1/shared-with-me/{shares['Jo Link']}").text
    )
    assert (
        "Hearing voices group"
        not in sees_triggers.get(f"/api/v1/shared-with-me/{shares['Kim Link']}").text
    )

    exported = owner.get("/api/v1/export").json()
    imported = owner.post("/api/v1/import", json=exported)
    assert imported.status_code == 201, imported.text
    copy = imported.json()["imported_plans"][0]
    assert _notes(owner, copy)[0]["page"] == page


# ---- a page's file, opened by whoever the notes are shared with ------------------------


def _shared_page_file(owner, plan_id):
    file = _upload(owner, plan_id).json()
    added = _add_page(owner, plan_id, {"title": "Walking group", "file": file})
    assert added.status_code == 201, added.text
    return file, added.json()


def _open_shared(account, share_id, file_id):
    return account.get(f"/api/v1/shared-with-me/{share_id}/page-files/{file_id}")


def test_a_grantee_shown_the_notes_opens_a_pages_file_and_the_person_sees_it(
    owner, green_book, link_worker
):
    plan_id = green_book["id"]
    file, _ = _shared_page_file(owner, plan_id)
    share = share_with(owner, plan_id, link_worker, ["notes"])

    opened = _open_shared(link_worker, share["id"], file["id"])
    assert opened.status_code == 200, opened.text
    assert opened.content == PNG and opened.headers["content-type"] == "image/png"
    assert opened.headers["content-disposition"].startswith("attachment")
    assert opened.headers["cache-control"] == "private, no-store"
    [line] = [e for e in access_log(owner, plan_id) if e["event"] == "opened_page_file"]
    assert line["summary"] == (
        "Jo Link (link worker, Riverside) downloaded “leaflet.png”, the file kept with a page "
        "of your plan."
    )
    assert [s["key"] for s in line["sections"]] == ["notes"]


def test_a_pages_file_is_refused_to_everyone_the_notes_are_not_shown_to(
    owner, green_book, link_worker, make_account, stranger, client, move_clock
):
    plan_id = green_book["id"]
    file, page = _shared_page_file(owner, plan_id)
    other_page_file = _upload(owner, plan_id, name="not on a page.png").json()
    sees_notes = share_with(owner, plan_id, link_worker, ["notes"])
    triggers_only = make_account("Kim Link", Role.link_worker)
    sees_triggers = share_with(owner, plan_id, triggers_only, ["triggers"])
    revoked_grantee = make_account("Rae Link", Role.link_worker)
    revoked = share_with(owner, plan_id, revoked_grantee, ["notes"])
    assert owner.delete(f"/api/v1/plans/{plan_id}/shares/{revoked['id']}").status_code == 200
    ending_grantee = make_account("Lee Link", Role.link_worker)
    soon = (clock.utcnow() + timedelta(hours=1)).isoformat()
    ending = share_with(owner, plan_id, ending_grantee, ["notes"], expires_at=soon)
    log_before = access_log(owner, plan_id)

    refusals = [
        (_open_shared(triggers_only, sees_triggers["id"], file["id"]), 404),
        (_open_shared(link_worker, sees_notes["id"], other_page_file["id"]), 404),
        (_open_shared(link_worker, sees_notes["id"], str(uuid.uuid4())), 404),
        (_open_shared(stranger, sees_notes["id"], file["id"]), 404),
        (_open_shared(owner, sees_notes["id"], file["id"]), 404),
        (client.get(f"/api/v1/shared-with-me/{sees_notes['id']}/page-files/{file['id']}"), 401),
        (_open_shared(revoked_grantee, revoked["id"], file["id"]), 410),
    ]
    move_clock(timedelta(hours=2))
    for account in (ending_grantee, link_worker, owner):
        account.sign_in_again()
    refusals.append((_open_shared(ending_grantee, ending["id"], file["id"]), 410))
    for response, status in refusals:
        assert response.status_code == status, response.text
        assert b"leaflet" not in response.content and PNG not in response.content

    # Hidden, or the page gone: no longer shown, so no longer opened.
    notes = f"/api/v1/plans/{plan_id}/sections/notes"
    assert owner.patch(notes, json={"hidden": True}).status_code == 200
    assert _open_shared(link_worker, sees_notes["id"], file["id"]).status_code == 404
    assert owner.patch(notes, json={"hidden": False}).status_code == 200
    assert _open_shared(link_worker, sees_notes["id"], file["id"]).status_code == 200
    assert owner.delete(f"{notes}/entries/{page['id']}").status_code == 204
    assert _open_shared(link_worker, sees_notes["id"], file["id"]).status_code == 404
    opened = [e for e in access_log(owner, plan_id) if e not in log_before]
    assert [e["event"] for e in opened].count("opened_page_file") == 1
