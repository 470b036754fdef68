"""Files made to harm the server: zip and XML bombs are refused with a 4xx problem and
nothing stored; a file that overruns the parsing process's limits is stopped; plan reads
keep answering meanwhile; PDFs with active content are read with a warning; stored files
are only ever downloads. The corpus is built in tests/helpers/hostile_files.py."""

import os
import threading
from pathlib import Path

import pytest

from app.statements import containment
from app.statements.containment import BUSY, TOO_COMPLEX
from tests.helpers.hostile_files import (
    DOCX_TYPE,
    HOSTILE_FILES,
    active_pdf,
    link_script_pdf,
    many_objects_json,
    near_limit_docx,
    statement_pdf,
    under_declared_docx,
    wide_xml_docx,
    word_file,
)
from tests.sharing.conftest import share_with
from tests.statements.conftest import decide, upload

PDF = "application/pdf"


def _nothing_stored(owner, plan_id: str) -> None:
    assert owner.get(f"/api/v1/plans/{plan_id}/imports").json() == []
    assert owner.get(f"/api/v1/plans/{plan_id}").json()["version"] == 1


def _parent_of(pid: str) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # ended while we looked
        return None
    return stat.rsplit(")", 1)[1].split()[1]


def _parsing_processes() -> list[str]:
    """Processes forked to read a file (children of this test process's forkserver)."""
    processes = {pid: _parent_of(pid) for pid in os.listdir("/proc") if pid.isdigit()}
    forkservers = {
        pid
        for pid, parent in processes.items()
        if parent == str(os.getpid()) and b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    }
    return [pid for pid, parent in processes.items() if parent in forkservers]


@pytest.fixture
def parse_limits(app, monkeypatch):
    """Sets the running app's IMPORT_PARSE_* settings for one test."""

    def set_limits(**limits) -> None:
        for name, value in limits.items():
            monkeypatch.setattr(app.state.settings, f"import_parse_{name}", value)

    return set_limits


@pytest.mark.parametrize(
    ("file_name", "build", "status", "words", "where"),
    [case[1:] for case in HOSTILE_FILES],
    ids=[case[0] for case in HOSTILE_FILES],
)
def test_a_hostile_file_is_refused_and_nothing_is_stored(
    owner, green_book, file_name, build, status, words, where
):
    response = upload(owner, green_book["id"], file_name, build(), "application/octet-stream")
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert words in problem["detail"]
    assert problem["where"] == where
    _nothing_stored(owner, green_book["id"])
    assert _parsing_processes() == []


def test_an_ordinary_word_file_still_imports(owner, green_book):
    response = upload(owner, green_book["id"], "plan.docx", word_file(), DOCX_TYPE)
    assert response.status_code == 201, response.text
    assert [(p["field"], p["text"]) for p in response.json()["parts"]] == [
        ("who_helps", "My sister Priya Shah on 07700 900123."),
        ("treatments_refused", "I do not consent to electroconvulsive therapy."),
    ]
    assert response.json()["warnings"] == []


@pytest.mark.parametrize(
    ("limits", "file_name", "build"),
    [
        ({"cpu_seconds": 1}, "plan.docx", near_limit_docx),
        ({"timeout_seconds": 0.5}, "plan.docx", near_limit_docx),
        ({"memory_mb": 64}, "plan.json", many_objects_json),
    ],
    ids=["cpu", "wall clock", "memory"],
)
def test_a_file_that_overruns_a_limit_is_stopped_and_the_next_one_is_read(
    owner, green_book, parse_limits, monkeypatch, limits, file_name, build
):
    parse_limits(**limits)
    refused = upload(owner, green_book["id"], file_name, build(), "application/octet-stream")
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == TOO_COMPLEX
    assert refused.json()["where"] == "whole file"
    _nothing_stored(owner, green_book["id"])
    assert _parsing_processes() == []
    # The stopped process is replaced: the next file, under the usual limits, is read.
    monkeypatch.undo()
    accepted = upload(owner, green_book["id"], "plan.pdf", statement_pdf(), PDF)
    assert accepted.status_code == 201, accepted.text


def test_a_file_waits_for_a_free_reader_and_is_asked_to_come_back_if_none_frees(
    owner, green_book, parse_limits
):
    parse_limits(workers=1, timeout_seconds=0.2)
    reader = containment._slots(1)
    assert reader.acquire(timeout=5)  # as another upload being read would hold it
    try:
        busy = upload(owner, green_book["id"], "plan.pdf", statement_pdf(), PDF)
    finally:
        reader.release()
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "30"
    assert busy.json()["detail"] == BUSY
    _nothing_stored(owner, green_book["id"])
    assert upload(owner, green_book["id"], "plan.pdf", statement_pdf(), PDF).status_code == 201


