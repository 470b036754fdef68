import uuid
from html import escape
from pathlib import Path
from typing import Annotated, Literal

import phonenumbers
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from app.accounts.attempts import client_address_of
from app.accounts.dependencies import BearerToken, CurrentUser, DbSession
from app.core import clock
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses
from app.core.schemas import MAX_STORED_INT
from app.exports import crisis_entries_by_field, printable
from app.exports.provenance import imported_words, own_note
from app.plans import contradictions
from app.plans.service import get_owned_plan
from app.sharing import service
from app.sharing.models import Permission
from app.sharing.schemas import (
    AccessLog,
    CommentCreate,
    CommentRead,
    CrisisCardCreate,
    CrisisCardCreated,
    CrisisCardRead,
    InviteAcceptance,
    ReplyCreate,
    ScopedPlan,
    ShareCreate,
    ShareCreated,
    SharedWithMe,
    SharedWithMeList,
    ShareRead,
    ShareRevoked,
    ShareUpdate,
    SharingSwitchRead,
    SharingSwitchUpdate,
    SuggestionAcceptance,
    SuggestionCreate,
    SuggestionDecided,
    SuggestionRead,
    SuggestionRejection,
)

router = APIRouter(prefix="/api/v1", tags=["sharing"])
# The app tries routes one at a time, at several microseconds each, so grantees' two reads
# (requested far more than anything else here) have a router the app tries first.
grantee_reads_router = APIRouter(prefix="/api/v1", tags=["sharing"])
card_router = APIRouter(tags=["crisis card"])


# ---- the grantee -----------------------------------------------------------------------


@router.post(
    "/shares/accept",
    response_model=SharedWithMe,
    responses=problem_responses(404, 409, 410, 429),
)
def accept_invite(
    request: Request,
    body: InviteAcceptance,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
):
    """Accept an invite code someone gave you. The person sees that you accepted it. After
    too many wrong or expired codes, every code is refused for a while (429, Retry-After)."""
    return service.accept_invite(session, user, body.code, client_address_of(request), settings)


@grantee_reads_router.get("/shared-with-me", response_model=SharedWithMeList)
async def shared_with_me(
    request: Request,
    token: BearerToken,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_STORED_INT)] = 0,
):
    """Plans people share with you now: whose, which sections, since and until when, and
    what changed since you last looked. Most recently updated first."""
    # Async with one hand-off to a worker thread for the whole list, as the plan read.
    listing = await run_in_threadpool(
        service.shared_with_me,
        request.app.state.read_engine,
        token,
        limit,
        offset,
        request.app.state.settings,
    )
    # Built as JSON text by the service: this list can be long and is read often.
    return Response(listing, media_type="application/json")


@grantee_reads_router.get(
    "/shared-with-me/{share_id}", response_model=ScopedPlan, responses=problem_responses(410)
)
async def read_shared_plan(share_id: uuid.UUID, request: Request, token: BearerToken):
    """The plan as shared with you: only the shared sections, at the current version.
    The person sees in their access log that you opened it."""
    # Async, as the owner's read: a read again awaits its log line's insert.
    state = request.app.state
    body = await service.read_scoped_plan(
        state.awaited_driver, state.group_commit, token, share_id, state.settings
    )
    return Response(body, media_type="application/json")


