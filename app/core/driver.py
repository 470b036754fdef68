"""Statements compiled once for the database driver, for the hottest paths, where
SQLAlchemy's per-execution work (its compiled-cache lookup, each value through its layers,
the result's column descriptions read and matched on every execution) cost more than the
database's own work for the round trip of a plan read (bench/plan_read_bench.py; figures
in bench/results/).

Statements in a session's transaction (`write_in`, `read_in`) run on its driver
connection's own cursor, and reads on their own (`DriverRead`) on a pooled driver
connection; both do by hand what SQLAlchemy would: its cursor-execute listeners are called,
driver errors become SQLAlchemy's (a lost database is still a 503), and a connection found
dead is thrown away (a pooled one with the others pooled beside it). The group commit's
grouped writes run through `exec_driver_sql`.

Requests handled on the event loop reach the database through `EventLoopDriver` on
PostgreSQL (asyncio connections: no worker thread at all; reads of several statements
through SQLAlchemy, `read_with`) and `WorkerThreadDriver` otherwise.
Under load, a query costs the app process several times more CPU when a worker thread waits
for PostgreSQL than when it is awaited on the loop: the thread, back from the database,
queues for the interpreter lock the loop holds (bench/scale_bench.py; figures in
bench/results/)."""

import asyncio
from collections import namedtuple
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from sqlalchemy import ReturnsRows
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import Pool, PoolProxiedConnection
from sqlalchemy.sql import Executable
from starlette.concurrency import run_in_threadpool

from app.core.db import build_event_loop_read_engine, retried_on_stale_connection

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.core.group_commit import GroupCommit

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class DriverStatement:
    """A statement compiled for the driver, with what turns values into the driver's
    parameters (the columns' own conversions: encryption, UUIDs, times)."""

    sql: str
    names: tuple[str, ...]
    conversions: tuple[Callable[[Any], Any] | None, ...]
    positional: bool

    @classmethod
    def compile(cls, statement: Executable, keys: tuple[str, ...], dialect: Dialect):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
        conversions = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        return cls(str(compiled), names, conversions, compiled.positional)

    def parameters(self, values: dict[str, Any]) -> tuple | dict[str, Any]:
        converted = [
            values[name] if convert is None else convert(values[name])
            for name, convert in zip(self.names, self.conversions, strict=True)
        ]
        if self.positional:
            return tuple(converted)
        return dict(zip(self.names, converted, strict=True))


# A statement built once (compiled statements are kept by its identity) and the values for
# one execution.
Write = tuple[Executable, dict[str, Any]]

_COMPILED: dict[tuple[Executable, tuple[str, ...], str], DriverStatement] = {}


def compiled_for_driver(
    statement: Executable, keys: tuple[str, ...], dialect: Dialect
) -> DriverStatement:
    """`statement` compiled for these value keys, once per database."""
    found = _COMPILED.get((statement, keys, dialect.name))
    if found is None:  # a race compiles it twice
        found = DriverStatement.compile(statement, keys, dialect)
        _COMPILED[statement, keys, dialect.name] = found
    return found


def write_in(session: "Session", statement: Executable, values: dict[str, Any]) -> int:
    """Runs a statement built once, compiled for the driver, in `session`'s transaction;
    how many rows it changed."""
    connection = session.connection()
    compiled = compiled_for_driver(statement, tuple(values), connection.dialect)
    return _run_in(connection, compiled, values, _row_count_of)


def read_in(session: "Session", read: "DriverRead", values: dict[str, Any]) -> tuple | None:
    """The first row of a read built once, in `session`'s transaction."""
    connection = session.connection()
    found = _run_in(connection, read.statement_for(connection.dialect), values, _first_of)
    return read.converted(connection.dialect, found)


def read_all_in(session: "Session", read: "DriverRead", values: dict[str, Any]) -> list[tuple]:
    """Every row of a read built once, in `session`'s transaction."""
    connection = session.connection()
    rows = _run_in(connection, read.statement_for(connection.dialect), values, _all_of)
    return [read.converted(connection.dialect, row) for row in rows]


def _run_in(
    connection: Connection, statement: DriverStatement, values: dict[str, Any], outcome
) -> Any:
    """`statement` run on the driver's own cursor, in `connection`'s transaction; a
    connection found dead is thrown away, as SQLAlchemy would."""
    try:
        return _run(connection.connection, connection.engine, statement, values, outcome)
    except DBAPIError as error:
        if error.connection_invalidated:
            connection.invalidate(error.orig)
        raise


