from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.account_transfer import service
from app.account_transfer.schemas import ExportFile, ImportPreview, ImportResult
from app.accounts.dependencies import CurrentUser, DbSession
from app.core.errors import Problem, described_validation_errors, not_json


class _SavedCopyRoute(APIRoute):
    """A body that is not a whole export file is a file the person chose, not a request a
    developer wrote: the answer says so in plain words, with the fields at fault in
    `errors`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_saved_copy(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as invalid:
                if not_json(invalid):
                    raise
                raise Problem(
                    422,
                    "It isn't a whole copy saved from this app: it may have been changed or "
                    f"damaged since it was saved. {service.NOTHING_ADDED}",
                    errors=described_validation_errors(invalid),
                ) from None

        return handle_saved_copy


router = APIRouter(prefix="/api/v1", tags=["export and import"], route_class=_SavedCopyRoute)


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
