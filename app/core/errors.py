"""RFC 9457 problem details for every error the API returns."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.encryption import DecryptionError
from app.core.json_text import encoded
from app.core.schemas import document_without_null

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


# Lost or refused connections, a locked SQLite file, an exhausted pool: worth a retry. Other
# database errors (integrity, bad SQL) are bugs and stay 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 5


class ProblemDetails(BaseModel):
    """The body of every error (RFC 9457); some errors add members, e.g. `errors`, `current`."""

    model_config = ConfigDict(title="Problem", extra="allow")

    type: str
    title: str
    status: int
    detail: str


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` for the errors it answers itself (the schema gets their
    problem+json body from `install_error_handlers`)."""
    return {status: {"description": _TITLES[status]} for status in statuses}


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
) -> Response:
    body = {"type": type_, "title": _TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    body.update(extra)  # a member that is JSONText (a plan's document) is placed as it is
    return Response(
        encoded(body), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def not_json(invalid: RequestValidationError) -> bool:
    """The body could not be read as JSON at all (answered 400, not 422)."""
    return any(error.get("type") == "json_invalid" for error in invalid.errors())


def described_validation_errors(invalid: RequestValidationError) -> list[dict[str, str]]:
    """Each error as the field at fault (a dotted path in the body) and what is wrong."""
    return [_describe_validation_error(error) for error in invalid.errors()]


def _describe_validation_error(error: dict[str, Any]) -> dict[str, str]:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    return {"field": ".".join(location) or "body", "message": error.get("msg", "is not valid")}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> Response:
        return problem_response(
            exc.status, exc.detail, type_=exc.type, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "The request could not be served."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        if exc.status_code == 405:
            detail = "This address does not accept that method."
        return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(DecryptionError)
    async def _undecryptable(_request: Request, exc: DecryptionError) -> Response:
        # The message names the column and key id, never any content.
        logger.error("stored data could not be decrypted: %s", exc)
        return problem_response(
            500,
            "Stored data could not be decrypted with this server's encryption keys, so it "
            "is not shown and nothing was changed. This is a server configuration problem.",
            type_=UNDECRYPTABLE_TYPE,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        if not_json(exc):
            return problem_response(400, "The request body is not valid JSON. Send a JSON object.")
        described = described_validation_errors(exc)
        first = described[0]
        return problem_response(
            422,
            f"Please check '{first['field']}': {first['message']}.",
            errors=described,
        )

    async def _database_unavailable(_request: Request, exc: Exception) -> Response:
        # The exception's text can hold the SQL statement; its class is enough to go on.
        cause = getattr(exc, "orig", None) or exc
        logger.warning("database unavailable (%s); answered 503", type(cause).__name__)
        return problem_response(
            503,
            "The service is briefly unavailable. Nothing was changed; please try again.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    _document_problems(app)


def _without_null(parameter: dict[str, Any]) -> None:
    """A path, query or header parameter is text or absent, never JSON null: an optional
    one (`str | None`) is documented as its text type alone."""
    document_without_null(parameter.get("schema", {}))


def _document_problems(app: FastAPI) -> None:
    """Completes the OpenAPI schema with the errors every route of a kind answers: 400, 413
    and 422 for one that reads input, 404 for one with path parameters, 401 for one that
    needs a sign-in, 503 for the API; and gives every error response the problem+json body."""
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build_schema()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = ProblemDetails.model_json_schema()
        problem_body = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                statuses = set()
                if "requestBody" in operation:
                    statuses |= {400, 413, 422}
                parameters = operation.get("parameters", [])
                for parameter in parameters:
                    _without_null(parameter)
                if parameters:
                    statuses.add(422)
                if any(parameter["in"] == "path" for parameter in parameters):
                    # What a path names may not exist, or not be the caller's to know of.
                    statuses.add(404)
                if "security" in operation:
                    statuses.add(401)
                if path.startswith("/api/"):
                    statuses.add(503)
                responses = operation.setdefault("responses", {})
                for status in statuses:
                    responses.setdefault(str(status), {"description": _TITLES[status]})
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response["content"] = problem_body
        return document

    app.openapi = openapi