def _run(
    pooled: PoolProxiedConnection,
    engine: Engine,
    statement: DriverStatement,
    values: dict[str, Any],
    outcome: Callable[[Any], Any],
) -> Any:
    """`outcome` of the cursor that ran `statement` on `pooled`, one of `engine`'s
    connections; driver errors raised as SQLAlchemy's, saying whether the connection died
    (a lost database is then a 503)."""
    sql, parameters = statement.sql, statement.parameters(values)
    try:
        cursor = pooled.cursor()
        try:
            _before_execute(engine, cursor, sql, parameters)
            cursor.execute(sql, parameters)
            return outcome(cursor)
        finally:
            cursor.close()  # a statement left open would hold SQLite's read snapshot
    except engine.dialect.loaded_dbapi.Error as error:
        disconnected = engine.dialect.is_disconnect(error, pooled.dbapi_connection, None)
        raise _as_sqlalchemy_error(engine, error, disconnected) from error


def _row_count_of(cursor) -> int:
    return cursor.rowcount


def _first_of(cursor) -> tuple | None:
    found = cursor.fetchone()
    return None if found is None else tuple(found)


def _all_of(cursor) -> list[tuple]:
    return cursor.fetchall()


class DriverRead:
    """A SELECT (or a write with RETURNING) run as a `DriverStatement`, its rows converted
    by the columns' own types (decryption, times) into named tuples with the columns'
    names."""

    def __init__(self, select: ReturnsRows) -> None:
        self.select = select
        self.row = namedtuple("DriverRow", select.exported_columns.keys())
        self._conversions: dict[str, tuple[Callable[[Any], Any] | None, ...]] = {}

    def first(self, engine: Engine, values: dict[str, Any]) -> tuple | None:
        """The first row for these values, or None."""
        return self.converted(engine.dialect, self._fetched(engine, values, _first_of))

    def all(self, engine: Engine, values: dict[str, Any]) -> list[tuple]:
        """Every row for these values."""
        rows = self._fetched(engine, values, _all_of)
        return [self.converted(engine.dialect, row) for row in rows]

    def _fetched(self, engine: Engine, values: dict[str, Any], outcome) -> Any:
        pooled = _connection_from(engine.pool, engine)
        try:
            return self.fetched_on(pooled, engine, values, outcome)
        finally:
            pooled.close()

    def fetched_on(
        self, pooled: PoolProxiedConnection, engine: Engine, values: dict[str, Any], outcome
    ) -> Any:
        """`outcome` (`_first_of`, `_all_of`) of this read run on `pooled`, one of
        `engine`'s connections (or of a pool made like its)."""
        try:
            return _run(pooled, engine, self.statement_for(engine.dialect), values, outcome)
        except DBAPIError as error:
            if error.connection_invalidated:
                pooled.invalidate(error.orig)
                engine.pool.dispose()  # its other connections are as likely dead
            raise

    def converted(self, dialect: Dialect, found: tuple | None) -> tuple | None:
        """A driver's row as this read's named row, its values through the columns' types."""
        if found is None:
            return None
        return self.row._make(
            value if convert is None else convert(value)
            for value, convert in zip(found, self._conversions_for(dialect), strict=True)
        )

    def statement_for(self, dialect: Dialect) -> DriverStatement:
        return compiled_for_driver(self.select, (), dialect)

    def _conversions_for(self, dialect: Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
        # Found on first use, when the database is known; a race finds them twice.
        conversions = self._conversions.get(dialect.name)
        if conversions is None:
            conversions = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.select.exported_columns
            )
            self._conversions[dialect.name] = conversions
        return conversions


class WorkerThreadDriver:
    """The database for code on the event loop, each statement run in a worker thread:
    reads on `engine`'s pool, conditional writes through the group commit. For SQLite, whose
    driver has no asyncio side (and whose one writer is best given few, grouped commits),
    and for apps started without their lifespan (some tests), which have no loop of their
    own to keep connections on."""

    def __init__(self, engine: Engine, group_commit: "GroupCommit") -> None:
        self.engine = engine
        self.group_commit = group_commit

    async def first(self, read: DriverRead, values: dict[str, Any]) -> tuple | None:
        return await run_in_threadpool(_first_again_if_stale, read, self.engine, values)

    async def all(self, read: DriverRead, values: dict[str, Any]) -> list[tuple]:
        return await run_in_threadpool(_all_again_if_stale, read, self.engine, values)

    async def write_if(self, conditional: Write) -> bool:
        return await run_in_threadpool(self.group_commit.write_if, conditional)

    async def read_with(self, read: Callable[..., T], *args: Any) -> T:
        """`read(connection, *args)` on one of the engine's connections, read once more on a
        fresh one if the first turned out dead."""
        return await run_in_threadpool(_read_again_if_stale, self.engine, read, *args)

    async def write(self, writes: list[Write]) -> None:
        """Commits these writes together (with other requests', through the group commit)."""
        await run_in_threadpool(self.group_commit.write, writes)

    async def close(self) -> None:
        """Nothing to close: the engine's pool is closed with the engine."""


