"""Every bad file gets a 4xx problem saying what is wrong and where, and nothing is stored."""

import copy
import io
import json
import zipfile

import pytest
from fpdf import FPDF
from pypdf import PdfWriter

from tests.helpers.statement_files import FIXTURES, build_docx
from tests.helpers.statements import decide, upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _bundle() -> dict:
    return json.loads((FIXTURES / "mhad_bundle.json").read_text())


def _json(value: dict) -> bytes:
    return json.dumps(value).encode()


def _without_composition() -> bytes:
    bundle = _bundle()
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Composition"]
    return _json(bundle)


def _composition_without_title() -> bytes:
    bundle = _bundle()
    del bundle["entry"][0]["resource"]["title"]
    return _json(bundle)


def _r5_style_subject() -> bytes:
    # FHIR R5 made Composition.subject a list; R4 has one reference.
    bundle = _bundle()
    bundle["entry"][0]["resource"]["subject"] = [{"reference": "Patient/st"}]
    return _json(bundle)


def _unknown_resource_type() -> bytes:
    bundle = _bundle()
    bundle["entry"].append({"fullUrl": "urn:uuid:x", "resource": {"resourceType": "Wish"}})
    return _json(bundle)


def _transaction_bundle() -> bytes:
    bundle = _bundle()
    bundle["type"] = "transaction"
    return _json(bundle)


def _bad_narrative() -> bytes:
    bundle = _bundle()
    bundle["entry"][0]["resource"]["section"][1]["text"]["div"] = "<div><p>unclosed</div>"
    return _json(bundle)


def _zip_bomb() -> bytes:
    """A .docx whose one extra member unpacks to 60 MB of zeros from a few kilobytes."""
    buffer = io.BytesIO(build_docx())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/filler.bin", bytes(60 * 1024 * 1024))
    return buffer.getvalue()


def _zip_not_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


def _pdf(pages: int, text: str = "") -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        if text:
            pdf.cell(0, 10, text)
    return bytes(pdf.output())


def _password_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(_pdf(1, "Who to contact: my sister")))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


