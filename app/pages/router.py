import hashlib
import re
import uuid
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Response, UploadFile
from sqlmodel import Session

from app.accounts.dependencies import CurrentUser, DbSession
from app.accounts.models import User
from app.core.errors import Problem, problem_responses
from app.plans.dependencies import OwnedPlan
from app.plans.models import Plan
from app.plans.schemas import PageFile
from app.sharing.dependencies import ViewingGrant
from app.sharing.grants import Grant, log_read_through_share
from app.statements.downloads import as_download
from app.statements.models import PlanAttachment

router = APIRouter(prefix="/api/v1", tags=["plans"])
# A grantee's reads, listed in the API's docs with the other sharing routes.
grantee_router = APIRouter(prefix="/api/v1", tags=["sharing"])

PAGE_FILE_PATH = re.compile(r"/api/v1/plans/[^/]+/page-files")
MAX_PAGE_FILE_BYTES = 4 * 1024 * 1024
# What a page's file may be, told by its first bytes rather than by what the phone says.
_SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
ALLOWED = "a PDF, a photo or picture (JPEG or PNG), or a plain text file"


def _file_type(data: bytes) -> str:
    for media_type, signature in _SIGNATURES.items():
        if data.startswith(signature):
            return media_type
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return "text/plain"
    raise Problem(415, f"This file can't be added to a page. A page's file can be {ALLOWED}.")


def _file_name(name: str | None, media_type: str) -> str:
    kept = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    kept = "".join(c for c in kept if c.isprintable())[:200]
    return kept or {"application/pdf": "page.pdf", "text/plain": "page.txt"}.get(
        media_type, "picture"
    )


def keep_page_file(session: Session, owner: User, plan: Plan, data: bytes, name: str | None):
    if not data:
        raise Problem(422, "This file is empty. Choose the file you want to add to the page.")
    if len(data) > MAX_PAGE_FILE_BYTES:
        raise Problem(
            413,
            f"This file is over {MAX_PAGE_FILE_BYTES // (1024 * 1024)} MB, the most a page can "
            "hold. A smaller copy, or a link to it, would fit.",
        )
    media_type = _file_type(data)
    attachment = PlanAttachment(
        plan_id=plan.id,
        owner_id=plan.owner_id,
        kind="page",
        file_name=_file_name(name, media_type),
        content_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by_id=owner.id,
    )
    session.add(attachment)
    session.commit()
    return {
        "id": str(attachment.id),
        "name": attachment.file_name,
        "media_type": media_type,
        "size": len(data),
    }


@router.post(
    "/plans/{plan_id}/page-files",
    response_model=PageFile,
    status_code=201,
    responses=problem_responses(413, 415),
)
def add_page_file(
    plan: OwnedPlan,
    user: CurrentUser,
    session: DbSession,
    file: Annotated[UploadFile, File(description=f"Up to 4 MB: {ALLOWED}")],
):
    """Keep a small file for an inserted page, encrypted with your plan. Then add the page
    (an entry of the notes section) with this answer as its `page.file`. You open the file
    again at GET /plans/{plan_id}/attachments/{id}."""
    data = file.file.read(MAX_PAGE_FILE_BYTES + 1)
    return keep_page_file(session, user, plan, data, file.filename)


NO_SHARED_PAGE_FILE = "No page in what this person shares with you keeps a file with this id."


@grantee_router.get(
    "/shared-with-me/{share_id}/page-files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"*/*": {}}, "description": "The page's file, as it was kept"}}
    | problem_responses(410),
)
def read_shared_page_file(
    grant: ViewingGrant, file_id: uuid.UUID, user: CurrentUser, session: DbSession
):
    """The file kept with an inserted page in a section shared with you, as a download. The
    person sees in their access log that you opened it."""
    section = _section_keeping(grant, str(file_id))
    attachment = session.get(PlanAttachment, file_id)
    if section is None or attachment is None or attachment.plan_id != grant.plan.id:
        raise Problem(404, NO_SHARED_PAGE_FILE)
    log_read_through_share(
        session,
        grant,
        user,
        "opened_page_file",
        [section],
        f"downloaded \u201c{attachment.file_name}\u201d, the file kept with a page of your plan.",
    )
    session.commit()
    return as_download(attachment)


def _section_keeping(grant: Grant, file_id: str) -> dict[str, Any] | None:
    """The section the share shows now with a page keeping this file, if there is one."""
    for section in grant.shown():
        for entry in section["entries"]:
            if ((entry.get("page") or {}).get("file") or {}).get("id") == file_id:
                return section
    return None
