from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.dependencies import BearerToken, as_signed_in
from app.sync import service
from app.sync.schemas import SyncRequest, SyncResponse

router = APIRouter(prefix="/api/v1", tags=["sync"])


@router.post("/sync", response_model=SyncResponse)
async def sync(body: SyncRequest, request: Request, token: BearerToken):
    """Send the changes your device queued while offline, and get back your plans that changed
    since your last sync.

    Each change carries an `op_id` your device made: sending it again (say, after a dropped
    connection) returns the first outcome and changes nothing. A change to something that was
    also changed on another device is not applied; its result is a `conflict` holding both
    versions, so you can choose (or keep both). Keep the returned `cursor` for next time."""
    retention_days = request.app.state.settings.deleted_plan_retention_days
    answer = await as_signed_in(request, token, service.synchronise, body, retention_days)
    return Response(answer, media_type="application/json")