CASES = [
    # (id, file name, bytes, content type, status, words in detail, where)
    ("picture", "photo.png", PNG, "image/png", 415, "can't read this kind of file", "whole file"),
    (
        "old word",
        "plan.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "application/msword",
        415,
        ".docx",
        "whole file",
    ),
    ("empty", "plan.txt", b"  \n", "text/plain", 422, "empty", "whole file"),
    (
        "nothing to import",
        "plan.md",
        b"# Joint crisis plan\n",
        "text/markdown",
        422,
        "nothing to import",
        "whole file",
    ),
    (
        "named pdf, is not",
        "plan.pdf",
        b"Dear Sam, here is your plan",
        "application/pdf",
        422,
        "called a PDF file",
        "start of file",
    ),
    (
        "damaged pdf",
        "plan.pdf",
        b"%PDF-1.7\n" + bytes(200),
        "application/pdf",
        422,
        "damaged",
        "whole file",
    ),
    (
        "damaged docx",
        "plan.docx",
        b"PK\x03\x04" + bytes(100),
        "application/octet-stream",
        422,
        "damaged",
        "whole file",
    ),
    (
        "zip, not word",
        "plan.docx",
        _zip_not_word(),
        "application/zip",
        422,
        "not a Word document",
        "whole file",
    ),
    (
        "zip bomb",
        "plan.docx",
        _zip_bomb(),
        "application/octet-stream",
        413,
        "unpacks to far more",
        "word/media/filler.bin",
    ),
    ("too many pages", "long.pdf", _pdf(201), "application/pdf", 413, "201 pages", "page 201"),
    (
        "scanned pdf",
        "scan.pdf",
        _pdf(2),
        "application/pdf",
        422,
        "no text we can read",
        "whole file",
    ),
    (
        "password pdf",
        "locked.pdf",
        _password_pdf(),
        "application/pdf",
        422,
        "password",
        "whole file",
    ),
    (
        "not json",
        "plan.json",
        b'{"resourceType": "Bundle",',
        "application/json",
        422,
        "not valid JSON",
        "line 1, column 27",
    ),
    (
        "not fhir",
        "plan.json",
        b'{"hello": "world"}',
        "application/json",
        422,
        "no resourceType",
        "resourceType",
    ),
    (
        "a patient, not a plan",
        "p.json",
        b'{"resourceType": "Patient"}',
        "application/fhir+json",
        415,
        "not a crisis statement",
        "resourceType",
    ),
    (
        "no composition",
        "b.json",
        _without_composition(),
        "application/fhir+json",
        422,
        "no Composition",
        "Bundle.entry",
    ),
    (
        "not a document or collection bundle",
        "b.json",
        _transaction_bundle(),
        "application/fhir+json",
        422,
        "of type 'transaction'",
        "Bundle.type",
    ),
    (
        "missing required title",
        "b.json",
        _composition_without_title(),
        "application/fhir+json",
        422,
        "not valid FHIR R4",
        "Bundle.entry[0].resource.title",
    ),
    (
        "R5 shape",
        "b.json",
        _r5_style_subject(),
        "application/fhir+json",
        422,
        "not valid FHIR R4",
        "Bundle.entry[0].resource.subject",
    ),
    (
        "unknown resource",
        "b.json",
        _unknown_resource_type(),
        "application/fhir+json",
        422,
        "not valid FHIR R4",
        "Bundle",
    ),
    (
        "narrative not xhtml",
        "b.json",
        _bad_narrative(),
        "application/fhir+json",
        422,
        "not valid XHTML",
        "Bundle.entry[0].resource.section[1].text.div",
    ),
    ("binary text", "plan.txt", b"abc\x00def", "text/plain", 415, "can't read", "whole file"),
    (
        "part too long",
        "plan.md",
        b"## What helps\n\n" + b"word " * 2500,
        "text/markdown",
        422,
        "longer than 10,000",
        "line 3",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "content_type", "status", "words", "where"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_file_is_refused_and_nothing_is_stored(
    owner, green_book, name, data, content_type, status, words, where
):
    plan_id = green_book["id"]
    response = upload(owner, plan_id, name, data, content_type)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert words in problem["detail"]
    assert problem["where"] == where
    assert owner.get(f"/api/v1/plans/{plan_id}/imports").json() == []
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == 1


def test_invalid_fhir_lists_every_problem(owner, green_book):
    bundle = _bundle()
    composition = bundle["entry"][0]["resource"]
    composition["date"] = "yesterday"
    composition["status"] = 7
    response = upload(owner, green_book["id"], "b.json", _json(bundle), "application/fhir+json")
    assert response.status_code == 422
    wheres = [error["where"] for error in response.json()["errors"]]
    assert wheres == ["Bundle.entry[0].resource.date", "Bundle.entry[0].resource.status"]


def test_a_file_over_the_upload_limit_is_refused(owner, green_book, settings):
    too_big = b"## What helps\n\n" + b"x" * settings.max_upload_bytes
    response = upload(owner, green_book["id"], "big.md", too_big, "text/markdown")
    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"The request body is larger than the {settings.max_upload_bytes:,} bytes this address "
        "accepts."
    )
    assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []


def test_other_routes_keep_the_small_body_limit(owner, green_book, settings):
    big = {"text": "x" * (settings.max_body_bytes + 10)}
    response = owner.post(f"/api/v1/plans/{green_book['id']}/sections/crisis/entries", json=big)
    assert response.status_code == 413


def test_missing_file_field(owner, green_book):
    response = owner.post(f"/api/v1/plans/{green_book['id']}/imports", data={"source_system": "x"})
    assert response.status_code == 422
    assert "file" in response.json()["detail"]


class TestSomeoneElsesDocument:
    """A document naming another person is refused unless the sender confirms it, and then
    it carries a warning the person must confirm reading before accepting anything."""

    @staticmethod
    def _about_jordan() -> bytes:
        bundle = copy.deepcopy(_bundle())
        bundle["entry"][1]["resource"]["name"] = [{"given": ["Jordan"], "family": "Reeve"}]
        return _json(bundle)

    def test_refused_by_default(self, owner, green_book):
        response = upload(
            owner, green_book["id"], "b.json", self._about_jordan(), "application/json"
        )
        assert response.status_code == 422
        problem = response.json()
        assert "\u201cJordan Reeve\u201d, born 1990-05-14" in problem["detail"]
        assert "\u201cSam\u201d" in problem["detail"]
        assert problem["where"] == "Bundle.entry[1].resource (Patient)"
        assert problem["warnings"][0]["code"] == "different_name"
        assert owner.get(f"/api/v1/plans/{green_book['id']}/imports").json() == []

    def test_confirmed_then_the_warning_must_be_read(self, owner, green_book):
        plan_id = green_book["id"]
        response = upload(
            owner,
            plan_id,
            "b.json",
            self._about_jordan(),
            "application/json",
            confirm_person="true",
        )
        assert response.status_code == 201, response.text
        result = response.json()
        (warning,) = result["warnings"]
        assert warning["code"] == "different_name"
        assert "Jordan Reeve" in warning["message"]
        part = result["parts"][0]["id"]

        unread = decide(owner, plan_id, result["id"], [{"part_id": part, "action": "accept"}])
        assert unread.status_code == 409
        assert "warnings_seen" in unread.json()["detail"]
        assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == 1

        read = decide(
            owner,
            plan_id,
            result["id"],
            [{"part_id": part, "action": "accept"}],
            warnings_seen=True,
        )
        assert read.status_code == 200, read.text
        assert read.json()["plan_version"] == 2

    def test_a_short_form_of_the_name_is_not_a_mismatch(self, owner, green_book):
        bundle = _bundle()
        bundle["entry"][1]["resource"]["name"] = [{"given": ["Samantha"], "family": "Taylor"}]
        response = upload(owner, green_book["id"], "b.json", _json(bundle), "application/json")
        assert response.status_code == 201
        assert response.json()["warnings"] == []
