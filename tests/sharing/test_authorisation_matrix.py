"""The authorisation matrix: every route of the app, read from the app's own route table,
called by every kind of caller. A route nobody described here fails the test.

ADDING A ROUTE: add one line to ROUTES below, "METHOD /path": rule. Rules:
  PUBLIC                   anyone, signed in or not (health, templates, register)
  SIGNED_IN                any signed-in account, acting on its own things (/me, sync, export)
  OWNER_ONLY               the plan's owner; everyone else gets 404 (401 without sign-in)
  GRANTEE(permission, section=True|False)
                           a grantee of a live share, at least this permission, reached by
                           {share_id}; `section=True` if the body names the section "crisis"
  PLAN_GRANTEE(permission, section="crisis")
                           the owner, or a live grantee of the plan reached by {plan_id}
  CRISIS_CARD              whoever holds the crisis card link
Then, if needed: .sending(json=..., data=..., files=...) (a value or a function of
(world, actor)) for a request body that gets past validation; .but(owner=409, ...) for a
caller whose refusal is a business rule, not authorisation; .given(setup) for a step each
caller takes first, a function of (world, actor); .logged() if a non-owner's
success must add exactly one line to the owner's access log; .reveals("section_key") if the
route may legitimately show a section outside the caller's share.
A new path parameter needs a value in PATH_VALUES.

Besides the expected status, every non-owner response is checked for the owner's words:
each section of the owner's plans holds a unique marker, and a marker of a section outside
the caller's live share must never appear. Non-owner requests must also leave the plans
unchanged.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select
from sqlmodel import Session

from app.access_log.models import AccessEvent
from app.accounts import recovery
from app.accounts.models import Role, User
from app.accounts.service import start_session
from app.core import clock
from app.core.security import hash_password
from app.main import app as configured_app
from app.plans.models import Plan
from tests.helpers.accounts import PASSWORD, Account
from tests.helpers.authenticator import Authenticator
from tests.helpers.plans import MarkedPlan, make_marked_plan
from tests.helpers.sharing import create_share

SUCCESS = "2xx"
PERMISSIONS = ["view", "comment", "suggest"]
READ_EVENTS = {
    "viewed_plan",
    "read_comments",
    "read_suggestions",
    "crisis_card_used",
    "listed_imports",
    "viewed_import",
    "opened_attachment",
    "opened_page_file",
}
PASSWORD_HASH = hash_password(PASSWORD)


@dataclass(frozen=True)
class Rule:
    who: str
    permission: str | None = None
    section: str | None = None
    send: dict[str, Any] = field(default_factory=dict)
    exceptions: dict[str, int | str] = field(default_factory=dict)
    logs_reads: bool = False
    revealed: frozenset[str] = frozenset()
    setup: Callable[["World", "Actor"], Any] | None = None

    def sending(self, **kwargs) -> "Rule":
        return replace(self, send=kwargs)

    def but(self, **statuses: int | str) -> "Rule":
        return replace(self, exceptions=self.exceptions | statuses)

    def given(self, setup: Callable[["World", "Actor"], Any]) -> "Rule":
        return replace(self, setup=setup)

    def logged(self) -> "Rule":
        return replace(self, logs_reads=True)

    def reveals(self, *keys: str) -> "Rule":
        return replace(self, revealed=frozenset(keys))

    def expected(self, actor: "Actor") -> int | str:
        if actor.name in self.exceptions:
            return self.exceptions[actor.name]
        if self.who == "public":
            return SUCCESS
        if self.who == "card":
            return SUCCESS if actor.name == "card_holder" else 404
        if actor.account is None:
            return 401
        if self.who == "signed_in" or actor.name == "owner":
            return SUCCESS
        if self.who == "owner":
            return 404
        if self.who == "plan_grantee":
            allowed = not actor.ended and actor.may(self.permission)
            return SUCCESS if allowed and (self.section or "") in actor.scope | {""} else 404
        if actor.share_id is None:  # a share id that is not theirs
            return 404
        if actor.ended:
            return 410
        if not actor.may(self.permission):
            return 403
        return SUCCESS if (self.section or "") in actor.scope | {""} else 404


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")
OWNER_ONLY = Rule("owner")
CRISIS_CARD = Rule("card").logged()


def GRANTEE(permission: str, *, section: bool | str = False) -> Rule:  # noqa: N802
    """`section`: True for the crisis section, or the key of the one needed."""
    needed = "crisis" if section is True else section or None
    rule = Rule("grantee", permission=permission, section=needed)
    return rule.but(owner=404)


def PLAN_GRANTEE(permission: str, *, section: str | None = None) -> Rule:  # noqa: N802
    return Rule("plan_grantee", permission=permission, section=section)


def _comment(world: "World", actor: "Actor") -> dict:
    return {"section": "crisis", "text": "Thank you", "acknowledged_visible_to_person": True}


def _fresh_invite(world: "World", actor: "Actor") -> dict:
    share = create_share(world.owner, world.plan.id, ["things_that_went_well"], "view")
    return {"code": share["invite_code"]}


def _sync_on_owners_plan(world: "World", actor: "Actor") -> dict:
    operation = {
        "op_id": str(uuid.uuid4()),
        "kind": "add_entry",
        "plan_id": world.plan.id,
        "base_version": world.plan_version(),
        "section": "crisis",
        "entry_id": str(uuid.uuid4()),
        "text": "Written through sync",
    }
    return {"operations": [operation]}


def _grantee_import(world: "World") -> dict:
    """A crisis statement the in-scope grantee imported into the owner's plan (made on
    first use, then reused by every caller)."""
    if not hasattr(world, "grantee_import"):
        grantee = world.actors["in_scope"].account
        response = grantee.post(
            f"/api/v1/plans/{world.plan.id}/imports", files=_statement_file(world, None)
        )
        assert response.status_code == 201, response.text
        world.grantee_import = response.json()
    return world.grantee_import


def _statement_file(world: "World", actor: "Actor | None") -> dict:
    return {
        "file": ("plan.md", b"## Who to contact\n\nMy sister, on 07700 900123.", "text/markdown")
    }


def _reject_first_part(world: "World", actor: "Actor") -> dict:
    return {
        "decisions": [{"part_id": _grantee_import(world)["parts"][0]["id"], "action": "reject"}]
    }


# ---- passkeys and reset links -------------------------------------------------------------


def _own_passkey(world: "World", actor: "Actor") -> dict:
    """A passkey the caller added to their own account (the plan owner's for a caller
    without an account), with the device that holds it: {"id", "device", "credential"}.
    Made on first use, through the API, confirming with the password as a person does."""
    account = actor.account or world.owner
    if account.id not in world.passkeys:
        device = Authenticator(origin=world.app.state.settings.public_origin)
        options = account.post("/api/v1/me/passkeys/new/options", json={"password": PASSWORD})
        assert options.status_code == 200, options.text
        options = options.json()
        added = account.post(
            "/api/v1/me/passkeys",
            json={
                "ceremony_id": options["ceremony_id"],
                "credential": device.create(options["public_key"]),
            },
        )
        assert added.status_code == 201, added.text
        world.passkeys[account.id] = {
            "id": added.json()["id"],
            "device": device,
            "credential": device.credentials[-1],
        }
    return world.passkeys[account.id]


def _sign_up_answer(world: "World") -> tuple[dict, Authenticator]:
    """A new passkey's answer to a sign-up ceremony of a new email, and its device."""
    options = world.client.post(
        "/api/v1/auth/passkeys/sign-up/options",
        json={"email": f"new.{uuid.uuid4().hex[:10]}@example.org", "display_name": "New"},
    )
    assert options.status_code == 200, options.text
    options = options.json()
    device = Authenticator(origin=world.app.state.settings.public_origin)
    answer = {
        "ceremony_id": options["ceremony_id"],
        "credential": device.create(options["public_key"]),
    }
    return answer, device


