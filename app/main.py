"""The ASGI app: `app.main:app`. Serves the JSON API under /api/v1 and the PWA at /."""

import asyncio
import contextlib
import functools
import gc
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.access_log.router import router as access_log_router
from app.account_transfer.router import router as account_transfer_router
from app.accounts.attempts import prune_failed_attempts
from app.accounts.passkeys import prune_ceremonies
from app.accounts.recovery import prune_password_resets
from app.accounts.router import router as accounts_router
from app.checkins.router import router as checkins_router
from app.comments.router import router as comments_router
from app.core.api_docs import install_api_docs
from app.core.config import Settings, get_settings
from app.core.db import (
    build_engine,
    build_event_loop_engine,
    build_read_engine,
    request_sessions,
)
from app.core.driver import (
    EVENT_LOOP_CONNECTIONS,
    EventLoopDriver,
    SQLiteOnLoopDriver,
    WorkerThreadDriver,
)
from app.core.encryption import use_keyring_of
from app.core.errors import install_error_handlers
from app.core.group_commit import GroupCommit
from app.core.logs import install_log_hygiene
from app.core.middleware import (
    API_PREFIX,
    ApiBeforeStaticFiles,
    BodySizeLimitMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
)
from app.crisis_card.page import CRISIS_CARD_PATH_PREFIX
from app.crisis_card.router import card_router as crisis_card_page_router
from app.crisis_card.router import router as crisis_card_router
from app.exports.router import router as exports_router
from app.pages.router import MAX_PAGE_FILE_BYTES, PAGE_FILE_PATH
from app.pages.router import grantee_router as pages_grantee_router
from app.pages.router import router as pages_router
from app.plans.router import router as plans_router
from app.plans.service import purge_deleted_plans
from app.sharing import plan_copies  # noqa: F401 (subscribes sharing to plan changes)
from app.sharing.router import grantee_reads_router
from app.sharing.router import router as sharing_router
from app.statements.router import UPLOAD_PATH
from app.statements.router import router as statements_router
from app.suggestions.router import router as suggestions_router
from app.sync.router import router as sync_router
from app.waiting.router import router as waiting_router

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 3600


def _purge_deleted_plans_once(app: FastAPI) -> None:
    # Runs in a worker thread with its own session, so cancelling the waiting task at
    # shutdown never closes a connection another thread is using.
    try:
        with Session(app.state.engine) as session:
            purged = purge_deleted_plans(session, app.state.settings.deleted_plan_retention_days)
        if purged:
            logger.info("purged %d plans deleted more than the retention period ago", purged)
    except Exception:
        logger.exception("purging deleted plans failed; will try again")


def _prune_failed_attempts_once(app: FastAPI) -> None:
    try:
        with Session(app.state.engine) as session:
            prune_failed_attempts(session, app.state.settings)
            prune_ceremonies(session)
            prune_password_resets(session)
    except Exception:
        logger.exception("pruning old failed attempts, challenges or links failed; will try again")


async def _purge_deleted_plans_hourly(app: FastAPI) -> None:
    while True:
        await asyncio.to_thread(_purge_deleted_plans_once, app)
        await asyncio.to_thread(_prune_failed_attempts_once, app)
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)


