"""ASGI middleware: refuse oversized bodies early, log each request without its secrets, add
security headers to every response (and keep private ones out of caches), and answer a
method an API path does not take from the API rather than from the static files."""

import json
import logging
import re
import time
import traceback
from collections.abc import Callable, Sequence

from fastapi import HTTPException
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PROBLEM_MEDIA_TYPE
from app.core.logs import Verbatim

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
        b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS_HEADER = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
NO_STORE = b"no-store"
API_PREFIX = "/api/"
# Every method a route of the app may take (FastAPI adds no HEAD to a GET route).
ROUTE_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


request_logger = logging.getLogger("app.requests")
# Longer paths are cut: a path is an address, not a place for text.
_LOGGED_PATH_LENGTH = 200
# A section's key can be words of the person's (custom sections made by earlier versions,
# or keys in an imported export file), so logged paths show where a key goes, not the key.
_SECTION_KEY = re.compile(r"(/sections/)[^/]+")


def _too_large_detail(limit: int) -> str:
    return f"The request body is larger than the {limit:,} bytes this address accepts."


async def _send_problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """Refuses a body over the limit, whether it announces its length or streams it."""

    def __init__(self, app: ASGIApp, limit_for_path: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for_path = limit_for_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for_path(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_problem(send, 413, "Too large", _too_large_detail(limit))
                return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises HTTPException from body reading; the handler formats it.
                    raise HTTPException(413, _too_large_detail(limit))
            return message

        await self.app(scope, limited_receive, send)


class RequestLogMiddleware:
    """One line per request: method, path (secret parts replaced; control characters
    escaped by app.core.logs), status, duration; never the query string, headers or body.
    Replaces uvicorn's access log, which prints whole paths and query strings. An unhandled
    error is logged by type and stack only (its message may quote plan text) and answered
    with a 500 problem, not re-raised, so the server does not log it again with its
    message."""

    def __init__(self, app: ASGIApp, secret_path_prefixes: Sequence[str]) -> None:
        self.app = app
        self.secret_path_prefixes = tuple(secret_path_prefixes)

    def _path_for_log(self, path: str) -> str:
        for prefix in self.secret_path_prefixes:
            if path.startswith(prefix):
                return prefix + "{redacted}"
        return _SECTION_KEY.sub(r"\1{key}", path)[:_LOGGED_PATH_LENGTH]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_noting_status(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        path = self._path_for_log(scope["path"])
        try:
            await self.app(scope, receive, send_noting_status)
        except Exception as error:
            request_logger.error(
                "%s %s failed with %s (message left out); stack:\n%s",
                scope["method"],
                path,
                type(error).__qualname__,
                Verbatim("".join(traceback.format_tb(error.__traceback__))),
            )
            if not response_started:
                await _send_problem(
                    send,
                    500,
                    "Server error",
                    "Something went wrong on our side. Try again in a moment; if it keeps "
                    "happening, tell us what you were doing.",
                )
        request_logger.info(
            "%s %s %d %.1f ms",
            scope["method"],
            path,
            status,
            (time.perf_counter() - started) * 1000,
        )


class SecurityHeadersMiddleware:
    """Security headers on every response; `Cache-Control: no-store` on every private one
    (a signed-in request, or a path under one of `private_path_prefixes`), so no browser or
    proxy keeps a copy of a plan or a token. Public files keep their own caching."""

    def __init__(self, app: ASGIApp, private_path_prefixes: Sequence[str]) -> None:
        self.app = app
        self.private_path_prefixes = tuple(private_path_prefixes)

    def _is_private(self, scope: Scope) -> bool:
        return scope["path"].startswith(self.private_path_prefixes) or any(
            name == b"authorization" for name, _ in scope["headers"]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        behind_tls = scope.get("scheme") == "https"
        private = self._is_private(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if behind_tls:
                    headers.append(HSTS_HEADER)
                if private:
                    headers = [
                        (name, value)
                        for name, value in headers
                        if name.lower() != b"cache-control" or NO_STORE in value
                    ]
                    if not any(name.lower() == b"cache-control" for name, _ in headers):
                        headers.append((b"cache-control", NO_STORE))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ApiBeforeStaticFiles:
    """Wraps the static files mounted at "/", which the router hands every request that no
    route takes whole. A path that API routes take with other methods is answered 405 with
    an `Allow` listing every one of them (the router alone would list only the first
    route's, and the static files their own GET and HEAD); any other path under /api/ is
    answered 404; only the rest reaches the files."""

    def __init__(self, static_files: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.static_files = static_files
        # The app's route list itself: routes are added after the mount is made.
        self.routes = routes

    def _methods_for(self, scope: Scope) -> list[str]:
        # A route matches a request for another path with no method (Match.NONE): only the
        # routes of this path (most often none, as for a static file) are tried with each.
        routes = [
            route
            for route in self.routes
            if not isinstance(route, Mount) and route.matches(scope)[0] is not Match.NONE
        ]
        if not routes:
            return []
        return [
            method
            for method in ROUTE_METHODS
            if any(route.matches(scope | {"method": method})[0] is Match.FULL for route in routes)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            methods = self._methods_for(scope)
            if methods:
                raise HTTPException(405, headers={"Allow": ", ".join(methods)})
            if scope["path"].startswith(API_PREFIX):
                raise HTTPException(404)
        await self.static_files(scope, receive, send)