def _passkey_sign_up(world: "World", actor: "Actor") -> dict:
    return _sign_up_answer(world)[0]


def _passkey_sign_in(world: "World", actor: "Actor") -> dict:
    """The caller's own passkey signing a sign-in challenge; a caller without an account
    has no passkey registered here, so theirs is one the app never saw."""
    options = world.client.post("/api/v1/auth/passkeys/sign-in/options")
    assert options.status_code == 200, options.text
    options = options.json()
    if actor.account is None:
        _never_sent, device = _sign_up_answer(world)
        credential = device.get(options["public_key"])
    else:
        passkey = _own_passkey(world, actor)
        credential = passkey["device"].get(options["public_key"], passkey["credential"])
    return {"ceremony_id": options["ceremony_id"], "credential": credential}


def _new_passkey(world: "World", actor: "Actor") -> dict:
    """A new passkey's answer to the caller's own ceremony for adding one (the plan owner's,
    for a caller without an account)."""
    account = actor.account or world.owner
    options = account.post("/api/v1/me/passkeys/new/options", json={"password": PASSWORD})
    assert options.status_code == 200, options.text
    options = options.json()
    device = Authenticator(origin=world.app.state.settings.public_origin)
    return {
        "ceremony_id": options["ceremony_id"],
        "credential": device.create(options["public_key"]),
    }


