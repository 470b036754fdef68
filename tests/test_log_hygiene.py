"""Logs never hold plan text, passwords or tokens: a full flow runs with every logger at
DEBUG, and no record, formatted with its traceback, contains any of them."""

import logging
import uuid

import pytest

from app.crisis_card import service as crisis_card_service
from tests.helpers.accounts import PASSWORD

# The test's own HTTP client (httpx) logs the URLs it requests; it is not part of the app.
CLIENT_SIDE_LOGGERS = ("httpx", "httpcore")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(CLIENT_SIDE_LOGGERS):
            self.lines.append((record.name, self.format(record)))


@pytest.fixture
def every_log_record():
    """Every logger at DEBUG and propagating to a collector on the root; put back after."""
    collector = _Collector()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.propagate, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.propagate, logger.disabled = True, False
    logging.getLogger().addHandler(collector)
    yield collector.lines
    logging.getLogger().removeHandler(collector)
    for logger, level, propagate, disabled in saved:
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def _register_and_sign_in(client, name: str, secrets: list[str]) -> dict:
    email = f"{name}.{uuid.uuid4().hex[:6]}@example.org"
    registered = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name},
    )
    assert registered.status_code == 201, registered.text
    tokens = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.text
    tokens = tokens.json()
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    secrets += [tokens["access_token"], tokens["refresh_token"]]
    secrets += [refreshed.json()["access_token"], refreshed.json()["refresh_token"]]
    return {"Authorization": f"Bearer {refreshed.json()['access_token']}"}


