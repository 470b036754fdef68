import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.accounts.dependencies import CurrentUser, DbSession
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses
from app.core.schemas import SPACES
from app.exports import printable
from app.exports.fhir import plan_bundle
from app.plans.service import get_owned_plan
from app.plans.templates import CRISIS_SECTION

router = APIRouter(prefix="/api/v1", tags=["export and import"])


@router.get(
    "/plans/{plan_id}/fhir",
    response_class=Response,
    responses={200: {"content": {"application/fhir+json": {}}, "description": "A FHIR Bundle"}},
)
def export_fhir(plan_id: uuid.UUID, user: CurrentUser, session: DbSession):
    """Your plan as a FHIR R4 document Bundle, for another health or care system: one
    Composition section per plan section, a Goal per goal, and your crisis plan as a mental
    health advance directive (LOINC 104144-1) that this service can import again."""
    plan = get_owned_plan(session, user, plan_id)
    bundle = plan_bundle(plan, user.display_name)
    return Response(bundle.model_dump_json(), media_type="application/fhir+json")


@router.get(
    "/plans/{plan_id}/print",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "A PDF to print"},
        **problem_responses(409),
    },
)
def print_plan(
    plan_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    sections: Annotated[
        str | None,
        Query(
            description="Section keys, comma-separated. Leave out for the whole plan as a "
            "booklet; 'crisis' alone gives your crisis plan as a one-page card.",
            json_schema_extra={"pattern": f"[^,{SPACES}]"},
        ),
    ] = None,
):
    """Your plan as a PDF to print: a booklet with a page per section, or your crisis plan
    as a one-page card to keep in a wallet or on the fridge."""
    plan = get_owned_plan(session, user, plan_id)
    by_key = {s["key"]: s for s in plan.sections}
    if sections is None:
        chosen = [s for s in plan.sections if not s["hidden"]]
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
    fonts = Path(settings.print_font_dir)
    if not (fonts / "DejaVuSans.ttf").is_file():
        raise Problem(
            503,
            f"Printing is not set up on this server: no DejaVu fonts in {fonts}. "
            "Install the fonts-dejavu-core package or set PRINT_FONT_DIR.",
        )
    if [s["key"] for s in chosen] == [CRISIS_SECTION]:
        pdf = printable.crisis_card(fonts, user.display_name, chosen[0], plan.updated_at)
        name = "crisis-plan.pdf"
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