def _reset_link(world: "World", actor: "Actor") -> dict:
    """A live reset link for the caller's own account, made as the app makes the one it
    emails; a caller without an account has none, so theirs is one the app never made."""
    token = "not-a-reset-link-" + uuid.uuid4().hex
    if actor.account is not None:
        settings = world.app.state.settings
        with Session(world.app.state.engine) as session:
            email = recovery.request_reset(session, actor.account.email, settings, "192.0.2.7")
        token = urlsplit(email.link).fragment.removeprefix("/reset-password/")
    return {"token": token, "new_password": "a brand new passphrase"}


ROUTES: dict[str, Rule] = {
    # service and the app shell
    "GET /healthz": PUBLIC,
    "GET /": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/start.js": PUBLIC,
    "GET /docs/swagger-ui-bundle.js": PUBLIC,
    "GET /docs/swagger-ui.css": PUBLIC,
    "GET /api/v1/templates": PUBLIC,
    # accounts
    "POST /api/v1/auth/register": PUBLIC.sending(
        json=lambda w, a: {
            "email": f"new.{uuid.uuid4().hex[:10]}@example.org",
            "password": PASSWORD,
            "display_name": "New",
        }
    ),
    "POST /api/v1/auth/token": SIGNED_IN.sending(
        data=lambda w, a: {"username": a.email, "password": PASSWORD}
    ),
    "POST /api/v1/auth/refresh": SIGNED_IN.sending(
        json=lambda w, a: {"refresh_token": a.refresh_token}
    ),
    "POST /api/v1/auth/logout": SIGNED_IN,
    "GET /api/v1/me": SIGNED_IN,
    "PATCH /api/v1/me": SIGNED_IN.sending(json={"display_name": "Renamed"}),
    # Deleting the account confirms it's you: the current password (every caller's account
    # here has one; a passkey's answer is the other way, tested in tests/test_passkeys.py).
    "DELETE /api/v1/me": SIGNED_IN.sending(json={"password": PASSWORD}),
    "POST /api/v1/me/password": SIGNED_IN.sending(
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    ),
    "POST /api/v1/me/sign-out-everywhere": SIGNED_IN,
    "GET /api/v1/me/devices": SIGNED_IN,
    "DELETE /api/v1/me/devices/{device_id}": SIGNED_IN,
    # passkeys: signing up makes a new account, so anyone may; signing in takes the caller's
    # own passkey (one the app never saw, for a caller without an account)
    "POST /api/v1/auth/passkeys/sign-up/options": PUBLIC.sending(
        json=lambda w, a: {
            "email": f"new.{uuid.uuid4().hex[:10]}@example.org",
            "display_name": "New",
        }
    ),
    "POST /api/v1/auth/passkeys/sign-up": PUBLIC.sending(json=_passkey_sign_up),
    "POST /api/v1/auth/passkeys/sign-in/options": PUBLIC,
    "POST /api/v1/auth/passkeys/sign-in": SIGNED_IN.sending(json=_passkey_sign_in),
    "GET /api/v1/me/passkeys": SIGNED_IN.given(_own_passkey),
    "POST /api/v1/me/passkeys/new/options": SIGNED_IN.sending(json={"password": PASSWORD}),
    # The caller's own ceremony; a caller without an account holds the plan owner's.
    "POST /api/v1/me/passkeys": SIGNED_IN.sending(json=_new_passkey),
    "DELETE /api/v1/me/passkeys/{passkey_id}": SIGNED_IN,
    "POST /api/v1/me/confirm/options": SIGNED_IN.given(_own_passkey),
    # forgot password: asking answers the same for any email; a reset link is the caller's
    # own (from the service, as the emailed one is made)
    "POST /api/v1/auth/password-reset": PUBLIC.sending(json=lambda w, a: {"email": a.email}),
    # Whoever holds a live link may use it, signed in or not. These callers have no account,
    # so no link: one the app never made has run out or was used, for all it can tell (410).
    "POST /api/v1/auth/password-reset/new-password": SIGNED_IN.sending(json=_reset_link).but(
        no_login=410, card_holder=410
    ),
    # plans
    "GET /api/v1/plans": SIGNED_IN,
    "POST /api/v1/plans": SIGNED_IN.sending(json={"template": "wrap"}),
    "GET /api/v1/plans/{plan_id}": OWNER_ONLY,
    "PATCH /api/v1/plans/{plan_id}": OWNER_ONLY.sending(json={"title": "Renamed"}),
    "DELETE /api/v1/plans/{plan_id}": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/restore": OWNER_ONLY.but(owner=409),  # it is not deleted
    "GET /api/v1/plans/{plan_id}/revisions": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/contradictions": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/revisions/{number}": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/revisions/{number}/restore": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/sections": OWNER_ONLY.sending(json={"title": "Music"}),
    "PATCH /api/v1/plans/{plan_id}/sections/{key}": OWNER_ONLY.sending(json={"hidden": True}),
    # A template section can be hidden but not removed.
    "DELETE /api/v1/plans/{plan_id}/sections/{key}": OWNER_ONLY.but(owner=409),
    "PUT /api/v1/plans/{plan_id}/section-order": OWNER_ONLY.sending(
        json=lambda w, a: {"keys": w.section_keys}
    ),
    "POST /api/v1/plans/{plan_id}/sections/{key}/entries": OWNER_ONLY.sending(
        json={"text": "A new entry"}
    ),
    "PATCH /api/v1/plans/{plan_id}/sections/{key}/entries/{entry_id}": OWNER_ONLY.sending(
        json={"text": "Changed"}
    ),
    "DELETE /api/v1/plans/{plan_id}/sections/{key}/entries/{entry_id}": OWNER_ONLY,
    "PUT /api/v1/plans/{plan_id}/sections/{key}/entry-order": OWNER_ONLY.sending(
        json=lambda w, a: {"entry_ids": [w.plan.entries["crisis"]]}
    ),
    # export, import, sync
    "GET /api/v1/export": SIGNED_IN,
    "POST /api/v1/import": SIGNED_IN.sending(
        json={
            "exported_at": "2026-01-01T00:00:00Z",
            "account": {"email": "someone@example.org", "display_name": "Someone"},
            "plans": [],
        }
    ),
    "POST /api/v1/import/preview": SIGNED_IN.sending(
        json={
            "exported_at": "2026-01-01T00:00:00Z",
            "account": {"email": "someone@example.org", "display_name": "Someone"},
            "plans": [],
        }
    ),
    "POST /api/v1/sync": SIGNED_IN.sending(json=_sync_on_owners_plan),
    # sharing: the owner
    "POST /api/v1/plans/{plan_id}/shares": OWNER_ONLY.sending(
        json={"sections": ["notes"], "permission": "view", "label": "carer"}
    ),
    "GET /api/v1/plans/{plan_id}/shares": OWNER_ONLY,
    "PATCH /api/v1/plans/{plan_id}/shares/{share_id}": OWNER_ONLY.sending(json={"label": "carer"}),
    "DELETE /api/v1/plans/{plan_id}/shares/{share_id}": OWNER_ONLY,
    "GET /api/v1/me/sharing": SIGNED_IN,
    "PUT /api/v1/me/sharing": SIGNED_IN.sending(json={"enabled": False}),
    "GET /api/v1/plans/{plan_id}/access-log": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/comments": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/comments/{comment_id}/replies": OWNER_ONLY.sending(
        json={"text": "Thanks"}
    ),
    "DELETE /api/v1/plans/{plan_id}/comments/{comment_id}": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/suggestions": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/suggestions/{suggestion_id}/accept": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/suggestions/{suggestion_id}/reject": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/waiting": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/crisis-card": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/crisis-card": OWNER_ONLY,
    "DELETE /api/v1/plans/{plan_id}/crisis-card": OWNER_ONLY,
    # sharing: grantees
    "POST /api/v1/shares/accept": SIGNED_IN.sending(json=_fresh_invite)
    .but(owner=409)  # not your own invite
    .reveals("things_that_went_well"),
    "GET /api/v1/shared-with-me": SIGNED_IN,
    "GET /api/v1/shared-with-me/{share_id}": GRANTEE("view").logged(),
    "GET /api/v1/shared-with-me/{share_id}/comments": GRANTEE("comment").logged(),
    "POST /api/v1/shared-with-me/{share_id}/comments": GRANTEE("comment", section=True).sending(
        json=_comment
    ),
    "GET /api/v1/shared-with-me/{share_id}/suggestions": GRANTEE("suggest").logged(),
    "POST /api/v1/shared-with-me/{share_id}/suggestions": GRANTEE("suggest", section=True).sending(
        json={"section": "crisis", "action": "add", "text": "A walk helps"}
    ),
    "GET /c/{token}": CRISIS_CARD,
    "GET /c/{token}/pdf": CRISIS_CARD,
    # imports of crisis statements, FHIR and printable exports
    "POST /api/v1/plans/{plan_id}/imports": PLAN_GRANTEE("suggest", section="crisis").sending(
        files=_statement_file
    ),
    # A grantee sees their own imports while their share shows the crisis plan.
    "GET /api/v1/plans/{plan_id}/imports": PLAN_GRANTEE("view", section="crisis").logged(),
    "GET /api/v1/plans/{plan_id}/imports/{import_id}": PLAN_GRANTEE(
        "suggest", section="crisis"
    ).logged(),
    "POST /api/v1/plans/{plan_id}/imports/{import_id}/decisions": OWNER_ONLY.sending(
        json=_reject_first_part
    ),
    "GET /api/v1/plans/{plan_id}/attachments/{attachment_id}": PLAN_GRANTEE(
        "suggest", section="crisis"
    ).logged(),
    "GET /api/v1/plans/{plan_id}/fhir": OWNER_ONLY,
    # check-ins: the person's own; a grantee sees those of their share's sections, and only
    # if the person chose to share them (a read that shows none is not logged)
    "POST /api/v1/plans/{plan_id}/check-ins": OWNER_ONLY.sending(
        json=lambda w, a: {
            "check_ins": [
                {"id": str(uuid.uuid4()), "state": "well", "at": clock.isoformat(clock.utcnow())}
            ]
        }
    ),
    "GET /api/v1/plans/{plan_id}/check-ins": OWNER_ONLY,
    "PATCH /api/v1/plans/{plan_id}/check-in-settings": OWNER_ONLY.sending(json={"shared": True}),
    "GET /api/v1/plans/{plan_id}/goal-progress": OWNER_ONLY,
    "GET /api/v1/plans/{plan_id}/reminders.ics": OWNER_ONLY,
    "POST /api/v1/plans/{plan_id}/page-files": OWNER_ONLY.sending(
        files={"file": ("leaflet.txt", b"Walking group, Tuesdays", "text/plain")}
    ),
    "GET /api/v1/shared-with-me/{share_id}/check-ins": GRANTEE("view"),
    # A page's file, while the share shows the notes section its page is in.
    "GET /api/v1/shared-with-me/{share_id}/page-files/{file_id}": GRANTEE(
        "view", section="notes"
    ).logged(),
    "GET /api/v1/plans/{plan_id}/print": OWNER_ONLY,
}

