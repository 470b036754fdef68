from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.account_transfer import service
from app.account_transfer.schemas import ExportFile, ImportPreview, ImportResult
from app.accounts.dependencies import CurrentUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["export and import"])


@router.get("/export", response_model=ExportFile)
def export_everything(user: CurrentUser, session: DbSession):
    """Download everything you have: every plan with its full history, as one JSON file."""
    return JSONResponse(
        service.export_everything(session, user),
        headers={"Content-Disposition": 'attachment; filename="my-plans.json"'},
    )


@router.post("/import", response_model=ImportResult, status_code=201)
def import_everything(body: ExportFile, user: CurrentUser, session: DbSession):
    """Bring an export file into this account. Its plans are added as new plans, with their
    history; nothing already here changes. A file with any error adds nothing."""
    plans = service.import_everything(session, user, body)
    return {"imported_plans": [p.id for p in plans]}


@router.post("/import/preview", response_model=ImportPreview)
def preview_import(body: ExportFile, user: CurrentUser, session: DbSession):
    """What importing this export file would add, plan by plan, before anything changes.
    Nothing is added until you send the same file to POST /import."""
    return service.preview_import(session, user, body)
