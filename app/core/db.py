"""Database engine and per-request sessions (SQLite by default, PostgreSQL in production)."""

import functools
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import psycopg
from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.core.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, Problem

logger = logging.getLogger(__name__)


class _NoResultRows(logging.Filter):
    """SQLAlchemy logs every fetched row at DEBUG, and rows are plan content: drop those even
    when someone turns every logger up to DEBUG. Statements (INFO) stay, their bound values
    hidden by hide_parameters."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoResultRows())

P = ParamSpec("P")
T = TypeVar("T")


def normalise_database_url(url: str) -> str:
    """Let people write postgresql:// (as most hosts hand it out) and still use psycopg 3,
    and list several servers as libpq does (`postgresql://h1:5432,h2:5432/plans?
    target_session_attrs=read-write`: each connection goes to whichever is the primary),
    which SQLAlchemy takes as `host` query parameters instead."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgresql"):
        url = _hosts_as_query(url)
    return url


def _hosts_as_query(url: str) -> str:
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    if "," not in hosts:
        return url
    query = [("host", host) for host in hosts.split(",") if host]
    query += parse_qsl(parts.query, keep_blank_values=True)
    netloc = f"{credentials}@" if credentials else ""
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe=":")))


# AnyIO's worker threads, each of which may hold a connection while it answers a request.
WORKER_THREADS = 40
# Connections opened beyond the pool under bursts, closed again when given back.
BURST_CONNECTIONS = 10