PATH_VALUES: dict[str, Callable[["World", "Actor"], str]] = {
    "plan_id": lambda w, a: a.plan_id,
    "share_id": lambda w, a: a.share_id or w.actors["in_scope"].share_id,
    "key": lambda w, a: "crisis",
    "entry_id": lambda w, a: w.plan.entries["crisis"],
    "number": lambda w, a: "1",
    "comment_id": lambda w, a: w.comment_id,
    "suggestion_id": lambda w, a: w.suggestion_id,
    "token": lambda w, a: w.card_token if a.name == "card_holder" else "not-a-card-" + "x" * 32,
    "import_id": lambda w, a: _grantee_import(w)["id"],
    "attachment_id": lambda w, a: _grantee_import(w)["attachments"][0]["id"],
    "file_id": lambda w, a: w.page_file_id,
    "device_id": lambda w, a: _own_device_id(a),
    # The caller's own passkey (the plan owner's, for a caller without an account).
    "passkey_id": lambda w, a: _own_passkey(w, a)["id"],
}


def _own_device_id(actor: "Actor") -> str:
    """The caller's own sign-in (any id for a caller without one)."""
    if actor.account is None:
        return str(uuid.uuid4())
    devices = actor.account.get("/api/v1/me/devices").json()
    return next(device["id"] for device in devices if device["this_device"])


