from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.accounts.dependencies import CurrentUser, DbSession
from app.core import clock
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses
from app.crisis_card import service
from app.crisis_card.page import CRISIS_CARD_PATH_PREFIX, card_html, unavailable_html
from app.crisis_card.schemas import CrisisCardCreate, CrisisCardCreated, CrisisCardRead
from app.exports import printable
from app.plans.dependencies import OwnedPlan

router = APIRouter(prefix="/api/v1", tags=["sharing"])
# The card itself, for whoever holds its link: no sign-in.
card_router = APIRouter(tags=["crisis card"])
CARD_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


# ---- the owner -------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/crisis-card",
    response_model=CrisisCardCreated,
    status_code=201,
    responses=problem_responses(409),
)
def create_crisis_card(
    plan: OwnedPlan,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    body: CrisisCardCreate | None = None,
):
    """Make a link (and QR code) that shows only your crisis plan, read-only, to whoever
    holds it, until it expires or you turn it off. The link is shown only now; making a new
    card turns the previous link off."""
    return service.create_crisis_card(
        session, user, plan, body or CrisisCardCreate(), request.app.state.settings.base_url
    )


@router.get("/plans/{plan_id}/crisis-card", response_model=CrisisCardRead)
def read_crisis_card(plan: OwnedPlan, session: DbSession):
    """Your latest crisis card: whether it works, until when, and how often it was used."""
    return service.crisis_card(session, plan)


@router.delete("/plans/{plan_id}/crisis-card", response_model=CrisisCardRead)
def revoke_crisis_card(plan: OwnedPlan, user: CurrentUser, session: DbSession):
    """Turn the crisis card link off now."""
    return service.revoke_crisis_card(session, user, plan)


# ---- whoever holds the link ------------------------------------------------------------


def _unavailable(problem: Problem) -> HTMLResponse:
    return HTMLResponse(unavailable_html(problem), status_code=problem.status, headers=CARD_HEADERS)


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
    return HTMLResponse(card_html(page, token), headers=headers)


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