@functools.cache
def _tune_garbage_collection() -> None:
    """Once per process, when the app starts: what exists then (modules, schemas, compiled
    statements) lives as long as the process. Python's full garbage collections walk every
    object they track, and these were most of them: each one stalled every request for
    100-230 ms now and then (bench/write_bench.py's p99 on SQLite; none with collection
    turned off). Frozen, they are left out of every collection.

    The youngest generation is collected after 10,000 new objects rather than Python's 700.
    A request makes thousands, nearly all freed by their reference counts as it ends, so a
    collection every 700 mostly walked the objects of requests still running: under the
    load benchmark that took about 5% of the server's time (timed with gc.callbacks), and
    under 0.5% at 10,000."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, *gc.get_threshold()[1:])


@asynccontextmanager
async def lifespan(app: FastAPI):
    purger = asyncio.create_task(_purge_deleted_plans_hourly(app))
    read_engine = app.state.read_engine
    if read_engine.dialect.name == "postgresql":
        connections = min(EVENT_LOOP_CONNECTIONS, app.state.settings.database_pool_size)
        app.state.awaited_driver = EventLoopDriver(read_engine, connections)
        app.state.event_loop_engine = build_event_loop_engine(app.state.engine, connections)
    elif read_engine.dialect.name == "sqlite":
        app.state.awaited_driver = SQLiteOnLoopDriver(read_engine, app.state.group_commit)
    _tune_garbage_collection()
    yield
    purger.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await purger
    await app.state.awaited_driver.close()
    app.state.awaited_driver = WorkerThreadDriver(read_engine, app.state.group_commit)
    if app.state.event_loop_engine is not None:
        await app.state.event_loop_engine.dispose()
        app.state.event_loop_engine = None
    app.state.group_commit.close()
    close_database_pools(app)


def database_engines(app: FastAPI) -> set[Engine]:
    """The app's engines: one, or on PostgreSQL two (see build_read_engine), and once it
    has started two more whose connections run on the event loop (`in_session`,
    `EventLoopDriver.read_with`)."""
    engines = {app.state.engine} | read_engines(app)
    if app.state.event_loop_engine is not None:
        engines.add(app.state.event_loop_engine.sync_engine)
    return engines


def read_engines(app: FastAPI) -> set[Engine]:
    """The engines the app's reads outside a transaction run on."""
    engines = {app.state.read_engine}
    if isinstance(app.state.awaited_driver, EventLoopDriver):
        engines.add(app.state.awaited_driver.read_engine.sync_engine)
    return engines


def close_database_pools(app: FastAPI) -> None:
    """Closes the connections the app's engines keep (apps started without their lifespan,
    as some tests do, call this themselves; the lifespan closes the event loop's engine)."""
    for engine in (app.state.engine, app.state.read_engine):
        engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_safe_to_start()
    install_log_hygiene()
    app = FastAPI(
        title="Wellbeing plans",
        version="1.0.0",
        summary="Person-owned Green Book and WRAP recovery plans.",
        lifespan=lifespan,
        # Served by install_api_docs from the app itself; FastAPI's own pages load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = build_engine(settings.database_url, settings.database_pool_size)
    app.state.read_engine = build_read_engine(app.state.engine, settings.database_pool_size)
    app.state.request_sessions = request_sessions(settings.database_pool_size)
    app.state.group_commit = GroupCommit(app.state.engine)
    # See lifespan.
    app.state.event_loop_engine = None
    app.state.awaited_driver = WorkerThreadDriver(app.state.read_engine, app.state.group_commit)
    use_keyring_of(settings)
    install_error_handlers(app)

    def body_limit(path: str) -> int:
        if path in ("/api/v1/import", "/api/v1/import/preview"):
            return settings.max_import_bytes
        if UPLOAD_PATH.fullmatch(path):
            return settings.max_upload_bytes
        if PAGE_FILE_PATH.fullmatch(path):
            return MAX_PAGE_FILE_BYTES + 64 * 1024  # the file and its form's few fields
        return settings.max_body_bytes

    # The last added runs first: security headers go on every answer, even a 500 made by
    # the request log, and on CORS preflights.
    app.add_middleware(BodySizeLimitMiddleware, limit_for_path=body_limit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location", "Retry-After"],
        )
    app.add_middleware(RequestLogMiddleware, secret_path_prefixes=[CRISIS_CARD_PATH_PREFIX])
    app.add_middleware(
        SecurityHeadersMiddleware, private_path_prefixes=[API_PREFIX, CRISIS_CARD_PATH_PREFIX]
    )

    # Requests are matched against the routes in this order, so the most requested come
    # first: grantees' reads, plan reads and edits, sync.
    app.include_router(grantee_reads_router)
    app.include_router(plans_router)
    app.include_router(sync_router)
    app.include_router(sharing_router)
    app.include_router(access_log_router)
    app.include_router(comments_router)
    app.include_router(suggestions_router)
    app.include_router(crisis_card_router)
    app.include_router(accounts_router)
    app.include_router(account_transfer_router)
    app.include_router(statements_router)
    app.include_router(waiting_router)
    app.include_router(exports_router)
    app.include_router(checkins_router)
    app.include_router(pages_router)
    app.include_router(pages_grantee_router)
    app.include_router(crisis_card_page_router)

    install_api_docs(app)

    @app.get("/healthz", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    index = settings.frontend_dir / "index.html"

    @app.get("/", include_in_schema=False)
    def pwa_index() -> FileResponse:
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.mount(
        "/",
        ApiBeforeStaticFiles(StaticFiles(directory=settings.frontend_dir), app.router.routes),
        name="frontend",
    )
    return app


app = create_app()