# Served by the framework or as static files, outside the API's authorisation.
FRAMEWORK_PATHS = {"/openapi.json", ""}


def _route_table() -> tuple[list[str], set[str]]:
    api, other = [], set()
    for route in iter_route_contexts(configured_app.routes):
        if isinstance(route.original_route, APIRoute):
            api += [f"{method} {route.path}" for method in sorted(route.methods)]
        else:
            other.add(route.path or "")
    return api, other


API_ROUTES, OTHER_PATHS = _route_table()


# ---- the callers -----------------------------------------------------------------------

CRISIS_AND_TRIGGERS = frozenset({"crisis", "triggers"})
# name: (permission, sections, how the share ends). The owner goes last, as the owner's
# calls may change or delete what the others' calls need.
GRANTEES = {
    "out_of_scope": ("suggest", frozenset({"goals"}), None),
    "viewer": ("view", CRISIS_AND_TRIGGERS, None),
    "comment_only": ("comment", CRISIS_AND_TRIGGERS, None),
    "in_scope": ("suggest", CRISIS_AND_TRIGGERS, None),
    "expired": ("suggest", CRISIS_AND_TRIGGERS, "expire"),
    "revoked": ("suggest", CRISIS_AND_TRIGGERS, "revoke"),
    "switched_off": ("suggest", CRISIS_AND_TRIGGERS, "switch_off"),
}
ACTORS = ["no_login", "card_holder", "stranger", *GRANTEES, "owner"]