def _read_on(engine: Engine, read: Callable[..., T], *args: Any) -> T:
    with engine.connect() as connection:
        return read(connection, *args)


_read_again_if_stale = retried_on_stale_connection(_read_on)


class SQLiteOnLoopDriver(WorkerThreadDriver):
    """SQLite, read on the event loop itself, on one connection of its own; conditional
    writes through the group commit in a worker thread, as `WorkerThreadDriver`'s. A plan
    read is one row found by its key, which SQLite answers in microseconds without waiting
    on anyone (in WAL mode a reader never waits for the writer), while handing it to a
    worker thread and back costs far more under load: the thread queues for the interpreter
    lock the loop holds (bench/plan_read_bench.py; figures in bench/results/). One
    connection is enough, since the loop runs one statement at a time. It comes from a pool
    of its own (the engine's settings and connect events): from the engine's, a full pool
    would have the loop wait for a worker thread that needs the loop to give one back.
    Reads of more than one statement (`read_with`) run in a worker thread."""

    def __init__(self, engine: Engine, group_commit: "GroupCommit") -> None:
        super().__init__(engine, group_commit)
        self._own_pool = engine.pool.recreate()
        self._pooled: PoolProxiedConnection | None = None

    async def first(self, read: DriverRead, values: dict[str, Any]) -> tuple | None:
        return read.converted(self.engine.dialect, self._fetched(read, values, _first_of))

    async def all(self, read: DriverRead, values: dict[str, Any]) -> list[tuple]:
        dialect = self.engine.dialect
        return [read.converted(dialect, row) for row in self._fetched(read, values, _all_of)]

    def _fetched(self, read: DriverRead, values: dict[str, Any], outcome) -> Any:
        if self._pooled is None:
            self._pooled = _connection_from(self._own_pool, self.engine)
        try:
            return read.fetched_on(self._pooled, self.engine, values, outcome)
        except DBAPIError:
            self._close()  # the next read starts on a fresh connection
            raise

    def _close(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            pooled.close()

    async def close(self) -> None:
        """Closes its connection (any statement after opens another)."""
        self._close()
        self._own_pool.dispose()


_first_again_if_stale = retried_on_stale_connection(DriverRead.first)
_all_again_if_stale = retried_on_stale_connection(DriverRead.all)


# Each pool of connections on the event loop. A statement holds its connection for one
# round trip, a session for its request's work, run a piece at a time: a few connections
# serve all of it. More only let more requests be half-way through their work at once,
# each holding its locks longer: in the load benchmark, sessions' pools of 8 (and 10 more
# under bursts) answered 236-248 requests a second, of 40, 200-221 (bench/load_bench.py).
EVENT_LOOP_CONNECTIONS = 8


class EventLoopDriver:
    """PostgreSQL, awaited on the event loop: statements run on up to `size` asyncio
    connections of their own, opened as `engine`'s would be (its URL and driver settings),
    outside a transaction, as the read engine's are. A conditional write commits on its
    own, and a request's writes (`write`) in one transaction of their own (PostgreSQL
    flushes concurrent commits together). Reads of several statements, written for a
    SQLAlchemy connection, run on the loop too, on connections of `read_engine`.

    As `DriverRead.first`: the engine's cursor-execute listeners are called and driver errors
    become SQLAlchemy's. Connections are not checked before use (a round trip each time); a
    statement whose connection turns out dead closes the idle ones, as likely dead, and runs
    once more on a fresh connection. (For a write, the database would have to die between
    committing it and answering for the second run to write twice.) A connection that
    cannot be opened fails the statement at once (a 503), rather than keeping the request
    waiting for the database to come back."""

    def __init__(self, engine: Engine, size: int) -> None:
        self.engine = engine
        self._connect_args, self._connect_params = engine.dialect.create_connect_args(engine.url)
        self._free_slots = asyncio.Semaphore(size)
        self._idle: list[psycopg.AsyncConnection] = []
        # For reads of more than one statement, made by SQLAlchemy (`read_with`).
        self.read_engine = build_event_loop_read_engine(engine, size)

    async def first(self, read: DriverRead, values: dict[str, Any]) -> tuple | None:
        statement = read.statement_for(self.engine.dialect)
        found = await self._run(statement, values, _first_row)
        return read.converted(self.engine.dialect, found)

    async def all(self, read: DriverRead, values: dict[str, Any]) -> list[tuple]:
        statement = read.statement_for(self.engine.dialect)
        rows = await self._run(statement, values, _all_rows)
        return [read.converted(self.engine.dialect, row) for row in rows]

    async def write_if(self, conditional: Write) -> bool:
        statement, values = conditional
        compiled = compiled_for_driver(statement, tuple(values), self.engine.dialect)
        return await self._run(compiled, values, _row_count) > 0

    async def write(self, writes: list[Write]) -> None:
        """Commits these writes in one transaction of their own."""
        await _again_if_stale(self._on_connection, self._execute_in_transaction, writes)

    async def read_with(self, read: Callable[..., T], *args: Any) -> T:
        """`read(connection, *args)`, a SQLAlchemy connection's work, on the event loop (a
        greenlet switches out of it while a statement waits); read once more on a fresh
        connection if the first turned out dead."""
        return await _again_if_stale(self._read_with, read, *args)

    async def _read_with(self, read: Callable[..., T], *args: Any) -> T:
        async with self.read_engine.connect() as connection:
            return await connection.run_sync(read, *args)

    async def _run(self, statement: DriverStatement, values: dict[str, Any], outcome):
        return await _again_if_stale(self._on_connection, self._execute, statement, values, outcome)

    async def _on_connection(self, work: Callable[..., Awaitable[T]], *args: Any) -> T:
        """`work(connection, *args)` on one of this pool's connections; driver errors raised
        as SQLAlchemy's, the idle connections closed if this one turned out dead."""
        async with self.connection() as connection:
            try:
                return await work(connection, *args)
            except psycopg.Error as error:
                disconnected = self.engine.dialect.is_disconnect(error, connection, None)
                if disconnected:
                    await self._close_idle()
                raise _as_sqlalchemy_error(self.engine, error, disconnected) from error

    async def _execute(
        self,
        connection: psycopg.AsyncConnection,
        statement: DriverStatement,
        values: dict[str, Any],
        outcome,
    ):
        sql, parameters = statement.sql, statement.parameters(values)
        async with connection.cursor() as cursor:
            _before_execute(self.engine, cursor, sql, parameters)
            await cursor.execute(sql, parameters)
            return await outcome(cursor)

    async def _execute_in_transaction(
        self, connection: psycopg.AsyncConnection, writes: list[Write]
    ) -> None:
        async with connection.transaction():
            for statement, values in writes:
                compiled = compiled_for_driver(statement, tuple(values), self.engine.dialect)
                await self._execute(connection, compiled, values, _row_count)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """A connection of this pool's for the block, opened if none is idle; given back
        afterwards unless it died."""
        async with self._free_slots:
            connection = self._idle.pop() if self._idle else await self._connect()
            try:
                yield connection
            finally:
                if connection.broken or connection.closed:
                    await connection.close()
                else:  # psycopg leaves even a cancelled statement's connection idle
                    self._idle.append(connection)

    async def _connect(self) -> psycopg.AsyncConnection:
        try:
            return await psycopg.AsyncConnection.connect(
                *self._connect_args, autocommit=True, **self._connect_params
            )
        except psycopg.Error as error:
            raise _as_sqlalchemy_error(self.engine, error, disconnected=False) from error

    async def _close_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def close(self) -> None:
        """Closes the idle connections (any statement after opens new ones)."""
        await self._close_idle()
        await self.read_engine.dispose()


AwaitedDriver = WorkerThreadDriver | EventLoopDriver | SQLiteOnLoopDriver


async def _again_if_stale(run: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`run(*args)`, once more if its connection turned out to be dead: as
    `retried_on_stale_connection`, awaited."""
    try:
        return await run(*args)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        return await run(*args)


async def _first_row(cursor: psycopg.AsyncCursor) -> tuple | None:
    return await cursor.fetchone()


async def _all_rows(cursor: psycopg.AsyncCursor) -> list[tuple]:
    return await cursor.fetchall()


async def _row_count(cursor: psycopg.AsyncCursor) -> int:
    return cursor.rowcount


def _before_execute(engine: Engine, cursor, sql: str, parameters) -> None:
    # As for any statement: instrumentation (and the fault tests) see it too.
    if listeners := engine.dispatch.before_cursor_execute:
        listeners(None, cursor, sql, parameters, None, False)


def _connection_from(pool: Pool, engine: Engine) -> PoolProxiedConnection:
    """A connection of `pool` (`engine`'s or one made like it); failing to open one is
    SQLAlchemy's error, as for any statement (a lost database is a 503)."""
    try:
        return pool.connect()
    except engine.dialect.loaded_dbapi.Error as error:
        raise _as_sqlalchemy_error(engine, error, disconnected=False) from error


def _as_sqlalchemy_error(engine: Engine, error: Exception, disconnected: bool) -> DBAPIError:
    return DBAPIError.instance(
        None,
        None,
        error,
        engine.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=disconnected,
        dialect=engine.dialect,
    )
