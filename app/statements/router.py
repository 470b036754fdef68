import re
import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from app.accounts.dependencies import DbSession
from app.core.config import AppSettings
from app.core.schemas import WithoutNul
from app.plans.service import etag
from app.statements import containment, service
from app.statements.access import log_grantee_read
from app.statements.dependencies import StatementOwner, StatementReader, StatementSender
from app.statements.downloads import as_download
from app.statements.schemas import DecisionsIn, ImportDecided, ImportRead, ImportSummary

router = APIRouter(prefix="/api/v1", tags=["imports"])
# The upload route takes bigger bodies than the rest of the API (settings.max_upload_bytes).
UPLOAD_PATH = re.compile(r"/api/v1/plans/[^/]+/imports")

UPLOAD_ERRORS: dict[int | str, dict] = {
    413: {"description": "The file, or what it unpacks to, is over a limit (docs/imports.md)"},
    415: {"description": "Not a kind of file we can read"},
    422: {
        "description": "The file is damaged, not valid FHIR R4, has nothing to import, names "
        "someone else, or is too large or complex to read safely; `where` says where in the file"
    },
    503: {"description": "Every process that reads files is busy; try again after Retry-After"},
}


@router.post(
    "/plans/{plan_id}/imports",
    response_model=ImportRead,
    status_code=201,
    responses=UPLOAD_ERRORS,
)
def create_import(
    access: StatementSender,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="FHIR R4 JSON, .docx, PDF, .txt or .md")],
    source_system: Annotated[
        str | None, Form(max_length=300, description="The system the file came from"), WithoutNul
    ] = None,
    confirm_person: Annotated[
        bool,
        Form(description="Send it although the name in it differs from the plan owner's"),
    ] = False,
):
    """Bring in a crisis advance statement or joint crisis plan from another system, for the
    plan's owner to review part by part. The owner can do this, and so can someone whose
    share lets them suggest changes to the crisis plan. Nothing goes into the plan until
    the owner accepts it; the original file is kept for them to open."""
    # A plain def, so waiting for the parsing process (long for a long PDF) runs off the
    # event loop.
    data = file.file.read(settings.max_upload_bytes + 1)
    record = service.create_import(
        session,
        access,
        data=data,
        file_name=file.filename,
        content_type=file.content_type,
        source_system=source_system,
        confirm_person=confirm_person,
        max_bytes=settings.max_upload_bytes,
        parse_limits=containment.ParseLimits.of(settings),
    )
    return JSONResponse(
        jsonable_encoder(service.import_view(session, record, access)),
        status_code=201,
        headers={"Location": f"/api/v1/plans/{access.plan.id}/imports/{record.id}"},
    )


@router.get("/plans/{plan_id}/imports", response_model=list[ImportSummary])
def list_imports(access: StatementReader, session: DbSession):
    """Imports for this plan, newest first. Someone you share with sees only their own."""
    found = service.list_imports(session, access)
    listed = [service.import_summary(session, r, access) for r in found]
    log_grantee_read(
        session,
        access,
        "listed_imports",
        f"looked at the list of imports they sent for your crisis plan ({len(found)}).",
    )
    return listed


@router.get("/plans/{plan_id}/imports/{import_id}", response_model=ImportRead)
def read_import(access: StatementReader, import_id: uuid.UUID, session: DbSession):
    """Every proposed part, the crisis-plan field it maps to, and (for the owner) what the
    plan says there now; with who sent it, from what, when, and any warnings."""
    record = service.get_import(session, access, import_id)
    view = service.import_view(session, record, access)
    log_grantee_read(
        session,
        access,
        "viewed_import",
        f"opened \u201c{record.file_name}\u201d, which they sent for your crisis plan, "
        "with your decisions on it.",
    )
    return view


@router.post(
    "/plans/{plan_id}/imports/{import_id}/decisions",
    response_model=ImportDecided,
    responses={409: {"description": "Already decided, or warnings not yet read"}},
)
def decide(
    access: StatementOwner,
    import_id: uuid.UUID,
    body: DecisionsIn,
    session: DbSession,
    settings: AppSettings,
):
    """Accept, edit-then-accept, or reject each part; or keep a part with your own note
    ("I disagree because …"): action `accept` with a `note`. Accepted parts go into your
    crisis plan as one new version, labelled as imported words."""
    record = service.get_import(session, access, import_id)
    plan = service.decide(
        session, access.user, access.plan, record, body, settings.deleted_plan_retention_days
    )
    session.expire_all()  # the decisions were written with UPDATE statements
    view = service.import_view(session, record, replace(access, plan=plan))
    return JSONResponse(
        jsonable_encoder(view | {"plan_version": plan.version}), headers={"ETag": etag(plan)}
    )


@router.get(
    "/plans/{plan_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"content": {"*/*": {}}, "description": "The file, with the type it was sent as"}
    },
)
def read_attachment(access: StatementReader, attachment_id: uuid.UUID, session: DbSession):
    """Download a file kept with the plan, such as the original of an import, exactly as
    it was sent (`downloads.as_download`)."""
    attachment = service.get_attachment(session, access, attachment_id)
    log_grantee_read(
        session,
        access,
        "opened_attachment",
        f"downloaded \u201c{attachment.file_name}\u201d, a file they sent with an import.",
    )
    return as_download(attachment)