@dataclass
class Actor:
    name: str
    plan_id: str
    account: Account | None = None
    bearer: str | None = None  # the card holder tries their card link as a token
    share_id: str | None = None
    permission: str | None = None
    scope: frozenset[str] = frozenset()
    ended: bool = False

    @property
    def email(self) -> str:
        return self.account.email if self.account else "nobody@example.org"

    @property
    def refresh_token(self) -> str:
        return self.account.refresh_token if self.account else "not-a-refresh-token"

    def may(self, permission: str | None) -> bool:
        if self.permission is None:
            return False
        return PERMISSIONS.index(self.permission) >= PERMISSIONS.index(permission or "view")

    def visible(self, rule: Rule) -> frozenset[str]:
        """Sections of the owner's plan this caller may legitimately be shown by the route."""
        if self.name == "card_holder" and rule.who == "card":
            return frozenset({"crisis"})
        return (frozenset() if self.ended else self.scope) | rule.revealed


class World:
    """Two owners with marked plans, and one caller of each kind, built for each route."""

    def __init__(self, app, client, move_clock) -> None:
        self.app, self.client = app, client
        self.passkeys: dict[str, dict] = {}  # by account id: _own_passkey
        self.owner = self._account("Sam")
        self.plan = make_marked_plan(self.owner)
        self.section_keys = list(self.plan.markers)
        self.page_file_id = self._page_with_a_file(self.plan)
        self.owner2 = self._account("Robin")
        self.plan2 = make_marked_plan(self.owner2, keys=CRISIS_AND_TRIGGERS)
        self.actors: dict[str, Actor] = {
            "no_login": Actor("no_login", self.plan.id),
            "stranger": Actor("stranger", self.plan.id, self._account("Alex")),
            "owner": Actor("owner", self.plan.id, self.owner, scope=frozenset(self.plan.markers)),
        }
        soon = clock.utcnow() + timedelta(hours=1)
        for name, (permission, sections, ending) in GRANTEES.items():
            plan = self.plan2 if ending == "switch_off" else self.plan
            grantee = self._account(name.replace("_", " ").title(), Role.link_worker)
            extra = {"expires_at": soon.isoformat()} if ending == "expire" else {}
            share = create_share(plan.owner, plan.id, sorted(sections), permission, **extra)
            accepted = grantee.post("/api/v1/shares/accept", json={"code": share["invite_code"]})
            assert accepted.status_code == 200, accepted.text
            self.actors[name] = Actor(
                name, plan.id, grantee, None, share["id"], permission, sections, bool(ending)
            )
        in_scope = self.actors["in_scope"]
        self.comment_id = self._made(
            in_scope.account.post(
                f"/api/v1/shared-with-me/{in_scope.share_id}/comments",
                json=_comment(self, in_scope),
            )
        )
        self.suggestion_id = self._made(
            in_scope.account.post(
                f"/api/v1/shared-with-me/{in_scope.share_id}/suggestions",
                json={"section": "crisis", "action": "add", "text": "Call Jo"},
            )
        )
        card = self.owner.post(f"/api/v1/plans/{self.plan.id}/crisis-card")
        assert card.status_code == 201, card.text
        self.card_token = card.json()["url"].rsplit("/", 1)[1]
        self.actors["card_holder"] = Actor("card_holder", self.plan.id, bearer=self.card_token)
        revoked = self.actors["revoked"].share_id
        assert self.owner.delete(f"/api/v1/plans/{self.plan.id}/shares/{revoked}").is_success
        switched = self.owner2.put("/api/v1/me/sharing", json={"enabled": False})
        assert switched.status_code == 200, switched.text
        move_clock(timedelta(hours=2))  # past the expiring share's end
        for actor in self.actors.values():
            if actor.account is not None:
                self._sign_in_again(actor.account)
        self._sign_in_again(self.owner2)

    def _page_with_a_file(self, plan: MarkedPlan) -> str:
        """A page in the plan's notes keeping a small file; the file's id."""
        uploaded = self.owner.post(
            f"/api/v1/plans/{plan.id}/page-files",
            files={"file": ("leaflet.txt", b"Walking group, Tuesdays", "text/plain")},
        )
        assert uploaded.status_code == 201, uploaded.text
        page = {"title": "Walking group", "file": uploaded.json()}
        added = self.owner.post(
            f"/api/v1/plans/{plan.id}/sections/notes/entries",
            json={"text": f"Tuesdays {plan.markers['notes'][1]}", "page": page},
        )
        assert added.status_code == 201, added.text
        return uploaded.json()["id"]

    def _account(self, name: str, role: Role = Role.person) -> Account:
        """Made directly, with a ready password hash: argon2 for each would be slow."""
        with Session(self.app.state.engine, expire_on_commit=False) as session:
            user = User(
                email=f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@example.org",
                password_hash=PASSWORD_HASH,
                display_name=name,
                role=role,
                organisation=None if role == Role.person else "Riverside",
            )
            session.add(user)
            session.commit()
            tokens = start_session(session, user, self.app.state.settings)
        return Account(
            self.client,
            str(user.id),
            user.email,
            name,
            tokens["access_token"],
            tokens["refresh_token"],
        )

    def _sign_in_again(self, account: Account) -> None:
        with Session(self.app.state.engine) as session:
            user = session.get(User, uuid.UUID(account.id))
            tokens = start_session(session, user, self.app.state.settings)
        account.access_token, account.refresh_token = (
            tokens["access_token"],
            tokens["refresh_token"],
        )

    @staticmethod
    def _made(response) -> str:
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def plan_version(self, plan: MarkedPlan | None = None) -> int:
        plan = plan or self.plan
        response = plan.owner.get(f"/api/v1/plans/{plan.id}")
        assert response.status_code == 200, response.text
        return response.json()["version"]

    def state(self) -> tuple[tuple[int, ...], list[AccessEvent]]:
        """Both plans' versions, and the reads in their access logs, newest first. Read
        from the database: these checks run after every call, and the API's own access
        log is tested on its own."""
        plan_ids = [uuid.UUID(self.plan.id), uuid.UUID(self.plan2.id)]
        with Session(self.app.state.engine) as session:
            versions = session.execute(
                select(Plan.version).where(Plan.id.in_(plan_ids)).order_by(Plan.id)
            ).scalars()
            reads = session.execute(
                select(AccessEvent)
                .where(AccessEvent.plan_id.in_(plan_ids), AccessEvent.event.in_(READ_EVENTS))
                .order_by(AccessEvent.id.desc())
            ).scalars()
            return tuple(versions), list(reads)

    def request(self, actor: Actor, method: str, path: str, rule: Rule):
        if rule.setup is not None:
            rule.setup(self, actor)
        url = path
        for name, value in PATH_VALUES.items():
            if name == "passkey_id" and "{passkey_id}" not in url:
                continue  # made through the API, with a password check: only when asked for
            url = url.replace("{" + name + "}", value(self, actor))
        token = actor.account.access_token if actor.account else actor.bearer
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs = {k: v(self, actor) if callable(v) else v for k, v in rule.send.items()}
        return self.client.request(method, url, headers=headers, **kwargs)


