"""A file kept with a plan (an import's original, a page's file), answered as a download."""

from urllib.parse import quote

from starlette.responses import Response

from app.statements.models import PlanAttachment


def as_download(attachment: PlanAttachment) -> Response:
    """A kept file as a download, exactly as it was sent, never shown in the page: a file may
    hold active content (a PDF's scripts), and a browser must neither run it nor guess its
    type."""
    return Response(
        attachment.content,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.file_name)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