def test_a_full_flow_logs_no_plan_text_and_no_secrets(client, every_log_record, monkeypatch):
    marker = f"PLAN-TEXT-{uuid.uuid4().hex}"
    secrets = [PASSWORD]
    owner = _register_and_sign_in(client, "Sam", secrets)
    worker = _register_and_sign_in(client, "Jo", secrets)

    plan = client.post(
        "/api/v1/plans", json={"template": "green_book", "title": f"Book {marker}"}, headers=owner
    ).json()
    plan_url = f"/api/v1/plans/{plan['id']}"
    for section in ("crisis", "triggers"):
        added = client.post(
            f"{plan_url}/sections/{section}/entries", json={"text": marker}, headers=owner
        )
        assert added.status_code == 201, added.text

    share = client.post(
        f"{plan_url}/shares",
        json={"sections": ["crisis"], "permission": "comment", "label": "link_worker"},
        headers=owner,
    ).json()
    code = share["invite_code"]
    secrets += [code, code.replace("-", "")]
    accepted = client.post("/api/v1/shares/accept", json={"code": code}, headers=worker)
    assert accepted.status_code == 200, accepted.text
    commented = client.post(
        f"/api/v1/shared-with-me/{share['id']}/comments",
        json={"section": "crisis", "text": marker, "acknowledged_visible_to_person": True},
        headers=worker,
    )
    assert commented.status_code == 201, commented.text
    assert client.get(f"/api/v1/shared-with-me/{share['id']}", headers=worker).status_code == 200

    card = client.post(f"{plan_url}/crisis-card", json=None, headers=owner).json()
    card_path = "/c/" + card["url"].rsplit("/c/", 1)[1]
    secrets.append(card_path.removeprefix("/c/"))
    opened = client.get(card_path, params={"from": marker})
    assert opened.status_code == 200 and marker in opened.text

    bad_entry = client.post(
        f"{plan_url}/sections/triggers/entries", json={"text": [marker]}, headers=owner
    )
    assert bad_entry.status_code == 422
    not_json = client.post(
        f"{plan_url}/sections/triggers/entries",
        content=f'{{"text": "{marker}'.encode(),
        headers=owner | {"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400

    def fails_quoting_the_plan(*_args, **_kwargs):
        raise RuntimeError(f"could not render {marker}")

    monkeypatch.setattr(crisis_card_service, "use_crisis_card", fails_quoting_the_plan)
    assert client.get(card_path).status_code == 500

    lines = [line for _, line in every_log_record]
    leaks = [
        (secret[:12], line) for line in lines for secret in [marker, *secrets] if secret in line
    ]
    assert leaks == []
    # The request log did run, with the card's token left out and the error's type kept.
    requests = [line for name, line in every_log_record if name == "app.requests"]
    assert any("POST /api/v1/auth/token 200" in line for line in requests)
    assert any("GET /c/{redacted} 200" in line for line in requests)
    assert any("GET /c/{redacted} failed with RuntimeError" in line for line in requests)
    assert not any("from=" in line for line in requests)


def test_section_keys_made_of_words_are_not_logged(client, every_log_record):
    """Section keys can be the person's words (an imported export file may carry any key):
    logged paths show `{key}` in their place."""
    word_key = f"my_sister_ana_{uuid.uuid4().hex[:8]}"
    owner = _register_and_sign_in(client, "Sam", [])
    plan = client.post(
        "/api/v1/plans", json={"template": "green_book", "title": "Mine"}, headers=owner
    )
    assert plan.status_code == 201, plan.text
    exported = client.get("/api/v1/export", headers=owner).json()
    for section in exported["plans"][0]["sections"]:
        if section["key"] == "triggers":
            section["key"] = word_key
    imported = client.post("/api/v1/import", json=exported, headers=owner)
    assert imported.status_code == 201, imported.text
    plan_url = f"/api/v1/plans/{imported.json()['imported_plans'][0]}"
    added = client.post(
        f"{plan_url}/sections/{word_key}/entries", json={"text": "x"}, headers=owner
    )
    assert added.status_code == 201, added.text

    requests = [line for name, line in every_log_record if name == "app.requests"]
    assert any("/sections/{key}/entries 201" in line for line in requests)
    assert not any(word_key in line for _, line in every_log_record)


def test_printing_characters_the_font_lacks_logs_none_of_the_plans_words(client, every_log_record):
    """DejaVu Sans has no CJK characters and no emoji: fpdf2 warns, listing each missing
    character. The warning is kept (its level too), its words are not."""
    owner = _register_and_sign_in(client, "Sam", [])
    plan = client.post("/api/v1/plans", json={"template": "green_book"}, headers=owner).json()
    words = ["我的妹妹", "散步", "🌻", "🫖"]
    for section in ("triggers", "crisis"):
        added = client.post(
            f"/api/v1/plans/{plan['id']}/sections/{section}/entries",
            json={"text": f"{' '.join(words)} calm-{uuid.uuid4().hex[:6]}"},
            headers=owner,
        )
        assert added.status_code == 201, added.text
    for query in ("", "?sections=crisis"):
        printed = client.get(f"/api/v1/plans/{plan['id']}/print{query}", headers=owner)
        assert printed.status_code == 200, printed.text
        assert printed.content.startswith(b"%PDF")

    from_fpdf = [line for name, line in every_log_record if name.startswith("fpdf")]
    assert from_fpdf, "fpdf2 no longer warns of missing glyphs; this test checks nothing"
    assert all("left out because it may quote" in line for line in from_fpdf)
    characters = {character for word in words for character in word}
    leaks = [line for _, line in every_log_record if characters & set(line)]
    assert leaks == []


@pytest.mark.parametrize(
    "library", ["fpdf.output", "fontTools.subset", "pypdf._reader", "docx", "py.warnings"]
)
def test_quoting_libraries_messages_are_replaced_by_a_fixed_text(client, every_log_record, library):
    words = "Ring my sister Ana"
    logging.getLogger(library).warning("could not handle %r", words)
    try:
        raise ValueError(words)
    except ValueError:
        logging.getLogger(library).exception("failed on %s", words)
    lines = [line for name, line in every_log_record if name == library]
    assert len(lines) == 2
    assert all(words not in line and "left out" in line for line in lines)


def test_control_characters_in_a_path_cannot_forge_a_log_line(client, every_log_record):
    forged = "/api/v1/plans/x%0D%0AGET%20/api/v1/admin%20200%E2%80%AE%C2%85%1B[31m"
    assert client.get(forged).status_code in (401, 404)
    [line] = [line for name, line in every_log_record if name == "app.requests"]
    assert line.startswith("app.requests INFO GET /api/v1/plans/x\\u000d\\u000aGET /api/v1/admin")
    assert "\\u202e\\u0085\\u001b[31m" in line
    assert not any(c in line for c in "\r\n\x1b\x85\u202e")


def test_control_characters_in_any_loggers_arguments_are_escaped(client, every_log_record):
    """Header values and other client text reach logs only as arguments (uvicorn's own
    error log names bad header values): each control character becomes a visible escape."""
    logging.getLogger("uvicorn.error").warning(
        "Invalid header value %s from %s", "x\nFAKE LINE\u2066", ("10.0.0.1", 4)
    )
    [line] = [line for name, line in every_log_record if name == "uvicorn.error"]
    assert "x\\u000aFAKE LINE\\u2066" in line and "\n" not in line