def _matches(expected: int | str, status: int) -> bool:
    return 200 <= status < 300 if expected == SUCCESS else status == expected


def test_every_route_has_one_line():
    stale = sorted(set(ROUTES) - set(API_ROUTES))
    assert not stale, f"ROUTES describes routes the app no longer has: {stale}"
    unknown = OTHER_PATHS - FRAMEWORK_PATHS
    assert not unknown, f"Routes outside the API's authorisation, not described: {unknown}"


@pytest.mark.parametrize("route", API_ROUTES)
def test_route_refuses_everyone_it_should(route, app, client, move_clock):
    rule = ROUTES.get(route)
    if rule is None:
        pytest.fail(
            f"'{route}' has no line in ROUTES (tests/sharing/{__name__.split('.')[-1]}"
            ".py): add one saying who may call it."
        )
    method, path = route.split(" ", 1)
    missing = {p for p in _path_parameters(path)} - set(PATH_VALUES)
    assert not missing, f"Add a value for {missing} to PATH_VALUES"
    world = World(app, client, move_clock)
    problems = []
    versions, reads = world.state()
    for name in ACTORS:
        actor = world.actors[name]
        response = world.request(actor, method, path, rule)
        expected = rule.expected(actor)
        said = f"{route} as {name}"
        if not _matches(expected, response.status_code):
            problems.append(
                f"{said}: expected {expected}, got {response.status_code}: {response.text[:300]}"
            )
        if name == "owner":
            continue
        leaked = world.plan.leaked(response.text, actor.visible(rule))
        leaked += [f"{k} (other plan)" for k in world.plan2.leaked(response.text, set())]
        if leaked:
            problems.append(f"{said}: response shows unshared sections {leaked}")
        (versions_after, reads_after), reads_before = world.state(), reads
        if versions_after != versions:
            problems.append(f"{said}: changed a plan it does not own")
        wanted = 1 if rule.logs_reads and response.is_success else 0
        if len(reads_after) - len(reads_before) != wanted:
            problems.append(
                f"{said}: {len(reads_after) - len(reads_before)} reads logged, expected {wanted}"
            )
        elif wanted and not _logged_as(reads_after[0], actor):
            problems.append(f"{said}: the logged read names someone else: {reads_after[0]}")
        versions, reads = versions_after, reads_after
    assert not problems, "\n".join(problems)


def _logged_as(entry: AccessEvent, actor: Actor) -> bool:
    if actor.name == "card_holder":
        return entry.crisis_card_id is not None and entry.share_id is None
    return str(entry.share_id) == actor.share_id and entry.author_id == uuid.UUID(actor.account.id)


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