def test_plan_reads_keep_answering_while_three_bombs_upload(owner, green_book, parse_limits):
    plan_id = green_book["id"]
    # Two bombs stopped by the checks on the file, and one stopped only by the CPU limit.
    parse_limits(cpu_seconds=1, workers=2)
    bombs = [
        ("bomb.docx", under_declared_docx(), DOCX_TYPE),
        ("wide.docx", wide_xml_docx(), DOCX_TYPE),
        ("near.docx", near_limit_docx(), DOCX_TYPE),
    ]
    answers: list[int] = []

    def send(name: str, data: bytes, content_type: str) -> None:
        answers.append(upload(owner, plan_id, name, data, content_type).status_code)

    threads = [threading.Thread(target=send, args=bomb) for bomb in bombs]
    for thread in threads:
        thread.start()
    reads_during_bombs = []
    while any(thread.is_alive() for thread in threads):
        read = owner.get(f"/api/v1/plans/{plan_id}")
        reads_during_bombs.append((read.status_code, read.json()["title"]))
    for thread in threads:
        thread.join()
    assert sorted(answers) == [413, 413, 422]
    assert reads_during_bombs
    assert set(reads_during_bombs) == {(200, "My book")}
    _nothing_stored(owner, plan_id)
    assert _parsing_processes() == []


# ---- PDFs with active content ---------------------------------------------------------------


def test_a_pdf_with_active_content_is_read_with_a_warning(
    owner, green_book, clinician, clinician_share
):
    plan_id = green_book["id"]
    response = upload(clinician, plan_id, "plan.pdf", active_pdf(), PDF)
    assert response.status_code == 201, response.text
    sent = response.json()
    assert [(p["field"], p["text"], p["status"]) for p in sent["parts"]] == [
        ("who_helps", "My sister Priya Shah on 07700 900123.", "proposed"),
        ("treatments_refused", "I do not consent to electroconvulsive therapy.", "proposed"),
    ]
    warning = {
        "code": "active_content",
        "message": "This PDF had active content (a script, an instruction to open another "
        "program and files tucked inside it). We did not run or open it: only its words were "
        "read. The original can only be downloaded, not opened here; open it only if you "
        "trust where it came from.",
        "where": "whole file",
    }
    assert sent["warnings"] == [warning]
    # The person sees it too, and accepts words from the file only once they have read it.
    seen = owner.get(f"/api/v1/plans/{plan_id}/imports/{sent['id']}").json()
    assert seen["warnings"] == [warning]
    part = [{"part_id": seen["parts"][0]["id"], "action": "accept"}]
    refused = decide(owner, plan_id, sent["id"], part)
    assert refused.status_code == 409
    assert warning["message"] in refused.json()["detail"]
    assert decide(owner, plan_id, sent["id"], part, warnings_seen=True).status_code == 200


def test_a_script_only_in_a_link_is_found_and_a_plain_pdf_has_no_warning(owner, green_book):
    linked = upload(owner, green_book["id"], "link.pdf", link_script_pdf(), PDF).json()
    assert [w["message"].split(")")[0] for w in linked["warnings"]] == [
        "This PDF had active content (a script"
    ]
    plain = upload(owner, green_book["id"], "plain.pdf", statement_pdf(), PDF).json()
    assert plain["warnings"] == []


# ---- stored files are downloads only ----------------------------------------------------------


def _assert_download_only(response, data: bytes) -> None:
    assert response.status_code == 200, response.text
    assert response.content == data
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''plan.pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"


def test_stored_files_are_only_ever_downloads(
    owner, green_book, clinician, clinician_share, make_account, stranger, client
):
    plan_id = green_book["id"]
    data = active_pdf()
    sent = upload(clinician, plan_id, "plan.pdf", data, PDF).json()
    url = sent["attachments"][0]["url"]
    _assert_download_only(owner.get(url), data)
    _assert_download_only(clinician.get(url), data)

    # Someone else the plan is shared with did not send it; a stranger, no sign-in.
    viewer = make_account("Jo Carer")
    share_with(owner, plan_id, viewer, ["crisis"], "view")
    assert viewer.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert client.get(url).status_code == 401
    # Once the share is revoked, the sender cannot open it either.
    owner.delete(f"/api/v1/plans/{plan_id}/shares/{clinician_share['id']}")
    assert clinician.get(url).status_code == 404