@router.get(
    "/shared-with-me/{share_id}/comments",
    response_model=list[CommentRead],
    responses=problem_responses(403),
)
def read_my_comments(share_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Your comments on this plan, with the person's replies."""
    grant = service.grant_for(session, user, share_id, Permission.comment)
    return service.grantee_comments(session, user, grant)


@router.post(
    "/shared-with-me/{share_id}/comments",
    response_model=CommentRead,
    status_code=201,
    responses=problem_responses(403),
)
def write_comment(share_id: uuid.UUID, body: CommentCreate, user: CurrentUser, session: DbSession):
    """Comment on a shared section. The person reads it, with your name and role, so
    confirm that with `acknowledged_visible_to_person: true`."""
    grant = service.grant_for(session, user, share_id, Permission.comment)
    return service.add_comment(session, user, grant, body)


@router.get(
    "/shared-with-me/{share_id}/suggestions",
    response_model=list[SuggestionRead],
    responses=problem_responses(403),
)
def read_my_suggestions(share_id: uuid.UUID, user: CurrentUser, session: DbSession):
    grant = service.grant_for(session, user, share_id, Permission.suggest)
    return service.grantee_suggestions(session, user, grant)


@router.post(
    "/shared-with-me/{share_id}/suggestions",
    response_model=SuggestionRead,
    status_code=201,
    responses=problem_responses(403),
)
def make_suggestion(
    share_id: uuid.UUID, body: SuggestionCreate, user: CurrentUser, session: DbSession
):
    """Suggest adding, changing or removing an entry in a shared section. Nothing changes
    until the person accepts it."""
    grant = service.grant_for(session, user, share_id, Permission.suggest)
    return service.suggest(session, user, grant, body)


# ---- the owner: shares and the switch --------------------------------------------------


@router.post(
    "/plans/{plan_id}/shares",
    response_model=ShareCreated,
    status_code=201,
    responses=problem_responses(409),
)
def create_share(plan_id: uuid.UUID, body: ShareCreate, user: CurrentUser, session: DbSession):
    """Share some sections of your plan. You get an invite code (shown once) to give to the
    person; it works for 7 days, for one person, who accepts it while signed in."""
    plan = get_owned_plan(session, user, plan_id)
    return service.create_share(session, user, plan, body)


@router.get("/plans/{plan_id}/shares", response_model=list[ShareRead])
def list_shares(plan_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Who can see what, and until when, in plain words; ended shares too, newest first."""
    return service.list_shares(session, get_owned_plan(session, user, plan_id))


@router.patch(
    "/plans/{plan_id}/shares/{share_id}", response_model=ShareRead, responses=problem_responses(409)
)
def update_share(
    plan_id: uuid.UUID,
    share_id: uuid.UUID,
    body: ShareUpdate,
    user: CurrentUser,
    session: DbSession,
):
    """Change a share's sections, what they may do, its label or end date (null: no end)."""
    fields = body.model_dump(exclude_unset=True)
    if not fields:
        raise Problem(422, "Nothing to change: send at least one field.")
    if fields.get("sections") is None and "sections" in fields:
        raise Problem(422, "A share needs at least one section. To end it, revoke it instead.")
    for required in ("permission", "label"):
        if required in fields and fields[required] is None:
            raise Problem(422, f"'{required}' can't be empty; leave it out to keep it as it is.")
    plan = get_owned_plan(session, user, plan_id)
    return service.update_share(session, user, plan, share_id, fields)


@router.delete("/plans/{plan_id}/shares/{share_id}", response_model=ShareRevoked)
def revoke_share(plan_id: uuid.UUID, share_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """End a share now. It stops future views; it cannot unsee what was already seen."""
    plan = get_owned_plan(session, user, plan_id)
    return service.revoke_share(session, user, plan, share_id)


@router.get("/me/sharing", response_model=SharingSwitchRead)
def read_sharing_switch(user: CurrentUser, session: DbSession):
    return service.sharing_state(session, user)


@router.put("/me/sharing", response_model=SharingSwitchRead)
def set_sharing_switch(body: SharingSwitchUpdate, user: CurrentUser, session: DbSession):
    """The one switch for all your plans. Off ends every share and crisis card at once;
    on again does not bring them back."""
    return service.set_sharing(session, user, body.enabled)


@router.get("/plans/{plan_id}/access-log", response_model=AccessLog)
def read_access_log(
    plan_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_STORED_INT, description="next_before from the last page")
    ] = None,
):
    """Every time someone else opened your plan, what they saw and when; and every change
    to your sharing. Newest first."""
    return service.access_log(session, get_owned_plan(session, user, plan_id), limit, before)


# ---- the owner: comments and suggestions -----------------------------------------------


@router.get("/plans/{plan_id}/comments", response_model=list[CommentRead])
def read_comments(plan_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Comments people you share with wrote on your plan, with your replies."""
    return service.owner_comments(session, get_owned_plan(session, user, plan_id))


@router.post(
    "/plans/{plan_id}/comments/{comment_id}/replies", response_model=CommentRead, status_code=201
)
def reply_to_comment(
    plan_id: uuid.UUID,
    comment_id: uuid.UUID,
    body: ReplyCreate,
    user: CurrentUser,
    session: DbSession,
):
    """Reply to a comment; the person who wrote it can read your reply."""
    plan = get_owned_plan(session, user, plan_id)
    return service.reply(session, user, plan, comment_id, body.text)


@router.delete("/plans/{plan_id}/comments/{comment_id}", status_code=204)
def delete_comment(
    plan_id: uuid.UUID, comment_id: uuid.UUID, user: CurrentUser, session: DbSession
):
    """Delete any comment on your plan (a comment's replies go with it)."""
    service.delete_comment(session, get_owned_plan(session, user, plan_id), comment_id)
    return Response(status_code=204)


@router.get("/plans/{plan_id}/suggestions", response_model=list[SuggestionRead])
def read_suggestions(
    plan_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    status: Literal["pending", "accepted", "rejected"] | None = None,
):
    """Changes people suggested to your plan, newest first."""
    return service.owner_suggestions(session, get_owned_plan(session, user, plan_id), status)


@router.post(
    "/plans/{plan_id}/suggestions/{suggestion_id}/accept",
    response_model=SuggestionDecided,
    responses=problem_responses(409),
)
def accept_suggestion(
    plan_id: uuid.UUID,
    suggestion_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    body: SuggestionAcceptance | None = None,
):
    """Apply a suggestion as a new version of your plan, in your name, saying whose suggestion
    it was; with `text`, your own version of their words goes in instead. You can restore the
    earlier version from the plan's history."""
    plan = get_owned_plan(session, user, plan_id)
    return service.accept_suggestion(
        session,
        user,
        plan,
        suggestion_id,
        body.apply_although_changed if body else False,
        settings.deleted_plan_retention_days,
        text=body.text if body else None,
    )


@router.post(
    "/plans/{plan_id}/suggestions/{suggestion_id}/reject",
    response_model=SuggestionDecided,
    responses=problem_responses(409),
)
def reject_suggestion(
    plan_id: uuid.UUID,
    suggestion_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    body: SuggestionRejection | None = None,
):
    """Say no to a suggestion. Your plan does not change."""
    plan = get_owned_plan(session, user, plan_id)
    return service.reject_suggestion(
        session, user, plan, suggestion_id, body.reason if body else ""
    )


# ---- the crisis card -------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/crisis-card",
    response_model=CrisisCardCreated,
    status_code=201,
    responses=problem_responses(409),
)
def create_crisis_card(
    plan_id: uuid.UUID,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    body: CrisisCardCreate | None = None,
):
    """Make a link (and QR code) that shows only your crisis plan, read-only, to whoever
    holds it, until it expires or you turn it off. The link is shown only now; making a new
    card turns the previous link off."""
    plan = get_owned_plan(session, user, plan_id)
    return service.create_crisis_card(
        session, user, plan, body or CrisisCardCreate(), request.app.state.settings.base_url
    )


@router.get("/plans/{plan_id}/crisis-card", response_model=CrisisCardRead)
def read_crisis_card(plan_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Your latest crisis card: whether it works, until when, and how often it was used."""
    return service.crisis_card(session, get_owned_plan(session, user, plan_id))


@router.delete("/plans/{plan_id}/crisis-card", response_model=CrisisCardRead)
def revoke_crisis_card(plan_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Turn the crisis card link off now."""
    plan = get_owned_plan(session, user, plan_id)
    return service.revoke_crisis_card(session, user, plan)


# Whatever follows it in a path is a secret: the request log leaves it out.
CRISIS_CARD_PATH_PREFIX = "/c/"
CARD_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def _page(title: str, body: str, script: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/crisis-card.css"></head>'
        f"<body><main>{body}</main>{script}</body></html>\n"
    )


def _with_phone_links(text: str) -> str:
    """The text, escaped, with each phone number in it a tap-to-call link."""
    parts, done = [], 0
    for found in phonenumbers.PhoneNumberMatcher(text, "GB"):
        number = phonenumbers.format_number(found.number, phonenumbers.PhoneNumberFormat.E164)
        parts.append(escape(text[done : found.start]))
        parts.append(f'<a href="tel:{escape(number)}">{escape(found.raw_string)}</a>')
        done = found.end
    return "".join(parts) + escape(text[done:])


def _card_entry(entry: dict, owner_name: str) -> str:
    lines = [f'<p class="words">{_with_phone_links(entry["text"])}</p>']
    if label := imported_words(entry, owner_name):
        lines.append(f'<p class="from">{escape(label)}</p>')
    if note := own_note(entry, owner_name):
        lines.append(f'<p class="note">{_with_phone_links(note)}</p>')
    return f"<li>{''.join(lines)}</li>"


def _card_contradictions(crisis: dict, owner_name: str) -> str:
    found = contradictions.in_crisis_section(crisis, owner_name)
    if not found:
        return ""
    items = "".join(
        f'<li><p>{escape(c["message"])}</p><p class="decided">'
        + escape(
            f"{owner_name} has seen this and chose to keep both."
            if c["kept"]
            else f"{owner_name} has not decided about this yet. Ask {owner_name} if you can."
        )
        + "</p></li>"
        for c in found
    )
    return (
        '<section class="disagree" aria-labelledby="disagree"><h2 id="disagree">Things in '
        f"this plan that may not agree</h2><ul>{items}</ul></section>"
    )


def _card_html(page: service.CardPage, token: str) -> str:
    name = escape(page.owner_name)
    crisis = page.crisis
    parts = [f"<h1>{escape(crisis['title']) if crisis else 'Crisis plan'}</h1>"]
    parts.append(
        f'<p class="whose">The crisis plan of {name}. These are {name}\u2019s own words, '
        "except where a line under them says who else wrote them.</p>"
    )
    entries = crisis["entries"] if crisis else []
    if not entries:
        parts.append("<p>There is nothing to show here right now.</p>")
    else:
        parts.append(_card_contradictions(crisis, page.owner_name))
    for _, label, grouped in crisis_entries_by_field(entries):
        items = "".join(_card_entry(entry, page.owner_name) for entry in grouped)
        parts.append(f"<section><h2>{escape(label)}</h2><ul>{items}</ul></section>")
    opened = clock.utcnow()
    pdf = f"{CRISIS_CARD_PATH_PREFIX}{escape(token)}/pdf"
    parts.append(
        f'<p class="about" data-expires="{clock.isoformat(page.expires_at)}">'
        f"Last changed {service.day(page.updated_at)}. This copy was opened "
        f"on {service.day(opened)} at {opened:%H:%M} UTC: with no signal, your phone shows "
        f"the copy it kept, which may be out of date. This link works until "
        f"{service.day(page.expires_at)}. {name} can see each time it is opened.</p>"
        f'<p class="print">To print it: <a href="{pdf}">one A4 page</a> or '
        f'<a href="{pdf}?layout=wallet">wallet-sized cards</a>.</p>'
    )
    script = '<script src="/card-offline.js"></script>'
    return _page(f"Crisis plan of {page.owner_name}", "".join(parts), script)


def _unavailable(problem: Problem) -> HTMLResponse:
    body = (
        "<h1>This crisis card isn't available</h1>"
        f"<p>{escape(problem.detail)}</p>"
        "<p>If someone is in danger now, call 999 (or 112). For urgent mental health "
        "help, call NHS 111 and choose the mental health option.</p>"
    )
    return HTMLResponse(
        _page("Crisis card not available", body),
        status_code=problem.status,
        headers=CARD_HEADERS,
    )


@card_router.get(
    CRISIS_CARD_PATH_PREFIX + "{token}", response_class=HTMLResponse, include_in_schema=False
)
def open_crisis_card(token: str, session: DbSession):
    """The public crisis card page: only the crisis plan, read-only. Every use is logged."""
    try:
        page = service.use_crisis_card(session, token)
    except Problem as problem:
        return _unavailable(problem)
    headers = CARD_HEADERS | {"X-Card-Expires": clock.isoformat(page.expires_at)}
    return HTMLResponse(_card_html(page, token), headers=headers)


@card_router.get(CRISIS_CARD_PATH_PREFIX + "{token}/pdf", include_in_schema=False)
def print_crisis_card(
    token: str,
    session: DbSession,
    settings: AppSettings,
    layout: printable.CardLayout = "a4",
):
    """The crisis card as a PDF: one A4 page, or wallet-sized cards. Logged as a use."""
    fonts = Path(settings.print_font_dir)
    if not (fonts / "DejaVuSans.ttf").is_file():
        return _unavailable(Problem(503, "Printing is not set up on this server."))
    try:
        page = service.use_crisis_card(session, token, printed=True)
    except Problem as problem:
        return _unavailable(problem)
    crisis = page.crisis or {"title": "Crisis plan", "entries": []}
    pdf = printable.crisis_card(fonts, page.owner_name, crisis, page.updated_at, layout)
    name = "crisis-card-wallet.pdf" if layout == "wallet" else "crisis-card.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers=CARD_HEADERS | {"Content-Disposition": f'inline; filename="{name}"'},
    )
