from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.accounts.dependencies import CurrentUser
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses
from app.core.schemas import SPACES
from app.exports import printable
from app.exports.fhir import plan_bundle
from app.plans.dependencies import OwnedPlan
from app.plans.templates import CRISIS_SECTION

router = APIRouter(prefix="/api/v1", tags=["export and import"])


@router.get(
    "/plans/{plan_id}/fhir",
    response_class=Response,
    responses={200: {"content": {"application/fhir+json": {}}, "description": "A FHIR Bundle"}},
)
def export_fhir(plan: OwnedPlan, user: CurrentUser, settings: AppSettings):
    """Your crisis plan as a FHIR R4 document Bundle for another health or care system: a
    PACIO mental health advance directive (LOINC 104144-1) with your printed crisis plan as
    its source form, a Provenance for every entry someone else wrote, and your whole plan
    beside it. This service can import it again, keeping who wrote what."""
    crisis = next(s for s in plan.sections if s["key"] == CRISIS_SECTION)
    printed = printable.crisis_card(
        _print_fonts(settings), user.display_name, crisis, plan.updated_at
    )
    bundle = plan_bundle(plan, user.display_name, printed)
    return Response(bundle.model_dump_json(), media_type="application/fhir+json")


def _print_fonts(settings) -> Path:
    fonts = Path(settings.print_font_dir)
    if not (fonts / "DejaVuSans.ttf").is_file():
        raise Problem(
            503,
            f"Printing is not set up on this server: no DejaVu fonts in {fonts}. "
            "Install the fonts-dejavu-core package or set PRINT_FONT_DIR.",
        )
    return fonts


@router.get(
    "/plans/{plan_id}/print",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "A PDF to print"},
        **problem_responses(409),
    },
)
def print_plan(
    plan: OwnedPlan,
    user: CurrentUser,
    settings: AppSettings,
    sections: Annotated[
        str | None,
        Query(
            description="Section keys, comma-separated. Leave out for the whole plan as a "
            "booklet; 'crisis' alone gives your crisis plan as a one-page card.",
            json_schema_extra={"pattern": f"[^,{SPACES}]"},
        ),
    ] = None,
    layout: Annotated[
        printable.CardLayout,
        Query(
            description="For the crisis plan alone: 'a4', one A4 page for the fridge, or "
            "'wallet', bank-card-sized pages to cut out and carry ('wallet' with no sections "
            "named prints the crisis plan)"
        ),
    ] = "a4",
):
    """Your plan as a PDF to print: a booklet with a page per section, or your crisis plan
    as a one-page card for the fridge, or as wallet-sized cards."""
    body = plan.sections
    by_key = {s["key"]: s for s in body}
    if sections is None and layout == "wallet":
        chosen = [by_key[CRISIS_SECTION]]
    elif sections is None:
        chosen = [s for s in body if not s["hidden"]]
    else:
        keys = [k.strip() for k in sections.split(",") if k.strip()]
        unknown = [k for k in keys if k not in by_key]
        if not keys or unknown:
            raise Problem(
                # 409: which sections there are is the plan's state now.
                409 if unknown else 422,
                f"This plan has no section {', '.join(repr(k) for k in unknown) or 'named'}. "
                f"Choose from: {', '.join(by_key)}.",
                where="sections",
            )
        chosen = [by_key[k] for k in dict.fromkeys(keys)]
    crisis_only = [s["key"] for s in chosen] == [CRISIS_SECTION]
    if layout == "wallet" and not crisis_only:
        raise Problem(
            422,
            "A wallet card holds your crisis plan alone: ask for sections=crisis.",
            where="layout",
        )
    fonts = _print_fonts(settings)
    if crisis_only:
        pdf = printable.crisis_card(fonts, user.display_name, chosen[0], plan.updated_at, layout)
        name = "crisis-plan-wallet.pdf" if layout == "wallet" else "crisis-plan.pdf"
    else:
        pdf = printable.booklet(fonts, plan.title, user.display_name, chosen)
        name = "my-plan.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, no-store",
        },
    )