def build_engine(database_url: str, pool_size: int = WORKER_THREADS) -> Engine:
    """hide_parameters: logged statements and database errors never show the values bound
    to them (plan text, token digests).

    The pool keeps `pool_size` connections, by default one per worker thread: opening a
    connection costs more than a read (a SQLite schema parse; a PostgreSQL server process
    started), so under load a smaller pool would open and close one for most requests.
    It hands out the connection used last (LIFO): on PostgreSQL each connection plans a
    statement again until it has run it five times (then psycopg prepares it), and planning
    "shared with me" costs more than running it; going round all 40 connections in turn, a
    quiet server would plan nearly every request."""
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": SQLITE_LOCK_WAIT_SECONDS}
        if url.database and url.database != ":memory:":
            connect_args["factory"] = _one_writer_connections(str(Path(url.database).resolve()))
        engine = create_engine(
            url,
            connect_args=connect_args,
            pool_size=pool_size,
            max_overflow=BURST_CONNECTIONS,
            pool_use_lifo=True,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    engine = create_engine(_with_failover_defaults(url), **_postgresql_pool(pool_size))
    return _checked_before_use(engine)


def _postgresql_pool(pool_size: int) -> dict:
    return {
        "pool_size": pool_size,
        "max_overflow": BURST_CONNECTIONS,
        "pool_use_lifo": True,
        "hide_parameters": True,
    }


# libpq's own settings, unless the URL sets them: a server whose machine is gone never
# answers, so waiting for it is bounded (seconds to connect, then to notice a silent peer)
# and the next host listed, or a 503, follows.
FAILOVER_CONNECT_DEFAULTS = {
    "connect_timeout": "5",
    "keepalives_idle": "10",
    "keepalives_interval": "3",
    "keepalives_count": "3",
}


def _checked_before_use(engine: Engine) -> Engine:
    """A pooled connection the server has closed (it restarted, an administrator ended it,
    a failover) is replaced before a request uses it: the request goes on, on a fresh one,
    and every connection pooled before it is replaced too, as they most likely died with it.

    The check reads what the server sent the idle connection without waiting (libpq's
    PQconsumeInput): a server that ends a connection says so and closes it, and both
    arrive at once. Sending a statement to ask, as SQLAlchemy's pre-ping does, is a round
    trip for every request that changes something. A server that vanishes without a word
    (its machine gone) is noticed by libpq's keepalives (`FAILOVER_CONNECT_DEFAULTS`), as a
    ping would be, since a ping waits on it the same."""
    event.listen(engine, "checkout", _refuse_if_closed_by_the_server)
    return engine


def _refuse_if_closed_by_the_server(_dbapi_connection, record, _proxy) -> None:
    server = record.driver_connection.pgconn
    try:
        # Twice: the first read may take only the server's last message, the second then
        # finds the connection's end. Each is one system call when nothing came.
        server.consume_input()
        server.consume_input()
        if server.status == psycopg.pq.ConnStatus.OK:
            return
    except psycopg.OperationalError:
        pass  # the read found the connection's end
    raise InvalidatePoolError("the database server closed this pooled connection")


def _with_failover_defaults(url: URL) -> URL:
    return url.update_query_dict(
        {name: value for name, value in FAILOVER_CONNECT_DEFAULTS.items() if name not in url.query}
    )


def build_read_engine(engine: Engine, pool_size: int = WORKER_THREADS) -> Engine:
    """The engine for the hottest requests that only read (a grantee's plan read, the plan
    list, the shared-with-me list; on PostgreSQL the owner's plan read runs on the event
    loop's connections, `EventLoopDriver`, which are opened from this engine's settings).

    On PostgreSQL it has a pool of its own (LIFO, as `build_engine`'s) whose connections
    run statements outside a transaction (no BEGIN, no ROLLBACK when a connection goes
    back) and are not pinged before use: each of those is a round trip, and under load a
    round trip costs a read more of the worker threads' time than the read's own work. A
    connection that died while pooled (the database restarted) fails its first statement
    and marks the whole pool stale; `retried_on_stale_connection` then reads again on a
    fresh one. No burst connections: reads run in the worker threads, one connection each.

    SQLite: the same engine, whose reads run outside a transaction already."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(engine.url, **_read_pool(pool_size))


def _read_pool(pool_size: int) -> dict:
    return {
        "isolation_level": "AUTOCOMMIT",
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_use_lifo": True,
        "hide_parameters": True,
    }


def build_event_loop_read_engine(read_engine: Engine, pool_size: int) -> AsyncEngine:
    """PostgreSQL: an engine made as `read_engine` (outside a transaction, not pinged, no
    bursts) whose connections run on the event loop (`EventLoopDriver.read_with`)."""
    return create_async_engine(read_engine.url, **_read_pool(pool_size))


def build_event_loop_engine(engine: Engine, pool_size: int) -> AsyncEngine:
    """PostgreSQL: an engine made as `engine` (its URL, a pool as `build_engine`'s) whose
    sessions run on the event loop, for `in_session`. A statement waits for the database
    on an asyncio connection, SQLAlchemy switching out of the session's code meanwhile (a
    greenlet), so a request's work needs no worker thread at all."""
    loop_engine = create_async_engine(engine.url, **_postgresql_pool(pool_size))
    _checked_before_use(loop_engine.sync_engine)
    return loop_engine


def retried_on_stale_connection(read: Callable[P, T]) -> Callable[P, T]:
    """`read`, run once more if its connection turned out to be dead: for reads on the read
    engine, whose connections are not checked before use. Reads only: running a write
    twice is not always safe."""

    @functools.wraps(read)
    def reading(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return read(*args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            return read(*args, **kwargs)

    return reading


def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


SQLITE_LOCK_WAIT_SECONDS = 30
_WRITERS: dict[str, "_Writer"] = {}
_WRITERS_LOCK = threading.Lock()


class _Writer:
    """Which of this process's connections to one SQLite file is writing. SQLite lets one
    connection write at a time and has the others sleep and try again, a little longer each
    time (up to 100 ms a try), so under many writers a write mostly waited asleep long after
    the database was free. Here a connection takes this lock before its first write and
    gives it back as its transaction ends, and the next writer starts at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # released by any thread: a session may end in another
        self._holder: sqlite3.Connection | None = None

    def before(self, connection: sqlite3.Connection, sql: str) -> None:
        if self._holder is connection or not _writes(sql):
            return
        if not self._lock.acquire(timeout=SQLITE_LOCK_WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        self._holder = connection

    def ended(self, connection: sqlite3.Connection) -> None:
        """After a statement, commit or rollback: the lock goes back once `connection`'s
        transaction is over (a write outside a transaction ends with its statement)."""
        if self._holder is connection and not connection.in_transaction:
            self.let_go(connection)

    def let_go(self, connection: sqlite3.Connection) -> None:
        if self._holder is connection:
            self._holder = None
            self._lock.release()


def _writes(sql: str) -> bool:
    return not sql.lstrip()[:8].upper().startswith(("SELECT", "PRAGMA", "WITH", "EXPLAIN"))


def _one_writer_connections(database: str) -> type[sqlite3.Connection]:
    """The sqlite3 connection class for `database`: its writes take turns (`_Writer`)."""
    with _WRITERS_LOCK:
        writer = _WRITERS.setdefault(database, _Writer())

    class OneWriterCursor(sqlite3.Cursor):
        def execute(self, sql, parameters=(), /):
            writer.before(self.connection, sql)
            try:
                return super().execute(sql, parameters)
            finally:
                writer.ended(self.connection)

        def executemany(self, sql, parameters, /):
            writer.before(self.connection, sql)
            try:
                return super().executemany(sql, parameters)
            finally:
                writer.ended(self.connection)

    class OneWriterConnection(sqlite3.Connection):
        def cursor(self, factory=OneWriterCursor):
            return super().cursor(factory)

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                writer.ended(self)

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                writer.ended(self)

        def close(self) -> None:
            try:
                super().close()
            finally:
                writer.let_go(self)

    return OneWriterConnection


class CommitOutcomeUnknown(Problem):
    """The connection was lost while the database was committing: the change may be saved
    or not (after a failover it is there if the standby had it). The client is told so,
    never that it succeeded, and checks before sending it again."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "The service is briefly unavailable and could not confirm whether your change "
            "was saved. Please reload before trying again.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class RequestSession(Session):
    def commit(self) -> None:
        # Everything before the COMMIT itself fails with nothing kept (a 503 that says so).
        self.flush()
        try:
            super().commit()
        except DATABASE_UNAVAILABLE as error:
            cause = getattr(error, "orig", None) or error
            logger.warning(
                "database connection lost while committing (%s): outcome unknown, answered 503",
                type(cause).__name__,
            )
            raise CommitOutcomeUnknown() from error


def request_sessions(pool_size: int) -> anyio.Semaphore:
    """How many requests may hold a database session at once: `app.state.request_sessions`.

    A request may keep its connection from one worker thread to the next (a plan loaded in
    one, changed in the next) and wait for a thread in between. Unbounded, every pooled
    connection could be kept by a request waiting for a thread while every thread waits
    for a connection, until the pool's 30 s timeout answers 503. With no more sessions than
    the pool holds connections (bursts aside, which the app's own background work and
    group commit use), a thread that waits for a connection waits only for threads that
    are running. Requests beyond it queue on the event loop, first come first served."""
    return anyio.Semaphore(pool_size)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, made on the event loop (it opens no connection) once the
    request has its turn (`request_sessions`). Its connection is taken by its first
    statement, in a worker thread, and given back by a commit there; it is closed here
    without a hand-off to a thread unless a transaction is still open."""
    async with request.app.state.request_sessions:
        session = RequestSession(request.app.state.engine, expire_on_commit=False)
        try:
            yield session
        finally:
            if session.in_transaction():
                # Ending it is a round trip or two; shielded, so a cancelled request still
                # gives its connection back.
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(_close, session)
            else:
                session.close()


async def in_session(
    request: Request, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`work(session, *args)` with a request session of its own, closed afterwards (rolled
    back if `work` left a transaction open): a route's whole work in one step.

    On PostgreSQL, once the app has started, it runs on the event loop, on the engine of
    `build_event_loop_engine`. In worker threads, under load, each round trip ended with
    the thread queueing for the interpreter lock the loop holds, and the process made about
    a hundred context switches per request; on the loop, the load benchmark's requests
    cost less CPU each and it answers more of them (bench/load_bench.py; figures in
    bench/results/). Elsewhere (SQLite, whose driver has no asyncio side; apps started
    without their lifespan) it runs in one worker thread."""
    loop_engine = request.app.state.event_loop_engine
    if loop_engine is None:
        async with request.app.state.request_sessions:
            return await run_in_threadpool(
                _in_new_session, request.app.state.engine, work, *args, **kwargs
            )
    # One connection for the whole work, checked out (and checked) once: a session bound to
    # the engine would give it back at each commit and check out another for what follows.
    # Leaving the block gives it back even when the request is cancelled.
    async with loop_engine.connect() as connection:
        session = AsyncSession(
            connection, sync_session_class=RequestSession, expire_on_commit=False
        )
        try:
            return await session.run_sync(work, *args, **kwargs)
        finally:
            # As `get_session`: only ending an open transaction is a round trip, and it is
            # shielded, so a cancelled request still ends its transaction.
            if session.in_transaction():
                with anyio.CancelScope(shield=True):
                    await session.run_sync(_close)
            else:
                session.sync_session.close()


def _wrote_nothing(session: Session) -> bool:
    """PostgreSQL: the session's transaction wrote nothing (it was given no transaction id,
    which a row inserted, changed, deleted or locked takes) and holds nothing still to
    write, so committing it ends it as a rollback would. Ended so, its connection keeps
    its prepared statements: psycopg forgets them all when it rolls back, and PostgreSQL
    then plans each statement anew. Under the load benchmark, where edits refused with
    409 (which only read) ended so, that planning took a third of PostgreSQL's time."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not session.is_active or session.new or session.dirty or session.deleted:
        return False
    try:
        return session.connection().exec_driver_sql(_NO_TRANSACTION_ID).scalar()
    except SQLAlchemyError:
        return False  # an aborted transaction, or a lost connection's: only a rollback


_NO_TRANSACTION_ID = "SELECT pg_current_xact_id_if_assigned() IS NULL"


def read_outside_a_transaction(session: Session) -> None:
    """The session's statements from here on each run on their own: no BEGIN before them
    and no ROLLBACK after, two round trips fewer. For reads once its writes are committed;
    a session still in a transaction stays in it."""
    if not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _in_new_session(engine: Engine, work: Callable[..., T], *args, **kwargs) -> T:
    session = RequestSession(engine, expire_on_commit=False)
    try:
        return work(session, *args, **kwargs)
    finally:
        _close(session)


def _close(session: Session) -> None:
    """Ends what the session left open, keeping nothing it wrote, and closes it."""
    try:
        try:
            if session.in_transaction() and _wrote_nothing(session):
                Session.commit(session)  # as a rollback would: nothing to confirm
        finally:
            session.close()
    except DATABASE_UNAVAILABLE:
        # Closing rolls back what was left uncommitted; on a lost connection the server
        # has discarded it already. The answer, perhaps sent, stands.
        logger.warning("database connection lost while closing a request's session")
