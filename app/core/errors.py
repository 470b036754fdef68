"""RFC 9457 problem details for every error the API returns."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.encryption import DecryptionError

logger = logging.getLogger(__name__)
PROBLEM_MEDIA_TYPE = "application/problem+json"
UNDECRYPTABLE_TYPE = "urn:wellbeing-plans:problem:undecryptable"

_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Too large",
    415: "Unsupported media type",
    422: "Check what you sent",
    428: "Precondition required",
    429: "Too many attempts",
    500: "Server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An error a client can act on: status, a sentence saying what to fix, extra members."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": type_, "title": _TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _describe_validation_error(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    return {"field": ".".join(location) or "body", "message": error.get("msg", "is not valid")}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, type_=exc.type, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "The request could not be served."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        if exc.status_code == 405:
            detail = "This address does not accept that method."
        return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(DecryptionError)
    async def _undecryptable(_request: Request, exc: DecryptionError) -> JSONResponse:
        # The message names the column and key id, never any content.
        logger.error("stored data could not be decrypted: %s", exc)
        return problem_response(
            500,
            "Stored data could not be decrypted with this server's encryption keys, so it "
            "is not shown and nothing was changed. This is a server configuration problem.",
            type_=UNDECRYPTABLE_TYPE,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return problem_response(400, "The request body is not valid JSON. Send a JSON object.")
        described = [_describe_validation_error(error) for error in errors]
        first = described[0]
        return problem_response(
            422,
            f"Please check '{first['field']}': {first['message']}.",
            errors=described,
        )
