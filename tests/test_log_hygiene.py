"""Logs never hold plan text, passwords or tokens: a full flow runs with every logger at
DEBUG, and no record, formatted with its traceback, contains any of them."""

import logging
import uuid

import pytest

from app.sharing import service as sharing_service
from tests.conftest import PASSWORD

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

    monkeypatch.setattr(sharing_service, "use_crisis_card", fails_quoting_the_plan)
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
